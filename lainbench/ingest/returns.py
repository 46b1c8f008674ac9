"""Published payment returns of public bodies -> ``org_payment_performance``.

Four kinds, told apart by their headers (or named with ``kind=``):

=============  ==================================================  =============  =================================
kind           what it is                                          regime         day_count_basis
=============  ==================================================  =============  =================================
pa2023_pcn     payments compliance notice, Procurement             pa2023_pcn     invoice_receipt_to_supplier_receipt
               Regulations 2024 reg 38 (one row per notice, or a
               two-column "field, value" form)
pcr_reg113     PCR 2015 reg 113(7) annual table: % paid within      pcr_reg113     valid_undisputed_to_payment
               30 days, interest paid, interest liable
ppn_05_15      central government quarterly prompt-payment CSV      ppn_05_15      receipt_to_payment
               (PPN 05/15): % within 5 and 30 days, interest
               liability; an annual reg 113 block below it is read
               too (as pcr_reg113 rows)
nhs_bppc       NHS Better Payment Practice Code table from the      nhs_bppc       due_date_or_30_days
               annual accounts: Number and £'000 per year, Non-NHS
               and NHS payables (one row per year and segment)
=============  ==================================================  =============  =================================

Headers are matched by the words in them ("Percentage of invoices paid with 30 days" is the 30-day
share even with Defra's typo), periods by their labels ("2017 to 2018", "4th Quarter 2019-20",
"April to June 2019", "YTD 2022-23") unless start/end columns are given. Percentages accept
``95.1%``; money ``£1,045,859.48``; ``Not set``, ``N/A`` and ``-`` are empty.

Row accounting: ``source_row`` is the **line number in the file** (these tables carry titles and
several blocks). Every line except a block's header row is read: blank lines, titles above the
first header, notes and total/average lines are skipped and counted. In the BPPC table a record is
one year and one segment, made from several lines; its ``source_row_id`` names them, e.g.
``lines 5-7, 2024-25``.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "kent.csv"
>>> _ = p.write_text("Financial year,Percentage of invoices paid within 30 days,"
...     "Interest (£'s) actually paid to suppliers,Interest (£'s) liable to be paid to suppliers\\n"
...     "2017 to 2018,88.21%,£0.00,\\"£1,045,859.48\\"\\n")
>>> res = ingest_returns(p, org_id="kent", org_name="Kent County Council")
>>> res.accepted.select("regime", "period_start", "paid_within_30_days_pct", "interest_liable_gbp").row(0)
('pcr_reg113', datetime.date(2017, 4, 1), 88.21, 1045859.48)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from lainbench.errors import IngestError
from lainbench.ingest import values as V
from lainbench.ingest.common import ROW, IngestResult, empty_rejects, finish, make_rejects
from lainbench.ingest.tabular import read_grid
from lainbench.schemas import ORG_PAYMENT_PERFORMANCE, ORG_TYPES

KINDS = ("pa2023_pcn", "pcr_reg113", "ppn_05_15", "nhs_bppc")
REGIME = {"pa2023_pcn": "pa2023_pcn", "pcr_reg113": "pcr_reg113", "ppn_05_15": "ppn_05_15",
          "nhs_bppc": "nhs_bppc"}
DAY_COUNT_BASIS = {
    "pa2023_pcn": "invoice_receipt_to_supplier_receipt",
    "pcr_reg113": "valid_undisputed_to_payment",
    "ppn_05_15": "receipt_to_payment",
    "nhs_bppc": "due_date_or_30_days",
}
DEFAULT_ORG_TYPE = {"nhs_bppc": "nhs_trust", "ppn_05_15": "central_government"}
LABELS = {
    "pa2023_pcn": "payments compliance notice (Procurement Regulations 2024 reg 38)",
    "pcr_reg113": "PCR 2015 reg 113 annual payment statistics",
    "ppn_05_15": "PPN 05/15 quarterly prompt payment data",
    "nhs_bppc": "NHS Better Payment Practice Code table",
}

Rule = Callable[[str], bool]


def _has(*words: str) -> Rule:
    return lambda h: all(w in h for w in words)


def _any(*words: str) -> Rule:
    return lambda h: any(w in h for w in words)


def _and(*rules: Rule) -> Rule:
    return lambda h: all(r(h) for r in rules)


def _not(rule: Rule) -> Rule:
    return lambda h: not rule(h)


# field -> rule on the normalised header; tried in this order, each header takes the first free
# field it matches. Fields starting "_" are read but not output as such.
PCN_FIELDS: list[tuple[str, Rule]] = [
    ("approved_by", _any("approv", "job title", "signed")),
    ("report_id", _and(_any("notice", "ocid"), _any(" id", "identifier", "reference", "ocid"))),
    ("filing_date", _any("publication", "published", "date of notice")),
    ("period_start", _and(_any("start", "first day", "from"), _not(_any("invoice")))),
    ("period_end", _and(_any("end", "last day", " to"), _not(_any("invoice", "days")))),
    ("avg_days_to_pay", _any("average", "mean")),
    ("paid_over_60_days_pct", _any("61")),
    ("paid_31_to_60_days_pct", _has("31", "60")),
    ("paid_within_30_days_pct", _and(_any("30"), _not(_any("31")))),
    ("not_paid_within_terms_pct", _any("not made", "not paid", "became payable", "due not")),
    ("org_name", _any("authority", "organisation", "organization", "body", "name")),
    ("_period", _any("period", "half year", "quarter")),
]
REG113_FIELDS: list[tuple[str, Rule]] = [
    ("_period", _any("financial year", "year", "period", "quarter", "month")),
    ("interest_liable_gbp", _any("liab", "notional", "liable")),
    ("interest_paid_gbp", _and(_any("interest"), _any("paid", "payment"))),
    ("paid_within_30_days_pct", _and(_any("30 days", "30 day"),
                                     _any("percentage", "proportion", "within", "per cent", "pct",
                                          "performance", "paid"),
                                     _not(_any("number", "not paid", "value")))),
    ("period_start", _any("start", "from")),
    ("period_end", _any("end date", "period end", "to date")),
    ("org_name", _any("authority", "organisation", "organization", "body", "department")),
]
PPN_FIELDS: list[tuple[str, Rule]] = [
    ("paid_within_5_days_pct", _any("5 days", "five days", "5 day")),
    ("paid_within_30_days_pct", _and(_any("30 days", "thirty days", "30 day"),
                                     _not(_any("number", "value")))),
    ("interest_liable_gbp", _any("liab", "liable")),
    ("interest_paid_gbp", _and(_any("interest"), _any("paid"))),
    ("period_start", _any("start", "from")),
    ("period_end", _any("end date", "period end")),
    ("org_name", _any("department", "organisation", "organization", "body")),
    ("avg_days_to_pay", _any("average", "mean")),
    ("_period", _any("quarter", "period", "month", "year", "")),
]
FIELDS = {"pa2023_pcn": PCN_FIELDS, "pcr_reg113": REG113_FIELDS, "ppn_05_15": PPN_FIELDS}
PCT_FIELDS = ("paid_within_5_days_pct", "paid_within_30_days_pct", "paid_31_to_60_days_pct",
              "paid_over_60_days_pct", "not_paid_within_terms_pct")
MONEY_FIELDS = ("interest_paid_gbp", "interest_liable_gbp")
STAT_FIELDS = (*PCT_FIELDS, *MONEY_FIELDS, "avg_days_to_pay")


def _norm(cell: object) -> str:
    return V.normalise_header(cell).replace("percent", "percentage").replace(
        "percentageage", "percentage")


def _empty(cell: object) -> bool:
    return cell is None or str(cell).strip().lower() in V.NULL_TOKENS


def _match(headers: list[object], rules: list[tuple[str, Rule]]) -> dict[int, str]:
    """Column index -> field for a header row (each field used once)."""
    taken: dict[int, str] = {}
    used: set[str] = set()
    for j, h in enumerate(headers):
        text = _norm(h) if not _empty(h) else ""
        if text and not re.search(r"[a-z]", text):
            continue  # a number or a date is never a header
        for fld, rule in rules:
            if fld in used:
                continue
            if text == "" and fld != "_period":
                continue
            if rule(text):
                taken[j] = fld
                used.add(fld)
                break
    return taken


def _header_score(mapping: dict[int, str]) -> int:
    """How header-like a matched row is: statistic fields count; a lone period label does not."""
    return sum(1 for f in mapping.values() if f in STAT_FIELDS or f in (
        "period_start", "period_end", "avg_days_to_pay"))


def detect_kind(rows: list[list[Any]]) -> str | None:
    """Which kind of return a grid of cells is, from its words; None if none fits.

    >>> detect_kind([["", "Percentage of invoices paid within 5 days", "within 30 days"]])
    'ppn_05_15'
    """
    text = [[_norm(c) for c in r if not _empty(c)] for r in rows[:60]]
    flat = " | ".join(" | ".join(r) for r in text)
    if any(w in flat for w in ("trade invoices", "better payment practice", "nhs payables")):
        return "nhs_bppc"
    for r in text:
        line = " | ".join(r)
        if ("5 days" in line or "five days" in line) and "30 days" in line:
            return "ppn_05_15"
    for r in text:
        line = " | ".join(r)
        if "61" in line and "31" in line and ("average" in line or "mean" in line):
            return "pa2023_pcn"
    if "payments compliance notice" in flat or "reg 38" in flat or "regulation 38" in flat:
        return "pa2023_pcn"
    if "30 day" in flat and ("interest" in flat or "regulation 113" in flat):
        return "pcr_reg113"
    return None


@dataclass
class _Records:
    """Rows gathered from the grid: field values as strings, with their line and regime."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    rejects: list[tuple[int, str | None, str | None, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def skip(self, kind: str) -> None:
        self.skipped[kind] = self.skipped.get(kind, 0) + 1


