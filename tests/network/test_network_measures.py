"""Network measures against hand-worked figures (see the comments for the arithmetic)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lainbench.errors import ParamsError
from lainbench.network import addressable as A
from lainbench.network import measures as M
from lainbench.network.notebook import NetworkMetricsParams, network_shared_tables
from lainbench.schemas import CONTRACT_AWARD, MEMBER, PAYMENT_TERMS, SPEND_LINE, SUPPLIER

D = dt.date
PERIODS = pl.DataFrame({
    "period": ["P1", "P2"],
    "period_start": [D(2025, 4, 1), D(2025, 10, 1)],
    "period_end": [D(2025, 9, 30), D(2026, 3, 31)],
})


def _suppliers() -> pl.DataFrame:
    rows = [
        # id, size, as_of, diverse, vcse, london
        ("a", "small", D(2025, 1, 1), "true", "false", "true"),
        ("b", "large", D(2025, 1, 1), "false", "false", "false"),
        ("c", "unknown", None, "unknown", "unknown", "unknown"),
        ("d", "micro", D(2025, 1, 1), "unknown", "true", "true"),
        ("e", "large", D(2024, 1, 1), "false", "false", "true"),  # older entry: superseded
        ("e", "medium", D(2025, 1, 1), "false", "false", "true"),
    ]
    return SUPPLIER.conform(pl.DataFrame(
        rows, schema=["supplier_id", "size_band", "size_as_of_date", "diverse_led", "vcse",
                      "is_london"], orient="row").with_columns(pl.lit("m1").alias("buyer_org_id")))


def _spend() -> pl.DataFrame:
    rows = [
        ("m1", "a", 100.0, D(2025, 5, 1), "it", None),
        ("m1", "b", 300.0, D(2025, 5, 2), "it", None),
        ("m1", "c", 50.0, D(2025, 6, 1), "works", None),
        ("m1", "d", 40.0, D(2025, 6, 2), "care", None),
        ("m1", "e", 10.0, D(2025, 7, 1), "goods", None),
        ("m1", "z", 50.0, D(2025, 7, 2), "facilities", None),  # not in the register
        ("m1", "PAY", 1000.0, D(2025, 8, 1), "payroll", None),
        ("m1", "G", 200.0, D(2025, 8, 2), " Grants ", None),
        ("m1", "X", 25.0, D(2025, 8, 3), "other", False),  # the member's own flag
        ("m1", "a", 999.0, D(2024, 1, 1), "it", None),  # outside both periods
        ("m1", "a", 200.0, D(2025, 11, 1), "it", None),
        ("m1", "b", 100.0, D(2025, 12, 1), "it", None),
        ("m2", "a", 80.0, D(2025, 5, 1), "it", None),  # m2 has no register: unknown
    ]
    return SPEND_LINE.conform(pl.DataFrame(
        rows, schema=["buyer_org_id", "supplier_id", "amount_gbp", "payment_date",
                      "spend_category", "is_addressable"], orient="row"))


RULES = A.rules_from_mapping({"payroll": ["payroll"], "grants": ["grants"]})


@pytest.fixture
def lines():
    applied = A.apply_exclusions(_spend(), RULES)
    return M.enrich_spend(applied, _suppliers(), PERIODS)


def _cell(cells, member, period, group):
    return cells.filter((pl.col("buyer_org_id") == member) & (pl.col("period") == period)
                        & (pl.col("group") == group)).row(0, named=True)


def test_exclusions_reported_by_reason_never_dropped():
    applied = A.apply_exclusions(_spend(), RULES)
    assert applied.height == _spend().height  # every line kept
    p1 = M.assign_period(applied, PERIODS, "payment_date").filter(pl.col("period") == "P1")
    ex = A.excluded_spend(p1, by=("buyer_org_id", "period"))
    got = {r: v for r, v in ex.filter(pl.col("buyer_org_id") == "m1")
           .select("exclusion_reason", "excluded_gbp").iter_rows()}
    assert got == {"payroll": 1000.0, "grants": 200.0, "member_flagged": 25.0}
    # m1 P1 spend = 550 addressable + 1225 excluded = 1775; payroll 1000/1775 = 56.34 %
    payroll = ex.filter(pl.col("exclusion_reason") == "payroll")["share_of_spend_pct"][0]
    assert payroll == pytest.approx(56.34)


def test_member_extra_exclusion_wins_over_common_one():
    rules = A.rules_from_mapping({"grants": ["grants"]}, {"m2": {"own_grants": ["grants"]}})
    s = pl.DataFrame({"buyer_org_id": ["m1", "m2"], "spend_category": ["grants", "grants"],
                      "amount_gbp": [1.0, 1.0]})
    assert A.apply_exclusions(s, rules)["exclusion_reason"].to_list() == ["grants", "own_grants"]


def test_category_under_two_reasons_refused():
    with pytest.raises(ParamsError, match="two reasons"):
        A.rules_from_mapping({"payroll": ["wages"], "pensions": ["Wages"]})


def test_shipped_rules_load_with_sources():
    r = A.load_rules()
    assert {"payroll", "taxes_and_levies", "pensions", "inter_authority_transfers", "grants",
            "business_rates"} <= set(r.common)
    assert r.member_extra["thameside_water"] == {
        "regulatory_charges": ("regulatory_charges", "abstraction_licences")}
    assert all(r.sources[k] for k in r.common)
    table = r.table()
    assert table.filter(pl.col("buyer_org_id").is_null())["source"].str.len_chars().min() > 10


def test_msme_share_with_coverage_bounds(lines):
    cells = M.spend_cells(lines)
    # m1 P1 addressable: a100 + b300 + c50 + d40 + e10 + z50 = 550
    msme = _cell(cells, "m1", "P1", "msme")
    assert msme["addressable_gbp"] == 550.0
    assert msme["value_gbp"] == 150.0  # a100 (small) + d40 (micro) + e10 (medium, latest entry)
    assert msme["share_pct"] == pytest.approx(27.27)  # 150 / 550
    assert msme["unknown_gbp"] == 100.0  # c (unknown) + z (not in register)
    assert msme["unknown_pct"] == pytest.approx(18.18)  # 100 / 550
    assert msme["upper_pct"] == pytest.approx(45.45)  # 250 / 550
    assert (msme["supplier_count"], msme["top1_value_gbp"], msme["top2_value_gbp"]) == (3, 100, 40)
    bands = {g: _cell(cells, "m1", "P1", g)["share_pct"]
             for g in ("micro", "small", "medium", "large", "size_unknown")}
    assert bands == pytest.approx({"micro": 7.27, "small": 18.18, "medium": 1.82,
                                   "large": 54.55, "size_unknown": 18.18})


def test_ownership_and_london_shares(lines):
    cells = M.spend_cells(lines)
    div = _cell(cells, "m1", "P1", "diverse_led")
    # true: a100; unknown: c50 + d40 + z50 = 140; upper (100 + 140) / 550
    assert (div["share_pct"], div["unknown_pct"], div["upper_pct"]) == pytest.approx(
        (18.18, 25.45, 43.64))
    vcse = _cell(cells, "m1", "P1", "vcse")
    assert (vcse["share_pct"], vcse["unknown_pct"]) == pytest.approx((7.27, 18.18))  # d40; c+z
    london = _cell(cells, "m1", "P1", "london")
    assert (london["value_gbp"], london["unknown_gbp"]) == (150.0, 100.0)  # a+d+e; c+z


def test_network_cells_pool_members(lines):
    cells = M.spend_cells(lines)
    net = _cell(cells, "network", "P1", "addressable")
    # 550 (m1) + 80 (m2, supplier a unknown to m2's register)
    assert net["addressable_gbp"] == 630.0
    assert net["supplier_count"] == 6  # a b c d e z (a at both members counts once)
    assert (net["top1_value_gbp"], net["top2_value_gbp"]) == (300.0, 180.0)  # b; a 100 + 80
    msme = _cell(cells, "network", "P1", "msme")
    assert (msme["share_pct"], msme["unknown_pct"]) == pytest.approx((23.81, 28.57))  # 150, 180


def test_pledges_and_status(tmp_path, lines):
    text = """description: test pledges
