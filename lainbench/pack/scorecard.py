"""Notebook 05 (member scorecard and network overview): reads the pack's shared tables."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import altair as alt
import polars as pl
from pydantic import Field

from lainbench import disclosure
from lainbench import presentation as pres
from lainbench.config import resolve
from lainbench.errors import ParamsError, SchemaError
from lainbench.pack.shared import BANDS, MEASURE_NAMES, MEASURES, SHARED_TABLES
from lainbench.params import RunParams
from lainbench.payments import charts as payment_charts


class MemberScorecardParams(RunParams):
    """Parameters of ``notebooks/05_member_scorecard.ipynb``."""

    shared_dir: str = Field("reports/pack/shared",
                            description="the pack's shared tables (written by lainbench pack)")
    member: str | None = Field(None, description="member org id; null gives the network overview")
    period: str = Field("latest", description="reporting period to show, or 'latest'")
    output_dir: str = "reports/member_scorecard"


def read_shared(shared_dir: str | Path) -> dict[str, pl.DataFrame]:
    """Read every shared table; a missing folder or table says how to make it."""
    d = resolve(shared_dir)
    if not d.is_dir():
        raise SchemaError(f"{shared_dir}: folder not found; it is written by `lainbench pack "
                          "PACK.yaml --out DIR` (DIR/shared)")
    out = {}
    for name in SHARED_TABLES:
        p = d / f"{name}.parquet"
        if not p.exists() and (name.startswith("network_") or name == "compliance_notices"):
            continue  # optional parts: network metrics (network_sources), notices
        if not p.exists():
            raise SchemaError(f"{p}: shared table {name!r} missing; rebuild the pack with "
                              "`lainbench pack PACK.yaml --out DIR`")
        out[name] = pl.read_parquet(p)
    return out


def display(df: pl.DataFrame, decimals: int | None = None,
            text_figures: tuple[str, ...] = ("fair_payment_code_tier",)) -> pl.DataFrame:
    """Text version of a table for reports (:func:`lainbench.presentation.display_frame`, column
    names kept): values formatted by unit, suppressed figures as ``[c]``.

    >>> t = pl.DataFrame({"m": ["A", "B"], "v_gbp": [1234.56, None], "suppressed": [False, True]})
    >>> display(t).rows()
    [('A', '£1,235'), ('B', '[c]')]
    """
    return pres.display_frame(df, decimals, text_figures=text_figures, labels=False)


class Scorecard:
    """One member's scorecard (``member`` set) or the network overview (``member`` None)."""

    def __init__(self, tables: dict[str, pl.DataFrame], member: str | None = None,
                 period: str = "latest") -> None:
        self.t = tables
        members = tables["members"]
        ids = members["org_id"].to_list()
        if member is not None and member not in ids:
            raise ParamsError(f"member: unknown member {member!r}; the pack has: {', '.join(ids)}")
        periods = tables["periods"].sort("period_start")["period"].to_list()
        if period == "latest":
            period = tables["headline"]["period"][0] if tables["headline"].height else periods[-1]
        if period not in periods:
            raise ParamsError(f"period: unknown period {period!r}; the pack has: "
                              f"{', '.join(periods)}")
        self.member = member
        self.period = period
        self.periods = periods
        self.members = members
        self.names = dict(zip(members["org_id"], members["org_name"], strict=True))
        pres.set_member_names(self.names)
        self.member_name = self.names.get(member) if member else "the network"

    @classmethod
    def load(cls, shared_dir: str | Path, member: str | None = None, period: str = "latest"
             ) -> Scorecard:
        """Read the pack's shared tables and pick the member (or the network) and period."""
        return cls(read_shared(shared_dir), member, period)

    @classmethod
    def from_tables(cls, tables: dict[str, pl.DataFrame], member: str | None = None,
                    period: str = "latest") -> Scorecard:
        """A scorecard over tables already in memory (e.g. ``build_shared(...).tables``)."""
        return cls(tables, member, period)

    # ---- facts -------------------------------------------------------------------------------
    @property
    def is_network(self) -> bool:
        """True for the network overview."""
        return self.member is None

    def title(self) -> str:
        """The report's title: who (the member's name, or the network) and the period."""
        if self.is_network:
            return f"Network overview: {self.members.height} members, {self.period}"
        return f"Scorecard: {self.member_name}, {self.period}"

    def heading(self):
        """The report's title and a line on suppression, as notebook Markdown."""
        from IPython.display import Markdown

        return Markdown(f"# {self.title()}\n\n{self.suppression_summary()} "
                        f"Disclosure rules: {self.rules_text()}.")

    def rules_text(self) -> str:
        """The disclosure rules the pack applied, in words."""
        a = self.t["availability"].filter(pl.col("component") == "disclosure")
        return a["note"][0] if a.height else "see the pack's manifest.json"

    def suppressed(self) -> bool:
        """Whether this member's overall figures for the period are suppressed."""
        if self.is_network:
            return False
        h = self.t["headline"].filter(pl.col("buyer_org_id") == self.member)
        return bool(h["suppressed"][0]) if h.height else True

    def _metrics(self, band: str = "all") -> pl.DataFrame:
        return self.t["payment_metrics"].filter(pl.col("supplier_size_band") == band)

    # ---- tables ------------------------------------------------------------------------------
    def headline(self) -> pl.DataFrame:
        """Network: the headline row of every member. Member: each measure against the network.

        Member rows give the member's value, the network median and range, and the member's rank
        (1 = best) among members whose figure is shown.
        """
        if self.is_network:
            return self.t["headline"]
        m = self._metrics().filter(pl.col("period") == self.period)
        bench = self.t["network_benchmark"].filter(
            (pl.col("period") == self.period) & (pl.col("supplier_size_band") == "all"))
        rows = []
        mine = m.filter(pl.col("buyer_org_id") == self.member)
        hidden = (not mine.height) or bool(mine["suppressed"][0])
        for col, label, unit, higher in MEASURES:
            if col not in m.columns:
                continue
            vals = m.select("buyer_org_id", col).drop_nulls(col)
            value = None if hidden else mine[col][0]
            rank = None
            if value is not None:
                better = (vals[col] > value) if higher else (vals[col] < value)
                rank = int(better.sum()) + 1
            b = bench.filter(pl.col("measure") == col)
            net = b.row(0, named=True) if b.height else {}
            rows.append({
                "measure": label, "unit": unit, "member_value": value,
                "network_median": net.get("network_median"), "network_min": net.get("network_min"),
                "network_max": net.get("network_max"), "rank": rank,
                "members_ranked": vals.height, "suppressed": hidden,
            })
        return pl.DataFrame(rows, schema={
            "measure": pl.String, "unit": pl.String, "member_value": pl.Float64,
            "network_median": pl.Float64, "network_min": pl.Float64, "network_max": pl.Float64,
            "rank": pl.Int64, "members_ranked": pl.Int64, "suppressed": pl.Boolean})

    def headline_display(self) -> pl.DataFrame:
        """:meth:`headline` for people: labels with units, values formatted by unit, names not
        ids, suppressed figures as ``[c]``, unavailable components explained.
        """
        h = self.headline()
        if not self.is_network:
            cols = {label: col for col, label, _, _ in MEASURES}
            rows = []
            for r in h.iter_rows(named=True):
                col = cols.get(r["measure"], "x")
                fig = (lambda v, c=col: pres.format_value(v, c))
                hidden = bool(r["suppressed"])
                rows.append({
                    "Measure": r["measure"] + (f" ({r['unit']})" if r["unit"] in ("%", "£") else ""),
                    "Member's figure": pres.MARK if hidden else fig(r["member_value"]),
                    "Network median": fig(r["network_median"]),
                    "Network range": f"{fig(r['network_min'])} to {fig(r['network_max'])}",
                    "Rank (1 = best)": pres.MARK if hidden or r["rank"] is None
                    else f"{r['rank']} of {r['members_ranked']}",
                })
            return pl.DataFrame(rows, schema={k: pl.String for k in (
                "Measure", "Member's figure", "Network median", "Network range", "Rank (1 = best)")})
        avail = dict(zip(self.t["availability"]["component"],
                         self.t["availability"]["available"], strict=True))
        cols = [c for c in HEADLINE_COLUMNS if c in h.columns]
        out = pres.display_frame(h.select("member", *cols, "suppressed",
                                          "suppression_note").sort("member"))
        for comp, col in (("insurance_flags", "insurance_flags_total"),
                          ("cashflow_risk", "shortfall_risk_pct")):
            if not avail.get(comp, False) and pres.label(col) in out.columns:
                out = out.with_columns(pl.lit("not available").alias(pres.label(col)))
        return out

    def targets(self) -> pl.DataFrame:
        """Targets met per period (member) or Fair Payment Code tier per member and period."""
        if self.is_network:
            t = self.t["fair_payment_code"].with_columns(
                pl.when(pl.col("suppressed")).then(pl.lit(disclosure.MARK))
                .otherwise(pl.col("fair_payment_code_tier")).alias("tier"))
            names = self.members.select(pl.col("org_id").alias("buyer_org_id"),
                                        pl.col("org_name").alias("member"))
            out = names.join(t.pivot(on="period", index="buyer_org_id", values="tier"),
                             on="buyer_org_id", how="left").drop("buyer_org_id").sort("member")
            return out.rename({"member": "Member"})
        r = self.t["target_results"].filter(pl.col("buyer_org_id") == self.member).with_columns(
            pl.when(pl.col("suppressed")).then(pl.lit(disclosure.MARK))
            .when(pl.col("passed")).then(pl.lit("met"))
            .when(~pl.col("passed")).then(pl.lit("not met"))
            .otherwise(pl.lit("no data")).alias("result"),
            pl.format("{} {}{}", pl.col("comparison").replace_strict(
                {">=": "at least", "<=": "at most", ">": "over", "<": "under"},
                default=pl.col("comparison")),
                pl.col("threshold").round(1).cast(pl.String).str.replace(r"\.0$", ""),
                pl.when(pl.col("measure").str.ends_with("_pct")).then(pl.lit("%"))
                .otherwise(pl.lit(" days"))).alias("target_level"))
        if not r.height:
            return pl.DataFrame(schema={"target": pl.String})
        return r.pivot(on="period", index=["label", "target_level"], values="result").rename(
            {"label": "Target", "target_level": "Level"}).sort("Target")

    def interest(self) -> pl.DataFrame:
        """Late Payment Act interest and compensation owed: every member for the headline period
        (network), or the member by period; the same figures the interest chart draws.
        """
        t = self.t["interest_owed"]
        if not self.is_network:
            t = t.filter(pl.col("buyer_org_id") == self.member).drop("buyer_org_id")
            return t.sort("period")
        names = self.members.select(pl.col("org_id").alias("buyer_org_id"),
                                    pl.col("org_name").alias("member"))
        t = names.join(t.filter(pl.col("period") == self.period), on="buyer_org_id",
                       how="inner").drop("buyer_org_id", "period")  # the caption names it
        return t.sort("member")

    def insurance(self) -> pl.DataFrame:
        """Insurance requirement flags (buyer policy), or a row saying they are not available."""
        return self._optional("insurance_flags", "insurance_flags_total")

    def cashflow(self) -> pl.DataFrame:
        """A typical small supplier's cash-flow shortfall risk, or why it is not available."""
        return self._optional("cashflow_risk", "shortfall_risk_pct")

    def _optional(self, name: str, col: str) -> pl.DataFrame:
        a = self.t["availability"].filter(pl.col("component") == name)
        if not a.height or not a["available"][0]:
            note = a["note"][0] if a.height else "not computed"
            return pl.DataFrame({"status": ["not available"], "note": [note]})
        t = self.t[name]
        names = self.members.select(pl.col("org_id").alias("buyer_org_id"),
                                    pl.col("org_name").alias("member"))
        t = names.join(t, on="buyer_org_id", how="inner").drop("buyer_org_id")
        if not self.is_network:
            t = t.filter(pl.col("member") == self.member_name)
        t = t.select(c for c in t.columns if t.schema[c] != pl.String or c == "member"
                     or t[c].null_count() < t.height)  # no all-empty text columns
        return t.sort(col, descending=True, nulls_last=True)

    NETWORK_COLUMNS = ("addressable_gbp", "msme_share_pct", "msme_unknown_pct", "msme_upper_pct",
                       "pledge_pct", "pledge_status", "diverse_led_share_pct",
                       "diverse_led_unknown_pct", "vcse_share_pct", "london_share_pct",
                       "msme_contracts_contracts", "msme_contracts_value_gbp",
                       "msme_cumulative_contracts", "msme_cumulative_value_gbp",
                       "reserved_contracts")

    def network_metrics(self) -> pl.DataFrame:
        """The twice-yearly action-plan metrics for the period (notebook 06's headline, from the
        pack's disclosure-controlled ``network_headline``): the member's row (and the network's),
        or every member for the network overview; a row saying why when the pack has none.
        """
        if "network_headline" not in self.t:
            return pl.DataFrame({"status": ["not available"], "note": [
                "the pack file names no network_sources (and no return holds network cells)"]})
        h = self.t["network_headline"].filter(pl.col("period") == self.period)
        if not self.is_network:
            h = h.filter(pl.col("buyer_org_id").is_in([self.member, "network"]))
        names = dict(zip(self.members["org_id"], self.members["org_name"], strict=True))
        names["network"] = "The network"
        cols = [c for c in self.NETWORK_COLUMNS if c in h.columns]
        wide = h.select(pl.col("buyer_org_id").replace_strict(names, default=pl.col("buyer_org_id"))
                        .alias("member"), *cols).sort(pl.col("member") == "The network", "member")
        if self.is_network:
            return wide
        # one member beside the network: a measure a row reads better than 16 columns
        rows = {"Measure": [pres.label(c) for c in cols]}
        for r in wide.iter_rows(named=True):
            rows[r["member"]] = [pres.format_value(r[c], c) for c in cols]
        return pl.DataFrame(rows, schema={k: pl.String for k in rows})

    NOTICE_LABELS: ClassVar[dict[str, str]] = {
        "average_days": "Average days to pay (reg 38(2)(c)(i))",
        "paid_within_30_days_pct": "% paid in days 1-30 (reg 38(2)(c)(ii)(aa))",
        "paid_31_to_60_days_pct": "% paid in days 31-60 (bb)",
        "paid_61_days_or_more_pct": "% paid on day 61 or later (cc)",
        "payable_not_paid_in_period_pct": "% of sums payable not paid in the period (reg 38(2)(d))",
    }

    def compliance_notice(self) -> pl.DataFrame:
        """The member's payments compliance notices: figures derived from its ledger (Procurement
        Act invoices) beside the ones it published, measure by measure, per s.69 period.
        """
        if "compliance_notices" not in self.t or self.is_network:
            return pl.DataFrame({"status": ["not available"], "note": [
                "per member only" if self.is_network else "no notice figures in this pack"]})
        n = self.t["compliance_notices"].filter(pl.col("buyer_org_id") == self.member)
        return n.select(
            pl.col("notice_period").alias("Reporting period (ends)"),
            pl.col("measure").replace_strict(self.NOTICE_LABELS, default=pl.col("measure"))
            .alias("Figure"),
            pl.col("derived_from_ledger").alias("Derived from the ledger"),
            pl.col("published").alias("Published by the member"),
        ).sort("Reporting period (ends)")

    def one_row(self, table: pl.DataFrame) -> pl.DataFrame:
        """A one-member table as two columns, measure and value (reads better than a wide row).

        >>> sc = Scorecard.__new__(Scorecard)
        >>> sc.one_row(pl.DataFrame({"member": ["A"], "shortfall_risk_pct": [10.25]})).rows()
        [('Cash-flow shortfall risk (%)', '10.2%')]
        """
        shown = pres.display_frame(table.drop("member", strict=False))
        if shown.height != 1:
            return shown
        return pl.DataFrame({"Measure": shown.columns, "Value": list(shown.row(0))},
                            schema={"Measure": pl.String, "Value": pl.String})

    def note(self, component: str) -> str:
        """How an optional component was computed (or why it was not)."""
        a = self.t["availability"].filter(pl.col("component") == component)
        return a["note"][0] if a.height else "not computed"

    def suppression_summary(self) -> str:
        """One sentence: how many figures are suppressed (for this member, or overall)."""
        s = self.t["suppressions"]
        if not self.is_network:
            s = s.filter(pl.col("cell").str.contains(f"buyer_org_id={self.member}", literal=True))
        who = "" if self.is_network else " for this member"
        if not s.height:
            return f"No figure{who} was suppressed."
        return (f"{s.height} figure(s){who} suppressed and shown as {disclosure.MARK}: "
                + "; ".join(f"{r} ({n})" for r, n in s.group_by("note").len().sort("note").rows())
                + ".")

    def tables(self) -> dict[str, pl.DataFrame]:
        """The tables this report writes to its ``output_dir``."""
        out = {"scorecard": self.headline(), "targets": self.targets(),
               "interest_owed": self.interest()}
        if not self.is_network:
            out["trend"] = self._member_trend()
        return out

    # ---- charts ------------------------------------------------------------------------------
    def _member_trend(self) -> pl.DataFrame:
        m = self._metrics().filter(pl.col("buyer_org_id") == self.member)
        return m.select("period", *[c for c in MEASURE_NAMES if c in m.columns], "suppressed")

    def _peer(self, measure: str, higher: bool) -> pl.DataFrame:
        from lainbench.payments.metrics import peer_comparison

        m = self._metrics().filter((pl.col("period") == self.period) & ~pl.col("suppressed")
                                   & pl.col(measure).is_not_null())  # a hidden share is left out
        return peer_comparison(m, measure, higher_is_better=higher)

    def ranked_chart(self, measure: str = "paid_within_30_days_pct") -> alt.TopLevelMixin:
        """Members ranked on ``measure`` for the period (this member highlighted)."""
        label, unit, higher = _measure(measure)
        peer = self._peer(measure, higher)
        hidden = self.members.height - peer.height
        title = f"{label}, {self.period}" + (f" ({hidden} member(s) suppressed)" if hidden else "")
        if not peer.height:
            return suppressed_chart(title)
        return payment_charts.ranked_bar_chart(peer, self.members, title=title, unit=unit,
                                       focus_member=self.member)

    def trend_chart(self, measure: str = "paid_within_30_days_pct") -> alt.TopLevelMixin:
        """Network: one line per member. Member: its line against the network median and range."""
        label, unit, _ = _measure(measure)
        span = (f"{self.periods[0]} to {self.periods[-1]}" if len(self.periods) > 1
                else self.periods[0])
        if self.is_network:
            m = self._metrics().filter(~pl.col("suppressed"))
            if not m.height:
                return suppressed_chart(f"{label} ({unit}), {span}")
            return payment_charts.trend_chart(m, measure, self.members,
                                              title=f"{label} by period, {span}")
        bench = self.t["network_benchmark"].filter(
            (pl.col("supplier_size_band") == "all") & (pl.col("measure") == measure))
        if not bench.height:
            return suppressed_chart(f"{label} ({unit}), {span}")
        return member_trend_chart(self._member_trend(), bench, measure, self.member_name,
                                  f"{label} ({unit}), {span}")

    def size_band_chart(self, measure: str = "paid_within_30_days_pct") -> alt.TopLevelMixin:
        """By supplier size band for the period: every member, or this member against the network."""
        label, unit, _ = _measure(measure)
        m = self.t["payment_metrics"].filter(~pl.col("suppressed"))
        title = f"{label} by supplier size, {self.period} ({unit})"
        if self.is_network:
            shown = m.filter((pl.col("period") == self.period)
                             & pl.col("supplier_size_band").is_in(list(BANDS)))
            if not shown.height:
                return suppressed_chart(title)
            return payment_charts.size_band_chart(m, self.period, measure, self.members)
        mine = m.filter((pl.col("buyer_org_id") == self.member) & (pl.col("period") == self.period)
                        & pl.col("supplier_size_band").is_in(list(BANDS)))
        bench = self.t["network_benchmark"].filter(
            (pl.col("period") == self.period) & (pl.col("measure") == measure)
            & pl.col("supplier_size_band").is_in(list(BANDS)))
        if not mine.height:
            return suppressed_chart(title, f"{self.member_name}: every size band is suppressed")
        return member_band_chart(mine, bench, measure, self.member_name, title)

    def interest_chart(self):
        """Interest and compensation owed under the Late Payment Act: per member for the headline
        period (network), or the member's figure by period with the headline period named.
        The figures are those of :meth:`interest`.
        """
        t = self.t["interest_owed"]
        if self.is_network:
            return payment_charts.interest_chart(t, self.members, period=self.period)
        mine = t.filter(pl.col("buyer_org_id") == self.member)
        return payment_charts.interest_trend_chart(mine, self.member_name, self.period)


