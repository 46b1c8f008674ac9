"""The pack's pages in real headless Chromium with no network: every chart draws, no script error.

Chromium is driven by its own command line (Debian's ``chromium``; ``.ci/run`` installs it), with
every network request sent to a dead proxy, so a page that needed a CDN would show no chart.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from chromium_page import FLAGS, chart_report
from pack_helpers import TINY, built_pack

pytestmark = [pytest.mark.browser, pytest.mark.notebook]


@pytest.fixture(scope="module")
def built(tmp_path_factory, small_demo):
    return built_pack(tmp_path_factory, small_demo)


def open_page(chromium: str, page: Path) -> tuple[str, str]:
    """(DOM after scripts ran, browser log) for a local page, no network."""
    with tempfile.TemporaryDirectory() as profile:
        out = subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=10000",
             "--enable-logging=stderr", "--v=0", "--dump-dom", page.resolve().as_uri()],
            capture_output=True, text=True, timeout=180, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout, out.stderr


def script_errors(log: str) -> list[str]:
    """Uncaught errors a page's scripts logged to the console."""
    return re.findall(r"CONSOLE.*?(Uncaught [^\n]*)", log) + re.findall(
        r'"(Uncaught [^"]*)", source:', log)


def test_index_draws_offline(built, chromium):
    dom, log = open_page(chromium, built["result"].out / "index.html")
    assert "<table" in dom and "Hillside Mental Health NHS Trust (demo)" in dom
    containers, drawn, errors = chart_report(dom)
    assert containers == 1 and drawn == 1 and errors == []
    assert script_errors(log) == []


@pytest.mark.parametrize("run", ["network/member_scorecard",
                                 "members/eastbank_council/member_scorecard",
                                 f"members/{TINY}/member_scorecard"])
def test_reports_draw_every_chart_offline(built, chromium, run):
    page = built["result"].out / "runs" / run / "member_scorecard.html"
    dom, log = open_page(chromium, page)
    containers, drawn, errors = chart_report(dom)
    assert containers >= 4, "expected the scorecard's charts (interest may be a sentence)"
    assert drawn == containers and errors == []
    shown = re.sub(r"<script\b.*?</script>", "", dom, flags=re.DOTALL)  # text rendered, not code
    assert "Chart could not be drawn" not in shown and "Chart library missing" not in shown
    assert script_errors(log) == []


def test_script_errors_would_be_seen(chromium, tmp_path):
    page = tmp_path / "err.html"
    page.write_text('<html><body><script>throw new Error("boom")</script></body></html>')
    _, log = open_page(chromium, page)
    assert any("boom" in e for e in script_errors(log))


# ---- read as a person would (issue 16) ---------------------------------------------------------
NETWORK = ["member_scorecard", "insurance_requirements", "supplier_cashflow",
           "published_payment_reports"]
# reports that read invoices themselves stay internal (issue 15): under internal/, not runs/
INTERNAL = ("supplier_cashflow", "published_payment_reports")
PAGES = (["index.html", "runs/members/eastbank_council/member_scorecard/member_scorecard.html"]
         + [f"{'internal' if n in INTERNAL else 'runs'}/network/{n}/{n}.html" for n in NETWORK])
REPRS = re.compile(r"\['[^']*\.parquet'|<polars|DataFrame|shape: \(|<chart: |Styler")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")


