"""The network's twice-yearly metrics, as pure polars functions over the canonical tables.

Definitions (docs/assumptions.md, series M):

* **Addressable spend**: spend lines left after the exclusions of
  :mod:`lainbench.network.addressable` (every excluded pound reported by reason).
* **MSME share**: addressable spend with suppliers whose size band is micro, small or medium, over
  all addressable spend. A supplier of unknown size, or not in the member's register, counts as
  *not* MSME in the headline share (the conservative reading, as central government counts only
  suppliers it can class). Beside it: ``*_unknown_pct`` (share of addressable spend whose size is
  unknown) and ``*_upper_pct`` (the share if every unknown were an MSME). The headline share is
  the lower bound, so a 30 % share with 40 % unknown reads [30 %, 70 %].
* **Diverse-led, VCSE, London shares**: the same, with the supplier's tri-state flag
  (``true``/``false``/``unknown``); share counts ``true`` only, upper bound adds ``unknown``.
* **Against the pledge**: pledge % in force at the period end (``params/network_pledges.yaml``);
  status ``met`` (lower bound at or above the pledge), ``not met`` (upper bound below it) or
  ``depends on unknowns`` (the pledge lies between the bounds).
* **Contracts to MSMEs**: awards whose supplier is micro/small/medium in the member's register
  (else the award's own ``supplier_scale`` = ``sme``), by count and value, in each period and
  cumulatively from a base date to the period end.
* **Reserved contracts**: awards with ``is_reserved``, by count, value and reservation basis.
* **Payment terms**: standard terms by category and supplier size, worst case from invoice
  receipt (end-of-month terms add ``end_of_month_extra_days``), against the Procurement Act 2023
  s.68 30 days and a 60-day maximum, before and after a review.

Every *cell* (one figure for one member, or the network, in one period) carries the columns
disclosure control needs: ``supplier_count``, ``top1_value_gbp``, ``top2_value_gbp`` (the largest
and second-largest supplier's value in the cell) and the cell's total ``value_gbp``.

>>> lines = pl.DataFrame({"buyer_org_id": ["m"] * 4, "period": ["P"] * 4,
...     "supplier_id": ["a", "b", "c", "d"], "amount_gbp": [50.0, 20.0, 20.0, 10.0],
...     "size_band": ["small", "large", "unknown", "micro"],
...     "diverse_led": ["true", "false", "unknown", "unknown"],
...     "vcse": ["false"] * 4, "is_london": ["true"] * 4})
>>> s = spend_cells(lines, network=False).filter(pl.col("group") == "msme")
>>> s.select("value_gbp", "share_pct", "unknown_pct", "upper_pct", "supplier_count",
...          "top1_value_gbp", "top2_value_gbp").row(0)
(60.0, 60.0, 20.0, 80.0, 2, 50.0, 10.0)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from lainbench import params

PLEDGES_PATH = "params/network_pledges.yaml"
TERMS_PATH = "params/network_terms.yaml"
TARGETS_PATH = "params/payment_rules.yaml"  # s.68 days (pa2023_s68_days)
NETWORK = "network"
MSME_BANDS = ("micro", "small", "medium", "sme")  # sme: a declared or notice SME, band unknown
FLAGS = ("diverse_led", "vcse", "is_london")
RESERVATION_BASES = ("sme", "vcse", "location", "sme_and_location", "vcse_and_location")
CELL_KEYS = ("buyer_org_id", "period")
STAGES = {"before_review": "before", "after_review": "after", "current": "current"}

# spend groups: name -> (dimension, condition); dimension decides what "unknown" means
SPEND_GROUPS: dict[str, tuple[str, pl.Expr]] = {
    "addressable": ("all", pl.lit(True)),
    "msme": ("size", pl.col("size_band").is_in(MSME_BANDS)),
    "micro": ("size", pl.col("size_band") == "micro"),
    "small": ("size", pl.col("size_band") == "small"),
    "medium": ("size", pl.col("size_band") == "medium"),
    "large": ("size", pl.col("size_band") == "large"),
    "size_unknown": ("size", pl.col("size_band") == "unknown"),
    "diverse_led": ("diverse_led", pl.col("diverse_led") == "true"),
    "vcse": ("vcse", pl.col("vcse") == "true"),
    "london": ("is_london", pl.col("is_london") == "true"),
}
UNKNOWN_OF = {
    "size": pl.col("size_band") == "unknown",
    "diverse_led": pl.col("diverse_led") == "unknown",
    "vcse": pl.col("vcse") == "unknown",
    "is_london": pl.col("is_london") == "unknown",
    "all": pl.lit(False),
}


# --- periods and attributes ----------------------------------------------------------------------

def assign_period(frame: pl.DataFrame, periods: pl.DataFrame, date_col: str) -> pl.DataFrame:
    """``frame`` with ``period`` (the period whose dates contain ``date_col``; null if none).

    >>> p = pl.DataFrame({"period": ["H1", "H2"], "period_start": [dt.date(2025, 4, 1),
    ...     dt.date(2025, 10, 1)], "period_end": [dt.date(2025, 9, 30), dt.date(2026, 3, 31)]})
    >>> f = pl.DataFrame({"d": [dt.date(2025, 9, 30), dt.date(2025, 10, 1), dt.date(2020, 1, 1)]})
    >>> assign_period(f, p, "d")["period"].to_list()
    ['H1', 'H2', None]
    """
    expr = pl.lit(None, pl.String)
    for name, start, end in periods.select("period", "period_start", "period_end").iter_rows():
        expr = pl.when(pl.col(date_col).is_between(start, end)).then(pl.lit(name)).otherwise(expr)
    return frame.with_columns(expr.alias("period"))


def supplier_attributes(suppliers: pl.DataFrame) -> pl.DataFrame:
    """One row per member and supplier: size band and flags from its latest register entry.

    A supplier listed twice keeps the entry with the latest ``size_as_of_date`` (nulls first).
    """
    cols = ["buyer_org_id", "supplier_id", "size_band", *FLAGS]
    s = suppliers
    for c in FLAGS:
        if c not in s.columns:
            s = s.with_columns(pl.lit("unknown").alias(c))
    if "size_as_of_date" not in s.columns:
        s = s.with_columns(pl.lit(None, pl.Date).alias("size_as_of_date"))
    return (s.sort("size_as_of_date", nulls_last=False)
            .unique(["buyer_org_id", "supplier_id"], keep="last", maintain_order=True)
            .select(cols)
            .with_columns(pl.col("size_band").fill_null("unknown"),
                          *[pl.col(c).fill_null("unknown") for c in FLAGS]))


def enrich_spend(spend: pl.DataFrame, suppliers: pl.DataFrame, periods: pl.DataFrame
                 ) -> pl.DataFrame:
    """Addressable spend lines within the periods, with the supplier's size band and flags.

    ``spend`` has gone through :func:`lainbench.network.addressable.apply_exclusions`. A line whose
    supplier is not in the member's register (or has no supplier id) is of unknown size and
    ownership: it stays in the denominator and in the unknown band.
    """
    attrs = supplier_attributes(suppliers)
    lines = assign_period(spend.filter(pl.col("is_addressable")), periods, "payment_date")
    lines = lines.filter(pl.col("period").is_not_null())
    return (lines.select("buyer_org_id", "period", "supplier_id", "amount_gbp")
            .join(attrs, on=["buyer_org_id", "supplier_id"], how="left")
            .with_columns(pl.col("size_band").fill_null("unknown"),
                          *[pl.col(c).fill_null("unknown") for c in FLAGS]))


# --- disclosure contributor columns --------------------------------------------------------------

def contributors(frame: pl.DataFrame, keys: list[str], value: str) -> pl.DataFrame:
    """Per cell: ``value_gbp`` (total), ``supplier_count``, ``top1_value_gbp``, ``top2_value_gbp``.

    Each supplier's value in the cell is summed first; a line without a supplier id counts as one
    supplier of its own (it cannot be told apart from others, so it is not merged with them).

    >>> f = pl.DataFrame({"k": ["a"] * 4, "supplier_id": ["x", "x", "y", None],
    ...                   "v": [5.0, 5.0, 3.0, 1.0]})
    >>> contributors(f, ["k"], "v").row(0)
    ('a', 14.0, 3, 10.0, 3.0)
    """
    sid = pl.coalesce(pl.col("supplier_id"),
                      pl.format("__line_{}", pl.int_range(pl.len())))
    per = (frame.with_columns(sid.alias("__sid"))
           .group_by([*keys, "__sid"]).agg(pl.col(value).sum().alias("__v")))
    out = per.group_by(keys).agg(
        pl.col("__v").sum().round(2).alias("value_gbp"),
        pl.len().cast(pl.Int64).alias("supplier_count"),
        pl.col("__v").sort(descending=True).head(2).alias("__top"),
    )
    return out.with_columns(
        pl.col("__top").list.get(0, null_on_oob=True).round(2).alias("top1_value_gbp"),
        pl.col("__top").list.get(1, null_on_oob=True).fill_null(0.0).round(2)
        .alias("top2_value_gbp"),
    ).drop("__top")


def _with_network(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame plus the same rows under ``buyer_org_id = network``. In the network's cells a
    supplier id used by two members counts as one supplier (the demo's ids are shared); where
    members use their own ids, one firm may count twice, so network supplier counts are upper
    estimates - prefer Companies House numbers as ids when pooling real registers.
    """
    return pl.concat([frame, frame.with_columns(pl.lit(NETWORK).alias("buyer_org_id"))])


