"""Tests for lainbench.ingest.returns: PCN, reg 113, PPN 05/15 and NHS BPPC tables.

Expected values are read off the fixture text by hand (layouts copied from real published tables:
Kent and Staffordshire reg 113 pages, Defra's and the EHRC's PPN 05/15 tables, Tameside's BPPC
table); the figures in them are invented for demo bodies.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from lainbench.demo import examples
from lainbench.errors import IngestError
from lainbench.ingest.returns import detect_kind, ingest_returns
from lainbench.ingest.values import parse_period_label
from lainbench.schemas import ORG_PAYMENT_PERFORMANCE

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
D = dt.date


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    return examples.write_examples(tmp_path_factory.mktemp("examples"))


def test_pcn_table(ex):
    res = ingest_returns(ex["pcn"], org_id="eastbank_council", org_type="local_authority")
    assert (res.rows_read, res.accepted.height, res.rejected_rows) == (2, 2, 0)
    r = res.accepted.row(0, named=True)
    assert r["org_name"] == "London Borough of Eastbank (demo)"  # from the file
    assert (r["org_id"], r["org_type"]) == ("eastbank_council", "local_authority")
    assert (r["regime"], r["day_count_basis"]) == ("pa2023_pcn",
                                                   "invoice_receipt_to_supplier_receipt")
    assert r["report_id"] == "UK17-DEMO-0001"
    assert (r["period_start"], r["period_end"], r["filing_date"]) == (
        D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 24))
    assert (r["avg_days_to_pay"], r["paid_within_30_days_pct"], r["paid_31_to_60_days_pct"],
            r["paid_over_60_days_pct"], r["not_paid_within_terms_pct"]) == (
        14.2, 94.1, 4.9, 1.0, 3.2)
    assert r["approved_by"] == "A. Finance, Director of Finance (demo)"
    assert r["source_row_id"] == "2"  # line 2 of the file (line 1 is the header)
    assert res.accepted.schema == ORG_PAYMENT_PERFORMANCE.schema


def test_pcn_two_column_form():
    res = ingest_returns(DATA / "pcn_form.csv", org_id="metro_policing")
    assert (res.rows_read, res.accepted.height) == (11, 1)
    assert res.skipped == {"title": 1, "form line": 9}
    r = res.accepted.row(0, named=True)
    assert r["org_name"] == "Metropolitan Policing Office (demo)"
    assert (r["period_start"], r["period_end"]) == (D(2026, 4, 1), D(2026, 9, 30))
    assert (r["avg_days_to_pay"], r["paid_within_30_days_pct"], r["paid_31_to_60_days_pct"],
            r["paid_over_60_days_pct"], r["not_paid_within_terms_pct"]) == (
        17.5, 91.0, 6.5, 2.5, 4.0)
    assert r["approved_by"] == "B. Treasurer, Chief Finance Officer (demo)"


def test_reg113_table(ex):
    res = ingest_returns(ex["reg113"], org_id="westmere_council", org_name="ignored")
    assert (res.rows_read, res.accepted.height) == (4, 3)
    assert res.skipped == {"title": 1}
    assert res.notes[0].endswith("read as cp1252")  # the £ in the header is one byte
    rows = res.accepted.select("org_name", "regime", "day_count_basis", "period_start",
                               "period_end", "paid_within_30_days_pct", "interest_paid_gbp",
                               "interest_liable_gbp").rows()
    assert rows[0] == ("ignored", "pcr_reg113", "valid_undisputed_to_payment", D(2022, 4, 1),
                       D(2023, 3, 31), 86.40, 0.0, 48210.55)
    assert rows[1][5:] == (88.15, 312.40, 41907.10)
    assert rows[2][3:5] == (D(2024, 4, 1), D(2025, 3, 31))


def test_reg113_monthly_with_year_to_date():
    res = ingest_returns(DATA / "reg113_monthly.csv", org_id="c", org_name="C (demo)")
    # April 2024 and May 2024 read; "June" has no year; "Year to Date" is a summary line
    assert res.accepted.select("period_start", "period_end").rows() == [
        (D(2024, 4, 1), D(2024, 4, 30)), (D(2024, 5, 1), D(2024, 5, 31))]
    assert res.skipped == {"total row": 1}
    bad = res.rejects.row(0, named=True)
    assert (bad["source_row"], bad["value"]) == (4, "June")
    assert bad["reason"].startswith("period not recognised")


def test_ppn_05_15_with_reg113_block(ex):
    res = ingest_returns(ex["ppn_05_15"], org_id="dfd", org_name="Department for Demo (demo)")
    assert res.notes[0].endswith("read as utf-8-sig")
    # 8 lines after the header: 4 quarters, 2 "Not set" lines, the reg 113 year, 1 note
    assert (res.rows_read, res.accepted.height) == (8, 5)
    assert res.skipped == {"blank": 2, "note": 1}
    q = res.accepted.filter(pl.col("regime") == "ppn_05_15")
    assert q.select("period_start", "period_end", "paid_within_5_days_pct",
                    "paid_within_30_days_pct", "interest_liable_gbp").rows() == [
        (D(2024, 4, 1), D(2024, 6, 30), 81.20, 97.10, 3120.0),
        (D(2024, 7, 1), D(2024, 9, 30), 79.85, 96.44, 4480.0),
        (D(2024, 10, 1), D(2024, 12, 31), 83.02, 97.90, 2045.0),
        (D(2025, 1, 1), D(2025, 3, 31), 84.66, 98.31, 980.0)]
    assert q["day_count_basis"].unique().to_list() == ["receipt_to_payment"]
    assert q["org_type"].unique().to_list() == ["central_government"]
    y = res.accepted.filter(pl.col("regime") == "pcr_reg113").row(0, named=True)
    assert (y["period_start"], y["period_end"], y["paid_within_30_days_pct"],
            y["interest_paid_gbp"]) == (D(2024, 4, 1), D(2025, 3, 31), 97.43, 0.0)
    assert y["day_count_basis"] == "valid_undisputed_to_payment"


def test_ppn_month_range_labels_and_average_line():
    res = ingest_returns(DATA / "ppn_ehrc.csv", org_id="ehrc", org_name="EHRC (demo)")
    assert res.skipped == {"total row": 1}  # "Average"
    assert res.accepted.select("period_start", "paid_within_5_days_pct", "avg_days_to_pay").rows()[0] \
        == (D(2019, 4, 1), 92.5, 3.0)
    assert res.accepted["period_end"].to_list()[-1] == D(2020, 3, 31)


def test_bppc_table(ex):
    res = ingest_returns(ex["nhs_bppc"], org_id="northgate_nhs",
                         org_name="Northgate Hospitals NHS Trust (demo)")
    assert (res.rows_read, res.accepted.height, res.rejected_rows) == (7, 4, 0)
    assert res.skipped == {"title": 1, "section heading": 2}
    a = {(r["period_start"].year, r["payee_segment"]): r
         for r in res.accepted.iter_rows(named=True)}
    non = a[(2025, "non_nhs")]
    assert (non["regime"], non["day_count_basis"], non["org_type"]) == (
        "nhs_bppc", "due_date_or_30_days", "nhs_trust")
    assert non["invoices_paid_count"] == 61_204
    assert non["invoices_paid_value_gbp"] == 182_330_000.0  # £'000 x 1000
    assert (non["paid_within_target_count_pct"], non["paid_within_target_value_pct"]) == (93.6, 95.9)
    assert non["source_row_id"] == "lines 5-7, 2025-26"
    nhs = a[(2024, "nhs")]
    assert (nhs["invoices_paid_count"], nhs["invoices_paid_value_gbp"]) == (2_240, 60_118_000.0)
    assert nhs["period_end"] == D(2025, 3, 31)
    assert all(r["quality_flags"] == [] for r in a.values())


def test_bppc_percentages_computed_when_not_published():
    res = ingest_returns(DATA / "bppc_no_pct.csv", org_id="t", org_name="T (demo)")
    r = res.accepted.row(0, named=True)
    # 950 of 1,000 by number; £480k of £500k by value
    assert (r["paid_within_target_count_pct"], r["paid_within_target_value_pct"]) == (95.0, 96.0)
    assert r["quality_flags"] == ["year_to_date"]
    bad = res.rejects.row(0, named=True)
    assert bad["value"] == "n/k"
    assert bad["reason"] == "not a number (YTD 2025-26 £'000, line 8)"


def test_bppc_inconsistent_percentage_flagged():
    res = ingest_returns(DATA / "bppc_inconsistent.csv", org_id="t", org_name="T (demo)")
    r = res.accepted.row(0, named=True)
    # published 95.0 % by number, but 900 / 1,000 = 90 %: the published figure is kept, flagged
    assert r["paid_within_target_count_pct"] == 95.0
    assert r["quality_flags"] == ["pct_inconsistent"]


@pytest.mark.parametrize("kind, fixture", [
    ("pa2023_pcn", "pcn"), ("pcr_reg113", "reg113"), ("ppn_05_15", "ppn_05_15"),
    ("nhs_bppc", "nhs_bppc")])
def test_kind_detected(ex, kind, fixture):
    from lainbench.ingest.tabular import read_grid
    rows, _ = read_grid(ex[fixture])
    assert detect_kind(rows) == kind


def test_kind_given_disagreeing_is_noted(ex):
    res = ingest_returns(ex["reg113"], kind="pcr_reg113", org_name="X")
    assert not any("look like" in n for n in res.notes)
    res = ingest_returns(ex["pcn"], kind="pcr_reg113", org_name="X")
    assert any("look like pa2023_pcn" in n for n in res.notes)


def test_errors(tmp_path, ex):
    with pytest.raises(IngestError, match="kind = 'bppc'"):
        ingest_returns(ex["nhs_bppc"], kind="bppc")
    with pytest.raises(IngestError, match="org_type = 'council'"):
        ingest_returns(ex["reg113"], org_type="council")
    p = tmp_path / "what.csv"
    p.write_text("Colour,Size\nred,3\n")
    with pytest.raises(IngestError, match="cannot tell what kind of return.*pa2023_pcn"):
        ingest_returns(p)
    with pytest.raises(IngestError, match="file not found"):
        ingest_returns(tmp_path / "none.csv")


def test_missing_org_name_rejected(ex):
    res = ingest_returns(ex["reg113"])
    assert res.accepted.height == 0 and res.rejected_rows == 3
    assert res.rejects["reason"].unique().to_list() == [
        "no organisation name: pass org_name (--set org_name=...)"]


@pytest.mark.parametrize("label, expected", [
    ("2017 to 2018", (D(2017, 4, 1), D(2018, 3, 31), "financial_year")),
    ("2023/24", (D(2023, 4, 1), D(2024, 3, 31), "financial_year")),
    ("2023-2024", (D(2023, 4, 1), D(2024, 3, 31), "financial_year")),
    ("FY 2023-24", (D(2023, 4, 1), D(2024, 3, 31), "financial_year")),
    ("1st Quarter 2015-16", (D(2015, 4, 1), D(2015, 6, 30), "quarter")),
    ("4th Quarter 2019-20", (D(2020, 1, 1), D(2020, 3, 31), "quarter")),
    ("Q3 2024/25", (D(2024, 10, 1), D(2024, 12, 31), "quarter")),
    ("2024-25 Q2", (D(2024, 7, 1), D(2024, 9, 30), "quarter")),
    ("January to March 2020", (D(2020, 1, 1), D(2020, 3, 31), "quarter")),
    ("Oct - Dec 2019", (D(2019, 10, 1), D(2019, 12, 31), "quarter")),
    ("October 2019 to March 2020", (D(2019, 10, 1), D(2020, 3, 31), "months")),
    ("November 2024", (D(2024, 11, 1), D(2024, 11, 30), "month")),
    ("Feb-24", (D(2024, 2, 1), D(2024, 2, 29), "month")),
    ("Year ended 31 March 2024", (D(2023, 4, 1), D(2024, 3, 31), "financial_year")),
    ("2018", (D(2018, 1, 1), D(2018, 12, 31), "calendar_year")),
    ("2017 to 2019", None), ("June", None), ("Average", None), ("", None), (None, None),
])
def test_period_labels(label, expected):
    assert parse_period_label(label) == expected
