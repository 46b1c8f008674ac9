"""Payment charts for notebooks 01 (payment performance) and 04 (published payment reports).

Each takes a small, already-aggregated polars frame; drawing offline is set up by
:func:`lainbench.charts.enable_offline`. Labels, units, member names and colours come from
:mod:`lainbench.presentation`; every chart names its period (or says it covers every period) and
its unit, and member names are never cut short.

>>> import datetime as dt, polars as pl
>>> h = pl.DataFrame({"org_id": ["a"], "org_name": ["A"], "regime": ["pa2023_pcn"],
...     "source": ["Payments compliance notice"], "period_start": [dt.date(2026, 4, 1)],
...     "period_end": [dt.date(2026, 9, 30)], "measure": ["paid_within_30_days_pct"], "value": [95.0]})
>>> published_trend_chart(h, None).to_dict()["title"]["text"]
'What members publish: paid within 30 days (%), Apr 2026 to Sep 2026'
"""

from __future__ import annotations

import altair as alt
import polars as pl

from lainbench import presentation as pres
from lainbench.charts import NoData

_WIDTH = 520
NAME_AXIS = {"labelLimit": 0}  # full member names, never "..."
# money on an axis: £ and k / m, e.g. "£1.5m"
GBP_AXIS = {"labelExpr": "abs(datum.value) >= 1e6 ? '£' + format(datum.value / 1e6, '.1~f') + 'm'"
                         " : abs(datum.value) >= 1e3 ? '£' + format(datum.value / 1e3, '.0f') + 'k'"
                         " : '£' + format(datum.value, '.0f')"}


def _named(df, members):
    """Attach member display names (``member``) from ``members`` or the names already known."""
    if "buyer_org_id" not in df.columns:
        return df
    names = {}
    if members is not None:
        names = dict(zip(members["org_id"], members["org_name"], strict=True))
    lookup = {**pres.set_member_names(None), **names}
    return df.with_columns(pl.col("buyer_org_id").replace_strict(
        lookup, default=pl.col("buyer_org_id"), return_dtype=pl.String).alias("member"))


def member_colour(df: pl.DataFrame, focus_name: str | None = None, field: str = "member",
                  title: str = "Member") -> alt.Color:
    """A colour encoding that tells up to 12 members apart (the focus member highlighted)."""
    domain, rng = pres.member_palette(df[field].to_list() if df.height else [])
    if focus_name is not None and focus_name in domain:
        rng = [pres.FOCUS_COLOUR if n == focus_name else c for n, c in zip(domain, rng, strict=True)]
    return alt.Color(f"{field}:N", title=title, scale=alt.Scale(domain=domain, range=rng),
                     legend=alt.Legend(labelLimit=0, symbolLimit=0, columns=1))


def _focus_name(df: pl.DataFrame, focus_member: str | None) -> str | None:
    if not focus_member or "buyer_org_id" not in df.columns:
        return None
    hit = df.filter(pl.col("buyer_org_id") == focus_member)
    return hit["member"][0] if hit.height else None


def _period_words(periods: list[str]) -> str:
    periods = sorted({p for p in periods if p is not None})
    if not periods:
        return "no period"
    return periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"


def cumulative_days_chart(distribution, members=None, focus_member: str | None = None,
                          period: str | None = None):
    """Share of invoices paid by day N, one line per member (from ``payments.days_distribution``).

    ``period`` names what the distribution covers (default: every period in the data).
    """
    df = _named(distribution, members).sort("buyer_org_id", "days").with_columns(
        pl.col("share_pct").cum_sum().over("buyer_org_id").alias("cumulative_pct")
    )
    focus = _focus_name(df, focus_member)
    base = alt.Chart(df).encode(
        x=alt.X("days:Q", title="Days from invoice receipt to payment (capped at 120)"),
        y=alt.Y("cumulative_pct:Q", title="Invoices paid by then (%)", scale=alt.Scale(domain=[0, 100])),
        color=member_colour(df, focus),
        tooltip=["member:N", "days:Q", alt.Tooltip("cumulative_pct:Q", format=".1f", title="%")],
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
        width=_WIDTH, height=320, title={
            "text": "How quickly each member pays: share of invoices paid by day N (%)",
            "subtitle": f"{period or 'every period in the data'}; dashed line: 30 days"})


