"""The pack's shared stage: every table the pack publishes, computed once, through disclosure control."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lainbench import disclosure, load
from lainbench.disclosure.release import hide_shares, share_flags
from lainbench.errors import ParamsError, SchemaError
from lainbench.notices.figures import derived_notices, notice_table, published_notices
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
    "days_distribution": "member x period x days-to-pay bucket: share of paid invoices (buckets merged until each passes the rules)",
    "insurance_flags": "member x flag: insurance requirements flagged (buyer policy, no suppliers)",
    "cashflow_risk": "member: a typical small supplier's cash-flow shortfall risk if paid this way",
    "availability": "which optional parts of the pack were computed, and why not",
    "compliance_notices": "member x s.69 reporting period x measure: the payments compliance "
                          "notice derived from the ledger, beside the published one",
    "network_headline": "member (and network) x period: the twice-yearly action-plan metrics",
    "network_trend": "member x measure x period: the headline measures and their change",
    "network_spend_shares": "member x period x group: addressable spend with MSME, diverse-led, "
                            "VCSE and London suppliers, with coverage",
    "network_excluded_spend": "member x period x reason: spend excluded from addressable spend",
    "network_contracts": "member x period x group: contracts to MSMEs, reserved, frameworks",
    "network_terms": "member x category x size band: payment terms offered (buyer policy)",
    "network_terms_review": "member x category: payment terms before and after a review",
    "network_terms_summary": "member x stage: terms within s.68 and within 60 days",
    "network_exclusion_rules": "the addressable-spend exclusions applied, with sources",
    "suppressions": "every suppressed figure: table, cell and the rule that suppressed it",
    "members": "the members in the pack",
    "periods": "the reporting periods in the pack",
}

# Only in a pack built from members' returns (lainbench.pack.from_returns).
RETURNS_TABLE = ("returns", ("each return received and each member: used, superseded, missing, "
                             "late, refused (and why), with who approved it and when"))


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


def _metric_counts(inv: pl.DataFrame) -> pl.DataFrame:
    """Contributors per member x period x size band and per member x period (band ``all``)."""
    bands = _counts(inv, BAND_KEYS)
    total = _counts(inv, KEYS).with_columns(pl.lit("all").alias("supplier_size_band"))
    return pl.concat([total.select(bands.columns), bands])


def _flags_for_metrics(counts: pl.DataFrame, rules: disclosure.DisclosureRules) -> pl.DataFrame:
    return disclosure.secondary(disclosure.flag(counts, rules), KEYS, "supplier_size_band")


def _flags_for_targets(results: pl.DataFrame, small_counts: pl.DataFrame,
                       metric_flags: pl.DataFrame, rules: disclosure.DisclosureRules,
                       targets: ParameterFile) -> pl.DataFrame:
    from lainbench.payments.targets import target_declarations

    small_targets = [t for t, (_, _, population) in target_declarations(targets).items()
                     if population != "all"]
    pooled = disclosure.flag(small_counts, rules)
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


def _with_hidden_shares(tflags: pl.DataFrame, results: pl.DataFrame, sflags: pl.DataFrame,
                        targets: ParameterFile) -> pl.DataFrame:
    """A target whose measure is a hidden share of its cell (population all or small_lt50) goes."""
    from lainbench.payments import SHARE_SPLITS
    from lainbench.payments.targets import target_declarations

    split_of = {col: split for split, cols in SHARE_SPLITS.items() for col in cols}
    decl = target_declarations(targets)
    rows = [(t, split_of.get(m), "all" if pop == "all" else "small_lt50")
            for t, (m, _, pop) in decl.items()]
    tmap = pl.DataFrame(rows, schema={"target": pl.String, "split": pl.String,
                                      "supplier_size_band": pl.String}, orient="row")
    hidden = (results.select(*KEYS, "target").join(tmap, on="target")
              .join(sflags, on=[*KEYS, "supplier_size_band", "split"], how="left")
              .select(*KEYS, "target", pl.col("hidden").fill_null(False).alias("__share")))
    return tflags.join(hidden, on=[*KEYS, "target"], how="left").with_columns(
        pl.when(pl.col("sensitive")).then(pl.col("rule"))
        .when(pl.col("__share").fill_null(False)).then(pl.lit("share"))
        .otherwise(pl.col("rule")).alias("rule"),
        (pl.col("sensitive") | pl.col("__share").fill_null(False)).alias("sensitive"),
    ).drop("__share")


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
    return _insurance_flags_from(load.requirements(path, "sources.insurance_path"), member_ids,
                                 f"insurance requirements from {path!r} (latest version)")


def _insurance_flags_from(requirements: pl.DataFrame, member_ids: list[str], note: str
                          ) -> tuple[pl.DataFrame, str]:
    """Insurance flags per member from ``insurance_requirement`` rows (buyer policy)."""
    from lainbench import insurance

    reqs = insurance.pick_version(requirements)
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
    return out.sort("buyer_org_id"), note


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
                 seed: int = 20260401, network_paths: dict[str, str] | None = None,
                 published_paths: list[str] | None = None) -> SharedTables:
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
    pieces = SharedInputs(
        members=data.members, periods=data.periods, targets=data.targets,
        metrics=payments.payment_metrics(inv), metric_counts=_metric_counts(inv),
        small_counts=_counts(inv.filter(pl.col("supplier_size_band").is_in(["micro", "small"])),
                             KEYS),
        interest=late_payment.interest_owed(inv), interest_counts=_interest_counts(inv),
        day_buckets=payments.days_bucket_counts(inv, rules.distribution_bucket_edges_days),
        share_parts=payments.share_part_counts(inv),
        notices=derived_notices(data.invoices, data.members["org_id"].to_list()),
        delays=inv.filter(pl.col("period") == period),
        basis=f"invoice-level records, {len(known)} period(s), headline period {period}")
    member_ids = data.members["org_id"].to_list()
    ins, ins_note = _insurance_flags(insurance_path, member_ids)
    return assemble(pieces, period, rules, ins, ins_note, cashflow_paths, seed, network_paths,
                    published_paths=published_paths)


def _interest_counts(inv: pl.DataFrame) -> pl.DataFrame:
    """Contributors to the interest figures: the suppliers owed, valued at what they are owed."""
    owed = inv.filter(pl.col("fixed_compensation_gbp").fill_null(0) > 0).with_columns(
        (pl.col("statutory_interest_gbp") + pl.col("fixed_compensation_gbp")).alias("__owed"))
    return _counts(owed, KEYS, "__owed")


@dataclass
class SharedInputs:
    """What the shared tables are computed from, the same whether it came from pooled invoices
    (:func:`build_shared`) or from members' returns (``lainbench.pack.from_returns``).

    The ``*_counts`` frames are per-cell contributors as
    :func:`lainbench.payments.disclosure_counts` gives them; ``delays`` holds the headline
    period's invoices (or one row per invoice with ``buyer_org_id`` and ``days_late``) for the
    cash-flow model.
    """

    members: pl.DataFrame
    periods: pl.DataFrame
    targets: ParameterFile
    metrics: pl.DataFrame
    metric_counts: pl.DataFrame
    small_counts: pl.DataFrame
    interest: pl.DataFrame
    interest_counts: pl.DataFrame
    day_buckets: pl.DataFrame  # payments.days_bucket_counts by member x period
    share_parts: pl.DataFrame  # payments.share_part_counts by member x period
    delays: pl.DataFrame
    basis: str
    notices: pl.DataFrame | None = None  # notices.figures.derived_notices (s.69 periods)


def assemble(x: SharedInputs, period: str, rules: disclosure.DisclosureRules,
             ins: pl.DataFrame | None, ins_note: str, cashflow_paths: int, seed: int,
             network_paths: dict[str, str] | None = None,
             network_tables: dict[str, pl.DataFrame] | None = None,
             published_paths: list[str] | None = None) -> SharedTables:
    """Every shared table from the pack's inputs, through disclosure control."""
    from lainbench import payments

    member_ids = x.members["org_id"].to_list()
    logs = []

    # payment metrics, member x period x size band
    metrics = x.metrics
    mflags = _flags_for_metrics(x.metric_counts, rules)
    metrics_s = disclosure.apply(metrics, mflags, BAND_KEYS, rules)
    logs.append(disclosure.log(mflags, "payment_metrics", BAND_KEYS, rules))
    # a share also publishes its part and the rest: each side must pass the rules too
    sflags = share_flags(x.share_parts, rules)
    # no part counts for a cell (e.g. an older return) is no evidence its shares are safe
    bare = metrics.select(BAND_KEYS).join(
        x.share_parts.select(BAND_KEYS).unique(), on=BAND_KEYS, how="anti")
    if bare.height:
        sflags = pl.concat([sflags, bare.join(
            pl.DataFrame({"split": list(payments.SHARE_SPLITS)}), how="cross").with_columns(
            pl.lit(True).alias("hidden")).select(sflags.columns)])
    metrics_s, share_log = hide_shares(
        metrics_s, sflags.filter(pl.col("supplier_size_band") != "small_lt50"),
        payments.SHARE_SPLITS)
    logs.append(share_log)
    overall = mflags.filter(pl.col("supplier_size_band") == "all").select(*KEYS, "sensitive", "rule")

    # targets and Fair Payment Code tiers, from the unsuppressed metrics, then suppressed
    results = payments.target_results(metrics, x.periods, x.targets)
    tflags = _flags_for_targets(results, x.small_counts, mflags, rules, x.targets)
    tflags = _with_hidden_shares(tflags, results, sflags, x.targets)
    results_s = disclosure.apply(results, tflags, [*KEYS, "target"], rules,
                                 columns=["value", "passed"])
    logs.append(disclosure.log(tflags, "target_results", [*KEYS, "target"], rules))
    tiers = payments.fair_payment_code_tier(results)
    fflags = tflags.group_by(KEYS).agg(
        pl.col("sensitive").any(), pl.col("rule").drop_nulls().sort().first())
    tiers_s = disclosure.apply(tiers, fflags, KEYS, rules, columns=["fair_payment_code_tier"])
    logs.append(disclosure.log(fflags, "fair_payment_code", KEYS, rules))

    # Late Payment Act interest: suppliers owed are the contributors
    interest = x.interest
    iflags = disclosure.flag(x.interest_counts, rules)
    iflags = _with_parent(interest.select(KEYS).join(iflags, on=KEYS, how="left").with_columns(
        pl.col("sensitive").fill_null(False)), overall, KEYS)
    interest_s = disclosure.apply(interest, iflags, KEYS, rules)
    logs.append(disclosure.log(iflags, "interest_owed", KEYS, rules))

    # days-to-pay distribution per member and period: shares only, in buckets that pass the
    # rules (merged until they do); a cell whose payment figures are suppressed shows none
    dist_s = distribution_from_buckets(x.day_buckets, overall, rules)
    logs.append(disclosure.log(
        dist_s.filter(pl.col("suppressed")).select(*KEYS).unique().with_columns(
            pl.lit(True).alias("sensitive"), pl.lit("threshold").alias("rule")),
        "days_distribution", KEYS, rules))

    bench = network_benchmark(metrics_s)

    # optional parts: insurance flags (buyer policy) and cash-flow risk (from invoices: controlled)
    cash, cash_note = _cashflow_risk(x.delays, member_ids, cashflow_paths, seed)
    if cash is not None:
        cflags = _with_parent(
            cash.select("buyer_org_id").with_columns(pl.lit(period).alias("period"),
                                                     pl.lit(False).alias("sensitive"),
                                                     pl.lit(None, pl.String).alias("rule")),
            overall, KEYS)
        cash = disclosure.apply(cash, cflags.drop("period"), ["buyer_org_id"], rules)
        logs.append(disclosure.log(cflags, "cashflow_risk", KEYS, rules))

    headline = _headline(x.members, metrics_s, interest_s, tiers_s, ins, cash, period)
    availability = pl.DataFrame({
        "component": ["payments", "insurance_flags", "cashflow_risk", "disclosure"],
        "available": [True, ins is not None, cash is not None, True],
        "note": [x.basis, ins_note, cash_note, rules.describe()],
    })
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
        "members": x.members.select("org_id", "org_name", "org_type"),
        "periods": x.periods,
    }
    if x.notices is not None:  # statutory figures: published by law, not cell-suppressed (K19)
        published = published_notices(published_paths, x.members) if published_paths else None
        tables["compliance_notices"] = notice_table(x.notices, published)
    # the twice-yearly action-plan metrics (notebook 06): from member-held tables, or from the
    # network cells of members' returns
    if network_paths or network_tables:
        from lainbench.pack.network_stage import control, network_stage

        if network_paths:
            net, net_log = network_stage(network_paths, x.members, x.periods, rules)
        else:
            net, net_log = control(network_tables, rules)
        tables.update(net)
        logs.append(net_log)
    tables = release_checked(tables, logs)
    return SharedTables(tables, period, rules,
                        notes={"insurance": ins_note, "cashflow": cash_note,
                               "rules": rules.describe()})


