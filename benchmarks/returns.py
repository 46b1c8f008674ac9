"""Benchmark: members' returns. One member's return from 10M invoices, and the network's shared
tables from 500 returns against the same tables from a pooled 500-member invoice table.

Synthetic canonical invoices (numpy, seeded): 4 half-year periods (the demo's), suppliers drawn from
20,000 with a fixed size band each, days to pay lognormal (median about 20, capped at 400), 30-day
terms, 2 % disputed, 1 % credit notes. Every measurement runs in its own Python process, so its peak
RSS (``ru_maxrss`` of the child) is its own.

1. **return from N invoices**: ``lainbench.returns.cli.build_return_file`` (what ``lainbench return
   build`` runs: read the parquet, derive, Late Payment Act interest, every sheet, check, write the
   zip) for one member with N invoices.
2. **network step**: 500 members x M invoices. ``build_shared`` on the pooled parquet (the pooled
   path) against ``build_shared_from_returns`` on the 500 return files (the returns path), both with
   the cash-flow simulation off (it costs the same on both paths) and no insurance flags. The two
   ``payment_metrics`` tables are compared (they must be equal).

Run::

    .venv/bin/python benchmarks/returns.py                     # 10M-invoice return; 500 x 10,000
    .venv/bin/python benchmarks/returns.py --invoices 1000000 --members 50 --per-member 2000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
PERIODS = pl.DataFrame({
    "period": ["2024-25 H2", "2025-26 H1", "2025-26 H2", "2026-27 H1"],
    "period_start": pl.Series(["2024-10-01", "2025-04-01", "2025-10-01", "2026-04-01"]).str.to_date(),
    "period_end": pl.Series(["2025-03-31", "2025-09-30", "2026-03-31", "2026-09-30"]).str.to_date(),
})


def invoices(n: int, members: int, seed: int = 1) -> pl.DataFrame:
    """``n`` synthetic canonical invoices spread evenly over ``members`` buyers."""
    rng = np.random.default_rng(seed)
    supplier = rng.integers(0, 20_000, n)
    band = np.array(["micro", "small", "medium", "large"])[
        np.searchsorted([0.4, 0.65, 0.8], (supplier * 0.618034) % 1.0)]
    received = rng.integers(0, 700, n)
    days = np.minimum(np.exp(rng.normal(3.0, 0.6, n)).astype(np.int64), 400)
    amount = np.round(np.exp(rng.normal(6.0, 1.5, n)), 2)
    credit = rng.random(n) < 0.01
    base = np.datetime64("2024-09-01")
    return pl.DataFrame({
        "buyer_org_id": pl.Series(np.arange(n) % members).cast(pl.String).str.zfill(4),
        "invoice_id": pl.Series(np.arange(n)).cast(pl.String).str.zfill(9),
        "supplier_id": pl.Series(supplier).cast(pl.String).str.zfill(6),
        "supplier_size_band": band,
        "invoice_received_date": base + received.astype("timedelta64[D]"),
        "agreed_terms_days": np.full(n, 30, dtype=np.int32),
        "supplier_received_date": base + (received + days).astype("timedelta64[D]"),
        "gross_amount_gbp": np.where(credit, -amount, amount),
        "disputed": rng.random(n) < 0.02,
    }).with_columns(pl.format("m{}", "buyer_org_id").alias("buyer_org_id"),
                    pl.format("INV{}", "invoice_id").alias("invoice_id"),
                    pl.format("S{}", "supplier_id").alias("supplier_id"),
                    pl.col("invoice_received_date", "supplier_received_date").cast(pl.Date))


def child(code: str) -> dict:
    """Run ``code`` (which prints one JSON line) in a fresh process; add its peak RSS."""
    wrapper = (f"import json, resource, time\n{code}\n"
               "out['peak_rss_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
               "print(json.dumps(out))")
    r = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=True,
                       cwd=ROOT)
    return json.loads(r.stdout.strip().splitlines()[-1])


def one_return(tmp: Path, n: int) -> dict:
    src = tmp / "big.parquet"
    invoices(n, 1).write_parquet(src)
    PERIODS.write_parquet(tmp / "periods.parquet")
    res = child(f"""
