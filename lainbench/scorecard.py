"""Member scorecards and the network overview: the tables behind the benchmark pack.

The pack (``lainbench pack``) does the shared work **once**, in :func:`build_shared`: it loads the
invoices, computes payment metrics for every member, targets, Late Payment Act interest, the
days-to-pay distribution, network benchmarks, and (when ``lainbench.insurance`` and
``lainbench.cashflow`` are installed) insurance flags and a small supplier's cash-flow shortfall
risk per member. Every figure built from suppliers' invoices goes through statistical disclosure
control (:mod:`lainbench.disclosure`) before it is written. The tables are written as parquet to
the pack's ``shared/`` folder, and ``notebooks/05_member_scorecard.ipynb`` reads them back with
:class:`Scorecard`: with ``member`` set it is that member's scorecard, with ``member`` null it is
the network overview. No kernel recomputes anything from invoices, and no supplier name, supplier
id or invoice-level row reaches a shared table.

>>> from lainbench.demo import write_demo
>>> import tempfile
>>> d = Path(tempfile.mkdtemp())
>>> paths = write_demo(d, n_invoices=3_000, seed=2)
>>> shared = build_shared(paths["invoice_payment"], paths["member"], paths["periods"],
...                       insurance_path=None, cashflow_paths=0)
>>> shared.period, shared.tables["headline"].height
('2026-27 H1', 12)
>>> sc = Scorecard.from_tables(shared.tables, member="city_fire")
>>> sc.member_name
'City Fire and Rescue Authority (demo)'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl
from pydantic import Field

from lainbench import disclosure
from lainbench.config import resolve
from lainbench.errors import ParamsError, SchemaError
from lainbench.params import RunParams

KEYS = ["buyer_org_id", "period"]
BAND_KEYS = ["buyer_org_id", "period", "supplier_size_band"]
BANDS = ("micro", "small", "medium", "large")

# The measures a scorecard compares: column, label, unit, higher is better.
MEASURES: tuple[tuple[str, str, str, bool], ...] = (
    ("mean_days_to_pay", "Mean days to pay", "days", False),
    ("median_days_to_pay", "Median days to pay", "days", False),
    ("p90_days_to_pay", "90th percentile days to pay", "days", False),
    ("paid_within_10_days_pct", "Paid within 10 days", "%", True),
    ("paid_within_30_days_pct", "Paid within 30 days", "%", True),
    ("paid_within_terms_pct", "Paid within agreed terms", "%", True),
    ("within_30_or_terms_pct", "s.68 / BPPC test (undisputed, by number)", "%", True),
    ("paid_over_60_days_pct", "Paid after 60 days", "%", False),
)
MEASURE_NAMES = tuple(m[0] for m in MEASURES)

# Every table the pack shares, in workbook order, with what one row is.
SHARED_TABLES: dict[str, str] = {
    "headline": "one row per member: the headline figures for the pack's period",
    "payment_metrics": "member x period x supplier size band (all = every supplier)",
    "network_benchmark": "period x size band x measure: network median, quartiles, range",
    "target_results": "member x period x target: value, threshold, met or not",
    "fair_payment_code": "member x period: Fair Payment Code tier the figures support",
    "interest_owed": "member x period: Late Payment Act interest and compensation owed",
    "days_distribution": "member x days to pay: share of paid invoices (capped at 120 days)",
    "insurance_flags": "member x flag: insurance requirements flagged (buyer policy, no suppliers)",
    "cashflow_risk": "member: a typical small supplier's cash-flow shortfall risk if paid this way",
    "availability": "which optional parts of the pack were computed, and why not",
    "suppressions": "every suppressed figure: table, cell and the rule that suppressed it",
    "members": "the members in the pack",
    "periods": "the reporting periods in the pack",
}


class MemberScorecardParams(RunParams):
    """Parameters of ``notebooks/05_member_scorecard.ipynb``."""

    shared_dir: str = Field("reports/pack/shared",
                            description="the pack's shared tables (written by lainbench pack)")
    member: str | None = Field(None, description="member org id; null gives the network overview")
    period: str = Field("latest", description="reporting period to show, or 'latest'")
    output_dir: str = "reports/member_scorecard"


# ---------------------------------------------------------------------------------------------
# Shared work, done once by the pack


@dataclass
class SharedTables:
    """The pack's shared tables (disclosure-controlled), its headline period and its rules."""

    tables: dict[str, pl.DataFrame]
    period: str
    rules: disclosure.DisclosureRules
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def suppressions(self) -> pl.DataFrame:
        """Every suppressed cell (table, cell, rule, note)."""
        return self.tables["suppressions"]

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write every table as ``<out_dir>/<name>.parquet`` (atomically)."""
        from lainbench.outputs import write_tables

        return write_tables(out_dir, **self.tables)


def _counts(inv: pl.DataFrame, by: list[str], value: str = "gross_amount_gbp") -> pl.DataFrame:
    from lainbench.payments import disclosure_counts

    return disclosure_counts(inv, by=by, value=value)


def _flags_for_metrics(inv: pl.DataFrame, rules: disclosure.DisclosureRules) -> pl.DataFrame:
    bands = _counts(inv, BAND_KEYS)
    total = _counts(inv, KEYS).with_columns(pl.lit("all").alias("supplier_size_band"))
    counts = pl.concat([total.select(bands.columns), bands])
    return disclosure.secondary(disclosure.flag(counts, rules), KEYS, "supplier_size_band")


def _flags_for_targets(results: pl.DataFrame, inv: pl.DataFrame, metric_flags: pl.DataFrame,
                       rules: disclosure.DisclosureRules) -> pl.DataFrame:
    from lainbench.payments import TARGET_MEASURES

    small_targets = [t for t, (_, _, band) in TARGET_MEASURES.items() if band != "all"]
    pooled = disclosure.flag(
        _counts(inv.filter(pl.col("supplier_size_band").is_in(["micro", "small"])), KEYS), rules)
    # a pooled micro + small figure must go when either part is hidden (else subtract to find it)
    parts = metric_flags.filter(pl.col("supplier_size_band").is_in(["micro", "small"])).group_by(
        KEYS).agg(pl.col("sensitive").any().alias("__part"))
    pooled = pooled.join(parts, on=KEYS, how="left").with_columns(
        pl.when(pl.col("sensitive")).then(pl.col("rule"))
        .when(pl.col("__part").fill_null(False)).then(pl.lit("parent"))
        .otherwise(pl.lit(None, pl.String)).alias("rule")
    ).with_columns(pl.col("rule").is_not_null().alias("sensitive")).select(*KEYS, "sensitive", "rule")
    overall = metric_flags.filter(pl.col("supplier_size_band") == "all").select(
        *KEYS, "sensitive", "rule")
    keys = results.select(*KEYS, "target").unique()
    a = keys.filter(~pl.col("target").is_in(small_targets)).join(overall, on=KEYS, how="left")
    b = keys.filter(pl.col("target").is_in(small_targets)).join(pooled, on=KEYS, how="left")
    return pl.concat([a, b]).with_columns(
        pl.col("sensitive").fill_null(True),
        pl.col("rule").fill_null("threshold"),
    )


def _with_parent(flags: pl.DataFrame, parent: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Cells whose parent (same member and period, every supplier) is suppressed go too."""
    p = parent.select(*keys, pl.col("sensitive").alias("__p"))
    return flags.join(p, on=keys, how="left").with_columns(
        pl.when(pl.col("sensitive")).then(pl.col("rule"))
        .when(pl.col("__p").fill_null(True)).then(pl.lit("parent"))
        .otherwise(pl.lit(None, pl.String)).alias("rule")
    ).with_columns(pl.col("rule").is_not_null().alias("sensitive")).drop("__p")