def ranked_bar_chart(peer, members=None, title: str | None = None, unit: str = "%",
                     focus_member: str | None = None):
    """Members ranked on one measure for one period, with the network median as a rule."""
    df = _named(peer, members)
    median = float(df["network_median"][0]) if df.height else 0.0
    measure = df["measure"][0] if df.height else ""
    period = df["period"][0] if df.height and "period" in df.columns else None
    color = (
        alt.condition(alt.datum.buyer_org_id == focus_member, alt.value(pres.FOCUS_COLOUR),
                      alt.value(pres.OTHER_COLOUR))
        if focus_member else alt.value(pres.OTHER_COLOUR)
    )
    axis = pres.label(measure) if measure in pres.LABELS or pres.unit(measure) else \
        f"{measure} ({unit})"
    bars = alt.Chart(df).mark_bar().encode(
        y=alt.Y("member:N", sort=alt.SortField("rank", order="ascending"), title=None,
                axis=alt.Axis(**NAME_AXIS)),
        x=alt.X("value:Q", title=axis),
        color=color,
        tooltip=["member:N", alt.Tooltip("value:Q", format=".1f", title=axis), "rank:Q",
                 alt.Tooltip("distance_from_median:Q", format="+.1f", title="from the median")],
    )
    rule = alt.Chart(pl.DataFrame({"median": [median]})).mark_rule(
        color="black", strokeDash=[4, 3]).encode(x="median:Q")
    text = title or (f"Members ranked: {pres.label(measure, with_unit=False)}"
                     + (f", {period}" if period else ""))
    return (bars + rule).properties(
        width=_WIDTH, height=22 * max(df.height, 1),
        title={"text": text, "subtitle": f"{axis}; dashed line: network median"},
    )


def trend_chart(trend_df, measure: str, members=None, title: str | None = None,
                focus_member: str | None = None):
    """One line per member across reporting periods."""
    df = _named(trend_df, members)
    axis = pres.label(measure)
    periods = df["period"].to_list() if "period" in df.columns else []
    return alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("period:O", title="Reporting period (financial year, half)"),
        y=alt.Y(f"{measure}:Q", title=axis, scale=alt.Scale(zero=False)),
        color=member_colour(df, _focus_name(df, focus_member)),
        tooltip=["member:N", "period:O", alt.Tooltip(f"{measure}:Q", format=".1f", title=axis)],
    ).properties(width=_WIDTH, height=300, title={
        "text": title or f"Trend: {pres.label(measure, with_unit=False).lower()}",
        "subtitle": f"{axis}, {_period_words(periods)}"})


def size_band_chart(metrics, period: str, measure: str = "paid_within_30_days_pct", members=None):
    """For one period, ``measure`` per member split by supplier size band."""
    df = _named(
        metrics.filter((pl.col("period") == period) & (pl.col("supplier_size_band") != "all")
                       & (pl.col("supplier_size_band") != "unknown")),
        members,
    )
    axis = pres.label(measure)
    return alt.Chart(df).mark_bar().encode(
        x=alt.X(f"{measure}:Q", title=axis),
        y=alt.Y("supplier_size_band:N", sort=["micro", "small", "medium", "large"], title=None),
        color=alt.Color("supplier_size_band:N", sort=["micro", "small", "medium", "large"],
                        title="Supplier size"),
        row=alt.Row("member:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left",
                                                              labelLimit=0)),
        tooltip=["member:N", "supplier_size_band:N", alt.Tooltip(f"{measure}:Q", format=".1f",
                                                                 title=axis),
                 alt.Tooltip("invoice_count:Q", title="invoices")],
    ).properties(width=_WIDTH - 140, height=60,
                 title={"text": f"By supplier size, {period}", "subtitle": axis})


