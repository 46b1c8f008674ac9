"""The GOV.UK "Check payment practices" export (Payment Practices Reporting) -> ``org_payment_performance``.

Columns are found by **name**, never by position, so all of these read:

* the **current** export (52 columns in the 14 Aug 2025 download; a third party counted 51 in 2026),
  ``M/D/YYYY`` dates, with ``Policy Regime`` (``Regime-1`` = reports under the 2017 rules);
* the **legacy** export of 2017 to the early 2020s (23 columns, ISO dates, booleans ``true/false``);
* any **subset** of those names, such as figures transcribed from report pages.

What the ingest does beyond renaming (domain.md sections 1.3-1.4):

* ``regime`` is ``ppr_2017`` for ``Regime-1`` and ``ppr_2025`` for the 2025 rules (other values,
  e.g. ``2025``/``Regime-2``). Without the column it is inferred (flag ``regime_inferred``): 2025
  rules when the financial period starts on or after 1 January 2025 or value buckets are given.
* Fields that did not exist before 2025 (value of late payments, % late because of a dispute,
  payments made, retention clauses) are null, never 0, in ``ppr_2017`` rows; a ``0`` turned to null
  is flagged ``legacy_zero_as_missing``.
* Company numbers stay 8-character text with leading zeros (``2366661`` -> ``02366661``).
* ``is_latest_filing`` marks the last filing per company and period (amended reports).
* ``quality_flags`` lists failed sanity checks (thresholds in ``params/ingest_checks.yaml``):
  ``no_qualifying_contracts``, ``statistics_missing``, ``buckets_not_100``, ``avg_days_gt_365``,
  ``pct_out_of_range``, ``period_not_6_months``, ``filed_late``, ``filed_before_period_end``,
  ``values_missing``, ``company_number_invalid``, ``regime_inferred``, ``legacy_zero_as_missing``,
  ``avg_days_negative`` (an impossible negative average; percentages outside 0-100 are
  ``pct_out_of_range``).
* Rows are rejected (and listed in ``rejects.csv``) only when a date, number or company is
  unreadable or missing, a number is not finite (``1e400``), the period ends before it starts, a
  row has more fields than the header, or a Report Id repeats.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "export.csv"
>>> _ = p.write_text(
...     "Report Id,Start date,End date,Filing date,Company,Company number,Average time to pay,"
...     "% Invoices paid within 30 days,% Invoices paid between 31 and 60 days,"
...     "% Invoices paid later than 60 days,% Invoices not paid within agreed terms,URL\\n"
...     "1,2017-04-01,2017-09-30,2017-10-20,ACME LIMITED,1234567,40,50,30,20,25,https://x/1\\n")
>>> res = ingest_ppr(p)
>>> res.accepted.select("companies_house_number", "regime", "avg_days_to_pay", "quality_flags").row(0)
('01234567', 'ppr_2017', 40.0, ['regime_inferred'])
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from lainbench.errors import IngestError
from lainbench.ingest import values as V
from lainbench.ingest.common import ROW, IngestResult, finish, make_rejects
from lainbench.ingest.tabular import (
    EXTRA,
    check_file,
    is_excel,
    open_text,
    read_csv_strings,
    read_excel_strings,
    unique_names,
)
from lainbench.schemas import ORG_PAYMENT_PERFORMANCE

SOURCE_DATASET = "check-payment-practices export"
DAY_COUNT_BASIS = "invoice_receipt_to_supplier_receipt"

# normalised export header -> canonical column (or an internal field starting with "_")
COLUMNS: dict[str, str] = {
    "report id": "report_id",
    "policy regime": "_policy_regime",
    "financial period start date": "_fy_start",
    "start date": "period_start",
    "end date": "period_end",
    "filing date": "filing_date",
    "company": "org_name",
    "company number": "companies_house_number",
    "qualifying contracts in reporting period": "qualifying_contracts_in_period",
    "payments made in reporting period": "payments_made_in_period",
    "payments made in the reporting period": "payments_made_in_period",
    "construction contracts have retention clauses": "construction_retentions_used",
    "average time to pay": "avg_days_to_pay",
    "total value invoices paid within 30 days": "paid_within_30_days_value_gbp",
    "total value invoices paid between 31 and 60 days": "paid_31_to_60_days_value_gbp",
    "total value invoices paid later than 60 days": "paid_over_60_days_value_gbp",
    "invoices paid within 30 days": "paid_within_30_days_pct",
    "invoices paid between 31 and 60 days": "paid_31_to_60_days_pct",
    "invoices paid later than 60 days": "paid_over_60_days_pct",
    "total value invoices paid later than agreed terms": "not_paid_within_terms_value_gbp",
    "invoices not paid within agreed terms": "not_paid_within_terms_pct",
    "invoices not paid due to dispute": "not_paid_due_to_dispute_pct",
    "shortest or only standard payment period": "standard_terms_shortest_days",
    "longest standard payment period": "standard_terms_longest_days",
    "standard payment terms": "standard_terms_text",
    "payment terms have changed": "terms_changed_text",
    "suppliers notified of changes": "suppliers_notified_text",
    "maximum contractual payment period": "max_contractual_terms_days",
    "maximum contractual payment period information": "max_terms_info_text",
    "other information payment terms": "other_terms_info_text",
    "dispute resolution process": "dispute_process_text",
    "participates in payment codes": "payment_code",
    "e invoicing offered": "e_invoicing_offered",
    "supply chain financing offered": "supply_chain_finance_offered",
    "policy covers charges for remaining on supplier list": "supplier_list_charges_policy",
    "charges have been made for remaining on supplier list": "supplier_list_charges_made",
    "url": "_url",
}
REQUIRED = ("period_start", "period_end", "org_name")
DATES = ("period_start", "period_end", "filing_date", "_fy_start")
BOOLS = ("qualifying_contracts_in_period", "payments_made_in_period",
         "construction_retentions_used", "e_invoicing_offered", "supply_chain_finance_offered",
         "supplier_list_charges_policy", "supplier_list_charges_made")
PCTS = ("paid_within_30_days_pct", "paid_31_to_60_days_pct", "paid_over_60_days_pct",
        "not_paid_within_terms_pct", "not_paid_due_to_dispute_pct")
VALUES = ("paid_within_30_days_value_gbp", "paid_31_to_60_days_value_gbp",
          "paid_over_60_days_value_gbp", "not_paid_within_terms_value_gbp")
DAYS = ("standard_terms_shortest_days", "standard_terms_longest_days", "max_contractual_terms_days")
# fields that did not exist before the 2025 regime: null, never 0, in ppr_2017 rows
NEW_IN_2025_NUMBERS = ("not_paid_within_terms_value_gbp", "not_paid_due_to_dispute_pct",
                       "paid_within_30_days_value_gbp", "paid_31_to_60_days_value_gbp",
                       "paid_over_60_days_value_gbp")
NEW_IN_2025_FLAGS = ("payments_made_in_period", "construction_retentions_used")
REGIME_2025_START = dt.date(2025, 1, 1)  # financial years beginning on/after (2024 Amendment Regs)
LEGACY_LAYOUT = frozenset({
    "report id", "start date", "end date", "filing date", "company", "company number",
    "average time to pay", "invoices paid within 30 days", "url",
})
COMPANY_NUMBER_RE = r"^(?:\d{8}|[A-Z]{2}\d{6})$"


def _read(path: Path, sheet: str | int | None) -> tuple[pl.DataFrame, str]:
    """All cells as strings with the export's own header; and a note on how it was read."""
    if is_excel(path):
        grid = read_excel_strings(path, sheet)
        if grid.height == 0:
            raise IngestError(f"{path}: the sheet is empty")
        headers = unique_names(grid.row(0))
        body = grid.slice(1)
        body.columns = headers
        return body, "xlsx"
    with open_text(path) as src:
        df = read_csv_strings(src, str(path))  # a row longer than the header: EXTRA set
        return df, src.encoding + "".join(f"; {n}" for n in src.notes)


