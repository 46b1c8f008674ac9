"""Charts of notebook 07: SME share of public contract awards per buyer, and where the value went.

Every chart states its period (the award dates it covers) and its unit in its title or axes.

>>> import polars as pl
>>> by = pl.DataFrame({"buyer_group": ["A"], "sme_share_count_pct": [50.0], "sme_share_count_low_pct": [40.0],
...     "sme_share_count_high_pct": [60.0], "sme_share_value_pct": [30.0], "award_rows": [10],
...     "sme_value_gbp": [3.0], "large_value_gbp": [7.0], "unknown_value_gbp": [0.0],
...     "shared_award_value_gbp": [5.0], "unknown_value_pct": [0.0]})
>>> sme_share_chart(by, "award dates 2025-01-01 to 2025-03-31").to_dict()["title"]
'SME share of awards by buyer, award dates 2025-01-01 to 2025-03-31 (% of awards of known size)'
"""

from __future__ import annotations

import altair as alt
import polars as pl

_WIDTH = 520
SIZE_COLOURS = {"SME": "#1b9e77", "large": "#7570b3", "size unknown": "#bdbdbd",
                "shared award (not split)": "#e6ab02"}


def sme_share_chart(by_buyer: pl.DataFrame, period: str) -> alt.LayerChart:
    """SME share by count (bar) with its bounds (unknown all large .. all SME) and by value (tick)."""
    df = by_buyer.with_columns(pl.col("buyer_group").alias("buyer"))
    base = alt.Chart(df).encode(y=alt.Y("buyer:N", sort="-x", title=None))
    bars = base.mark_bar(color="#1b9e77", opacity=0.8).encode(
        x=alt.X("sme_share_count_pct:Q", title="SME share (%)", scale=alt.Scale(domain=[0, 100])),
        tooltip=["buyer:N", "award_rows:Q", alt.Tooltip("sme_share_count_pct:Q", format=".1f"),
                 alt.Tooltip("sme_share_count_low_pct:Q", format=".1f"),
                 alt.Tooltip("sme_share_count_high_pct:Q", format=".1f"),
                 alt.Tooltip("sme_share_value_pct:Q", format=".1f"),
                 alt.Tooltip("unknown_value_pct:Q", format=".1f")])
    bounds = base.mark_rule(color="black").encode(x="sme_share_count_low_pct:Q",
                                                   x2="sme_share_count_high_pct:Q")
    value = base.mark_tick(color="#d95f02", thickness=3, size=14).encode(x="sme_share_value_pct:Q")
    return alt.layer(bars, bounds, value).properties(
        width=_WIDTH, height=24 * max(df.height, 1),
        title=f"SME share of awards by buyer, {period} (% of awards of known size)")


def value_by_size_chart(by_buyer: pl.DataFrame, period: str) -> alt.Chart:
    """Award value per buyer split by supplier size, with shared (framework) awards apart (GBP)."""
    df = by_buyer.select(
        pl.col("buyer_group").alias("buyer"),
        pl.col("sme_value_gbp").alias("SME"), pl.col("large_value_gbp").alias("large"),
        pl.col("unknown_value_gbp").alias("size unknown"),
        pl.col("shared_award_value_gbp").alias("shared award (not split)"),
    ).unpivot(index="buyer", variable_name="size", value_name="value_gbp").with_columns(
        pl.col("value_gbp").fill_null(0.0))
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("buyer:N", title=None),
        x=alt.X("value_gbp:Q", title="Award value (£)", axis=alt.Axis(format="~s", tickCount=6)),
        color=alt.Color("size:N", title="Supplier size",
                        scale=alt.Scale(domain=list(SIZE_COLOURS), range=list(SIZE_COLOURS.values()))),
        tooltip=["buyer:N", "size:N", alt.Tooltip("value_gbp:Q", format=",.0f")],
    ).properties(width=_WIDTH, height=24 * max(df["buyer"].n_unique(), 1),
                 title=f"Award value by supplier size, {period} (£, as published: VAT basis varies)")
