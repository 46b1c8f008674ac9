"""Reporting periods and publication deadlines for the Procurement Act 2023 payment notices.

**s.69 payments compliance notices.** s.69(1): "Before the end of the period of 30 days beginning
with the last day of a reporting period, a contracting authority must publish a payments
compliance notice if during that period— (a) the authority made a payment under a public
contract; (b) a sum owed by the authority under a public contract became payable." s.69(3): "a
reporting period is— (a) the period beginning with the day on which this section comes into force
and ending with the 31 March or 30 September following that day, whichever is earlier, and (b)
each successive period of six months." (https://www.legislation.gov.uk/ukpga/2023/54/part/4/
crossheading/notices-about-payments-and-performance/enacted)

s.69 came into force on **1 January 2026** (Procurement Act 2023 (Commencement No. 4) Regulations
2025, SI 2025/1316), and on **1 April 2026** for procurements regulated by the Welsh Ministers.
So in England the first period is 1 Jan - 31 Mar 2026, then 1 Apr - 30 Sep 2026, 1 Oct 2026 -
31 Mar 2027, ...; in Wales the first is 1 Apr - 30 Sep 2026.

**s.70 payments over £30,000.** s.70(2): "The information must be published before the end of the
period of 30 days beginning with the last day of the quarter in which the payment was made." In
force 1 April 2026 (SI 2025/1316). Quarters are taken as calendar quarters (Jan-Mar, Apr-Jun,
Jul-Sep, Oct-Dec): the Act's definition of "quarter" was not retrieved (a reading of judgment).

**The statutory count.** "The period of 30 days beginning with" the last day counts that day as
day 1, so the period ends on the last day + 29 and the notice is due by the end of that day:
31 Mar 2026 -> **29 Apr 2026**. Commentaries that give 30 April count 30 days *after* the last
day; the Act's words give the earlier day, which is the one used here.

>>> p = reporting_period("2026-03")
>>> p.start, p.end, p.deadline
(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31), datetime.date(2026, 4, 29))
>>> quarter("2026-Q2").deadline
datetime.date(2026, 7, 29)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from datetime import date

import polars as pl

from lainbench.errors import ParamsError

__all__ = [
    "COMMENCEMENT",
    "S70_COMMENCEMENT",
    "NoticePeriod",
    "publication_deadline",
    "quarter",
    "quarters",
    "reporting_period",
    "reporting_periods",
]

# s.69 commencement (SI 2025/1316): England (and procurements not regulated by the Welsh
# Ministers) 1 Jan 2026; Wales 1 Apr 2026.
COMMENCEMENT: dict[str, date] = {"england": date(2026, 1, 1), "wales": date(2026, 4, 1)}
S70_COMMENCEMENT = date(2026, 4, 1)  # s.70, SI 2025/1316 (not Welsh-regulated procurements)
NOTICE_DAYS = 30  # "the period of 30 days beginning with the last day" (s.69(1), s.70(2))


@dataclass(frozen=True)
class NoticePeriod:
    """A reporting period (s.69) or quarter (s.70): first day, last day, publication deadline."""

    label: str
    start: date
    end: date
    deadline: date

    @property
    def text(self) -> str:
        """``1 January 2026 to 31 March 2026``."""
        return f"{_long(self.start)} to {_long(self.end)}"


def _long(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def publication_deadline(last_day: date) -> date:
    """Last day of "the period of 30 days beginning with" ``last_day``: ``last_day + 29``.

    >>> publication_deadline(date(2026, 9, 30))
    datetime.date(2026, 10, 29)
    """
    return last_day + dt.timedelta(days=NOTICE_DAYS - 1)


def _next_half_end(d: date) -> date:
    """The 31 March or 30 September on or after ``d``, whichever is earlier."""
    mar, sep = date(d.year, 3, 31), date(d.year, 9, 30)
    if d <= mar:
        return mar
    if d <= sep:
        return sep
    return date(d.year + 1, 3, 31)


def _nation(nation: str) -> str:
    key = (nation or "").strip().lower()
    if key not in COMMENCEMENT:
        raise ParamsError(
            f"nation = {nation!r}; expected one of {', '.join(COMMENCEMENT)} (s.69 commenced "
            "1 Jan 2026 in England, 1 Apr 2026 for Welsh-regulated procurements)")
    return key


def reporting_periods(nation: str = "england", until: date | None = None) -> pl.DataFrame:
    """Every s.69 reporting period from commencement to the one containing ``until``.

    Columns ``period`` (label ``YYYY-MM``, the month the period ends), ``period_start``,
    ``period_end``, ``deadline``. ``until`` defaults to today.

    >>> reporting_periods(until=date(2026, 12, 1)).rows()  # doctest: +NORMALIZE_WHITESPACE
    [('2026-03', datetime.date(2026, 1, 1), datetime.date(2026, 3, 31), datetime.date(2026, 4, 29)),
     ('2026-09', datetime.date(2026, 4, 1), datetime.date(2026, 9, 30), datetime.date(2026, 10, 29)),
     ('2027-03', datetime.date(2026, 10, 1), datetime.date(2027, 3, 31), datetime.date(2027, 4, 29))]
    >>> reporting_periods("wales", until=date(2026, 5, 1))["period_start"].to_list()
    [datetime.date(2026, 4, 1)]
    """
    start = COMMENCEMENT[_nation(nation)]
    until = until or date.today()
    rows = []
    while start <= until:
        end = _next_half_end(start)
        rows.append((f"{end:%Y-%m}", start, end, publication_deadline(end)))
        start = end + dt.timedelta(days=1)
    return pl.DataFrame(rows, schema={"period": pl.String, "period_start": pl.Date,
                                      "period_end": pl.Date, "deadline": pl.Date}, orient="row")


def reporting_period(label: str, nation: str = "england") -> NoticePeriod:
    """The s.69 reporting period named by ``label``.

    Accepted: the month it ends (``2026-03``, ``2026-09``), its last day (``2026-09-30``), or
    ``START/END`` (``2026-04-01/2026-09-30``), which must be a real reporting period.

    >>> reporting_period("2026-09-30").text
    '1 April 2026 to 30 September 2026'
    >>> reporting_period("2026-09", nation="wales").start
    datetime.date(2026, 4, 1)
    """
    key = _nation(nation)
    text = (label or "").strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text)
    m2 = re.fullmatch(r"(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})", text)
    try:
        if m2:
            want_start, want_end = date.fromisoformat(m2[1]), date.fromisoformat(m2[2])
        elif m:
            month_end = date(int(m[1]), int(m[2]), 1)
            if m[3]:
                want_start, want_end = None, date.fromisoformat(text)
            else:
                want_start, want_end = None, _month_end(month_end)
        else:
            raise ValueError
    except ValueError:
        raise ParamsError(
            f"period = {label!r} is not a reporting period; expected the month it ends "
            "(e.g. 2026-03 or 2026-09), its last day (2026-09-30) or START/END "
            "(2026-04-01/2026-09-30)") from None
    table = reporting_periods(key, until=max(want_end, COMMENCEMENT[key]))
    hit = table.filter(pl.col("period_end") == want_end)
    if want_start is not None:
        hit = hit.filter(pl.col("period_start") == want_start)
    if hit.height != 1:
        first = table.row(0)
        raise ParamsError(
            f"period = {label!r}: no s.69 reporting period ({key}) ends on {want_end}; periods "
            f"end on 31 March and 30 September, the first is {first[1]} to {first[2]} "
            f"(commencement {COMMENCEMENT[key]}, SI 2025/1316)")
    _, start, end, deadline = hit.row(0)
    return NoticePeriod(f"{end:%Y-%m}", start, end, deadline)


def _month_end(first: date) -> date:
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def quarter(label: str) -> NoticePeriod:
    """The calendar quarter ``YYYY-Qn`` for a s.70 list, with its deadline (last day + 29).

    >>> q = quarter("2026-Q3")
    >>> q.start, q.end, q.deadline
    (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30), datetime.date(2026, 10, 29))
    """
    m = re.fullmatch(r"(\d{4})-?Q([1-4])", (label or "").strip(), flags=re.IGNORECASE)
    if not m:
        raise ParamsError(
            f"quarter = {label!r}; expected YYYY-Qn, a calendar quarter such as 2026-Q2 "
            "(April to June 2026)")
    year, n = int(m[1]), int(m[2])
    start = date(year, 3 * n - 2, 1)
    end = _month_end(date(year, 3 * n, 1))
    if end < S70_COMMENCEMENT:
        raise ParamsError(
            f"quarter = {label!r} ends {end}, before s.70 came into force on "
            f"{S70_COMMENCEMENT} (SI 2025/1316); the first s.70 quarter is 2026-Q2")
    return NoticePeriod(f"{year}-Q{n}", start, end, publication_deadline(end))


def quarters(until: date | None = None) -> pl.DataFrame:
    """Every s.70 quarter from 2026-Q2 to the one containing ``until`` (default today).

    >>> quarters(date(2026, 8, 1))["quarter"].to_list()
    ['2026-Q2', '2026-Q3']
    """
    until = until or date.today()
    out, y, n = [], 2026, 2
    while date(y, 3 * n - 2, 1) <= until:
        q = quarter(f"{y}-Q{n}")
        out.append((q.label, q.start, q.end, q.deadline))
        y, n = (y + 1, 1) if n == 4 else (y, n + 1)
    return pl.DataFrame(out, schema={"quarter": pl.String, "quarter_start": pl.Date,
                                     "quarter_end": pl.Date, "deadline": pl.Date}, orient="row")
