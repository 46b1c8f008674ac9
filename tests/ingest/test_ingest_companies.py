"""lainbench ingest companies: BasicCompanyData gotchas (hand-made fixture) and the real sample.

Real-sample expectations are the sample README's own counts (31 rows; AccountCategory TOTAL
EXEMPTION FULL 10, DORMANT 8, empty 7, NO ACCOUNTS FILED 5, FULL 1; London postcodes EC1V, E4,
SW9, W12, SE4, E1, UB3, HA2, CR0, IG1).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lainbench.cli import main
from lainbench.config import SHARED_REAL_DATA
from lainbench.errors import IngestError
from lainbench.ingest.companies import ingest_companies, size_mapping

DATA = Path(__file__).resolve().parents[1] / "data" / "companies"
SAMPLE = (SHARED_REAL_DATA / "procurement-samples" / "companies_house"
          / "BasicCompanyData_head31_c2021-01.csv")


def test_gotchas_fixture():
    res = ingest_companies(DATA / "basic_gotchas.csv")
    assert (res.rows_read, res.accepted_rows, res.rejected_rows) == (10, 6, 4)
    rej = {r["source_row"]: r["column"] for r in res.rejects.iter_rows(named=True)}
    assert rej == {7: "companies_house_number", 8: "incorporation_date",
                   9: "companies_house_number", 10: "company_name"}
    by = {r["companies_house_number"]: r for r in res.accepted.iter_rows(named=True)}
    assert by["00012345"]["size_band"] == "micro"  # leading zeros kept; header " CompanyNumber"
    assert by["SC012345"]["size_band"] == "small"
    assert by["00000001"]["size_band"] == "unknown"  # FULL does not prove large
    assert by["07000001"]["size_band"] == "unknown"  # subsidiary exemption: size follows the group
    assert by["07000002"]["size_band"] == "medium"  # lower-case category read
    assert by["07000003"]["size_band"] == "unknown"
    assert any("SOMETHING NEW" in n for n in res.notes)
    assert str(by["SC012345"]["incorporation_date"]) == "2016-02-29"  # dd/mm/yyyy
    assert by["00000001"]["sic_codes"] == ["70100", "64209"]
    assert [by[k]["is_london"] for k in ("00012345", "SC012345", "00000001", "07000001")] == [
        "true", "false", "true", "unknown"]  # EC1V, EH1, UB3, WD6 (straddles the boundary)


def test_mapping_categories_that_do_not_prove_size_are_unknown():
    m = size_mapping()
    for cat in ("FULL", "GROUP", "AUDIT EXEMPTION SUBSIDIARY", "FILING EXEMPTION SUBSIDIARY",
                "DORMANT", "NO ACCOUNTS FILED", "INITIAL", "INTERIM"):
        assert m[cat] == "unknown", cat
    assert m["MICRO ENTITY"] == "micro" and m["UNAUDITED ABRIDGED"] == "small"


def test_not_a_companies_file(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(IngestError, match="CompanyName"):
        ingest_companies(p)


@pytest.mark.realdata
def test_real_sample(tmp_path):
    if not SAMPLE.exists():
        pytest.skip(f"sample not present at {SAMPLE}")
    assert main(["ingest", "companies", str(SAMPLE), "--out", str(tmp_path)]) == 0
    df = pl.read_parquet(tmp_path / "company.parquet")
    assert df.height == 31
    cats = dict(df["accounts_category"].fill_null("(empty)").value_counts().iter_rows())
    assert cats == {"TOTAL EXEMPTION FULL": 10, "DORMANT": 8, "(empty)": 7, "NO ACCOUNTS FILED": 5,
                    "FULL": 1}
    assert dict(df["size_band"].value_counts().iter_rows()) == {"small": 10, "unknown": 21}
    london = df.filter(pl.col("is_london") == "true")["postcode"].str.split(" ").list.first()
    assert sorted(london) == sorted(["EC1V", "E4", "SW9", "W12", "SE4", "E1", "UB3", "HA2", "CR0", "IG1"])
    assert "08209948" in df["companies_house_number"].to_list()
    assert df["companies_house_number"].str.len_chars().to_list() == [8] * 31
