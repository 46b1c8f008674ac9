"""A member's return on a tiny hand-worked ledger: every aggregate checked against a hand count."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from lainbench.returns.build import build_return
from lainbench.returns.check import check_return

d = dt.date.fromisoformat
PERIODS = pl.DataFrame({"period": ["P1", "P2"], "period_start": [d("2025-04-01"), d("2025-10-01")],
                        "period_end": [d("2025-09-30"), d("2026-03-31")]})


def ledger() -> pl.DataFrame:
    """Six invoices of member A (and one of B, which must be left out)."""
    rows = [  # buyer, invoice, supplier, band, received, terms, paid, amount, disputed
        ("A", "I1", "s1", "micro", "2025-04-01", 30, "2025-04-11", 100.0, False),   # 10 days
        ("A", "I2", "s1", "micro", "2025-04-01", 30, "2025-05-11", 200.0, False),   # 40, late
        ("A", "I3", "s2", "micro", "2025-04-01", 30, "2025-04-21", 300.0, True),    # 20, disputed
        ("A", "I4", "s3", "large", "2025-04-01", 30, "2025-07-10", 1000.0, False),  # 100, late
        ("A", "I5", "s3", "large", "2025-04-01", 30, "2025-04-05", -50.0, False),   # credit note
        ("A", "I6", "s2", "micro", "2025-10-01", None, "2025-10-06", 400.0, False),  # no terms
        ("B", "I7", "s9", "small", "2025-04-01", 30, "2025-04-02", 999.0, False),
    ]
    return pl.DataFrame(rows, orient="row", schema={
        "buyer_org_id": pl.String, "invoice_id": pl.String, "supplier_id": pl.String,
        "supplier_size_band": pl.String, "invoice_received_date": pl.String,
        "agreed_terms_days": pl.Int32, "supplier_received_date": pl.String,
        "gross_amount_gbp": pl.Float64, "disputed": pl.Boolean,
    }).with_columns(pl.col("invoice_received_date", "supplier_received_date").str.to_date())


@pytest.fixture(scope="module")
def ret() -> dict[str, pl.DataFrame]:
    return build_return(ledger(), "A", PERIODS, days_max=60, approver_name="J Bloggs",
                        approver_title="Director of Finance")


def row(df: pl.DataFrame, **keys) -> dict:
    out = df.filter(*[pl.col(k) == v for k, v in keys.items()])
    assert out.height == 1, out
    return out.row(0, named=True)


def test_payment_totals_by_hand(ret):
    t = ret["payment_totals"]
    a = row(t, period="P1", supplier_size_band="all")
    assert (a["invoices"], a["value_gbp"], a["invoices_with_days"], a["days_to_pay_sum"]) == \
        (4, 1600.0, 4, 170)
    assert (a["within_terms_invoices"], a["terms_known_invoices"], a["within_terms_value_gbp"]) \
        == (2, 4, 400.0)
    assert (a["disputed_invoices"], a["disputed_value_gbp"]) == (1, 300.0)
    assert (a["s68_met_invoices"], a["s68_known_invoices"], a["s68_met_value_gbp"],
            a["undisputed_value_gbp"], a["credit_notes"]) == (1, 3, 100.0, 1300.0, 1)
    m = row(t, period="P1", supplier_size_band="micro")
    assert (m["invoices"], m["value_gbp"], m["days_to_pay_sum"], m["credit_notes"]) == \
        (3, 600.0, 70, 0)
    large = row(t, period="P1", supplier_size_band="large")
    assert (large["invoices"], large["within_terms_invoices"], large["credit_notes"]) == (1, 0, 1)
    p2 = row(t, period="P2", supplier_size_band="all")
    # no agreed terms: within terms unknown; s.68 still met (paid within 30 days)
    assert (p2["invoices"], p2["terms_known_invoices"], p2["s68_met_invoices"]) == (1, 0, 1)
    assert set(t["supplier_size_band"]) == {"all", "micro", "large"}


def test_days_to_pay_rows_and_overflow(ret):
    dp = ret["days_to_pay"].filter((pl.col("period") == "P1")
                                   & (pl.col("supplier_size_band") == "all"))
    assert dp.select("days_to_pay", "overflow", "invoices", "value_gbp").rows() == [
        (10, False, 1, 100.0), (20, False, 1, 300.0), (40, False, 1, 200.0), (61, True, 1, 1000.0)]


def test_days_late_for_the_cashflow_model(ret):
    dl = ret["days_late"].filter(pl.col("supplier_size_band") == "all")
    # I6 has no due date (no terms) and I5 is a credit note: neither is in
    assert dl.select("period", "days_late", "invoices").rows() == [
        ("P1", 0, 2), ("P1", 10, 1), ("P1", 70, 1)]


def test_contributors_count_suppliers_and_the_two_largest(ret):
    c = ret["contributors"]
    a = row(c, measure="payment_metrics", period="P1", supplier_size_band="all")
    assert (a["supplier_count"], a["value_total_gbp"], a["largest_supplier_value_gbp"],
            a["second_supplier_value_gbp"]) == (3, 1600.0, 1000.0, 300.0)
    s = row(c, measure="payment_metrics", period="P1", supplier_size_band="micro+small")
    assert (s["supplier_count"], s["largest_supplier_value_gbp"]) == (2, 300.0)
    one = row(c, measure="payment_metrics", period="P1", supplier_size_band="large")
    assert one["supplier_count"] == 1 and one["second_supplier_value_gbp"] is None
    dd = row(c, measure="days_distribution", period="*", supplier_size_band="all")
    assert (dd["supplier_count"], dd["value_total_gbp"], dd["largest_supplier_value_gbp"],
            dd["second_supplier_value_gbp"]) == (3, 2000.0, 1000.0, 700.0)
    owed = row(c, measure="interest_owed", period="P1", supplier_size_band="all")
    assert owed["supplier_count"] == 2  # s1 (I2) and s3 (I4)


def test_interest_and_compensation(ret):
    i = row(ret["interest"], period="P1", supplier_size_band="all")
    # I2 (£200: £40 fixed sum) and I4 (£1,000: £70) paid late
    assert (i["invoices_paid_late"], i["late_value_gbp"], i["fixed_compensation_gbp"]) == \
        (2, 1200.0, 110.0)
    assert i["statutory_interest_gbp"] > 0
    assert i["total_owed_gbp"] == pytest.approx(i["statutory_interest_gbp"] + 110.0)


def test_compliance_notice_figures(ret):
    c = row(ret["compliance_notice"], period="P1")
    assert (c["invoice_count"], c["average_days_to_pay"], c["paid_days_1_to_30_pct"],
            c["paid_days_31_to_60_pct"], c["paid_day_61_or_later_pct"]) == (4, 42.5, 50.0, 25.0, 25.0)
    assert (c["payable_in_period_count"], c["payable_not_paid_in_period_pct"]) == (4, 0.0)


def test_provenance_and_other_buyers_left_out(ret):
    info = ret["return_info"].row(0, named=True)
    assert (info["member_id"], info["periods"], info["days_to_pay_max"]) == ("A", "P1;P2", 60)
    assert info["approver_name"] == "J Bloggs" and info["approved_at"]
    assert 999.0 not in ret["payment_totals"]["value_gbp"].to_list()


def test_built_return_checks_clean_and_a_broken_one_does_not(ret):
    assert check_return(ret, PERIODS).errors == []
    broken = dict(ret, payment_totals=ret["payment_totals"].with_columns(
        pl.when(pl.col("supplier_size_band") == "micro").then(pl.col("invoices") + 1)
        .otherwise(pl.col("invoices")).alias("invoices")))
    errors = check_return(broken, PERIODS).errors
    assert any("band rows add up to" in e and "invoices" in e for e in errors)
    other = PERIODS.with_columns(pl.lit(d("2025-04-02")).alias("period_start"))
    assert any("the network's runs" in e for e in check_return(ret, other).errors)