# --- spend shares --------------------------------------------------------------------------------

def spend_cells(lines: pl.DataFrame, network: bool = True) -> pl.DataFrame:
    """Long table, one row per member (and the network) x period x group (see SPEND_GROUPS).

    Columns: ``group``, ``value_gbp``, ``addressable_gbp`` (the cell total it is a share of),
    ``share_pct`` (lower bound), ``unknown_gbp``/``unknown_pct`` (of the group's dimension),
    ``upper_pct`` (share + unknown), and the contributor columns.
    """
    data = _with_network(lines) if network else lines
    keys = list(CELL_KEYS)
    totals = data.group_by(keys).agg(pl.col("amount_gbp").sum().alias("addressable_gbp"))
    parts = []
    for group, (dim, cond) in SPEND_GROUPS.items():
        cells = contributors(data.filter(cond), keys, "amount_gbp")
        unknown = (data.filter(UNKNOWN_OF[dim]).group_by(keys)
                   .agg(pl.col("amount_gbp").sum().alias("unknown_gbp")))
        cells = (totals.join(cells, on=keys, how="left").join(unknown, on=keys, how="left")
                 .with_columns(pl.lit(group).alias("group"), pl.lit(dim).alias("dimension")))
        parts.append(cells)
    out = pl.concat(parts, how="diagonal_relaxed").with_columns(
        pl.col("value_gbp").fill_null(0.0), pl.col("unknown_gbp").fill_null(0.0).round(2),
        pl.col("supplier_count").fill_null(0), pl.col("top1_value_gbp").fill_null(0.0),
        pl.col("top2_value_gbp").fill_null(0.0), pl.col("addressable_gbp").round(2),
    )
    pct = lambda c: pl.when(pl.col("addressable_gbp") != 0).then(
        (100 * pl.col(c) / pl.col("addressable_gbp")).round(2))
    out = out.with_columns(pct("value_gbp").alias("share_pct"),
                           pct("unknown_gbp").alias("unknown_pct"))
    out = out.with_columns(pl.when(pl.col("addressable_gbp") != 0).then(
        (100 * (pl.col("value_gbp") + pl.col("unknown_gbp")) / pl.col("addressable_gbp"))
        .clip(upper_bound=100).round(2)).alias("upper_pct"))
    order = list(SPEND_GROUPS)
    return out.select(
        "buyer_org_id", "period", "group", "dimension", "value_gbp", "addressable_gbp",
        "share_pct", "unknown_gbp", "unknown_pct", "upper_pct", "supplier_count",
        "top1_value_gbp", "top2_value_gbp",
    ).sort("buyer_org_id", "period",
           pl.col("group").replace_strict({g: i for i, g in enumerate(order)}))


