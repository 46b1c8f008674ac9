"""The pack's shared stage from members' returns alone (no invoice leaves a member).

Each member sends a return (:mod:`lainbench.returns`): counts and values by whole day to pay, the
counts behind every measure, interest owed, days late, and per published cell the number of
suppliers and the two largest suppliers' values. :func:`build_shared_from_returns` reads the
returns, picks one per member (:func:`select_returns`) and computes the same
:class:`~lainbench.pack.shared.SharedInputs` the pooled path computes from invoices, so every
shared table passes through the same :func:`~lainbench.pack.shared.assemble`: counts, medians
and 90th percentiles are exactly the pooled ones, money equal to rounding (1e-9 relative).

What the returns cannot give exactly is marked, never guessed: a median or p90 beyond the
return's ``days_to_pay_max`` is null; a member whose return covers other periods than the pack's
(unless the pack has one period) gets no days-distribution contributor counts, so its
distribution is suppressed ("no supplier counts for this figure").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from lainbench import disclosure, load
from lainbench.errors import ParamsError, SchemaError
from lainbench.pack.shared import (
    BAND_KEYS,
    KEYS,
    SharedInputs,
    SharedTables,
    _insurance_flags,
    _insurance_flags_from,
    assemble,
)

STATUS_SCHEMA = {
    "member_id": pl.String, "member_name": pl.String, "file": pl.String, "status": pl.String,
    "schema_version": pl.String, "periods": pl.String, "approved_at": pl.String,
    "approver_name": pl.String, "approver_title": pl.String, "late": pl.Boolean,
    "note": pl.String,
}


def return_files(sources: list[str | Path]) -> list[Path]:
    """Every return file named: files as given, folders searched for ``*.return.zip`` and
    ``*.xlsx`` (filled templates), sorted by name.
    """
    from lainbench.config import resolve

    out: list[Path] = []
    for s in sources:
        p = resolve(s)
        if p.is_dir():
            out += sorted(q for q in p.iterdir()
                          if q.name.endswith((".return.zip", ".xlsx")) and not q.name.startswith("."))
        elif p.is_file():
            out.append(p)
        else:
            raise SchemaError(f"sources.returns: {s}: no such file or folder")
    return out


def _approved(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        t = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def select_returns(files: list[Path], members: pl.DataFrame, periods: pl.DataFrame, *,
                   due: dt.date | None = None, network: pl.DataFrame | None = None,
                   calendar: pl.DataFrame | None = None) -> tuple[dict[str, dict[str, pl.DataFrame]],
                                                        pl.DataFrame]:
    """Read every return and pick one per member; say what happened to each, and who is missing.

    A return is *used* when it reads, checks clean (:func:`lainbench.returns.check.check_return`
    against the pack's periods), is approved, is from a member of the pack and covers at least
    one of its periods. Of two usable returns from one member the later approved is used and the
    other is *superseded*. A return approved after ``due`` is used and marked late. Members
    without a used return are listed as *missing*. ``network`` is the whole member table when
    ``members`` is the pack's selection from it (others' returns are then *not in this pack*);
    ``calendar`` the network's every reporting period when ``periods`` are the pack's selection
    (a return's periods must be in the calendar, and one of them among ``periods``).
    """
    from lainbench.returns.check import check_return
    from lainbench.returns.io import read_return
    from lainbench.returns.schema import RETURN_SCHEMA_VERSION, major

    names = dict(zip(members["org_id"], members["org_name"], strict=True))
    wanted = set(periods["period"].to_list())
    rows: list[dict] = []
    usable: dict[str, list[tuple[dt.datetime, dict, dict]]] = {}
    for f in files:
        row = dict.fromkeys(STATUS_SCHEMA)
        row.update(file=f.name, late=False)
        try:
            tables = read_return(f)
        except SchemaError as exc:
            rows.append(dict(row, status="unreadable", note=str(exc).splitlines()[0]))
            continue
        info = tables["return_info"].row(0, named=True) if tables["return_info"].height else {}
        row.update(member_id=info.get("member_id"), schema_version=info.get("schema_version"),
                   periods=info.get("periods"), approved_at=info.get("approved_at"),
                   approver_name=info.get("approver_name"),
                   approver_title=info.get("approver_title"))
        row["member_name"] = names.get(row["member_id"], info.get("member_name"))
        version = str(row["schema_version"])
        if major(version) != major(RETURN_SCHEMA_VERSION):
            rows.append(dict(row, status="unsupported schema",
                             note=f"schema {version}; this pack reads {RETURN_SCHEMA_VERSION} "
                                  f"(any {major(RETURN_SCHEMA_VERSION)}.x)"))
            continue
        check = check_return(tables, known_periods=periods if calendar is None else calendar)
        covered = set(tables["periods"]["period"].to_list())
        approved = _approved(row["approved_at"])
        others = set() if network is None else set(network["org_id"].to_list())
        if row["member_id"] not in names and row["member_id"] in others:
            rows.append(dict(row, status="not in this pack",
                             note="a member of the network, not among the pack file's members"))
        elif row["member_id"] not in names:
            rows.append(dict(row, status="not a member",
                             note=f"member {row['member_id']!r} is not among the pack's members"))
        elif any("not a known reporting period" in e or "the network's runs" in e
                 for e in check.errors) or not covered & wanted:
            rows.append(dict(row, status="wrong period",
                             note=f"covers {row['periods']}; the pack's periods are "
                                  f"{', '.join(sorted(wanted))}" + (
                                      f" ({check.errors[0]})" if check.errors else "")))
        elif check.errors:
            rows.append(dict(row, status="invalid", note=check.errors[0]))
        elif approved is None or not row["approver_name"] or not row["approver_title"]:
            rows.append(dict(row, status="not approved",
                             note="no approver name, job title and date of approval"))
        else:
            late = due is not None and approved.date() > due
            notes = []
            if version != RETURN_SCHEMA_VERSION:
                notes.append(f"schema {version} read as {RETURN_SCHEMA_VERSION}")
            if late:
                notes.append(f"approved after the due date {due}")
            lacking = sorted(wanted - covered)
            if lacking:
                notes.append(f"no figures for {', '.join(lacking)}")
            usable.setdefault(row["member_id"], []).append(
                (approved, dict(row, late=late, note="; ".join(notes) or None), tables))
    chosen: dict[str, dict[str, pl.DataFrame]] = {}
    for member, found in usable.items():
        found.sort(key=lambda t: (t[0], t[1]["file"]), reverse=True)
        best = found[0]
        chosen[member] = best[2]
        rows.append(dict(best[1], status="used"))
        for _, row, _ in found[1:]:
            rows.append(dict(row, status="superseded",
                             note=f"a later approved return is used ({best[1]['file']}, "
                                  f"approved {best[1]['approved_at']})"))
    for member in members["org_id"].to_list():
        if member not in chosen:
            rows.append(dict(dict.fromkeys(STATUS_SCHEMA), member_id=member,
                             member_name=names[member], status="missing", late=False,
                             note="no usable return received"))
    order = {"used": 0, "missing": 1, "superseded": 2, "not in this pack": 9}
    status = pl.DataFrame(rows, schema=STATUS_SCHEMA, orient="row").with_columns(
        pl.col("status").replace_strict(order, default=3, return_dtype=pl.Int64).alias("__o")
    ).sort("__o", "member_id", "file", nulls_last=True).drop("__o")
    return chosen, status


def _network_tables(chosen, members, periods):
    from lainbench.pack.network_stage import tables_from_returns

    return tables_from_returns(chosen, members, periods)


def _day_buckets(buckets: pl.DataFrame, rules: disclosure.DisclosureRules) -> pl.DataFrame:
    """The returns' day buckets as :func:`lainbench.payments.days_bucket_counts` gives them.

    A return built with other bucket edges than the pack's rules cannot be coarsened the same
    way: its member's distribution is left out (and so suppressed on the page).
    """
    edges = [int(e) for e in rules.distribution_bucket_edges_days]
    want = {(i, lo, hi) for i, (lo, hi) in enumerate(zip([0, *[e + 1 for e in edges]],
                                                           [*edges, None], strict=True))}
    keep = [m for m, g in buckets.group_by("buyer_org_id")
            if {(r["bucket"], r["days_from"], r["days_to"]) for r in g.iter_rows(named=True)}
            <= want]
    keep = [k[0] if isinstance(k, tuple) else k for k in keep]
    return buckets.filter(pl.col("buyer_org_id").is_in(keep)).select(
        "buyer_org_id", "period", pl.col("bucket").cast(pl.Int32),
        pl.col("days_from").cast(pl.Int32), pl.col("days_to").cast(pl.Int32), "invoices",
        "value_gbp", "supplier_count", "top1_value_gbp", "top2_value_gbp")


def _stack(chosen: dict[str, dict[str, pl.DataFrame]], sheet: str) -> pl.DataFrame:
    from lainbench.returns.schema import empty

    frames = [t[sheet].with_columns(pl.lit(m).alias("buyer_org_id")) for m, t in chosen.items()]
    if not frames:
        return empty(sheet).with_columns(pl.lit(None, pl.String).alias("buyer_org_id"))
    return pl.concat(frames, how="diagonal_relaxed")


def _shares(cells: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Contributor values as the shares :func:`lainbench.disclosure.flag` reads."""
    total = pl.col("value_total_gbp")
    return cells.select(
        *keys,
        pl.col("supplier_count").cast(pl.UInt32),
        (pl.col("largest_supplier_value_gbp") / total * 100).alias(
            "largest_supplier_value_share_pct"),
        (pl.col("second_supplier_value_gbp") / total * 100).fill_null(0.0).alias(
            "second_supplier_value_share_pct"),
    ).sort(keys)


def metrics_from_returns(totals: pl.DataFrame, days: pl.DataFrame, days_max: pl.DataFrame
                         ) -> pl.DataFrame:
    """``payment_metrics`` (same columns, types and order) from the returns' sheets.

    ``totals`` and ``days`` are the ``payment_totals`` and ``days_to_pay`` sheets with
    ``buyer_org_id``; ``days_max`` gives each member's ``days_to_pay_max``. A median or p90 that
    falls in a return's overflow row is null.
    """
    from lainbench.payments.metrics import BUCKET_DAYS, _quantile

    band = "supplier_size_band"
    d = days.rename({"invoices": "__invoices"}).sort([*BAND_KEYS, "days_to_pay"])
    n = pl.col("__invoices")
    n_days = n.sum()
    dcol = pl.col("days_to_pay")
    v = pl.col("value_gbp")
    per = d.group_by(BAND_KEYS).agg(
        _quantile(0.5, n_days).alias("__median"), _quantile(0.9, n_days).alias("__p90"),
        *[n.filter(dcol <= x).sum().alias(f"__n{x}") for x in BUCKET_DAYS],
        *[v.filter(dcol <= x).sum().alias(f"__v{x}") for x in BUCKET_DAYS],
        n.filter((dcol > 30) & (dcol <= 60)).sum().alias("__n31"),
        n.filter(dcol > 60).sum().alias("__n61"),
        v.filter((dcol > 30) & (dcol <= 60)).sum().alias("__v31"),
        v.filter(dcol > 60).sum().alias("__v61"),
    ).join(days_max, on="buyer_org_id", how="left")
    t = totals.join(per, on=BAND_KEYS, how="left")
    nd = pl.col("invoices_with_days")
    total = pl.col("value_gbp")

    def pct(num: pl.Expr, den: pl.Expr) -> pl.Expr:
        return pl.when(den > 0).then(num / den * 100)

    def exact(q: str) -> pl.Expr:
        return pl.when(pl.col(q) <= pl.col("days_to_pay_max")).then(pl.col(q).cast(pl.Float64))

    cols = [
        pl.col("invoices").cast(pl.UInt32).alias("invoice_count"),
        total.alias("invoice_value_gbp"),
        pl.when(nd > 0).then(pl.col("days_to_pay_sum") / nd).alias("mean_days_to_pay"),
        exact("__median").alias("median_days_to_pay"),
        exact("__p90").alias("p90_days_to_pay"),
    ]
    for x in BUCKET_DAYS:
        cols.append(pct(pl.col(f"__n{x}"), nd).alias(f"paid_within_{x}_days_pct"))
        cols.append((pl.col(f"__v{x}") / total * 100).alias(f"paid_within_{x}_days_value_pct"))
    cols += [
        pct(pl.col("__n31"), nd).alias("paid_31_to_60_days_pct"),
        pct(pl.col("__n61"), nd).alias("paid_over_60_days_pct"),
        pl.col("__v31").alias("paid_31_to_60_days_value_gbp"),
        pl.col("__v61").alias("paid_over_60_days_value_gbp"),
        pl.col("__v30").alias("paid_within_30_days_value_gbp"),
        pct(pl.col("within_terms_invoices"), pl.col("terms_known_invoices"))
        .alias("paid_within_terms_pct"),
        (pl.col("within_terms_value_gbp") / total * 100).alias("paid_within_terms_value_pct"),
        pct(pl.col("disputed_invoices"), pl.col("invoices")).alias("disputed_pct"),
        pct(pl.col("s68_met_invoices"), pl.col("s68_known_invoices"))
        .alias("within_30_or_terms_pct"),
        (pl.col("s68_met_value_gbp") / pl.col("undisputed_value_gbp") * 100)
        .alias("within_30_or_terms_value_pct"),
        (pl.col("s68_known_invoices") - pl.col("s68_met_invoices")).cast(pl.UInt32)
        .alias("s68_breaches"),
    ]
    order = {b: i for i, b in enumerate(("all", "micro", "small", "medium", "large", "unknown"))}
    return t.select(*BAND_KEYS, *cols).with_columns(
        pl.col(band).replace_strict(order, default=9).alias("__b")
    ).sort([*KEYS, "__b"]).drop("__b")


def _interest(stacked: pl.DataFrame) -> pl.DataFrame:
    cols = ["invoices_paid_late", "late_value_gbp", "statutory_interest_gbp",
            "fixed_compensation_gbp", "total_owed_gbp"]
    return stacked.filter(pl.col("supplier_size_band") == "all").select(
        "buyer_org_id", "period", *cols).sort(KEYS)




def _delays(stacked: pl.DataFrame, period: str) -> pl.DataFrame:
    """One row per invoice (``buyer_org_id``, ``days_late``) in the headline period."""
    d = stacked.filter((pl.col("period") == period) & (pl.col("supplier_size_band") == "all"))
    return d.select("buyer_org_id", pl.col("days_late").repeat_by(pl.col("invoices"))).explode(
        "days_late")


def build_shared_from_returns(returns: list[str | Path], members_path: str | Path,
                              periods_path: str | Path,
                              targets_file: str | Path = "params/payment_targets.yaml", *,
                              members: list[str] | str = "all", periods: list[str] | str = "all",
                              period: str = "latest",
                              rules: disclosure.DisclosureRules | None = None,
                              insurance_path: str | None = "returns", cashflow_paths: int = 2_000,
                              seed: int = 20260401, due: dt.date | None = None,
                              network_paths: dict[str, str] | None = None,
                              published_paths: list[str] | None = None) -> SharedTables:
    """Every shared table of the pack from members' returns, as :func:`build_shared` gives it
    from pooled invoices, plus a ``returns`` table: each return and member, and its status.

    ``returns`` are files or folders; ``insurance_path`` ``"returns"`` takes each member's
    insurance requirements from its return (a path or ``"demo"`` reads that file instead, None:
    none). ``due`` is the date returns were due (later approvals are marked late).
    """
    from lainbench import params as params_mod
    from lainbench.payments.notebook import _select
    from lainbench.returns.schema import SMALL

    rules = rules or disclosure.DisclosureRules()
    network = load.members(members_path, "members_path")
    member_df = _select(network, "org_id", members, "members", "member id")
    calendar = load.periods(periods_path, "periods_path")
    period_df = _select(calendar, "period", periods, "periods", "period")
    targets = params_mod.load(str(targets_file))
    known = period_df["period"].to_list()
    if period == "latest":
        period = period_df.sort("period_end")["period"][-1]
    elif period not in known:
        raise ParamsError(f"period: unknown period {period!r}; known: {', '.join(known)}")
    files = return_files(list(returns))
    chosen, status = select_returns(files, member_df, period_df, due=due, network=network,
                                    calendar=calendar)

    def sheet(name: str) -> pl.DataFrame:
        df = _stack(chosen, name)
        return df.filter(pl.col("period").is_in(known)) if "period" in df.columns else df

    info = _stack(chosen, "return_info")
    days_max = info.select("buyer_org_id", "days_to_pay_max")
    totals, days = sheet("payment_totals"), sheet("days_to_pay")
    metrics = metrics_from_returns(totals, days, days_max)
    cells = _stack(chosen, "contributors")
    pm = cells.filter((pl.col("measure") == "payment_metrics") & pl.col("period").is_in(known))
    metric_counts = _shares(pm.filter(pl.col("supplier_size_band") != SMALL), BAND_KEYS)
    small_counts = _shares(pm.filter(pl.col("supplier_size_band") == SMALL), KEYS)
    ic = cells.filter((pl.col("measure") == "interest_owed") & pl.col("period").is_in(known))
    interest_counts = _shares(ic, KEYS)
    used = status.filter(pl.col("status") == "used").height
    pieces = SharedInputs(
        members=member_df, periods=period_df, targets=targets, metrics=metrics,
        metric_counts=metric_counts, small_counts=small_counts,
        interest=_interest(sheet("interest")), interest_counts=interest_counts,
        day_buckets=_day_buckets(sheet("day_buckets"), rules),
        notices=_stack(chosen, "statutory_notices").select(
            "buyer_org_id", "notice_period", "period_start", "period_end", "measure",
            "derived_from_ledger", pl.lit(None, pl.Float64).alias("published"),
            pl.col("invoices_in_scope").cast(pl.Int64)),
        share_parts=sheet("share_parts").select(
            "buyer_org_id", "period",
            pl.col("supplier_size_band").replace(SMALL, "small_lt50"), "split", "side",
            pl.col("supplier_count").cast(pl.Int64), "value_gbp", "top1_value_gbp",
            "top2_value_gbp"),
        delays=_delays(sheet("days_late"), period),
        basis=(f"members' returns: {used} of {member_df.height} member(s) in, "
               f"{len(known)} period(s), headline period {period}"))
    member_ids = member_df["org_id"].to_list()
    if insurance_path == "returns":
        frames = [t["insurance_requirements"].filter(pl.col("buyer_org_id") == m)
                  for m, t in chosen.items()]
        with_rows = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
        if with_rows.height:
            from lainbench.schemas import INSURANCE_REQUIREMENT

            ins, ins_note = _insurance_flags_from(
                INSURANCE_REQUIREMENT.conform(with_rows, source="members' returns"), member_ids,
                "insurance requirements from members' returns (latest version)")
        else:
            ins, ins_note = None, "not available: no member's return holds insurance requirements"
    else:
        ins, ins_note = _insurance_flags(insurance_path, member_ids)
    out = assemble(pieces, period, rules, ins, ins_note, cashflow_paths, seed, network_paths,
                   network_tables=None if network_paths else _network_tables(chosen, member_df,
                                                                              period_df),
                   published_paths=published_paths)
    out.tables["returns"] = status
    return out
