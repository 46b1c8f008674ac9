"""One return file: written, read back, checked; the blank template and a filled one; the CLI."""

from __future__ import annotations

import zipfile

import polars as pl
import pytest
import xlsxwriter
from polars.testing import assert_frame_equal
from test_returns_build import PERIODS, ledger

from lainbench.cli import main
from lainbench.errors import SchemaError
from lainbench.returns.check import check_return
from lainbench.returns.io import read_return, read_workbook, write_return, write_workbook
from lainbench.returns.schema import RETURN_SCHEMA_VERSION, SHEETS
from lainbench.returns.template import write_template


@pytest.fixture(scope="module")
def tables():
    from lainbench.returns.build import build_return

    return build_return(ledger(), "A", PERIODS, days_max=60, approver_name="J Bloggs",
                        approver_title="Director of Finance")


def test_zip_round_trip_is_exact(tables, tmp_path):
    p = write_return(tables, tmp_path / "a.return.zip")
    with zipfile.ZipFile(p) as z:
        names = set(z.namelist())
    assert {"return.xlsx", "manifest.json"} | {f"tables/{s}.parquet" for s in SHEETS} == names
    back = read_return(p)
    for name in SHEETS:
        assert_frame_equal(back[name], tables[name], check_dtypes=True)


def test_a_changed_table_is_refused(tables, tmp_path):
    p = write_return(tables, tmp_path / "a.return.zip")
    with zipfile.ZipFile(p) as z:
        files = {n: z.read(n) for n in z.namelist()}
    files["tables/payment_totals.parquet"] = files["tables/periods.parquet"]
    with zipfile.ZipFile(p, "w") as z:
        for n, b in files.items():
            z.writestr(n, b)
    with pytest.raises(SchemaError, match="does not match the sha256"):
        read_return(p)


def test_the_workbook_reads_back_as_the_same_tables(tables, tmp_path):
    p = write_workbook(tables, tmp_path / "filled.xlsx")
    back, errors = read_workbook(p)
    assert errors == []
    for name in SHEETS:
        assert_frame_equal(back[name], tables[name], rel_tol=1e-12)
    assert check_return(back, PERIODS).ok


def test_template_is_empty_with_the_same_sheets(tmp_path):
    p = write_template(tmp_path / "t.xlsx", periods=["P1", "P2"])
    back, errors = read_workbook(p)
    assert errors == [] and set(back) == set(SHEETS)
    assert all(df.height == 0 for df in back.values())
    with zipfile.ZipFile(p) as z:  # drop-downs are in the sheet XML
        xml = z.read("xl/worksheets/sheet5.xml").decode()
    assert "dataValidation" in xml and "micro" in xml


def test_a_filled_template_gives_sheet_row_column_errors(tmp_path):
    p = tmp_path / "bad.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    for name, sheet in SHEETS.items():
        if name == "days_late":
            continue  # a missing sheet
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, list(sheet.columns))
    ws = wb.get_worksheet_by_name("payment_totals")
    ws.write_row(1, 0, ["P1", "all", 4, 1600.0])
    ws.write_row(2, 0, ["P1", "tiny", "abc", 12.5])
    wb.get_worksheet_by_name("return_info").write_row(1, 0, ["1.0", "A", "A", None, "P1", 60.5])
    wb.close()
    _, errors = read_workbook(p)
    assert "sheet 'days_late': missing (keep every sheet of the template)" in errors
    assert "sheet 'payment_totals', row 3, column invoices: 'abc' is not a whole number" in errors
    assert any(e.startswith("sheet 'payment_totals', row 3, column supplier_size_band: 'tiny' "
                            "is not one of") for e in errors)
    assert "sheet 'return_info', row 2, column days_to_pay_max: '60.5' is not a whole number" \
        in errors
    with pytest.raises(SchemaError, match="problem"):
        read_return(p)


