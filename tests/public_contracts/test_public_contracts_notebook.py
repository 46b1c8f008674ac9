"""Notebook 07 end to end through the runner: on the real samples, and on the fictional examples
with a clear message when the samples are absent."""

from __future__ import annotations

import nbformat
import polars as pl
import pytest

from lainbench import runner
from lainbench.config import NOTEBOOKS_DIR, SHARED_REAL_DATA
from lainbench.public_contracts.notebook import public_contracts

pytestmark = pytest.mark.notebook
TABLES = {"awards", "buyers", "match_report", "match_summary", "overall", "by_buyer", "by_procedure",
          "by_suitability", "by_reservation", "rejects", "caveats"}


def _text(nb_path) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    return "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                     for o in c.get("outputs", []))


def test_committed_without_outputs_and_parameters_tagged():
    nb = nbformat.read(NOTEBOOKS_DIR / "07_public_contracts.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
    assert nb.metadata["kernelspec"]["name"] == "lainbench"


def test_fallback_to_fictional_examples_with_a_message(tmp_path):
    res = runner.run_notebook("public_contracts", overrides=[
        'ocds_paths=["../shared/no-such-samples"]', "companies_path=../shared/no-such.csv"],
        out_dir=tmp_path, report=False)
    text = _text(res.notebook)
    assert "None of the OCDS paths exists" in text and "FICTIONAL" in text
    assert "Traceback" not in text
    assert {p.stem for p in res.tables} == TABLES
    by = pl.read_parquet(tmp_path / "by_buyer.parquet")
    # the fictional examples: Examplefield (2 ids, 3 awards) and Sampleton (3 awards, one shared by 3)
    rows = {r["buyer_group"]: r for r in by.iter_rows(named=True)}
    assert rows["Royal Borough of Sampleton"]["shared_award_value_gbp"] == 900000.0
    assert rows["London Borough of Examplefield"]["award_rows"] == 3


@pytest.mark.realdata
def test_runs_on_real_samples(tmp_path):
    if not (SHARED_REAL_DATA / "procurement-samples").exists():
        pytest.skip("samples absent")
    res = runner.run_notebook("public_contracts", out_dir=tmp_path, report=True)
    assert res.html and res.html.exists()
    text = _text(res.notebook)
    assert "FICTIONAL" not in text
    assert "200 releases read = 147 accepted + 0 rejected + 53 skipped" in text
    buyers = set(pl.read_parquet(tmp_path / "buyers.parquet")["buyer_name"])
    assert {"London Borough of Merton", "Harrow Council", "Islington Council"} <= buyers


def test_function_is_shared_stage_ready():
    tabs = public_contracts(["data/examples/ocds"], ["london borough of examplefield"],
                            companies_path="data/examples/ocds/companies.csv")
    assert set(tabs) == TABLES
    assert tabs["buyers"]["buyer_id"].n_unique() == 2 and tabs["buyers"]["buyer_group"].n_unique() == 1
    ov = tabs["overall"].row(0, named=True)
    # Examplefield: Acme (sme->CH small) 48,000; Bigco (large) 250,000; Kindly CIC (sme, VCSE) 12,000
    assert (ov["award_rows"], ov["value_gbp"], ov["sme_value_gbp"]) == (3, 310000.0, 60000.0)
    assert ov["sme_share_value_pct"] == round(60000 / 310000 * 100, 1)