# --- pledges -------------------------------------------------------------------------------------

def pledge_table(member_ids: list[str], periods: pl.DataFrame, path: str | Path = PLEDGES_PATH
                 ) -> pl.DataFrame:
    """Pledge in force at each period end, per member: ``pledge_pct``, ``pledge_from``.

    A member with no parameter of its own is held to ``network_pledge_pct``, and so is the
    ``network`` row (added last); a period ending before the pledge's first date has no pledge.

    >>> p = pl.DataFrame({"period": ["P"], "period_start": [dt.date(2024, 10, 1)],
    ...                   "period_end": [dt.date(2025, 3, 31)]})
    >>> pledge_table(["aldates_uni", "unknown_member"], p).rows()[:2]
    [('aldates_uni', 'P', None, None), ('unknown_member', 'P', 30.0, datetime.date(2022, 3, 27))]
    """
    pf = params.load(path)
    rows = []
    for m in [*member_ids, NETWORK]:
        par = pf.parameters.get(m) or pf.parameters["network_pledge_pct"]
        for name, end in periods.select("period", "period_end").iter_rows():
            starts = [d for d in par.values if d <= end]
            value = par.at(end)
            rows.append((m, name, None if value is None else float(value),
                         max(starts) if starts else None))
    return pl.DataFrame(rows, schema={"buyer_org_id": pl.String, "period": pl.String,
                                      "pledge_pct": pl.Float64, "pledge_from": pl.Date},
                        orient="row")


