"""One return file, ``<member>_<periods>.return.zip``: a zip that holds the following.

* ``return.xlsx``: the workbook a person opens (a README sheet, then one sheet per table);
* ``tables/<sheet>.parquet``: the machine-readable copy of every sheet (what the network reads);
* ``manifest.json``: schema version, member, periods and the sha256 of every file in the zip.

Excel opens ``return.xlsx`` after unzipping (Windows Explorer and macOS Finder open a zip with a
double click). A member that computes its figures elsewhere fills in the template
(:mod:`lainbench.returns.template`) and sends the ``.xlsx`` alone: :func:`read_return` reads both.

>>> import tempfile, polars as pl
>>> from pathlib import Path
>>> from lainbench.returns.schema import SHEETS, empty
>>> t = {name: empty(name) for name in SHEETS}
>>> p = write_return(t, Path(tempfile.mkdtemp()) / "x.return.zip")
>>> sorted(read_return(p)) == sorted(SHEETS)
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

import polars as pl

from lainbench.errors import SchemaError
from lainbench.returns.schema import (
    ALL,
    BANDS,
    MEASURES,
    RETURN_SCHEMA_VERSION,
    SHEETS,
    SMALL,
    conform,
    empty,
)

# Sheets a return may lack (an earlier minor version, or a member without these tables).
OPTIONAL_SHEETS = ("spend", "contracts", "payment_terms", "insurance_requirements",
                   # from schema 1.1: a 1.0 return has none (its shares are then hidden)
                   "share_parts", "day_buckets", "network_spend_shares",
                   "network_excluded_spend", "network_contracts", "statutory_notices")

SUFFIX = ".return.zip"
WORKBOOK = "return.xlsx"
MANIFEST = "manifest.json"
README = [
    ("This is a member's return to the anchor network: the member's payment figures for the "
     "periods named on the return_info sheet, computed by the member from its own records."),
    ("It holds sums and counts only. No supplier name, supplier id, invoice id or invoice row is "
     "in it: for each figure the network may publish it gives the number of distinct suppliers and "
     "the two largest suppliers' values, so the network can apply its disclosure rules."),
    ("Each sheet below is one table; row 1 holds the column names (do not rename them). Units are "
     "in the names: _gbp = pounds, _pct = per cent (0-100), days = whole days."),
    ("supplier_size_band: micro, small, medium, large, unknown, and 'all' = every supplier; the "
     "band rows add up to the 'all' row."),
    ("The return is approved by the officer named on return_info (PR 2024 reg 38(2)(e): the "
     "director responsible for finances), with their job title and the date of approval."),
    "Check a return with `lainbench return check FILE` before sending it.",
]


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def input_row(role: str, path: str | Path, rows_read: int, rows_accepted: int,
              rows_rejected: int = 0) -> dict:
    """One ``inputs`` row: the file's name (no folder), sha256, size and row counts.

    Rows neither accepted nor rejected are skipped (other buyers' rows in a shared file).
    """
    p = Path(path)
    return {"input": role, "file": p.name, "sha256": sha256_file(p), "bytes": p.stat().st_size,
            "rows_read": rows_read, "rows_accepted": rows_accepted, "rows_rejected": rows_rejected,
            "rows_skipped": rows_read - rows_accepted - rows_rejected}


def default_name(tables: dict[str, pl.DataFrame]) -> str:
    """``<member>_<first period>[_to_<last period>].return.zip`` (spaces as dashes).

    >>> default_name({"return_info": pl.DataFrame({"member_id": ["m"], "periods": ["2025-26 H1"]})})
    'm_2025-26-H1.return.zip'
    """
    row = tables["return_info"].row(0, named=True)
    ps = [p for p in (row["periods"] or "").split(";") if p]
    span = ps[0] if len(ps) == 1 else f"{ps[0]}_to_{ps[-1]}" if ps else "no-period"
    return f"{row['member_id']}_{span}".replace(" ", "-") + SUFFIX


def write_workbook(tables: dict[str, pl.DataFrame], path: str | Path, *, template: bool = False,
                   periods: list[str] | None = None, rows: int = 2_000) -> Path:
    """Write the return as an Excel workbook (README sheet, then one sheet per table).

    With ``template`` the sheets are left empty below their headers and carry drop-downs
    (size bands, measures, periods, true/false) and whole-number / decimal checks on ``rows``
    rows, for a member that fills the figures in by hand.
    """
    import xlsxwriter

    path = Path(path)
    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    head = wb.add_format({"bold": True, "bg_color": "#EEEEEE", "bottom": 1})
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    bold = wb.add_format({"bold": True, "valign": "top"})
    rd = wb.add_worksheet("README")
    rd.set_column(0, 0, 26)
    rd.set_column(1, 1, 110)
    title = "Member's return: blank template" if template else "Member's return"
    rd.write(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    rd.write(1, 0, "schema version", bold)
    rd.write(1, 1, RETURN_SCHEMA_VERSION)
    r = 3
    intro = list(README)
    if template:
        intro.insert(0, "Fill in one sheet per table from row 2 down; keep row 1 (the column "
                        "names) as it is. Drop-downs offer the allowed values. Leave a sheet "
                        "empty if it does not apply (days_late, insurance_requirements). Check "
                        "the filled workbook with `lainbench return check FILE.xlsx`: errors name "
                        "the sheet, row and column.")
    for line in intro:
        rd.write(r, 1, line, wrap)
        r += 1
    r += 1
    for name, sheet in SHEETS.items():
        rd.write(r, 0, name, bold)
        rd.write(r, 1, sheet.row, wrap)
        r += 1
        for col, note in sheet.notes.items():
            rd.write(r, 1, f"{col}: {note}", wrap)
            r += 1
    for name, sheet in SHEETS.items():
        ws = wb.add_worksheet(name)
        cols = list(sheet.columns)
        ws.write_row(0, 0, cols, head)
        ws.freeze_panes(1, 0)
        for j, c in enumerate(cols):
            ws.set_column(j, j, max(12, min(len(c) + 2, 34)))
        df = tables.get(name) if tables else None
        if df is not None and not template:
            for i, rec in enumerate(conform(name, df).iter_rows(), start=1):
                for j, v in enumerate(rec):
                    if v is None:
                        continue
                    if isinstance(v, dt.date):
                        ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), datef)
                    else:
                        ws.write(i, j, v)
        if template:
            _validations(ws, sheet.columns, rows, periods)
    wb.close()
    return path


def _validations(ws, columns: dict[str, pl.DataType], rows: int, periods: list[str] | None) -> None:
    lists = {"supplier_size_band": [ALL, *BANDS, SMALL], "measure": list(MEASURES),
             "overflow": ["TRUE", "FALSE"], "e_invoicing_accepted": ["TRUE", "FALSE"],
             "supply_chain_finance_offered": ["TRUE", "FALSE"]}
    if periods:
        lists["period"] = [*periods, "*"]
    for j, (c, t) in enumerate(columns.items()):
        if c in lists:
            ws.data_validation(1, j, rows, j, {"validate": "list", "source": lists[c]})
        elif t.is_integer():
            ws.data_validation(1, j, rows, j, {"validate": "integer", "criteria": ">=",
                                                 "value": -1_000_000_000,
                                                 "error_message": f"{c}: a whole number"})
        elif t == pl.Float64:
            ws.data_validation(1, j, rows, j, {"validate": "decimal", "criteria": "between",
                                                 "minimum": -1e15, "maximum": 1e15,
                                                 "error_message": f"{c}: a number"})
        elif t == pl.Date:
            ws.data_validation(1, j, rows, j, {"validate": "date", "criteria": ">",
                                                 "value": dt.date(1990, 1, 1),
                                                 "error_message": f"{c}: a date"})


def write_return(tables: dict[str, pl.DataFrame], path: str | Path) -> Path:
    """Write one return file (zip: workbook, parquet copy of every sheet, manifest), atomically."""
    import tempfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        xl = write_workbook(tables, Path(tmp) / WORKBOOK)
        files[WORKBOOK] = xl.read_bytes()
    for name in SHEETS:
        buf = io.BytesIO()
        conform(name, tables[name]).write_parquet(buf)
        files[f"tables/{name}.parquet"] = buf.getvalue()
    ri = tables["return_info"]
    info = ri.row(0, named=True) if ri.height else {"member_id": None, "periods": None,
                                                    "approved_at": None}
    manifest = {"schema_version": RETURN_SCHEMA_VERSION, "member_id": info["member_id"],
                "periods": info["periods"], "approved_at": info["approved_at"],
                "files": {k: sha256_bytes(v) for k, v in files.items()}}
    tmp_path = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(tmp_path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(MANIFEST, json.dumps(manifest, indent=2))
        for k, v in files.items():
            z.writestr(k, v)
    tmp_path.replace(path)
    return path


def read_return(path: str | Path) -> dict[str, pl.DataFrame]:
    """Read a return file (``.return.zip``), or a filled-in template (``.xlsx``).

    A zip's parquet tables are checked against its manifest's hashes. A template's cells are
    checked one by one; every bad cell is reported in one :class:`SchemaError` naming the sheet,
    row and column.
    """
    p = Path(path)
    if not p.is_file():
        raise SchemaError(f"{p}: return file not found")
    if p.suffix.lower() == ".xlsx":
        tables, errors = read_workbook(p)
        if errors:
            raise SchemaError(f"{p}: {len(errors)} problem(s) in the workbook:\n  - "
                              + "\n  - ".join(errors[:50]))
        return tables
    try:
        z = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SchemaError(f"{p}: not a return file (a {SUFFIX} zip or a filled .xlsx "
                          f"template): {exc}") from None
    with z:
        names = set(z.namelist())
        if MANIFEST not in names:
            raise SchemaError(f"{p}: no {MANIFEST} inside; is this a lainbench return?")
        manifest = json.loads(z.read(MANIFEST))
        tables = {}
        for name in SHEETS:
            key = f"tables/{name}.parquet"
            if key not in names and name in OPTIONAL_SHEETS:
                tables[name] = empty(name)  # a return from before the sheet existed
                continue
            if key not in names:
                raise SchemaError(f"{p}: sheet {name!r} missing ({key}); rebuild the return "
                                  "with `lainbench return build`")
            data = z.read(key)
            want = manifest.get("files", {}).get(key)
            if want != sha256_bytes(data):
                raise SchemaError(f"{p}: {key} does not match the sha256 in {MANIFEST} (the file "
                                  "was changed after it was built); rebuild the return")
            # another minor version: columns it lacks are null, columns it adds are ignored
            tables[name] = conform(name, pl.read_parquet(io.BytesIO(data)))
    return tables


_BOOL = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def _cell(text: str, dtype: pl.DataType) -> object:
    """A cell's text as a value of ``dtype``; ValueError when it is not one."""
    s = text.strip()
    if dtype.is_integer():
        f = float(s)
        if f != int(f):
            raise ValueError("a whole number")
        return int(f)
    if dtype == pl.Float64:
        return float(s)
    if dtype == pl.Boolean:
        if s.lower() not in _BOOL:
            raise ValueError("TRUE or FALSE")
        return _BOOL[s.lower()]
    if dtype == pl.Date:
        return dt.date.fromisoformat(s[:10])
    return s


def read_workbook(path: str | Path) -> tuple[dict[str, pl.DataFrame], list[str]]:
    """Every sheet of a return workbook as typed frames, and a list of cell errors.

    Errors name the sheet, the Excel row (the header is row 1) and the column: a sheet or column
    missing, a value that is not of the column's type, an unknown size band or measure.
    """
    import fastexcel

    errors: list[str] = []
    tables: dict[str, pl.DataFrame] = {}
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook
        raise SchemaError(f"{path}: cannot be read as an Excel workbook ({exc})") from None
    present = set(reader.sheet_names)
    allowed = {"supplier_size_band": {ALL, *BANDS, SMALL}, "measure": set(MEASURES)}
    for name, sheet in SHEETS.items():
        if name not in present:
            errors.append(f"sheet {name!r}: missing (keep every sheet of the template)")
            continue
        raw = pl.DataFrame(reader.load_sheet_by_name(name, dtypes="string").to_arrow())
        missing = [c for c in sheet.columns if c not in raw.columns]
        if missing:
            errors.append(f"sheet {name!r}, row 1: column(s) {', '.join(missing)} missing; "
                          "row 1 must hold the column names as in the template")
            continue
        rows = []
        for i, rec in enumerate(raw.select(list(sheet.columns)).iter_rows(named=True), start=2):
            if all(v is None or str(v).strip() == "" for v in rec.values()):
                continue
            out = {}
            for c, t in sheet.columns.items():
                v = rec[c]
                if v is None or str(v).strip() == "":
                    out[c] = None
                    continue
                try:
                    out[c] = _cell(str(v), t)
                except ValueError as exc:
                    want = str(exc) if str(exc) in ("a whole number", "TRUE or FALSE") else {
                        pl.Float64: "a number", pl.Date: "a date (YYYY-MM-DD)",
                        pl.Int64: "a whole number", pl.Int32: "a whole number"}.get(t, "text")
                    errors.append(f"sheet {name!r}, row {i}, column {c}: {v!r} is not {want}")
                    out[c] = None
                    continue
                if c in allowed and out[c] not in allowed[c]:
                    errors.append(f"sheet {name!r}, row {i}, column {c}: {v!r} is not one of "
                                  f"{', '.join(sorted(allowed[c]))}")
            rows.append(out)
        tables[name] = pl.DataFrame(rows, schema=sheet.columns, orient="row") if rows else \
            pl.DataFrame(schema=sheet.columns)
    return tables, errors
