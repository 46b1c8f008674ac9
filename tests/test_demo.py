"""The synthetic demo data has the shapes data/README.md promises."""

from __future__ import annotations

import polars as pl
import pytest

from lainbench import demo


@pytest.fixture(scope="module")
def inv():
    return demo.invoices(n_invoices=30_000, seed=3)


def test_reproducible_for_a_seed():
    assert demo.invoices(2_000, seed=5).equals(demo.invoices(2_000, seed=5))
    assert not demo.invoices(2_000, seed=5).equals(demo.invoices(2_000, seed=6))


def test_twelve_members_of_several_kinds(inv):
    m = demo.members()
    assert m.height == 12 and m["org_type"].n_unique() >= 7
    assert set(inv["buyer_org_id"]) == set(m["org_id"])
    assert all(n.endswith("(demo)") for n in m["org_name"])


def test_values_span_50_to_5m_and_credit_notes_flagged(inv):
    amounts = inv["gross_amount_gbp"]
    assert amounts.filter(~inv["is_credit_note"]).min() >= 50
    assert amounts.max() <= 5_000_000 and amounts.max() > 1_000_000
    assert (inv.filter(pl.col("is_credit_note"))["gross_amount_gbp"] < 0).all()


def test_mostly_paid_near_terms_with_late_tail(inv):
    days = (inv["supplier_received_date"] - inv["invoice_received_date"]).dt.total_days()
    late = days > inv["agreed_terms_days"]
    assert 0.03 < late.mean() < 0.35
    assert days.filter(late).max() > 120  # a long tail


def test_every_payment_in_a_period(inv):
    p = demo.periods()
    paid = inv["supplier_received_date"]
    assert paid.min() >= p["period_start"].min() and paid.max() <= p["period_end"].max()


def test_size_bands_and_disputes(inv):
    bands = set(inv["supplier_size_band"])
    assert bands == {"micro", "small", "medium", "large"}
    assert 0.005 < inv["disputed"].mean() < 0.06
