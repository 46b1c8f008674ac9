"""What members publish about paying suppliers, over time, against the nation and their own ledgers.

Notebook ``04_published_payment_reports`` reads each member's published figures (Payment
Practices Reporting for companies, payments compliance notices, reg 113 tables, PPN 05/15 returns
and NHS BPPC tables for public bodies) through :mod:`lainbench.ingest`, lines them up over time,
sets them against national PPR medians, and against the same figures derived from the member's
own invoices (:func:`lainbench.payments.published_figures`, regime ``internal``). A gap between
what is published and what the ledger says is a finding, not an error: it may come from a
different day-count basis (a reg 113 table counts from when an invoice is valid and undisputed),
a different population (BPPC splits NHS and non-NHS payees), or from the figures themselves.

>>> pub = pl.DataFrame({"org_id": ["a"], "regime": ["pa2023_pcn"], "payee_segment": ["all"],
...     "day_count_basis": ["invoice_receipt_to_supplier_receipt"],
...     "period_start": [dt.date(2026, 4, 1)], "period_end": [dt.date(2026, 9, 30)],
...     "avg_days_to_pay": [14.0], "paid_within_30_days_pct": [95.0]})
>>> led = pub.with_columns(pl.lit("internal").alias("regime"), pl.lit(18.5).alias("avg_days_to_pay"),
...     pl.lit(90.0).alias("paid_within_30_days_pct"))
>>> compare_with_ledger(pub, led).select("measure", "published", "ledger", "gap").rows()
[('avg_days_to_pay', 14.0, 18.5, -4.5), ('paid_within_30_days_pct', 95.0, 90.0, 5.0)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from lainbench import load
from lainbench.config import resolve
from lainbench.errors import IngestError, ParamsError
from lainbench.params import RunParams
from lainbench.schemas import ORG_PAYMENT_PERFORMANCE

ReturnKind = Literal["pa2023_pcn", "pcr_reg113", "ppn_05_15", "nhs_bppc"]
LEDGER_BASIS = "invoice_receipt_to_supplier_receipt"

# Measures read from published figures, with what "better" means (used only against national
# PPR medians; published-vs-ledger comparisons are measure-aware and never ranked).
MEASURES: dict[str, str] = {
    "avg_days_to_pay": "lower",
    "paid_within_5_days_pct": "higher",
    "paid_within_30_days_pct": "higher",
    "paid_31_to_60_days_pct": "lower",
    "paid_over_60_days_pct": "lower",
    "not_paid_within_terms_pct": "lower",
    "paid_within_target_count_pct": "higher",
    "paid_within_target_value_pct": "higher",
}
# National PPR medians (Chadhauser aggregates) -> our measure names.
NATIONAL_COLUMNS = {
    "median_avg_days_to_pay": "avg_days_to_pay",
    "median_pct_paid_within_30d": "paid_within_30_days_pct",
    "median_pct_paid_over_60d": "paid_over_60_days_pct",
    "median_pct_not_paid_on_time": "not_paid_within_terms_pct",
}
REGIME_LABELS = {
    "ppr_2017": "Payment Practices Report (2017 rules)",
    "ppr_2025": "Payment Practices Report (2025 rules)",
    "pa2023_pcn": "Payments compliance notice",
    "pcr_reg113": "Reg 113 annual statistics",
    "ppn_05_15": "PPN 05/15 quarterly return",
    "nhs_bppc": "NHS BPPC",
    "internal": "Derived from the ledger",
}


class ReturnFile(BaseModel):
    """One published return of a public-body member: its file, the member, and (optionally) its kind."""

    model_config = ConfigDict(extra="forbid")
    path: str = Field(description="CSV or Excel file, relative to the project root")
    org_id: str = Field(min_length=1, description="member id (member table org_id)")
    kind: ReturnKind | None = Field(None, description="detected from the headers when omitted")


class PublishedPaymentReportsParams(RunParams):
    """Parameters of ``notebooks/04_published_payment_reports.ipynb``."""

    ppr_files: list[str] = Field(
        default_factory=lambda: ["data/examples/thameside_water_ppr_export.csv"],
        description="Payment Practices Reporting exports; rows of member companies are kept")
    returns_files: list[ReturnFile] = Field(default_factory=lambda: [
        ReturnFile(path="data/examples/eastbank_council_pcn.csv", org_id="eastbank_council"),
        ReturnFile(path="data/examples/westmere_council_reg113.csv", org_id="westmere_council"),
        ReturnFile(path="data/examples/northgate_nhs_bppc.csv", org_id="northgate_nhs"),
    ])
    members_path: str = "data/demo/member.parquet"
    invoices_path: str | None = Field(
        "data/demo/invoice_payment.parquet",
        description="canonical invoices to derive the same figures from; null to skip")
    national_medians_path: str | None = Field(
        "../shared/real-data/ppr-aggregates-chadhauser/uk_payment_trend_by_year.csv",
        description="national PPR medians by year (CSV); skipped when null or absent")
    focus_member: str | None = "thameside_water"
    output_dir: str = "reports/published_payment_reports"


# --- loading ------------------------------------------------------------------------------------



def load_published(ppr_files: list[str], returns_files: list[ReturnFile | dict],
                   members: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Ingest every file; return (published figures of members, one log row per file).

    PPR rows are matched to members by Companies House number (org_id becomes the member's id)
    and only the latest filing per period is kept; rows of other companies are left out. NHS BPPC
    NHS and non-NHS rows gain a combined ``all`` row (:func:`combine_bppc_segments`).
    """
    from lainbench.ingest.ppr import ingest_ppr
    from lainbench.ingest.returns import ingest_returns

    frames, log = [], []
    numbers = members.filter(pl.col("companies_house_number").is_not_null()).select(
        "companies_house_number", pl.col("org_id").alias("__member"),
        pl.col("org_name").alias("__member_name"))
    for f in ppr_files:
        res = _ingest(ingest_ppr, f)
        log.append(_log_row(f, "ppr", res))
        df = (res.accepted.join(numbers, on="companies_house_number", how="inner")
              .filter(pl.col("is_latest_filing"))
              .with_columns(pl.col("__member").alias("org_id"),
                            pl.col("__member_name").alias("org_name"))
              .drop("__member", "__member_name"))
        frames.append(df)
    names = dict(members.select("org_id", "org_name").iter_rows())
    types = dict(members.select("org_id", "org_type").iter_rows())
    for rf in returns_files:
        rf = rf if isinstance(rf, ReturnFile) else ReturnFile.model_validate(rf)
        if rf.org_id not in names:
            raise ParamsError(f"returns_files: org_id {rf.org_id!r} ({rf.path}) is not a member; "
                              f"known: {', '.join(sorted(names))}")
        res = _ingest(ingest_returns, rf.path, kind=rf.kind, org_id=rf.org_id,
                      org_name=names[rf.org_id], org_type=types[rf.org_id])
        log.append(_log_row(rf.path, rf.kind or "returns (detected)", res))
        frames.append(res.accepted.with_columns(pl.lit(names[rf.org_id]).alias("org_name")))
    published = (pl.concat(frames, how="vertical") if frames
                 else ORG_PAYMENT_PERFORMANCE.empty())
    published = combine_bppc_segments(published)
    order = ["org_id", "regime", "period_start", "payee_segment"]
    return published.sort(order), pl.DataFrame(log).sort("file") if log else pl.DataFrame()


