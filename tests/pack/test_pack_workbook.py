"""The pack's workbook as a finance team opens it (openpyxl): names, widths, formats, printing."""

from __future__ import annotations

import datetime as dt

import openpyxl
import polars as pl
import pytest

from lainbench.pack.workbook import write_workbook

NAMES = {"a": "Riverside Community NHS Foundation Trust (demo)", "b": "City Fire (demo)"}


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    members = pl.DataFrame({"org_id": list(NAMES), "org_name": list(NAMES.values()),
                            "org_type": ["nhs_trust", "fire"]})
    headline = pl.DataFrame({
        "buyer_org_id": ["a", "b"], "member": list(NAMES.values()), "period": ["2026-27 H1"] * 2,
        "invoice_count": [8314, 12], "mean_days_to_pay": [18.02, 30.0],
        "median_days_to_pay": [14.0, 30.0], "paid_within_30_days_pct": [90.72, 50.0],
        "interest_owed_gbp": [1775484.58, 10.0], "suppressed": [False, True],
        "suppression_note": [None, "fewer than 5 suppliers"]})
    targets = pl.DataFrame({"buyer_org_id": ["a", "a"], "period": ["p", "p"],
                            "label": ["Gold", "=cmd|' /C calc'!A0"], "passed": [True, False],
                            "period_end": [dt.date(2026, 9, 30)] * 2})
    path = tmp_path_factory.mktemp("wb") / "tables.xlsx"
    write_workbook({"headline": headline, "target_results": targets, "members": members}, path,
                   "Test pack", ["Headline period: 2026-27 H1."])
    return openpyxl.load_workbook(path)


def test_readme_first_with_definitions(book):
    assert book.sheetnames == ["README", "headline", "target_results", "members"]
    text = [c.value for row in book["README"].iter_rows() for c in row if c.value]
    assert "Test pack" in text and "Paid within 30 days (%)" in text
    assert any("Late Payment of Commercial Debts" in str(t) for t in text)


def test_headers_names_and_widths(book):
    ws = book["headline"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Member id", "Member", "Period", "Invoices paid"]
    assert "Paid within 30 days (%)" in header and "Interest owed (£)" in header
    # the member column is wide enough for the longest full name
    assert ws.column_dimensions["B"].width >= len(NAMES["a"])
    tw = book["target_results"]
    assert [c.value for c in tw[1]][:2] == ["Member id", "Member"]  # names beside ids
    assert tw["B2"].value == NAMES["a"]


def test_number_formats(book):
    ws = book["headline"]
    cols = {c.value: c.column_letter for c in ws[1]}
    assert ws[f"{cols['Paid within 30 days (%)']}2"].number_format == '0.0"%"'
    assert ws[f"{cols['Paid within 30 days (%)']}2"].value == pytest.approx(90.72)  # 0-100 kept
    assert ws[f"{cols['Interest owed (£)']}2"].number_format.startswith("£#,##0")
    median = ws[f"{cols['Days to pay, median (days)']}2"]
    assert median.value == 14 and isinstance(median.value, int)  # whole days, not 14.0
    assert median.number_format == "#,##0"
    assert ws[f"{cols['Days to pay, mean (days)']}2"].number_format == "#,##0.0"


def test_suppressed_figures_marked_and_text_neutralised(book):
    ws = book["headline"]
    cols = {c.value: c.column_letter for c in ws[1]}
    assert ws[f"{cols['Interest owed (£)']}3"].value == "[c]"
    assert ws[f"{cols['Member']}3"].value == NAMES["b"]  # names stay
    assert book["target_results"]["D3"].value.startswith("'=")


def test_print_setup_frozen_header_filter_and_rag(book):
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$1:$1"
        assert ws.freeze_panes in ("A2", "C2"), ws.title
    ws = book["headline"]
    assert ws.freeze_panes == "C2" and (ws.tables or ws.auto_filter.ref)
    rules = [r for cf in book["target_results"].conditional_formatting for r in cf.rules]
    assert {r.formula[0] for r in rules} == {"TRUE", "FALSE"}