from lainbench.returns.cli import build_return_file
t = time.perf_counter()
p, _ = build_return_file("m0000", {str(src)!r}, {str(tmp / "big.return.zip")!r},
                         periods={str(tmp / "periods.parquet")!r}, approver_name="A",
                         approver_title="B")
out = {{"seconds": time.perf_counter() - t, "bytes": p.stat().st_size}}""")
    res.update(invoices=n, input_mib=src.stat().st_size / 2**20)
    return res


def network(tmp: Path, members: int, per_member: int) -> dict:
    from lainbench.returns.build import build_return
    from lainbench.returns.io import write_return

    inv = invoices(members * per_member, members, seed=2)
    pooled = tmp / "pooled.parquet"
    inv.write_parquet(pooled)
    pl.DataFrame({"org_id": [f"m{i:04d}" for i in range(members)],
                  "org_name": [f"Member {i}" for i in range(members)],
                  "org_type": ["local_authority"] * members}).write_parquet(tmp / "members.parquet")
    PERIODS.write_parquet(tmp / "periods.parquet")
    rdir = tmp / "returns"
    rdir.mkdir()
    t = time.perf_counter()
    for m, part in inv.partition_by("buyer_org_id", as_dict=True).items():
        tables = build_return(part, m[0], PERIODS, approver_name="A", approver_title="B")
        write_return(tables, rdir / f"{m[0]}.return.zip")
    build_all = time.perf_counter() - t
    sizes = [p.stat().st_size for p in rdir.glob("*.return.zip")]
    common = (f"members_path={str(tmp / 'members.parquet')!r}, "
              f"periods_path={str(tmp / 'periods.parquet')!r}, cashflow_paths=0, "
              "insurance_path=None")
    a = child(f"""
from lainbench.pack.shared import build_shared
t = time.perf_counter()
s = build_shared({str(pooled)!r}, {common})
out = {{"seconds": time.perf_counter() - t}}
s.tables["payment_metrics"].write_parquet({str(tmp / 'a.parquet')!r})""")
    b = child(f"""
from lainbench.pack.from_returns import build_shared_from_returns
t = time.perf_counter()
s = build_shared_from_returns([{str(rdir)!r}], {common})
out = {{"seconds": time.perf_counter() - t}}
s.tables["payment_metrics"].write_parquet({str(tmp / 'b.parquet')!r})""")
    from polars.testing import assert_frame_equal

    assert_frame_equal(pl.read_parquet(tmp / "a.parquet"), pl.read_parquet(tmp / "b.parquet"),
                       rel_tol=1e-9)
    return {"members": members, "invoices": members * per_member,
            "pooled_mib": pooled.stat().st_size / 2**20,
            "returns_mib": sum(sizes) / 2**20, "return_kib_median": float(np.median(sizes)) / 1024,
            "build_all_returns_s": build_all, "build_one_return_s": build_all / members,
            "pooled": a, "from_returns": b}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--invoices", type=int, default=10_000_000)
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--per-member", type=int, default=10_000)
    ap.add_argument("--only", choices=["return", "network"], help="run one of the two parts")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    if args.only != "network":
        with tempfile.TemporaryDirectory() as d:
            r = one_return(Path(d), args.invoices)
            print(f"return from {r['invoices']:,} invoices ({r['input_mib']:.0f} MiB parquet): "
                  f"{r['seconds']:.1f} s, peak RSS {r['peak_rss_mib']:,.0f} MiB, "
                  f"file {r['bytes'] / 1024:.0f} KiB")
        print(f"load average {os.getloadavg()[0]:.1f}")
    if args.only == "return":
        return
    with tempfile.TemporaryDirectory() as d:
        n = network(Path(d), args.members, args.per_member)
        print(f"network of {n['members']} members, {n['invoices']:,} invoices "
              f"(pooled parquet {n['pooled_mib']:.0f} MiB; returns {n['returns_mib']:.1f} MiB in "
              f"all, median {n['return_kib_median']:.0f} KiB each)")
        print(f"  building the {n['members']} returns one after another: "
              f"{n['build_all_returns_s']:.1f} s ({n['build_one_return_s']:.2f} s each)")
        for k in ("pooled", "from_returns"):
            print(f"  shared tables {k:12s}: {n[k]['seconds']:.1f} s, peak RSS "
                  f"{n[k]['peak_rss_mib']:,.0f} MiB")
        print("  payment_metrics equal on both paths (rel 1e-9)")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
