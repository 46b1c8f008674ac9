"""Altair charts for notebook 04 (published payment reports). Each takes a small frame from
:mod:`lainbench.published`; rendering offline is set up by :func:`lainbench.charts.enable_offline`.

>>> import datetime as dt, polars as pl
>>> h = pl.DataFrame({"org_id": ["a"], "org_name": ["A"], "regime": ["pa2023_pcn"],
...     "source": ["Payments compliance notice"], "period_start": [dt.date(2026, 4, 1)],
...     "period_end": [dt.date(2026, 9, 30)], "measure": ["paid_within_30_days_pct"], "value": [95.0]})
>>> published_trend_chart(h, None).to_dict()["title"]
'What members publish: share of invoices paid within 30 days'
"""

from __future__ import annotations

import altair as alt
import polars as pl

_WIDTH = 520
LABELS = {
    "avg_days_to_pay": "Average days to pay",
    "paid_within_5_days_pct": "Paid within 5 days (%)",
    "paid_within_30_days_pct": "Paid within 30 days (%)",
    "paid_31_to_60_days_pct": "Paid in 31-60 days (%)",
    "paid_over_60_days_pct": "Paid after 60 days (%)",
    "not_paid_within_terms_pct": "Not paid within terms (%)",
    "paid_within_target_count_pct": "BPPC: within target, by number (%)",
    "paid_within_target_value_pct": "BPPC: within target, by value (%)",
}


def _label(measure: str) -> str:
    return LABELS.get(measure, measure.replace("_", " "))


def published_trend_chart(headline: pl.DataFrame, national: pl.DataFrame | None,
                          measure: str = "paid_within_30_days_pct",
                          focus_member: str | None = None) -> alt.Chart:
    """One line per member (point shape: what kind of report) over time for ``measure``; the
    national PPR median by year as a dashed grey step line where available."""
    df = headline.filter(pl.col("measure") == measure).with_columns(
        pl.col("period_end").alias("period_end"))
    width = alt.value(1.5)
    if focus_member:
        width = alt.condition(alt.datum.org_id == focus_member, alt.value(4), alt.value(1.5))
    lines = alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("period_end:T", title="End of reporting period"),
        y=alt.Y("value:Q", title=_label(measure), scale=alt.Scale(zero=False)),
        color=alt.Color("org_name:N", title="Member"),
        shape=alt.Shape("source:N", title="Published as"),
        strokeWidth=width,
        tooltip=["org_name:N", "source:N", "period_start:T", "period_end:T",
                 alt.Tooltip("value:Q", format=".1f")],
    )
    layers = [lines]
    if national is not None and df.height:
        years = df.select(pl.col("period_start").dt.year().min().alias("lo"),
                          pl.col("period_end").dt.year().max().alias("hi")).row(0)
        nat = national.filter((pl.col("measure") == measure)
                              & pl.col("year").is_between(years[0], years[1])).with_columns(
            pl.date(pl.col("year"), 1, 1).alias("from"), pl.date(pl.col("year"), 12, 31).alias("to"))
        if nat.height:
            layers.append(alt.Chart(nat).mark_rule(color="grey", strokeDash=[5, 4], strokeWidth=2
                                                   ).encode(
                x="from:T", x2="to:T", y="national_median:Q",
                tooltip=["year:O", alt.Tooltip("national_median:Q", title="UK PPR median")]))
    title = f"What members publish: {_label(measure)[0].lower() + _label(measure)[1:]}"
    title = title.replace(" (%)", "").replace("paid within 30 days", "share of invoices paid "
                                                                    "within 30 days")
    return alt.layer(*layers).properties(width=_WIDTH, height=300, title=title)


def national_position_chart(against: pl.DataFrame) -> alt.Chart:
    """Latest published figure per member minus the national median, per measure (bars right of
    zero are above the median; the tooltip says whether that is better)."""
    df = against.drop_nulls("gap")
    if df.height:
        df = df.sort("period_end").group_by("org_id", "measure", maintain_order=True).last()
    df = df.with_columns(pl.col("measure").replace_strict(LABELS, default=pl.col("measure"))
                         .alias("measure_label"),
                         pl.when(pl.col("better_than_national")).then(pl.lit("better"))
                         .otherwise(pl.lit("worse")).alias("verdict"))
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("org_name:N", title=None),
        x=alt.X("gap:Q", title="Published figure minus UK median (points or days)"),
        color=alt.Color("verdict:N", scale=alt.Scale(domain=["better", "worse"],
                                                     range=["#1b9e77", "#d95f02"]),
                        title="Than the UK median"),
        row=alt.Row("measure_label:N", title=None, header=alt.Header(labelAngle=0,
                                                                      labelAlign="left")),
        tooltip=["org_name:N", "measure_label:N", "period_end:T", alt.Tooltip("value:Q", format=".1f"),
                 alt.Tooltip("national_median:Q", format=".1f"), alt.Tooltip("gap:Q", format="+.1f")],
    ).properties(width=_WIDTH - 140, height=alt.Step(18),
                 title="Latest published figures against the UK PPR median")


def ledger_gap_chart(comparison: pl.DataFrame, measure: str = "paid_within_30_days_pct"
                     ) -> alt.Chart:
    """Published figure (filled) and the ledger's figure (hollow) for each member and period,
    joined by a line: the length of the line is the gap."""
    df = comparison.filter(pl.col("measure") == measure).with_columns(
        pl.format("{} {}", pl.col("org_name"), pl.col("period_end").cast(pl.String)).alias("row"))
    long = df.unpivot(index=["row", "org_name", "regime", "period_end", "gap"],
                      on=["published", "ledger"], variable_name="figure", value_name="value")
    base = alt.Chart(long).encode(y=alt.Y("row:N", title=None, sort=None,
                                          axis=alt.Axis(labelLimit=420)))
    line = base.mark_line(color="grey").encode(x="value:Q", detail="row:N")
    points = base.mark_point(size=80, filled=True).encode(
        x=alt.X("value:Q", title=_label(measure), scale=alt.Scale(zero=False)),
        color=alt.Color("figure:N", scale=alt.Scale(domain=["published", "ledger"],
                                                    range=["#7570b3", "#e7298a"]),
                        title="Figure"),
        tooltip=["org_name:N", "regime:N", "period_end:T", "figure:N",
                 alt.Tooltip("value:Q", format=".1f"), alt.Tooltip("gap:Q", format="+.1f")],
    )
    return (line + points).properties(
        width=_WIDTH, height=alt.Step(22),
        title=f"Published vs own ledger: {_label(measure)}")
