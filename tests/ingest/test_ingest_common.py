"""Shared ingest machinery: typed checks, rejects, and rows read = accepted + rejected + skipped."""

from __future__ import annotations

import polars as pl
import pytest

from lainbench.ingest.canonical import read_invoice_payment
from lainbench.ingest.common import ROW, IngestResult, check_rows, finish
from lainbench.schemas import INVOICE_PAYMENT


def raw(**cols):
    n = len(next(iter(cols.values())))
    return pl.DataFrame({ROW: list(range(1, n + 1)), **cols})


def test_each_fault_rejected_with_row_column_value_reason():
    df = raw(
        buyer_org_id=["A", "A", "A", "A", "A"],
        invoice_id=["1", "2", "3", "4", None],
        invoice_received_date=["2025-01-02", "2025-02-30", "2025-01-05", "2025-01-06", "2025-01-07"],
        gross_amount_gbp=["10", "5", "", "x1", "7"],
        supplier_size_band=["micro", "micro", "micro", "tiny", "small"],
    )
    ok, rej = check_rows(df, INVOICE_PAYMENT, "f.csv")
    assert ok[ROW].to_list() == [1]
    got = {(r["source_row"], r["column"]): (r["value"], r["reason"]) for r in rej.iter_rows(named=True)}
    assert got[(2, "invoice_received_date")] == ("2025-02-30", "not a valid date (expected YYYY-MM-DD)")
    assert got[(3, "gross_amount_gbp")][1] == "missing required value"
    assert got[(4, "gross_amount_gbp")] == ("x1", "not a number")
    assert got[(4, "supplier_size_band")][0] == "tiny"
    assert got[(5, "invoice_id")][1] == "missing required value"
    assert set(rej["source_file"]) == {"f.csv"}


def test_result_counts_each_row_once_and_checks_the_sum():
    df = raw(buyer_org_id=["A", "A"], invoice_id=["1", "2"],
             invoice_received_date=["2025-01-01", "bad"], gross_amount_gbp=["bad", "bad"])
    ok, rej = check_rows(df, INVOICE_PAYMENT, "f.csv")
    res = finish(ok, rej, INVOICE_PAYMENT, rows_read=3, source_file="f.csv", source_dataset="t",
                 skipped={"blank": 1})
    assert (res.accepted.height, res.rejected_rows, rej.height) == (0, 2, 3)
    assert res.summary() == "f.csv: 3 rows read = 0 accepted + 2 rejected + 1 skipped (1 blank)"
    with pytest.raises(AssertionError, match="row accounting broken"):
        IngestResult(INVOICE_PAYMENT, res.accepted, res.rejects, rows_read=5, source_file="f.csv")


def test_write_is_atomic_and_complete(tmp_path):
    src = tmp_path / "inv.csv"
    src.write_text("buyer_org_id,invoice_id,invoice_received_date,gross_amount_gbp\nA,1,2025-01-01,-20\n")
    res = read_invoice_payment(src)
    paths = res.write(tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["invoice_payment.parquet",
                                                                    "rejects.csv"]
    table = pl.read_parquet(paths["table"])
    assert table["is_credit_note"].to_list() == [True]       # kept and flagged, not rejected
    assert table["source_dataset"].to_list() == ["inv.csv"]
    assert table["ingested_at"].dtype == pl.Datetime("us", "UTC")


def test_canonical_reader_refuses_foreign_headers(tmp_path):
    from lainbench.errors import IngestError

    src = tmp_path / "ledger.csv"
    src.write_text("Supplier Name,Invoice Date\nX,01/02/2025\n")
    with pytest.raises(IngestError, match="lainbench ingest invoices"):
        read_invoice_payment(src)


def test_header_only_file_gives_empty_result(tmp_path):
    src = tmp_path / "empty.csv"
    src.write_text("buyer_org_id,invoice_id,invoice_received_date,gross_amount_gbp\n")
    res = read_invoice_payment(src)
    assert (res.rows_read, res.accepted.height, res.rejected_rows) == (0, 0, 0)
