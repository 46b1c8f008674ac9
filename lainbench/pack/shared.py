"""The pack's shared stage: every table the pack publishes, computed once, through disclosure control."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lainbench import disclosure, load
from lainbench.errors import ParamsError, SchemaError
from lainbench.params import ParameterFile

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
        """Write every table as ``<out_dir>/<name>.parquet`` (atomically), with a CSV copy."""
        from lainbench.outputs import write_csv, write_tables

        write_csv(out_dir, **self.tables)
        return write_tables(out_dir, **self.tables)


def _counts(inv: pl.DataFrame, by: list[str], value: str = "gross_amount_gbp") -> pl.DataFrame:
    from lainbench.payments.metrics import disclosure_counts

    return disclosure_counts(inv, by=by, value=value)


def _flags_for_metrics(inv: pl.DataFrame, rules: disclosure.DisclosureRules) -> pl.DataFrame:
    bands = _counts(inv, BAND_KEYS)
    total = _counts(inv, KEYS).with_columns(pl.lit("all").alias("supplier_size_band"))
    counts = pl.concat([total.select(bands.columns), bands])
    return disclosure.secondary(disclosure.flag(counts, rules), KEYS, "supplier_size_band")


def _flags_for_targets(results: pl.DataFrame, inv: pl.DataFrame, metric_flags: pl.DataFrame,
                       rules: disclosure.DisclosureRules, targets: ParameterFile) -> pl.DataFrame:
    from lainbench.payments.targets import target_declarations

    small_targets = [t for t, (_, _, population) in target_declarations(targets).items()
                     if population != "all"]
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
    needed = ("pick_version", "requirement_flags", "flag_summary")
    if not all(hasattr(insurance, n) for n in needed):  # pragma: no cover
        return None, "not available: lainbench.insurance lacks requirement_flags/flag_summary"
    reqs = insurance.pick_version(load.requirements(path, "sources.insurance_path"))
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
    tflags = _flags_for_targets(results, inv, mflags, rules, data.targets)
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