def _layout(names: set[str]) -> str:
    if "policy regime" in names:
        return "current"
    if LEGACY_LAYOUT <= names and "total value invoices paid within 30 days" not in names:
        return "legacy"
    return "subset"


def ingest_ppr(path: str | Path, *, source_dataset: str | None = None,
               sheet: str | int | None = None, date_order: str | None = None, **_: Any
               ) -> IngestResult:
    """Read a Payment Practices Reporting export (any layout) into ``org_payment_performance``.

    Parameters
    ----------
    path : the CSV export (or an Excel copy of it).
    source_dataset : lineage name (default: ``check-payment-practices export (<file name>)``).
    sheet : sheet of an Excel copy.
    date_order : ``"mdy"`` (the service's own ``M/D/YYYY``) or ``"dmy"`` for a copy re-saved by
        UK Excel; by default decided from the dates (``mdy`` unless a day above 12 comes first).
    """
    p = check_file(path)
    name = str(path)
    raw, how = _read(p, sheet)
    extra_raw = raw.select(EXTRA) if EXTRA in raw.columns else None
    raw = raw.drop(EXTRA, strict=False)
    by_norm: dict[str, str] = {}
    for h in raw.columns:
        by_norm.setdefault(V.normalise_header(h), h)
    found = {COLUMNS[n]: h for n, h in by_norm.items() if n in COLUMNS}
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        wanted = {"period_start": "Start date", "period_end": "End date", "org_name": "Company"}
        raise IngestError(
            f"{name}: not a payment practices export: no {', '.join(repr(wanted[m]) for m in missing)} "
            f"column (headers found: {', '.join(raw.columns[:10])}{' ...' if raw.width > 10 else ''}). "
            "Download it from https://check-payment-practices.service.gov.uk/export")
    layout = _layout(set(by_norm))
    notes = [f"{layout} layout ({raw.width} columns), read as {how}"]
    unused = [h for n, h in by_norm.items() if n not in COLUMNS]
    if unused:
        notes.append(f"{len(unused)} column(s) not kept (no canonical column yet): "
                     + ", ".join(unused[:5]) + (" ..." if len(unused) > 5 else ""))

    df = raw.select([pl.col(h).alias(c) for c, h in found.items()])
    if extra_raw is not None:
        df = df.hstack(extra_raw)
    df = df.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    df = df.with_columns([V.clean(pl.col(c)) for c in found])
    blank = pl.all_horizontal([pl.col(c).is_null() for c in found])
    skipped = {"blank": int(df.select(blank.sum()).item())}
    rows_read = df.height
    df = df.filter(~blank)

    order = _date_order(df, [c for c in DATES if c in found], name, date_order)
    if order == "dmy":
        notes.append("dates read day-first (DD/MM/YYYY): the file looks re-saved by UK Excel")
    return _build(df, found, order, name, source_dataset or f"{SOURCE_DATASET} ({p.name})",
                  rows_read, {k: v for k, v in skipped.items() if v}, notes)


