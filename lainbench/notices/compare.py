"""Measure-aware comparison of published payment figures with the member's own ledger.

A published figure and a ledger figure are compared only when they are **the same measure**:
the same population, the same day count and the same question (issue 14). The pure comparison
(:func:`compare_measures`, :func:`measure_id`, :data:`MEASURE_DEFINITIONS`) has one home,
:mod:`lainbench.payments.published`, the lowest capability, which ``compare_with_ledger`` calls;
it is re-exported here. This module adds what needs the notices:
:func:`ledger_notice_figures`, the ledger's own reg 38 figures for each published payments
compliance notice, so a published reg 38(2)(d) figure finds the ledger's reg 38(2)(d) (never the
PPR "% not paid within agreed terms").

>>> import datetime as dt
>>> k = {"org_id": ["a"], "period_start": [dt.date(2026, 4, 1)], "period_end": [dt.date(2026, 9, 30)]}
>>> pub = pl.DataFrame({**k, "regime": ["pa2023_pcn"], "measure": ["not_paid_within_terms_pct"],
...                     "value": [4.0]})
>>> led = pl.DataFrame({**k, "measure": ["not_paid_within_terms_pct"], "value": [21.0]})
>>> compare_measures(pub, led).select("published_measure", "ledger_measure", "comparable").row(0)
('reg38_2d_payable_not_paid_in_period_pct', 'ppr_not_paid_within_agreed_terms_pct', False)
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lainbench.config import resolve
from lainbench.notices.calendar import NoticePeriod, publication_deadline
from lainbench.payments.published import (
    LEDGER_BASIS,
    MEASURE_DEFINITIONS,
    compare_measures,
    measure_id,
)

__all__ = [
    "LEDGER_BASIS", "MEASURE_DEFINITIONS", "compare_measures", "ledger_notice_figures",
    "measure_id",
]

_LONG_SCHEMA = {"org_id": pl.String, "period_start": pl.Date, "period_end": pl.Date,
                "measure": pl.String, "value": pl.Float64}


def ledger_notice_figures(invoices: pl.DataFrame | pl.LazyFrame | str | Path | None,
                          published: pl.DataFrame) -> pl.DataFrame:
    """The ledger's payments compliance notice figures for every published notice's member and
    period (``regime == "pa2023_pcn"``), as long rows ``org_id, period_start, period_end,
    measure, value`` for ``published.compare_with_ledger(..., ledger_measures=...)``.

    Each is :meth:`~lainbench.notices.pcn.PaymentsComplianceNotice.long_figures` of the notice
    derived from the ledger for exactly the published period (Procurement Act contracts only);
    members with no invoices in the ledger are left out. ``invoices`` may be a path to the
    canonical table (``None`` or a missing file: no rows, as ``published.ledger_figures``).

    >>> import datetime as dt
    >>> inv = pl.DataFrame({"buyer_org_id": ["a"] * 2, "regime": ["pa2023"] * 2,
    ...     "invoice_received_date": [dt.date(2026, 4, 1)] * 2,
    ...     "due_date": [dt.date(2026, 5, 1)] * 2,
    ...     "supplier_received_date": [dt.date(2026, 4, 21), None],
    ...     "gross_amount_gbp": [10.0, 10.0]})
    >>> pub = pl.DataFrame({"org_id": ["a", "zz"], "regime": ["pa2023_pcn"] * 2,
    ...     "period_start": [dt.date(2026, 4, 1)] * 2, "period_end": [dt.date(2026, 9, 30)] * 2})
    >>> ledger_notice_figures(inv, pub).filter(pl.col("measure") == "payable_not_paid_in_period_pct"
    ...                                        ).select("org_id", "value").rows()
    [('a', 50.0)]
    """
    from lainbench.notices.pcn import payments_compliance_notice

    if invoices is None or (isinstance(invoices, (str, Path)) and not resolve(invoices).exists()):
        return pl.DataFrame(schema=_LONG_SCHEMA)
    if isinstance(invoices, (str, Path)):
        from lainbench import load

        invoices = load.invoices(invoices, "invoices_path")
    lf = invoices.lazy() if isinstance(invoices, pl.DataFrame) else invoices
    known = set(lf.select(pl.col("buyer_org_id").cast(pl.String).unique()).collect()
                .to_series().to_list())
    notices = (published.filter(pl.col("regime") == "pa2023_pcn")
               .select("org_id", "period_start", "period_end").unique()
               .sort("org_id", "period_start"))
    frames = []
    for org, start, end in notices.iter_rows():
        if org not in known:
            continue
        period = NoticePeriod(f"{end:%Y-%m}", start, end, publication_deadline(end))
        frames.append(payments_compliance_notice(lf, org, period).long_figures())
    if not frames:
        return pl.DataFrame(schema=_LONG_SCHEMA)
    return pl.concat(frames, how="vertical")
