"""Payment-metrics benchmark: lainbench (polars) against DuckDB SQL and pandas on the same parquet.

The "full metric set" is what notebook 01 computes for every member, period and supplier size
band, starting from a canonical ``invoice_payment`` parquet file: derive days to pay (without
Late Payment Act interest), assign the reporting period, then
:func:`lainbench.payments.payment_metrics` with size bands (240 rows of 27 columns on the demo's
12 members x 4 periods x (all + 4 bands)).

Each engine runs in its own subprocess, so its peak memory is its own (Linux ``VmHWM``; see
:func:`peak_rss_mb`): one warm-up run, then ``--repeat`` timed runs of which the best is reported,
with the process CPU time of that run (a check on the wall time when other work shares the
machine). Engines:

- ``lainbench``: ``payment_metrics(assign_period(derive(scan_parquet(f), interest=False),
  periods))``.
- ``duckdb``: idiomatic SQL (``median``, ``quantile_cont``, ``FILTER`` clauses, ``GROUPING SETS``)
  over ``read_parquet(f)``, ``SET threads = 2``.
- ``pandas``: idiomatic pandas 3 (``read_parquet(engine="pyarrow", dtype_backend="pyarrow")``,
  ``groupby`` with named aggregations).

The DuckDB and pandas versions are the references that
``tests/test_payment_metrics_equivalence.py`` holds equal to lainbench; the benchmark also checks
that all three agree on the full-size data before it prints the figures.

Run (the synthetic invoices are written once to ``--data-dir`` and reused; ``--clean`` deletes
them)::

    .venv/bin/python benchmarks/payment_metrics.py                    # 1M and 10M invoices
    .venv/bin/python benchmarks/payment_metrics.py --sizes 1M --repeat 3
    .venv/bin/python benchmarks/payment_metrics.py --sizes 1M 10M --clean
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from lainbench.payments.metrics import BUCKET_DAYS
from lainbench.schemas import INVOICE_PAYMENT

if TYPE_CHECKING:
    import pandas as pd

ENGINES = ("lainbench", "duckdb", "pandas")
DEFAULT_DATA_DIR = Path("/tmp/lainbench_bench")
SEED = 20260401
CHUNK = 1_000_000
BAND_ORDER = ("all", *INVOICE_PAYMENT.enums["supplier_size_band"])

# The canonical columns the metric set reads.
COLUMNS = [
    "buyer_org_id", "supplier_size_band", "invoice_received_date", "supplier_received_date",
    "payment_date", "due_date", "agreed_terms_days", "disputed", "is_credit_note",
    "gross_amount_gbp",
]


# ---------------------------------------------------------------------------------------------
# The three implementations (each takes the parquet path and the periods table)


def run_lainbench(path: str | Path, periods: pl.DataFrame) -> pl.DataFrame:
    """The full metric set through lainbench's own functions."""
    from lainbench.payments.metrics import assign_period, derive, payment_metrics

    lf = pl.scan_parquet(path)
    return payment_metrics(assign_period(derive(lf, interest=False), periods))


