"""Charts for notebook 06: the pledge chart, the trend, and the payment-terms comparison.

Every chart names its period and unit in its title or axes. Draw offline through
``lainbench.charts.enable_offline()``.

>>> h = pl.DataFrame({"buyer_org_id": ["a", "network"], "period": ["P", "P"],
...     "msme_share_pct": [20.0, 25.0], "msme_upper_pct": [35.0, 30.0], "pledge_pct": [30.0, None]})
>>> spec = pledge_chart(h, "P").to_dict()
>>> "MSME share of addressable spend" in str(spec["title"])
True
"""

from __future__ import annotations

import altair as alt
import polars as pl

WIDTH = 560


def _named(df: pl.DataFrame, members: pl.DataFrame | None) -> pl.DataFrame:
    if members is None:
        return df.with_columns(pl.col("buyer_org_id").alias("member"))
    names = members.select(pl.col("org_id").alias("buyer_org_id"),
                           pl.col("org_name").alias("member"))
    return df.join(names, on="buyer_org_id", how="left").with_columns(
        pl.coalesce("member", pl.when(pl.col("buyer_org_id") == "network")
                    .then(pl.lit("Network (all members)")).otherwise("buyer_org_id"))
        .alias("member"))


def pledge_chart(headline: pl.DataFrame, period: str, members: pl.DataFrame | None = None
                 ) -> alt.LayerChart:
    """Each member's MSME share (bar, the lower bound) with the unknown band above it (lighter
    bar up to the upper bound) and its pledge (black tick), for one period.
    """
    df = _named(headline.filter(pl.col("period") == period), members).select(
        "member", "msme_share_pct", "msme_upper_pct", "pledge_pct")
    order = df.sort("msme_share_pct", descending=True)["member"].to_list()
    y = alt.Y("member:N", sort=order, title=None)
    known = alt.Chart(df).mark_bar(color="#1b9e77").encode(
        y=y, x=alt.X("msme_share_pct:Q", title="Share of addressable spend (%)",
                     scale=alt.Scale(domain=[0, 100])),
        tooltip=["member:N", alt.Tooltip("msme_share_pct:Q", title="MSME share (%)", format=".1f"),
                 alt.Tooltip("msme_upper_pct:Q", title="if unknowns were MSME (%)", format=".1f"),
                 alt.Tooltip("pledge_pct:Q", title="pledge (%)", format=".0f")])
    unknown = alt.Chart(df).mark_bar(color="#1b9e77", opacity=0.25).encode(
        y=y, x="msme_share_pct:Q", x2="msme_upper_pct:Q")
    pledge = alt.Chart(df.filter(pl.col("pledge_pct").is_not_null())).mark_tick(
        color="black", thickness=3, size=18).encode(y=y, x="pledge_pct:Q")
    return alt.layer(unknown, known, pledge).properties(
        width=WIDTH, height=24 * max(df.height, 1),
        title=[f"MSME share of addressable spend against each member's pledge, {period}",
               ("dark bar: known MSME spend; light band: spend of unknown size (upper bound if "
                "all MSME); black tick: pledge")])


def trend_chart(headline: pl.DataFrame, measure: str = "msme_share_pct",
                members: pl.DataFrame | None = None, label: str = "MSME share of addressable "
                "spend (%)") -> alt.Chart:
    """One line per member (and a thick one for the network) across the reporting periods."""
    df = _named(headline, members).select("buyer_org_id", "member", "period", measure)
    periods = df["period"].unique().sort().to_list()
    span = f"{periods[0]} to {periods[-1]}" if periods else ""
    return alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("period:O", title="Half-year reporting period"),
        y=alt.Y(f"{measure}:Q", title=label, scale=alt.Scale(zero=False)),
        color=alt.Color("member:N", title="Member"),
        strokeWidth=alt.condition(alt.datum.buyer_org_id == "network", alt.value(4),
                                  alt.value(1.3)),
        tooltip=["member:N", "period:O", alt.Tooltip(f"{measure}:Q", format=".1f")],
    ).properties(width=WIDTH, height=300, title=f"Trend, {span}: {label}")


def terms_chart(review: pl.DataFrame, s68_days: int, max_days: int,
                members: pl.DataFrame | None = None) -> alt.LayerChart:
    """Worst-case payment terms (days from invoice receipt) per member before and after its
    review, the longest across categories for all suppliers, against s.68 and the maximum.
    """
    r = review.filter(pl.col("supplier_size_band") == "all")
    long = pl.concat([
        r.select("buyer_org_id", pl.lit("before review").alias("stage"),
                 pl.col("worst_case_days_before").alias("days"),
                 pl.col("as_of_date_before").alias("as_of")),
        r.select("buyer_org_id", pl.lit("after review / current").alias("stage"),
                 pl.col("worst_case_days_after").alias("days"),
                 pl.col("as_of_date_after").alias("as_of")),
    ]).drop_nulls("days").group_by("buyer_org_id", "stage").agg(
        pl.col("days").max(), pl.col("as_of").max())
    df = _named(long, members)
    bars = alt.Chart(df).mark_bar().encode(
        y=alt.Y("member:N", title=None), yOffset="stage:N",
        x=alt.X("days:Q", title="Longest standard term, worst case from invoice receipt (days)"),
        color=alt.Color("stage:N", title=None, scale=alt.Scale(
            domain=["before review", "after review / current"], range=["#bdbdbd", "#1b9e77"])),
        tooltip=["member:N", "stage:N", "days:Q", "as_of:T"])
    rules = alt.Chart(pl.DataFrame({"days": [s68_days, max_days],
                                    "rule": [f"s.68: {s68_days} days",
                                             f"maximum: {max_days} days"]})).mark_rule(
        strokeDash=[4, 3], color="black").encode(x="days:Q", tooltip=["rule:N"])
    return alt.layer(bars, rules).properties(
        width=WIDTH, height=34 * max(df["member"].n_unique(), 1),
        title=[(f"Payment terms offered before and after review (days; s.68 {s68_days}, "
                f"maximum {max_days})"), "as of each member's terms dates"])
