"""Notebook 01 (payment performance): its run parameters and the data it works from."""

from __future__ import annotations

from typing import Literal

import polars as pl
from pydantic import Field

from lainbench import load
from lainbench.params import ParameterFile, RunParams
from lainbench.payments.metrics import assign_period, derive
from lainbench.payments.targets import fair_payment_code_tier


class PaymentPerformanceParams(RunParams):
    """Parameters of ``notebooks/01_payment_performance.ipynb``."""

    invoices_path: str = Field("data/demo/invoice_payment.parquet",
                               description="canonical invoice_payment table (parquet or csv)")
    members_path: str = Field("data/demo/member.parquet", description="member table")
    periods_path: str = Field("data/demo/periods.parquet", description="reporting periods")
    targets_file: str = Field("params/payment_targets.yaml", description="dated targets")
    members: list[str] | Literal["all"] = "all"
    periods: list[str] | Literal["all"] = "all"
    focus_member: str | None = Field(None, description="member highlighted in the charts")
    output_dir: str = "reports/payment_performance"






class PaymentData:
    """Everything notebook 01 works from: derived invoices, members, periods and targets."""

    def __init__(self, invoices: pl.LazyFrame, members: pl.DataFrame, periods: pl.DataFrame,
                 targets: ParameterFile) -> None:
        self.invoices = invoices
        self.members = members
        self.periods = periods
        self.targets = targets

    @property
    def latest_period(self) -> str:
        """The most recent period selected."""
        return self.periods.sort("period_end")["period"][-1]




def _select(df: pl.DataFrame, column: str, wanted: list[str] | str, param: str, what: str
            ) -> pl.DataFrame:
    """Keep the rows whose ``column`` is in ``wanted`` ("all" keeps every row); refuse unknowns."""
    if wanted == "all":
        return df
    unknown = sorted(set(wanted) - set(df[column]))
    if unknown:
        from lainbench.errors import ParamsError

        raise ParamsError(f"{param}: unknown {what}(s) {', '.join(unknown)}; known: "
                          f"{', '.join(df[column])}")
    return df.filter(pl.col(column).is_in(wanted))


def prepare(invoices_path: str, members_path: str, periods_path: str, targets_file: str,
            members: list[str] | str = "all", periods: list[str] | str = "all") -> PaymentData:
    """Load, check and derive everything for a payment benchmark, filtered to the chosen members
    and periods. Unknown member or period names are refused with the list of known ones.
    """
    from lainbench import params as params_mod

    member_df = _select(load.members(members_path, "members_path"), "org_id", members, "members", "member id")
    period_df = _select(load.periods(periods_path, "periods_path"), "period", periods, "periods", "period")
    targets = params_mod.load(targets_file)
    lf = load.invoices(invoices_path, "invoices_path").filter(pl.col("buyer_org_id").is_in(member_df["org_id"].implode()))
    buyer_types = member_df.select(pl.col("org_id").alias("buyer_org_id"), "org_type")
    lf = assign_period(derive(lf, buyer_types=buyer_types), period_df)
    return PaymentData(lf, member_df, period_df, targets)


def scorecard(metrics: pl.DataFrame, results: pl.DataFrame, interest: pl.DataFrame,
              members: pl.DataFrame, period: str) -> pl.DataFrame:
    """One row per member for ``period``: the headline figures people quote."""
    m = metrics.filter((pl.col("supplier_size_band") == "all") & (pl.col("period") == period))
    tiers = fair_payment_code_tier(results).filter(pl.col("period") == period)
    bppc = results.filter((pl.col("period") == period) & (pl.col("target") == "nhs_bppc_count_pct"))
    owed = interest.filter(pl.col("period") == period)
    names = members.select(pl.col("org_id").alias("buyer_org_id"), pl.col("org_name").alias("member"))
    return (
        names.join(m, on="buyer_org_id", how="inner")
        .join(tiers.drop("period"), on="buyer_org_id", how="left")
        .join(bppc.select("buyer_org_id", pl.col("passed").alias("bppc_95pct_met")),
              on="buyer_org_id", how="left")
        .join(owed.select("buyer_org_id", "total_owed_gbp"), on="buyer_org_id", how="left")
        .select(
            "member", "invoice_count",
            pl.col("invoice_value_gbp").round(0),
            pl.col("mean_days_to_pay").round(1), "median_days_to_pay",
            pl.col("p90_days_to_pay").round(1),
            pl.col("paid_within_30_days_pct").round(1),
            pl.col("paid_within_terms_pct").round(1),
            pl.col("within_30_or_terms_value_pct").round(1),
            "bppc_95pct_met", "fair_payment_code_tier",
            pl.col("total_owed_gbp").fill_null(0).round(0).alias("late_payment_owed_gbp"),
        )
        .sort("paid_within_30_days_pct", descending=True)
    )


