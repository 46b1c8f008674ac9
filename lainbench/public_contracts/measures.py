"""SME and VCSE shares of public contract awards, with their coverage.

Counting unit: one **award row** is one award to one supplier (an award to three suppliers is
three rows). A supplier's size group is ``sme`` (bands micro, small, medium or sme), ``large`` or
``unknown`` (from :mod:`lainbench.public_contracts.resolve`, or the notice's own ``scale``).

For each group of rows:

* **by count**: ``sme_share_count_pct`` = SME rows / rows of known size; the bounds
  ``sme_share_count_low_pct`` (every unknown is large) and ``..._high_pct`` (every unknown is SME);
* **by value**: the same over award value, using only awards with one supplier (a shared award's
  value cannot be split between its suppliers and is never divided evenly): these go into
  ``shared_awards`` and ``shared_award_value_gbp`` (each award's value once), the framework caveat;
* **coverage**: ``unknown_value_pct``, the share of (splittable) award value whose supplier size
  is unknown, and ``unknown_count_pct`` by count;
* VCSE: rows whose supplier declared itself a VCSE, over rows where the flag is stated;
* disclosure columns: ``supplier_count``, ``largest_supplier_value_share_pct`` and
  ``second_supplier_value_share_pct`` (for :mod:`lainbench.disclosure`).

>>> aw = pl.DataFrame({"buyer": ["A"] * 4, "award_id": ["1", "2", "3", "3"],
...     "supplier_id": ["s1", "s2", "s3", "s4"], "size_group": ["sme", "large", "unknown", "sme"],
...     "supplier_is_vcse": ["true", "false", "unknown", "unknown"],
...     "value_gbp": [100.0, 300.0, None, None], "award_value_gbp": [100.0, 300.0, 50.0, 50.0],
...     "value_split_unknown": [False, False, True, True]})
>>> r = sme_shares(aw, ["buyer"]).row(0, named=True)
>>> r["award_rows"], r["sme_share_count_pct"], r["sme_share_value_pct"], r["shared_award_value_gbp"]
(4, 66.7, 25.0, 50.0)
>>> r["sme_share_count_low_pct"], r["sme_share_count_high_pct"], r["vcse_share_count_pct"]
(50.0, 75.0, 50.0)
"""

from __future__ import annotations

import polars as pl

from lainbench.public_contracts.resolve import SME_BANDS

PROCEDURE_GROUPS = (
    # (group, regex on the procedure text, lower case), first match wins
    ("framework call-off", r"call[- ]?off from a framework|from a framework|further competition|direct award from a framework"),
    ("DPS call-off", r"dynamic purchasing"),
    ("open", r"\bopen\b"),
    ("restricted / selective", r"restricted|selective"),
    ("negotiated / flexible", r"negotiat|competitive flexible|competitive dialogue|innovation partnership"),
    ("direct award", r"direct award|single tender|direct\b|limited\b|without prior publication|without competition"),
    ("quotation", r"quotation|quote|rfq"),
)


def procedure_group(procedure: pl.Expr) -> pl.Expr:
    """A coarse procedure group from the notice's procedure text.

    >>> pl.DataFrame({"p": ["Call-off from a framework agreement", "Open procedure (below threshold)",
    ...     "Single tender action (below threshold)", None, "Other - "]}).select(
    ...     procedure_group(pl.col("p")))["p"].to_list()
    ['framework call-off', 'open', 'direct award', 'not stated', 'other']
    """
    text = procedure.str.to_lowercase().str.strip_chars()
    expr = pl.when(text.is_null() | text.is_in(["", "not specified", "not applicable"])).then(
        pl.lit("not stated"))
    for name, rx in PROCEDURE_GROUPS:
        expr = expr.when(text.str.contains(rx)).then(pl.lit(name))
    return expr.otherwise(pl.lit("other")).name.keep()


def size_group(band: pl.Expr) -> pl.Expr:
    """``sme``, ``large`` or ``unknown`` from a size band.

    >>> pl.DataFrame({"b": ["micro", "sme", "large", "unknown", None]}).select(size_group(pl.col("b")))["b"].to_list()
    ['sme', 'sme', 'large', 'unknown', 'unknown']
    """
    return (pl.when(band.is_in(list(SME_BANDS))).then(pl.lit("sme"))
            .when(band == "large").then(pl.lit("large")).otherwise(pl.lit("unknown"))).name.keep()


def sized_awards(awards: pl.DataFrame, report: pl.DataFrame | None = None) -> pl.DataFrame:
    """Awards with ``size_band``, ``size_source`` and ``size_group`` (from the match report when
    given, else from the notice's ``scale``) and ``procedure_group``.
    """
    if report is not None and report.height:
        rep = report.select("supplier_id", "supplier_name", "size_band", "size_source",
                            "companies_house_number", "match_method")
        with_id = awards.filter(pl.col("supplier_id").is_not_null()).join(
            rep.drop("supplier_name").drop_nulls("supplier_id").unique("supplier_id"),
            on="supplier_id", how="left")
        no_id = awards.filter(pl.col("supplier_id").is_null()).join(
            rep.filter(pl.col("supplier_id").is_null()).drop("supplier_id").unique("supplier_name"),
            on="supplier_name", how="left")
        out = pl.concat([with_id, no_id], how="diagonal_relaxed")
    else:
        out = awards.with_columns(
            pl.col("supplier_scale").alias("size_band"),
            pl.when(pl.col("supplier_scale").is_in(["sme", "large"])).then(pl.lit("notice_scale"))
            .otherwise(pl.lit("unknown")).alias("size_source"))
    return out.with_columns(
        pl.col("size_band").fill_null("unknown"), pl.col("size_source").fill_null("unknown"),
        size_group(pl.col("size_band").fill_null("unknown")).alias("size_group"),
        procedure_group(pl.col("procedure")).alias("procedure_group")
        if "procedure" in awards.columns else pl.lit(None, pl.String).alias("procedure_group"),
    )


