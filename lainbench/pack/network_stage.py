"""The pack's network-metrics tables (notebook 06), through disclosure control.

:func:`lainbench.network.network_shared_tables` gives every figure with its cell's contributors
(distinct suppliers, the largest two suppliers' values). Before the pack shares them:

* each spend cell (member x period x group) must pass the rules, and so must the rest of the
  addressable spend beside it (a share publishes both: ``addressable - group``); the rest is
  bounded conservatively (at least ``addressable suppliers - group suppliers`` suppliers, its
  largest supplier at most the addressable cell's largest);
* secondary suppression within the size groups (micro + small + medium = MSME) and the reserved
  bases (they add up to ``reserved``), so no lone hidden cell can be recovered by subtraction;
* each contracts cell and each excluded-spend cell (payees of an exclusion: payroll is people)
  must pass; the excluded total goes when any of its reasons is hidden;
* the headline and its trend take their figures from those cells, hidden with them;
* contributor columns (supplier counts, largest values) are never published.

Payment terms and the exclusion rules are members' own policies, not supplier data: shared as
they are.
"""

from __future__ import annotations

import polars as pl

from lainbench import disclosure
from lainbench.disclosure.release import _passes

CONTRIB = ("supplier_count", "top1_value_gbp", "top2_value_gbp")
SIZE_PARTS = ("micro", "small", "medium")
# headline column prefix -> (table, group)
HEADLINE_FROM = {
    "msme_": ("spend_shares", "msme"), "diverse_led_": ("spend_shares", "diverse_led"),
    "vcse_": ("spend_shares", "vcse"), "london_": ("spend_shares", "london"),
    "micro_": ("spend_shares", "micro"), "small_": ("spend_shares", "small"),
    "medium_": ("spend_shares", "medium"), "msme_contracts_": ("contracts", "msme"),
    "msme_cumulative_": ("contracts", "msme_cumulative"), "reserved_": ("contracts", "reserved"),
}
KEYS = ["buyer_org_id", "period"]


def _flag_rows(df: pl.DataFrame, rules: disclosure.DisclosureRules, value: str = "value_gbp"
               ) -> list[bool]:
    return [not _passes(r["supplier_count"] or 0, r["top1_value_gbp"] or 0.0,
                        r["top2_value_gbp"] or 0.0, r[value] or 0.0, rules)
            for r in df.iter_rows(named=True)]


def _secondary(df: pl.DataFrame, group_col: str, parts: tuple[str, ...], total: str,
               size_col: str) -> pl.DataFrame:
    """Within each member and period, a lone hidden cell among ``parts`` + ``total`` takes the
    smallest shown part (by ``size_col``) with it (or the total when every part is shown).
    """
    out = []
    for _, g in df.group_by(KEYS, maintain_order=True):
        sub = g.filter(pl.col(group_col).is_in([*parts, total]))
        hidden = set(sub.filter(pl.col("__hide"))[group_col].to_list())
        if len(hidden) == 1:
            shown = sub.filter(~pl.col("__hide") & (pl.col(group_col) != total)).sort(size_col)
            hidden.add(shown[group_col][0] if shown.height else total)
        out.append(g.with_columns(
            (pl.col("__hide") | pl.col(group_col).is_in(list(hidden))).alias("__hide")))
    return pl.concat(out) if out else df


def _log(df: pl.DataFrame, table: str, cell_cols: list[str], rule: str, note: str) -> pl.DataFrame:
    return df.filter(pl.col("__hide")).select(
        pl.lit(table).alias("table"),
        pl.concat_str([pl.format(f"{c}={{}}", pl.col(c).cast(pl.String)) for c in cell_cols],
                      separator="; ").alias("cell"),
        pl.lit(rule).alias("rule"), pl.lit(note).alias("note"))


