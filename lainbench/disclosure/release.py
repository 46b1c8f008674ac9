"""Disclosure control over the whole release: distributions, linked tables and the final audit.

Cell by cell rules (:mod:`lainbench.disclosure`) are not enough once a reader combines tables: a
suppressed figure can come back from published figures of another table (a member's late invoices
are ``invoice_count x (1 - paid_within_terms_pct / 100)`` of its payment metrics), and a per-day
distribution times a published count gives every exact count. This module adds the three steps a
release needs after primary suppression, as statistical offices do for linked tables (tau-Argus
and sdcTable protect the cells that link tables jointly; acro records a reason per cell):

1. **Distributions only in safe buckets** (:func:`coarsen`): candidate buckets that fail the rules
   are merged with their neighbours until every published bucket passes. Merged contributor counts
   are bounded conservatively from the candidates' own (at least the largest candidate's suppliers;
   the largest supplier at most the sum of the candidates' largest), so a merged bucket can only be
   judged *less* safe than it is, never more, and the same answer comes from invoices or from a
   member's return.
2. **Secondary suppression across linked tables** (:func:`suppress_linked`): every figure from
   which a suppressed cell of another table can be derived is suppressed with it.
3. **An audit** (:func:`audit`) that tries the derivations a reader would (totals minus parts,
   complements of percentages, share x count, one table's figure in another) and lists every
   suppressed value it can recover; the pack refuses to publish when the list is not empty.

>>> stats = pl.DataFrame({"m": ["A"] * 3, "days_from": [0, 6, 31], "days_to": [5, 30, None],
...     "invoices": [40, 2, 8], "value_gbp": [400.0, 20.0, 80.0], "supplier_count": [9, 1, 6],
...     "top1_value_gbp": [60.0, 15.0, 20.0], "top2_value_gbp": [50.0, 5.0, 15.0]})
>>> coarsen(stats, ["m"]).select("days_from", "days_to", "share_pct").rows()
[(0, 5, 80.0), (6, None, 20.0)]
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from lainbench.disclosure import MARK, DisclosureRules

LINKED_NOTE = "hidden with a suppressed figure it would reveal ({})"


def _passes(suppliers: int, top1: float, top2: float, total: float,
            rules: DisclosureRules) -> bool:
    if suppliers == 0:
        return True
    if suppliers < rules.min_suppliers:
        return False
    if total <= 0:
        return True
    top = top1 + (top2 if rules.dominance_n == 2 else 0.0)
    if top / total * 100 > rules.dominance_pct:
        return False
    return not (rules.p_pct is not None and total - top1 - top2 < rules.p_pct / 100 * top1)


def coarsen(bucket_stats: pl.DataFrame, keys: Sequence[str],
            rules: DisclosureRules | None = None) -> pl.DataFrame:
    """Merge adjacent days-to-pay buckets until each passes the rules; shares of each cell.

    ``bucket_stats`` is :func:`lainbench.payments.days_bucket_counts` (one row per cell and
    candidate bucket, in bucket order). A cell whose buckets cannot all pass even when merged
    into one is suppressed whole. Returns ``keys``, ``days_from``, ``days_to`` (null: no upper
    end), ``days`` (the bucket's last day, for charts; the overflow bucket at its first day),
    ``share_pct`` of the cell's invoices, ``suppressed`` and ``suppression_note``.

    >>> s = pl.DataFrame({"m": ["B", "B"], "days_from": [0, 31], "days_to": [30, None],
    ...     "invoices": [3, 1], "value_gbp": [30.0, 10.0], "supplier_count": [2, 1],
    ...     "top1_value_gbp": [20.0, 10.0], "top2_value_gbp": [10.0, 0.0]})
    >>> coarsen(s, ["m"]).select("share_pct", "suppressed").rows()
    [(None, True)]
    """
    rules = rules or DisclosureRules()
    keys = list(keys)
    rows = []
    for key, cell in bucket_stats.sort([*keys, "days_from"]).group_by(keys, maintain_order=True):
        groups: list[dict] = []
        cur: dict | None = None
        for b in cell.iter_rows(named=True):
            if cur is None:
                cur = {"days_from": b["days_from"], "invoices": 0, "value": 0.0, "suppliers": 0,
                       "top1": 0.0, "top2": 0.0}
            cur["days_to"] = b["days_to"]
            cur["invoices"] += b["invoices"]
            cur["value"] += b["value_gbp"]
            cur["suppliers"] = max(cur["suppliers"], b["supplier_count"])  # lower bound
            cur["top1"] += b["top1_value_gbp"]  # upper bound of the merged largest supplier
            cur["top2"] += b["top1_value_gbp"]  # and of the second
            if _passes(cur["suppliers"], cur["top1"], cur["top2"], cur["value"], rules):
                groups.append(cur)
                cur = None
        if cur is not None:  # a failing tail joins the last bucket that passed
            if groups:
                last = groups[-1]
                last["days_to"] = cur["days_to"]
                for f in ("invoices", "value", "top1", "top2"):
                    last[f] += cur[f]
                last["suppliers"] = max(last["suppliers"], cur["suppliers"])
                ok = _passes(last["suppliers"], last["top1"], last["top2"], last["value"], rules)
            else:
                groups, ok = [cur], False
        else:
            ok = True
        total = sum(g["invoices"] for g in groups)
        key = key if isinstance(key, tuple) else (key,)
        for g in groups:
            share = (g["invoices"] / total * 100) if (ok and total) else None
            rows.append((*key, g["days_from"], g["days_to"],
                         g["days_to"] if g["days_to"] is not None else g["days_from"], share,
                         not ok, None if ok else rules.note("threshold")))
    schema = {**{k: bucket_stats.schema[k] for k in keys}, "days_from": pl.Int32,
              "days_to": pl.Int32, "days": pl.Int32, "share_pct": pl.Float64,
              "suppressed": pl.Boolean, "suppression_note": pl.String}
    out = pl.DataFrame(rows, schema=schema, orient="row")
    if out.height:
        merged = out.filter(pl.col("suppressed")).select(keys).unique()
        out = pl.concat([out.filter(~pl.col("suppressed")),
                         merged.join(out, on=keys).group_by(keys, maintain_order=True).agg(
                             pl.col("days_from").min(), pl.lit(None, pl.Int32).alias("days_to"),
                             pl.col("days_from").min().alias("days"),
                             pl.lit(None, pl.Float64).alias("share_pct"),
                             pl.lit(True).alias("suppressed"),
                             pl.col("suppression_note").first())]).select(list(schema))
    return out.sort([*keys, "days_from"])


SHARE_NOTE = "hidden: part or rest of the share fails the rules ({})"


def share_flags(part_counts: pl.DataFrame, rules: DisclosureRules | None = None) -> pl.DataFrame:
    """Which shares may be published: a split is hidden when either side fails the rules.

    ``part_counts`` is :func:`lainbench.payments.share_part_counts`. Returns one row per cell and
    split with ``hidden`` (bool). An empty side passes (it reveals nothing of any supplier).

    >>> pc = pl.DataFrame({"buyer_org_id": ["A", "A"], "period": ["P", "P"],
    ...     "supplier_size_band": ["all", "all"], "split": ["within_30_days"] * 2,
    ...     "side": ["part", "rest"], "supplier_count": [9, 1], "value_gbp": [90.0, 10.0],
    ...     "top1_value_gbp": [20.0, 10.0], "top2_value_gbp": [15.0, 0.0]})
    >>> share_flags(pc)["hidden"].to_list()
    [True]
    """
    rules = rules or DisclosureRules()
    keys = [c for c in part_counts.columns if c not in (
        "side", "supplier_count", "value_gbp", "top1_value_gbp", "top2_value_gbp")]
    ok = [
        _passes(r["supplier_count"], r["top1_value_gbp"], r["top2_value_gbp"], r["value_gbp"],
                rules)
        for r in part_counts.iter_rows(named=True)
    ]
    return (part_counts.with_columns(pl.Series("__ok", ok, dtype=pl.Boolean))
            .group_by(keys).agg((~pl.col("__ok").all()).alias("hidden")).sort(keys))


def _share_secondary(metrics: pl.DataFrame, flags: pl.DataFrame) -> pl.DataFrame:
    """The hidden (cell, split) pairs after secondary suppression within each member and period.

    A split's figures add up over the size bands to the ``all`` row (counts and values do;
    shares do once weighted by the published counts), so a lone hidden band, or a hidden total
    whose bands all show, could be recovered: the smallest shown band (by invoices) is hidden
    with it. Bands whose whole row is suppressed count as hidden.
    """
    keys = ["buyer_org_id", "period", "supplier_size_band"]
    rows = metrics.select(*keys, pl.col("invoice_count").fill_null(0).alias("__n"),
                          pl.col("suppressed").fill_null(False).alias("__row_hidden"))
    splits = flags.select("split").unique()["split"].to_list()
    grid = rows.join(pl.DataFrame({"split": splits}), how="cross").join(
        flags.select(*keys, "split", "hidden"), on=[*keys, "split"], how="left").with_columns(
        (pl.col("hidden").fill_null(False) | pl.col("__row_hidden")).alias("hidden"))
    out = []
    for _, g in grid.group_by(["buyer_org_id", "period", "split"], maintain_order=True):
        g = g.sort("__n")
        hidden = set(g.filter(pl.col("hidden"))["supplier_size_band"].to_list())
        if len(hidden) == 1:
            shown_parts = g.filter(~pl.col("hidden") & (pl.col("supplier_size_band") != "all"))
            if shown_parts.height:
                hidden.add(shown_parts["supplier_size_band"][0])
            else:
                hidden.add("all")
        out.append(g.with_columns(pl.col("supplier_size_band").is_in(list(hidden)).alias("hidden")))
    if not out:
        return flags.head(0).select(*keys, "split", "hidden")
    return pl.concat(out).filter(pl.col("hidden") & ~pl.col("__row_hidden")).select(
        *keys, "split", "hidden")


def hide_shares(metrics: pl.DataFrame, flags: pl.DataFrame, splits: dict[str, Sequence[str]],
                ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Null the columns of every hidden split (:func:`share_flags`) in a metrics table.

    Rows stay (their other figures are safe); the row's ``suppression_note`` names what was hidden,
    and the log has one row per hidden cell and split (rule ``share``).
    """
    keys = ["buyer_org_id", "period", "supplier_size_band"]
    hidden = _share_secondary(metrics, flags)
    out = metrics.with_row_index("__row")
    notes: dict[tuple, list[str]] = {}
    for split, cols in splits.items():
        h = hidden.filter(pl.col("split") == split).select(keys).with_columns(
            pl.lit(True).alias("__h"))
        if h.height == 0:
            continue
        out = out.join(h, on=keys, how="left")
        hit = pl.col("__h").fill_null(False)
        out = out.with_columns(
            pl.when(hit).then(pl.lit(None, out.schema[c])).otherwise(pl.col(c)).alias(c)
            for c in cols if c in out.columns).drop("__h")
        for r in h.iter_rows():
            notes.setdefault(r[:3], []).append(split.replace("_", " "))
    if notes:
        note_df = pl.DataFrame(
            [(*k, SHARE_NOTE.format(", ".join(v))) for k, v in notes.items()],
            schema={**{k: metrics.schema[k] for k in keys}, "__note": pl.String}, orient="row")
        out = out.join(note_df, on=keys, how="left").with_columns(
            pl.when(pl.col("suppressed").fill_null(False)).then(pl.col("suppression_note"))
            .otherwise(pl.coalesce("suppression_note", "__note")).alias("suppression_note")
        ).drop("__note")
    out = out.sort("__row").drop("__row").select(metrics.columns)
    shown = metrics.filter(~pl.col("suppressed").fill_null(False)).select(keys)
    log = hidden.join(shown, on=keys).select(
        pl.lit("payment_metrics").alias("table"),
        pl.concat_str([pl.format(f"{k}={{}}", pl.col(k).cast(pl.String)) for k in keys],
                      separator="; ").alias("cell"),
        pl.lit("share").alias("rule"),
        pl.format("hidden: {} (part or rest fails the rules)", pl.col("split")).alias("note"),
    )
    return out, log


