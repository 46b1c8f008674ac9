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

from datetime import date  # noqa: F401 (the doctests use it)

from lainbench.late_payment.rates import (
    RATES_FILE,
    STATUSES,
    STATUTORY_MARGIN_PCT,
    ReferenceRateError,
    rate_table_notes,
    reference_rates,
    statutory_rate_pct,
)
from lainbench.late_payment.rules import (
    ACCEPTANCE_PERIOD_DAYS,
    COMPENSATION_BANDS,
    DAY_BASIS,
    PRIVATE_ORG_TYPES,
    PRIVATE_PERIOD_DAYS,
    PRIVATE_PERIOD_LAST_DAY_OFFSET,
    PUBLIC_ORG_TYPES,
    PUBLIC_PERIOD_DAYS,
    PUBLIC_PERIOD_LAST_DAY_OFFSET,
    StatutoryInterest,
    fixed_compensation_gbp,
    period_last_day,
    period_start,
    relevant_day,
    statutory_interest,
)
from lainbench.late_payment.vectorised import (
    DERIVED_COLUMNS,
    INPUT_COLUMNS,
    interest_owed,
    with_statutory_interest,
)

__all__ = [
    "ACCEPTANCE_PERIOD_DAYS",
    "COMPENSATION_BANDS",
    "DAY_BASIS",
    "DERIVED_COLUMNS",
    "INPUT_COLUMNS",
    "PRIVATE_ORG_TYPES",
    "PRIVATE_PERIOD_DAYS",
    "PRIVATE_PERIOD_LAST_DAY_OFFSET",
    "PUBLIC_ORG_TYPES",
    "PUBLIC_PERIOD_DAYS",
    "PUBLIC_PERIOD_LAST_DAY_OFFSET",
    "RATES_FILE",
    "STATUSES",
    "STATUTORY_MARGIN_PCT",
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