def _date_order(df: pl.DataFrame, cols: list[str], name: str, wanted: str | None) -> str:
    if wanted in V.DATE_ORDERS:
        return wanted
    if wanted is not None:
        raise IngestError(f"date_order = {wanted!r}; use mdy (the export's own) or dmy")
    ev = df.select(pl.concat_list([V.date_order_evidence(pl.col(c)) for c in cols]).alias("e")
                   ).explode("e")["e"]
    dmy, mdy = int((ev == "dmy").sum()), int((ev == "mdy").sum())
    if dmy and mdy:
        raise IngestError(
            f"{name}: dates mix month-first ({mdy:,}, as the service exports them) and day-first "
            f"({dmy:,}) forms, as happens when UK Excel re-saves the export. Download the export "
            "again and ingest it without opening it in Excel")
    return "dmy" if dmy else "mdy"


def _build(df: pl.DataFrame, found: dict[str, str], order: str, name: str, dataset: str,
           rows_read: int, skipped: dict[str, int], notes: list[str]) -> IngestResult:
    t = V.thresholds()
    have = set(found)
    raw = df  # cleaned strings, kept for the reject messages
    typed = V.with_dates(df, {f"__date_{c}": c for c in DATES if c in have}, order,
                         problem_prefix="__bad_")
    exprs: list[pl.Expr] = [pl.col(ROW)]
    for c in have:
        col = pl.col(c)
        if c in DATES:
            exprs.append(pl.col(f"__date_{c}").alias(c))
        elif c in BOOLS:
            exprs.append(V.parse_bool(col).alias(c))
        elif c in PCTS or c == "avg_days_to_pay":
            exprs.append(V.parse_number(col).alias(c))
        elif c in VALUES:
            exprs.append(V.parse_amount(col).alias(c))
        elif c in DAYS:
            n = V.parse_number(col)
            exprs.append(pl.when(n.abs() < 100_000).then(n.round(0)).cast(pl.Int32).alias(c))
        elif c == "companies_house_number":
            exprs.append(V.company_number(col).alias(c))
        else:
            exprs.append(col.alias(c))
    typed = typed.select(*exprs, *[pl.col(f"__bad___date_{c}") for c in DATES if c in have])

    # --- rejects: unreadable values, missing required values, impossible periods, repeated ids
    rejects = []
    for c in (c for c in DATES if c in have):
        bad = typed.select(ROW, pl.col(f"__bad___date_{c}").alias("why")).join(
            raw.select(ROW, pl.col(c).alias("v")), on=ROW)
        rejects.append(make_rejects(bad, pl.col("why").is_not_null(), found[c], pl.col("why"),
                                    name, value=pl.col("v")))
    unreadable = {**{c: "not a number" for c in (*PCTS, "avg_days_to_pay", *DAYS)},
                  **{c: "not an amount in pounds" for c in VALUES},
                  **{c: "not TRUE/FALSE" for c in BOOLS}}
    for c, why in unreadable.items():
        if c in have:
            frame = raw.select(ROW, pl.col(c).alias("v")).with_columns(typed[c].alias("t"))
            rejects.append(make_rejects(frame, pl.col("v").is_not_null() & pl.col("t").is_null(),
                                        found[c], why, name, value=pl.col("v")))
    for c in (*PCTS, "avg_days_to_pay", *VALUES):
        if c in have:
            frame = raw.select(ROW, pl.col(c).alias("v")).with_columns(typed[c].alias("t"))
            rejects.append(make_rejects(
                frame, pl.col("t").is_not_null() & ~pl.col("t").is_finite(), found[c],
                "not a finite number (too large to hold)", name, value=pl.col("v").str.slice(0, 80)))
    for c in DAYS:
        if c in have:
            frame = raw.select(ROW, pl.col(c).alias("v")).with_columns(
                V.parse_number(pl.col("v")).alias("n"))
            rejects.append(make_rejects(
                frame, pl.col("n").is_not_null() & ~(pl.col("n").abs() < 100_000), found[c],
                "not a plausible number of days (100,000 or more)", name,
                value=pl.col("v").str.slice(0, 80)))
    if EXTRA in raw.columns:
        rejects.append(make_rejects(
            raw, pl.col(EXTRA).is_not_null(), None,
            "more fields than the header row (a value with an unquoted comma? quote it or "
            "download the export again)", name,
            value=pl.col(EXTRA)))
    for c in REQUIRED:
        frame = raw.select(ROW, pl.col(c).alias("v"))
        rejects.append(make_rejects(frame, pl.col("v").is_null(), found[c],
                                    "missing required value", name, value=pl.col("v")))
    rejects.append(make_rejects(
        typed, pl.col("period_end") < pl.col("period_start"), found["period_end"],
        "period ends before it starts", name,
        value=pl.format("{} to {}", pl.col("period_start"), pl.col("period_end"))))
    if "report_id" in have:
        dup = typed.select(ROW, "report_id").with_columns(
            pl.int_range(pl.len()).over("report_id").alias("n"))
        rejects.append(make_rejects(dup, pl.col("report_id").is_not_null() & (pl.col("n") > 0),
                                    found["report_id"], "Report Id repeated (first kept)", name))
    rej = pl.concat([r for r in rejects if r.height]) if any(r.height for r in rejects) else None

    # --- regime, legacy zeros, derived fields, flags
    typed = _regime(typed, have)
    legacy = pl.col("regime") == "ppr_2017"
    zero_cols = [c for c in NEW_IN_2025_NUMBERS if c in have]
    legacy_zero = (pl.any_horizontal([pl.col(c) == 0 for c in zero_cols]).fill_null(False)
                   if zero_cols else pl.lit(False))
    typed = typed.with_columns(legacy_zero.and_(legacy).alias("__legacy_zero"))
    typed = typed.with_columns(
        [pl.when(legacy).then(None).otherwise(pl.col(c)).alias(c)
         for c in (*zero_cols, *[f for f in NEW_IN_2025_FLAGS if f in have])])
    if "payment_code" in have:
        typed = typed.with_columns(_payment_code(pl.col("payment_code")))
    for c in ("terms_changed_text", "suppliers_notified_text"):
        if c in have:  # legacy export: booleans; current export: free text (blank = no change)
            s = pl.col(c)
            low = s.str.to_lowercase()
            typed = typed.with_columns(
                pl.when(low.is_in(["false", "no", "n"])).then(None)
                .when(low.is_in(["true", "yes", "y"])).then(pl.lit("Yes")).otherwise(s).alias(c))
    values3 = [c for c in VALUES[:3] if c in have]
    total_value = (pl.sum_horizontal(values3) if len(values3) == 3 else pl.lit(None, pl.Float64))
    typed = typed.with_columns(
        pl.when(pl.all_horizontal([pl.col(c).is_not_null() for c in values3]) if values3
                else pl.lit(False)).then(total_value).alias("invoices_paid_value_gbp"),
        pl.col("companies_house_number").alias("org_id") if "companies_house_number" in have
        else pl.col("org_name").str.to_lowercase().alias("org_id"),
        (pl.when(pl.col("companies_house_number").str.slice(0, 2).is_in(["OC", "SO", "NC"]))
         .then(pl.lit("llp")).otherwise(pl.lit("company")) if "companies_house_number" in have
         else pl.lit("company")).alias("org_type"),
        pl.lit(DAY_COUNT_BASIS).alias("day_count_basis"),
        pl.lit("all").alias("payee_segment"),
    )
    typed = typed.with_columns(_flags(typed, have, t))
    typed = _latest_filing(typed, rej)
    urls = typed.select(ROW, pl.col("_url").alias("__url")) if "_url" in have else None
    typed = typed.drop([c for c in typed.columns
                        if c.startswith("_") and c != ROW and not c.startswith("__row")])
    res = finish(typed, rej if rej is not None else pl.DataFrame(), ORG_PAYMENT_PERFORMANCE,
                 rows_read=rows_read, source_file=name, source_dataset=dataset,
                 skipped=skipped, notes=notes)
    if urls is not None and res.accepted.height:
        res.accepted = res.accepted.with_columns(
            pl.col("source_row_id").replace_strict(
                urls[ROW].cast(pl.String), urls["__url"], default=None).alias("source_url"))
    return res