def _ingest(fn, path: str, **kw):
    try:
        return fn(resolve(path), **kw)
    except IngestError as exc:
        raise IngestError(f"{exc} (listed in this notebook's parameters)") from None


def _log_row(path: str, kind: str, res) -> dict[str, object]:
    flagged = (res.accepted.filter(pl.col("quality_flags").list.len() > 0).height
               if "quality_flags" in res.accepted.columns else 0)
    return {
        "file": str(path), "kind": kind, "rows_read": res.rows_read,
        "accepted": res.accepted.height, "rejected": res.rejected_rows,
        "skipped": sum(res.skipped.values()), "flagged": flagged,
        "reject_reasons": "; ".join(sorted(set(res.rejects["reason"].to_list()))),
    }


def combine_bppc_segments(published: pl.DataFrame) -> pl.DataFrame:
    """Add an ``all`` row per BPPC year from its NHS and non-NHS rows (flag
    ``derived_from_segments``), so BPPC can be compared with a ledger that cannot tell NHS
    payees apart.

    By number: (within-target count of both) / (count of both); by value likewise.

    >>> df = ORG_PAYMENT_PERFORMANCE.empty().vstack(ORG_PAYMENT_PERFORMANCE.conform(pl.DataFrame({
    ...     "org_id": ["t", "t"], "org_name": ["T", "T"], "regime": ["nhs_bppc"] * 2,
    ...     "period_start": [dt.date(2024, 4, 1)] * 2, "period_end": [dt.date(2025, 3, 31)] * 2,
    ...     "payee_segment": ["nhs", "non_nhs"], "invoices_paid_count": [100, 900],
    ...     "invoices_paid_value_gbp": [1000.0, 3000.0], "paid_within_target_count_pct": [80.0, 90.0],
    ...     "paid_within_target_value_pct": [50.0, 100.0], "quality_flags": [[], []]})))
    >>> combine_bppc_segments(df).filter(pl.col("payee_segment") == "all").select(
    ...     "invoices_paid_count", "paid_within_target_count_pct", "paid_within_target_value_pct").row(0)
    (1000, 89.0, 87.5)
    """
    seg = published.filter((pl.col("regime") == "nhs_bppc")
                           & pl.col("payee_segment").is_in(["nhs", "non_nhs"]))
    if seg.height == 0:
        return published
    keys = ["org_id", "org_name", "org_type", "regime", "period_start", "period_end",
            "day_count_basis"]
    within_n = pl.col("paid_within_target_count_pct") * pl.col("invoices_paid_count") / 100
    within_v = pl.col("paid_within_target_value_pct") * pl.col("invoices_paid_value_gbp") / 100
    combined = seg.group_by(keys, maintain_order=True).agg(
        pl.col("invoices_paid_count").sum(),
        pl.col("invoices_paid_value_gbp").sum(),
        (within_n.sum() / pl.col("invoices_paid_count").sum() * 100).round(2)
        .alias("paid_within_target_count_pct"),
        (within_v.sum() / pl.col("invoices_paid_value_gbp").sum() * 100).round(2)
        .alias("paid_within_target_value_pct"),
        pl.len().alias("__n"),
        pl.col("source_dataset").first(),
    ).filter(pl.col("__n") == 2).drop("__n").with_columns(
        pl.lit("all").alias("payee_segment"),
        pl.lit(["derived_from_segments"]).alias("quality_flags"),
    )
    return pl.concat([published, ORG_PAYMENT_PERFORMANCE.conform(combined, source="BPPC all")],
                     how="vertical")


