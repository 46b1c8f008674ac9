"""lainbench.load: the one place that opens canonical tables, with one error class for every fault."""

from __future__ import annotations

import polars as pl
import pytest

from lainbench import load
from lainbench.demo.insurance import insurance_requirements
from lainbench.demo.invoices import invoices as demo_invoices
from lainbench.errors import SchemaError


@pytest.mark.parametrize("loader", [load.invoices, load.members, load.periods, load.requirements])
def test_every_loader_names_the_missing_file_the_parameter_and_the_fix(tmp_path, loader):
    with pytest.raises(SchemaError, match=r"the_param = .*nothing.parquet: file not found .*lainbench demo"):
        loader(tmp_path / "nothing.parquet", "the_param")


@pytest.mark.parametrize("loader", [load.invoices, load.members, load.periods, load.requirements])
def test_every_loader_refuses_a_file_that_is_not_a_table(tmp_path, loader):
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    with pytest.raises(SchemaError, match="bad.parquet"):
        loader(bad)


def test_invoices_parquet_is_lazy_and_checked(tmp_path):
    path = tmp_path / "inv.parquet"
    demo_invoices(50, seed=1).write_parquet(path)
    lf = load.invoices(path)
    assert isinstance(lf, pl.LazyFrame) and lf.collect().height == 50
    demo_invoices(5, seed=1).drop("invoice_id").write_parquet(path)
    with pytest.raises(SchemaError, match="missing required column.*invoice_id"):
        load.invoices(path)


def test_members_optional_gives_none_and_checks_types(tmp_path):
    assert load.members(None, required=False) is None
    assert load.members(tmp_path / "absent.csv", required=False) is None
    p = tmp_path / "m.csv"
    p.write_text("org_id,org_name,org_type\na,A,spaceship\n")
    with pytest.raises(SchemaError, match="org_type.*spaceship"):
        load.members(p)


def test_periods_sorted_and_columns_named(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("period,period_start,period_end\nB,2026-04-01,2026-09-30\nA,2025-10-01,2026-03-31\n")
    assert load.periods(p)["period"].to_list() == ["A", "B"]
    p.write_text("period,start\nA,2025-10-01\n")
    with pytest.raises(SchemaError, match="needs columns period, period_start, period_end"):
        load.periods(p)


def test_requirements_from_parquet_csv_and_the_demo_file(tmp_path, monkeypatch):
    reqs = insurance_requirements(3)
    p = tmp_path / "reqs.parquet"
    reqs.write_parquet(p)
    assert load.requirements(p).equals(reqs)
    assert load.requirements("data/examples/insurance_requirements.csv").height == 12
    monkeypatch.setattr(load, "DEMO_REQUIREMENTS", p)
    assert load.requirements("demo").equals(reqs)