parameters:
  network_pledge_pct:
    description: network
    metadata: {label: n, unit: percent, reference: [{title: test source, href: https://x.org}]}
    values: {2022-01-01: 25}
  m1:
    description: m1
    metadata: {label: m1, unit: percent, reference: [{title: test source, href: https://x.org}]}
    values: {2025-10-01: 30}
"""
    path = tmp_path / "pledges.yaml"
    path.write_text(text)
    pledges = M.pledge_table(["m1", "m2"], PERIODS, path)
    assert pledges.filter(pl.col("buyer_org_id") != "network").rows() == [
        ("m1", "P1", None, None),  # pledged from 1 Oct 2025: nothing in force at 30 Sep 2025
        ("m1", "P2", 30.0, D(2025, 10, 1)),
        ("m2", "P1", 25.0, D(2022, 1, 1)),
        ("m2", "P2", 25.0, D(2022, 1, 1)),
    ]
    cells = M.spend_cells(lines)
    excluded = A.excluded_spend(
        M.assign_period(A.apply_exclusions(_spend(), RULES), PERIODS, "payment_date")
        .filter(pl.col("period").is_not_null()), by=("buyer_org_id", "period"))
    contracts = M.contract_cells(M.enrich_contracts(_contracts(), _suppliers()), PERIODS,
                                 D(2021, 4, 1))
    head = M.headline(cells, contracts, pledges, excluded)
    got = {(m, p): s for m, p, s in head.select("buyer_org_id", "period", "pledge_status").rows()}
    # m1 P2: a200 (small) / 300 = 66.67 % >= 30 -> met; m2 P1: 0 % known, 100 % unknown vs 25
    assert got[("m1", "P1")] == "no pledge"
    assert got[("m1", "P2")] == "met"
    assert got[("m2", "P1")] == "depends on unknowns"
    m1p1 = head.filter((pl.col("buyer_org_id") == "m1") & (pl.col("period") == "P1")).row(
        0, named=True)
    assert m1p1["excluded_gbp"] == 1225.0 and m1p1["addressable_gbp"] == 550.0
    assert m1p1["msme_contracts_contracts"] == 2 and m1p1["msme_cumulative_contracts"] == 3


def _contracts() -> pl.DataFrame:
    rows = [
        ("k1", "a", 100_000.0, D(2021, 6, 1), False, None, False, None),
        ("k2", "b", 500_000.0, D(2025, 5, 1), False, None, True, None),
        ("k3", "d", 50_000.0, D(2025, 6, 1), True, "sme_and_location", False, None),
        ("k4", "c", 20_000.0, D(2025, 7, 1), False, None, False, "sme"),  # size from the notice
        ("k5", "z", 30_000.0, D(2025, 8, 1), False, None, False, "unknown"),
        ("k6", "a", 70_000.0, D(2025, 11, 1), True, "location", False, None),
        ("k7", "a", 9_000.0, D(2020, 12, 1), False, None, False, None),  # before the base date
    ]
    return CONTRACT_AWARD.conform(pl.DataFrame(
        rows, schema=["award_id", "supplier_id", "value_gbp", "award_date", "is_reserved",
                      "reservation_basis", "is_framework", "supplier_scale"], orient="row")
        .with_columns(pl.lit("m1").alias("buyer_org_id")))


def test_contracts_in_period_cumulative_and_reserved():
    enriched = M.enrich_contracts(_contracts(), _suppliers())
    assert enriched.select("award_id", "is_msme").rows() == [
        ("k1", True), ("k2", False), ("k3", True), ("k4", True), ("k5", None), ("k6", True),
        ("k7", True)]
    cells = M.contract_cells(enriched, PERIODS, D(2021, 4, 1), network=False)

    def fig(period, group):
        c = _cell(cells, "m1", period, group)
        return c["contracts"], c["value_gbp"]

    assert fig("P1", "all") == (4, 600_000.0)  # k2 k3 k4 k5
    assert fig("P1", "msme") == (2, 70_000.0)  # k3 k4
    assert fig("P1", "size_unknown") == (1, 30_000.0)  # k5
    assert fig("P1", "framework") == (1, 500_000.0)  # k2
    assert fig("P1", "reserved") == (1, 50_000.0)
    assert fig("P1", "reserved_sme_and_location") == (1, 50_000.0)
    assert fig("P1", "reserved_location") == (0, 0.0)
    assert fig("P1", "msme_cumulative") == (3, 170_000.0)  # k1 k3 k4 (k7 before the base date)
    assert fig("P1", "all_cumulative") == (5, 700_000.0)
    assert fig("P2", "msme") == (1, 70_000.0)
    assert fig("P2", "msme_cumulative") == (4, 240_000.0)
    assert fig("P2", "reserved_location") == (1, 70_000.0)
    c = _cell(cells, "m1", "P1", "msme")
    assert (c["supplier_count"], c["top1_value_gbp"], c["top2_value_gbp"]) == (2, 50_000, 20_000)
    assert _cell(cells, "m1", "P2", "msme_cumulative")["window_start"] == D(2021, 4, 1)


def _terms() -> pl.DataFrame:
    rows = [
        ("it", 45, "invoice_receipt", 28, D(2024, 4, 1), "before_review"),
        ("works", 30, "end_of_month", 28, D(2024, 4, 1), "before_review"),
        ("it", 20, "invoice_receipt", 6, D(2025, 10, 1), "after_review"),
        ("works", 30, "invoice_receipt", 6, D(2025, 10, 1), "after_review"),
    ]
    return PAYMENT_TERMS.conform(pl.DataFrame(
        rows, schema=["spend_category", "standard_terms_days", "terms_basis",
                      "terms_conditions_pages", "as_of_date", "review_stage"], orient="row")
        .with_columns(pl.lit("m1").alias("buyer_org_id"), pl.lit("all").alias("supplier_size_band")))


def test_terms_before_and_after_review():
    y = M.terms_yardsticks("2026-09-30")
    assert (y["s68_days"], y["max_days"]) == (30, 60)
    t = M.terms_compliance(_terms(), 30, 60, 30)
    review = M.terms_review(t)
    got = review.select("spend_category", "worst_case_days_before", "worst_case_days_after",
                        "change_days", "within_s68_before", "within_s68_after").rows()
    # works: 30 days end of month = up to 60 days from receipt before; 30 from receipt after
    assert got == [("it", 45, 20, -25, False, True), ("works", 60, 30, -30, False, True)]
    summary = M.terms_summary(t).filter(pl.col("buyer_org_id") == "m1")
    before, after = summary.rows(named=True)
    assert (before["stage"], before["within_s68_pct"], before["within_max_pct"]) == (
        "before", 0.0, 100.0)
    assert (after["within_s68_pct"], after["median_worst_case_days"],
            after["terms_conditions_pages"]) == (100.0, 25.0, 6)


def test_shared_tables_carry_disclosure_columns(tmp_path):
    members = MEMBER.conform(pl.DataFrame({"org_id": ["m1", "m2"], "org_name": ["M1", "M2"],
                                           "org_type": ["other", "other"]}))
    tables = network_shared_tables(_suppliers(), _spend(), _contracts(), _terms(), members,
                                   PERIODS, NetworkMetricsParams())
    assert {"headline", "trend", "spend_shares", "excluded_spend", "contracts", "terms",
            "terms_review", "terms_summary", "exclusion_rules"} == set(tables)
    tr = tables["trend"].filter((pl.col("buyer_org_id") == "m1")
                                & (pl.col("measure") == "addressable_gbp"))
    assert tr.select("period", "value", "change").rows() == [("P1", 550.0, None),
                                                             ("P2", 300.0, -250.0)]
    for name in ("spend_shares", "excluded_spend", "contracts"):
        assert {"supplier_count", "top1_value_gbp", "top2_value_gbp"} <= set(tables[name].columns)
    head = tables["headline"]
    for prefix in ("", "msme_", "diverse_led_", "msme_contracts_", "msme_cumulative_",
                   "reserved_"):
        assert f"{prefix}supplier_count" in head.columns
    assert set(head["buyer_org_id"]) == {"m1", "m2", "network"}


def test_unknown_member_refused_by_name():
    members = MEMBER.conform(pl.DataFrame({"org_id": ["m1"], "org_name": ["M1"],
                                           "org_type": ["other"]}))
    with pytest.raises(ParamsError, match="members: nobody not in the member table"):
        network_shared_tables(_suppliers(), _spend(), _contracts(), _terms(), members, PERIODS,
                              {"members": ["nobody"]})

BANDS = ["micro", "small", "medium", "large", "unknown"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(BANDS), st.floats(1, 1e6), st.integers(0, 5),
                          st.sampled_from(["it", "payroll", "grants"])),
                min_size=1, max_size=30))
def test_bounds_and_parts_add_up(rows):
    spend = pl.DataFrame({
        "buyer_org_id": "m", "supplier_id": [f"s{i}" for _, _, i, _ in rows],
        "amount_gbp": [round(v, 2) for _, v, _, _ in rows],
        "payment_date": D(2025, 5, 1), "spend_category": [c for *_, c in rows]})
    register = pl.DataFrame({"buyer_org_id": "m", "supplier_id": [f"s{i}" for i in range(6)],
                             "size_band": [BANDS[i % 5] for i in range(6)]})
    applied = A.apply_exclusions(spend, RULES)
    total = applied["amount_gbp"].sum()
    excluded = applied.filter(~pl.col("is_addressable"))["amount_gbp"].sum()
    cells = M.spend_cells(M.enrich_spend(applied, register, PERIODS), network=False)
    if cells.height == 0:
        assert excluded == pytest.approx(total)
        return
    c = {g: _cell(cells, "m", "P1", g) for g in ("addressable", "msme", "micro", "small",
                                                  "medium", "large", "size_unknown")}
    assert c["addressable"]["value_gbp"] + excluded == pytest.approx(total, abs=0.05)
    parts = sum(c[g]["value_gbp"] for g in ("micro", "small", "medium"))
    assert parts == pytest.approx(c["msme"]["value_gbp"], abs=0.05)
    assert c["msme"]["share_pct"] <= c["msme"]["upper_pct"] + 1e-9
    everything = sum(c[g]["value_gbp"] for g in ("msme", "large", "size_unknown"))
    assert everything == pytest.approx(c["addressable"]["value_gbp"], abs=0.05)


def test_cells_feed_disclosure_control():
    from lainbench import disclosure
    from lainbench.network.notebook import disclosure_counts

    members = MEMBER.conform(pl.DataFrame({"org_id": ["m1", "m2"], "org_name": ["M1", "M2"],
                                           "org_type": ["other", "other"]}))
    tables = network_shared_tables(_suppliers(), _spend(), _contracts(), _terms(), members,
                                   PERIODS, NetworkMetricsParams())
    flags = disclosure.flag(disclosure_counts(tables["spend_shares"]))
    net = flags.filter((pl.col("buyer_org_id") == "network") & (pl.col("period") == "P1")
                       & (pl.col("group") == "addressable")).row(0, named=True)
    # 6 suppliers, largest b = 300 / 630 = 47.6 %: shown
    assert (net["largest_supplier_value_share_pct"], net["sensitive"]) == (
        pytest.approx(47.619, abs=1e-3), False)
    msme = flags.filter((pl.col("buyer_org_id") == "m1") & (pl.col("period") == "P1")
                        & (pl.col("group") == "msme")).row(0, named=True)
    assert msme["rule"] == "threshold"  # 3 suppliers < 5
    excl = disclosure.flag(disclosure_counts(tables["excluded_spend"], total="excluded_gbp"))
    assert set(excl["rule"]) == {"threshold"}  # one payee per reason
