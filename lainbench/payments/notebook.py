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