def network_benchmark(metrics: pl.DataFrame) -> pl.DataFrame:
    """Per period, size band and measure: the median, quartiles and range across members.

    Each member counts once; suppressed figures (null) are left out, and ``members_counted``
    says how many members the figure is over.

    >>> m = pl.DataFrame({"buyer_org_id": list("ABC"), "period": ["p"] * 3,
    ...     "supplier_size_band": ["all"] * 3, "mean_days_to_pay": [10.0, 20.0, None]})
    >>> network_benchmark(m).select("measure", "network_median", "members_counted").row(0)
    ('mean_days_to_pay', 15.0, 2)
    """
    measures = [c for c in MEASURE_NAMES if c in metrics.columns]
    long = metrics.unpivot(index=BAND_KEYS, on=measures, variable_name="measure",
                           value_name="value").drop_nulls("value")
    return (
        long.group_by("period", "supplier_size_band", "measure")
        .agg(
            pl.col("value").median().alias("network_median"),
            pl.col("value").quantile(0.25, interpolation="linear").alias("network_p25"),
            pl.col("value").quantile(0.75, interpolation="linear").alias("network_p75"),
            pl.col("value").min().alias("network_min"),
            pl.col("value").max().alias("network_max"),
            pl.len().cast(pl.Int64).alias("members_counted"),
        )
        .sort("period", "supplier_size_band", "measure")
    )