def national_medians(path: str | Path | None) -> pl.DataFrame | None:
    """National PPR medians by year as long rows (``year``, ``measure``, ``national_median``),
    or None when no file is given or it is not there (e.g. a clone without ../shared).
    """
    if path is None:
        return None
    p = resolve(path)
    if not p.exists():
        return None
    df = pl.read_csv(p)
    missing = [c for c in ("year", *NATIONAL_COLUMNS) if c not in df.columns]
    if missing:
        raise ParamsError(f"national_medians_path: {path} lacks column(s) {', '.join(missing)}; "
                          "expected the uk_payment_trend_by_year.csv layout")
    return df.select("year", *NATIONAL_COLUMNS).rename(NATIONAL_COLUMNS).unpivot(
        index="year", variable_name="measure", value_name="national_median").with_columns(
        pl.col("year").cast(pl.Int32), pl.col("national_median").cast(pl.Float64)).sort(
        "measure", "year")


# --- measure-aware comparison (issue 14 item 4; lainbench.notices.compare re-exports it) --------
#
# A published figure and a ledger figure are compared only when they are **the same measure**: the
# same population, the same day count and the same question. Two figures stored under one column
# name can be different measures: a payments compliance notice's reg 38(2)(d) ("in respect of sums
# which became payable under public contracts during the reporting period, the percentage of those
# payments which were not made within the reporting period") and a Payment Practices Report's "%
# not paid within agreed terms" are both stored as ``not_paid_within_terms_pct``, yet the first asks
# whether a sum due in the period was paid *by the period's end*, the second whether it was paid
# *by its due date*. They are shown side by side, each named, never differenced or ranked.

