"""Offline charts: no CDN anywhere, and several charts on one page all draw in a real browser."""

from __future__ import annotations

import re

import altair as alt
import polars as pl
import pytest
from chromium_page import chart_report, rendered_dom

from lainbench import charts

CDN = re.compile(r"<script[^>]+src=[\"']https?://|cdn\.jsdelivr|unpkg\.com|cdnjs", re.IGNORECASE)


def small_charts():
    df = pl.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2], "g": ["a", "b", "a"]})
    return [
        alt.Chart(df).mark_bar().encode(x="x:O", y="y:Q").properties(title="one"),
        alt.Chart(df).mark_line().encode(x="x:Q", y="y:Q", color="g:N").properties(title="two"),
        alt.Chart(df).mark_point().encode(x="x:Q", y="y:Q").properties(title="three"),
    ]


def test_chart_html_has_no_external_reference():
    html = charts.standalone_html(small_charts())
    assert not CDN.search(html)
    assert html.count(charts.BUNDLE_MARKER) == 1


def test_each_chart_isolated_in_its_own_scope():
    # two charts on one page must not both declare a global `spec` (that broke the second chart)
    a, b = (charts.chart_html(c.to_dict()) for c in small_charts()[:2])
    for html in (a, b):
        assert "(function () {" in html and "var spec" in html


def test_save_writes_png_svg_json(tmp_path):
    written = charts.save(small_charts()[0], tmp_path / "c")
    assert sorted(p.suffix for p in written) == [".json", ".png", ".svg"]
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "c.svg").read_text()


@pytest.mark.browser
def test_three_charts_on_one_page_all_draw_offline(chromium, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(charts.standalone_html(small_charts()))
    containers, drawn, errors = chart_report(rendered_dom(chromium, page))
    assert (containers, drawn, errors) == (3, 3, [])
