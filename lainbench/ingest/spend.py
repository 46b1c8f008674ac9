"""Read spend files into ``spend_line``: a member's own file with the canonical headers, or a
published spend transparency file (council spend over £500, NHS spend over £25,000).

Published files are messy in known ways, all handled here:

* title and parameter lines above the header (the header row is found by its names);
* a trailing ``Total`` row and blank rows (skipped and counted, never summed);
* amounts quoted with thousands commas (``"1,534.24"``) next to bare ones (``900``);
* net or gross of VAT stated in a header (``Invoice Nett Amount``) or preamble, else ``unknown``;
* no supplier ids (``supplier_id`` stays null: suppliers are matched by name later);
* the publication threshold (``Invoice Threshold Nett Amt: 500``) read from the preamble or given
  with ``--threshold``; recorded per line in ``publication_threshold_gbp`` so a share of spend is
  never read as a share of all spend. Lines below it are kept and counted in the notes;
* ``†`` (U+2020) left where a non-breaking space was mis-converted (MacRoman) is read as a space,
  with a count in the notes.

The date column tells what date it is: ``date_basis`` is ``payment`` (a payment date column),
``invoice`` (an invoice date: Lambeth publishes invoice creation dates in a file filtered by
approval date) or ``period`` (a totals file with no date column: give ``--set period=YYYY-MM``).

rows read = accepted + rejected + skipped (blank and total rows).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "spend.csv"
>>> _ = p.write_text("Council spend report\\nInvoice Threshold Nett Amt: 500\\n,,\\n"
...     "Body,Supplier Name,Invoice Creation Date,Invoice Nett Amount\\n"
...     'Lambeth,Acme Ltd,08/06/2012,"1,534.24"\\nLambeth,Beta plc,09/06/2012,900\\n'
...     'Lambeth,Gamma,31/06/2012,600\\nTotal,,,"3,034.24"\\n,,,\\n')
>>> res = ingest_spend(p)
>>> res.summary().split(": ", 1)[1]
'5 rows read = 2 accepted + 1 rejected + 2 skipped (1 total rows, 1 blank rows)'
>>> res.accepted.select("amount_gbp", "amount_basis", "date_basis", "publication_threshold_gbp").rows()
[(1534.24, 'net', 'invoice', 500.0), (900.0, 'net', 'invoice', 500.0)]
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from lainbench.errors import IngestError
from lainbench.ingest.common import ROW, IngestResult, add_lineage, empty_rejects, make_rejects
from lainbench.ingest.tabular import (
    check_file,
    find_header_row,
    head_rows,
    is_excel,
    open_text,
    read_excel_strings,
    unique_names,
)
from lainbench.ingest.values import (
    clean,
    date_problem,
    is_total_label,
    normalise_header,
    parse_amount,
    parse_date,
)
from lainbench.schemas import SPEND_LINE

# canonical column -> header names (normalised) that mean it; canonical names first
ALIASES: dict[str, tuple[str, ...]] = {
    "buyer_org_id": ("buyer org id", "body", "body name", "organisation", "organisation name",
                     "icb", "ccg", "trust", "council", "authority", "entity"),
    "line_id": ("line id", "transaction number", "transaction id", "transaction no",
                "invoice number", "invoice no", "document number", "reference", "ref"),
    "supplier_id": ("supplier id", "vendor id", "supplier number", "supplier code",
                    "vendor number", "supplier reference"),
    "supplier_name": ("supplier name", "supplier", "payee", "payee name", "vendor",
                      "vendor name", "merchant name", "beneficiary", "creditor"),
    "amount_gbp": ("amount gbp", "amount", "invoice nett amount", "invoice net amount",
                   "net amount", "nett amount", "gross amount", "amount paid", "value",
                   "sum of invoice nett amount", "sum of amount", "transaction amount",
                   "amount excl vat", "amount excluding vat", "amount inc vat",
                   "amount including vat", "total", "total amount", "net value"),
    "amount_basis": ("amount basis", "vat basis"),
    "payment_date": ("payment date", "date paid", "paid date", "transaction date", "date",
                     "invoice creation date", "invoice date", "posting date", "payment run date"),
    "spend_category": ("spend category", "expenditure category", "category", "purpose",
                       "service category", "proclass", "sercop category"),
    "expense_type": ("expense type", "subj description", "subjective description",
                     "expense area", "expenditure type", "account description", "description"),
    "department": ("department", "service area", "directorate", "service division", "service",
                   "cost centre", "division"),
    "is_addressable": ("is addressable", "addressable"),
}
INVOICE_DATE_HEADERS = ("invoice creation date", "invoice date")
_THRESHOLD_RE = re.compile(r"(?i)(?:threshold[^0-9£]*£?|(?:over|above|exceeding)\s*£)\s*([0-9][0-9,]*(?:\.[0-9]+)?)")
_NET_RE = re.compile(r"(?i)\b(nett?|excl(uding)?\.? vat|ex vat|excluding)\b")
_GROSS_RE = re.compile(r"(?i)\b(gross|incl(uding)?\.? vat|inc vat)\b")
_JUNK = "\u2020\u00a0\u202f"  # mis-converted spaces


def _score(cells: list[str], aliases: dict[str, tuple[str, ...]] = ALIASES) -> int:
    names = {normalise_header(c) for c in cells if c}
    return sum(any(n in aliases[k] or n == k.replace("_", " ") for n in names)
               for k in ("supplier_name", "amount_gbp", "payment_date", "buyer_org_id", "department"))


def _load_mapping(path: str | Path | None) -> dict[str, tuple[str, ...]]:
    if path is None:
        return ALIASES
    from lainbench.params import read_yaml

    data = read_yaml(path)
    merged = dict(ALIASES)
    for canon, names in data.items():
        if canon not in SPEND_LINE.columns:
            raise IngestError(f"{path}: {canon!r} is not a spend_line column; use one of "
                              f"{', '.join(c for c in ALIASES)}")
        names = [names] if isinstance(names, str) else list(names or [])
        merged[canon] = tuple(normalise_header(n) for n in names) + merged.get(canon, ())
    return merged


def match_spend_headers(headers: list[str], aliases: dict[str, tuple[str, ...]] = ALIASES) -> dict[str, str]:
    """Canonical column -> source header; each source header used once, earliest alias wins.

    >>> match_spend_headers(["Body", "Supplier Name", "Invoice Creation Date", "Invoice Nett Amount"])
    {'buyer_org_id': 'Body', 'supplier_name': 'Supplier Name', 'amount_gbp': 'Invoice Nett Amount', 'payment_date': 'Invoice Creation Date'}
    """
    norm = {h: normalise_header(h) for h in headers}
    used: set[str] = set()
    out: dict[str, str] = {}
    for canon, names in aliases.items():
        for alias in (canon.replace("_", " "), *names):
            hit = next((h for h in headers if norm[h] == alias and h not in used), None)
            if hit:
                out[canon] = hit
                used.add(hit)
                break
    return out


def _threshold_from(preamble: list[list[str]]) -> float | None:
    for row in preamble:
        text = ",".join(c.replace("\u2020", " ") for c in row if c)  # "£25,000" split by the CSV
        if m := _THRESHOLD_RE.search(text):
            return float(m.group(1).rstrip(",").replace(",", ""))
    return None


def _basis_from(texts: list[str]) -> str:
    joined = " ".join(texts)
    net, gross = bool(_NET_RE.search(joined)), bool(_GROSS_RE.search(joined))
    return "net" if net and not gross else "gross" if gross and not net else "unknown"


def _read_rows(p: Path, sheet: str | int | None, aliases: dict[str, tuple[str, ...]] = ALIASES,
               ) -> tuple[list[str], pl.DataFrame, list[list[str]], int]:
    """Header, body (strings, with ``__row``), preamble rows and the header's line number."""
    def score(cells: list[str]) -> int:
        return _score(cells, aliases)

    if is_excel(p):
        grid = read_excel_strings(p, sheet)
        rows = [["" if v is None else str(v).strip() for v in r] for r in grid.head(50).iter_rows()]
        hi = find_header_row(rows, score)
        if hi is None:
            raise IngestError(_no_header(p, rows))
        headers = unique_names(rows[hi])
        body = grid.slice(hi + 1)
        body.columns = headers[: body.width] + [f"column_{i}" for i in range(len(headers), body.width)]
        return headers, body, rows[:hi], hi + 1
    with open_text(p) as src:
        rows = head_rows(src.path, 60, src.delimiter)
        hi = find_header_row(rows, score)
        if hi is None:
            raise IngestError(_no_header(p, rows))
        headers = unique_names(rows[hi])
        body = pl.read_csv(src.path, separator=src.delimiter, skip_rows=hi, has_header=True,
                           infer_schema=False, new_columns=headers, truncate_ragged_lines=True)
        return headers, body, rows[:hi], hi + 1