# measure id -> what it counts (the population, the day count, the question)
MEASURE_DEFINITIONS: dict[str, str] = {
    "reg38_2d_payable_not_paid_in_period_pct": (
        "PCN reg 38(2)(d): % of sums that became payable in the period not paid by its last day"),
    "ppr_not_paid_within_agreed_terms_pct": (
        "PPR: % of payments due in the period not paid within the agreed terms (by the due date)"),
    "paid_within_30_days_of_receipt_pct": (
        "% of payments made in the period paid within 30 days of the invoice's receipt "
        "(receipt to supplier receipt: reg 38(2)(c)(ii)(aa), PPR)"),
    "paid_31_to_60_days_of_receipt_pct": "% of payments made in the period paid in days 31-60",
    "paid_over_60_days_of_receipt_pct": "% of payments made in the period paid on or after day 61",
    "average_days_receipt_to_payment": (
        "Average days from invoice receipt to the supplier's receipt of payment"),
    "reg113_valid_undisputed_within_30_days_pct": (
        "PCR 2015 reg 113: % of valid, undisputed invoices paid within 30 days of validation"),
    "bppc_within_30_days_or_due_pct": (
        "NHS BPPC: % of valid invoices paid by the due date or within 30 days, whichever later"),
    "bppc_within_30_days_or_due_value_pct": (
        "NHS BPPC by value: % of the value of valid invoices paid by the due date or within 30 "
        "days, whichever later"),
    "paid_within_5_days_pct": "PPN 05/15: % of invoices paid within 5 days",
}

# (column, regime) -> measure id; regime None matches any regime not listed for that column
_BY_REGIME: dict[tuple[str, str | None], str] = {
    ("not_paid_within_terms_pct", "pa2023_pcn"): "reg38_2d_payable_not_paid_in_period_pct",
    ("not_paid_within_terms_pct", None): "ppr_not_paid_within_agreed_terms_pct",
    ("payable_not_paid_in_period_pct", None): "reg38_2d_payable_not_paid_in_period_pct",
    ("paid_within_30_days_pct", "pcr_reg113"): "reg113_valid_undisputed_within_30_days_pct",
    ("paid_within_30_days_pct", None): "paid_within_30_days_of_receipt_pct",
    ("paid_31_to_60_days_pct", None): "paid_31_to_60_days_of_receipt_pct",
    ("paid_over_60_days_pct", None): "paid_over_60_days_of_receipt_pct",
    ("avg_days_to_pay", None): "average_days_receipt_to_payment",
    ("paid_within_target_count_pct", None): "bppc_within_30_days_or_due_pct",
    ("paid_within_target_value_pct", None): "bppc_within_30_days_or_due_value_pct",
    ("paid_within_5_days_pct", None): "paid_within_5_days_pct",
}


def measure_id(column: str, regime: str | None = None, day_count_basis: str | None = None) -> str:
    """The precise measure a figure stored as ``column`` is, given where it was published.

    A day count other than receipt-to-supplier-receipt makes a different measure (suffix
    ``@basis``).

    >>> measure_id("not_paid_within_terms_pct", "pa2023_pcn")
    'reg38_2d_payable_not_paid_in_period_pct'
    >>> measure_id("not_paid_within_terms_pct", "ppr_2025")
    'ppr_not_paid_within_agreed_terms_pct'
    >>> measure_id("avg_days_to_pay", "pcr_reg113", "valid_undisputed_to_payment")
    'average_days_receipt_to_payment@valid_undisputed_to_payment'
    """
    mid = _BY_REGIME.get((column, regime)) or _BY_REGIME.get((column, None)) or column
    if day_count_basis and day_count_basis != LEDGER_BASIS and not mid.startswith(
            ("reg113_", "bppc_")):
        mid = f"{mid}@{day_count_basis}"
    return mid


def _with_ids(df: pl.DataFrame, default_regime: str | None) -> pl.DataFrame:
    if "measure_id" in df.columns:
        return df
    regime = df["regime"] if "regime" in df.columns else [default_regime] * df.height
    basis = df["day_count_basis"] if "day_count_basis" in df.columns else [None] * df.height
    ids = [measure_id(c, r, b) for c, r, b in zip(df["measure"], regime, basis, strict=True)]
    return df.with_columns(pl.Series("measure_id", ids, dtype=pl.String))


