"""Late Payment Act interest benchmark: the vectorised form on 1M and 10M invoices.

Measures, on a synthetic canonical ``invoice_payment`` parquet (12 members, 4 periods, dates
2023-2026 so every rate comes from the shipped table):

- ``lazy``: ``interest_owed(with_statutory_interest(scan_parquet(f)))`` per member and period
  (the whole pipeline lazy, collected once by ``interest_owed``);
- ``eager``: ``with_statutory_interest(read_parquet(f))`` (every invoice's four derived columns
  materialised);
- ``scalar``: :func:`lainbench.late_payment.statutory_interest` in a Python loop on 20,000 rows,
  to show what a per-row loop would cost at the same size (extrapolated).

Each measurement runs in its own subprocess so its peak memory (``ru_maxrss``) is its own; the
best of ``--repeat`` runs after a warm-up is reported.

Run::

    .venv/bin/python benchmarks/late_payment.py                  # 1M and 10M
    .venv/bin/python benchmarks/late_payment.py --sizes 1M --repeat 3
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

DATA_DIR = Path("/tmp/lainbench_bench_late_payment")
SEED = 20260401
SCALAR_ROWS = 20_000


def make_data(n: int, path: Path) -> None:
    """Write ``n`` synthetic invoices in the canonical columns this module reads."""
    rng = np.random.default_rng(SEED)
    epoch = np.datetime64("1970-01-01")
    start = (np.datetime64("2023-07-01") - epoch).astype(int)
    received = start + rng.integers(0, 900, n)
    terms = rng.choice([10, 30, 45, 60, 90], n, p=[0.1, 0.6, 0.1, 0.15, 0.05])
    late = rng.random(n) < 0.25
    days = np.where(late, terms + np.ceil(rng.lognormal(2.4, 1.0, n)), rng.integers(0, 31, n))
    paid = received + np.minimum(days, 400).astype(np.int64)
    goods = np.where(rng.random(n) < 0.2, received + rng.integers(0, 15, n), -1)
    amount = np.round(np.exp(rng.uniform(np.log(50), np.log(5e6), n)), 2)
    credit = rng.random(n) < 0.004

    def to_date(a):
        return pl.Series(a).cast(pl.Int32).cast(pl.Date)

    df = pl.DataFrame({
        "buyer_org_id": rng.choice([f"M{i:02d}" for i in range(12)], n),
        "period": rng.choice(["2024-25 H2", "2025-26 H1", "2025-26 H2", "2026-27 H1"], n),
        "invoice_received_date": to_date(received),
        "goods_received_date": to_date(goods),
        "agreed_terms_days": terms.astype(np.int32),
        "due_date": to_date(received + terms),
        "payment_date": to_date(paid - 1),
        "supplier_received_date": to_date(paid),
        "gross_amount_gbp": np.where(credit, -amount / 10, amount),
        "is_credit_note": credit,
    }).with_columns(
        pl.when(pl.col("goods_received_date") < pl.date(2000, 1, 1)).then(None)
        .otherwise(pl.col("goods_received_date")).alias("goods_received_date")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    df.write_parquet(path)


def child(kind: str, path: str, repeat: int) -> dict:
    """Run one measurement (in a fresh process) and return its figures."""
    from lainbench import late_payment as lp

    bt = pl.DataFrame({"buyer_org_id": ["M00", "M01"], "org_type": ["company", "nhs_trust"]})

    def once():
        if kind == "lazy":
            return lp.interest_owed(
                lp.with_statutory_interest(pl.scan_parquet(path), buyer_types=bt)
            )
        if kind == "eager":
            return lp.with_statutory_interest(pl.read_parquet(path), buyer_types=bt)
        rows = pl.read_parquet(path, n_rows=SCALAR_ROWS).iter_rows(named=True)
        total = 0.0
        for r in rows:
            received = max(d for d in (r["invoice_received_date"], r["goods_received_date"]) if d)
            total += lp.statutory_interest(
                r["gross_amount_gbp"], r["due_date"], r["supplier_received_date"],
                received_date=received).total_gbp
        return total

    once()  # warm-up
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = once()
        best = min(best, time.perf_counter() - t0)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = {}
    if kind == "lazy":
        summary = {"groups": out.height, "total_owed_gbp": round(out["total_owed_gbp"].sum(), 2)}
    return {"kind": kind, "seconds": best, "peak_mib": peak_mib, **summary}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["1M", "10M"])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.repeat)))
        return
    print(f"polars {pl.__version__}; {pl.thread_pool_size()} threads")
    for size in args.sizes:
        n = int(float(size.rstrip("Mm")) * 1_000_000)
        path = DATA_DIR / f"invoices_{size}.parquet"
        if not path.exists():
            make_data(n, path)
        for kind in ("lazy", "eager", "scalar"):
            res = subprocess.run(
                [sys.executable, __file__, "--repeat", str(args.repeat), "--child", kind,
                 str(path)], capture_output=True, text=True, check=True,
            )
            r = json.loads(res.stdout.strip().splitlines()[-1])
            if kind == "scalar":
                per_row = r["seconds"] / SCALAR_ROWS
                print(f"{size:>4} scalar loop: {per_row * 1e6:.1f} us/row -> {per_row * n:.0f} s "
                      f"extrapolated to {size} (peak {r['peak_mib']:.0f} MiB)")
            else:
                extra = (f", {r['groups']} groups, total owed £{r['total_owed_gbp']:,.2f}"
                         if kind == "lazy" else "")
                print(f"{size:>4} {kind:>6}: {r['seconds']:.2f} s, peak {r['peak_mib']:.0f} MiB"
                      f"{extra}")


if __name__ == "__main__":
    main()
