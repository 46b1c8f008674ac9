"""Tests for lainbench.late_payment: hand-worked cases to the penny, vectorised = scalar, errors.

Every expected figure below is worked by hand from the statutory text quoted in
lainbench/late_payment.py (s.4(2A)-(2H) as amended by SI 2015/1336, s.5A, SI 2002/1675 art.4), not
copied from the code: "the period of 30 days beginning with" a day ends on that day + 29;
interest = amount x rate/100 x days/365, rounded half-up to the penny; rate = Bank Rate on the
reference date + 8.
"""

from __future__ import annotations

import datetime as dt
from datetime import date

import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lainbench import late_payment as lp
from lainbench.errors import LainbenchError, ParamsError, SchemaError
from lainbench.schemas import INVOICE_PAYMENT

RATES_CSV = "lainbench/data/statutory_reference_rates.csv"


# ------------------------------------------------------------------------------------------
# The shipped reference-rate table


def test_table_covers_h1_2013_to_h2_2026_without_gaps():
    t = lp.reference_rates()
    # 14 years x 2 half-years = 28 rows
    assert t.height == 28
    assert t["half_year_start"][0] == date(2013, 1, 1)
    assert t["half_year_end"][-1] == date(2026, 12, 31)
    assert t.schema["half_year_start"] == pl.Date
    assert t.schema["bank_rate_pct"] == pl.Float64
    assert set(t["status"]) <= {"OK", "derived", "UNCONFIRMED", "assumption"}
    assert t["source"].str.starts_with("http").all()
    # statutory = Bank Rate + 8 on every row
    assert ((t["statutory_rate_pct"] - t["bank_rate_pct"] - 8).abs() < 1e-9).all()


def test_table_rows_match_the_reference_docs():
    t = lp.reference_rates()
    by_start = {r["half_year_start"]: r for r in t.iter_rows(named=True)}
    # domain.md section 3 / economics.md 1.7 reference-rate tables
    expected = {
        date(2013, 1, 1): (date(2012, 12, 31), 0.50, "OK"),
        date(2016, 7, 1): (date(2016, 6, 30), 0.50, "OK"),  # cut to 0.25 came on 4 Aug 2016
        date(2017, 1, 1): (date(2016, 12, 31), 0.25, "OK"),
        date(2020, 1, 1): (date(2019, 12, 31), 0.75, "OK"),
        date(2020, 7, 1): (date(2020, 6, 30), 0.10, "OK"),
        date(2022, 7, 1): (date(2022, 6, 30), 1.25, "OK"),
        date(2023, 1, 1): (date(2022, 12, 31), 3.50, "OK"),
        date(2024, 1, 1): (date(2023, 12, 31), 5.25, "OK"),
        date(2024, 7, 1): (date(2024, 6, 30), 5.25, "derived"),
        date(2025, 1, 1): (date(2024, 12, 31), 4.75, "derived"),
        date(2025, 7, 1): (date(2025, 6, 30), 4.25, "derived"),
        date(2026, 1, 1): (date(2025, 12, 31), 3.75, "derived"),
        date(2026, 7, 1): (date(2026, 6, 30), 3.75, "assumption"),
    }
    for start, (ref, bank, status) in expected.items():
        row = by_start[start]
        assert (row["reference_date"], row["bank_rate_pct"], row["status"]) == (ref, bank, status)


def test_h2_2026_is_flagged_as_an_assumption():
    notes = lp.rate_table_notes()
    h2 = [n for n in notes if n.startswith("H2 2026")]
    assert len(h2) == 1 and "assumption" in h2[0] and "3.75" in h2[0]
    assert "H2 2026" in lp.__doc__ and "assumption" in lp.__doc__
    # rows read from the published table are not listed
    assert not any(n.startswith("H1 2024") for n in notes)


@pytest.mark.parametrize(
    ("start", "rate"),
    [
        # 30 Jun -> previous 31 Dec; 1 Jul -> 30 Jun of the same year
        (date(2025, 6, 30), 12.75),  # Bank Rate 4.75 on 31 Dec 2024 + 8
        (date(2025, 7, 1), 12.25),  # Bank Rate 4.25 on 30 Jun 2025 + 8
        (date(2025, 12, 31), 12.25),
        (date(2026, 1, 1), 11.75),  # Bank Rate 3.75 on 31 Dec 2025 + 8
        (date(2016, 12, 31), 8.50),  # 0.50 on 30 Jun 2016
        (date(2017, 1, 1), 8.25),  # 0.25 on 31 Dec 2016
        (date(2022, 6, 30), 8.25),  # 0.25 on 31 Dec 2021
        (date(2022, 7, 1), 9.25),  # 1.25 on 30 Jun 2022
        (date(2023, 7, 1), 13.00),  # 5.00 on 30 Jun 2023
        (date(2013, 1, 1), 8.50),  # first row
        (date(2026, 12, 31), 11.75),  # last row (assumption)
    ],
)
def test_statutory_rate_pct_reference_date_rule(start, rate):
    assert lp.statutory_rate_pct(start) == rate


@pytest.mark.parametrize("start", [date(2027, 1, 1), date(2012, 12, 31)])
def test_statutory_rate_pct_outside_table_names_the_file(start):
    with pytest.raises(lp.ReferenceRateError, match="statutory_reference_rates.csv") as exc:
        lp.statutory_rate_pct(start)
    msg = str(exc.value)
    assert "Add a row" in msg and "H1 2013 to H2 2026" in msg
    assert isinstance(exc.value, LainbenchError)


# ------------------------------------------------------------------------------------------
# Relevant day and compensation bands