def test_cli_build_check_template(small_demo, tmp_path, capsys):
    out = tmp_path / "r"
    out.mkdir()
    rc = main(["return", "build", "--member", "city_fire", "--invoices",
               str(small_demo / "invoice_payment.parquet"), "--periods",
               str(small_demo / "periods.parquet"), "--period", "2026-27 H1", "--members",
               str(small_demo / "member.parquet"), "--approver-name", "A Person",
               "--approver-title", "Treasurer", "--out", str(out)])
    assert rc == 0
    [f] = list(out.glob("*.return.zip"))
    assert f.name == "city_fire_2026-27-H1.return.zip"
    assert main(["return", "check", str(f), "--periods", str(small_demo / "periods.parquet")]) == 0
    text = capsys.readouterr().out
    assert f"schema {RETURN_SCHEMA_VERSION}" in text and "approved by A Person (Treasurer)" in text
    assert main(["return", "template", "--out", str(tmp_path / "t.xlsx")]) == 0
    assert main(["return", "check", str(tmp_path / "t.xlsx")]) == 1  # empty: no return_info row
    assert main(["return", "build", "--member", "nobody", "--invoices",
                 str(small_demo / "invoice_payment.parquet"), "--out", str(out)]) == 2
    assert "no invoices for this buyer" in capsys.readouterr().err


@pytest.mark.parametrize("cmd", ["build", "check", "template"])
def test_help_shows_an_example(cmd, capsys):
    with pytest.raises(SystemExit):
        main(["return", cmd, "--help"])
    assert "example" in capsys.readouterr().out


def test_ingest_returns_is_a_deprecated_alias_of_published(tmp_path, capsys):
    from lainbench.config import DATA_DIR

    src = DATA_DIR / "examples" / "eastbank_council_pcn.csv"
    assert main(["ingest", "returns", str(src), "--out", str(tmp_path / "a"),
                 "--set", "org_id=eastbank_council"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "deprecated; use `ingest published`" in err
    assert main(["ingest", "published", str(src), "--out", str(tmp_path / "b"),
                 "--set", "org_id=eastbank_council"]) == 0
    assert "deprecated" not in capsys.readouterr().err
    a = pl.read_parquet(next((tmp_path / "a").glob("*.parquet")))
    b = pl.read_parquet(next((tmp_path / "b").glob("*.parquet")))
    assert_frame_equal(a.drop("ingested_at", strict=False), b.drop("ingested_at", strict=False))


def test_an_older_minor_version_without_optional_sheets_is_read(tables, tmp_path):
    p = write_return(tables, tmp_path / "a.return.zip")
    with zipfile.ZipFile(p) as z:
        files = {n: z.read(n) for n in z.namelist() if "spend" not in n}
    import io
    import json

    pt = pl.read_parquet(io.BytesIO(files["tables/payment_totals.parquet"])).drop("credit_notes")
    buf = io.BytesIO()
    pt.write_parquet(buf)
    files["tables/payment_totals.parquet"] = buf.getvalue()
    m = json.loads(files["manifest.json"])
    import hashlib

    m["files"]["tables/payment_totals.parquet"] = hashlib.sha256(buf.getvalue()).hexdigest()
    files["manifest.json"] = json.dumps(m).encode()
    with zipfile.ZipFile(p, "w") as z:
        for n, b in files.items():
            z.writestr(n, b)
    back = read_return(p)
    assert back["spend"].height == 0 and back["payment_totals"]["credit_notes"].null_count() > 0
    assert back["payment_totals"]["invoices"].to_list() == tables["payment_totals"]["invoices"].to_list()


def test_a_return_from_the_shipped_example_ledger(tmp_path, capsys):
    from lainbench.config import DATA_DIR

    ledger_file = DATA_DIR / "examples" / "kingsbridge_uni_ledger.xlsx"
    assert main(["ingest", "invoices", str(ledger_file), "--out", str(tmp_path / "kb"),
                 "--buyer", "kingsbridge_uni"]) == 0
    assert main(["return", "build", "--member", "kingsbridge_uni", "--invoices",
                 str(tmp_path / "kb" / "invoice_payment.parquet"), "--approver-name", "A",
                 "--approver-title", "Director of Finance", "--out", str(tmp_path) + "/"]) == 0
    [f] = list(tmp_path.glob("*.return.zip"))
    assert f.name == "kingsbridge_uni_2025-26-H1.return.zip"  # half-years found from the dates
    capsys.readouterr()
    assert main(["return", "check", str(f)]) == 0
    assert "2025-26 H1: 4 invoices paid" in capsys.readouterr().out