def duckdb_sql(path: str | Path) -> str:
    """The full metric set as one DuckDB SQL query over ``read_parquet(path)`` and ``periods``."""
    buckets = []
    for d in BUCKET_DAYS:
        buckets += [
            (f"100.0 * count(*) FILTER (WHERE days <= {d}) / count(days) "
             f"AS paid_within_{d}_days_pct"),
            (f"100.0 * coalesce(sum(value) FILTER (WHERE days <= {d}), 0) / sum(value) "
             f"AS paid_within_{d}_days_value_pct"),
        ]
    bucket_sql = ",\n        ".join(buckets)
    band_case = " ".join(f"WHEN '{b}' THEN {i}" for i, b in enumerate(BAND_ORDER))
    path_sql = str(path).replace("'", "''")
    return f"""
WITH inv AS (
    SELECT
        buyer_org_id,
        coalesce(supplier_size_band, 'unknown') AS supplier_size_band,
        invoice_received_date AS received,
        coalesce(supplier_received_date, payment_date) AS paid_date,
        coalesce(due_date, invoice_received_date + agreed_terms_days) AS due_date,
        coalesce(disputed, false) AS disputed,
        coalesce(is_credit_note, gross_amount_gbp < 0) AS is_credit_note,
        gross_amount_gbp AS value
    FROM read_parquet('{path_sql}')
),
paid AS (
    SELECT
        inv.*,
        p.period,
        paid_date - received AS days,
        paid_date <= due_date AS within_terms,
        paid_date <= greatest(due_date, received + 30) AS within_30_or_terms
    FROM inv
    JOIN periods AS p ON inv.paid_date BETWEEN p.period_start AND p.period_end
    WHERE NOT inv.is_credit_note
),
metrics AS (
    SELECT
        buyer_org_id,
        period,
        CASE WHEN grouping(supplier_size_band) = 1 THEN 'all' ELSE supplier_size_band END
            AS supplier_size_band,
        count(*) AS invoice_count,
        sum(value) AS invoice_value_gbp,
        avg(days) AS mean_days_to_pay,
        median(days) AS median_days_to_pay,
        quantile_cont(days, 0.9) AS p90_days_to_pay,
        {bucket_sql},
        100.0 * count(*) FILTER (WHERE days > 30 AND days <= 60) / count(days)
            AS paid_31_to_60_days_pct,
        100.0 * count(*) FILTER (WHERE days > 60) / count(days) AS paid_over_60_days_pct,
        coalesce(sum(value) FILTER (WHERE days > 30 AND days <= 60), 0)
            AS paid_31_to_60_days_value_gbp,
        coalesce(sum(value) FILTER (WHERE days > 60), 0) AS paid_over_60_days_value_gbp,
        coalesce(sum(value) FILTER (WHERE days <= 30), 0) AS paid_within_30_days_value_gbp,
        100.0 * count(*) FILTER (WHERE within_terms) / count(within_terms)
            AS paid_within_terms_pct,
        100.0 * coalesce(sum(value) FILTER (WHERE within_terms), 0) / sum(value)
            AS paid_within_terms_value_pct,
        100.0 * count(*) FILTER (WHERE disputed) / count(disputed) AS disputed_pct,
        100.0 * count(*) FILTER (WHERE within_30_or_terms AND NOT disputed)
            / count(within_30_or_terms) FILTER (WHERE NOT disputed) AS within_30_or_terms_pct,
        100.0 * coalesce(sum(value) FILTER (WHERE within_30_or_terms AND NOT disputed), 0)
            / sum(value) FILTER (WHERE NOT disputed) AS within_30_or_terms_value_pct,
        count(*) FILTER (WHERE NOT within_30_or_terms AND NOT disputed) AS s68_breaches
    FROM paid
    GROUP BY GROUPING SETS ((buyer_org_id, period), (buyer_org_id, period, supplier_size_band))
)
SELECT * FROM metrics
ORDER BY buyer_org_id, period, CASE supplier_size_band {band_case} ELSE 9 END
"""


