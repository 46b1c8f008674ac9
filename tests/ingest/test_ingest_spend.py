"""lainbench ingest spend: the canonical template headers (issue 11), published transparency files
(hand-made fixture and the real Lambeth / NHS ICB samples).

Real-sample expectations were read from the files with Python's csv module: Lambeth June 2012 has
3,155 transactions summing to £40,292,334.84 (the file's own Total row), 12 of them dated before
2012; the supplier totals file 1,072 rows, £38,447,618.14; the ICB compilation 600 rows, 58 negative,
£69,780,746.34.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lainbench.cli import main
from lainbench.config import SHARED_REAL_DATA
from lainbench.errors import IngestError
from lainbench.ingest.spend import ingest_spend

DATA = Path(__file__).resolve().parents[1] / "data" / "spend"
SPEND = SHARED_REAL_DATA / "procurement-samples" / "spend"


def _ok(res):
    assert res.rows_read == res.accepted_rows + res.rejected_rows + sum(res.skipped.values())


def test_canonical_template_headers():
    res = ingest_spend(DATA / "canonical_spend.csv")
    _ok(res)
    assert (res.rows_read, res.accepted_rows, res.rejected_rows) == (5, 3, 2)
    a = res.accepted
    assert a["amount_gbp"].to_list() == [1200.5, 2000.0, -50.0]
    assert a["amount_basis"].to_list() == ["gross", "net", "gross"]
    assert [str(d) for d in a["payment_date"]] == ["2026-04-03", "2026-04-03", "2026-04-07"]
    assert a["is_addressable"].to_list() == [True, False, None]
    assert a["date_basis"].unique().to_list() == ["payment"]
    cols = set(res.rejects.filter(pl.col("source_row") == 5)["column"])
    assert cols == {"amount_basis", "is_addressable", "payment_date"}


def test_published_file_preamble_total_gross_threshold():
    res = ingest_spend(DATA / "published_gross.csv", buyer_org_id="nhs_example")
    _ok(res)
    assert res.skipped == {"total rows": 1, "blank rows": 1}
    assert res.accepted["amount_gbp"].to_list() == [30000.0, 25000.0, 1000.0]
    assert res.accepted["amount_basis"].unique().to_list() == ["gross"]  # "Amount Inc VAT"
    assert res.accepted["publication_threshold_gbp"].unique().to_list() == [25000.0]  # "over £25,000"
    assert any("1 line(s) below it kept" in n for n in res.notes)
    assert res.accepted["supplier_id"].null_count() == 3


def test_threshold_option_wins_and_no_buyer_is_an_error():
    res = ingest_spend(DATA / "published_gross.csv", buyer_org_id="x", threshold_gbp=500)
    assert res.accepted["publication_threshold_gbp"].unique().to_list() == [500.0]
    with pytest.raises(IngestError, match="--buyer"):
        ingest_spend(DATA / "published_gross.csv")
    with pytest.raises(IngestError, match="no header row"):
        ingest_spend(DATA / "no_header.csv")


def test_cli_spend_options_and_refusal(tmp_path, capsys):
    src = DATA / "published_gross.csv"
    assert main(["ingest", "spend", str(src), "--out", str(tmp_path), "--buyer", "b",
                 "--threshold", "25000"]) == 0
    assert "5 rows read = 3 accepted + 0 rejected + 2 skipped" in capsys.readouterr().out
    copy = tmp_path / "spend_line.parquet"
    assert main(["ingest", "canonical", str(copy), "--out", str(tmp_path)]) == 2  # would overwrite


@pytest.fixture(scope="module")
def spend_dir() -> Path:
    if not SPEND.exists():
        pytest.skip(f"spend samples not present at {SPEND}")
    return SPEND


@pytest.mark.realdata
def test_real_lambeth_transactions(spend_dir):
    res = ingest_spend(spend_dir / "lambeth_invoices_over_500_nett_2012-06_transactions.csv")
    _ok(res)
    assert (res.rows_read, res.accepted_rows, res.rejected_rows) == (3161, 3155, 0)
    assert res.skipped == {"total rows": 1, "blank rows": 5}
    a = res.accepted
    assert round(a["amount_gbp"].sum(), 2) == 40_292_334.84
    assert a.filter(pl.col("payment_date").dt.year() < 2012).height == 12
    assert a["amount_basis"].unique().to_list() == ["net"]
    assert a["date_basis"].unique().to_list() == ["invoice"]  # invoice creation date, not payment
    assert a["publication_threshold_gbp"].unique().to_list() == [500.0]
    assert not a["expense_type"].str.contains("\u2020").any()
    assert a.filter(pl.col("supplier_name").str.contains("(?i)thames water|transport for london")).height > 0


@pytest.mark.realdata
def test_real_lambeth_supplier_totals(spend_dir):
    res = ingest_spend(spend_dir / "lambeth_supplier_totals_over_500_2011-01.csv", buyer_org_id="lambeth",
                       period="2011-01", threshold_gbp=500)
    _ok(res)
    assert res.accepted_rows == 1072
    assert round(res.accepted["amount_gbp"].sum(), 2) == 38_447_618.14
    assert res.accepted["date_basis"].unique().to_list() == ["period"]
    with pytest.raises(IngestError, match="period=YYYY-MM"):
        ingest_spend(spend_dir / "lambeth_supplier_totals_over_500_2011-01.csv", buyer_org_id="lambeth")


@pytest.mark.realdata
def test_real_nhs_icb(spend_dir):
    res = ingest_spend(spend_dir / "nhs_icb_spend_compiled_head300_per_sheet_FROM_XLSX.csv")
    _ok(res)
    assert res.accepted_rows == 600
    a = res.accepted
    assert (a["amount_gbp"] < 0).sum() == 58
    assert round(a["amount_gbp"].sum(), 2) == 69_780_746.34
    assert a["publication_threshold_gbp"].null_count() == 600  # not a >£25k extract: unknown
    assert sorted(a["buyer_org_id"].unique()) == ["NHS Gloucestershire ICB", "NHS Somerset CCG"]


def test_mapping_yaml_and_excel_canonical(tmp_path):
    import datetime as dt

    odd = tmp_path / "odd.csv"
    odd.write_text("Org,Who,Paid On,GBP\nb1,Acme,02/01/2026,10\n")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("buyer_org_id: [Org]\nsupplier_name: Who\npayment_date: [Paid On]\namount_gbp: [GBP]\n")
    res = ingest_spend(odd, mapping=mapping)
    assert res.accepted.select("buyer_org_id", "supplier_name", "amount_gbp").row(0) == ("b1", "Acme", 10.0)
    assert str(res.accepted["payment_date"][0]) == "2026-01-02"
    bad = tmp_path / "bad.yaml"
    bad.write_text("colour: [Org]\n")
    with pytest.raises(IngestError, match="not a spend_line column"):
        ingest_spend(odd, mapping=bad)
    # the issue-11 template saved as .xlsx: canonical headers, real date cells
    xlsx = tmp_path / "spend.xlsx"
    pl.DataFrame({"buyer_org_id": ["m1", "m1"], "supplier_name": ["Acme", "Beta"],
                  "amount_gbp": [100.0, 250.5], "amount_basis": ["gross", "gross"],
                  "payment_date": [dt.date(2026, 4, 1), dt.date(2026, 4, 2)]}).write_excel(xlsx)
    res = ingest_spend(xlsx)
    assert res.accepted["amount_gbp"].to_list() == [100.0, 250.5]
    assert [str(d) for d in res.accepted["payment_date"]] == ["2026-04-01", "2026-04-02"]