INTEREST_PARTS = ("statutory_interest_gbp", "fixed_compensation_gbp")


def interest_chart(interest, members=None, period: str | None = None,
                   focus_member: str | None = None):
    """Statutory interest and fixed compensation owed on late payments, per member, for ONE
    period (default: the latest in ``interest``), so the bars equal the tables for that period.
    Suppressed rows are left out and counted in the subtitle.
    """
    if "suppressed" in interest.columns:
        hidden = interest.filter(pl.col("suppressed").fill_null(False))
        interest = interest.filter(~pl.col("suppressed").fill_null(False))
    else:
        hidden = interest.clear()
    periods = sorted(set(interest["period"].to_list()) | set(hidden["period"].to_list()))
    period = period or (periods[-1] if periods else None)
    shown = interest.filter(pl.col("period") == period)
    n_hidden = hidden.filter(pl.col("period") == period).height
    title = f"Owed to suppliers under the Late Payment Act, {period} (£)"
    if not shown.height:
        return NoData(title, "every member's figure for the period is suppressed"
                      if n_hidden else "no late payments in the period")
    df = _named(shown, members).unpivot(
        index=["buyer_org_id", "member", "period"], on=list(INTEREST_PARTS),
        variable_name="component", value_name="gbp",
    ).with_columns(pl.col("component").replace_strict(
        {c: pres.label(c, with_unit=False) for c in INTEREST_PARTS}))
    sub = "statutory interest + fixed compensation, whether or not suppliers claim it"
    if n_hidden:
        sub += f"; {n_hidden} member(s) suppressed ({pres.MARK}) and not shown"
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("member:N", sort="-x", title=None, axis=alt.Axis(**NAME_AXIS)),
        x=alt.X("sum(gbp):Q", title=f"Owed, {period} (£)", axis=alt.Axis(**GBP_AXIS)),
        color=alt.Color("component:N", title=None,
                        scale=alt.Scale(range=["#1f77b4", "#ff7f0e"]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=["member:N", "period:N", "component:N",
                 alt.Tooltip("sum(gbp):Q", format=",.0f", title="£")],
    ).properties(width=_WIDTH, height=22 * max(df["member"].n_unique(), 1),
                 title={"text": title, "subtitle": sub})


def interest_trend_chart(interest, member_name: str, headline_period: str | None = None):
    """One member's interest and compensation owed by period (bars); suppressed periods are
    named in the subtitle rather than dropped silently.
    """
    hidden = interest.filter(pl.col("suppressed").fill_null(False)) if "suppressed" in \
        interest.columns else interest.clear()
    shown = interest.join(hidden.select("period"), on="period", how="anti")
    title = f"Owed to suppliers under the Late Payment Act by period: {member_name} (£)"
    if not shown.height:
        return NoData(title, "every period's figure is suppressed" if hidden.height
                      else "no late payments")
    df = shown.unpivot(index=["period"], on=list(INTEREST_PARTS), variable_name="component",
                       value_name="gbp").with_columns(pl.col("component").replace_strict(
                           {c: pres.label(c, with_unit=False) for c in INTEREST_PARTS}))
    sub = "statutory interest + fixed compensation"
    if headline_period:
        sub += f"; headline period {headline_period}"
    if hidden.height:
        sub += f"; suppressed ({pres.MARK}): {', '.join(sorted(hidden['period']))}"
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("period:O", title="Reporting period", sort="ascending"),
        y=alt.Y("sum(gbp):Q", title="Owed (£)", axis=alt.Axis(**GBP_AXIS)),
        color=alt.Color("component:N", title=None, scale=alt.Scale(range=["#1f77b4", "#ff7f0e"]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=["period:N", "component:N", alt.Tooltip("sum(gbp):Q", format=",.0f", title="£")],
    ).properties(width=_WIDTH - 120, height=240, title={"text": title, "subtitle": sub})


def targets_chart(results, period: str, members=None):
    """Pass / fail grid: members x targets for one period."""
    df = _named(results.filter(pl.col("period") == period), members).with_columns(
        pl.when(pl.col("passed")).then(pl.lit("met")).when(~pl.col("passed")).then(pl.lit("not met"))
        .otherwise(pl.lit("no data")).alias("result")
    )
    return alt.Chart(df).mark_rect(stroke="white").encode(
        x=alt.X("label:N", title=None, axis=alt.Axis(labelAngle=-35, labelLimit=0)),
        y=alt.Y("member:N", title=None, axis=alt.Axis(**NAME_AXIS)),
        color=alt.Color("result:N", title="Target", scale=alt.Scale(
            domain=["met", "not met", "no data"], range=["#1b9e77", "#d95f02", "#cccccc"])),
        tooltip=["member:N", "label:N", alt.Tooltip("value:Q", format=".1f"), "comparison:N",
                 "threshold:Q", "result:N"],
    ).properties(width=_WIDTH, height=22 * max(df["member"].n_unique(), 1),
                 title=f"Targets met, {period}")


# Published payment reports (notebook 04). Labels come from lainbench.presentation.
PUBLISHED_MEASURES = (
    "avg_days_to_pay", "paid_within_5_days_pct", "paid_within_30_days_pct", "paid_31_to_60_days_pct",
    "paid_over_60_days_pct", "not_paid_within_terms_pct", "paid_within_target_count_pct",
    "paid_within_target_value_pct",
)
LABELS = {m: pres.label(m) for m in PUBLISHED_MEASURES}
NATIONAL_MISSING = ("national medians not loaded: set national_medians_path to the UK Payment "
                    "Practices Reporting medians by year (CSV; see docs/data_log.md) and run again")


def _label(measure: str) -> str:
    return pres.label(measure)


def _span(df: pl.DataFrame) -> str:
    if not df.height:
        return "no period"
    lo, hi = df["period_start"].min(), df["period_end"].max()
    return f"{lo:%b %Y} to {hi:%b %Y}"


def published_trend_chart(headline: pl.DataFrame, national: pl.DataFrame | None,
                          measure: str = "paid_within_30_days_pct",
                          focus_member: str | None = None) -> alt.Chart:
    """One line per member (point shape: what kind of report) over time for ``measure``; the
    national PPR median by year as a dashed grey step line where available.
    """
    df = headline.filter(pl.col("measure") == measure)
    width = alt.value(1.5)
    if focus_member:
        width = alt.condition(alt.datum.org_id == focus_member, alt.value(4), alt.value(1.5))
    focus = None
    if focus_member and df.height:
        hit = df.filter(pl.col("org_id") == focus_member)
        focus = hit["org_name"][0] if hit.height else None
    lines = alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("period_end:T", title="End of reporting period",
                axis=alt.Axis(format="%b %Y", labelAngle=-30)),
        y=alt.Y("value:Q", title=_label(measure), scale=alt.Scale(zero=False)),
        color=member_colour(df, focus, field="org_name"),
        shape=alt.Shape("source:N", title="Published as", legend=alt.Legend(labelLimit=0)),
        strokeWidth=width,
        tooltip=["org_name:N", "source:N", alt.Tooltip("period_start:T", format="%d %b %Y"),
                 alt.Tooltip("period_end:T", format="%d %b %Y"),
                 alt.Tooltip("value:Q", format=".1f", title=_label(measure))],
    )
    layers = [lines]
    national_note = "dashed grey: UK PPR median by calendar year"
    if national is not None and national.height and df.height:
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
        else:
            national_note = "no UK PPR median for these years or this measure"
    elif national is None or not national.height:
        national_note = "no UK PPR median drawn: none loaded for this measure"
    words = _label(measure)
    words = words if words[1:2].isupper() else words[0].lower() + words[1:]  # "BPPC" stays
    title = f"What members publish: {words}, {_span(df)}"
    return alt.layer(*layers).properties(width=_WIDTH, height=300, title={
        "text": title, "subtitle": national_note})


def national_position_chart(against: pl.DataFrame) -> alt.Chart | NoData:
    """Latest published figure per member minus the national median, per measure (bars right of
    zero are above the median; the tooltip says whether that is better). With no national
    medians loaded, a sentence saying so and how to load them.
    """
    title = "Latest published figures against the UK PPR median"
    df = against.drop_nulls("gap") if "gap" in against.columns else against.clear()
    if not df.height:
        return NoData(title, NATIONAL_MISSING)
    df = df.sort("period_end").group_by("org_id", "measure", maintain_order=True).last()
    df = df.with_columns(pl.col("measure").map_elements(pres.label, return_dtype=pl.String)
                         .alias("measure_label"),
                         pl.when(pl.col("better_than_national")).then(pl.lit("better"))
                         .otherwise(pl.lit("worse")).alias("verdict"))
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("org_name:N", title=None, axis=alt.Axis(**NAME_AXIS)),
        x=alt.X("gap:Q", title="Published figure minus UK median (percentage points or days)"),
        color=alt.Color("verdict:N", scale=alt.Scale(domain=["better", "worse"],
                                                     range=["#1b9e77", "#d95f02"]),
                        title="Than the UK median"),
        row=alt.Row("measure_label:N", title=None, header=alt.Header(labelAngle=0,
                                                                      labelAlign="left",
                                                                      labelLimit=0)),
        tooltip=["org_name:N", "measure_label:N", alt.Tooltip("period_end:T", format="%d %b %Y"),
                 alt.Tooltip("value:Q", format=".1f"),
                 alt.Tooltip("national_median:Q", format=".1f"), alt.Tooltip("gap:Q", format="+.1f")],
    ).properties(width=_WIDTH - 140, height=alt.Step(18),
                 title={"text": title, "subtitle": f"latest period each member published, "
                        f"{_span(df)}"})


