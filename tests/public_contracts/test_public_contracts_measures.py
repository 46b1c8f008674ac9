"""SME / VCSE shares: hand-computed cases and properties."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from lainbench.public_contracts.measures import procedure_group, sized_awards, sme_shares


def _awards(rows):
    return pl.DataFrame(rows, schema={"buyer": pl.String, "award_id": pl.String, "supplier_id": pl.String,
                                      "size_group": pl.String, "supplier_is_vcse": pl.String,
                                      "value_gbp": pl.Float64, "award_value_gbp": pl.Float64,
                                      "value_split_unknown": pl.Boolean}, orient="row")


def test_hand_computed_two_buyers():
    aw = _awards([
        ("A", "1", "s1", "sme", "false", 100.0, 100.0, False),
        ("A", "2", "s2", "large", "false", 900.0, 900.0, False),
        ("A", "3", "s3", "unknown", "unknown", 1000.0, 1000.0, False),
        ("B", "4", "s1", "sme", "true", 50.0, 50.0, False),
        ("B", "5", "s4", "sme", "false", None, 600.0, True),
        ("B", "5", "s5", "large", "false", None, 600.0, True),
    ])
    out = {r["buyer"]: r for r in sme_shares(aw, ["buyer"]).iter_rows(named=True)}
    a, b = out["A"], out["B"]
    assert (a["sme_share_count_pct"], a["sme_share_count_low_pct"], a["sme_share_count_high_pct"]) == (50.0, 33.3, 66.7)
    assert (a["sme_share_value_pct"], a["unknown_value_pct"], a["value_gbp"]) == (10.0, 50.0, 2000.0)
    assert (a["shared_awards"], a["shared_award_value_gbp"]) == (0, 0.0)
    assert (a["largest_supplier_value_share_pct"], a["second_supplier_value_share_pct"]) == (50.0, 45.0)
    # B: the 600 shared award is counted once, outside the value shares
    assert (b["award_rows"], b["awards"], b["shared_awards"], b["shared_award_value_gbp"]) == (3, 2, 1, 600.0)
    assert (b["value_gbp"], b["sme_share_value_pct"], b["sme_share_count_pct"]) == (50.0, 100.0, 66.7)
    assert b["vcse_share_count_pct"] == 33.3


def test_procedure_groups():
    df = pl.DataFrame({"p": ["Call-off from a dynamic purchasing system", "Restricted procedure",
                             "Competitive flexible procedure", "Competitive quotation (below threshold)",
                             "Other - Direct Award from a Framework Contract"]})
    assert df.select(procedure_group(pl.col("p")))["p"].to_list() == [
        "DPS call-off", "restricted / selective", "negotiated / flexible", "quotation", "framework call-off"]


def test_sized_awards_without_report_uses_notice_scale():
    aw = pl.DataFrame({"supplier_id": ["a", "b"], "supplier_name": ["A", "B"],
                       "supplier_scale": ["sme", "unknown"], "procedure": ["Open procedure", None]})
    out = sized_awards(aw)
    assert out.select("size_group", "size_source", "procedure_group").rows() == [
        ("sme", "notice_scale", "open"), ("unknown", "unknown", "not stated")]


rows = st.lists(st.tuples(st.sampled_from(["sme", "large", "unknown"]), st.booleans(),
                          st.floats(0, 1e7, allow_nan=False)), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(rows)
def test_bounds_and_totals_hold(data):
    aw = _awards([("A", str(i), f"s{i}", g, "unknown", None if shared else v, v, shared)
                  for i, (g, shared, v) in enumerate(data)])
    r = sme_shares(aw, []).row(0, named=True)
    assert r["sme_rows"] + r["large_rows"] + r["unknown_rows"] == r["award_rows"] == len(data)
    low, high = r["sme_share_count_low_pct"], r["sme_share_count_high_pct"]
    assert low <= high
    if r["sme_share_count_pct"] is not None:
        assert low - 0.1 <= r["sme_share_count_pct"] <= high + 0.1
    single = sum(v for _, s, v in data if not s)
    assert abs((r["value_gbp"] or 0) - single) <= 1e-6 * max(single, 1)
    assert abs(r["shared_award_value_gbp"] - sum(v for _, s, v in data if s)) <= 1e-6 * max(single, 1e7)
