"""Measure-aware comparison of published payment figures with the member's own ledger.

A published figure and a ledger figure are compared only when they are **the same measure**:
the same population, the same day count and the same question. Two figures stored under one
column name can be different measures. The case that prompted this module (issue 14): a payments
compliance notice's reg 38(2)(d) figure ("in respect of sums which became payable under public
contracts during the reporting period, the percentage of those payments which were not made within
the reporting period") and a Payment Practices Report's "% not paid within agreed terms" are both
stored as ``not_paid_within_terms_pct``, yet the first asks whether a sum due in the period was
paid *by the period's end*, the second whether it was paid *by its due date*. They are shown side
by side, each named, and never differenced or ranked as "looks better".

The pure function :func:`compare_measures` takes long tables (one row per figure) and returns one
row per published figure: both measures named, ``comparable``, the difference only when
comparable, and a plain reading. The integrator wires it into ``published.compare_with_ledger``.

>>> import datetime as dt
>>> k = {"org_id": ["a"], "period_start": [dt.date(2026, 4, 1)], "period_end": [dt.date(2026, 9, 30)]}
>>> pub = pl.DataFrame({**k, "regime": ["pa2023_pcn"], "measure": ["not_paid_within_terms_pct"],
...                     "value": [4.0]})
>>> led = pl.DataFrame({**k, "measure": ["not_paid_within_terms_pct"], "value": [21.0]})
>>> out = compare_measures(pub, led)
>>> out.select("published_measure", "ledger_measure", "comparable", "difference").row(0)
('reg38_2d_payable_not_paid_in_period_pct', 'ppr_not_paid_within_agreed_terms_pct', False, None)
>>> led2 = led.vstack(pl.DataFrame({**k, "measure": ["payable_not_paid_in_period_pct"],
...                                  "value": [6.5]}))
>>> compare_measures(pub, led2).select("ledger_value", "comparable", "difference").row(0)
(6.5, True, -2.5)
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

__all__ = ["MEASURE_DEFINITIONS", "compare_measures", "measure_id"]

LEDGER_BASIS = "invoice_receipt_to_supplier_receipt"

# measure id -> what it counts (the population, the day count, the question)
MEASURE_DEFINITIONS: dict[str, str] = {
    "reg38_2d_payable_not_paid_in_period_pct": (
        "PCN reg 38(2)(d): % of sums that became payable in the period not paid by its last day"),
    "ppr_not_paid_within_agreed_terms_pct": (
        "PPR: % of payments due in the period not paid within the agreed terms (by the due date)"),
    "paid_within_30_days_of_receipt_pct": (
        "% of payments made in the period paid within 30 days of the invoice's receipt "
        "(receipt to supplier receipt: reg 38(2)(c)(ii)(aa), PPR)"),
    "paid_31_to_60_days_of_receipt_pct": "% of payments made in the period paid in days 31-60",
    "paid_over_60_days_of_receipt_pct": "% of payments made in the period paid on or after day 61",
    "average_days_receipt_to_payment": (
        "Average days from invoice receipt to the supplier's receipt of payment"),
    "reg113_valid_undisputed_within_30_days_pct": (
        "PCR 2015 reg 113: % of valid, undisputed invoices paid within 30 days of validation"),
    "bppc_within_30_days_or_due_pct": (
        "NHS BPPC: % of valid invoices paid by the due date or within 30 days, whichever later"),
    "paid_within_5_days_pct": "PPN 05/15: % of invoices paid within 5 days",
}

# (column, regime) -> measure id; regime None matches any regime not listed for that column
_BY_REGIME: dict[tuple[str, str | None], str] = {
    ("not_paid_within_terms_pct", "pa2023_pcn"): "reg38_2d_payable_not_paid_in_period_pct",
    ("not_paid_within_terms_pct", None): "ppr_not_paid_within_agreed_terms_pct",
    ("payable_not_paid_in_period_pct", None): "reg38_2d_payable_not_paid_in_period_pct",
    ("paid_within_30_days_pct", "pcr_reg113"): "reg113_valid_undisputed_within_30_days_pct",
    ("paid_within_30_days_pct", None): "paid_within_30_days_of_receipt_pct",
    ("paid_31_to_60_days_pct", None): "paid_31_to_60_days_of_receipt_pct",
    ("paid_over_60_days_pct", None): "paid_over_60_days_of_receipt_pct",
    ("avg_days_to_pay", None): "average_days_receipt_to_payment",
    ("paid_within_target_count_pct", None): "bppc_within_30_days_or_due_pct",
    ("paid_within_5_days_pct", None): "paid_within_5_days_pct",
}


def measure_id(column: str, regime: str | None = None, day_count_basis: str | None = None) -> str:
    """The precise measure a figure stored as ``column`` is, given where it was published.

    A day count other than receipt-to-supplier-receipt makes a different measure (suffix
    ``@basis``).

    >>> measure_id("not_paid_within_terms_pct", "pa2023_pcn")
    'reg38_2d_payable_not_paid_in_period_pct'
    >>> measure_id("not_paid_within_terms_pct", "ppr_2025")
    'ppr_not_paid_within_agreed_terms_pct'
    >>> measure_id("avg_days_to_pay", "pcr_reg113", "valid_undisputed_to_payment")
    'average_days_receipt_to_payment@valid_undisputed_to_payment'
    """
    mid = _BY_REGIME.get((column, regime)) or _BY_REGIME.get((column, None)) or column
    if day_count_basis and day_count_basis != LEDGER_BASIS and not mid.startswith(
            ("reg113_", "bppc_")):
        mid = f"{mid}@{day_count_basis}"
    return mid


def _with_ids(df: pl.DataFrame, default_regime: str | None) -> pl.DataFrame:
    if "measure_id" in df.columns:
        return df
    regime = df["regime"] if "regime" in df.columns else [default_regime] * df.height
    basis = df["day_count_basis"] if "day_count_basis" in df.columns else [None] * df.height
    ids = [measure_id(c, r, b) for c, r, b in zip(df["measure"], regime, basis, strict=True)]
    return df.with_columns(pl.Series("measure_id", ids, dtype=pl.String))


def compare_measures(
    published: pl.DataFrame,
    ledger: pl.DataFrame,
    keys: Sequence[str] = ("org_id", "period_start", "period_end"),
) -> pl.DataFrame:
    """Each published figure beside the ledger figure of the same measure, or, failing that,
    beside the ledger figure stored under the same column, marked as a different measure.

    ``published``: ``keys``, ``measure`` (column name), ``value``, optional ``regime`` and
    ``day_count_basis`` (or an explicit ``measure_id``). ``ledger``: ``keys``, ``measure``,
    ``value`` (regime taken as ``internal``, receipt-to-supplier-receipt days) or ``measure_id``.
    Returns ``keys``, ``published_measure``, ``published_definition``, ``published_value``,
    ``ledger_measure``, ``ledger_definition``, ``ledger_value``, ``comparable``, ``difference``
    (published - ledger, only when comparable) and ``reading``. No "better/worse" column: a
    difference between like measures is stated, not judged.
    """
    keys = list(keys)
    pub = _with_ids(published, None).select(
        *keys, pl.col("measure").alias("column"),
        pl.col("measure_id").alias("published_measure"),
        pl.col("value").cast(pl.Float64).alias("published_value"))
    led = _with_ids(ledger, "internal").select(
        *keys, pl.col("measure").alias("column"), pl.col("measure_id").alias("ledger_measure"),
        pl.col("value").cast(pl.Float64).alias("ledger_value"))
    like = pub.join(led.drop("column"), left_on=[*keys, "published_measure"],
                    right_on=[*keys, "ledger_measure"], how="left", coalesce=False)
    like = like.with_columns(pl.col("published_measure").alias("ledger_measure")).with_columns(
        pl.when(pl.col("ledger_value").is_null()).then(None).otherwise(pl.col("ledger_measure"))
        .alias("ledger_measure"))
    matched = like.filter(pl.col("ledger_value").is_not_null())
    unmatched = like.filter(pl.col("ledger_value").is_null()).drop(
        "ledger_measure", "ledger_value")
    side = unmatched.join(led, on=[*keys, "column"], how="left")
    schema_cols = [*keys, "column", "published_measure", "published_value", "ledger_measure",
                   "ledger_value"]
    out = pl.concat([matched.select(schema_cols), side.select(schema_cols)], how="vertical")
    defs = pl.col("published_measure").replace_strict(
        MEASURE_DEFINITIONS, default=pl.col("published_measure"))
    ldefs = pl.col("ledger_measure").replace_strict(
        MEASURE_DEFINITIONS, default=pl.col("ledger_measure"))
    comparable = (pl.col("published_measure") == pl.col("ledger_measure")).fill_null(False)
    diff = (pl.col("published_value") - pl.col("ledger_value")).round(2)
    return (
        out.with_columns(
            defs.alias("published_definition"), ldefs.alias("ledger_definition"),
            comparable.alias("comparable"),
        ).with_columns(
            pl.when(pl.col("comparable")).then(diff).otherwise(None).alias("difference"),
            pl.when(pl.col("ledger_value").is_null())
            .then(pl.lit("no ledger figure for this measure"))
            .when(pl.col("comparable"))
            .then(pl.lit("same measure: difference = published - ledger"))
            .otherwise(pl.lit("different measures: shown side by side, not compared"))
            .alias("reading"),
        ).select(*keys, "published_measure", "published_definition", "published_value",
                 "ledger_measure", "ledger_definition", "ledger_value", "comparable",
                 "difference", "reading")
        .sort(*keys, "published_measure")
    )
