"""s.69 reporting periods and s.70 quarters, worked by hand from the Act's words.

s.69(3): the first period begins with commencement (1 Jan 2026, SI 2025/1316; Wales 1 Apr 2026)
and ends with the next 31 March or 30 September; then successive six-month periods. Deadline:
"before the end of the period of 30 days beginning with the last day" -> last day + 29.
"""

from __future__ import annotations

from datetime import date

import pytest

from lainbench.errors import ParamsError
from lainbench.notices import calendar as cal


def test_england_periods_from_commencement():
    t = cal.reporting_periods("england", until=date(2027, 10, 1))
    assert t.rows() == [
        # 31 Mar + 29: 1 day left in March (the 31st) + 29 in April = 29 Apr
        ("2026-03", date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 29)),
        # 30 Sep + 29 = 29 Oct
        ("2026-09", date(2026, 4, 1), date(2026, 9, 30), date(2026, 10, 29)),
        ("2027-03", date(2026, 10, 1), date(2027, 3, 31), date(2027, 4, 29)),
        ("2027-09", date(2027, 4, 1), date(2027, 9, 30), date(2027, 10, 29)),
        ("2028-03", date(2027, 10, 1), date(2028, 3, 31), date(2028, 4, 29)),
    ]


def test_wales_first_period_is_april_to_september():
    t = cal.reporting_periods("wales", until=date(2026, 12, 31))
    assert t.rows()[0] == ("2026-09", date(2026, 4, 1), date(2026, 9, 30), date(2026, 10, 29))
    with pytest.raises(ParamsError, match="no s.69 reporting period"):
        cal.reporting_period("2026-03", nation="wales")


def test_deadline_is_last_day_plus_29_not_plus_30():
    assert cal.publication_deadline(date(2026, 3, 31)) == date(2026, 4, 29)
    assert cal.publication_deadline(date(2028, 1, 31)) == date(2028, 2, 29)  # leap year
    assert cal.publication_deadline(date(2027, 1, 31)) == date(2027, 3, 1)


@pytest.mark.parametrize("label", ["2026-09", "2026-09-30", "2026-04-01/2026-09-30"])
def test_period_labels(label):
    p = cal.reporting_period(label)
    assert (p.start, p.end, p.deadline, p.label) == (
        date(2026, 4, 1), date(2026, 9, 30), date(2026, 10, 29), "2026-09")


@pytest.mark.parametrize("label", ["2026-06", "2025-09", "2026-04-02/2026-09-30", "H1", "",
                                   "2026-13"])
def test_bad_periods_name_the_rule(label):
    with pytest.raises(ParamsError, match="period"):
        cal.reporting_period(label)


def test_s70_quarters_and_deadlines():
    q = cal.quarter("2026-Q2")
    assert (q.start, q.end, q.deadline) == (date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 29))
    assert cal.quarter("2026q4").deadline == date(2027, 1, 29)  # 31 Dec + 29
    assert cal.quarter("2027-Q1").deadline == date(2027, 4, 29)
    with pytest.raises(ParamsError, match="before s.70 came into force"):
        cal.quarter("2026-Q1")
    with pytest.raises(ParamsError, match="YYYY-Qn"):
        cal.quarter("2026-05")
    assert cal.quarters(date(2027, 1, 1))["quarter"].to_list() == [
        "2026-Q2", "2026-Q3", "2026-Q4", "2027-Q1"]
