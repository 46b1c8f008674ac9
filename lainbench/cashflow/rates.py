"""Rates a supplier compares: effective annual rates, early-payment discounts, supply-chain finance.

* :func:`effective_annual_rate_pct` - the EAR of a nominal annual rate compounded ``m`` times a
  year, ``(1 + r / m)^m - 1`` (economics.md 1.8, Check 6: Lloyds' representative 16.77 % is
  Bank Rate 4.75 % + 10.85 % compounded monthly). Statutory interest is simple by law (s.1(1)
  of the 1998 Act): its EAR is the nominal rate, :func:`simple_rate_ear_pct`.
* :func:`discount_implied_rate_pct` - what an early-payment discount "d/t net N" costs the
  supplier as an annual rate on the money it gets ``N - t`` days early: ``d / (1 - d) x 365 /
  (N - t)`` simple, ``(1 / (1 - d))^(365 / (N - t)) - 1`` compound (economics.md 2.1).
* :func:`parse_discount_terms` - "2/10 net 30" as ``(2.0, 10, 30)``.
* :func:`supply_chain_finance_discount_pct` - a buyer-led funder pays ``days_early`` days before
  the due day, less ``rate x days_early / 365`` (priced on the buyer's credit, economics.md 1.8).

Set either against the overdraft's EAR: taking the money early is cheaper than waiting on the
overdraft when the implied compound rate is below the overdraft EAR (and the overdraft has room).

>>> round(effective_annual_rate_pct(4.75 + 10.85), 2)
16.77
>>> [round(discount_implied_rate_pct(2, 10, 30, compound=c), 2) for c in (False, True)]
[37.24, 44.59]
"""

from __future__ import annotations

import math
import re

from lainbench.errors import ParamsError

__all__ = [
    "COMPOUNDING_PERIODS_PER_YEAR",
    "discount_implied_rate_pct",
    "effective_annual_rate_pct",
    "parse_discount_terms",
    "simple_rate_ear_pct",
    "supply_chain_finance_discount_pct",
]

COMPOUNDING_PERIODS_PER_YEAR = 12  # overdrafts: interest calculated daily, charged monthly
DAYS_PER_YEAR = 365

_TERMS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+)\s+net\s+(\d+)\s*$", re.IGNORECASE)


def effective_annual_rate_pct(nominal_pct: float,
                              periods_per_year: int = COMPOUNDING_PERIODS_PER_YEAR) -> float:
    """EAR in % of a nominal annual rate in %, compounded ``periods_per_year`` times.

    >>> round(effective_annual_rate_pct(14.6), 2)   # 3.75 + 10.85 at Bank Rate 3.75 %
    15.62
    >>> effective_annual_rate_pct(0.0)
    0.0
    """
    if periods_per_year < 1:
        raise ParamsError(f"periods_per_year = {periods_per_year!r}; expected 1 or more")
    r = nominal_pct / 100
    return ((1 + r / periods_per_year) ** periods_per_year - 1) * 100


def simple_rate_ear_pct(nominal_pct: float) -> float:
    """EAR of a simple (never compounded) annual rate: the rate itself (statutory interest).

    >>> simple_rate_ear_pct(11.75)
    11.75
    """
    return float(nominal_pct)


def discount_implied_rate_pct(discount_pct: float, discount_days: int, net_days: int, *,
                              compound: bool = False) -> float:
    """Annual rate in % the supplier pays to be paid ``net_days - discount_days`` days early.

    ``discount_pct`` of the invoice is given up on day ``discount_days`` instead of the full sum
    on ``net_days``. Simple: ``d / (1 - d) x 365 / (N - t)``; compound: ``(1 / (1 - d))^(365 / (N
    - t)) - 1``.

    >>> round(discount_implied_rate_pct(2, 10, 30), 4)   # 0.02 / 0.98 x 365 / 20
    37.2449
    >>> discount_implied_rate_pct(2, 30, 30)
    Traceback (most recent call last):
    ...
    lainbench.errors.ParamsError: early payment: discount day 30 is not before the net day 30; nothing is gained by taking the discount
    """
    if not 0 <= discount_pct < 100:
        raise ParamsError(f"early payment: discount {discount_pct!r} %; expected 0 to under 100")
    gained = net_days - discount_days
    if gained <= 0:
        raise ParamsError(f"early payment: discount day {discount_days} is not before the net day "
                          f"{net_days}; nothing is gained by taking the discount")
    d = discount_pct / 100
    if compound:
        return ((1 / (1 - d)) ** (DAYS_PER_YEAR / gained) - 1) * 100
    return d / (1 - d) * DAYS_PER_YEAR / gained * 100


def parse_discount_terms(text: str) -> tuple[float, int, int]:
    """``"d/t net N"`` as ``(discount %, discount day, net day)``.

    >>> parse_discount_terms("2/10 net 30")
    (2.0, 10, 30)
    >>> parse_discount_terms("2 percent")
    Traceback (most recent call last):
    ...
    lainbench.errors.ParamsError: early payment: '2 percent' is not discount terms; write them as "d/t net N", e.g. "2/10 net 30" (2 % off if paid by day 10, else due on day 30)
    """
    m = _TERMS.match(str(text))
    if not m:
        raise ParamsError(f"early payment: {text!r} is not discount terms; write them as "
                          '"d/t net N", e.g. "2/10 net 30" (2 % off if paid by day 10, else due '
                          "on day 30)")
    return float(m.group(1)), int(m.group(2)), int(m.group(3))


def supply_chain_finance_discount_pct(funder_rate_pct: float, days_early: float) -> float:
    """Share of the invoice in % a supply-chain-finance funder keeps for paying ``days_early``
    days before the due day: ``rate x days_early / 365`` (simple discount on the buyer's credit).

    >>> round(supply_chain_finance_discount_pct(6.75, 50), 4)   # 6.75 x 50 / 365
    0.9247
    """
    if funder_rate_pct < 0 or days_early < 0 or math.isnan(funder_rate_pct):
        raise ParamsError(f"supply-chain finance: rate {funder_rate_pct!r} % and days early "
                          f"{days_early!r}; expected both 0 or more")
    return funder_rate_pct * days_early / DAYS_PER_YEAR
