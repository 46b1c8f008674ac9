"""Statutory interest and compensation over a whole invoice table (the scalar rules, vectorised)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date  # noqa: F401 (the doctests use it)

import numpy as np
import polars as pl

from lainbench.errors import SchemaError
from lainbench.late_payment.rates import (
    _out_of_table,
    _rate_lookup,
    reference_rates,
)
from lainbench.late_payment.rules import (
    ACCEPTANCE_PERIOD_DAYS,
    COMPENSATION_BANDS,
    DAY_BASIS,
    PRIVATE_ORG_TYPES,
    PRIVATE_PERIOD_LAST_DAY_OFFSET,
    PUBLIC_ORG_TYPES,
    PUBLIC_PERIOD_LAST_DAY_OFFSET,
)
from lainbench.schemas import _from_pandas_if_needed

# The canonical columns this module reads (lainbench.schemas.INVOICE_PAYMENT).
INPUT_COLUMNS: dict[str, pl.DataType] = {
    "invoice_received_date": pl.Date(),
    "goods_received_date": pl.Date(),
    "due_date": pl.Date(),
    "agreed_terms_days": pl.Int32(),
    "payment_date": pl.Date(),
    "supplier_received_date": pl.Date(),
    "gross_amount_gbp": pl.Float64(),
    "is_credit_note": pl.Boolean(),
    # optional: day an acceptance or verification procedure was completed
    "acceptance_completed_date": pl.Date(),
}


DERIVED_COLUMNS = (
    "late_payment_relevant_day", "statutory_interest_rate_pct", "statutory_interest_gbp",
    "fixed_compensation_gbp",
)


def _public_flag(
    buyer_types: pl.DataFrame | None, public_authority: bool, names: set[str]
) -> pl.Expr | bool:
    """Per-row public-authority flag: ``buyer_types`` where it knows the buyer, else the default.

    Plain ``public_authority`` (a bool, the same for every row) when ``buyer_types`` knows no buyer.
    """
    default = pl.lit(public_authority, pl.Boolean)
    if buyer_types is None:
        return public_authority
    buyer_types = _as_polars(buyer_types, "buyer_types")
    if isinstance(buyer_types, pl.LazyFrame):
        buyer_types = buyer_types.collect()
    missing = [c for c in ("buyer_org_id", "org_type") if c not in buyer_types.columns]
    if missing:
        raise SchemaError(
            f"buyer_types: missing column(s) {', '.join(missing)}; expected buyer_org_id and "
            "org_type (e.g. the member table renamed org_id -> buyer_org_id)"
        )
    if "buyer_org_id" not in names:
        raise SchemaError(
            "invoice table: buyer_types was given but the invoices have no buyer_org_id column"
        )
    bt = buyer_types.select(
        pl.col("buyer_org_id").cast(pl.String), pl.col("org_type").cast(pl.String)
    )
    dup = bt.filter(pl.col("buyer_org_id").is_duplicated())
    if dup.height:
        raise SchemaError(
            f"buyer_types: buyer_org_id {dup['buyer_org_id'][0]!r} appears {dup.height} times; "
            "give one org_type per buyer"
        )
    bt = bt.with_columns(
        pl.when(pl.col("org_type").is_in(PRIVATE_ORG_TYPES)).then(False)
        .when(pl.col("org_type").is_in(PUBLIC_ORG_TYPES)).then(True)
        .otherwise(None).alias("public")
    ).filter(pl.col("public").is_not_null())
    if bt.height == 0:
        return public_authority
    buyer = pl.col("buyer_org_id").cast(pl.String)
    private_ids = bt.filter(~pl.col("public"))["buyer_org_id"].implode()
    public_ids = bt.filter(pl.col("public"))["buyer_org_id"].implode()
    return (
        pl.when(buyer.is_in(private_ids)).then(False)
        .when(buyer.is_in(public_ids)).then(True)
        .otherwise(default)
    )


def _daily_rates() -> tuple[int, pl.Series, int, int]:
    """The rate table as one statutory rate (basis points) per day.

    Returns (first day covered, as days since 1970-01-01; the rates, one per day from it; the first
    half-year key; the number of half-years). The table has no gaps (checked on load), so the day
    ``d`` carries ``rates[d - first_day]`` when ``0 <= d - first_day < len(rates)``.
    """
    first, bps, _ = _rate_lookup()
    t = reference_rates()
    starts = t["half_year_start"].cast(pl.Int32)
    lengths = (t["half_year_end"].cast(pl.Int32) - starts + 1).to_numpy()
    daily = pl.Series("bp", np.repeat(np.asarray(bps, dtype=np.int32), lengths), dtype=pl.Int32)
    return int(starts[0]), daily, first, len(bps)


def _temp_prefix(names: set[str]) -> str:
    """A prefix for temporary columns that no input column starts with."""
    prefix = "__late_payment_"
    while any(n.startswith(prefix) for n in names):
        prefix = "_" + prefix
    return prefix


def _with_statutory_temps(
    lf: pl.LazyFrame, names: set[str], public: pl.Expr | bool, need: pl.Expr | None = None,
    *, private_over_60_grossly_unfair: bool = False, acceptance_longer_agreed: bool = False,
) -> tuple[pl.LazyFrame, dict[str, pl.Expr], list[str]]:
    """``lf`` with the statutory intermediates added as temporary columns, each computed once.

    Returns the frame, the expressions for the four derived columns (over the temporary columns)
    and the temporary column names (for the caller to drop). Dates are worked as whole days since
    1970-01-01 (integer arithmetic: ``pl.duration`` date arithmetic is about 10x slower). ``need``
    (a boolean expression), when given, restricts interest to the rows where it is true: the
    other rows read as "nothing owed" and need no rate.
    """
    prefix = _temp_prefix(names)
    t = {k: prefix + k for k in ("received", "agreed", "paid", "pence", "public", "rday", "days",
                                 "owed", "bp")}

    def col(name: str) -> pl.Expr:
        dtype = INPUT_COLUMNS[name]
        return pl.col(name).cast(dtype) if name in names else pl.lit(None, dtype)

    def day(name: str) -> pl.Expr:  # a date column as days since 1970-01-01
        return col(name).cast(pl.Int32)

    invoice_received = day("invoice_received_date")
    amount = col("gross_amount_gbp")
    # 1. period start (s.4(2H): later of notice and performance; the end of acceptance where
    #    later, capped at performance + 29 unless a longer procedure was agreed), agreed day,
    #    paid day, amount in whole pence
    performed = pl.coalesce(day("goods_received_date"), invoice_received)
    accepted = day("acceptance_completed_date")
    if not acceptance_longer_agreed:
        accepted = pl.min_horizontal(accepted, performed + (ACCEPTANCE_PERIOD_DAYS - 1))
        accepted = pl.when(day("acceptance_completed_date").is_null()).then(None).otherwise(
            accepted)
    step1 = [
        pl.max_horizontal(invoice_received, day("goods_received_date"), accepted)
        .alias(t["received"]),
        pl.coalesce(
            day("due_date").cast(pl.Int64),
            invoice_received.cast(pl.Int64) + col("agreed_terms_days").cast(pl.Int64),
        ).alias(t["agreed"]),
        pl.coalesce(day("supplier_received_date"), day("payment_date")).alias(t["paid"]),
        # every row, as before: an amount that is not a number fails the strict cast
        (amount * 100 + 0.5).floor().cast(pl.Int128).alias(t["pence"]),
    ]
    if isinstance(public, bool):
        is_public = pl.lit(public, pl.Boolean)
    else:
        step1.append(public.alias(t["public"]))
        is_public = pl.col(t["public"])
    received, agreed = pl.col(t["received"]), pl.col(t["agreed"])
    last30 = received + PUBLIC_PERIOD_LAST_DAY_OFFSET
    last60 = received + PRIVATE_PERIOD_LAST_DAY_OFFSET
    # 2. relevant day (s.4(2A)-(2F)): no agreed day -> last day of the 30-day period; public
    #    authority -> the earlier of the agreed day and that last day; others -> the agreed day
    #    (or, with the grossly-unfair reading, the 60-day period's last day where earlier)
    private_day = agreed
    if private_over_60_grossly_unfair:
        private_day = pl.when(last60 < agreed).then(last60).otherwise(agreed)
    step2 = (
        pl.when(agreed.is_null())
        .then(last30)
        .when(is_public)
        .then(pl.min_horizontal(agreed, last30))
        .otherwise(private_day)
        .cast(pl.Int64)
        .alias(t["rday"])
    )
    # 3. days late (0 when unpaid or on time) and whether anything is owed
    rday = pl.col(t["rday"])
    late_by = pl.col(t["paid"]) - rday
    owed = (
        (late_by > 0).fill_null(False)
        & (amount > 0).fill_null(False)
        & ~col("is_credit_note").fill_null(False)
    )
    if need is not None:
        owed = owed & need.fill_null(False)
    step3 = [
        pl.max_horizontal(late_by, pl.lit(0, pl.Int64)).alias(t["days"]),
        owed.alias(t["owed"]),
    ]
    # 4. statutory rate (bp) for the day interest starts, where owed
    first_day, daily, first, n = _daily_rates()

    def lookup(start: pl.Series) -> pl.Series:
        offset = start - first_day
        bad = (offset < 0) | (offset >= daily.len())
        if bad.any():
            d = start.filter(bad)[:1].cast(pl.Date)
            key = int(d.dt.year()[0]) * 2 + (1 if d.dt.month()[0] >= 7 else 0)
            raise _out_of_table(key, first, n)
        return daily.gather(offset)

    owed_col = pl.col(t["owed"])
    step4 = (
        pl.when(owed_col).then(rday + 1)
        .map_batches(lookup, return_dtype=pl.Int32, is_elementwise=True)
        .alias(t["bp"])
    )
    lf = lf.with_columns(step1).with_columns(step2).with_columns(step3).with_columns(step4)

    rate_bp = pl.col(t["bp"])
    den = DAY_BASIS * 10_000
    num = pl.col(t["pence"]) * rate_bp.cast(pl.Int128) * pl.col(t["days"]).cast(pl.Int128)
    pence = (num * 2 + den) // (2 * den)
    comp = pl.lit(0.0)
    for lower, fixed in COMPENSATION_BANDS:
        comp = pl.when(amount >= lower).then(pl.lit(fixed)).otherwise(comp)
    exprs = {
        "late_payment_relevant_day": rday.cast(pl.Date),
        # polars divides by a literal as a multiply: round(2) restores Python's x / 100 exactly
        # (an integer / 100 can come out as 28.650000000000002)
        "statutory_interest_rate_pct": pl.when(owed_col).then(
            (rate_bp.cast(pl.Float64) / 100).round(2)
        ),
        "statutory_interest_gbp": pl.when(owed_col)
        .then((pence.cast(pl.Float64) / 100).round(2))
        .otherwise(0.0),
        "fixed_compensation_gbp": pl.when(owed_col).then(comp).otherwise(0.0),
    }
    temps = [v for k, v in t.items() if k != "public" or not isinstance(public, bool)]
    return lf, exprs, temps


def _columns(df: pl.DataFrame | pl.LazyFrame) -> set[str]:
    return set(df.collect_schema().names() if isinstance(df, pl.LazyFrame) else df.columns)


def _as_polars(df, name: str = "invoice table"):
    """A polars frame (lazy frames pass through); pandas is converted at the edge."""
    if isinstance(df, pl.LazyFrame):
        return df
    try:
        return _from_pandas_if_needed(df)
    except SchemaError as exc:
        raise SchemaError(f"{name}: {exc}") from None


def with_statutory_interest(
    df: pl.DataFrame | pl.LazyFrame,
    *,
    public_authority: bool = True,
    buyer_types: pl.DataFrame | None = None,
    private_over_60_grossly_unfair: bool = False,
    acceptance_longer_agreed: bool = False,
) -> pl.DataFrame | pl.LazyFrame:
    """Add the Late Payment Act columns to an ``invoice_payment`` table (same frame type back).

    Reads ``invoice_received_date``, ``goods_received_date``, the optional
    ``acceptance_completed_date``, ``due_date`` (else ``invoice_received_date +
    agreed_terms_days``, else the last day of the 30-day period), the payment date
    (``supplier_received_date``, else ``payment_date``), ``gross_amount_gbp`` and
    ``is_credit_note``; absent optional columns count as null. Adds (replacing any existing):

    * ``late_payment_relevant_day`` (date);
    * ``statutory_interest_rate_pct``: reference rate + 8, null when nothing is owed;
    * ``statutory_interest_gbp`` and ``fixed_compensation_gbp``: to the penny, 0.0 when not
      late, unpaid, a credit note or an amount of £0 or less.

    ``public_authority`` sets the purchaser rule for every row, unless ``buyer_types``
    (``buyer_org_id``, ``org_type``) knows the buyer: ``company``/``llp`` then use the
    private-purchaser rule (the agreed day stands; with ``private_over_60_grossly_unfair`` an
    agreed day beyond the 60-day period gives way to its last day), public-body types the
    s.4(2D) 30-day rule. ``acceptance_longer_agreed`` lets an acceptance procedure run beyond 30
    days (see :func:`period_start`). Both options are per run: say which in the report. Pure polars: each intermediate
    (received day, relevant day, days late, rate) is worked once, in whole days since 1970, as a
    temporary column that is dropped again, so the output has the input's columns and the four
    above, nothing else. A LazyFrame stays lazy, and a rate missing from the table raises when it
    is collected.

    >>> inv = pl.DataFrame({"buyer_org_id": ["A", "A"], "invoice_received_date":
    ...     [date(2025, 5, 20), date(2025, 5, 20)], "agreed_terms_days": [60, 60],
    ...     "payment_date": [date(2025, 8, 1), date(2025, 6, 1)],
    ...     "gross_amount_gbp": [12_000.0, 500.0]})
    >>> with_statutory_interest(inv).select("late_payment_relevant_day",
    ...     "statutory_interest_gbp", "fixed_compensation_gbp").rows()
    [(datetime.date(2025, 6, 18), 184.44, 100.0), (datetime.date(2025, 6, 18), 0.0, 0.0)]
    """
    df = _as_polars(df)
    names = _columns(df)
    if "invoice_received_date" not in names and "due_date" not in names:
        raise SchemaError(
            "invoice table: needs invoice_received_date (or due_date) to find the relevant day; "
            "see lainbench.schemas.INVOICE_PAYMENT"
        )
    if "gross_amount_gbp" not in names:
        raise SchemaError("invoice table: missing column gross_amount_gbp (gross amount in GBP)")
    if not names & {"payment_date", "supplier_received_date"}:
        raise SchemaError(
            "invoice table: no payment date; give supplier_received_date or payment_date"
        )
    public = _public_flag(buyer_types, public_authority, names)
    lf, exprs, temps = _with_statutory_temps(
        df.lazy(), names, public, private_over_60_grossly_unfair=private_over_60_grossly_unfair,
        acceptance_longer_agreed=acceptance_longer_agreed)
    lf = lf.with_columns(**exprs).drop(temps)
    if isinstance(df, pl.LazyFrame):
        return lf
    # the in-memory engine keeps the row order
    return lf.collect(engine="in-memory")


def interest_owed(
    df: pl.DataFrame | pl.LazyFrame,
    by: Sequence[str] = ("buyer_org_id", "period"),
    *,
    public_authority: bool = True,
    buyer_types: pl.DataFrame | None = None,
    private_over_60_grossly_unfair: bool = False,
    acceptance_longer_agreed: bool = False,
) -> pl.DataFrame:
    """Statutory interest and compensation owed per group (by default per member and period).

    Columns: the ``by`` keys, ``invoices_paid_late`` (paid after the Act's relevant day, credit
    notes excluded), ``late_value_gbp`` (their gross value), ``statutory_interest_gbp``,
    ``fixed_compensation_gbp`` and ``total_owed_gbp``; sorted by the keys. Groups with nothing
    owed are kept, with zeros.

    Values already in the table are reused, not worked out again. Only the two money columns
    ``statutory_interest_gbp`` and ``fixed_compensation_gbp`` are read (``fixed_compensation_gbp
    > 0`` marks a late invoice; the relevant day and rate are not needed), so the rule is on them:

    * either absent: both are computed for every row with ``public_authority``,
      ``buyer_types`` and the two per-run options of :func:`with_statutory_interest` (a lone one
      is replaced);
    * both present with no nulls in an in-memory frame (as from :func:`with_statutory_interest`,
      whatever ``buyer_types`` it was given): used as they are, nothing is computed;
    * present with nulls (as after ``schemas.conform``), or in a LazyFrame (whose nulls cannot be
      counted without running it): the rows with a null in either column are computed in the
      same pass and each null is filled from its row's result; values present are kept. A row
      that already has both values is not worked out again, so it needs no reference rate.

    >>> inv = pl.DataFrame({"buyer_org_id": ["A", "A", "B"], "period": ["P1"] * 3,
    ...     "due_date": [date(2025, 6, 19), date(2025, 6, 19), date(2025, 6, 19)],
    ...     "payment_date": [date(2025, 8, 1), date(2025, 6, 1), date(2025, 6, 19)],
    ...     "gross_amount_gbp": [12_000.0, 500.0, 90.0]})
    >>> interest_owed(inv).rows()
    [('A', 'P1', 1, 12000.0, 180.25, 100.0, 280.25), ('B', 'P1', 0, 0.0, 0.0, 0.0, 0.0)]
    """
    df = _as_polars(df)
    names = _columns(df)
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in by if c not in names]
    if missing:
        hint = " (add it with lainbench.payments first)" if "period" in missing else ""
        raise SchemaError(
            f"invoice table: missing grouping column(s) {', '.join(missing)}{hint}; "
            f"columns present: {', '.join(sorted(names))}"
        )
    money = ("statutory_interest_gbp", "fixed_compensation_gbp")
    if not all(c in names for c in money):
        df = with_statutory_interest(
            df, public_authority=public_authority, buyer_types=buyer_types,
            private_over_60_grossly_unfair=private_over_60_grossly_unfair,
            acceptance_longer_agreed=acceptance_longer_agreed)
    else:
        can_compute = (
            "gross_amount_gbp" in names
            and bool(names & {"payment_date", "supplier_received_date"})
            and bool(names & {"invoice_received_date", "due_date"})
        )
        complete = isinstance(df, pl.DataFrame) and all(df[c].null_count() == 0 for c in money)
        if can_compute and not complete:
            # fill only the null rows, in the same pass (no second scan of a lazy plan); rows
            # that carry both values are not recomputed (they need no rate)
            need = pl.col(money[0]).is_null() | pl.col(money[1]).is_null()
            public = _public_flag(buyer_types, public_authority, names)
            lf, fresh, temps = _with_statutory_temps(
                df.lazy(), names, public, need=need,
                private_over_60_grossly_unfair=private_over_60_grossly_unfair,
                acceptance_longer_agreed=acceptance_longer_agreed)
            df = lf.with_columns(
                pl.coalesce(pl.col(c), fresh[c]).alias(c) for c in money
            ).drop(temps)
    late = pl.col("fixed_compensation_gbp").fill_null(0.0) > 0  # > 0 exactly when interest ran
    has_amount = "gross_amount_gbp" in _columns(df)
    amount = pl.col("gross_amount_gbp") if has_amount else pl.lit(None, pl.Float64)
    out = (
        df.lazy()
        .group_by(by)
        .agg(
            late.sum().cast(pl.Int64).alias("invoices_paid_late"),
            amount.filter(late).sum().alias("late_value_gbp"),
            pl.col("statutory_interest_gbp").sum().alias("statutory_interest_gbp"),
            pl.col("fixed_compensation_gbp").sum().alias("fixed_compensation_gbp"),
        )
        .with_columns(
            (pl.col("statutory_interest_gbp") + pl.col("fixed_compensation_gbp")).alias(
                "total_owed_gbp"
            )
        )
        .with_columns(
            pl.col(c).round(2)
            for c in ("late_value_gbp", "statutory_interest_gbp", "fixed_compensation_gbp",
                      "total_owed_gbp")
        )
        .sort(by)
        .collect()
    )
    return out