def test_relevant_day_rules():
    # s.4(2H): the 30-day period beginning with 20 May ends 20 May + 29 = 18 Jun (11 days of May
    # counting the 20th, + 18 of June). s.4(2D) public: the earlier of the agreed day and 18 Jun.
    assert lp.relevant_day(date(2025, 5, 20), date(2025, 7, 19)) == date(2025, 6, 18)
    # agreed day exactly the period's last day: it stands
    assert lp.relevant_day(date(2025, 5, 20), date(2025, 6, 18)) == date(2025, 6, 18)
    # "received + 30" (19 Jun) is one day beyond the period: capped at 18 Jun
    assert lp.relevant_day(date(2025, 5, 20), date(2025, 6, 19)) == date(2025, 6, 18)
    # public, short terms: the agreed day stands
    assert lp.relevant_day(date(2025, 1, 1), date(2025, 1, 15)) == date(2025, 1, 15)
    # private, s.4(2E)-(2F) default: the agreed day stands however long (90 days: 18 Aug)
    assert lp.relevant_day(date(2025, 5, 20), date(2025, 8, 18), public_authority=False) == date(
        2025, 8, 18)
    # ... with the grossly-unfair reading: the 60-day period ends 20 May + 59 = 18 Jul
    assert lp.relevant_day(date(2025, 5, 20), date(2025, 8, 18), public_authority=False,
                           private_over_60_grossly_unfair=True) == date(2025, 7, 18)
    # agreed day = the 60-day period's last day (18 Jul) or inside it: stands either way
    for due in (date(2025, 7, 18), date(2025, 7, 4)):
        for unfair in (False, True):
            assert lp.relevant_day(date(2025, 5, 20), due, public_authority=False,
                                   private_over_60_grossly_unfair=unfair) == due
    # one day beyond (19 Jul = received + 60): capped only with the option
    assert lp.relevant_day(date(2025, 5, 20), date(2025, 7, 19), public_authority=False,
                           private_over_60_grossly_unfair=True) == date(2025, 7, 18)
    # no agreed day: received + 29 (Feb 2025 has 28 days: 10 Feb + 29 = 11 Mar), either purchaser
    assert lp.relevant_day(date(2025, 2, 10), None) == date(2025, 3, 11)
    assert lp.relevant_day(date(2025, 2, 10), None, public_authority=False) == date(2025, 3, 11)
    # leap years: 10 Feb 2024 + 29 = 10 Mar (29 Feb counts); 1 Feb 2024 + 29 = 1 Mar
    assert lp.relevant_day(date(2024, 2, 10), None) == date(2024, 3, 10)
    assert lp.relevant_day(date(2024, 2, 1), date(2024, 3, 31)) == date(2024, 3, 1)
    assert lp.relevant_day(date(2023, 2, 1), date(2023, 3, 31)) == date(2023, 3, 2)


def test_period_start_goods_after_invoice_and_acceptance():
    # later of notice (invoice) and performance (goods)
    assert lp.period_start(date(2025, 3, 1), date(2025, 3, 11)) == date(2025, 3, 11)
    assert lp.period_start(date(2025, 3, 11), date(2025, 3, 1)) == date(2025, 3, 11)
    assert lp.period_start(date(2025, 3, 1)) == date(2025, 3, 1)
    # acceptance completed 20 Mar (inside 30 days beginning with performance on 1 Mar)
    assert lp.period_start(date(2025, 3, 1), date(2025, 3, 1), date(2025, 3, 20)) == date(
        2025, 3, 20)
    # acceptance completed on day 30 (1 Mar + 29 = 30 Mar) stands; day 31 (31 Mar) is capped
    assert lp.period_start(date(2025, 3, 1), date(2025, 3, 1), date(2025, 3, 30)) == date(
        2025, 3, 30)
    assert lp.period_start(date(2025, 3, 1), date(2025, 3, 1), date(2025, 3, 31)) == date(
        2025, 3, 30)
    assert lp.period_start(date(2025, 3, 1), date(2025, 3, 1), date(2025, 3, 31),
                           acceptance_longer_agreed=True) == date(2025, 3, 31)
    # invoice arriving after acceptance: the invoice day is the later day
    assert lp.period_start(date(2025, 4, 10), date(2025, 3, 1), date(2025, 3, 20)) == date(
        2025, 4, 10)
    assert lp.period_last_day(date(2025, 12, 3)) == date(2026, 1, 1)
    assert (lp.PUBLIC_PERIOD_DAYS, lp.PRIVATE_PERIOD_DAYS) == (30, 60)
    assert (lp.PUBLIC_PERIOD_LAST_DAY_OFFSET, lp.PRIVATE_PERIOD_LAST_DAY_OFFSET) == (29, 59)


@pytest.mark.parametrize(
    ("amount", "fixed"),
    [(0.01, 40.0), (999.99, 40.0), (1_000.0, 70.0), (9_999.99, 70.0), (10_000.0, 100.0),
     (5_000_000.0, 100.0), (0.0, 0.0), (-250.0, 0.0)],
)
def test_fixed_compensation_band_edges(amount, fixed):
    assert lp.fixed_compensation_gbp(amount) == fixed


# ------------------------------------------------------------------------------------------
# Hand-worked single invoices


def test_brief_example_public_authority_60_day_terms():
    # £12,000 received 20 May 2025 on 60-day terms (due 19 Jul) to a public authority:
    # relevant day = min(19 Jul, 20 May + 29 = 18 Jun) = 18 Jun; interest starts 19 Jun (H1 2025,
    # Bank Rate 4.75 on 31 Dec 2024 -> 12.75 %). Paid 1 Aug: 12 (19-30 Jun) + 31 (Jul) + 1 = 44.
    # 12000 x 12.75 x 44 / 36500 = 6,732,000 / 36,500 = 184.4384 -> £184.44; compensation £100.
    r = lp.statutory_interest(12_000, date(2025, 7, 19), date(2025, 8, 1),
                              received_date=date(2025, 5, 20))
    assert r.relevant_day == date(2025, 6, 18)
    assert r.interest_start == date(2025, 6, 19)
    assert r.days_late == 44
    assert r.reference_date == date(2024, 12, 31)
    assert r.reference_rate_pct == 4.75
    assert r.statutory_rate_pct == 12.75
    assert r.interest_gbp == 184.44
    assert r.compensation_gbp == 100.0
    assert r.total_gbp == 284.44
    assert r.rate_status == "derived"


def test_same_invoice_to_a_private_purchaser():
    # £12,000 received 20 May 2025, 90-day terms (due 18 Aug), private purchaser, default
    # (s.4(2F): the agreed day stands): relevant 18 Aug, starts 19 Aug (H2 2025, 4.25 on 30 Jun
    # 2025 -> 12.25 %). Paid 29 Aug: 11 days. 12000 x 12.25 x 11 / 36500 = 1,617,000 / 36,500
    # = 44.3014 -> £44.30.
    r = lp.statutory_interest(12_000, date(2025, 8, 18), date(2025, 8, 29),
                              received_date=date(2025, 5, 20), public_authority=False)
    assert (r.relevant_day, r.days_late, r.statutory_rate_pct) == (date(2025, 8, 18), 11, 12.25)
    assert (r.interest_gbp, r.compensation_gbp) == (44.30, 100.0)
    # grossly-unfair reading (s.4(2E)): 60-day period ends 20 May + 59 = 18 Jul; starts 19 Jul
    # (12.25 %); 13 (19-31 Jul) + 29 = 42 days: 12000 x 12.25 x 42 / 36500 = 6,174,000 / 36,500
    # = 169.1507 -> £169.15
    r = lp.statutory_interest(12_000, date(2025, 8, 18), date(2025, 8, 29),
                              received_date=date(2025, 5, 20), public_authority=False,
                              private_over_60_grossly_unfair=True)
    assert (r.relevant_day, r.days_late, r.interest_gbp) == (date(2025, 7, 18), 42, 169.15)
    # ... and to a public authority: relevant day 18 Jun, starts 19 Jun (12.75 %),
    # 12 + 31 + 29 = 72 days: 12000 x 12.75 x 72 / 36500 = 11,016,000 / 36,500 = 301.8082 -> £301.81
    r = lp.statutory_interest(12_000, date(2025, 8, 18), date(2025, 8, 29),
                              received_date=date(2025, 5, 20), public_authority=True)
    assert (r.days_late, r.statutory_rate_pct, r.interest_gbp) == (72, 12.75, 301.81)


