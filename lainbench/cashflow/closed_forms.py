"""Closed forms E1-E10 of the supplier cash-flow model (steady state, no randomness)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from lainbench.cashflow.rates import simple_rate_ear_pct
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
    invoice_gross_gbp: float
    vat_rate: float
    overdraft_rate_pct: float
    overdraft_ear_pct: float
    financing_rate_pct: float
    financing_ear_pct: float
    invoice_finance_discount_rate_pct: float
    invoice_finance_discount_ear_pct: float
    statutory_rate_ear_pct: float
    early_payment_discount_gbp_per_year: float
    early_payment_days_gained: float
    early_payment_implied_rate_simple_pct: float
    early_payment_implied_rate_compound_pct: float
    overdraft_interest_saved_gbp_per_year: float

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
    """E6: days of statutory interest for an invoice paid ``days_late`` past its agreed due day
    (or on the early-payment day): paid day minus the Act's relevant day, both from receipt.
    """
    if scenario.takes_early_payment:
        paid = float(scenario.early_payment_days)
    else:
        paid = scenario.approval_lag_days + scenario.terms_days + days_late
    return max(0.0, paid - scenario.statutory_relevant_offset_days)


def early_payment(scenario: SupplierScenario) -> dict[str, float]:
    """E11: what the buyer's early-payment offer costs the supplier, set against its overdraft.

    The supplier gives up ``d`` of each invoice to be paid on day ``t`` instead of the agreed day
    ``l + N`` (the contractual days gained, ``l + N - t``; lateness would add to them). Returns
    the discount given up a year (``d V``, ex VAT), the implied annual rate of the discount,
    simple and compound (:func:`lainbench.cashflow.rates.discount_implied_rate_pct`), the
    overdraft's nominal rate and EAR, and the overdraft interest the same early cash would save
    (``r_od V (l + N + D - t) / 365`` a year, the receivable carried on the overdraft). All
    zeros (rates nan) when no offer is made.

    >>> sc = SupplierScenario(early_payment_discount_pct=2, early_payment_days=10)
    >>> {k: round(v, 2) for k, v in early_payment(sc).items()}   # 2/10 net 30 at r_od 14.6 %
    {'early_payment_discount_gbp_per_year': 2400.0, 'early_payment_days_gained': 20.0, 'early_payment_implied_rate_simple_pct': 37.24, 'early_payment_implied_rate_compound_pct': 44.59, 'overdraft_rate_pct': 14.6, 'overdraft_ear_pct': 15.62, 'overdraft_interest_saved_gbp_per_year': 960.0}
    """
    s = scenario
    out = {
        "early_payment_discount_gbp_per_year": 0.0,
        "early_payment_days_gained": 0.0,
        "early_payment_implied_rate_simple_pct": math.nan,
        "early_payment_implied_rate_compound_pct": math.nan,
        "overdraft_rate_pct": s.overdraft_rate_pct_used,
        "overdraft_ear_pct": s.overdraft_ear_pct,
        "overdraft_interest_saved_gbp_per_year": 0.0,
    }
    if not s.takes_early_payment:
        return out
    from lainbench.cashflow.rates import discount_implied_rate_pct

    net = s.approval_lag_days + s.terms_days
    t = s.early_payment_days
    d = s.early_payment_discount_pct
    out["early_payment_discount_gbp_per_year"] = d / 100 * s.annual_value_gbp
    out["early_payment_days_gained"] = float(net - t)
    if net > t:
        out["early_payment_implied_rate_simple_pct"] = discount_implied_rate_pct(d, t, net)
        out["early_payment_implied_rate_compound_pct"] = discount_implied_rate_pct(
            d, t, net, compound=True)
    waited = net + s.days_late - t
    out["overdraft_interest_saved_gbp_per_year"] = (
        s.overdraft_rate_pct_used / 100 * s.annual_value_gbp * max(0.0, waited) / DAYS_PER_YEAR)
    return out


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
    E6 and E7 are per invoice (and per year: x 365 / B). E6 follows the Act as
    :mod:`lainbench.late_payment` does: interest runs from the day after the relevant day
    (:attr:`SupplierScenario.statutory_relevant_offset_days`: for a public buyer ``min(l + N,
    29)`` days after receipt, s.4(2D)-(2H), so 30-day terms paid on the agreed day already owe
    one day), on the sum owed ``I (1 + vat)``, with the s.5A band on that sum. E10 is for the
    buyer paying on time (``days_faster = D``); E11 (:func:`early_payment`) prices an
    early-payment offer, whose discount enters the annual cost. Every nominal rate has its EAR.

    >>> ss = steady_state(SupplierScenario(days_late=10, statutory_rate_pct=11.75))
    >>> round(ss.receivables_gbp, 2), round(ss.statutory_interest_per_invoice_gbp, 2)
    (13150.68, 41.91)
    """
    s = scenario
    v, b, c = s.annual_value_gbp, s.billing_interval_days, s.variable_cost_share
    d, dpo = s.days_late, s.supplier_payables_days
    f = s.fixed_overhead_gbp_per_day
    r = s.financing_rate_pct_used / 100
    r_od = s.overdraft_rate_pct_used / 100
    inv = s.invoice_amount_gbp
    to_cash = s.invoice_to_cash_days

    ar = v * to_cash / DAYS_PER_YEAR
    wip = v * (b / 2) / DAYS_PER_YEAR
    f_avg = max(0.0, c * v * (b / 2 + to_cash - dpo) / DAYS_PER_YEAR)
    peak = max(0.0, c * v * (b + to_cash - dpo) / DAYS_PER_YEAR) + f * (b + to_cash)
    burn = c * v / DAYS_PER_YEAR + f
    runway = (s.opening_cash_gbp + s.overdraft_limit_gbp) / burn if burn > 0 else math.inf

    from lainbench.late_payment import fixed_compensation_gbp

    # E6 on the sum owed, VAT included (the Act's debt): I (1 + vat); costs stay ex VAT
    gross = s.invoice_gross_gbp
    stat_rate = s.statutory_rate_pct_used
    stat_days = _statutory_days(s, d)
    stat_interest = gross * stat_rate / 100 * stat_days / DAYS_PER_YEAR
    comp = fixed_compensation_gbp(gross) if stat_days > 0 else 0.0
    early = early_payment(s)

    adv, r_d, fee = (
        s.invoice_finance_advance_share,
        s.discount_rate_pct_used / 100,
        s.invoice_finance_service_fee_pct / 100,
    )
    if_cost = adv * inv * r_d * to_cash / DAYS_PER_YEAR + fee * inv
    od_cost = adv * inv * r_od * to_cash / DAYS_PER_YEAR

    share_v, share_m, won = _insurance_e9(s)
    released = cash_released(s, d)
    annual = r * f_avg + s.insurance_extra_premium_gbp + early["early_payment_discount_gbp_per_year"]
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
        own_cost_of_lateness_per_invoice_gbp=(
            0.0 if s.takes_early_payment else inv * r_od * d / DAYS_PER_YEAR),
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
        invoice_gross_gbp=gross,
        vat_rate=s.vat_rate,
        financing_rate_pct=s.financing_rate_pct_used,
        financing_ear_pct=s.financing_ear_pct,
        invoice_finance_discount_rate_pct=s.discount_rate_pct_used,
        invoice_finance_discount_ear_pct=s.discount_ear_pct,
        statutory_rate_ear_pct=simple_rate_ear_pct(stat_rate),
        **early,
    )