def _pct(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then((num / den * 100).round(1)).otherwise(None)


def sme_shares(awards: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """SME / VCSE shares by count and value per group ``by`` (see the module docstring)."""
    g = pl.col("size_group")
    single = ~pl.col("value_split_unknown").fill_null(False)
    val = pl.when(single).then(pl.col("value_gbp")).otherwise(None)
    name = pl.col("supplier_name") if "supplier_name" in awards.columns else pl.lit(None, pl.String)
    key = pl.coalesce(pl.col("supplier_id"), pl.lit("name:") + name.fill_null(""))
    aw = awards.with_columns(val.alias("__v"), key.alias("__supplier"))
    if not by:
        aw = aw.with_columns(pl.lit("all").alias("__all"))
        by = ["__all"]
    main = aw.group_by(by).agg(
        pl.len().alias("award_rows"),
        pl.col("award_id").n_unique().alias("awards"),
        (g == "sme").sum().alias("sme_rows"),
        (g == "large").sum().alias("large_rows"),
        (g == "unknown").sum().alias("unknown_rows"),
        (pl.col("supplier_is_vcse") == "true").sum().alias("vcse_rows"),
        (pl.col("supplier_is_vcse") != "unknown").sum().alias("vcse_stated_rows"),
        pl.col("__v").sum().alias("value_gbp"),
        pl.col("__v").filter(g == "sme").sum().alias("sme_value_gbp"),
        pl.col("__v").filter(g == "large").sum().alias("large_value_gbp"),
        pl.col("__v").filter(g == "unknown").sum().alias("unknown_value_gbp"),
        pl.col("__v").filter(pl.col("supplier_is_vcse") == "true").sum().alias("vcse_value_gbp"),
        (single & pl.col("value_gbp").is_null()).sum().alias("rows_without_value"),
        pl.col("__supplier").n_unique().alias("supplier_count"),
    )
    shared = (aw.filter(~single).unique(subset=[*by, "award_id"])
              .group_by(by).agg(pl.len().alias("shared_awards"),
                                pl.col("award_value_gbp").sum().alias("shared_award_value_gbp")))
    top = (aw.filter(pl.col("__v").is_not_null()).group_by([*by, "__supplier"]).agg(pl.col("__v").sum())
           .sort("__v", descending=True).group_by(by, maintain_order=True).agg(
               pl.col("__v").first().alias("__top1"),
               pl.col("__v").slice(1, 1).first().alias("__top2"), pl.col("__v").sum().alias("__tot")))
    known = pl.col("sme_rows") + pl.col("large_rows")
    known_value = pl.col("sme_value_gbp") + pl.col("large_value_gbp")
    out = (main.join(shared, on=by, how="left").join(top, on=by, how="left")
           .with_columns(pl.col("shared_awards").fill_null(0),
                         pl.col("shared_award_value_gbp").fill_null(0.0))
           .with_columns(
               _pct(pl.col("sme_rows"), known).alias("sme_share_count_pct"),
               _pct(pl.col("sme_rows"), pl.col("award_rows")).alias("sme_share_count_low_pct"),
               _pct(pl.col("sme_rows") + pl.col("unknown_rows"), pl.col("award_rows"))
               .alias("sme_share_count_high_pct"),
               _pct(pl.col("unknown_rows"), pl.col("award_rows")).alias("unknown_count_pct"),
               _pct(pl.col("sme_value_gbp"), known_value).alias("sme_share_value_pct"),
               _pct(pl.col("sme_value_gbp"), pl.col("value_gbp")).alias("sme_share_value_low_pct"),
               _pct(pl.col("sme_value_gbp") + pl.col("unknown_value_gbp"), pl.col("value_gbp"))
               .alias("sme_share_value_high_pct"),
               _pct(pl.col("unknown_value_gbp"), pl.col("value_gbp")).alias("unknown_value_pct"),
               _pct(pl.col("vcse_rows"), pl.col("vcse_stated_rows")).alias("vcse_share_count_pct"),
               _pct(pl.col("vcse_value_gbp"), pl.col("value_gbp")).alias("vcse_share_value_pct"),
               _pct(pl.col("__top1"), pl.col("__tot")).alias("largest_supplier_value_share_pct"),
               _pct(pl.col("__top2"), pl.col("__tot")).alias("second_supplier_value_share_pct"),
           ).drop("__top1", "__top2", "__tot"))
    if by == ["__all"]:
        out = out.drop("__all")
    else:
        out = out.sort(by)
    return out


HEADLINE = ["award_rows", "awards", "sme_share_count_pct", "sme_share_count_low_pct",
            "sme_share_count_high_pct", "sme_share_value_pct", "unknown_value_pct",
            "vcse_share_count_pct", "value_gbp", "shared_awards", "shared_award_value_gbp"]