def _null(df: pl.DataFrame, figures: list[str], note: str) -> pl.DataFrame:
    hide = pl.col("__hide")
    return df.with_columns(
        *[pl.when(hide).then(pl.lit(None, df.schema[c])).otherwise(pl.col(c)).alias(c)
          for c in figures if c in df.columns],
        hide.alias("suppressed"),
        pl.when(hide).then(pl.lit(note)).otherwise(pl.lit(None, pl.String))
        .alias("suppression_note"),
    ).drop("__hide", *[c for c in CONTRIB if c in df.columns])


def control(tables: dict[str, pl.DataFrame], rules: disclosure.DisclosureRules | None = None
            ) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Disclosure control over :func:`lainbench.network.network_shared_tables` (see module doc).

    Returns the tables to share (names prefixed ``network_``) and the suppression log.
    """
    from lainbench.network.measures import trend

    rules = rules or disclosure.DisclosureRules()
    note = rules.note("threshold") + " (or dominated), or protects such a figure"
    logs = []

    # spend shares: the group and the rest of the addressable spend beside it
    s = tables["spend_shares"]
    addr = s.filter(pl.col("group") == "addressable").select(
        *KEYS, pl.col("supplier_count").alias("__an"), pl.col("top1_value_gbp").alias("__at1"),
        pl.col("addressable_gbp").alias("__av"))
    s = s.join(addr, on=KEYS, how="left")
    own = _flag_rows(s, rules)
    rest = [
        r["group"] != "addressable" and not _passes(
            max((r["__an"] or 0) - (r["supplier_count"] or 0), 0), r["__at1"] or 0.0,
            r["__at1"] or 0.0, (r["__av"] or 0.0) - (r["value_gbp"] or 0.0), rules)
        and (r["__av"] or 0.0) - (r["value_gbp"] or 0.0) > 0
        for r in s.iter_rows(named=True)]
    s = s.with_columns(pl.Series("__hide", [a or b for a, b in zip(own, rest, strict=True)]))
    s = _secondary(s, "group", SIZE_PARTS, "msme", "value_gbp").drop("__an", "__at1", "__av")
    logs.append(_log(s, "network_spend_shares", [*KEYS, "group"], "threshold", note))
    spend_hidden = s.filter(pl.col("__hide")).select(*KEYS, "group")
    s = _null(s, ["value_gbp", "share_pct", "unknown_gbp", "unknown_pct", "upper_pct"], note)

    # contracts
    c = tables["contracts"]
    c = c.with_columns(pl.Series("__hide", _flag_rows(c, rules), dtype=pl.Boolean))
    bases = tuple(g for g in c["group"].unique().to_list() if g.startswith("reserved_"))
    c = _secondary(c, "group", bases, "reserved", "value_gbp")
    logs.append(_log(c, "network_contracts", [*KEYS, "group"], "threshold", note))
    contract_hidden = c.filter(pl.col("__hide")).select(*KEYS, "group")
    c = _null(c, ["contracts", "value_gbp"], note)

    # excluded spend: the payees of each exclusion are its contributors
    e = tables["excluded_spend"]
    e = e.with_columns(pl.Series("__hide", _flag_rows(e, rules, "excluded_gbp"),
                                 dtype=pl.Boolean))
    e = e.with_columns(pl.when(pl.col("__hide").sum().over(KEYS) == 1)
                       .then(pl.col("__hide") | (pl.col("excluded_gbp") == pl.col("excluded_gbp")
                             .filter(~pl.col("__hide")).min().over(KEYS)))
                       .otherwise(pl.col("__hide")).alias("__hide"))
    logs.append(_log(e, "network_excluded_spend", [*KEYS, "exclusion_reason"], "threshold", note))
    excl_any = e.group_by(KEYS).agg(pl.col("__hide").any().alias("__excl"))
    e = _null(e, ["excluded_gbp", "lines", "share_of_spend_pct"], note)

    # headline: each figure hidden with its cell
    h = tables["headline"].with_columns(pl.lit(False).alias("__hide"))
    hidden_cells = pl.concat([spend_hidden.with_columns(pl.lit("spend_shares").alias("__t")),
                              contract_hidden.with_columns(pl.lit("contracts").alias("__t"))])
    for prefix, (table, group) in HEADLINE_FROM.items():
        cols = [col for col in h.columns if col.startswith(prefix)
                and not any(col.startswith(p) for p in HEADLINE_FROM if p != prefix
                            and p.startswith(prefix))]
        hid = hidden_cells.filter((pl.col("__t") == table) & (pl.col("group") == group)).select(
            *KEYS).with_columns(pl.lit(True).alias("__x"))
        h = h.join(hid, on=KEYS, how="left").with_columns(
            *[pl.when(pl.col("__x").fill_null(False)).then(pl.lit(None, h.schema[col]))
              .otherwise(pl.col(col)).alias(col) for col in cols]).drop("__x")
        if prefix == "msme_":
            h = h.join(hid, on=KEYS, how="left").with_columns(
                *[pl.when(pl.col("__x").fill_null(False)).then(pl.lit(None, h.schema[col]))
                  .otherwise(pl.col(col)).alias(col)
                  for col in ("pledge_status", "msme_gap_to_pledge_pp") if col in h.columns]
            ).drop("__x")
    addr_hidden = spend_hidden.filter(pl.col("group") == "addressable").select(KEYS).with_columns(
        pl.lit(True).alias("__hide2"))
    h = h.join(addr_hidden, on=KEYS, how="left").join(excl_any, on=KEYS, how="left").with_columns(
        pl.col("__hide2").fill_null(False).alias("__hide"),
        pl.when(pl.col("__excl").fill_null(False)).then(pl.lit(None, pl.Float64))
        .otherwise(pl.col("excluded_gbp")).alias("excluded_gbp"),
    ).drop("__hide2", "__excl")
    contrib_cols = [col for col in h.columns if col.endswith(CONTRIB)]
    h = _null(h.drop(contrib_cols), ["addressable_gbp"], note)

    out = {
        "network_headline": h,
        "network_trend": trend(h),
        "network_spend_shares": s,
        "network_excluded_spend": e,
        "network_contracts": c,
        "network_terms": tables["terms"],
        "network_terms_review": tables["terms_review"],
        "network_terms_summary": tables["terms_summary"],
        "network_exclusion_rules": tables["exclusion_rules"],
    }
    log = pl.concat(logs) if logs else pl.DataFrame(
        schema={"table": pl.String, "cell": pl.String, "rule": pl.String, "note": pl.String})
    return out, log


def network_stage(paths: dict[str, str], members: pl.DataFrame, periods: pl.DataFrame,
                  rules: disclosure.DisclosureRules, params: dict | None = None
                  ) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Read the member-held network tables named in ``paths`` and return them controlled."""
    from lainbench.load import table
    from lainbench.network import network_shared_tables
    from lainbench.schemas import CONTRACT_AWARD, PAYMENT_TERMS, SPEND_LINE, SUPPLIER

    frames = {name: table(paths[key], schema, f"sources.{key}") for name, key, schema in (
        ("suppliers", "suppliers_path", SUPPLIER), ("spend", "spend_path", SPEND_LINE),
        ("contracts", "contracts_path", CONTRACT_AWARD), ("terms", "terms_path", PAYMENT_TERMS))}
    tables = network_shared_tables(frames["suppliers"], frames["spend"], frames["contracts"],
                                   frames["terms"], members, periods, params or {})
    return control(tables, rules)