def _is_total(label: str) -> bool:
    return bool(re.match(V.TOTAL_ROW_RE, label.strip()))


def _tabular(rows: list[list[Any]], kind: str) -> _Records:
    """Blocks of header + data rows (PCN, reg 113, PPN 05/15 and its reg 113 block)."""
    out = _Records()
    kinds = [kind] + (["pcr_reg113"] if kind == "ppn_05_15" else [])
    current: tuple[str, dict[int, str]] | None = None
    headers_seen = 0
    for i, row in enumerate(rows, start=1):
        cells = list(row)
        best = None
        for k in kinds:
            m = _match(cells, FIELDS[k])
            score = _header_score(m)
            if k == "ppn_05_15" and "paid_within_5_days_pct" not in m.values():
                continue  # no 5-day column: the annual reg 113 block of a PPN 05/15 file
            if score >= 2 and (best is None or score > best[2]):
                best = (k, m, score)
        if best is not None and not _looks_like_data(cells, best[1]):
            current = (best[0], best[1])
            headers_seen += 1
            continue
        if all(_empty(c) for c in cells):
            out.skip("blank")
            continue
        if current is None:
            out.skip("title")
            continue
        k, mapping = current
        rec = {f: (None if j >= len(cells) or _empty(cells[j]) else str(cells[j]).strip())
               for j, f in mapping.items()}
        label = rec.get("_period") or ""
        stats = [rec.get(f) for f in STAT_FIELDS if f in rec]
        if label and _is_total(label):
            out.skip("total row")
            continue
        has_numbers = any(s is not None and re.search(r"\d", s) for s in stats)
        has_period = bool(rec.get("period_start") or rec.get("period_end")) or (
            V.parse_period_label(label) is not None)
        if not has_numbers and not has_period:
            out.skip("note")
            continue
        rec["__line"] = i
        rec["__kind"] = k
        out.rows.append(rec)
    if headers_seen == 0:
        return _vertical(rows, kind)
    return out


