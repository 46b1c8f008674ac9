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


def test_every_payment_in_a_period_except_the_spill_after_the_last(inv):
    from lainbench.demo.invoices import EXTRACT_DATE

    p = demo.periods()
    paid = inv["supplier_received_date"]
    last_end = p["period_end"].max()
    assert paid.min() >= p["period_start"].min() and paid.max() <= EXTRACT_DATE
    after = inv.filter(pl.col("supplier_received_date") > last_end)
    unpaid = inv.filter(pl.col("supplier_received_date").is_null())
    # both exist, and every one was received within the last period (by its last day)
    assert after.height > 0 and unpaid.height > 0
    assert after["invoice_received_date"].max() <= last_end
    assert unpaid["invoice_received_date"].max() <= last_end
    # unpaid means no payment date of either kind; 3 % spill of 30,000 at most
    assert unpaid["payment_date"].null_count() == unpaid.height
    assert after.height + unpaid.height < 0.03 * inv.height


def test_regime_follows_procurement_commencement(inv):
    commenced = inv["procurement_commenced_date"]
    assert commenced.null_count() == 0
    pa = pl.date(2025, 2, 24)
    assert inv.filter((pl.col("regime") == "pa2023") != (pl.col("procurement_commenced_date") >= pa)
                      ).height == 0
    # PCR 2015 contracts still invoice in 2026 (so notice figures differ from whole-ledger ones)
    y2026 = inv.filter(pl.col("invoice_received_date").dt.year() == 2026)
    assert set(y2026["regime"]) == {"pa2023", "pcr_2015"}
    # a contract commenced before its first invoice; one regime per contract
    first = inv.group_by("contract_id").agg(
        pl.col("invoice_received_date").min().alias("first"),
        pl.col("procurement_commenced_date").n_unique().alias("n"),
        pl.col("regime").n_unique().alias("r"), pl.col("procurement_commenced_date").first())
    assert (first["procurement_commenced_date"] < first["first"]).all()
    assert (first["n"] == 1).all() and (first["r"] == 1).all()


def test_disputes_have_raised_and_resolved_dates(inv):
    d = inv.filter(pl.col("disputed"))
    assert d["dispute_raised_date"].null_count() == 0
    assert (d["dispute_raised_date"] > d["invoice_received_date"]).all()
    paid = d.filter(pl.col("payment_date").is_not_null())
    assert paid["dispute_resolved_date"].null_count() == 0
    assert (paid["dispute_resolved_date"] <= paid["payment_date"]).all()
    assert (paid["dispute_resolved_date"] > paid["dispute_raised_date"]).all()
    # an unpaid disputed invoice's dispute is still open; undisputed invoices have no dates
    assert d.filter(pl.col("payment_date").is_null())["dispute_resolved_date"].null_count() == \
        d.filter(pl.col("payment_date").is_null()).height
    undisputed = inv.filter(~pl.col("disputed"))
    assert undisputed["dispute_raised_date"].null_count() == undisputed.height


def test_size_bands_and_disputes(inv):
    bands = set(inv["supplier_size_band"])
    assert bands == {"micro", "small", "medium", "large"}
    assert 0.005 < inv["disputed"].mean() < 0.06
