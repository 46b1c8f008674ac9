"""The daily ledger of the supplier cash-flow model, vectorised over paths, and its summaries."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from lainbench.cashflow.delays import (
    DELAY_PROFILES,
    DelayModel,
    FixedDelay,
    delay_profile,
    describe,
    member_delays,
)
from lainbench.cashflow.scenario import (
    DAYS_PER_YEAR,
    DEBIT_INTERVAL_DAYS,
    DEFAULT_SEED,
    SupplierScenario,
    metrics_frame,
)
from lainbench.errors import ParamsError


def resolve_delay(delay: DelayModel | str, scenario: SupplierScenario) -> DelayModel:
    """A delay model from a model or a name (a 5.1 profile, or ``"deterministic"`` = ceil(D)).

    >>> resolve_delay("deterministic", SupplierScenario(days_late=4.2)).days
    4.2
    """
    if isinstance(delay, str):
        if delay == "deterministic":
            return FixedDelay(scenario.days_late)
        if delay in DELAY_PROFILES:
            return delay_profile(delay)
        raise ParamsError(
            f"delay = {delay!r} is unknown; use deterministic, one of {', '.join(DELAY_PROFILES)}, "
            "or a delay model (lainbench.cashflow.delays.empirical_delay for a member's own invoices)"
        )
    if not hasattr(delay, "days_late"):
        raise ParamsError(f"delay = {delay!r} is not a delay model (it has no days_late method)")
    return delay


def _check_run(n_paths: int, horizon_days: int, seed: int | None) -> None:
    if not isinstance(n_paths, (int, np.integer)) or isinstance(n_paths, bool) or n_paths < 1:
        raise ParamsError(f"n_paths = {n_paths!r}; expected a whole number above 0")
    if not isinstance(horizon_days, (int, np.integer)) or horizon_days < 1:
        raise ParamsError(
            f"horizon_days = {horizon_days!r}; expected a whole number of days above 0"
        )
    if seed is not None and (not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ParamsError(f"seed = {seed!r}; expected a whole number, 0 or more (or None)")


@dataclass(frozen=True)
class _Draws:
    """Receipt days of every invoice on every path."""

    issue_day: np.ndarray  # (K,) kB
    days_late: np.ndarray  # (n, K) D_k
    receipt_day: np.ndarray  # (n, K) R_k


def _draw(
    scenario: SupplierScenario, delay: DelayModel, n_paths: int, horizon_days: int, seed: int | None
) -> _Draws:
    """Draw ``u`` then ``z`` (n x K each, float32) from ``default_rng(seed)``; turn them into receipts."""
    k = horizon_days // scenario.billing_interval_days
    rng = np.random.default_rng(seed)
    u = rng.random((n_paths, k), dtype=np.float32)
    z = rng.standard_normal((n_paths, k), dtype=np.float32)
    d = np.asarray(delay.days_late(u, z), dtype=np.int64)
    issue = np.arange(1, k + 1, dtype=np.int64) * scenario.billing_interval_days
    if scenario.takes_early_payment:
        # the buyer's early-payment offer is taken: every invoice paid on day t, on time (the
        # draws are still made, so scenarios sharing a seed keep sharing them)
        d = np.zeros_like(d)
        receipt = np.broadcast_to(issue + scenario.early_payment_days, d.shape).copy()
        return _Draws(issue, d, receipt)
    receipt = (issue + scenario.approval_lag_days + scenario.terms_days)[None, :] + d
    return _Draws(issue, d, receipt)


def _cumulative_costs(scenario: SupplierScenario, horizon_days: int) -> np.ndarray:
    """``cc[t]`` = costs paid on days 1..t, for t = 0..H+1 (non-decreasing)."""
    t = np.arange(horizon_days + 2, dtype=np.float64)
    return (
        scenario.variable_cost_gbp_per_day * np.maximum(0.0, t - scenario.supplier_payables_days)
        + scenario.fixed_overhead_gbp_per_day * t
    )


def _funding_window_start(scenario: SupplierScenario, horizon_days: int) -> int:
    """First day W of the whole billing cycles after invoice 1 falls due, ending on day H."""
    b = scenario.billing_interval_days
    first_due = b + scenario.approval_lag_days + scenario.terms_days
    cycles = (horizon_days - first_due) // b
    return horizon_days - cycles * b + 1 if cycles >= 1 else 1


def _invoice_outputs(
    scenario: SupplierScenario, draws: _Draws, horizon_days: int
) -> dict[str, np.ndarray]:
    """Per path: invoices paid and late within H, statutory interest and compensation (E6), own
    cost of lateness, and the simulated mean cost-basis funding need (E3).
    """
    from lainbench.late_payment import DAY_BASIS, fixed_compensation_gbp

    s, h = scenario, horizon_days
    paid = draws.receipt_day <= h
    late_days = draws.days_late * paid  # D_k of invoices paid within H, else 0
    # E6: relevant day = receipt + the Act's offset (late_payment.relevant_day: public
    # min(l + N, 29), private the agreed day unless capped); interest to the penny on the sum
    # owed, VAT included: I (1 + vat)
    relevant = draws.issue_day + s.statutory_relevant_offset_days
    stat_days = np.maximum(draws.receipt_day - relevant[None, :], 0)
    stat_days *= paid
    # interest in whole pence, half-up, as late_payment.statutory_interest: exact integers, one
    # per possible number of days (a table, as int64 division over n x K is slow)
    gross = s.invoice_gross_gbp
    amount_pence = math.floor(gross * 100 + 0.5)
    rate_bp = round(s.statutory_rate_pct_used * 100)
    den = DAY_BASIS * 10_000
    table = np.array(
        [
            (2 * amount_pence * rate_bp * d + den) // (2 * den)
            for d in range(int(stat_days.max(initial=0)) + 1)
        ],
        dtype=np.int64,
    )
    pence = table[stat_days]  # 0 when stat_days == 0
    comp = fixed_compensation_gbp(gross)
    own = s.invoice_amount_gbp * s.overdraft_rate_pct_used / 100 / DAYS_PER_YEAR
    # E3 simulated: mean over days W..H of c (V t / 365 - I count_t) - c V min(t, DPO) / 365
    w = _funding_window_start(s, h)
    t = np.arange(w, h + 1, dtype=np.float64)
    count_days = ((h + 1 - np.maximum(draws.receipt_day, w)) * paid).sum(axis=1)
    a = s.variable_cost_gbp_per_day
    need = (
        a * t.sum()
        - s.variable_cost_share * s.invoice_amount_gbp * count_days
        - a * np.minimum(t, s.supplier_payables_days).sum()
    ) / t.size
    late_total = late_days.sum(axis=1)
    return {
        "invoices_paid": paid.sum(axis=1),
        "late_invoices": (late_days > 0).sum(axis=1),
        "days_late_total": late_total,
        "statutory_interest_gbp": pence.sum(axis=1) / 100,
        "fixed_compensation_gbp": comp * (stat_days > 0).sum(axis=1),
        "own_cost_of_lateness_gbp": own * late_total,
        "mean_funding_need_gbp": np.maximum(need, 0.0),
    }


def _first_day_above(x: np.ndarray, scenario: SupplierScenario, cc_ext: np.ndarray) -> np.ndarray:
    """First day ``t`` in ``0..H+2`` with ``cc[t] > x`` (``H + 2`` if none), for every path.

    ``cc`` is convex and piecewise linear (slope ``F`` up to day DPO, then ``c V / 365 + F``), so
    the answer is the earlier of the two lines' crossing days; one step either way then makes it
    agree exactly with the ``cc`` array as computed. (``numpy.searchsorted`` with 100,000 unsorted
    keys was 100 times slower.)
    """
    a, f = scenario.variable_cost_gbp_per_day, scenario.fixed_overhead_gbp_per_day
    dpo = scenario.supplier_payables_days
    last = cc_ext.size - 1  # H + 2, where cc_ext is +inf
    if a + f <= 0:
        t = (x >= 0) * np.int64(last)
    else:
        with np.errstate(over="ignore"):  # a tiny daily cost: the crossing day is beyond H
            t = np.floor((x + a * dpo) / (a + f)) + 1
            if f > 0:
                np.minimum(t, np.floor(x / f) + 1, out=t)
        t = np.clip(t, 0, last).astype(np.int64)
        t *= x >= 0
    t -= (cc_ext[np.maximum(t - 1, 0)] > x) & (t > 0)
    t += cc_ext[t] <= x
    return t


def _ledger_events(
    scenario: SupplierScenario, receipt_day: np.ndarray, horizon_days: int
) -> dict[str, np.ndarray]:
    """Per-path ledger results evaluated only at events (fast path, exact).

    Between events (receipts, and overdraft-interest debits every 30 days) the end-of-day balance
    is ``level - cc[t]``: costs only. So the lowest intraday balance falls just before a receipt or
    on day H, and the overdraft days, interest and first shortfall day in a stretch follow from
    the first day the cumulative costs pass a level, and their prefix sums. A loop over the
    K + H/30 events (never over paths or days), written with in-place arithmetic on masks.
    """
    s, h = scenario, horizon_days
    n = receipt_day.shape[0]
    cc = _cumulative_costs(s, h)
    cc_ext = np.append(cc, np.inf)
    prefix = np.cumsum(cc)  # prefix[t] = cc[0] + ... + cc[t]
    c0, limit, inv = s.opening_cash_gbp, s.overdraft_limit_gbp, s.receipt_amount_gbp
    r = s.overdraft_rate_pct_used / 100 / DAYS_PER_YEAR
    codes = (np.minimum(receipt_day, h + 1) * 2 + 1).astype(np.int32)  # receipts: on their day
    if r > 0:
        j = h // DEBIT_INTERVAL_DAYS
        debits = (np.arange(1, j + 1, dtype=np.int32) * DEBIT_INTERVAL_DAYS + 1) * 2  # from 30j+1
        codes = np.concatenate([codes, np.broadcast_to(debits, (n, j))], axis=1)
    codes = np.ascontiguousarray(np.sort(codes, axis=1).T)  # one row per event

    level = np.full(n, c0, dtype=np.float64)
    cur = np.ones(n, dtype=np.int64)
    accrued = np.zeros(n)
    interest = np.zeros(n)
    od_days = np.zeros(n, dtype=np.int64)
    min_low = np.full(n, np.inf)
    first_short = np.full(n, h + 1, dtype=np.int64)
    never = 1e300

    def stretch(stop: np.ndarray) -> None:
        """Days cur .. stop-1, where the pre-debit balance is level - cc[t]."""
        hi = stop - 1
        first = _first_day_above(level, s, cc_ext)
        start = np.minimum(np.maximum(cur, first), stop)
        cnt = stop - start
        od_days[:] += cnt
        if r > 0:
            below = prefix[hi] - prefix[start - 1] - level * cnt
            accrued[:] += r * below
        above = first if limit == 0 else _first_day_above(level + limit, s, cc_ext)
        short = np.maximum(cur, above)
        short += (short > hi) * (h + 1 - short)
        np.minimum(first_short, short, out=first_short)

    for code in codes:
        day = np.minimum(code >> 1, h + 1).astype(np.int64)
        stretch(day)
        valid = day <= h
        is_receipt = valid & (code & 1).astype(bool)
        low = level - cc[day]
        np.minimum(min_low, low + (~is_receipt) * never, out=min_low)
        hit = is_receipt & (low < -limit)
        np.minimum(first_short, day + (~hit) * (h + 1 - day), out=first_short)
        level += inv * is_receipt
        if r > 0:
            debit = accrued * (valid & ~is_receipt)
            level -= debit
            interest += debit
            accrued -= debit
        cur = day
    stretch(np.full(n, h + 1, dtype=np.int64))
    np.minimum(min_low, level - cc[h], out=min_low)
    debit_on_last_day = r > 0 and h % DEBIT_INTERVAL_DAYS == 0
    end = level - cc[h] - (accrued if debit_on_last_day else 0.0)
    return {
        "lowest_balance_gbp": min_low,
        "first_shortfall_day": first_short,
        "overdraft_days": od_days,
        "overdraft_interest_gbp": interest + accrued,
        "end_balance_gbp": end,
    }


def _replace_sorted(srt: np.ndarray, old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """In the sorted multiset ``srt``, replace the values ``old`` by ``new`` (kept sorted)."""
    old_s = np.sort(old)
    pos = np.searchsorted(srt, old_s, side="left")
    pos += np.arange(old_s.size) - np.searchsorted(old_s, old_s, side="left")  # equal values
    srt = np.delete(srt, pos)
    new_s = np.sort(new)
    return np.insert(srt, np.searchsorted(srt, new_s, side="left"), new_s)


BAND_PERCENTILES = (5, 25, 50, 75, 95)


def _ledger_daily(
    scenario: SupplierScenario,
    receipt_day: np.ndarray,
    horizon_days: int,
    *,
    stats: bool = True,
    percentiles: Sequence[float] = BAND_PERCENTILES,
    keep: bool = False,
) -> tuple[dict[str, np.ndarray], pl.DataFrame, np.ndarray | None]:
    """The full daily ledger: a loop over days, vectorised over paths.

    Every path's balance is carried day by day as ``key - cc[t]``, where ``key = C0 + I x
    receipts so far - interest debited`` and ``cc[t]`` (costs paid so far) is the same for all
    paths. Subtracting a common amount keeps the paths' order, so the daily percentile bands come
    from a sorted copy of ``key`` that changes only for the paths paid that day (and is re-sorted
    after each 30-day interest debit): exact order statistics without storing or partitioning an
    H x n matrix. ``stats`` adds the per-path results (the naive day-by-day counterpart of
    :func:`_ledger_events`); ``keep`` also returns the H x n float32 balances (for checks).
    """
    s, h = scenario, horizon_days
    n, k = receipt_day.shape
    cc = _cumulative_costs(s, h)
    c0, limit, inv = s.opening_cash_gbp, s.overdraft_limit_gbp, s.receipt_amount_gbp
    r = s.overdraft_rate_pct_used / 100 / DAYS_PER_YEAR
    # receipts grouped by day (a radix sort on small ints); receipts after H fall in bucket H+1
    flat = np.minimum(receipt_day, h + 1).ravel()
    order = np.argsort(flat.astype(np.int16 if h < 32_000 else np.int32), kind="stable")
    paths = (order // max(k, 1)).astype(np.intp)
    starts = np.searchsorted(flat[order], np.arange(h + 2))

    pos = np.asarray(percentiles, dtype=float) / 100 * (n - 1)
    q_lo, q_hi = np.floor(pos).astype(np.intp), np.ceil(pos).astype(np.intp)
    frac = pos - q_lo
    band = np.empty((h, len(pos)))
    mean = np.empty(h)
    overdrawn = np.empty(h)

    key = np.full(n, float(c0))
    srt = key.copy()
    total = float(c0) * n
    accrued = np.zeros(n)
    interest = np.zeros(n)
    od_days = np.zeros(n, dtype=np.int64)
    min_low = np.full(n, np.inf)
    first_short = np.full(n, h + 1, dtype=np.int64)
    balances = np.empty((h, n), dtype=np.float32) if keep else None
    tmp = np.empty(n)
    mask = np.empty(n, dtype=bool)
    for t in range(1, h + 1):
        cost = cc[t]
        if stats:  # intraday low: before today's receipts
            np.subtract(key, cost, out=tmp)
            np.minimum(min_low, tmp, out=min_low)
            np.less(tmp, -limit, out=mask)
            np.minimum(first_short, h + 1 - mask * (h + 1 - t), out=first_short)
        paid = paths[starts[t] : starts[t + 1]]
        if paid.size:
            who, times = np.unique(paid, return_counts=True)
            old = key[who]
            key[who] = old + inv * times
            srt = _replace_sorted(srt, old, key[who])
            total += inv * paid.size
        if r > 0 or stats:
            np.subtract(cost, key, out=tmp)  # minus the pre-debit end-of-day balance
            if stats:
                np.greater(tmp, 0.0, out=mask)
                od_days += mask
            if r > 0:
                np.maximum(tmp, 0.0, out=tmp)
                tmp *= r
                accrued += tmp
                if t % DEBIT_INTERVAL_DAYS == 0:
                    key -= accrued
                    total -= accrued.sum()
                    interest += accrued
                    accrued[:] = 0.0
                    srt = np.sort(key)
        if keep:
            np.subtract(key, cost, out=tmp)
            balances[t - 1] = tmp
        lo, hi = srt[q_lo], srt[q_hi]
        band[t - 1] = lo + frac * (hi - lo) - cost
        mean[t - 1] = total / n - cost
        overdrawn[t - 1] = np.searchsorted(srt, cost, side="left") / n  # key < cost
    cols: dict[str, Any] = {"day": np.arange(1, h + 1, dtype=np.int32)}
    for i, p in enumerate(percentiles):
        cols[f"balance_p{p:g}_gbp"] = band[:, i]
    cols["balance_mean_gbp"] = mean
    cols["share_overdrawn"] = overdrawn
    results: dict[str, np.ndarray] = {}
    if stats:
        results = {
            "lowest_balance_gbp": min_low,
            "first_shortfall_day": first_short,
            "overdraft_days": od_days,
            "overdraft_interest_gbp": interest + accrued,
            "end_balance_gbp": key - cc[h],
        }
    return results, pl.DataFrame(cols), balances


@dataclass(frozen=True)
class SimulationResult:
    """What :func:`simulate` returns: per-path results, a summary and (with the ledger) bands."""

    scenario: SupplierScenario
    delay: dict[str, Any]
    n_paths: int
    horizon_days: int
    seed: int | None
    paths: pl.DataFrame
    summary: dict[str, float]
    bands: pl.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def summary_frame(self, **labels: Any) -> pl.DataFrame:
        """Tidy ``metric, unit, equation, value``."""
        return metrics_frame(self.summary, **labels)


def _pcts(x: np.ndarray, qs: Sequence[float] = (5, 50, 95)) -> list[float]:
    return [float(v) for v in np.percentile(x, qs)] if x.size else [math.nan] * len(qs)


def _summarise(
    scenario: SupplierScenario, res: dict[str, np.ndarray], n: int, h: int
) -> dict[str, float]:
    short = res["first_shortfall_day"] <= h
    p = float(short.mean())
    peak = res["peak_need_gbp"]
    paid = float(res["invoices_paid"].sum())
    own = float(res["own_cost_of_lateness_gbp"].mean())
    low5, low50, low95 = _pcts(res["lowest_balance_gbp"])
    peak5, peak50, peak95 = _pcts(peak)
    od5, od50, od95 = _pcts(res["overdraft_days"])
    (int95,) = _pcts(res["overdraft_interest_gbp"], (95,))
    (first50,) = _pcts(res["first_shortfall_day"][short], (50,))
    (end50,) = _pcts(res["end_balance_gbp"], (50,))
    out = {
        "n_paths": float(n),
        "horizon_days": float(h),
        "late_invoice_share": float(res["late_invoices"].sum()) / paid if paid else math.nan,
        "mean_days_late": float(res["days_late_total"].sum()) / paid if paid else math.nan,
        "shortfall_probability": p,
        "shortfall_probability_se": math.sqrt(p * (1 - p) / n),
        "first_shortfall_day_p50": first50,
        "lowest_balance_gbp_p5": low5,
        "lowest_balance_gbp_p50": low50,
        "lowest_balance_gbp_p95": low95,
        "peak_need_gbp_mean": float(peak.mean()),
        "peak_need_gbp_p5": peak5,
        "peak_need_gbp_p50": peak50,
        "peak_need_gbp_p95": peak95,
        "overdraft_days_mean": float(res["overdraft_days"].mean()),
        "overdraft_days_p5": od5,
        "overdraft_days_p50": od50,
        "overdraft_days_p95": od95,
        "overdraft_interest_gbp_mean": float(res["overdraft_interest_gbp"].mean()),
        "overdraft_interest_gbp_p95": int95,
        "statutory_interest_gbp_mean": float(res["statutory_interest_gbp"].mean()),
        "fixed_compensation_gbp_mean": float(res["fixed_compensation_gbp"].mean()),
        "statutory_due_gbp_mean": float(
            (res["statutory_interest_gbp"] + res["fixed_compensation_gbp"]).mean()
        ),
        "own_cost_of_lateness_gbp_mean": own,
        "statutory_interest_to_own_cost_ratio": (
            float(res["statutory_interest_gbp"].mean()) / own if own > 0 else math.nan
        ),
        "mean_funding_need_gbp": float(res["mean_funding_need_gbp"].mean()),
        "financing_cost_per_gbp_sim": float(
            scenario.financing_rate_pct_used
            / 100
            * res["mean_funding_need_gbp"].mean()
            / scenario.annual_value_gbp
        ),
        "end_balance_gbp_p50": end50,
    }
    return out


PATH_COLUMNS = (
    "path",
    "lowest_balance_gbp",
    "shortfall",
    "first_shortfall_day",
    "peak_need_gbp",
    "overdraft_days",
    "overdraft_interest_gbp",
    "end_balance_gbp",
    "invoices_paid",
    "late_invoices",
    "statutory_interest_gbp",
    "fixed_compensation_gbp",
    "own_cost_of_lateness_gbp",
    "mean_funding_need_gbp",
)


def simulate(
    scenario: SupplierScenario,
    delay: DelayModel | str = "deterministic",
    n_paths: int = 10_000,
    horizon_days: int = 365,
    seed: int | None = DEFAULT_SEED,
    *,
    ledger: bool = False,
    percentiles: Sequence[float] = BAND_PERCENTILES,
) -> SimulationResult:
    """Monte Carlo of the daily ledger (5.3) over ``n_paths`` paths of ``horizon_days`` days.

    Parameters
    ----------
    scenario
        The supplier and contract.
    delay
        A delay model (:mod:`lainbench.cashflow.delays`), a profile name (``"uk_sme_2021"`` ...), or
        ``"deterministic"`` (every invoice ``ceil(scenario.days_late)`` days late).
    n_paths, horizon_days, seed
        Paths, days ``H`` and the seed of ``numpy.random.default_rng``: the same seed gives the
        same draws, and scenarios sharing a seed share their random numbers.
    ledger
        ``False`` (default): the fast summary, evaluating each path only at its receipts and
        interest debits (exact). ``True``: the full day-by-day ledger, which also returns the
        daily percentile bands in ``bands``; both give the same per-path results.

    Returns
    -------
    SimulationResult
        ``paths`` (one row per path: lowest balance, shortfall and its first day, peak need
        ``max(0, C0 - lowest)``, overdraft days and interest, statutory interest and
        compensation due, ...) and ``summary`` (see :data:`METRICS`).

    >>> sc = SupplierScenario(opening_cash_gbp=5_000, statutory_rate_pct=11.75)
    >>> res = simulate(sc, "uk_sme_2021", n_paths=2_000, seed=3)
    >>> 0 < res.summary["shortfall_probability"] <= 1, res.paths.height
    (True, 2000)
    """
    _check_run(n_paths, horizon_days, seed)
    model = resolve_delay(delay, scenario)
    draws = _draw(scenario, model, int(n_paths), int(horizon_days), seed)
    h = int(horizon_days)
    bands = None
    if ledger:
        res, bands, _ = _ledger_daily(scenario, draws.receipt_day, h, percentiles=percentiles)
    else:
        res = _ledger_events(scenario, draws.receipt_day, h)
    res.update(_invoice_outputs(scenario, draws, h))
    res["peak_need_gbp"] = np.maximum(0.0, scenario.opening_cash_gbp - res["lowest_balance_gbp"])
    summary = _summarise(scenario, res, int(n_paths), h)
    first = res["first_shortfall_day"]
    paths = (
        pl.DataFrame(
            {
                "path": np.arange(n_paths, dtype=np.int64),
                "lowest_balance_gbp": res["lowest_balance_gbp"],
                "shortfall": first <= h,
                "first_shortfall_day": first,
                "peak_need_gbp": res["peak_need_gbp"],
                "overdraft_days": res["overdraft_days"].astype(np.int64),
                "overdraft_interest_gbp": res["overdraft_interest_gbp"],
                "end_balance_gbp": res["end_balance_gbp"],
                "invoices_paid": res["invoices_paid"].astype(np.int64),
                "late_invoices": res["late_invoices"].astype(np.int64),
                "statutory_interest_gbp": res["statutory_interest_gbp"],
                "fixed_compensation_gbp": res["fixed_compensation_gbp"],
                "own_cost_of_lateness_gbp": res["own_cost_of_lateness_gbp"],
                "mean_funding_need_gbp": res["mean_funding_need_gbp"],
            }
        )
        .with_columns(
            pl.when(pl.col("shortfall"))
            .then(pl.col("first_shortfall_day"))
            .alias("first_shortfall_day")
        )
        .select(PATH_COLUMNS)
    )
    return SimulationResult(
        scenario=scenario,
        delay=describe(model),
        n_paths=int(n_paths),
        horizon_days=h,
        seed=seed,
        paths=paths,
        summary=summary,
        bands=bands,
    )


def balance_bands(
    scenario: SupplierScenario,
    delay: DelayModel | str = "deterministic",
    n_paths: int = 10_000,
    horizon_days: int = 365,
    seed: int | None = DEFAULT_SEED,
    percentiles: Sequence[float] = BAND_PERCENTILES,
) -> pl.DataFrame:
    """Daily percentile bands of the end-of-day balance, for a fan chart.

    One row per day: ``day``, ``balance_p5_gbp`` ... ``balance_p95_gbp`` (numpy's linear
    percentiles across paths), ``balance_mean_gbp`` and ``share_overdrawn`` (share of paths with
    a negative end-of-day balance). Every path is carried through every day, but the percentiles
    come from an incrementally updated sorted copy of the balances (see :func:`_ledger_daily`),
    so memory stays O(n). Same draws as :func:`simulate` for the same seed.

    >>> b = balance_bands(SupplierScenario(), "deterministic", n_paths=10, horizon_days=60)
    >>> b.height, round(b["balance_p50_gbp"][59], 2)   # 20000 - 60 x 263.01 + one invoice
    (60, 14082.19)
    """
    _check_run(n_paths, horizon_days, seed)
    model = resolve_delay(delay, scenario)
    draws = _draw(scenario, model, int(n_paths), int(horizon_days), seed)
    _, bands, _ = _ledger_daily(
        scenario, draws.receipt_day, int(horizon_days), stats=False, percentiles=percentiles
    )
    return bands


def member_shortfall(
    scenario: SupplierScenario,
    invoices,
    members: list[str] | Literal["all"] = "all",
    *,
    n_paths: int = 10_000,
    horizon_days: int = 365,
    seed: int | None = DEFAULT_SEED,
    size_bands: list[str] | None = None,
    min_invoices: int = 30,
) -> pl.DataFrame:
    """The same supplier paid the way each member pays: one simulation per member.

    Each member's delay model is the empirical distribution of days late in its own invoices
    (:func:`lainbench.cashflow.delays.member_delays`), applied beyond the scenario's terms. Members with too
    few paid invoices get a row with null results and the ``reason``. Sorted by shortfall
    probability, highest first.

    >>> from lainbench.demo import invoices
    >>> t = member_shortfall(SupplierScenario(statutory_rate_pct=11.75), invoices(3_000, seed=1),
    ...                      ["city_fire", "nowhere"], n_paths=200)
    >>> t.select("buyer_org_id", "reason").rows()
    [('city_fire', None), ('nowhere', 'not in the invoice table')]
    """
    models, skipped = member_delays(
        invoices, members, size_bands=size_bands, min_invoices=min_invoices
    )
    rows = []
    for org, model in models.items():
        res = simulate(scenario, model, n_paths, horizon_days, seed)
        sm = res.summary
        rows.append(
            {
                "buyer_org_id": org,
                "paid_invoices": model.n_invoices,
                "late_share": model.late_share,
                "mean_days_late": model.mean_days_late,
                "days_late_p95": float(model.quantile(0.95)),
                "shortfall_probability": sm["shortfall_probability"],
                "shortfall_probability_se": sm["shortfall_probability_se"],
                "peak_need_gbp_p95": sm["peak_need_gbp_p95"],
                "overdraft_days_mean": sm["overdraft_days_mean"],
                "overdraft_interest_gbp_mean": sm["overdraft_interest_gbp_mean"],
                "statutory_due_gbp_mean": sm["statutory_due_gbp_mean"],
                "financing_cost_per_gbp_sim": sm["financing_cost_per_gbp_sim"],
                "reason": None,
            }
        )
    schema = {
        "buyer_org_id": pl.String,
        "paid_invoices": pl.Int64,
        "late_share": pl.Float64,
        "mean_days_late": pl.Float64,
        "days_late_p95": pl.Float64,
        "shortfall_probability": pl.Float64,
        "shortfall_probability_se": pl.Float64,
        "peak_need_gbp_p95": pl.Float64,
        "overdraft_days_mean": pl.Float64,
        "overdraft_interest_gbp_mean": pl.Float64,
        "statutory_due_gbp_mean": pl.Float64,
        "financing_cost_per_gbp_sim": pl.Float64,
        "reason": pl.String,
    }
    done = pl.DataFrame(rows, schema=schema)
    missing = skipped.select(
        "buyer_org_id",
        *[
            pl.lit(None, dtype=t).alias(c)
            for c, t in schema.items()
            if c not in ("buyer_org_id", "reason")
        ],
        "reason",
    )
    return pl.concat([done, missing]).sort(
        "shortfall_probability", "buyer_org_id", descending=[True, False], nulls_last=True
    )
