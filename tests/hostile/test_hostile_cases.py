"""Named cases from issue 15 ("Data loss and corruption", "Injection" and "Tracebacks" bullets,
ingest and params parts): each a small file written by hand, with the verdict worked out by
hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hostile_ledgers import TODAY

from lainbench import cli
from lainbench.errors import IngestError
from lainbench.ingest.canonical import read_invoice_payment
from lainbench.ingest.invoices import ingest_invoices
from lainbench.ingest.ppr import ingest_ppr
from lainbench.safe_output import restore_frame

HEADER = "Supplier Name,Invoice Number,Invoice Date,Date Invoice Paid,Invoice Gross Value\n"
# the first row settles day-first dates (25 > 12) and '.' for decimals ("10.00")
FIRST = "Acme Ltd,A0,25/01/2025,10/02/2025,10.00\n"


def ledger(tmp_path, body: str | bytes, name: str = "ledger.csv", header: str = HEADER):
    p = tmp_path / name
    p.write_bytes(body if isinstance(body, bytes) else (header + body).encode("utf-8"))
    return p


def ingest(p, **kw):
    return ingest_invoices(p, buyer_org_id="demo_council", today=TODAY, **kw)


def reasons(res) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for row, reason in res.rejects.select("source_row", "reason").iter_rows():
        out.setdefault(row, []).append(reason)
    return out


# --- data loss: ingest refuses to write over its input -------------------------------------

@pytest.mark.parametrize(("kind", "input_name"), [
    ("canonical", "rejects.csv"), ("canonical", "invoice_payment.parquet"),
    ("invoices", "rejects.csv"), ("invoices", ".rejects.csv.tmp")])
def test_ingest_refuses_to_write_over_its_input(tmp_path, kind, input_name, capsys):
    rows = ("buyer_org_id,invoice_id,invoice_received_date,gross_amount_gbp\n"
            "A,1,2025-01-02,100\n") if kind == "canonical" else HEADER + FIRST
    if input_name.endswith(".parquet"):
        src = tmp_path / "in.csv"
        src.write_text(rows)
        read_invoice_payment(src, today=TODAY).write(tmp_path / "first")
        p = tmp_path / "first" / input_name
    else:
        p = tmp_path / input_name
        p.write_text(rows)
    before = p.read_bytes()
    extra = ["--buyer", "demo"] if kind == "invoices" else []
    code = cli.main(["ingest", kind, str(p), "--out", str(p.parent), *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert "would be written over the input file" in err and input_name in err
    assert p.read_bytes() == before  # the user's file is untouched


def test_ingest_into_another_folder_still_works(tmp_path):
    p = tmp_path / "rejects.csv"
    p.write_text("buyer_org_id,invoice_id,invoice_received_date,gross_amount_gbp\nA,1,2025-01-02,1\n")
    assert cli.main(["ingest", "canonical", str(p), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "invoice_payment.parquet").exists()


# --- data corruption: decimal conventions ---------------------------------------------------

def test_ambiguous_thousands_point_is_rejected_not_read_as_pence(tmp_path):
    # no cell settles the convention: 1.234 could be £1,234 or £1.234; 12.345 likewise
    body = ("Acme Ltd,A1,25/01/2025,10/02/2025,1.234\n"
            "Acme Ltd,A2,25/01/2025,10/02/2025,12.345\n"
            "Acme Ltd,A3,25/01/2025,10/02/2025,1234\n")
    res = ingest(ledger(tmp_path, body))
    assert res.accepted["gross_amount_gbp"].to_list() == [1234.0]
    why = reasons(res)
    assert "ambiguous decimal point: '1.234' could be £1,234" in why[1][0]
    assert "ambiguous decimal point: '12.345' could be £12,345" in why[2][0]


def test_three_decimals_in_a_uk_file_are_a_fraction_of_a_penny(tmp_path):
    res = ingest(ledger(tmp_path, FIRST + "Acme Ltd,A1,25/01/2025,10/02/2025,12.345\n"))
    assert res.accepted["gross_amount_gbp"].to_list() == [10.0]  # never £12.35
    assert reasons(res)[2] == [("a fraction of a penny: rounding to pence would change it. "
                                "Give pounds and pence (2 decimal places), or check the decimal "
                                "separator")]
    assert res.rejects["value"].to_list() == ["12.345"]


def test_comma_decimal_file_is_read_consistently(tmp_path):
    body = ('Acme Ltd,A1,25/01/2025,10/02/2025,"1.234,56"\n'
            'Acme Ltd,A2,25/01/2025,10/02/2025,"12,50"\n'
            "Acme Ltd,A3,25/01/2025,10/02/2025,1.234\n")
    res = ingest(ledger(tmp_path, body))
    assert res.accepted["gross_amount_gbp"].to_list() == [1234.56, 12.5, 1234.0]
    assert any("',' for decimals" in n for n in res.notes)


def test_minority_convention_rows_are_rejected_by_name(tmp_path):
    body = (FIRST + "Acme Ltd,A1,25/01/2025,10/02/2025,1234.50\n"
            'Acme Ltd,A2,25/01/2025,10/02/2025,"7,25"\n')
    res = ingest(ledger(tmp_path, body))
    assert res.accepted["gross_amount_gbp"].to_list() == [10.0, 1234.5]
    assert reasons(res)[3] == [("written with ',' for decimals, but the other amounts in the "
                                "file use '.'; correct it at source")]


# --- data corruption: amounts out of range --------------------------------------------------

@pytest.mark.parametrize(("cell", "why"), [
    ("1e400", "not a finite number"),
    ("9" * 5_000_000, "not a finite number"),
    ("1e21", "larger than £10,000,000,000"),
    ("-20000000000.00", "larger than £10,000,000,000"),
    ("inf", "not an amount"),
    ("NaN", "not an amount"),
])
def test_amounts_outside_the_plausible_range_are_rejected(tmp_path, cell, why):
    res = ingest(ledger(tmp_path, FIRST + f"Acme Ltd,A1,25/01/2025,10/02/2025,{cell}\n"))
    assert res.accepted_rows == 1 and res.accepted["gross_amount_gbp"].is_finite().all()
    assert why in reasons(res)[2][0]


# --- data corruption: duplicate invoices -----------------------------------------------------

def test_duplicate_invoice_ids_by_case_space_or_amount_are_rejected_naming_the_first(tmp_path):
    body = (FIRST + "Acme Ltd,INV-1,25/01/2025,10/02/2025,100.00\n"
            "Acme Ltd,INV-1,25/01/2025,10/02/2025,120.00\n"   # same id, other amount
            "ACME LTD ,inv-1 ,25/01/2025,10/02/2025,100.00\n"  # case and trailing spaces
            "Other Ltd,INV-1,25/01/2025,10/02/2025,100.00\n")  # another supplier: fine
    res = ingest(ledger(tmp_path, body))
    assert res.accepted.select("supplier_name", "invoice_id").rows() == [
        ("Acme Ltd", "A0"), ("Acme Ltd", "INV-1"), ("Other Ltd", "INV-1")]
    rej = res.rejects.filter(pl.col("source_row").is_in([3, 4])).sort("source_row")
    assert rej["reason"].str.contains("same buyer, supplier name and invoice id as row 2").all()
    assert rej["value"].to_list() == ["'INV-1' £120.0 here; 'INV-1' £100.0 in row 2",
                                      "'inv-1' £100.0 here; 'INV-1' £100.0 in row 2"]


# --- data corruption: encodings and control characters -------------------------------------

def test_utf8_cafe_inside_a_cp1252_file_is_repaired_with_a_note(tmp_path):
    raw = (HEADER + "Acme Ltd,A0,25/01/2025,10/02/2025,\u00a310.00\n").encode("cp1252") + \
        "Caf\u00e9 Ltd,A1,25/01/2025,10/02/2025,20.00\n".encode("utf-8")
    res = ingest(ledger(tmp_path, raw))
    assert res.accepted["supplier_name"].to_list() == ["Acme Ltd", "Café Ltd"]  # not CafÃ©
    assert any("mixed encodings: 1 line(s)" in n and "line 3" in n for n in res.notes)


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\u202e"])
def test_control_characters_in_a_name_are_rejected(tmp_path, char):
    res = ingest(ledger(tmp_path, FIRST + f"Acme{char}Ltd,A1,25/01/2025,10/02/2025,5.00\n"))
    assert res.accepted["supplier_name"].to_list() == ["Acme Ltd"]
    rej = res.rejects.filter(pl.col("source_row") == 2)
    assert rej["column"].to_list() == ["Supplier Name"]
    assert rej["value"].to_list() == ["Acme\ufffdLtd"]
    assert "control character" in rej["reason"][0]


# --- data corruption: dates ------------------------------------------------------------------

def test_payment_dates_in_2090_and_two_digit_year_69_are_rejected(tmp_path):
    body = (FIRST + "Acme Ltd,A1,25/01/2025,10/02/2090,5.00\n"
            "Acme Ltd,A2,25/01/2025,10/02/69,5.00\n"
            "Acme Ltd,A3,25/01/25,10/02/25,5.00\n")  # 25 -> 2025: in the past, fine
    res = ingest(ledger(tmp_path, body))
    assert res.accepted["invoice_id"].to_list() == ["A0", "A3"]
    why = reasons(res)
    assert why[2] == [("later than 2027-01-01 (today plus "
                       "date_future_tolerance_days in params/ingest_checks.yaml); a ledger "
                       "records what has already happened")]
    assert why[3] == [("two-digit year read as 2069, later than today: 1969 or 2069? Write the "
                       "year in full (YYYY)")]


def test_a_due_date_may_lie_ahead(tmp_path):
    header = HEADER.rstrip("\n") + ",Due Date\n"
    res = ingest(ledger(tmp_path, "Acme Ltd,A0,25/01/2025,10/02/2025,10.00,25/06/2027\n",
                        header=header), )
    assert res.accepted["due_date"].to_list() == [dt.date(2027, 6, 25)]


def test_canonical_file_dates_and_amounts_are_checked_too(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("buyer_org_id,invoice_id,invoice_received_date,payment_date,gross_amount_gbp\n"
                 "A,1,2025-01-02,2025-01-10,100\n"
                 "A,2,2025-01-02,2090-01-10,100\n"
                 "A,3,2025-01-02,2025-01-10,1e400\n"
                 "A, 1 ,2025-01-02,2025-01-10,120\n")
    res = read_invoice_payment(p, today=TODAY)
    assert res.accepted["invoice_id"].to_list() == ["1"]
    assert sorted(res.rejects["source_row"].unique().to_list()) == [2, 3, 4]


# --- data corruption: impossible PPR values --------------------------------------------------

def test_negative_ppr_average_and_percentages_outside_0_100_are_flagged(tmp_path):
    p = tmp_path / "ppr.csv"
    p.write_text(
        "Report Id,Start date,End date,Filing date,Company,Company number,Average time to pay,"
        "% Invoices paid within 30 days,% Invoices paid between 31 and 60 days,"
        "% Invoices paid later than 60 days\n"
        "1,2017-04-01,2017-09-30,2017-10-20,ACME LIMITED,1234567,-40,50,30,20\n"
        "2,2017-04-01,2017-09-30,2017-10-20,BETA LIMITED,1234568,40,150,-30,-20\n")
    flags = dict(ingest_ppr(p).accepted.select("org_name", "quality_flags").rows())
    assert "avg_days_negative" in flags["ACME LIMITED"]
    assert "pct_out_of_range" in flags["BETA LIMITED"]
    assert "avg_days_negative" not in flags["BETA LIMITED"]


# --- tracebacks: malformed CSV ---------------------------------------------------------------

def test_row_with_extra_fields_is_rejected_by_row_not_the_whole_file(tmp_path):
    body = (FIRST + "Acme Ltd,A1,25/01/2025,10/02/2025,5.00,x,y,z,1,2,3,4,5,6,7,8,9,10\n"
            "Acme Ltd,A2,25/01/2025,10/02/2025,6.00\n")
    res = ingest(ledger(tmp_path, body))
    assert res.accepted["invoice_id"].to_list() == ["A0", "A2"]
    assert "more fields than the 5 headers" in reasons(res)[2][0]


def test_extra_fields_in_the_first_row_and_in_ppr_and_canonical_files(tmp_path):
    res = ingest(ledger(tmp_path, "Acme Ltd,A0,25/01/2025,10/02/2025,10.00,oops\n"
                                  "Acme Ltd,A1,25/01/2025,10/02/2025,5.00\n"))
    assert res.accepted["invoice_id"].to_list() == ["A1"] and list(reasons(res)) == [1]
    p = tmp_path / "c.csv"
    p.write_text("buyer_org_id,invoice_id,invoice_received_date,gross_amount_gbp\n"
                 "A,1,2025-01-02,100\nA,2,2025-01-02,1,200\n")
    res = read_invoice_payment(p, today=TODAY)
    assert res.accepted["invoice_id"].to_list() == ["1"]
    assert res.rejects.select("source_row", "value").rows() == [(2, "200")]


def test_unbalanced_quote_is_one_message_naming_the_line(tmp_path):
    p = ledger(tmp_path, FIRST + 'Acme Ltd,"A1,25/01/2025,10/02/2025,5.00\n'
                                 "Acme Ltd,A2,25/01/2025,10/02/2025,6.00\n")
    with pytest.raises(IngestError, match=r"ledger\.csv: line 3: a quote \(\"\) opened here is "
                                          r"never closed"):
        ingest(p)


def test_rejects_csv_neutralises_formulas_and_reads_back(tmp_path):
    body = FIRST + "".join(f"Acme Ltd,F{i},25/01/2025,10/02/2025,{cell}\n" for i, cell in
                           enumerate(["=1+1", "@SUM(A1)", "+A1", '"=HYPERLINK(""http://x"")"']))
    res = ingest(ledger(tmp_path, body))
    out = res.write(tmp_path / "out")
    text = out["rejects"].read_text(encoding="utf-8")
    assert "'=1+1" in text and "'@SUM(A1)" in text and "'+A1" in text
    back = restore_frame(pl.read_csv(out["rejects"], infer_schema=False))
    assert back["value"].to_list() == ["=1+1", "@SUM(A1)", "+A1", '=HYPERLINK("http://x")']
    # the canonical table is not a spreadsheet: the supplier's own text is kept as it was
    assert pl.read_parquet(out["table"])["invoice_id"].to_list() == ["A0"]


def test_a_five_million_digit_field_is_shown_cut_in_rejects_csv(tmp_path):
    res = ingest(ledger(tmp_path, FIRST + "Acme Ltd,A1,25/01/2025,10/02/2025," + "9" * 5_000_000
                        + "\n"))
    value = res.rejects.filter(pl.col("source_row") == 2)["value"][0]
    assert value == "9" * 200 + "… (5,000,000 characters)"
    out = res.write(tmp_path / "out")
    assert out["rejects"].stat().st_size < 2_000


def test_extra_fields_in_an_insurance_file_reject_the_row(tmp_path):
    from lainbench.config import resolve
    from lainbench.ingest.insurance import ingest_insurance

    lines = resolve("data/examples/insurance_requirements.csv").read_text().splitlines()
    p = tmp_path / "ins.csv"
    p.write_text("\n".join([lines[0], lines[1] + ",x,y", *lines[2:4]]) + "\n")
    res = ingest_insurance(p)
    assert res.rows_read == 3 and res.accepted_rows == 2
    assert res.rejects.select("source_row", "value").rows() == [(1, "x,y")]