def _looks_like_data(cells: list[Any], mapping: dict[int, str]) -> bool:
    """A row whose matched 'headers' are mostly numbers is data, not a header."""
    vals = [str(cells[j]) for j, f in mapping.items() if f in STAT_FIELDS and j < len(cells)
            and not _empty(cells[j])]
    return bool(vals) and sum(bool(re.fullmatch(r"[£\-\d.,%()\s]+", v)) for v in vals) > len(vals) / 2


def _vertical(rows: list[list[Any]], kind: str) -> _Records:
    """A two-column form ("field, value" per line) holding one return."""
    out = _Records()
    rules = FIELDS.get(kind, [])
    rec: dict[str, Any] = {}
    first_line = None
    for i, row in enumerate(rows, start=1):
        cells = [c for c in row]
        if all(_empty(c) for c in cells):
            out.skip("blank")
            continue
        label = cells[0] if cells else None
        value = next((c for c in cells[1:] if not _empty(c)), None)
        m = _match([label], [r for r in rules if r[0] not in rec])
        if m and value is not None:
            rec[m[0]] = str(value).strip()
            first_line = first_line or i
            out.skip("form line")
        else:
            out.skip("title")
    if _header_score(dict(enumerate(rec))) < 1:
        return out
    out.skipped["form line"] -= 1  # the form is one record
    rec["__line"] = first_line
    rec["__kind"] = kind
    out.rows.append(rec)
    out.notes.append(f"read as a two-column form (lines {first_line}-{len(rows)}): one return")
    return out


