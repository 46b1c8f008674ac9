"""Excel templates for the files members fill in by hand: ``lainbench template
suppliers|spend|contracts|terms --out FILE.xlsx``.

Each workbook has a ``data`` sheet (first, so the ingest reads it) whose header row holds the
canonical column names of the table (``lainbench.schemas``), required ones in bold, with the
allowed values as drop-down lists and date cells formatted ``yyyy-mm-dd``; and a ``notes`` sheet
saying, for every column, what it means, whether it is required and which values it takes. A
filled template reads back through ``lainbench ingest KIND`` (``spend``: the spend reader, which
takes the canonical ``spend_line`` headers) with no mapping.

>>> import tempfile, pathlib
>>> out = write_template("terms", pathlib.Path(tempfile.mkdtemp()) / "terms.xlsx")
>>> out.name
'terms.xlsx'
>>> template_columns("terms")[:3]
['buyer_org_id', 'spend_category', 'supplier_size_band']
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lainbench.errors import IngestError
from lainbench.schemas import (
    CONTRACT_AWARD,
    OWNERSHIP_FLAGS,
    PAYMENT_TERMS,
    SPEND_LINE,
    SUPPLIER,
    TRI_STATE,
    Table,
)

LINEAGE = ("source_dataset", "source_url", "source_row_id", "ingested_at")
ROWS = 2_000  # rows with drop-downs and formats
TABLES: dict[str, Table] = {
    "suppliers": SUPPLIER, "spend": SPEND_LINE, "contracts": CONTRACT_AWARD,
    "terms": PAYMENT_TERMS,
}
TRI = "true, false or unknown (unknown is an answer: never guess)"
NOTES: dict[str, dict[str, str]] = {
    "suppliers": {
        "buyer_org_id": "Your member id (e.g. eastbank_council); may be left out of the file and "
                        "given with --buyer.",
        "supplier_id": "Your own supplier number, the one your spend and contract files use.",
        "supplier_name": "Registered name.",
        "companies_house_number": "8 characters (e.g. 01234567, SC123456) where the supplier is a "
                                  "registered company.",
        "size_band": "micro, small, medium, large, or unknown when you do not know it. Micro: under "
                     "10 staff; small: under 50; medium: under 250 (with the turnover or balance "
                     "sheet test of the definition you use).",
        "size_source": "Where the size comes from: supplier_declaration, companies_house (accounts "
                       "category), notice_scale (a procurement notice's sme/large), buyer_register.",
        "size_as_of_date": "Date the size was declared or checked (yyyy-mm-dd).",
        "diverse_led": f"Owned or led by people from under-represented groups: {TRI}. Must be true "
                       "when any of the next three is true.",
        "ethnic_minority_led": f"Ethnic-minority-led: {TRI}.",
        "women_led": f"Women-led: {TRI}.",
        "disabled_led": f"Disabled-led: {TRI}.",
        "vcse": f"Voluntary, community or social enterprise: {TRI}.",
        "social_enterprise": f"Social enterprise (e.g. a CIC): {TRI}.",
        "ownership_source": "Where the ownership answers come from (e.g. supplier_declaration).",
        "ownership_as_of_date": "Date of the ownership answers.",
        "postcode": "Postcode of the place the supplier is based and operates from.",
        "is_london": f"Based in London: {TRI}.",
    },
    "spend": {
        "buyer_org_id": "Your member id; may be given with --buyer instead.",
        "line_id": "Your payment or invoice line reference.",
        "supplier_id": "Supplier number as in your supplier register.",
        "supplier_name": "Supplier (payee) name.",
        "amount_gbp": "Amount paid in pounds (negative for a credit).",
        "amount_basis": "net (excluding VAT), gross (including VAT) or unknown.",
        "payment_date": "Date paid (yyyy-mm-dd).",
        "spend_category": "Category code, e.g. works, facilities, it, care; the non-addressable "
                          "ones (payroll, pensions, taxes_and_levies, inter_authority_transfers, "
                          "grants, business_rates, ...) are listed in params/addressable_spend.yaml.",
        "expense_type": "Expense type as in your ledger (optional).",
        "department": "Department or service area (optional).",
        "is_addressable": "TRUE/FALSE if you flag addressable spend yourself (optional; the "
                          "network's common exclusions apply in any case).",
        "exclusion_reason": "Why a line you flag FALSE is not addressable.",
        "publication_threshold_gbp": "The threshold of a published spend file (e.g. 500).",
    },
    "contracts": {
        "buyer_org_id": "Your member id; may be given with --buyer instead.",
        "award_id": "Your contract or award reference.",
        "ocid": "Open contracting id of the notice, if any.",
        "contract_title": "Title.",
        "supplier_id": "Supplier number as in your supplier register.",
        "supplier_name": "Supplier awarded.",
        "supplier_scale": "The notice's supplier scale: sme, large or unknown (used only when the "
                          "supplier register does not know the size).",
        "supplier_is_vcse": f"Supplier is a VCSE (per the notice): {TRI}.",
        "value_gbp": "Awarded value in pounds.",
        "value_basis": "net (excluding VAT), gross (including VAT) or unknown.",
        "award_date": "Date of award (yyyy-mm-dd).",
        "procedure": "Procedure (open, competitive_flexible, direct_award, quotation, "
                     "framework_call_off, ...).",
        "lot_id": "Lot, if the award is one lot of several.",
        "is_reserved": "TRUE if the procurement was reserved (PPN 005: below threshold).",
        "reservation_basis": "sme, vcse, location, sme_and_location or vcse_and_location. Under "
                             "PPN 005 (from 24 Feb 2025) an SME or VCSE reservation comes with a "
                             "location one.",
        "is_framework": "TRUE for a call-off under a framework.",
        "value_split_unknown": "TRUE when a framework's value cannot be split between suppliers.",
        "suitable_for_sme": f"Notice marked suitable for SMEs: {TRI}.",
        "suitable_for_vcse": f"Notice marked suitable for VCSEs: {TRI}.",
        "notice_type": "Notice type, if from a notice.",
    },
    "terms": {
        "buyer_org_id": "Your member id; may be given with --buyer instead.",
        "spend_category": "Category the terms apply to (the codes of your spend file).",
        "supplier_size_band": "all, or a size band where terms differ by supplier size.",
        "standard_terms_days": "Standard payment terms in days (e.g. 30).",
        "terms_basis": "invoice_receipt (days from receiving the invoice) or end_of_month "
                       "(days from the end of the invoice's month).",
        "dispute_window_days": "Days you allow yourself to dispute an invoice.",
        "e_invoicing_accepted": "TRUE if you accept e-invoices.",
        "supply_chain_finance_offered": "TRUE if you offer supply-chain finance.",
        "terms_conditions_pages": "Length of your standard terms and conditions, in pages.",
        "as_of_date": "Date these terms applied from (yyyy-mm-dd).",
        "review_stage": "before_review, after_review, or current if you have not reviewed them.",
    },
}


def template_columns(kind: str) -> list[str]:
    """The header row of ``kind``'s template: the table's columns less lineage."""
    return [c for c in _table(kind).columns if c not in LINEAGE]


def _table(kind: str) -> Table:
    if kind not in TABLES:
        raise IngestError(f"unknown template {kind!r}; choose one of {', '.join(TABLES)}")
    return TABLES[kind]


def allowed_values(kind: str, column: str) -> list[str] | None:
    """The drop-down values of a column (enumerations, true/false/unknown, TRUE/FALSE)."""
    table = _table(kind)
    if column in table.enums:
        return list(table.enums[column])
    if column in (*OWNERSHIP_FLAGS, "is_london") and table.columns[column] == pl.String():
        return list(TRI_STATE)
    if table.columns[column] == pl.Boolean():
        return ["TRUE", "FALSE"]
    return None


def write_template(kind: str, out: str | Path) -> Path:
    """Write ``kind``'s template workbook to ``out`` (``.xlsx``); returns the path."""
    import datetime as dt

    import xlsxwriter

    table = _table(kind)
    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        raise IngestError(f"{out}: a template is an Excel workbook; give a name ending .xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = template_columns(kind)
    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    plain = wb.add_format({"bg_color": "#F2F2F2", "border": 1})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    ws = wb.add_worksheet("data")
    for i, c in enumerate(cols):
        ws.write(0, i, c, bold if c in table.required else plain)
        ws.set_column(i, i, max(14, len(c) + 2), date if table.columns[c] == pl.Date() else None)
        values = allowed_values(kind, c)
        if values:
            ws.data_validation(1, i, ROWS, i, {
                "validate": "list", "source": values,
                "error_title": c, "error_message": f"Choose one of: {', '.join(values)}"})
        elif table.columns[c] == pl.Date():
            ws.data_validation(1, i, ROWS, i, {
                "validate": "date", "criteria": "between",
                "minimum": dt.date(1990, 1, 1), "maximum": dt.date(2099, 12, 31),
                "error_message": "A date between 1990 and 2099, e.g. 2025-06-30"})
    ws.freeze_panes(1, 0)
    notes = wb.add_worksheet("notes")
    notes.set_column(0, 0, 28)
    notes.set_column(1, 1, 12)
    notes.set_column(2, 2, 90, wrap)
    notes.set_column(3, 3, 50, wrap)
    notes.write_row(0, 0, ["column", "required", "what to write", "allowed values"], bold)
    for r, c in enumerate(cols, start=1):
        values = allowed_values(kind, c)
        notes.write_row(r, 0, [c, "yes" if c in table.required else "no",
                               NOTES[kind].get(c, ""), ", ".join(values) if values else ""])
    r = len(cols) + 2
    notes.write(r, 0, "How to use", bold)
    notes.write(r + 1, 2, f"Fill one row per record on the 'data' sheet, keep the header row as it "
                          f"is, then run: lainbench ingest {kind} FILE.xlsx --out DIR "
                          "(add --buyer YOUR_ID if you leave buyer_org_id empty). Rows that cannot "
                          "be read are listed in DIR/rejects.csv with their row, column and reason.",
                wrap)
    wb.close()
    return path
