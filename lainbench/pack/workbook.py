"""The pack's Excel workbook, for finance teams: a README sheet, then one sheet per shared table.

Written with polars' ``write_excel`` (xlsxwriter underneath): headers are labels with units
(:func:`lainbench.presentation.label`), member names sit beside member ids, numbers carry Excel
formats (£ with thousands separators, % with one decimal, whole days without ".0"), columns are
autofitted so full member names show, the header row is frozen with an autofilter, every sheet
prints landscape on A4 fitted to one page wide with the header repeated, and target results carry
a red / green conditional format. Figures of suppressed rows are written as ``[c]``; text cells are
neutralised against formula injection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from lainbench import presentation as pres
from lainbench.presentation import unit as unit_of  # noqa: F401 - kept for callers of the old name

UNIT_WORDS = {"%": "%", "£": "£", "days": "days", "count": "count"}  # the units of unit_of

# What the main figures mean, for the README sheet (column -> definition and source).
DEFINITIONS: dict[str, str] = {
    "invoice_count": "paid invoices in the period (by payment date)",
    "mean_days_to_pay": "mean calendar days from the invoice being received to payment",
    "median_days_to_pay": "median calendar days from receipt to payment",
    "paid_within_30_days_pct": "share of paid invoices paid within 30 days of receipt "
                               "(Procurement Act 2023 s.68; Procurement Regulations 2024 reg 38)",
    "paid_within_terms_pct": "share of paid invoices paid within the agreed terms",
    "within_30_or_terms_pct": "share of undisputed invoices paid within 30 days or the agreed "
                              "terms, whichever is earlier (s.68 / NHS BPPC), by number",
    "interest_owed_gbp": "statutory interest plus fixed compensation owed on late payments under "
                         "the Late Payment of Commercial Debts (Interest) Act 1998",
    "statutory_interest_gbp": "interest at the Bank of England reference rate + 8% a year",
    "fixed_compensation_gbp": "£40 / £70 / £100 per late invoice by size of debt (s.5A)",
    "fair_payment_code_tier": "Fair Payment Code tier the figures support (gold, silver, bronze)",
    "insurance_flags_total": "insurance requirements flagged (bid stage, no self-certification, "
                             "employers' liability from sole traders, below statutory minimum, "
                             "disproportionate)",
    "shortfall_risk_pct": "chance a typical small supplier paid this way runs out of cash within "
                          "a year (Monte Carlo simulation)",
    "passed": "whether the target was met (green) or not (red); blank: no data",
    "suppressed": "figures hidden by disclosure control, shown as [c]",
}
MEMBER_COLUMNS = ("buyer_org_id", "org_id")


def _with_names(df: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """``df`` with a ``member`` name column right after its member id column."""
    idc = next((c for c in MEMBER_COLUMNS if c in df.columns), None)
    if idc is None or "member" in df.columns or "org_name" in df.columns:
        return df
    named = df.with_columns(pl.col(idc).replace_strict(names, default=pl.col(idc),
                                                        return_dtype=pl.String).alias("member"))
    cols = list(df.columns)
    cols.insert(cols.index(idc) + 1, "member")
    return named.select(cols)


def sheet_frame(df: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """The frame a sheet shows: names beside ids, text neutralised, whole-day columns as integers.

    >>> t = pl.DataFrame({"buyer_org_id": ["a"], "median_days_to_pay": [14.0], "note": ["=1"]})
    >>> sheet_frame(t, {"a": "Alpha"}).rows()
    [('a', 'Alpha', 14, "'=1")]
    """
    out = pres.neutralised(_with_names(df, names))
    whole = [c for c, t in out.schema.items() if t.is_float() and pres.unit(c) == "days"
             and _whole(out[c])]
    return out.with_columns(pl.col(c).cast(pl.Int64) for c in whole)


def _whole(s: pl.Series) -> bool:
    v = s.drop_nulls().drop_nans()
    return bool(v.len()) and bool((v == v.round(0)).all())


def number_format(col: str, dtype: pl.DataType) -> str | None:
    """The cell format of a sheet column: :func:`lainbench.presentation.excel_format`, with
    days that are not whole shown to one decimal.
    """
    fmt = pres.excel_format(col, dtype)
    if pres.unit(col) == "days" and dtype.is_float():
        return "#,##0.0"
    return fmt


def _print_setup(ws: Any, title: str, sheet: str, header_rows: int = 1) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    ws.repeat_rows(0, header_rows - 1)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header(f"&L&8{title[:120]}&R&8{sheet}")
    ws.set_footer("&L&8[c] = suppressed&R&8page &P of &N")


def write_workbook(tables: dict[str, Any], path: Path, title: str, notes: list[str]) -> Path:
    """Write the tables to an Excel workbook: a README sheet, then one sheet per table."""
    import xlsxwriter

    from lainbench.pack.shared import RETURNS_TABLE, SHARED_TABLES

    names: dict[str, str] = {}
    if "members" in tables:
        m = tables["members"]
        names = dict(zip(m["org_id"], m["org_name"], strict=True))
    tmp = path.with_name(f".{path.name}.tmp")
    wb = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True})
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EEEEEE",
                          "bottom": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    cfmt = wb.add_format({"font_color": "#8A5A00", "align": "right"})
    green = wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
    red = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})

    readme = wb.add_worksheet("README")
    readme.set_column(0, 0, 24)
    readme.set_column(1, 1, 34)
    readme.set_column(2, 2, 30)
    readme.set_column(3, 3, 90)
    # user text is written as text, never as a formula (a title may start with "=")
    readme.write_string(0, 0, pres.neutralise(title), wb.add_format({"bold": True,
                                                                    "font_size": 14}))
    row = 2
    for note in notes:
        readme.merge_range(row, 0, row, 3, "", wrap)
        readme.write_string(row, 0, pres.neutralise(note), wrap)
        readme.set_row(row, 30 if len(note) > 150 else None)
        row += 1
    row += 1
    readme.write_row(row, 0, ["Sheet", "One row is", "", ""], bold)
    for name in tables:
        row += 1
        readme.write(row, 0, name[:31])
        readme.merge_range(row, 1, row, 3, SHARED_TABLES.get(
            name, RETURNS_TABLE[1] if name == RETURNS_TABLE[0] else ""), wrap)
    row += 2
    readme.write_row(row, 0, ["Sheet", "Column", "Name in the parquet / CSV", "Definition"], bold)
    header_row = row
    for name, df in tables.items():
        for col in sheet_frame(df.head(0), names).columns:
            row += 1
            readme.write_row(row, 0, [name[:31], pres.label(col), col, DEFINITIONS.get(
                col, "member name (from the member table)" if col == "member" else "")], wrap)
    readme.autofilter(header_row, 0, row, 3)
    readme.freeze_panes(1, 0)
    _print_setup(readme, title, "README")

    for name, raw in tables.items():
        sheet = name[:31]
        df = sheet_frame(raw, names)
        labels = {c: pres.label(c) for c in df.columns}
        if len(set(labels.values())) < len(labels):  # two columns read alike: keep the names
            labels = {c: c for c in df.columns}
        formats = {labels[c]: f for c in df.columns
                   if (f := number_format(c, df.schema[c])) is not None
                   and df.schema[c].is_numeric()}
        shown = df.rename(labels)
        conditional = {}
        if "passed" in df.columns:
            conditional[labels["passed"]] = [
                {"type": "cell", "criteria": "==", "value": "TRUE", "format": green},
                {"type": "cell", "criteria": "==", "value": "FALSE", "format": red}]
        freeze = (1, 2) if "member" in df.columns and df.columns.index("member") == 1 else (1, 0)
        shown.write_excel(
            wb, worksheet=sheet, column_formats=formats or None, autofit=True, autofilter=True,
            header_format={"bold": True, "text_wrap": True, "valign": "top",
                           "bg_color": "#EEEEEE", "bottom": 1},
            table_style="Table Style Light 1", freeze_panes=freeze,
            conditional_formats=conditional or None, dtype_formats={pl.Date: "dd mmm yyyy"},
            include_header=True)
        ws = wb.get_worksheet_by_name(sheet)
        ws.set_row(0, 32)
        for j, c in enumerate(df.columns):  # names in full: a character more than the longest
            if c in ("member", "org_name") and df.height:
                ws.set_column(j, j, max(12, int(df[c].str.len_chars().max() or 0) + 3))
        if "suppressed" in df.columns:
            hidden = df["suppressed"].fill_null(False).to_list()
            figure_cols = [j for j, c in enumerate(df.columns)
                           if (df.schema[c].is_numeric() or df.schema[c] == pl.Boolean
                               or c == "fair_payment_code_tier") and c != "suppressed"]
            for i, h in enumerate(hidden, start=1):
                if h:
                    for j in figure_cols:
                        ws.write_string(i, j, pres.MARK, cfmt)
        _print_setup(ws, title, sheet)
    wb.close()
    tmp.replace(path)
    return path