@pytest.mark.parametrize(
    ("received", "due", "paid", "amount", "start", "ref", "rate", "days", "interest", "comp"),
    [
        # Each due date is the last day of the 30-day period beginning with the receipt day
        # (received + 29), so the agreed day stands and interest starts the day after it.
        # interest starts 30 Jun 2025 -> reference 31 Dec 2024 (4.75) -> 12.75 %.
        # Paid 29 Jul: 1 (30 Jun) + 29 = 30 days. 5000 x 12.75 x 30 / 36500 = 1,912,500 / 36,500
        # = 52.3973 -> £52.40; £5,000 is in the £70 band.
        (date(2025, 5, 31), date(2025, 6, 29), date(2025, 7, 29), 5_000.0,
         date(2025, 6, 30), date(2024, 12, 31), 12.75, 30, 52.40, 70.0),
        # interest starts 1 Jul 2025 -> reference 30 Jun 2025 (4.25) -> 12.25 %.
        # Paid 30 Jul: 30 days. 5000 x 12.25 x 30 / 36500 = 1,837,500 / 36,500 = 50.3425 -> £50.34
        (date(2025, 6, 1), date(2025, 6, 30), date(2025, 7, 30), 5_000.0,
         date(2025, 7, 1), date(2025, 6, 30), 12.25, 30, 50.34, 70.0),
        # interest starts 31 Dec 2025 -> reference 30 Jun 2025 -> 12.25 %.
        # Paid 29 Jan 2026: 1 (31 Dec) + 29 = 30 days. 800 x 12.25 x 30 / 36500 = 294,000 / 36,500
        # = 8.0548 -> £8.05; £800 is in the £40 band.
        (date(2025, 12, 1), date(2025, 12, 30), date(2026, 1, 29), 800.0,
         date(2025, 12, 31), date(2025, 6, 30), 12.25, 30, 8.05, 40.0),
        # interest starts 1 Jan 2026 -> reference 31 Dec 2025 (3.75) -> 11.75 %.
        # Paid 30 Jan 2026: 30 days. 800 x 11.75 x 30 / 36500 = 282,000 / 36,500 = 7.7260 -> £7.73
        (date(2025, 12, 2), date(2025, 12, 31), date(2026, 1, 30), 800.0,
         date(2026, 1, 1), date(2025, 12, 31), 11.75, 30, 7.73, 40.0),
        # leap day counts as a day, still /365: relevant 28 Feb 2024, paid 1 Mar 2024 = 2 days;
        # starts 29 Feb 2024 (H1 2024, 5.25 -> 13.25 %). 10000 x 13.25 x 2 / 36500 = 265,000 /
        # 36,500 = 7.2603 -> £7.26; £10,000 is in the £100 band.
        (date(2024, 1, 30), date(2024, 2, 28), date(2024, 3, 1), 10_000.0,
         date(2024, 2, 29), date(2023, 12, 31), 13.25, 2, 7.26, 100.0),
        # half-up, not banker's rounding: £1.00 at 8.50 % (H1 2014) for 365 days
        # (1 Mar 2014 -> 1 Mar 2015) = 0.085 exactly -> £0.09 (banker's would give £0.08).
        (date(2014, 1, 31), date(2014, 3, 1), date(2015, 3, 1), 1.0,
         date(2014, 3, 2), date(2013, 12, 31), 8.50, 365, 0.09, 40.0),
        # H2 2026 (assumption, 3.75 held -> 11.75 %): relevant 30 Jun 2026, paid 31 Jul = 31 days.
        # 2000 x 11.75 x 31 / 36500 = 728,500 / 36,500 = 19.9589 -> £19.96
        (date(2026, 6, 1), date(2026, 6, 30), date(2026, 7, 31), 2_000.0,
         date(2026, 7, 1), date(2026, 6, 30), 11.75, 31, 19.96, 70.0),
    ],
)
def test_reference_date_boundaries_to_the_penny(
    received, due, paid, amount, start, ref, rate, days, interest, comp
):
    r = lp.statutory_interest(amount, due, paid, received_date=received)
    assert r.interest_start == start
    assert r.reference_date == ref
    assert r.statutory_rate_pct == rate
    assert r.days_late == days
    assert r.interest_gbp == interest
    assert r.compensation_gbp == comp


def test_goods_received_after_the_invoice_moves_the_30_day_period():
    # invoice 1 Mar 2025, goods 11 Mar, due 30 Apr (60 days), public: the period begins with the
    # later day, 11 Mar, and ends 11 Mar + 29 = 9 Apr, earlier than 30 Apr. Paid 20 Apr: 11 days
    # at 12.75 % (starts 10 Apr, H1 2025). 1000 x 12.75 x 11 / 36500 = 140,250 / 36,500 = 3.8425
    # -> £3.84; £1,000 is the first pound of the £70 band.
    start = lp.period_start(date(2025, 3, 1), date(2025, 3, 11))
    r = lp.statutory_interest(1_000, date(2025, 4, 30), date(2025, 4, 20), received_date=start)
    assert (r.relevant_day, r.days_late, r.interest_gbp, r.compensation_gbp) == (
        date(2025, 4, 9), 11, 3.84, 70.0)


def test_debt_spanning_a_rate_change_keeps_its_rate():
    # relevant day 20 Jun 2025, interest starts 21 Jun (H1 2025: 12.75 %), paid 20 Jul 2025:
    # 30 days, 10 of them in H2 2025 (whose rate is 12.25 %). s.4(2): the rate "at the end of the
    # relevant day" is fixed: 10000 x 12.75 x 30 / 36500 = 3,825,000 / 36,500 = 104.7945 -> £104.79
    # (12.75 for 10 days and 12.25 for 20 would be 34.93 + 67.12 = £102.05: not the law).
    r = lp.statutory_interest(10_000, date(2025, 6, 20), date(2025, 7, 20))
    assert (r.statutory_rate_pct, r.days_late, r.interest_gbp) == (12.75, 30, 104.79)
    out = lp.with_statutory_interest(pl.DataFrame({
        "due_date": [date(2025, 6, 20)], "payment_date": [date(2025, 7, 20)],
        "gross_amount_gbp": [10_000.0]}))
    assert out.select("statutory_interest_rate_pct", "statutory_interest_gbp").row(0) == (
        12.75, 104.79)