def _insurance_flags(path: str | None, member_ids: list[str]) -> tuple[pl.DataFrame | None, str]:
    if path is None:
        return None, "not requested (no insurance source in the pack file)"
    try:
        from lainbench import insurance
    except ImportError as exc:  # pragma: no cover - depends on the install
        return None, f"not available: lainbench.insurance could not be imported ({exc})"
    needed = ("load_requirements", "pick_version", "requirement_flags", "flag_summary")
    if not all(hasattr(insurance, n) for n in needed):  # pragma: no cover
        return None, "not available: lainbench.insurance lacks requirement_flags/flag_summary"
    reqs = insurance.pick_version(insurance.load_requirements(path))
    summary = insurance.flag_summary(insurance.requirement_flags(reqs))
    flags = [c for c in summary.columns if c != "buyer_org_id"]
    have = set(reqs["buyer_org_id"].unique().to_list())
    base = pl.DataFrame({"buyer_org_id": member_ids})
    out = base.join(summary, on="buyer_org_id", how="left").with_columns(
        *[pl.when(pl.col("buyer_org_id").is_in(list(have))).then(pl.col(c).fill_null(0))
          .otherwise(None).alias(c) for c in flags],
        pl.col("buyer_org_id").is_in(list(have)).alias("requirements_on_file"),
    ).with_columns(pl.sum_horizontal(flags).alias("insurance_flags_total")
                   .fill_null(0).cast(pl.Int64))
    out = out.with_columns(
        pl.when(pl.col("requirements_on_file")).then(pl.col("insurance_flags_total"))
        .otherwise(None).alias("insurance_flags_total"))
    return out.sort("buyer_org_id"), f"insurance requirements from {path!r} (latest version)"


def _cashflow_risk(inv: pl.DataFrame, member_ids: list[str], n_paths: int, seed: int
                   ) -> tuple[pl.DataFrame | None, str]:
    if n_paths <= 0:
        return None, "not requested (cashflow_paths = 0)"
    try:
        from lainbench import cashflow
    except ImportError as exc:  # pragma: no cover - depends on the install
        return None, f"not available: lainbench.cashflow could not be imported ({exc})"
    if not hasattr(cashflow, "member_shortfall"):  # pragma: no cover
        return None, "not available: lainbench.cashflow has no member_shortfall"
    scenario = cashflow.make_scenario()
    risk = cashflow.member_shortfall(scenario, inv, member_ids, n_paths=n_paths, seed=seed)
    out = risk.select(
        "buyer_org_id",
        (pl.col("shortfall_probability") * 100).alias("shortfall_risk_pct"),
        "peak_need_gbp_p95", "overdraft_days_mean", "statutory_due_gbp_mean",
        pl.col("reason").alias("not_modelled_reason"),
    ).sort("buyer_org_id")
    note = (f"lainbench.cashflow.member_shortfall: default supplier scenario (£"
            f"{scenario.annual_value_gbp:,.0f} a year, {scenario.terms_days}-day terms), "
            f"{n_paths:,} paths, seed {seed}, invoices paid in the headline period")
    return out, note


