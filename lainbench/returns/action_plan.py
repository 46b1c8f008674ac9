"""The twice-yearly action-plan aggregates of a member's return: sufficient statistics only.

From the member's canonical ``supplier``, ``spend_line``, ``contract_award`` and ``payment_terms``
tables (:mod:`lainbench.schemas`), per period: sums, counts, distinct suppliers and the two
largest suppliers' values per cell, so the network can form shares with their coverage (the
``unknown`` rows) and apply its disclosure rules. Network measures built on top (concentration,
local multipliers) belong to ``lainbench.network``; these sheets are what it can join.

>>> import datetime as dt
>>> sup = pl.DataFrame({"buyer_org_id": ["A", "A"], "supplier_id": ["s1", "s2"],
...     "size_band": ["micro", "large"], "vcse": ["true", "unknown"]})
>>> spend = pl.DataFrame({"buyer_org_id": ["A"] * 3, "supplier_id": ["s1", "s2", "s9"],
...     "amount_gbp": [100.0, 900.0, 50.0], "payment_date": [dt.date(2025, 5, 1)] * 3})
>>> per = pl.DataFrame({"period": ["P"], "period_start": [dt.date(2025, 4, 1)],
...     "period_end": [dt.date(2025, 9, 30)]})
>>> s = spend_aggregates(spend, sup, per)
>>> s.filter(pl.col("dimension") == "size_band").select("category", "amount_gbp").rows()
[('micro', 100.0), ('large', 900.0), ('unknown', 50.0)]
>>> s.filter(pl.col("dimension") == "vcse").select("category", "lines").rows()
[('true', 1), ('unknown', 2)]
"""

from __future__ import annotations

import polars as pl

from lainbench.payments.metrics import assign_period
from lainbench.returns.schema import conform
from lainbench.schemas import OWNERSHIP_FLAGS, SIZE_BANDS, TRI_STATE

ALL = "all"
_ORDER = {v: i for i, v in enumerate((ALL, *SIZE_BANDS, "sme", *TRI_STATE))}


def _top2(lf: pl.LazyFrame, by: list[str], value: str) -> pl.LazyFrame:
    per = lf.group_by([*by, "supplier_id"]).agg(pl.col(value).sum().abs().alias("v"))
    return per.group_by(by).agg(
        pl.len().cast(pl.Int64).alias("supplier_count"),
        pl.col("v").sum().alias("value_total_gbp"),
        pl.col("v").max().alias("largest_supplier_value_gbp"),
        pl.col("v").top_k(2).min().filter(pl.len() > 1).first().alias("second_supplier_value_gbp"),
    )


def _cells(lf: pl.LazyFrame, dims: list[str], value: str, aggs: list[pl.Expr]) -> pl.DataFrame:
    """``aggs`` and contributors per period for every ``dims`` category, and for ``all``."""
    frames = []
    for dim in [ALL, *dims]:
        cat = pl.lit(ALL) if dim == ALL else pl.col(dim).fill_null("unknown").cast(pl.String)
        x = lf.with_columns(pl.lit(dim).alias("dimension"), cat.alias("category"))
        by = ["period", "dimension", "category"]
        frames.append(x.group_by(by).agg(aggs).join(_top2(x, by, value), on=by, how="left"))
    out = pl.concat([f.collect() for f in frames], how="diagonal_relaxed")
    rank = pl.col("category").replace_strict(_ORDER, default=len(_ORDER), return_dtype=pl.Int64)
    dim_rank = pl.col("dimension").replace_strict(
        {d: i for i, d in enumerate([ALL, *dims])}, return_dtype=pl.Int64)
    return out.sort("period", dim_rank, rank, "category")


def spend_aggregates(spend: pl.DataFrame, suppliers: pl.DataFrame | None,
                     periods: pl.DataFrame) -> pl.DataFrame:
    """Spend per period by supplier size band and by each ownership flag (``unknown`` where the
    supplier register does not say: the coverage), with addressable spend and contributors.
    """
    sup_cols = ["supplier_id", "size_band", *OWNERSHIP_FLAGS]
    if suppliers is None:
        suppliers = pl.DataFrame(schema={c: pl.String for c in sup_cols})
    sup = suppliers.select([c for c in sup_cols if c in suppliers.columns]).unique("supplier_id")
    lf = assign_period(spend.lazy(), periods, on="payment_date").filter(
        pl.col("period").is_not_null()).join(sup.lazy(), on="supplier_id", how="left")
    names = lf.collect_schema().names()
    for c in sup_cols[1:]:
        if c not in names:
            lf = lf.with_columns(pl.lit(None, pl.String).alias(c))
    addressable = pl.col("is_addressable") if "is_addressable" in names else pl.lit(None, pl.Boolean)
    lf = lf.with_columns(addressable.alias("__addr"))
    aggs = [pl.len().cast(pl.Int64).alias("lines"), pl.col("amount_gbp").sum().alias("amount_gbp"),
            pl.col("amount_gbp").filter(pl.col("__addr").fill_null(False)).sum()
            .alias("addressable_amount_gbp"),
            pl.col("amount_gbp").filter(pl.col("__addr").is_null()).sum()
            .alias("addressable_unknown_amount_gbp")]
    return conform("spend", _cells(lf, ["size_band", *OWNERSHIP_FLAGS], "amount_gbp", aggs))


def contract_aggregates(awards: pl.DataFrame, periods: pl.DataFrame) -> pl.DataFrame:
    """Contract awards per period by supplier scale, VCSE flag and reservation, with values,
    reserved and framework awards, and contributors.
    """
    lf = assign_period(awards.lazy(), periods, on="award_date").filter(
        pl.col("period").is_not_null())
    names = lf.collect_schema().names()
    for c, t in (("supplier_scale", pl.String), ("supplier_is_vcse", pl.String),
                 ("is_reserved", pl.Boolean), ("is_framework", pl.Boolean),
                 ("value_gbp", pl.Float64), ("supplier_id", pl.String)):
        if c not in names:
            lf = lf.with_columns(pl.lit(None, t).alias(c))
    lf = lf.with_columns(pl.col("is_reserved").cast(pl.String).alias("reserved"))
    v = pl.col("value_gbp")
    aggs = [pl.len().cast(pl.Int64).alias("awards"), v.sum().alias("value_gbp"),
            v.is_not_null().sum().cast(pl.Int64).alias("value_known_awards"),
            pl.col("is_reserved").fill_null(False).sum().cast(pl.Int64).alias("reserved_awards"),
            v.filter(pl.col("is_reserved").fill_null(False)).sum().alias("reserved_value_gbp"),
            pl.col("is_framework").fill_null(False).sum().cast(pl.Int64).alias("framework_awards")]
    return conform("contracts", _cells(lf, ["supplier_scale", "supplier_is_vcse", "reserved"],
                                       "value_gbp", aggs))


def terms_rows(terms: pl.DataFrame) -> pl.DataFrame:
    """The member's payment terms as it offers them (buyer policy, no supplier data)."""
    return conform("payment_terms", terms)
