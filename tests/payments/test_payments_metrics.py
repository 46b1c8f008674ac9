"""Payment metrics against values worked out by hand from the day-counting rules."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lainbench import params, payments
from lainbench.config import PARAMS_DIR

D = dt.date.fromisoformat
P1 = ("2025-26 H1", D("2025-04-01"), D("2025-09-30"))
P2 = ("2025-26 H2", D("2025-10-01"), D("2026-03-31"))
PERIODS = pl.DataFrame(
    {"period": [P1[0], P2[0]], "period_start": [P1[1], P2[1]], "period_end": [P1[2], P2[2]]}
)


def inv(member, received, paid, amount, band="large", terms=30, disputed=False, supplier="s",
        payment_date=None):
    return {
        "buyer_org_id": member, "invoice_id": f"{member}-{received}-{paid}-{amount}",
        "supplier_id": supplier, "supplier_size_band": band,
        "invoice_received_date": D(received),
        "supplier_received_date": D(paid) if paid else None,
        "payment_date": D(payment_date) if payment_date else None,
        "agreed_terms_days": terms, "gross_amount_gbp": float(amount), "disputed": disputed,
    }


# Member A, received 1 Apr 2025, paid after 3, 10, 30, 31 and 70 days; plus rows that must not count.
ROWS_A = [
    inv("A", "2025-04-01", "2025-04-04", 100, "micro", supplier="s1"),
    inv("A", "2025-04-01", "2025-04-11", 200, "micro", supplier="s2"),
    inv("A", "2025-04-01", "2025-05-01", 300, "small", supplier="s3"),
    inv("A", "2025-04-01", "2025-05-02", 400, "large", supplier="s4"),
    inv("A", "2025-04-01", "2025-06-10", 1000, "large", disputed=True, supplier="s5"),
    inv("A", "2025-04-01", "2025-04-05", -50, "micro", supplier="s1"),      # credit note
    inv("A", "2025-09-01", None, 500, "small", supplier="s3"),              # unpaid
    inv("A", "2025-03-01", "2025-03-20", 900, "large", supplier="s4"),      # paid before P1
]


def frame(rows):
    return pl.DataFrame(rows, schema_overrides={"agreed_terms_days": pl.Int32})


def metrics_for(rows, size_bands=True):
    lf = payments.assign_period(payments.derive(frame(rows), interest=False), PERIODS)
    return payments.payment_metrics(lf, size_bands=size_bands)


def test_overall_metrics_hand_computed():
    m = metrics_for(ROWS_A).filter(pl.col("supplier_size_band") == "all").row(0, named=True)
    assert m["period"] == "2025-26 H1"
    assert m["invoice_count"] == 5          # credit note, unpaid and out-of-period rows left out
    assert m["invoice_value_gbp"] == 2000.0
    assert m["mean_days_to_pay"] == pytest.approx(144 / 5)    # (3+10+30+31+70)/5 = 28.8
    assert m["median_days_to_pay"] == 30
    assert m["p90_days_to_pay"] == pytest.approx(54.4)        # 31 + 0.6 * (70 - 31)
    assert m["paid_within_5_days_pct"] == pytest.approx(20)   # 1 of 5
    assert m["paid_within_5_days_value_pct"] == pytest.approx(5)     # 100 / 2000
    assert m["paid_within_10_days_pct"] == pytest.approx(40)
    assert m["paid_within_10_days_value_pct"] == pytest.approx(15)   # 300 / 2000
    assert m["paid_within_30_days_pct"] == pytest.approx(60)  # day 30 counts as within 30
    assert m["paid_within_30_days_value_pct"] == pytest.approx(30)
    assert m["paid_within_60_days_pct"] == pytest.approx(80)
    assert m["paid_within_60_days_value_pct"] == pytest.approx(50)
    assert m["paid_31_to_60_days_pct"] == pytest.approx(20)
    assert m["paid_over_60_days_pct"] == pytest.approx(20)
    assert m["paid_over_60_days_value_gbp"] == pytest.approx(1000)
    # due 1 May (30 days): paid 1 May is within terms, 2 May is not
    assert m["paid_within_terms_pct"] == pytest.approx(60)
    assert m["paid_within_terms_value_pct"] == pytest.approx(30)
    assert m["disputed_pct"] == pytest.approx(20)
    # s.68 / BPPC basis leaves the disputed invoice out: 3 of 4 undisputed, £600 of £1,000
    assert m["within_30_or_terms_pct"] == pytest.approx(75)
    assert m["within_30_or_terms_value_pct"] == pytest.approx(60)
    assert m["s68_breaches"] == 1


def test_size_band_rows():
    m = metrics_for(ROWS_A)
    bands = dict(zip(m["supplier_size_band"], m["invoice_count"], strict=True))
    assert bands == {"all": 5, "micro": 2, "small": 1, "large": 2}
    large = m.filter(pl.col("supplier_size_band") == "large").row(0, named=True)
    assert large["mean_days_to_pay"] == pytest.approx(50.5)   # (31 + 70) / 2
    assert large["median_days_to_pay"] == pytest.approx(50.5)
    assert m["supplier_size_band"].to_list() == ["all", "micro", "small", "large"]


def test_supplier_receipt_preferred_then_payment_date():
    rows = [
        inv("A", "2025-04-01", "2025-04-21", 10, payment_date="2025-04-18"),  # 20 days, not 17
        inv("A", "2025-04-01", None, 10, payment_date="2025-04-11"),          # falls back: 10
    ]
    m = metrics_for(rows, size_bands=False).row(0, named=True)
    assert m["mean_days_to_pay"] == pytest.approx(15)


def test_period_boundaries_inclusive():
    rows = [inv("A", "2025-03-25", "2025-04-01", 1), inv("A", "2025-09-20", "2025-09-30", 1),
            inv("A", "2025-09-20", "2025-10-01", 1)]
    lf = payments.assign_period(payments.derive(frame(rows), interest=False), PERIODS)
    assert lf.collect()["period"].to_list() == [P1[0], P1[0], P2[0]]


def test_not_paid_within_terms_uses_due_date_base():
    derived = payments.derive(frame(ROWS_A), interest=False)
    out = payments.not_paid_within_terms(derived, PERIODS)
    p1 = out.filter(pl.col("period") == P1[0]).row(0, named=True)
    # due 1 May 2025: the five paid invoices; two (31 and 70 days) not within terms
    assert p1["invoices_due_count"] == 5
    assert p1["not_paid_within_terms_pct"] == pytest.approx(40)
    assert p1["not_paid_within_terms_value_gbp"] == pytest.approx(1400)
    assert p1["not_paid_due_to_dispute_pct"] == pytest.approx(50)
    # the unpaid invoice is due 1 Oct 2025 (P2) and counts as not paid within terms there
    p2 = out.filter(pl.col("period") == P2[0]).row(0, named=True)
    assert (p2["invoices_due_count"], p2["not_paid_within_terms_pct"]) == (1, 100.0)


def test_compliance_notice_buckets():
    notice = payments.compliance_notice(metrics_for(ROWS_A)).row(0, named=True)
    assert notice["average_days_to_pay"] == 28.8
    assert (notice["paid_days_1_to_30_pct"], notice["paid_days_31_to_60_pct"],
            notice["paid_day_61_or_later_pct"]) == (60.0, 20.0, 20.0)


def member_rows(member, days_by_band, received="2025-10-01"):
    """Invoices received ``received`` and paid after the given days, by supplier size band."""
    start = D(received)
    return [
        inv(member, received, str(start + dt.timedelta(days=d)), 100, band, supplier=f"{member}{i}")
        for i, (band, d) in enumerate(days_by_band)
    ]


@pytest.fixture(scope="module")
def targets():
    return params.load(PARAMS_DIR / "payment_targets.yaml")


def test_targets_use_value_in_force_at_period_end(targets):
    # mean 50 days: passes PPN 015's 55-day cap (P1 ends 30 Sep 2025) but not PPN 018's 45 (P2)
    rows = member_rows("B", [("large", 50)] * 3, received="2025-06-01") + member_rows(
        "B", [("large", 50)] * 3, received="2025-10-01")
    res = payments.target_results(metrics_for(rows), PERIODS, targets)
    avg = res.filter(pl.col("target") == "ppn_average_days_max")
    assert avg.select("period", "threshold", "passed").rows() == [
        (P1[0], 55.0, True), (P2[0], 45.0, False)]


def test_fair_payment_code_tiers(targets):
    rows = (
        member_rows("Gold", [("large", 20), ("micro", 5)])
        + member_rows("Silver", [("micro", 10), ("small", 20), ("large", 45), ("large", 45)])
        + member_rows("Bronze", [("micro", 45), ("small", 20), ("large", 45)])
        + member_rows("None", [("large", 61), ("micro", 10)])
    )
    res = payments.target_results(metrics_for(rows), PERIODS, targets)
    tiers = dict(payments.fair_payment_code_tier(res).select("buyer_org_id", "fair_payment_code_tier")
                 .rows())
    assert tiers == {"Bronze": "bronze", "Gold": "gold", "None": "none", "Silver": "silver"}


def test_s68_target_needs_every_undisputed_invoice(targets):
    rows = member_rows("A", [("large", 30)] * 19 + [("large", 31)])
    res = payments.target_results(metrics_for(rows), PERIODS, targets)
    s68 = res.filter(pl.col("target") == "pa2023_s68_compliant_pct").row(0, named=True)
    bppc = res.filter(pl.col("target") == "nhs_bppc_count_pct").row(0, named=True)
    assert s68["value"] == pytest.approx(95) and s68["passed"] is False  # law expects 100 %
    assert bppc["passed"] is True                                        # BPPC: 95 % is enough


def test_terms_longer_than_30_days_count_for_bppc():
    # 45-day terms, paid on day 40: within terms, so within "30 days or due date if later"
    m = metrics_for([inv("A", "2025-04-01", "2025-05-11", 10, terms=45)], size_bands=False)
    assert m["within_30_or_terms_pct"][0] == 100.0
    assert m["paid_within_30_days_pct"][0] == 0.0


def test_trend_change_on_previous_period():
    rows = member_rows("A", [("large", 10)], received="2025-06-01") + member_rows(
        "A", [("large", 40)], received="2025-10-01")
    t = payments.trend(metrics_for(rows))
    assert t["mean_days_to_pay_change"].to_list() == [None, 30.0]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 182), st.floats(1, 1e6), st.sampled_from(
    ["micro", "small", "medium", "large"])), min_size=1, max_size=40))
def test_bucket_shares_are_consistent(rows):
    # received 1 Apr 2025 and paid within 182 days, so every invoice is paid inside 2025-26 H1
    data = [inv("A", "2025-04-01", str(D("2025-04-01") + dt.timedelta(days=d)), round(a, 2), b,
                supplier=f"s{i}") for i, (d, a, b) in enumerate(rows)]
    m = metrics_for(data).filter(pl.col("supplier_size_band") == "all").row(0, named=True)
    total = m["paid_within_30_days_pct"] + m["paid_31_to_60_days_pct"] + m["paid_over_60_days_pct"]
    assert total == pytest.approx(100)
    assert m["paid_within_5_days_pct"] <= m["paid_within_10_days_pct"] <= m[
        "paid_within_30_days_pct"] <= m["paid_within_60_days_pct"]
    assert m["median_days_to_pay"] <= m["p90_days_to_pay"] + 1e-9
    assert m["invoice_count"] == len(rows)


def test_published_figures_conform_to_org_payment_performance():
    pub = payments.published_figures(payments.derive(frame(ROWS_A), interest=False), PERIODS)
    row = pub.filter(pl.col("period_start") == P1[1]).row(0, named=True)
    assert row["regime"] == "internal"
    assert row["avg_days_to_pay"] == pytest.approx(28.8)
    assert row["not_paid_within_terms_pct"] == pytest.approx(40)


def test_disclosure_counts():
    lf = payments.assign_period(payments.derive(frame(ROWS_A), interest=False), PERIODS)
    c = payments.disclosure_counts(lf).row(0, named=True)
    assert c["supplier_count"] == 5
    assert c["largest_supplier_value_share_pct"] == pytest.approx(50)  # 1000 of 2000




def test_prepare_refuses_unknown_member(small_demo):
    from lainbench.errors import ParamsError

    with pytest.raises(ParamsError, match="unknown member id.*nobody"):
        payments.prepare(small_demo / "invoice_payment.parquet", small_demo / "member.parquet",
                         small_demo / "periods.parquet", PARAMS_DIR / "payment_targets.yaml",
                         members=["nobody"])