# --------------------------------------------------------------------------------------------
# One-line texts for the notebook's prose, built from params and the law's tables (one home for
# each figure: the markdown names the rule, these print its value as used)
# --------------------------------------------------------------------------------------------
def _pct(value: float) -> str:
    return f"{value:g} %"


def targets_text(targets: ParameterFile, when) -> str:
    """The targets in force on ``when`` with their thresholds, as one markdown line.

    >>> from lainbench import params
    >>> text = targets_text(params.load("params/payment_targets.yaml"), "2026-03-31")
    >>> text.startswith("**Targets in force on 2026-03-31**")
    True
    >>> "NHS BPPC (number) ≥ 95 %" in text
    True
    """
    shown = []
    for name, param in targets.parameters.items():
        value = targets.value(name, when)
        if value is None:
            continue
        meta = param.metadata
        sign = {">=": "≥", "<=": "≤"}.get(meta.comparison or "", "")
        unit = " days" if meta.unit == "days" else " %" if meta.unit == "percent" else ""
        shown.append(f"{meta.label} {sign} {value:g}{unit}".replace("  ", " "))
    return (f"**Targets in force on {when}** (`params/payment_targets.yaml`): "
            + "; ".join(shown) + ".")


def late_payment_text() -> str:
    """Statutory interest margin and the fixed compensation bands as used, in one markdown line.

    >>> late_payment_text()
    '**As used:** statutory interest at the reference rate + 8 %; fixed compensation £40 (debt under £1,000), £70 (£1,000 to under £10,000), £100 (£10,000 or more) (`lainbench.late_payment`: STATUTORY_MARGIN_PCT, COMPENSATION_BANDS).'
    """
    from lainbench.late_payment import COMPENSATION_BANDS, STATUTORY_MARGIN_PCT

    bands = []
    for i, (lower, fixed) in enumerate(COMPENSATION_BANDS):
        upper = COMPENSATION_BANDS[i + 1][0] if i + 1 < len(COMPENSATION_BANDS) else None
        if lower == 0:
            where = f"debt under £{upper:,.0f}"
        elif upper is None:
            where = f"£{lower:,.0f} or more"
        else:
            where = f"£{lower:,.0f} to under £{upper:,.0f}"
        bands.append(f"£{fixed:,.0f} ({where})")
    return (f"**As used:** statutory interest at the reference rate + {_pct(STATUTORY_MARGIN_PCT)}; "
            f"fixed compensation {', '.join(bands)} "
            "(`lainbench.late_payment`: STATUTORY_MARGIN_PCT, COMPENSATION_BANDS).")


def reference_rate_caveat() -> str:
    """Which half-years' reference rates are assumptions (status not confirmed), in one line.

    >>> reference_rate_caveat().startswith("**Reference rates not yet confirmed**")
    True
    """
    from lainbench.late_payment import reference_rates

    t = reference_rates().filter(pl.col("status").is_in(["assumption", "UNCONFIRMED"]))
    if t.height == 0:
        return ("**Reference rates:** every half-year in "
                "`lainbench/data/statutory_reference_rates.csv` is read from a published table "
                "or derived from a confirmed Bank Rate.")
    halves = ", ".join(
        f"interest starting {r['half_year_start']} to {r['half_year_end']} (Bank Rate "
        f"{r['bank_rate_pct']:g} % on {r['reference_date']}, {r['status']})"
        for r in t.iter_rows(named=True))
    return (f"**Reference rates not yet confirmed** "
            f"(`lainbench/data/statutory_reference_rates.csv`): {halves}; replace them with the "
            "Bank of England figure once published.")