def _network_rows(cells: pl.DataFrame, keys: list[str], value_cols: list[str]) -> pl.DataFrame:
    """The ``network`` rows of member cells combined from members' returns.

    Values add up exactly. Distinct suppliers across members cannot be counted from returns, so
    the network cell's contributors are bounded on the safe side: at least the largest member's
    supplier count; its largest supplier at most the sum of the members' largest (one firm may
    supply every member), and likewise the second.
    """
    from lainbench.network.measures import NETWORK

    return cells.group_by(keys).agg(
        *[pl.col(c).sum() for c in value_cols],
        pl.col("supplier_count").max(), pl.col("top1_value_gbp").sum(),
        pl.col("top2_value_gbp").sum(),
    ).with_columns(pl.lit(NETWORK).alias("buyer_org_id"))


def tables_from_returns(chosen: dict[str, dict[str, pl.DataFrame]], members: pl.DataFrame,
                        periods: pl.DataFrame, params: dict | None = None
                        ) -> dict[str, pl.DataFrame] | None:
    """The network-metrics tables from members' returns alone (their ``network_*`` sheets and
    payment terms), shaped as :func:`lainbench.network.network_shared_tables` gives them, for
    :func:`control`; ``None`` when no return holds them.
    """
    from lainbench.network import measures as M
    from lainbench.network import notebook as NB

    def stack(sheet: str) -> pl.DataFrame:
        frames = [t[sheet].with_columns(pl.lit(m).alias("buyer_org_id"))
                  for m, t in chosen.items() if sheet in t and t[sheet].height]
        return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()

    spend, excluded, contracts = (stack(n) for n in (
        "network_spend_shares", "network_excluded_spend", "network_contracts"))
    if spend.height == 0:
        return None
    known = periods["period"].to_list()
    spend, excluded, contracts = (df.filter(pl.col("period").is_in(known)) if df.height else df
                                  for df in (spend, excluded, contracts))
    net = _network_rows(spend, ["period", "group", "dimension"],
                        ["value_gbp", "addressable_gbp", "unknown_gbp"])
    pct = lambda c: pl.when(pl.col("addressable_gbp") != 0).then(
        (100 * pl.col(c) / pl.col("addressable_gbp")).round(2))
    net = net.with_columns(pct("value_gbp").alias("share_pct"),
                           pct("unknown_gbp").alias("unknown_pct"),
                           pl.when(pl.col("addressable_gbp") != 0).then(
                               (100 * (pl.col("value_gbp") + pl.col("unknown_gbp"))
                                / pl.col("addressable_gbp")).clip(upper_bound=100).round(2))
                           .alias("upper_pct"))
    shares = pl.concat([spend, net.select(spend.columns)]).sort("buyer_org_id", "period")
    cnet = _network_rows(contracts, ["period", "group", "window_start"],
                         ["contracts", "value_gbp"])
    contract_cells = pl.concat([contracts, cnet.select(contracts.columns)])
    p = NB.check_params(dict(params or {}))
    chosen_ids = sorted(chosen)
    pledges = M.pledge_table(chosen_ids, periods, p.pledges_path)
    exc = excluded if excluded.height else pl.DataFrame(
        schema={"buyer_org_id": pl.String, "period": pl.String, "exclusion_reason": pl.String,
                "excluded_gbp": pl.Float64})
    head = M.headline(shares, contract_cells, pledges, exc)
    last_end = periods["period_end"].max()
    yard = M.terms_yardsticks(last_end, p.terms_yardsticks_path, p.targets_path)
    terms = stack("payment_terms")
    t = M.terms_compliance(terms, yard["s68_days"], yard["max_days"], yard["eom_extra_days"])
    t = t.drop([c for c in ("source_dataset", "source_url", "source_row_id", "ingested_at")
                if c in t.columns])
    from lainbench.network import addressable as A

    return {
        "headline": head, "trend": M.trend(head), "spend_shares": shares,
        "excluded_spend": exc, "contracts": contract_cells,
        "terms": t.sort("buyer_org_id", "spend_category", "as_of_date"),
        "terms_review": M.terms_review(t), "terms_summary": M.terms_summary(t),
        "exclusion_rules": A.load_rules(p.addressable_spend_path, last_end).table(),
    }
