"""s.70: payments of more than £30,000 (incl. VAT) under public contracts, per quarter."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from lainbench.errors import ParamsError
from lainbench.notices.s70 import DISCLOSURE_LABEL, payments_over_30k


def ledger(**extra) -> pl.DataFrame:
    d = date
    df = pl.DataFrame({
        "buyer_org_id": ["A"] * 7 + ["B"],
        "invoice_id": [str(i) for i in range(1, 9)],
        "contract_id": ["C1", "C1", "C2", "C3", "C4", "C5", "C6", "C9"],
        "supplier_name": ["Acme", "Acme", "Bolt", "Crane", "Dyna", "Echo", "Fox", "Other"],
        "regime": ["pa2023"] * 5 + ["pcr_2015", "pa2023", "pa2023"],
        "payment_date": [d(2026, 4, 1), d(2026, 6, 30), d(2026, 7, 1), d(2026, 5, 5),
                         d(2026, 5, 6), d(2026, 5, 7), d(2026, 5, 8), d(2026, 5, 9)],
        "gross_amount_gbp": [30_000.0, 30_000.01, 99_000.0, -40_000.0, 45_000.0, 50_000.0,
                             60_000.0, 70_000.0],
        **extra,
    })
    return df


def test_threshold_quarter_regime_member_and_credit_notes():
    out = payments_over_30k(ledger(), "A", "2026-Q2")
    # row 1 exactly £30,000 is not "more than"; row 3 paid 1 Jul is Q3; row 4 a credit;
    # row 6 pcr_2015; row 8 another member -> rows 5 (5 May), 7 (8 May), 2 (30 Jun), by date
    assert out.table["invoice_id"].to_list() == ["5", "7", "2"]
    assert out.table["amount_gbp"].to_list() == [45_000.0, 60_000.0, 30_000.01]
    assert out.table.columns == ["contract_id", "supplier_name", "supplier_id", "invoice_id",
                                 "amount_gbp", "payment_date"]
    assert out.quarter.deadline == date(2026, 7, 29)
    assert out.disclosure_label == DISCLOSURE_LABEL and "OUTSIDE" in DISCLOSURE_LABEL
    assert any("procurement_commenced_date" in n for n in out.notes)
    assert payments_over_30k(ledger(), "A", "2026-Q3").table["invoice_id"].to_list() == ["3"]


def test_procurement_commenced_date_limits_to_procurements_from_april_2026():
    d = date
    df = ledger(procurement_commenced_date=[d(2026, 4, 1), d(2026, 3, 31), d(2026, 5, 1),
                                            None, d(2026, 4, 2), d(2026, 4, 2), d(2025, 6, 1),
                                            d(2026, 4, 2)])
    out = payments_over_30k(df, "A", "2026-Q2")
    # row 2's procurement began 31 Mar 2026 and row 7's in 2025: not s.70 contracts
    assert out.table["invoice_id"].to_list() == ["5"]
    assert not any("procurement_commenced_date" in n for n in out.notes)


def test_empty_quarter_says_so_and_errors():
    out = payments_over_30k(ledger(), "A", "2026-Q4")
    assert out.table.height == 0 and out.notes[0].startswith("No payments of more than £30,000")
    with pytest.raises(ParamsError, match="before s.70"):
        payments_over_30k(ledger(), "A", "2026-Q1")
    with pytest.raises(ParamsError, match="member = 'Q'"):
        payments_over_30k(ledger(), "Q", "2026-Q2")