def _payment_code(col: pl.Expr) -> pl.Expr:
    """``No`` (or false) means no code; ``true`` from the legacy export names none."""
    low = col.str.to_lowercase()
    return (pl.when(low.is_in(["no", "false", "n", "none"])).then(None)
            .when(low.is_in(["true", "yes", "y"])).then(pl.lit("Yes (code not named)"))
            .otherwise(col).alias("payment_code"))


def _regime(df: pl.DataFrame, have: set[str]) -> pl.DataFrame:
    value_cols = [c for c in VALUES[:3] if c in have]
    has_values = (pl.any_horizontal([pl.col(c).is_not_null() for c in value_cols])
                  if value_cols else pl.lit(False))
    fy = pl.col("_fy_start") if "_fy_start" in have else pl.lit(None, pl.Date)
    inferred = (pl.when((fy >= REGIME_2025_START).fill_null(False) | has_values)
                .then(pl.lit("ppr_2025")).otherwise(pl.lit("ppr_2017")))
    if "_policy_regime" not in have:
        return df.with_columns(inferred.alias("regime"), pl.lit(True).alias("__regime_inferred"))
    pr = pl.col("_policy_regime").str.to_lowercase().str.replace_all(r"[\s_]", "-")
    regime = (pl.when(pr.is_in(["regime-1", "1", "2017", "ppr-2017"])).then(pl.lit("ppr_2017"))
              .when(pr.is_not_null()).then(pl.lit("ppr_2025"))
              .otherwise(inferred))
    return df.with_columns(regime.alias("regime"),
                           pl.col("_policy_regime").is_null().alias("__regime_inferred"))