def run_duckdb(path: str | Path, periods: pl.DataFrame, threads: int = 2) -> pl.DataFrame:
    """The full metric set in DuckDB SQL; returns a polars frame."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"SET threads = {int(threads)}")
        con.register("periods", periods.to_arrow())
        return con.sql(duckdb_sql(path)).pl()
    finally:
        con.close()


def run_pandas(path: str | Path, periods: pl.DataFrame) -> pd.DataFrame:
    """The full metric set in idiomatic pandas: derive columns, then groupby + named aggregation."""
    import pandas as pd

    df = pd.read_parquet(path, columns=COLUMNS, engine="pyarrow", dtype_backend="pyarrow")
    received = df["invoice_received_date"]
    df["paid_date"] = df["supplier_received_date"].fillna(df["payment_date"])
    terms = pd.to_timedelta(df["agreed_terms_days"].astype("int64[pyarrow]"), unit="D")
    df["due_date"] = df["due_date"].fillna((received + terms).astype(received.dtype))
    df["disputed"] = df["disputed"].fillna(False)
    df["is_credit_note"] = df["is_credit_note"].fillna(df["gross_amount_gbp"] < 0)
    df["supplier_size_band"] = df["supplier_size_band"].fillna("unknown")
    df["period"] = pd.Series(pd.NA, index=df.index, dtype="string[pyarrow]")
    for row in periods.sort("period_start").iter_rows(named=True):
        in_period = df["paid_date"].between(row["period_start"], row["period_end"])
        df.loc[in_period & df["period"].isna(), "period"] = row["period"]

    df = df[df["paid_date"].notna() & df["period"].notna() & ~df["is_credit_note"]].copy()
    received = df["invoice_received_date"]
    days = (df["paid_date"] - received).dt.days
    day30 = (received + pd.Timedelta(days=30)).astype(received.dtype)
    thirty_or_due = df["due_date"].where(df["due_date"] >= day30, day30).fillna(day30)
    within_terms = df["paid_date"] <= df["due_date"]
    w30t = df["paid_date"] <= thirty_or_due
    value = df["gross_amount_gbp"]
    undisputed = ~df["disputed"]
    df = df.assign(
        days=days,
        value=value,
        within_terms=within_terms,
        w30t_undisputed=w30t.where(undisputed),
        s68_breach=~w30t & undisputed,
        value_undisputed=value.where(undisputed, 0.0),
        value_w30t_undisputed=value.where(w30t & undisputed, 0.0),
        value_within_terms=value.where(within_terms, 0.0),
        d31_60=(days > 30) & (days <= 60),
        d61=days > 60,
        value_31_60=value.where((days > 30) & (days <= 60), 0.0),
        value_61=value.where(days > 60, 0.0),
        **{f"d{d}": days <= d for d in BUCKET_DAYS},
        **{f"value_{d}": value.where(days <= d, 0.0) for d in BUCKET_DAYS},
    )
    named = dict(
        invoice_count=("days", "size"),
        invoice_value_gbp=("value", "sum"),
        mean_days_to_pay=("days", "mean"),
        median_days_to_pay=("days", "median"),
        **{f"paid_within_{d}_days_pct": (f"d{d}", "mean") for d in BUCKET_DAYS},
        **{f"value_{d}": (f"value_{d}", "sum") for d in BUCKET_DAYS},
        paid_31_to_60_days_pct=("d31_60", "mean"),
        paid_over_60_days_pct=("d61", "mean"),
        paid_31_to_60_days_value_gbp=("value_31_60", "sum"),
        paid_over_60_days_value_gbp=("value_61", "sum"),
        paid_within_terms_pct=("within_terms", "mean"),
        value_within_terms=("value_within_terms", "sum"),
        disputed_pct=("disputed", "mean"),
        within_30_or_terms_pct=("w30t_undisputed", "mean"),
        value_w30t_undisputed=("value_w30t_undisputed", "sum"),
        value_undisputed=("value_undisputed", "sum"),
        s68_breaches=("s68_breach", "sum"),
    )
    keys = ["buyer_org_id", "period"]
    frames = []
    for by in (keys, [*keys, "supplier_size_band"]):
        g = df.groupby(by, sort=False, observed=True)
        m = g.agg(**named).join(g["days"].quantile(0.9).rename("p90_days_to_pay"))
        frames.append(m.reset_index())
    out = pd.concat(frames, ignore_index=True)
    out["supplier_size_band"] = out["supplier_size_band"].fillna("all")
    total = out["invoice_value_gbp"]
    pct_cols = [c for c in out.columns if c.endswith("_pct")]  # the means of 0/1 flags so far
    out[pct_cols] = out[pct_cols] * 100
    out = out.assign(
        **{f"paid_within_{d}_days_value_pct": out[f"value_{d}"] / total * 100 for d in BUCKET_DAYS},
        paid_within_30_days_value_gbp=out["value_30"],
        paid_within_terms_value_pct=out["value_within_terms"] / total * 100,
        within_30_or_terms_value_pct=out["value_w30t_undisputed"] / out["value_undisputed"] * 100,
    )
    out["band_order"] = out["supplier_size_band"].map({b: i for i, b in enumerate(BAND_ORDER)})
    out = out.sort_values([*keys, "band_order"], ignore_index=True)
    return out[METRIC_COLUMNS]


METRIC_COLUMNS = [
    "buyer_org_id", "period", "supplier_size_band", "invoice_count", "invoice_value_gbp",
    "mean_days_to_pay", "median_days_to_pay", "p90_days_to_pay",
    *[c for d in BUCKET_DAYS
      for c in (f"paid_within_{d}_days_pct", f"paid_within_{d}_days_value_pct")],
    "paid_31_to_60_days_pct", "paid_over_60_days_pct", "paid_31_to_60_days_value_gbp",
    "paid_over_60_days_value_gbp", "paid_within_30_days_value_gbp", "paid_within_terms_pct",
    "paid_within_terms_value_pct", "disputed_pct", "within_30_or_terms_pct",
    "within_30_or_terms_value_pct", "s68_breaches",
]

RUNNERS = {"lainbench": run_lainbench, "duckdb": run_duckdb, "pandas": run_pandas}


def as_polars(result: object) -> pl.DataFrame:
    """Any engine's result as a polars frame with the metric columns, numbers as Float64."""
    df = result if isinstance(result, pl.DataFrame) else pl.from_pandas(result)
    return df.select(
        pl.col(c).cast(pl.Float64) if c not in ("buyer_org_id", "period", "supplier_size_band")
        else pl.col(c).cast(pl.String)
        for c in METRIC_COLUMNS
    )


