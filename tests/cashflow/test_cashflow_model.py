"""Supplier cash-flow model (lainbench.cashflow).

Expected values are worked out by hand from reference/economics.md 5.2-5.3 (the arithmetic is in
the comments), never copied from the code's output. Symbols: V contract value, B billing interval,
N terms, l approval lag, D days late, c variable cost share, DPO payables lag, F fixed overhead,
C0 opening cash, L overdraft limit, r financing rate, a = c V / 365 daily variable cost.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lainbench import cashflow as cf
from lainbench.cashflow.delays import FixedDelay, delay_profile
from lainbench.cashflow.simulate import _draw, _ledger_daily, _ledger_events
from lainbench.errors import ParamsError

# Statutory rate for interest starting in 2026 H1: Bank Rate 3.75 % on 31 Dec 2025 + 8 = 11.75 %
# (domain.md section 3 reference-rate table).
STAT = 11.75


def scenario(**kw) -> cf.SupplierScenario:
    """A scenario at the 2026 H1 statutory rate. ``vat_rate=0`` (an exempt supply: the debt is the
    invoice I) so the statutory-interest arithmetic below reads alone; the VAT tests set 0.2."""
    return cf.make_scenario(**{"statutory_rate_pct": STAT, "vat_rate": 0.0, **kw})


def norm_sf(x: float) -> float:
    """1 - Phi(x)."""
    return 0.5 * math.erfc(x / math.sqrt(2))


# ---------------------------------------------------------------------------------------------
# Scenario and defaults


def test_defaults_come_from_the_params_file():
    sc = cf.SupplierScenario()
    # economics.md 5.1 defaults, as shipped in params/cashflow_assumptions.yaml
    assert (sc.annual_value_gbp, sc.billing_interval_days, sc.terms_days, sc.approval_lag_days) == (
        120_000,
        30,
        30,
        0,
    )
    assert (sc.variable_cost_share, sc.supplier_payables_days, sc.fixed_overhead_gbp_per_day) == (
        0.8,
        0,
        0,
    )
    assert (sc.opening_cash_gbp, sc.overdraft_limit_gbp) == (20_000, 0)
    # r_od = BR + 10.85 = 3.75 + 10.85 = 14.60; r = r_od; r_d = BR + 3 = 6.75
    assert sc.overdraft_rate_pct_used == pytest.approx(14.60)
    assert sc.financing_rate_pct_used == pytest.approx(14.60)
    assert sc.discount_rate_pct_used == pytest.approx(6.75)
    # statutory rate looked up in lainbench.late_payment for interest starting 1 Jan 2026
    assert sc.statutory_rate_pct_used == pytest.approx(11.75)
    # I = V B / 365 = 120,000 x 30 / 365 = 9,863.0137
    assert sc.invoice_amount_gbp == pytest.approx(9_863.0137, abs=1e-4)


def test_with_revalidates_and_keeps_derived_rates_derived():
    sc = cf.SupplierScenario().with_(bank_rate_pct=5.25)
    assert sc.overdraft_rate_pct_used == pytest.approx(16.10)  # 5.25 + 10.85
    with pytest.raises(ParamsError, match="terms_days"):
        cf.SupplierScenario().with_(terms_days=-1)


@pytest.mark.parametrize(
    "field, value",
    [
        ("variable_cost_share", 1.2),
        ("variable_cost_share", -0.1),
        ("terms_days", -5),
        ("annual_value_gbp", 0),
        ("billing_interval_days", 0),
        ("opening_cash_gbp", -1),
        ("win_probability", 0),
        ("insurance_stage", "at_lunch"),
    ],
)
def test_bad_scenario_values_refused_naming_the_field(field, value):
    with pytest.raises(ParamsError) as exc:
        cf.make_scenario(**{field: value})
    assert field in str(exc.value) and repr(value) in str(exc.value)


def test_unknown_scenario_field_refused():
    with pytest.raises(ParamsError, match="colour: unknown parameter"):
        cf.make_scenario(colour="blue")


# ---------------------------------------------------------------------------------------------
# Closed forms, by hand


def test_closed_forms_default_scenario():
    ss = cf.steady_state(scenario())
    # E1 AR = V (l + N + D) / 365 = 120,000 x 30 / 365 = 9,863.01; WIP = 120,000 x 15 / 365
    assert ss.receivables_gbp == pytest.approx(9_863.0137, abs=1e-3)
    assert ss.work_in_progress_gbp == pytest.approx(4_931.5068, abs=1e-3)
    # E2 K_AR = 0.146 x 9,863.01 = 525,600 / 365 = 1,440.00; per £ 0.146 x 30 / 365 = 0.012
    assert ss.receivable_carrying_cost_gbp == pytest.approx(1_440.0)
    assert ss.receivable_carrying_cost_per_gbp == pytest.approx(0.012)
    assert ss.cost_per_day_late_gbp == pytest.approx(48.0)  # 120,000 x 0.146 / 365
    # E3 F_avg = 0.8 x 120,000 x (15 + 30) / 365 = 4,320,000 / 365 = 11,835.62;
    # cost = 0.146 x F_avg = 630,720 / 365 = 1,728.00; per £ 1,728 / 120,000 = 0.0144
    assert ss.average_funding_need_gbp == pytest.approx(11_835.6164, abs=1e-3)
    assert ss.financing_cost_gbp == pytest.approx(1_728.0)
    assert ss.financing_cost_per_gbp == pytest.approx(0.0144)
    # E4 P* = 0.8 x 120,000 x (30 + 30) / 365 = 5,760,000 / 365 = 15,780.82
    assert ss.peak_need_gbp == pytest.approx(15_780.8219, abs=1e-3)
    # E5 runway = 20,000 / (96,000 / 365) = 76.0417 days; margin = 76.0417 - 60 = 16.0417
    assert ss.runway_days == pytest.approx(76.0417, abs=1e-4)
    assert ss.viability_margin_days == pytest.approx(16.0417, abs=1e-4)
    assert not ss.shortfall_expected
    # E6 paid on the agreed day, 30-day terms from receipt: the Act's 30-day period begins with
    # the day of receipt (s.4(2H)), so its last day is receipt + 29 and the relevant day for a
    # public buyer is min(receipt + 30, receipt + 29) = receipt + 29 (s.4(2D)): paid on receipt
    # + 30 is 1 day late. 9,863.0137 x 0.1175 x 1 / 365 = 3.1751 -> 3.18; compensation £70
    # (1,000 <= 9,863.01 < 10,000, s.5A(2)(b))
    assert ss.statutory_interest_days == 1
    assert ss.statutory_interest_per_invoice_gbp == pytest.approx(3.1751, abs=1e-4)
    assert ss.compensation_per_invoice_gbp == 70
    # E7 t = 30: IF = 0.85 x 9,863.01 x 0.0675 x 30/365 + 0.01 x 9,863.01 = 46.51 + 98.63 = 145.14
    #    overdraft on the advance = 8,383.56 x 0.146 x 30 / 365 = 100.60
    assert ss.invoice_finance_cost_per_invoice_gbp == pytest.approx(145.1416, abs=1e-3)
    assert ss.overdraft_cost_same_advance_per_invoice_gbp == pytest.approx(100.6027, abs=1e-3)
    assert ss.invoice_finance_cost_per_year_gbp == pytest.approx(145.1416 * 365 / 30, abs=1e-2)
    assert ss.insurance_extra_premium_gbp == 0 and ss.annual_cost_gbp == pytest.approx(1_728.0)


def test_closed_forms_with_lag_lateness_payables_overhead_and_overdraft():
    # V = 73,000 (200 a day), B 30, N 60, l 10, D 20, c 0.5, DPO 15, F 10, C0 5,000, L 10,000, r 10 %
    sc = scenario(
        annual_value_gbp=73_000,
        terms_days=60,
        approval_lag_days=10,
        days_late=20,
        variable_cost_share=0.5,
        supplier_payables_days=15,
        fixed_overhead_gbp_per_day=10,
        opening_cash_gbp=5_000,
        overdraft_limit_gbp=10_000,
        financing_rate_pct=10.0,
    )
    ss = cf.steady_state(sc)
    assert ss.invoice_amount_gbp == pytest.approx(6_000)  # 200 x 30
    assert ss.invoice_to_cash_days == 90  # 10 + 60 + 20
    assert ss.receivables_gbp == pytest.approx(18_000)  # 200 x 90
    assert ss.work_in_progress_gbp == pytest.approx(3_000)  # 200 x 15
    assert ss.receivable_carrying_cost_gbp == pytest.approx(1_800)  # 0.1 x 18,000
    assert ss.cost_per_day_late_gbp == pytest.approx(20.0)  # 73,000 x 0.1 / 365
    # E3: 0.5 x 200 x (15 + 90 - 15) = 9,000; cost 900; per £ 900 / 73,000
    assert ss.average_funding_need_gbp == pytest.approx(9_000)
    assert ss.financing_cost_gbp == pytest.approx(900)
    assert ss.financing_cost_per_gbp == pytest.approx(900 / 73_000)
    # E4: 0.5 x 200 x (30 + 90 - 15) + 10 x (30 + 90) = 10,500 + 1,200 = 11,700
    assert ss.peak_need_gbp == pytest.approx(11_700)
    # E5: (5,000 + 10,000) / (100 + 10) = 136.36 days; margin 136.36 - 120 = 16.36
    assert ss.runway_days == pytest.approx(15_000 / 110)
    assert ss.viability_margin_days == pytest.approx(15_000 / 110 - 120)
    # E6, public buyer: relevant day = min(l + N, 29) = receipt + 29 (s.4(2D), (2H)); paid on
    # receipt + 90: 61 days. 6,000 x 0.1175 x 61 / 365 = 43,005 / 365 = 117.8219; compensation
    # £70 (1,000 <= 6,000 < 10,000)
    assert ss.statutory_interest_days == 61
    assert ss.statutory_interest_per_invoice_gbp == pytest.approx(117.8219, abs=1e-4)
    assert ss.compensation_per_invoice_gbp == 70
    assert ss.statutory_due_per_year_gbp == pytest.approx((117.8219 + 70) * 365 / 30, abs=1e-2)
    # supplier's own cost of the lateness: 6,000 x 0.146 x 20 / 365 = 48.00
    assert ss.own_cost_of_lateness_per_invoice_gbp == pytest.approx(48.0)
    # E7 t = 90: 0.85 x 6,000 x 0.0675 x 90/365 + 0.01 x 6,000 = 84.88 + 60 = 144.88;
    #    overdraft: 5,100 x 0.146 x 90 / 365 = 183.60
    assert ss.invoice_finance_cost_per_invoice_gbp == pytest.approx(144.8836, abs=1e-4)
    assert ss.overdraft_cost_same_advance_per_invoice_gbp == pytest.approx(183.60)
    # E10, D = 20: 73,000 x 20 / 365 = 4,000 released; 0.1 x 0.5 x 4,000 = 200 a year saved
    assert ss.cash_released_if_on_time_gbp == pytest.approx(4_000)
    assert ss.financing_saved_if_on_time_gbp == pytest.approx(200)

    # other purchasers (s.4(2E)-(2F)): by default the agreed day stands, receipt + l + N = 70;
    # paid on receipt + 90: 20 days. 6,000 x 0.1175 x 20 / 365 = 14,100 / 365 = 38.6301
    private = cf.steady_state(sc.with_(buyer_is_public_authority=False))
    assert private.statutory_interest_days == 20
    assert private.statutory_interest_per_invoice_gbp == pytest.approx(38.6301, abs=1e-4)
    # with the grossly-unfair reading the 60-day period's last day, receipt + 59, replaces the
    # agreed day 70: 90 - 59 = 31 days. 6,000 x 0.1175 x 31 / 365 = 21,855 / 365 = 59.8767
    unfair = cf.steady_state(
        sc.with_(buyer_is_public_authority=False, private_over_60_grossly_unfair=True))
    assert unfair.statutory_interest_days == 31
    assert unfair.statutory_interest_per_invoice_gbp == pytest.approx(59.8767, abs=1e-4)


def test_public_buyer_with_long_terms_owes_interest_even_when_paid_on_the_agreed_day():
    # 60-day terms, paid on day 60 after receipt: s.4(2D) makes receipt + 29 the relevant day
    # (the 30-day period's last day) -> 60 - 29 = 31 days
    ss = cf.steady_state(scenario(terms_days=60))
    assert ss.statutory_interest_days == 31
    # 9,863.0137 x 0.1175 = 1,158.9041; x 31 / 365 = 98.4275
    assert ss.statutory_interest_per_invoice_gbp == pytest.approx(98.4275, abs=1e-4)


def test_insurance_cost_folded_into_the_annual_picture():
    sc = scenario(
        annual_value_gbp=73_000,
        variable_cost_share=0.5,
        financing_rate_pct=10.0,
        insurance_extra_premium_gbp=200,
        insurance_stage="at_bid",
        insurance_hold_years=1,
        win_probability=0.25,
    )
    ss = cf.steady_state(sc)
    # E9: 100 x 200 / 73,000 = 0.274 %; margin 100 x 200 / (0.5 x 73,000) = 0.548 %;
    # at bid: 200 x 1 / 0.25 = 800 per contract won
    assert ss.insurance_share_of_value_pct == pytest.approx(100 * 200 / 73_000)
    assert ss.insurance_share_of_margin_pct == pytest.approx(100 * 200 / 36_500)
    assert ss.insurance_cost_per_contract_won_gbp == pytest.approx(800)
    # E3 with N = 30: 0.5 x 200 x (15 + 30) = 4,500, cost 450; + 200 premium = 650 a year
    assert ss.annual_cost_gbp == pytest.approx(650)
    assert ss.cost_per_gbp == pytest.approx(650 / 73_000)
    at_award = cf.steady_state(sc.with_(insurance_stage="at_award"))
    assert at_award.insurance_cost_per_contract_won_gbp == pytest.approx(200)


def test_cash_released_by_faster_payment():
    # E10, 10 days faster: 120,000 x 10 / 365 = 3,287.67; 0.146 x 0.8 x 3,287.67 = 384.00;
    # receivable basis 0.146 x 3,287.67 = 480.00
    out = cf.cash_released(scenario(), 10)
    assert out["cash_released_gbp"] == pytest.approx(3_287.6712, abs=1e-4)
    assert out["financing_saved_cost_basis_gbp"] == pytest.approx(384.0)
    assert out["financing_saved_receivable_basis_gbp"] == pytest.approx(480.0)


def test_steady_state_frame_has_units_and_equations():
    df = cf.steady_state(scenario()).to_frame(scenario="base")
    assert df.columns == ["scenario", "metric", "unit", "equation", "value"]
    row = df.filter(pl.col("metric") == "peak_need_gbp").row(0, named=True)
    assert row["unit"] == "£" and row["equation"].startswith("E4")


# ---------------------------------------------------------------------------------------------
# Simulation against the closed forms (deterministic delays)

A = 96_000 / 365  # daily variable cost of the default scenario, 263.0137


def test_deterministic_on_time_matches_e4_e5_exactly():
    sc = scenario(overdraft_rate_pct=0)
    res = cf.simulate(sc, "deterministic", n_paths=5, horizon_days=365, seed=1)
    ss = cf.steady_state(sc)
    # lowest balance just before the first receipt on day B + N = 60: 20,000 - 60 a = 4,219.18
    assert res.paths["lowest_balance_gbp"].to_list() == pytest.approx([20_000 - 60 * A] * 5)
    assert res.summary["peak_need_gbp_p50"] == pytest.approx(ss.peak_need_gbp)  # E4 exactly
    assert res.summary["shortfall_probability"] == 0 and ss.viability_margin_days > 0
    assert res.summary["overdraft_days_mean"] == 0


def test_deterministic_late_payment_shortfall_day_overdraft_days_and_interest():
    sc = scenario(days_late=20)  # overdraft at 14.6 %
    res = cf.simulate(sc, "deterministic", n_paths=3, horizon_days=365, seed=1)
    ss = cf.steady_state(sc)
    row = res.paths.row(0, named=True)
    # first receipt on day 30 + 30 + 20 = 80; E4 = a x 80 = 21,041.10; E5 margin = 76.04 - 80 < 0
    assert row["peak_need_gbp"] == pytest.approx(ss.peak_need_gbp)
    assert ss.shortfall_expected and row["shortfall"]
    # first day with a t > 20,000: floor(76.04) + 1 = 77
    assert row["first_shortfall_day"] == 77
    # end-of-day balance negative on days 77, 78, 79 only: 20,000 - a t = -252.05, -515.07, -778.08;
    # after day 80 each cycle adds I - 30 a = 1,972.60 > 0
    assert row["overdraft_days"] == 3
    # interest 0.146 / 365 x (252.0548 + 515.0685 + 778.0822) = 0.61808, debited on day 90
    assert row["overdraft_interest_gbp"] == pytest.approx(0.146 / 365 * 1_545.2055, abs=1e-5)
    # E6: invoices paid on days 30k + 50 <= 365: k = 1..10. Relevant day receipt + 29, paid on
    # receipt + 50: 21 days each. 9,863.01 x 11.75 % x 21 / 365 in whole pence, half up:
    # 986,301 p x 1,175 bp x 21 / (365 x 10,000) = 24,336,977,175 / 3,650,000 = 6,667.66 -> £66.68
    assert row["statutory_interest_gbp"] == pytest.approx(10 * 66.68)
    assert row["fixed_compensation_gbp"] == pytest.approx(10 * 70)
    # own cost: 10 x 9,863.01 x 0.146 x 20 / 365 = 10 x 78.904 = 789.04
    assert row["own_cost_of_lateness_gbp"] == pytest.approx(789.0411, abs=1e-3)
    assert row["invoices_paid"] == 10 and row["late_invoices"] == 10


@pytest.mark.parametrize(
    "public, vat, unfair, terms",
    [(True, 0.0, False, 45), (True, 0.2, False, 45), (False, 0.2, False, 75),
     (False, 0.2, True, 75), (True, 0.2, False, 20)],
)
def test_statutory_interest_agrees_with_late_payment_invoice_by_invoice(public, vat, unfair, terms):
    from lainbench.late_payment import statutory_interest

    sc = scenario(terms_days=terms, days_late=12, statutory_rate_pct=None, vat_rate=vat,
                  buyer_is_public_authority=public, private_over_60_grossly_unfair=unfair)
    res = cf.simulate(sc, "deterministic", n_paths=1, horizon_days=365, seed=0)
    start = sc.start_date
    total = comp = 0.0
    for k in range(1, 365 // 30 + 1):
        received = start + dt.timedelta(days=30 * k)
        due = received + dt.timedelta(days=terms)
        paid = due + dt.timedelta(days=12)
        if (paid - start).days > 365:
            continue
        # the debt is the sum owed, VAT included (late_payment's gross_amount_gbp)
        r = statutory_interest(round(sc.invoice_gross_gbp, 2), due, paid, received_date=received,
                               public_authority=public, private_over_60_grossly_unfair=unfair)
        total += r.interest_gbp
        comp += r.compensation_gbp
    assert total > 0
    assert res.paths["statutory_interest_gbp"][0] == pytest.approx(total, abs=1e-9)
    assert res.paths["fixed_compensation_gbp"][0] == pytest.approx(comp)


@pytest.mark.parametrize("days_late", [0, 20])
def test_simulated_funding_need_within_one_day_of_e3(days_late):
    sc = scenario(days_late=days_late, overdraft_rate_pct=0)
    res = cf.simulate(sc, "deterministic", n_paths=2, horizon_days=365, seed=0)
    ss = cf.steady_state(sc)
    # Over whole cycles (days 66..365) unpaid work runs from l+N+D to l+N+D+B-1 days of revenue:
    # mean (B - 1)/2 + l + N + D = 44.5 + D days -> c V / 365 x (44.5 + D), half a day under E3
    assert res.summary["mean_funding_need_gbp"] == pytest.approx(A * (44.5 + days_late))
    assert abs(res.summary["mean_funding_need_gbp"] - ss.average_funding_need_gbp) <= A


def test_deterministic_bands_are_the_single_path():
    b = cf.balance_bands(
        scenario(overdraft_rate_pct=0), "deterministic", n_paths=7, horizon_days=90
    )
    day59, day60 = b.row(58, named=True), b.row(59, named=True)
    # day 59: 20,000 - 59 a = 4,482.19; day 60: 20,000 - 60 a + I = 14,082.19
    assert day59["balance_p5_gbp"] == pytest.approx(20_000 - 59 * A)
    assert day60["balance_p95_gbp"] == pytest.approx(20_000 - 60 * A + 9_863.0137, abs=1e-3)
    assert day60["balance_p50_gbp"] == pytest.approx(day60["balance_mean_gbp"])
    assert b["share_overdrawn"].max() == 0


# ---------------------------------------------------------------------------------------------
# The fast path and the daily ledger are the same model


scenarios = st.builds(
    dict,
    annual_value_gbp=st.floats(5_000, 800_000),
    billing_interval_days=st.integers(1, 60),
    terms_days=st.integers(0, 90),
    approval_lag_days=st.integers(0, 20),
    variable_cost_share=st.floats(0, 1),
    supplier_payables_days=st.integers(0, 60),
    fixed_overhead_gbp_per_day=st.sampled_from([0.0, 25.0, 333.3]),
    opening_cash_gbp=st.floats(0, 80_000),
    overdraft_limit_gbp=st.sampled_from([0.0, 25_000.0]),
    overdraft_rate_pct=st.sampled_from([0.0, 14.6, 60.0]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=scenarios,
    horizon=st.integers(1, 400),
    profile=st.sampled_from(["uk_sme_2021", "xero_2018", "ibm_sample"]),
    seed=st.integers(0, 2**31),
)
def test_event_method_equals_daily_ledger(values, horizon, profile, seed):
    sc = scenario(**values)
    draws = _draw(sc, delay_profile(profile), 300, horizon, seed)
    fast = _ledger_events(sc, draws.receipt_day, horizon)
    slow, _, _ = _ledger_daily(sc, draws.receipt_day, horizon)
    for key in fast:
        np.testing.assert_allclose(fast[key], slow[key], rtol=1e-9, atol=1e-6, err_msg=key)


def test_simulate_ledger_true_and_false_agree():
    sc = scenario(
        overdraft_limit_gbp=5_000, fixed_overhead_gbp_per_day=20, supplier_payables_days=10
    )
    a = cf.simulate(sc, "xero_2018", n_paths=2_000, seed=5)
    b = cf.simulate(sc, "xero_2018", n_paths=2_000, seed=5, ledger=True)
    assert a.bands is None and b.bands is not None and b.bands.height == 365
    for col in a.paths.columns:
        np.testing.assert_allclose(
            a.paths[col].to_numpy().astype(float),
            b.paths[col].to_numpy().astype(float),
            atol=1e-6,
            err_msg=col,
        )


def test_bands_equal_numpy_percentiles_of_the_full_ledger():
    sc = scenario(
        overdraft_rate_pct=40.0,
        supplier_payables_days=7,
        fixed_overhead_gbp_per_day=15,
        opening_cash_gbp=3_000,
    )
    draws = _draw(sc, delay_profile("uk_sme_2021"), 1_001, 200, 11)
    _, bands, matrix = _ledger_daily(
        sc, draws.receipt_day, 200, keep=True, percentiles=(1, 5, 50, 95, 99)
    )
    expected = np.percentile(matrix.astype(np.float64), (1, 5, 50, 95, 99), axis=1).T
    got = bands.select(
        "balance_p1_gbp", "balance_p5_gbp", "balance_p50_gbp", "balance_p95_gbp", "balance_p99_gbp"
    ).to_numpy()
    np.testing.assert_allclose(got, expected, atol=0.02)  # the kept matrix is float32
    np.testing.assert_allclose(
        bands["balance_mean_gbp"].to_numpy(), matrix.astype(np.float64).mean(axis=1), atol=0.02
    )
    np.testing.assert_allclose(bands["share_overdrawn"].to_numpy(), (matrix < 0).mean(axis=1))


# ---------------------------------------------------------------------------------------------
# Stochastic cases with analytic answers

# One invoice decides: V = 365,000 and c = 0.8 make a = £800 a day; C0 = 55,600 runs out on day 70
# (800 x 69 = 55,200 <= 55,600 < 56,000 = 800 x 70). Invoice 1 (I = 30,000) is due on day 60 and
# arrives on day 60 + D1; invoice 2 cannot arrive before day 90 > H = 89. After invoice 1 the
# balance stays positive (55,600 + 30,000 - 800 x 89 = 14,400). So a shortfall happens iff
# 60 + D1 >= 70, i.e. ceil(X) >= 10, i.e. X > 9:  P = p x (1 - Phi((ln 9 - mu) / sigma)).
ONE_INVOICE = {
    "annual_value_gbp": 365_000,
    "variable_cost_share": 0.8,
    "opening_cash_gbp": 55_600,
    "overdraft_rate_pct": 0,
}


@pytest.mark.parametrize("profile", ["uk_sme_2021", "xero_2018", "ibm_sample"])
def test_shortfall_probability_matches_lognormal_cdf(profile):
    m = delay_profile(profile)
    n = 200_000
    res = cf.simulate(scenario(**ONE_INVOICE), m, n_paths=n, horizon_days=89, seed=2026)
    p = m.late_share * norm_sf((math.log(9) - m.mu) / m.sigma)
    # uk_sme_2021: 0.4 x (1 - Phi((2.1972 - 3.201) / 1)) = 0.4 x 0.8423 = 0.3369
    se = math.sqrt(p * (1 - p) / n)
    assert abs(res.summary["shortfall_probability"] - p) < 3 * se
    assert res.summary["shortfall_probability_se"] == pytest.approx(se, rel=0.05)
    short = res.paths.filter(pl.col("shortfall"))
    assert short["first_shortfall_day"].unique().to_list() == [70]


def test_expected_overdraft_days_match_lognormal_tail_sum():
    # Given a shortfall, the end-of-day balance is negative on days 70 .. min(59 + D1, 89):
    # max(0, min(D1, 30) - 10) days = sum_{m=10}^{29} 1{D1 > m}; P(D1 > m) = P(X > m). So
    # E[days] = p x sum_{m=10}^{29} (1 - Phi((ln m - mu) / sigma)).
    m = delay_profile("uk_sme_2021")
    res = cf.simulate(scenario(**ONE_INVOICE), m, n_paths=100_000, horizon_days=89, seed=7)
    expected = m.late_share * sum(norm_sf((math.log(k) - m.mu) / m.sigma) for k in range(10, 30))
    days = res.paths["overdraft_days"].to_numpy()
    se = days.std(ddof=1) / math.sqrt(days.size)
    assert abs(days.mean() - expected) < 3 * se


def test_drawn_late_share_and_mean_lateness_match_the_profile():
    m = delay_profile("xero_2018")
    d = _draw(scenario(), m, 20_000, 365, 3).days_late  # 20,000 x 12 invoices
    n = d.size
    # share late: p = 0.52, standard error sqrt(p (1 - p) / n)
    assert abs((d > 0).mean() - m.late_share) < 3 * math.sqrt(0.52 * 0.48 / n)
    assert abs(d.mean() - m.mean_days_late) < 3 * d.std(ddof=1) / math.sqrt(n)
    # summary counts only invoices paid within H, so the late share there is lower (the longest
    # delays fall beyond the horizon)
    res = cf.simulate(scenario(), m, n_paths=20_000, seed=3)
    assert res.summary["late_invoice_share"] < m.late_share


# ---------------------------------------------------------------------------------------------
# Reproducibility and common random numbers


def test_same_seed_same_results_different_seed_different():
    sc = scenario()
    a = cf.simulate(sc, "uk_sme_2021", n_paths=500, seed=42)
    b = cf.simulate(sc, "uk_sme_2021", n_paths=500, seed=42)
    c = cf.simulate(sc, "uk_sme_2021", n_paths=500, seed=43)
    assert a.paths.equals(b.paths) and a.summary == b.summary
    assert not a.paths.equals(c.paths)
    assert cf.balance_bands(sc, "uk_sme_2021", 300, seed=1).equals(
        cf.balance_bands(sc, "uk_sme_2021", 300, seed=1)
    )


def test_scenarios_sharing_a_seed_share_their_draws():
    m = delay_profile("uk_sme_2021")
    d30 = _draw(scenario(terms_days=30), m, 50, 365, 9)
    d45 = _draw(scenario(terms_days=45), m, 50, 365, 9)
    assert (d45.receipt_day - d30.receipt_day == 15).all()


# ---------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    "kw, name",
    [
        ({"n_paths": 0}, "n_paths"),
        ({"n_paths": -5}, "n_paths"),
        ({"horizon_days": 0}, "horizon_days"),
        ({"seed": -1}, "seed"),
    ],
)
def test_simulate_refuses_bad_run_settings(kw, name):
    args = {"n_paths": 10, "horizon_days": 30, "seed": 1} | kw
    with pytest.raises(ParamsError, match=name):
        cf.simulate(scenario(), "deterministic", **args)


def test_unknown_delay_refused_with_the_choices():
    with pytest.raises(
        ParamsError, match="delay = 'slow' is unknown; use deterministic, one of ibm_sample"
    ):
        cf.simulate(scenario(), "slow", n_paths=10)
    with pytest.raises(ParamsError, match="not a delay model"):
        cf.resolve_delay(42, scenario())


def test_horizon_shorter_than_a_billing_interval():
    res = cf.simulate(scenario(overdraft_rate_pct=0), "uk_sme_2021", n_paths=10, horizon_days=20)
    # no invoice within 20 days: lowest balance = 20,000 - 20 a
    assert res.paths["lowest_balance_gbp"].to_list() == pytest.approx([20_000 - 20 * A] * 10)
    assert res.paths["invoices_paid"].sum() == 0


# ---------------------------------------------------------------------------------------------
# Buyer levers


@pytest.fixture(scope="module")
def levers() -> pl.DataFrame:
    return cf.compare_levers(scenario(), n_paths=400, seed=3)


def test_lever_grid_covers_every_combination(levers):
    assert levers["scenario"].n_unique() == 3 * 2 * 2 * 2
    base = levers.filter(pl.col("levers_changed") == 0)
    assert base["change"].abs().max() == 0
    assert base.select(
        "terms_days", "delay_profile", "approval_lag_days", "insurance_requirement"
    ).unique().rows() == [(60, "uk_sme_2021", 10, "gcloud14_initial")]
    assert {
        "shortfall_probability",
        "peak_need_gbp",
        "statutory_due_gbp_mean",
        "cost_per_gbp",
        "insurance_extra_premium_gbp",
    } <= set(levers["metric"])


def test_lever_changes_against_the_baseline(levers):
    def one(lever, metric):
        row = levers.filter((pl.col("lever") == lever) & (pl.col("metric") == metric))
        return row.sort("scenario")

    # terms 60 -> 30 / 14 with l = 10: invoice-to-cash days fall by 30 / 46
    assert sorted(one("terms_days", "invoice_to_cash_days")["change"].round(6).to_list()) == [
        -46.0,
        -30.0,
    ]
    assert one("approval_lag_days", "invoice_to_cash_days")["change"].to_list() == [-10.0]
    # held £1m PL / £1m PI / £5m EL against the revised requirement (same limits): no extra
    # premium; against the initial one (£10m / £10m / £5m) the premium that lainbench.insurance gives
    from lainbench import insurance

    held = cf.insurance_cover("held")
    initial = insurance.extra_premium_gbp(held, cf.insurance_cover("gcloud14_initial"))
    ins = one("insurance_requirement", "insurance_extra_premium_gbp").row(0, named=True)
    assert ins["value"] == 0 and ins["baseline_value"] == pytest.approx(initial) and initial > 0
    assert ins["change_pct"] == pytest.approx(-100)
    # BPPC-level late share cuts the days in overdraft (common random numbers); the baseline
    # (60-day terms, 10-day lag) runs short on every path, so P(shortfall) stays 1 on its own
    bppc = one("delay_profile", "overdraft_days_mean").row(0, named=True)
    assert bppc["change"] < 0
    assert one("delay_profile", "shortfall_probability")["value"].to_list() == [1.0]


def test_one_lever_at_a_time_view(levers):
    view = cf.one_lever_at_a_time(levers)
    labels = view.select("change_label").unique(maintain_order=True)["change_label"].to_list()
    assert labels == [
        "baseline",
        "terms 30 days",
        "terms 14 days",
        "late payment: public_bppc",
        "approval lag 0 days",
        "insurance: G-Cloud 14 revised",
        "all levers, terms 30 days",
        "all levers, terms 14 days",
    ]


def test_lever_grid_errors():
    with pytest.raises(ParamsError, match="unknown lever"):
        cf.compare_levers(scenario(), grid={"colour": ("red",)}, n_paths=10)
    with pytest.raises(ParamsError, match="terms_days has no values"):
        cf.compare_levers(scenario(), grid={"terms_days": ()}, n_paths=10)
    with pytest.raises(ParamsError, match="insurance requirement 'x' is unknown"):
        cf.insurance_cover("x")


# ---------------------------------------------------------------------------------------------
# Members


def test_member_shortfall_uses_each_members_own_invoices():
    from lainbench.cashflow.delays import invoice_days_late
    from lainbench.demo.invoices import invoices

    inv = invoices(6_000, seed=3)
    table = cf.member_shortfall(
        scenario(), inv, ["thameside_water", "city_fire", "nowhere"], n_paths=2_000, min_invoices=30
    )
    assert table["buyer_org_id"].to_list() == ["thameside_water", "city_fire", "nowhere"]
    water = table.row(0, named=True)
    days = invoice_days_late(inv).filter(pl.col("buyer_org_id") == "thameside_water")["days_late"]
    assert water["paid_invoices"] == days.len()
    assert water["late_share"] == pytest.approx((days > 0).mean())
    assert water["mean_days_late"] == pytest.approx(days.mean())
    # the water company pays later than the fire authority: more shortfalls
    assert water["shortfall_probability"] > table.row(1, named=True)["shortfall_probability"]
    assert table.row(2, named=True)["reason"] == "not in the invoice table"


def test_member_with_too_few_invoices_gets_a_reason():
    from lainbench.demo.invoices import invoices

    table = cf.member_shortfall(
        scenario(), invoices(2_000, seed=1), ["hillside_mh_nhs"], n_paths=50, min_invoices=10_000
    )
    row = table.row(0, named=True)
    assert row["shortfall_probability"] is None and "min_invoices = 10000" in row["reason"]


# ---------------------------------------------------------------------------------------------
# Notebook parameters


def test_run_params_refuse_bad_values_naming_them():
    from lainbench import runner

    for override, field in (
        ("n_paths=-5", "n_paths"),
        ("variable_cost_share=1.2", "variable_cost_share"),
        ("delay_profile=slow", "delay_profile"),
        ("horizon_days=0", "horizon_days"),
    ):
        with pytest.raises(ParamsError) as exc:
            runner.load_run_params("supplier_cashflow", overrides=[override])
        assert f"{field}:" in str(exc.value)


def test_shipped_run_params_build_the_reference_scenario():
    from lainbench import runner

    model, values = runner.load_run_params("supplier_cashflow")
    assert values["start_date"] == "2026-01-01"
    sc = model.scenario()
    ref = cf.SupplierScenario()
    for name in cf.SupplierCashflowParams.SCENARIO_FIELDS:
        assert getattr(sc, name) == getattr(ref, name), name


def test_params_from_namespace_and_notebook_delay():
    p = cf.params_from({"delay_profile": "deterministic", "days_late": 4.5, "other": 1})
    assert isinstance(cf.notebook_delay(p), FixedDelay) and cf.notebook_delay(p).days == 4.5
    from lainbench.demo.invoices import invoices

    pooled = cf.notebook_delay(
        cf.params_from(
            {
                "delay_profile": "member_invoices",
                "members": ["city_fire"],
                "size_bands": ["micro", "small", "medium", "large"],
            }
        ),
        invoices(3_000, seed=2),
    )
    assert pooled.name == "city_fire" and pooled.n_invoices > 30
    with pytest.raises(ParamsError, match="n_paths"):
        cf.params_from({"n_paths": 0})


def test_scenario_table_lists_every_input():
    t = cf.scenario_table(scenario())
    assert t["input"].to_list() == list(cf.SupplierScenario.model_fields)
    assert t.filter(pl.col("input") == "statutory_rate_pct")["value"][0] == "11.75"


# ---------------------------------------------------------------------------------------------
# Notebook 03 end to end (small data)


@pytest.mark.notebook
def test_notebook_03_runs_on_small_demo(small_demo, tmp_path):
    from lainbench import runner

    result = runner.run_notebook(
        "supplier_cashflow",
        overrides={
            "n_paths": 300,
            "invoices_path": str(small_demo / "invoice_payment.parquet"),
            "members_path": str(small_demo / "member.parquet"),
        },
        out_dir=tmp_path / "out",
    )
    names = {p.name for p in result.tables}
    assert names == {
        "scenario.parquet",
        "steady_state.parquet",
        "simulation_summary.parquet",
        "balance_bands.parquet",
        "member_shortfall.parquet",
        "levers.parquet",
        "policy_scenarios.parquet",
    }
    levers = pl.read_parquet(tmp_path / "out" / "levers.parquet")
    assert levers["scenario"].n_unique() == 24
    policies = pl.read_parquet(tmp_path / "out" / "policy_scenarios.parquet")
    assert policies["scenario"].unique(maintain_order=True).to_list() == list(
        cf.DEFAULT_POLICY_SCENARIOS)
    assert pl.read_parquet(tmp_path / "out" / "balance_bands.parquet").height == 365
    assert len([c for c in result.charts if c.suffix == ".png"]) == 4
    html = result.html.read_text(encoding="utf-8")
    assert "vegaEmbed" in html and "Buyer levers" in html
    assert "VAT basis" in html and "vat_rate</code> = 20%" in html


# ---------------------------------------------------------------------------------------------
# Issue 14 phase 2: VAT basis, EAR, early payment, supply-chain finance, combined levers, the Bill


def test_vat_rate_default_comes_from_params_and_interest_is_on_the_sum_owed():
    assert cf.SupplierScenario().vat_rate == 0.2  # params/cashflow_assumptions.yaml, GOV.UK
    # 60-day terms, public buyer, paid on the agreed day: 31 days (relevant day receipt + 29).
    # Sum owed I (1 + 0.2) = 9,863.0137 x 1.2 = 11,835.6164: interest 11,835.6164 x 0.1175 x 31
    # / 365 = 118.1130; compensation £100 (>= £10,000, s.5A(2)(c)), where ex VAT it was £70
    ss = cf.steady_state(scenario(terms_days=60, vat_rate=0.2))
    assert ss.invoice_gross_gbp == pytest.approx(11_835.6164, abs=1e-4)
    assert ss.statutory_interest_per_invoice_gbp == pytest.approx(118.1130, abs=1e-4)
    assert ss.compensation_per_invoice_gbp == 100
    # costs and margin stay ex VAT: E3, E4 are those of the ex-VAT contract
    assert ss.peak_need_gbp == pytest.approx(0.8 * 120_000 * 90 / 365)
    # simulated (vectorised) form, to the penny: 1,183,562 p x 1,175 bp x 31 / 3,650,000
    # = 11,811.30 -> £118.11 per invoice; invoices paid within 365 days: 30k + 60 <= 365, k <= 10
    res = cf.simulate(scenario(terms_days=60, vat_rate=0.2), "deterministic", n_paths=2, seed=1)
    assert res.paths["statutory_interest_gbp"][0] == pytest.approx(10 * 118.11)
    assert res.paths["fixed_compensation_gbp"][0] == pytest.approx(10 * 100)
    # an exempt supply (vat 0): the debt is I; band £70
    assert cf.steady_state(scenario(terms_days=60, vat_rate=0.0)).compensation_per_invoice_gbp == 70
    with pytest.raises(ParamsError, match="vat_rate"):
        cf.make_scenario(vat_rate=1.5)


def test_ear_beside_every_nominal_rate():
    # economics.md 1.8: Lloyds' representative EAR at Bank Rate 4.75 %: r_od = 4.75 + 10.85 =
    # 15.60 %; (1 + 0.156 / 12)^12 - 1 = 1.013^12 - 1 = 0.167651 -> 16.77 %
    sc = scenario(bank_rate_pct=4.75)
    assert sc.overdraft_ear_pct == pytest.approx(16.7651, abs=1e-4)
    ss = cf.steady_state(sc).to_dict()
    assert ss["overdraft_rate_pct"] == pytest.approx(15.60)
    assert ss["overdraft_ear_pct"] == pytest.approx(16.7651, abs=1e-4)
    # r_d = 4.75 + 3 = 7.75 %: 12 ln(1 + 0.0775 / 12) = 12 x 0.00643757 = 0.0772508;
    # exp(0.0772508) - 1 = 0.0772508 + 0.0029838 + 0.0000768 + 0.0000015 = 8.0313 %
    assert ss["invoice_finance_discount_ear_pct"] == pytest.approx(8.0313, abs=1e-4)
    # statutory interest is simple (s.1(1)): its EAR is the rate itself
    assert ss["statutory_rate_ear_pct"] == STAT
    table = cf.scenario_table(sc)
    od = table.filter(pl.col("input") == "overdraft_rate_pct").row(0, named=True)
    assert od["value"] == "15.6" and od["effective_annual_rate_pct"] == "16.77"


def test_two_ten_net_thirty_discount_against_the_overdraft():
    from lainbench.cashflow.rates import discount_implied_rate_pct

    # 2/10 net 30: d / (1 - d) x 365 / (30 - 10) = 0.020408 x 18.25 = 0.372449 -> 37.24 %;
    # compound (1 / 0.98)^18.25 - 1: -ln 0.98 = 0.02 + 0.0002 + 0.00000267 + 0.00000004 =
    # 0.02020271; x 18.25 = 0.36869946; exp = e^0.35 x e^0.01869946 = 1.4190675 x 1.0188754
    # = 1.4458529 -> 44.5853 % (44.59 %)
    assert discount_implied_rate_pct(2, 10, 30) == pytest.approx(37.2449, abs=1e-4)
    assert discount_implied_rate_pct(2, 10, 30, compound=True) == pytest.approx(44.5853, abs=1e-4)
    base = scenario(bank_rate_pct=4.75)
    sc = base.with_(**cf.early_payment_changes("2/10 net 30", base))
    ss = cf.steady_state(sc)
    # the supplier gives up 2 % of V = 2,400 a year to be paid on day 10, where its overdraft
    # (EAR 16.77 %) would have carried the 20 days for 0.156 x 120,000 x 20 / 365 = 1,025.75
    assert ss.early_payment_discount_gbp_per_year == pytest.approx(2_400)
    assert ss.overdraft_interest_saved_gbp_per_year == pytest.approx(1_025.7534, abs=1e-4)
    assert ss.early_payment_implied_rate_compound_pct > ss.overdraft_ear_pct
    # paid on day 10: E4 = 0.8 x 120,000 x (30 + 10) / 365 = 10,520.55; nothing statutory
    assert ss.peak_need_gbp == pytest.approx(96_000 * 40 / 365)
    assert ss.statutory_interest_days == 0
    # simulated: each receipt is I x 0.98 = 9,665.75 on day 30k + 10; lowest balance just before
    # the first, on day 40: 20,000 - 40 a; the late-payment profile no longer applies
    res = cf.simulate(sc.with_(overdraft_rate_pct=0), "uk_sme_2021", n_paths=5, seed=2)
    assert res.paths["lowest_balance_gbp"].to_list() == pytest.approx([20_000 - 40 * A] * 5)
    assert res.summary["late_invoice_share"] == 0
    # end of day 365: 20,000 + 11 receipts (days 40 .. 340) x 9,665.7534 - 365 a = 10,323.29
    assert res.paths["end_balance_gbp"][0] == pytest.approx(
        20_000 + 11 * 9_863.0137 * 0.98 - 365 * A, abs=1e-3)


def test_supply_chain_finance_offer():
    # funder pays on day 10 of 60-day terms at 7.3 % a year: 7.3 x 50 / 365 = 1.00 % of the invoice
    base = scenario(terms_days=60)
    changes = cf.early_payment_changes("scf 7.3% day 10", base)
    assert changes == {"early_payment_discount_pct": pytest.approx(1.0), "early_payment_days": 10}
    ss = cf.steady_state(base.with_(**changes))
    # 1 % of 120,000 = 1,200 a year; implied simple rate 0.01 / 0.99 x 365 / 50 = 7.3737 %
    assert ss.early_payment_discount_gbp_per_year == pytest.approx(1_200)
    assert ss.early_payment_implied_rate_simple_pct == pytest.approx(7.3737, abs=1e-4)
    with pytest.raises(ParamsError, match="after the due day"):
        cf.early_payment_changes("scf 7.3% day 90", base)
    with pytest.raises(ParamsError, match="not discount terms"):
        cf.early_payment_changes("2 percent", base)
    with pytest.raises(ParamsError, match="needs early_payment_days"):
        cf.make_scenario(early_payment_discount_pct=2)


def test_terms_and_lateness_changed_together_as_one_scenario():
    # "60 days + 14 late -> 30 days on time" on £120k: E4 peak need c V (B + N + D) / 365:
    # 96,000 x (30 + 60 + 14) / 365 = 27,353.42 -> 96,000 x (30 + 30 + 0) / 365 = 15,780.82;
    # cut 96,000 x 44 / 365 = 11,572.60
    t = cf.compare_levers(
        scenario(overdraft_rate_pct=0), n_paths=20, seed=1,
        scenarios={"60 days + 14 late": {"terms_days": 60, "days_late": 14},
                   "30 days on time": {"terms_days": 30, "days_late": 0},
                   "30 days on time + 2/10 net 30": {"terms_days": 30, "days_late": 0,
                                                     "early_payment": "2/10 net 30"},
                   "G-Cloud revised, lag 5": {"insurance_requirement": "gcloud14_revised",
                                              "approval_lag_days": 5,
                                              "delay_profile": "public_bppc"}})
    peak = t.filter(pl.col("metric") == "peak_need_gbp")
    assert peak["scenario"].to_list()[:2] == ["60 days + 14 late", "30 days on time"]
    assert peak["value"][0] == pytest.approx(96_000 * 104 / 365)
    assert peak["change"][1] == pytest.approx(-11_572.60, abs=0.005)
    assert peak["lever"][1] == "several" and peak["levers_changed"][1] == 2
    # the deterministic simulation agrees (no overdraft interest, so the lowest balance is
    # C0 - a x first receipt day exactly)
    sim = t.filter(pl.col("metric") == "peak_need_gbp_p50")
    assert sim["change"][1] == pytest.approx(-11_572.60, abs=0.005)
    # with 2/10 net 30 on top: paid on day 10: 96,000 x 40 / 365 = 10,520.55
    assert peak["value"][2] == pytest.approx(96_000 * 40 / 365)
    with pytest.raises(ParamsError, match="not both"):
        cf.compare_levers(scenario(), n_paths=5,
                          scenarios={"x": {"days_late": 3, "delay_profile": "uk_sme_2021"}})
    with pytest.raises(ParamsError, match="unknown lever"):
        cf.compare_levers(scenario(), n_paths=5, scenarios={"x": {"colour": 1}})


def test_commercial_payments_bill_scenario_reads_the_proposed_rules():
    rules = cf.commercial_payments_bill_rules()
    assert rules == {"max_terms_days": 60, "interest_non_excludable": 1, "dispute_window_days": 30}
    # private buyer, 90-day terms, paid 14 days late: current law (the agreed day stands) owes
    # 14 days; under the Bill terms are cut to 60 and the relevant day is receipt + 59, so paid
    # on receipt + 74: 74 - 59 = 15 days
    base = scenario(terms_days=90, buyer_is_public_authority=False, days_late=14)
    now = cf.steady_state(base)
    assert now.statutory_interest_days == 14 and now.invoice_to_cash_days == 104
    bill = cf.commercial_payments_bill(base)
    assert (bill.terms_days, bill.payment_law, bill.private_terms_cap_days) == (
        60, "commercial_payments_bill", 60)
    ss = cf.steady_state(bill)
    assert ss.statutory_interest_days == 15 and ss.invoice_to_cash_days == 74
    # 9,863.0137 x 0.1175 = 1,158.90411; x 15 = 17,383.5616; / 365 = 47.6262
    assert ss.statutory_interest_per_invoice_gbp == pytest.approx(47.6262, abs=1e-4)
    # a public buyer keeps s.4(2D); a 45-day approval lag is cut to the 30-day window
    pub = cf.commercial_payments_bill(scenario(approval_lag_days=45))
    assert pub.approval_lag_days == 30 and pub.terms_days == 30
    t = cf.compare_levers(base, n_paths=10, grid={"payment_law": cf.PAYMENT_LAWS})
    row = t.filter(pl.col("metric") == "statutory_interest_days").row(1, named=True)
    assert row["change_label"] == "Commercial Payments Bill (proposed)" and row["value"] == 15


@settings(max_examples=25, deadline=None)
@given(terms=st.integers(0, 120), lag=st.integers(0, 20), late=st.integers(0, 40),
       public=st.booleans(), unfair=st.booleans(), vat=st.sampled_from([0.0, 0.05, 0.2]),
       value=st.floats(5_000, 400_000))
def test_simulated_interest_equals_late_payment_tables(terms, lag, late, public, unfair, vat,
                                                       value):
    # the vectorised model against late_payment's vectorised tables, invoice for invoice. (The
    # model uses one rate per scenario; H1 and H2 2026 are both 11.75 % in the rate table, so the
    # two agree over a 2026 year: if H2 2026 is revised this test shows the approximation C9.)
    from lainbench.late_payment import with_statutory_interest

    sc = scenario(terms_days=terms, approval_lag_days=lag, days_late=late, vat_rate=vat,
                  buyer_is_public_authority=public, private_over_60_grossly_unfair=unfair,
                  annual_value_gbp=value, statutory_rate_pct=None)
    res = cf.simulate(sc, "deterministic", n_paths=1, horizon_days=365, seed=0)
    k = np.arange(1, 365 // 30 + 1)
    received = [sc.start_date + dt.timedelta(days=30 * int(i)) for i in k]
    paid = [r + dt.timedelta(days=lag + terms + late) for r in received]
    inv = pl.DataFrame({
        "invoice_received_date": received,
        "due_date": [r + dt.timedelta(days=lag + terms) for r in received],
        "payment_date": paid, "gross_amount_gbp": [round(sc.invoice_gross_gbp, 2)] * len(k),
    }).filter(pl.col("payment_date") <= sc.start_date + dt.timedelta(days=365))
    out = with_statutory_interest(inv, public_authority=public,
                                  private_over_60_grossly_unfair=unfair)
    assert res.paths["statutory_interest_gbp"][0] == pytest.approx(
        out["statutory_interest_gbp"].sum(), abs=1e-6)
    assert res.paths["fixed_compensation_gbp"][0] == pytest.approx(
        out["fixed_compensation_gbp"].sum())


@pytest.mark.parametrize("override", ["n_paths=1e12", "n_paths=1000000000000",
                                      "annual_value_gbp=inf", "annual_value_gbp=.nan"])
def test_absurd_parameters_refused_before_a_kernel_starts(override):
    # issue 15: n_paths=1e12 and annual_value_gbp=inf passed validation
    from lainbench import runner
    from lainbench.errors import ParamsError

    name = override.split("=")[0]
    with pytest.raises(ParamsError, match=name):
        runner.load_run_params("supplier_cashflow", overrides=[override])