def _visible(html: str) -> str:
    """The text of a page a reader sees: no scripts, styles or tags."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL | re.IGNORECASE)
    return re.sub(r"<[^>]+>", " ", text)


@pytest.fixture(scope="module")
def full(tmp_path_factory, small_demo):
    """A small pack with every network report (the session's `built` pack has scorecards only)."""
    from pack_helpers import write_pack_file, write_small_member_data

    from lainbench import pack

    root = tmp_path_factory.mktemp("full")
    data = write_small_member_data(small_demo, root / "data")
    spec = write_pack_file(root / "pack.yaml", data, network=[
        {"notebook": "member_scorecard"},
        {"notebook": "insurance_requirements"},
        {"notebook": "supplier_cashflow", "params": {"n_paths": 500}, "unsuppressed_ok": True},
        {"notebook": "published_payment_reports", "unsuppressed_ok": True},
    ])
    result = pack.build(spec, root / "out", progress=False, log=lambda _: None)
    assert result.ok, result.failed
    return {"result": result}


@pytest.mark.parametrize("rel", PAGES)
def test_page_screenshot_charts_draw_and_nothing_overflows(full, chromium, rel):
    from chromium_page import probe, screenshot

    page = full["result"].out / rel
    name = "index" if rel == "index.html" else rel.split("/")[-3] + "__" + page.stem
    shot = screenshot(chromium, page, f"test_{name}")
    found = probe(chromium, page)
    assert found["charts"] == found["drawn"], f"{rel}: {found}"
    assert found["wide"] == [], f"{rel}: tables wider than the page at 1400 px: {found['wide']}"
    assert found["cut"] == [], f"{rel}: text cut off in its cell: {found['cut'][:5]}"
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("rel", PAGES)
def test_page_reads_as_a_document(full, rel):
    out = full["result"].out
    page = out / rel
    html = page.read_text(encoding="utf-8")
    text = _visible(html)
    assert not REPRS.search(text), f"{rel}: Python output: {REPRS.search(text).group(0)}"
    heads = "".join(re.findall(r"<thead>(.*?)</thead>", html, re.DOTALL))
    headers = [_visible(h).strip() for h in re.findall(r"<th\b[^>]*>(.*?)</th>", heads, re.DOTALL)]
    snake = [h for h in headers if SNAKE.search(h)]
    assert snake == [], f"{rel}: snake_case headers {snake[:5]}"
    assert "Member scorecard (or the network overview)" not in text
    for href in re.findall(r'href="([^"#]+)(?:#[^"]*)?"', html):
        if re.match(r"[a-z]+:", href):
            continue  # an address outside the pack (none is fetched)
        target = (page.parent / href).resolve()
        assert target.exists(), f"{rel}: broken link {href}"
    if rel != "index.html":
        back = [h for h in re.findall(r'href="([^"]+)"', html) if h.endswith("index.html")]
        assert back and (page.parent / back[0]).resolve() == (out / "index.html").resolve()
        assert (page.parent / back[0]).resolve() == (out / "index.html").resolve()
        assert "docs/assumptions.html" in html and (out / "docs" / "assumptions.html").is_file()


def test_titles_name_member_and_period(built):
    out = built["result"].out
    period = json.loads((out / "manifest.json").read_text())["pack"]["headline_period"]
    html = (out / "runs/members/eastbank_council/member_scorecard/member_scorecard.html").read_text()
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert title == f"Scorecard: London Borough of Eastbank (demo), {period}"
    net = (out / "runs/network/member_scorecard/member_scorecard.html").read_text()
    assert re.search(r"<title>Network overview: 3 members, " + re.escape(period), net)


def test_interest_in_charts_equals_the_tables_for_the_headline_period(built):
    """The overview's interest bars (chart spec) sum to the headline table's figure per member."""
    import polars as pl

    out = built["result"].out
    headline = pl.read_parquet(out / "shared" / "headline.parquet")
    period = headline["period"][0]
    spec_file = next((out / "runs/network/member_scorecard/charts").glob("*late_payment*.json"))
    spec = json.loads(spec_file.read_text())
    assert period in json.dumps(spec["title"])
    rows = next(iter(spec["datasets"].values()))
    totals: dict[str, float] = {}
    for r in rows:
        assert r["period"] == period
        totals[r["member"]] = totals.get(r["member"], 0.0) + r["gbp"]
    shown = headline.filter(~pl.col("suppressed")).drop_nulls("interest_owed_gbp")
    for member, owed in shown.select("member", "interest_owed_gbp").iter_rows():
        assert totals[member] == pytest.approx(owed, rel=1e-9), member


def test_no_lock_left_and_csv_beside_every_parquet(built):
    out = built["result"].out
    assert not (out / ".pack.lock").exists()
    for p in (out / "shared").glob("*.parquet"):
        assert p.with_suffix(".csv").is_file(), p.name


def test_executed_notebooks_carry_no_bundle_but_reports_carry_it_once(full):
    out = full["result"].out
    for rel in PAGES[1:]:
        page = out / rel
        nb = page.with_suffix(".ipynb").read_text(encoding="utf-8")
        assert "lainbench-vega-bundle" not in nb
        charts = json.loads(nb)
        biggest = max(len("".join(o.get("data", {}).get("text/html", "")))
                      for c in charts["cells"] for o in c.get("outputs", []) or [{}])
        assert biggest < 300_000, f"{rel}: an output of {biggest:,} bytes (a library?)"
        html = page.read_text(encoding="utf-8")
        assert html.count('id="lainbench-vega-bundle"') == 1
        outs = [o for c in charts["cells"] for o in c.get("outputs", [])
                if "lainbench-chart" in str(o.get("data", {}).get("text/html", ""))]
        assert outs and all("image/png" in o["data"] for o in outs), "a PNG beside every chart"
        assert all("lainbench-chart-hint" in "".join(o["data"]["text/html"]) for o in outs)


def test_scorecard_pdf_two_a4_pages(built, tmp_path):
    from weasyprint import HTML

    from lainbench import runner

    nb = built["result"].out / "runs/members/eastbank_council/member_scorecard/member_scorecard.ipynb"
    doc = HTML(string=runner.print_html(nb), base_url=str(nb.parent)).render()
    assert 1 <= len(doc.pages) <= 2, f"{len(doc.pages)} pages"

    def texts(box, out):
        if getattr(box, "text", None):
            out.append(box.text)
        for child in getattr(box, "children", None) or []:
            texts(child, out)
        return out

    first = " ".join(texts(doc.pages[0]._page_box, []))
    # the headline table is whole on the first page: its caption and its last row
    assert "Headline figures" in first and "Paid after 60 days (%)" in first
    w, h = doc.pages[0].width, doc.pages[0].height  # CSS px at 96 dpi: A4 is 793.7 x 1122.5
    assert w == pytest.approx(793.7, abs=1) and h == pytest.approx(1122.5, abs=1)
    pdf = runner.pdf_report(nb, tmp_path / "scorecard.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
