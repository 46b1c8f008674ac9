"""The benchmark's DuckDB SQL and pandas references give the same numbers as lainbench.

``benchmarks/payment_metrics.py`` times lainbench's metric set against a DuckDB SQL version and
a pandas version. Those two are written independently, each in its own tool's idiom (DuckDB's
``median``/``quantile_cont``, pandas' named aggregations), so agreement here checks lainbench's
histogram-based medians, p90s and shares as well as keeping the benchmark honest.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lainbench import demo
from lainbench.config import PROJECT_ROOT

pytest.importorskip("duckdb")


def _load_benchmark():
    path = PROJECT_ROOT / "benchmarks" / "payment_metrics.py"
    spec = importlib.util.spec_from_file_location("bench_payment_metrics", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_benchmark()
PERIODS = demo.periods()
# Exact in every engine. (p90s agree to ~1e-14 only: DuckDB interpolates with another formula.)
EXACT = ["invoice_count", "median_days_to_pay", "s68_breaches"]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    """3,000 demo invoices (12 members, 4 periods) as a canonical parquet file."""
    path = tmp_path_factory.mktemp("bench") / "invoices.parquet"
    demo.invoices(3_000, seed=11).write_parquet(path)
    return path


@pytest.fixture(scope="module")
def lainbench_result(demo_file) -> pl.DataFrame:
    return bench.run_lainbench(demo_file, PERIODS)


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_reference_matches_lainbench_on_demo_invoices(engine, demo_file, lainbench_result):
    ref = bench.as_polars(bench.RUNNERS[engine](demo_file, PERIODS))
    ours = bench.as_polars(lainbench_result)
    # at most 12 members x 4 periods x (all + micro, small, medium, large) = 240 rows (a band
    # with no paid invoice in a period has no row), in the same order in every engine
    assert 200 < ours.height <= 240
    assert ref.select("buyer_org_id", "period", "supplier_size_band").rows() == ours.select(
        "buyer_org_id", "period", "supplier_size_band").rows()
    assert lainbench_result.columns == bench.METRIC_COLUMNS
    assert bench.max_rel_diff(ref, ours) <= 1e-9
    # counts and order statistics are exact, not merely close
    assert ref.select(EXACT).equals(ours.select(EXACT))


D0 = dt.date(2024, 10, 1)
ROW = st.fixed_dictionaries({
    "buyer_org_id": st.sampled_from(["A", "B"]),
    "received": st.integers(0, 700),
    "days": st.one_of(st.none(), st.integers(0, 200)),    # None: unpaid
    "payment_date_only": st.booleans(),                   # no supplier receipt date recorded
    "supplier_size_band": st.sampled_from(["micro", "small", "medium", "large", None]),
    "agreed_terms_days": st.sampled_from([10, 30, 60]),
    "due_given": st.booleans(),
    "disputed": st.sampled_from([True, False, False, None]),
    "amount": st.integers(1, 5_000_000_00).map(lambda p: p / 100),
    "credit": st.sampled_from([None, None, None, True]),  # None: taken from the amount's sign
})


def _frame(rows: list[dict]) -> pl.DataFrame:
    out = []
    for i, r in enumerate(rows):
        received = D0 + dt.timedelta(days=r["received"])
        paid = None if r["days"] is None else received + dt.timedelta(days=r["days"])
        amount = -r["amount"] if r["credit"] else r["amount"]
        out.append({
            "buyer_org_id": r["buyer_org_id"], "invoice_id": str(i),
            "supplier_size_band": r["supplier_size_band"],
            "invoice_received_date": received,
            "supplier_received_date": None if r["payment_date_only"] else paid,
            "payment_date": paid,
            "agreed_terms_days": r["agreed_terms_days"],
            "due_date": received + dt.timedelta(days=r["agreed_terms_days"] + 3)
            if r["due_given"] else None,
            "disputed": r["disputed"], "is_credit_note": r["credit"], "gross_amount_gbp": amount,
        })
    return pl.DataFrame(out, schema={
        "buyer_org_id": pl.String, "invoice_id": pl.String, "supplier_size_band": pl.String,
        "invoice_received_date": pl.Date, "supplier_received_date": pl.Date,
        "payment_date": pl.Date, "agreed_terms_days": pl.Int32, "due_date": pl.Date,
        "disputed": pl.Boolean, "is_credit_note": pl.Boolean, "gross_amount_gbp": pl.Float64,
    })


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=40))
def test_references_agree_on_awkward_ledgers(rows):
    """Unpaid, out-of-period, credit notes, missing bands, due dates and dispute flags, tiny and
    even-sized groups (medians between two days), all-disputed groups: the three still agree.
    A share with no base is null in some engines and NaN in others; both mean "no figure"."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "invoices.parquet"
        _frame(rows).write_parquet(path)
        ours = bench.run_lainbench(path, PERIODS)
        for engine in ("duckdb", "pandas"):
            ref = bench.RUNNERS[engine](path, PERIODS)
            assert bench.max_rel_diff(ref, ours) <= 1e-9, engine


