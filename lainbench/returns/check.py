"""Check a return: schema, version, totals consistent, periods known; and say what it holds.

>>> import datetime as dt, polars as pl
>>> from lainbench.returns.schema import SHEETS, empty, conform
>>> t = {n: empty(n) for n in SHEETS}
>>> t["return_info"] = conform("return_info", pl.DataFrame({"schema_version": ["1.0"],
...     "member_id": ["m"], "periods": ["P"], "days_to_pay_max": [365]}))
>>> t["periods"] = pl.DataFrame({"period": ["P"], "period_start": [dt.date(2025, 4, 1)],
...     "period_end": [dt.date(2025, 9, 30)]})
>>> t["payment_totals"] = conform("payment_totals", pl.DataFrame({"period": ["P", "P"],
...     "supplier_size_band": ["all", "micro"], "invoices": [3, 2]}))
>>> [e for e in check_return(t).errors if "payment_totals" in e][0]
"payment_totals: period P, column invoices: the band rows add up to 2, the 'all' row says 3"
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from lainbench.returns.schema import ALL, ALL_PERIODS, RETURN_SCHEMA_VERSION, SHEETS, SMALL, major

REL = 1e-9


@dataclass
class CheckResult:
    """What a check found: errors (the return cannot be used), warnings, and a summary."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there are no errors."""
        return not self.errors


def _close(a: float | None, b: float | None, abs_tol: float = 0.0) -> bool:
    a, b = a or 0.0, b or 0.0
    return abs(a - b) <= max(REL * max(abs(a), abs(b)), abs_tol)


def _sums(df: pl.DataFrame, sheet: str, keys: list[str], cols: list[str], res: CheckResult,
          abs_tol: float = 0.0) -> None:
    """Band rows (not 'all' or micro+small) add up to the 'all' row, per ``keys``."""
    band = pl.col("supplier_size_band")
    parts = df.filter((band != ALL) & (band != SMALL)).group_by(keys).agg(pl.col(cols).sum())
    total = df.filter(band == ALL).select(*keys, *cols)
    j = total.join(parts, on=keys, how="full", suffix="_parts", coalesce=True)
    for row in j.iter_rows(named=True):
        where = ", ".join(f"{k} {row[k]}" for k in keys)
        for c in cols:
            tol = abs_tol * max(1, df.filter(band != ALL).height) if abs_tol else 0.0
            if not _close(row[c], row[f"{c}_parts"], tol):
                res.errors.append(f"{sheet}: {where}, column {c}: the band rows add up to "
                                  f"{row[f'{c}_parts']:g}, the 'all' row says {row[c]}")


def _dims(df: pl.DataFrame, sheet: str, cols: list[str], res: CheckResult) -> None:
    """Each dimension's categories add up to the period's 'all' row (action-plan sheets)."""
    if not df.height:
        return
    total = df.filter(pl.col("dimension") == ALL).select("period", *cols)
    parts = df.filter(pl.col("dimension") != ALL).group_by("period", "dimension").agg(
        pl.col(cols).sum())
    j = parts.join(total, on="period", how="left", suffix="_all")
    for r in j.iter_rows(named=True):
        for c in cols:
            if not _close(r[c], r[f"{c}_all"]):
                res.errors.append(f"{sheet}: period {r['period']}, dimension {r['dimension']}, "
                                  f"column {c}: the categories add up to {r[c]:g}, the 'all' row "
                                  f"says {r[f'{c}_all']}")