def test_acceptance_procedure_moves_the_period_vectorised():
    # goods and invoice 1 Mar 2025; acceptance completed 20 Mar -> period 20 Mar + 29 = 18 Apr;
    # agreed 30 Apr; public -> relevant 18 Apr; paid 28 Apr = 10 days at 12.75 %:
    # 2000 x 12.75 x 10 / 36500 = 255,000 / 36,500 = 6.9863 -> £6.99 + £70.
    # row 2: acceptance 15 Apr, beyond 1 Mar + 29 = 30 Mar: counted as 30 Mar -> period ends
    # 28 Apr; paid 28 Apr: on time (with a longer procedure agreed: 15 Apr + 29 = 14 May).
    df = pl.DataFrame({
        "invoice_received_date": [date(2025, 3, 1)] * 2,
        "goods_received_date": [date(2025, 3, 1)] * 2,
        "acceptance_completed_date": [date(2025, 3, 20), date(2025, 4, 15)],
        "due_date": [date(2025, 4, 30), date(2025, 6, 30)],
        "payment_date": [date(2025, 4, 28), date(2025, 4, 28)],
        "gross_amount_gbp": [2_000.0, 2_000.0]})
    out = lp.with_statutory_interest(df)
    assert out["late_payment_relevant_day"].to_list() == [date(2025, 4, 18), date(2025, 4, 28)]
    assert out["statutory_interest_gbp"].to_list() == [6.99, 0.0]
    longer = lp.with_statutory_interest(df, acceptance_longer_agreed=True)
    assert longer["late_payment_relevant_day"].to_list() == [date(2025, 4, 18), date(2025, 5, 14)]


def test_paid_on_the_relevant_day_owes_nothing_one_day_later_owes():
    r = lp.statutory_interest(12_000, date(2025, 6, 19), date(2025, 6, 19))
    assert (r.days_late, r.interest_gbp, r.compensation_gbp, r.total_gbp) == (0, 0.0, 0.0, 0.0)
    # the rate the debt would carry is still reported
    assert r.statutory_rate_pct == 12.75
    # one day late: 12000 x 12.75 x 1 / 36500 = 153,000 / 36,500 = 4.1918 -> £4.19 + £100
    r = lp.statutory_interest(12_000, date(2025, 6, 19), date(2025, 6, 20))
    assert (r.days_late, r.interest_gbp, r.compensation_gbp) == (1, 4.19, 100.0)
    # paid early
    r = lp.statutory_interest(12_000, date(2025, 6, 19), date(2025, 6, 1))
    assert (r.days_late, r.total_gbp) == (0, 0.0)


def test_credit_note_unpaid_and_zero_owe_nothing():
    for amount in (-500.0, 0.0):
        r = lp.statutory_interest(amount, date(2025, 6, 19), date(2025, 8, 1))
        assert (r.interest_gbp, r.compensation_gbp) == (0.0, 0.0)
        assert r.days_late == 43
    r = lp.statutory_interest(12_000, date(2025, 6, 19), None)
    assert (r.days_late, r.interest_gbp, r.compensation_gbp) == (0, 0.0, 0.0)


def test_strings_accepted_and_no_due_date_uses_30_days():
    # received 10 Feb 2025, no agreed day -> relevant 10 Feb + 29 = 11 Mar; paid 22 Mar = 11 days,
    # 12.75 %. 500 x 12.75 x 11 / 36500 = 70,125 / 36,500 = 1.9212 -> £1.92; £40
    r = lp.statutory_interest(500, None, "2025-03-22", received_date="2025-02-10")
    assert (r.relevant_day, r.days_late, r.interest_gbp, r.compensation_gbp) == (
        date(2025, 3, 11), 11, 1.92, 40.0)


def test_out_of_table_raises_only_when_something_is_owed():
    # interest starting 1 Jan 2027 needs Bank Rate on 31 Dec 2026: not shipped
    with pytest.raises(lp.ReferenceRateError, match=r"H1 2027.*statutory_reference_rates\.csv"):
        lp.statutory_interest(1_000, date(2026, 12, 31), date(2027, 1, 15))
    with pytest.raises(lp.ReferenceRateError, match=r"H2 2012.*31 Dec|H2 2012"):
        lp.statutory_interest(1_000, date(2012, 12, 30), date(2013, 1, 15))
    # paid on time: nothing owed, so no rate needed and no error
    r = lp.statutory_interest(1_000, date(2027, 3, 1), date(2027, 2, 1))
    assert r.total_gbp == 0.0 and r.reference_date is None and r.rate_status is None


def test_scalar_input_errors_name_the_parameter():
    with pytest.raises(ParamsError, match="due_date and received_date are both missing"):
        lp.statutory_interest(100, None, date(2025, 1, 1))
    with pytest.raises(ParamsError, match="paid_date = '2025-02-30'"):
        lp.statutory_interest(100, date(2025, 1, 1), "2025-02-30")
    with pytest.raises(ParamsError, match="amount_gbp"):
        lp.statutory_interest(float("nan"), date(2025, 1, 1), date(2025, 2, 1))
    with pytest.raises(ParamsError, match="received_date is missing"):
        lp.relevant_day(None, date(2025, 1, 1))
    with pytest.raises(ParamsError, match="interest_start = 42"):
        lp.statutory_rate_pct(42)


def test_result_is_frozen():
    r = lp.statutory_interest(100, date(2025, 1, 1), date(2025, 2, 1))
    with pytest.raises(AttributeError):
        r.interest_gbp = 0.0  # type: ignore[misc]


# ------------------------------------------------------------------------------------------
# Vectorised form


def _five_rows() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "buyer_org_id": ["A", "A", "A", "B", "B"],
            "period": ["P1", "P1", "P2", "P1", "P1"],
            "invoice_id": ["1", "2", "3", "4", "5"],
            # rows 2-5: due = received + 29, the last day of the 30-day period
            "invoice_received_date": [date(2025, 5, 20), date(2025, 5, 31), date(2025, 12, 1),
                                      date(2025, 12, 2), date(2025, 5, 2)],
            "agreed_terms_days": [60, None, None, None, None],
            "due_date": [None, date(2025, 6, 29), date(2025, 12, 30), date(2025, 12, 31),
                         date(2025, 5, 31)],
            "payment_date": [date(2025, 8, 1), date(2025, 7, 29), date(2025, 12, 20),
                             date(2026, 1, 30), date(2025, 8, 1)],
            "gross_amount_gbp": [12_000.0, 5_000.0, 800.0, 800.0, -100.0],
            "is_credit_note": [False, False, False, False, True],
        }
    )


