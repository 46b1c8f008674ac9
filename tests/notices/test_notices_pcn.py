"""Reg 38(2)(a)-(e) from a ledger, hand-worked, with unpaid, disputed, early-paid and credit rows.

Period 1 Apr - 30 Sep 2026. Days count from the day after the invoice day (reg 38(2)(c)).
Row by row (all pa2023 except row 12):
 1 recv 20 Mar, due 19 Apr, paid 15 Apr (26 days)   (c) 1-30   (d) payable 19 Apr, made
 2 recv 10 Sep, due 25 Sep, unpaid                  (d) payable, NOT made
 3 recv  5 Sep, due 20 Sep, paid 3 Oct              (d) payable, NOT made (paid after the end)
 4 recv 15 Sep, no due/terms -> payable 15 Oct      outside the period
 5 disputed, due 31 May, unresolved, unpaid         defer: not yet payable; include: NOT made
 6 disputed, due 1 May, resolved 2 Oct, paid 10 Oct defer: payable 2 Oct (outside); include: NOT made
 7 recv 1 Feb, due 2 Apr, paid 25 Mar               (d) payable, paid before the period: made
 8 credit note                                      left out
 9 recv 1 Apr, 45-day terms -> due 16 May, paid 5 Jun (65 days)  (c) 61+   (d) made
10 recv 1 May, due 31 May, paid 10 Jun (40 days)    (c) 31-60  (d) made
11 recv 1 Jun, paid 1 Jun (day 0), due 1 Jul        (c) 1-30 (day 0 counted there)  (d) made
12 pcr_2015, due 5 May, unpaid                       whole ledger only: payable, NOT made
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from lainbench.errors import ParamsError
from lainbench.notices.pcn import payments_compliance_notice, pcn_figures

S, E = date(2026, 4, 1), date(2026, 9, 30)


def ledger() -> pl.DataFrame:
    d = date
    rows = [
        # recv, due, terms, paid, amount, disputed, resolved, credit, regime
        (d(2026, 3, 20), d(2026, 4, 19), None, d(2026, 4, 15), 100.0, False, None, False, "pa2023"),
        (d(2026, 9, 10), d(2026, 9, 25), None, None, 200.0, False, None, False, "pa2023"),
        (d(2026, 9, 5), d(2026, 9, 20), None, d(2026, 10, 3), 300.0, False, None, False, "pa2023"),
        (d(2026, 9, 15), None, None, None, 400.0, False, None, False, "pa2023"),
        (d(2026, 5, 1), d(2026, 5, 31), None, None, 500.0, True, None, False, "pa2023"),
        (d(2026, 4, 1), d(2026, 5, 1), None, d(2026, 10, 10), 600.0, True, d(2026, 10, 2), False,
         "pa2023"),
        (d(2026, 2, 1), d(2026, 4, 2), None, d(2026, 3, 25), 700.0, False, None, False, "pa2023"),
        (d(2026, 4, 10), d(2026, 5, 10), None, None, -50.0, False, None, True, "pa2023"),
        (d(2026, 4, 1), None, 45, d(2026, 6, 5), 900.0, False, None, False, "pa2023"),
        (d(2026, 5, 1), d(2026, 5, 31), None, d(2026, 6, 10), 1000.0, False, None, False, "pa2023"),
        (d(2026, 6, 1), d(2026, 7, 1), None, d(2026, 6, 1), 1100.0, False, None, False, "pa2023"),
        (d(2026, 4, 5), d(2026, 5, 5), None, None, 1200.0, False, None, False, "pcr_2015"),
    ]
    cols = ["invoice_received_date", "due_date", "agreed_terms_days", "supplier_received_date",
            "gross_amount_gbp", "disputed", "dispute_resolved_date", "is_credit_note", "regime"]
    df = pl.DataFrame(rows, schema=cols, orient="row")
    return df.with_columns(pl.lit("A").alias("buyer_org_id"),
                           pl.col("agreed_terms_days").cast(pl.Int32))


def test_reg38_c_paid_in_the_period():
    f = pcn_figures(ledger().filter(pl.col("regime") == "pa2023"), S, E)
    # rows 1, 9, 10, 11: 26, 65, 40, 0 days -> mean 131 / 4 = 32.75
    assert f["paid_count"] == 4 and f["average_days"] == 32.75
    # 1-30: rows 1 and 11 (2 of 4); 31-60: row 10; 61+: row 9
    assert (f["paid_within_30_days_pct"], f["paid_31_to_60_days_pct"],
            f["paid_61_days_or_more_pct"]) == (50.0, 25.0, 25.0)
    assert f["paid_value_gbp"] == 100 + 900 + 1000 + 1100


def test_reg38_d_defer_disputes():
    f = pcn_figures(ledger().filter(pl.col("regime") == "pa2023"), S, E)
    # payable in the period: rows 1, 2, 3, 7, 9, 10, 11 = 7; not made: rows 2 and 3 -> 2 / 7
    assert (f["payable_count"], f["payable_not_paid_in_period_count"]) == (7, 2)
    assert f["payable_not_paid_in_period_pct"] == 28.57
    # by value: (200 + 300) / (100 + 200 + 300 + 700 + 900 + 1000 + 1100 = 4,300) = 11.63 %
    assert f["payable_value_gbp"] == 4300.0 and f["payable_not_paid_in_period_value_pct"] == 11.63
    assert f["payable_paid_before_period_count"] == 1  # row 7
    assert f["disputed_not_yet_payable_count"] == 1  # row 5 (row 6 has a resolution date)
    assert f["credit_notes_left_out"] == 1


def test_reg38_d_include_disputes():
    f = pcn_figures(ledger().filter(pl.col("regime") == "pa2023"), S, E, disputed="include")
    # adds row 5 (due 31 May, unpaid) and row 6 (due 1 May, paid 10 Oct): 9 payable, 4 not made
    assert (f["payable_count"], f["payable_not_paid_in_period_count"]) == (9, 4)
    assert f["payable_not_paid_in_period_pct"] == 44.44
    assert f["disputed_not_yet_payable_count"] == 0
    with pytest.raises(ParamsError, match="disputed"):
        pcn_figures(ledger(), S, E, disputed="ignore")


def test_notice_is_restricted_to_procurement_act_contracts_with_whole_ledger_beside():
    n = payments_compliance_notice(ledger(), "A", "2026-09", authority_name="Authority A",
                                   approver_name="J. Smith", approver_title="Director of Finance")
    assert n.figures["payable_count"] == 7 and n.figures["payable_not_paid_in_period_pct"] == 28.57
    # whole ledger adds row 12 (pcr_2015, payable 5 May, unpaid): 8 payable, 3 not made = 37.5 %
    assert n.whole_ledger["payable_count"] == 8
    assert n.whole_ledger["payable_not_paid_in_period_pct"] == 37.5
    assert n.period.deadline == date(2026, 10, 29)
    assert n.approval_statement == (
        "I approve this payments compliance notice. J. Smith, Director of Finance, Authority A.")
    rows = {r["figure"]: r for r in n.rows().iter_rows(named=True)}
    assert rows["payable_not_paid_in_period_pct"]["procurement_act_contracts"] == "28.57"
    assert rows["payable_not_paid_in_period_pct"]["whole_ledger_for_comparison"] == "37.50"
    assert rows["approver_title"]["procurement_act_contracts"] == "Director of Finance"
    assert rows["period_start"]["procurement_act_contracts"] == "2026-04-01"


def test_fallback_when_no_procurement_act_invoices_and_missing_approver():
    df = ledger().with_columns(pl.lit("pcr_2015").alias("regime"))
    n = payments_compliance_notice(df, "A", "2026-09")
    assert not n.has_scope_invoices
    assert n.figures["paid_count"] == 0 and n.figures["average_days"] is None
    assert n.whole_ledger["paid_count"] == 4
    assert n.notes[0].startswith("No Procurement Act invoices in this period")
    assert any("38(2)(e)" in x for x in n.notes)
    assert "[name of the director" in n.approval_statement
    no_regime = payments_compliance_notice(ledger().drop("regime"), "A", "2026-09")
    assert not no_regime.has_scope_invoices
    assert any("no regime column" in x for x in no_regime.notes)


def test_unknown_member_and_period_errors():
    with pytest.raises(ParamsError, match="member = 'Z'.*A"):
        payments_compliance_notice(ledger(), "Z", "2026-09")
    with pytest.raises(ParamsError, match="31 March and 30 September"):
        payments_compliance_notice(ledger(), "A", "2026-06")


def test_payment_date_used_when_supplier_receipt_missing():
    # reg 38(4): payment made when received by the supplier; the buyer's payment date stands in
    df = pl.DataFrame({"buyer_org_id": ["A", "A"], "regime": ["pa2023"] * 2,
                       "invoice_received_date": [date(2026, 4, 1)] * 2,
                       "payment_date": [date(2026, 4, 11), date(2026, 4, 11)],
                       "supplier_received_date": [date(2026, 4, 14), None],
                       "gross_amount_gbp": [10.0, 10.0]})
    f = pcn_figures(df, S, E)
    assert f["average_days"] == 11.5  # 13 and 10 days
