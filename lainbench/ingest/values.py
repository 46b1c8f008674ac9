"""Reading the values people actually type: pounds, brackets, day-first dates, TRUE/FALSE, "N/A".

Every function here returns a polars **expression**, so a 20-million-row file is parsed by vectorised
string kernels (in the streaming engine when the frame is lazy), never by a Python loop per row.
A value that cannot be read becomes null; the caller compares with :func:`clean` to tell
"missing" from "unreadable" and rejects the row with the reason given by the ``*_problem``
expressions.

>>> df = pl.DataFrame({"x": ["£1,234.50", "(12.00)", "-£3", "45.10 CR", "N/A", "1.2.3"]})
>>> df.select(parse_amount(pl.col("x")))["x"].to_list()
[1234.5, -12.0, -3.0, -45.1, None, None]
>>> d = pl.DataFrame({"d": ["03/02/2025", "3 Feb 2025", "2025-02-03", "31/02/2025", "01/01/1900"]})
>>> d.select(parse_date(pl.col("d"), "dmy"))["d"].cast(pl.String).to_list()
['2025-02-03', '2025-02-03', '2025-02-03', None, None]
>>> d.select(date_problem(pl.col("d"), "dmy"))["d"].to_list()[3:]
['impossible date (no such day)', 'impossible date (year 1900 is outside 1990-2099)']
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

import polars as pl

DateOrder = Literal["dmy", "mdy"]
DATE_ORDERS: tuple[str, ...] = ("dmy", "mdy")

# Cells that mean "nothing here" in exports and FOI spreadsheets.
NULL_TOKENS = ("", "n/a", "na", "#n/a", "not set", "-", "--", "\u2013", "\u2014", "null", "none",
               "nil", "not applicable", "not available", "answer not provided")

_NULL_RE = "(?i)^(?:" + "|".join(re.escape(t) for t in NULL_TOKENS if t) + ")?$"

# Plausible calendar years for payment records; outside it a date is a placeholder or a typo
# (Excel's 0 = 1900-01-00, 1900-01-01 "no date" defaults, 2205 for 2025).
MIN_YEAR = 1990
MAX_YEAR = 2099

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTH_NAMES = (
    "jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|"
    "september|oct|october|nov|november|dec|december"
)
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
NUMERIC_RE = rf"^(\d{{1,2}})[/.-](\d{{1,2}})[/.-](\d{{4}}|\d{{2}}){_TIME}$"
# One regex for every date form, so each value is scanned once. Groups:
#  1-3 ISO y, m, d | 4-6 numeric a, b, y | 7-9 "3 Feb 2025" d, month, y | 10-12 "Feb 3, 2025"
#  month, d, y | 13-15 compact 20250203 | 16 Excel serial day number
DATE_RE = (
    rf"^(?:(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}"
    rf"|(\d{{1,2}})[/.-](\d{{1,2}})[/.-](\d{{4}}|\d{{2}}){_TIME}"
    rf"|(?i:(?:[a-z]{{3,9}},?\s+)?(\d{{1,2}})(?:st|nd|rd|th)?[\s/-]+({_MONTH_NAMES})\.?"
    rf"[\s/,-]+(\d{{4}}|\d{{2}})){_TIME}"
    rf"|(?i:({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}}))"
    rf"|(\d{{4}})(\d{{2}})(\d{{2}})"
    rf"|(\d{{5}})(?:\.0+)?)$"
)
EXCEL_EPOCH = dt.date(1899, 12, 30)

_AMOUNT_BODY_RE = r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:E[+-]?\d+)?$|^\.\d+$"


def clean(expr: pl.Expr) -> pl.Expr:
    """Strip spaces (and non-breaking spaces); empty and "N/A"-like cells become null.

    >>> pl.DataFrame({"x": [" a ", "N/A", "Not set", "", None]}).select(clean(pl.col("x")))["x"].to_list()
    ['a', None, None, None, None]
    """
    s = expr.cast(pl.String).str.strip_chars(" \t\r\n\u00a0")
    return pl.when(s.str.contains(_NULL_RE)).then(None).otherwise(s).name.keep()


def parse_amount(expr: pl.Expr) -> pl.Expr:
    """A money amount in GBP, rounded to pence.

    Credits may be written ``-12``, ``(12)``, ``12-``, ``12 CR`` or ``-£12``. ``£``/``GBP`` and thousands separators are accepted.
    (For big frames :func:`with_amounts` is faster: it reads each cell once.)

    >>> pl.DataFrame({"x": ["12-", "GBP 1,000", "1,00", "$5", "1.5E+03"]}).select(
    ...     parse_amount(pl.col("x")))["x"].to_list()
    [-12.0, 1000.0, None, None, 1500.0]
    """
    s = clean(expr).str.replace_all(r"(?i)£|GBP|\s", "")
    value = _amount_from_groups(s.str.extract_groups(AMOUNT_RE))
    return value.round(2, mode="half_away_from_zero").name.keep()


# One pass over a money cell once "£", "GBP" and spaces are gone. Groups: 1 leading sign,
# 2 "(", 3 sign inside, 4 digits (with or without thousands commas), 5 exponent, 6 ")",
# 7 trailing "-", 8 CR/DR.
AMOUNT_RE = (r"(?i)^([-\u2212+])?(\()?([-\u2212])?(\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)"
             r"(E[+-]?\d+)?(\))?(-)?(CR|DR)?\.?$")


def _amount_from_groups(g: pl.Expr) -> pl.Expr:
    """The signed amount from :data:`AMOUNT_RE` groups (null if brackets do not pair up)."""
    digits = g.struct.field("4").str.replace_all(",", "")
    number = pl.concat_str([digits, g.struct.field("5").fill_null("")]).cast(
        pl.Float64, strict=False)
    opened, closed = g.struct.field("2").is_not_null(), g.struct.field("6").is_not_null()
    neg = (g.struct.field("1").is_in(["-", "\u2212"]).fill_null(False)
           | (opened & closed) | g.struct.field("3").is_not_null()
           | g.struct.field("7").is_not_null()
           | (g.struct.field("8").str.to_uppercase() == "CR").fill_null(False))
    return pl.when(opened == closed).then(pl.when(neg).then(-number).otherwise(number))


DecimalMark = Literal["point", "comma"]

# The digits of a money cell, with their separators ("1.234,56" in "-£1.234,56 CR").
_DIGITS_RE = r"(\d[\d.,]*\d|\d)"
# Evidence of a decimal convention in those digits. '.' for decimals: "12.5", "12.50", "1.2345",
# "1,234.5", "1,234,567". ',' for decimals: "12,5", "12,50", "1.234,5", "1.234.567".
# "1.234" and "1,234" say nothing: either could be a thousands separator.
POINT_EVIDENCE_RE = r"\.\d{1,2}$|\.\d{4,}$|,\d{3}\.\d*$|,.*,"
COMMA_EVIDENCE_RE = r",\d{1,2}$|,\d{4,}$|\.\d{3},\d*$|\..*\."
# A value whose only separators are '.' before groups of three ("1.234", "12.345.678"): pounds
# and pence with '.' for decimals, or whole pounds with '.' for thousands.
AMBIGUOUS_POINT_RE = r"^\d{1,3}(?:\.\d{3})+$"
# Comma-decimal form once "£", "GBP" and spaces are gone: optional signs and brackets as in
# AMOUNT_RE, '.' between groups of three, ',' before the decimals.
_COMMA_FORM_RE = (r"(?i)^[-\u2212+]?\(?[-\u2212]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d*)?"
                  r"(?:E[+-]?\d+)?\)?-?(?:CR|DR)?$")


def decimal_evidence(expr: pl.Expr) -> pl.Expr:
    """Per money cell: ``"point"`` when it can only use '.' for decimals, ``"comma"`` when it can
    only use ',' (as in much of Europe), null when it says nothing ("1.234", "1,234", "1234").

    >>> pl.DataFrame({"x": ["£1,234.50", "1.234,50", "12,5", "1.234", "1,234", "(12.00)", None,
    ...     "1.2.3x", "- 1.234.567,00 CR"]}).select(decimal_evidence(pl.col("x")))["x"].to_list()
    ['point', 'comma', 'comma', None, None, 'point', None, None, 'comma']
    """
    bare = clean(expr).str.replace_all(r"(?i)£|GBP|\s", "")
    digits = bare.str.extract(_DIGITS_RE, 1)
    # only cells that read as an amount in that convention count ("1.2.3x" is junk, not evidence)
    point = digits.str.contains(POINT_EVIDENCE_RE) & bare.str.contains(AMOUNT_RE)
    comma = digits.str.contains(COMMA_EVIDENCE_RE) & bare.str.contains(_COMMA_FORM_RE)
    return (pl.when(point & ~comma).then(pl.lit("point"))
            .when(comma & ~point).then(pl.lit("comma")).otherwise(None)).name.keep()


def with_amounts(frame: pl.LazyFrame | pl.DataFrame, columns: dict[str, str],
                 decimal: DecimalMark = "point", *, settled: bool = True,
                 max_abs: float | None = None, problem_prefix: str | None = None):
    """Add money columns to ``frame`` (``columns``: new column -> source column), read as
    :func:`parse_amount` does, with each cell scanned once; the fast way for big frames.

    ``decimal="comma"`` reads the convention of a file that writes ``1.234,56`` (',' for
    decimals, '.' for thousands); a cell in the other convention is then unreadable.

    With ``problem_prefix``, a ``<prefix><new column>`` string column says why a cell that was
    read is still not acceptable, so nothing is silently altered: not a finite number (``1e400``,
    a field of a million digits), larger than ``max_abs`` in either sign, a fraction of a penny
    (``1.234`` rounded to 1.23 would change it), or (when the file's convention is not
    ``settled`` by any other cell) ambiguous: ``1.234`` could be £1,234 with '.' for thousands.

    >>> f = pl.DataFrame({"raw": ["£1,234.50", "(12.00)", "45.10 CR", "12-", "1,00", None]})
    >>> with_amounts(f, {"gbp": "raw"})["gbp"].to_list()
    [1234.5, -12.0, -45.1, -12.0, None, None]
    >>> g = pl.DataFrame({"raw": ["1.234", "12.345", "1e400", "1e21", "7.10"]})
    >>> with_amounts(g, {"gbp": "raw"}, settled=False, max_abs=1e10, problem_prefix="p_")[
    ...     "p_gbp"].to_list()  # doctest: +NORMALIZE_WHITESPACE
    ["ambiguous decimal point: '1.234' could be £1,234 ('.' between thousands) or £1.234; no other amount in the file settles which. Write amounts with pence, e.g. 1234.00",
     "ambiguous decimal point: '12.345' could be £12,345 ('.' between thousands) or £12.345; no other amount in the file settles which. Write amounts with pence, e.g. 1234.00",
     'not a finite number (too large to hold)', 'larger than £10,000,000,000 in either sign (amount_max_abs_gbp in params/ingest_checks.yaml)', None]
    >>> with_amounts(pl.DataFrame({"raw": ["1.234,56", "-12,5", "1.234"]}), {"gbp": "raw"},
    ...     "comma")["gbp"].to_list()
    [1234.56, -12.5, 1234.0]
    """
    names = list(columns)
    c_ = {c: f"__ac_{i}" for i, c in enumerate(names)}
    f_ = {c: f"__af_{i}" for i, c in enumerate(names)}
    g_ = {c: f"__ag_{i}" for i, c in enumerate(names)}
    u_ = {c: f"__au_{i}" for i, c in enumerate(names)}
    frame = frame.with_columns([
        clean(pl.col(src)).str.replace_all(r"(?i)£|GBP|\s", "").alias(c_[c])
        for c, src in columns.items()])
    if decimal == "comma":
        frame = frame.with_columns([
            pl.when(pl.col(c_[c]).str.contains(_COMMA_FORM_RE))
            .then(pl.col(c_[c]).str.replace_all(".", "", literal=True)
                  .str.replace(",", ".", literal=True))
            .otherwise(pl.when(pl.col(c_[c]).is_not_null()).then(pl.lit("#")))
            .alias(c_[c]) for c in names])
    frame = frame.with_columns([
        pl.when(pl.col(c_[c]).str.contains(r"^[-+]?\d+(?:\.\d+)?$"))
        .then(pl.col(c_[c]).cast(pl.Float64, strict=False)).alias(f_[c]) for c in names])
    frame = frame.with_columns([
        pl.when(pl.col(f_[c]).is_null()).then(pl.col(c_[c])).str.extract_groups(AMOUNT_RE)
        .alias(g_[c]) for c in names])
    frame = frame.with_columns([
        pl.coalesce(pl.col(f_[c]), _amount_from_groups(pl.col(g_[c]))).alias(u_[c])
        for c in names])
    frame = frame.with_columns([
        pl.col(u_[c]).round(2, mode="half_away_from_zero").alias(c) for c in names])
    if problem_prefix is not None:
        frame = frame.with_columns([
            _amount_problem(pl.col(src), pl.col(u_[c]), pl.col(c), decimal, settled, max_abs)
            .alias(f"{problem_prefix}{c}") for c, src in columns.items()])
    return frame.drop([*c_.values(), *f_.values(), *g_.values(), *u_.values()])


SUB_PENNY = ("a fraction of a penny: rounding to pence would change it. Give pounds and pence "
             "(2 decimal places), or check the decimal separator")


def _amount_problem(raw: pl.Expr, unrounded: pl.Expr, rounded: pl.Expr, decimal: DecimalMark,
                    settled: bool, max_abs: float | None) -> pl.Expr:
    """Why a money cell that was read is not acceptable as it stands (null when it is fine).

    Literal reasons (the cell itself is shown beside them in rejects.csv), so the check costs a
    few comparisons per cell.
    """
    out = pl.when(unrounded.is_null()).then(pl.lit(None, pl.String))
    out = out.when(~unrounded.is_finite()).then(pl.lit("not a finite number (too large to hold)"))
    if max_abs is not None:
        out = out.when(unrounded.abs() > max_abs).then(pl.lit(
            f"larger than £{max_abs:,.0f} in either sign (amount_max_abs_gbp in "
            "params/ingest_checks.yaml)"))
    if decimal == "point" and not settled:
        shown = clean(raw)
        digits = shown.str.extract(_DIGITS_RE, 1)
        out = out.when(digits.str.contains(AMBIGUOUS_POINT_RE)).then(pl.format(
            "ambiguous decimal point: '{}' could be £{} ('.' between thousands) or £{}; no other "
            "amount in the file settles which. Write amounts with pence, e.g. 1234.00",
            shown, digits.str.replace_all(".", ",", literal=True), digits))
    tol = pl.max_horizontal(unrounded.abs(), pl.lit(1.0)) * 2e-15  # a few float ulps
    out = out.when((unrounded - rounded).abs() > tol).then(pl.lit(SUB_PENNY))
    return out.otherwise(pl.lit(None, pl.String))


def parse_number(expr: pl.Expr) -> pl.Expr:
    """A plain number (days, counts, percentages): thousands separators and a trailing ``%`` allowed.

    >>> pl.DataFrame({"x": ["95.1%", "1,234", "30 days", "7"]}).select(parse_number(pl.col("x")))["x"].to_list()
    [95.1, 1234.0, None, 7.0]
    """
    s = clean(expr).str.replace(r"\s*%$", "").str.replace_all(r"\s", "")
    neg = s.str.starts_with("-")
    body = s.str.replace(r"^[-+]", "")
    ok = body.str.contains(_AMOUNT_BODY_RE)
    value = body.str.replace_all(",", "").cast(pl.Float64, strict=False)
    return pl.when(ok).then(pl.when(neg).then(-value).otherwise(value)).otherwise(None).name.keep()


def parse_terms_days(expr: pl.Expr) -> pl.Expr:
    """Agreed payment terms in whole days from ``30``, ``30 days``, ``Net 30`` or ``NET30``.

    >>> pl.DataFrame({"x": ["30", "30 days", "Net 45", "60 EOM"]}).select(
    ...     parse_terms_days(pl.col("x")))["x"].to_list()
    [30, 30, 45, None]
    """
    s = clean(expr).str.to_lowercase()
    days = s.str.extract(r"^(?:net\s*)?(\d{1,3})(?:\s*(?:calendar\s+)?days?)?$", 1)
    return days.cast(pl.Int32, strict=False).name.keep()


def parse_bool(expr: pl.Expr, extra_true: tuple[str, ...] = (), extra_false: tuple[str, ...] = ()
               ) -> pl.Expr:
    """``TRUE``/``Yes``/``Y``/``1`` and ``FALSE``/``No``/``N``/``0`` (any case); anything else null.

    >>> pl.DataFrame({"x": ["TRUE", "no", "Y", "maybe", None]}).select(parse_bool(pl.col("x")))["x"].to_list()
    [True, False, True, None, None]
    """
    s = clean(expr).str.to_lowercase()
    return (
        pl.when(s.is_in(["true", "t", "yes", "y", "1", *extra_true])).then(True)
        .when(s.is_in(["false", "f", "no", "n", "0", *extra_false])).then(False)
        .otherwise(None)
    ).name.keep()


def company_number(expr: pl.Expr) -> pl.Expr:
    """A Companies House number as 8 characters: digits zero-padded (Excel drops leading zeros),
    two-letter prefixes (OC, SC, NI, SO, BR, ...) upper-cased with the digits padded to 6.

    >>> pl.DataFrame({"x": ["2366661", "02366661", "oc301234", "SC 12345", "FC-9"]}).select(
    ...     company_number(pl.col("x")))["x"].to_list()
    ['02366661', '02366661', 'OC301234', 'SC012345', 'FC-9']
    """
    s = clean(expr).str.to_uppercase().str.replace_all(r"\s", "")
    return (
        pl.when(s.str.contains(r"^\d{1,8}$")).then(s.str.zfill(8))
        .when(s.str.contains(r"^[A-Z]{2}\d{1,6}$"))
        .then(s.str.slice(0, 2) + s.str.slice(2).str.zfill(6))
        .otherwise(s)
    ).name.keep()


# --- dates -----------------------------------------------------------------------------------

def _two_digit_year(y: pl.Expr) -> pl.Expr:
    y = y.cast(pl.Int32, strict=False)
    return pl.when(y < 100).then(pl.when(y < 70).then(2000 + y).otherwise(1900 + y)).otherwise(y)


def _month_number(name: pl.Expr) -> pl.Expr:
    # a when/then chain rather than replace_strict, which makes polars leave the streaming engine
    abbr = name.str.to_lowercase().str.slice(0, 3)
    out = pl.lit(None, pl.Int32)
    for month, number in reversed(list(_MONTHS.items())):
        out = pl.when(abbr == month).then(pl.lit(number, pl.Int32)).otherwise(out)
    return out


def date_groups(expr: pl.Expr) -> pl.Expr:
    """The :data:`DATE_RE` capture groups of each value, as a struct (one regex pass)."""
    return clean(expr).str.extract_groups(DATE_RE)


def parts_from_groups(groups: pl.Expr, order: DateOrder | None) -> pl.Expr:
    """Struct ``{y, m, d, serial}`` from :func:`date_groups`. Numeric ``A/B/Y`` dates are read in
    ``order`` (``dmy`` day-first, ``mdy`` month-first, ``None``: left unread).

    Pass a column (``pl.col``) holding the groups: each field is read several times.
    """
    def g(i: int) -> pl.Expr:
        return groups.struct.field(str(i))

    def n(i: int) -> pl.Expr:
        return g(i).cast(pl.Int32, strict=False)

    a, b = n(4), n(5)
    num_d, num_m = {"dmy": (a, b), "mdy": (b, a)}.get(
        order or "", (pl.lit(None, pl.Int32), pl.lit(None, pl.Int32)))
    y = pl.coalesce(n(1), _two_digit_year(g(6)), _two_digit_year(g(9)), n(12), n(13))
    m = pl.coalesce(n(2), num_m, _month_number(g(8)), _month_number(g(10)), n(14))
    d = pl.coalesce(n(3), num_d, n(7), n(11), n(15))
    return pl.struct(y.alias("y"), m.alias("m"), d.alias("d"), n(16).alias("serial"))


def date_parts(expr: pl.Expr, order: DateOrder | None) -> pl.Expr:
    """A struct ``{y, m, d, serial}`` of the date written in ``expr`` (nulls where no form matches).

    Forms: ISO ``2025-02-03`` (with an optional time), ``03/02/2025`` and ``3/2/25`` in ``order``
    (``dmy`` day-first, ``mdy`` month-first; ``None`` leaves them unread), ``3 Feb 2025``,
    ``03-Feb-25``, ``Feb 3, 2025``, ``20250203`` and Excel serial day numbers (``45691``).
    Fine for small frames; big ones should use :func:`with_dates`, which reads each value once.
    """
    return parts_from_groups(date_groups(expr), order)


def date_from_parts(parts: pl.Expr) -> pl.Expr:
    """The calendar date of a :func:`date_parts` struct (null if no such day); no year check."""
    y, m, d = (parts.struct.field(k) for k in ("y", "m", "d"))
    first = pl.date(y, m.clip(1, 12), 1)
    ok = m.is_between(1, 12) & d.is_between(1, first.dt.month_end().dt.day())
    from_ymd = pl.when(ok).then(first + pl.duration(days=d - 1))
    serial = parts.struct.field("serial")
    from_serial = pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)
    return pl.coalesce(from_ymd, from_serial.cast(pl.Date))


def in_years(date: pl.Expr, min_year: int = MIN_YEAR, max_year: int = MAX_YEAR) -> pl.Expr:
    """``date`` where its year is within ``min_year``..``max_year``, else null."""
    year = date.dt.year()
    return pl.when((year >= min_year) & (year <= max_year)).then(date).otherwise(None)


def parse_date(expr: pl.Expr, order: DateOrder | None = "dmy", min_year: int = MIN_YEAR,
               max_year: int = MAX_YEAR) -> pl.Expr:
    """The date written in ``expr``, or null when it is not a date, does not exist (31/02) or
    falls outside ``min_year``..``max_year``. See :func:`date_parts` for the forms read.
    """
    return in_years(date_from_parts(date_parts(expr, order)), min_year, max_year).name.keep()


def problem_from_parts(parts: pl.Expr, date: pl.Expr, present: pl.Expr,
                       order: DateOrder | None = "dmy", min_year: int = MIN_YEAR,
                       max_year: int = MAX_YEAR) -> pl.Expr:
    """Why a value is not an acceptable date, from its parts, its unchecked date (from
    :func:`date_from_parts`) and whether the cell had anything in it; null when fine.
    """
    year = pl.coalesce(date.dt.year(), parts.struct.field("y"))
    matched = parts.struct.field("y").is_not_null() | parts.struct.field("serial").is_not_null()
    month = parts.struct.field("m")
    expected = "DD/MM/YYYY" if order != "mdy" else "MM/DD/YYYY"
    return (
        pl.when(~present).then(None)
        .when(date.is_null() & matched & month.is_between(1, 12))
        .then(pl.lit("impossible date (no such day)"))
        .when(date.is_null() & matched & month.is_not_null())
        .then(pl.lit("impossible date (no such month)"))
        .when(date.is_null() & ~matched)
        .then(pl.lit(f"not a recognised date (expected {expected}, YYYY-MM-DD or 3 Feb 2025)"))
        .when(date.is_null())
        .then(pl.lit("date order not set: cannot read day and month"))
        .when((year < min_year) | (year > max_year))
        .then(pl.format(f"impossible date (year {{}} is outside {min_year}-{max_year})", year))
        .otherwise(None)
    )


def date_problem(expr: pl.Expr, order: DateOrder | None = "dmy", min_year: int = MIN_YEAR,
                 max_year: int = MAX_YEAR) -> pl.Expr:
    """Why a non-empty value is not an acceptable date (null when it is fine or empty)."""
    parts = date_parts(expr, order)
    return problem_from_parts(parts, date_from_parts(parts), clean(expr).is_not_null(), order,
                              min_year, max_year).name.keep()


FAST_FORMATS = {"dmy": ("%d/%m/%Y", "%Y-%m-%d"), "mdy": ("%m/%d/%Y", "%Y-%m-%d")}


def with_dates(frame: pl.LazyFrame | pl.DataFrame, columns: dict[str, str],
               order: DateOrder | None = "dmy", min_year: int = MIN_YEAR, max_year: int = MAX_YEAR,
               problem_prefix: str | None = "__date_problem_"):
    """Add parsed dates to ``frame``: ``columns`` maps each new column to its source column.

    The common forms (``03/02/2025`` in ``order``, ``2025-02-03``) go through polars' native
    date parser; only values it cannot read are scanned by the :data:`DATE_RE` regex (nulls cost
    nothing), and every intermediate is materialised once, so this is the fast way for big
    frames. With ``problem_prefix``, a ``<prefix><new column>`` string column says why a
    non-empty value was not an acceptable date.

    >>> f = pl.DataFrame({"raw": ["03/02/2025", "31/02/2025", "3 Feb 2025", None, "3/2/25"]})
    >>> with_dates(f, {"d": "raw"}).select("d", "__date_problem_d").rows()[:3]
    [(datetime.date(2025, 2, 3), None), (None, 'impossible date (no such day)'), (datetime.date(2025, 2, 3), None)]
    >>> with_dates(f, {"d": "raw"})["d"][4]
    datetime.date(2025, 2, 3)
    """
    names = list(columns)
    c_ = {c: f"__dc_{i}" for i, c in enumerate(names)}
    f_ = {c: f"__df_{i}" for i, c in enumerate(names)}
    g_ = {c: f"__dg_{i}" for i, c in enumerate(names)}
    p_ = {c: f"__dp_{i}" for i, c in enumerate(names)}
    d_ = {c: f"__dd_{i}" for i, c in enumerate(names)}
    formats = FAST_FORMATS.get(order or "", ("%Y-%m-%d",))
    frame = frame.with_columns([clean(pl.col(src)).alias(c_[c]) for c, src in columns.items()])
    fast = {c: pl.coalesce([pl.col(c_[c]).str.to_date(f, strict=False) for f in formats])
            for c in names}
    frame = frame.with_columns([
        pl.when(fast[c].dt.year() >= 1000).then(fast[c]).alias(f_[c]) for c in names])
    frame = frame.with_columns([
        pl.when(pl.col(f_[c]).is_null()).then(pl.col(c_[c])).str.extract_groups(DATE_RE)
        .alias(g_[c]) for c in names])
    frame = frame.with_columns([parts_from_groups(pl.col(g_[c]), order).alias(p_[c]) for c in names])
    frame = frame.with_columns([
        pl.coalesce(pl.col(f_[c]), date_from_parts(pl.col(p_[c]))).alias(d_[c]) for c in names])
    out = [in_years(pl.col(d_[c]), min_year, max_year).alias(c) for c in names]
    if problem_prefix is not None:
        out += [problem_from_parts(pl.col(p_[c]), pl.col(d_[c]), pl.col(c_[c]).is_not_null(),
                                   order, min_year, max_year).alias(f"{problem_prefix}{c}")
                for c in names]
    frame = frame.with_columns(out)
    return frame.drop([*c_.values(), *f_.values(), *g_.values(), *p_.values(), *d_.values()])


def date_order_evidence(expr: pl.Expr) -> pl.Expr:
    """Per value: ``"dmy"`` when a numeric date can only be day-first (first part above 12),
    ``"mdy"`` when it can only be month-first, null when it says nothing (ISO, text month, both
    parts 12 or under).

    >>> pl.DataFrame({"d": ["29/04/2025", "4/29/2025", "04/05/2025", "2025-04-29"]}).select(
    ...     date_order_evidence(pl.col("d")))["d"].to_list()
    ['dmy', 'mdy', None, None]
    """
    num = clean(expr).str.extract_groups(NUMERIC_RE)
    a = num.struct.field("1").cast(pl.Int32)
    b = num.struct.field("2").cast(pl.Int32)
    return (
        pl.when((a > 12) & (b <= 12)).then(pl.lit("dmy"))
        .when((b > 12) & (a <= 12)).then(pl.lit("mdy"))
        .otherwise(None)
    ).name.keep()


def is_numeric_date(expr: pl.Expr) -> pl.Expr:
    """True where the value is a numeric ``A/B/Y`` date whose day/month order matters."""
    return clean(expr).str.contains(NUMERIC_RE).name.keep()


# --- row kinds -----------------------------------------------------------------------------

TOTAL_ROW_RE = (
    r"(?i)^(?:(?:grand|sub|page|report|overall|month(?:ly)?|year(?:ly)?|period|running|carried)?"
    r"[\s-]*totals?\s*(?::.*|for\b.*|of\b.*|paid\b.*|invoices?\b.*|amount\b.*|value\b.*|\(.*\))?"
    r"|(?:sum|count|average|mean|year to date|ytd|balance carried forward|b/f|c/f)\s*:?)$"
)


def is_total_label(expr: pl.Expr) -> pl.Expr:
    """True where a cell reads like a total/summary label ("Total", "Grand total:", "Average").

    A supplier called "Total Gas & Power Ltd" is not a total label.

    >>> pl.DataFrame({"x": ["Total", "GRAND TOTAL:", "Sub-total for March", "Total Gas & Power Ltd",
    ...     "Average", "Totally Fresh Ltd"]}).select(is_total_label(pl.col("x")))["x"].to_list()
    [True, True, True, False, True, False]
    """
    return clean(expr).str.contains(TOTAL_ROW_RE).fill_null(False).name.keep()


# --- periods (labels in published returns) ----------------------------------------------------

_FY_RE = re.compile(
    r"^(?:fy|ytd|financial year|year)?\s*(\d{4})\s*(?:/|-|to|–|\s)\s*(\d{4}|\d{2})$", re.IGNORECASE)
_QUARTER_RE = [
    re.compile(r"^(?:q|quarter\s*)([1-4])\s*(?:of\s*)?(?:fy\s*)?(\d{4})\s*(?:/|-|to)\s*(\d{4}|\d{2})$",
               re.IGNORECASE),
    re.compile(r"^([1-4])(?:st|nd|rd|th)\s+quarter\s+(?:of\s+)?(\d{4})\s*(?:/|-|to)\s*(\d{4}|\d{2})$",
               re.IGNORECASE),
    re.compile(r"^(\d{4})\s*(?:/|-|to)\s*(\d{4}|\d{2})\s+(?:q|quarter\s*)([1-4])$", re.IGNORECASE),
]
_MONTH_RANGE_RE = re.compile(
    rf"^({_MONTH_NAMES})\.?\s*(\d{{4}}|\d{{2}})?\s*(?:to|-|–|until)\s*({_MONTH_NAMES})\.?\s*(\d{{4}}|\d{{2}})$",
    re.IGNORECASE)
_MONTH_RE = re.compile(rf"^({_MONTH_NAMES})\.?[\s-]*(\d{{4}}|\d{{2}})$", re.IGNORECASE)
_YEAR_ENDED_RE = re.compile(
    rf"^(?:year|period|12 months)\s+end(?:ed|ing)\s+(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_NAMES})\s+(\d{{4}})$",
    re.IGNORECASE)
_YEAR_RE = re.compile(r"^(?:calendar year|year|cy)?\s*(\d{4})$", re.IGNORECASE)


def _year(text: str) -> int:
    y = int(text)
    return y + 2000 if y < 100 else y


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _fy_years(first: str, second: str) -> int | None:
    y1 = int(first)
    y2 = int(second)
    y2 = y2 if y2 >= 100 else (y1 // 100) * 100 + y2
    return y1 if y2 == y1 + 1 else None


def parse_period_label(label: str | None) -> tuple[dt.date, dt.date, str] | None:
    """Start, end and kind of a period label used in published returns, or ``None``.

    Financial years run 1 April - 31 March; quarters are financial-year quarters (Q1 = April-June),
    as in central government prompt-payment returns.

    >>> parse_period_label("2017 to 2018")
    (datetime.date(2017, 4, 1), datetime.date(2018, 3, 31), 'financial_year')
    >>> parse_period_label("4th Quarter 2019-20")[:2]
    (datetime.date(2020, 1, 1), datetime.date(2020, 3, 31))
    >>> parse_period_label("April to June 2019")[:2]
    (datetime.date(2019, 4, 1), datetime.date(2019, 6, 30))
    >>> parse_period_label("Average") is None
    True
    """
    if label is None:
        return None
    text = re.sub(r"\s+", " ", str(label).replace("\u00a0", " ")).strip().rstrip(":")
    if not text:
        return None
    m = _FY_RE.match(text)
    if m and (y1 := _fy_years(m.group(1), m.group(2))):
        return dt.date(y1, 4, 1), dt.date(y1 + 1, 3, 31), "financial_year"
    for i, rx in enumerate(_QUARTER_RE):
        m = rx.match(text)
        if m:
            q, a, b = (m.group(1), m.group(2), m.group(3)) if i < 2 else (
                m.group(3), m.group(1), m.group(2))
            y1 = _fy_years(a, b)
            if y1 is None:
                return None
            start_month = 4 + 3 * (int(q) - 1)
            year = y1 + (start_month > 12)
            start_month = (start_month - 1) % 12 + 1
            return (dt.date(year, start_month, 1), _month_end(year, start_month + 2),
                    "quarter")
    m = _MONTH_RANGE_RE.match(text)
    if m:
        m1 = _MONTHS[m.group(1).lower()[:3]]
        m2 = _MONTHS[m.group(3).lower()[:3]]
        y2 = _year(m.group(4))
        y1 = _year(m.group(2)) if m.group(2) else (y2 if m1 <= m2 else y2 - 1)
        start, end = dt.date(y1, m1, 1), _month_end(y2, m2)
        if end < start:
            return None
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return start, end, "quarter" if months == 3 else "months"
    m = _MONTH_RE.match(text)
    if m:
        y, mo = _year(m.group(2)), _MONTHS[m.group(1).lower()[:3]]
        return dt.date(y, mo, 1), _month_end(y, mo), "month"
    m = _YEAR_ENDED_RE.match(text)
    if m:
        end = dt.date(int(m.group(3)), _MONTHS[m.group(2).lower()[:3]], int(m.group(1)))
        start = dt.date(end.year - 1, end.month, end.day) + dt.timedelta(days=1)
        return start, end, "financial_year"
    m = _YEAR_RE.match(text)
    if m:
        y = int(m.group(1))
        return dt.date(y, 1, 1), dt.date(y, 12, 31), "calendar_year"
    return None


def normalise_header(name: object) -> str:
    """Lower case, punctuation and ``£`` dropped, single spaces: how headers are matched.

    >>> normalise_header("  Invoice Gross Value (£) ")
    'invoice gross value'
    >>> normalise_header("% Invoices paid within 30 days")
    'invoices paid within 30 days'
    """
    text = str(name or "").replace("\u00a0", " ").replace("\ufeff", "").lower()
    text = text.replace("&", " and ")
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# --- thresholds ----------------------------------------------------------------------------------

CHECKS_FILE = "params/ingest_checks.yaml"
_CHECK_DEFAULTS = {
    "ppr_filing_deadline_days": 30, "ppr_period_min_days": 152, "ppr_period_max_days": 213,
    "ppr_bucket_sum_tolerance_pct": 1, "ppr_avg_days_max": 365,
    "published_pct_tolerance_pct": 0.5, "date_min_year": MIN_YEAR, "date_max_year": MAX_YEAR,
    "amount_max_abs_gbp": 1e10, "date_future_tolerance_days": 31,
    "xlsx_max_uncompressed_bytes": 2**30, "xlsx_max_compression_ratio": 200,
}


def thresholds(when: dt.date | None = None) -> dict[str, float]:
    """The quality-check thresholds in ``params/ingest_checks.yaml`` in force on ``when``
    (default today). Falls back to the same values built in when the project's ``params/``
    folder is not there (an installed package run elsewhere).

    >>> thresholds(dt.date(2026, 1, 1))["ppr_bucket_sum_tolerance_pct"]
    1
    """
    from lainbench.config import resolve
    from lainbench.params import load

    path = resolve(CHECKS_FILE)
    if not path.exists():
        return dict(_CHECK_DEFAULTS)
    pf = load(path)
    when = when or dt.date.today()
    return {k: pf.value(k, when) if k in pf.parameters else v for k, v in _CHECK_DEFAULTS.items()}


# --- characters that do not belong in a value ------------------------------------------------

# C0 controls except tab, DEL, line breaks, and the bidirectional overrides and isolates used to
# disguise text ("Trojan source"). A tab is left alone: harmless inside a value.
CONTROL_RE = r"[\x00-\x08\x0A-\x0D\x0E-\x1F\x7F\x{202A}-\x{202E}\x{2066}-\x{2069}]"
# A date whose year is written with two digits: "10/02/69", "3 Feb 69", "03-Feb-25".
TWO_DIGIT_YEAR_RE = r"(?:^|[^\d])\d{1,2}[/.\s-]+(?:\d{1,2}|[A-Za-z]{3,9}\.?)[/.\s,-]+\d{2}$"


def has_control(expr: pl.Expr) -> pl.Expr:
    """True where a value holds a control character (see :data:`CONTROL_RE`).

    >>> pl.DataFrame({"x": ["A\\x00B", "Acme", "x\\u202ey", "tab\\there", None]}).select(
    ...     has_control(pl.col("x")))["x"].to_list()
    [True, False, True, False, None]
    """
    return expr.str.contains(CONTROL_RE).name.keep()
