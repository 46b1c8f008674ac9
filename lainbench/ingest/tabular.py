"""Opening CSV and Excel files the way people send them: any encoding, a title above the header,
semicolons instead of commas, several sheets.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "foi.csv"
>>> _ = p.write_bytes(b"FOI 1234 response\\n\\nSupplier;Amount\\nAcme;\\xa310\\n")
>>> with open_text(p) as src:
...     rows = head_rows(src.path, 10, src.delimiter)
>>> src.encoding, src.delimiter, rows[2]
('cp1252', ';', ['Supplier', 'Amount'])
>>> find_header_row(rows, lambda cells: sum(c.lower() in ("supplier", "amount") for c in cells))
2
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import polars as pl

from lainbench.errors import IngestError
from lainbench.ingest.encoding import CHUNK, detect_encoding, transcode

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv", "")
DELIMITERS = (",", ";", "\t", "|")


@dataclass
class TextSource:
    """A text file readable by polars: ``path`` is UTF-8 (a temporary copy if the original was
    not), with its original ``encoding`` and the field ``delimiter``.
    """

    original: Path
    path: Path
    encoding: str
    delimiter: str = ","
    notes: list[str] = field(default_factory=list)
    _tmpdir: str | None = field(default=None, repr=False)

    def close(self) -> None:
        """Delete the temporary UTF-8 copy, if one was made."""
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_file(path: str | Path) -> Path:
    """The path, if it is a readable non-empty file; else one clear :class:`IngestError`."""
    p = Path(path)
    if not p.exists():
        raise IngestError(f"{path}: file not found")
    if p.is_dir():
        raise IngestError(f"{path}: is a folder; give the path of one file")
    if p.stat().st_size == 0:
        raise IngestError(f"{path}: the file is empty (0 bytes)")
    return p


def is_excel(path: str | Path) -> bool:
    """True for spreadsheet files (by suffix, or by the zip signature of .xlsx)."""
    p = Path(path)
    if p.suffix.lower() in EXCEL_SUFFIXES:
        return True
    with p.open("rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


def open_text(path: str | Path, workdir: str | Path | None = None) -> TextSource:
    """Detect the encoding and delimiter; transcode to a temporary UTF-8 file when needed.

    Lines holding UTF-8 text inside a Windows-1252 file are read as UTF-8 (with a note in
    ``notes``); a quote that is opened and never closed is one :class:`IngestError` naming the
    line (see :func:`check_quotes`).
    """
    p = check_file(path)
    enc = detect_encoding(p)
    tmpdir = None
    target = p
    notes: list[str] = []
    if enc not in ("utf-8", "utf-8-sig", "ascii"):
        tmpdir = tempfile.mkdtemp(prefix="lainbench-utf8-", dir=workdir)
        done = transcode(p, enc, Path(tmpdir) / (p.stem + ".utf8.csv"))
        target = done.path
        if done.note():
            notes.append(done.note())
    src = TextSource(original=p, path=target, encoding=enc, notes=notes, _tmpdir=tmpdir)
    try:
        src.delimiter = sniff_delimiter(_head_text(target))
        check_quotes(target, str(path))
    except BaseException:
        src.close()
        raise
    return src


def check_quotes(path: str | Path, label: str | None = None) -> None:
    """Refuse a UTF-8 text file with an odd number of ``"``: a quote opened and never closed
    would make the rest of the file one cell. The error names the line where it opened.

    Counting is done in 16 MB chunks; the line is looked for only when the count is odd.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "q.csv"
    >>> _ = p.write_text('a,b\\n1,"x\\n2,y\\n')
    >>> check_quotes(p, "q.csv")
    Traceback (most recent call last):
    ...
    lainbench.errors.IngestError: q.csv: line 2: a quote (") opened here is never closed, so every line after it would be read as one cell (line 2 reads: 1,"x). Close the quote, or write a quote inside a quoted value as two (""), and ingest again
    """
    p = Path(path)
    odd = False
    with p.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            odd ^= bool(chunk.count(b'"') % 2)
    if not odd:
        return
    opened, line_no, parity, text = None, 0, False, ""
    with p.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        for line_no, line in enumerate(fh, start=1):
            if line.count('"') % 2:
                parity = not parity
                if parity:
                    opened, text = line_no, line
    if opened is None:  # pragma: no cover - an odd total always leaves a line open
        return
    shown = text.strip()[:80]
    raise IngestError(
        f"{label or path}: line {opened}: a quote (\") opened here is never closed, so every line "
        f"after it would be read as one cell (line {opened} reads: {shown}). Close the quote, or "
        "write a quote inside a quoted value as two (\"\"), and ingest again")


def _head_text(path: Path, n_bytes: int = 256 * 1024) -> str:
    with path.open("rb") as fh:
        raw = fh.read(n_bytes)
    return raw.decode("utf-8", errors="ignore").lstrip("\ufeff")


def sniff_delimiter(text: str) -> str:
    """The field delimiter used by most of the first lines (comma unless another clearly wins).

    >>> sniff_delimiter("a;b;c\\n1;2;3\\n")
    ';'
    >>> sniff_delimiter("name,notes\\nAcme,\\"a; b\\"\\n")
    ','
    """
    lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", 0
    for d in DELIMITERS:
        try:
            counts = [len(r) - 1 for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=d)]
        except csv.Error:
            continue
        score = sorted(counts)[len(counts) // 2] if counts else 0  # median fields per line
        if score > best_score:
            best, best_score = d, score
    return best


def head_rows(path: str | Path, n: int, delimiter: str = ",") -> list[list[str]]:
    """The first ``n`` records of a UTF-8 CSV as lists of stripped strings (quotes respected)."""
    text = _head_text(Path(path), n_bytes=max(256 * 1024, n * 4096))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        for i, row in enumerate(reader):
            if i >= n:
                break
            rows.append([c.strip() for c in row])
    except csv.Error:
        pass  # a record cut off at the end of the sample
    return rows


def find_header_row(rows: Sequence[Sequence[object]], score: Callable[[list[str]], int],
                    min_score: int = 2) -> int | None:
    """Index of the first row scoring highest (at least ``min_score``) as a header; else None."""
    best_i, best = None, min_score - 1
    for i, row in enumerate(rows):
        s = score(["" if c is None else str(c) for c in row])
        if s > best:
            best_i, best = i, s
    return best_i


def unique_names(names: Sequence[object]) -> list[str]:
    """Header names made unique and non-empty: blanks become ``column_3``, repeats ``X (2)``."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, n in enumerate(names, start=1):
        name = "" if n is None else str(n).strip()
        name = name or f"column_{i}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        out.append(name)
    return out


