"""A model of messy invoice ledgers for the hostile-input suite, and the hypothesis profile.

A :class:`Ledger` is a list of :class:`Row` s, each with the cells written to the file and the
verdict a person would give it (``accept`` with the exact values expected in the canonical table,
``reject``, or ``skip`` as blank / total row). Verdicts come from this model, never from the code
under test. :func:`ledgers` draws ledgers with random header spellings, encodings, amount and
date formats, a title line, blank and total rows, junk cells, formula-like names, control
characters, mixed encodings and duplicate invoices.

Run more examples with ``HOSTILE_EXAMPLES=500 pytest tests/hostile``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "40"))
settings.register_profile(
    "hostile", max_examples=EXAMPLES, deadline=None, derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HOSTILE = settings.get_profile("hostile")

TODAY = dt.date(2026, 12, 1)  # passed to the ingest, so the suite does not depend on the clock

SPELLINGS = {
    "supplier_name": ["Supplier Name", "SUPPLIER", "Vendor Name", "payee name", "Beneficiary"],
    "invoice_id": ["Invoice Number", "Invoice No", "invoice id", "Inv No.", "Invoice Ref"],
    "invoice_date": ["Invoice Date", "Date of Invoice", "Document Date", "Tax Point Date"],
    "payment_date": ["Payment Date", "Date Paid", "Date Invoice Paid", "BACS date"],
    "gross_amount_gbp": ["Invoice Gross Value (£)", "Gross Amount", "Gross Value", "gross"],
}
COLUMNS = tuple(SPELLINGS)

# Names that must come through unaltered: formula triggers, quotes, commas, accents.
NAMES = ["Acme Ltd", "Bénédicte's Café", "O'Brien & Sons", "Smith, Jones and Co",
         'The "Best" Bakery', '=HYPERLINK("http://evil.example","x")', "+44 Plumbing",
         "-Minus Ltd", "@Home Care", "=1+1", "Zoë Ltd", "Total Gas & Power Ltd"]
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d %b %Y")
# per date format: impossible dates, and dates in the future (2090; a two-digit year 69)
BAD_DATES = {"%d/%m/%Y": ["31/02/2025", "01/01/1900", "soon", "29/02/2025"],
             "%Y-%m-%d": ["2025-02-31", "2025-13-01", "1900-01-01", "soon"],
             "%d %b %Y": ["31 Feb 2025", "1 Jan 1900", "soon"]}
FUTURE_DATES = {"%d/%m/%Y": ["10/02/2090", "10/02/69", "28/02/30"],
                "%Y-%m-%d": ["2090-02-10", "2031-01-01"],
                "%d %b %Y": ["10 Feb 2090", "3 Feb 69"]}
CONTROLS = ["\x00", "\x1b", "\x07", "\x7f", "\x0b"]
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")


def money(pence: int, style: str, comma: bool) -> str:
    """``pence`` written in one of the ways ledgers write money (always with two decimals)."""
    neg, p = pence < 0, abs(pence)
    pounds, pp = divmod(p, 100)
    thou, dec = (".", ",") if comma else (",", ".")
    grouped = f"{pounds:,}".replace(",", thou)
    plain = f"{pounds}{dec}{pp:02d}"
    body = {"plain": plain, "grouped": f"{grouped}{dec}{pp:02d}",
            "pound": f"£{grouped}{dec}{pp:02d}"}[style if style in ("plain", "grouped", "pound")
                                               else "plain"]
    if not neg:
        return body
    return {"plain": f"-{body}", "grouped": f"({body})", "pound": f"-{body}"}.get(
        style, f"{body} CR")


@dataclass
class Row:
    cells: dict[str, str]
    verdict: str                 # "accept", "reject", "blank" or "total row"
    expect: dict = field(default_factory=dict)  # canonical values when accepted
    utf8_name: bool = False      # name bytes written as UTF-8 inside a cp1252 file


@dataclass
class Ledger:
    headers: dict[str, str]      # canonical -> header spelling
    order: tuple[str, ...]       # column order in the file
    rows: list[Row]
    encoding: str
    date_format: str
    comma_decimals: bool
    title: bool

    def to_bytes(self) -> bytes:
        """The file as a finance system would write it (quoted where needed)."""
        out: list[bytes] = []
        if self.title:
            out.append("Ledger export (hostile test), all figures in £\r\n".encode(
                self.encoding if self.encoding != "utf-8-sig" else "utf-8"))
        enc = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        out.append(_line([self.headers[c] for c in self.order]).encode(enc))
        for r in self.rows:
            if r.utf8_name and enc == "cp1252":  # this name pasted from a UTF-8 source
                mark = "\ue000"
                line = _line([mark if c == "supplier_name" else r.cells.get(c, "")
                              for c in self.order])
                head, _, tail = line.partition(mark)
                name = _line([r.cells["supplier_name"]]).rstrip("\r\n")
                out.append(head.encode(enc) + name.encode("utf-8") + tail.encode(enc))
            else:
                out.append(_line([r.cells.get(c, "") for c in self.order]).encode(enc))
        data = b"".join(out)
        return (b"\xef\xbb\xbf" + data) if self.encoding == "utf-8-sig" else data


def _line(cells: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(cells)
    return buf.getvalue()


@st.composite
def ledgers(draw) -> Ledger:
    """A random messy ledger with the verdict for every row."""
    encoding = draw(st.sampled_from(ENCODINGS))
    date_format = draw(st.sampled_from(DATE_FORMATS))
    comma = draw(st.booleans())
    headers = {c: draw(st.sampled_from(SPELLINGS[c])) for c in COLUMNS}
    order = tuple(draw(st.permutations(COLUMNS)))
    n = draw(st.integers(1, 14))
    rows: list[Row] = []
    good: list[Row] = []
    kinds = st.sampled_from(["good", "good", "good", "credit", "junk_amount", "bad_date",
                             "blank", "total", "control", "formula_amount", "future",
                             "exact_dup", "key_dup", "huge", "sub_penny"])
    for i in range(n):
        kind = draw(kinds) if i else "good"  # the first row settles date order and decimals
        inv = dt.date(2025, 1, 1) + dt.timedelta(days=draw(st.integers(0, 600)))
        if i == 0:
            inv = inv.replace(day=25)
        paid = inv + dt.timedelta(days=draw(st.integers(0, 120)))
        pence = draw(st.integers(1, 10**9))
        style = draw(st.sampled_from(["plain", "grouped", "pound"]))
        name = draw(st.sampled_from(NAMES))
        if encoding == "cp1252":
            name = name.encode("cp1252", errors="replace").decode("cp1252")
        utf8 = encoding == "cp1252" and kind == "good" and any(ord(ch) > 127 for ch in name) \
            and draw(st.booleans())
        cells = {"supplier_name": name, "invoice_id": f"INV-{i:04d}",
                 "invoice_date": inv.strftime(date_format),
                 "payment_date": paid.strftime(date_format),
                 "gross_amount_gbp": money(pence, style, comma)}
        expect = {"supplier_name": name, "invoice_id": f"INV-{i:04d}", "invoice_date": inv,
                  "payment_date": paid, "pence": pence}
        if kind in ("good",):
            row = Row(cells, "accept", expect, utf8_name=utf8)
            good.append(row)
        elif kind == "credit":
            cells["gross_amount_gbp"] = money(-pence, style, comma)
            row = Row(cells, "accept", {**expect, "pence": -pence})
            good.append(row)
        elif kind == "junk_amount":
            cells["gross_amount_gbp"] = draw(st.sampled_from(["TBC", "1.2.3x", "£", "twelve"]))
            row = Row(cells, "reject")
        elif kind == "formula_amount":
            cells["gross_amount_gbp"] = draw(st.sampled_from(
                ["=1+1", "=cmd|' /C calc'!A0", "@SUM(A1:A9)", "+A1", "=HYPERLINK(\"x\")"]))
            row = Row(cells, "reject")
        elif kind == "bad_date":
            cells["payment_date"] = draw(st.sampled_from(BAD_DATES[date_format]))
            row = Row(cells, "reject")
        elif kind == "future":
            cells["payment_date"] = draw(st.sampled_from(FUTURE_DATES[date_format]))
            row = Row(cells, "reject")
        elif kind == "control":
            ctrl = CONTROLS + ([] if encoding == "cp1252" else ["\u202e", "\u2066"])
            cells["supplier_name"] = name[:3] + draw(st.sampled_from(ctrl)) + name[3:]
            row = Row(cells, "reject")
        elif kind == "huge":
            cells["gross_amount_gbp"] = draw(st.sampled_from(
                ["1e400", "1E21", "9" * 400, "99999999999.00" if not comma else "99999999999,00"]))
            row = Row(cells, "reject")
        elif kind == "sub_penny":
            cells["gross_amount_gbp"] = ("12.345" if not comma else "12,345") + draw(
                st.sampled_from(["", "6"]))
            row = Row(cells, "reject")
        elif kind == "blank":
            row = Row({c: "" for c in COLUMNS}, "blank")
        elif kind == "total":
            row = Row({"supplier_name": draw(st.sampled_from(["Total", "GRAND TOTAL:",
                                                              "Sub-total"])),
                       "gross_amount_gbp": money(pence, style, comma)}, "total row")
        elif kind == "exact_dup" and good:
            src = draw(st.sampled_from(good))
            row = Row(dict(src.cells), "reject", utf8_name=src.utf8_name)
        elif kind == "key_dup" and good:
            src = draw(st.sampled_from(good))
            cells = dict(src.cells)
            cells["invoice_id"] = draw(st.sampled_from(
                [src.cells["invoice_id"].lower(), src.cells["invoice_id"] + " ",
                 " " + src.cells["invoice_id"].upper()]))
            bump = 1 if src.expect["pence"] > 0 else -1  # same sign: still an invoice / a credit
            cells["gross_amount_gbp"] = money(src.expect["pence"] + bump, "plain", comma)
            row = Row(cells, "reject", utf8_name=src.utf8_name)
        else:
            row = Row(cells, "accept", expect, utf8_name=utf8)
            good.append(row)
        rows.append(row)
    return Ledger(headers, order, rows, encoding, date_format, comma, draw(st.booleans()))