def pledge_status(lower: pl.Expr, upper: pl.Expr, pledge: pl.Expr) -> pl.Expr:
    """``met`` / ``not met`` / ``depends on unknowns`` / ``no pledge``.

    >>> f = pl.DataFrame({"lo": [31.0, 10.0, 20.0, 5.0], "hi": [40.0, 25.0, 45.0, 9.0],
    ...                   "p": [30.0, 30.0, 30.0, None]})
    >>> f.select(pledge_status(pl.col("lo"), pl.col("hi"), pl.col("p")))["pledge_status"].to_list()
    ['met', 'not met', 'depends on unknowns', 'no pledge']
    """
    return (pl.when(pledge.is_null()).then(pl.lit("no pledge"))
            .when(lower >= pledge).then(pl.lit("met"))
            .when(upper < pledge).then(pl.lit("not met"))
            .otherwise(pl.lit("depends on unknowns"))).alias("pledge_status")


# --- contracts -----------------------------------------------------------------------------------

def enrich_contracts(contracts: pl.DataFrame, suppliers: pl.DataFrame) -> pl.DataFrame:
    """Awards with ``size_band`` from the member's register (else ``msme`` when the award's own
    ``supplier_scale`` is ``sme``, ``large`` when it is large, else ``unknown``) and ``is_msme``
    (true / false / null when unknown).
    """
    attrs = supplier_attributes(suppliers).select("buyer_org_id", "supplier_id",
                                                   pl.col("size_band").alias("__reg"))
    c = contracts.join(attrs, on=["buyer_org_id", "supplier_id"], how="left")
    scale = pl.col("supplier_scale") if "supplier_scale" in c.columns else pl.lit(None, pl.String)
    reg = pl.when(pl.col("__reg") != "unknown").then(pl.col("__reg"))
    band = pl.coalesce(reg, pl.when(scale == "sme").then(pl.lit("msme"))
                       .when(scale == "large").then(pl.lit("large")), pl.lit("unknown"))
    return c.with_columns(band.alias("size_band")).drop("__reg").with_columns(
        pl.when(pl.col("size_band") == "unknown").then(None)
        .otherwise(pl.col("size_band").is_in([*MSME_BANDS, "msme"])).alias("is_msme"),
        pl.col("is_reserved").fill_null(False), pl.col("is_framework").fill_null(False),
        pl.col("value_gbp").fill_null(0.0))