def max_rel_diff(a: pl.DataFrame, b: pl.DataFrame) -> float:
    """Largest relative difference between two results over all numeric cells (keys must match)."""
    a, b = as_polars(a), as_polars(b)
    keys = ["buyer_org_id", "period", "supplier_size_band"]
    if a.select(keys).rows() != b.select(keys).rows():
        return float("inf")
    worst = 0.0
    for c in METRIC_COLUMNS[3:]:
        x, y = a[c].to_numpy(), b[c].to_numpy()  # nulls become NaN: "no figure" either way
        nx, ny = np.isnan(x), np.isnan(y)
        diff = np.abs(x - y) / np.abs(y).clip(1.0)  # relative above 1, absolute below
        diff[nx & ny] = 0.0
        diff[nx ^ ny] = np.inf
        worst = max(worst, float(diff.max()) if len(diff) else 0.0)
    return worst


# ---------------------------------------------------------------------------------------------
# Data


def parse_size(text: str) -> int:
    """``"1M"`` -> 1_000_000, ``"250k"`` -> 250_000, ``"5000"`` -> 5000."""
    t = text.strip().lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    try:
        n = int(float(t[:-1] if mult > 1 else t) * mult)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an invoice count; use a positive number such as 5000, 250k or 10M")
    return n


def make_data(n: int, path: Path, seed: int = SEED) -> Path:
    """Write ``n`` synthetic canonical invoices to ``path`` once, in 1M chunks of distinct seeds."""
    from lainbench import demo

    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    chunks = []
    for i, start in enumerate(range(0, n, CHUNK)):
        part = demo.invoices(min(CHUNK, n - start), seed + i)
        unique_id = pl.format("C{}-{}", pl.lit(i), "invoice_id").alias("invoice_id")
        chunks.append(part.with_columns(unique_id))
    tmp = path.with_name(f".{path.name}.tmp")
    pl.concat(chunks).write_parquet(tmp)
    tmp.replace(path)
    return path


# ---------------------------------------------------------------------------------------------
# Harness


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB.

    Linux's ``VmHWM`` is reset when a process execs, unlike ``ru_maxrss``, which keeps the high
    water mark of the parent that forked it; elsewhere fall back to ``ru_maxrss``.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def worker(engine: str, path: str, repeat: int, result_out: str | None) -> dict:
    """Run one engine in this process: warm-up, ``repeat`` timed runs, peak memory."""
    from lainbench import demo

    periods = demo.periods()
    run = RUNNERS[engine]
    if engine == "duckdb":
        import duckdb  # noqa: F401  (imports outside the timing)
    if engine == "pandas":
        import pandas  # noqa: F401
    rss_start = peak_rss_mb()
    result = run(path, periods)  # warm-up (file in page cache, lazy imports done)
    times, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = run(path, periods)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if result_out:
        as_polars(result).write_parquet(result_out)
    return {
        "engine": engine,
        "times": times,
        "best": min(times),
        "cpu": cpu[times.index(min(times))],
        "peak_rss_mb": peak_rss_mb(),
        "rss_after_imports_mb": rss_start,
    }