def _no_header(p: Path, rows: list[list[str]]) -> str:
    shown = " | ".join(", ".join(c for c in r if c)[:60] for r in rows[:5])
    return (f"{p}: no header row found in the first lines (looked for a supplier, an amount and a "
            f"date column; first lines: {shown}). Use the canonical headers (buyer_org_id, "
            "supplier_name, amount_gbp, payment_date ...) or give --mapping YAML")


def ingest_spend(path: str | Path, buyer_org_id: str | None = None, threshold_gbp: float | None = None,
                 mapping: str | Path | None = None, source_dataset: str | None = None,
                 period: str | None = None, amount_basis: str | None = None,
                 sheet: str | int | None = None, **options: object) -> IngestResult:
    """Read a spend file into ``spend_line``.

    ``buyer_org_id``: the buyer when the file has no buyer column. ``threshold_gbp``: the
    publication threshold (else read from the preamble, else unknown). ``mapping``: YAML of
    ``canonical_column: [source header, ...]``. ``period``: ``YYYY-MM`` for a totals file with no
    date column. ``amount_basis``: ``net``/``gross`` when the file says so elsewhere.
    """
    unknown = sorted(k for k, v in options.items() if v is not None)
    if unknown:
        raise IngestError(f"ingest spend: unknown option(s) {', '.join(unknown)}; options are "
                          "--buyer, --threshold, --mapping, --dataset, --set period=YYYY-MM, "
                          "--set amount_basis=net|gross, --set sheet=N")
    if amount_basis not in (None, "net", "gross", "unknown"):
        raise IngestError(f"ingest spend: amount_basis={amount_basis!r}; expected net or gross")
    p = check_file(path)
    aliases = _load_mapping(mapping)
    headers, body, preamble, header_line = _read_rows(p, sheet, aliases)
    cols = match_spend_headers(headers, aliases)
    for need in ("amount_gbp",):
        if need not in cols:
            raise IngestError(f"{p}: no amount column among {', '.join(headers)}; name it "
                              "amount_gbp or give --mapping YAML with amount_gbp: [your header]")
    notes: list[str] = []
    if header_line > 1:
        notes.append(f"header on line {header_line}; {header_line - 1} line(s) above it read as "
                     "the file's title and parameters; source_row counts data rows below the header")
    threshold = threshold_gbp if threshold_gbp is not None else _threshold_from(preamble)
    threshold_src = "given" if threshold_gbp is not None else "read from the file" if threshold else None
    texts = [cols["amount_gbp"], *(" ".join(r) for r in preamble)]
    basis = amount_basis or _basis_from(texts)
    if "payment_date" in cols:
        date_basis = "invoice" if normalise_header(cols["payment_date"]) in INVOICE_DATE_HEADERS else "payment"
    elif period:
        date_basis = "period"
    else:
        raise IngestError(
            f"{p}: no date column among {', '.join(headers)}; for a totals file give the month it "
            "covers with --set period=YYYY-MM, or name the date column payment_date")
    src = body.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    n_read = src.height
    dagger = 0
    for h in headers:
        if h in src.columns:
            dagger += int(src[h].str.count_matches("\u2020").fill_null(0).sum() or 0)
    raw = src.select(ROW, *[pl.col(h).str.replace_all("\u2020", " ").alias(c) for c, h in cols.items()])
    if dagger:
        notes.append(f"{dagger:,} '\u2020' characters (mis-converted non-breaking spaces) read as spaces")
    data_cols = [c for c in cols]
    blank = pl.all_horizontal([pl.col(c).fill_null("").str.strip_chars(" \t" + _JUNK) == ""
                               for c in data_cols])
    first_text = pl.coalesce([clean(pl.col(c)) for c in data_cols if c != "amount_gbp"]) \
        if len(data_cols) > 1 else pl.lit(None, pl.String)
    total = ~blank & is_total_label(first_text)
    flagged = raw.with_columns(blank.alias("__blank"), total.alias("__total"))
    n_blank = int(flagged["__blank"].sum())
    n_total = int(flagged["__total"].sum())
    rows = flagged.filter(~pl.col("__blank") & ~pl.col("__total"))

    def text(c: str) -> pl.Expr:
        if c not in rows.columns:
            return pl.lit(None, pl.String).alias(c)
        return clean(pl.col(c).str.strip_chars(" \t" + _JUNK).str.replace_all(r"\s+", " ")).alias(c)

    amount = parse_amount(pl.col("amount_gbp")).alias("amount_gbp")
    if date_basis == "period":
        try:
            start = dt.date.fromisoformat(f"{period}-01")
        except ValueError:
            raise IngestError(f"ingest spend: period={period!r}; expected YYYY-MM") from None
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        date_expr = pl.lit(end).alias("payment_date")
        notes.append(f"no date column: every line dated {end} (end of period {period}); lines are "
                     "totals for the period, not payments")
    else:
        date_expr = parse_date(pl.col("payment_date"), "dmy").alias("payment_date")
    buyer = (text("buyer_org_id") if "buyer_org_id" in cols else pl.lit(buyer_org_id).alias("buyer_org_id"))
    if "buyer_org_id" in cols and buyer_org_id:
        buyer = pl.coalesce(text("buyer_org_id"), pl.lit(buyer_org_id)).alias("buyer_org_id")
    if "buyer_org_id" not in cols and not buyer_org_id:
        raise IngestError(f"{p}: no buyer column among {', '.join(headers)}; give --buyer ID")
    basis_expr = (text("amount_basis").str.to_lowercase().alias("amount_basis")
                  if "amount_basis" in cols else pl.lit(basis).alias("amount_basis"))
    addressable = (pl.col("is_addressable").str.strip_chars().str.to_lowercase()
                   .replace_strict({"true": True, "yes": True, "y": True, "1": True, "false": False,
                                    "no": False, "n": False, "0": False}, default=None,
                                   return_dtype=pl.Boolean).alias("is_addressable")
                   if "is_addressable" in cols else pl.lit(None, pl.Boolean).alias("is_addressable"))
    typed = rows.select(
        ROW, buyer, text("line_id"), text("supplier_id"), text("supplier_name"), amount, basis_expr,
        date_expr, text("spend_category"), text("expense_type"), text("department"), addressable,
        pl.lit(date_basis).alias("date_basis"),
        pl.lit(threshold, pl.Float64).alias("publication_threshold_gbp"),
        *([pl.col("amount_gbp").alias("__amount_raw")]),
        *([pl.col("payment_date").alias("__date_raw")] if "payment_date" in cols else
          [pl.lit(None, pl.String).alias("__date_raw")]),
        *([pl.col("is_addressable").alias("__addr_raw")] if "is_addressable" in cols else
          [pl.lit(None, pl.String).alias("__addr_raw")]),
    )
    name = p.name
    checks = [
        make_rejects(typed, pl.col("buyer_org_id").is_null(), "buyer_org_id",
                     "missing buyer (no value and no --buyer given)", name),
        make_rejects(typed, clean(pl.col("__amount_raw")).is_null(), "amount_gbp",
                     "missing amount", name, value=pl.col("__amount_raw")),
        make_rejects(typed, clean(pl.col("__amount_raw")).is_not_null() & pl.col("amount_gbp").is_null(),
                     "amount_gbp", "not an amount (expected e.g. 1,234.56, £900 or (12.00))",
                     name, value=pl.col("__amount_raw")),
        make_rejects(typed, ~pl.col("amount_basis").is_in(["net", "gross", "unknown"]),
                     "amount_basis", "not one of net, gross, unknown", name),
        make_rejects(typed, clean(pl.col("__addr_raw")).is_not_null() & pl.col("is_addressable").is_null(),
                     "is_addressable", "not a true/false value", name, value=pl.col("__addr_raw")),
    ]
    if date_basis != "period":
        checks += [
            make_rejects(typed, clean(pl.col("__date_raw")).is_null(), "payment_date",
                         "missing date", name, value=pl.col("__date_raw")),
            make_rejects(typed, clean(pl.col("__date_raw")).is_not_null() & pl.col("payment_date").is_null(),
                         "payment_date", date_problem(pl.col("__date_raw"), "dmy").fill_null(
                             "not a recognised date"), name, value=pl.col("__date_raw")),
        ]
    rej = pl.concat([c for c in checks if c.height] or [empty_rejects()]).sort("source_row")
    ok = typed.filter(~pl.col(ROW).is_in(rej["source_row"].implode()))
    if threshold is not None:
        below = ok.filter(pl.col("amount_gbp").abs() < threshold).height
        notes.append(f"publication threshold £{threshold:,.0f} ({threshold_src})"
                     + (f"; {below:,} line(s) below it kept" if below else ""))
    else:
        notes.append("publication threshold unknown: give --threshold GBP (council files: 500; "
                     "NHS: 25000) so spend shares are not read as shares of all spend")
    negative = ok.filter(pl.col("amount_gbp") < 0).height
    if negative:
        notes.append(f"{negative:,} negative amount(s) kept (credit notes or refunds)")
    if "amount_basis" in cols:
        notes.append("amount basis: per line (amount_basis column)")
    else:
        notes.append(f"amount basis: {basis}" + (" (given)" if amount_basis else " (from the header / preamble)"))
    ok = add_lineage(ok, source_dataset or f"spend:{name}", None).sort(ROW)
    accepted = SPEND_LINE.conform(ok.drop(ROW, "__amount_raw", "__date_raw", "__addr_raw"), source=str(path))
    return IngestResult(
        table=SPEND_LINE, accepted=accepted, rejects=rej, rows_read=n_read,
        skipped={k: v for k, v in (("total rows", n_total), ("blank rows", n_blank)) if v},
        source_file=str(path), notes=notes,
    )
