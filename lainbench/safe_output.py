"""Making user text safe to open: spreadsheet formula injection and HTML.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula
when a CSV or workbook is opened in Excel, LibreOffice or Google Sheets (``=HYPERLINK(...)``,
``=cmd|'/c calc'!A0``). Following the OWASP guidance on CSV injection, such text cells get a
single quote in front, which spreadsheets show as text and never evaluate; numbers are left alone
(``-12.50`` typed as a number is not a formula). Reading a neutralised file back, :func:`restore`
removes the quote again, so nothing is lost.

HTML outputs escape user text with :func:`escape_html` (the standard library's
:func:`html.escape`, quotes included) or through the template engine's autoescape.

>>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> neutralise_formula("-12.50"), neutralise_formula(-12.5), neutralise_formula("Acme Ltd")
("'-12.50", -12.5, 'Acme Ltd')
>>> restore(neutralise_formula("@SUM(A1)"))
'@SUM(A1)'
>>> escape_html('<img src=x onerror="alert(1)">')
'&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'

Reference: OWASP, CSV Injection, https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

from html import escape as _escape
from typing import Any

import polars as pl

# First characters that make a spreadsheet treat a cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_TRIGGER_RE = r"^[=+\-@\t\r]"


def neutralise_formula(value: Any) -> Any:
    """``value`` with a single quote in front when it is text a spreadsheet would run as a
    formula (starts with ``=``, ``+``, ``-``, ``@``, tab or CR); anything else unchanged.

    A text cell that already starts with a quote also gets one more, so :func:`restore` is an
    exact inverse.

    >>> [neutralise_formula(v) for v in ["+44 20 7946 0000", "'quoted", None, 3]]
    ["'+44 20 7946 0000", "''quoted", None, 3]
    """
    if isinstance(value, str) and value and (value[0] in FORMULA_TRIGGERS or value[0] == QUOTE):
        return QUOTE + value
    return value


def restore(value: Any) -> Any:
    """Undo :func:`neutralise_formula`: drop one leading single quote from text.

    >>> restore("'=1+1"), restore("plain")
    ('=1+1', 'plain')
    """
    if isinstance(value, str) and value.startswith(QUOTE):
        return value[1:]
    return value


def neutralise_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`neutralise_formula` as a polars expression over a string column.

    >>> pl.DataFrame({"x": ["=1+1", "ok", None]}).select(neutralise_expr(pl.col("x")))["x"].to_list()
    ["'=1+1", 'ok', None]
    """
    return expr.str.replace(r"^([=+\-@\t\r'])", "'${1}")


def neutralise_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Every string column of ``df`` neutralised (numeric, date and boolean columns untouched).

    >>> df = pl.DataFrame({"name": ["=cmd|' /C calc'!A0", "Acme"], "gbp": [-12.5, 3.0]})
    >>> neutralise_frame(df).rows()
    [("'=cmd|' /C calc'!A0", -12.5), ('Acme', 3.0)]
    """
    text = [c for c, t in df.schema.items() if t == pl.String]
    if not text:
        return df
    return df.with_columns([neutralise_expr(pl.col(c)).alias(c) for c in text])


def restore_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Undo :func:`neutralise_frame` on a frame read back from a neutralised file.

    >>> restore_frame(neutralise_frame(pl.DataFrame({"x": ["-1", "''a", "b"]})))["x"].to_list()
    ['-1', "''a", 'b']
    """
    text = [c for c, t in df.schema.items() if t == pl.String]
    return df.with_columns([pl.col(c).str.replace(r"^'", "") for c in text])


def escape_html(value: Any) -> str:
    """Text made safe to place in HTML (``&``, ``<``, ``>`` and both quotes escaped).

    >>> escape_html("Smith & Sons <script>")
    'Smith &amp; Sons &lt;script&gt;'
    """
    return _escape("" if value is None else str(value), quote=True)


__all__ = [
    "FORMULA_TRIGGERS",
    "escape_html",
    "neutralise_expr",
    "neutralise_formula",
    "neutralise_frame",
    "restore",
    "restore_frame",
]