def check_xlsx(path: str | Path, limits: dict[str, float] | None = None) -> None:
    """Refuse a spreadsheet that would inflate beyond the limits in ``params/ingest_checks.yaml``
    (``xlsx_max_uncompressed_bytes``, ``xlsx_max_compression_ratio``) before it is opened: a
    "zip bomb" of 2 MB can inflate to 2 GiB of sheet XML. Reads the zip directory only.

    Files that are not zip archives (``.xls``) are left to the reader.

    >>> import tempfile, pathlib, zipfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "bomb.xlsx"
    >>> with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
    ...     z.writestr("xl/worksheets/sheet1.xml", b"0" * 50_000_000)
    >>> check_xlsx(p)
    Traceback (most recent call last):
    ...
    lainbench.errors.IngestError: ...: xl/worksheets/sheet1.xml inflates ...
    """
    import zipfile

    from lainbench.ingest.values import thresholds

    p = Path(path)
    if not zipfile.is_zipfile(p):
        return
    t = limits or thresholds()
    max_bytes = float(t["xlsx_max_uncompressed_bytes"])
    max_ratio = float(t["xlsx_max_compression_ratio"])
    fix = ("if the workbook is genuine, save the sheet as CSV (File > Save As > CSV UTF-8) and "
           "ingest that")
    try:
        with zipfile.ZipFile(p) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError(f"{path}: cannot be opened as a spreadsheet: {exc}") from None
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > max_ratio and info.file_size > 2**20:
            raise IngestError(
                f"{path}: {info.filename} inflates {ratio:,.0f}-fold ({info.compress_size:,} to "
                f"{info.file_size:,} bytes), above the {max_ratio:,.0f}-fold limit "
                f"(xlsx_max_compression_ratio in params/ingest_checks.yaml): a zip bomb, not a "
                f"spreadsheet? Not read; {fix}")
    if total > max_bytes:
        raise IngestError(
            f"{path}: inflates to {total:,} bytes, above the limit of {max_bytes:,.0f} "
            f"(xlsx_max_uncompressed_bytes in params/ingest_checks.yaml). Not read; {fix}")