# --- NHS BPPC accounts table -------------------------------------------------------------------

def _bppc(rows: list[list[Any]]) -> _Records:
    out = _Records()
    year_row = unit_row = None
    years: dict[int, str] = {}
    for i, row in enumerate(rows):
        found = {j: str(c) for j, c in enumerate(row) if not _empty(c) and _fy_label(str(c))}
        if len(found) >= 1 and year_row is None and any(
                _norm(c) in ("number", "000", "value") or "000" in _norm(c)
                for c in (rows[i + 1] if i + 1 < len(rows) else [])):
            year_row, unit_row, years = i, i + 1, found
            break
    if year_row is None:
        raise IngestError("BPPC table: no row of years (e.g. '2024-25') above a row of units "
                          "('Number', \"£'000\") was found")
    units: dict[int, str] = {}
    for j in years:
        u = _norm(rows[unit_row][j]) if j < len(rows[unit_row]) else ""
        units[j] = "number" if "number" in u or u == "no" else (
            "value_000" if "000" in u or u in ("k",) else "value" if u else "?")
    if "?" in units.values():
        raise IngestError("BPPC table: a year column has no unit under it; expected 'Number' or "
                          "\"£'000\" in the line below the years")
    for _ in range(year_row):
        out.skip("title")
    segment = None
    found_lines: dict[tuple[str, str], dict[str, Any]] = {}
    for i in range(unit_row + 1, len(rows)):
        row = rows[i]
        label = _norm(row[0]) if row and not _empty(row[0]) else ""
        if all(_empty(c) for c in row):
            out.skip("blank")
            continue
        seg = "non_nhs" if "non nhs" in label else ("nhs" if "nhs" in label else segment)
        data = {j: row[j] for j in years if j < len(row) and not _empty(row[j])}
        if not data:
            segment = seg
            out.skip("section heading" if seg else "note")
            continue
        measure = ("pct" if any(w in label for w in ("percentage", "per cent", "%")) else
                   "within" if "within target" in label or "within" in label else
                   "total" if "total" in label or "paid in the year" in label else None)
        if seg is None or measure is None:
            out.skip("note")
            continue
        out.skip("bppc line")
        for j, val in data.items():
            year = years[j]
            key = (year, seg)
            rec = found_lines.setdefault(key, {"_period": year, "_segment": seg, "__lines": []})
            rec[f"{measure}_{units[j]}"] = str(val)
            rec["__lines"].append(i + 1)
            rec.setdefault("__cells", {})[f"{measure}_{units[j]}"] = (
                f"{year} {'Number' if units[j] == 'number' else chr(163) + chr(39) + '000'}, "
                f"line {i + 1}")
    n = out.skipped.pop("bppc line", 0)
    for rec in found_lines.values():
        rec["__line"] = min(rec["__lines"])
        rec["__kind"] = "nhs_bppc"
        out.rows.append(rec)
    out.notes.append(f"BPPC table: {n} measure line(s) make {len(found_lines)} record(s) "
                     "(one per year and segment)")
    return out


def _fy_label(text: str) -> bool:
    t = re.sub(r"(?i)^\s*(ytd|fy|year to date)\s*", "", text.strip())
    got = V.parse_period_label(t)
    return got is not None and got[2] == "financial_year"


# --- assembling the table -----------------------------------------------------------------------