# The network overview's headline columns (the headline table's figures, in reading order).
HEADLINE_COLUMNS = ("invoice_count", "mean_days_to_pay", "median_days_to_pay",
                    "paid_within_30_days_pct", "paid_within_terms_pct", "interest_owed_gbp",
                    "fair_payment_code_tier", "insurance_flags_total", "shortfall_risk_pct")


def suppressed_chart(title: str, message: str = "every figure is suppressed") -> alt.Chart:
    """A placeholder chart saying why there is nothing to draw (all figures suppressed).

    >>> suppressed_chart("Trend").to_dict()["mark"]["type"]
    'text'
    """
    text = f"{message} ({disclosure.MARK}): too few suppliers, or one supplier dominates"
    df = pl.DataFrame({"text": [text]})
    return alt.Chart(df).mark_text(size=14, color="#8a5a00").encode(text="text:N").properties(
        width=520, height=60, title=title)


def _measure(measure: str) -> tuple[str, str, bool]:
    for col, label, unit, higher in MEASURES:
        if col == measure:
            return label, unit, higher
    raise ParamsError(f"measure: unknown measure {measure!r}; choose one of "
                      f"{', '.join(MEASURE_NAMES)}")


def member_trend_chart(trend: pl.DataFrame, bench: pl.DataFrame, measure: str, member_name: str,
                       title: str) -> alt.LayerChart:
    """A member's ``measure`` by period (line) over the network's middle half (band) and median.

    >>> t = pl.DataFrame({"period": ["p1", "p2"], "x": [50.0, 60.0]})
    >>> b = pl.DataFrame({"period": ["p1", "p2"], "network_median": [55.0, 58.0],
    ...     "network_p25": [50.0, 52.0], "network_p75": [60.0, 62.0],
    ...     "network_min": [40.0, 45.0], "network_max": [70.0, 72.0]})
    >>> member_trend_chart(t, b, "x", "A", "x").to_dict()["layer"][0]["mark"]["type"]
    'area'
    """
    b = bench.select("period", "network_median", "network_p25", "network_p75", "network_min",
                     "network_max")
    band = alt.Chart(b).mark_area(opacity=0.25, color="#7570b3").encode(
        x=alt.X("period:O", title="Reporting period (financial year, half)"),
        y=alt.Y("network_p25:Q", title=title.split(", ")[0], scale=alt.Scale(zero=False)),
        y2="network_p75:Q",
        tooltip=["period:O", alt.Tooltip("network_p25:Q", format=".1f", title="network 25th pct"),
                 alt.Tooltip("network_p75:Q", format=".1f", title="network 75th pct")],
    )
    median = alt.Chart(b).mark_line(strokeDash=[5, 4], color="#444444").encode(
        x="period:O", y="network_median:Q",
        tooltip=["period:O", alt.Tooltip("network_median:Q", format=".1f")])
    mine = alt.Chart(trend.select("period", pl.col(measure).alias("value"))).mark_line(
        point=True, color="#d95f02", strokeWidth=3).encode(
        x="period:O", y="value:Q",
        tooltip=["period:O", alt.Tooltip("value:Q", format=".1f", title=member_name)])
    return alt.layer(band, median, mine).properties(
        width=520, height=280,
        title={"text": title, "subtitle": f"{member_name} (orange) against the network median "
               "(dashed); shaded: the middle half of members (25th to 75th percentile)"})


