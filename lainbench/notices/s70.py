"""Payments over £30,000 under public contracts (Procurement Act 2023 s.70).

s.70(1): "A contracting authority must publish specified information about any payment of more
than £30,000 made by the authority under a public contract." s.70(2): "The information must be
published before the end of the period of 30 days beginning with the last day of the quarter in
which the payment was made." (https://www.legislation.gov.uk/ukpga/2023/54/part/4/crossheading/
notices-about-payments-and-performance/enacted). In force 1 April 2026 (SI 2025/1316), for public
contracts from procurements commenced on or after that day; the amount includes VAT.

**Outside the pack's disclosure control.** The list names suppliers and amounts because the law
publishes them: it is the member's own statutory publication, not a benchmarking output, and it
must not be pooled into or shared through the pack.

Readings (judgment, see ``docs/assumptions.md``): one ledger row is one payment (a payment run
that settles several invoices of one contract is not added up); the payment date is the
authority's ``payment_date`` (else ``supplier_received_date``); "more than £30,000" is
``gross_amount_gbp > 30,000`` including VAT; a contract is in scope when ``regime == "pa2023"`` and,
where the ledger has a ``procurement_commenced_date`` column, that date is on or after 1 April
2026. Without that column every Procurement Act contract is listed and the output says so.

>>> from datetime import date
>>> inv = pl.DataFrame({"buyer_org_id": ["A"] * 3, "regime": ["pa2023"] * 3,
...     "contract_id": ["C1", "C1", "C2"], "supplier_name": ["=Acme", "Acme", "Bolt Ltd"],
...     "invoice_id": ["1", "2", "3"], "payment_date": [date(2026, 4, 2)] * 3,
...     "gross_amount_gbp": [30_000.0, 30_000.01, 90_000.0]})
>>> out = payments_over_30k(inv, "A", "2026-Q2")
>>> out.table["amount_gbp"].to_list(), out.quarter.deadline
([30000.01, 90000.0], datetime.date(2026, 7, 29))
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from lainbench.errors import ParamsError, SchemaError
from lainbench.notices.calendar import S70_COMMENCEMENT, NoticePeriod, quarter

__all__ = ["DISCLOSURE_LABEL", "S70_THRESHOLD_GBP", "S70List", "payments_over_30k"]

S70_THRESHOLD_GBP = 30_000.0  # s.70(1) "more than £30,000"; params/payment_rules.yaml
DISCLOSURE_LABEL = (
    "Statutory publication under Procurement Act 2023 s.70: supplier names and amounts appear "
    "because the law publishes them. This output is OUTSIDE the benchmarking pack's disclosure "
    "control: do not pool it, share it through the pack or combine it with pack outputs.")


@dataclass(frozen=True)
class S70List:
    """One member's s.70 list for one quarter."""

    authority_id: str
    authority_name: str
    quarter: NoticePeriod
    table: pl.DataFrame  # contract_id, supplier_name, supplier_id, invoice_id, amount_gbp, payment_date
    notes: list[str] = field(default_factory=list)
    disclosure_label: str = DISCLOSURE_LABEL


def payments_over_30k(
    invoices: pl.DataFrame | pl.LazyFrame,
    member: str,
    quarter_label: str,
    *,
    authority_name: str | None = None,
    threshold_gbp: float = S70_THRESHOLD_GBP,
) -> S70List:
    """The member's payments of more than £30,000 (incl. VAT) under public contracts in a quarter."""
    q = quarter(quarter_label)
    lf = invoices.lazy() if isinstance(invoices, pl.DataFrame) else invoices
    names = set(lf.collect_schema().names())
    for need in ("buyer_org_id", "gross_amount_gbp"):
        if need not in names:
            raise SchemaError(f"invoice table: missing column {need}; see schemas.INVOICE_PAYMENT")
    if not names & {"payment_date", "supplier_received_date"}:
        raise SchemaError("invoice table: no payment date (payment_date or supplier_received_date)")

    def col(name: str, dtype: pl.DataType) -> pl.Expr:
        return pl.col(name).cast(dtype) if name in names else pl.lit(None, dtype)

    mine = lf.filter(pl.col("buyer_org_id").cast(pl.String) == str(member))
    if mine.select(pl.len()).collect().item() == 0:
        raise ParamsError(f"member = {member!r}: no invoices for that buyer_org_id in the ledger")
    notes: list[str] = []
    paid = pl.coalesce(col("payment_date", pl.Date()), col("supplier_received_date", pl.Date()))
    credit = col("is_credit_note", pl.Boolean()).fill_null(pl.col("gross_amount_gbp") < 0)
    keep = (paid.is_between(q.start, q.end) & (pl.col("gross_amount_gbp") > threshold_gbp)
            & ~credit)
    if "regime" in names:
        keep = keep & (pl.col("regime") == "pa2023")
    else:
        keep = keep & pl.lit(False)
        notes.append("The ledger has no regime column: no payment can be shown to be under a "
                     "Procurement Act public contract, so the list is empty.")
    if "procurement_commenced_date" in names:
        keep = keep & (pl.col("procurement_commenced_date").cast(pl.Date) >= S70_COMMENCEMENT)
    else:
        notes.append("The ledger has no procurement_commenced_date: every Procurement Act "
                     "(pa2023) contract is listed, including any procured before 1 April 2026 "
                     "that s.70 does not cover. Check each contract before publishing.")
    table = (
        mine.filter(keep)
        .select(
            col("contract_id", pl.String()).alias("contract_id"),
            col("supplier_name", pl.String()).alias("supplier_name"),
            col("supplier_id", pl.String()).alias("supplier_id"),
            col("invoice_id", pl.String()).alias("invoice_id"),
            pl.col("gross_amount_gbp").cast(pl.Float64).round(2).alias("amount_gbp"),
            paid.alias("payment_date"),
        )
        .sort("payment_date", "contract_id", "invoice_id", nulls_last=True)
        .collect()
    )
    if table.height == 0:
        notes.insert(0, f"No payments of more than £{threshold_gbp:,.0f} under Procurement Act "
                        f"public contracts in {q.label} ({q.text}).")
    return S70List(str(member), authority_name or str(member), q, table, notes)
