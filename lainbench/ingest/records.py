"""Shared reader for the small, often hand-filled tables behind the network metrics: supplier
registers, contract registers and payment-terms tables (``lainbench.ingest.suppliers``,
``.contracts``, ``.terms``).

A file may be CSV (any encoding and delimiter, see :mod:`lainbench.ingest.tabular`) or Excel (the
first sheet, as the templates of :mod:`lainbench.ingest.templates` lay out), with a title above
the header. Headers are matched by the spellings in ``lainbench/data/header_mapping_network.yaml``
(a canonical column name always matches itself), extended by ``--mapping FILE``.

What happens to each data row (``source_row`` 1 = the first row under the header):

* **skipped and counted**: blank rows;
* **rejected** (one line per fault in ``rejects.csv``, naming the source header): a value that
  cannot be read (date, amount, whole number, yes/no), a missing required value, a value outside
  the allowed list (after the known spellings: ``Yes`` is ``true``, ``Companies House`` is
  ``companies_house``), more cells than headers, the kind's own rules, and a repeat of an earlier
  row's key;
* **accepted** into the canonical table, with lineage.

So rows read = accepted + rejected + skipped, always.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from lainbench.config import REFERENCE_DATA_DIR, resolve
from lainbench.errors import IngestError
from lainbench.ingest import values as V
from lainbench.ingest.common import ROW, IngestResult, empty_rejects, finish
from lainbench.ingest.tabular import find_header_row, read_grid, unique_names
from lainbench.schemas import TRI_STATE, Table

DEFAULT_MAPPING = REFERENCE_DATA_DIR / "header_mapping_network.yaml"
LINEAGE_COLUMNS = ("source_dataset", "source_url", "source_row_id", "ingested_at")
HEADER_SEARCH_ROWS = 25

TRI_ALIASES = {
    "true": "true", "t": "true", "yes": "true", "y": "true", "1": "true",
    "false": "false", "f": "false", "no": "false", "n": "false", "0": "false",
    "unknown": "unknown", "not_known": "unknown", "don_t_know": "unknown", "dont_know": "unknown",
    "n_k": "unknown", "nk": "unknown", "prefer_not_to_say": "unknown", "unsure": "unknown",
}
# A rule: (mask over the typed frame, canonical column, reason text or expression)
Rule = tuple[pl.Expr, str | None, str | pl.Expr]


@dataclass(frozen=True)
class RecordSpec:
    """How one kind of file is read into one canonical table."""

    kind: str  # section of the mapping file, and the name in messages
    table: Table
    dates: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()
    integers: tuple[str, ...] = ()
    booleans: tuple[str, ...] = ()
    tristate: tuple[str, ...] = ()
    company_numbers: tuple[str, ...] = ()
    value_aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)  # column -> extra text for a bad value
    key: tuple[str, ...] = ()
    rules: Callable[[pl.DataFrame], list[Rule]] | None = None
    example_headers: str = ""

    @property
    def mappable(self) -> tuple[str, ...]:
        """The table's columns a file may map to (lineage is added by the reader)."""
        return tuple(c for c in self.table.columns if c not in LINEAGE_COLUMNS)


def norm_value(expr: pl.Expr) -> pl.Expr:
    """Lower case, runs of other characters to ``_`` (how enumerated values are matched)."""
    return (V.clean(expr).str.to_lowercase().str.replace_all("’", "'")
            .str.replace_all(r"[^a-z0-9]+", "_").str.strip_chars("_"))


# --- the mapping file ---------------------------------------------------------------------------

