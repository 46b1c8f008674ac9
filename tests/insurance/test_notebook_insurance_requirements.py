"""Notebook 02 end to end: runner, papermill CLI with shipped params, offline HTML in Chromium."""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import polars as pl
import pytest
from chromium_page import chart_report, rendered_dom

from lainbench import runner
from lainbench.config import NOTEBOOKS_DIR, PROJECT_ROOT

pytestmark = pytest.mark.notebook
CDN = re.compile(r"<script[^>]+src=[\"']https?://|cdn\.jsdelivr|unpkg\.com|cdnjs", re.IGNORECASE)
TABLES = {
    "network_comparison",
    "applicable_requirements",
    "requirement_flags",
    "flag_summary",
    "review_changes",
    "review_summary",
    "harmonisation",
    "harmonisation_summary",
    "premium_curves",
    "cost_burden",
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("nb02")
    return runner.run_notebook("insurance_requirements", out_dir=out)


def test_committed_without_outputs():
    nb = nbformat.read(NOTEBOOKS_DIR / "02_insurance_requirements.ipynb", as_version=4)
    assert nb.metadata.kernelspec.name == "lainbench" and nb.metadata.language_info.name == "python"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert code[0].metadata.tags == ["parameters"]


def test_tables_written(run):
    assert {p.stem for p in run.tables} == TABLES
    burden = pl.read_parquet(run.output_dir / "cost_burden.parquet")
    assert burden.height == 12 and (burden["extra_premium_gbp"] >= 0).all()
    flags = pl.read_parquet(run.output_dir / "requirement_flags.parquet")
    assert "required_at_bid" in set(flags["flag"])


def test_html_report_offline_and_every_chart_draws(run, chromium):
    html = run.html.read_text()
    assert not CDN.search(html)
    assert html.count('id="lainbench-vega-bundle"') == 1
    containers, drawn, errors = chart_report(rendered_dom(chromium, run.html))
    assert containers == 5
    assert (drawn, errors) == (containers, [])
    assert len(list((run.output_dir / "charts").glob("*.png"))) == 5


def test_papermill_command_line_with_shipped_params(tmp_path):
    """The README's papermill command: -f params/insurance_requirements.yaml -p output_dir DIR."""
    args = [
        sys.executable,
        "-m",
        "papermill",
        "notebooks/02_insurance_requirements.ipynb",
        str(tmp_path / "out.ipynb"),
        "-f",
        "params/insurance_requirements.yaml",
        "-p",
        "output_dir",
        str(tmp_path / "tables"),
        "-p",
        "supplier_has_employees",
        "False",
        "-p",
        "contract_value_gbp",
        "100000",
        "--no-progress-bar",
    ]
    done = subprocess.run(args, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    burden = pl.read_parquet(tmp_path / "tables" / "cost_burden.parquet")
    assert burden.height == 12
