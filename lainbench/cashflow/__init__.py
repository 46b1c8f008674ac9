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
* :func:`compare_levers` - a grid of buyer levers (terms, late share, approval lag, insurance),
  or named scenarios each combining any levers (also early payment, supply-chain finance and
  the proposed Commercial Payments Bill: :func:`commercial_payments_bill`), in one tidy table
  with the change against the baseline; :mod:`lainbench.cashflow.rates` gives the EAR of every
  nominal rate and the implied rate of a discount.

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
  :func:`lainbench.late_payment.statutory_interest` does, from the day after the Act's relevant
  day (:func:`lainbench.late_payment.relevant_day`: receipt + 29 at the latest for a public
  buyer). The debt is the sum owed, VAT included: ``I (1 + vat_rate)``; costs, margin and
  receipts stay ex VAT.
* The simulated average funding need (E3's counterpart) is averaged over whole billing cycles
  after the first invoice falls due (days ``W..H``), so the start-up ramp does not dilute it.
* Random numbers: ``u`` then ``z`` (n x K each, float32) from ``default_rng(seed)``, shared by
  every scenario run with the same seed (common random numbers), so lever comparisons are not noise.

How it runs fast: :func:`simulate` evaluates each path only at its receipts and interest debits
(the lowest balance can only fall just before a receipt or on day H); :func:`balance_bands` runs the
full day-by-day ledger but keeps the paths' balances, net of the costs common to all paths, in a
sorted array updated only for the paths paid that day, so daily percentiles are lookups. Both agree
exactly with a naive day-by-day ledger (``tests/cashflow/test_cashflow_model.py``, ``benchmarks/cashflow_mc.py``).

>>> sc = SupplierScenario(statutory_rate_pct=11.75)
>>> ss = steady_state(sc)
>>> round(ss.peak_need_gbp, 2), round(ss.runway_days, 2)   # 0.8*120000*60/365; 20000/(96000/365)
(15780.82, 76.04)
>>> res = simulate(sc, "deterministic", n_paths=4, horizon_days=365, seed=1)
>>> res.summary["shortfall_probability"], round(res.summary["peak_need_gbp_p50"], 2)
(0.0, 15780.82)
"""
from __future__ import annotations

from lainbench.cashflow.charts import (
    LABEL_LIMIT,
    LEVER_METRICS,
    WIDTH,
    balance_fan_chart,
    cost_per_gbp_chart,
    lever_chart,
    shortfall_by_member_chart,
)
from lainbench.cashflow.closed_forms import (
    SteadyState,
    cash_released,
    early_payment,
    steady_state,
)
from lainbench.cashflow.delays import (
    ASSUMPTIONS_FILE,
    DELAY_PROFILES,
    DelayModel,
    DelayProfileName,
    EmpiricalDelay,
    FixedDelay,
    LognormalDelay,
    assumption,
    assumptions,
    delay_profile,
    describe,
    empirical_delay,
    invoice_days_late,
    member_delays,
)
from lainbench.cashflow.levers import (
    COVERS,
    INSURANCE_REQUIREMENTS,
    LEVER_GRID,
    LEVERS,
    PAYMENT_LAWS,
    commercial_payments_bill,
    commercial_payments_bill_rules,
    compare_levers,
    early_payment_changes,
    insurance_cover,
    lever_label,
    one_lever_at_a_time,
)
from lainbench.cashflow.notebook import (
    DEFAULT_POLICY_SCENARIOS,
    POLICY_METRICS,
    ProfileChoice,
    SizeBand,
    SupplierCashflowParams,
    notebook_delay,
    params_from,
    policy_table,
    run_params,
    scenario_table,
    vat_basis_note,
)
from lainbench.cashflow.rates import (
    discount_implied_rate_pct,
    effective_annual_rate_pct,
    parse_discount_terms,
    simple_rate_ear_pct,
    supply_chain_finance_discount_pct,
)
from lainbench.cashflow.scenario import (
    DAYS_PER_YEAR,
    DEBIT_INTERVAL_DAYS,
    DEFAULT_SEED,
    DEFAULT_START_DATE,
    METRICS,
    Gbp,
    InsuranceStage,
    PaymentLaw,
    RatePct,
    Share,
    SupplierScenario,
    WholeDays,
    make_scenario,
    metric_unit,
    metrics_frame,
)
from lainbench.cashflow.simulate import (
    BAND_PERCENTILES,
    PATH_COLUMNS,
    SimulationResult,
    balance_bands,
    member_shortfall,
    resolve_delay,
    simulate,
)

__all__ = [
    "ASSUMPTIONS_FILE",
    "BAND_PERCENTILES",
    "COVERS",
    "DAYS_PER_YEAR",
    "DEBIT_INTERVAL_DAYS",
    "DEFAULT_POLICY_SCENARIOS",
    "DEFAULT_SEED",
    "DEFAULT_START_DATE",
    "DELAY_PROFILES",
    "INSURANCE_REQUIREMENTS",
    "LABEL_LIMIT",
    "LEVERS",
    "LEVER_GRID",
    "LEVER_METRICS",
    "METRICS",
    "PATH_COLUMNS",
    "PAYMENT_LAWS",
    "POLICY_METRICS",
    "WIDTH",
    "DelayModel",
    "DelayProfileName",
    "EmpiricalDelay",
    "FixedDelay",
    "Gbp",
    "InsuranceStage",
    "LognormalDelay",
    "PaymentLaw",
    "ProfileChoice",
    "RatePct",
    "Share",
    "SimulationResult",
    "SizeBand",
    "SteadyState",
    "SupplierCashflowParams",
    "SupplierScenario",
    "WholeDays",
    "assumption",
    "assumptions",
    "balance_bands",
    "balance_fan_chart",
    "cash_released",
    "commercial_payments_bill",
    "commercial_payments_bill_rules",
    "compare_levers",
    "cost_per_gbp_chart",
    "delay_profile",
    "describe",
    "discount_implied_rate_pct",
    "early_payment",
    "early_payment_changes",
    "effective_annual_rate_pct",
    "empirical_delay",
    "insurance_cover",
    "invoice_days_late",
    "lever_chart",
    "lever_label",
    "make_scenario",
    "member_delays",
    "member_shortfall",
    "metric_unit",
    "metrics_frame",
    "notebook_delay",
    "one_lever_at_a_time",
    "params_from",
    "parse_discount_terms",
    "policy_table",
    "resolve_delay",
    "run_params",
    "scenario_table",
    "shortfall_by_member_chart",
    "simple_rate_ear_pct",
    "simulate",
    "steady_state",
    "supply_chain_finance_discount_pct",
    "vat_basis_note",
]
