"""lainbench.demo.insurance: synthetic requirements shaped on published patterns."""

from __future__ import annotations

import polars as pl
import pytest

from lainbench import demo, insurance
from lainbench.demo.insurance import AFTER, BEFORE, insurance_requirements, write_insurance_demo
from lainbench.ingest.insurance import ingest_insurance
from lainbench.schemas import INSURANCE_REQUIREMENT

M = 1_000_000.0


@pytest.fixture(scope="module")
def reqs() -> pl.DataFrame:
    return insurance_requirements()


def test_same_twelve_members_as_the_invoice_demo(reqs):
    assert set(reqs["buyer_org_id"]) == set(demo.members()["org_id"])


def test_canonical_and_deterministic(reqs):
    assert reqs.schema == INSURANCE_REQUIREMENT.schema
    assert insurance_requirements().equals(reqs)
    other = insurance_requirements(seed=1)
    # the seed moves menu choices and dates, not the patterns
    assert not other.equals(reqs)
    assert set(other["buyer_org_id"]) == set(reqs["buyer_org_id"])
    assert reqs["source_dataset"].unique().to_list() == [
        "lainbench demo insurance requirements (synthetic)"
    ]


def test_every_row_would_pass_ingest(reqs, tmp_path):
    # write with canonical headers, read back through the real ingest: nothing rejected
    p = tmp_path / "demo.csv"
    reqs.drop("source_dataset", "source_url", "source_row_id", "ingested_at").write_csv(p)
    res = ingest_insurance(p)
    assert res.rejects.height == 0 and res.accepted.height == reqs.height
    assert (
        reqs.filter(pl.col("cover_type") == "employers_liability")["min_limit_gbp"] >= 5 * M
    ).all()


def test_four_members_have_before_and_after_review(reqs):
    versions = reqs.group_by("buyer_org_id").agg(pl.col("requirement_version").unique().sort())
    reviewed = versions.filter(pl.col("requirement_version").list.len() == 2)
    assert sorted(reviewed["buyer_org_id"]) == [
        "greater_city",
        "riverside_nhs",
        "thameside_water",
        "westmere_council",
    ]
    assert set(reqs["requirement_version"]) == {BEFORE, AFTER}
    dates = reqs.group_by("buyer_org_id", "requirement_version").agg(pl.col("document_date").max())
    wide = dates.pivot(on="requirement_version", index="buyer_org_id", values="document_date")
    assert (
        wide.filter(pl.col(AFTER).is_not_null())
        .select((pl.col(AFTER) > pl.col(BEFORE)).all())
        .item()
    )


def test_published_patterns_present(reqs):
    latest = insurance.pick_version(reqs, "latest")
    # East Sussex-style tiers at capital_transport: PL £2m none, £5m low, £10m standard/high
    tiers = latest.filter(
        pl.col("buyer_org_id") == "capital_transport", pl.col("cover_type") == "public_liability"
    )
    pairs = set(zip(tiers["risk_tier"], tiers["min_limit_gbp"]))
    assert {("none", 2 * M), ("standard", 10 * M), ("high", 10 * M)} <= pairs
    # Southwark-style: at award, "don't obtain until awarded", "may be more ... risk"
    east = latest.filter(pl.col("buyer_org_id") == "eastbank_council")
    assert set(east["required_stage"]) == {"at_award"}
    assert east["notes"].str.contains("don't obtain it unless notified").all()
    assert east["notes"].str.contains("may be more depending on the assessment of risk").any()
    # value bands rise with contract value at kingsbridge_uni
    kb = latest.filter(
        pl.col("buyer_org_id") == "kingsbridge_uni",
        pl.col("cover_type") == "public_liability",
        pl.col("procurement_category") == "it",
    ).sort("contract_value_min_gbp", nulls_last=False)
    assert kb["min_limit_gbp"].to_list() == [2 * M, 5 * M, 10 * M]
    # G-Cloud 14 before (£10m / £10m / £5m at bid) and after (£1m / £1m / £5m at award)
    gc = reqs.filter(
        pl.col("buyer_org_id") == "greater_city", pl.col("procurement_category") == "it"
    )
    levels = {
        (v, c): lim
        for v, c, lim in zip(gc["requirement_version"], gc["cover_type"], gc["min_limit_gbp"])
    }
    assert (
        levels[(BEFORE, "public_liability")] == 10 * M
        and levels[(AFTER, "public_liability")] == 1 * M
    )
    assert levels[(BEFORE, "professional_indemnity")] == 10 * M
    assert levels[(AFTER, "employers_liability")] == 5 * M


def test_flags_have_something_to_show(reqs):
    flags = insurance.requirement_flags(insurance.pick_version(reqs, "latest"))
    assert {
        "required_at_bid",
        "no_self_certification",
        "el_for_sole_traders",
        "disproportionate",
    } <= set(flags["flag"])
    before = insurance.requirement_flags(insurance.pick_version(reqs, "earliest"))
    assert (
        before.filter(pl.col("flag") == "required_at_bid")["buyer_org_id"].n_unique()
        > flags.filter(pl.col("flag") == "required_at_bid")["buyer_org_id"].n_unique()
    )


def test_write_insurance_demo(tmp_path):
    path = write_insurance_demo(tmp_path, seed=5)
    assert path.name == "insurance_requirement.parquet"
    assert pl.read_parquet(path).equals(insurance_requirements(5))
