"""A member's payment-terms table (CSV or Excel) -> canonical ``payment_terms``.

One row per spend category (and supplier size band where terms differ by size) and date: standard
terms in days, whether counted from invoice receipt or the end of the month, dispute window,
e-invoicing accepted, supply-chain finance offered, length of the terms and conditions in pages,
and whether the row is before or after a review (or the current terms). See
:mod:`lainbench.ingest.records` for what is skipped, rejected and accepted. Rules beyond the
types: terms outside 0-365 days, a negative dispute window, a page count below 1, and a repeat of an
earlier row (same member, category, size band, date and stage).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "terms.csv"
>>> _ = p.write_text("Category,Payment terms,Counted from,As of,Review stage,Pages\\n"
...     "works,30 days,End of month,01/04/2024,Before review,28\\n"
...     "works,Net 20,invoice receipt,01/10/2025,after,6\\n"
...     "it,400,invoice receipt,01/10/2025,after,0\\n")
>>> res = ingest_terms(p, buyer_org_id="eastbank_council")
>>> res.summary().split(": ", 1)[1]
'3 rows read = 2 accepted + 1 rejected'
>>> res.rejects.select("source_row", "column").rows()
[(3, 'Pages'), (3, 'Payment terms')]
>>> res.accepted.select("standard_terms_days", "terms_basis", "review_stage").rows()
[(30, 'end_of_month', 'before_review'), (20, 'invoice_receipt', 'after_review')]
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lainbench.ingest.common import IngestResult
from lainbench.ingest.records import RecordSpec, Rule, ingest_records
from lainbench.schemas import PAYMENT_TERMS


def _rules(t: pl.DataFrame) -> list[Rule]:
    out: list[Rule] = [(~pl.col("standard_terms_days").is_between(0, 365), "standard_terms_days",
                        "payment terms outside 0-365 days")]
    if "dispute_window_days" in t.columns:
        out.append((pl.col("dispute_window_days") < 0, "dispute_window_days",
                    "dispute window below 0 days"))
    if "terms_conditions_pages" in t.columns:
        out.append((pl.col("terms_conditions_pages") < 1, "terms_conditions_pages",
                    "terms and conditions of fewer than 1 page; leave blank if not known"))
    return out


SPEC = RecordSpec(
    kind="terms",
    table=PAYMENT_TERMS,
    dates=("as_of_date",),
    integers=("standard_terms_days", "dispute_window_days", "terms_conditions_pages"),
    booleans=("e_invoicing_accepted", "supply_chain_finance_offered"),
    value_aliases={
        "supplier_size_band": {"any": "all", "all_suppliers": "all", "sme": None,
                               "not_known": "unknown"},
        "terms_basis": {"receipt": "invoice_receipt", "from_receipt": "invoice_receipt",
                        "invoice_receipt_date": "invoice_receipt", "from_invoice_receipt": "invoice_receipt",
                        "eom": "end_of_month", "end_of_the_month": "end_of_month",
                        "from_end_of_month": "end_of_month"},
        "review_stage": {"before": "before_review", "pre_review": "before_review",
                         "after": "after_review", "post_review": "after_review",
                         "now": "current", "current_terms": "current"},
    },
    key=("buyer_org_id", "spend_category", "supplier_size_band", "as_of_date", "review_stage"),
    rules=_rules,
    example_headers="'Category', 'Payment terms', 'As of'",
)


def ingest_terms(path: str | Path, **options: object) -> IngestResult:
    """Read a payment-terms table; options as :func:`lainbench.ingest.records.ingest_records`."""
    return ingest_records(path, SPEC, **options)  # type: ignore[arg-type]
