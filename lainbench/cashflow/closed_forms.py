"""Closed forms E1-E10 of the supplier cash-flow model (steady state, no randomness)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from lainbench.cashflow.scenario import DAYS_PER_YEAR, SupplierScenario, metrics_frame


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
