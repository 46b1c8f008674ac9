"""Tests for lainbench.ingest.invoices (and the value readers in lainbench.ingest.values).

Expected values are worked out by hand from the fixture text, not copied from the code's output.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lainbench.demo import examples
from lainbench.errors import IngestError
from lainbench.ingest import values as V
from lainbench.ingest.invoices import (
    StagedIngestResult,
    _duplicate_rows,
    ingest_invoices,
    load_mapping,
    match_headers,
)
from lainbench.schemas import INVOICE_PAYMENT

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
D = dt.date


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("messy") / "westmere_ledger.csv"
    p.write_bytes(examples.messy_ledger_bytes())
    return p


@pytest.fixture(scope="module")
def messy_result(messy):
    return ingest_invoices(messy, buyer_org_id="westmere_council")


# --- the messy Windows-1252 ledger: exactly the rows a person would choose ---------------------

def test_messy_ledger_is_windows_1252_with_crlf(messy):
    raw = messy.read_bytes()
    assert b"\xa3" in raw  # a pound sign is one byte in Windows-1252
    assert b"\r\n" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_messy_ledger_row_accounting(messy_result):
    verdicts = [v for _, v in examples.MESSY_LEDGER_ROWS]
    # 20 rows under the header: 7 accepted + 3 credits, 7 rejected, 2 blank + 1 total skipped
    assert messy_result.rows_read == 20
    assert messy_result.accepted.height == sum(v in ("accept", "credit") for v in verdicts) == 10
    assert messy_result.rejected_rows == sum(v.startswith("reject") for v in verdicts) == 7
    assert messy_result.skipped == {"blank": 2, "total row": 1}


def test_messy_ledger_verdict_per_row(messy_result):
    accepted_rows = set(messy_result.accepted["source_row_id"].cast(pl.Int64).to_list())
    rejected_rows = set(messy_result.rejects["source_row"].to_list())
    for n, (_, verdict) in enumerate(examples.MESSY_LEDGER_ROWS, start=1):
        if verdict in ("accept", "credit"):
            assert n in accepted_rows, (n, verdict)
        elif verdict.startswith("reject"):
            assert n in rejected_rows, (n, verdict)
        else:
            assert n not in accepted_rows | rejected_rows, (n, verdict)


def test_messy_ledger_reject_reasons(messy_result):
    rej = {(r["source_row"], r["column"]): (r["value"], r["reason"])
           for r in messy_result.rejects.iter_rows(named=True)}
    assert rej[(7, "Date Invoice Paid")] == ("2025-05-12", "paid before the invoice was received")
    assert rej[(8, "Invoice Date")] == ("31/02/2025", "impossible date (no such day)")
    assert rej[(9, "Date Invoice Paid")][0] == "01/01/1900"
    assert "year 1900" in rej[(9, "Date Invoice Paid")][1]
    assert rej[(10, "Invoice Gross Value (£)")] == (None, "missing required value")
    assert rej[(11, "Invoice Gross Value (£)")][0] == "TBC"
    assert rej[(11, "Invoice Gross Value (£)")][1].startswith("not an amount")
    assert rej[(12, None)] == ("same as row 1", "exact duplicate of an earlier row (first kept)")
    assert rej[(17, "System Invoice Reference")] == (None, "missing required value")


def test_messy_ledger_values(messy_result):
    acc = messy_result.accepted
    by_id = {r["invoice_id"]: r for r in acc.iter_rows(named=True)}
    first = by_id["WCC000101"]
    assert first["supplier_name"] == "Bénédicte's Café Ltd (demo)"  # cp1252 é decoded
    assert (first["invoice_date"], first["invoice_received_date"], first["payment_date"]) == (
        D(2025, 4, 3), D(2025, 4, 7), D(2025, 5, 2))
    assert (first["net_amount_gbp"], first["vat_gbp"], first["gross_amount_gbp"]) == (
        1000.0, 200.0, 1200.0)
    assert by_id["WCC000102"]["payment_date"] == D(2025, 5, 9)  # 9/5/25 day-first, 2-digit year
    assert by_id["WCC000103"]["invoice_date"] == D(2025, 4, 3)  # "3 Apr 2025"
    assert by_id["WCC000104"]["gross_amount_gbp"] == 2250.60  # "2,250.60"
    assert by_id["WCC000113"]["payment_date"] is None  # not yet paid: kept
    # credits: (£240.00), -£60.00 and 45.00 CR
    credits = {k: (r["gross_amount_gbp"], r["is_credit_note"]) for k, r in by_id.items()
               if r["is_credit_note"]}
    assert credits == {"WCC000105": (-240.0, True), "WCC000106": (-60.0, True),
                       "WCC000114": (-45.0, True)}
    assert by_id["WCC000115"]["supplier_name"] == "Total Gas & Power Ltd (demo)"  # not a total row
    # 1200 + 300 + 12500 + 2250.60 - 240 - 60 + 768 + 1320 - 45 + 3370.50 = 21364.10
    assert round(acc["gross_amount_gbp"].sum(), 2) == 21364.10
    assert acc["buyer_org_id"].unique().to_list() == ["westmere_council"]
    assert acc["currency"].unique().to_list() == ["GBP"]


def test_lineage_on_every_row(messy_result):
    acc = messy_result.accepted
    assert acc["source_dataset"].unique().to_list() == ["westmere_ledger.csv"]
    assert acc["source_row_id"].null_count() == 0
    assert acc["ingested_at"].null_count() == 0
    assert acc.schema == INVOICE_PAYMENT.schema


def test_write_files(messy_result, tmp_path):
    paths = messy_result.write(tmp_path)
    assert pl.read_parquet(paths["table"]).height == 10
    rejects = pl.read_csv(paths["rejects"])
    assert rejects.columns == ["source_file", "source_row", "column", "value", "reason"]
    assert sorted(set(rejects["source_row"])) == [7, 8, 9, 10, 11, 12, 17]


def test_summary_line(messy_result):
    assert messy_result.summary().endswith(
        "20 rows read = 10 accepted + 7 rejected + 3 skipped (2 blank, 1 total row)")


# --- Excel ---------------------------------------------------------------------------------------

def test_xlsx_ledger(tmp_path):
    p = examples.write_xlsx_ledger(tmp_path / "ku.xlsx")
    res = ingest_invoices(p, buyer_org_id="kingsbridge_uni")
    # 6 invoices + Grand Total: KU-5005 paid 5 May before it was received 7 May
    assert (res.rows_read, res.accepted.height, res.rejected_rows) == (7, 5, 1)
    assert res.skipped == {"total row": 1}
    assert res.rejects.row(0, named=True)["source_row"] == 5
    by_id = {r["invoice_id"]: r for r in res.accepted.iter_rows(named=True)}
    assert by_id["KU-5001"]["invoice_received_date"] == D(2025, 4, 4)  # an Excel date cell
    assert by_id["KU-5003"]["invoice_date"] == D(2025, 4, 14)  # the text "14/04/2025"
    assert by_id["KU-5003"]["gross_amount_gbp"] == 430.0  # the text "£430.00"
    assert by_id["KU-5004"]["is_credit_note"] is True  # Document Type "Credit Note"
    assert by_id["KU-5001"]["is_credit_note"] is False


# --- encodings -------------------------------------------------------------------------------------

TEXT = ("Supplier Name,Invoice Number,Invoice Date,Date Invoice Paid,Invoice Gross Value\n"
        "Café Crème (demo),A-1,25/02/2025,05/03/2025,£1\u00a0200.00\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_encodings_read_alike(tmp_path, encoding):
    p = tmp_path / f"{encoding}.csv"
    p.write_bytes(TEXT.encode(encoding))
    res = ingest_invoices(p, buyer_org_id="m")
    row = res.accepted.row(0, named=True)
    assert row["supplier_name"] == "Café Crème (demo)"
    assert row["gross_amount_gbp"] == 1200.0  # non-breaking space as a thousands separator


def test_semicolon_delimited(tmp_path):
    p = tmp_path / "semi.csv"
    p.write_text("Supplier;Invoice Number;Invoice Date;Date Paid;Amount\n"
                 "Acme (demo);A1;25/02/2025;05/03/2025;12.50\n")
    res = ingest_invoices(p, buyer_org_id="m")
    assert res.accepted["gross_amount_gbp"].to_list() == [12.5]


# --- header mapping --------------------------------------------------------------------------------

def test_default_mapping_knows_foi_spellings():
    hm = load_mapping()
    matched, unmapped = match_headers(
        ["Supplier Name", "Invoice Date", "Date Invoice Paid", "Invoice Gross Value",
         "System Invoice Reference", "Supplier Invoice Reference", "Supplier Reference",
         "Net Value", "VAT", "Supplier Postcode"], hm)
    assert matched == {
        "supplier_id": "Supplier Reference", "supplier_name": "Supplier Name",
        "invoice_id": "System Invoice Reference",
        "supplier_invoice_ref": "Supplier Invoice Reference", "invoice_date": "Invoice Date",
        "payment_date": "Date Invoice Paid", "gross_amount_gbp": "Invoice Gross Value",
        "net_amount_gbp": "Net Value", "vat_gbp": "VAT"}
    assert unmapped == ["Supplier Postcode"]


def test_earlier_spelling_wins():
    # "gross amount" is listed before "amount": the Amount column is left unmapped
    matched, unmapped = match_headers(["Amount", "Gross Amount"], load_mapping())
    assert matched == {"gross_amount_gbp": "Gross Amount"}
    assert unmapped == ["Amount"]


def test_user_mapping_extends_default():
    res = ingest_invoices(DATA / "ledger_custom_headers.csv",
                          mapping=DATA / "mapping_custom.yaml", buyer_org_id="m")
    assert res.accepted.select("invoice_id", "invoice_received_date", "payment_date",
                               "gross_amount_gbp").rows() == [
        ("A-1", D(2025, 3, 14), D(2025, 4, 1), 1234.0),
        ("B-2", D(2025, 3, 15), D(2025, 3, 20), 99.5)]
    assert any("ignored columns: 'Notes'" in n for n in res.notes)


def test_without_user_mapping_the_custom_file_is_refused():
    with pytest.raises(IngestError, match="no column for gross_amount_gbp.*--mapping"):
        ingest_invoices(DATA / "ledger_custom_headers.csv", buyer_org_id="m")


def test_user_spelling_moves_to_its_column(tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text("columns:\n  invoice_received_date: [Invoice Date]\n")
    hm = load_mapping(m)
    assert hm.spelling_index()["invoice date"] == ("invoice_received_date", 0)
    assert "invoice date" not in hm.columns["invoice_date"]


@pytest.mark.parametrize("text, message", [
    ("columns:\n  days_to_pay: [Days]\n", "derived by lainbench"),
    ("columns:\n  banana: [B]\n", "not a canonical invoice_payment input column"),
    ("options:\n  date_order: ymd\n", "options.date_order = 'ymd'"),
    ("options:\n  colour: red\n", "unknown option"),
    ("colums: {}\n", "unknown top-level key"),
    ("columns: [a, b]\n", "must map canonical column names"),
    ("columns: {invoice_id: [\n", "not valid YAML"),
])
def test_bad_mapping_files(tmp_path, text, message):
    m = tmp_path / "bad.yaml"
    m.write_text(text)
    with pytest.raises(IngestError, match=message):
        load_mapping(m)


def test_missing_mapping_file():
    with pytest.raises(IngestError, match="mapping file not found"):
        load_mapping("no/such/mapping.yaml")


# --- dates ---------------------------------------------------------------------------------------

def test_ambiguous_dates_refused_with_the_fix():
    with pytest.raises(IngestError) as e:
        ingest_invoices(DATA / "ledger_ambiguous_dates.csv", buyer_org_id="m")
    msg = str(e.value)
    assert "ambiguous" in msg and "03/02/2025" in msg
    assert "date_order: dmy" in msg and "--mapping" in msg


def test_ambiguous_dates_read_when_order_given():
    res = ingest_invoices(DATA / "ledger_ambiguous_dates.csv", buyer_org_id="m", date_order="dmy")
    assert res.accepted["invoice_date"].to_list() == [D(2025, 2, 3), D(2025, 2, 4)]
    res = ingest_invoices(DATA / "ledger_ambiguous_dates.csv", buyer_org_id="m", date_order="mdy")
    assert res.accepted["invoice_date"].to_list() == [D(2025, 3, 2), D(2025, 4, 2)]


def test_month_first_file_detected_and_noted():
    res = ingest_invoices(DATA / "ledger_us_dates.csv", buyer_org_id="m")
    assert res.accepted["payment_date"].to_list() == [D(2025, 3, 5), D(2025, 3, 16)]
    assert any("month-first" in n and "02/14/2025" in n for n in res.notes)


def test_mixed_date_orders_refused():
    with pytest.raises(IngestError, match="mix day-first and month-first"):
        ingest_invoices(DATA / "ledger_mixed_dates.csv", buyer_org_id="m")


def test_bad_date_order_argument():
    with pytest.raises(IngestError, match="date_order = 'ydm'"):
        ingest_invoices(DATA / "ledger_us_dates.csv", buyer_org_id="m", date_order="ydm")


def test_received_date_falls_back_to_invoice_date(messy_result, tmp_path):
    p = tmp_path / "foi.csv"
    p.write_text("Supplier Name,Invoice Date,Date Invoice Paid,Invoice Gross Value\n"
                 "Acme (demo),25/02/2025,05/03/2025,10\n")
    res = ingest_invoices(p, buyer_org_id="m")
    row = res.accepted.row(0, named=True)
    assert row["invoice_received_date"] == row["invoice_date"] == D(2025, 2, 25)
    assert row["invoice_id"] == "row-1"
    assert any("days counted from 'Invoice Date'" in n for n in res.notes)


@pytest.mark.parametrize("text, expected", [
    ("03/02/2025", D(2025, 2, 3)), ("3/2/25", D(2025, 2, 3)), ("3 Feb 2025", D(2025, 2, 3)),
    ("03-Feb-25", D(2025, 2, 3)), ("3rd February 2025", D(2025, 2, 3)),
    ("Feb 3, 2025", D(2025, 2, 3)), ("2025-02-03", D(2025, 2, 3)),
    ("2025-02-03 00:00:00", D(2025, 2, 3)), ("2025-02-03T10:15:00Z", D(2025, 2, 3)),
    ("20250203", D(2025, 2, 3)), ("03.02.2025", D(2025, 2, 3)),
    # Excel serial: 1 Jan 2025 is day 45658, so 3 Feb 2025 is 45658 + 33 = 45691
    ("45691", D(2025, 2, 3)),
    ("29/02/2024", D(2024, 2, 29)), ("29/02/2025", None), ("31/04/2025", None),
    ("13/13/2025", None), ("01/01/1900", None), ("01/01/2205", None), ("tomorrow", None),
    ("", None), ("N/A", None),
])
def test_date_forms(text, expected):
    df = pl.DataFrame({"d": [text]})
    assert df.select(V.parse_date(pl.col("d"), "dmy"))["d"][0] == expected
    fast = V.with_dates(df, {"out": "d"}, "dmy")
    assert fast["out"][0] == expected


@pytest.mark.parametrize("text, reason", [
    ("31/02/2025", "impossible date (no such day)"),
    ("13/13/2025", "impossible date (no such month)"),
    ("01/01/1900", "impossible date (year 1900 is outside 1990-2099)"),
    ("soon", "not a recognised date (expected DD/MM/YYYY, YYYY-MM-DD or 3 Feb 2025)"),
    ("", None),
    ("03/02/2025", None),
])
def test_date_problems(text, reason):
    df = pl.DataFrame({"d": [text]})
    assert df.select(V.date_problem(pl.col("d"), "dmy"))["d"][0] == reason
    assert V.with_dates(df, {"out": "d"}, "dmy")["__date_problem_out"][0] == reason


# --- amounts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("1234.5", 1234.5), ("£1,234.50", 1234.5), ("GBP 1,234.50", 1234.5), ("£ 1 234.50", 1234.5),
    ("(12.00)", -12.0), ("(£12.00)", -12.0), ("-£3", -3.0), ("£-3", -3.0), ("−3.00", -3.0),
    ("12-", -12.0), ("45.10 CR", -45.1), ("45.10 DR", 45.1), ("0.00", 0.0), (".5", 0.5),
    ("1.5E+03", 1500.0), ("12.345", 12.35), ("1,00", None), ("1.234,56", None), ("$5", None),
    ("TBC", None), ("", None), ("-", None), ("£1,2,3", None),
])
def test_amount_forms(text, expected):
    out = pl.DataFrame({"x": [text]}).select(V.parse_amount(pl.col("x")))["x"][0]
    assert out == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pence=st.integers(-10**11, 10**11), style=st.sampled_from(
    ["plain", "pound", "thousands", "brackets", "cr", "trailing"]))
def test_amount_round_trip(pence, style):
    value = pence / 100
    body = f"{abs(value):,.2f}" if style in ("thousands", "pound", "brackets") else f"{abs(value):.2f}"
    if style == "pound":
        body = "£" + body
    neg = value < 0
    text = {
        "plain": ("-" if neg else "") + body, "pound": ("-" if neg else "") + body,
        "thousands": ("-" if neg else "") + body, "brackets": f"({body})" if neg else body,
        "cr": body + (" CR" if neg else ""), "trailing": body + ("-" if neg else ""),
    }[style]
    got = pl.DataFrame({"x": [text]}).select(V.parse_amount(pl.col("x")))["x"][0]
    assert got == pytest.approx(value, abs=0.005)


@settings(max_examples=40, deadline=None)
@given(day=st.dates(min_value=D(1990, 1, 1), max_value=D(2099, 12, 31)),
       fmt=st.sampled_from(["%d/%m/%Y", "%-d/%-m/%y", "%d %b %Y", "%Y-%m-%d", "%d-%b-%y",
                            "%d.%m.%Y", "%Y%m%d"]))
def test_date_round_trip(day, fmt):
    text = day.strftime(fmt)
    if fmt in ("%-d/%-m/%y", "%d-%b-%y") and day.year >= 2070:
        return  # two-digit years 70-99 are read as 1970-1999
    df = pl.DataFrame({"d": [text]})
    assert V.with_dates(df, {"o": "d"}, "dmy")["o"][0] == day


# --- row rules and faults --------------------------------------------------------------------

def test_row_with_too_many_fields_is_rejected_not_fatal():
    res = ingest_invoices(DATA / "ledger_unquoted_comma.csv", buyer_org_id="m")
    assert res.accepted["invoice_id"].to_list() == ["B-2"]
    row = res.rejects.filter(pl.col("column").is_null()).row(0, named=True)
    assert row["source_row"] == 1 and row["value"] == "200.00"
    assert row["reason"].startswith("more fields than the 5 headers")


def test_non_gbp_currency_rejected(tmp_path):
    p = tmp_path / "fx.csv"
    p.write_text("Supplier,Invoice Number,Invoice Date,Date Paid,Amount,Currency\n"
                 "A (demo),1,25/02/2025,05/03/2025,10,EUR\nB (demo),2,25/02/2025,05/03/2025,10,gbp\n")
    res = ingest_invoices(p, buyer_org_id="m")
    assert res.accepted["invoice_id"].to_list() == ["2"]
    assert res.rejects["reason"].to_list() == ["amount in EUR, not GBP (convert before ingesting)"]


def test_negative_amount_marked_invoice_is_still_a_credit(tmp_path):
    p = tmp_path / "types.csv"
    p.write_text("Supplier,Invoice Number,Invoice Date,Date Paid,Amount,Document Type\n"
                 "A (demo),1,25/02/2025,05/03/2025,-10,Invoice\n"
                 "B (demo),2,25/02/2025,05/03/2025,10,CRN\n"
                 "C (demo),3,25/02/2025,05/03/2025,10,Invoice\n"
                 "D (demo),4,25/02/2025,05/03/2025,10,Refund?\n")
    res = ingest_invoices(p, buyer_org_id="m")
    assert res.accepted.select("invoice_id", "is_credit_note").rows() == [
        ("1", True), ("2", True), ("3", False)]
    assert res.rejects["reason"][0].startswith("not a credit-note flag")


def test_buyer_column_or_argument(tmp_path):
    p = tmp_path / "b.csv"
    p.write_text("Buyer,Supplier,Invoice Number,Invoice Date,Date Paid,Amount\n"
                 "north (demo),A,1,25/02/2025,05/03/2025,10\n")
    assert ingest_invoices(p).accepted["buyer_org_id"].to_list() == ["north (demo)"]
    res = ingest_invoices(p, buyer_org_id="south")
    assert res.accepted["buyer_org_id"].to_list() == ["south"]
    assert any("column 'Buyer' ignored" in n for n in res.notes)


def test_no_buyer_refused():
    with pytest.raises(IngestError, match="--buyer ORG_ID"):
        ingest_invoices(DATA / "ledger_us_dates.csv")


def test_unreadable_files(tmp_path):
    with pytest.raises(IngestError, match="file not found"):
        ingest_invoices(tmp_path / "nope.csv", buyer_org_id="m")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(IngestError, match="empty"):
        ingest_invoices(empty, buyer_org_id="m")
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 50)
    with pytest.raises(IngestError, match="junk.csv"):
        ingest_invoices(junk, buyer_org_id="m")
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(IngestError, match="fake.xlsx.*spreadsheet"):
        ingest_invoices(fake, buyer_org_id="m")
    (tmp_path / "d").mkdir()
    with pytest.raises(IngestError, match="folder"):
        ingest_invoices(tmp_path / "d", buyer_org_id="m")


def test_no_header_row(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(IngestError, match="no header row found.*Supplier Name"):
        ingest_invoices(p, buyer_org_id="m")


def test_header_only_file(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("Supplier,Invoice Number,Invoice Date,Date Paid,Amount\n")
    res = ingest_invoices(p, buyer_org_id="m")
    assert (res.rows_read, res.accepted.height) == (0, 0)


# --- big files: staged on disk -------------------------------------------------------------------

def test_staged_result_matches_in_memory(messy, messy_result, tmp_path):
    staged = ingest_invoices(messy, buyer_org_id="westmere_council", stage_above_bytes=0)
    assert isinstance(staged, StagedIngestResult)
    assert staged.summary() == messy_result.summary()
    assert staged.rejects.equals(messy_result.rejects)
    cols = [c for c in INVOICE_PAYMENT.columns if c != "ingested_at"]
    assert staged.scan().select(cols).collect().equals(messy_result.accepted.select(cols))
    out = staged.write(tmp_path)
    assert pl.read_parquet(out["table"]).height == 10
    assert "StagedIngestResult" in repr(staged)


def test_duplicate_search_in_buckets_equals_one_pass():
    df = pl.DataFrame({"__row": list(range(1, 201)),
                       "__hash": [i % 37 for i in range(200)],
                       "__skip": [None] * 200}, schema={"__row": pl.Int64, "__hash": pl.UInt64,
                                                         "__skip": pl.String})
    one = _duplicate_rows(df.lazy(), 200, bucket_rows=10_000)
    many = _duplicate_rows(df.lazy(), 200, bucket_rows=7)
    assert one.sort("__row").equals(many.sort("__row"))
    # 200 rows over 37 hash values: each value's first row is kept, 200 - 37 = 163 repeats
    assert one.height == 163
    assert one.filter(pl.col("__row") == 38)["__first"][0] == 1


def test_committed_examples_match_their_generator(tmp_path):
    """data/examples/ holds exactly what lainbench.demo.examples writes (regenerate with
    `python -m lainbench.demo.examples data/examples`)."""
    from lainbench.config import DATA_DIR

    for kind, path in examples.write_examples(tmp_path).items():
        committed = DATA_DIR / "examples" / path.name
        assert committed.read_bytes() == path.read_bytes(), kind