def _read_yaml(path: Path, label: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise IngestError(f"{label}: cannot read the mapping file: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise IngestError(f"{label}:{where} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise IngestError(f"{label}: expected a mapping with 'columns'")
    return data


def _columns(section: Any, spec: RecordSpec, label: str) -> dict[str, list[str]]:
    if not isinstance(section, dict) or set(section) - {"columns"}:
        raise IngestError(f"{label}: expected 'columns: {{canonical column: [headers]}}'")
    cols = section.get("columns") or {}
    if not isinstance(cols, dict):
        raise IngestError(f"{label}: 'columns' must map canonical column names to header lists")
    out = {}
    for canon, spellings in cols.items():
        if canon not in spec.mappable:
            raise IngestError(f"{label}: columns.{canon} is not a column of {spec.table.name}; "
                              f"use one of: {', '.join(spec.mappable)}")
        spellings = [spellings] if isinstance(spellings, str) else spellings
        if not isinstance(spellings, list):
            raise IngestError(f"{label}: columns.{canon} must be a list of header spellings")
        out[canon] = [str(s) for s in spellings]
    return out


def spelling_index(spec: RecordSpec, mapping: str | Path | None = None) -> dict[str, tuple[str, int]]:
    """Normalised header -> (canonical column, priority, lower first): each canonical name itself,
    then the user's file, then the shipped section.

    >>> from lainbench.ingest.suppliers import SPEC
    >>> spelling_index(SPEC)["company number"][0], spelling_index(SPEC)["size band"]
    ('companies_house_number', ('size_band', -1))
    """
    shipped = _read_yaml(DEFAULT_MAPPING, str(DEFAULT_MAPPING))
    layers = []
    if mapping is not None:
        p = resolve(mapping)
        if not p.exists():
            raise IngestError(f"{mapping}: mapping file not found (looked for {p})")
        layers.append(_columns(_read_yaml(p, str(mapping)), spec, str(mapping)))
    layers.append(_columns(shipped.get(spec.kind) or {}, spec, f"{DEFAULT_MAPPING}:{spec.kind}"))
    index: dict[str, tuple[str, int]] = {}
    for canon in spec.mappable:
        index[V.normalise_header(canon)] = (canon, -1)
    rank = 0
    for layer in layers:
        for canon, spellings in layer.items():
            for s in spellings:
                index.setdefault(V.normalise_header(s), (canon, rank))
                rank += 1
    return index


def match(headers: list[str], index: dict[str, tuple[str, int]]
          ) -> tuple[dict[str, str], list[str]]:
    """Canonical column -> source header (the best-ranked spelling wins), and unmapped headers."""
    best: dict[str, tuple[int, int, str]] = {}
    for pos, h in enumerate(headers):
        hit = index.get(V.normalise_header(h))
        if hit is None:
            continue
        canon, rank = hit
        if canon not in best or (rank, pos) < best[canon][:2]:
            best[canon] = (rank, pos, h)
    matched = {c: v[2] for c, v in sorted(best.items(), key=lambda kv: kv[1][1])}
    used = set(matched.values())
    return matched, [h for h in headers if h not in used]


# --- reading and checking -----------------------------------------------------------------------

def _parse(spec: RecordSpec, c: str) -> tuple[pl.Expr, pl.Expr]:
    """(typed value, problem text or null) for canonical column ``c`` read from its raw text."""
    raw = V.clean(pl.col(c))
    present = raw.is_not_null()
    if c in spec.dates:
        return V.parse_date(pl.col(c)), V.date_problem(pl.col(c))
    if c in spec.amounts:
        val = V.parse_amount(pl.col(c))
        return val, pl.when(present & val.is_null()).then(pl.lit("not an amount (e.g. £1,250.00)"))
    if c in spec.integers:
        num = V.parse_terms_days(pl.col(c)) if c.endswith("_days") else V.parse_number(pl.col(c))
        whole = num.is_not_null() & (num == num.round(0))
        val = pl.when(whole).then(num).cast(pl.Int32, strict=False)
        return val, pl.when(present & val.is_null()).then(pl.lit("not a whole number"))
    if c in spec.booleans:
        val = V.parse_bool(pl.col(c))
        return val, pl.when(present & val.is_null()).then(pl.lit("not yes/no (use TRUE or FALSE)"))
    if c in spec.company_numbers:
        val = V.company_number(pl.col(c))
        ok = val.str.contains(r"^(?:\d{8}|[A-Z]{2}\d{6})$")
        return val, pl.when(present & ~ok.fill_null(False)).then(pl.lit(
            "not a Companies House number (8 digits, or 2 letters and 6 digits)"))
    aliases = TRI_ALIASES if c in spec.tristate else spec.value_aliases.get(c)
    allowed = TRI_STATE if c in spec.tristate else spec.table.enums.get(c)
    if aliases is not None or allowed is not None:
        mapping = {**{a: a for a in (allowed or ())}, **(aliases or {})}
        val = norm_value(pl.col(c)).replace_strict(mapping, default=None, return_dtype=pl.String)
        hint = f"not one of {', '.join(allowed)}" if allowed else "not a known value"
        if c in spec.hints:
            hint += f"; {spec.hints[c]}"
        return val, pl.when(present & val.is_null()).then(pl.lit(hint))
    return raw, pl.lit(None, pl.String)


def ingest_records(
    path: str | Path, spec: RecordSpec, *, mapping: str | Path | None = None,
    buyer_org_id: str | None = None, source_dataset: str | None = None,
    sheet: str | int | None = None, **_: object,
) -> IngestResult:
    """Read one file of ``spec``'s kind; returns accepted rows, rejects and the row counts.

    ``buyer_org_id`` fills the member for a file without a member column (a member's own file).
    Other options from the command line are accepted and ignored.
    """
    name = str(path)
    rows, encoding = read_grid(path, sheet)
    index = spelling_index(spec, mapping)
    h = find_header_row(rows[:HEADER_SEARCH_ROWS],
                        lambda cells: sum(V.normalise_header(x) in index for x in cells if x))
    if h is None:
        first = next((r for r in rows if any(c not in (None, "") for c in r)), [])
        shown = ", ".join(str(c) for c in first[:8] if c not in (None, "")) or "(nothing)"
        raise IngestError(
            f"{name}: no header row found in the first {HEADER_SEARCH_ROWS} lines (first "
            f"non-empty line: {shown}); expected headers such as {spec.example_headers}. Start "
            f"from `lainbench template {spec.kind} --out FILE.xlsx`, or add your headers to a "
            "mapping file (--mapping FILE, see lainbench/data/header_mapping_network.yaml)")
    headers = unique_names(rows[h])
    matched, ignored = match(headers, index)
    width = len(headers)
    body = rows[h + 1:]
    data = {hd: [(r[i] if i < len(r) else None) for r in body] for i, hd in enumerate(headers)}
    overflow = [any(c not in (None, "") for c in r[width:]) for r in body]
    raw = pl.DataFrame({f"__s{i}": pl.Series(data[hd], dtype=pl.String)
                        for i, hd in enumerate(headers)}, height=len(body))
    raw = raw.with_columns(pl.Series("__overflow", overflow, dtype=pl.Boolean)).with_row_index(
        ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    src_of = {canon: f"__s{headers.index(hd)}" for canon, hd in matched.items()}
    header_of = dict(matched)
    injected = []
    if buyer_org_id and "buyer_org_id" not in src_of:
        raw = raw.with_columns(pl.lit(buyer_org_id).alias("__buyer"))
        src_of["buyer_org_id"] = "__buyer"
        header_of["buyer_org_id"] = "(--buyer)"
        injected.append("buyer_org_id")
    missing = sorted(spec.table.required - set(src_of))
    if missing:
        raise IngestError(
            f"{name}: no column for {', '.join(missing)} (headers found: {', '.join(headers)}); "
            f"name them e.g. {spec.example_headers}, or give --buyer for a member's own file")
    rows_read = raw.height
    cells = [pl.col(s) for k, s in src_of.items() if k not in injected]
    blank = pl.all_horizontal([V.clean(c).is_null() for c in cells]) & ~pl.col("__overflow")
    n_blank = raw.filter(blank).height
    raw = raw.filter(~blank)
    frame = raw.select(ROW, "__overflow", *[pl.col(s).alias(c) for c, s in src_of.items()])
    parsed = {c: _parse(spec, c) for c in src_of}
    typed = frame.select(ROW, *[v.alias(c) for c, (v, _) in parsed.items()])
    problems = frame.select(
        ROW, *[p.alias(c) for c, (_, p) in parsed.items()],
        pl.when(pl.col("__overflow")).then(pl.lit(
            f"more cells than the {width} headers (an unquoted comma?)")).alias("__overflow"))
    for c in sorted(spec.table.required & set(src_of)):
        problems = problems.with_columns(
            pl.when(pl.col(c).is_null() & typed[c].is_null())
            .then(pl.lit("missing required value")).otherwise(pl.col(c)).alias(c))
    if spec.rules is not None:
        already = problems.select(ROW, pl.any_horizontal(
            [pl.col(c).is_not_null() for c in problems.columns if c != ROW]).alias("__bad"))
        t = typed.join(already, on=ROW)
        for mask, column, reason in spec.rules(t.filter(~pl.col("__bad"))):
            hit = t.filter(~pl.col("__bad")).select(
                ROW, pl.when(mask).then(reason if isinstance(reason, pl.Expr) else pl.lit(reason))
                .alias("__rule")).filter(pl.col("__rule").is_not_null())
            col = column or "__overflow"
            problems = problems.join(hit, on=ROW, how="left").with_columns(
                pl.coalesce(col, "__rule").alias(col)).drop("__rule")
    if spec.key:
        key = [c for c in spec.key if c in typed.columns]
        bad = problems.select(ROW, pl.any_horizontal(
            [pl.col(c).is_not_null() for c in problems.columns if c != ROW]).alias("__bad"))
        ok = typed.join(bad, on=ROW).filter(~pl.col("__bad")).select(ROW, *key).with_columns(
            pl.int_range(pl.len()).over(key).alias("__n"),
            pl.col(ROW).first().over(key).alias("__first"))
        dup = ok.filter(pl.col("__n") > 0).select(
            ROW, pl.format("repeats row {} (same {}); keep one", pl.col("__first"),
                           pl.lit(", ".join(key))).alias("__dup"))
        problems = problems.join(dup, on=ROW, how="left").with_columns(
            pl.coalesce("__overflow", "__dup").alias("__overflow")).drop("__dup")
    rejects = _rejects(problems, frame, header_of, name)
    notes = [f"ignored column(s) not in {spec.table.name}: {', '.join(ignored)}"] if ignored else []
    if h:
        notes.append(f"{h} line(s) above the header skipped (title)")
    if encoding not in ("utf-8", "ascii", "xlsx"):
        notes.append(f"read as {encoding}")
    return finish(typed, rejects, spec.table, rows_read=rows_read, source_file=name,
                  source_dataset=source_dataset or Path(name).name,
                  skipped={"blank": n_blank}, notes=notes)


def _rejects(problems: pl.DataFrame, frame: pl.DataFrame, header_of: dict[str, str],
             source_file: str) -> pl.DataFrame:
    """Long rejects (source row, source header, value as written, reason) from the problems."""
    cols = [c for c in problems.columns if c != ROW]
    long = problems.unpivot(index=ROW, on=cols, variable_name="canon", value_name="reason"
                            ).drop_nulls("reason")
    if not long.height:
        return empty_rejects()
    vals = frame.drop("__overflow").unpivot(index=ROW, variable_name="canon", value_name="value")
    out = long.join(vals.with_columns(pl.col("value").cast(pl.String)), on=[ROW, "canon"],
                    how="left")
    return out.select(
        pl.lit(source_file).alias("source_file"), pl.col(ROW).cast(pl.Int64).alias("source_row"),
        pl.col("canon").replace_strict({**header_of, "__overflow": None}, default=None,
                                       return_dtype=pl.String).alias("column"),
        pl.col("value").cast(pl.String), pl.col("reason").cast(pl.String),
    ).sort("source_row", "column", nulls_last=True)
