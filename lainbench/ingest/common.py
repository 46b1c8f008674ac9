"""Shared ingest machinery: typed row checks, rejects, lineage and the accepted/rejected split.

Every ingest returns an :class:`IngestResult`. Its invariant is the project's rule that nothing is
lost silently::

    rows_read == accepted rows + rejected rows + skipped rows (blank / total rows)

A source row with several faults gives several lines in ``rejects.csv`` but counts once.

>>> raw = pl.DataFrame({"__row": [1, 2, 3], "buyer_org_id": ["A", "A", None],
...     "invoice_id": ["1", "2", "3"], "invoice_received_date": ["2025-01-02", "2025-13-01", "2025-01-05"],
...     "gross_amount_gbp": ["10.5", "7", "8"]})
>>> ok, rej = check_rows(raw, INVOICE_PAYMENT, "demo.csv")
>>> ok.height, sorted(rej["source_row"].to_list())
(1, [2, 3])
>>> rej.filter(pl.col("source_row") == 2)["reason"][0]
'not a valid date (expected YYYY-MM-DD)'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import polars as pl

from lainbench.errors import IngestError
from lainbench.safe_output import neutralise_frame
from lainbench.schemas import INVOICE_PAYMENT, REJECTS, Table

ROW = "__row"  # 1-based data row in the source file, carried through every check


@dataclass
class IngestResult:
    """What an ingest produced: the accepted canonical table, its rejects, and the counts."""

    table: Table
    accepted: pl.DataFrame
    rejects: pl.DataFrame
    rows_read: int
    skipped: dict[str, int] = field(default_factory=dict)
    source_file: str = ""
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        rejected = self.rejected_rows
        total = self.accepted_rows + rejected + sum(self.skipped.values())
        if total != self.rows_read:
            raise AssertionError(
                f"{self.source_file}: row accounting broken: read {self.rows_read}, accepted "
                f"{self.accepted_rows} + rejected {rejected} + skipped {self.skipped}"
            )

    @property
    def accepted_rows(self) -> int:
        """Number of rows accepted into the canonical table."""
        return self.accepted.height

    @property
    def rejected_rows(self) -> int:
        """Number of distinct source rows rejected."""
        return self.rejects["source_row"].n_unique() if self.rejects.height else 0

    unit: ClassVar[str] = "rows"  # what is counted: rows of a file (releases for OCDS)

    def summary(self) -> str:
        """One line: rows read = accepted + rejected (+ skipped, by kind)."""
        skipped = sum(self.skipped.values())
        kinds = ", ".join(f"{v:,} {k}" for k, v in self.skipped.items() if v)
        tail = f" + {skipped:,} skipped ({kinds})" if skipped else ""
        return (
            f"{self.source_file}: {self.rows_read:,} {self.unit} read = {self.accepted_rows:,} "
            f"accepted + {self.rejected_rows:,} rejected{tail}"
        )

    def output_paths(self, out_dir: str | Path) -> dict[str, Path]:
        """Where :meth:`write` puts the table and the rejects in ``out_dir``."""
        out = Path(out_dir)
        return {"table": out / f"{self.table.name}.parquet", "rejects": out / "rejects.csv"}

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``<table>.parquet`` and ``rejects.csv`` into ``out_dir`` (atomically).

        Refuses (:class:`IngestError`) to write over the file that was read, and a folder path that
        is a file. Text cells of ``rejects.csv`` are neutralised against spreadsheet formula
        injection (:func:`lainbench.safe_output.neutralise_frame`): a cell ``=1+1`` is written
        ``'=1+1``.
        """
        paths = self.output_paths(out_dir)
        check_not_input(paths, self.source_file, out_dir)
        out = Path(out_dir)
        if out.exists() and not out.is_dir():
            raise IngestError(f"--out {out_dir}: is a file, not a folder; give a folder for "
                              f"{paths['table'].name} and rejects.csv")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IngestError(f"--out {out_dir}: cannot create the folder: {exc.strerror or exc}"
                              ) from None
        _atomic_write(paths["table"], self._write_table)
        _atomic_write(paths["rejects"], lambda p: neutralise_frame(self.rejects).write_csv(p))
        return paths


    def _write_table(self, path: Path) -> None:
        self.accepted.write_parquet(path)


def _tmp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