def _flags(df: pl.DataFrame, have: set[str], t: dict[str, float]) -> pl.Expr:
    def flag(cond: pl.Expr, label: str) -> pl.Expr:
        return pl.when(cond.fill_null(False)).then(pl.lit(label)).otherwise(None)

    def col(c: str, dtype: pl.DataType = pl.Float64) -> pl.Expr:
        return pl.col(c) if c in have else pl.lit(None, dtype)

    b = [col(c) for c in PCTS[:3]]
    days = (pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1
    late_filing = (col("filing_date", pl.Date) - pl.col("period_end")).dt.total_days()
    pcts = [col(c) for c in PCTS]
    qualifying = col("qualifying_contracts_in_period", pl.Boolean)
    flags = [
        flag(qualifying == False, "no_qualifying_contracts"),
        flag((qualifying != False).fill_null(True) & col("avg_days_to_pay").is_null(),
             "statistics_missing"),
        flag(pl.all_horizontal([x.is_not_null() for x in b])
             & ((pl.sum_horizontal(b) - 100).abs() > t["ppr_bucket_sum_tolerance_pct"]),
             "buckets_not_100"),
        flag(col("avg_days_to_pay") > t["ppr_avg_days_max"], "avg_days_gt_365"),
        flag(col("avg_days_to_pay") < 0, "avg_days_negative"),
        flag(pl.any_horizontal([(x < 0) | (x > 100) for x in pcts]), "pct_out_of_range"),
        flag((days < t["ppr_period_min_days"]) | (days > t["ppr_period_max_days"]),
             "period_not_6_months"),
        flag(late_filing > t["ppr_filing_deadline_days"], "filed_late"),
        flag(late_filing < 0, "filed_before_period_end"),
        flag((pl.col("regime") == "ppr_2025") & (qualifying != False).fill_null(True)
             & col("paid_within_30_days_value_gbp").is_null(), "values_missing"),
        flag(~col("companies_house_number", pl.String).str.contains(COMPANY_NUMBER_RE)
             & col("companies_house_number", pl.String).is_not_null(), "company_number_invalid"),
        flag(pl.col("__regime_inferred"), "regime_inferred"),
        flag(pl.col("__legacy_zero"), "legacy_zero_as_missing"),
    ]
    return pl.concat_list(flags).list.drop_nulls().alias("quality_flags")


def _latest_filing(df: pl.DataFrame, rejects: pl.DataFrame | None) -> pl.DataFrame:
    """``is_latest_filing``: the last filing per company and period among rows not rejected
    (ties broken by the higher Report Id, then the later row).
    """
    gone = rejects["source_row"] if rejects is not None else pl.Series([], dtype=pl.Int64)
    key = pl.coalesce(pl.col("companies_house_number"), pl.col("org_name").str.to_lowercase()) \
        if "companies_house_number" in df.columns else pl.col("org_name").str.to_lowercase()
    filing = pl.col("filing_date") if "filing_date" in df.columns else pl.lit(None, pl.Date)
    rid = (pl.col("report_id").cast(pl.Int64, strict=False) if "report_id" in df.columns
           else pl.lit(None, pl.Int64))
    live = ~pl.col(ROW).is_in(gone.implode())
    ranked = df.with_columns(key.alias("__key"), filing.alias("__filed"), rid.alias("__rid"),
                             live.alias("__live"))
    order = ranked.filter("__live").sort(["__filed", "__rid", ROW], nulls_last=False).group_by(
        ["__key", "period_start", "period_end"], maintain_order=True).agg(pl.col(ROW).last())
    latest = set(order[ROW].to_list())
    return ranked.with_columns(
        pl.when(pl.col("__live")).then(pl.col(ROW).is_in(list(latest)))
        .alias("is_latest_filing")).drop("__key", "__filed", "__rid", "__live")