def contract_cells(contracts: pl.DataFrame, periods: pl.DataFrame, base_date: dt.date,
                   network: bool = True) -> pl.DataFrame:
    """Long table of contract figures per member (and network) x period x group.

    Groups: ``all``, ``msme``, ``size_unknown``, ``framework``, ``reserved`` and
    ``reserved_<basis>`` (awards in the period), and ``msme_cumulative`` / ``all_cumulative``
    (awards from ``base_date`` to the period end). Columns: ``contracts`` (count), ``value_gbp``,
    ``supplier_count``, ``top1_value_gbp``, ``top2_value_gbp``, ``window_start``.
    ``contracts`` come from :func:`enrich_contracts`.
    """
    data = _with_network(contracts) if network else contracts
    groups: dict[str, pl.Expr] = {
        "all": pl.lit(True),
        "msme": pl.col("is_msme").fill_null(False),
        "size_unknown": pl.col("is_msme").is_null(),
        "framework": pl.col("is_framework"),
        "reserved": pl.col("is_reserved"),
        **{f"reserved_{b}": pl.col("is_reserved") & (pl.col("reservation_basis") == b)
           for b in RESERVATION_BASES},
    }
    cumulative = {"all_cumulative": pl.lit(True), "msme_cumulative": groups["msme"]}
    keys = list(CELL_KEYS)
    parts = []
    for name, start, end in periods.select("period", "period_start", "period_end").iter_rows():
        for gname, cond in [*groups.items(), *cumulative.items()]:
            lo = base_date if gname.endswith("_cumulative") else start
            win = data.filter(pl.col("award_date").is_between(lo, end) & cond)
            cells = contributors(win, ["buyer_org_id"], "value_gbp").join(
                win.group_by("buyer_org_id").agg(pl.len().cast(pl.Int64).alias("contracts")),
                on="buyer_org_id")
            parts.append(cells.with_columns(pl.lit(name).alias("period"),
                                            pl.lit(gname).alias("group"),
                                            pl.lit(lo).alias("window_start")))
    members = data.select("buyer_org_id").unique()
    grid = members.join(periods.select("period", "period_start"), how="cross").join(
        pl.DataFrame({"group": [*groups, *cumulative]}), how="cross").with_columns(
        pl.when(pl.col("group").str.ends_with("_cumulative")).then(pl.lit(base_date))
        .otherwise(pl.col("period_start")).alias("window_start")).drop("period_start")
    found = pl.concat(parts, how="diagonal_relaxed").drop("window_start")
    out = grid.join(found, on=[*keys, "group"], how="left")
    order = {g: i for i, g in enumerate([*groups, *cumulative])}
    return out.with_columns(
        pl.col("contracts").fill_null(0), pl.col("value_gbp").fill_null(0.0),
        pl.col("supplier_count").fill_null(0), pl.col("top1_value_gbp").fill_null(0.0),
        pl.col("top2_value_gbp").fill_null(0.0),
    ).select("buyer_org_id", "period", "group", "window_start", "contracts", "value_gbp",
             "supplier_count", "top1_value_gbp", "top2_value_gbp"
             ).sort("buyer_org_id", "period", pl.col("group").replace_strict(order))


# --- payment terms -------------------------------------------------------------------------------

def terms_yardsticks(when: dt.date | str, terms_path: str | Path = TERMS_PATH,
                     targets_path: str | Path = TARGETS_PATH) -> dict[str, int]:
    """``s68_days``, ``max_days`` and ``eom_extra_days`` in force on ``when`` (from params).

    >>> terms_yardsticks("2026-09-30")
    {'s68_days': 30, 'max_days': 60, 'eom_extra_days': 30}
    """
    t = params.load(terms_path)
    s68 = params.load(targets_path).value("pa2023_s68_days", "2099-01-01")
    max_days = t.value("max_payment_terms_days", "2099-01-01")
    return {"s68_days": int(s68), "max_days": int(max_days),
            "eom_extra_days": int(t.value("end_of_month_extra_days", when))}


