"""Tests for lainbench.ingest.ppr: both export layouts, quality flags, latest filings, real data.

Expected values come from the fixture text and the public report pages, worked by hand; counts in
the real export are recomputed here with Python's csv module, independently of the polars code.
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from pathlib import Path

import polars as pl
import pytest

from lainbench.config import SHARED_REAL_DATA
from lainbench.demo.examples import PPR_HEADER, ppr_demo_bytes
from lainbench.errors import IngestError
from lainbench.ingest.ppr import ingest_ppr
from lainbench.schemas import ORG_PAYMENT_PERFORMANCE

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
D = dt.date
REAL_EXPORT = SHARED_REAL_DATA / "ppr-export-2025-08-14-subset" / "2025-08-14-1433-prompt-payments.csv"
REAL_THAMES = (SHARED_REAL_DATA / "ppr-report-pages-transcribed"
               / "thames_water_utilities_ppr_transcribed.csv")
REAL_AGG = SHARED_REAL_DATA / "ppr-aggregates-chadhauser" / "uk_payment_trend_by_year.csv"


def _current(rows: list[dict[str, str]], tmp_path: Path, name: str = "export.csv") -> Path:
    """A current-layout (52-column) export with the given cells, others blank."""
    p = tmp_path / name
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(PPR_HEADER)
        for r in rows:
            w.writerow([r.get(h, "") for h in PPR_HEADER])
    return p


BASE = {"Qualifying contracts in reporting period": "TRUE", "Company": "DEMO CO LIMITED",
        "Company number": "00000001", "Start date": "4/1/2024", "End date": "9/30/2024",
        "Filing date": "10/15/2024", "Average time to pay": "30",
        "% Invoices paid within 30 days": "60", "% Invoices paid between 31 and 60 days": "30",
        "% Invoices paid later than 60 days": "10", "% Invoices not paid within agreed terms": "12"}


# --- legacy layout (hand-written fixture) ---------------------------------------------------------

@pytest.fixture(scope="module")
def legacy():
    return ingest_ppr(DATA / "ppr_legacy.csv")


def test_legacy_row_accounting(legacy):
    # 7 lines under the header: 3 accepted, 3 rejected (end before start, month 13, repeated id),
    # 1 blank
    assert (legacy.rows_read, legacy.accepted.height, legacy.rejected_rows) == (7, 3, 3)
    assert legacy.skipped == {"blank": 1}
    assert legacy.notes[0].startswith("legacy layout (23 columns)")


def test_legacy_rejects(legacy):
    got = {(r["source_row"], r["reason"]) for r in legacy.rejects.iter_rows(named=True)}
    assert (4, "period ends before it starts") in got
    assert (5, "impossible date (no such month)") in got
    assert (6, "Report Id repeated (first kept)") in got


def test_legacy_values(legacy):
    a = {r["report_id"]: r for r in legacy.accepted.iter_rows(named=True)}
    assert a["101"]["companies_house_number"] == "01234567"  # Excel dropped the leading zero
    assert a["101"]["org_id"] == "01234567"
    assert a["103"]["org_type"] == "llp"
    assert a["101"]["regime"] == "ppr_2017"
    assert a["101"]["day_count_basis"] == "invoice_receipt_to_supplier_receipt"
    assert (a["101"]["period_start"], a["101"]["period_end"]) == (D(2019, 4, 1), D(2019, 9, 30))
    assert a["101"]["avg_days_to_pay"] == 35.0
    assert a["101"]["payment_code"] == "Yes (code not named)"  # legacy boolean "true"
    assert a["102"]["payment_code"] is None
    assert a["101"]["terms_changed_text"] is None and a["102"]["terms_changed_text"] == "Yes"
    assert a["101"]["e_invoicing_offered"] is True
    assert a["101"]["not_paid_due_to_dispute_pct"] is None  # did not exist before 2025
    assert a["103"]["standard_terms_longest_days"] is None
    assert a["101"]["source_url"] == "https://check-payment-practices.service.gov.uk/report/101"


def test_latest_filing(legacy):
    latest = dict(legacy.accepted.select("report_id", "is_latest_filing").iter_rows())
    # 101 (filed 15 Oct) and 102 (filed 20 Oct) cover the same company and period
    assert latest == {"101": False, "102": True, "103": True}


def test_quality_flags(legacy):
    flags = dict(legacy.accepted.select("report_id", "quality_flags").iter_rows())
    assert flags["102"] == ["regime_inferred"]
    # 103: 400 days; 50 + 30 + 25 = 105; 1 Apr - 30 Jun is 91 days; filed 183 days after
    assert set(flags["103"]) == {"avg_days_gt_365", "buckets_not_100", "period_not_6_months",
                                 "filed_late", "regime_inferred"}


# --- current layout ---------------------------------------------------------------------------

def test_current_layout_regimes_and_legacy_zeros(tmp_path):
    rows = [
        {**BASE, "Report Id": "1", "Policy Regime": "Regime-1",
         "Financial period start date": "None", "Payments made in reporting period": "FALSE",
         "Construction contracts have retention clauses": "FALSE",
         "Total value invoices paid later than agreed terms": "0",
         "% Invoices not paid due to dispute": "0", "Participates in payment codes": "No"},
        {**BASE, "Report Id": "2", "Policy Regime": "Regime-1", "Company number": "00000002",
         "Qualifying contracts in reporting period": "FALSE", "Average time to pay": "",
         "% Invoices paid within 30 days": "", "% Invoices paid between 31 and 60 days": "",
         "% Invoices paid later than 60 days": "", "% Invoices not paid within agreed terms": ""},
        {**BASE, "Report Id": "3", "Policy Regime": "Regime-2", "Company number": "00000003",
         "Financial period start date": "4/1/2025", "Start date": "4/1/2025",
         "End date": "9/30/2025", "Filing date": "10/20/2025",
         "Payments made in reporting period": "TRUE",
         "Construction contracts have retention clauses": "TRUE",
         "Total value invoices paid within 30 days": "600000",
         "Total value invoices paid between 31 and 60 days": "300000",
         "Total value invoices paid later than 60 days": "100000",
         "Total value invoices paid later than agreed terms": "150000",
         "% Invoices not paid due to dispute": "0",
         "Participates in payment codes": "Fair Payment Code"},
        {**BASE, "Report Id": "4", "Policy Regime": "2025", "Company number": "00000004",
         "Start date": "4/1/2025", "End date": "9/30/2025", "Filing date": "10/20/2025"},
    ]
    res = ingest_ppr(_current(rows, tmp_path))
    assert res.notes[0].startswith("current layout (52 columns)")
    a = {r["report_id"]: r for r in res.accepted.iter_rows(named=True)}
    assert [a[k]["regime"] for k in "1234"] == ["ppr_2017", "ppr_2017", "ppr_2025", "ppr_2025"]
    assert a["1"]["not_paid_within_terms_value_gbp"] is None
    assert a["1"]["not_paid_due_to_dispute_pct"] is None
    assert a["1"]["payments_made_in_period"] is None
    assert a["1"]["construction_retentions_used"] is None
    assert a["1"]["payment_code"] is None
    assert a["1"]["quality_flags"] == ["legacy_zero_as_missing"]
    assert a["2"]["avg_days_to_pay"] is None
    assert a["2"]["quality_flags"] == ["no_qualifying_contracts"]
    assert a["3"]["not_paid_due_to_dispute_pct"] == 0.0  # a real zero under the 2025 rules
    assert a["3"]["not_paid_within_terms_value_gbp"] == 150000.0
    assert a["3"]["invoices_paid_value_gbp"] == 1_000_000.0  # 600,000 + 300,000 + 100,000
    assert a["3"]["payments_made_in_period"] is True
    assert a["3"]["construction_retentions_used"] is True
    assert a["3"]["payment_code"] == "Fair Payment Code"
    assert a["3"]["quality_flags"] == []
    assert a["4"]["quality_flags"] == ["values_missing"]
    assert res.accepted.schema == ORG_PAYMENT_PERFORMANCE.schema


def test_demo_export(tmp_path):
    p = tmp_path / "demo.csv"
    p.write_bytes(ppr_demo_bytes())
    res = ingest_ppr(p)
    assert res.accepted.height == 5
    latest = dict(res.accepted.select("report_id", "is_latest_filing").iter_rows())
    assert latest == {"900001": True, "900002": True, "900003": False, "900004": True,
                      "900005": True}


def test_excel_resaved_day_first_dates(tmp_path):
    rows = [{**BASE, "Report Id": "1", "Policy Regime": "Regime-1", "Start date": "01/04/2024",
             "End date": "30/09/2024", "Filing date": "15/10/2024"}]
    res = ingest_ppr(_current(rows, tmp_path))
    assert res.accepted.select("period_start", "period_end").row(0) == (D(2024, 4, 1),
                                                                       D(2024, 9, 30))
    assert any("day-first" in n for n in res.notes)


def test_mixed_date_orders_refused(tmp_path):
    rows = [{**BASE, "Report Id": "1", "Policy Regime": "Regime-1"},
            {**BASE, "Report Id": "2", "Policy Regime": "Regime-1", "Start date": "13/04/2024"}]
    with pytest.raises(IngestError, match="mix month-first.*Excel"):
        ingest_ppr(_current(rows, tmp_path))


def test_unreadable_number_rejected(tmp_path):
    rows = [{**BASE, "Report Id": "1", "Policy Regime": "Regime-1", "Average time to pay": "n/k"}]
    res = ingest_ppr(_current(rows, tmp_path))
    assert res.rejects.select("source_row", "column", "value", "reason").row(0) == (
        1, "Average time to pay", "n/k", "not a number")


def test_not_an_export(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("Supplier,Amount\nA,1\n")
    with pytest.raises(IngestError, match="not a payment practices export.*'Start date'"):
        ingest_ppr(p)
    with pytest.raises(IngestError, match="file not found"):
        ingest_ppr(tmp_path / "none.csv")


# --- real data (../shared/real-data; skipped when absent) --------------------------------------

needs_real = pytest.mark.skipif(not REAL_EXPORT.exists(), reason="../shared/real-data not present")


@pytest.fixture(scope="module")
def real():
    if not REAL_EXPORT.exists():
        pytest.skip("../shared/real-data not present")
    return ingest_ppr(REAL_EXPORT)


@pytest.fixture(scope="module")
def real_rows():
    if not REAL_EXPORT.exists():
        pytest.skip("../shared/real-data not present")
    with REAL_EXPORT.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.realdata
def test_real_export_everything_accounted(real, real_rows):
    assert len(real_rows) == 2284  # README: 2,284 reports
    assert real.rows_read == 2284
    assert real.accepted.height == 2284 and real.rejected_rows == 0
    assert real.notes[0].startswith("current layout (52 columns)")
    assert real.accepted["regime"].unique().to_list() == ["ppr_2017"]  # all Regime-1
    numbers = real.accepted["companies_house_number"]
    assert numbers.str.len_chars().unique().to_list() == [8]
    assert set(numbers.to_list()) == {r["Company number"] for r in real_rows}


@pytest.mark.realdata
def test_real_export_flags_match_independent_counts(real, real_rows):
    flags = real.accepted.select(pl.col("quality_flags").explode()).to_series().value_counts()
    count = dict(flags.iter_rows())
    no_q = sum(r["Qualifying contracts in reporting period"] == "FALSE" for r in real_rows)
    assert no_q == 239 == count["no_qualifying_contracts"]  # README: 239
    over = sum(r["Average time to pay"] != "" and int(r["Average time to pay"]) > 365
               for r in real_rows)
    assert over == 4 == count["avg_days_gt_365"]  # README: 4 values above 365
    sums = [sum(int(r[f"% Invoices paid {b}"]) for b in
                ("within 30 days", "between 31 and 60 days", "later than 60 days"))
            for r in real_rows if r["% Invoices paid within 30 days"] != ""]
    # README: 129 of 2,045 triples miss 100 by more than 0.5; most are 99 or 101 (rounding of
    # three whole percentages), so the flag's tolerance is 1 point
    assert len(sums) == 2045
    assert sum(abs(s - 100) > 0.5 for s in sums) == 129
    assert sum(abs(s - 100) > 1 for s in sums) == count["buckets_not_100"]
    assert count["legacy_zero_as_missing"] == 2045
    assert real.accepted["not_paid_due_to_dispute_pct"].null_count() == 2284


@pytest.mark.realdata
def test_real_export_latest_filings(real, real_rows):
    groups: dict[tuple[str, str, str], int] = {}
    for r in real_rows:
        key = (r["Company number"], r["Start date"], r["End date"])
        groups[key] = groups.get(key, 0) + 1
    assert real.accepted["is_latest_filing"].sum() == len(groups)


@pytest.mark.realdata
def test_real_thames_water_figures():
    if not REAL_THAMES.exists():
        pytest.skip("../shared/real-data not present")
    res = ingest_ppr(REAL_THAMES)
    a = {r["report_id"]: r for r in res.accepted.iter_rows(named=True)}
    assert set(a) == {"8727", "36965", "103838"}
    r25 = a["103838"]  # https://check-payment-practices.service.gov.uk/report/103838
    assert r25["org_name"] == "THAMES WATER UTILITIES LIMITED"
    assert r25["companies_house_number"] == "02366661"
    assert r25["regime"] == "ppr_2025"
    assert (r25["period_start"], r25["period_end"]) == (D(2025, 4, 1), D(2025, 9, 30))
    assert r25["avg_days_to_pay"] == 63
    assert (r25["paid_within_30_days_pct"], r25["paid_31_to_60_days_pct"],
            r25["paid_over_60_days_pct"]) == (25, 33, 42)
    assert (r25["paid_within_30_days_value_gbp"], r25["paid_31_to_60_days_value_gbp"],
            r25["paid_over_60_days_value_gbp"]) == (908_610_642, 708_532_075, 311_596_824)
    # £908.6m + £708.5m + £311.6m
    assert r25["invoices_paid_value_gbp"] == 908_610_642 + 708_532_075 + 311_596_824
    assert r25["not_paid_within_terms_value_gbp"] == 462_068_071
    assert (r25["not_paid_within_terms_pct"], r25["not_paid_due_to_dispute_pct"]) == (14, 0)
    assert r25["construction_retentions_used"] is True
    assert r25["max_contractual_terms_days"] == 91
    r18 = a["8727"]
    assert r18["regime"] == "ppr_2017" and r18["avg_days_to_pay"] == 60
    assert (r18["paid_within_30_days_pct"], r18["paid_31_to_60_days_pct"],
            r18["paid_over_60_days_pct"], r18["not_paid_within_terms_pct"]) == (21, 25, 54, 20)
    assert r18["not_paid_due_to_dispute_pct"] is None
    # filed 13 Nov 2018 for a period ending 30 Sep 2018: 44 days, past the 30-day deadline
    assert "filed_late" in r18["quality_flags"]
    assert a["36965"]["avg_days_to_pay"] == 62


@pytest.mark.realdata
def test_real_national_medians_in_line_with_published(real):
    """The subset is the first 2,284 reports, filed Nov 2017 - Jul 2018, so its medians should
    sit between the published 2017 and 2018 medians (Chadhauser, 114,758 reports, values outside
    0-400 days / 0-100 % dropped). Tolerance: 2 days and 4 percentage points beyond that band:
    a median of ~2,000 reports has a standard error of about 0.6 days and 1 point, and the
    published years are not defined by filing date, so a few standard errors are allowed."""
    if not REAL_AGG.exists():
        pytest.skip("../shared/real-data not present")
    with REAL_AGG.open(newline="") as fh:
        pub = {r["year"]: r for r in csv.DictReader(fh)}
    a = real.accepted.filter(pl.col("is_latest_filing") & pl.col("avg_days_to_pay").is_between(0, 400))
    ours = {
        "median_avg_days_to_pay": (statistics.median(a["avg_days_to_pay"].to_list()), 2),
        "median_pct_paid_within_30d": (statistics.median(a["paid_within_30_days_pct"].to_list()), 4),
        "median_pct_paid_over_60d": (statistics.median(a["paid_over_60_days_pct"].to_list()), 4),
        "median_pct_not_paid_on_time": (
            statistics.median(a["not_paid_within_terms_pct"].drop_nulls().to_list()), 4),
        "median_standard_terms_days": (
            statistics.median(a["standard_terms_shortest_days"].drop_nulls().to_list()), 2),
    }
    for measure, (value, tol) in ours.items():
        lo = min(float(pub["2017"][measure]), float(pub["2018"][measure])) - tol
        hi = max(float(pub["2017"][measure]), float(pub["2018"][measure])) + tol
        assert lo <= value <= hi, (measure, value, lo, hi)
