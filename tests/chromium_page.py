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
