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


def test_chart_output_has_png_fallback_and_a_hint_for_untrusted_viewers(tmp_path):
    import base64

    charts.enable_offline(save_dir=tmp_path, display_bundle=False)
    bundle = charts._renderer(small_charts()[0].to_dict())
    assert set(bundle) == {"text/html", "text/plain", "image/png"}
    assert base64.b64decode(bundle["image/png"])[:4] == b"\x89PNG"
    hint = re.search(r'class="lainbench-chart-hint"[^>]*>([^<]+)<', bundle["text/html"]).group(1)
    assert "trust the notebook" in hint and "one" in hint  # names the chart, says what to do
    assert (tmp_path / "01_one.png").is_file()  # saved for slides as well


def test_bundle_left_to_the_report_under_the_runner(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a))
    monkeypatch.setenv(charts.BUNDLE_ENV, "report")
    charts.enable_offline()
    assert shown == []
    monkeypatch.delenv(charts.BUNDLE_ENV)
    charts.enable_offline()
    assert len(shown) == 1 and charts.BUNDLE_MARKER in shown[0][0].data
    assert "_itables_" in shown[0][0].data  # the table library too
    assert InteractiveShell  # imported: IPython is present


def test_no_data_is_a_sentence_saying_why():
    from lainbench.payments import charts as pc

    empty = pl.DataFrame(schema={"org_id": pl.String, "measure": pl.String, "gap": pl.Float64})
    out = pc.national_position_chart(empty)
    assert isinstance(out, charts.NoData)
    assert "national medians not loaded" in out._repr_html_()
    assert "national_medians_path" in out._repr_html_()