def test_vectorised_hand_worked_rows():
    out = lp.with_statutory_interest(_five_rows())
    # row 1: due from terms (20 May + 60 = 19 Jul) -> relevant 18 Jun -> £184.44 + £100 (above)
    # row 2: relevant 29 Jun, starts 30 Jun (12.75 %), 30 days -> £52.40 + £70
    # row 3: paid 20 Dec before relevant 30 Dec -> nothing, rate null
    # row 4: relevant 31 Dec, starts 1 Jan 2026 (11.75 %), 30 days -> £7.73 + £40
    # row 5: credit note -> nothing
    assert out["late_payment_relevant_day"].to_list() == [
        date(2025, 6, 18), date(2025, 6, 29), date(2025, 12, 30), date(2025, 12, 31),
        date(2025, 5, 31)]
    assert out["statutory_interest_rate_pct"].to_list() == [12.75, 12.75, None, 11.75, None]
    assert out["statutory_interest_gbp"].to_list() == [184.44, 52.40, 0.0, 7.73, 0.0]
    assert out["fixed_compensation_gbp"].to_list() == [100.0, 70.0, 0.0, 40.0, 0.0]
    assert out.columns[: len(_five_rows().columns)] == _five_rows().columns


def test_interest_owed_per_member_and_period_by_hand():
    got = lp.interest_owed(_five_rows())
    # A/P1: rows 1 and 2 late: value 12,000 + 5,000; interest 184.44 + 52.40 = 236.84;
    #       compensation 100 + 70 = 170; total 406.84
    # A/P2: row 3 on time: zeros
    # B/P1: row 4 late (800; 7.73 + 40 = 47.73); row 5 a credit note, not counted
    assert got.columns == ["buyer_org_id", "period", "invoices_paid_late", "late_value_gbp",
                           "statutory_interest_gbp", "fixed_compensation_gbp", "total_owed_gbp"]
    assert got.rows() == [
        ("A", "P1", 2, 17_000.0, 236.84, 170.0, 406.84),
        ("A", "P2", 0, 0.0, 0.0, 0.0, 0.0),
        ("B", "P1", 1, 800.0, 7.73, 40.0, 47.73),
    ]
    # per member only
    assert lp.interest_owed(_five_rows(), by=["buyer_org_id"])["total_owed_gbp"].to_list() == [
        406.84, 47.73]


def test_interest_owed_uses_precomputed_columns_and_fills_null_ones():
    df = _five_rows()
    # private purchaser A (s.4(2F) default: the agreed day stands): row 1 relevant = 19 Jul,
    # starts 20 Jul (12.25 %), paid 1 Aug = 13 days: 12000 x 12.25 x 13 / 36500 = 1,911,000 /
    # 36,500 = 52.3562 -> £52.36. Row 2 unchanged (its agreed day 29 Jun stands for both).
    bt = pl.DataFrame({"buyer_org_id": ["A", "B"], "org_type": ["company", "nhs_trust"]})
    pre = lp.with_statutory_interest(df, buyer_types=bt)
    assert pre["statutory_interest_gbp"].to_list()[:2] == [52.36, 52.40]
    got = lp.interest_owed(pre)  # default public rule must not overwrite the given values
    assert got.row(0) == ("A", "P1", 2, 17_000.0, 104.76, 170.0, 274.76)
    # a conformed table carries the derived columns as nulls: they are computed
    conformed = INVOICE_PAYMENT.conform(df.drop("period"), source="t").with_columns(
        df["period"])
    assert conformed["statutory_interest_gbp"].null_count() == 5
    assert lp.interest_owed(conformed).rows() == lp.interest_owed(df).rows()
    # ... lazily too, and passing buyer_types through
    assert lp.interest_owed(conformed.lazy(), buyer_types=bt).row(0)[4] == 104.76
    # grossly-unfair reading: row 1's agreed 19 Jul is beyond 20 May + 59 = 18 Jul -> relevant
    # 18 Jul, 14 days: 12000 x 12.25 x 14 / 36500 = 2,058,000 / 36,500 = 56.3836 -> £56.38
    unfair = lp.interest_owed(df, buyer_types=bt, private_over_60_grossly_unfair=True)
    assert unfair.row(0)[4] == round(56.38 + 52.40, 2)


def test_buyer_types_private_rule_unknown_types_fall_back():
    df = _five_rows()
    bt = pl.DataFrame({"buyer_org_id": ["A"], "org_type": ["other"]})
    assert lp.with_statutory_interest(df, buyer_types=bt).equals(lp.with_statutory_interest(df))
    private = lp.with_statutory_interest(df, public_authority=False)
    assert private["statutory_interest_gbp"][0] == 52.36
    # pandas buyer_types accepted
    bt_pd = pd.DataFrame({"buyer_org_id": ["A"], "org_type": ["llp"]})
    assert lp.with_statutory_interest(df, buyer_types=bt_pd)["statutory_interest_gbp"][0] == 52.36


def test_vectorised_goods_received_and_supplier_received_date():
    df = pl.DataFrame({
        "invoice_received_date": [date(2025, 3, 1), date(2025, 2, 10)],
        "goods_received_date": [date(2025, 3, 11), None],
        "due_date": [date(2025, 4, 30), None],
        "payment_date": [date(2025, 4, 18), date(2025, 3, 20)],
        # supplier_received_date wins over payment_date when both are given
        "supplier_received_date": [date(2025, 4, 20), None],
        "gross_amount_gbp": [1_000.0, 500.0],
    })
    out = lp.with_statutory_interest(df)
    # row 1: as the scalar case: relevant 9 Apr, 11 days -> £3.84 + £70
    # row 2: no due date and no terms -> 10 Feb + 29 = 11 Mar; paid 20 Mar = 9 days at 12.75 %:
    #        500 x 12.75 x 9 / 36500 = 57,375 / 36,500 = 1.5719 -> £1.57 + £40
    assert out["late_payment_relevant_day"].to_list() == [date(2025, 4, 9), date(2025, 3, 11)]
    assert out["statutory_interest_gbp"].to_list() == [3.84, 1.57]
    assert out["fixed_compensation_gbp"].to_list() == [70.0, 40.0]


def test_vectorised_unpaid_and_missing_amount_owe_nothing():
    df = pl.DataFrame({
        "invoice_received_date": [date(2025, 1, 1), date(2025, 1, 1)],
        "payment_date": [None, date(2025, 6, 1)],
        "gross_amount_gbp": [1_000.0, None],
    })
    out = lp.with_statutory_interest(df)
    assert out["statutory_interest_gbp"].to_list() == [0.0, 0.0]
    assert out["fixed_compensation_gbp"].to_list() == [0.0, 0.0]
    assert out["statutory_interest_rate_pct"].to_list() == [None, None]


