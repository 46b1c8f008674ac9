"""Published-vs-ledger comparison compares like with like only."""

from __future__ import annotations

import datetime as dt

import polars as pl

from lainbench.notices.compare import MEASURE_DEFINITIONS, compare_measures, measure_id

K = {"org_id": ["a"], "period_start": [dt.date(2026, 4, 1)], "period_end": [dt.date(2026, 9, 30)]}


def _pub(measure, value, regime, basis=None):
    return pl.DataFrame({**K, "regime": [regime], "day_count_basis": [basis],
                         "measure": [measure], "value": [value]})


def _led(measure, value):
    return pl.DataFrame({**K, "measure": [measure], "value": [value]})


def test_pcn_d_and_ppr_not_within_terms_are_different_measures():
    out = compare_measures(_pub("not_paid_within_terms_pct", 4.0, "pa2023_pcn"),
                           _led("not_paid_within_terms_pct", 21.0))
    r = out.row(0, named=True)
    assert r["published_measure"] == "reg38_2d_payable_not_paid_in_period_pct"
    assert r["ledger_measure"] == "ppr_not_paid_within_agreed_terms_pct"
    assert (r["published_value"], r["ledger_value"]) == (4.0, 21.0)
    assert r["comparable"] is False and r["difference"] is None
    assert r["reading"] == "different measures: shown side by side, not compared"
    assert "became payable" in r["published_definition"]
    assert "agreed terms" in r["ledger_definition"]
    assert "published_looks_better" not in out.columns


def test_same_measure_is_differenced():
    # PPR 2025 % not paid within terms vs the ledger's PPR measure: 18 - 21 = -3
    out = compare_measures(_pub("not_paid_within_terms_pct", 18.0, "ppr_2025"),
                           _led("not_paid_within_terms_pct", 21.0))
    assert out.select("comparable", "difference").row(0) == (True, -3.0)
    # the PCN (d) figure finds the ledger's (d) figure under its own name
    both = pl.concat([_led("not_paid_within_terms_pct", 21.0),
                      _led("payable_not_paid_in_period_pct", 6.5)])
    r = compare_measures(_pub("not_paid_within_terms_pct", 4.0, "pa2023_pcn"), both).row(
        0, named=True)
    assert (r["ledger_value"], r["comparable"], r["difference"]) == (6.5, True, -2.5)


def test_other_day_count_is_another_measure_and_missing_ledger():
    out = compare_measures(
        _pub("avg_days_to_pay", 12.0, "pcr_reg113", "valid_undisputed_to_payment"),
        _led("avg_days_to_pay", 20.0))
    assert out.select("comparable", "difference").row(0) == (False, None)
    none = compare_measures(_pub("paid_within_5_days_pct", 80.0, "ppn_05_15"),
                            _led("avg_days_to_pay", 20.0))
    assert none["reading"][0] == "no ledger figure for this measure"
    assert measure_id("paid_within_30_days_pct", "pcr_reg113") in MEASURE_DEFINITIONS


def test_derived_notice_feeds_the_comparison():
    from lainbench.notices.pcn import payments_compliance_notice

    inv = pl.DataFrame({"buyer_org_id": ["a"] * 2, "regime": ["pa2023"] * 2,
                        "invoice_received_date": [dt.date(2026, 4, 1)] * 2,
                        "due_date": [dt.date(2026, 5, 1)] * 2,
                        "supplier_received_date": [dt.date(2026, 4, 21), None],
                        "gross_amount_gbp": [10.0, 10.0]})
    n = payments_compliance_notice(inv, "a", "2026-09")
    led = n.long_figures()
    pub = pl.concat([_pub("not_paid_within_terms_pct", 10.0, "pa2023_pcn"),
                     _pub("avg_days_to_pay", 20.0, "pa2023_pcn",
                          "invoice_receipt_to_supplier_receipt")], how="vertical_relaxed")
    out = compare_measures(pub, led)
    got = {r["published_measure"]: (r["ledger_value"], r["difference"])
           for r in out.iter_rows(named=True)}
    # ledger: one payment, 20 days; (d) 1 of 2 payable on 1 May not paid by 30 Sep = 50 %
    assert got["average_days_receipt_to_payment"] == (20.0, 0.0)
    assert got["reg38_2d_payable_not_paid_in_period_pct"] == (50.0, -40.0)
