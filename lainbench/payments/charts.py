"""Payment charts for notebooks 01 (payment performance) and 04 (published payment reports).

Each takes a small, already-aggregated polars frame; drawing offline is set up by
:func:`lainbench.charts.enable_offline`.

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

# ---------------------------------------------------------------------------------------------
# Payment-performance charts (notebook 01). Each takes a small, already-aggregated polars frame.

_WIDTH = 520


def _named(df, members):
    """Attach member display names (``org_name``) when a member table is given."""
    if members is None or "buyer_org_id" not in df.columns:
        return df.with_columns(pl.col("buyer_org_id").alias("member")) if "buyer_org_id" in df.columns else df
    names = members.select(pl.col("org_id").alias("buyer_org_id"), pl.col("org_name").alias("member"))
    return df.join(names, on="buyer_org_id", how="left").with_columns(
        pl.coalesce("member", "buyer_org_id").alias("member")
    )


def cumulative_days_chart(distribution, members=None, focus_member: str | None = None):
    """Share of invoices paid by day N, one line per member (from ``payments.days_distribution``)."""
    df = _named(distribution, members).sort("buyer_org_id", "days").with_columns(
        pl.col("share_pct").cum_sum().over("buyer_org_id").alias("cumulative_pct")
    )
    base = alt.Chart(df).encode(
        x=alt.X("days:Q", title="Days from invoice receipt to payment (capped at 120)"),
        y=alt.Y("cumulative_pct:Q", title="Invoices paid by then (%)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("member:N", title="Member"),
        tooltip=["member:N", "days:Q", alt.Tooltip("cumulative_pct:Q", format=".1f")],
    )
    lines = base.mark_line(strokeWidth=1.5)
    if focus_member:
        lines = lines.encode(
            strokeWidth=alt.condition(
                alt.datum.buyer_org_id == focus_member, alt.value(4), alt.value(1.2)
            )
        )
    rule = alt.Chart().mark_rule(strokeDash=[4, 4], color="grey").encode(x=alt.datum(30))
    return alt.layer(lines, rule, data=df).properties(
        width=_WIDTH, height=320, title="How quickly each member pays: share of invoices paid by day N"
    )


def ranked_bar_chart(peer, members=None, title: str | None = None, unit: str = "%",
                     focus_member: str | None = None):
    """Members ranked on one measure for one period, with the network median as a rule."""
    df = _named(peer, members)
    median = float(df["network_median"][0]) if df.height else 0.0
    color = (
        alt.condition(alt.datum.buyer_org_id == focus_member, alt.value("#d95f02"), alt.value("#1b9e77"))
        if focus_member else alt.value("#1b9e77")
    )
    bars = alt.Chart(df).mark_bar().encode(
        y=alt.Y("member:N", sort=alt.SortField("rank", order="ascending"), title=None),
        x=alt.X("value:Q", title=f"{df['measure'][0] if df.height else ''} ({unit})"),
        color=color,
        tooltip=["member:N", alt.Tooltip("value:Q", format=".1f"), "rank:Q",
                 alt.Tooltip("distance_from_median:Q", format="+.1f")],
    )
    rule = alt.Chart(pl.DataFrame({"median": [median]})).mark_rule(
        color="black", strokeDash=[4, 3]).encode(x="median:Q")
    return (bars + rule).properties(
        width=_WIDTH, height=22 * max(df.height, 1),
        title=title or "Members ranked (dashed line: network median)",
    )


def trend_chart(trend_df, measure: str, members=None, title: str | None = None):
    """One line per member across reporting periods."""
    df = _named(trend_df, members)
    return alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("period:O", title="Reporting period"),
        y=alt.Y(f"{measure}:Q", title=measure.replace("_", " "), scale=alt.Scale(zero=False)),
        color=alt.Color("member:N", title="Member"),
        tooltip=["member:N", "period:O", alt.Tooltip(f"{measure}:Q", format=".1f")],
    ).properties(width=_WIDTH, height=300, title=title or f"Trend: {measure.replace('_', ' ')}")


def size_band_chart(metrics, period: str, measure: str = "paid_within_30_days_pct", members=None):
    """For one period, ``measure`` per member split by supplier size band."""
    df = _named(
        metrics.filter((pl.col("period") == period) & (pl.col("supplier_size_band") != "all")
                       & (pl.col("supplier_size_band") != "unknown")),
        members,
    )
    return alt.Chart(df).mark_bar().encode(
        x=alt.X(f"{measure}:Q", title=measure.replace("_", " ") + " (%)"),
        y=alt.Y("supplier_size_band:N", sort=["micro", "small", "medium", "large"], title=None),
        color=alt.Color("supplier_size_band:N", sort=["micro", "small", "medium", "large"],
                        title="Supplier size"),
        row=alt.Row("member:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        tooltip=["member:N", "supplier_size_band:N", alt.Tooltip(f"{measure}:Q", format=".1f"),
                 "invoice_count:Q"],
    ).properties(width=_WIDTH - 140, height=60, title=f"By supplier size, {period}")


def interest_chart(interest, members=None):
    """Statutory interest and fixed compensation owed on late payments, per member and period."""
    df = _named(interest, members).unpivot(
        index=["buyer_org_id", "member", "period"],
        on=["statutory_interest_gbp", "fixed_compensation_gbp"],
        variable_name="component", value_name="gbp",
    ).with_columns(pl.col("component").str.replace("_gbp", "").str.replace_all("_", " "))
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("member:N", sort="-x", title=None),
        x=alt.X("sum(gbp):Q", title="Owed to suppliers under the Late Payment Act (£)"),
        color=alt.Color("component:N", title=None),
        tooltip=["member:N", "period:N", "component:N", alt.Tooltip("sum(gbp):Q", format=",.0f")],
    ).properties(width=_WIDTH, height=22 * max(df["member"].n_unique(), 1),
                 title="What late payment would owe suppliers: statutory interest + compensation")


def targets_chart(results, period: str, members=None):
    """Pass / fail grid: members x targets for one period."""
    df = _named(results.filter(pl.col("period") == period), members).with_columns(
        pl.when(pl.col("passed")).then(pl.lit("met")).when(~pl.col("passed")).then(pl.lit("not met"))
        .otherwise(pl.lit("no data")).alias("result")
    )
    return alt.Chart(df).mark_rect(stroke="white").encode(
        x=alt.X("label:N", title=None, axis=alt.Axis(labelAngle=-35)),
        y=alt.Y("member:N", title=None),
        color=alt.Color("result:N", scale=alt.Scale(domain=["met", "not met", "no data"],
                                                    range=["#1b9e77", "#d95f02", "#cccccc"])),
        tooltip=["member:N", "label:N", alt.Tooltip("value:Q", format=".1f"), "comparison:N",
                 "threshold:Q", "result:N"],
    ).properties(width=_WIDTH, height=22 * max(df["member"].n_unique(), 1),
                 title=f"Targets met, {period}")


# Published payment reports (notebook 04).
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
    national PPR median by year as a dashed grey step line where available.
    """
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
    zero are above the median; the tooltip says whether that is better).
    """
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
    joined by a line: the length of the line is the gap.
    """
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