def build_shared(invoices_path: str | Path, members_path: str | Path, periods_path: str | Path,
                 targets_file: str | Path = "params/payment_targets.yaml", *,
                 members: list[str] | str = "all", periods: list[str] | str = "all",
                 period: str = "latest", rules: disclosure.DisclosureRules | None = None,
                 insurance_path: str | None = "demo", cashflow_paths: int = 2_000,
                 seed: int = 20260401) -> SharedTables:
    """Compute every shared table once, with disclosure control applied (see module docstring).

    ``period`` is the headline period (``"latest"``: the last of ``periods``). Unknown members or
    periods are refused naming the known ones.
    """
    from lainbench import late_payment, payments

    rules = rules or disclosure.DisclosureRules()
    data = payments.prepare(str(invoices_path), str(members_path), str(periods_path),
                            str(targets_file), members, periods)
    known = data.periods["period"].to_list()
    if period == "latest":
        period = data.latest_period
    elif period not in known:
        raise ParamsError(f"period: unknown period {period!r}; known: {', '.join(known)}")
    inv = data.invoices.filter(pl.col("period").is_not_null()).collect()
    if "supplier_id" not in inv.columns:
        raise SchemaError(f"{invoices_path}: column supplier_id is needed for disclosure control "
                          "(suppliers per figure); add it at ingest")
    member_ids = data.members["org_id"].to_list()
    logs = []

    # payment metrics, member x period x size band
    metrics = payments.payment_metrics(inv)
    mflags = _flags_for_metrics(inv, rules)
    metrics_s = disclosure.apply(metrics, mflags, BAND_KEYS, rules)
    logs.append(disclosure.log(mflags, "payment_metrics", BAND_KEYS, rules))
    overall = mflags.filter(pl.col("supplier_size_band") == "all").select(*KEYS, "sensitive", "rule")

    # targets and Fair Payment Code tiers, from the unsuppressed metrics, then suppressed
    results = payments.target_results(metrics, data.periods, data.targets)
    tflags = _flags_for_targets(results, inv, mflags, rules)
    results_s = disclosure.apply(results, tflags, [*KEYS, "target"], rules,
                                 columns=["value", "passed"])
    logs.append(disclosure.log(tflags, "target_results", [*KEYS, "target"], rules))
    tiers = payments.fair_payment_code_tier(results)
    fflags = tflags.group_by(KEYS).agg(
        pl.col("sensitive").any(), pl.col("rule").drop_nulls().first())
    tiers_s = disclosure.apply(tiers, fflags, KEYS, rules, columns=["fair_payment_code_tier"])
    logs.append(disclosure.log(fflags, "fair_payment_code", KEYS, rules))

    # Late Payment Act interest: suppliers owed are the contributors
    interest = late_payment.interest_owed(inv)
    owed = inv.filter(pl.col("fixed_compensation_gbp").fill_null(0) > 0).with_columns(
        (pl.col("statutory_interest_gbp") + pl.col("fixed_compensation_gbp")).alias("__owed"))
    iflags = disclosure.flag(_counts(owed, KEYS, "__owed"), rules)
    iflags = _with_parent(interest.select(KEYS).join(iflags, on=KEYS, how="left").with_columns(
        pl.col("sensitive").fill_null(False)), overall, KEYS)
    interest_s = disclosure.apply(interest, iflags, KEYS, rules)
    logs.append(disclosure.log(iflags, "interest_owed", KEYS, rules))

    # days-to-pay distribution over the selected periods, per member (shares only, no counts)
    dist = payments.days_distribution(inv).drop("invoices")
    dflags = disclosure.flag(_counts(inv, ["buyer_org_id"]), rules)
    dist_s = disclosure.apply(dist, dflags, ["buyer_org_id"], rules, columns=["share_pct"])
    logs.append(disclosure.log(dflags, "days_distribution", ["buyer_org_id"], rules))

    bench = network_benchmark(metrics_s)

    # optional parts: insurance flags (buyer policy) and cash-flow risk (from invoices: controlled)
    ins, ins_note = _insurance_flags(insurance_path, member_ids)
    cf_inv = inv.filter(pl.col("period") == period)
    cash, cash_note = _cashflow_risk(cf_inv, member_ids, cashflow_paths, seed)
    if cash is not None:
        cflags = _with_parent(
            cash.select("buyer_org_id").with_columns(pl.lit(period).alias("period"),
                                                     pl.lit(False).alias("sensitive"),
                                                     pl.lit(None, pl.String).alias("rule")),
            overall, KEYS)
        cash = disclosure.apply(cash, cflags.drop("period"), ["buyer_org_id"], rules)
        logs.append(disclosure.log(cflags, "cashflow_risk", KEYS, rules))

    headline = _headline(data.members, metrics_s, interest_s, tiers_s, ins, cash, period)
    availability = pl.DataFrame({
        "component": ["payments", "insurance_flags", "cashflow_risk", "disclosure"],
        "available": [True, ins is not None, cash is not None, True],
        "note": [f"invoice-level records, {len(known)} period(s), headline period {period}",
                 ins_note, cash_note, rules.describe()],
    })
    suppressions = pl.concat(logs) if logs else pl.DataFrame(
        schema={"table": pl.String, "cell": pl.String, "rule": pl.String, "note": pl.String})
    empty_ins = pl.DataFrame({"buyer_org_id": member_ids}, schema={"buyer_org_id": pl.String})
    tables = {
        "headline": headline,
        "payment_metrics": metrics_s,
        "network_benchmark": bench,
        "target_results": results_s,
        "fair_payment_code": tiers_s,
        "interest_owed": interest_s,
        "days_distribution": dist_s,
        "insurance_flags": ins if ins is not None else empty_ins,
        "cashflow_risk": cash if cash is not None else empty_ins,
        "availability": availability,
        "suppressions": suppressions.sort("table", "cell"),
        "members": data.members.select("org_id", "org_name", "org_type"),
        "periods": data.periods,
    }
    return SharedTables(tables, period, rules,
                        notes={"insurance": ins_note, "cashflow": cash_note,
                               "rules": rules.describe()})