def member_band_chart(mine: pl.DataFrame, bench: pl.DataFrame, measure: str, member_name: str,
                      title: str) -> alt.LayerChart:
    """A member's ``measure`` per supplier size band (bars) with the network median (ticks).

    >>> m = pl.DataFrame({"supplier_size_band": ["micro", "large"], "x": [40.0, 80.0]})
    >>> b = pl.DataFrame({"supplier_size_band": ["micro", "large"], "network_median": [50.0, 70.0]})
    >>> len(member_band_chart(m, b, "x", "A", "t").to_dict()["layer"])
    2
    """
    order = list(BANDS)
    bars = alt.Chart(mine.select("supplier_size_band", pl.col(measure).alias("value"))).mark_bar(
        color="#d95f02").encode(
        y=alt.Y("supplier_size_band:N", sort=order, title="Supplier size"),
        x=alt.X("value:Q", title=title),
        tooltip=["supplier_size_band:N", alt.Tooltip("value:Q", format=".1f", title=member_name)])
    ticks = alt.Chart(bench.select("supplier_size_band", "network_median")).mark_tick(
        color="black", thickness=3, size=24).encode(
        y=alt.Y("supplier_size_band:N", sort=order), x="network_median:Q",
        tooltip=["supplier_size_band:N", alt.Tooltip("network_median:Q", format=".1f")])
    return alt.layer(bars, ticks).properties(
        width=520, height=160,
        title={"text": title, "subtitle": f"{member_name} (bars) against the network median "
               "(black ticks); size bands with too few suppliers are suppressed"})