def distribution_from_buckets(buckets: pl.DataFrame, overall: pl.DataFrame,
                              rules: disclosure.DisclosureRules) -> pl.DataFrame:
    """The shared days-to-pay distribution: coarsened buckets, none for a suppressed cell.

    ``buckets`` is :func:`lainbench.payments.days_bucket_counts` by member and period;
    ``overall`` the member x period flags of the payment figures (``sensitive``).
    """
    from lainbench.disclosure.release import coarsen

    dist = coarsen(buckets, KEYS, rules)
    hidden = overall.filter(pl.col("sensitive")).select(*KEYS).with_columns(
        pl.lit(True).alias("__p"))
    dist = dist.join(hidden, on=KEYS, how="left").with_columns(pl.col("__p").fill_null(False))
    parent = dist.filter(pl.col("__p")).group_by(KEYS, maintain_order=True).agg(
        pl.col("days_from").min(), pl.lit(None, pl.Int32).alias("days_to"),
        pl.col("days_from").min().alias("days"), pl.lit(None, pl.Float64).alias("share_pct"),
        pl.lit(True).alias("suppressed"), pl.lit(rules.note("parent")).alias("suppression_note"))
    return pl.concat([dist.filter(~pl.col("__p")).drop("__p"), parent.select(dist.drop("__p").columns)]
                     ).sort(*KEYS, "days_from")


def release_checked(tables: dict[str, pl.DataFrame], logs: list[pl.DataFrame]
                    ) -> dict[str, pl.DataFrame]:
    """Linked-table suppression over the whole release, the suppression log, then the audit.

    Raises :class:`~lainbench.errors.PackError` listing what a reader could recover, so a pack
    that would disclose a suppressed figure is never written.
    """
    from lainbench.disclosure.release import audit, describe_audit, suppress_linked
    from lainbench.errors import PackError

    tables, linked = suppress_linked(tables)
    logs = [*logs, linked]
    tables["suppressions"] = pl.concat(logs).sort("table", "cell", "rule", "note") if logs else pl.DataFrame(
        schema={"table": pl.String, "cell": pl.String, "rule": pl.String, "note": pl.String})
    found = audit(tables)
    if found.height:
        raise PackError(f"disclosure audit: {found.height} suppressed figure(s) can be recovered "
                        f"from the published tables: {describe_audit(found)}")
    return tables


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