def _headline(members: pl.DataFrame, metrics: pl.DataFrame, interest: pl.DataFrame,
              tiers: pl.DataFrame, ins: pl.DataFrame | None, cash: pl.DataFrame | None,
              period: str) -> pl.DataFrame:
    m = metrics.filter((pl.col("period") == period) & (pl.col("supplier_size_band") == "all"))
    out = members.select(pl.col("org_id").alias("buyer_org_id"), pl.col("org_name").alias("member"))
    out = out.join(m.select("buyer_org_id", "invoice_count", "mean_days_to_pay",
                            "median_days_to_pay", "paid_within_30_days_pct",
                            "paid_within_terms_pct", "suppressed", "suppression_note"),
                   on="buyer_org_id", how="left")
    out = out.join(interest.filter(pl.col("period") == period).select(
        "buyer_org_id", pl.col("total_owed_gbp").alias("interest_owed_gbp")),
        on="buyer_org_id", how="left")
    out = out.join(tiers.filter(pl.col("period") == period).select(
        "buyer_org_id", "fair_payment_code_tier"), on="buyer_org_id", how="left")
    if ins is not None:
        out = out.join(ins.select("buyer_org_id", "insurance_flags_total"), on="buyer_org_id",
                       how="left")
    else:
        out = out.with_columns(pl.lit(None, pl.Int64).alias("insurance_flags_total"))
    if cash is not None:
        out = out.join(cash.select("buyer_org_id", "shortfall_risk_pct"), on="buyer_org_id",
                       how="left")
    else:
        out = out.with_columns(pl.lit(None, pl.Float64).alias("shortfall_risk_pct"))
    return out.with_columns(
        pl.lit(period).alias("period"),
        pl.col("suppressed").fill_null(True),
        pl.col("suppression_note").fill_null(pl.when(pl.col("suppressed").is_null())
                                              .then(pl.lit("no paid invoices in the period"))),
    ).select(
        "buyer_org_id", "member", "period", "invoice_count", "mean_days_to_pay",
        "median_days_to_pay", "paid_within_30_days_pct", "paid_within_terms_pct",
        "interest_owed_gbp", "fair_payment_code_tier", "insurance_flags_total",
        "shortfall_risk_pct", "suppressed", "suppression_note",
    ).sort("member")


# ---------------------------------------------------------------------------------------------
# Reading the shared tables back (in the notebook)


def read_shared(shared_dir: str | Path) -> dict[str, pl.DataFrame]:
    """Read every shared table; a missing folder or table says how to make it."""
    d = resolve(shared_dir)
    if not d.is_dir():
        raise SchemaError(f"{shared_dir}: folder not found; it is written by `lainbench pack "
                          "PACK.yaml --out DIR` (DIR/shared)")
    out = {}
    for name in SHARED_TABLES:
        p = d / f"{name}.parquet"
        if not p.exists():
            raise SchemaError(f"{p}: shared table {name!r} missing; rebuild the pack with "
                              "`lainbench pack PACK.yaml --out DIR`")
        out[name] = pl.read_parquet(p)
    return out