def test_lazy_in_lazy_out_and_pandas_in():
    lf = lp.with_statutory_interest(_five_rows().lazy())
    assert isinstance(lf, pl.LazyFrame)
    # 184.44 + 52.40 + 7.73 = 244.57
    assert lf.collect()["statutory_interest_gbp"].sum() == pytest.approx(244.57)
    out = lp.with_statutory_interest(_five_rows().to_pandas())
    assert isinstance(out, pl.DataFrame) and out["statutory_interest_gbp"][0] == 184.44


def test_vectorised_out_of_table_raises_with_file_name_eager_and_lazy():
    df = pl.DataFrame({
        "invoice_received_date": [date(2026, 12, 2)],  # + 29 = 31 Dec: starts 1 Jan 2027
        "due_date": [date(2026, 12, 31)],
        "payment_date": [date(2027, 2, 1)],
        "gross_amount_gbp": [100.0],
    })
    with pytest.raises(lp.ReferenceRateError, match=r"H1 2027.*statutory_reference_rates\.csv"):
        lp.with_statutory_interest(df)
    lazy = lp.with_statutory_interest(df.lazy())  # builds fine; raises when collected
    with pytest.raises(lp.ReferenceRateError, match="Add a row"):
        lazy.collect()
    # paid on time beyond the table: no rate needed
    on_time = df.with_columns(pl.lit(date(2026, 12, 20)).alias("payment_date"))
    ok = lp.with_statutory_interest(on_time)
    assert ok["statutory_interest_gbp"][0] == 0.0


def test_vectorised_input_errors():
    base = _five_rows()
    with pytest.raises(SchemaError, match="gross_amount_gbp"):
        lp.with_statutory_interest(base.drop("gross_amount_gbp"))
    with pytest.raises(SchemaError, match="no payment date"):
        lp.with_statutory_interest(base.drop("payment_date"))
    with pytest.raises(SchemaError, match="invoice_received_date"):
        lp.with_statutory_interest(base.drop("invoice_received_date", "due_date"))
    with pytest.raises(SchemaError, match="expected a polars or pandas DataFrame"):
        lp.with_statutory_interest([1, 2, 3])
    with pytest.raises(SchemaError, match="buyer_types: missing column.*org_type"):
        lp.with_statutory_interest(base, buyer_types=pl.DataFrame({"buyer_org_id": ["A"]}))
    with pytest.raises(SchemaError, match="buyer_org_id 'A' appears 2 times"):
        lp.with_statutory_interest(base, buyer_types=pl.DataFrame(
            {"buyer_org_id": ["A", "A"], "org_type": ["company", "nhs_trust"]}))
    with pytest.raises(SchemaError, match="invoices have no buyer_org_id"):
        lp.with_statutory_interest(base.drop("buyer_org_id"), buyer_types=pl.DataFrame(
            {"buyer_org_id": ["A"], "org_type": ["company"]}))
    with pytest.raises(SchemaError, match="buyer_types: expected a polars or pandas"):
        lp.with_statutory_interest(base, buyer_types={"A": "company"})
    with pytest.raises(SchemaError, match=r"period.*lainbench\.payments"):
        lp.interest_owed(base.drop("period"))


# hypothesis: the vectorised form agrees with the scalar form row by row

_day = st.dates(min_value=date(2013, 1, 1), max_value=date(2026, 6, 30))


@st.composite
def _invoice(draw):
    received = draw(_day)
    goods = draw(st.none() | st.integers(-10, 40).map(lambda d: received + dt.timedelta(days=d)))
    terms = draw(st.none() | st.integers(0, 120))
    due = draw(st.none() | st.integers(0, 120).map(lambda d: received + dt.timedelta(days=d)))
    paid = draw(st.none() | st.integers(0, 200).map(lambda d: received + dt.timedelta(days=d)))
    pence = draw(st.integers(-100_000, 500_000_000) | st.sampled_from(
        [99_999, 100_000, 999_999, 1_000_000]))
    credit = draw(st.booleans() | st.none())
    return {
        "invoice_received_date": received, "goods_received_date": goods,
        "agreed_terms_days": terms, "due_date": due, "payment_date": paid,
        "gross_amount_gbp": pence / 100, "is_credit_note": credit,
    }


def _assert_row_matches_scalar(row: dict, got: dict, public: bool) -> None:
    """One output row of the vectorised form = :func:`statutory_interest` on the same invoice."""
    due = row["due_date"]
    if due is None and row["agreed_terms_days"] is not None:
        due = row["invoice_received_date"] + dt.timedelta(days=row["agreed_terms_days"])
    received = max(d for d in (row["invoice_received_date"], row["goods_received_date"]) if d)
    amount = -1.0 if row["is_credit_note"] else row["gross_amount_gbp"]
    paid = row.get("supplier_received_date") or row["payment_date"]
    want = lp.statutory_interest(amount, due, paid, received_date=received,
                                 public_authority=public)
    assert got["late_payment_relevant_day"] == want.relevant_day
    assert got["statutory_interest_gbp"] == want.interest_gbp
    assert got["fixed_compensation_gbp"] == want.compensation_gbp
    owed = want.compensation_gbp > 0
    assert got["statutory_interest_rate_pct"] == (want.statutory_rate_pct if owed else None)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_invoice(), min_size=1, max_size=30), public=st.booleans())
def test_vectorised_agrees_with_scalar(rows, public):
    df = pl.DataFrame(rows, schema={k: lp.INPUT_COLUMNS[k] for k in rows[0]})
    out = lp.with_statutory_interest(df, public_authority=public)
    for row, got in zip(rows, out.iter_rows(named=True), strict=True):
        _assert_row_matches_scalar(row, got, public)


_BUYER_TYPES = pl.DataFrame({"buyer_org_id": ["pub", "priv", "unk"],
                             "org_type": ["local_authority", "company", "other"]})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_invoice(), min_size=1, max_size=30), public=st.booleans(),
       buyers=st.lists(st.sampled_from(["pub", "priv", "unk", None]), min_size=30, max_size=30),
       supplier_paid=st.lists(st.none() | st.integers(0, 200), min_size=30, max_size=30))
def test_vectorised_agrees_with_scalar_per_buyer_rule_and_lazily(rows, public, buyers,
                                                                 supplier_paid):
    """Per-row purchaser rule from buyer_types (unknown types fall back to ``public``),
    supplier_received_date over payment_date, and the lazy plan, streamed, giving the eager frame."""
    for row, buyer, paid in zip(rows, buyers, supplier_paid, strict=False):
        row["buyer_org_id"] = buyer
        row["supplier_received_date"] = (
            None if paid is None else row["invoice_received_date"] + dt.timedelta(days=paid))
    schema = {k: lp.INPUT_COLUMNS.get(k, pl.String()) for k in rows[0]}
    df = pl.DataFrame(rows, schema=schema)
    out = lp.with_statutory_interest(df, public_authority=public, buyer_types=_BUYER_TYPES)
    lazy = lp.with_statutory_interest(df.lazy(), public_authority=public,
                                      buyer_types=_BUYER_TYPES).collect(engine="streaming")
    assert lazy.equals(out)
    for row, got in zip(rows, out.iter_rows(named=True), strict=True):
        rule = {"pub": True, "priv": False}.get(row["buyer_org_id"], public)
        _assert_row_matches_scalar(row, got, rule)


