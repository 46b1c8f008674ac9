"""Invoice ledgers as members and FOI answers send them -> canonical ``invoice_payment``.

A ledger may be CSV (UTF-8, UTF-8 with BOM, Windows-1252, UTF-16; any delimiter) or Excel, with a
title above the header and any header spelling. Headers are mapped to canonical columns by a YAML
mapping (:data:`DEFAULT_MAPPING`, extended by the user's own file); values are read by
:mod:`lainbench.ingest.values` (``£1,234.50``, ``(12.00)``, ``03/02/2025``, ``3 Feb 2025``).

What happens to each data row (``source_row`` 1 = the first row under the header):

* **skipped and counted**: blank rows; total/summary rows ("Total", "Grand total:", "Average")
  with no dates;
* **rejected** (one line per fault in ``rejects.csv``): a value that cannot be read (an impossible
  date such as 31/02/2025 or year 1900, an amount that is not a number), a missing required value
  (invoice id, received date, gross amount), a currency other than GBP, the invoice rules of
  :func:`lainbench.ingest.canonical.invoice_rule_checks` (paid before received, ...), and exact
  duplicates of an earlier row (every source column identical; the first is kept);
* **accepted**, with credit notes (negative amounts or a credit-note flag) kept and flagged
  ``is_credit_note`` so payment metrics can leave them out.

Dates like ``03/02/2025`` are read day-first unless the file shows otherwise: a day above 12
settles the order; a file where every such date could be either is refused with a message saying
how to set ``date_order`` in the mapping file.

Everything is a polars expression over a lazy scan. Files above ``stage_above_bytes`` are staged
to a temporary parquet file and never held in memory whole: the accepted table stays on disk until
written (see :class:`StagedIngestResult`).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "foi.csv"
>>> _ = p.write_bytes(
...     b"Supplier Name,Invoice Number,Invoice Date,Date Invoice Paid,Invoice Gross Value\\n"
...     b"Acme Ltd,A1,03/02/2025,17/02/2025,\\"\\xa31,200.00\\"\\n"
...     b"Acme Ltd,A2,14/02/2025,10/02/2025,\\xa350.00\\n"
...     b"Acme Ltd,A3,14/02/2025,28/02/2025,(50.00)\\n"
...     b",,,,\\nTotal,,,,\\xa31,200.00\\n")
>>> res = ingest_invoices(p, buyer_org_id="demo_council")
>>> res.summary().split(": ", 1)[1]
'5 rows read = 2 accepted + 1 rejected + 2 skipped (1 blank, 1 total row)'
>>> res.rejects.select("source_row", "column", "reason").row(0)
(2, 'Date Invoice Paid', 'paid before the invoice was received')
>>> res.accepted.select("invoice_id", "gross_amount_gbp", "is_credit_note").rows()
[('A1', 1200.0, False), ('A3', -50.0, True)]
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

import polars as pl

from lainbench.errors import IngestError
from lainbench.ingest import values as V
from lainbench.ingest.canonical import flag_credit_notes, invoice_rule_checks
from lainbench.ingest.common import ROW, IngestResult, add_lineage, empty_rejects, short_value
from lainbench.ingest.header_mapping import (
    AMOUNT_COLUMNS,
    BOOL_COLUMNS,
    CREDIT_FALSE,
    CREDIT_TRUE,
    DATE_COLUMNS,
    MAPPABLE,
    HeaderMapping,
    _first_line,
    _internal_names,
    _missing_column_msg,
    _no_header_error,
    load_mapping,
    match_headers,
)
from lainbench.ingest.invoice_checks import (
    _decide_date_order,
    _decide_decimal,
    _duplicate_rows,
    _future_reason,
    _not_an_amount,
    _Plan,
    _refine_reasons,
    _same_invoice,
)
from lainbench.ingest.tabular import (
    check_file,
    find_header_row,
    head_rows,
    is_excel,
    open_text,
    read_excel_strings,
    unique_names,
)
from lainbench.schemas import INVOICE_PAYMENT, SIZE_BANDS, Table

STAGE_ABOVE_BYTES = 256 * 2**20


EXTRA_FIELDS = tuple(f"__extra_{i}" for i in range(1, 9))


class StagedIngestResult(IngestResult):
    """An :class:`IngestResult` whose accepted rows stay in a parquet file until asked for.

    ``accepted`` reads the file on first use (avoid that for big files); ``write`` copies it,
    ``scan()`` gives a lazy frame. The temporary folder is removed when the result is discarded.
    """

    def __init__(self, *, staged: Path, accepted_rows: int, workdir: str, **kwargs: Any) -> None:
        self.staged = staged
        self._accepted_rows = accepted_rows
        self._loaded: pl.DataFrame | None = None
        self._cleanup = weakref.finalize(self, shutil.rmtree, workdir, True)
        super().__init__(accepted=None, **kwargs)  # type: ignore[arg-type]

    @property  # type: ignore[override]
    def accepted(self) -> pl.DataFrame:
        """The accepted rows, read from the staged parquet on first use."""
        if self._loaded is None:
            self._loaded = pl.read_parquet(self.staged)
        return self._loaded

    @accepted.setter
    def accepted(self, value: pl.DataFrame | None) -> None:
        if value is not None:
            self._loaded = value

    @property
    def accepted_rows(self) -> int:
        """How many rows were accepted, without reading the staged file."""
        return self._accepted_rows

    def __repr__(self) -> str:
        return f"StagedIngestResult({self.summary()!r}, staged={str(self.staged)!r})"

    def scan(self) -> pl.LazyFrame:
        """The accepted rows as a lazy frame over the staged parquet file."""
        return pl.scan_parquet(self.staged)

    def _write_table(self, path: Path) -> None:
        shutil.copyfile(self.staged, path)


def _scan_source(
    path: Path, mapping: HeaderMapping, sheet: str | int | None, workdir: str
) -> tuple[pl.LazyFrame, list[str], list[str], Any]:
    """Lazy frame of strings with ``__row``; its headers; notes; a handle to close afterwards."""
    notes: list[str] = []
    if is_excel(path):
        grid = read_excel_strings(path, sheet)
        rows = [list(r) for r in grid.head(mapping.header_search_rows).iter_rows()]
        h = find_header_row(rows, mapping.header_score)
        if h is None:
            raise _no_header_error(path, rows, mapping)
        headers = unique_names(rows[h])
        body = grid.slice(h + 1)
        body.columns = headers
        if h:
            notes.append(f"{h} line(s) above the header skipped (title)")
        lf = body.lazy().with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
        return _internal_names(lf, headers), headers, notes, None
    src = open_text(path, workdir=workdir)
    if src.encoding not in ("utf-8", "ascii"):
        notes.append(f"read as {src.encoding}")
    notes.extend(src.notes)
    rows = head_rows(src.path, mapping.header_search_rows, src.delimiter)
    h = find_header_row(rows, mapping.header_score)
    if h is None:
        src.close()
        raise _no_header_error(path, rows, mapping)
    if h:
        notes.append(f"{h} line(s) above the header skipped (title)")
    if src.delimiter != ",":
        notes.append(f"fields separated by {src.delimiter!r}")
    headers = unique_names(rows[h])
    try:
        # Spare columns catch rows with more fields than the header (an unquoted "£1,200.00"),
        # which are then rejected by name instead of failing the whole file; fields beyond the
        # spares are cut off, but the row is rejected all the same.
        schema = {c: pl.String for c in [*headers, *EXTRA_FIELDS]}
        lf = pl.scan_csv(
            src.path,
            separator=src.delimiter,
            skip_rows=h + 1,
            has_header=False,
            schema=schema,
            missing_columns="insert",
            extra_columns="ignore",
            raise_if_empty=False,
            truncate_ragged_lines=True,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, OSError) as exc:
        src.close()
        raise IngestError(f"{path}: cannot be read as CSV: {exc}") from None
    lf = lf.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    return _internal_names(lf, headers), headers, notes, src


def _stage(lf: pl.LazyFrame, plan: _Plan) -> tuple[pl.LazyFrame, list[str | None]]:
    """Typed canonical columns plus ``__skip``, ``__hash`` and ``__why_i`` / ``__val_i`` checks.

    Built as a few flat steps (clean, split dates into parts, type, check) so the query plan
    stays small and each regex runs once per value.
    """
    src = [f"__s{i}" for i in range(len(plan.headers))] + list(plan.extras)
    canons = [c for c in MAPPABLE if c in plan.matched or c in plan.derived_from]
    mapped = sorted({plan.internal(c) for c in canons}, key=src.index)
    other = [c for c in src if c not in mapped and c not in plan.extras]
    date_canons = [c for c in DATE_COLUMNS if c in plan.matched]
    # 1. hash of the raw row (exact duplicates); mapped cells cleaned once
    lf = lf.with_columns(pl.struct(src).hash(20260401).alias("__hash"))
    lf = lf.with_columns([V.clean(pl.col(c)) for c in [*mapped, *plan.extras]])
    # 2. row kinds: blank, or a total label with no dates (other cells only looked at then)
    dates_in = [plan.internal(c) for c in date_canons]
    no_dates = (
        pl.all_horizontal([pl.col(c).is_null() for c in dates_in]) if dates_in else pl.lit(True)
    )
    lf = lf.with_columns(no_dates.alias("__no_dates"))
    lf = lf.with_columns(
        [pl.when(pl.col("__no_dates")).then(V.clean(pl.col(c))).alias(c) for c in other]
    )
    blank = pl.all_horizontal([pl.col(c).is_null() for c in src])
    total = pl.any_horizontal(
        [
            pl.when(pl.col("__no_dates"))
            .then(pl.col(c))
            .str.contains(V.TOTAL_ROW_RE)
            .fill_null(False)
            for c in src
        ]
    )
    lf = lf.with_columns(
        pl.when(blank)
        .then(pl.lit("blank"))
        .when(total)
        .then(pl.lit("total row"))
        .otherwise(None)
        .alias("__skip")
    )
    # 3. dates (native parser first, one regex for the rest)
    lf = V.with_dates(
        lf,
        {c: plan.internal(c) for c in date_canons},
        plan.order,
        plan.min_year,
        plan.max_year,
        problem_prefix="__date_problem_",
    )
    # 4. money (each cell scanned once)
    lf = V.with_amounts(
        lf,
        {c: plan.internal(c) for c in AMOUNT_COLUMNS if c in canons},
        plan.decimal,
        settled=plan.settled,
        max_abs=plan.max_abs,
        problem_prefix="__amount_problem_",
    )

    typed: dict[str, pl.Expr] = {}
    checks: list[tuple[str | None, pl.Expr, pl.Expr]] = []  # (shown column, reason, value)

    def unreadable(canon: str, message: str, parsed: pl.Expr | None = None) -> None:
        raw = pl.col(plan.internal(canon))
        value = pl.col(canon) if parsed is None else parsed
        checks.append(
            (
                plan.shown(canon),
                pl.when(raw.is_not_null() & value.is_null()).then(pl.lit(message)),
                raw,
            )
        )

    for canon in canons:
        r = pl.col(plan.internal(canon))
        if canon in DATE_COLUMNS:
            if canon in plan.derived_from:
                typed[canon] = pl.col(plan.derived_from[canon])  # parsed (and checked) there
            else:
                typed[canon] = pl.col(canon)
                checks.append((plan.shown(canon), pl.col(f"__date_problem_{canon}"), r))
        elif canon in AMOUNT_COLUMNS:
            typed[canon] = pl.col(canon)
            unreadable(canon, _not_an_amount(plan.decimal))  # refined in _refine_reasons
            checks.append((plan.shown(canon), pl.col(f"__amount_problem_{canon}"), r))
        elif canon == "agreed_terms_days":
            typed[canon] = V.parse_terms_days(r)
            unreadable(canon, "not a number of days (expected e.g. 30, 30 days or Net 30)")
        elif canon in BOOL_COLUMNS:
            typed[canon] = V.parse_bool(r)
            unreadable(canon, "not a yes/no value (expected TRUE/FALSE, Yes/No, Y/N or 1/0)")
        elif canon == "is_credit_note":
            flag = V.parse_bool(r, CREDIT_TRUE, CREDIT_FALSE)
            typed[canon] = flag
            unreadable(
                canon, "not a credit-note flag (expected Credit Note/Invoice, CRN/INV, Y/N)", flag
            )
        elif canon == "supplier_size_band":
            low = r.str.to_lowercase()
            typed[canon] = (
                pl.when(low.is_in(list(SIZE_BANDS)))
                .then(low)
                .when(low.is_not_null())
                .then(pl.lit("unknown"))
                .otherwise(None)
            )
        elif canon in INVOICE_PAYMENT.enums:
            allowed = INVOICE_PAYMENT.enums[canon]
            low = r.str.to_lowercase()
            typed[canon] = pl.when(low.is_in(list(allowed))).then(low).otherwise(None)
            unreadable(canon, f"not one of {', '.join(allowed)}")
        elif canon == "currency":
            up = r.str.to_uppercase()
            typed[canon] = (
                pl.when(up.is_null() | up.is_in(["GBP", "£"])).then(pl.lit("GBP")).otherwise(up)
            )
            checks.append(
                (
                    plan.shown(canon),
                    pl.when(pl.col(canon) != "GBP").then(
                        pl.format("amount in {}, not GBP (convert before ingesting)", pl.col(canon))
                    ),
                    r,
                )
            )
        elif canon == "supplier_companies_house_number":
            typed[canon] = V.company_number(r)
        else:
            typed[canon] = r

    if plan.buyer_org_id is not None:
        typed["buyer_org_id"] = pl.lit(plan.buyer_org_id)
    if "invoice_id" not in typed:
        row_id = pl.format("row-{}", pl.col(ROW))
        typed["invoice_id"] = (
            pl.coalesce(typed["supplier_invoice_ref"], row_id)
            if "supplier_invoice_ref" in typed
            else row_id
        )
    typed.setdefault("currency", pl.lit("GBP"))
    # a row marked "Invoice" but with a negative amount is still a credit
    typed["is_credit_note"] = (
        pl.when(typed["is_credit_note"]).then(True).otherwise(None)
        if "is_credit_note" in typed
        else pl.lit(None, pl.Boolean)
    )

    # control characters (NUL, escape, bidirectional overrides) and line breaks in a kept cell
    for col_name in mapped:
        c = pl.col(col_name)
        checks.append(
            (
                plan.headers[src.index(col_name)],
                pl.when(c.str.contains(V.CONTROL_RE)).then(
                    pl.lit(
                        "contains a control character (e.g. NUL, a line break or a text-direction "
                        "override; shown as \ufffd); remove it at source. A line break can also mean a "
                        "quote left open on an earlier line"
                    )
                ),
                c.str.replace_all(V.CONTROL_RE, "\ufffd"),
            )
        )
    # dates later than today plus the tolerance (due dates may lie ahead)
    if plan.max_date is not None:
        for canon in date_canons:
            if canon == "due_date":
                continue
            d, r = pl.col(canon), pl.col(plan.internal(canon))
            checks.append(
                (
                    plan.shown(canon),
                    pl.when(d > plan.max_date).then(pl.lit(_future_reason(plan.max_date))),
                    r,
                )
            )  # refined in _refine_reasons

    if plan.extras:
        extras = [pl.col(e) for e in plan.extras]
        checks.append(
            (
                None,
                pl.when(pl.any_horizontal([e.is_not_null() for e in extras])).then(
                    pl.lit(
                        f"more fields than the {len(plan.headers)} headers (a value with an unquoted "
                        "comma, such as £1,200.00? quote it or re-save the file from Excel)"
                    )
                ),
                pl.concat_str(extras, separator=",", ignore_nulls=True),
            )
        )
    for canon in sorted(INVOICE_PAYMENT.required):
        if canon in canons:
            via = plan.derived_from.get(canon)
            reason = "missing required value" + (
                f" ({via.replace('_', ' ')}, used as the {canon.replace('_', ' ')})" if via else ""
            )
            checks.append(
                (
                    plan.shown(canon),
                    pl.when(pl.col(plan.internal(canon)).is_null()).then(pl.lit(reason)),
                    pl.lit(None, pl.String),
                )
            )

    lf = lf.with_columns([e.alias(c) for c, e in typed.items()])
    lf = flag_credit_notes(lf)
    rules = invoice_rule_checks([c for c in typed if c in INVOICE_PAYMENT.columns])
    for mask, col, reason, value in rules:
        checks.append(
            (
                plan.shown(col),
                pl.when(mask.fill_null(False)).then(pl.lit(reason)),
                value if value is not None else pl.col(col),
            )
        )
    lf = lf.with_columns(
        *[reason.cast(pl.String).alias(f"__why_{i}") for i, (_, reason, _) in enumerate(checks)],
        *[
            pl.when(reason.is_not_null()).then(value.cast(pl.String)).alias(f"__val_{i}")
            for i, (_, reason, value) in enumerate(checks)
        ],
    )
    keep = [
        ROW,
        "__skip",
        "__hash",
        *typed,
        *(f"__why_{i}" for i in range(len(checks))),
        *(f"__val_{i}" for i in range(len(checks))),
    ]
    return lf.select(list(dict.fromkeys(keep))), [c[0] for c in checks]


def _conform_lazy(lf: pl.LazyFrame, table: Table) -> pl.LazyFrame:
    names = set(lf.collect_schema().names())
    return lf.select(
        [
            (pl.col(c).cast(t) if c in names else pl.lit(None, t)).alias(c)
            for c, t in table.columns.items()
        ]
    )


def ingest_invoices(
    path: str | Path,
    *,
    mapping: str | Path | None = None,
    buyer_org_id: str | None = None,
    source_dataset: str | None = None,
    date_order: str | None = None,
    sheet: str | int | None = None,
    stage_above_bytes: int = STAGE_ABOVE_BYTES,
    min_year: int = V.MIN_YEAR,
    max_year: int = V.MAX_YEAR,
    decimal: str | None = None,
    today: dt.date | str | None = None,
    **_: Any,
) -> IngestResult:
    """Read an invoice ledger (CSV or Excel, any header spelling) into ``invoice_payment``.

    Parameters
    ----------
    path : the ledger file.
    mapping : a YAML header-mapping file extending the shipped default (see
        ``lainbench/data/header_mapping.yaml``).
    buyer_org_id : the paying member's id, used for every row (required unless the file has a
        buyer column).
    source_dataset : lineage name; defaults to the file name.
    date_order : ``"dmy"`` or ``"mdy"`` to override the mapping's ``date_order``.
    sheet : Excel sheet name or 0-based number (default: the first).
    stage_above_bytes : files larger than this are staged on disk (bounded memory).
    decimal : ``"point"`` (``1,234.56``) or ``"comma"`` (``1.234,56``) to override the decimal
        convention found in the file's amounts.
    today : the day the future-date check counts from (default: today).
    """
    p = Path(path)
    name = str(path)
    hm = load_mapping(mapping)
    wanted = date_order or hm.date_order
    if wanted not in ("auto", *V.DATE_ORDERS):
        raise IngestError(f"date_order = {wanted!r}; use dmy (UK day-first), mdy or auto")
    if decimal not in (None, "point", "comma"):
        raise IngestError(f"decimal = {decimal!r}; use point (1,234.56) or comma (1.234,56)")
    t = V.thresholds()
    day = dt.date.fromisoformat(today) if isinstance(today, str) else (today or dt.date.today())
    max_date = day + dt.timedelta(days=int(t["date_future_tolerance_days"]))
    workdir = tempfile.mkdtemp(prefix="lainbench-ingest-")
    keep_workdir = False
    handle = None
    try:
        check_file(p)
        lf, headers, notes, handle = _scan_source(p, hm, sheet, workdir)
        matched, unmapped = match_headers(headers, hm)
        derived: dict[str, str] = {}
        if "invoice_received_date" not in matched:
            other = hm.received_date_from
            if other and other in matched:
                derived["invoice_received_date"] = other
                notes.append(
                    f"no invoice-received date in the file: days counted from "
                    f"{matched[other]!r} ({other})"
                )
        if "gross_amount_gbp" not in matched:
            raise IngestError(_missing_column_msg(name, "gross_amount_gbp", headers, hm))
        if "invoice_received_date" not in matched and not derived:
            raise IngestError(_missing_column_msg(name, "invoice_received_date", headers, hm))
        if buyer_org_id is None and "buyer_org_id" not in matched:
            raise IngestError(
                f"{name}: no buyer column in the file (headers: {', '.join(headers)}); say whose "
                "ledger it is with --buyer ORG_ID (buyer_org_id=... in Python)"
            )
        if buyer_org_id is not None and "buyer_org_id" in matched:
            notes.append(
                f"buyer_org_id set to {buyer_org_id!r} for every row "
                f"(column {matched['buyer_org_id']!r} ignored)"
            )
        if "invoice_id" not in matched:
            notes.append(
                "no invoice id column: "
                + (
                    f"invoice_id taken from {matched['supplier_invoice_ref']!r}"
                    if "supplier_invoice_ref" in matched
                    else "invoice_id is row-<source row>"
                )
            )
        notes.insert(0, "columns: " + ", ".join(f"{s!r} -> {c}" for c, s in matched.items()))
        if unmapped:
            notes.append("ignored columns: " + ", ".join(repr(u) for u in unmapped))
        date_sources = {
            c: (f"__s{headers.index(s)}", s) for c, s in matched.items() if c in DATE_COLUMNS
        }
        order, note = _decide_date_order(lf, date_sources, p, wanted)
        if note:
            notes.append(note)
        amount_sources = {
            c: f"__s{headers.index(s)}" for c, s in matched.items() if c in AMOUNT_COLUMNS
        }
        mark, settled, note = _decide_decimal(lf, amount_sources, name, decimal)
        if note:
            notes.append(note)
        extras = [e for e in EXTRA_FIELDS if e in lf.collect_schema().names()]
        plan = _Plan(
            matched,
            headers,
            extras,
            derived,
            buyer_org_id,
            order,
            min_year,
            max_year,
            mark,
            settled,
            float(t["amount_max_abs_gbp"]),
            max_date,
        )
        stage_lf, shown = _stage(lf, plan)
        big = p.stat().st_size > stage_above_bytes
        try:
            if big:
                stage_path = Path(workdir) / "stage.parquet"
                stage_lf.sink_parquet(stage_path)
                stage = pl.scan_parquet(stage_path)
            else:
                stage = stage_lf.collect().lazy()
        except pl.exceptions.PolarsError as exc:
            raise IngestError(f"{name}: cannot be read as a table: {_first_line(exc)}") from None
        counts = (
            stage.select(pl.len().alias("n"), pl.col("__skip"))
            .group_by("__skip")
            .agg(pl.len())
            .collect()
        )
        rows_read = int(counts["len"].sum())
        skipped = {
            k: int(v)
            for k, v in counts.filter(pl.col("__skip").is_not_null()).sort("__skip").iter_rows()
        }
        skipped = {k: skipped[k] for k in ("blank", "total row") if k in skipped}
        live = stage.filter(pl.col("__skip").is_null())
        rejects = [
            live.filter(pl.col(f"__why_{i}").is_not_null()).select(
                pl.lit(name).alias("source_file"),
                pl.col(ROW).alias("source_row"),
                pl.lit(col).alias("column"),
                short_value(pl.col(f"__val_{i}")).alias("value"),
                pl.col(f"__why_{i}").alias("reason"),
            )
            for i, col in enumerate(shown)
        ]
        rej = _refine_reasons(pl.concat(rejects).collect(), plan) if rejects else empty_rejects()
        dups = _duplicate_rows(stage, rows_read)
        if dups.height:
            rej = pl.concat(
                [
                    rej,
                    dups.select(
                        pl.lit(name).alias("source_file"),
                        pl.col(ROW).alias("source_row"),
                        pl.lit(None, pl.String).alias("column"),
                        pl.format("same as row {}", pl.col("__first")).alias("value"),
                        pl.lit("exact duplicate of an earlier row (first kept)").alias("reason"),
                    ),
                ]
            )
        rej = rej.sort("source_row", maintain_order=True) if rej.height else empty_rejects()
        why = [f"__why_{i}" for i in range(len(shown))]
        ok = live.filter(pl.all_horizontal([pl.col(w).is_null() for w in why]) if why else True)
        if dups.height:
            ok = ok.filter(~pl.col(ROW).is_in(dups[ROW].implode()))
        same = _same_invoice(ok, plan, rows_read)
        if same.height:
            rej = pl.concat(
                [
                    rej,
                    same.select(
                        pl.lit(name).alias("source_file"),
                        pl.col(ROW).alias("source_row"),
                        pl.lit(plan.shown("invoice_id")).alias("column"),
                        pl.col("value"),
                        pl.col("reason"),
                    ),
                ]
            ).sort("source_row", maintain_order=True)
            ok = ok.filter(~pl.col(ROW).is_in(same[ROW].implode()))
        # the streaming engine keeps row order from scan to sink, so a big file needs no sort
        accepted = _conform_lazy(
            add_lineage(ok if big else ok.sort(ROW), source_dataset or p.name), INVOICE_PAYMENT
        )
        common = {
            "table": INVOICE_PAYMENT,
            "rejects": rej,
            "rows_read": rows_read,
            "skipped": skipped,
            "source_file": name,
            "notes": notes,
        }
        if big:
            out_path = Path(workdir) / "invoice_payment.parquet"
            accepted.sink_parquet(out_path)
            n_ok = pl.scan_parquet(out_path).select(pl.len()).collect().item()
            (Path(workdir) / "stage.parquet").unlink(missing_ok=True)
            keep_workdir = True
            return StagedIngestResult(
                staged=out_path, accepted_rows=n_ok, workdir=workdir, **common
            )
        return IngestResult(accepted=accepted.collect(), **common)
    finally:
        if handle is not None:
            handle.close()
        if not keep_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
