"""The pack's pages in real headless Chromium with no network: every chart draws, no script error.

Chromium is driven by its own command line (Debian's ``chromium``; ``.ci/run`` installs it), with
every network request sent to a dead proxy, so a page that needed a CDN would show no chart.
"""

from __future__ import annotations

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
    assert containers >= 5, "expected the scorecard's five charts"
    assert drawn == containers and errors == []
    shown = re.sub(r"<script\b.*?</script>", "", dom, flags=re.DOTALL)  # text rendered, not code
    assert "Chart could not be drawn" not in shown and "Chart library missing" not in shown
    assert script_errors(log) == []


def test_script_errors_would_be_seen(chromium, tmp_path):
    page = tmp_path / "err.html"
    page.write_text('<html><body><script>throw new Error("boom")</script></body></html>')
    _, log = open_page(chromium, page)
    assert any("boom" in e for e in script_errors(log))