def _row_28_65(**extra) -> dict:
    # received 21 May 2025, due 19 Jun (= received + 29) -> relevant day 19 Jun; interest starts
    # 20 Jun (H1 2025: Bank Rate 4.75 on 31 Dec 2024 + 8 = 12.75 %); paid 19 Jul = 30 days late.
    # 273,399 p x 1,275 bp x 30 / 3,650,000 = 10,457,511,750 / 3,650,000 = 2,865.07 p -> £28.65
    # (2865 x 0.01 in floating point is 28.650000000000002); £2,733.99 is in the £70 band.
    return {"buyer_org_id": "B", "period": "P1", "invoice_received_date": date(2025, 5, 21),
            "due_date": date(2025, 6, 19), "payment_date": date(2025, 7, 19),
            "gross_amount_gbp": 2_733.99, **extra}


def test_vectorised_pence_to_pounds_is_exact():
    # polars works a column / 100 as x 0.01 once there are a few rows: the final round(2) must
    # give back 28.65 exactly
    df = pl.DataFrame([_row_28_65()] * 12)
    out = lp.with_statutory_interest(df)
    assert set(out.select(lp.DERIVED_COLUMNS).rows()) == {(date(2025, 6, 19), 12.75, 28.65, 70.0)}
    assert lp.with_statutory_interest(df.lazy()).collect().equals(out)


def test_vectorised_output_columns_dtypes_and_no_temporaries():
    # an input column that looks like a temporary one is kept as it is
    df = _five_rows().with_columns(pl.lit(7).alias("__late_payment_rday"))
    out = lp.with_statutory_interest(df)
    assert out.columns == [*df.columns, *lp.DERIVED_COLUMNS]
    assert [out.schema[c] for c in lp.DERIVED_COLUMNS] == [pl.Date, pl.Float64, pl.Float64,
                                                            pl.Float64]
    assert out["__late_payment_rday"].to_list() == [7] * 5
    bt = pl.DataFrame({"buyer_org_id": ["A"], "org_type": ["company"]})
    lazy = lp.with_statutory_interest(df.lazy(), buyer_types=bt)
    assert lazy.collect_schema().names() == out.columns
    # existing derived columns (as after schemas.conform) are replaced where they stand
    conformed = INVOICE_PAYMENT.conform(_five_rows().drop("period"), source="t")
    again = lp.with_statutory_interest(conformed)
    assert again.columns == conformed.columns
    assert again["statutory_interest_gbp"].to_list() == [184.44, 52.40, 0.0, 7.73, 0.0]


def test_interest_owed_reuses_values_given_and_computes_only_the_nulls():
    # buyer A: an invoice of 2027, outside the rate table, that already carries its figures
    # (£10.00 + £40.00): they are used as given, eagerly and lazily, and need no rate.
    # buyer B: the 28.65 invoice above with its figures missing: computed (£28.65 + £70).
    given_a = {"buyer_org_id": "A", "period": "P1", "invoice_received_date": date(2027, 1, 1),
               "due_date": date(2027, 1, 31), "payment_date": date(2027, 3, 1),
               "gross_amount_gbp": 500.0, "statutory_interest_gbp": 10.0,
               "fixed_compensation_gbp": 40.0}
    missing_b = _row_28_65(statutory_interest_gbp=None, fixed_compensation_gbp=None)
    df = pl.DataFrame([given_a, missing_b])
    want = [("A", "P1", 1, 500.0, 10.0, 40.0, 50.0), ("B", "P1", 1, 2_733.99, 28.65, 70.0, 98.65)]
    assert lp.interest_owed(df).rows() == want
    assert lp.interest_owed(df.lazy()).rows() == want
    complete = df.filter(pl.col("buyer_org_id") == "A")
    assert lp.interest_owed(complete.lazy()).rows() == want[:1]
    # one figure given, the other missing: the given one is kept, the missing one computed
    half = pl.DataFrame([_row_28_65(statutory_interest_gbp=1.0, fixed_compensation_gbp=None)])
    assert lp.interest_owed(half).rows() == [("B", "P1", 1, 2_733.99, 1.0, 70.0, 71.0)]
    # a row of 2027 whose figures are missing does need a rate: the usual error
    unknown = df.with_columns(pl.lit(None, pl.Float64).alias("statutory_interest_gbp"))
    with pytest.raises(lp.ReferenceRateError, match="H1 2027"):
        lp.interest_owed(unknown)


@settings(max_examples=60, deadline=None)
@given(pence=st.integers(1, 10**10), days=st.integers(0, 3650),
       start=st.dates(min_value=date(2013, 1, 1), max_value=date(2026, 12, 31)))
def test_interest_is_the_rounded_exact_value(pence, days, start):
    # exact rational value of amount x rate x days / 365, rounded half-up to the penny
    from fractions import Fraction

    rday = start - dt.timedelta(days=1)
    r = lp.statutory_interest(pence / 100, rday, rday + dt.timedelta(days=days))
    exact = Fraction(pence, 100) * Fraction(str(r.statutory_rate_pct)) / 100 * days / 365
    want = (exact * 100 + Fraction(1, 2)).__floor__() / 100
    assert r.interest_gbp == float(want)
    assert r.days_late == days


# ------------------------------------------------------------------------------------------
# Malformed rate tables


GOOD_HEADER = (
    "half_year_start,half_year_end,reference_date,bank_rate_pct,statutory_rate_pct,source,status"
)
GOOD_ROW = "2025-01-01,2025-06-30,2024-12-31,4.75,12.75,https://example.org,OK"
NEXT_ROW = "2025-07-01,2025-12-31,2025-06-30,4.25,12.25,https://example.org,derived"