def compare_measures(
    published: pl.DataFrame,
    ledger: pl.DataFrame,
    keys: Sequence[str] = ("org_id", "period_start", "period_end"),
    carry: Sequence[str] = (),
) -> pl.DataFrame:
    """Each published figure beside the ledger figure of the same measure, or, failing that,
    beside the ledger figure stored under the same column, marked as a different measure.

    ``published``: ``keys``, ``measure`` (column name), ``value``, optional ``regime`` and
    ``day_count_basis`` (or an explicit ``measure_id``). ``ledger``: ``keys``, ``measure``,
    ``value`` (regime taken as ``internal``, receipt-to-supplier-receipt days) or ``measure_id``.
    Returns ``keys``, ``published_measure``, ``published_definition``, ``published_value``,
    ``ledger_measure``, ``ledger_definition``, ``ledger_value``, ``comparable``, ``difference``
    (published - ledger, only when comparable) and ``reading``. No "better/worse" column: a
    difference between like measures is stated, not judged. ``carry``: further columns of
    ``published`` (e.g. ``regime``, ``org_name``) kept in the output after the keys.

    >>> k = {"org_id": ["a"], "period_start": [dt.date(2026, 4, 1)],
    ...      "period_end": [dt.date(2026, 9, 30)]}
    >>> pub = pl.DataFrame({**k, "regime": ["pa2023_pcn"], "measure": ["not_paid_within_terms_pct"],
    ...                     "value": [4.0]})
    >>> led = pl.DataFrame({**k, "measure": ["not_paid_within_terms_pct"], "value": [21.0]})
    >>> compare_measures(pub, led).select("published_measure", "ledger_measure", "comparable",
    ...                                   "difference").row(0)
    ('reg38_2d_payable_not_paid_in_period_pct', 'ppr_not_paid_within_agreed_terms_pct', False, None)
    >>> led2 = led.vstack(pl.DataFrame({**k, "measure": ["payable_not_paid_in_period_pct"],
    ...                                  "value": [6.5]}))
    >>> compare_measures(pub, led2).select("ledger_value", "comparable", "difference").row(0)
    (6.5, True, -2.5)
    """
    keys = list(keys)
    carry = [c for c in carry if c not in keys]
    pub = _with_ids(published, None).select(
        *keys, *carry, pl.col("measure").alias("column"),
        pl.col("measure_id").alias("published_measure"),
        pl.col("value").cast(pl.Float64).alias("published_value"))
    led = _with_ids(ledger, "internal").select(
        *keys, pl.col("measure").alias("column"), pl.col("measure_id").alias("ledger_measure"),
        pl.col("value").cast(pl.Float64).alias("ledger_value"))
    like = pub.join(led.drop("column"), left_on=[*keys, "published_measure"],
                    right_on=[*keys, "ledger_measure"], how="left", coalesce=False)
    like = like.with_columns(pl.col("published_measure").alias("ledger_measure")).with_columns(
        pl.when(pl.col("ledger_value").is_null()).then(None).otherwise(pl.col("ledger_measure"))
        .alias("ledger_measure"))
    matched = like.filter(pl.col("ledger_value").is_not_null())
    unmatched = like.filter(pl.col("ledger_value").is_null()).drop(
        "ledger_measure", "ledger_value")
    side = unmatched.join(led, on=[*keys, "column"], how="left")
    schema_cols = [*keys, *carry, "column", "published_measure", "published_value",
                   "ledger_measure", "ledger_value"]
    out = pl.concat([matched.select(schema_cols), side.select(schema_cols)], how="vertical")
    defs = pl.col("published_measure").replace_strict(
        MEASURE_DEFINITIONS, default=pl.col("published_measure"))
    ldefs = pl.col("ledger_measure").replace_strict(
        MEASURE_DEFINITIONS, default=pl.col("ledger_measure"))
    comparable = (pl.col("published_measure") == pl.col("ledger_measure")).fill_null(False)
    diff = (pl.col("published_value") - pl.col("ledger_value")).round(2)
    return (
        out.with_columns(
            defs.alias("published_definition"), ldefs.alias("ledger_definition"),
            comparable.alias("comparable"),
        ).with_columns(
            pl.when(pl.col("comparable")).then(diff).otherwise(None).alias("difference"),
            pl.when(pl.col("ledger_value").is_null())
            .then(pl.lit("no ledger figure for this measure"))
            .when(pl.col("comparable"))
            .then(pl.lit("same measure: difference = published - ledger"))
            .otherwise(pl.lit("different measures: shown side by side, not compared"))
            .alias("reading"),
        ).select(*keys, *carry, pl.col("column").alias("measure"), "published_measure",
                 "published_definition", "published_value", "ledger_measure",
                 "ledger_definition", "ledger_value", "comparable", "difference", "reading")
        .sort(*keys, "published_measure")
    )


# --- shaping -------------------------------------------------------------------------------------