def _atomic_write(path: Path, writer) -> None:
    tmp = _tmp_path(path)
    try:
        writer(tmp)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise IngestError(f"{path}: cannot be written: {exc.strerror or exc}") from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def check_not_input(paths: dict[str, Path], source_file: str | Path, out_dir: str | Path) -> None:
    """Refuse to write an output (or its temporary file) over the input file ``source_file``.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "rejects.csv").write_text("x")
    >>> check_not_input({"rejects": d / "rejects.csv"}, d / "rejects.csv", d)
    Traceback (most recent call last):
    ...
    lainbench.errors.IngestError: ... would be written over the input file ...
    """
    if not source_file:
        return
    src = Path(source_file)
    for path in paths.values():
        for target in (path, _tmp_path(path)):
            if _same_file(target, src):
                raise IngestError(
                    f"{source_file}: the output {target.name} would be written over the input "
                    f"file in {out_dir}; give another --out folder (or rename the input), so the "
                    "file you ingested is kept")


def empty_rejects() -> pl.DataFrame:
    """A rejects frame with no rows."""
    return REJECTS.empty()


REJECT_VALUE_MAX_CHARS = 1_000  # a longer cell is shown cut, with its length (assumption H7)


def short_value(expr: pl.Expr, limit: int = REJECT_VALUE_MAX_CHARS, keep: int = 200) -> pl.Expr:
    """A cell as shown in ``rejects.csv``: values over ``limit`` characters cut to ``keep`` with
    the full length, so a five-million-digit field does not make a 5 MB reject line (and the file
    still opens in a spreadsheet, whose cells hold 32,767 characters).

    >>> pl.DataFrame({"v": ["12", "9" * 5000]}).select(short_value(pl.col("v"), keep=3))["v"].to_list()
    ['12', '999… (5,000 characters)']
    """
    n = expr.str.len_chars()
    return (pl.when(n > limit)
            .then(pl.format("{}… ({} characters)", expr.str.slice(0, keep),
                            n.cast(pl.String).str.replace(r"(\d)(\d{3})$", "${1},${2}")
                            .str.replace(r"(\d)(\d{3}),", "${1},${2},")))
            .otherwise(expr))


def make_rejects(
    df: pl.DataFrame, mask: pl.Expr, column: str | None, reason: str | pl.Expr, source_file: str,
    value: pl.Expr | None = None,
) -> pl.DataFrame:
    """Rejects for the rows of ``df`` where ``mask`` holds (``df`` must carry ``__row``)."""
    val = value if value is not None else (
        pl.col(column).cast(pl.String) if column and column in df.columns else pl.lit(None, pl.String)
    )
    reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
    return df.filter(mask).select(
        pl.lit(source_file).alias("source_file"),
        pl.col(ROW).cast(pl.Int64).alias("source_row"),
        pl.lit(column, dtype=pl.String).alias("column"),
        short_value(val.cast(pl.String)).alias("value"),
        reason_expr.cast(pl.String).alias("reason"),
    )


def _cast_expr(name: str, dtype: pl.DataType, date_formats: tuple[str, ...]) -> pl.Expr:
    col = pl.col(name)
    if dtype == pl.Date():
        s = col.cast(pl.String).str.strip_chars()
        parsed = [s.str.to_date(fmt, strict=False) for fmt in date_formats]
        return pl.coalesce(parsed) if len(parsed) > 1 else parsed[0]
    if dtype == pl.Boolean():
        s = col.cast(pl.String).str.strip_chars().str.to_lowercase()
        return (
            pl.when(s.is_in(["true", "t", "yes", "y", "1"])).then(True)
            .when(s.is_in(["false", "f", "no", "n", "0"])).then(False)
            .otherwise(None)
        )
    if dtype.is_numeric():
        return col.cast(pl.String).str.strip_chars().cast(dtype, strict=False)
    if dtype == pl.String():
        s = col.cast(pl.String).str.strip_chars()
        return pl.when(s == "").then(None).otherwise(s)
    return col.cast(dtype, strict=False)


def _type_hint(dtype: pl.DataType, date_formats: tuple[str, ...]) -> str:
    if dtype == pl.Date():
        shown = " or ".join(f.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
                            for f in date_formats)
        return f"not a valid date (expected {shown})"
    if dtype == pl.Boolean():
        return "not a true/false value"
    if dtype.is_integer():
        return "not a whole number"
    if dtype.is_numeric():
        return "not a number"
    return f"not a valid {dtype}"


