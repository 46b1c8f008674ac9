"""Tests for lainbench.payments.published (notebook 04): loading members' published figures, comparisons
with the nation and with the ledger, and the notebook end to end on small demo data."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from lainbench import runner
from lainbench.demo import examples
from lainbench.errors import ParamsError
from lainbench.payments import published as P
from lainbench.schemas import INVOICE_PAYMENT, MEMBER, ORG_PAYMENT_PERFORMANCE

D = dt.date
CDN = re.compile(r"<script[^>]+src=[\"']https?://|cdn\.jsdelivr|unpkg\.com|cdnjs", re.IGNORECASE)


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    return examples.write_examples(tmp_path_factory.mktemp("ex"))


@pytest.fixture(scope="module")
def members():
    return MEMBER.conform(pl.DataFrame({
        "org_id": ["thameside_water", "eastbank_council", "northgate_nhs"],
        "org_name": ["Thameside Water Services Ltd (demo)", "London Borough of Eastbank (demo)",
                     "Northgate Hospitals NHS Trust (demo)"],
        "org_type": ["company", "local_authority", "nhs_trust"],
        "companies_house_number": ["09876543", None, None]}))


def _pub(**cols) -> pl.DataFrame:
    base = {"org_id": ["m"], "org_name": ["M (demo)"], "regime": ["pa2023_pcn"],
            "payee_segment": ["all"], "day_count_basis": ["invoice_receipt_to_supplier_receipt"],
            "period_start": [D(2025, 4, 1)], "period_end": [D(2025, 9, 30)]}
    return pl.DataFrame({**base, **cols})


# --- loading --------------------------------------------------------------------------------

def test_load_published(ex, members):
    pub, log = P.load_published(
        [str(ex["ppr"])],
        [{"path": str(ex["pcn"]), "org_id": "eastbank_council"},
         P.ReturnFile(path=str(ex["nhs_bppc"]), org_id="northgate_nhs", kind="nhs_bppc")],
        members)
    # PPR: 5 reports, one of them superseded by an amended filing -> 4 latest
    ppr = pub.filter(pl.col("regime").str.starts_with("ppr"))
    assert ppr.height == 4 and ppr["org_id"].unique().to_list() == ["thameside_water"]
    assert ppr["org_name"].unique().to_list() == ["Thameside Water Services Ltd (demo)"]
    assert "900003" not in ppr["report_id"].to_list()
    pcn = pub.filter(pl.col("regime") == "pa2023_pcn")
    assert pcn["org_type"].unique().to_list() == ["local_authority"]  # from the member table
    # BPPC: 2 years x (NHS, non-NHS) + a derived "all" row per year
    bppc = pub.filter(pl.col("regime") == "nhs_bppc")
    assert bppc.height == 6
    assert sorted(bppc["payee_segment"].to_list()) == ["all", "all", "nhs", "nhs", "non_nhs",
                                                       "non_nhs"]
    assert pub.schema == ORG_PAYMENT_PERFORMANCE.schema
    assert log.select("kind", "rows_read", "accepted").sort("kind").rows() == [
        ("nhs_bppc", 7, 4), ("ppr", 5, 5), ("returns (detected)", 2, 2)]


def test_bppc_all_row_by_hand(ex, members):
    pub, _ = P.load_published([], [{"path": str(ex["nhs_bppc"]), "org_id": "northgate_nhs"}],
                              members)
    r = pub.filter((pl.col("payee_segment") == "all")
                   & (pl.col("period_start") == D(2025, 4, 1))).row(0, named=True)
    # 2025-26: non-NHS 61,204 at 93.6 %, NHS 2,118 at 89.9 %:
    # (0.936 x 61,204 + 0.899 x 2,118) / 63,322 = (57,286.94 + 1,904.08) / 63,322 = 93.476 %
    assert r["invoices_paid_count"] == 63_322
    assert r["paid_within_target_count_pct"] == pytest.approx(93.48, abs=0.005)
    # by value: (0.959 x 182,330,000 + 0.946 x 64,502,000) / 246,832,000 = 95.56 %
    assert r["invoices_paid_value_gbp"] == 246_832_000
    assert r["paid_within_target_value_pct"] == pytest.approx(95.56, abs=0.005)
    assert r["quality_flags"] == ["derived_from_segments"]


def test_unknown_member_in_returns_refused(ex, members):
    with pytest.raises(ParamsError, match="org_id 'nobody'.*known: eastbank_council"):
        P.load_published([], [{"path": str(ex["pcn"]), "org_id": "nobody"}], members)


def test_focus_member_checked(members):
    P.check_focus(None, members)
    with pytest.raises(ParamsError, match="focus_member: 'x'"):
        P.check_focus("x", members)




# --- national medians ----------------------------------------------------------------------

def test_national_medians(tmp_path):
    assert P.national_medians(None) is None
    assert P.national_medians(tmp_path / "absent.csv") is None
    f = tmp_path / "nat.csv"
    f.write_text("year,reports,median_avg_days_to_pay,median_pct_paid_within_30d,"
                 "median_pct_paid_over_60d,median_pct_not_paid_on_time,median_standard_terms_days\n"
                 "2025,100,32,64,5,15,30\n")
    nat = P.national_medians(f)
    assert dict(nat.select("measure", "national_median").iter_rows()) == {
        "avg_days_to_pay": 32.0, "paid_within_30_days_pct": 64.0, "paid_over_60_days_pct": 5.0,
        "not_paid_within_terms_pct": 15.0}
    bad = tmp_path / "bad.csv"
    bad.write_text("year,x\n2025,1\n")
    with pytest.raises(ParamsError, match="lacks column"):
        P.national_medians(bad)


def test_against_national():
    nat = pl.DataFrame({"year": [2025, 2025], "measure": ["avg_days_to_pay",
                                                          "paid_within_30_days_pct"],
                        "national_median": [32.0, 64.0]}, schema_overrides={"year": pl.Int32})
    out = P.against_national(_pub(avg_days_to_pay=[40.0], paid_within_30_days_pct=[70.0]), nat)
    got = {r["measure"]: (r["gap"], r["better_than_national"]) for r in out.iter_rows(named=True)}
    # 40 days vs 32: 8 days slower (worse); 70 % vs 64 %: 6 points more (better)
    assert got == {"avg_days_to_pay": (8.0, False), "paid_within_30_days_pct": (6.0, True)}
    none = P.against_national(_pub(avg_days_to_pay=[40.0]), None)
    assert none["national_median"].to_list() == [None]


# --- ledger ------------------------------------------------------------------------------------

def test_compare_with_ledger_by_hand():
    pub = _pub(avg_days_to_pay=[30.0], paid_over_60_days_pct=[4.0])
    led = _pub(avg_days_to_pay=[35.5], paid_over_60_days_pct=[3.0]).with_columns(
        pl.lit("internal").alias("regime"), pl.lit(100.0).alias("ledger_coverage_pct"))
    out = P.compare_with_ledger(pub, led)
    got = {r["measure"]: (r["published_measure"], r["ledger_measure"], r["comparable"], r["gap"],
                          r["same_basis"]) for r in out.iter_rows(named=True)}
    # a PCN's reg 38(2)(c) figures count receipt to supplier receipt, like the ledger: the same
    # measures. 30 - 35.5 = -5.5 days; 4 % - 3 % = 1.0 point. Stated, never ranked.
    assert got == {
        "avg_days_to_pay": ("average_days_receipt_to_payment", "average_days_receipt_to_payment",
                            True, -5.5, True),
        "paid_over_60_days_pct": ("paid_over_60_days_of_receipt_pct",
                                  "paid_over_60_days_of_receipt_pct", True, 1.0, True)}
    assert "published_looks_better" not in out.columns
    partial = led.with_columns(pl.lit(50.0).alias("ledger_coverage_pct"))
    assert P.compare_with_ledger(pub, partial).height == 0  # ledger covers half the period
    # a reg 113 table counts from validation: another measure; side by side, no gap
    reg113 = pub.with_columns(pl.lit("pcr_reg113").alias("regime"),
                              pl.lit("valid_undisputed_to_payment").alias("day_count_basis"))
    other = P.compare_with_ledger(reg113, led)
    assert other["same_basis"].to_list() == [False, False]
    assert other["comparable"].to_list() == [False, False]
    assert other["gap"].to_list() == [None, None]
    assert other["published_measure"].to_list() == [
        "average_days_receipt_to_payment@valid_undisputed_to_payment",
        "paid_over_60_days_of_receipt_pct@valid_undisputed_to_payment"]


def test_reg38_d_pairs_only_with_the_ledgers_reg38_d():
    # published PCN: 3.2 % of sums payable in the period not paid by its end (reg 38(2)(d));
    # the ledger's PPR-style "not paid within agreed terms" is 20 %: a different question (paid
    # by the due date), so side by side, no gap
    pub = _pub(not_paid_within_terms_pct=[3.2])
    led = _pub(not_paid_within_terms_pct=[20.0]).with_columns(
        pl.lit("internal").alias("regime"), pl.lit(100.0).alias("ledger_coverage_pct"))
    r = P.compare_with_ledger(pub, led).row(0, named=True)
    assert (r["published_measure"], r["ledger_measure"]) == (
        "reg38_2d_payable_not_paid_in_period_pct", "ppr_not_paid_within_agreed_terms_pct")
    assert (r["published"], r["ledger"], r["comparable"], r["gap"]) == (3.2, 20.0, False, None)
    assert r["reading"] == "different measures: shown side by side, not compared"
    # with the ledger's own reg 38(2)(d) figure (4 payable, 1 not paid by 30 Sep: 25 %) the
    # published figure pairs with it: 3.2 - 25.0 = -21.8; the PPR figure is not used
    extra = pl.DataFrame({"org_id": ["m"], "period_start": [D(2025, 4, 1)],
                          "period_end": [D(2025, 9, 30)],
                          "measure": ["payable_not_paid_in_period_pct"], "value": [25.0]})
    r = P.compare_with_ledger(pub, led, ledger_measures=extra).row(0, named=True)
    assert (r["ledger_measure"], r["ledger"], r["comparable"], r["gap"]) == (
        "reg38_2d_payable_not_paid_in_period_pct", 25.0, True, -21.8)
    # a PPR's "% not paid within agreed terms" (18 %) does pair with the ledger's PPR measure
    ppr = pub.with_columns(pl.lit("ppr_2025").alias("regime"),
                           pl.lit(18.0).alias("not_paid_within_terms_pct"))
    r = P.compare_with_ledger(ppr, led, ledger_measures=extra).row(0, named=True)
    assert (r["ledger_measure"], r["gap"]) == ("ppr_not_paid_within_agreed_terms_pct", -2.0)
    # the summary: one period shown, comparable in none (different measures): no mean gap
    s = P.gap_summary(P.compare_with_ledger(pub, led)).row(0, named=True)
    assert (s["periods"], s["comparable_periods"], s["mean_gap"]) == (1, 0, None)


def test_ledger_notice_figures_feed_the_comparison():
    from lainbench.notices.compare import ledger_notice_figures

    # member m, pa2023 contracts: 4 invoices due in Apr-Sep 2025 (received + 30), paid 20 Apr,
    # 30 Jun, 15 Sep and 10 Oct 2025 (after the period): reg 38(2)(d) 1 of 4 = 25 %
    inv = INVOICE_PAYMENT.conform(pl.DataFrame({
        "buyer_org_id": ["m"] * 4, "invoice_id": list("1234"), "regime": ["pa2023"] * 4,
        "invoice_received_date": [D(2025, 4, 1), D(2025, 5, 1), D(2025, 6, 1), D(2025, 7, 1)],
        "agreed_terms_days": [30] * 4,
        "supplier_received_date": [D(2025, 4, 20), D(2025, 6, 30), D(2025, 9, 15),
                                   D(2025, 10, 10)],
        "gross_amount_gbp": [100.0] * 4}))
    extra = ledger_notice_figures(inv, _pub(not_paid_within_terms_pct=[3.2]))
    d = extra.filter(pl.col("measure") == "payable_not_paid_in_period_pct")
    assert d.select("org_id", "period_start", "period_end", "value").row(0) == (
        "m", D(2025, 4, 1), D(2025, 9, 30), 25.0)


def test_ledger_figures_by_hand(tmp_path):
    inv = INVOICE_PAYMENT.conform(pl.DataFrame({
        "buyer_org_id": ["m", "m", "other"], "invoice_id": ["1", "2", "3"],
        "invoice_received_date": [D(2025, 4, 1), D(2025, 4, 1), D(2025, 4, 1)],
        "supplier_received_date": [D(2025, 4, 11), D(2025, 6, 29), D(2025, 4, 2)],
        "gross_amount_gbp": [100.0, 300.0, 50.0]}))
    path = tmp_path / "inv.parquet"
    inv.write_parquet(path)
    led = P.ledger_figures(str(path), _pub())
    r = led.row(0, named=True)
    assert led.height == 1 and r["org_id"] == "m" and r["regime"] == "internal"
    # days: 10 and 89 -> mean 49.5; one of two within 30 days, one after 60
    assert r["avg_days_to_pay"] == 49.5
    assert (r["paid_within_30_days_pct"], r["paid_over_60_days_pct"]) == (50.0, 50.0)
    # payments span 11 Apr - 29 Jun (80 days) of a 183-day period: 43.7 %
    assert r["ledger_coverage_pct"] == 43.7
    assert P.ledger_figures(None, _pub()).height == 0


def test_gap_summary_and_flags(ex, members):
    pub, _ = P.load_published([str(ex["ppr"])], [], members)
    flags = P.quality_flags(pub)
    assert ("thameside_water", "filed_late") in set(flags.select("org_id", "flag").iter_rows())
    empty = P.gap_summary(P.compare_with_ledger(pub, pub.head(0)))
    assert empty.height == 0 and {"mean_gap", "comparable_periods"} <= set(empty.columns)
    assert "published_looks_better" not in empty.columns


# --- params ---------------------------------------------------------------------------------------

def test_params_refuse_bad_values():
    with pytest.raises(ParamsError, match="returns_files.0.kind"):
        runner.load_run_params("published_payment_reports", overrides={
            "returns_files": [{"path": "x.csv", "org_id": "a", "kind": "bppc"}]})
    with pytest.raises(ParamsError, match="returns_files.0.colour"):
        runner.load_run_params("published_payment_reports", overrides={
            "returns_files": [{"path": "x.csv", "org_id": "a", "colour": "red"}]})
    _, values = runner.load_run_params("published_payment_reports")
    assert values["focus_member"] == "thameside_water"


# --- real data ------------------------------------------------------------------------------------

@pytest.mark.realdata
def test_real_thames_water_against_national(real_data):
    members = MEMBER.conform(pl.DataFrame({
        "org_id": ["thames_water"], "org_name": ["Thames Water"], "org_type": ["company"],
        "companies_house_number": ["02366661"]}))
    pub, _ = P.load_published(
        [str(real_data / "ppr-report-pages-transcribed" / "thames_water_utilities_ppr_transcribed.csv")],
        [], members)
    nat = P.national_medians(real_data / "ppr-aggregates-chadhauser" / "uk_payment_trend_by_year.csv")
    out = P.against_national(pub, nat).filter(pl.col("period_start") == D(2025, 4, 1))
    got = {r["measure"]: (r["value"], r["national_median"], r["gap"]) for r in out.iter_rows(named=True)}
    # report 103838: 63 days vs the 2025 UK median of 32; 25 % within 30 days vs 64 %;
    # 42 % after 60 days vs 5 %; 14 % not within terms vs 15 %
    assert got == {"avg_days_to_pay": (63.0, 32.0, 31.0),
                   "paid_within_30_days_pct": (25.0, 64.0, -39.0),
                   "paid_over_60_days_pct": (42.0, 5.0, 37.0),
                   "not_paid_within_terms_pct": (14.0, 15.0, -1.0)}


# --- the notebook ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def run(small_demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("nb04")
    return runner.run_notebook("published_payment_reports", overrides={
        "members_path": str(small_demo / "member.parquet"),
        "invoices_path": str(small_demo / "invoice_payment.parquet")}, out_dir=out)


@pytest.mark.notebook
def test_notebook_tables(run):
    names = {p.stem for p in run.tables}
    assert names == {"published_figures", "ingest_log", "published_vs_national", "ledger_figures",
                     "published_vs_ledger", "published_vs_ledger_summary", "quality_flags"}
    pub = pl.read_parquet(run.output_dir / "published_figures.parquet")
    assert set(pub["org_id"]) == {"thameside_water", "eastbank_council", "westmere_council",
                                  "northgate_nhs"}
    cmp = pl.read_parquet(run.output_dir / "published_vs_ledger.parquet")
    assert {"thameside_water", "eastbank_council"} <= set(cmp["org_id"])
    # the reg 113 years (2022-25) lie before the demo ledger starts: nothing to compare
    assert "westmere_council" not in set(cmp["org_id"])


@pytest.mark.notebook
def test_notebook_html_offline(run, chromium):
    from chromium_page import chart_report, rendered_dom

    html = run.html.read_text()
    assert not CDN.search(html)
    containers, drawn, errors = chart_report(rendered_dom(chromium, run.html))
    assert containers >= 6 and (drawn, errors) == (containers, [])


@pytest.mark.notebook
def test_papermill_command_line_without_national_medians(small_demo, tmp_path):
    """The papermill command with the shipped params file; national medians switched off, as on
    a clone without ../shared (the notebook says so and still writes every table)."""
    import subprocess
    import sys

    from lainbench.config import PROJECT_ROOT

    args = [sys.executable, "-m", "papermill", "notebooks/04_published_payment_reports.ipynb",
            str(tmp_path / "out.ipynb"), "-f", "params/published_payment_reports.yaml",
            "-p", "output_dir", str(tmp_path / "tables"),
            "-p", "members_path", str(small_demo / "member.parquet"),
            "-p", "invoices_path", str(small_demo / "invoice_payment.parquet"),
            "-y", "national_medians_path: null", "--no-progress-bar"]
    done = subprocess.run(args, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "tables" / "published_vs_ledger.parquet").exists()
    national = pl.read_parquet(tmp_path / "tables" / "published_vs_national.parquet")
    assert national["national_median"].null_count() == national.height
    assert "national comparison is left out" in (tmp_path / "out.ipynb").read_text()
