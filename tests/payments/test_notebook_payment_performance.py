"""Notebook 01 end to end on a small demo set: runner, papermill CLI, offline HTML in Chromium."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from chromium_page import chart_report, rendered_dom

from lainbench import runner
from lainbench.config import PROJECT_ROOT

pytestmark = pytest.mark.notebook
CDN = re.compile(r"<script[^>]+src=[\"']https?://|cdn\.jsdelivr|unpkg\.com|cdnjs", re.IGNORECASE)


def demo_params(small_demo: Path) -> dict[str, str]:
    return {
        "invoices_path": str(small_demo / "invoice_payment.parquet"),
        "members_path": str(small_demo / "member.parquet"),
        "periods_path": str(small_demo / "periods.parquet"),
    }


@pytest.fixture(scope="module")
def run(small_demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("nb01")
    return runner.run_notebook("payment_performance", overrides=demo_params(small_demo), out_dir=out)


def test_tables_written(run, small_demo):
    names = {p.stem for p in run.tables}
    assert {"payment_metrics", "compliance_notice", "target_results", "interest_owed",
            "scorecard", "published_figures"} <= names
    score = pl.read_parquet(run.output_dir / "scorecard.parquet")
    assert score.height == 12
    metrics = pl.read_parquet(run.output_dir / "payment_metrics.parquet")
    last_end = pl.read_parquet(small_demo / "periods.parquet")["period_end"].max()
    paid = pl.read_parquet(small_demo / "invoice_payment.parquet").filter(
        ~pl.col("is_credit_note") & pl.col("supplier_received_date").is_not_null()
        & (pl.col("supplier_received_date") <= last_end))
    overall = metrics.filter(pl.col("supplier_size_band") == "all")
    # every demo payment up to the last period's end falls in a period (the demo's spill, paid
    # after 30 Sep 2026 or unpaid, is in no period)
    assert overall["invoice_count"].sum() == paid.height


def test_html_report_offline_and_every_chart_draws(run, chromium):
    html = run.html.read_text()
    assert not CDN.search(html)
    assert html.count('id="lainbench-vega-bundle"') == 1
    containers, drawn, errors = chart_report(rendered_dom(chromium, run.html))
    assert containers >= 6
    assert (drawn, errors) == (containers, [])


def test_charts_saved_as_png_and_svg(run):
    pngs = sorted(p.name for p in (run.output_dir / "charts").glob("*.png"))
    svgs = sorted(p.name for p in (run.output_dir / "charts").glob("*.svg"))
    assert len(pngs) >= 6 and len(pngs) == len(svgs)


def test_plain_nbconvert_export_says_where_the_charts_are(run, chromium, tmp_path):
    """A notebook run by lainbench carries no chart library (its HTML report does, once): plain
    nbconvert then shows, in place of each chart, one line saying how to get it; never a blank."""
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(run.notebook),
                    "--output-dir", str(tmp_path)], check=True, capture_output=True, timeout=300)
    page = tmp_path / f"{run.notebook.stem}.html"
    containers, drawn, errors = chart_report(rendered_dom(chromium, page))
    assert containers >= 6 and drawn == 0 and len(errors) == containers
    assert all("lainbench" in e for e in errors)


def test_papermill_command_line_with_shipped_params(small_demo, tmp_path):
    """The README's papermill command: -f params/payment_performance.yaml -p output_dir DIR."""
    args = [sys.executable, "-m", "papermill", "notebooks/01_payment_performance.ipynb",
            str(tmp_path / "out.ipynb"), "-f", "params/payment_performance.yaml",
            "-p", "output_dir", str(tmp_path / "tables"), "--no-progress-bar"]
    for key, value in demo_params(small_demo).items():
        args += ["-p", key, value]
    done = subprocess.run(args, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "tables" / "payment_metrics.parquet").exists()