def check_rows(
    raw: pl.DataFrame,
    table: Table,
    source_file: str,
    date_formats: tuple[str, ...] = ("%Y-%m-%d",),
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cast the columns of ``raw`` to ``table``'s types and split good rows from bad.

    ``raw`` holds source values (usually strings) under canonical names plus ``__row``. A row is
    rejected when a value cannot be cast, a required value is missing, or a value is outside its
    allowed set. Returns ``(accepted, rejects)``; ``accepted`` keeps ``__row``.
    """
    present = [c for c in table.columns if c in raw.columns]
    typed = raw.select(
        pl.col(ROW),
        *[_cast_expr(c, table.columns[c], date_formats).alias(c) for c in present],
    )
    rejects = []
    for c in present:
        dtype = table.columns[c]
        raw_str = raw[c].cast(pl.String).str.strip_chars()
        bad = raw_str.is_not_null() & (raw_str != "") & typed[c].is_null()
        if bad.any():
            frame = raw.select(ROW, c).filter(bad)
            rejects.append(make_rejects(frame, pl.lit(True), c, _type_hint(dtype, date_formats),
                                        source_file))
    for c in sorted(table.required):
        if c not in typed.columns:
            continue
        miss = typed[c].is_null() & ~_already(rejects, typed[ROW], c)
        if miss.any():
            frame = typed.select(ROW, c).filter(miss)
            rejects.append(make_rejects(frame, pl.lit(True), c, "missing required value",
                                        source_file))
    for c, allowed in table.enums.items():
        if c in typed.columns:
            frame = typed.select(ROW, c)
            mask = pl.col(c).is_not_null() & ~pl.col(c).is_in(list(allowed))
            r = make_rejects(frame, mask, c, f"not one of {', '.join(allowed)}", source_file)
            if r.height:
                rejects.append(r)
    rej = pl.concat(rejects) if rejects else empty_rejects()
    accepted = typed.filter(~pl.col(ROW).is_in(rej["source_row"].implode()))
    return accepted, rej


def _already(rejects: list[pl.DataFrame], rows: pl.Series, column: str) -> pl.Series:
    if not rejects:
        return pl.Series([False] * len(rows), dtype=pl.Boolean)
    done = pl.concat(rejects).filter(pl.col("column") == column)["source_row"]
    return rows.is_in(done.implode())


def add_lineage(
    df: pl.DataFrame, source_dataset: str, source_url: str | None = None,
    ingested_at: dt.datetime | None = None,
) -> pl.DataFrame:
    """Fill the lineage columns: dataset name, url, 1-based source row, ingest time (UTC)."""
    when = ingested_at or dt.datetime.now(dt.UTC)
    return df.with_columns(
        pl.lit(source_dataset).alias("source_dataset"),
        pl.lit(source_url, dtype=pl.String).alias("source_url"),
        pl.col(ROW).cast(pl.String).alias("source_row_id"),
        pl.lit(when, dtype=pl.Datetime("us", "UTC")).alias("ingested_at"),
    )


def finish(
    typed: pl.DataFrame, rejects: pl.DataFrame, table: Table, *, rows_read: int,
    source_file: str, source_dataset: str, source_url: str | None = None,
    skipped: dict[str, int] | None = None, notes: list[str] | None = None,
) -> IngestResult:
    """Drop rejected rows, add lineage, conform to ``table`` and account for every row."""
    rejects = rejects.sort("source_row") if rejects.height else empty_rejects()
    accepted = typed.filter(~pl.col(ROW).is_in(rejects["source_row"].implode()))
    accepted = add_lineage(accepted, source_dataset, source_url).sort(ROW)
    accepted = table.conform(accepted.drop(ROW), source=source_file)
    return IngestResult(
        table=table, accepted=accepted, rejects=rejects, rows_read=rows_read,
        skipped=skipped or {}, source_file=source_file, notes=notes or [],
    )


__all__ = [
    "INVOICE_PAYMENT",
    "ROW",
    "IngestResult",
    "add_lineage",
    "check_not_input",
    "check_rows",
    "empty_rejects",
    "finish",
    "make_rejects",
    "short_value",
]