@pytest.mark.parametrize(
    ("lines", "match"),
    [
        ([GOOD_HEADER.replace(",status", ""), GOOD_ROW.rsplit(",", 1)[0]],
         "missing column.*status"),
        ([GOOD_HEADER, GOOD_ROW.replace("2025-01-01", "2025-13-01", 1)],
         r"line 2: half_year_start = '2025-13-01' is not a date"),
        ([GOOD_HEADER, GOOD_ROW.replace("2025-01-01", "2025-02-01", 1)],
         "must be 1 January or 1 July"),
        ([GOOD_HEADER, GOOD_ROW.replace("2025-06-30", "2025-06-29", 1)],
         "half_year_end = 2025-06-29; expected 2025-06-30"),
        ([GOOD_HEADER, GOOD_ROW.replace("2024-12-31", "2025-06-30", 1)],
         "reference_date = 2025-06-30.*is 2024-12-31"),
        ([GOOD_HEADER, GOOD_ROW.replace("12.75", "12.50")],
         r"statutory_rate_pct = 12.50; expected 12.75"),
        ([GOOD_HEADER, GOOD_ROW.replace("4.75", "four")], "bank_rate_pct = 'four' is not a number"),
        ([GOOD_HEADER, GOOD_ROW.replace("4.75", "4.755").replace("12.75", "12.755")],
         "at most 2 decimal places"),
        ([GOOD_HEADER, GOOD_ROW.replace("https://example.org", "")], "source is empty"),
        ([GOOD_HEADER, GOOD_ROW.replace(",OK", ",maybe")], "status = 'maybe'"),
        ([GOOD_HEADER, GOOD_ROW, GOOD_ROW], "appears twice"),
        ([GOOD_HEADER, GOOD_ROW,
          NEXT_ROW.replace("2025-07-01,2025-12-31,2025-06-30", "2026-01-01,2026-06-30,2025-12-31")],
         "no row for H2 2025"),
        ([GOOD_HEADER], "no rows"),
        ([GOOD_HEADER, GOOD_ROW.replace("4.75", "-1").replace("12.75", "7.00")],
         "expected a percentage"),
    ],
)
def test_malformed_rate_table_errors(tmp_path, lines, match):
    p = tmp_path / "rates.csv"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(lp.ReferenceRateError, match=match) as exc:
        lp.reference_rates(p)
    assert "rates.csv" in str(exc.value)


def test_custom_rate_table_loads_and_missing_file(tmp_path):
    p = tmp_path / "rates.csv"
    p.write_text(f"{GOOD_HEADER}\n{NEXT_ROW}\n{GOOD_ROW}\n")
    t = lp.reference_rates(p)
    assert t["half_year_start"].to_list() == [date(2025, 1, 1), date(2025, 7, 1)]
    assert t["note"].null_count() == 2
    with pytest.raises(lp.ReferenceRateError, match="not found"):
        lp.reference_rates(tmp_path / "absent.csv")


def test_shipped_file_is_where_the_messages_say():
    assert lp.RATES_FILE.as_posix().endswith(RATES_CSV)
    assert lp.RATES_FILE.exists()


def test_out_of_table_error_is_short_on_the_vectorised_path():
    """polars appends its query plan to errors raised inside expressions; users see one sentence."""
    df = pl.DataFrame({"buyer_org_id": ["A"], "invoice_received_date": [date(2027, 1, 1)],
                       "supplier_received_date": [date(2027, 3, 1)],
                       "agreed_terms_days": [30], "gross_amount_gbp": [100.0]})
    with pytest.raises(lp.ReferenceRateError) as exc:
        lp.with_statutory_interest(df)
    assert "statutory_reference_rates.csv" in str(exc.value)
    assert "This error occurred" not in str(exc.value) and len(str(exc.value)) < 600


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_invoice(), min_size=1, max_size=30), public=st.booleans(),
       unfair=st.booleans(), longer=st.booleans(),
       accepted=st.lists(st.none() | st.integers(-5, 60), min_size=30, max_size=30))
def test_vectorised_agrees_with_scalar_with_acceptance_and_the_private_option(
        rows, public, unfair, longer, accepted):
    """Both per-run options and the acceptance column: the vectorised form = period_start +
    statutory_interest, row by row."""
    for row, acc in zip(rows, accepted, strict=False):
        row["acceptance_completed_date"] = (
            None if acc is None else row["invoice_received_date"] + dt.timedelta(days=acc))
    df = pl.DataFrame(rows, schema={k: lp.INPUT_COLUMNS[k] for k in rows[0]})
    out = lp.with_statutory_interest(df, public_authority=public,
                                     private_over_60_grossly_unfair=unfair,
                                     acceptance_longer_agreed=longer)
    for row, got in zip(rows, out.iter_rows(named=True), strict=True):
        due = row["due_date"]
        if due is None and row["agreed_terms_days"] is not None:
            due = row["invoice_received_date"] + dt.timedelta(days=row["agreed_terms_days"])
        start = lp.period_start(row["invoice_received_date"], row["goods_received_date"],
                                row["acceptance_completed_date"], acceptance_longer_agreed=longer)
        amount = -1.0 if row["is_credit_note"] else row["gross_amount_gbp"]
        want = lp.statutory_interest(amount, due, row["payment_date"], received_date=start,
                                     public_authority=public,
                                     private_over_60_grossly_unfair=unfair)
        assert got["late_payment_relevant_day"] == want.relevant_day
        assert got["statutory_interest_gbp"] == want.interest_gbp
        assert got["fixed_compensation_gbp"] == want.compensation_gbp


@pytest.mark.parametrize(
    ("amount", "interest", "comp"),
    [
        # 10 days late at 12.75 % (relevant 18 Jun 2025, paid 28 Jun): amount x 12.75 x 10 / 36500
        (999.99, 3.49, 40.0),    # 127,498.725 / 36,500 = 3.4931 -> £3.49; under £1,000 -> £40
        (1_000.0, 3.49, 70.0),   # 127,500 / 36,500 = 3.4932 -> £3.49; £1,000 or more -> £70
        (9_999.99, 34.93, 70.0),  # 1,274,998.725 / 36,500 = 34.9315 -> £34.93; -> £70
        (10_000.0, 34.93, 100.0),  # 1,275,000 / 36,500 = 34.9315 -> £34.93; £10,000 -> £100
    ],
)
def test_compensation_edges_on_the_gross_debt_scalar_and_vectorised(amount, interest, comp):
    # the debt is the sum owed, VAT included: £833.33 + 20 % VAT = £999.99 gross is in the £40
    # band; the band is read on gross_amount_gbp, never on net_amount_gbp
    r = lp.statutory_interest(amount, date(2025, 7, 19), date(2025, 6, 28),
                              received_date=date(2025, 5, 20))
    assert (r.relevant_day, r.days_late, r.interest_gbp, r.compensation_gbp) == (
        date(2025, 6, 18), 10, interest, comp)
    out = lp.with_statutory_interest(pl.DataFrame({
        "invoice_received_date": [date(2025, 5, 20)], "due_date": [date(2025, 7, 19)],
        "payment_date": [date(2025, 6, 28)], "gross_amount_gbp": [amount],
        "net_amount_gbp": [round(amount / 1.2, 2)]}))
    assert out.select("statutory_interest_gbp", "fixed_compensation_gbp").row(0) == (
        interest, comp)