def ledger_gap_chart(comparison: pl.DataFrame, measure: str = "paid_within_30_days_pct"
                     ) -> alt.Chart | NoData:
    """Published figure (filled) and the ledger's figure (hollow) for each member and period,
    joined by a line: the length of the line is the gap.
    """
    df = comparison.filter(pl.col("measure") == measure)
    title = f"Published vs own ledger: {_label(measure)}"
    if not df.height:
        return NoData(title, "no member published this measure for a period its ledger covers")
    df = df.with_columns(pl.format("{}, period ending {}", pl.col("org_name"),
                                   pl.col("period_end").dt.strftime("%d %b %Y")).alias("row"))
    long = df.unpivot(index=["row", "org_name", "regime", "period_end", "gap"],
                      on=["published", "ledger"], variable_name="figure", value_name="value")
    base = alt.Chart(long).encode(y=alt.Y("row:N", title=None, sort=None,
                                          axis=alt.Axis(labelLimit=0)))
    line = base.mark_line(color="grey").encode(x="value:Q", detail="row:N")
    points = base.mark_point(size=80, filled=True).encode(
        x=alt.X("value:Q", title=_label(measure), scale=alt.Scale(zero=False)),
        color=alt.Color("figure:N", scale=alt.Scale(domain=["published", "ledger"],
                                                    range=["#7570b3", "#e7298a"]),
                        title="Figure"),
        tooltip=["org_name:N", "regime:N", alt.Tooltip("period_end:T", format="%d %b %Y"),
                 "figure:N", alt.Tooltip("value:Q", format=".1f"),
                 alt.Tooltip("gap:Q", format="+.1f")],
    )
    return (line + points).properties(
        width=_WIDTH, height=alt.Step(22),
        title={"text": title, "subtitle": _span(df)})