def ingest_returns(path: str | Path, *, kind: str | None = None, org_id: str | None = None,
                   org_name: str | None = None, org_type: str | None = None,
                   source_dataset: str | None = None, sheet: str | int | None = None,
                   date_order: str = "dmy", **_: Any) -> IngestResult:
    """Read a published payment return into ``org_payment_performance``.

    Parameters
    ----------
    path : CSV or Excel file.
    kind : one of ``pa2023_pcn``, ``pcr_reg113``, ``ppn_05_15``, ``nhs_bppc``; detected from the
        headers when not given.
    org_id, org_name : the publishing body (most returns do not name it in the table); a name
        column in the file wins for ``org_name``.
    org_type : e.g. ``local_authority`` (default ``nhs_trust`` for BPPC, ``central_government``
        for PPN 05/15, else null).
    date_order : how to read numeric dates in start/end columns (``dmy``, UK, by default).
    """
    name = str(path)
    rows, how = read_grid(path, sheet)
    if kind is not None and kind not in KINDS:
        raise IngestError(f"kind = {kind!r}; use one of {', '.join(KINDS)}")
    if org_type is not None and org_type not in ORG_TYPES:
        raise IngestError(f"org_type = {org_type!r}; use one of {', '.join(ORG_TYPES)}")
    detected = detect_kind(rows)
    kind = kind or detected
    if kind is None:
        raise IngestError(
            f"{name}: cannot tell what kind of return this is (no headers about 30-day payment, "
            "5-day payment, days 31-60/61+ or BPPC trade invoices found); pass the kind: "
            f"{', '.join(KINDS)}")
    recs = _bppc(rows) if kind == "nhs_bppc" else _tabular(rows, kind)
    if not recs.rows and not recs.skipped:
        raise IngestError(f"{name}: no {LABELS[kind]} found")
    notes = [f"{LABELS[kind]}; read as {how}"] + recs.notes
    if detected and detected != kind:
        notes.append(f"kind {kind} given; the headers look like {detected}")
    df = _frame(recs.rows)
    rows_read = len(recs.rows) + sum(recs.skipped.values())
    return _typed(df, kind, name, org_id, org_name, org_type, date_order, rows_read,
                  recs.skipped, notes, source_dataset or f"{LABELS[kind]} ({Path(path).name})")


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols and k not in ("__lines", "__cells"):
                cols.append(k)
    data = {c: [None if r.get(c) is None else str(r.get(c)) for r in rows] for c in cols}
    df = pl.DataFrame(data, schema={c: pl.String for c in cols})
    if rows and "__cells" in rows[0]:
        df = df.with_columns(pl.Series("__cells", [json.dumps(r.get("__cells", {})) for r in rows]),
                             pl.Series("__linespan", [
                                 f"lines {min(r['__lines'])}-{max(r['__lines'])}, {r['_period']}"
                                 for r in rows]))
        df = df.with_columns(pl.Series(ROW, list(range(1, len(rows) + 1)), dtype=pl.Int64))
    else:
        df = df.with_columns(pl.col("__line").cast(pl.Int64).alias(ROW)) if rows else df
    return df


def _pct(col: str) -> pl.Expr:
    return V.parse_number(pl.col(col))