def check_return(tables: dict[str, pl.DataFrame],
                 known_periods: pl.DataFrame | None = None) -> CheckResult:
    """Check every sheet of a return; ``known_periods`` (period, period_start, period_end) are
    the network's reporting periods, which the return's periods must be among.
    """
    res = CheckResult()
    for name, sheet in SHEETS.items():
        df = tables.get(name)
        if df is None:
            res.errors.append(f"{name}: sheet missing")
            continue
        for c, t in sheet.columns.items():
            if c not in df.columns:
                res.errors.append(f"{name}: column {c} missing")
            elif df.schema[c] != t and df.schema[c] != pl.Null:
                res.errors.append(f"{name}: column {c} is {df.schema[c]}, expected {t}")
        keys = [k for k in sheet.keys if k in df.columns]
        if keys and df.height and df.select(keys).is_duplicated().any():
            res.errors.append(f"{name}: rows repeat the same {', '.join(keys)}")
    if res.errors:
        return res
    info = tables["return_info"]
    if info.height != 1:
        res.errors.append(f"return_info: {info.height} rows; expected exactly one")
        return res
    i = info.row(0, named=True)
    version = str(i["schema_version"])
    if major(version) != major(RETURN_SCHEMA_VERSION):
        res.errors.append(f"return_info: schema_version {version}; this lainbench reads "
                          f"{major(RETURN_SCHEMA_VERSION)}.x; rebuild or convert the return")
    if not i["member_id"]:
        res.errors.append("return_info: member_id is empty")
    n_max = i["days_to_pay_max"]
    if n_max is None or n_max < 60:
        res.errors.append(f"return_info: days_to_pay_max = {n_max}; expected 60 or more")
    per = tables["periods"]
    listed = [p for p in (i["periods"] or "").split(";") if p]
    if sorted(listed) != sorted(per["period"].to_list()):
        res.errors.append(f"return_info: periods {';'.join(listed)} differ from the periods "
                          f"sheet ({';'.join(per['period'].to_list())})")
    for r in per.iter_rows(named=True):
        if r["period_start"] is None or r["period_end"] is None or \
                r["period_start"] > r["period_end"]:
            res.errors.append(f"periods: period {r['period']}: start {r['period_start']} / "
                              f"end {r['period_end']} is not a date range")
    if known_periods is not None:
        known = {r["period"]: (r["period_start"], r["period_end"])
                 for r in known_periods.iter_rows(named=True)}
        for r in per.iter_rows(named=True):
            if r["period"] not in known:
                res.errors.append(f"periods: period {r['period']!r} is not a known reporting "
                                  f"period ({', '.join(known)})")
            elif known[r["period"]] != (r["period_start"], r["period_end"]):
                res.errors.append(f"periods: period {r['period']} runs {r['period_start']} to "
                                  f"{r['period_end']}; the network's runs "
                                  f"{known[r['period']][0]} to {known[r['period']][1]}")
    periods = set(per["period"].to_list())
    for name in ("payment_totals", "days_to_pay", "days_late", "interest", "compliance_notice",
                 "contributors", "spend", "contracts"):
        extra = set(tables[name]["period"].drop_nulls().to_list()) - periods - {ALL_PERIODS}
        if extra:
            res.errors.append(f"{name}: period(s) {', '.join(sorted(extra))} not on the periods "
                              "sheet")
    pt, dp = tables["payment_totals"], tables["days_to_pay"]
    money = [c for c, t in SHEETS["payment_totals"].columns.items() if t != pl.String]
    _sums(pt, "payment_totals", ["period"], money, res)
    _sums(dp, "days_to_pay", ["period", "days_to_pay"], ["invoices", "value_gbp"], res)
    _sums(tables["days_late"], "days_late", ["period", "days_late"], ["invoices"], res)
    _sums(tables["interest"], "interest", ["period"],
          ["invoices_paid_late", "late_value_gbp", "statutory_interest_gbp",
           "fixed_compensation_gbp", "total_owed_gbp"], res, abs_tol=0.01)
    for name, cols in (("spend", ["lines", "amount_gbp"]), ("contracts", ["awards", "value_gbp"])):
        _dims(tables[name], name, cols, res)
    if n_max is not None:
        bad = dp.filter((pl.col("days_to_pay") > n_max) != pl.col("overflow"))
        if bad.height:
            res.errors.append(f"days_to_pay: {bad.height} row(s) where overflow does not say "
                              f"days_to_pay > days_to_pay_max ({n_max})")
    per_cell = dp.group_by("period", "supplier_size_band").agg(
        pl.col("invoices").sum().alias("d_n"), pl.col("value_gbp").sum().alias("d_v"),
        (pl.col("days_to_pay") * pl.col("invoices")).filter(~pl.col("overflow")).sum()
        .alias("d_days"), pl.col("overflow").any().alias("d_over"))
    j = pt.join(per_cell, on=["period", "supplier_size_band"], how="left")
    for r in j.iter_rows(named=True):
        where = f"payment_totals: period {r['period']}, band {r['supplier_size_band']}"
        if (r["d_n"] or 0) != (r["invoices_with_days"] or 0):
            res.errors.append(f"{where}: invoices_with_days {r['invoices_with_days']} but the "
                              f"days_to_pay rows count {r['d_n'] or 0}")
        if r["invoices_with_days"] == r["invoices"] and not _close(r["d_v"], r["value_gbp"]):
            res.errors.append(f"{where}: value_gbp {r['value_gbp']} but the days_to_pay rows "
                              f"add up to {r['d_v'] or 0}")
        if not r["d_over"] and (r["d_days"] or 0) != (r["days_to_pay_sum"] or 0):
            res.errors.append(f"{where}: days_to_pay_sum {r['days_to_pay_sum']} but the "
                              f"days_to_pay rows give {r['d_days'] or 0}")
        for a, b in (("within_terms_invoices", "terms_known_invoices"),
                     ("s68_met_invoices", "s68_known_invoices"),
                     ("disputed_invoices", "invoices")):
            if (r[a] or 0) > (r[b] or 0):
                res.errors.append(f"{where}: {a} ({r[a]}) is more than {b} ({r[b]})")
    cells = tables["contributors"]
    have = set(cells.filter(pl.col("measure") == "payment_metrics")
               .select("period", "supplier_size_band").iter_rows())
    need = set(pt.select("period", "supplier_size_band").iter_rows())
    lacking = sorted(need - have)
    if lacking:
        res.errors.append("contributors: no payment_metrics cell for "
                          + "; ".join(f"{p} {b}" for p, b in lacking[:10]))
    bad = cells.filter((pl.col("largest_supplier_value_gbp") > pl.col("value_total_gbp") * (1 + REL))
                       | (pl.col("second_supplier_value_gbp").fill_null(0)
                          > pl.col("largest_supplier_value_gbp")))
    if bad.height:
        res.errors.append(f"contributors: {bad.height} cell(s) where the largest supplier's value "
                          "exceeds the cell's total or the second exceeds the largest")
    if not i["approver_name"] or not i["approver_title"] or not i["approved_at"]:
        res.warnings.append("return_info: not approved (approver_name, approver_title and "
                            "approved_at are needed before the network will use it)")
    totals = pt.filter(pl.col("supplier_size_band") == ALL).sort("period")
    res.summary.append(f"member {i['member_id']} ({i['member_name']}), schema {version}, built "
                       f"{i['built_at']} by lainbench {i['tool_version']}")
    res.summary.append(f"approved by {i['approver_name'] or '-'} ({i['approver_title'] or '-'}) "
                       f"at {i['approved_at'] or '-'}")
    for r in totals.iter_rows(named=True):
        mean = r["days_to_pay_sum"] / r["invoices_with_days"] if r["invoices_with_days"] else None
        res.summary.append(f"  {r['period']}: {r['invoices'] or 0:,} invoices paid, "
                           f"£{r['value_gbp'] or 0:,.0f}" + (f", mean {mean:.1f} days" if mean else ""))
    res.summary.append("  sheets: " + ", ".join(f"{n} ({tables[n].height})" for n in SHEETS))
    for r in tables["inputs"].iter_rows(named=True):
        res.summary.append(f"  input {r['input']}: {r['file']} sha256 {str(r['sha256'])[:12]}..., "
                           f"{r['rows_read']} read, {r['rows_accepted']} accepted, "
                           f"{r['rows_rejected']} rejected, {r['rows_skipped']} skipped")
    return res
