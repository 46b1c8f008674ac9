"""Notebook 06 end to end: the runner, papermill with the shipped params, bad parameters refused."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import polars as pl
import pytest

from lainbench import runner
from lainbench.config import DEMO_DIR, NOTEBOOKS_DIR, PROJECT_ROOT
from lainbench.errors import ParamsError

pytestmark = [
    pytest.mark.notebook,
    pytest.mark.skipif(not (DEMO_DIR / "spend_line.parquet").exists(),
                       reason="demo data absent: run `make demo`"),
]
TABLES = {"headline", "trend", "spend_shares", "excluded_spend", "contracts", "terms", "terms_review",
          "terms_summary", "exclusion_rules"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return runner.run_notebook("network_metrics", out_dir=tmp_path_factory.mktemp("nb06"))


def test_committed_without_outputs():
    nb = nbformat.read(NOTEBOOKS_DIR / "06_network_metrics.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert code[0].metadata.tags == ["parameters"]
    lines = code[0].source.splitlines()
    assert all("#" in line and line.count("=") == 1 for line in lines)  # papermill parses each
    assert 'notebook_params("network_metrics", globals())' in code[1].source  # validates first


def test_tables_and_charts(run):
    assert {p.stem for p in run.tables} == TABLES
    head = pl.read_parquet(run.output_dir / "headline.parquet")
    assert head["buyer_org_id"].n_unique() == 13  # 12 members and the network
    net = head.filter(pl.col("buyer_org_id") == "network").sort("period").row(-1, named=True)
    # the demo's cumulative figures are of the order the network publishes (£2.7bn, 2,800)
    assert 1e9 < net["msme_cumulative_value_gbp"] < 1e10
    assert 1_000 < net["msme_cumulative_contracts"] < 10_000
    assert net["msme_share_pct"] < net["msme_upper_pct"]
    assert len(list((run.output_dir / "charts").glob("*.png"))) == 4


def test_papermill_command_line_with_shipped_params(tmp_path):
    args = [sys.executable, "-m", "papermill", "notebooks/06_network_metrics.ipynb",
            str(tmp_path / "out.ipynb"), "-f", "params/network_metrics.yaml",
            "-p", "output_dir", str(tmp_path / "tables"), "--no-progress-bar"]
    done = subprocess.run(args, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "tables" / "headline.parquet").exists()


def test_papermill_bad_value_stops_with_its_name(tmp_path):
    args = [sys.executable, "-m", "papermill", "notebooks/06_network_metrics.ipynb",
            str(tmp_path / "out.ipynb"), "-p", "cumulative_since", "not-a-date",
            "-p", "output_dir", str(tmp_path / "t"), "--no-progress-bar"]
    done = subprocess.run(args, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode != 0
    assert "06_network_metrics.ipynb parameters: cumulative_since:" in done.stderr
    assert "Traceback" not in done.stderr.split("cumulative_since")[0][-400:]
    assert not (tmp_path / "t" / "headline.parquet").exists()


def test_runner_refuses_before_a_kernel_starts():
    with pytest.raises(ParamsError, match="membres: unknown parameter"):
        runner.load_run_params("network_metrics", overrides=["membres=all"])
