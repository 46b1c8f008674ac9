"""Headless Chromium helpers for tests: load a local page with no network, return the DOM."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
    # nothing may leave the machine: any network request fails at once
    "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
]


def rendered_dom(chromium: str, page: Path, budget_ms: int = 15000) -> str:
    """The DOM of ``page`` after its scripts ran (virtual time), as Chromium serialises it."""
    with tempfile.TemporaryDirectory() as profile:
        out = subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}",
             "--dump-dom", page.resolve().as_uri()],
            capture_output=True, text=True, timeout=180, check=False,
        )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def chart_report(dom: str) -> tuple[int, int, list[str]]:
    """(chart containers, drawn SVG charts, error texts shown) in a dumped DOM."""
    containers = len(re.findall(r'<div[^>]*class="lainbench-chart[^"]*"', dom))
    drawn = len(re.findall(r'<svg[^>]*class="marks"', dom))
    # error texts are only *rendered* inside a chart div, never in the (escaped) script source
    errors = re.findall(r'class="lainbench-chart[^"]*"[^>]*>(Chart [^<]+)<', dom)
    return containers, drawn, errors


SCREENSHOTS = Path(__file__).resolve().parents[1] / "reports" / "screenshots"  # git-ignored

# Appended to a copy of a page: once the charts had time to draw, record what a reader would see
# wrong (tables wider than the page, text wider than its cell, charts not drawn) in the DOM.
PROBE = """<script>
setTimeout(function () {
  var page = document.documentElement.clientWidth, wide = [], cut = [];
  document.querySelectorAll("table").forEach(function (t, i) {
    var r = t.getBoundingClientRect();
    if (r.width > 0 && r.right > page + 1) wide.push(i + ": " + Math.round(r.right) + "px");
    t.querySelectorAll("th, td").forEach(function (c) {
      if (c.scrollWidth > c.clientWidth + 2 && getComputedStyle(c).overflow !== "visible")
        cut.push(c.textContent.slice(0, 40));
    });
  });
  var charts = document.querySelectorAll(".lainbench-chart").length;
  var drawn = document.querySelectorAll(".lainbench-chart svg.marks").length;
  document.body.setAttribute("data-probe", JSON.stringify(
    {page: page, wide: wide, cut: cut, charts: charts, drawn: drawn}));
}, 8000);
</script>"""


def probe(chromium: str, page: Path, width: int = 1400) -> dict:
    """What :data:`PROBE` finds on ``page`` at ``width`` pixels (a hidden copy beside it)."""
    import html as _html
    import json

    copy = page.with_name(f".probe.{page.name}")
    text = page.read_text(encoding="utf-8")
    at = text.rfind("</body>")  # the last one: script libraries may hold the string too
    copy.write_text(text[:at] + PROBE + text[at:], encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory() as profile:
            out = subprocess.run(
                [chromium, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},1200",
                 "--virtual-time-budget=20000", "--dump-dom", copy.resolve().as_uri()],
                capture_output=True, text=True, timeout=180, check=False)
    finally:
        copy.unlink(missing_ok=True)
    m = re.search(r'data-probe="([^"]*)"', out.stdout)
    assert m, f"{page}: the probe did not run\n{out.stderr[-1500:]}"
    return json.loads(_html.unescape(m.group(1)))


def screenshot(chromium: str, page: Path, name: str, width: int = 1400, height: int = 4000) -> Path:
    """A PNG of ``page`` as a reader sees it, under ``reports/screenshots/NAME.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{name}.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
             "--hide-scrollbars", "--virtual-time-budget=20000", f"--screenshot={shot}",
             page.resolve().as_uri()], capture_output=True, text=True, timeout=180, check=False)
    assert shot.is_file() and shot.stat().st_size > 10_000, f"no screenshot of {page}"
    return shot