def terms_compliance(terms: pl.DataFrame, s68_days: int, max_days: int, eom_extra_days: int
                     ) -> pl.DataFrame:
    """Each terms row with ``worst_case_days`` from invoice receipt, ``within_s68``, ``within_max``.

    >>> t = pl.DataFrame({"standard_terms_days": [30, 30, 45, 75],
    ...     "terms_basis": ["invoice_receipt", "end_of_month", None, "invoice_receipt"]})
    >>> terms_compliance(t, 30, 60, 30).select("worst_case_days", "within_s68", "within_max").rows()
    [(30, True, True), (60, False, True), (45, False, True), (75, False, False)]
    """
    eom = (pl.col("terms_basis") == "end_of_month").fill_null(False)
    worst = (pl.col("standard_terms_days") + pl.when(eom).then(eom_extra_days).otherwise(0)
             ).cast(pl.Int32)
    return terms.with_columns(worst.alias("worst_case_days")).with_columns(
        (pl.col("worst_case_days") <= s68_days).alias("within_s68"),
        (pl.col("worst_case_days") <= max_days).alias("within_max"))


def terms_review(terms: pl.DataFrame) -> pl.DataFrame:
    """Before and after a review, side by side per member x category x supplier size band.

    ``terms`` come from :func:`terms_compliance`; rows with ``review_stage`` ``current`` count as
    *after*. Columns ``*_before`` / ``*_after`` and ``change_days`` (after - before).
    """
    t = terms.with_columns(
        pl.col("supplier_size_band").fill_null("all"),
        pl.when(pl.col("review_stage") == "before_review").then(pl.lit("before"))
        .otherwise(pl.lit("after")).alias("__stage"))
    t = t.sort("as_of_date").unique(["buyer_org_id", "spend_category", "supplier_size_band",
                                     "__stage"], keep="last")
    keys = ["buyer_org_id", "spend_category", "supplier_size_band"]
    vals = ["standard_terms_days", "worst_case_days", "within_s68", "within_max",
            "terms_conditions_pages", "as_of_date"]
    wide = None
    for stage in ("before", "after"):
        part = t.filter(pl.col("__stage") == stage).select(
            *keys, *[pl.col(v).alias(f"{v}_{stage}") for v in vals])
        wide = part if wide is None else wide.join(part, on=keys, how="full", coalesce=True)
    return wide.with_columns(
        (pl.col("worst_case_days_after") - pl.col("worst_case_days_before")).alias("change_days")
    ).sort(keys)


def terms_summary(terms: pl.DataFrame) -> pl.DataFrame:
    """Per member (and network) and stage (before / after a review, or current where a member
    has not reviewed): rows, share within s.68 / the maximum, median and
    longest worst-case days, T&C pages, e-invoicing accepted and supply-chain finance offered.
    Terms are the member's own policy, not supplier data: no disclosure columns are needed.
    """
    t = terms.with_columns(pl.col("review_stage").replace_strict(
        STAGES, default="after").alias("stage"))
    t = _with_network(t)
    return (t.group_by("buyer_org_id", "stage").agg(
        pl.len().cast(pl.Int64).alias("terms_rows"),
        (100 * pl.col("within_s68").mean()).round(1).alias("within_s68_pct"),
        (100 * pl.col("within_max").mean()).round(1).alias("within_max_pct"),
        pl.col("worst_case_days").median().alias("median_worst_case_days"),
        pl.col("worst_case_days").max().alias("longest_worst_case_days"),
        pl.col("terms_conditions_pages").max().alias("terms_conditions_pages"),
        (100 * pl.col("e_invoicing_accepted").cast(pl.Float64).mean()).round(1)
        .alias("e_invoicing_pct"),
        (100 * pl.col("supply_chain_finance_offered").cast(pl.Float64).mean()).round(1)
        .alias("supply_chain_finance_pct"),
    ).sort("buyer_org_id", pl.col("stage").replace_strict({"before": 0, "after": 1,
                                                             "current": 2})))


# --- the headline table --------------------------------------------------------------------------

