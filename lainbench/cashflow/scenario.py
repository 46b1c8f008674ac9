"""A small supplier's cash-flow scenario: the inputs of the model with units, defaults and sources."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from lainbench.cashflow.delays import (
    assumption,
)
from lainbench.cashflow.rates import effective_annual_rate_pct
from lainbench.errors import ParamsError
from lainbench.params import format_validation_error

DAYS_PER_YEAR = 365


DEBIT_INTERVAL_DAYS = 30  # overdraft interest is debited every 30 days (5.0, step 5)


DEFAULT_SEED = 20260401


DEFAULT_START_DATE = dt.date(2026, 1, 1)


Gbp = Annotated[float, Field(ge=0)]


WholeDays = Annotated[int, Field(ge=0)]


Share = Annotated[float, Field(ge=0, le=1)]


RatePct = Annotated[float, Field(ge=0, le=100)]


InsuranceStage = Literal["at_award", "at_bid"]


PaymentLaw = Literal["current", "commercial_payments_bill"]


def _ref(name: str):
    """A pydantic default factory reading ``name`` from ``params/cashflow_assumptions.yaml``."""
    return lambda: assumption(name)


class SupplierScenario(BaseModel):
    """One supplier on one contract: the inputs of economics.md 5.1 (symbols in brackets).

    Unset fields take their reference defaults from ``params/cashflow_assumptions.yaml``. Rates
    left as ``None`` are derived: overdraft ``BR + margin``, financing rate = overdraft rate
    (``r_opp = r_od``), invoice-finance discount ``BR + margin``, statutory rate from
    :func:`lainbench.late_payment.statutory_rate_pct` for interest starting on ``start_date``.

    >>> sc = SupplierScenario(terms_days=60)
    >>> sc.terms_days, round(sc.invoice_amount_gbp, 2), sc.overdraft_rate_pct_used
    (60, 9863.01, 14.6)
    >>> SupplierScenario(variable_cost_share=1.2)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for SupplierScenario
    variable_cost_share
      Input should be less than or equal to 1 ...
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    annual_value_gbp: float = Field(
        default_factory=_ref("annual_value_gbp"),
        gt=0,
        description="V: annual contract value excluding VAT, £ a year",
    )
    billing_interval_days: int = Field(
        default_factory=_ref("billing_interval_days"),
        ge=1,
        description="B: days between invoices, raised in arrears",
    )
    terms_days: WholeDays = Field(
        default_factory=_ref("terms_days"), description="N: agreed payment terms, days"
    )
    approval_lag_days: WholeDays = Field(
        default_factory=_ref("approval_lag_days"),
        description="l: buyer's approval lag before the payment clock starts, days",
    )
    days_late: float = Field(
        0.0,
        ge=0,
        description="D: days late beyond the due date in the closed forms and the deterministic "
        "delay (whole days are used in the simulation: ceil(D))",
    )
    variable_cost_share: Share = Field(
        default_factory=_ref("variable_cost_share"),
        description="c: variable cash cost as a share of revenue, 0-1",
    )
    supplier_payables_days: WholeDays = Field(
        default_factory=_ref("supplier_payables_days"),
        description="DPO: the supplier's own lag in paying its variable costs, days",
    )
    fixed_overhead_gbp_per_day: Gbp = Field(
        default_factory=_ref("fixed_overhead_gbp_per_day"),
        description="F: fixed overhead paid every day, £ a day",
    )
    opening_cash_gbp: Gbp = Field(
        default_factory=_ref("opening_cash_gbp"), description="C0: cash at contract start, £"
    )
    overdraft_limit_gbp: Gbp = Field(
        default_factory=_ref("overdraft_limit_gbp"), description="L_od: arranged overdraft, £"
    )
    bank_rate_pct: RatePct = Field(
        default_factory=_ref("bank_rate_pct"), description="BR: Bank Rate, % a year"
    )
    overdraft_margin_pct: RatePct = Field(
        default_factory=_ref("overdraft_margin_pct"),
        description="overdraft margin over Bank Rate, % a year",
    )
    overdraft_rate_pct: RatePct | None = Field(
        None, description="r_od: overdraft rate, % a year (None: BR + margin)"
    )
    financing_rate_pct: RatePct | None = Field(
        None, description="r: rate used for the cost of funding, % a year (None: r_od)"
    )
    invoice_finance_advance_share: float = Field(
        default_factory=_ref("invoice_finance_advance_share"),
        gt=0,
        le=1,
        description="a: share of an invoice advanced by invoice finance, 0-1",
    )
    invoice_finance_discount_margin_pct: RatePct = Field(
        default_factory=_ref("invoice_finance_discount_margin_pct"),
        description="invoice-finance discount margin over Bank Rate, % a year",
    )
    invoice_finance_discount_rate_pct: RatePct | None = Field(
        None, description="r_d: invoice-finance discount rate, % a year (None: BR + margin)"
    )
    invoice_finance_service_fee_pct: RatePct = Field(
        default_factory=_ref("invoice_finance_service_fee_pct"),
        description="f_s: invoice-finance service fee, % of invoice value",
    )
    insurance_extra_premium_gbp: Gbp = Field(
        0.0, description="dP: extra insurance premium the buyer's requirement costs, £ a year (E8)"
    )
    insurance_stage: InsuranceStage = Field(
        "at_award", description="when the cover must be held: at award, or already to bid (E9)"
    )
    insurance_hold_years: float = Field(
        default_factory=_ref("insurance_hold_years"),
        ge=0,
        description="T_hold: years cover is held before the first award when required to bid",
    )
    win_probability: float = Field(
        default_factory=_ref("win_probability"), gt=0, le=1, description="w: probability a bid wins"
    )
    buyer_is_public_authority: bool = Field(
        True,
        description="public-authority buyer: the relevant day is receipt + 29 at the latest "
        "(Late Payment Act s.4(2D)); others: the agreed day stands",
    )
    private_over_60_grossly_unfair: bool = Field(
        False,
        description="private buyer only: read an agreed day beyond receipt + 59 as grossly "
        "unfair (s.4(2E)-(2F)), so the 60-day period's last day is the relevant day (as in "
        "lainbench.late_payment)",
    )
    payment_law: PaymentLaw = Field(
        "current",
        description="law applied: current (Late Payment Act as amended) or "
        "commercial_payments_bill (PROPOSED, not law: build it with commercial_payments_bill())",
    )
    private_terms_cap_days: WholeDays | None = Field(
        None,
        description="proposed cap on private buyers' terms from receipt, days (Commercial "
        "Payments Bill; None under current law); the relevant day is at the latest the cap "
        "period's last day",
    )
    vat_rate: float = Field(
        default_factory=_ref("vat_rate"),
        ge=0,
        le=1,
        description="VAT on the invoices, share (0.2 standard, 0 exempt); statutory interest and "
        "compensation are on the sum owed I x (1 + vat), costs and margin ex VAT",
    )
    early_payment_discount_pct: RatePct = Field(
        0.0,
        description="d: share of the invoice given up for early payment (an early-payment "
        "discount, or a supply-chain-finance funder's discount), % of the invoice",
    )
    early_payment_days: WholeDays | None = Field(
        None,
        description="t: day after receipt the supplier is paid when it takes the buyer's early "
        "payment offer (None: no offer; when set, every invoice is paid on that day, on time)",
    )
    start_date: dt.date = Field(
        DEFAULT_START_DATE, description="contract start (day 0); fixes the statutory rate"
    )
    statutory_rate_pct: RatePct | None = Field(
        None,
        description="statutory late-payment rate, % a year (None: from lainbench.late_payment)",
    )

    @model_validator(mode="after")
    def _discount_needs_a_day(self) -> SupplierScenario:
        if self.early_payment_discount_pct > 0 and self.early_payment_days is None:
            raise ValueError(
                f"early_payment_discount_pct = {self.early_payment_discount_pct} needs "
                "early_payment_days (the day after receipt the supplier is paid when it takes "
                "the offer); set both, or neither"
            )
        return self

    # -- derived quantities (symbols of 5.1) --------------------------------------------------
    @property
    def invoice_amount_gbp(self) -> float:
        """``I = V B / 365``."""
        return self.annual_value_gbp * self.billing_interval_days / DAYS_PER_YEAR

    @property
    def variable_cost_gbp_per_day(self) -> float:
        """``c V / 365``."""
        return self.variable_cost_share * self.annual_value_gbp / DAYS_PER_YEAR

    @property
    def invoice_gross_gbp(self) -> float:
        """The sum owed for one invoice, VAT included: ``I (1 + vat)`` (the Act's debt)."""
        return self.invoice_amount_gbp * (1 + self.vat_rate)

    @property
    def takes_early_payment(self) -> bool:
        """Whether the buyer offers early payment (the supplier is assumed to take it)."""
        return self.early_payment_days is not None

    @property
    def receipt_amount_gbp(self) -> float:
        """Cash received per invoice, ex VAT: ``I``, or ``I (1 - d)`` when paid early."""
        if self.takes_early_payment:
            return self.invoice_amount_gbp * (1 - self.early_payment_discount_pct / 100)
        return self.invoice_amount_gbp

    @property
    def invoice_to_cash_days(self) -> float:
        """``l + N + D``, or ``t`` when the supplier takes early payment."""
        if self.takes_early_payment:
            return float(self.early_payment_days)
        return self.approval_lag_days + self.terms_days + self.days_late

    @property
    def statutory_relevant_offset_days(self) -> int:
        """Days from invoice receipt to the Act's relevant day (interest starts the day after).

        :func:`lainbench.late_payment.relevant_day` on the agreed day receipt + ``l + N`` (the
        same function as the invoice tables use): public buyers ``min(l + N, 29)``; others ``l +
        N`` (``min(l + N, 59)`` with ``private_over_60_grossly_unfair``), and under the proposed
        ``private_terms_cap_days`` at most the last day of that period (cap - 1).

        >>> SupplierScenario(terms_days=60).statutory_relevant_offset_days
        29
        >>> SupplierScenario(terms_days=90, buyer_is_public_authority=False,
        ...                  private_over_60_grossly_unfair=True).statutory_relevant_offset_days
        59
        """
        from lainbench.late_payment import period_last_day, relevant_day

        start = self.start_date
        due = start + dt.timedelta(days=self.approval_lag_days + self.terms_days)
        rday = relevant_day(
            start, due, public_authority=self.buyer_is_public_authority,
            private_over_60_grossly_unfair=self.private_over_60_grossly_unfair,
        )
        cap = self.private_terms_cap_days
        if cap is not None and cap > 0 and not self.buyer_is_public_authority:
            rday = min(rday, period_last_day(start, cap))
        return (rday - start).days

    @property
    def invoices_per_year(self) -> float:
        """``365 / B``."""
        return DAYS_PER_YEAR / self.billing_interval_days

    @property
    def overdraft_rate_pct_used(self) -> float:
        """``r_od`` in % a year."""
        if self.overdraft_rate_pct is not None:
            return self.overdraft_rate_pct
        return round(self.bank_rate_pct + self.overdraft_margin_pct, 10)

    @property
    def financing_rate_pct_used(self) -> float:
        """``r`` (``r_opp``) in % a year."""
        if self.financing_rate_pct is not None:
            return self.financing_rate_pct
        return self.overdraft_rate_pct_used

    @property
    def discount_rate_pct_used(self) -> float:
        """``r_d`` in % a year."""
        if self.invoice_finance_discount_rate_pct is not None:
            return self.invoice_finance_discount_rate_pct
        return round(self.bank_rate_pct + self.invoice_finance_discount_margin_pct, 10)

    @property
    def statutory_rate_pct_used(self) -> float:
        """Statutory late-payment rate (reference rate + 8 %) for interest starting on start_date."""
        if self.statutory_rate_pct is not None:
            return self.statutory_rate_pct
        from lainbench.late_payment import statutory_rate_pct

        return statutory_rate_pct(self.start_date)

    @property
    def overdraft_ear_pct(self) -> float:
        """EAR of ``r_od``: ``(1 + r_od / 12)^12 - 1`` (interest charged monthly)."""
        return effective_annual_rate_pct(self.overdraft_rate_pct_used)

    @property
    def financing_ear_pct(self) -> float:
        """EAR of the financing rate ``r``, compounded monthly."""
        return effective_annual_rate_pct(self.financing_rate_pct_used)

    @property
    def discount_ear_pct(self) -> float:
        """EAR of the invoice-finance discount rate ``r_d``, compounded monthly."""
        return effective_annual_rate_pct(self.discount_rate_pct_used)

    def with_(self, **changes: Any) -> SupplierScenario:
        """A copy with ``changes`` applied and validated (errors name the field).

        >>> SupplierScenario().with_(terms_days=14).terms_days
        14
        """
        return make_scenario(**{**self.model_dump(), **changes})


