"""lainbench.presentation: labels with units, formatted values, names, colours, escaped tables."""

from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lainbench import presentation as pres
from lainbench import schemas


def test_every_canonical_column_gets_a_label_without_snake_case():
    # every column of every canonical table reads as words (one home: a new column needs nothing)
    tables = [v for v in vars(schemas).values() if isinstance(v, schemas.Table)]
    assert len(tables) >= 5
    for table in tables:
        for col in table.columns:
            text = pres.label(col)
            assert "_" not in text, (table.name, col, text)
            assert text[0].isupper() or text[0].isdigit() or text.startswith("s."), text


@pytest.mark.parametrize(("col", "expected"), [
    ("paid_within_30_days_pct", "Paid within 30 days (%)"),
    ("invoice_value_gbp", "Value paid (£)"),
    ("mean_days_to_pay", "Days to pay, mean (days)"),
    ("agreed_terms_days", "Agreed terms (days)"),
    ("invoice_count", "Invoices paid"),
    ("peak_need_gbp_p95", "Peak cash need, 95th percentile (£)"),
    ("contract_value_max_gbp", "Contract value max (£)"),
])
def test_labels_carry_units(col, expected):
    assert pres.label(col) == expected


@pytest.mark.parametrize(("value", "col", "expected"), [
    (1775484.58, "interest_owed_gbp", "£1,775,485"),
    (-2500.0, "change_gbp", "-£2,500"),
    (12.5, "premium_gbp", "£12.50"),
    (90.726485, "paid_within_30_days_pct", "90.7%"),
    (0.04, "share_pct", "0.0%"),
    (14.0, "median_days_to_pay", "14"),
    (31, "agreed_terms_days", "31"),
    (18.0219, "mean_days_to_pay", "18.0"),
    (8314, "invoice_count", "8,314"),
    (2026, "year", "2026"),
    (None, "interest_owed_gbp", ""),
    (float("nan"), "x_pct", ""),
    (False, "passed", "no"),
])
def test_values_formatted_by_unit(value, col, expected):
    assert pres.format_value(value, col) == expected


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_money_always_has_a_pound_sign_and_separators(v):
    text = pres.format_value(v, "x_gbp")
    assert "£" in text and re.fullmatch(r"-?£\d{1,3}(,\d{3})*(\.\d\d)?", text), text


def test_display_frame_names_not_ids_and_marks_suppressed_figures():
    t = pl.DataFrame({"buyer_org_id": ["a", "b"], "period": ["p", "p"],
                      "interest_owed_gbp": [1234.5, 99.0], "measure": ["mean_days_to_pay"] * 2,
                      "suppressed": [False, True], "suppression_note": [None, "fewer than 5"]})
    shown = pres.display_frame(t, names={"a": "Alpha Trust", "b": "Beta <Council>"})
    assert shown.columns == ["Member", "Period", "Interest owed (£)", "Measure", "Note"]
    assert shown.rows() == [("Alpha Trust", "p", "£1,234", "Days to pay, mean (days)", ""),
                            ("Beta <Council>", "p", "[c]", "Days to pay, mean (days)",
                             "fewer than 5")]


def test_html_tables_escape_user_text_and_are_accessible():
    t = pres.display_frame(pl.DataFrame({"member": ["<script>alert(1)</script>"],
                                         "x_pct": [50.0]}))
    html = pres.table_html(t, caption="Caption & <b>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<caption>Caption &amp; &lt;b&gt;</caption>" in html
    assert '<th scope="col"' in html and '<th scope="row"' in html and 'class="num"' in html


def test_long_tables_sort_and_search_offline():
    t = pl.DataFrame({"Member": [f"M{i:02d} <x>" for i in range(40)], "N": [str(i) for i in range(40)]})
    html = pres.table_html(t)
    assert "new ITable" in html and "&lt;x&gt;" in html and "<x>" not in html
    assert not re.search(r"<script[^>]+src=|cdn\.jsdelivr|unpkg\.com|cdnjs", html, re.IGNORECASE)
    bundle = pres.itables_bundle_html()
    assert len(bundle) > 100_000  # the DataTables library itself, inline
    assert not re.search(r"<script[^>]+src=[\"']https?://|cdn\.jsdelivr|unpkg\.com|cdnjs", bundle,
                         re.IGNORECASE)
    assert pres.table_html(t.head(10)).startswith('<div class="lainbench-table-wrap"><table')


def test_palette_tells_twelve_members_apart_and_highlights_the_focus():
    names = [f"Member {i}" for i in range(12)]
    domain, colours = pres.member_palette(names)
    assert domain == sorted(names) and len(set(colours)) == 12
    _, focused = pres.member_palette(names, focus="Member 3")
    assert focused.count(pres.FOCUS_COLOUR) == 1 and set(focused) == {pres.FOCUS_COLOUR,
                                                                       pres.MUTED_COLOUR}


def test_formula_injection_neutralised_in_text_only():
    df = pl.DataFrame({"t": ["=SUM(A1)", "+1", "-x", "@y", "\tz", "ok"], "n": [-1, 2, 3, 4, 5, 6]})
    out = pres.neutralised(df)
    assert out["t"].to_list() == ["'=SUM(A1)", "'+1", "'-x", "'@y", "'\tz", "ok"]
    assert out["n"].to_list() == df["n"].to_list()
