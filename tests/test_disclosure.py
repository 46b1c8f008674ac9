"""Statistical disclosure control: the three rules, secondary suppression, applying and logging."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lainbench import disclosure, payments
from lainbench.disclosure import DisclosureRules
from lainbench.errors import ParamsError


def counts(**cols):
    return pl.DataFrame(cols)


# --- the rules ------------------------------------------------------------------------------


def test_threshold_rule_at_the_boundary():
    # 4 suppliers < 5 -> suppressed; 5 suppliers is enough
    c = counts(supplier_count=[4, 5], largest_supplier_value_share_pct=[30.0, 30.0])
    assert disclosure.flag(c)["rule"].to_list() == ["threshold", None]


def test_dominance_rule_is_strictly_over_k():
    # one supplier with 85.0 % of the value is allowed, 85.1 % is not (k = 85)
    c = counts(supplier_count=[10, 10], largest_supplier_value_share_pct=[85.0, 85.1])
    assert disclosure.flag(c)["rule"].to_list() == [None, "dominance"]


def test_dominance_with_two_suppliers_adds_their_shares():
    # (2, 85): 50 + 36 = 86 > 85 -> suppressed; 50 + 35 = 85 -> shown
    c = counts(supplier_count=[10, 10], largest_supplier_value_share_pct=[50.0, 50.0],
               second_supplier_value_share_pct=[36.0, 35.0])
    assert disclosure.flag(c, DisclosureRules(dominance_n=2))["rule"].to_list() == [
        "dominance", None]


def test_p_percent_rule():
    # p = 10: remainder 100 - 60 - 35 = 5 < 0.10 * 60 = 6 -> sensitive;
    # 100 - 60 - 30 = 10 >= 6 -> shown
    c = counts(supplier_count=[8, 8], largest_supplier_value_share_pct=[60.0, 60.0],
               second_supplier_value_share_pct=[35.0, 30.0])
    assert disclosure.flag(c, DisclosureRules(p_pct=10))["rule"].to_list() == ["p_percent", None]
    # switched off by default
    assert disclosure.flag(c)["rule"].to_list() == [None, None]


def test_threshold_is_reported_before_dominance():
    c = counts(supplier_count=[2], largest_supplier_value_share_pct=[99.0])
    assert disclosure.flag(c)["rule"].to_list() == ["threshold"]


def test_empty_cell_is_not_sensitive():
    c = counts(supplier_count=[0], largest_supplier_value_share_pct=[None])
    assert disclosure.flag(c)["sensitive"].to_list() == [False]


def test_missing_count_columns_named():
    with pytest.raises(ParamsError, match="second_supplier_value_share_pct"):
        disclosure.flag(counts(supplier_count=[9], largest_supplier_value_share_pct=[1.0]),
                        DisclosureRules(p_pct=5))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 50), share=st.floats(0, 100), k=st.floats(1, 100),
       m=st.integers(1, 20))
def test_rule_matches_its_definition(n, share, k, m):
    rules = DisclosureRules(min_suppliers=m, dominance_pct=k)
    row = disclosure.flag(counts(supplier_count=[n], largest_supplier_value_share_pct=[share]),
                          rules).row(0, named=True)
    expected = n > 0 and (n < m or share > k)
    assert row["sensitive"] is expected


# --- loading the rules -----------------------------------------------------------------------


def test_defaults_come_from_the_params_file_and_match_the_model():
    loaded = disclosure.load_rules()
    assert loaded == DisclosureRules()
    assert (loaded.min_suppliers, loaded.dominance_n, loaded.dominance_pct, loaded.p_pct) == (
        5, 1, 85.0, None)


def test_overrides_and_bad_overrides():
    assert disclosure.load_rules(overrides={"min_suppliers": 10}).min_suppliers == 10
    with pytest.raises(ParamsError, match=r"disclosure.min_suppliers.*found 0"):
        disclosure.load_rules(overrides={"min_suppliers": 0})
    with pytest.raises(ParamsError, match="disclosure.colour"):
        disclosure.load_rules(overrides={"colour": "red"})
    with pytest.raises(ParamsError, match="dominance_n"):
        disclosure.load_rules(overrides={"dominance_n": 3})


# --- secondary suppression -------------------------------------------------------------------


def band_flags(rows):
    return pl.DataFrame(rows, schema={"m": pl.String, "band": pl.String,
                                      "supplier_count": pl.Int64, "sensitive": pl.Boolean,
                                      "rule": pl.String}, orient="row")


def test_lone_suppressed_part_gets_the_smallest_other_part_suppressed():
    f = band_flags([("A", "all", 40, False, None), ("A", "micro", 3, True, "threshold"),
                    ("A", "small", 9, False, None), ("A", "medium", 7, False, None),
                    ("A", "large", 21, False, None)])
    out = disclosure.secondary(f, ["m"], "band")
    # medium (7 suppliers) is the smallest shown part
    assert dict(zip(out["band"], out["rule"], strict=True)) == {
        "all": None, "micro": "threshold", "small": None, "medium": "secondary", "large": None}


def test_two_suppressed_parts_need_nothing_more():
    f = band_flags([("A", "all", 40, False, None), ("A", "micro", 3, True, "threshold"),
                    ("A", "small", 2, True, "threshold"), ("A", "large", 35, False, None)])
    assert disclosure.secondary(f, ["m"], "band")["rule"].to_list() == [
        None, "threshold", "threshold", None]


def test_lone_suppressed_total_gets_a_part_suppressed():
    # the total (dominated) would be the sum of the shown parts
    f = band_flags([("A", "all", 40, True, "dominance"), ("A", "micro", 12, False, None),
                    ("A", "large", 28, False, None)])
    assert disclosure.secondary(f, ["m"], "band")["rule"].to_list() == [
        "dominance", "secondary", None]


def test_groups_are_independent():
    f = band_flags([("A", "all", 40, False, None), ("A", "micro", 3, True, "threshold"),
                    ("A", "large", 37, False, None), ("B", "all", 40, False, None),
                    ("B", "micro", 13, False, None), ("B", "large", 27, False, None)])
    out = disclosure.secondary(f, ["m"], "band")
    assert out.filter(pl.col("m") == "B")["sensitive"].to_list() == [False, False, False]
    assert out.filter(pl.col("m") == "A")["rule"].to_list() == [None, "threshold", "secondary"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.booleans()), min_size=2, max_size=6),
       st.booleans())
def test_no_group_is_left_with_exactly_one_hidden_cell(parts, total_hidden):
    rows = [("A", "all", sum(n for n, _ in parts), total_hidden, "x" if total_hidden else None)]
    rows += [("A", f"b{i}", n, h, "x" if h else None) for i, (n, h) in enumerate(parts)]
    out = disclosure.secondary(band_flags(rows), ["m"], "band")
    hidden = out["sensitive"].sum()
    assert hidden != 1
    # nothing already hidden is ever shown again
    assert all(o or not h for o, h in zip(out["sensitive"], [r[3] for r in rows], strict=True))


# --- applying and logging -------------------------------------------------------------------


def test_apply_nulls_figures_keeps_keys_and_marks_rows():
    t = pl.DataFrame({"m": ["A", "B", "C"], "days": [20.5, 31.0, 12.0], "count": [10, 3, 8],
                      "tier": ["gold", "none", "bronze"]})
    f = pl.DataFrame({"m": ["A", "B"], "sensitive": [False, True],
                      "rule": [None, "threshold"]})
    out = disclosure.apply(t, f, ["m"])
    assert out["days"].to_list() == [20.5, None, None]  # C has no counts: not shown
    assert out["count"].to_list() == [10, None, None]
    assert out["tier"].to_list() == ["gold", "none", "bronze"]  # text not named: kept
    assert out["suppressed"].to_list() == [False, True, True]
    assert out["suppression_note"].to_list() == [
        None, "fewer than 5 suppliers", "no supplier counts for this figure"]


def test_apply_refuses_mismatched_keys():
    with pytest.raises(ParamsError, match="key column"):
        disclosure.apply(pl.DataFrame({"m": ["A"]}), pl.DataFrame({"x": ["A"]}), ["m"])


def test_log_gives_no_counts_for_hidden_cells():
    f = pl.DataFrame({"m": ["A", "B"], "p": ["p1", "p1"], "supplier_count": [3, 40],
                      "sensitive": [True, False], "rule": ["threshold", None]})
    log = disclosure.log(f, "metrics", ["m", "p"])
    assert log.rows() == [("metrics", "m=A; p=p1", "threshold", "fewer than 5 suppliers")]
    assert "supplier_count" not in log.columns


def test_mark_for_display():
    t = pl.DataFrame({"m": ["A", "B"], "v": [1.5, None], "suppressed": [False, True]})
    assert disclosure.mark(t)["v"].to_list() == ["1.5", "[c]"]


# --- counts from invoices (lainbench.payments.disclosure_counts) -----------------------------


def test_counts_from_invoices_feed_the_rules():
    inv = pl.DataFrame({
        "buyer_org_id": ["A"] * 6 + ["B"] * 2, "period": ["p"] * 8,
        "supplier_id": ["s1", "s2", "s3", "s4", "s5", "s5", "t1", "t2"],
        "gross_amount_gbp": [10.0, 10.0, 10.0, 10.0, 30.0, 30.0, 900.0, 100.0],
        "paid_date": [1] * 8, "is_credit_note": [False] * 8})
    c = payments.disclosure_counts(inv)
    # A: 5 suppliers, s5 = 60 of 100 = 60 %, next 10 %; B: 2 suppliers, 900 of 1000 = 90 %
    assert c.select("supplier_count", "largest_supplier_value_share_pct",
                    "second_supplier_value_share_pct").rows() == [(5, 60.0, 10.0), (2, 90.0, 10.0)]
    assert disclosure.flag(c)["rule"].to_list() == [None, "threshold"]
