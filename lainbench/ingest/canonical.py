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

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from lainbench.errors import IngestError
from lainbench.ingest import values as V
from lainbench.ingest.common import ROW, IngestResult, check_rows, finish, make_rejects
from lainbench.ingest.tabular import EXTRA, check_file, open_text, read_csv_strings
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


# Dates that record something that has happened, so cannot lie in the future (not due_date).
PAST_DATES = ("invoice_date", "invoice_received_date", "validated_date", "goods_received_date",
              "dispute_raised_date", "dispute_resolved_date", "payment_date",
              "supplier_received_date")
AMOUNTS = ("gross_amount_gbp", "net_amount_gbp", "vat_gbp")


def plausibility_rejects(typed: pl.DataFrame, source_file: str, *, max_abs: float,
                         max_date: dt.date) -> pl.DataFrame:
    """Rejects for values that were read but cannot be right: amounts not finite or beyond
    ``max_abs``, dates after ``max_date``, text holding control characters.

    >>> df = pl.DataFrame({"__row": [1, 2, 3], "gross_amount_gbp": [float("inf"), 1e21, 5.0],
    ...     "payment_date": [dt.date(2025, 1, 1), dt.date(2025, 1, 1), dt.date(2090, 1, 1)],
    ...     "supplier_name": ["A", "B", "C"]})
    >>> plausibility_rejects(df, "f.csv", max_abs=1e10, max_date=dt.date(2027, 1, 1))[
    ...     "reason"].str.slice(0, 30).to_list()
    ['not a finite number (too large', 'larger than £10,000,000,000 in', '2090-01-01 is later than 2027-']
    """
    out = []
    for c in (c for c in AMOUNTS if c in typed.columns):
        col = pl.col(c)
        out.append(make_rejects(typed, col.is_not_null() & ~col.is_finite(), c,
                                "not a finite number (too large to hold)", source_file))
        out.append(make_rejects(typed, col.is_finite() & (col.abs() > max_abs), c,
                                f"larger than £{max_abs:,.0f} in either sign (amount_max_abs_gbp "
                                "in params/ingest_checks.yaml)", source_file))
    for c in (c for c in PAST_DATES if c in typed.columns):
        out.append(make_rejects(
            typed, pl.col(c) > max_date, c,
            pl.format(f"{{}} is later than {max_date.isoformat()} (today plus "
                      "date_future_tolerance_days in params/ingest_checks.yaml); a ledger "
                      "records what has already happened", pl.col(c)), source_file))
    for c, t in typed.schema.items():
        if t == pl.String and c != ROW:
            col = pl.col(c)
            out.append(make_rejects(
                typed, V.has_control(col).fill_null(False), c,
                "contains a control character (e.g. NUL, a line break or a text-direction "
                "override; shown as \ufffd); remove it at source", source_file,
                value=col.str.replace_all(V.CONTROL_RE, "\ufffd")))
    out = [r for r in out if r.height]
    return pl.concat(out) if out else make_rejects(typed, pl.lit(False), None, "", source_file)


def apply_invoice_rules(typed: pl.DataFrame, source_file: str) -> pl.DataFrame:
    """Row rules for invoices: impossible date order, exact duplicates (first kept) and
    duplicate invoices on the business key (buyer, supplier, invoice id; case and spaces
    ignored; the first kept, the later rows naming it).

    Returns the rejects. Credit notes (negative amounts) are kept and flagged by
    :func:`flag_credit_notes`, not rejected.
    """
    out = [
        make_rejects(typed, mask, column, reason, source_file, value=value)
        for mask, column, reason, value in invoice_rule_checks(typed.columns)
    ]
    key = [c for c in DUPLICATE_KEY if c in typed.columns]
    exact = pl.lit(False)
    if key:
        dup = typed.select(ROW, *key).with_columns(
            pl.int_range(pl.len()).over(key).alias("__n")
        )
        out.append(make_rejects(
            dup, pl.col("__n") > 0, None, "exact duplicate of an earlier row (first kept)",
            source_file, value=pl.lit(None, pl.String),
        ))
        exact = pl.col(ROW).is_in(dup.filter(pl.col("__n") > 0)[ROW].implode())
    supplier = next((c for c in ("supplier_id", "supplier_name") if c in typed.columns), None)
    bkey = [c for c in ("buyer_org_id", supplier, "invoice_id") if c and c in typed.columns]
    if "invoice_id" in bkey:
        norm = [pl.col(c).cast(pl.String).str.to_lowercase().str.replace_all(r"\s+", " ")
                .str.strip_chars().alias(f"__k_{c}") for c in bkey]
        credit = (pl.col("gross_amount_gbp") < 0).fill_null(False) if "gross_amount_gbp" in \
            typed.columns else pl.lit(False)
        k = typed.filter(~exact).with_columns(*norm, credit.alias("__k_credit"))
        kcols = [*(f"__k_{c}" for c in bkey), "__k_credit"]
        k = k.with_columns(pl.col(ROW).min().over(kcols).alias("__first"))
        who = " and ".join(c.replace("_org_id", "").replace("_", " ") for c in bkey)
        out.append(make_rejects(
            k, pl.col(ROW) != pl.col("__first"), "invoice_id",
            pl.format(f"duplicate invoice: same {who} as row {{}} (case and spaces ignored); the "
                      "first is kept", pl.col("__first")), source_file,
            value=pl.format("'{}' here, same as row {}", pl.col("invoice_id"), pl.col("__first"))))
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


def read_invoice_payment(path: str | Path, source_dataset: str | None = None,
                         today: dt.date | str | None = None) -> IngestResult:
    """Read and validate a canonical ``invoice_payment`` file (``.csv`` or ``.parquet``).

    ``today`` is the day the future-date check counts from (default: today).
    """
    p = Path(path)
    name = str(path)
    check_file(p)
    extra_rows = None
    try:
        if p.suffix.lower() == ".parquet":
            raw = pl.read_parquet(p)
        elif p.suffix.lower() == ".csv":
            with open_text(p) as src:
                raw = read_csv_strings(src, name)
            extra_rows = raw.with_row_index(ROW, offset=1).select(ROW, EXTRA)
            raw = raw.drop(EXTRA)
        else:
            raise IngestError(f"{name}: expected a .csv or .parquet file, got {p.suffix or 'none'}")
    except (pl.exceptions.PolarsError, OSError) as exc:
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
    t = V.thresholds()
    day = dt.date.fromisoformat(today) if isinstance(today, str) else (today or dt.date.today())
    max_date = day + dt.timedelta(days=int(t["date_future_tolerance_days"]))
    implausible = plausibility_rejects(typed, name, max_abs=float(t["amount_max_abs_gbp"]),
                                       max_date=max_date)
    gone = implausible["source_row"].implode()
    rules = apply_invoice_rules(typed.filter(~pl.col(ROW).is_in(gone)), name)
    parts = [rejects, implausible, rules]
    if extra_rows is not None:
        parts.append(make_rejects(
            extra_rows, pl.col(EXTRA).is_not_null(), None,
            "more fields than the header (a value with an unquoted comma? quote it)", name,
            value=pl.col(EXTRA)))
    parts = [r for r in parts if r.height]
    all_rejects = pl.concat(parts) if parts else rejects
    typed = flag_credit_notes(typed)
    return finish(
        typed, all_rejects, INVOICE_PAYMENT, rows_read=raw.height, source_file=name,
        source_dataset=source_dataset or p.name,
    )