def _fmt_number(x: Any, decimals: int) -> str:
    if x is None:
        return ""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        return f"{x:,.{decimals}f}"
    return str(x)


def display(df: pl.DataFrame, decimals: int = 1,
            text_figures: tuple[str, ...] = ("fair_payment_code_tier",)) -> pl.DataFrame:
    """Text version of a table for reports: numbers rounded, suppressed figures as ``[c]``.

    Numbers and booleans of a suppressed row show ``[c]``; so do the text columns named in
    ``text_figures`` (figures held as text); names and keys stay. Money (``_gbp``) is shown to
    the pound. The ``suppressed`` column itself is dropped.

    >>> t = pl.DataFrame({"m": ["A", "B"], "v": [1234.56, None], "suppressed": [False, True]})
    >>> display(t).rows()
    [('A', '1,234.6'), ('B', '[c]')]
    """
    hidden = df["suppressed"].fill_null(False).to_list() if "suppressed" in df.columns else None
    cols = {}
    for name in df.columns:
        if name == "suppressed":
            continue
        dtype = df.schema[name]
        is_figure = dtype.is_numeric() or dtype == pl.Boolean or name in text_figures
        if dtype.is_numeric() or dtype == pl.Boolean:
            vals = [_fmt_number(v, 0 if name.endswith("_gbp") else decimals) for v in df[name]]
        else:
            vals = df[name].cast(pl.String).to_list()
        if hidden is not None and is_figure:
            vals = [disclosure.MARK if h else v for v, h in zip(vals, hidden, strict=True)]
        cols[name] = vals
    return pl.DataFrame(cols, schema={c: pl.String for c in cols})


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
        names = dict(zip(members["org_id"], members["org_name"], strict=True))
        self.member_name = names.get(member) if member else "the network"

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
        """A heading for the report."""
        who = "Network overview" if self.is_network else f"Scorecard: {self.member_name}"
        return f"{who}, {self.period}"

    def heading(self):
        """The report's heading and a line on suppression, as notebook Markdown."""
        from IPython.display import Markdown

        return Markdown(f"## {self.title()}\n\n{self.suppression_summary()} "
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
        """:meth:`headline` as text, suppressed figures as ``[c]``, unavailable ones explained."""
        h = self.headline()
        if not self.is_network:
            out = display(h.drop("suppressed"))
            if h.height and h["suppressed"][0]:
                out = out.with_columns(pl.lit(disclosure.MARK).alias("member_value"),
                                       pl.lit(disclosure.MARK).alias("rank"))
            return out
        avail = dict(zip(self.t["availability"]["component"],
                         self.t["availability"]["available"], strict=True))
        out = display(h.drop("buyer_org_id", "period"))
        for comp, col in (("insurance_flags", "insurance_flags_total"),
                          ("cashflow_risk", "shortfall_risk_pct")):
            if not avail.get(comp, False):
                out = out.with_columns(pl.lit("not available").alias(col))
        return out

    def targets(self) -> pl.DataFrame:
        """Targets met per period (member) or Fair Payment Code tier per member and period."""
        if self.is_network:
            t = self.t["fair_payment_code"].with_columns(
                pl.when(pl.col("suppressed")).then(pl.lit(disclosure.MARK))
                .otherwise(pl.col("fair_payment_code_tier")).alias("tier"))
            names = self.members.select(pl.col("org_id").alias("buyer_org_id"),
                                        pl.col("org_name").alias("member"))
            return names.join(t.pivot(on="period", index="buyer_org_id", values="tier"),
                              on="buyer_org_id", how="left").drop("buyer_org_id").sort("member")
        r = self.t["target_results"].filter(pl.col("buyer_org_id") == self.member).with_columns(
            pl.when(pl.col("suppressed")).then(pl.lit(disclosure.MARK))
            .when(pl.col("passed")).then(pl.lit("met"))
            .when(~pl.col("passed")).then(pl.lit("not met"))
            .otherwise(pl.lit("no data")).alias("result"),
            pl.format("{} {}", pl.col("comparison"), pl.col("threshold")).alias("target_level"))
        if not r.height:
            return pl.DataFrame(schema={"target": pl.String})
        return r.pivot(on="period", index=["label", "target_level"], values="result").rename(
            {"label": "target"}).sort("target")

    def interest(self) -> pl.DataFrame:
        """Late Payment Act interest and compensation owed, by period (and member)."""
        t = self.t["interest_owed"]
        if not self.is_network:
            t = t.filter(pl.col("buyer_org_id") == self.member)
        names = self.members.select(pl.col("org_id").alias("buyer_org_id"),
                                    pl.col("org_name").alias("member"))
        t = names.join(t, on="buyer_org_id", how="inner").drop("buyer_org_id")
        if not self.is_network:
            t = t.drop("member")
        return t.sort([c for c in ("member", "period") if c in t.columns])

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
        return t.sort(col, descending=True, nulls_last=True)

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
        from lainbench.payments import peer_comparison

        m = self._metrics().filter((pl.col("period") == self.period) & ~pl.col("suppressed"))
        return peer_comparison(m, measure, higher_is_better=higher)

    def ranked_chart(self, measure: str = "paid_within_30_days_pct") -> alt.TopLevelMixin:
        """Members ranked on ``measure`` for the period (this member highlighted)."""
        from lainbench import charts

        label, unit, higher = _measure(measure)
        peer = self._peer(measure, higher)
        hidden = self.members.height - peer.height
        title = f"{label}, {self.period}" + (f" ({hidden} member(s) suppressed)" if hidden else "")
        if not peer.height:
            return suppressed_chart(title)
        return charts.ranked_bar_chart(peer, self.members, title=title, unit=unit,
                                       focus_member=self.member)

    def trend_chart(self, measure: str = "paid_within_30_days_pct") -> alt.TopLevelMixin:
        """Network: one line per member. Member: its line against the network median and range."""
        from lainbench import charts

        label, unit, _ = _measure(measure)
        if self.is_network:
            m = self._metrics().filter(~pl.col("suppressed"))
            if not m.height:
                return suppressed_chart(f"{label} ({unit})")
            return charts.trend_chart(m, measure, self.members, title=f"{label} ({unit})")
        bench = self.t["network_benchmark"].filter(
            (pl.col("supplier_size_band") == "all") & (pl.col("measure") == measure))
        if not bench.height:
            return suppressed_chart(f"{label} ({unit})")
        return member_trend_chart(self._member_trend(), bench, measure, self.member_name,
                                  f"{label} ({unit})")

    def size_band_chart(self, measure: str = "paid_within_30_days_pct") -> alt.TopLevelMixin:
        """By supplier size band for the period: every member, or this member against the network."""
        from lainbench import charts

        label, unit, _ = _measure(measure)
        m = self.t["payment_metrics"].filter(~pl.col("suppressed"))
        title = f"{label} by supplier size, {self.period} ({unit})"
        if self.is_network:
            shown = m.filter((pl.col("period") == self.period)
                             & pl.col("supplier_size_band").is_in(list(BANDS)))
            if not shown.height:
                return suppressed_chart(title)
            return charts.size_band_chart(m, self.period, measure, self.members)
        mine = m.filter((pl.col("buyer_org_id") == self.member) & (pl.col("period") == self.period)
                        & pl.col("supplier_size_band").is_in(list(BANDS)))
        bench = self.t["network_benchmark"].filter(
            (pl.col("period") == self.period) & (pl.col("measure") == measure)
            & pl.col("supplier_size_band").is_in(list(BANDS)))
        if not mine.height:
            return suppressed_chart(title, f"{self.member_name}: every size band is suppressed")
        return member_band_chart(mine, bench, measure, self.member_name, title)

    def interest_chart(self) -> alt.TopLevelMixin:
        """Interest and compensation owed under the Late Payment Act, per member (network)."""
        from lainbench import charts

        t = self.t["interest_owed"].filter(~pl.col("suppressed"))
        if not self.is_network:
            t = t.filter(pl.col("buyer_org_id") == self.member)
        if not t.height:
            return suppressed_chart("What late payment would owe suppliers",
                                    f"{self.member_name}: every figure is suppressed")
        return charts.interest_chart(t, self.members)


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
        x=alt.X("period:O", title="Reporting period"),
        y=alt.Y("network_p25:Q", title=title, scale=alt.Scale(zero=False)),
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

