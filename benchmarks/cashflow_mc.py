"""Supplier cash-flow Monte Carlo: 100,000 paths x 365 days, timed against simpler ways of doing it.

Targets (issue 6, 2-core machine): the full daily ledger with its percentile bands under 1 s and 2 GB;
the per-path summary (shortfall probability, lowest balance, ...) under 0.2 s.

Measured, best of several runs (timing without tracemalloc; peak memory from a separate traced run):

1. ``simulate(..., ledger=False)``: per-path summary, each path evaluated only at its receipts and
   30-day interest debits (lainbench.cashflow._ledger_events);
2. ``balance_bands(...)``: the full daily ledger with daily percentile bands (5/25/50/75/95, mean,
   share overdrawn), order statistics kept by an incrementally updated sorted copy;
3. ``simulate(..., ledger=True)``: the same day loop also collecting every per-path result;
4. a straightforward numpy ledger: the H x n balance matrix built with bincount/cumsum (interest debited
   in 30-day blocks) and ``np.percentile`` over it; same numbers as 2;
5. a naive Python loop, per path and per day, on a sample of paths, scaled to 100,000; same per-path
   results as 1.

Run:  .venv/bin/python benchmarks/cashflow_mc.py [--paths 100000] [--days 365] [--sample 300]
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import time
import tracemalloc

import numpy as np

from lainbench import cashflow as cf
from lainbench.cashflow.delays import delay_profile
from lainbench.cashflow.simulate import _cumulative_costs, _draw

PCTS = (5, 25, 50, 75, 95)


def best_of(fn, reps: int) -> tuple[float, object]:
    best, out = math.inf, None
    for _ in range(reps):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def traced_peak(fn) -> float:
    """Peak bytes allocated through Python's allocators (numpy included) during ``fn()``, in MB."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def numpy_matrix_bands(sc: cf.SupplierScenario, receipt_day: np.ndarray, h: int) -> np.ndarray:
    """The straightforward way: materialise the H x n ledger, then np.percentile per day."""
    n, _ = receipt_day.shape
    cc = _cumulative_costs(sc, h)
    r = sc.overdraft_rate_pct_used / 100 / 365
    idx = np.minimum(receipt_day, h + 1) * n + np.arange(n)[:, None]
    counts = np.bincount(idx.ravel(), minlength=(h + 2) * n).reshape(h + 2, n)
    np.cumsum(counts, axis=0, out=counts)
    bal = (sc.opening_cash_gbp - cc[1 : h + 1, None]) + sc.invoice_amount_gbp * counts[1 : h + 1]
    if r > 0:  # interest accrues daily on negative balances, debited every 30 days
        debited = np.zeros(n)
        for start in range(0, h, 30):
            block = bal[start : start + 30]
            block -= debited
            accrued = r * np.maximum(-block, 0).sum(axis=0)
            if start + 30 <= h:
                block[-1] -= accrued
                debited += accrued
    return np.percentile(bal, PCTS, axis=1).T