def test_median_and_p90_by_hand(tmp_path):
    # one member, paid in 2025-26 H1 after 3, 10, 30, 31 and 70 days; plus a second band with
    # 30 and 31 days. Overall (7 invoices, sorted 3 10 30 30 31 31 70): median = 30 (4th),
    # p90 at position 0.9 x 6 = 5.4: 31 + 0.4 x (70 - 31) = 46.6.
    # "small" band (30, 31): median 30.5, p90 at 0.9 x 1 = 0.9: 30 + 0.9 x 1 = 30.9.
    days = [("large", 3), ("large", 10), ("large", 30), ("large", 31), ("large", 70),
            ("small", 30), ("small", 31)]
    rows = [{"buyer_org_id": "A", "received": 182, "days": d, "payment_date_only": False,
             "supplier_size_band": b, "agreed_terms_days": 30, "due_given": False,
             "disputed": False, "amount": 100.0, "credit": None} for b, d in days]
    path = tmp_path / "inv.parquet"
    _frame(rows).write_parquet(path)
    expected = {"all": (30.0, 46.6), "small": (30.5, 30.9), "large": (30.0, 54.4)}
    # large alone (3 10 30 31 70): median 30, p90 at 0.9 x 4 = 3.6: 31 + 0.6 x 39 = 54.4
    for engine in bench.ENGINES:
        got = bench.as_polars(bench.RUNNERS[engine](path, PERIODS))
        got = {b: (m, p) for b, m, p in got.select(
            "supplier_size_band", "median_days_to_pay", "p90_days_to_pay").rows()}
        assert got.keys() == expected.keys(), engine
        for band, (median, p90) in expected.items():
            assert got[band] == pytest.approx((median, p90), abs=1e-9), (engine, band)


def test_max_rel_diff_notices_a_wrong_figure(demo_file, lainbench_result):
    wrong = lainbench_result.with_columns(
        pl.when(pl.int_range(pl.len()) == 7).then(pl.col("p90_days_to_pay") + 0.5)
        .otherwise(pl.col("p90_days_to_pay")).alias("p90_days_to_pay"))
    assert bench.max_rel_diff(wrong, lainbench_result) > 1e-3
    assert bench.max_rel_diff(lainbench_result.reverse(), lainbench_result) == float("inf")


def test_worker_reports_times_and_memory(demo_file):
    out = bench.worker("lainbench", str(demo_file), repeat=2, result_out=None)
    assert len(out["times"]) == 2 and out["best"] == min(out["times"])
    assert out["peak_rss_mb"] >= out["rss_after_imports_mb"] > 0


@pytest.mark.parametrize("text, n", [("1M", 1_000_000), ("250k", 250_000), ("5000", 5000),
                                     ("2.5m", 2_500_000), ("10_000", 10_000)])
def test_parse_size(text, n):
    assert bench.parse_size(text) == n


@pytest.mark.parametrize("text", ["0", "lots", "-5k", ""])
def test_parse_size_refuses_non_counts(text):
    import argparse

    with pytest.raises(argparse.ArgumentTypeError, match="not an invoice count.*10M"):
        bench.parse_size(text)
