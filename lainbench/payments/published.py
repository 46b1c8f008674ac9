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

# Measures compared between published figures and the ledger, with what "better" means.
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
                        min_coverage_pct: float = 99.0) -> pl.DataFrame:
    """Published figure and ledger figure side by side for the same member, period and measure.

    ``gap = published - ledger``; ``published_looks_better`` says whether the published figure
    flatters the member relative to its ledger. ``same_basis`` is false where the published
    figure counts days differently from the ledger (receipt to supplier receipt); rows where the
    ledger covers less than ``min_coverage_pct`` of the period are left out.
    """
    pub = long_figures(published.filter(pl.col("payee_segment") == "all"))
    led = ledger
    if "ledger_coverage_pct" in led.columns:
        led = led.filter(pl.col("ledger_coverage_pct") >= min_coverage_pct)
    led = long_figures(led).select("org_id", "period_start", "period_end", "measure",
                                   pl.col("value").alias("ledger"))
    out = pub.rename({"value": "published"}).join(
        led, on=["org_id", "period_start", "period_end", "measure"], how="inner")
    better = pl.col("measure").replace_strict(MEASURES, default=None)
    gap = (pl.col("published") - pl.col("ledger")).round(2)
    return out.with_columns(
        gap.alias("gap"),
        pl.when(better == "lower").then(gap < 0).otherwise(gap > 0).alias(
            "published_looks_better"),
        (pl.col("day_count_basis") == LEDGER_BASIS).fill_null(False).alias("same_basis"),
    ).sort("org_id", "period_start", "measure", "regime")


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
    """Per member and measure: periods compared, mean gap, and in how many the published figure
    looks better than the ledger.
    """
    if comparison.height == 0:
        return pl.DataFrame(schema={"org_id": pl.String, "org_name": pl.String,
                                    "measure": pl.String, "periods": pl.UInt32,
                                    "mean_gap": pl.Float64, "published_looks_better": pl.UInt32,
                                    "same_basis": pl.Boolean})
    return comparison.group_by("org_id", "org_name", "measure").agg(
        pl.len().alias("periods"), pl.col("gap").mean().round(2).alias("mean_gap"),
        pl.col("published_looks_better").sum().cast(pl.UInt32),
        pl.col("same_basis").all()).sort("org_id", "measure")


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
                 national: pl.DataFrame | None, ledger: pl.DataFrame) -> None:
        self.members = members
        self.published = published
        self.log = log
        self.national = national
        self.ledger = ledger
        self.headline = headline(published)
        self.against_national = against_national(published, national)
        self.comparison = compare_with_ledger(published, ledger)
        self.gaps = gap_summary(self.comparison)
        self.flags = quality_flags(published)

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