def python_loop(sc: cf.SupplierScenario, receipt_day: np.ndarray, h: int) -> dict[str, list]:
    """The naive way: every path, every day, in plain Python (5.0's order of events)."""
    cc = _cumulative_costs(sc, h)
    r = sc.overdraft_rate_pct_used / 100 / 365
    inv, limit = sc.invoice_amount_gbp, sc.overdraft_limit_gbp
    out = {"lowest_balance_gbp": [], "first_shortfall_day": [], "overdraft_days": [],
           "overdraft_interest_gbp": []}
    for receipts in receipt_day.tolist():
        bal, low, first, od, accrued, interest = sc.opening_cash_gbp, math.inf, h + 1, 0, 0.0, 0.0
        for t in range(1, h + 1):
            bal -= cc[t] - cc[t - 1]  # costs of day t
            low = min(low, bal)  # intraday low, before receipts
            if bal < -limit and first > h:
                first = t
            bal += inv * receipts.count(t)
            if bal < 0:
                od += 1
                accrued += r * -bal
            if t % 30 == 0:
                bal -= accrued
                interest += accrued
                accrued = 0.0
        out["lowest_balance_gbp"].append(low)
        out["first_shortfall_day"].append(first)
        out["overdraft_days"].append(od)
        out["overdraft_interest_gbp"].append(interest + accrued)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--sample", type=int, default=300, help="paths for the naive Python loop")
    ap.add_argument("--profile", default="uk_sme_2021")
    args = ap.parse_args()
    n, h = args.paths, args.days
    delay = delay_profile(args.profile)
    print(f"load average before: {os.getloadavg()[0]:.1f}; {os.cpu_count()} CPUs; "
          f"{n:,} paths x {h} days, delays {args.profile}")

    rows = []
    for label, sc in (("overdraft interest 14.6 %", cf.SupplierScenario()),
                      ("no overdraft interest", cf.SupplierScenario(overdraft_rate_pct=0))):
        cf.simulate(sc, delay, 1_000, h, 1)  # warm imports and caches
        t_fast, res = best_of(lambda sc=sc: cf.simulate(sc, delay, n, h, 1), 5)
        m_fast = traced_peak(lambda sc=sc: cf.simulate(sc, delay, n, h, 1))
        t_bands, bands = best_of(lambda sc=sc: cf.balance_bands(sc, delay, n, h, 1), 3)
        m_bands = traced_peak(lambda sc=sc: cf.balance_bands(sc, delay, n, h, 1))
        t_full, full = best_of(lambda sc=sc: cf.simulate(sc, delay, n, h, 1, ledger=True), 2)
        m_full = traced_peak(lambda sc=sc: cf.simulate(sc, delay, n, h, 1, ledger=True))
        draws = _draw(sc, delay, n, h, 1)
        t_np, q = best_of(lambda sc=sc, d=draws: numpy_matrix_bands(sc, d.receipt_day, h), 2)
        m_np = traced_peak(lambda sc=sc, d=draws: numpy_matrix_bands(sc, d.receipt_day, h))
        mine = bands.select([f"balance_p{p}_gbp" for p in PCTS]).to_numpy()
        same_bands = float(np.abs(mine - q).max())
        k = min(args.sample, n)
        t_py, loop = best_of(lambda sc=sc, d=draws, k=k: python_loop(sc, d.receipt_day[:k], h), 1)
        fast = res.paths.head(k)
        same_paths = all(
            np.allclose(np.asarray(loop[c], dtype=float),
                        fast[c].fill_null(h + 1).to_numpy().astype(float), atol=1e-6)
            for c in loop)
        assert full.paths.equals(res.paths) or all(
            np.allclose(full.paths[c].fill_null(-1).to_numpy().astype(float),
                        res.paths[c].fill_null(-1).to_numpy().astype(float), atol=1e-6)
            for c in res.paths.columns)
        rows.append((label, t_fast, m_fast, t_bands, m_bands, t_full, m_full, t_np, m_np,
                     t_py * n / k, same_bands, same_paths,
                     res.summary["shortfall_probability"]))

    print()
    print("| Scenario | Summary, fast (s) | peak MB | Ledger + bands (s) | peak MB | Ledger + "
          "per-path (s) | peak MB | numpy H x n + np.percentile (s) | peak MB | Python loop, scaled "
          "(s) | max band diff (£) | loop = fast | P(shortfall) |")
    print("|---" * 13 + "|")
    for r in rows:
        print(f"| {r[0]} | {r[1]:.3f} | {r[2]:.0f} | {r[3]:.3f} | {r[4]:.0f} | {r[5]:.3f} | "
              f"{r[6]:.0f} | {r[7]:.2f} | {r[8]:.0f} | {r[9]:.0f} | {r[10]:.2g} | {r[11]} | "
              f"{r[12]:.4f} |")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process: {rss:.0f} MB; load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