def long_figures(published: pl.DataFrame, measures: list[str] | None = None) -> pl.DataFrame:
    """One row per member, regime, segment, period and measure, with its value.

    >>> long_figures(pl.DataFrame({"org_id": ["a"], "org_name": ["A"], "regime": ["internal"],
    ...     "payee_segment": ["all"], "day_count_basis": [None], "period_start": [dt.date(2025, 4, 1)],
    ...     "period_end": [dt.date(2025, 9, 30)], "avg_days_to_pay": [20.0]}))["value"].to_list()
    [20.0]
    """
    present = [m for m in (measures or list(MEASURES)) if m in published.columns]
    ids = ["org_id", "org_name", "regime", "payee_segment", "day_count_basis", "period_start",
           "period_end"]
    ids = [c for c in ids if c in published.columns]
    return (published.select(*ids, *[pl.col(m).cast(pl.Float64) for m in present])
            .unpivot(index=ids, on=present, variable_name="measure", value_name="value")
            .drop_nulls("value").sort("org_id", "measure", "period_end", "regime"))


def against_national(published: pl.DataFrame, national: pl.DataFrame | None) -> pl.DataFrame:
    """Each published figure beside the national PPR median for the calendar year its period
    starts in (the aggregates' own year definition is not documented; see docs/assumptions.md),
    with ``gap = value - national_median`` and whether the member does better.
    """
    fig = long_figures(published.filter(pl.col("payee_segment") == "all"),
                       list(NATIONAL_COLUMNS.values()))
    if national is None or fig.height == 0:
        return fig.with_columns(pl.lit(None, pl.Float64).alias("national_median"),
                                pl.lit(None, pl.Float64).alias("gap"),
                                pl.lit(None, pl.Boolean).alias("better_than_national"))
    out = fig.with_columns(pl.col("period_start").dt.year().cast(pl.Int32).alias("year")).join(
        national, on=["year", "measure"], how="left").drop("year")
    better = pl.col("measure").replace_strict(MEASURES, default=None)
    return out.with_columns((pl.col("value") - pl.col("national_median")).round(2).alias("gap")
                            ).with_columns(
        pl.when(better == "lower").then(pl.col("gap") < 0).otherwise(pl.col("gap") > 0)
        .alias("better_than_national"))


def ledger_periods(published: pl.DataFrame) -> pl.DataFrame:
    """The distinct (member, period) pairs published, as periods for the ledger to be cut by."""
    return (published.filter(pl.col("regime") != "internal")
            .select("org_id", "period_start", "period_end").unique()
            .with_columns(pl.format("{} to {}", "period_start", "period_end").alias("period"))
            .sort("org_id", "period_start", "period_end"))


