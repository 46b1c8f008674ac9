"""Header mapping for invoice ledgers: any finance system's or FOI table's header spellings to canonical columns (``lainbench/data/header_mapping.yaml`` plus the user's own)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from lainbench.config import REFERENCE_DATA_DIR, resolve
from lainbench.errors import IngestError, ParamsError
from lainbench.ingest import values as V
from lainbench.params import load_yaml_text
from lainbench.schemas import INVOICE_PAYMENT

DEFAULT_MAPPING = REFERENCE_DATA_DIR / "header_mapping.yaml"


DATE_COLUMNS = (
    "invoice_date", "invoice_received_date", "validated_date", "goods_received_date", "due_date",
    "dispute_raised_date", "dispute_resolved_date", "payment_date", "supplier_received_date",
)


AMOUNT_COLUMNS = ("gross_amount_gbp", "net_amount_gbp", "vat_gbp")


BOOL_COLUMNS = ("supplier_is_vcse", "disputed")


CREDIT_TRUE = ("credit", "credit note", "cr", "crn", "cn", "credit memo", "credit invoice")


CREDIT_FALSE = ("invoice", "inv", "standard", "standard invoice", "debit", "dr", "purchase invoice")


MAPPABLE = tuple(
    c for c in INVOICE_PAYMENT.columns
    if c not in INVOICE_PAYMENT.derived
    and c not in ("source_dataset", "source_url", "source_row_id", "ingested_at")
)


_INTERNAL = "__"


@dataclass(frozen=True)
class HeaderMapping:
    """Canonical column -> normalised source spellings (in priority order), plus read options."""

    columns: dict[str, tuple[str, ...]]
    date_order: str = "auto"
    received_date_from: str | None = "invoice_date"
    header_search_rows: int = 25
    sources: tuple[str, ...] = ()

    def spelling_index(self) -> dict[str, tuple[str, int]]:
        """Normalised spelling -> (canonical column, priority); first listing wins."""
        index: dict[str, tuple[str, int]] = {}
        for canon, spellings in self.columns.items():
            for rank, s in enumerate(spellings):
                index.setdefault(s, (canon, rank))
        return index

    def header_score(self, cells: list[str]) -> int:
        """How many cells of a row are known header spellings (to find the header row)."""
        index = self.spelling_index()
        return sum(V.normalise_header(c) in index for c in cells if c)


def _read_mapping_file(path: Path, label: str) -> dict[str, Any]:
    try:
        data = load_yaml_text(path.read_text(encoding="utf-8"), label) or {}
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(f"{label}: cannot read the mapping file: {exc}") from None
    except ParamsError as exc:
        raise IngestError(str(exc)) from None
    if not isinstance(data, dict):
        raise IngestError(f"{label}: expected a mapping with 'columns' and 'options'")
    unknown = sorted(set(data) - {"columns", "options"})
    if unknown:
        raise IngestError(f"{label}: unknown top-level key(s) {', '.join(unknown)}; "
                          "use 'columns' (canonical column -> list of headers) and 'options'")
    cols = data.get("columns") or {}
    if not isinstance(cols, dict):
        raise IngestError(f"{label}: 'columns' must map canonical column names to lists of headers")
    for canon, spellings in cols.items():
        if canon not in MAPPABLE:
            hint = " (it is derived by lainbench, not read)" if canon in INVOICE_PAYMENT.columns else ""
            raise IngestError(
                f"{label}: columns.{canon} is not a canonical invoice_payment input column{hint}; "
                f"use one of: {', '.join(MAPPABLE)}"
            )
        if isinstance(spellings, str):
            cols[canon] = [spellings]
        elif not isinstance(spellings, list) or not all(isinstance(s, (str, int)) for s in spellings):
            raise IngestError(f"{label}: columns.{canon} must be a list of header spellings")
    opts = data.get("options") or {}
    if not isinstance(opts, dict):
        raise IngestError(f"{label}: 'options' must be a mapping")
    bad = sorted(set(opts) - {"date_order", "received_date_from", "header_search_rows"})
    if bad:
        raise IngestError(f"{label}: unknown option(s) {', '.join(bad)}; known: date_order, "
                          "received_date_from, header_search_rows")
    if "date_order" in opts and opts["date_order"] not in ("auto", *V.DATE_ORDERS):
        raise IngestError(f"{label}: options.date_order = {opts['date_order']!r}; use auto, dmy "
                          "(UK day-first, 03/02/2025 = 3 February) or mdy (US month-first)")
    rdf = opts.get("received_date_from", "invoice_date")
    if rdf is not None and rdf not in DATE_COLUMNS:
        raise IngestError(f"{label}: options.received_date_from = {rdf!r}; use a date column "
                          f"({', '.join(DATE_COLUMNS)}) or null")
    return {"columns": cols, "options": opts}


def load_mapping(path: str | Path | None = None) -> HeaderMapping:
    """The shipped default mapping, extended and overridden by the file at ``path`` if given.

    >>> m = load_mapping()
    >>> m.spelling_index()["date invoice paid"]
    ('payment_date', 2)
    """
    base = _read_mapping_file(DEFAULT_MAPPING, str(DEFAULT_MAPPING))
    sources = [str(DEFAULT_MAPPING)]
    user = {"columns": {}, "options": {}}
    if path is not None:
        p = resolve(path)
        if not p.exists():
            raise IngestError(f"{path}: mapping file not found (looked for {p})")
        user = _read_mapping_file(p, str(path))
        sources.insert(0, str(path))
    user_spellings = {
        V.normalise_header(s) for spellings in user["columns"].values() for s in spellings
    }
    columns: dict[str, tuple[str, ...]] = {}
    for canon in MAPPABLE:
        mine = [V.normalise_header(s) for s in user["columns"].get(canon, [])]
        shipped = [V.normalise_header(s) for s in base["columns"].get(canon, [])
                   if V.normalise_header(s) not in user_spellings]
        spellings = tuple(dict.fromkeys([*mine, *shipped]))
        if spellings:
            columns[canon] = spellings
    opts = {**base["options"], **user["options"]}
    return HeaderMapping(
        columns=columns,
        date_order=opts.get("date_order", "auto"),
        received_date_from=opts.get("received_date_from", "invoice_date"),
        header_search_rows=int(opts.get("header_search_rows", 25)),
        sources=tuple(sources),
    )


def match_headers(headers: list[str], mapping: HeaderMapping) -> tuple[dict[str, str], list[str]]:
    """Canonical column -> source header, and the source headers left unmapped.

    When two headers match one canonical column, the one with the earlier spelling wins and the
    other is left unmapped.

    >>> match_headers(["Supplier Name", "Date Invoice Paid", "Amount", "Notes"], load_mapping())
    ({'supplier_name': 'Supplier Name', 'payment_date': 'Date Invoice Paid', 'gross_amount_gbp': 'Amount'}, ['Notes'])
    """
    from lainbench.ingest.records import match

    return match(headers, mapping.spelling_index())


def _internal_names(lf: pl.LazyFrame, headers: list[str]) -> pl.LazyFrame:
    """Source columns renamed ``__s0, __s1, ...`` so no source header can clash with a canonical
    name; spare columns stay ``__extra_i``.
    """
    return lf.rename({h: f"__s{i}" for i, h in enumerate(headers)})


def _no_header_error(path: Path, rows: list[list[Any]], mapping: HeaderMapping) -> IngestError:
    first = next((r for r in rows if any(c not in (None, "") for c in r)), [])
    shown = ", ".join(str(c) for c in first[:8] if c not in (None, "")) or "(nothing)"
    return IngestError(
        f"{path}: no header row found in the first {mapping.header_search_rows} lines (first "
        f"non-empty line: {shown}); expected headers such as 'Supplier Name', 'Invoice Date', "
        "'Date Invoice Paid', 'Invoice Gross Value'. Add your headers to a mapping file "
        "(--mapping FILE, see lainbench/data/header_mapping.yaml) and try again"
    )


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _missing_column_msg(name: str, canon: str, headers: list[str], hm: HeaderMapping) -> str:
    known = ", ".join(repr(s) for s in hm.columns.get(canon, ())[:6])
    return (
        f"{name}: no column for {canon} (headers found: {', '.join(repr(h) for h in headers)}); "
        f"known spellings include {known}. If one of your headers means {canon}, list it under "
        f"columns.{canon} in a mapping file and pass it with --mapping FILE"
    )
