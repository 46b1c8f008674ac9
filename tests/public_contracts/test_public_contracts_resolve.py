"""Supplier resolution: manual > number > name (threshold) > unmatched; size source order."""

from __future__ import annotations

import polars as pl
import pytest

from lainbench.config import SHARED_REAL_DATA
from lainbench.errors import IngestError
from lainbench.public_contracts.resolve import (
    load_manual_mapping,
    match_summary,
    match_suppliers,
    normalise_supplier_name,
)

COMPANIES = pl.DataFrame({
    "companies_house_number": ["00000001", "00000002", "00000003", "00000004"],
    "company_name": ["ACME SERVICES LIMITED", "BETA SOLUTIONS LTD", "GAMMA GROUP PLC", "DELTA CARE C.I.C."],
    "size_band": ["micro", "unknown", "large", "small"],
    "is_london": ["true", "false", "false", "true"],
})


def _sup(rows):
    return pl.DataFrame(rows, schema=["supplier_id", "supplier_name", "companies_house_number",
                                      "notice_scale"], orient="row")


def test_number_first_then_exact_then_fuzzy_name():
    sup = _sup([
        ("GB-COH-00000003", "Gamma (trading name)", "00000003", "sme"),  # number wins over name
        ("S2", "Acme Services Ltd", None, "unknown"),                   # exact after cleanco
        ("S3", "Acme Service", None, "large"),                          # token_sort_ratio 96
        ("S4", "Acme Solutions", None, "sme"),                          # 59: below 92, unmatched
        ("GB-COH-09999999", "Not In File Ltd", "09999999", "large"),
    ])
    rep = match_suppliers(sup, COMPANIES, min_score=92)
    got = {r["supplier_id"]: (r["match_method"], r["companies_house_number"]) for r in rep.iter_rows(named=True)}
    assert got == {"GB-COH-00000003": ("number", "00000003"), "S2": ("name", "00000001"),
                   "S3": ("name", "00000001"), "S4": ("unmatched", None),
                   "GB-COH-09999999": ("unmatched_number_not_in_company_file", "09999999")}
    assert rep.filter(pl.col("supplier_id") == "S3")["match_score"][0] == pytest.approx(96.0)
    # the threshold is a real cut: at 97 the one-letter difference no longer matches
    rep97 = match_suppliers(sup, COMPANIES, min_score=97)
    assert rep97.filter(pl.col("supplier_id") == "S3")["match_method"][0] == "unmatched"


def test_size_source_order_register_companies_house_notice_unknown():
    sup = _sup([("A", "Acme Services Ltd", None, "large"),   # CH micro beats notice large
                ("B", "Beta Solutions Ltd", None, "sme"),    # CH unknown (FULL) -> notice sme
                ("C", "Gamma Group plc", None, "sme"),       # register says medium: wins
                ("D", "Nobody Ltd", None, "unknown")])
    register = pl.DataFrame({"supplier_id": ["C"], "size_band": ["medium"]})
    rep = match_suppliers(sup, COMPANIES, register=register, min_score=92)
    got = {r["supplier_id"]: (r["size_band"], r["size_source"]) for r in rep.iter_rows(named=True)}
    assert got == {"A": ("micro", "companies_house"), "B": ("sme", "notice_scale"),
                   "C": ("medium", "buyer_register"), "D": ("unknown", "unknown")}


def test_manual_mapping_overrides(tmp_path):
    p = tmp_path / "manual.csv"
    p.write_text("supplier_name,companies_house_number\nSomething Else Entirely,4\n")
    manual = load_manual_mapping(p)
    assert manual["companies_house_number"].to_list() == ["00000004"]
    rep = match_suppliers(_sup([("X", "Something Else Entirely", None, "unknown")]), COMPANIES,
                          manual=manual, min_score=92)
    row = rep.row(0, named=True)
    assert (row["match_method"], row["size_band"], row["is_london"]) == ("manual", "small", "true")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,number\nx,1\n")
    with pytest.raises(IngestError, match="companies_house_number"):
        load_manual_mapping(bad)


def test_normalise_and_summary():
    assert normalise_supplier_name("DELTA CARE C.I.C.") == normalise_supplier_name("Delta Care CIC")
    rep = match_suppliers(_sup([("1", "Delta Care CIC", None, "sme"), ("2", "Zzz", None, "sme")]),
                          COMPANIES, min_score=92)
    s = match_summary(rep)
    assert dict(s.select("match_method", "suppliers").iter_rows()) == {"name": 1, "unmatched": 1}
    assert s["share_pct"].sum() == 100.0


@pytest.mark.realdata
def test_real_samples_match_rates():
    """The real award suppliers against the real 31-company Companies House head: the head holds
    only names starting with '!' or a quote, so nothing can match; the report must say so."""
    s = SHARED_REAL_DATA / "procurement-samples"
    if not s.exists():
        pytest.skip("samples absent")
    from lainbench.ingest.companies import ingest_companies
    from lainbench.ingest.ocds import ingest_ocds
    from lainbench.public_contracts.resolve import award_suppliers

    res = ingest_ocds(s / "contracts_finder")
    cos = ingest_companies(s / "companies_house/BasicCompanyData_head31_c2021-01.csv").accepted
    rep = match_suppliers(award_suppliers(res.accepted, res.suppliers), cos)
    counts = dict(match_summary(rep).select("match_method", "suppliers").iter_rows())
    assert counts.get("number", 0) == 0 and counts.get("name", 0) == 0
    assert counts["unmatched_number_not_in_company_file"] > 0
    assert sum(counts.values()) == rep.height


def test_cli_match_report_for_spend(tmp_path, capsys):
    from lainbench.cli import main

    spend = tmp_path / "spend.csv"
    spend.write_text("buyer_org_id,supplier_name,amount_gbp,payment_date\n"
                     "b,Acme Services Ltd,10,2026-01-02\nb,Nobody At All,5,2026-01-03\n")
    cos = tmp_path / "company.parquet"
    COMPANIES.write_parquet(cos)
    assert main(["ingest", "spend", str(spend), "--out", str(tmp_path / "s")]) == 0
    assert main(["match", str(tmp_path / "s"), "--companies", str(cos)]) == 0
    out = capsys.readouterr().out
    assert "2 supplier(s)" in out
    rep = pl.read_csv(tmp_path / "s" / "match_report.csv")
    assert dict(rep.select("supplier_name", "match_method").iter_rows()) == {
        "Acme Services Ltd": "name", "Nobody At All": "unmatched"}
    assert main(["match", str(tmp_path)]) == 2  # no ingest output there: a clear error
