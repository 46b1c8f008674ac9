"""Row and file checks of invoice ingest: date order, decimal convention, future dates, duplicates on the business key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from lainbench.errors import IngestError
from lainbench.ingest import values as V
from lainbench.ingest.common import ROW

SAMPLE_ROWS = 200_000  # rows examined first to settle the date order


DECIMAL_SAMPLE_ROWS = 20_000  # ... and the decimal convention (every row is checked later)


def _decide_date_order(lf: pl.LazyFrame, date_sources: dict[str, tuple[str, str]], path: Path,
                       wanted: str) -> tuple[str, str | None]:
    """The date order to use and a note, from the option or from the file's own dates.

    ``date_sources`` maps canonical date columns to (column in ``lf``, header shown to people).
    """
    if wanted in V.DATE_ORDERS:
        return wanted, None
    if not date_sources:
        return "dmy", None

    def evidence(frame: pl.LazyFrame) -> dict[str, Any]:
        cols = {canon: src for canon, (src, _) in date_sources.items()}
        frame = frame.select([V.clean(pl.col(src)).alias(f"__v_{canon}")
                              for canon, src in cols.items()])
        frame = frame.with_columns([V.date_order_evidence(pl.col(f"__v_{c}")).alias(f"__e_{c}")
                                    for c in cols])
        exprs = []
        for c in cols:
            v, e = pl.col(f"__v_{c}"), pl.col(f"__e_{c}")
            exprs += [
                (e == "dmy").sum().alias(f"{c}|dmy"),
                (e == "mdy").sum().alias(f"{c}|mdy"),
                v.str.contains(V.NUMERIC_RE).sum().alias(f"{c}|numeric"),
                v.filter(v.str.contains(V.NUMERIC_RE)).first().alias(f"{c}|example"),
                v.filter(e == "dmy").first().alias(f"{c}|dmy_example"),
                v.filter(e == "mdy").first().alias(f"{c}|mdy_example"),
            ]
        return frame.select(exprs).collect().row(0, named=True)

    def total(ev: dict[str, Any], kind: str) -> int:
        return sum(int(v or 0) for k, v in ev.items() if k.endswith(f"|{kind}"))

    ev = evidence(lf.head(SAMPLE_ROWS))
    if total(ev, "dmy") + total(ev, "mdy") == 0:
        ev = evidence(lf)
    dmy, mdy, numeric = total(ev, "dmy"), total(ev, "mdy"), total(ev, "numeric")
    fix = ("set the order in a mapping file: `options: {date_order: dmy}` for UK day-first "
           "(03/02/2025 = 3 February) or `date_order: mdy`, and pass it with --mapping FILE "
           "(or add --set date_order=dmy; date_order='dmy' in Python)")
    if numeric == 0 or (dmy and not mdy):
        return "dmy", None
    if mdy and not dmy:
        ex = next(v for k, v in ev.items() if k.endswith("|mdy_example") and v)
        return "mdy", (f"dates read month-first (MM/DD/YYYY): e.g. {ex!r} cannot be day-first "
                       "and no date in the file can only be day-first")
    if dmy and mdy:
        ex_d = next(v for k, v in ev.items() if k.endswith("|dmy_example") and v)
        ex_m = next(v for k, v in ev.items() if k.endswith("|mdy_example") and v)
        raise IngestError(
            f"{path}: dates mix day-first and month-first forms ({dmy:,} like {ex_d!r}, {mdy:,} "
            f"like {ex_m!r}); the file cannot be read reliably. Fix the dates at source, or {fix}"
        )
    cols = ", ".join(f"{date_sources[k.split('|')[0]][1]!r}" for k, v in ev.items()
                     if k.endswith("|numeric") and v)
    ex = next(v for k, v in ev.items() if k.endswith("|example") and v)
    raise IngestError(
        f"{path}: the day/month order of the dates is ambiguous: every date in {cols} "
        f"(e.g. {ex!r}) has day and month both 12 or under, so 03/02/2025 could be 3 February "
        f"or 2 March. To say which, {fix}"
    )


@dataclass
class _Plan:
    matched: dict[str, str]       # canonical -> source header
    headers: list[str]            # source headers, in file order (internal names __s0, __s1, ...)
    extras: list[str]             # spare columns for rows longer than the header
    derived_from: dict[str, str]  # canonical filled from another canonical (received <- invoice)
    buyer_org_id: str | None
    order: str
    min_year: int
    max_year: int
    decimal: str = "point"        # "point" (1,234.56) or "comma" (1.234,56)
    settled: bool = True          # whether some cell in the file shows the decimal convention
    max_abs: float | None = None  # largest amount accepted (either sign)
    max_date: dt.date | None = None  # latest date accepted (today plus the tolerance)

    def internal(self, canon: str) -> str:
        """Internal name of the source column feeding ``canon``."""
        src = self.matched[self.derived_from.get(canon, canon)]
        return f"__s{self.headers.index(src)}"

    def shown(self, canon: str) -> str:
        """The column name a person sees in their file for a canonical column."""
        return self.matched.get(self.derived_from.get(canon, canon)) or canon


def _not_an_amount(decimal: str) -> str:
    usual = ("1234.50, £1,234.50, -12.00 or (12.00)" if decimal == "point"
             else "1234,50, £1.234,50, -12,00 or (12,00)")
    return f"not an amount (expected e.g. {usual})"


def _future_reason(max_date: dt.date) -> str:
    return (f"later than {max_date.isoformat()} (today plus date_future_tolerance_days in "
            "params/ingest_checks.yaml); a ledger records what has already happened")


def _refine_reasons(rej: pl.DataFrame, plan: _Plan) -> pl.DataFrame:
    """Sharper reasons, worked out on the (few) rejects rather than on every row: an amount in
    the other decimal convention; a future date that came from a two-digit year.
    """
    if not rej.height:
        return rej
    other = "comma" if plan.decimal == "point" else "point"
    marks = {"point": "'.'", "comma": "','"}
    value = pl.col("value")
    return rej.with_columns(
        pl.when((pl.col("reason") == _not_an_amount(plan.decimal))
                & (V.decimal_evidence(value) == other))
        .then(pl.lit(f"written with {marks[other]} for decimals, but the other amounts in the "
                     f"file use {marks[plan.decimal]}; correct it at source"))
        .when((pl.col("reason") == _future_reason(plan.max_date))
              & value.str.contains(V.TWO_DIGIT_YEAR_RE))
        .then(pl.format("two-digit year read as 20{}, later than today: 19{} or 20{}? Write "
                        "the year in full (YYYY)", value.str.slice(-2), value.str.slice(-2),
                        value.str.slice(-2)))
        .otherwise(pl.col("reason")).alias("reason"))


def _duplicate_rows(stage: pl.LazyFrame, n_rows: int, bucket_rows: int = 2_000_000,
                    *, live_only: bool = True) -> pl.DataFrame:
    """``__row`` of every row that repeats an earlier row exactly (by a 64-bit hash of all source
    columns), with the row it repeats. Done in hash buckets so memory stays bounded.
    """
    base = (stage.filter(pl.col("__skip").is_null()) if live_only else stage).select(ROW, "__hash")
    buckets = max(1, -(-n_rows // bucket_rows))
    found = []
    for b in range(buckets):
        part = base if buckets == 1 else base.filter(pl.col("__hash") % buckets == b)
        firsts = (part.group_by("__hash").agg(pl.col(ROW).min().alias("__first"), pl.len())
                  .filter(pl.col("len") > 1).drop("len"))
        found.append(
            part.join(firsts, on="__hash", how="inner")
            .filter(pl.col(ROW) != pl.col("__first")).select(ROW, "__first").collect()
        )
    return pl.concat(found).sort(ROW) if found else pl.DataFrame(
        schema={ROW: pl.Int64, "__first": pl.Int64})


def _norm_key(expr: pl.Expr) -> pl.Expr:
    """A business-key part as people compare it: case-folded, spaces trimmed and collapsed."""
    return expr.cast(pl.String).str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


def business_key(columns: Any, *, has_invoice_id: bool = True) -> list[str]:
    """The columns that identify one invoice: buyer, supplier (id, else name) and invoice id.

    Empty when the file has no invoice id of its own (ids made from row numbers never repeat).

    >>> business_key(["buyer_org_id", "supplier_name", "invoice_id", "gross_amount_gbp"])
    ['buyer_org_id', 'supplier_name', 'invoice_id']
    """
    cols = set(columns)
    if not has_invoice_id or "invoice_id" not in cols:
        return []
    supplier = next((c for c in ("supplier_id", "supplier_name") if c in cols), None)
    return [c for c in ("buyer_org_id", supplier, "invoice_id") if c]


def _same_invoice(ok: pl.LazyFrame, plan: _Plan, n_rows: int) -> pl.DataFrame:
    """Rows that repeat an earlier accepted row's business key (buyer, supplier, invoice id;
    case and spaces ignored) with ``value`` and ``reason`` naming the first row, which is kept.
    A credit note and an invoice with the same number are different documents.
    """
    key = business_key(ok.collect_schema().names(),
                       has_invoice_id="invoice_id" in plan.matched
                       or "supplier_invoice_ref" in plan.matched)
    if not key:
        return pl.DataFrame(schema={ROW: pl.Int64, "value": pl.String, "reason": pl.String})
    parts = [_norm_key(pl.col(c)).alias(c) for c in key]
    parts.append(pl.col("is_credit_note").fill_null(False).alias("__credit"))
    keyed = ok.with_columns(pl.struct(parts).hash(20261201).alias("__hash"),
                            pl.lit(None, pl.String).alias("__skip"))
    pairs = _duplicate_rows(keyed, n_rows)
    if not pairs.height:
        return pl.DataFrame(schema={ROW: pl.Int64, "value": pl.String, "reason": pl.String})
    rows = pl.concat([pairs[ROW], pairs["__first"]]).unique()
    shown = keyed.filter(pl.col(ROW).is_in(rows.implode())).select(
        ROW, *parts, pl.col("invoice_id").alias("__id"),
        pl.col("gross_amount_gbp").alias("__gbp")).collect()
    cols = [*key, "__credit"]
    first = shown.rename({c: f"__f_{c}" for c in shown.columns})
    both = pairs.join(shown, on=ROW).join(first, left_on="__first", right_on=f"__f_{ROW}")
    same = pl.all_horizontal([pl.col(c).eq_missing(pl.col(f"__f_{c}")) for c in cols])
    names = [c.replace("_org_id", "").replace("_", " ") for c in key]
    who = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    return both.filter(same).select(
        pl.col(ROW),
        pl.format("'{}' £{} here; '{}' £{} in row {}", pl.col("__id"),
                  pl.col("__gbp").round(2), pl.col("__f___id"), pl.col("__f___gbp").round(2),
                  pl.col("__first")).alias("value"),
        pl.format(f"duplicate invoice: same {who} as row {{}} (case and spaces ignored); the "
                  "first is kept. If both are genuine, give them different invoice ids",
                  pl.col("__first")).alias("reason"),
    ).sort(ROW)


def _decide_decimal(lf: pl.LazyFrame, sources: dict[str, str], path: str, wanted: str | None
                    ) -> tuple[str, bool, str | None]:
    """The decimal convention of the file's amounts: (``"point"``/``"comma"``, settled, note).

    Settled by the cells themselves ("12.50" or "1,234.56" for '.', "12,50" or "1.234,56" for
    ','); when they disagree the majority wins and the others are rejected row by row; a tie is
    one error. With no evidence either way the file is read with '.' and ambiguous cells such as
    "1.234" are rejected (see :func:`lainbench.ingest.values.with_amounts`).
    """
    if wanted in ("point", "comma"):
        return wanted, True, None
    if not sources:
        return "point", True, None

    def count(frame: pl.LazyFrame) -> tuple[int, int]:
        ev = [V.decimal_evidence(pl.col(src)) for src in sources.values()]
        row = frame.select(
            pl.sum_horizontal([(e == "point").sum() for e in ev]).alias("point"),
            pl.sum_horizontal([(e == "comma").sum() for e in ev]).alias("comma"),
        ).collect().row(0)
        return int(row[0] or 0), int(row[1] or 0)

    point, comma = count(lf.head(DECIMAL_SAMPLE_ROWS))
    if point + comma == 0:
        point, comma = count(lf)
    if comma > point:
        return "comma", True, (
            f"amounts read with ',' for decimals and '.' between thousands ({comma:,} cells like "
            f"1.234,56{f'; {point:,} written the other way are rejected' if point else ''}); "
            "pass --set decimal=point to read them the UK way")
    if comma and comma == point:
        raise IngestError(
            f"{path}: the amounts mix decimal conventions in equal numbers ({point:,} like "
            f"1,234.56 and {comma:,} like 1.234,56), so the file cannot be read reliably; say "
            "which with --set decimal=point or --set decimal=comma (decimal='point' in Python)")
    return "point", bool(point), None
