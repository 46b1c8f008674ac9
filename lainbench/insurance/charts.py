"""Altair charts for the insurance requirements benchmark (notebook 02).

Each builder takes a table made by :mod:`lainbench.insurance` and returns an altair chart; the
notebook only calls them. Tables here are small (members x covers x bands), far below altair's
5,000-row embedding limit.

>>> import polars as pl
>>> from lainbench import insurance as ins
>>> chart = premium_curves_chart(ins.premium_curve_table())
>>> chart.to_dict()["layer"][0]["mark"]["type"]
'line'
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from lainbench.formatting import format_gbp_short
from lainbench.insurance.standards import COVER_ABBREV, COVER_LABELS
from lainbench.presentation import member_name, register_values

register_values("cover_type", COVER_LABELS)  # tables show "Public liability", not the code

LIMIT_TICKS = [250_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000]
GBP_LABEL = "datum.value >= 1e6 ? '£' + datum.value / 1e6 + 'm' : '£' + datum.value / 1e3 + 'k'"


def _with_labels(df: pl.DataFrame) -> pl.DataFrame:
    out = df
    if "buyer_org_id" in df.columns and "member" not in df.columns:  # names, not ids
        out = out.with_columns(pl.col("buyer_org_id").map_elements(
            member_name, return_dtype=pl.String).alias("member"))
    if "cover_type" in df.columns and "cover" not in df.columns:
        out = out.with_columns(
            pl.col("cover_type").replace_strict(COVER_LABELS, default=None).alias("cover")
        )
    if "min_limit_gbp" in df.columns and "limit" not in df.columns:
        out = out.with_columns(
            pl.col("min_limit_gbp")
            .map_elements(format_gbp_short, return_dtype=pl.String)
            .alias("limit")
        )
    return out


def heatmap_required_limits(resolved: Any, title: str | None = None) -> alt.FacetChart:
    """Members x cover type, one panel per contract-value band, coloured by the required limit.

    ``resolved`` is :func:`lainbench.insurance.network_comparison` (or ``resolve_to_bands``)
    filtered to one category. A blank cell means the member sets no requirement for that cover.
    """
    df = _with_labels(pl.DataFrame(resolved))
    bands = df.sort("band_order")["band"].unique(maintain_order=True).to_list()
    covers = [COVER_LABELS[c] for c in COVER_LABELS if c in set(df["cover_type"])]
    tooltip = [alt.Tooltip("member:N", title="Member"), "cover", "band", "limit"]
    if "network_median_gbp" in df.columns:
        df = df.with_columns(
            pl.col("network_median_gbp")
            .map_elements(format_gbp_short, return_dtype=pl.String)
            .alias("network median")
        )
        tooltip.append("network median")
    base = alt.Chart(df).encode(
        x=alt.X("cover:N", sort=covers, title=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("member:N", title=None, sort="ascending", axis=alt.Axis(labelLimit=0)),
    )
    rect = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "min_limit_gbp:Q",
            title="Required limit (£)",
            scale=alt.Scale(type="log", scheme="orangered", domain=[250_000, 20_000_000]),
            legend=alt.Legend(values=LIMIT_TICKS, labelExpr=GBP_LABEL),
        ),
        tooltip=tooltip,
    )
    text = base.mark_text(fontSize=10).encode(
        text="limit:N",
        color=alt.condition(
            "datum.min_limit_gbp >= 5000000", alt.value("white"), alt.value("black")
        ),
    )
    return (
        (rect + text)
        .properties(width=alt.Step(62), height=alt.Step(20))
        .facet(
            column=alt.Column("band:N", sort=bands, title="Contract value band"),
        )
        .properties(title=title or "Required limits by member, cover type and contract value")
    )


def proportionality_chart(
    applicable: Any, threshold: float, contract_value_gbp: float
) -> alt.LayerChart:
    """Required limit as a multiple of the contract value, ranked, with the flag threshold.

    ``applicable`` is :func:`lainbench.insurance.applicable_requirements` for one contract.
    Employer's liability is left out: its level is set by law, not by the contract's value.
    """
    df = (
        _with_labels(pl.DataFrame(applicable))
        .filter(pl.col("cover_type") != "employers_liability")
        .with_columns(
            (
                pl.col("member")
                + " · "
                + pl.col("cover_type").replace_strict(COVER_ABBREV, default="?")
            ).alias("requirement"),
            pl.when(pl.col("disproportionate"))
            .then(pl.lit("flagged"))
            .otherwise(pl.lit("not flagged"))
            .alias("screen"),
        )
        .sort("limit_to_value_ratio", descending=True)
    )
    order = df["requirement"].to_list()
    df = df.with_columns(pl.lit(1.0).alias("base"))
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X(
                "limit_to_value_ratio:Q",
                title="Required limit ÷ contract value (log scale)",
                scale=alt.Scale(type="log"),
            ),
            x2="base:Q",
            y=alt.Y("requirement:N", sort=order, title=None, axis=alt.Axis(labelLimit=0)),
            color=alt.Color(
                "screen:N",
                scale=alt.Scale(domain=["flagged", "not flagged"], range=["#c0392b", "#95a5a6"]),
                title="Proportionality screen",
            ),
            tooltip=[
                alt.Tooltip("member:N", title="Member"),
                "cover",
                "limit",
                alt.Tooltip("limit_to_value_ratio:Q", format=",.0f"),
                "required_stage",
            ],
        )
    )
    rule = (
        alt.Chart(pl.DataFrame({"threshold": [float(threshold)]}))
        .mark_rule(strokeDash=[4, 3], color="black")
        .encode(x="threshold:Q")
    )
    return (bars + rule).properties(
        width=460,
        height=alt.Step(14),
        title=[
            (f"Limits demanded for a {format_gbp_short(contract_value_gbp)} contract, as a "
             f"multiple of its value (dashed: {threshold:g}x)"),
            "Employer's liability left out: its level is set by law",
        ],
    )


def review_chart(changes: Any, title: str | None = None) -> alt.FacetChart:
    """Before and after a review: each requirement's limit in the old and new version.

    ``changes`` is :func:`lainbench.insurance.review_changes` filtered to one category.
    """
    df = _with_labels(pl.DataFrame(changes)).with_columns(
        (
            pl.col("member")
            + " · "
            + pl.col("cover_type").replace_strict(COVER_ABBREV, default="?")
        ).alias("requirement")
    )
    long = df.unpivot(
        index=["requirement", "band", "band_order", "change"],
        on=["min_limit_gbp_before", "min_limit_gbp_after"],
        variable_name="version",
        value_name="limit_gbp",
    ).with_columns(
        pl.col("version").replace(
            {"min_limit_gbp_before": "before review", "min_limit_gbp_after": "after review"}
        )
    )
    bands = df.sort("band_order")["band"].unique(maintain_order=True).to_list()
    base = alt.Chart(long).encode(
        y=alt.Y("requirement:N", title=None, axis=alt.Axis(labelLimit=0)),
        x=alt.X(
            "limit_gbp:Q",
            title="Required limit (log scale)",
            scale=alt.Scale(type="log"),
            axis=alt.Axis(values=LIMIT_TICKS, labelExpr=GBP_LABEL),
        ),
    )
    line = base.mark_line(color="#7f8c8d").encode(detail="requirement:N")
    points = base.mark_point(filled=True, size=60).encode(
        color=alt.Color(
            "version:N",
            scale=alt.Scale(domain=["before review", "after review"], range=["#95a5a6", "#2471a3"]),
            title=None,
        ),
        tooltip=[
            "requirement",
            "band",
            "version",
            alt.Tooltip("limit_gbp:Q", format=",.0f"),
            "change",
        ],
    )
    return (
        (line + points)
        .properties(width=220, height=alt.Step(14))
        .facet(
            column=alt.Column("band:N", sort=bands, title="Contract value band"),
        )
        .properties(title=title or "Required limits before and after review")
    )


def premium_curves_chart(curve_table: Any, held: dict[str, float] | None = None) -> alt.LayerChart:
    """Indicative annual premium against the limit of cover, one line per cover type.

    ``curve_table`` is :func:`lainbench.insurance.premium_curve_table`; the calibration point of
    each curve is marked. With ``held``, the supplier's own limits are marked with a rule.
    """
    df = pl.DataFrame(curve_table)
    x = alt.X(
        "limit_gbp:Q",
        title="Limit of cover (log scale)",
        scale=alt.Scale(type="log"),
        axis=alt.Axis(values=LIMIT_TICKS, labelExpr=GBP_LABEL),
    )
    y = alt.Y("premium_gbp:Q", title="Indicative annual premium (£)")
    colour = alt.Color("cover:N", title="Cover")
    lines = alt.Chart(df).mark_line().encode(x=x, y=y, color=colour)
    points = (
        alt.Chart(df.filter(pl.col("is_base_point")))
        .mark_point(filled=True, size=70)
        .encode(
            x=x,
            y=y,
            color=colour,
            tooltip=[
                "cover",
                alt.Tooltip("limit_gbp:Q", format=",.0f"),
                alt.Tooltip("premium_gbp:Q", format=",.2f"),
            ],
        )
    )
    layers = [lines, points]
    if held:
        h = pl.DataFrame(
            {
                "cover": [COVER_LABELS[c] for c in held if held[c] > 0],
                "limit_gbp": [float(v) for v in held.values() if v > 0],
            }
        )
        layers.append(
            alt.Chart(h).mark_rule(strokeDash=[2, 2]).encode(x="limit_gbp:Q", color=colour)
        )
    return alt.layer(*layers).properties(
        width=460,
        height=260,
        title="Indicative annual premium by limit of cover (£; quote-aggregator figures, indicative only)",
    )


def cost_burden_chart(
    burden: Any, standard_extra_gbp: float | None = None, measure: str = "cost_per_contract_won_gbp"
) -> alt.LayerChart:
    """Per member: expected extra insurance cost per contract won (or another burden measure).

    ``burden`` is :func:`lainbench.insurance.member_cost_burden`. Bars are coloured by whether cover
    must be held to bid. ``standard_extra_gbp`` draws the common standard's cost as a dashed rule.
    """
    titles = {
        "cost_per_contract_won_gbp": "Expected extra insurance cost per contract won (£)",
        "extra_premium_gbp": "Extra annual premium (£)",
        "share_of_margin_pct": "Extra premium as % of the contract's margin",
        "share_of_contract_value_pct": "Extra premium as % of contract value",
    }
    if measure not in titles:
        raise ValueError(f"measure {measure!r}; expected one of {', '.join(titles)}")
    df = _with_labels(pl.DataFrame(burden)).sort(measure, descending=True)
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X(f"{measure}:Q", title=titles[measure]),
            y=alt.Y("member:N", sort=df["member"].to_list(), title=None,
                    axis=alt.Axis(labelLimit=0)),
            color=alt.Color(
                "cost_stage:N",
                title="Cover needed",
                scale=alt.Scale(domain=["at_bid", "at_award"], range=["#c0392b", "#2471a3"]),
            ),
            tooltip=[
                alt.Tooltip("member:N", title="Member"),
                "covers_required",
                "cost_stage",
                alt.Tooltip("extra_premium_gbp:Q", format=",.2f"),
                alt.Tooltip("share_of_margin_pct:Q", format=".2f"),
                alt.Tooltip("cost_per_contract_won_gbp:Q", format=",.2f"),
            ],
        )
    )
    layers = [bars]
    if standard_extra_gbp is not None and measure in (
        "extra_premium_gbp",
        "cost_per_contract_won_gbp",
    ):
        layers.append(
            alt.Chart(pl.DataFrame({"v": [float(standard_extra_gbp)]}))
            .mark_rule(strokeDash=[4, 3], color="black")
            .encode(x="v:Q")
        )
    return alt.layer(*layers).properties(
        width=460, height=alt.Step(18), title=titles[measure] + " by member"
    )