def make_scenario(**values: Any) -> SupplierScenario:
    """Build a :class:`SupplierScenario`, refusing bad values with a :class:`ParamsError`.

    >>> make_scenario(variable_cost_share=1.5)
    Traceback (most recent call last):
    ...
    lainbench.errors.ParamsError: supplier scenario: variable_cost_share: Input should be less than or equal to 1 (found 1.5)
    """
    try:
        return SupplierScenario(**values)
    except ValidationError as exc:
        raise ParamsError(format_validation_error("supplier scenario", exc)) from None


METRICS: dict[str, tuple[str, str]] = {
    # closed forms (steady_state)
    "invoice_amount_gbp": ("£", "I = V B / 365"),
    "invoice_to_cash_days": ("days", "l + N + D"),
    "receivables_gbp": ("£", "E1 AR = V (l + N + D) / 365"),
    "work_in_progress_gbp": ("£", "E1 WIP = V (B / 2) / 365"),
    "receivable_carrying_cost_gbp": ("£/year", "E2 K_AR = r AR"),
    "receivable_carrying_cost_per_gbp": ("£ per £ of contract", "E2 r (l + N + D) / 365"),
    "cost_per_day_late_gbp": ("£/year per day", "E2 V r / 365"),
    "average_funding_need_gbp": ("£", "E3 c V (B/2 + l + N + D - DPO) / 365, floored at 0"),
    "financing_cost_gbp": ("£/year", "E3 r F_avg"),
    "financing_cost_per_gbp": ("£ per £ of contract", "E3 f = r F_avg / V"),
    "peak_need_gbp": ("£", "E4 c V (B + l + N + D - DPO) / 365 + F (B + l + N + D)"),
    "runway_days": ("days", "E5 (C0 + L_od) / (c V / 365 + F)"),
    "viability_margin_days": ("days", "E5 runway - (B + l + N + D)"),
    "statutory_rate_pct": ("% a year", "E6 reference rate + 8"),
    "statutory_interest_days": ("days", "E6 paid day - relevant day (receipt + min(l + N, 29) public)"),
    "statutory_interest_per_invoice_gbp": ("£", "E6 I (1 + vat) rate D_int / 365"),
    "compensation_per_invoice_gbp": ("£", "E6 s.5A fixed sum (£40/£70/£100) on I (1 + vat)"),
    "statutory_due_per_year_gbp": ("£/year", "E6 (interest + compensation) x 365 / B"),
    "own_cost_of_lateness_per_invoice_gbp": ("£", "E6 I r_od D / 365"),
    "invoice_finance_cost_per_invoice_gbp": ("£", "E7 a I r_d t / 365 + f_s I"),
    "overdraft_cost_same_advance_per_invoice_gbp": ("£", "E7 a I r_od t / 365"),
    "invoice_finance_cost_per_year_gbp": ("£/year", "E7 x 365 / B"),
    "overdraft_cost_same_advance_per_year_gbp": ("£/year", "E7 x 365 / B"),
    "insurance_extra_premium_gbp": ("£/year", "E8 dP"),
    "insurance_share_of_value_pct": ("%", "E9 100 dP / V"),
    "insurance_share_of_margin_pct": ("%", "E9 100 dP / ((1 - c) V)"),
    "insurance_cost_per_contract_won_gbp": ("£", "E9 dP T_hold / w (at bid) or dP (at award)"),
    "cash_released_if_on_time_gbp": ("£", "E10 V D / 365"),
    "financing_saved_if_on_time_gbp": ("£/year", "E10 r c V D / 365"),
    "annual_cost_gbp": ("£/year", "E3 financing cost + E8 extra premium + E11 discount"),
    "cost_per_gbp": ("£ per £ of contract", "(E3 financing cost + E8 dP + E11 d V) / V"),
    "invoice_gross_gbp": ("£", "E6 sum owed I (1 + vat)"),
    "vat_rate": ("share", "VAT on the invoices"),
    "overdraft_rate_pct": ("% a year", "r_od = BR + margin"),
    "overdraft_ear_pct": ("% a year", "EAR (1 + r_od / 12)^12 - 1"),
    "financing_rate_pct": ("% a year", "r"),
    "financing_ear_pct": ("% a year", "EAR (1 + r / 12)^12 - 1"),
    "invoice_finance_discount_rate_pct": ("% a year", "r_d = BR + margin"),
    "invoice_finance_discount_ear_pct": ("% a year", "EAR (1 + r_d / 12)^12 - 1"),
    "statutory_rate_ear_pct": ("% a year", "simple interest (s.1(1)): EAR = rate"),
    "early_payment_discount_gbp_per_year": ("£/year", "E11 d V"),
    "early_payment_days_gained": ("days", "E11 l + N - t"),
    "early_payment_implied_rate_simple_pct": ("% a year", "E11 d / (1 - d) x 365 / (l + N - t)"),
    "early_payment_implied_rate_compound_pct": (
        "% a year", "E11 (1 / (1 - d))^(365 / (l + N - t)) - 1"),
    "overdraft_interest_saved_gbp_per_year": ("£/year", "E11 r_od V (l + N + D - t) / 365"),
    # simulation (simulate().summary)
    "n_paths": ("paths", "Monte Carlo paths"),
    "horizon_days": ("days", "H"),
    "late_invoice_share": ("share", "late invoices / invoices paid within H"),
    "mean_days_late": ("days", "mean D_k of invoices paid within H"),
    "shortfall_probability": ("probability", "P(min_t low_t < -L_od)"),
    "shortfall_probability_se": ("probability", "sqrt(P (1 - P) / n)"),
    "first_shortfall_day_p50": ("day", "median first shortfall day, paths with a shortfall"),
    "lowest_balance_gbp_p5": ("£", "5th percentile of min_t low_t"),
    "lowest_balance_gbp_p50": ("£", "median of min_t low_t"),
    "lowest_balance_gbp_p95": ("£", "95th percentile of min_t low_t"),
    "peak_need_gbp_mean": ("£", "mean of max(0, C0 - min_t low_t)"),
    "peak_need_gbp_p5": ("£", "5th percentile of peak need"),
    "peak_need_gbp_p50": ("£", "median peak need"),
    "peak_need_gbp_p95": ("£", "95th percentile of peak need"),
    "overdraft_days_mean": ("days", "mean days with a negative end-of-day balance"),
    "overdraft_days_p5": ("days", "5th percentile of overdraft days"),
    "overdraft_days_p50": ("days", "median overdraft days"),
    "overdraft_days_p95": ("days", "95th percentile of overdraft days"),
    "overdraft_interest_gbp_mean": ("£", "mean overdraft interest over H"),
    "overdraft_interest_gbp_p95": ("£", "95th percentile of overdraft interest over H"),
    "statutory_interest_gbp_mean": ("£", "mean statutory interest due over H (E6)"),
    "fixed_compensation_gbp_mean": ("£", "mean fixed compensation due over H (E6)"),
    "statutory_due_gbp_mean": ("£", "mean statutory interest + compensation due over H"),
    "own_cost_of_lateness_gbp_mean": ("£", "mean sum of I r_od D_k / 365 over H"),
    "statutory_interest_to_own_cost_ratio": ("ratio", "statutory interest / own cost of lateness"),
    "mean_funding_need_gbp": ("£", "simulated E3: mean cost-basis funding need, days W..H"),
    "financing_cost_per_gbp_sim": (
        "£ per £ of contract",
        "simulated E3: r x mean funding need / V",
    ),
    "end_balance_gbp_p50": ("£", "median balance at the end of day H"),
}


def metric_unit(name: str) -> str:
    """Unit of an output metric (``""`` if unknown)."""
    return METRICS.get(name, ("", ""))[0]


def metrics_frame(values: Mapping[str, float], **labels: Any) -> pl.DataFrame:
    """A tidy frame ``metric, unit, equation, value`` (plus constant label columns).

    >>> metrics_frame({"runway_days": 76.0}, scenario="base").columns
    ['scenario', 'metric', 'unit', 'equation', 'value']
    """
    names = list(values)
    df = pl.DataFrame(
        {
            "metric": names,
            "unit": [METRICS.get(n, ("", ""))[0] for n in names],
            "equation": [METRICS.get(n, ("", ""))[1] for n in names],
            "value": [None if v is None else float(v) for v in values.values()],
        },
        schema={"metric": pl.String, "unit": pl.String, "equation": pl.String, "value": pl.Float64},
    )
    if labels:
        df = df.select(*[pl.lit(v).alias(k) for k, v in labels.items()], pl.all())
    return df