def headline(spend: pl.DataFrame, contracts: pl.DataFrame, pledges: pl.DataFrame,
             excluded: pl.DataFrame) -> pl.DataFrame:
    """One row per member (and the network) x period: the twice-yearly table.

    ``spend`` from :func:`spend_cells`, ``contracts`` from :func:`contract_cells`, ``pledges`` from
    :func:`pledge_table` (the network row is held to the network pledge), ``excluded`` from
    :func:`lainbench.network.addressable.excluded_spend` by member and period. Contributor columns
    of each figure's cell are kept with the figure's prefix (``msme_supplier_count`` ...), those of
    the addressable total unprefixed.
    """
    keys = list(CELL_KEYS)
    contrib = ["supplier_count", "top1_value_gbp", "top2_value_gbp"]

    def grp(g: str, cols: list[str], prefix: str) -> pl.DataFrame:
        return spend.filter(pl.col("group") == g).select(
            *keys, *[pl.col(c).alias(f"{prefix}{c}") for c in cols])

    out = spend.filter(pl.col("group") == "addressable").select(
        *keys, "addressable_gbp", *contrib)
    share_cols = ["value_gbp", "share_pct", "unknown_pct", "upper_pct", *contrib]
    for g in ("msme", "diverse_led", "vcse", "london"):
        out = out.join(grp(g, share_cols, f"{g}_"), on=keys, how="left")
    for g in ("micro", "small", "medium"):
        out = out.join(grp(g, ["share_pct"], f"{g}_"), on=keys, how="left")
    exc = _with_network(excluded).group_by(keys).agg(
        pl.col("excluded_gbp").sum().round(2).alias("excluded_gbp"))
    out = out.join(exc, on=keys, how="left").with_columns(pl.col("excluded_gbp").fill_null(0.0))
    for g, prefix in (("msme", "msme_contracts_"), ("msme_cumulative", "msme_cumulative_"),
                      ("reserved", "reserved_")):
        part = contracts.filter(pl.col("group") == g).select(
            *keys, *[pl.col(c).alias(f"{prefix}{c}") for c in ("contracts", "value_gbp",
                                                               *contrib)])
        out = out.join(part, on=keys, how="left")
    out = out.join(pledges, on=keys, how="left").with_columns(
        pledge_status(pl.col("msme_share_pct"), pl.col("msme_upper_pct"), pl.col("pledge_pct")),
        (pl.col("msme_share_pct") - pl.col("pledge_pct")).round(2).alias("msme_gap_to_pledge_pp"),
    )
    return out.sort(pl.col("buyer_org_id") == NETWORK, "buyer_org_id", "period")


TREND_MEASURES = ("addressable_gbp", "msme_share_pct", "msme_upper_pct", "msme_unknown_pct",
                  "diverse_led_share_pct", "diverse_led_unknown_pct", "vcse_share_pct",
                  "london_share_pct", "msme_contracts_contracts", "msme_contracts_value_gbp",
                  "reserved_contracts")


def trend(headline: pl.DataFrame, measures: tuple[str, ...] = TREND_MEASURES) -> pl.DataFrame:
    """Long table per member x measure x period: ``value`` and ``change`` from the member's
    previous period (null for its first). Periods sort by name (``2025-26 H1`` < ``2025-26 H2``).

    >>> h = pl.DataFrame({"buyer_org_id": ["a", "a", "a"], "period": ["P2", "P1", "P3"],
    ...                   "msme_share_pct": [22.0, 20.0, 21.5]})
    >>> trend(h, ("msme_share_pct",)).select("period", "value", "change").rows()
    [('P1', 20.0, None), ('P2', 22.0, 2.0), ('P3', 21.5, -0.5)]
    """
    cols = [m for m in measures if m in headline.columns]
    long = headline.select("buyer_org_id", "period", *[pl.col(c).cast(pl.Float64) for c in cols]
                           ).unpivot(index=["buyer_org_id", "period"], variable_name="measure")
    return long.sort("buyer_org_id", "measure", "period").with_columns(
        (pl.col("value") - pl.col("value").shift(1)).over("buyer_org_id", "measure")
        .round(4).alias("change")).select("buyer_org_id", "measure", "period", "value", "change")
