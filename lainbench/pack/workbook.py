"""The pack's Excel workbook: one sheet per shared table, units in headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

UNIT_WORDS = {"%": "%", "£": "£", "days": "days", "count": "count"}


def unit_of(column: str) -> str:
    """The unit shown after a column name in the workbook header.

    >>> [unit_of(c) for c in ("paid_within_30_days_pct", "interest_owed_gbp",
    ...     "mean_days_to_pay", "invoice_count", "member")]
    ['%', '£', 'days', 'count', '']
    """
    if column.endswith("_pct"):
        return "%"
    if column.endswith("_gbp") or "_gbp_" in column:
        return "£"
    if column.endswith(("_days", "days_to_pay")) or column in ("days", "overdraft_days_mean"):
        return "days"
    if column.endswith(("_count", "_counted", "_total", "_late", "_breaches", "_ranked")) or \
            column in ("rank", "paid_invoices", "micro", "small", "medium", "large") or \
            column in ("required_at_bid", "no_self_certification", "el_for_sole_traders",
                       "below_statutory_minimum", "disproportionate"):
        return "count"
    return ""


def write_workbook(tables: dict[str, Any], path: Path, title: str, notes: list[str]) -> Path:
    """Write the tables to an Excel workbook: a README sheet, then one sheet per table.

    Headers carry units (``paid_within_30_days_pct (%)``), the header row is frozen, and figures
    of suppressed rows are written as ``[c]``.
    """
    import datetime as dt

    import xlsxwriter

    from lainbench.disclosure import MARK
    from lainbench.pack.shared import RETURNS_TABLE, SHARED_TABLES

    tmp = path.with_name(f".{path.name}.tmp")
    wb = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True})
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EEEEEE",
                          "bottom": 1})
    num1 = wb.add_format({"num_format": "#,##0.0"})
    num0 = wb.add_format({"num_format": "#,##0"})
    money = wb.add_format({"num_format": "£#,##0"})
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    cfmt = wb.add_format({"font_color": "#8A5A00", "align": "right"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    readme = wb.add_worksheet("README")
    readme.set_column(0, 0, 28)
    readme.set_column(1, 1, 110)
    readme.write(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    row = 2
    for note in notes:
        readme.write(row, 0, "", wrap)
        readme.write(row, 1, note, wrap)
        row += 1
    row += 1
    readme.write(row, 0, "Sheet", bold)
    readme.write(row, 1, "One row is", bold)
    readme.freeze_panes(row + 1, 0)
    for name, df in tables.items():
        row += 1
        readme.write(row, 0, name[:31])
        readme.write(row, 1, SHARED_TABLES.get(name, RETURNS_TABLE[1] if name == RETURNS_TABLE[0]
                                               else ""))
    for name, df in tables.items():
        ws = wb.add_worksheet(name[:31])
        cols = list(df.columns)
        hidden = df["suppressed"].fill_null(False).to_list() if "suppressed" in cols else None
        for j, col in enumerate(cols):
            unit = unit_of(col)
            ws.write(0, j, f"{col} ({unit})" if unit else col, bold)
            ws.set_column(j, j, max(12, min(40, len(col) + 6)))
        ws.freeze_panes(1, 0)
        ws.set_row(0, 32)
        schema = df.schema
        for j, col in enumerate(cols):
            dtype = schema[col]
            is_figure = (dtype.is_numeric() or dtype.to_python() is bool
                         or col == "fair_payment_code_tier") and col != "suppressed"
            unit = unit_of(col)
            fmt = money if unit == "£" else num0 if (dtype.is_integer() or unit == "count") else \
                num1 if dtype.is_float() else None
            for i, v in enumerate(df[col].to_list(), start=1):
                if hidden is not None and hidden[i - 1] and is_figure:
                    ws.write_string(i, j, MARK, cfmt)
                elif v is None:
                    continue
                elif isinstance(v, bool):
                    ws.write_boolean(i, j, v)
                elif isinstance(v, int | float):
                    ws.write_number(i, j, v, fmt) if fmt else ws.write_number(i, j, v)
                elif isinstance(v, dt.datetime):
                    ws.write_string(i, j, v.isoformat())
                elif isinstance(v, dt.date):
                    ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), datef)
                else:
                    ws.write_string(i, j, str(v))
        if len(df):
            ws.autofilter(0, 0, len(df), max(len(cols) - 1, 0))
    wb.close()
    tmp.replace(path)
    return path