def run_engine(engine: str, path: Path, repeat: int, result_out: Path) -> dict:
    """Run :func:`worker` for ``engine`` in a fresh Python process and return its figures."""
    cmd = [sys.executable, __file__, "--worker", engine, "--file", str(path),
           "--repeat", str(repeat), "--result-out", str(result_out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{engine} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> str:
    """One line describing the machine and library versions."""
    import duckdb
    import pandas as pd

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores, {mem:.0f} GiB RAM; Python {sys.version.split()[0]}, "
            f"polars {pl.__version__}, duckdb {duckdb.__version__}, pandas {pd.__version__}")


def main(argv: list[str] | None = None) -> int:
    """Command line: run the benchmark (or, with ``--worker``, one engine) and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", type=parse_size, default=[1_000_000, 10_000_000],
                    help="invoice counts, e.g. 250k 1M 10M (default 1M 10M)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per engine (best reported)")
    ap.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    ap.add_argument("--clean", action="store_true", help="delete the generated parquet at the end")
    ap.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    ap.add_argument("--make-data", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    ap.add_argument("--result-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(args.worker, args.file, args.repeat, args.result_out)))
        return 0
    if args.make_data:
        make_data(args.make_data, Path(args.file))
        return 0

    print(machine())
    print("full metric set: derive + assign_period + payment_metrics(size_bands=True); best of "
          f"{args.repeat} warm runs; each engine in its own process; cpu = process CPU seconds "
          "of the best run (all threads)\n")
    for n in args.sizes:
        path = args.data_dir / f"invoices_{n}.parquet"
        if not path.exists():
            t0 = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--make-data", str(n), "--file", str(path)],
                           check=True)
            print(f"wrote {n:,} invoices to {path} ({path.stat().st_size / 2**20:.0f} MiB) "
                  f"in {time.perf_counter() - t0:.0f} s")
        print(f"{n:,} invoices (load average before: {os.getloadavg()[0]:.1f})")
        print(report(n, path, args.engines, args.repeat, args.data_dir))
        print(f"  (load average after: {os.getloadavg()[0]:.1f})\n")
    if args.clean:
        for n in args.sizes:
            (args.data_dir / f"invoices_{n}.parquet").unlink(missing_ok=True)
        try:
            args.data_dir.rmdir()
        except OSError:
            pass
    return 0


def report(n: int, path: Path, engines: list[str], repeat: int, work_dir: Path) -> str:
    """Run every engine on ``path`` and return the printed table, ratios and agreement check."""
    figures, results = {}, {}
    for engine in engines:
        out = work_dir / f"result_{engine}_{n}.parquet"
        figures[engine] = run_engine(engine, path, repeat, out)
        results[engine] = pl.read_parquet(out)
        out.unlink()
    base = "lainbench" if "lainbench" in figures else engines[0]
    header = (f"  {'engine':<10} {'best s':>8} {'cpu s':>7} {'runs s':>20} {'peak MiB':>9} "
              f"{'x ' + base:>12}  same numbers as {base}")
    lines = [header]
    for engine, f in figures.items():
        diff = max_rel_diff(results[engine], results[base])
        runs = " ".join(f"{t:.2f}" for t in f["times"])
        lines.append(
            f"  {engine:<10} {f['best']:8.3f} {f['cpu']:7.2f} {runs:>20} {f['peak_rss_mb']:9.0f} "
            f"{f['best'] / figures[base]['best']:12.2f}  "
            f"{'yes' if diff <= 1e-9 else f'NO (max rel diff {diff:.2g})'}"
        )
    if {"lainbench", "duckdb", "pandas"} <= set(figures):
        lb = figures["lainbench"]["best"]
        lines.append(
            f"  ratios: duckdb / lainbench = {figures['duckdb']['best'] / lb:.2f} (target >= 1), "
            f"pandas / lainbench = {figures['pandas']['best'] / lb:.2f} (target >= 3); "
            f"{results[base].height} metric rows"
        )
    return "\n".join(lines)

if __name__ == "__main__":
    sys.exit(main())