def excel_sheets(path: str | Path) -> list[str]:
    """Sheet names of a workbook."""
    import fastexcel

    check_xlsx(path)
    try:
        return list(fastexcel.read_excel(str(path)).sheet_names)
    except Exception as exc:  # noqa: BLE001 - fastexcel raises its own error types
        raise IngestError(f"{path}: cannot be opened as a spreadsheet: {exc}") from None


def read_excel_strings(path: str | Path, sheet: str | int | None = None) -> pl.DataFrame:
    """One sheet as strings, no header (Excel dates come out as ``YYYY-MM-DD 00:00:00``).

    The workbook is checked by :func:`check_xlsx` first.
    """
    import fastexcel

    check_xlsx(path)
    try:
        reader = fastexcel.read_excel(str(path))
        names = list(reader.sheet_names)
        if sheet is None:
            idx: str | int = 0
        elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit()):
            idx = int(sheet)
            if not 0 <= idx < len(names):
                raise IngestError(f"{path}: sheet {sheet} does not exist; sheets are "
                                  f"{', '.join(names)} (numbered from 0)")
        else:
            if sheet not in names:
                raise IngestError(f"{path}: no sheet named {sheet!r}; sheets are {', '.join(names)}")
            idx = sheet
        df = reader.load_sheet(idx, header_row=None, dtypes="string").to_polars()
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - fastexcel/calamine raise their own error types
        raise IngestError(f"{path}: cannot be read as a spreadsheet: {exc}") from None
    return df




def read_grid(path: str | Path, sheet: str | int | None = None) -> tuple[list[list[str | None]], str]:
    """A small file (a published return) as a list of rows of strings, and how it was decoded.

    Rows are records in file order (a CSV record may span several lines when quoted), so index
    ``i`` is line ``i + 1`` of the file as a spreadsheet shows it.
    """
    p = check_file(path)
    if is_excel(p):
        df = read_excel_strings(p, sheet)
        return [list(r) for r in df.iter_rows()], "xlsx"
    with open_text(p) as src:
        text = src.path.read_text(encoding="utf-8").lstrip("\ufeff")
        delim = src.delimiter
        enc = src.encoding + "".join(f"; {n}" for n in src.notes)
    try:
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text), delimiter=delim)]
    except csv.Error as exc:
        raise IngestError(f"{path}: cannot be read as CSV: {exc}") from None
    return rows, enc


EXTRA_FIELDS = tuple(f"__extra_{i}" for i in range(1, 9))
EXTRA = "__extra"


def read_csv_strings(src: TextSource, label: str | None = None) -> pl.DataFrame:
    """A text file with a header on its first line, every cell a string, plus a column
    :data:`EXTRA` holding the fields of any row longer than the header (joined by commas; null
    for rows of the right length), so such a row can be rejected by number instead of the
    whole file failing.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_text("a,b\\n1,2\\n3,4,5,6\\n7\\n")
    >>> with open_text(p) as s:
    ...     read_csv_strings(s).rows()
    [('1', '2', None), ('3', '4', '5,6'), ('7', None, None)]
    """
    header = head_rows(src.path, 1, src.delimiter)
    if not header or not any(header[0]):
        raise IngestError(f"{label or src.original}: no header row on the first line")
    headers = unique_names(header[0])
    schema = {c: pl.String for c in [*headers, *EXTRA_FIELDS]}
    try:
        df = pl.read_csv(src.path, has_header=False, skip_rows=1, schema=schema,
                         separator=src.delimiter, missing_columns="insert",
                         extra_columns="ignore", truncate_ragged_lines=True,
                         raise_if_empty=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise IngestError(f"{label or src.original}: cannot be read as CSV: {msg}") from None
    spare = [pl.col(e).str.strip_chars().replace("", None) for e in EXTRA_FIELDS]
    return df.with_columns(
        pl.concat_str(spare, separator=",", ignore_nulls=True).replace("", None).alias(EXTRA)
    ).drop(EXTRA_FIELDS)
