"""Shared tables for the pack (computed once, disclosure-controlled) and the scorecard views."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from pack_helpers import MEMBERS, TINY, supplier_strings, write_small_member_data

from lainbench import payments
from lainbench.errors import ParamsError, SchemaError
from lainbench.pack import scorecard
from lainbench.pack import shared as shared_stage

D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def hand(tmp_path_factory) -> dict[str, Path]:
    """Two members, one period. A: six suppliers (s6 the only micro one); B: two suppliers."""
    d = tmp_path_factory.mktemp("hand")
    days = [5, 10, 20, 40, 70, 25]
    rows = [("A", f"s{i + 1}", "micro" if i == 5 else "large", d_) for i, d_ in enumerate(days)]
    rows += [("B", "t1", "small", 12), ("B", "t2", "small", 45)]
    inv = pl.DataFrame({
        "buyer_org_id": [r[0] for r in rows],
        "supplier_id": [r[1] for r in rows],
        "supplier_name": [f"Name {r[1]} (demo)" for r in rows],
        "supplier_size_band": [r[2] for r in rows],
        "invoice_id": [f"i{i}" for i in range(len(rows))],
        "invoice_received_date": [D("2025-04-01")] * len(rows),
        "supplier_received_date": [D("2025-04-01") + dt.timedelta(days=r[3]) for r in rows],
        "agreed_terms_days": [30] * len(rows),
        "gross_amount_gbp": [100.0] * len(rows),
    })
    paths = {"invoices_path": d / "inv.parquet", "members_path": d / "m.parquet",
             "periods_path": d / "p.parquet"}
    inv.write_parquet(paths["invoices_path"])
    pl.DataFrame({"org_id": ["A", "B"], "org_name": ["Alpha Council", "Beta Trust"],
                  "org_type": ["local_authority", "nhs_trust"]}).write_parquet(
        paths["members_path"])
    pl.DataFrame({"period": ["P1"], "period_start": [D("2025-04-01")],
                  "period_end": [D("2025-09-30")]}).write_parquet(paths["periods_path"])
    return paths


@pytest.fixture(scope="module")
def shared(hand):
    return shared_stage.build_shared(hand["invoices_path"], hand["members_path"], hand["periods_path"],
                                  insurance_path=None, cashflow_paths=0)


def row(df, **keys):
    out = df
    for k, v in keys.items():
        out = out.filter(pl.col(k) == v)
    assert out.height == 1, keys
    return out.row(0, named=True)


def test_member_figures_pass_through_when_safe(shared):
    m = row(shared.tables["payment_metrics"], buyer_org_id="A", supplier_size_band="all")
    # six invoices of 5, 10, 20, 40, 70 and 25 days: mean 170 / 6; 4 of 6 within 30 days
    assert m["invoice_count"] == 6
    assert m["mean_days_to_pay"] == pytest.approx(170 / 6)
    assert m["suppressed"] is False
    # the share within 30 days would also publish its two sides: s1, s2, s3, s6 paid within 30
    # days (4 suppliers) and s4, s5 after (2): both below the 5-supplier threshold, so hidden
    assert m["paid_within_30_days_pct"] is None
    assert "within 30 days" in m["suppression_note"]


def test_small_band_suppressed_and_its_sibling_too(shared):
    m = shared.tables["payment_metrics"].filter(pl.col("buyer_org_id") == "A")
    rules = dict(zip(m["supplier_size_band"], m["suppression_note"], strict=True))
    # micro has one supplier (threshold); large is the only other part, so it goes as well,
    # else micro = all - large
    assert rules["micro"] == "fewer than 5 suppliers"
    assert rules["large"].startswith("secondary")
    assert m.filter(pl.col("supplier_size_band") == "micro")["mean_days_to_pay"].to_list() == [None]


def test_member_with_two_suppliers_fully_suppressed(shared):
    b = shared.tables["payment_metrics"].filter(pl.col("buyer_org_id") == "B")
    assert b["suppressed"].all()
    assert b["invoice_count"].null_count() == b.height
    h = row(shared.tables["headline"], buyer_org_id="B")
    assert h["suppressed"] and h["mean_days_to_pay"] is None and h["interest_owed_gbp"] is None
    assert row(shared.tables["fair_payment_code"], buyer_org_id="B")["fair_payment_code_tier"] is None


def test_interest_counts_only_the_suppliers_owed(shared):
    # A is shown overall (6 suppliers), but only s4 (40 days) and s5 (70 days) are owed interest:
    # two suppliers, so the interest figure is suppressed on its own
    i = row(shared.tables["interest_owed"], buyer_org_id="A")
    assert i["suppressed"] and i["total_owed_gbp"] is None
    assert i["suppression_note"] == "fewer than 5 suppliers"


def test_small_supplier_target_uses_the_pooled_cell(shared):
    t = shared.tables["target_results"].filter(pl.col("buyer_org_id") == "A")
    small = row(t, target="fair_payment_code_silver_small_within_30_days_pct")
    assert small["suppressed"] and small["value"] is None
    # the Gold test is on the share within 30 days, hidden above: it goes with it
    overall = row(t, target="fair_payment_code_gold_within_30_days_pct")
    assert overall["suppressed"] and overall["value"] is None and overall["threshold"] == 95
    # the average-days test is on the mean (no share), so it stays: 170 / 6 days
    mean = row(t, target="ppn_average_days_max")
    assert not mean["suppressed"] and mean["value"] == pytest.approx(170 / 6)


def test_network_benchmark_leaves_suppressed_members_out(shared):
    b = row(shared.tables["network_benchmark"], supplier_size_band="all", measure="mean_days_to_pay")
    assert b["members_counted"] == 1
    assert b["network_median"] == pytest.approx(170 / 6)


def test_suppression_log_lists_cells_without_counts(shared):
    log = shared.tables["suppressions"]
    assert set(log.columns) == {"table", "cell", "rule", "note"}
    assert "buyer_org_id=A; period=P1; supplier_size_band=micro" in log["cell"].to_list()
    pm = log.filter(pl.col("table") == "payment_metrics")
    # cells: A: micro and large; B (both suppliers small): all and small
    assert pm.filter(pl.col("rule").is_in(["threshold", "secondary", "dominance"])).height == 2 + 2
    # shares of A's total hidden (each side under 5 suppliers): within 5 (s1: 1 v 5), 10 (2 v 4),
    # 30 (4 v 2), 60 (5 v 1) days, 31-60 days (1 v 5), within terms and s.68 (4 v 2); A's
    # interest cell (2 suppliers owed) is suppressed, so its within-terms shares go with it
    assert sorted(pm.filter(pl.col("rule") == "share")["note"].str.extract(r"hidden: (\w+)")
                  .to_list()) == sorted(["within_5_days", "within_10_days", "within_30_days",
                                         "within_60_days", "days_31_to_60", "within_terms",
                                         "within_30_or_terms"])
    assert pm.filter(pl.col("rule") == "linked")["cell"].to_list() == [
        "buyer_org_id=A; period=P1; supplier_size_band=all"]


def test_optional_parts_marked_not_available(shared):
    a = dict(zip(shared.tables["availability"]["component"],
                 shared.tables["availability"]["available"], strict=True))
    assert a == {"payments": True, "insurance_flags": False, "cashflow_risk": False,
                 "disclosure": True}
    assert shared.tables["headline"]["insurance_flags_total"].null_count() == 2


def test_no_shared_table_has_supplier_columns_or_values(shared, hand):
    names, _ = supplier_strings(hand["invoices_path"])
    for name, df in shared.tables.items():
        assert not {"supplier_id", "supplier_name", "invoice_id"} & set(df.columns), name
        text = " ".join(str(v) for c in df.columns for v in df[c].to_list())
        assert not any(n in text for n in names), name


def test_unknown_period_or_member(hand):
    with pytest.raises(ParamsError, match="unknown period 'P9'; known: P1"):
        shared_stage.build_shared(hand["invoices_path"], hand["members_path"], hand["periods_path"],
                               period="P9", insurance_path=None, cashflow_paths=0)
    with pytest.raises(ParamsError, match="unknown member id"):
        shared_stage.build_shared(hand["invoices_path"], hand["members_path"], hand["periods_path"],
                               members=["Z"], insurance_path=None, cashflow_paths=0)


def test_supplier_id_required(hand, tmp_path):
    p = tmp_path / "no_ids.parquet"
    pl.read_parquet(hand["invoices_path"]).drop("supplier_id").write_parquet(p)
    with pytest.raises(SchemaError, match="supplier_id is needed for disclosure control"):
        shared_stage.build_shared(p, hand["members_path"], hand["periods_path"],
                               insurance_path=None, cashflow_paths=0)


# --- the views the notebook shows --------------------------------------------------------------


def test_member_headline_compares_with_the_network(shared):
    sc = scorecard.Scorecard.from_tables(shared.tables, "A")
    h = row(sc.headline(), measure="Mean days to pay")
    assert h["member_value"] == pytest.approx(170 / 6)
    assert (h["rank"], h["members_ranked"]) == (1, 1)
    assert sc.title() == "Scorecard: Alpha Council, P1"


def test_suppressed_member_headline_shows_c(shared):
    sc = scorecard.Scorecard.from_tables(shared.tables, "B")
    assert sc.suppressed()
    shown = sc.headline_display()
    assert set(shown["Member's figure"]) == {"[c]"} and set(shown["Rank (1 = best)"]) == {"[c]"}
    assert "suppressed" in sc.suppression_summary()


def test_network_view_marks_unavailable_columns(shared):
    net = scorecard.Scorecard.from_tables(shared.tables)
    shown = net.headline_display()
    assert set(shown["Insurance flags"]) == {"not available"}
    beta = shown.filter(pl.col("Member") == "Beta Trust").row(0, named=True)
    assert beta["Days to pay, mean (days)"] == "[c]" and beta["Fair Payment Code tier"] == "[c]"
    assert net.targets().filter(pl.col("Member") == "Beta Trust")["P1"].to_list() == ["[c]"]


def test_charts_render_even_when_everything_is_suppressed(shared, tmp_path):
    from lainbench import charts

    # B is wholly suppressed, and so is every interest figure: each chart must still render
    # (an empty layered chart made vl-convert fail with "SVG has an invalid size")
    for who in (None, "A", "B"):
        sc = scorecard.Scorecard.from_tables(shared.tables, who)
        for i, chart in enumerate((sc.ranked_chart(), sc.trend_chart(), sc.size_band_chart(),
                                   sc.interest_chart())):
            paths = charts.save(chart, tmp_path / f"{who}_{i}", formats=("png", "svg"))
            assert all(p.stat().st_size > 0 for p in paths)
    text = scorecard.Scorecard.from_tables(shared.tables, "B").interest_chart().to_dict()
    assert text["mark"]["type"] == "text"


def test_unknown_member_and_period_in_the_notebook(shared):
    with pytest.raises(ParamsError, match="unknown member 'Z'; the pack has: A, B"):
        scorecard.Scorecard.from_tables(shared.tables, "Z")
    with pytest.raises(ParamsError, match="unknown period 'P2'"):
        scorecard.Scorecard.from_tables(shared.tables, None, "P2")
    with pytest.raises(ParamsError, match="unknown measure"):
        scorecard.Scorecard.from_tables(shared.tables).ranked_chart("colour")


def test_read_shared_says_how_to_build(tmp_path, shared):
    with pytest.raises(SchemaError, match="lainbench pack"):
        scorecard.read_shared(tmp_path / "nowhere")
    shared.write(tmp_path / "s")
    (tmp_path / "s" / "headline.parquet").unlink()
    with pytest.raises(SchemaError, match="'headline' missing"):
        scorecard.read_shared(tmp_path / "s")


# --- the demo-shaped data with a tiny member -------------------------------------------------


@pytest.fixture(scope="module")
def small(small_demo, tmp_path_factory):
    data = write_small_member_data(small_demo, tmp_path_factory.mktemp("tiny"))
    built = shared_stage.build_shared(data["invoices_path"], data["members_path"],
                                   data["periods_path"], members=MEMBERS, cashflow_paths=100)
    return data, built


def test_tiny_member_suppressed_everywhere(small):
    _, built = small
    t = built.tables
    assert row(t["headline"], buyer_org_id=TINY)["suppressed"]
    for name in ("payment_metrics", "interest_owed", "fair_payment_code", "target_results",
                 "days_distribution", "cashflow_risk"):
        rows = t[name].filter(pl.col("buyer_org_id") == TINY)
        assert rows.height and rows["suppressed"].all(), name
    # insurance requirements are the buyer's own policy, not supplier data: still shown
    assert row(t["insurance_flags"], buyer_org_id=TINY)["insurance_flags_total"] is not None


def test_other_members_match_the_unsuppressed_metrics(small):
    data, built = small
    pdata = payments.prepare(str(data["invoices_path"]), str(data["members_path"]),
                             str(data["periods_path"]), "params/payment_targets.yaml",
                             members=MEMBERS)
    raw = payments.payment_metrics(pdata.invoices).filter(pl.col("supplier_size_band") == "all")
    shown = built.tables["payment_metrics"].filter(
        (pl.col("supplier_size_band") == "all") & ~pl.col("suppressed"))
    joined = shown.join(raw, on=["buyer_org_id", "period"], suffix="_raw")
    assert joined.height == 2 * 4  # two members x four periods
    assert (joined["mean_days_to_pay"] - joined["mean_days_to_pay_raw"]).abs().max() < 1e-9


def test_build_is_deterministic(small):
    from polars.testing import assert_frame_equal

    data, built = small
    again = shared_stage.build_shared(data["invoices_path"], data["members_path"],
                                   data["periods_path"], members=MEMBERS, cashflow_paths=100)
    for name, df in built.tables.items():
        # same rows and order; sums of money may differ in the last bit (parallel float sums)
        assert_frame_equal(df, again.tables[name], check_exact=False, rel_tol=1e-12)


def test_suppression_notes_only_on_suppressed_rows(shared):
    # issue 16: every shown target row once carried "fewer than 5 suppliers"
    for name in ("payment_metrics", "target_results", "fair_payment_code", "interest_owed"):
        t = shared.tables[name]
        if "suppressed" not in t.columns:
            continue
        shown = t.filter(~pl.col("suppressed"))
        hidden = t.filter(pl.col("suppressed"))
        # a shown row may name the shares hidden in it, nothing else
        notes = shown["suppression_note"].drop_nulls()
        assert notes.str.starts_with("hidden").all(), name
        assert hidden["suppression_note"].null_count() == 0, name


def test_scorecard_sections_for_network_metrics_and_notices_say_when_absent(shared):
    sc = scorecard.Scorecard.from_tables(shared.tables, "A")
    # the hand fixture's pack has no network sources and no Procurement Act invoices
    assert sc.network_metrics()["status"].to_list() == ["not available"]
    notice = sc.compliance_notice()
    assert notice.height == 0 or "status" in notice.columns
