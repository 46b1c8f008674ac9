"""Benchmark: stream a large messy Windows-1252 invoice ledger through ``ingest_invoices``.

Generates an FOI-style CSV (Windows-1252, ``£1,234.56`` amounts, day-first dates, a sprinkling of
blank rows, total rows, impossible dates, duplicates and credit notes) in /tmp, 1M rows at a time so
generating it needs little memory, then ingests it in a child process and reports that process's
wall time and peak resident memory (``ru_maxrss``). The CSV and outputs are deleted at the end.

    .venv/bin/python benchmarks/ingest_invoices.py --rows 20000000
    .venv/bin/python benchmarks/ingest_invoices.py --rows 1000000 --keep   # keep the files

Peak memory is for the whole ingest (encoding check, transcoding to UTF-8, date-order check,
staging, duplicate search, writing the accepted parquet and rejects.csv).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

CHUNK = 1_000_000
HEADER = ("Supplier Name,Supplier Reference,Invoice Number,Invoice Date,Date Invoice Received,"
          "Date Invoice Paid,Invoice Net Value,VAT,Invoice Gross Value,Cost Centre\r\n")


def _chunk(rng: np.random.Generator, start: int, n: int) -> pl.DataFrame:
    epoch = np.datetime64("2024-04-01")
    inv_day = rng.integers(0, 730, n)
    recv = inv_day + rng.integers(0, 5, n)
    paid = recv + np.minimum(rng.gamma(2.0, 12.0, n).astype(np.int64), 400)
    gross = np.round(np.exp(rng.uniform(np.log(20), np.log(2_000_000), n)), 2)
    credit = rng.random(n) < 0.004
    gross = np.where(credit, -gross, gross)
    net = np.round(gross / 1.2, 2)
    sup = rng.integers(0, 30_000, n)

    def ddmmyyyy(days: np.ndarray) -> pl.Series:
        return pl.Series((epoch + days.astype("timedelta64[D]")).astype("datetime64[D]")) \
            .dt.strftime("%d/%m/%Y")

    def money(x: np.ndarray) -> pl.Expr:
        s = pl.Series(np.abs(x)).cast(pl.Decimal(18, 2)).cast(pl.String)
        whole = s.str.extract(r"^(\d+)", 1)
        frac = s.str.extract(r"\.(\d+)$", 1).str.pad_end(2, "0")
        # thousands separators: reverse, group by 3, reverse back
        grouped = (whole.str.reverse().str.replace_all(r"(\d{3})", "$1,")
                   .str.strip_chars_end(",").str.reverse())
        body = "£" + grouped + "." + frac
        return pl.when(pl.Series(x < 0)).then("(" + body + ")").otherwise(body)

    df = pl.DataFrame({
        "Supplier Name": pl.Series([f"Supplier {i:05d} Café Ltd" for i in range(30_000)])[sup],
        "Supplier Reference": pl.Series([f"S{i:05d}" for i in range(30_000)])[sup],
        "Invoice Number": [f"INV{start + i:09d}" for i in range(n)],
        "Invoice Date": ddmmyyyy(inv_day),
        "Date Invoice Received": ddmmyyyy(recv),
        "Date Invoice Paid": ddmmyyyy(paid),
    }).with_columns(
        money(net).alias("Invoice Net Value"),
        money(np.round(gross - net, 2)).alias("VAT"),
        money(gross).alias("Invoice Gross Value"),
        pl.lit("Facilities").alias("Cost Centre"),
    )
    # faults: 0.1% exact duplicates, 0.05% impossible dates, 0.01% blank, a total row per chunk
    dup = rng.random(n) < 0.001
    bad_date = rng.random(n) < 0.0005
    df = df.with_columns(
        pl.when(pl.Series(bad_date)).then(pl.lit("31/02/2025")).otherwise(pl.col("Date Invoice Paid"))
        .alias("Date Invoice Paid"))
    dups = df.filter(pl.Series(dup))
    blanks = pl.DataFrame({c: [None] * max(1, n // 10_000) for c in df.columns},
                          schema={c: pl.String for c in df.columns})
    total = pl.DataFrame({c: ["Total" if c == "Supplier Name" else None] for c in df.columns},
                         schema={c: pl.String for c in df.columns}).with_columns(
        pl.lit("£123,456.78").alias("Invoice Gross Value"))
    return pl.concat([df, dups, blanks, total])


def generate(path: Path, rows: int, seed: int = 7) -> int:
    """Write about ``rows`` data rows (plus the faults) as Windows-1252 CSV; return rows written."""
    rng = np.random.default_rng(seed)
    written = 0
    with path.open("wb") as fh:
        fh.write(HEADER.encode("cp1252"))
        start = 0
        while start < rows:
            n = min(CHUNK, rows - start)
            df = _chunk(rng, start, n)
            fh.write(df.write_csv(include_header=False, line_terminator="\r\n").encode("cp1252"))
            written += df.height
            start += n
    return written


def child(csv_path: str, out_dir: str) -> None:
    """Run one ingest and print JSON with the timing and counts (peak memory read by the parent)."""
    from lainbench.ingest.invoices import ingest_invoices

    t0 = time.perf_counter()
    res = ingest_invoices(csv_path, buyer_org_id="bench_member")
    res.write(out_dir)
    t1 = time.perf_counter()
    print(json.dumps({
        "seconds": round(t1 - t0, 1), "summary": res.summary(), "notes": res.notes,
        "rejects": res.rejects.height, "staged": type(res).__name__,
    }))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20_000_000)
    ap.add_argument("--keep", action="store_true", help="keep the generated CSV and outputs")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    work = Path(tempfile.mkdtemp(prefix="lainbench-bench-ingest-"))
    try:
        csv_path = work / "ledger_cp1252.csv"
        t0 = time.perf_counter()
        written = generate(csv_path, args.rows)
        gen_s = time.perf_counter() - t0
        size_gb = csv_path.stat().st_size / 1e9
        print(f"generated {written:,} rows, {size_gb:.2f} GB Windows-1252 CSV in {gen_s:.0f} s")
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(csv_path), str(work / "out")],
            capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"},
            check=False,
        )
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if proc.returncode:
            print(proc.stderr)
            raise SystemExit(proc.returncode)
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        print(out["summary"])
        print(f"ingest + write: {out['seconds']} s, peak RSS {peak_mib:,.0f} MiB "
              f"({out['staged']}), {out['rejects']:,} reject lines, "
              f"{written / out['seconds'] / 1e6:.2f} M rows/s on {os.cpu_count()} cores")
        parquet = work / "out" / "invoice_payment.parquet"
        print(f"accepted parquet {parquet.stat().st_size / 1e9:.2f} GB")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
