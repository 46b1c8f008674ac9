"""The pack file's returns path: validated before anything runs; a full pack built from returns."""

from __future__ import annotations

import pytest
import yaml

from lainbench import pack
from lainbench.config import PROJECT_ROOT
from lainbench.errors import PackError


def spec_file(tmp_path, small_demo, sources: dict, **extra):
    s = {"title": "Returns pack", "sources": {
        "members_path": str(small_demo / "member.parquet"),
        "periods_path": str(small_demo / "periods.parquet"), **sources},
        "cashflow_paths": 0, "network": ["member_scorecard"], "per_member": [], **extra}
    p = tmp_path / "pack.yaml"
    p.write_text(yaml.safe_dump(s, sort_keys=False), encoding="utf-8")
    return p


def refused(spec, out) -> str:
    with pytest.raises(PackError) as exc:
        pack.plan(spec, out)
    return str(exc.value)


def test_exactly_one_of_pooled_invoices_and_returns(tmp_path, small_demo):
    both = spec_file(tmp_path, small_demo, {"invoices_path": "x.parquet", "returns": ["r"]})
    assert "give exactly one of sources.invoices_path" in refused(both, tmp_path / "o")
    neither = spec_file(tmp_path, small_demo, {})
    assert "give exactly one of sources.invoices_path" in refused(neither, tmp_path / "o")


def test_returns_path_refuses_what_it_cannot_feed(tmp_path, small_demo):
    empty = tmp_path / "none"
    empty.mkdir()
    s = spec_file(tmp_path, small_demo, {"returns": [str(empty)]},
                  network=["member_scorecard", "supplier_cashflow"])
    msg = refused(s, tmp_path / "o")
    assert "no return files" in msg
    assert "'supplier_cashflow' reads invoice-level data, and a pack built from members' " \
           "returns has none" in msg
    s = spec_file(tmp_path, small_demo, {"returns": [str(tmp_path / "absent")]})
    assert "no such file or folder" in refused(s, tmp_path / "o")


def test_shipped_returns_pack_file_is_valid(tmp_path):
    spec = pack.load_spec(PROJECT_ROOT / "params" / "pack_returns.yaml")
    assert spec.sources.mode == "returns" and spec.sources.insurance_requirements_path == "returns"
    assert str(spec.sources.returns_due) == "2026-10-31"
    assert [n.notebook for n in spec.network] == ["member_scorecard", "network_metrics", "public_contracts"]


@pytest.mark.notebook
def test_full_pack_from_returns(tmp_path, small_demo):
    from lainbench.demo.returns import write_demo_returns

    rdir = tmp_path / "returns"
    write_demo_returns(small_demo, rdir)
    next(rdir.glob("city_fire*.return.zip")).unlink()  # one member has not sent its return
    s = spec_file(tmp_path, small_demo, {"returns": [str(rdir)], "returns_due": "2026-10-31",
                                         "insurance_requirements_path": "returns"},
                  members=["city_fire", "northgate_nhs", "eastbank_council"], jobs=2)
    result = pack.build(s, tmp_path / "out", progress=False, log=lambda _: None)
    assert result.ok
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "2 of 3 members' returns are in; 1 missing" in html
    assert "2026-10-20T09:00:00+00:00" in html
    from pack_helpers import scan, supplier_strings

    names, ids = supplier_strings(small_demo / "invoice_payment.parquet")
    assert scan(tmp_path / "out", names, ids) == []