def _typed(df: pl.DataFrame, kind: str, name: str, org_id: str | None, org_name: str | None,
           org_type: str | None, date_order: str, rows_read: int, skipped: dict[str, int],
           notes: list[str], dataset: str) -> IngestResult:
    if df.height == 0:
        return finish(ORG_PAYMENT_PERFORMANCE.empty().with_columns(pl.lit(0, pl.Int64).alias(ROW)),
                      empty_rejects(),
                      ORG_PAYMENT_PERFORMANCE, rows_read=rows_read, source_file=name,
                      source_dataset=dataset, skipped=skipped, notes=notes)
    t = V.thresholds()
    have = set(df.columns)

    def col(c: str) -> pl.Expr:
        return pl.col(c) if c in have else pl.lit(None, pl.String)

    # periods: explicit start/end columns, else the label
    labels = df["_period"].unique().to_list() if "_period" in have else []
    parsed = {lab: V.parse_period_label(re.sub(r"(?i)^\s*(ytd|year to date)\s*", "", lab))
              for lab in labels if lab is not None}
    lab_start = {k: v[0] for k, v in parsed.items() if v}
    lab_end = {k: v[1] for k, v in parsed.items() if v}
    df = V.with_dates(df, {"__start": "period_start", "__end": "period_end"} if {
        "period_start", "period_end"} <= have else {}, date_order, problem_prefix="__bad_")
    if "filing_date" in have:
        df = V.with_dates(df, {"__filed": "filing_date"}, date_order, problem_prefix="__bad_")
    start = pl.coalesce(
        pl.col("__start") if "__start" in df.columns else pl.lit(None, pl.Date),
        col("_period").replace_strict(lab_start, default=None, return_dtype=pl.Date))
    end = pl.coalesce(
        pl.col("__end") if "__end" in df.columns else pl.lit(None, pl.Date),
        col("_period").replace_strict(lab_end, default=None, return_dtype=pl.Date))
    regime = pl.col("__kind").replace_strict(REGIME, return_dtype=pl.String)
    basis = pl.col("__kind").replace_strict(DAY_COUNT_BASIS, return_dtype=pl.String)
    name_col = col("org_name")
    out = df.select(
        pl.col(ROW),
        pl.lit(org_id, pl.String).alias("org_id"),
        pl.coalesce(name_col, pl.lit(org_name, pl.String)).alias("org_name"),
        pl.lit(org_type or DEFAULT_ORG_TYPE.get(kind), pl.String).alias("org_type"),
        regime.alias("regime"),
        col("report_id").alias("report_id"),
        start.alias("period_start"),
        end.alias("period_end"),
        (pl.col("__filed") if "__filed" in df.columns else pl.lit(None, pl.Date)).alias(
            "filing_date"),
        basis.alias("day_count_basis"),
        *[_pct(c).alias(c) for c in PCT_FIELDS if c in have],
        *[V.parse_amount(pl.col(c)).alias(c) for c in MONEY_FIELDS if c in have],
        *([V.parse_number(pl.col("avg_days_to_pay")).alias("avg_days_to_pay")]
          if "avg_days_to_pay" in have else []),
        col("approved_by").alias("approved_by"),
        pl.col("_segment").alias("payee_segment") if "_segment" in have
        else pl.lit("all").alias("payee_segment"),
    )
    rejects: list[pl.DataFrame] = []
    shown = {c: c.replace("_", " ") for c in have}
    for c in (*PCT_FIELDS, *MONEY_FIELDS, "avg_days_to_pay"):
        if c in have:
            frame = df.select(ROW, pl.col(c).alias("v")).with_columns(out[c].alias("t"))
            rejects.append(make_rejects(
                frame, pl.col("v").is_not_null() & pl.col("t").is_null(), shown[c],
                "not a number" if c not in MONEY_FIELDS else "not an amount in pounds", name,
                value=pl.col("v")))
            rejects.append(make_rejects(
                frame, pl.col("t").is_not_null() & ~pl.col("t").is_finite(), shown[c],
                "not a finite number (too large to hold)", name, value=pl.col("v")))
    for c, bad in (("period_start", "__bad___start"), ("period_end", "__bad___end"),
                   ("filing_date", "__bad___filed")):
        if bad in df.columns:
            frame = df.select(ROW, pl.col(bad).alias("why"), pl.col(c).alias("v"))
            rejects.append(make_rejects(frame, pl.col("why").is_not_null(), shown[c],
                                        pl.col("why"), name, value=pl.col("v")))
    frame = df.select(ROW, col("_period").alias("v")).with_columns(
        out["period_start"].alias("s"), out["period_end"].alias("e"))
    rejects.append(make_rejects(
        frame, pl.col("s").is_null() | pl.col("e").is_null(), "period",
        "period not recognised (expected e.g. 2024-25, 2024 to 2025, Q1 2024-25, April to "
        "June 2024, or start and end date columns)", name, value=pl.col("v")))
    frame = out.select(ROW, "period_start", "period_end")
    rejects.append(make_rejects(frame, pl.col("period_end") < pl.col("period_start"), "period",
                                "period ends before it starts", name,
                                value=pl.format("{} to {}", "period_start", "period_end")))
    if out["org_name"].null_count():
        frame = out.select(ROW, "org_name")
        rejects.append(make_rejects(frame, pl.col("org_name").is_null(), "org_name",
                                    "no organisation name: pass org_name (--set org_name=...)",
                                    name))
    if kind == "nhs_bppc":
        out, bppc_rejects = _bppc_measures(df, out, name, t)
        rejects += bppc_rejects
    pcts = [c for c in (*PCT_FIELDS, "paid_within_target_count_pct", "paid_within_target_value_pct")
            if c in out.columns]
    out = out.with_columns(_flags(kind, t, pcts, "avg_days_to_pay" in out.columns))
    out = out.drop([c for c in out.columns if c.startswith("__") and c != ROW])
    rej = pl.concat([r for r in rejects if r.height]) if any(r.height for r in rejects) else None
    res = finish(out, rej if rej is not None else empty_rejects(), ORG_PAYMENT_PERFORMANCE,
                 rows_read=rows_read, source_file=name, source_dataset=dataset, skipped=skipped,
                 notes=notes)
    if kind == "nhs_bppc" and res.accepted.height:
        spans = dict(zip(df[ROW].cast(pl.String).to_list(), df["__linespan"].to_list()))
        res.accepted = res.accepted.with_columns(
            pl.col("source_row_id").replace_strict(spans, default=None))
    return res


