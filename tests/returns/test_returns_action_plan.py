"""The action-plan sheets: spend by size band and ownership flag with coverage, contracts, terms."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from test_returns_build import PERIODS, ledger

from lainbench.cli import main
from lainbench.returns.build import build_return
from lainbench.returns.check import check_return
from lainbench.returns.io import read_return

d = dt.date.fromisoformat


def tables():
    suppliers = pl.DataFrame({"buyer_org_id": ["A"] * 3, "supplier_id": ["s1", "s2", "s3"],
                              "size_band": ["micro", "small", "large"],
                              "vcse": ["true", "false", "unknown"]})
    spend = pl.DataFrame({
        "buyer_org_id": ["A"] * 5 + ["B"], "line_id": list("123456"),
        "supplier_id": ["s1", "s1", "s2", "s3", "s9", "s1"],
        "amount_gbp": [100.0, 50.0, 200.0, 1000.0, 25.0, 7.0],
        "payment_date": [d("2025-05-01")] * 4 + [d("2025-11-01"), d("2025-05-01")],
        "is_addressable": [True, True, True, False, None, True]})
    awards = pl.DataFrame({
        "buyer_org_id": ["A"] * 3, "award_id": ["c1", "c2", "c3"],
        "supplier_id": ["s1", "s2", "s3"], "supplier_scale": ["sme", "sme", "large"],
        "value_gbp": [10_000.0, None, 90_000.0], "award_date": [d("2025-06-01")] * 3,
        "is_reserved": [True, False, False], "is_framework": [False, False, True]})
    terms = pl.DataFrame({"buyer_org_id": ["A"], "spend_category": ["works"],
                          "standard_terms_days": [30], "as_of_date": [d("2025-04-01")]})
    return suppliers, spend, awards, terms


@pytest.fixture(scope="module")
def ret():
    sup, spend, awards, terms = tables()
    return build_return(ledger(), "A", PERIODS, days_max=60, suppliers=sup, spend=spend,
                        contracts=awards, terms=terms, approver_name="J",
                        approver_title="Director of Finance")


def cell(df, **keys):
    return df.filter(*[pl.col(k) == v for k, v in keys.items()]).row(0, named=True)


def test_spend_by_band_and_flag_with_coverage(ret):
    s = ret["spend"]
    a = cell(s, period="P1", dimension="all")
    assert (a["lines"], a["amount_gbp"], a["addressable_amount_gbp"], a["supplier_count"]) == \
        (4, 1350.0, 350.0, 3)
    assert (a["largest_supplier_value_gbp"], a["second_supplier_value_gbp"]) == (1000.0, 200.0)
    bands = s.filter((pl.col("period") == "P1") & (pl.col("dimension") == "size_band"))
    assert bands.select("category", "amount_gbp").rows() == [
        ("micro", 150.0), ("small", 200.0), ("large", 1000.0)]
    vcse = s.filter((pl.col("period") == "P1") & (pl.col("dimension") == "vcse"))
    assert vcse.select("category", "amount_gbp").rows() == [
        ("true", 150.0), ("false", 200.0), ("unknown", 1000.0)]
    # a supplier missing from the register is unknown on every dimension (P2: s9)
    p2 = s.filter((pl.col("period") == "P2") & (pl.col("dimension") == "size_band"))
    assert p2.select("category", "amount_gbp", "addressable_unknown_amount_gbp").rows() == [
        ("unknown", 25.0, 25.0)]
    assert 7.0 not in s["amount_gbp"].to_list()  # buyer B's line is not A's


def test_contracts_and_terms(ret):
    c = ret["contracts"]
    a = cell(c, period="P1", dimension="all")
    assert (a["awards"], a["value_gbp"], a["value_known_awards"], a["reserved_awards"],
            a["reserved_value_gbp"], a["framework_awards"]) == (3, 100_000.0, 2, 1, 10_000.0, 1)
    sme = cell(c, period="P1", dimension="supplier_scale", category="sme")
    assert (sme["awards"], sme["value_gbp"], sme["supplier_count"]) == (2, 10_000.0, 2)
    assert ret["payment_terms"].select("spend_category", "standard_terms_days").rows() == [
        ("works", 30)]


def test_check_catches_categories_that_do_not_add_up(ret):
    assert check_return(ret, PERIODS).ok
    bad = dict(ret, spend=ret["spend"].with_columns(
        pl.when(pl.col("category") == "micro").then(pl.col("amount_gbp") + 1)
        .otherwise(pl.col("amount_gbp")).alias("amount_gbp")))
    assert any("dimension size_band, column amount_gbp" in e
               for e in check_return(bad, PERIODS).errors)


def test_cli_takes_the_action_plan_tables(tmp_path):
    sup, spend, awards, terms = tables()
    paths = {}
    for name, df in (("suppliers", sup), ("spend", spend), ("contracts", awards),
                     ("terms", terms), ("invoices", ledger())):
        paths[name] = tmp_path / f"{name}.parquet"
        df.write_parquet(paths[name])
    PERIODS.write_parquet(tmp_path / "periods.parquet")
    out = tmp_path / "a.return.zip"
    args = ["return", "build", "--member", "A", "--periods", str(tmp_path / "periods.parquet"),
            "--out", str(out)]
    for name, p in paths.items():
        args += [f"--{name}", str(p)]
    assert main(args) == 0
    back = read_return(out)
    assert back["spend"].height > 0 and back["contracts"].height > 0
    assert set(back["inputs"]["input"]) == {"invoices", "periods", "supplier", "spend_line",
                                            "contract_award", "payment_terms"}