def ledger_figures(invoices_path: str | Path | None, published: pl.DataFrame) -> pl.DataFrame:
    """The same figures derived from the members' invoices for exactly the periods they
    published (regime ``internal``), with ``ledger_coverage_pct``: the share of the period's
    days that fall inside the ledger's span of payment dates. Empty when no ledger is given.
    """
    from lainbench import payments

    empty = ORG_PAYMENT_PERFORMANCE.empty().with_columns(
        pl.lit(None, pl.Float64).alias("ledger_coverage_pct"))
    if invoices_path is None or not resolve(invoices_path).exists():
        return empty
    periods = ledger_periods(published)
    if periods.height == 0:
        return empty
    inv = payments.derive(load.invoices(invoices_path, "invoices_path"), interest=False)
    inv = inv.filter(pl.col("buyer_org_id").is_in(periods["org_id"].unique().implode()))
    paid = pl.coalesce("supplier_received_date", "payment_date")
    span = inv.group_by("buyer_org_id").agg(paid.min().alias("first"), paid.max().alias("last")
                                            ).collect()
    out = []
    for (start, end), grp in periods.group_by(["period_start", "period_end"], maintain_order=True):
        per = pl.DataFrame({"period": [f"{start} to {end}"], "period_start": [start],
                            "period_end": [end]})
        members = grp["org_id"].implode()
        fig = payments.published_figures(inv.filter(pl.col("buyer_org_id").is_in(members)), per)
        out.append(fig)
    figs = pl.concat(out, how="vertical") if out else ORG_PAYMENT_PERFORMANCE.empty()
    days = (pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1
    inside = (pl.min_horizontal("period_end", "last") - pl.max_horizontal("period_start", "first")
              ).dt.total_days() + 1
    return figs.join(span.rename({"buyer_org_id": "org_id"}), on="org_id", how="left").with_columns(
        (inside.clip(lower_bound=0) / days * 100).round(1).fill_null(0.0)
        .alias("ledger_coverage_pct")).drop("first", "last").sort("org_id", "period_start")


def compare_with_ledger(published: pl.DataFrame, ledger: pl.DataFrame,
                        min_coverage_pct: float = 99.0,
                        ledger_measures: pl.DataFrame | None = None) -> pl.DataFrame:
    """Each published figure beside the ledger figure for the same member and period, measure
    aware (:func:`compare_measures`): both measures named and defined, ``gap = published -
    ledger`` only where they are the same measure (``comparable``), else side by side with no
    gap and no ranking.

    ``ledger_measures``: further ledger figures as long rows (``org_id, period_start,
    period_end, measure, value``), e.g. the ledger's own reg 38 notice figures from
    :func:`lainbench.notices.compare.ledger_notice_figures`, so a published reg 38(2)(d) figure
    pairs with the ledger's reg 38(2)(d). ``same_basis`` is false where the published figure
    counts days differently from the ledger (receipt to supplier receipt). Rows where the ledger
    covers less than ``min_coverage_pct`` of the period, or has no figure, are left out.

    >>> pub = pl.DataFrame({"org_id": ["a"], "org_name": ["A"], "regime": ["pa2023_pcn"],
    ...     "payee_segment": ["all"], "day_count_basis": [LEDGER_BASIS],
    ...     "period_start": [dt.date(2026, 4, 1)], "period_end": [dt.date(2026, 9, 30)],
    ...     "not_paid_within_terms_pct": [3.0]})
    >>> led = pub.with_columns(pl.lit("internal").alias("regime"),
    ...                        pl.lit(20.0).alias("not_paid_within_terms_pct"))
    >>> compare_with_ledger(pub, led).select("ledger_measure", "comparable", "gap").row(0)
    ('ppr_not_paid_within_agreed_terms_pct', False, None)
    """
    keys = ["org_id", "period_start", "period_end"]
    pub = long_figures(published.filter(pl.col("payee_segment") == "all"))
    led = ledger
    if "ledger_coverage_pct" in led.columns:
        led = led.filter(pl.col("ledger_coverage_pct") >= min_coverage_pct)
    led = long_figures(led).select(*keys, "measure", "value")
    if ledger_measures is not None and ledger_measures.height:
        covered = led.select(keys).unique()
        extra = ledger_measures.select(
            *[pl.col(k) for k in keys], pl.col("measure").cast(pl.String),
            pl.col("value").cast(pl.Float64)).drop_nulls("value")
        # the same coverage rule: only for (member, period) pairs the ledger covers
        extra = extra.join(covered, on=keys, how="semi") if ledger.height else extra.head(0)
        led = pl.concat([led, extra.join(led, on=[*keys, "measure"], how="anti")],
                        how="vertical")
    carry = [c for c in ("org_name", "regime", "day_count_basis") if c in pub.columns]
    out = compare_measures(pub, led, keys=keys, carry=carry)
    return (out.filter(pl.col("ledger_value").is_not_null())
            .rename({"published_value": "published", "ledger_value": "ledger",
                     "difference": "gap"})
            .with_columns((pl.col("day_count_basis") == LEDGER_BASIS).fill_null(False)
                          .alias("same_basis"))
            .sort("org_id", "period_start", "measure", "regime"))


def headline(published: pl.DataFrame) -> pl.DataFrame:
    """Each member's headline published measure per period: the 30-day share where published,
    else the BPPC within-target share by number; one row per member, regime and period.
    """
    fig = long_figures(published.filter(pl.col("payee_segment") == "all"),
                       ["paid_within_30_days_pct", "paid_within_target_count_pct",
                        "avg_days_to_pay"])
    return fig.with_columns(pl.col("regime").replace_strict(REGIME_LABELS, default=None)
                            .alias("source"))


def gap_summary(comparison: pl.DataFrame) -> pl.DataFrame:
    """Per member and pair of measures: periods shown, periods comparable (same measure) and the
    mean gap over those only (null when the measures differ). No "better/worse" count: a gap
    between like measures is stated, not judged.
    """
    schema = {"org_id": pl.String, "org_name": pl.String, "published_measure": pl.String,
              "ledger_measure": pl.String, "periods": pl.UInt32, "comparable_periods": pl.UInt32,
              "mean_gap": pl.Float64, "same_basis": pl.Boolean}
    if comparison.height == 0:
        return pl.DataFrame(schema=schema)
    return comparison.group_by("org_id", "org_name", "published_measure", "ledger_measure").agg(
        pl.len().cast(pl.UInt32).alias("periods"),
        pl.col("comparable").sum().cast(pl.UInt32).alias("comparable_periods"),
        pl.col("gap").filter(pl.col("comparable")).mean().round(2).alias("mean_gap"),
        pl.col("same_basis").all()).sort("org_id", "published_measure", "ledger_measure")


def quality_flags(published: pl.DataFrame) -> pl.DataFrame:
    """Published rows that carry quality flags, one row per flag."""
    return (published.select("org_id", "org_name", "regime", "period_start", "period_end",
                              "payee_segment", "quality_flags")
            .explode("quality_flags").drop_nulls("quality_flags")
            .rename({"quality_flags": "flag"}).sort("org_id", "period_start", "flag"))


def check_focus(focus_member: str | None, members: pl.DataFrame) -> None:
    """Refuse an unknown focus member by name."""
    if focus_member is not None and focus_member not in members["org_id"].to_list():
        raise ParamsError(f"focus_member: {focus_member!r} is not a member; known: "
                          f"{', '.join(members['org_id'].to_list())}")


def as_of() -> str:
    """Today, for the report header."""
    return dt.date.today().isoformat()


# --- the notebook's one call ----------------------------------------------------------------------

class PublishedData:
    """Everything notebook 04 shows, built by :func:`prepare`."""

    def __init__(self, members: pl.DataFrame, published: pl.DataFrame, log: pl.DataFrame,
                 national: pl.DataFrame | None, ledger: pl.DataFrame,
                 ledger_measures: pl.DataFrame | None = None) -> None:
        self.members = members
        self.published = published
        self.log = log
        self.national = national
        self.ledger = ledger
        self.ledger_measures = ledger_measures
        self.headline = headline(published)
        self.against_national = against_national(published, national)
        self.comparison = compare_with_ledger(published, ledger, ledger_measures=ledger_measures)
        self.gaps = gap_summary(self.comparison)
        self.flags = quality_flags(published)

    @property
    def comparable(self) -> pl.DataFrame:
        """The published-vs-ledger rows where both are the same measure (a gap is stated)."""
        return self.comparison.filter(pl.col("comparable"))

    @property
    def side_by_side(self) -> pl.DataFrame:
        """The rows where published and ledger figures are different measures: both named and
        defined, no gap.
        """
        return self.comparison.filter(~pl.col("comparable")).select(
            "org_id", "org_name", "regime", "period_start", "period_end", "published_measure",
            "published", "ledger_measure", "ledger", "published_definition", "ledger_definition")

    def with_ledger_measures(self, ledger_measures: pl.DataFrame) -> PublishedData:
        """The same data with further ledger figures (long rows) in the comparison, e.g.
        :func:`lainbench.notices.compare.ledger_notice_figures` for reg 38(2)(d).
        """
        return PublishedData(self.members, self.published, self.log, self.national, self.ledger,
                             ledger_measures)

    def national_note(self) -> str:
        """A sentence saying where the national medians come from, or that they are missing."""
        if self.national is None:
            return ("National PPR medians were not found (`national_medians_path`), so the "
                    "national comparison is left out of this run.")
        years = self.national["year"]
        return (f"National medians: PPR aggregates by year, {years.min()}-{years.max()} "
                "(Chadhauser/uk-payment-practices, CC BY 4.0; latest year partial).")

    def tables(self) -> dict[str, pl.DataFrame]:
        """The tables the notebook writes, by name."""
        return {
            "published_figures": self.published, "ingest_log": self.log,
            "published_vs_national": self.against_national, "ledger_figures": self.ledger,
            "published_vs_ledger": self.comparison, "published_vs_ledger_summary": self.gaps,
            "quality_flags": self.flags,
        }


def prepare(ppr_files: list[str], returns_files: list[ReturnFile | dict], members_path: str,
            invoices_path: str | None, national_medians_path: str | None,
            focus_member: str | None = None) -> PublishedData:
    """Read members, published files, national medians and the ledger; line them all up."""
    members = load.members(members_path, "members_path")
    check_focus(focus_member, members)
    published, log = load_published(ppr_files, returns_files, members)
    national = national_medians(national_medians_path)
    ledger = ledger_figures(invoices_path, published)
    if ledger.height:
        names = members.select("org_id", pl.col("org_name").alias("__name"))
        ledger = ledger.join(names, on="org_id", how="left").with_columns(
            pl.coalesce("__name", "org_name").alias("org_name")).drop("__name")
    return PublishedData(members, published, log, national, ledger)
