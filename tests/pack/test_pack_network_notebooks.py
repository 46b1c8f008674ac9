"""The demo pack's network notebooks that read invoices themselves (03 cash flow, 04 published
reports) are not disclosure-controlled cell by cell, so their reports stay internal (under
``internal/``, never linked from the index or gathered into ``charts/``); they must still leak no
supplier name or id."""

from __future__ import annotations

import pytest
from pack_helpers import scan, supplier_strings, write_pack_file, write_small_member_data

from lainbench import pack

pytestmark = pytest.mark.notebook


def test_cashflow_and_published_notebooks_leak_no_supplier(small_demo, tmp_path):
    data = write_small_member_data(small_demo, tmp_path / "data")
    spec = write_pack_file(
        tmp_path / "pack.yaml", data, per_member=[],
        network=[
            {"notebook": "supplier_cashflow", "params": {"n_paths": 500}, "unsuppressed_ok": True},
            {"notebook": "published_payment_reports", "unsuppressed_ok": True},
        ],
    )
    result = pack.build(spec, tmp_path / "out", progress=False, log=lambda _: None)
    assert result.ok, result.failed
    # reports that read invoices themselves stay internal: out of runs/, the index and charts/
    assert sorted(result.ran) == ["internal/network/published_payment_reports",
                                  "internal/network/supplier_cashflow"]
    out = tmp_path / "out"
    index = (out / "index.html").read_text(encoding="utf-8")
    for run in ("supplier_cashflow", "published_payment_reports"):
        assert (out / "internal" / "network" / run / f"{run}.html").exists()
        assert not (out / "runs" / "network" / run).exists()
        assert f"internal/network/{run}" not in index
    assert not list((out / "charts").glob("internal*"))
    names, ids = supplier_strings(data["invoices_path"])
    assert scan(out, names, ids) == []
    # kernels run side by side must not share IPython's history file (its error would be printed
    # into the reports)
    for html in out.glob("internal/**/*.html"):
        assert "not unique in database" not in html.read_text(encoding="utf-8"), html
