"""Payments compliance notices by member and period: derived from the ledger, beside the one
each member published (issue 14), for the benchmark pack and members' returns.

A payments compliance notice (Procurement Act 2023 s.69, Procurement Regulations 2024 reg 38) is a
statutory publication: every contracting authority must publish these figures for each reporting
period. The pack shows, per member and s.69 reporting period, the figures derived from the member's
own ledger (Procurement Act invoices only, :func:`lainbench.notices.pcn.pcn_figures`) beside the
figures the member published (a PCN file read by ``lainbench ingest published``), measure by
measure, never as "better" or "worse". Because the law requires these figures to be published, the
pack does not cell-suppress them (assumption K19); they are whole-member figures, never per
supplier.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

# the figures compared, in notice order: key in pcn_figures, column in org_payment_performance
FIGURES: tuple[tuple[str, str], ...] = (
    ("average_days", "avg_days_to_pay"),
    ("paid_within_30_days_pct", "paid_within_30_days_pct"),
    ("paid_31_to_60_days_pct", "paid_31_to_60_days_pct"),
    ("paid_61_days_or_more_pct", "paid_over_60_days_pct"),
    ("payable_not_paid_in_period_pct", "not_paid_within_terms_pct"),
)
SCHEMA = {"buyer_org_id": pl.String, "notice_period": pl.String, "period_start": pl.Date,
          "period_end": pl.Date, "measure": pl.String, "derived_from_ledger": pl.Float64,
          "published": pl.Float64, "invoices_in_scope": pl.Int64}


def derived_notices(invoices: pl.DataFrame | pl.LazyFrame, member_ids: list[str],
                    until: dt.date | None = None) -> pl.DataFrame:
    """Every member's notice figures for each s.69 reporting period its ledger covers.

    ``invoices`` are canonical invoices (after :func:`lainbench.payments.derive`); only those under
    Procurement Act contracts (``regime = pa2023``) are in scope, as reg 38 requires. A period is
    given when it has ended by ``until`` (default: the ledger's last payment date).
    """
    from lainbench.notices.calendar import reporting_periods
    from lainbench.notices.pcn import pcn_figures

    lf = invoices.lazy() if isinstance(invoices, pl.DataFrame) else invoices
    names = lf.collect_schema().names()
    if "regime" not in names:
        return pl.DataFrame(schema=SCHEMA)
    scope = lf.filter(pl.col("regime") == "pa2023")
    if until is None:
        paid = "supplier_received_date" if "supplier_received_date" in names else "payment_date"
        until = scope.select(pl.col(paid).max()).collect().item()
    if until is None:
        return pl.DataFrame(schema=SCHEMA)
    rows = []
    periods = reporting_periods(until=until).filter(pl.col("period_end") <= until)
    for member in member_ids:
        mine = scope.filter(pl.col("buyer_org_id") == member)
        for label, start, end, _ in periods.iter_rows():
            figs = pcn_figures(mine, start, end)
            n = figs.get("paid_count") or 0
            for key, _col in FIGURES:
                rows.append((member, label, start, end, key, figs.get(key), None, n))
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def published_notices(paths: list[str | Path], members: pl.DataFrame) -> pl.DataFrame:
    """Published notices (PCN files, ``lainbench ingest published``) by member and period.

    A notice is matched to a member by its ``org_id`` if the file gives one, else by the member's
    name (case and spacing ignored); unmatched notices are left out.
    """
    from lainbench.ingest.returns import ingest_returns

    by_name = {str(n).casefold().split(" (demo)")[0].strip(): i
               for i, n in zip(members["org_id"], members["org_name"], strict=True)}
    frames = []
    for p in paths:
        res = ingest_returns(p, kind="pa2023_pcn")
        df = res.accepted
        if df.height == 0:
            continue
        ids = [i if i in set(members["org_id"]) else
               by_name.get(str(n or "").casefold().split(" (demo)")[0].strip())
               for i, n in zip(df["org_id"], df["org_name"], strict=True)]
        frames.append(df.with_columns(pl.Series("buyer_org_id", ids, dtype=pl.String)))
    if not frames:
        return pl.DataFrame(schema={"buyer_org_id": pl.String, "period_end": pl.Date,
                                    "measure": pl.String, "published": pl.Float64})
    pub = pl.concat(frames, how="diagonal_relaxed").filter(pl.col("buyer_org_id").is_not_null())
    return pl.concat([
        pub.select("buyer_org_id", "period_end", pl.lit(key).alias("measure"),
                   pl.col(col).cast(pl.Float64).alias("published"))
        for key, col in FIGURES if col in pub.columns])


def notice_table(derived: pl.DataFrame, published: pl.DataFrame | None) -> pl.DataFrame:
    """Derived and published figures side by side, measure by measure (same period end), in
    member, period and notice order.
    """
    if published is not None and published.height:
        derived = derived.drop("published").join(
            published, on=["buyer_org_id", "period_end", "measure"], how="left")
    order = {key: i for i, (key, _) in enumerate(FIGURES)}
    return derived.select(list(SCHEMA)).sort(
        "buyer_org_id", "period_end",
        pl.col("measure").replace_strict(order, default=len(order), return_dtype=pl.Int64))
