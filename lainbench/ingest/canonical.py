"""Read a clean file already in the canonical ``invoice_payment`` schema (CSV or parquet).

Messy real-world ledgers go through :mod:`lainbench.ingest.invoices`, which maps headers and
cleans values and then hands over to the same row rules used here
(:func:`apply_invoice_rules`).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "inv.csv"
>>> _ = p.write_text("buyer_org_id,invoice_id,invoice_received_date,payment_date,gross_amount_gbp\\n"
...     "A,1,2025-01-02,2025-01-20,100\\nA,2,2025-01-05,2025-01-01,50\\n")
>>> res = read_invoice_payment(p)
>>> res.summary().split(": ", 1)[1]
'2 rows read = 1 accepted + 1 rejected'
>>> res.rejects["reason"][0]
'paid before the invoice was received'
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from lainbench.errors import IngestError
from lainbench.ingest.common import ROW, IngestResult, check_rows, finish, make_rejects
from lainbench.schemas import INVOICE_PAYMENT

# Columns a person would compare to call two rows "the same invoice twice".
DUPLICATE_KEY = (
    "buyer_org_id", "supplier_id", "supplier_name", "invoice_id", "supplier_invoice_ref",
    "invoice_date", "invoice_received_date", "payment_date", "gross_amount_gbp",
)

# (mask, column, reason, value shown in rejects.csv or None for the column's own value)
RuleCheck = tuple[pl.Expr, str, str, "pl.Expr | None"]


def invoice_rule_checks(columns: Sequence[str]) -> list[RuleCheck]:
    """The row-local invoice rules that apply to a frame with these ``columns``.

    Each check is ``(mask, column, reason, value)``: rows where ``mask`` holds are rejected, naming
    ``column`` and showing ``value`` (``None``: the column's own value). The expressions work on
    eager and lazy frames alike, so a streaming ingest applies the same rules as this module.

    >>> [c[1] for c in invoice_rule_checks(["invoice_received_date", "payment_date"])]
    ['payment_date']
    """
    cols = set(columns)
    checks: list[RuleCheck] = []
    paid_cols = [c for c in ("supplier_received_date", "payment_date") if c in cols]
    if "invoice_received_date" in cols:
        if paid_cols:
            paid = pl.coalesce([pl.col(c) for c in paid_cols])
            checks.append((paid < pl.col("invoice_received_date"), "payment_date",
                           "paid before the invoice was received", paid.cast(pl.String)))
        if "invoice_date" in cols:
            checks.append((
                pl.col("invoice_received_date") < pl.col("invoice_date") - pl.duration(days=366),
                "invoice_received_date", "received more than a year before the invoice date", None,
            ))
        if "due_date" in cols:
            issued = "invoice_date" if "invoice_date" in cols else "invoice_received_date"
            checks.append((pl.col("due_date") < pl.col(issued), "due_date",
                           "due before the invoice was issued", None))
    return checks


def apply_invoice_rules(typed: pl.DataFrame, source_file: str) -> pl.DataFrame:
    """Row rules for invoices: impossible date order and exact duplicates (first kept).

    Returns the rejects. Credit notes (negative amounts) are kept and flagged by
    :func:`flag_credit_notes`, not rejected.
    """
    out = [
        make_rejects(typed, mask, column, reason, source_file, value=value)
        for mask, column, reason, value in invoice_rule_checks(typed.columns)
    ]
    key = [c for c in DUPLICATE_KEY if c in typed.columns]
    if key:
        dup = typed.select(ROW, *key).with_columns(
            pl.int_range(pl.len()).over(key).alias("__n")
        )
        out.append(make_rejects(
            dup, pl.col("__n") > 0, None, "exact duplicate of an earlier row (first kept)",
            source_file, value=pl.lit(None, pl.String),
        ))
    out = [r for r in out if r.height]
    return pl.concat(out) if out else pl.DataFrame(schema={
        "source_file": pl.String, "source_row": pl.Int64, "column": pl.String,
        "value": pl.String, "reason": pl.String,
    })


def flag_credit_notes(df: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """Set ``is_credit_note`` where the gross amount is negative (unless already given)."""
    flag = pl.col("gross_amount_gbp") < 0
    names = df.collect_schema().names() if isinstance(df, pl.LazyFrame) else df.columns
    if "is_credit_note" in names:
        flag = pl.coalesce([pl.col("is_credit_note"), flag])
    return df.with_columns(flag.alias("is_credit_note"))


def read_invoice_payment(path: str | Path, source_dataset: str | None = None) -> IngestResult:
    """Read and validate a canonical ``invoice_payment`` file (``.csv`` or ``.parquet``)."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise IngestError(f"{name}: file not found")
    try:
        if p.suffix.lower() == ".parquet":
            raw = pl.read_parquet(p)
        elif p.suffix.lower() == ".csv":
            raw = pl.read_csv(p, infer_schema=False)
        else:
            raise IngestError(f"{name}: expected a .csv or .parquet file, got {p.suffix or 'none'}")
    except (pl.exceptions.ComputeError, OSError) as exc:
        raise IngestError(f"{name}: cannot be read as {p.suffix[1:]}: {exc}") from None
    derived_or_lineage = set(INVOICE_PAYMENT.derived) | {
        "source_dataset", "source_url", "source_row_id", "ingested_at"
    }
    extra = sorted(set(raw.columns) - set(INVOICE_PAYMENT.columns))
    if extra:
        raise IngestError(
            f"{name}: column(s) {', '.join(extra)} are not canonical invoice_payment columns; "
            "for a ledger with its own headers use `lainbench ingest invoices`"
        )
    missing = sorted(INVOICE_PAYMENT.required - set(raw.columns))
    if missing:
        raise IngestError(f"{name}: missing required column(s): {', '.join(missing)}")
    raw = raw.drop([c for c in raw.columns if c in derived_or_lineage])
    raw = raw.with_row_index(ROW, offset=1)
    typed, rejects = check_rows(raw, INVOICE_PAYMENT, name)
    rules = apply_invoice_rules(typed, name)
    all_rejects = pl.concat([rejects, rules]) if rules.height else rejects
    typed = flag_credit_notes(typed)
    return finish(
        typed, all_rejects, INVOICE_PAYMENT, rows_read=raw.height, source_file=name,
        source_dataset=source_dataset or p.name,
    )
