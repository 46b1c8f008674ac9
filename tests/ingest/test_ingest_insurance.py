"""lainbench.ingest.insurance: header mapping, value tidying, every reject rule, row accounting."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lainbench import cli
from lainbench.errors import IngestError
from lainbench.ingest.insurance import ingest_insurance, map_headers
from lainbench.registry import INGEST_KINDS, load_object

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"
BAD = DATA / "insurance_bad_rows.csv"

# data row -> (column, words in the reason); rows 1 and 16 are good, row 11 is blank
EXPECTED_REJECTS = {
    2: ("contract_value_min_gbp", "value band minimum £250k is above its maximum £25k"),
    3: ("cover_type", "not one of employers_liability"),
    4: ("min_limit_gbp", "limit must be above £0"),
    5: ("min_limit_gbp", "limit must be above £0"),
    6: ("min_limit_gbp", "employer's liability limit £2m is below the £5m statutory minimum"),
    7: ("min_limit_gbp", "not a number"),
    8: ("required_stage", "not one of at_bid, at_award, before_contract_start, on_request"),
    9: ("buyer_org_id", "missing required value"),
    10: ("document_date", "not a valid date"),
    12: (None, "repeats row 1"),
    13: ("self_certification_allowed", "not a true/false value"),
    14: ("procurement_regime", "not one of pcr_2015, pa2023"),
    15: ("contract_value_min_gbp", "contract value below £0"),
    17: ("limit_basis", "not one of any_one_occurrence"),
    18: ("risk_tier", "not one of none, low, standard, high"),
    19: ("contract_value_max_gbp", "band maximum must be above £0"),
}


@pytest.fixture(scope="module")
def bad():
    return ingest_insurance(BAD)


def test_rows_read_equals_accepted_plus_rejected(bad):
    # 19 data rows: 2 good + 16 rejected + 1 blank
    assert bad.rows_read == 19
    assert (bad.accepted.height, bad.rejected_rows, bad.skipped) == (2, 16, {"blank": 1})
    assert bad.summary().endswith("19 rows read = 2 accepted + 16 rejected + 1 skipped (1 blank)")


def test_every_bad_row_named_with_column_and_reason(bad):
    got = {r["source_row"]: (r["column"], r["reason"]) for r in bad.rejects.iter_rows(named=True)}
    assert set(got) == set(EXPECTED_REJECTS)
    for row, (column, words) in EXPECTED_REJECTS.items():
        assert got[row][0] == column, row
        assert words in got[row][1], (row, got[row][1])


def test_rejected_values_shown_as_written(bad):
    values = dict(zip(bad.rejects["source_row"], bad.rejects["value"]))
    assert values[5] == "-1m" and values[6] == "£2m" and values[3] == "Pet insurance"
    assert values[10] == "2025-13-40"


def test_good_rows_tidied(bad):
    ok = bad.accepted.sort("source_row_id")
    assert ok["cover_type"].to_list() == ["public_liability", "employers_liability"]
    assert ok["min_limit_gbp"].to_list() == [5_000_000, 5_000_000]
    assert ok["procurement_regime"].to_list() == ["pa2023", "pa2023"]
    assert ok["required_stage"].to_list() == ["at_award", "at_award"]
    assert ok["statutory_minimum_gbp"].to_list() == [None, 5_000_000]  # filled for EL
    assert ok["source_row_id"].to_list() == ["1", "16"]
    assert ok["source_dataset"].unique().to_list() == ["insurance_bad_rows.csv"]
    assert bad.notes == ["ignored column(s) not in insurance_requirement: Colour"]


def test_write_gives_rejects_csv(bad, tmp_path):
    paths = bad.write(tmp_path)
    rej = pl.read_csv(paths["rejects"])
    assert {"source_row", "column", "value", "reason"} <= set(rej.columns)
    assert rej["source_row"].n_unique() == 16
    assert pl.read_parquet(paths["table"]).height == 2


def test_csv_and_xlsx_examples_agree():
    csv = ingest_insurance(EXAMPLES / "insurance_requirements.csv")
    xlsx = ingest_insurance(EXAMPLES / "insurance_requirements.xlsx")
    assert csv.rejects.height == 0 and xlsx.rejects.height == 0
    assert csv.accepted.height == xlsx.accepted.height == 12
    drop = ["source_dataset", "ingested_at"]
    assert csv.accepted.drop(drop).equals(xlsx.accepted.drop(drop))
    row = csv.accepted.row(0, named=True)
    assert (
        row["buyer_org_id"],
        row["cover_type"],
        row["min_limit_gbp"],
        row["limit_basis"],
        row["self_certification_allowed"],
        row["applies_to_sole_traders"],
    ) == ("eastbank_council", "employers_liability", 5_000_000, "any_one_occurrence", True, False)
    assert str(row["document_date"]) == "2025-05-12"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("£5,000,000", 5_000_000),
        ("5m", 5_000_000),
        ("£2.5m", 2_500_000),
        ("250k", 250_000),
        ("2.5 million", 2_500_000),
        ("10000000", 10_000_000),
        (" £1M ", 1_000_000),
    ],
)
def test_money_written_many_ways(tmp_path, written, expected):
    p = tmp_path / "m.csv"
    p.write_text(f'Buyer,Cover,Limit of indemnity\nA,PL,"{written}"\n')
    assert ingest_insurance(p).accepted["min_limit_gbp"].to_list() == [expected]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Employer's Liability", "employers_liability"),
        ("Employers’ (Compulsory) Liability", "employers_liability"),
        ("Professional Indemnity", "professional_indemnity"),
        ("PI", "professional_indemnity"),
        ("Product liability", "products_liability"),
        ("Contractors all risk", "contract_works"),
        ("Cyber", "cyber"),
    ],
)
def test_cover_names_written_many_ways(tmp_path, written, expected):
    p = tmp_path / "c.csv"
    p.write_text(f'Buyer,Cover,Limit\nA,"{written}",5m\n')
    assert ingest_insurance(p).accepted["cover_type"].to_list() == [expected]


def test_windows_1252_csv(tmp_path):
    p = tmp_path / "excel_export.csv"
    p.write_bytes(
        "Buyer,Cover,Minimum limit (£)\r\nA,Employer’s liability,£10m\r\n".encode("cp1252")
    )
    res = ingest_insurance(p)
    assert res.accepted.select("cover_type", "min_limit_gbp").row(0) == (
        "employers_liability",
        10_000_000,
    )


def test_pandas_frame_accepted_by_measures():
    from lainbench import insurance as ins
    from lainbench.schemas import to_pandas

    reqs = ingest_insurance(EXAMPLES / "insurance_requirements.csv").accepted
    flags_pl = ins.requirement_flags(reqs)
    flags_pd = ins.requirement_flags(to_pandas(reqs))
    assert flags_pl.equals(flags_pd)


def test_dd_mm_yyyy_dates(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("Buyer,Cover,Limit,Date\nA,PL,5m,12/05/2025\n")
    assert str(ingest_insurance(p).accepted["document_date"][0]) == "2025-05-12"


def test_buyer_given_for_a_file_without_buyer_column(tmp_path):
    p = tmp_path / "one_member.csv"
    p.write_text("Cover,Limit\nPL,5m\n,\n")
    res = ingest_insurance(p, buyer_org_id="eastbank_council")
    assert res.accepted["buyer_org_id"].to_list() == ["eastbank_council"]
    assert res.skipped == {"blank": 1}


def test_header_only_file(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text("Buyer,Cover,Limit\n")
    res = ingest_insurance(p)
    assert (res.rows_read, res.accepted.height, res.rejects.height) == (0, 0, 0)


def test_unreadable_and_missing_files_raise_naming_the_file(tmp_path):
    fake = tmp_path / "broken.xlsx"
    fake.write_text("this is not a spreadsheet")
    with pytest.raises(IngestError, match=r"broken\.xlsx: cannot be read as xlsx"):
        ingest_insurance(fake)
    with pytest.raises(IngestError, match=r"nothere\.csv: file not found"):
        ingest_insurance(tmp_path / "nothere.csv")
    with pytest.raises(IngestError, match=r"req\.pdf: expected a \.csv or \.xlsx file, got \.pdf"):
        (tmp_path / "req.pdf").write_text("x")
        ingest_insurance(tmp_path / "req.pdf")
    empty = tmp_path / "nothing.csv"
    empty.write_text("")
    with pytest.raises(IngestError, match=r"nothing\.csv: the file is empty"):
        ingest_insurance(empty)


def test_missing_required_column_and_clashing_headers(tmp_path):
    p = tmp_path / "nocover.csv"
    p.write_text("Buyer,Limit\nA,5m\n")
    with pytest.raises(
        IngestError, match=r"nocover\.csv: no column for cover_type \(headers found: Buyer, Limit\)"
    ):
        ingest_insurance(p)
    q = tmp_path / "twice.csv"
    q.write_text("Buyer,Member,Cover,Limit\nA,B,PL,5m\n")
    with pytest.raises(IngestError, match="headers 'Buyer' and 'Member' both mean buyer_org_id"):
        ingest_insurance(q)


def test_map_headers_canonical_names_pass_through():
    mapping, ignored = map_headers(
        ["buyer_org_id", "cover_type", "min_limit_gbp", "source_row_id"], "x"
    )
    assert mapping == {
        "buyer_org_id": "buyer_org_id",
        "cover_type": "cover_type",
        "min_limit_gbp": "min_limit_gbp",
    }
    assert ignored == ["source_row_id"]  # lineage is ours to set


def test_registered_and_runs_from_the_command_line(tmp_path, capsys):
    assert load_object(INGEST_KINDS["insurance"]) is ingest_insurance
    code = cli.main(["ingest", "insurance", str(BAD), "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "19 rows read = 2 accepted + 16 rejected" in out
    assert (tmp_path / "rejects.csv").exists() and (
        tmp_path / "insurance_requirement.parquet"
    ).exists()
    code = cli.main(["ingest", "insurance", str(tmp_path / "missing.csv"), "--out", str(tmp_path)])
    assert code == 2 and "missing.csv: file not found" in capsys.readouterr().err
