"""Statutory interest and compensation: Late Payment of Commercial Debts (Interest) Act 1998.

What a late invoice owes its supplier by law, one invoice at a time (:func:`statutory_interest`)
or for a whole invoice table (:func:`with_statutory_interest`, :func:`interest_owed`). Each rule
below quotes the text it follows: s.4 as amended by the Late Payment of Commercial Debts
(Amendment) Regulations 2015 (SI 2015/1336 reg 2,
http://www.legislation.gov.uk/uksi/2015/1336/regulation/2/made?view=plain) and the Late Payment
of Commercial Debts Regulations 2013 (SI 2013/395,
https://legislation.gov.uk/id/uksi/2013/395/regulation/2/5), s.5A, and the Rate of Interest
(No. 3) Order 2002 (SI 2002/1675, http://legislation.data.gov.uk/uksi/2002/1675/made/data.htm).

**The debt is the sum the purchaser owes**, VAT included (``gross_amount_gbp``): interest and
the s.5A band are both worked on it. Ex-VAT amounts are for the supplier's own costs, not the
debt (issue 14).

* **When interest starts** (s.4(2)): "Statutory interest starts to run on the day after the
  relevant day for the debt, at the rate prevailing under section 6 at the end of the relevant
  day."
* **Relevant day** (s.4(2A)): "(a) where there is an agreed payment day, that day, unless a
  different day is given by subsection (2D), (2E) or (2G); (b) where there is not an agreed
  payment day, the last day of the relevant 30-day period." The agreed day is ``due_date``, else
  ``invoice_received_date + agreed_terms_days``. (2G), advance payments, is not modelled.
* **The 30-day period** (s.4(2H)): "'The relevant 30-day period' is the period of 30 days
  beginning with the later or latest of— (a) the day on which the obligation of the supplier to
  which the debt relates is performed; (b) the day on which the purchaser has notice of the
  amount of the debt ...". "Beginning with" makes the start day day 1, so the **last day is the
  start + 29** (:data:`PUBLIC_PERIOD_LAST_DAY_OFFSET`) and interest on a capped debt starts on
  start + 30. The start is the later of ``invoice_received_date`` (notice of the amount) and
  ``goods_received_date`` (performance), so goods or services performed after the invoice move
  the period (:func:`period_start`). The 60-day period is counted the same way: start + 59.
* **Public-authority purchaser** (s.4(2D)): "Where— (a) the purchaser is a public authority, and
  (b) the last day of the relevant 30-day period falls earlier than the agreed payment day, the
  relevant day is the last day of the relevant 30-day period". So terms of "received + 30" are
  one day beyond the period, and the relevant day is received + 29.
* **Other purchasers** (s.4(2E)): "Where— (a) the purchaser is not a public authority, and (b) the
  last day of the relevant 60-day period falls earlier than the agreed payment day, the relevant
  day is the last day of the relevant 60-day period"; (s.4(2F)): "But subsection (2E) does not
  apply (and so the relevant day is the agreed payment day ...) if the agreed payment day is not
  grossly unfair to the supplier". Whether a day is grossly unfair is for a court, not the
  ledger: by default the **agreed day stands**; the per-run option
  ``private_over_60_grossly_unfair=True`` treats every agreed day beyond start + 59 as grossly
  unfair (the 60-day period then caps it). A hard 60-day cap is what the Commercial Payments
  Bill [HL] proposes (``params/payment_rules.yaml``), not the current law.
* **Acceptance or verification** (SI 2013/395 reg 2, inserting the rule now carried into
  s.4(2H)-(2J)): it applies where "there is a procedure of acceptance or verification (whether
  provided for by an enactment or by the contract), under which the conforming of goods or
  services with the contract is to be ascertained, and (b) the purchaser has notice of the amount
  of the debt on or before the day on" which the procedure ends; the period then begins with the
  day the procedure is completed. The procedure may not run beyond 30 days unless a longer one is
  expressly agreed and not grossly unfair. Here: the optional ``acceptance_completed_date`` column
  (``schemas.INVOICE_PAYMENT``) moves the start to that day, counted no later than the 30 days beginning with
  performance (performance + 29) unless ``acceptance_longer_agreed=True``. The full text of
  (2I)-(2J) as amended in 2015 was not retrieved: this reading is marked as judgment in
  ``docs/assumptions.md``.
* **Rate** (SI 2002/1675 art.4): "8 per cent per annum over the official dealing rate in force on
  the 30th June (in respect of interest which starts to run between 1st July and 31st December) or
  the 31st December (in respect of interest which starts to run between 1st January and 30th June)
  immediately before the day on which statutory interest starts to run". **Fixed for the life of
  the debt**: s.4(2) takes the rate "prevailing ... at the end of the relevant day", once, so a debt
  spanning 1 January or 1 July keeps the rate of the half-year in which interest started.
* **Interest** is simple (s.1(1): the debt "carries simple interest"), ``amount x rate / 100 x
  days_late / 365`` (ACT/365 in leap years too: a convention, the Act gives a yearly rate),
  ``days_late = paid date - relevant day``, rounded half-up to the penny, worked in whole pence
  with integers. The paid date is ``supplier_received_date``, else ``payment_date``.
* **Fixed compensation** (s.5A(1)): "Once statutory interest begins to run in relation to a
  qualifying debt, the supplier shall be entitled to a fixed sum"; (s.5A(2)): "(a) for a debt less
  than £1000, the sum of £40; (b) for a debt of £1000 or more, but less than £10,000, the sum of
  £70; (c) for a debt of £10,000 or more, the sum of £100." Once per late invoice, on the gross
  debt. Reasonable recovery costs above the fixed sum (s.5A(2A)) are not modelled.
* **Unpaid invoices** (no payment date) owe nothing *yet* here: interest is only counted once the
  invoice is paid. Credit notes and amounts of £0 or less owe nothing.

Reference rates ship as ``lainbench/data/statutory_reference_rates.csv``, one row per half-year
from H1 2013 to H2 2026, each with its source and a status (``OK`` read in a published
reference-rate table; ``derived`` read off a Bank Rate history at the reference date;
``assumption``). **H2 2026 is an assumption**: Bank Rate on 30 Jun 2026 is not in the sources, so
it is held at 3.75 % after the 5 Feb 2026 hold (:func:`rate_table_notes` lists every row that is
not ``OK``). A date outside the table raises :class:`ReferenceRateError` telling you to add a row.

£12,000 received 20 May 2025 on 60-day terms by a public authority: the 30-day period ends
20 May + 29 = 18 Jun; interest starts 19 Jun (H1 2025: Bank Rate 4.75 % on 31 Dec 2024 + 8).

>>> r = statutory_interest(12_000, date(2025, 7, 19), date(2025, 8, 1),
...                        received_date=date(2025, 5, 20))
>>> r.relevant_day, r.statutory_rate_pct, r.days_late
(datetime.date(2025, 6, 18), 12.75, 44)
>>> r.interest_gbp, r.compensation_gbp, r.total_gbp
(184.44, 100.0, 284.44)
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from lainbench.config import PROJECT_ROOT, REFERENCE_DATA_DIR
from lainbench.errors import ParamsError, SchemaError
from lainbench.schemas import _from_pandas_if_needed

__all__ = [
    "RATES_FILE",
    "ReferenceRateError",
    "StatutoryInterest",
    "fixed_compensation_gbp",
    "interest_owed",
    "period_last_day",
    "period_start",
    "rate_table_notes",
    "reference_rates",
    "relevant_day",
    "statutory_interest",
    "statutory_rate_pct",
    "with_statutory_interest",
]

RATES_FILE = REFERENCE_DATA_DIR / "statutory_reference_rates.csv"
STATUSES = ("OK", "derived", "UNCONFIRMED", "assumption")
STATUTORY_MARGIN_PCT = 8.0  # s.4 / SI 2002/1675: 8 % over the reference rate
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

# The canonical columns this module reads (lainbench.schemas.INVOICE_PAYMENT).
INPUT_COLUMNS: dict[str, pl.DataType] = {
    "invoice_received_date": pl.Date(),
    "goods_received_date": pl.Date(),
    "due_date": pl.Date(),
    "agreed_terms_days": pl.Int32(),
    "payment_date": pl.Date(),
    "supplier_received_date": pl.Date(),
    "gross_amount_gbp": pl.Float64(),
    "is_credit_note": pl.Boolean(),
    # optional: day an acceptance or verification procedure was completed
    "acceptance_completed_date": pl.Date(),
}
DERIVED_COLUMNS = (
    "late_payment_relevant_day", "statutory_interest_rate_pct", "statutory_interest_gbp",
    "fixed_compensation_gbp",
)

_RATES_SCHEMA = {
    "half_year_start": pl.Date(),
    "half_year_end": pl.Date(),
    "reference_date": pl.Date(),
    "bank_rate_pct": pl.Float64(),
    "statutory_rate_pct": pl.Float64(),
    "source": pl.String(),
    "status": pl.String(),
    "note": pl.String(),
}
_REQUIRED_RATE_COLUMNS = tuple(c for c in _RATES_SCHEMA if c != "note")


class ReferenceRateError(ParamsError):
    """The reference-rate table is malformed, or does not cover a date that needs a rate."""


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


# --------------------------------------------------------------------------------------------
# The reference-rate table


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _half_year_key(d: date) -> int:
    """``year * 2 + (0 for Jan-Jun, 1 for Jul-Dec)``: the half-year index used for lookups."""
    return d.year * 2 + (1 if d.month >= 7 else 0)


def _half_year_label(key: int) -> str:
    year, half = divmod(key, 2)
    return f"H{half + 1} {year}"


def _half_year_bounds(key: int) -> tuple[date, date, date]:
    """(first day, last day, reference date) of the half-year ``key``."""
    year, half = divmod(key, 2)
    if half == 0:
        return date(year, 1, 1), date(year, 6, 30), date(year - 1, 12, 31)
    return date(year, 7, 1), date(year, 12, 31), date(year, 6, 30)


@functools.lru_cache(maxsize=8)
def _load_rates(path_str: str, mtime_ns: int) -> pl.DataFrame:
    path = Path(path_str)
    shown = _display(path)
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ReferenceRateError(f"{shown}: cannot be read as CSV ({exc})") from None
    missing = [c for c in _REQUIRED_RATE_COLUMNS if c not in raw.columns]
    if missing:
        raise ReferenceRateError(
            f"{shown}: missing column(s) {', '.join(missing)}; expected a header "
            f"{','.join(_RATES_SCHEMA)} (note optional)"
        )
    if "note" not in raw.columns:
        raw = raw.with_columns(pl.lit(None, pl.String).alias("note"))
    raw = raw.select(list(_RATES_SCHEMA))
    if raw.height == 0:
        raise ReferenceRateError(f"{shown}: no rows; expected one row per half-year")
    for i, row in enumerate(raw.iter_rows(named=True)):
        _check_rate_row(row, i + 2, shown)  # line 1 is the header
    out = raw.with_columns(
        *[pl.col(c).str.to_date("%Y-%m-%d") for c in ("half_year_start", "half_year_end",
                                                       "reference_date")],
        *[pl.col(c).cast(pl.Float64) for c in ("bank_rate_pct", "statutory_rate_pct")],
    ).sort("half_year_start")
    keys = [_half_year_key(d) for d in out["half_year_start"]]
    for prev, cur, start in zip(keys, keys[1:], out["half_year_start"][1:], strict=False):
        if cur == prev:
            raise ReferenceRateError(
                f"{shown}: half_year_start {start} appears twice; keep one row per half-year"
            )
        if cur != prev + 1:
            gap = _half_year_label(prev + 1)
            raise ReferenceRateError(
                f"{shown}: no row for {gap} (between {_half_year_label(prev)} and "
                f"{_half_year_label(cur)}); add the missing half-year so the table has no gaps"
            )
    return out


def _check_rate_row(row: dict, line: int, shown: str) -> None:
    """Check one CSV row; errors name the file, line, column, value and what was expected."""
    where = f"{shown}, line {line}"
    dates = {}
    for col in ("half_year_start", "half_year_end", "reference_date"):
        value = row[col]
        try:
            dates[col] = dt.date.fromisoformat((value or "").strip())
        except ValueError:
            raise ReferenceRateError(
                f"{where}: {col} = {value!r} is not a date; expected YYYY-MM-DD"
            ) from None
    start = dates["half_year_start"]
    if (start.month, start.day) not in ((1, 1), (7, 1)):
        raise ReferenceRateError(
            f"{where}: half_year_start = {start} must be 1 January or 1 July"
        )
    first, last, ref = _half_year_bounds(_half_year_key(start))
    if dates["half_year_end"] != last:
        raise ReferenceRateError(
            f"{where}: half_year_end = {dates['half_year_end']}; expected {last} for a half-year "
            f"starting {first}"
        )
    if dates["reference_date"] != ref:
        raise ReferenceRateError(
            f"{where}: reference_date = {dates['reference_date']}; the Act's reference date for "
            f"interest starting {first} to {last} is {ref} (SI 2002/1675)"
        )
    rates = {}
    for col in ("bank_rate_pct", "statutory_rate_pct"):
        value = row[col]
        try:
            rates[col] = float(value)
        except (TypeError, ValueError):
            raise ReferenceRateError(
                f"{where}: {col} = {value!r} is not a number; expected a percentage such as 4.75"
            ) from None
        if not (0 <= rates[col] < 100) or math.isnan(rates[col]):
            raise ReferenceRateError(f"{where}: {col} = {value!r}; expected a percentage 0-100")
    bank_bp = round(rates["bank_rate_pct"] * 100)
    if abs(rates["bank_rate_pct"] * 100 - bank_bp) > 1e-6:
        raise ReferenceRateError(
            f"{where}: bank_rate_pct = {row['bank_rate_pct']}; give it to at most 2 decimal places"
        )
    expected = (bank_bp + round(STATUTORY_MARGIN_PCT * 100)) / 100
    if abs(rates["statutory_rate_pct"] - expected) > 1e-9:
        raise ReferenceRateError(
            f"{where}: statutory_rate_pct = {row['statutory_rate_pct']}; expected {expected:.2f} "
            f"(bank_rate_pct {rates['bank_rate_pct']:.2f} + 8)"
        )
    if not (row["source"] or "").strip():
        raise ReferenceRateError(f"{where}: source is empty; give the URL the rate was read from")
    if row["status"] not in STATUSES:
        raise ReferenceRateError(
            f"{where}: status = {row['status']!r}; expected one of {', '.join(STATUSES)}"
        )


def reference_rates(path: str | os.PathLike[str] | None = None) -> pl.DataFrame:
    """The shipped reference-rate table, typed and checked.

    One row per half-year in which interest starts: ``half_year_start``, ``half_year_end``,
    ``reference_date``, ``bank_rate_pct``, ``statutory_rate_pct`` (= Bank Rate + 8), ``source``,
    ``status`` and ``note``. ``path`` defaults to :data:`RATES_FILE`; a malformed file raises
    :class:`ReferenceRateError` naming the line and column.

    >>> t = reference_rates()
    >>> t.select("half_year_start", "reference_date", "statutory_rate_pct").row(0)
    (datetime.date(2013, 1, 1), datetime.date(2012, 12, 31), 8.5)
    >>> t["status"][-1], t["half_year_end"][-1]
    ('assumption', datetime.date(2026, 12, 31))
    """
    p = Path(path) if path is not None else RATES_FILE
    if not p.exists():
        raise ReferenceRateError(f"{_display(p)}: reference-rate file not found")
    return _load_rates(str(p.resolve()), p.stat().st_mtime_ns).clone()


def rate_table_notes(path: str | os.PathLike[str] | None = None) -> list[str]:
    """One line for each half-year whose rate is not read from a published table (status not OK).

    >>> rate_table_notes()[-1].split(":")[0]  # doctest: +NORMALIZE_WHITESPACE
    'H2 2026 (interest starting 2026-07-01 to 2026-12-31) uses Bank Rate 3.75 % on 2026-06-30,
    status assumption'
    """
    t = reference_rates(path).filter(pl.col("status") != "OK")
    return [
        f"{_half_year_label(_half_year_key(r['half_year_start']))} (interest starting "
        f"{r['half_year_start']} to {r['half_year_end']}) uses Bank Rate "
        f"{r['bank_rate_pct']:.2f} % "
        f"on {r['reference_date']}, status {r['status']}: {r['note'] or ''} [{r['source']}]"
        for r in t.iter_rows(named=True)
    ]


def _rate_lookup(path: str | os.PathLike[str] | None = None) -> tuple[int, list[int], list[str]]:
    """(first half-year key, statutory rates in basis points, statuses) from the table."""
    t = reference_rates(path)
    first = _half_year_key(t["half_year_start"][0])
    bps = [round(b * 100) + round(STATUTORY_MARGIN_PCT * 100) for b in t["bank_rate_pct"]]
    return first, bps, t["status"].to_list()


def _out_of_table(key: int, first: int, n: int, path: Path = RATES_FILE) -> ReferenceRateError:
    start, end, ref = _half_year_bounds(key)
    return ReferenceRateError(
        f"no statutory reference rate for interest starting in {_half_year_label(key)} "
        f"({start} to {end}): {_display(path)} covers {_half_year_label(first)} to "
        f"{_half_year_label(first + n - 1)}. Add a row for that half-year to {_display(path)} with "
        f"the Bank of England Bank Rate on {ref} and its source"
    )


def statutory_rate_pct(interest_start: date) -> float:
    """Statutory rate in % a year for interest starting on ``interest_start``: reference + 8.

    The reference rate is Bank Rate on 31 December before (interest starting 1 Jan-30 Jun) or on
    30 June (interest starting 1 Jul-31 Dec); SI 2002/1675.

    >>> statutory_rate_pct(date(2025, 6, 30)), statutory_rate_pct(date(2025, 7, 1))
    (12.75, 12.25)
    """
    first, bps, _ = _rate_lookup()
    key = _half_year_key(_as_date(interest_start, "interest_start"))
    if not first <= key < first + len(bps):
        raise _out_of_table(key, first, len(bps))
    return bps[key - first] / 100


# --------------------------------------------------------------------------------------------
# One invoice


def _as_date(value: date | str | None, name: str, *, optional: bool = False) -> date | None:
    if value is None:
        if optional:
            return None
        raise ParamsError(f"{name} is missing; expected a date (datetime.date or 'YYYY-MM-DD')")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ParamsError(f"{name} = {value!r} is not a date; expected datetime.date or 'YYYY-MM-DD'")


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


# --------------------------------------------------------------------------------------------
# Invoice tables (vectorised)


def _public_flag(
    buyer_types: pl.DataFrame | None, public_authority: bool, names: set[str]
) -> pl.Expr | bool:
    """Per-row public-authority flag: ``buyer_types`` where it knows the buyer, else the default.

    Plain ``public_authority`` (a bool, the same for every row) when ``buyer_types`` knows no buyer.
    """
    default = pl.lit(public_authority, pl.Boolean)
    if buyer_types is None:
        return public_authority
    buyer_types = _as_polars(buyer_types, "buyer_types")
    if isinstance(buyer_types, pl.LazyFrame):
        buyer_types = buyer_types.collect()
    missing = [c for c in ("buyer_org_id", "org_type") if c not in buyer_types.columns]
    if missing:
        raise SchemaError(
            f"buyer_types: missing column(s) {', '.join(missing)}; expected buyer_org_id and "
            "org_type (e.g. the member table renamed org_id -> buyer_org_id)"
        )
    if "buyer_org_id" not in names:
        raise SchemaError(
            "invoice table: buyer_types was given but the invoices have no buyer_org_id column"
        )
    bt = buyer_types.select(
        pl.col("buyer_org_id").cast(pl.String), pl.col("org_type").cast(pl.String)
    )
    dup = bt.filter(pl.col("buyer_org_id").is_duplicated())
    if dup.height:
        raise SchemaError(
            f"buyer_types: buyer_org_id {dup['buyer_org_id'][0]!r} appears {dup.height} times; "
            "give one org_type per buyer"
        )
    bt = bt.with_columns(
        pl.when(pl.col("org_type").is_in(PRIVATE_ORG_TYPES)).then(False)
        .when(pl.col("org_type").is_in(PUBLIC_ORG_TYPES)).then(True)
        .otherwise(None).alias("public")
    ).filter(pl.col("public").is_not_null())
    if bt.height == 0:
        return public_authority
    buyer = pl.col("buyer_org_id").cast(pl.String)
    private_ids = bt.filter(~pl.col("public"))["buyer_org_id"].implode()
    public_ids = bt.filter(pl.col("public"))["buyer_org_id"].implode()
    return (
        pl.when(buyer.is_in(private_ids)).then(False)
        .when(buyer.is_in(public_ids)).then(True)
        .otherwise(default)
    )


def _daily_rates() -> tuple[int, pl.Series, int, int]:
    """The rate table as one statutory rate (basis points) per day.

    Returns (first day covered, as days since 1970-01-01; the rates, one per day from it; the first
    half-year key; the number of half-years). The table has no gaps (checked on load), so the day
    ``d`` carries ``rates[d - first_day]`` when ``0 <= d - first_day < len(rates)``.
    """
    first, bps, _ = _rate_lookup()
    t = reference_rates()
    starts = t["half_year_start"].cast(pl.Int32)
    lengths = (t["half_year_end"].cast(pl.Int32) - starts + 1).to_numpy()
    daily = pl.Series("bp", np.repeat(np.asarray(bps, dtype=np.int32), lengths), dtype=pl.Int32)
    return int(starts[0]), daily, first, len(bps)


def _temp_prefix(names: set[str]) -> str:
    """A prefix for temporary columns that no input column starts with."""
    prefix = "__late_payment_"
    while any(n.startswith(prefix) for n in names):
        prefix = "_" + prefix
    return prefix


def _with_statutory_temps(
    lf: pl.LazyFrame, names: set[str], public: pl.Expr | bool, need: pl.Expr | None = None,
    *, private_over_60_grossly_unfair: bool = False, acceptance_longer_agreed: bool = False,
) -> tuple[pl.LazyFrame, dict[str, pl.Expr], list[str]]:
    """``lf`` with the statutory intermediates added as temporary columns, each computed once.

    Returns the frame, the expressions for the four derived columns (over the temporary columns)
    and the temporary column names (for the caller to drop). Dates are worked as whole days since
    1970-01-01 (integer arithmetic: ``pl.duration`` date arithmetic is about 10x slower). ``need``
    (a boolean expression), when given, restricts interest to the rows where it is true: the
    other rows read as "nothing owed" and need no rate.
    """
    prefix = _temp_prefix(names)
    t = {k: prefix + k for k in ("received", "agreed", "paid", "pence", "public", "rday", "days",
                                 "owed", "bp")}

    def col(name: str) -> pl.Expr:
        dtype = INPUT_COLUMNS[name]
        return pl.col(name).cast(dtype) if name in names else pl.lit(None, dtype)

    def day(name: str) -> pl.Expr:  # a date column as days since 1970-01-01
        return col(name).cast(pl.Int32)

    invoice_received = day("invoice_received_date")
    amount = col("gross_amount_gbp")
    # 1. period start (s.4(2H): later of notice and performance; the end of acceptance where
    #    later, capped at performance + 29 unless a longer procedure was agreed), agreed day,
    #    paid day, amount in whole pence
    performed = pl.coalesce(day("goods_received_date"), invoice_received)
    accepted = day("acceptance_completed_date")
    if not acceptance_longer_agreed:
        accepted = pl.min_horizontal(accepted, performed + (ACCEPTANCE_PERIOD_DAYS - 1))
        accepted = pl.when(day("acceptance_completed_date").is_null()).then(None).otherwise(
            accepted)
    step1 = [
        pl.max_horizontal(invoice_received, day("goods_received_date"), accepted)
        .alias(t["received"]),
        pl.coalesce(
            day("due_date").cast(pl.Int64),
            invoice_received.cast(pl.Int64) + col("agreed_terms_days").cast(pl.Int64),
        ).alias(t["agreed"]),
        pl.coalesce(day("supplier_received_date"), day("payment_date")).alias(t["paid"]),
        # every row, as before: an amount that is not a number fails the strict cast
        (amount * 100 + 0.5).floor().cast(pl.Int128).alias(t["pence"]),
    ]
    if isinstance(public, bool):
        is_public = pl.lit(public, pl.Boolean)
    else:
        step1.append(public.alias(t["public"]))
        is_public = pl.col(t["public"])
    received, agreed = pl.col(t["received"]), pl.col(t["agreed"])
    last30 = received + PUBLIC_PERIOD_LAST_DAY_OFFSET
    last60 = received + PRIVATE_PERIOD_LAST_DAY_OFFSET
    # 2. relevant day (s.4(2A)-(2F)): no agreed day -> last day of the 30-day period; public
    #    authority -> the earlier of the agreed day and that last day; others -> the agreed day
    #    (or, with the grossly-unfair reading, the 60-day period's last day where earlier)
    private_day = agreed
    if private_over_60_grossly_unfair:
        private_day = pl.when(last60 < agreed).then(last60).otherwise(agreed)
    step2 = (
        pl.when(agreed.is_null())
        .then(last30)
        .when(is_public)
        .then(pl.min_horizontal(agreed, last30))
        .otherwise(private_day)
        .cast(pl.Int64)
        .alias(t["rday"])
    )
    # 3. days late (0 when unpaid or on time) and whether anything is owed
    rday = pl.col(t["rday"])
    late_by = pl.col(t["paid"]) - rday
    owed = (
        (late_by > 0).fill_null(False)
        & (amount > 0).fill_null(False)
        & ~col("is_credit_note").fill_null(False)
    )
    if need is not None:
        owed = owed & need.fill_null(False)
    step3 = [
        pl.max_horizontal(late_by, pl.lit(0, pl.Int64)).alias(t["days"]),
        owed.alias(t["owed"]),
    ]
    # 4. statutory rate (bp) for the day interest starts, where owed
    first_day, daily, first, n = _daily_rates()

    def lookup(start: pl.Series) -> pl.Series:
        offset = start - first_day
        bad = (offset < 0) | (offset >= daily.len())
        if bad.any():
            d = start.filter(bad)[:1].cast(pl.Date)
            key = int(d.dt.year()[0]) * 2 + (1 if d.dt.month()[0] >= 7 else 0)
            raise _out_of_table(key, first, n)
        return daily.gather(offset)

    owed_col = pl.col(t["owed"])
    step4 = (
        pl.when(owed_col).then(rday + 1)
        .map_batches(lookup, return_dtype=pl.Int32, is_elementwise=True)
        .alias(t["bp"])
    )
    lf = lf.with_columns(step1).with_columns(step2).with_columns(step3).with_columns(step4)

    rate_bp = pl.col(t["bp"])
    den = DAY_BASIS * 10_000
    num = pl.col(t["pence"]) * rate_bp.cast(pl.Int128) * pl.col(t["days"]).cast(pl.Int128)
    pence = (num * 2 + den) // (2 * den)
    comp = pl.lit(0.0)
    for lower, fixed in COMPENSATION_BANDS:
        comp = pl.when(amount >= lower).then(pl.lit(fixed)).otherwise(comp)
    exprs = {
        "late_payment_relevant_day": rday.cast(pl.Date),
        # polars divides by a literal as a multiply: round(2) restores Python's x / 100 exactly
        # (an integer / 100 can come out as 28.650000000000002)
        "statutory_interest_rate_pct": pl.when(owed_col).then(
            (rate_bp.cast(pl.Float64) / 100).round(2)
        ),
        "statutory_interest_gbp": pl.when(owed_col)
        .then((pence.cast(pl.Float64) / 100).round(2))
        .otherwise(0.0),
        "fixed_compensation_gbp": pl.when(owed_col).then(comp).otherwise(0.0),
    }
    temps = [v for k, v in t.items() if k != "public" or not isinstance(public, bool)]
    return lf, exprs, temps


def _columns(df: pl.DataFrame | pl.LazyFrame) -> set[str]:
    return set(df.collect_schema().names() if isinstance(df, pl.LazyFrame) else df.columns)


def _as_polars(df, name: str = "invoice table"):
    """A polars frame (lazy frames pass through); pandas is converted at the edge."""
    if isinstance(df, pl.LazyFrame):
        return df
    try:
        return _from_pandas_if_needed(df)
    except SchemaError as exc:
        raise SchemaError(f"{name}: {exc}") from None


def with_statutory_interest(
    df: pl.DataFrame | pl.LazyFrame,
    *,
    public_authority: bool = True,
    buyer_types: pl.DataFrame | None = None,
    private_over_60_grossly_unfair: bool = False,
    acceptance_longer_agreed: bool = False,
) -> pl.DataFrame | pl.LazyFrame:
    """Add the Late Payment Act columns to an ``invoice_payment`` table (same frame type back).

    Reads ``invoice_received_date``, ``goods_received_date``, the optional
    ``acceptance_completed_date``, ``due_date`` (else ``invoice_received_date +
    agreed_terms_days``, else the last day of the 30-day period), the payment date
    (``supplier_received_date``, else ``payment_date``), ``gross_amount_gbp`` and
    ``is_credit_note``; absent optional columns count as null. Adds (replacing any existing):

    * ``late_payment_relevant_day`` (date);
    * ``statutory_interest_rate_pct``: reference rate + 8, null when nothing is owed;
    * ``statutory_interest_gbp`` and ``fixed_compensation_gbp``: to the penny, 0.0 when not
      late, unpaid, a credit note or an amount of £0 or less.

    ``public_authority`` sets the purchaser rule for every row, unless ``buyer_types``
    (``buyer_org_id``, ``org_type``) knows the buyer: ``company``/``llp`` then use the
    private-purchaser rule (the agreed day stands; with ``private_over_60_grossly_unfair`` an
    agreed day beyond the 60-day period gives way to its last day), public-body types the
    s.4(2D) 30-day rule. ``acceptance_longer_agreed`` lets an acceptance procedure run beyond 30
    days (see :func:`period_start`). Both options are per run: say which in the report. Pure polars: each intermediate
    (received day, relevant day, days late, rate) is worked once, in whole days since 1970, as a
    temporary column that is dropped again, so the output has the input's columns and the four
    above, nothing else. A LazyFrame stays lazy, and a rate missing from the table raises when it
    is collected.

    >>> inv = pl.DataFrame({"buyer_org_id": ["A", "A"], "invoice_received_date":
    ...     [date(2025, 5, 20), date(2025, 5, 20)], "agreed_terms_days": [60, 60],
    ...     "payment_date": [date(2025, 8, 1), date(2025, 6, 1)],
    ...     "gross_amount_gbp": [12_000.0, 500.0]})
    >>> with_statutory_interest(inv).select("late_payment_relevant_day",
    ...     "statutory_interest_gbp", "fixed_compensation_gbp").rows()
    [(datetime.date(2025, 6, 18), 184.44, 100.0), (datetime.date(2025, 6, 18), 0.0, 0.0)]
    """
    df = _as_polars(df)
    names = _columns(df)
    if "invoice_received_date" not in names and "due_date" not in names:
        raise SchemaError(
            "invoice table: needs invoice_received_date (or due_date) to find the relevant day; "
            "see lainbench.schemas.INVOICE_PAYMENT"
        )
    if "gross_amount_gbp" not in names:
        raise SchemaError("invoice table: missing column gross_amount_gbp (gross amount in GBP)")
    if not names & {"payment_date", "supplier_received_date"}:
        raise SchemaError(
            "invoice table: no payment date; give supplier_received_date or payment_date"
        )
    public = _public_flag(buyer_types, public_authority, names)
    lf, exprs, temps = _with_statutory_temps(
        df.lazy(), names, public, private_over_60_grossly_unfair=private_over_60_grossly_unfair,
        acceptance_longer_agreed=acceptance_longer_agreed)
    lf = lf.with_columns(**exprs).drop(temps)
    if isinstance(df, pl.LazyFrame):
        return lf
    # the in-memory engine keeps the row order
    return lf.collect(engine="in-memory")


def interest_owed(
    df: pl.DataFrame | pl.LazyFrame,
    by: Sequence[str] = ("buyer_org_id", "period"),
    *,
    public_authority: bool = True,
    buyer_types: pl.DataFrame | None = None,
    private_over_60_grossly_unfair: bool = False,
    acceptance_longer_agreed: bool = False,
) -> pl.DataFrame:
    """Statutory interest and compensation owed per group (by default per member and period).

    Columns: the ``by`` keys, ``invoices_paid_late`` (paid after the Act's relevant day, credit
    notes excluded), ``late_value_gbp`` (their gross value), ``statutory_interest_gbp``,
    ``fixed_compensation_gbp`` and ``total_owed_gbp``; sorted by the keys. Groups with nothing
    owed are kept, with zeros.

    Values already in the table are reused, not worked out again. Only the two money columns
    ``statutory_interest_gbp`` and ``fixed_compensation_gbp`` are read (``fixed_compensation_gbp
    > 0`` marks a late invoice; the relevant day and rate are not needed), so the rule is on them:

    * either absent: both are computed for every row with ``public_authority``,
      ``buyer_types`` and the two per-run options of :func:`with_statutory_interest` (a lone one
      is replaced);
    * both present with no nulls in an in-memory frame (as from :func:`with_statutory_interest`,
      whatever ``buyer_types`` it was given): used as they are, nothing is computed;
    * present with nulls (as after ``schemas.conform``), or in a LazyFrame (whose nulls cannot be
      counted without running it): the rows with a null in either column are computed in the
      same pass and each null is filled from its row's result; values present are kept. A row
      that already has both values is not worked out again, so it needs no reference rate.

    >>> inv = pl.DataFrame({"buyer_org_id": ["A", "A", "B"], "period": ["P1"] * 3,
    ...     "due_date": [date(2025, 6, 19), date(2025, 6, 19), date(2025, 6, 19)],
    ...     "payment_date": [date(2025, 8, 1), date(2025, 6, 1), date(2025, 6, 19)],
    ...     "gross_amount_gbp": [12_000.0, 500.0, 90.0]})
    >>> interest_owed(inv).rows()
    [('A', 'P1', 1, 12000.0, 180.25, 100.0, 280.25), ('B', 'P1', 0, 0.0, 0.0, 0.0, 0.0)]
    """
    df = _as_polars(df)
    names = _columns(df)
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in by if c not in names]
    if missing:
        hint = " (add it with lainbench.payments first)" if "period" in missing else ""
        raise SchemaError(
            f"invoice table: missing grouping column(s) {', '.join(missing)}{hint}; "
            f"columns present: {', '.join(sorted(names))}"
        )
    money = ("statutory_interest_gbp", "fixed_compensation_gbp")
    if not all(c in names for c in money):
        df = with_statutory_interest(
            df, public_authority=public_authority, buyer_types=buyer_types,
            private_over_60_grossly_unfair=private_over_60_grossly_unfair,
            acceptance_longer_agreed=acceptance_longer_agreed)
    else:
        can_compute = (
            "gross_amount_gbp" in names
            and bool(names & {"payment_date", "supplier_received_date"})
            and bool(names & {"invoice_received_date", "due_date"})
        )
        complete = isinstance(df, pl.DataFrame) and all(df[c].null_count() == 0 for c in money)
        if can_compute and not complete:
            # fill only the null rows, in the same pass (no second scan of a lazy plan); rows
            # that carry both values are not recomputed (they need no rate)
            need = pl.col(money[0]).is_null() | pl.col(money[1]).is_null()
            public = _public_flag(buyer_types, public_authority, names)
            lf, fresh, temps = _with_statutory_temps(
                df.lazy(), names, public, need=need,
                private_over_60_grossly_unfair=private_over_60_grossly_unfair,
                acceptance_longer_agreed=acceptance_longer_agreed)
            df = lf.with_columns(
                pl.coalesce(pl.col(c), fresh[c]).alias(c) for c in money
            ).drop(temps)
    late = pl.col("fixed_compensation_gbp").fill_null(0.0) > 0  # > 0 exactly when interest ran
    has_amount = "gross_amount_gbp" in _columns(df)
    amount = pl.col("gross_amount_gbp") if has_amount else pl.lit(None, pl.Float64)
    out = (
        df.lazy()
        .group_by(by)
        .agg(
            late.sum().cast(pl.Int64).alias("invoices_paid_late"),
            amount.filter(late).sum().alias("late_value_gbp"),
            pl.col("statutory_interest_gbp").sum().alias("statutory_interest_gbp"),
            pl.col("fixed_compensation_gbp").sum().alias("fixed_compensation_gbp"),
        )
        .with_columns(
            (pl.col("statutory_interest_gbp") + pl.col("fixed_compensation_gbp")).alias(
                "total_owed_gbp"
            )
        )
        .with_columns(
            pl.col(c).round(2)
            for c in ("late_value_gbp", "statutory_interest_gbp", "fixed_compensation_gbp",
                      "total_owed_gbp")
        )
        .sort(by)
        .collect()
    )
    return out
