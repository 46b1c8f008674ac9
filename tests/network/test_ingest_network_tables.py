"""Ingest of supplier registers, contract registers and payment-terms tables; Excel templates
round-trip (template -> filled by hand with openpyxl -> ingest -> canonical table)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import polars as pl
import pytest
from openpyxl.utils import get_column_letter

from lainbench.cli import main
from lainbench.config import DATA_DIR
from lainbench.errors import IngestError
from lainbench.ingest.contracts import ingest_contracts
from lainbench.ingest.suppliers import ingest_suppliers
from lainbench.ingest.templates import allowed_values, template_columns, write_template
from lainbench.ingest.terms import ingest_terms
from lainbench.registry import INGEST_KINDS, load_object
from lainbench.schemas import SPEND_LINE

EXAMPLES = DATA_DIR / "examples"


def _rejects(res):
    return {(r, c): reason for r, c, reason in
            res.rejects.select("source_row", "column", "reason").rows()}


def test_supplier_example_rows():
    res = ingest_suppliers(EXAMPLES / "eastbank_council_suppliers.csv",
                           buyer_org_id="eastbank_council")
    assert (res.rows_read, res.accepted_rows, res.rejected_rows, res.skipped) == (
        11, 5, 5, {"blank": 1})
    rej = _rejects(res)
    assert (3, "Size") not in rej  # "SME": a declared SME of unknown band, kept as size_band sme
    assert "Companies House number" in rej[(4, "Company number")]
    assert rej[(5, "Diverse led")] == "diverse_led is false but women_led is true"
    assert rej[(6, "Size date")] == "impossible date (no such day)"
    assert rej[(8, None)].startswith("repeats row 1")
    assert rej[(10, "Supplier number")] == "missing required value"
    acc = res.accepted.sort("supplier_id")
    assert acc.select("supplier_id", "companies_house_number", "size_band", "size_source",
                      "is_london").rows() == [
        ("S00012", "01234567", "small", "companies_house", "true"),  # zero padding restored
        ("S00031", None, "unknown", None, "unknown"),
        ("S00047", "08765432", "sme", "supplier_declaration", "true"),
        ("S00084", None, "micro", "supplier_declaration", "true"),
        ("S00096", "05432109", "large", "buyer_register", "false"),
    ]
    assert acc["size_as_of_date"][0] == dt.date(2025, 3, 31)
    assert set(acc["source_row_id"]) == {"1", "2", "3", "9", "11"}


def test_contract_example_rows():
    res = ingest_contracts(EXAMPLES / "eastbank_council_contracts.csv",
                           buyer_org_id="eastbank_council")
    assert (res.rows_read, res.accepted_rows, res.rejected_rows) == (10, 5, 5)
    rej = _rejects(res)
    assert set(rej) == {(6, "Value"), (7, "Reservation basis"), (8, "Award date"),
                        (9, "Reserved"), (9, "Value"), (10, None)}
    acc = res.accepted
    assert acc.select("award_id", "lot_id", "value_gbp", "value_basis", "supplier_scale",
                      "is_reserved", "reservation_basis").rows()[:2] == [
        ("EBC-2025-001", None, 185_000.0, "net", "sme", True, "sme_and_location"),
        ("EBC-2025-002", "1", 2_400_000.0, "net", "large", False, None),
    ]
    assert acc.filter(pl.col("award_id") == "EBC-2025-004")["is_framework"].item() is True


def test_terms_example_rows():
    res = ingest_terms(EXAMPLES / "eastbank_council_payment_terms.csv",
                       buyer_org_id="eastbank_council")
    assert (res.rows_read, res.accepted_rows, res.rejected_rows) == (9, 5, 4)
    assert set(_rejects(res)) == {(6, "Payment terms"), (7, "Payment terms"),
                                  (8, "Review stage"), (9, None)}
    first = res.accepted.row(0, named=True)
    assert (first["standard_terms_days"], first["terms_basis"], first["review_stage"],
            first["terms_conditions_pages"], first["e_invoicing_accepted"]) == (
        30, "end_of_month", "before_review", 23, False)


def test_no_header_and_missing_required_column_named(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("colour,shape\nred,round\n")
    with pytest.raises(IngestError, match="no header row found.*lainbench template suppliers"):
        ingest_suppliers(p)
    p.write_text("Supplier number,Size\nS1,small\n")
    with pytest.raises(IngestError, match="no column for buyer_org_id"):
        ingest_suppliers(p)


def test_user_mapping_adds_a_header(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("Our ref,Awarded on,Member\nA1,2025-06-01,eastbank_council\n")
    m = tmp_path / "m.yaml"
    m.write_text("columns:\n  award_id: [Our ref]\n  award_date: [Awarded on]\n")
    res = ingest_contracts(p, mapping=m)
    assert res.accepted.select("award_id", "award_date").row(0) == ("A1", dt.date(2025, 6, 1))
    m.write_text("columns:\n  colour: [Our ref]\n")
    with pytest.raises(IngestError, match="columns.colour is not a column of contract_award"):
        ingest_contracts(p, mapping=m)


def test_cli_ingest_kinds_registered(tmp_path, capsys):
    for kind in ("suppliers", "contracts", "terms"):
        assert callable(load_object(INGEST_KINDS[kind]))
    code = main(["ingest", "terms", str(EXAMPLES / "eastbank_council_payment_terms.csv"),
                 "--buyer", "eastbank_council", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "9 rows read = 5 accepted + 4 rejected" in out
    assert pl.read_csv(tmp_path / "rejects.csv")["source_row"].to_list() == [6, 7, 8, 9]


def _fill(path, rows: list[dict]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["data"]
    headers = [c.value for c in ws[1]]
    for r, row in enumerate(rows, start=2):
        for k, v in row.items():
            ws.cell(row=r, column=headers.index(k) + 1, value=v)
    wb.save(path)


ROUND_TRIP = {
    "suppliers": (ingest_suppliers, [
        {"buyer_org_id": "m1", "supplier_id": "S1", "supplier_name": "Acme Ltd",
         "companies_house_number": "01234567", "size_band": "micro",
         "size_source": "supplier_declaration", "size_as_of_date": dt.date(2025, 4, 1),
         "diverse_led": "true", "women_led": "true", "vcse": "false", "is_london": "true",
         "postcode": "E8 1AB"},
        {"buyer_org_id": "m1", "supplier_id": "S2", "size_band": "unknown",
         "diverse_led": "unknown", "is_london": "unknown"},
    ]),
    "contracts": (ingest_contracts, [
        {"buyer_org_id": "m1", "award_id": "A1", "supplier_id": "S1", "value_gbp": 120000.5,
         "value_basis": "net", "award_date": dt.date(2025, 6, 3), "is_reserved": "TRUE",
         "reservation_basis": "sme_and_location", "is_framework": "FALSE",
         "supplier_scale": "sme"},
        {"buyer_org_id": "m1", "award_id": "A2", "award_date": dt.date(2025, 7, 1),
         "value_gbp": 9000, "is_framework": "TRUE"},
    ]),
    "terms": (ingest_terms, [
        {"buyer_org_id": "m1", "spend_category": "works", "supplier_size_band": "all",
         "standard_terms_days": 30, "terms_basis": "end_of_month", "dispute_window_days": 10,
         "e_invoicing_accepted": "TRUE", "supply_chain_finance_offered": "FALSE",
         "terms_conditions_pages": 6, "as_of_date": dt.date(2025, 10, 1),
         "review_stage": "after_review"},
    ]),
}


@pytest.mark.parametrize("kind", sorted(ROUND_TRIP))
def test_filled_template_round_trips(tmp_path, kind):
    reader, rows = ROUND_TRIP[kind]
    path = write_template(kind, tmp_path / f"{kind}.xlsx")
    wb = openpyxl.load_workbook(path)
    assert [c.value for c in wb["data"][1]] == template_columns(kind)
    assert "notes" in wb.sheetnames
    lists = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.formula1
             for dv in wb["data"].data_validations.dataValidation if dv.type == "list"}
    for i, col in enumerate(template_columns(kind), start=1):
        values = allowed_values(kind, col)
        if values:  # a drop-down of exactly the allowed values on the column
            assert lists[get_column_letter(i)] == '"' + ",".join(values) + '"', col
    _fill(path, rows)
    res = reader(path)
    assert res.rejects.height == 0, res.rejects.rows()
    assert res.accepted_rows == len(rows)
    got = res.accepted
    for i, row in enumerate(rows):
        for k, v in row.items():
            want = {"TRUE": True, "FALSE": False}.get(v, v) if isinstance(v, str) else v
            assert got[k][i] == want, (k, got[k][i], want)


def test_spend_template_uses_canonical_spend_line_headers(tmp_path):
    path = write_template("spend", tmp_path / "spend.xlsx")
    cols = template_columns("spend")
    assert cols == [c for c in SPEND_LINE.columns if c not in (
        "source_dataset", "source_url", "source_row_id", "ingested_at")]
    assert allowed_values("spend", "amount_basis") == ["net", "gross", "unknown"]
    _fill(path, [{"buyer_org_id": "m1", "line_id": "L1", "amount_gbp": 12.5,
                  "payment_date": dt.date(2025, 6, 30), "spend_category": "payroll",
                  "amount_basis": "net"}])
    df = pl.read_excel(path, sheet_name="data", engine="calamine")
    conformed = SPEND_LINE.conform(df.select("buyer_org_id", "line_id", "amount_gbp",
                                             "payment_date", "spend_category", "amount_basis")
                                   .with_columns(pl.col("payment_date").cast(pl.Date)))
    assert conformed.select("amount_gbp", "payment_date").row(0) == (12.5, dt.date(2025, 6, 30))
    example = pl.read_csv(EXAMPLES / "eastbank_council_spend_lines.csv", infer_schema=False)
    assert example.columns == cols  # the spend example uses the canonical headers too


def test_template_cli(tmp_path, capsys):
    assert main(["template", "suppliers", "--out", str(tmp_path / "s.xlsx")]) == 0
    assert (tmp_path / "s.xlsx").exists()
    assert main(["template", "suppliers", "--out", str(tmp_path / "s.csv")]) == 2
    assert "give a name ending .xlsx" in capsys.readouterr().err
