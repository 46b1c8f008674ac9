"""The relevant day and the sums owed under the Late Payment of Commercial Debts (Interest) Act 1998, one debt at a time."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from datetime import date

from lainbench.errors import ParamsError
from lainbench.late_payment.rates import (
    _as_date,
    _half_year_bounds,
    _half_year_key,
    _out_of_table,
    _rate_lookup,
)

# Lengths of the statutory periods, as the Act names them ("the period of 30 days beginning
# with ..."). Their LAST days are the start day + length - 1 (s.4(2H)): use the offsets below, or
# period_last_day(). The names are kept importable for the callers (cashflow) that read them.
PUBLIC_PERIOD_DAYS = 30  # s.4(2H): "the relevant 30-day period" (public authority; no agreed day)


PRIVATE_PERIOD_DAYS = 60  # s.4(2E): "the relevant 60-day period" (other purchasers)


PUBLIC_PERIOD_LAST_DAY_OFFSET = PUBLIC_PERIOD_DAYS - 1  # last day = start + 29


PRIVATE_PERIOD_LAST_DAY_OFFSET = PRIVATE_PERIOD_DAYS - 1  # last day = start + 59


ACCEPTANCE_PERIOD_DAYS = 30  # SI 2013/395: acceptance or verification limited to 30 days


DAY_BASIS = 365  # simple interest, ACT/365


# s.5A fixed sums: (lower bound of the band in GBP, sum in GBP); payontime.co.uk compensation table.
COMPENSATION_BANDS: tuple[tuple[float, float], ...] = (
    (0.0, 40.0), (1_000.0, 70.0), (10_000.0, 100.0)
)


# buyer_types.org_type values (lainbench.schemas.ORG_TYPES) treated as private purchasers; the
# rest of the known public-body types use the public-authority rule. "other" or an unknown buyer
# falls back to the ``public_authority`` argument. Universities are treated as public
# authorities: an assumption (see docs/assumptions.md).
PRIVATE_ORG_TYPES = ("company", "llp")


PUBLIC_ORG_TYPES = (
    "nhs_trust", "local_authority", "police", "fire", "university", "central_government",
    "statutory_corporation",
)


@dataclass(frozen=True)
class StatutoryInterest:
    """What one invoice owes under the Late Payment Act.

    ``reference_date``, ``reference_rate_pct``, ``statutory_rate_pct`` and ``rate_status`` give the
    rate the debt carries (fixed at the relevant day), filled whenever the rate table covers the
    half-year in which interest would start, even if the invoice was paid on time. If it was paid
    on time and the table does not reach that half-year, nothing is owed, ``reference_date`` and
    ``rate_status`` are ``None`` and the rates are ``nan``.
    """

    relevant_day: date
    interest_start: date
    days_late: int
    reference_date: date | None
    reference_rate_pct: float
    statutory_rate_pct: float
    interest_gbp: float
    compensation_gbp: float
    rate_status: str | None = None

    @property
    def total_gbp(self) -> float:
        """Interest plus fixed compensation, in GBP to the penny."""
        return round(self.interest_gbp + self.compensation_gbp, 2)


def fixed_compensation_gbp(amount_gbp: float) -> float:
    """Fixed sum under s.5A for a late debt of ``amount_gbp``: £40, £70 or £100 (0 if amount <= 0).

    Bands: under £1,000 -> £40; £1,000 to under £10,000 -> £70; £10,000 or more -> £100.

    >>> [fixed_compensation_gbp(a) for a in (999.99, 1_000, 9_999.99, 10_000, 0)]
    [40.0, 70.0, 70.0, 100.0, 0.0]
    """
    if amount_gbp is None or math.isnan(amount_gbp) or amount_gbp <= 0:
        return 0.0
    out = 0.0
    for lower, fixed in COMPENSATION_BANDS:
        if amount_gbp >= lower:
            out = fixed
    return out


def period_last_day(start: date, days: int = PUBLIC_PERIOD_DAYS) -> date:
    """Last day of "the period of ``days`` days beginning with" ``start``: ``start + days - 1``.

    s.4(2H): "the period of 30 days beginning with" a day counts that day as day 1.

    >>> period_last_day(date(2025, 5, 20)), period_last_day(date(2025, 5, 20), 60)
    (datetime.date(2025, 6, 18), datetime.date(2025, 7, 18))
    >>> period_last_day(date(2024, 2, 1))  # leap year: 1 Feb + 29 = 1 Mar
    datetime.date(2024, 3, 1)
    """
    return _as_date(start, "start") + dt.timedelta(days=int(days) - 1)


def period_start(
    invoice_received_date: date | str,
    goods_received_date: date | str | None = None,
    acceptance_completed_date: date | str | None = None,
    *,
    acceptance_longer_agreed: bool = False,
) -> date:
    """The day the relevant 30-day (and 60-day) period begins with (s.4(2H)).

    The later of the day the purchaser has notice of the amount (``invoice_received_date``) and
    the day the supplier's obligation is performed (``goods_received_date``; taken as the invoice
    day when absent). Where an acceptance or verification procedure applies, the day it was
    completed (``acceptance_completed_date``) when that is later, counted no later than the last
    of the 30 days beginning with performance (SI 2013/395) unless ``acceptance_longer_agreed``
    (a longer procedure expressly agreed and not grossly unfair).

    >>> period_start(date(2025, 3, 1), date(2025, 3, 11))  # goods after the invoice
    datetime.date(2025, 3, 11)
    >>> period_start(date(2025, 3, 1), date(2025, 3, 1), date(2025, 4, 20))  # capped: 1 Mar + 29
    datetime.date(2025, 3, 30)
    >>> period_start(date(2025, 3, 1), date(2025, 3, 1), date(2025, 4, 20),
    ...              acceptance_longer_agreed=True)
    datetime.date(2025, 4, 20)
    """
    invoice = _as_date(invoice_received_date, "invoice_received_date")
    goods = _as_date(goods_received_date, "goods_received_date", optional=True)
    accepted = _as_date(acceptance_completed_date, "acceptance_completed_date", optional=True)
    performed = goods if goods is not None else invoice
    start = max(invoice, performed)
    if accepted is not None:
        if not acceptance_longer_agreed:
            accepted = min(accepted, period_last_day(performed, ACCEPTANCE_PERIOD_DAYS))
        start = max(start, accepted)
    return start


def relevant_day(
    received_date: date,
    due_date: date | None,
    *,
    public_authority: bool = True,
    private_over_60_grossly_unfair: bool = False,
) -> date:
    """The Act's relevant day (s.4(2A)-(2F)): interest starts the day after it.

    ``received_date`` is the day the relevant 30-day period begins with (:func:`period_start`:
    the later of notice of the amount and performance). ``due_date`` is the agreed payment day.

    * No agreed day (s.4(2A)(b)): "the last day of the relevant 30-day period" = received + 29.
    * Public authority (s.4(2D)): the agreed day, or received + 29 where that "falls earlier than
      the agreed payment day".
    * Other purchasers (s.4(2E)-(2F)): the agreed day. With ``private_over_60_grossly_unfair``
      (a per-run reading: an agreed day beyond the 60-day period is grossly unfair), an agreed day
      later than received + 59 gives way to received + 59.

    >>> relevant_day(date(2025, 5, 20), date(2025, 7, 19))  # public: 20 May + 29
    datetime.date(2025, 6, 18)
    >>> relevant_day(date(2025, 5, 20), date(2025, 6, 19))  # "received + 30" is one day beyond
    datetime.date(2025, 6, 18)
    >>> relevant_day(date(2025, 5, 20), date(2025, 8, 18), public_authority=False)
    datetime.date(2025, 8, 18)
    >>> relevant_day(date(2025, 5, 20), date(2025, 8, 18), public_authority=False,
    ...              private_over_60_grossly_unfair=True)  # 20 May + 59
    datetime.date(2025, 7, 18)
    >>> relevant_day(date(2025, 2, 10), None)  # no agreed day: 10 Feb + 29
    datetime.date(2025, 3, 11)
    """
    received = _as_date(received_date, "received_date")
    due = _as_date(due_date, "due_date", optional=True)
    last30 = received + dt.timedelta(days=PUBLIC_PERIOD_LAST_DAY_OFFSET)
    if due is None:
        return last30
    if public_authority:
        return min(due, last30)
    last60 = received + dt.timedelta(days=PRIVATE_PERIOD_LAST_DAY_OFFSET)
    if private_over_60_grossly_unfair and last60 < due:
        return last60
    return due


def _pence_half_up(amount_gbp: float) -> int:
    """Amount in whole pence, half-up (the same float operations as the vectorised form)."""
    return math.floor(amount_gbp * 100 + 0.5)


def _interest_pence(amount_pence: int, rate_bp: int, days: int) -> int:
    """``amount x rate x days / 365`` in whole pence, half-up, in exact integer arithmetic."""
    den = DAY_BASIS * 10_000  # rate in basis points: 1 % = 100 bp; 100 % = 10,000 bp
    return (2 * amount_pence * rate_bp * days + den) // (2 * den)


def statutory_interest(
    amount_gbp: float,
    due_date: date | str | None,
    paid_date: date | str | None,
    *,
    received_date: date | str | None = None,
    public_authority: bool = True,
    private_over_60_grossly_unfair: bool = False,
) -> StatutoryInterest:
    """Statutory interest and fixed compensation owed on one invoice.

    Parameters
    ----------
    amount_gbp
        Gross (VAT-inclusive) amount of the debt. £0 or less (a credit note) owes nothing.
    due_date
        Agreed payment day, or ``None`` if none was agreed (then ``received_date + 29``, the
        last day of the relevant 30-day period).
    paid_date
        Day the supplier was paid; ``None`` for unpaid (nothing owed *yet*: interest is only
        counted once paid).
    received_date
        The day the relevant 30-day period begins with (:func:`period_start`: the later of the
        invoice's receipt and performance, or the end of acceptance). Needed for the s.4(2D)
        public-authority rule and the optional 60-day reading; without it the agreed
        ``due_date`` is the relevant day as it stands.
    public_authority
        Whether the purchaser is a public authority (s.4(2D)).
    private_over_60_grossly_unfair
        Other purchasers only: treat an agreed day beyond the 60-day period as grossly unfair
        (s.4(2E)-(2F)), so the relevant day is received + 59. Default: the agreed day stands.

    >>> r = statutory_interest(800, "2025-12-31", "2026-01-30")
    >>> r.interest_start, r.reference_date, r.statutory_rate_pct, r.interest_gbp, r.total_gbp
    (datetime.date(2026, 1, 1), datetime.date(2025, 12, 31), 11.75, 7.73, 47.73)
    """
    due = _as_date(due_date, "due_date", optional=True)
    paid = _as_date(paid_date, "paid_date", optional=True)
    received = _as_date(received_date, "received_date", optional=True)
    if amount_gbp is None or (isinstance(amount_gbp, float) and math.isnan(amount_gbp)):
        raise ParamsError(f"amount_gbp = {amount_gbp!r}; expected an amount in GBP")
    if received is not None:
        rday = relevant_day(received, due, public_authority=public_authority,
                            private_over_60_grossly_unfair=private_over_60_grossly_unfair)
    elif due is not None:
        rday = due
    else:
        raise ParamsError(
            "due_date and received_date are both missing; give the agreed due date, or the "
            "receipt date so the 30-day default (receipt + 29) applies"
        )
    start = rday + dt.timedelta(days=1)
    days_late = max(0, (paid - rday).days) if paid is not None else 0
    owed = days_late > 0 and amount_gbp > 0

    first, bps, statuses = _rate_lookup()
    key = _half_year_key(start)
    if first <= key < first + len(bps):
        rate_bp, status = bps[key - first], statuses[key - first]
        ref_date = _half_year_bounds(key)[2]
    elif owed:
        raise _out_of_table(key, first, len(bps))
    else:
        rate_bp, status, ref_date = None, None, None

    interest = comp = 0.0
    if owed:
        interest = _interest_pence(_pence_half_up(amount_gbp), rate_bp, days_late) / 100
        comp = fixed_compensation_gbp(amount_gbp)
    return StatutoryInterest(
        relevant_day=rday,
        interest_start=start,
        days_late=days_late,
        reference_date=ref_date,
        reference_rate_pct=(rate_bp - 800) / 100 if rate_bp is not None else math.nan,
        statutory_rate_pct=rate_bp / 100 if rate_bp is not None else math.nan,
        interest_gbp=interest,
        compensation_gbp=comp,
        rate_status=status,
    )
