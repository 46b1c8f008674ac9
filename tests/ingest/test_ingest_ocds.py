"""lainbench ingest ocds: one hand-made fixture per gotcha (tests/data/ocds), then the real samples.

Expected counts for the real samples were established by reading the files with a separate plain
``json`` script (not with the parser under test); they agree with the sample README where it
gives a figure (e.g. CF package supplier parties 30 sme / 27 large / 15 without scale).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from lainbench.cli import main
from lainbench.config import SHARED_REAL_DATA
from lainbench.ingest.ocds import ingest_ocds, repair_text

DATA = Path(__file__).resolve().parents[1] / "data" / "ocds"
SAMPLES = SHARED_REAL_DATA / "procurement-samples"


def _accounting(res) -> None:
    assert res.rows_read == res.accepted_rows + res.rejected_rows + sum(res.skipped.values())


def test_notice_type_found_inside_awards_contracts_and_tender():
    res = ingest_ocds(DATA / "notice_types.json")
    _accounting(res)
    assert (res.rows_read, res.accepted_rows, res.skipped) == (4, 3, {"no awards": 1})
    types = dict(res.accepted.select("ocid", "notice_type").iter_rows())
    assert types == {"ocds-h6vhtk-000001": "UK6", "ocds-h6vhtk-000002": "UK7",
                     "ocds-h6vhtk-000004": None}  # PCR-era notice: no noticeType, never guessed


def test_suppliers_link_to_parties_and_missing_scale_is_unknown():
    res = ingest_ocds(DATA / "supplier_links.json")
    scale = dict(res.accepted.filter(pl.col("ocid") == "ocds-b5fd17-r1")
                 .select("supplier_name", "supplier_scale").iter_rows())
    assert scale == {"Scaled Ltd": "large", "Ghost Ltd": "unknown", "Plain Ltd": "unknown"}
    vcse = dict(res.accepted.select("supplier_name", "supplier_is_vcse").iter_rows())
    assert vcse["Scaled Ltd"] == "false" and vcse["Ghost Ltd"] == "unknown"
    sup = res.suppliers.filter(pl.col("supplier_id") == "GB-COH-00123456").row(0, named=True)
    assert sup["companies_house_number"] == "00123456"  # identifier id "123456" zero-padded
    assert (sup["size_band"], sup["size_source"]) == ("sme", "notice_scale")


def test_values_net_gross_zero_and_impossible_numbers():
    res = ingest_ocds(DATA / "values.json")
    _accounting(res)
    got = {r["ocid"][-2:]: (r["value_gbp"], r["value_basis"]) for r in res.accepted.iter_rows(named=True)}
    assert got == {"v1": (33721.0, "net"), "v2": (256378.74, "gross"), "v3": (38058.0, "unknown"),
                   "v4": (0.0, "unknown")}
    rej = {r["source_row"]: (r["column"], r["reason"]) for r in res.rejects.iter_rows(named=True)}
    assert rej[5][0] == "awards[0].value.amount" and "finite" in rej[5][1]  # 1e9999
    assert rej[6] == ("awards[0].value.currency", "award value not in GBP (values are not converted)")
    assert rej[7] == ("awards[0].value.amount", "negative award value")
    assert any("value 0" in n for n in res.notes)


def test_buyer_gotchas():
    res = ingest_ocds(DATA / "buyers.json")
    _accounting(res)
    assert res.rejects.row(0, named=True)["column"] == "buyer.id"
    assert any("empty top-level buyerID" in n for n in res.notes)
    assert any("currency AED contradicts tender currency GBP" in n for n in res.notes)
    same = res.buyers.filter(pl.col("buyer_name_normalised") == "university of exampleton")
    assert sorted(same["buyer_id"]) == ["GB-CFS-41126", "GB-CFS-44290"]
    assert res.buyers.filter(pl.col("buyer_id") == "GB-CFS-1")["is_london"][0] == "true"  # SE1


def test_framework_award_value_is_never_split():
    res = ingest_ocds(DATA / "framework.json")
    a = res.accepted
    assert a.height == 3
    assert a["value_gbp"].null_count() == 3
    assert a["award_value_gbp"].to_list() == [175_000_000.0] * 3
    assert a["value_split_unknown"].all() and a["is_framework"].all()
    assert a["award_supplier_count"].to_list() == [3, 3, 3]
    assert sorted(a["supplier_scale"]) == ["large", "sme", "unknown"]


def test_latin1_file_is_decoded():
    res = ingest_ocds(DATA / "latin1_cf.json")
    assert res.accepted["supplier_name"][0] == "Café Crème Ltd"
    assert res.accepted["contract_title"][0] == "Catering £50k"
    assert any("not UTF-8" in n for n in res.notes)


def test_mojibake_is_repaired_and_counted():
    res = ingest_ocds(DATA / "mojibake.json")
    assert res.accepted["supplier_name"][0] == "Café Ltd"
    assert res.accepted["contract_title"][0] == "Service \u202f 50 km"
    assert repair_text("Plain text") == "Plain text"


@pytest.mark.parametrize("name", ["releases.jsonl", "releases.jsonl.gz"])
def test_json_lines_plain_and_gzipped(name):
    res = ingest_ocds(DATA / name)
    _accounting(res)
    # j1, j2 (inside a package line), j5 accepted; j3 has no awards; line 4 is broken JSON
    assert (res.rows_read, res.accepted_rows, res.rejected_rows, res.skipped) == (5, 3, 1, {"no awards": 1})
    assert res.rejects["column"][0] == "(line)" and res.rejects["value"][0] == "line 4"
    assert sorted(res.accepted["ocid"]) == ["ocds-b5fd17-j1", "ocds-b5fd17-j2", "ocds-b5fd17-j5"]


def test_truncated_file_keeps_what_was_read_and_says_so():
    res = ingest_ocds(DATA / "truncated.json")
    _accounting(res)
    assert res.accepted["ocid"].to_list() == ["ocds-b5fd17-t1"]
    assert "rest of the file was not read" in res.rejects["reason"][0]


def test_award_update_replaces_earlier_release_and_duplicates_are_skipped():
    res = ingest_ocds(DATA / "award_update.json")
    _accounting(res)
    assert res.skipped == {"duplicate release": 1}
    assert res.accepted["value_gbp"].to_list() == [109320.0]  # the later correction, not 10,932,000
    assert any("replaced by a later release" in n for n in res.notes)


def test_single_release_and_record_package():
    assert ingest_ocds(DATA / "single_release.json").accepted["supplier_name"].to_list() == ["Single Ltd"]
    assert ingest_ocds(DATA / "record_package.json").accepted["supplier_scale"].to_list() == ["large"]


def test_reserved_participation():
    row = ingest_ocds(DATA / "reserved.json").accepted.row(0, named=True)
    assert (row["is_reserved"], row["reservation_basis"]) == (True, "sme_or_vcse_and_location")
    assert row["suitable_for_sme"] == "unknown"  # this tender states no suitability


def test_folder_reads_every_fixture_and_reports_non_ocds_files(tmp_path):
    (tmp_path / "a.json").write_text((DATA / "framework.json").read_text())
    (tmp_path / "schema.json").write_text(json.dumps({"title": "not OCDS"}))
    res = ingest_ocds(tmp_path)
    assert res.accepted.height == 3
    assert any("schema.json: no OCDS release" in n for n in res.notes)


def _emails(folder: Path) -> set[str]:
    found = set()
    for f in folder.rglob("*.json"):
        text = f.read_bytes().decode("utf-8", errors="ignore")
        found |= set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.-]+", text))
    return found


def _all_text(out: Path) -> str:
    parts = [(out / "rejects.csv").read_text()]
    for p in out.glob("*.parquet"):
        df = pl.read_parquet(p)
        parts.append(df.select(pl.all().cast(pl.String)).write_csv())
    return "\n".join(parts)


def test_contact_points_never_stored_fixtures(tmp_path):
    emails = _emails(DATA)
    assert "fixture.person@example.org" in emails
    assert main(["ingest", "ocds", str(DATA), "--out", str(tmp_path)]) == 0
    text = _all_text(tmp_path)
    assert not [e for e in emails if e in text]
    assert "Fixture Person" not in text and "0000 0000" not in text


def test_cli_refuses_to_write_over_its_input(tmp_path, capsys):
    src = tmp_path / "contract_award.parquet"
    src.write_bytes(b"x")
    assert main(["ingest", "ocds", str(src), "--out", str(src)]) == 2
    assert "--out" in capsys.readouterr().err
    assert src.read_bytes() == b"x"


def test_cli_accounting_line(tmp_path, capsys):
    assert main(["ingest", "ocds", str(DATA / "values.json"), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "7 releases read = 4 accepted + 3 rejected" in out
    assert {p.name for p in tmp_path.iterdir()} == {
        "contract_award.parquet", "supplier.parquet", "buyer.parquet", "rejects.csv"}


# --- real samples ----------------------------------------------------------------------------

REAL = {
    # path: releases, accepted, no-award skips, award rows (after awardUpdate replacement),
    #       supplier scale of award rows {sme, large, unknown}, VCSE true rows
    "fts/fts_release_package_limit4_2026-10-06_contacts_redacted.json": (4, 3, 1, 3, (1, 2, 0), 1),
    "fts/fts_notice_032703-2026_UK4_tender_HarrogateTownCouncil.json": (1, 0, 1, 0, (0, 0, 0), 0),
    "fts/fts_notice_037689-2026_UK1_pipeline_NorthumberlandCC.json": (1, 0, 1, 0, (0, 0, 0), 0),
    "contracts_finder/cf_ocds_search_2025-01-20T23_to_2025-01-23T23_page1_100releases.json":
        (100, 59, 41, 70, (30, 26, 14), 1),
    "contracts_finder/cfserver1_single_releases_2025-03-11": (100, 88, 12, 192, (49, 110, 33), 7),
}


@pytest.fixture(scope="module")
def samples() -> Path:
    if not SAMPLES.exists():
        pytest.skip(f"procurement samples not present at {SAMPLES}")
    return SAMPLES


@pytest.mark.realdata
@pytest.mark.parametrize("rel", list(REAL))
def test_real_sample_counts(samples, rel):
    releases, accepted, no_awards, rows, (sme, large, unknown), vcse = REAL[rel]
    res = ingest_ocds(samples / rel)
    _accounting(res)
    assert (res.rows_read, res.accepted_rows, res.rejected_rows) == (releases, accepted, 0)
    assert res.skipped.get("no awards", 0) == no_awards
    assert res.accepted.height == rows
    counts = dict(res.accepted["supplier_scale"].value_counts().iter_rows())
    assert (counts.get("sme", 0), counts.get("large", 0), counts.get("unknown", 0)) == (sme, large, unknown)
    assert (res.accepted["supplier_is_vcse"] == "true").sum() == vcse


@pytest.mark.realdata
def test_real_fts_package_details(samples):
    res = ingest_ocds(samples / "fts/fts_release_package_limit4_2026-10-06_contacts_redacted.json")
    a = {r["ocid"]: r for r in res.accepted.iter_rows(named=True)}
    chess = next(r for r in a.values() if r["supplier_name"] == "Chess ICT")
    assert (chess["value_gbp"], chess["value_basis"], chess["notice_type"]) == (256378.74, "gross", "UK6")
    switch = next(r for r in a.values() if r["supplier_name"].startswith("SWITCH UP"))
    assert (switch["supplier_scale"], switch["supplier_is_vcse"]) == ("large", "true")
    assert any("AED" in n for n in res.notes)
    assert sum("buyerID" in n for n in res.notes) == 1


@pytest.mark.realdata
def test_real_cf_package_buyers_and_companies_house_ids(samples):
    res = ingest_ocds(samples / "contracts_finder/cf_ocds_search_2025-01-20T23_to_2025-01-23T23_page1_100releases.json")
    b = res.buyers
    assert b.height == 75  # distinct buyer ids in the 100 releases
    named = {"London Borough of Merton": "GB-CFS-18525", "London Borough of Enfield": "GB-CFS-159561",
             "Mayor's Office for Policing and Crime": "GB-CFS-300264"}
    for name, bid in named.items():
        assert b.filter(pl.col("buyer_id") == bid)["buyer_name"][0].startswith(name[:20])
    # Ealing's Contracts Finder address has a Milton Keynes postcode: the London flag follows it
    ealing = b.filter(pl.col("buyer_name").str.contains("Ealing")).row(0, named=True)
    assert (ealing["postcode"][:4], ealing["is_london"]) == ("MK16", "false")
    assert b.filter(pl.col("buyer_name").str.contains("(?i)transport for london|metropolitan police service")).height == 0
    # supplier parties with a GB-COH identifier that are award suppliers keep their number
    # 22 (buyer, supplier) pairs carry a GB-COH identifier; Nominet's "458577871" has 9 digits,
    # not a company number (its VAT-like number), so 21 are kept and the other is noted
    assert res.suppliers["companies_house_number"].is_not_null().sum() == 21
    assert any("not 8-character company numbers" in n for n in res.notes)
    assert res.accepted.filter(pl.col("value_gbp") == 0).height == 2
    assert res.accepted["award_value_gbp"].max() == 60_000_000


@pytest.mark.realdata
def test_real_samples_contact_emails_never_stored(samples, tmp_path):
    emails = {e for e in _emails(samples / "fts") | _emails(samples / "contracts_finder")
              if "REDACTED" not in e}
    assert len(emails) > 50  # the CF files carry buyers' contact emails
    for sub in ("fts", "contracts_finder"):
        out = tmp_path / sub
        assert main(["ingest", "ocds", str(samples / sub), "--out", str(out)]) == 0
        text = _all_text(out)
        assert not [e for e in emails if e in text], f"contact email stored from {sub}"


@pytest.mark.realdata
@pytest.mark.parametrize(("rel", "london", "unknown", "other"), [
    # buyer ids by registered-address postcode, each London one checked by hand (SW1A, SE1, HA1,
    # EN1, SM4, TW9, TW11, CR0, N1, N19, EC4A ...); Hertsmere's WD6 straddles the boundary
    ("contracts_finder/cf_ocds_search_2025-01-20T23_to_2025-01-23T23_page1_100releases.json", 19, 1, 55),
    ("contracts_finder/cfserver1_single_releases_2025-03-11", 19, 0, 69),
    ("fts", 0, 0, 6),
])
def test_real_london_buyers(samples, rel, london, unknown, other):
    b = ingest_ocds(samples / rel).buyers
    counts = dict(b["is_london"].value_counts().iter_rows())
    assert (counts.get("true", 0), counts.get("unknown", 0), counts.get("false", 0)) == (london, unknown, other)


@pytest.mark.realdata
def test_real_london_boroughs_by_name(samples):
    from lainbench.public_contracts.notebook import select_buyers
    from lainbench.runner import load_run_params

    _, values = load_run_params("public_contracts")
    b = pl.concat([ingest_ocds(samples / "contracts_finder").buyers, ingest_ocds(samples / "fts").buyers])
    groups = set(select_buyers(b, values["buyers"])["buyer_group"])
    assert groups == {"London Borough of Merton", "London Borough of Enfield", "London Borough of Ealing Council",
                      "Harrow Council", "Islington Council", "LONDON BOROUGH OF HAVERING",
                      "Royal Borough of Greenwich", "THE LONDON BOROUGH OF CAMDEN", "Westminster City Council"}


def test_a_file_that_is_not_json_is_one_reject_not_a_traceback(tmp_path):
    p = tmp_path / "export.json"
    p.write_text("Supplier,Amount\nAcme,10\n")
    res = ingest_ocds(p)
    assert (res.rows_read, res.rejected_rows) == (1, 1)
    assert res.rejects["reason"][0].startswith("not JSON")
    with pytest.raises(Exception, match="file or folder not found"):
        ingest_ocds(tmp_path / "missing.json")



def _release_strategy():
    from hypothesis import strategies as st

    supplier = st.sampled_from(["GB-CFS-1", "GB-CFS-2", "GB-CFS-3"])
    award = st.fixed_dictionaries({
        "id": st.sampled_from(["1", "2"]),
        "date": st.sampled_from(["2026-01-01T00:00:00Z", "not a date"]),
        "value": st.fixed_dictionaries({"amount": st.one_of(st.integers(-5, 10**6), st.none()),
                                        "currency": st.sampled_from(["GBP", "EUR"])}),
        "suppliers": st.lists(supplier.map(lambda i: {"id": i, "name": i}), max_size=3),
    })
    return st.fixed_dictionaries({
        "ocid": st.sampled_from(["ocds-b5fd17-a", "ocds-b5fd17-b", ""]),
        "id": st.sampled_from(["r1", "r2", "r3"]),
        "date": st.just("2026-01-02T00:00:00Z"),
        "buyer": st.just({"id": "GB-CFS-9", "name": "Buyer"}),
        "awards": st.lists(award, max_size=2),
    })


def test_accounting_property(tmp_path_factory):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None)
    @given(st.lists(_release_strategy(), max_size=8))
    def check(releases):
        p = tmp_path_factory.mktemp("prop") / "p.json"
        p.write_text(json.dumps({"releases": releases}))
        res = ingest_ocds(p)
        _accounting(res)
        assert res.rows_read == len(releases)
        assert (res.accepted["value_gbp"].drop_nulls() >= 0).all()
        assert res.accepted.filter(pl.col("value_split_unknown"))["value_gbp"].null_count() == \
            res.accepted["value_split_unknown"].sum()

    check()