# Figures of one table from which a figure of another can be derived. Each entry: the linked
# table's figure, the figures it would reveal, and how (for the note and the audit).
LINKS: dict[str, dict[str, tuple[str, ...]]] = {
    # interest_owed (member x period: invoices paid late, their value) is the complement of
    # payment_metrics' within-terms shares: count x (1 - share) gives the late invoices, for the
    # member and period's every size band (the bands add up to the cell).
    "interest_owed": {
        "payment_metrics": ("paid_within_terms_pct", "paid_within_terms_value_pct"),
        "headline": ("paid_within_terms_pct",),
    },
}


def suppress_linked(tables: dict[str, pl.DataFrame], keys: Sequence[str] = ("buyer_org_id", "period"),
                    ) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Suppress every figure that would reveal a suppressed cell of a linked table (see LINKS).

    Returns the tables (figures nulled, the row's ``suppression_note`` saying why) and a log
    with one row per hidden cell (``table``, ``cell``, ``rule`` = ``linked``, ``note``).

    >>> t = {"interest_owed": pl.DataFrame({"buyer_org_id": ["A", "B"], "period": ["P", "P"],
    ...          "suppressed": [True, False]}),
    ...      "payment_metrics": pl.DataFrame({"buyer_org_id": ["A", "B"], "period": ["P", "P"],
    ...          "supplier_size_band": ["all", "all"], "paid_within_terms_pct": [90.0, 80.0],
    ...          "paid_within_terms_value_pct": [91.0, 81.0], "suppressed": [False, False],
    ...          "suppression_note": [None, None]})}
    >>> out, log = suppress_linked(t)
    >>> out["payment_metrics"]["paid_within_terms_pct"].to_list(), log.height
    ([None, 80.0], 1)
    """
    keys = list(keys)
    tables = dict(tables)
    logs = []
    for source, targets in LINKS.items():
        src = tables.get(source)
        if src is None or "suppressed" not in src.columns:
            continue
        hidden = src.filter(pl.col("suppressed")).select(keys).unique()
        if hidden.height == 0:
            continue
        for target, columns in targets.items():
            t = tables.get(target)
            if t is None or not set(keys) <= set(t.columns):
                continue
            cols = [c for c in columns if c in t.columns]
            hit = t.with_row_index("__row").join(hidden.with_columns(pl.lit(True).alias("__h")),
                                                 on=keys, how="left")
            h = pl.col("__h").fill_null(False)
            note = LINKED_NOTE.format(source.replace("_", " "))
            was = pl.col("suppression_note") if "suppression_note" in t.columns else pl.lit(None)
            already = pl.col("suppressed").fill_null(False) if "suppressed" in t.columns \
                else pl.lit(False)
            t2 = hit.with_columns(
                *[pl.when(h).then(pl.lit(None, t.schema[c])).otherwise(pl.col(c)).alias(c)
                  for c in cols],
                pl.when(h & ~already).then(
                    pl.when(was.is_null()).then(pl.lit(note))
                    .otherwise(pl.concat_str([was, pl.lit(note)], separator="; ")))
                .otherwise(was).alias("suppression_note"),
            ).sort("__row").drop("__row", "__h")
            tables[target] = t2.select(t.columns) if "suppression_note" in t.columns else t2
            cell_keys = [k for k in ("buyer_org_id", "period", "supplier_size_band") if k in t.columns]
            logs.append(hit.filter(h & ~already).select(
                pl.lit(target).alias("table"),
                pl.concat_str([pl.format(f"{k}={{}}", pl.col(k).cast(pl.String)) for k in cell_keys],
                              separator="; ").alias("cell"),
                pl.lit("linked").alias("rule"),
                pl.lit(f"{note}: {', '.join(cols)}").alias("note")))
    log = pl.concat(logs) if logs else pl.DataFrame(
        schema={"table": pl.String, "cell": pl.String, "rule": pl.String, "note": pl.String})
    return tables, log


# --------------------------------------------------------------------------------------------
# The audit: try what a reader would
ADDITIVE = ("invoice_count", "invoice_value_gbp", "paid_31_to_60_days_value_gbp",
            "paid_over_60_days_value_gbp", "paid_within_30_days_value_gbp", "s68_breaches")
# shares add up over the bands once weighted by the published counts
SHARE_COLUMNS = ("paid_within_5_days_pct", "paid_within_5_days_value_pct",
                 "paid_within_10_days_pct", "paid_within_10_days_value_pct",
                 "paid_within_30_days_pct", "paid_within_30_days_value_pct",
                 "paid_within_60_days_pct", "paid_within_60_days_value_pct",
                 "paid_31_to_60_days_pct", "paid_over_60_days_pct", "paid_within_terms_pct",
                 "paid_within_terms_value_pct", "disputed_pct", "within_30_or_terms_pct",
                 "within_30_or_terms_value_pct")


def audit(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Every suppressed figure a reader can recover from the published tables (empty: none).

    Tries: (1) a member and period's size bands against its ``all`` row (total minus the shown
    parts gives a lone hidden part; parts plus nothing hidden give a hidden total); (2) a
    suppressed interest cell from the within-terms shares of the same member and period
    (``count x (1 - share)``); (3) a target's published value standing in for a suppressed
    payment figure; (4) a published distribution bucket of a suppressed cell. Returns one row
    per recovery: ``attack``, ``table``, ``cell``, ``column``, ``recovered`` (the value found).

    >>> pm = pl.DataFrame({"buyer_org_id": ["A"] * 3, "period": ["P"] * 3,
    ...     "supplier_size_band": ["all", "micro", "large"], "invoice_count": [10, None, 7],
    ...     "suppressed": [False, True, False]})
    >>> audit({"payment_metrics": pm}).select("attack", "cell", "recovered").rows()
    [('total minus parts', 'buyer_org_id=A; period=P; supplier_size_band=micro', 3.0)]
    """
    found: list[tuple] = []
    pm = tables.get("payment_metrics")
    if pm is not None and "supplier_size_band" in pm.columns:
        for (member, period), cell in pm.group_by(["buyer_org_id", "period"]):
            total = cell.filter(pl.col("supplier_size_band") == "all")
            parts = cell.filter(pl.col("supplier_size_band") != "all")
            if total.height != 1 or parts.height == 0:
                continue
            for col in ADDITIVE + SHARE_COLUMNS:
                if col not in cell.columns:
                    continue
                tv = total[col][0]
                hidden = parts.filter(pl.col(col).is_null())
                vis = parts.filter(pl.col(col).is_not_null())
                shown = vis[col].sum()
                if col in SHARE_COLUMNS and tv is not None and hidden.height == 1:
                    n_all, n_hid = total["invoice_count"][0], hidden["invoice_count"][0]
                    if n_all is not None and n_hid and vis["invoice_count"].null_count() == 0:
                        tv = (tv * n_all - (vis[col] * vis["invoice_count"]).sum()) / n_hid
                        shown = 0.0
                name = f"buyer_org_id={member}; period={period}; supplier_size_band="
                if tv is not None and hidden.height == 1:
                    found.append(("total minus parts", "payment_metrics",
                                  name + hidden["supplier_size_band"][0], col, float(tv - shown)))
                if tv is None and hidden.height == 0:
                    found.append(("sum of parts", "payment_metrics", name + "all", col,
                                  float(shown)))
    io = tables.get("interest_owed")
    if io is not None and pm is not None and "suppressed" in io.columns:
        alls = pm.filter(pl.col("supplier_size_band") == "all")
        for r in io.filter(pl.col("suppressed")).iter_rows(named=True):
            m = alls.filter((pl.col("buyer_org_id") == r["buyer_org_id"])
                            & (pl.col("period") == r["period"]))
            if m.height and m["invoice_count"][0] is not None and \
                    m["paid_within_terms_pct"][0] is not None:
                late = m["invoice_count"][0] * (1 - m["paid_within_terms_pct"][0] / 100)
                found.append(("complement of a share", "interest_owed",
                              f"buyer_org_id={r['buyer_org_id']}; period={r['period']}",
                              "invoices_paid_late", round(float(late), 6)))
    tr = tables.get("target_results")
    if tr is not None and pm is not None:
        alls = pm.filter(pl.col("supplier_size_band") == "all")
        for r in tr.filter(pl.col("value").is_not_null()).iter_rows(named=True):
            if r["measure"] not in alls.columns:
                continue
            m = alls.filter((pl.col("buyer_org_id") == r["buyer_org_id"])
                            & (pl.col("period") == r["period"]))
            if m.height and m[r["measure"]][0] is None and \
                    not r["target"].startswith("fair_payment_code_silver_small"):
                cell = (f"buyer_org_id={r['buyer_org_id']}; period={r['period']}; "
                        "supplier_size_band=all")
                found.append(("one table's figure in another", "payment_metrics", cell,
                              r["measure"], float(r["value"])))
    dist = tables.get("days_distribution")
    if dist is not None and pm is not None and "period" in dist.columns:
        alls = pm.filter(pl.col("supplier_size_band") == "all")
        hidden = alls.filter(pl.col("suppressed").fill_null(False)).select("buyer_org_id", "period")
        leak = dist.filter(pl.col("share_pct").is_not_null()).join(
            hidden, on=["buyer_org_id", "period"])
        for r in leak.iter_rows(named=True):
            cell = (f"buyer_org_id={r['buyer_org_id']}; period={r['period']}; "
                    f"days={r['days_from']}-{r['days_to']}")
            found.append(("share x count", "days_distribution", cell, "share_pct",
                          float(r["share_pct"])))
    return pl.DataFrame(found, schema={"attack": pl.String, "table": pl.String, "cell": pl.String,
                                       "column": pl.String, "recovered": pl.Float64},
                        orient="row").sort("table", "cell", "column")


def describe_audit(found: pl.DataFrame, limit: int = 8) -> str:
    """The audit's findings in words, for an error message."""
    lines = [f"{r['attack']}: {r['table']} [{r['cell']}] {r['column']} = {r['recovered']:g}"
             for r in found.head(limit).iter_rows(named=True)]
    more = f" (and {found.height - limit} more)" if found.height > limit else ""
    return "; ".join(lines) + more + f"; {MARK} figures must not be recoverable"