def _bppc_measures(df: pl.DataFrame, out: pl.DataFrame, name: str, t: dict[str, float]
                   ) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    have = set(df.columns)

    def num(c: str) -> pl.Expr:
        return V.parse_number(pl.col(c)) if c in have else pl.lit(None, pl.Float64)

    total_n, within_n = num("total_number"), num("within_number")
    total_v = pl.coalesce(num("total_value_000") * 1000, num("total_value"))
    within_v = pl.coalesce(num("within_value_000") * 1000, num("within_value"))
    pct_n, pct_v = num("pct_number"), num("pct_value_000")
    pct_v = pl.coalesce(pct_v, num("pct_value"))
    calc_n = within_n / total_n * 100
    calc_v = within_v / total_v * 100
    tol = t["published_pct_tolerance_pct"]
    measures = df.select(
        pl.col(ROW),
        total_n.cast(pl.Int64, strict=False).alias("invoices_paid_count"),
        total_v.round(2).alias("invoices_paid_value_gbp"),
        pl.coalesce(pct_n, calc_n.round(2)).alias("paid_within_target_count_pct"),
        pl.coalesce(pct_v, calc_v.round(2)).alias("paid_within_target_value_pct"),
        (((pct_n - calc_n).abs() > tol) | ((pct_v - calc_v).abs() > tol)).fill_null(False)
        .alias("__inconsistent"),
        pl.col("_period").str.contains(r"(?i)ytd|year to date").alias("__ytd"),
    )
    rejects = []
    cells = df["__cells"].to_list()
    for c in ("total_number", "within_number", "total_value_000", "within_value_000",
              "pct_number", "pct_value_000", "total_value", "within_value", "pct_value"):
        if c in have:
            frame = df.select(ROW, pl.col(c).alias("v")).with_columns(
                V.parse_number(pl.col("v")).alias("t"), pl.Series("where", [
                    json.loads(x).get(c, c) if x else c for x in cells]))
            rejects.append(make_rejects(frame, pl.col("v").is_not_null() & pl.col("t").is_null(),
                                        None, pl.format("not a number ({})", pl.col("where")),
                                        name, value=pl.col("v")))
    return out.join(measures, on=ROW, how="left"), rejects


def _flags(kind: str, t: dict[str, float], pcts: list[str], has_avg: bool = False) -> pl.Expr:
    def flag(cond: pl.Expr, label: str) -> pl.Expr:
        return pl.when(cond.fill_null(False)).then(pl.lit(label)).otherwise(None)

    flags = [pl.lit(None, pl.String)]
    if has_avg:  # an average time to pay cannot be negative
        flags.append(flag(pl.col("avg_days_to_pay") < 0, "avg_days_negative"))
    if pcts:
        flags.append(flag(pl.any_horizontal([(pl.col(c) < 0) | (pl.col(c) > 100) for c in pcts]),
                          "pct_out_of_range"))
    if kind == "pa2023_pcn":
        b = [pl.col(c) for c in ("paid_within_30_days_pct", "paid_31_to_60_days_pct",
                                 "paid_over_60_days_pct") if c in pcts]
        if len(b) == 3:
            flags.append(flag((pl.sum_horizontal(b) - 100).abs()
                              > t["ppr_bucket_sum_tolerance_pct"], "buckets_not_100"))
    if kind == "nhs_bppc":
        flags.append(flag(pl.col("__inconsistent"), "pct_inconsistent"))
        flags.append(flag(pl.col("__ytd"), "year_to_date"))
    return pl.concat_list(flags).list.drop_nulls().alias("quality_flags")
