"""Small-supplier cash flow: what slow payment and insurance demands do to an MSME.

The model of ``reference/economics.md`` section 5, built as specified:

* :class:`SupplierScenario` - the inputs of 5.1 under readable names with units, defaults and
  sources in ``params/cashflow_assumptions.yaml``;
* :func:`steady_state` - the closed forms E1-E5 and E10, with E6 (statutory interest) and E7
  (invoice finance against an overdraft) per invoice for a deterministic delay, and E8-E9
  (insurance) folded into the supplier's annual picture;
* :func:`simulate` - the daily ledger of 5.3, vectorised over paths with numpy: per-path results
  as a polars frame and a summary (probability of a shortfall, peak-need and overdraft-day
  percentiles, overdraft interest, statutory interest and compensation due);
* :func:`balance_bands` - the daily percentile bands of the balance, for a fan chart;
* :func:`member_shortfall` - the same supplier paid the way each member pays its own invoices;
* :func:`compare_levers` - a grid of buyer levers (terms, late share, approval lag, insurance)
  in one tidy table with the change against the baseline.

Conventions (5.0): day 0 is contract start, days ``t = 1..H``; invoice ``k`` of ``I = V B / 365``
is issued at the end of day ``kB``, due on day ``kB + l + N`` and received on day
``R_k = kB + l + N + D_k``. Each day the costs are paid (``c V / 365`` from day ``1 + DPO``, plus
``F``), the intraday low is recorded, receipts are credited, and overdraft interest accrues on a
negative end-of-day balance at ``r_od / 365``, debited every 30 days. A shortfall on day ``t`` is
``low_t < -L_od``.

Deviations from the sketch in 5.3, each for a stated reason:

* Only the ``K = floor(H / B)`` invoices issued within the horizon are drawn (the sketch's
  ``+ 1`` invoice is issued after day ``H`` and can never be received within it).
* Interest debited every 30 days is fed back into the balance exactly, as 5.0 specifies; the
  debit on day ``30j`` reduces balances from day ``30j + 1``. "Overdraft days" count the days whose
  end-of-day balance, before that day's debit, is negative (the days interest accrues).
* Statutory interest (E6) uses the rate in force for interest starting on the scenario's
  ``start_date`` for every invoice: one rate per scenario, where the Act fixes one per debt (it
  can change twice in a year; a small approximation that keeps the simulation vectorised). It is
  counted for invoices **paid within the horizon** and worked to the penny as
  :func:`lainbench.late_payment.statutory_interest` does. The debt is the ex-VAT invoice ``I``.
* The simulated average funding need (E3's counterpart) is averaged over whole billing cycles
  after the first invoice falls due (days ``W..H``), so the start-up ramp does not dilute it.
* Random numbers: ``u`` then ``z`` (n x K each, float32) from ``default_rng(seed)``, shared by
  every scenario run with the same seed (common random numbers), so lever comparisons are not noise.

How it runs fast: :func:`simulate` evaluates each path only at its receipts and interest debits
(the lowest balance can only fall just before a receipt or on day H); :func:`balance_bands` runs the
full day-by-day ledger but keeps the paths' balances, net of the costs common to all paths, in a
sorted array updated only for the paths paid that day, so daily percentiles are lookups. Both agree
exactly with a naive day-by-day ledger (``tests/test_cashflow.py``, ``benchmarks/cashflow_mc.py``).

>>> sc = SupplierScenario(statutory_rate_pct=11.75)
>>> ss = steady_state(sc)
>>> round(ss.peak_need_gbp, 2), round(ss.runway_days, 2)   # 0.8*120000*60/365; 20000/(96000/365)
(15780.82, 76.04)
>>> res = simulate(sc, "deterministic", n_paths=4, horizon_days=365, seed=1)
>>> res.summary["shortfall_probability"], round(res.summary["peak_need_gbp_p50"], 2)
(0.0, 15780.82)
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lainbench.delays import (
    DELAY_PROFILES,
    DelayModel,
    FixedDelay,
    assumption,
    delay_profile,
    describe,
    member_delays,
    read_invoices,
)
from lainbench.errors import ParamsError
from lainbench.params import RunParams, format_validation_error

DAYS_PER_YEAR = 365
DEBIT_INTERVAL_DAYS = 30  # overdraft interest is debited every 30 days (5.0, step 5)
DEFAULT_SEED = 20260401
DEFAULT_START_DATE = dt.date(2026, 1, 1)

Gbp = Annotated[float, Field(ge=0)]
WholeDays = Annotated[int, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]
RatePct = Annotated[float, Field(ge=0, le=100)]
InsuranceStage = Literal["at_award", "at_bid"]


def _ref(name: str):
    """A pydantic default factory reading ``name`` from ``params/cashflow_assumptions.yaml``."""
    return lambda: assumption(name)


# ---------------------------------------------------------------------------------------------
# Scenario


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

    model_config = ConfigDict(extra="forbid", frozen=True)

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
        True, description="public-authority buyer: statutory interest runs from 30 days at most"
    )
    start_date: dt.date = Field(
        DEFAULT_START_DATE, description="contract start (day 0); fixes the statutory rate"
    )
    statutory_rate_pct: RatePct | None = Field(
        None,
        description="statutory late-payment rate, % a year (None: from lainbench.late_payment)",
    )

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
    def invoice_to_cash_days(self) -> float:
        """``l + N + D``."""
        return self.approval_lag_days + self.terms_days + self.days_late

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
    def statutory_period_days(self) -> int:
        """Longest period before statutory interest runs: 30 days (public) or 60 (others)."""
        from lainbench.late_payment import PRIVATE_PERIOD_DAYS, PUBLIC_PERIOD_DAYS

        return PUBLIC_PERIOD_DAYS if self.buyer_is_public_authority else PRIVATE_PERIOD_DAYS

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


# ---------------------------------------------------------------------------------------------
# Metric catalogue: units and the equation each output comes from

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
    "statutory_interest_days": ("days", "E6 paid day - relevant day, per invoice"),
    "statutory_interest_per_invoice_gbp": ("£", "E6 I rate D_int / 365"),
    "compensation_per_invoice_gbp": ("£", "E6 s.5A fixed sum (£40/£70/£100)"),
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
    "annual_cost_gbp": ("£/year", "E3 financing cost + E8 extra premium"),
    "cost_per_gbp": ("£ per £ of contract", "(E3 financing cost + E8 dP) / V"),
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


# ---------------------------------------------------------------------------------------------
# Closed forms (5.2)


@dataclass(frozen=True)
class SteadyState:
    """Closed-form outputs E1-E10 for a deterministic delay ``D`` (see :data:`METRICS`)."""

    invoice_amount_gbp: float
    invoice_to_cash_days: float
    receivables_gbp: float
    work_in_progress_gbp: float
    receivable_carrying_cost_gbp: float
    receivable_carrying_cost_per_gbp: float
    cost_per_day_late_gbp: float
    average_funding_need_gbp: float
    financing_cost_gbp: float
    financing_cost_per_gbp: float
    peak_need_gbp: float
    runway_days: float
    viability_margin_days: float
    statutory_rate_pct: float
    statutory_interest_days: float
    statutory_interest_per_invoice_gbp: float
    compensation_per_invoice_gbp: float
    statutory_due_per_year_gbp: float
    own_cost_of_lateness_per_invoice_gbp: float
    invoice_finance_cost_per_invoice_gbp: float
    overdraft_cost_same_advance_per_invoice_gbp: float
    invoice_finance_cost_per_year_gbp: float
    overdraft_cost_same_advance_per_year_gbp: float
    insurance_extra_premium_gbp: float
    insurance_share_of_value_pct: float
    insurance_share_of_margin_pct: float
    insurance_cost_per_contract_won_gbp: float
    cash_released_if_on_time_gbp: float
    financing_saved_if_on_time_gbp: float
    annual_cost_gbp: float
    cost_per_gbp: float

    def to_dict(self) -> dict[str, float]:
        """All outputs by name."""
        return asdict(self)

    def to_frame(self, **labels: Any) -> pl.DataFrame:
        """Tidy ``metric, unit, equation, value``."""
        return metrics_frame(self.to_dict(), **labels)

    @property
    def shortfall_expected(self) -> bool:
        """E5: the runway ends before the first receipt."""
        return self.viability_margin_days < 0


def cash_released(scenario: SupplierScenario, days_faster: float) -> dict[str, float]:
    """E10: one-off cash released, and yearly financing saved, if the buyer pays ``days_faster``.

    >>> out = cash_released(SupplierScenario(), 10)   # r = 14.6 %, V = 120,000, c = 0.8
    >>> {k: round(v, 2) for k, v in out.items()}
    {'cash_released_gbp': 3287.67, 'financing_saved_cost_basis_gbp': 384.0, 'financing_saved_receivable_basis_gbp': 480.0}
    """
    v, r, c = (
        scenario.annual_value_gbp,
        scenario.financing_rate_pct_used / 100,
        scenario.variable_cost_share,
    )
    return {
        "cash_released_gbp": v * days_faster / DAYS_PER_YEAR,
        "financing_saved_cost_basis_gbp": r * c * v * days_faster / DAYS_PER_YEAR,
        "financing_saved_receivable_basis_gbp": r * v * days_faster / DAYS_PER_YEAR,
    }


def _statutory_days(scenario: SupplierScenario, days_late: float) -> float:
    """E6: days of statutory interest for an invoice ``days_late`` past its agreed due day."""
    due_after_receipt = scenario.approval_lag_days + scenario.terms_days
    relevant = min(due_after_receipt, scenario.statutory_period_days)
    return max(0.0, due_after_receipt + days_late - relevant)


def _insurance_e9(scenario: SupplierScenario) -> tuple[float, float, float]:
    """E9 through :mod:`lainbench.insurance`: share of value and of margin (%), cost per win."""
    dp = scenario.insurance_extra_premium_gbp
    if dp == 0:
        return 0.0, 0.0, 0.0
    from lainbench import insurance

    v, margin = scenario.annual_value_gbp, 1 - scenario.variable_cost_share
    share_v = 100 * insurance.share_of_contract_value(dp, v)
    share_m = 100 * insurance.share_of_margin(dp, v, margin) if margin > 0 else math.inf
    won = insurance.cost_per_contract_won_gbp(
        dp, scenario.insurance_hold_years, scenario.win_probability, scenario.insurance_stage
    )
    return share_v, share_m, won


def steady_state(scenario: SupplierScenario) -> SteadyState:
    """Closed forms E1-E10 of economics.md 5.2 for the scenario's deterministic delay ``D``.

    E3 uses variable costs only, as written in 5.2 (fixed overhead enters E4 and E5).
    E6 and E7 are per invoice (and per year: x 365 / B); for a public buyer interest runs from
    ``min(due, receipt + 30)`` (s.4(2D)), so terms beyond 30 days accrue interest even when paid
    on the agreed day. E10 is for the buyer paying on time (``days_faster = D``).

    >>> ss = steady_state(SupplierScenario(days_late=10, statutory_rate_pct=11.75))
    >>> round(ss.receivables_gbp, 2), round(ss.statutory_interest_per_invoice_gbp, 2)
    (13150.68, 31.75)
    """
    s = scenario
    v, b, c = s.annual_value_gbp, s.billing_interval_days, s.variable_cost_share
    lag, n, d, dpo = s.approval_lag_days, s.terms_days, s.days_late, s.supplier_payables_days
    f = s.fixed_overhead_gbp_per_day
    r = s.financing_rate_pct_used / 100
    r_od = s.overdraft_rate_pct_used / 100
    inv = s.invoice_amount_gbp
    to_cash = lag + n + d

    ar = v * to_cash / DAYS_PER_YEAR
    wip = v * (b / 2) / DAYS_PER_YEAR
    f_avg = max(0.0, c * v * (b / 2 + to_cash - dpo) / DAYS_PER_YEAR)
    peak = max(0.0, c * v * (b + to_cash - dpo) / DAYS_PER_YEAR) + f * (b + to_cash)
    burn = c * v / DAYS_PER_YEAR + f
    runway = (s.opening_cash_gbp + s.overdraft_limit_gbp) / burn if burn > 0 else math.inf

    from lainbench.late_payment import fixed_compensation_gbp

    stat_rate = s.statutory_rate_pct_used
    stat_days = _statutory_days(s, d)
    stat_interest = inv * stat_rate / 100 * stat_days / DAYS_PER_YEAR
    comp = fixed_compensation_gbp(inv) if stat_days > 0 else 0.0

    adv, r_d, fee = (
        s.invoice_finance_advance_share,
        s.discount_rate_pct_used / 100,
        s.invoice_finance_service_fee_pct / 100,
    )
    if_cost = adv * inv * r_d * to_cash / DAYS_PER_YEAR + fee * inv
    od_cost = adv * inv * r_od * to_cash / DAYS_PER_YEAR

    share_v, share_m, won = _insurance_e9(s)
    released = cash_released(s, d)
    annual = r * f_avg + s.insurance_extra_premium_gbp
    return SteadyState(
        invoice_amount_gbp=inv,
        invoice_to_cash_days=to_cash,
        receivables_gbp=ar,
        work_in_progress_gbp=wip,
        receivable_carrying_cost_gbp=r * ar,
        receivable_carrying_cost_per_gbp=r * to_cash / DAYS_PER_YEAR,
        cost_per_day_late_gbp=v * r / DAYS_PER_YEAR,
        average_funding_need_gbp=f_avg,
        financing_cost_gbp=r * f_avg,
        financing_cost_per_gbp=r * f_avg / v,
        peak_need_gbp=peak,
        runway_days=runway,
        viability_margin_days=runway - (b + to_cash),
        statutory_rate_pct=stat_rate,
        statutory_interest_days=stat_days,
        statutory_interest_per_invoice_gbp=stat_interest,
        compensation_per_invoice_gbp=comp,
        statutory_due_per_year_gbp=(stat_interest + comp) * s.invoices_per_year,
        own_cost_of_lateness_per_invoice_gbp=inv * r_od * d / DAYS_PER_YEAR,
        invoice_finance_cost_per_invoice_gbp=if_cost,
        overdraft_cost_same_advance_per_invoice_gbp=od_cost,
        invoice_finance_cost_per_year_gbp=if_cost * s.invoices_per_year,
        overdraft_cost_same_advance_per_year_gbp=od_cost * s.invoices_per_year,
        insurance_extra_premium_gbp=s.insurance_extra_premium_gbp,
        insurance_share_of_value_pct=share_v,
        insurance_share_of_margin_pct=share_m,
        insurance_cost_per_contract_won_gbp=won,
        cash_released_if_on_time_gbp=released["cash_released_gbp"],
        financing_saved_if_on_time_gbp=released["financing_saved_cost_basis_gbp"],
        annual_cost_gbp=annual,
        cost_per_gbp=annual / v,
    )


# ---------------------------------------------------------------------------------------------
# Simulation (5.3)


def resolve_delay(delay: DelayModel | str, scenario: SupplierScenario) -> DelayModel:
    """A delay model from a model or a name (a 5.1 profile, or ``"deterministic"`` = ceil(D)).

    >>> resolve_delay("deterministic", SupplierScenario(days_late=4.2)).days
    4.2
    """
    if isinstance(delay, str):
        if delay == "deterministic":
            return FixedDelay(scenario.days_late)
        if delay in DELAY_PROFILES:
            return delay_profile(delay)
        raise ParamsError(
            f"delay = {delay!r} is unknown; use deterministic, one of {', '.join(DELAY_PROFILES)}, "
            "or a delay model (lainbench.delays.empirical_delay for a member's own invoices)"
        )
    if not hasattr(delay, "days_late"):
        raise ParamsError(f"delay = {delay!r} is not a delay model (it has no days_late method)")
    return delay


def _check_run(n_paths: int, horizon_days: int, seed: int | None) -> None:
    if not isinstance(n_paths, (int, np.integer)) or isinstance(n_paths, bool) or n_paths < 1:
        raise ParamsError(f"n_paths = {n_paths!r}; expected a whole number above 0")
    if not isinstance(horizon_days, (int, np.integer)) or horizon_days < 1:
        raise ParamsError(
            f"horizon_days = {horizon_days!r}; expected a whole number of days above 0"
        )
    if seed is not None and (not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ParamsError(f"seed = {seed!r}; expected a whole number, 0 or more (or None)")


@dataclass(frozen=True)
class _Draws:
    """Receipt days of every invoice on every path."""

    issue_day: np.ndarray  # (K,) kB
    days_late: np.ndarray  # (n, K) D_k
    receipt_day: np.ndarray  # (n, K) R_k


def _draw(
    scenario: SupplierScenario, delay: DelayModel, n_paths: int, horizon_days: int, seed: int | None
) -> _Draws:
    """Draw ``u`` then ``z`` (n x K each, float32) from ``default_rng(seed)``; turn them into receipts."""
    k = horizon_days // scenario.billing_interval_days
    rng = np.random.default_rng(seed)
    u = rng.random((n_paths, k), dtype=np.float32)
    z = rng.standard_normal((n_paths, k), dtype=np.float32)
    d = np.asarray(delay.days_late(u, z), dtype=np.int64)
    issue = np.arange(1, k + 1, dtype=np.int64) * scenario.billing_interval_days
    receipt = (issue + scenario.approval_lag_days + scenario.terms_days)[None, :] + d
    return _Draws(issue, d, receipt)


def _cumulative_costs(scenario: SupplierScenario, horizon_days: int) -> np.ndarray:
    """``cc[t]`` = costs paid on days 1..t, for t = 0..H+1 (non-decreasing)."""
    t = np.arange(horizon_days + 2, dtype=np.float64)
    return (
        scenario.variable_cost_gbp_per_day * np.maximum(0.0, t - scenario.supplier_payables_days)
        + scenario.fixed_overhead_gbp_per_day * t
    )


def _funding_window_start(scenario: SupplierScenario, horizon_days: int) -> int:
    """First day W of the whole billing cycles after invoice 1 falls due, ending on day H."""
    b = scenario.billing_interval_days
    first_due = b + scenario.approval_lag_days + scenario.terms_days
    cycles = (horizon_days - first_due) // b
    return horizon_days - cycles * b + 1 if cycles >= 1 else 1


def _invoice_outputs(
    scenario: SupplierScenario, draws: _Draws, horizon_days: int
) -> dict[str, np.ndarray]:
    """Per path: invoices paid and late within H, statutory interest and compensation (E6), own
    cost of lateness, and the simulated mean cost-basis funding need (E3)."""
    from lainbench.late_payment import DAY_BASIS, fixed_compensation_gbp

    s, h = scenario, horizon_days
    paid = draws.receipt_day <= h
    late_days = draws.days_late * paid  # D_k of invoices paid within H, else 0
    # E6: relevant day = receipt + min(l + N, 30 or 60); interest to the penny, integer pence
    relevant = draws.issue_day + min(s.approval_lag_days + s.terms_days, s.statutory_period_days)
    stat_days = np.maximum(draws.receipt_day - relevant[None, :], 0)
    stat_days *= paid
    # interest in whole pence, half-up, as late_payment.statutory_interest: exact integers, one
    # per possible number of days (a table, as int64 division over n x K is slow)
    amount_pence = math.floor(s.invoice_amount_gbp * 100 + 0.5)
    rate_bp = round(s.statutory_rate_pct_used * 100)
    den = DAY_BASIS * 10_000
    table = np.array(
        [
            (2 * amount_pence * rate_bp * d + den) // (2 * den)
            for d in range(int(stat_days.max(initial=0)) + 1)
        ],
        dtype=np.int64,
    )
    pence = table[stat_days]  # 0 when stat_days == 0
    comp = fixed_compensation_gbp(s.invoice_amount_gbp)
    own = s.invoice_amount_gbp * s.overdraft_rate_pct_used / 100 / DAYS_PER_YEAR
    # E3 simulated: mean over days W..H of c (V t / 365 - I count_t) - c V min(t, DPO) / 365
    w = _funding_window_start(s, h)
    t = np.arange(w, h + 1, dtype=np.float64)
    count_days = ((h + 1 - np.maximum(draws.receipt_day, w)) * paid).sum(axis=1)
    a = s.variable_cost_gbp_per_day
    need = (
        a * t.sum()
        - s.variable_cost_share * s.invoice_amount_gbp * count_days
        - a * np.minimum(t, s.supplier_payables_days).sum()
    ) / t.size
    late_total = late_days.sum(axis=1)
    return {
        "invoices_paid": paid.sum(axis=1),
        "late_invoices": (late_days > 0).sum(axis=1),
        "days_late_total": late_total,
        "statutory_interest_gbp": pence.sum(axis=1) / 100,
        "fixed_compensation_gbp": comp * (stat_days > 0).sum(axis=1),
        "own_cost_of_lateness_gbp": own * late_total,
        "mean_funding_need_gbp": np.maximum(need, 0.0),
    }


def _first_day_above(x: np.ndarray, scenario: SupplierScenario, cc_ext: np.ndarray) -> np.ndarray:
    """First day ``t`` in ``0..H+2`` with ``cc[t] > x`` (``H + 2`` if none), for every path.

    ``cc`` is convex and piecewise linear (slope ``F`` up to day DPO, then ``c V / 365 + F``), so
    the answer is the earlier of the two lines' crossing days; one step either way then makes it
    agree exactly with the ``cc`` array as computed. (``numpy.searchsorted`` with 100,000 unsorted
    keys was 100 times slower.)
    """
    a, f = scenario.variable_cost_gbp_per_day, scenario.fixed_overhead_gbp_per_day
    dpo = scenario.supplier_payables_days
    last = cc_ext.size - 1  # H + 2, where cc_ext is +inf
    if a + f <= 0:
        t = (x >= 0) * np.int64(last)
    else:
        with np.errstate(over="ignore"):  # a tiny daily cost: the crossing day is beyond H
            t = np.floor((x + a * dpo) / (a + f)) + 1
            if f > 0:
                np.minimum(t, np.floor(x / f) + 1, out=t)
        t = np.clip(t, 0, last).astype(np.int64)
        t *= x >= 0
    t -= (cc_ext[np.maximum(t - 1, 0)] > x) & (t > 0)
    t += cc_ext[t] <= x
    return t


def _ledger_events(
    scenario: SupplierScenario, receipt_day: np.ndarray, horizon_days: int
) -> dict[str, np.ndarray]:
    """Per-path ledger results evaluated only at events (fast path, exact).

    Between events (receipts, and overdraft-interest debits every 30 days) the end-of-day balance
    is ``level - cc[t]``: costs only. So the lowest intraday balance falls just before a receipt or
    on day H, and the overdraft days, interest and first shortfall day in a stretch follow from
    the first day the cumulative costs pass a level, and their prefix sums. A loop over the
    K + H/30 events (never over paths or days), written with in-place arithmetic on masks.
    """
    s, h = scenario, horizon_days
    n = receipt_day.shape[0]
    cc = _cumulative_costs(s, h)
    cc_ext = np.append(cc, np.inf)
    prefix = np.cumsum(cc)  # prefix[t] = cc[0] + ... + cc[t]
    c0, limit, inv = s.opening_cash_gbp, s.overdraft_limit_gbp, s.invoice_amount_gbp
    r = s.overdraft_rate_pct_used / 100 / DAYS_PER_YEAR
    codes = (np.minimum(receipt_day, h + 1) * 2 + 1).astype(np.int32)  # receipts: on their day
    if r > 0:
        j = h // DEBIT_INTERVAL_DAYS
        debits = (np.arange(1, j + 1, dtype=np.int32) * DEBIT_INTERVAL_DAYS + 1) * 2  # from 30j+1
        codes = np.concatenate([codes, np.broadcast_to(debits, (n, j))], axis=1)
    codes = np.ascontiguousarray(np.sort(codes, axis=1).T)  # one row per event

    level = np.full(n, c0, dtype=np.float64)
    cur = np.ones(n, dtype=np.int64)
    accrued = np.zeros(n)
    interest = np.zeros(n)
    od_days = np.zeros(n, dtype=np.int64)
    min_low = np.full(n, np.inf)
    first_short = np.full(n, h + 1, dtype=np.int64)
    never = 1e300

    def stretch(stop: np.ndarray) -> None:
        """Days cur .. stop-1, where the pre-debit balance is level - cc[t]."""
        hi = stop - 1
        first = _first_day_above(level, s, cc_ext)
        start = np.minimum(np.maximum(cur, first), stop)
        cnt = stop - start
        od_days[:] += cnt
        if r > 0:
            below = prefix[hi] - prefix[start - 1] - level * cnt
            accrued[:] += r * below
        above = first if limit == 0 else _first_day_above(level + limit, s, cc_ext)
        short = np.maximum(cur, above)
        short += (short > hi) * (h + 1 - short)
        np.minimum(first_short, short, out=first_short)

    for code in codes:
        day = np.minimum(code >> 1, h + 1).astype(np.int64)
        stretch(day)
        valid = day <= h
        is_receipt = valid & (code & 1).astype(bool)
        low = level - cc[day]
        np.minimum(min_low, low + (~is_receipt) * never, out=min_low)
        hit = is_receipt & (low < -limit)
        np.minimum(first_short, day + (~hit) * (h + 1 - day), out=first_short)
        level += inv * is_receipt
        if r > 0:
            debit = accrued * (valid & ~is_receipt)
            level -= debit
            interest += debit
            accrued -= debit
        cur = day
    stretch(np.full(n, h + 1, dtype=np.int64))
    np.minimum(min_low, level - cc[h], out=min_low)
    debit_on_last_day = r > 0 and h % DEBIT_INTERVAL_DAYS == 0
    end = level - cc[h] - (accrued if debit_on_last_day else 0.0)
    return {
        "lowest_balance_gbp": min_low,
        "first_shortfall_day": first_short,
        "overdraft_days": od_days,
        "overdraft_interest_gbp": interest + accrued,
        "end_balance_gbp": end,
    }


def _replace_sorted(srt: np.ndarray, old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """In the sorted multiset ``srt``, replace the values ``old`` by ``new`` (kept sorted)."""
    old_s = np.sort(old)
    pos = np.searchsorted(srt, old_s, side="left")
    pos += np.arange(old_s.size) - np.searchsorted(old_s, old_s, side="left")  # equal values
    srt = np.delete(srt, pos)
    new_s = np.sort(new)
    return np.insert(srt, np.searchsorted(srt, new_s, side="left"), new_s)


BAND_PERCENTILES = (5, 25, 50, 75, 95)


def _ledger_daily(
    scenario: SupplierScenario,
    receipt_day: np.ndarray,
    horizon_days: int,
    *,
    stats: bool = True,
    percentiles: Sequence[float] = BAND_PERCENTILES,
    keep: bool = False,
) -> tuple[dict[str, np.ndarray], pl.DataFrame, np.ndarray | None]:
    """The full daily ledger: a loop over days, vectorised over paths.

    Every path's balance is carried day by day as ``key - cc[t]``, where ``key = C0 + I x
    receipts so far - interest debited`` and ``cc[t]`` (costs paid so far) is the same for all
    paths. Subtracting a common amount keeps the paths' order, so the daily percentile bands come
    from a sorted copy of ``key`` that changes only for the paths paid that day (and is re-sorted
    after each 30-day interest debit): exact order statistics without storing or partitioning an
    H x n matrix. ``stats`` adds the per-path results (the naive day-by-day counterpart of
    :func:`_ledger_events`); ``keep`` also returns the H x n float32 balances (for checks).
    """
    s, h = scenario, horizon_days
    n, k = receipt_day.shape
    cc = _cumulative_costs(s, h)
    c0, limit, inv = s.opening_cash_gbp, s.overdraft_limit_gbp, s.invoice_amount_gbp
    r = s.overdraft_rate_pct_used / 100 / DAYS_PER_YEAR
    # receipts grouped by day (a radix sort on small ints); receipts after H fall in bucket H+1
    flat = np.minimum(receipt_day, h + 1).ravel()
    order = np.argsort(flat.astype(np.int16 if h < 32_000 else np.int32), kind="stable")
    paths = (order // max(k, 1)).astype(np.intp)
    starts = np.searchsorted(flat[order], np.arange(h + 2))

    pos = np.asarray(percentiles, dtype=float) / 100 * (n - 1)
    q_lo, q_hi = np.floor(pos).astype(np.intp), np.ceil(pos).astype(np.intp)
    frac = pos - q_lo
    band = np.empty((h, len(pos)))
    mean = np.empty(h)
    overdrawn = np.empty(h)

    key = np.full(n, float(c0))
    srt = key.copy()
    total = float(c0) * n
    accrued = np.zeros(n)
    interest = np.zeros(n)
    od_days = np.zeros(n, dtype=np.int64)
    min_low = np.full(n, np.inf)
    first_short = np.full(n, h + 1, dtype=np.int64)
    balances = np.empty((h, n), dtype=np.float32) if keep else None
    tmp = np.empty(n)
    mask = np.empty(n, dtype=bool)
    for t in range(1, h + 1):
        cost = cc[t]
        if stats:  # intraday low: before today's receipts
            np.subtract(key, cost, out=tmp)
            np.minimum(min_low, tmp, out=min_low)
            np.less(tmp, -limit, out=mask)
            np.minimum(first_short, h + 1 - mask * (h + 1 - t), out=first_short)
        paid = paths[starts[t] : starts[t + 1]]
        if paid.size:
            who, times = np.unique(paid, return_counts=True)
            old = key[who]
            key[who] = old + inv * times
            srt = _replace_sorted(srt, old, key[who])
            total += inv * paid.size
        if r > 0 or stats:
            np.subtract(cost, key, out=tmp)  # minus the pre-debit end-of-day balance
            if stats:
                np.greater(tmp, 0.0, out=mask)
                od_days += mask
            if r > 0:
                np.maximum(tmp, 0.0, out=tmp)
                tmp *= r
                accrued += tmp
                if t % DEBIT_INTERVAL_DAYS == 0:
                    key -= accrued
                    total -= accrued.sum()
                    interest += accrued
                    accrued[:] = 0.0
                    srt = np.sort(key)
        if keep:
            np.subtract(key, cost, out=tmp)
            balances[t - 1] = tmp
        lo, hi = srt[q_lo], srt[q_hi]
        band[t - 1] = lo + frac * (hi - lo) - cost
        mean[t - 1] = total / n - cost
        overdrawn[t - 1] = np.searchsorted(srt, cost, side="left") / n  # key < cost
    cols: dict[str, Any] = {"day": np.arange(1, h + 1, dtype=np.int32)}
    for i, p in enumerate(percentiles):
        cols[f"balance_p{p:g}_gbp"] = band[:, i]
    cols["balance_mean_gbp"] = mean
    cols["share_overdrawn"] = overdrawn
    results: dict[str, np.ndarray] = {}
    if stats:
        results = {
            "lowest_balance_gbp": min_low,
            "first_shortfall_day": first_short,
            "overdraft_days": od_days,
            "overdraft_interest_gbp": interest + accrued,
            "end_balance_gbp": key - cc[h],
        }
    return results, pl.DataFrame(cols), balances


@dataclass(frozen=True)
class SimulationResult:
    """What :func:`simulate` returns: per-path results, a summary and (with the ledger) bands."""

    scenario: SupplierScenario
    delay: dict[str, Any]
    n_paths: int
    horizon_days: int
    seed: int | None
    paths: pl.DataFrame
    summary: dict[str, float]
    bands: pl.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def summary_frame(self, **labels: Any) -> pl.DataFrame:
        """Tidy ``metric, unit, equation, value``."""
        return metrics_frame(self.summary, **labels)


def _pcts(x: np.ndarray, qs: Sequence[float] = (5, 50, 95)) -> list[float]:
    return [float(v) for v in np.percentile(x, qs)] if x.size else [math.nan] * len(qs)


def _summarise(
    scenario: SupplierScenario, res: dict[str, np.ndarray], n: int, h: int
) -> dict[str, float]:
    short = res["first_shortfall_day"] <= h
    p = float(short.mean())
    peak = res["peak_need_gbp"]
    paid = float(res["invoices_paid"].sum())
    own = float(res["own_cost_of_lateness_gbp"].mean())
    low5, low50, low95 = _pcts(res["lowest_balance_gbp"])
    peak5, peak50, peak95 = _pcts(peak)
    od5, od50, od95 = _pcts(res["overdraft_days"])
    (int95,) = _pcts(res["overdraft_interest_gbp"], (95,))
    (first50,) = _pcts(res["first_shortfall_day"][short], (50,))
    (end50,) = _pcts(res["end_balance_gbp"], (50,))
    out = {
        "n_paths": float(n),
        "horizon_days": float(h),
        "late_invoice_share": float(res["late_invoices"].sum()) / paid if paid else math.nan,
        "mean_days_late": float(res["days_late_total"].sum()) / paid if paid else math.nan,
        "shortfall_probability": p,
        "shortfall_probability_se": math.sqrt(p * (1 - p) / n),
        "first_shortfall_day_p50": first50,
        "lowest_balance_gbp_p5": low5,
        "lowest_balance_gbp_p50": low50,
        "lowest_balance_gbp_p95": low95,
        "peak_need_gbp_mean": float(peak.mean()),
        "peak_need_gbp_p5": peak5,
        "peak_need_gbp_p50": peak50,
        "peak_need_gbp_p95": peak95,
        "overdraft_days_mean": float(res["overdraft_days"].mean()),
        "overdraft_days_p5": od5,
        "overdraft_days_p50": od50,
        "overdraft_days_p95": od95,
        "overdraft_interest_gbp_mean": float(res["overdraft_interest_gbp"].mean()),
        "overdraft_interest_gbp_p95": int95,
        "statutory_interest_gbp_mean": float(res["statutory_interest_gbp"].mean()),
        "fixed_compensation_gbp_mean": float(res["fixed_compensation_gbp"].mean()),
        "statutory_due_gbp_mean": float(
            (res["statutory_interest_gbp"] + res["fixed_compensation_gbp"]).mean()
        ),
        "own_cost_of_lateness_gbp_mean": own,
        "statutory_interest_to_own_cost_ratio": (
            float(res["statutory_interest_gbp"].mean()) / own if own > 0 else math.nan
        ),
        "mean_funding_need_gbp": float(res["mean_funding_need_gbp"].mean()),
        "financing_cost_per_gbp_sim": float(
            scenario.financing_rate_pct_used
            / 100
            * res["mean_funding_need_gbp"].mean()
            / scenario.annual_value_gbp
        ),
        "end_balance_gbp_p50": end50,
    }
    return out


PATH_COLUMNS = (
    "path",
    "lowest_balance_gbp",
    "shortfall",
    "first_shortfall_day",
    "peak_need_gbp",
    "overdraft_days",
    "overdraft_interest_gbp",
    "end_balance_gbp",
    "invoices_paid",
    "late_invoices",
    "statutory_interest_gbp",
    "fixed_compensation_gbp",
    "own_cost_of_lateness_gbp",
    "mean_funding_need_gbp",
)


def simulate(
    scenario: SupplierScenario,
    delay: DelayModel | str = "deterministic",
    n_paths: int = 10_000,
    horizon_days: int = 365,
    seed: int | None = DEFAULT_SEED,
    *,
    ledger: bool = False,
    percentiles: Sequence[float] = BAND_PERCENTILES,
) -> SimulationResult:
    """Monte Carlo of the daily ledger (5.3) over ``n_paths`` paths of ``horizon_days`` days.

    Parameters
    ----------
    scenario
        The supplier and contract.
    delay
        A delay model (:mod:`lainbench.delays`), a profile name (``"uk_sme_2021"`` ...), or
        ``"deterministic"`` (every invoice ``ceil(scenario.days_late)`` days late).
    n_paths, horizon_days, seed
        Paths, days ``H`` and the seed of ``numpy.random.default_rng``: the same seed gives the
        same draws, and scenarios sharing a seed share their random numbers.
    ledger
        ``False`` (default): the fast summary, evaluating each path only at its receipts and
        interest debits (exact). ``True``: the full day-by-day ledger, which also returns the
        daily percentile bands in ``bands``; both give the same per-path results.

    Returns
    -------
    SimulationResult
        ``paths`` (one row per path: lowest balance, shortfall and its first day, peak need
        ``max(0, C0 - lowest)``, overdraft days and interest, statutory interest and
        compensation due, ...) and ``summary`` (see :data:`METRICS`).

    >>> sc = SupplierScenario(opening_cash_gbp=5_000, statutory_rate_pct=11.75)
    >>> res = simulate(sc, "uk_sme_2021", n_paths=2_000, seed=3)
    >>> 0 < res.summary["shortfall_probability"] <= 1, res.paths.height
    (True, 2000)
    """
    _check_run(n_paths, horizon_days, seed)
    model = resolve_delay(delay, scenario)
    draws = _draw(scenario, model, int(n_paths), int(horizon_days), seed)
    h = int(horizon_days)
    bands = None
    if ledger:
        res, bands, _ = _ledger_daily(scenario, draws.receipt_day, h, percentiles=percentiles)
    else:
        res = _ledger_events(scenario, draws.receipt_day, h)
    res.update(_invoice_outputs(scenario, draws, h))
    res["peak_need_gbp"] = np.maximum(0.0, scenario.opening_cash_gbp - res["lowest_balance_gbp"])
    summary = _summarise(scenario, res, int(n_paths), h)
    first = res["first_shortfall_day"]
    paths = (
        pl.DataFrame(
            {
                "path": np.arange(n_paths, dtype=np.int64),
                "lowest_balance_gbp": res["lowest_balance_gbp"],
                "shortfall": first <= h,
                "first_shortfall_day": first,
                "peak_need_gbp": res["peak_need_gbp"],
                "overdraft_days": res["overdraft_days"].astype(np.int64),
                "overdraft_interest_gbp": res["overdraft_interest_gbp"],
                "end_balance_gbp": res["end_balance_gbp"],
                "invoices_paid": res["invoices_paid"].astype(np.int64),
                "late_invoices": res["late_invoices"].astype(np.int64),
                "statutory_interest_gbp": res["statutory_interest_gbp"],
                "fixed_compensation_gbp": res["fixed_compensation_gbp"],
                "own_cost_of_lateness_gbp": res["own_cost_of_lateness_gbp"],
                "mean_funding_need_gbp": res["mean_funding_need_gbp"],
            }
        )
        .with_columns(
            pl.when(pl.col("shortfall"))
            .then(pl.col("first_shortfall_day"))
            .alias("first_shortfall_day")
        )
        .select(PATH_COLUMNS)
    )
    return SimulationResult(
        scenario=scenario,
        delay=describe(model),
        n_paths=int(n_paths),
        horizon_days=h,
        seed=seed,
        paths=paths,
        summary=summary,
        bands=bands,
    )


def balance_bands(
    scenario: SupplierScenario,
    delay: DelayModel | str = "deterministic",
    n_paths: int = 10_000,
    horizon_days: int = 365,
    seed: int | None = DEFAULT_SEED,
    percentiles: Sequence[float] = BAND_PERCENTILES,
) -> pl.DataFrame:
    """Daily percentile bands of the end-of-day balance, for a fan chart.

    One row per day: ``day``, ``balance_p5_gbp`` ... ``balance_p95_gbp`` (numpy's linear
    percentiles across paths), ``balance_mean_gbp`` and ``share_overdrawn`` (share of paths with
    a negative end-of-day balance). Every path is carried through every day, but the percentiles
    come from an incrementally updated sorted copy of the balances (see :func:`_ledger_daily`),
    so memory stays O(n). Same draws as :func:`simulate` for the same seed.

    >>> b = balance_bands(SupplierScenario(), "deterministic", n_paths=10, horizon_days=60)
    >>> b.height, round(b["balance_p50_gbp"][59], 2)   # 20000 - 60 x 263.01 + one invoice
    (60, 14082.19)
    """
    _check_run(n_paths, horizon_days, seed)
    model = resolve_delay(delay, scenario)
    draws = _draw(scenario, model, int(n_paths), int(horizon_days), seed)
    _, bands, _ = _ledger_daily(
        scenario, draws.receipt_day, int(horizon_days), stats=False, percentiles=percentiles
    )
    return bands


# ---------------------------------------------------------------------------------------------
# Members: each member's own payment behaviour


def member_shortfall(
    scenario: SupplierScenario,
    invoices,
    members: list[str] | Literal["all"] = "all",
    *,
    n_paths: int = 10_000,
    horizon_days: int = 365,
    seed: int | None = DEFAULT_SEED,
    size_bands: list[str] | None = None,
    min_invoices: int = 30,
) -> pl.DataFrame:
    """The same supplier paid the way each member pays: one simulation per member.

    Each member's delay model is the empirical distribution of days late in its own invoices
    (:func:`lainbench.delays.member_delays`), applied beyond the scenario's terms. Members with too
    few paid invoices get a row with null results and the ``reason``. Sorted by shortfall
    probability, highest first.

    >>> from lainbench.demo import invoices
    >>> t = member_shortfall(SupplierScenario(statutory_rate_pct=11.75), invoices(3_000, seed=1),
    ...                      ["city_fire", "nowhere"], n_paths=200)
    >>> t.select("buyer_org_id", "reason").rows()
    [('city_fire', None), ('nowhere', 'not in the invoice table')]
    """
    models, skipped = member_delays(
        invoices, members, size_bands=size_bands, min_invoices=min_invoices
    )
    rows = []
    for org, model in models.items():
        res = simulate(scenario, model, n_paths, horizon_days, seed)
        sm = res.summary
        rows.append(
            {
                "buyer_org_id": org,
                "paid_invoices": model.n_invoices,
                "late_share": model.late_share,
                "mean_days_late": model.mean_days_late,
                "days_late_p95": float(model.quantile(0.95)),
                "shortfall_probability": sm["shortfall_probability"],
                "shortfall_probability_se": sm["shortfall_probability_se"],
                "peak_need_gbp_p95": sm["peak_need_gbp_p95"],
                "overdraft_days_mean": sm["overdraft_days_mean"],
                "overdraft_interest_gbp_mean": sm["overdraft_interest_gbp_mean"],
                "statutory_due_gbp_mean": sm["statutory_due_gbp_mean"],
                "financing_cost_per_gbp_sim": sm["financing_cost_per_gbp_sim"],
                "reason": None,
            }
        )
    schema = {
        "buyer_org_id": pl.String,
        "paid_invoices": pl.Int64,
        "late_share": pl.Float64,
        "mean_days_late": pl.Float64,
        "days_late_p95": pl.Float64,
        "shortfall_probability": pl.Float64,
        "shortfall_probability_se": pl.Float64,
        "peak_need_gbp_p95": pl.Float64,
        "overdraft_days_mean": pl.Float64,
        "overdraft_interest_gbp_mean": pl.Float64,
        "statutory_due_gbp_mean": pl.Float64,
        "financing_cost_per_gbp_sim": pl.Float64,
        "reason": pl.String,
    }
    done = pl.DataFrame(rows, schema=schema)
    missing = skipped.select(
        "buyer_org_id",
        *[
            pl.lit(None, dtype=t).alias(c)
            for c, t in schema.items()
            if c not in ("buyer_org_id", "reason")
        ],
        "reason",
    )
    return pl.concat([done, missing]).sort(
        "shortfall_probability", "buyer_org_id", descending=[True, False], nulls_last=True
    )


# ---------------------------------------------------------------------------------------------
# Buyer levers


INSURANCE_REQUIREMENTS = ("gcloud14_initial", "gcloud14_revised")
COVERS = ("public_liability", "professional_indemnity", "employers_liability")

LEVER_GRID: dict[str, tuple[Any, ...]] = {
    "terms_days": (60, 30, 14),
    "delay_profile": ("uk_sme_2021", "public_bppc"),
    "approval_lag_days": (10, 0),
    "insurance_requirement": INSURANCE_REQUIREMENTS,
}
LEVERS = tuple(LEVER_GRID)


def insurance_cover(which: str) -> dict[str, float]:
    """Cover limits (£) by cover type: ``"held"`` by the supplier, or a G-Cloud 14 requirement.

    >>> insurance_cover("gcloud14_initial")["public_liability"]
    10000000.0
    """
    if which not in ("held", *INSURANCE_REQUIREMENTS):
        raise ParamsError(
            f"insurance requirement {which!r} is unknown; use held, "
            f"{', '.join(INSURANCE_REQUIREMENTS)}, or pass required={{cover: limit}}"
        )
    return {c: float(assumption(f"{which}_{c}_gbp")) for c in COVERS}


def lever_label(lever: str, value: Any) -> str:
    """Readable name of one lever setting.

    >>> lever_label("terms_days", 14), lever_label("insurance_requirement", "gcloud14_revised")
    ('terms 14 days', 'insurance: G-Cloud 14 revised')
    """
    if lever == "terms_days":
        return f"terms {value} days"
    if lever == "approval_lag_days":
        return f"approval lag {value} days"
    if lever == "delay_profile":
        return f"late payment: {value}"
    if lever == "insurance_requirement":
        return "insurance: " + str(value).replace("gcloud14_", "G-Cloud 14 ")
    return f"{lever} {value}"


def _extra_premium(held: Mapping[str, float], required: Mapping[str, float]) -> float:
    from lainbench import insurance  # written in parallel (issue 5); imported when needed

    return float(insurance.extra_premium_gbp(dict(held), dict(required)))


def compare_levers(
    base: SupplierScenario | None = None,
    *,
    grid: Mapping[str, Sequence[Any]] | None = None,
    n_paths: int = 20_000,
    horizon_days: int = 365,
    seed: int | None = DEFAULT_SEED,
    held: Mapping[str, float] | None = None,
    requirements: Mapping[str, Mapping[str, float]] | None = None,
) -> pl.DataFrame:
    """Every output of every buyer-lever combination, with the change against the baseline.

    The grid (default :data:`LEVER_GRID`) crosses terms 60 -> 30 -> 14 days, the delay profile
    ``uk_sme_2021`` -> ``public_bppc``, approval lag 10 -> 0 days and the insurance requirement
    G-Cloud 14 initial (£10m PL, £10m PI, £5m EL) -> revised (£1m, £1m, £5m) against the cover
    held (£1m, £1m, £5m); the first value of each lever is the baseline. Each scenario is
    simulated with the same seed (common random numbers), and the closed forms are evaluated at
    the profile's mean days late. Extra premiums come from :func:`lainbench.insurance.extra_premium_gbp`.

    Returns one tidy row per scenario and metric: ``scenario``, the four lever columns,
    ``levers_changed`` (how many differ from the baseline), ``lever`` (the one changed, ``"none"``
    or ``"several"``), ``metric``, ``unit``, ``value``, ``baseline_value``, ``change`` and
    ``change_pct``.

    >>> t = compare_levers(SupplierScenario(statutory_rate_pct=11.75), n_paths=500,
    ...                    grid={"terms_days": (60, 30)})
    >>> t.filter(pl.col("metric") == "invoice_to_cash_days").select("lever", "value", "change").rows()
    [('none', 60.0, 0.0), ('terms_days', 30.0, -30.0)]
    """
    base = base or SupplierScenario()
    grid = dict(grid) if grid is not None else dict(LEVER_GRID)
    unknown = sorted(set(grid) - set(LEVERS))
    if unknown:
        raise ParamsError(f"grid: unknown lever(s) {', '.join(unknown)}; use {', '.join(LEVERS)}")
    for lever, values in grid.items():
        if not values:
            raise ParamsError(f"grid: lever {lever} has no values; give at least one")
    held = dict(held) if held is not None else insurance_cover("held")
    premiums: dict[str, float] = {}
    for req in grid.get("insurance_requirement", ()):
        cover = (requirements or {}).get(req) or insurance_cover(req)
        premiums[req] = _extra_premium(held, cover)

    names = list(grid)
    combos = list(itertools.product(*(grid[k] for k in names)))
    frames = []
    baseline = combos[0]
    for combo in combos:
        levers = dict(zip(names, combo))
        changes: dict[str, Any] = {}
        if "terms_days" in levers:
            changes["terms_days"] = levers["terms_days"]
        if "approval_lag_days" in levers:
            changes["approval_lag_days"] = levers["approval_lag_days"]
        if "insurance_requirement" in levers:
            changes["insurance_extra_premium_gbp"] = premiums[levers["insurance_requirement"]]
        profile = levers.get("delay_profile")
        delay = delay_profile(profile) if profile else FixedDelay(base.days_late)
        sc = base.with_(**changes, days_late=delay.mean_days_late)
        values = steady_state(sc).to_dict()
        values.update(simulate(sc, delay, n_paths, horizon_days, seed).summary)
        changed = [k for k, v, b in zip(names, combo, baseline) if v != b]
        if changed:
            change_label = " + ".join(lever_label(k, levers[k]) for k in changed)
        else:
            change_label = "baseline: " + ", ".join(lever_label(k, v) for k, v in levers.items())
        label = " | ".join(f"{k}={v}" for k, v in levers.items())
        frames.append(
            metrics_frame(values)
            .select(
                pl.lit(label).alias("scenario"),
                *[pl.lit(levers.get(k)).alias(k) for k in LEVERS],
                pl.lit(len(changed)).alias("levers_changed"),
                pl.lit(change_label).alias("change_label"),
                pl.lit(
                    changed[0] if len(changed) == 1 else ("none" if not changed else "several")
                ).alias("lever"),
                pl.int_range(pl.len()).alias("_order"),
                "metric",
                "unit",
                "value",
            )
            .with_columns(pl.lit(len(frames)).alias("_scenario"))
        )
    out = pl.concat(frames, how="diagonal_relaxed")
    base_vals = out.filter(pl.col("_scenario") == 0).select(
        "metric", pl.col("value").alias("baseline_value")
    )
    out = (
        out.join(base_vals, on="metric", how="left")
        .with_columns(
            (pl.col("value") - pl.col("baseline_value")).alias("change"),
        )
        .with_columns(
            pl.when(pl.col("baseline_value") != 0)
            .then(100 * pl.col("change") / pl.col("baseline_value").abs())
            .otherwise(None)
            .alias("change_pct"),
        )
    )
    return out.sort("_scenario", "_order").drop("_scenario", "_order")


def one_lever_at_a_time(levers: pl.DataFrame) -> pl.DataFrame:
    """The baseline, each lever changed alone (in grid order), and all levers changed together.

    From :func:`compare_levers` output, with short labels for charts: ``change_label`` is
    "baseline", the lever's new setting ("terms 30 days"), or "all levers, terms 30 days" (naming
    only the levers with more than one alternative).
    """
    most = levers["levers_changed"].max()
    keep = levers.with_row_index("_row").filter(
        (pl.col("levers_changed") <= 1) | (pl.col("levers_changed") == most)
    )
    rank = {name: i + 1 for i, name in enumerate(LEVERS)}
    keep = keep.with_columns(
        pl.when(pl.col("lever") == "none")
        .then(pl.lit("baseline"))
        .otherwise(pl.col("change_label"))
        .alias("change_label")
    )
    if most is not None and most > 1:
        # all levers moved: name only the levers with more than one alternative (e.g. terms)
        several = [c for c in LEVERS if c in keep.columns and keep[c].n_unique() > 2]
        label = pl.lit("all levers")
        for c in several:
            label = (
                label
                + pl.lit(", ")
                + pl.col(c).map_elements(lambda v, c=c: lever_label(c, v), return_dtype=pl.String)
            )
        every = pl.col("levers_changed") == most
        keep = keep.with_columns(
            pl.when(every).then(pl.lit("all levers")).otherwise(pl.col("lever")).alias("lever"),
            pl.when(every).then(label).otherwise(pl.col("change_label")).alias("change_label"),
        )
    order = pl.col("lever").replace_strict(
        {"none": 0, **rank, "all levers": len(rank) + 1},
        default=len(rank) + 1,
        return_dtype=pl.Int64,
    )
    return keep.sort(order, "_row").drop("_row")


# ---------------------------------------------------------------------------------------------
# Notebook parameters


ProfileChoice = Literal[
    "ibm_sample", "uk_sme_2021", "xero_2018", "public_bppc", "deterministic", "member_invoices"
]
SizeBand = Literal["micro", "small", "medium", "large", "unknown"]


class SupplierCashflowParams(RunParams):
    """Parameters of ``notebooks/03_supplier_cashflow.ipynb`` (checked before a kernel starts).

    The supplier fields override the reference defaults of ``params/cashflow_assumptions.yaml``;
    ``delay_profile`` drives the fan chart (``member_invoices``: the pooled invoices of
    ``members``); the per-member chart always uses each member's own invoices.

    >>> SupplierCashflowParams(n_paths=-5)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for SupplierCashflowParams
    n_paths
      Input should be greater than 0 ...
    """

    # supplier profile
    annual_value_gbp: float = Field(default_factory=_ref("annual_value_gbp"), gt=0)
    billing_interval_days: int = Field(default_factory=_ref("billing_interval_days"), ge=1)
    terms_days: WholeDays = Field(default_factory=_ref("terms_days"))
    approval_lag_days: WholeDays = Field(default_factory=_ref("approval_lag_days"))
    days_late: float = Field(0.0, ge=0, description="D for the closed forms and 'deterministic'")
    variable_cost_share: Share = Field(default_factory=_ref("variable_cost_share"))
    supplier_payables_days: WholeDays = Field(default_factory=_ref("supplier_payables_days"))
    fixed_overhead_gbp_per_day: Gbp = Field(default_factory=_ref("fixed_overhead_gbp_per_day"))
    opening_cash_gbp: Gbp = Field(default_factory=_ref("opening_cash_gbp"))
    overdraft_limit_gbp: Gbp = Field(default_factory=_ref("overdraft_limit_gbp"))
    bank_rate_pct: RatePct = Field(default_factory=_ref("bank_rate_pct"))
    buyer_is_public_authority: bool = True
    start_date: dt.date = DEFAULT_START_DATE
    insurance_stage: InsuranceStage = "at_award"
    # delays and members
    delay_profile: ProfileChoice = "uk_sme_2021"
    members: list[str] | Literal["all"] = "all"
    size_bands: list[SizeBand] = Field(
        default_factory=lambda: ["micro", "small"],
        description="supplier size bands whose invoices count",
    )
    min_invoices: int = Field(30, gt=0, description="fewest paid invoices for a member's delays")
    # Monte Carlo
    n_paths: int = Field(100_000, gt=0)
    horizon_days: int = Field(365, gt=0, le=3650)
    seed: int = Field(DEFAULT_SEED, ge=0)
    # files
    invoices_path: str = "data/demo/invoice_payment.parquet"
    members_path: str = "data/demo/member.parquet"
    output_dir: str = "reports/supplier_cashflow"

    SCENARIO_FIELDS: ClassVar[tuple[str, ...]] = (
        "annual_value_gbp",
        "billing_interval_days",
        "terms_days",
        "approval_lag_days",
        "days_late",
        "variable_cost_share",
        "supplier_payables_days",
        "fixed_overhead_gbp_per_day",
        "opening_cash_gbp",
        "overdraft_limit_gbp",
        "bank_rate_pct",
        "buyer_is_public_authority",
        "start_date",
        "insurance_stage",
    )

    def scenario(self) -> SupplierScenario:
        """The supplier scenario these parameters describe."""
        return make_scenario(**{k: getattr(self, k) for k in self.SCENARIO_FIELDS})


def run_params(**values: Any) -> SupplierCashflowParams:
    """Validate notebook values (as papermill injected them) into :class:`SupplierCashflowParams`.

    >>> run_params(n_paths=0)
    Traceback (most recent call last):
    ...
    lainbench.errors.ParamsError: supplier_cashflow parameters: n_paths: Input should be greater than 0 (found 0)
    """
    try:
        return SupplierCashflowParams(**values)
    except ValidationError as exc:
        raise ParamsError(format_validation_error("supplier_cashflow parameters", exc)) from None


def params_from(namespace: Mapping[str, Any]) -> SupplierCashflowParams:
    """The notebook's parameters, picked by name from ``namespace`` (e.g. ``globals()``).

    >>> params_from({"n_paths": 500, "seed": 1, "unrelated": object()}).n_paths
    500
    """
    fields = SupplierCashflowParams.model_fields
    return run_params(**{k: v for k, v in namespace.items() if k in fields})


def notebook_delay(params: SupplierCashflowParams, invoices=None) -> DelayModel:
    """The delay model the notebook's fan chart uses: a named profile, the deterministic
    ``days_late``, or (``member_invoices``) the pooled invoices of ``params.members``.

    >>> notebook_delay(SupplierCashflowParams(delay_profile="xero_2018")).name
    'xero_2018'
    """
    if params.delay_profile == "member_invoices":
        if invoices is None:
            invoices = read_invoices(params.invoices_path)
        from lainbench.delays import empirical_delay

        who = None if params.members == "all" else params.members
        return empirical_delay(
            invoices,
            who,
            size_bands=params.size_bands,
            min_invoices=params.min_invoices,
            name="member invoices" if who is None else ", ".join(who),
        )
    return resolve_delay(params.delay_profile, params.scenario())


def scenario_table(scenario: SupplierScenario) -> pl.DataFrame:
    """The scenario's inputs as a table: ``input``, ``value``, ``meaning`` (with units).

    Derived rates (overdraft, financing, discount, statutory) are shown as used.

    >>> t = scenario_table(SupplierScenario(statutory_rate_pct=11.75))
    >>> t.filter(pl.col("input") == "overdraft_rate_pct")["value"][0]
    '14.6'
    """
    used = {
        "overdraft_rate_pct": scenario.overdraft_rate_pct_used,
        "financing_rate_pct": scenario.financing_rate_pct_used,
        "invoice_finance_discount_rate_pct": scenario.discount_rate_pct_used,
        "statutory_rate_pct": scenario.statutory_rate_pct_used,
    }
    rows = []
    for name, info in SupplierScenario.model_fields.items():
        value = used.get(name, getattr(scenario, name))
        rows.append(
            {
                "input": name,
                "value": f"{value:g}" if isinstance(value, float) else str(value),
                "meaning": info.description or "",
            }
        )
    return pl.DataFrame(rows)


def read_member_names(path: str | None) -> pl.DataFrame | None:
    """The member table (``org_id``, ``org_name``) for chart labels, or ``None`` if absent."""
    if not path:
        return None
    from lainbench.config import resolve

    p = resolve(path)
    if not p.exists():
        return None
    df = pl.read_parquet(p) if p.suffix == ".parquet" else pl.read_csv(p)
    return df.select("org_id", "org_name") if {"org_id", "org_name"} <= set(df.columns) else None
