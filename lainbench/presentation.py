"""How a person reads lainbench's tables: labels with units, formatted values, member names, colours.

One home for presentation, used by the HTML tables (notebooks, the pack's index and scorecards),
the chart axis titles and the Excel workbook:

- :func:`label` turns a canonical column name into a header with its unit, derived from the
  schemas' naming convention (``_pct`` %, ``_gbp`` £, ``_days`` days, ``_count``) plus the explicit
  :data:`LABELS` table, so a new column gets a label in one place;
- :func:`format_value` formats one value for its column: £ with thousands separators, % with one
  decimal, whole days as integers;
- :func:`set_member_names` / :func:`member_name`: member names wherever a person reads (ids stay in
  the machine outputs: parquet, CSV, JSON);
- :func:`member_palette`: 12 distinguishable colours, the focus member highlighted;
- :func:`table_html` / :func:`show`: an accessible HTML table (caption, ``<th scope>``), every text
  escaped; tables longer than :data:`LONG_TABLE_ROWS` rows become a sortable, searchable itables
  (DataTables) table drawn offline by the bundle :func:`itables_bundle_html` puts on the page once.

>>> label("paid_within_30_days_pct"), label("interest_owed_gbp"), label("agreed_terms_days")
('Paid within 30 days (%)', 'Interest owed (£)', 'Agreed terms (days)')
>>> format_value(1234567.891, "interest_owed_gbp"), format_value(90.7264, "paid_within_30_days_pct")
('£1,234,568', '90.7%')
>>> format_value(14.0, "median_days_to_pay"), format_value(18.02, "mean_days_to_pay")
('14', '18.0')
"""

from __future__ import annotations

import datetime as dt
import html as _html
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

MARK = "[c]"  # GSS symbol for a confidential (suppressed) figure
LONG_TABLE_ROWS = 25  # longer tables can be sorted and searched (itables)

# Explicit labels: where the convention would read badly. The unit is added by :func:`label`.
LABELS: dict[str, str] = {
    # the network's twice-yearly metrics (lainbench.network)
    "addressable_gbp": "Addressable spend",
    "msme_share_pct": "Share with MSMEs",
    "msme_unknown_pct": "Spend with suppliers of unknown size",
    "msme_upper_pct": "Share with MSMEs if every unknown were one",
    "pledge_pct": "Pledge",
    "pledge_status": "Against the pledge",
    "diverse_led_share_pct": "Share with diverse-led suppliers",
    "diverse_led_unknown_pct": "Spend with suppliers of unknown ownership",
    "vcse_share_pct": "Share with VCSEs",
    "london_share_pct": "Share with London-based suppliers",
    "msme_contracts_contracts": "Contracts to MSMEs",
    "msme_contracts_value_gbp": "Value of contracts to MSMEs",
    "msme_cumulative_contracts": "Contracts to MSMEs since the base date",
    "msme_cumulative_value_gbp": "Value of contracts to MSMEs since the base date",
    "reserved_contracts": "Reserved contracts",
    "buyer_org_id": "Member id",
    "org_id": "Member id",
    "org_name": "Member",
    "member": "Member",
    "org_type": "Type",
    "period": "Period",
    "period_start": "Period start",
    "period_end": "Period end",
    "supplier_size_band": "Supplier size",
    "invoice_count": "Invoices paid",
    "invoice_value_gbp": "Value paid",
    "invoices_paid_late": "Invoices paid late",
    "late_value_gbp": "Value paid late",
    "mean_days_to_pay": "Days to pay, mean",
    "median_days_to_pay": "Days to pay, median",
    "p90_days_to_pay": "Days to pay, 90th percentile",
    "avg_days_to_pay": "Average days to pay",
    "paid_within_terms_pct": "Paid within agreed terms",
    "within_30_or_terms_pct": "s.68 / BPPC test (undisputed, by number)",
    "within_30_or_terms_value_pct": "s.68 / BPPC test (undisputed, by value)",
    "paid_31_to_60_days_pct": "Paid in 31 to 60 days",
    "paid_over_60_days_pct": "Paid after 60 days",
    "not_paid_within_terms_pct": "Not paid within terms",
    "paid_within_target_count_pct": "BPPC: paid within target, by number",
    "paid_within_target_value_pct": "BPPC: paid within target, by value",
    "disputed_pct": "Disputed",
    "s68_breaches": "Invoices over 30 days (s.68)",
    "bppc_95pct_met": "NHS BPPC 95% target met",
    "interest_owed_gbp": "Interest owed",
    "statutory_interest_gbp": "Statutory interest",
    "fixed_compensation_gbp": "Fixed compensation",
    "total_owed_gbp": "Total owed (interest + compensation)",
    "fair_payment_code_tier": "Fair Payment Code tier",
    "insurance_flags_total": "Insurance flags",
    "shortfall_risk_pct": "Cash-flow shortfall risk",
    "peak_need_gbp_p95": "Peak cash need, 95th percentile",
    "overdraft_days_mean": "Days in overdraft, mean",
    "statutory_due_gbp_mean": "Late Payment Act sums due, mean",
    "not_modelled_reason": "Not modelled because",
    "suppression_note": "Note",
    "share_pct": "Share of invoices",
    "days": "Days to pay",
    "label": "Target",
    "target": "Target id",
    "threshold": "Threshold",
    "comparison": "Test",
    "passed": "Met",
    "value": "Value",
    "measure": "Measure",
    "unit": "Unit",
    "member_value": "Member's figure",
    "network_median": "Network median",
    "network_p25": "Network 25th percentile",
    "network_p75": "Network 75th percentile",
    "network_min": "Network lowest",
    "network_max": "Network highest",
    "members_counted": "Members counted",
    "members_ranked": "Members ranked",
    "rank": "Rank (1 = best)",
    "required_at_bid": "Demanded at bid stage",
    "no_self_certification": "No self-certification",
    "el_for_sole_traders": "Employers' liability from sole traders",
    "below_statutory_minimum": "Below statutory minimum",
    "disproportionate": "Disproportionate to contract",
    "requirements_on_file": "Requirements on file",
    "min_limit_gbp": "Required limit",
    "cover_type": "Cover",
    "band": "Contract value band",
    "procurement_category": "Category",
    "source_file": "File",
}
# Units of columns whose name does not say it.
UNITS: dict[str, str] = {
    "days": "days", "s68_breaches": "count", "invoices_paid_late": "count", "rank": "",
    "insurance_flags_total": "count", "members_counted": "count", "members_ranked": "count",
    "required_at_bid": "count", "no_self_certification": "count", "el_for_sole_traders": "count",
    "below_statutory_minimum": "count", "disproportionate": "count",
}
ID_COLUMNS = ("buyer_org_id", "org_id")
NAME_COLUMNS = ("member", "org_name")
# Values that are words in the canonical tables, as a reader says them.
VALUE_WORDS: dict[str, str] = {"all": "all suppliers", "none": "none"}
# Columns whose values are canonical column names (shown as their labels).
NAME_VALUED = ("measure", "metric", "input", "flag")
# Code values shown as words, by column: each capability registers its own (register_values).
VALUE_LABELS: dict[str, dict[str, str]] = {}
# Integer columns that are labels, not quantities (no thousands separator).
PLAIN_INTEGERS = ("year", "seed", "rank")

_UNIT_SUFFIX = (("_pct", "%"), ("_gbp", "£"), ("_days", "days"), ("_count", "count"))
_MEMBER_NAMES: dict[str, str] = {}


# ---- labels --------------------------------------------------------------------------------------
def unit(column: str) -> str:
    """The unit of a canonical column: ``%``, ``£``, ``days``, ``count`` or ``""``.

    >>> [unit(c) for c in ("paid_within_30_days_pct", "peak_need_gbp_p95", "mean_days_to_pay",
    ...     "invoice_count", "overdraft_days_mean", "member")]
    ['%', '£', 'days', 'count', 'days', '']
    """
    if column in UNITS:
        return UNITS[column]
    for suffix, u in _UNIT_SUFFIX:
        if column.endswith(suffix):
            return u
    if "_gbp_" in column:
        return "£"
    if column.endswith("days_to_pay") or "_days_" in column and not column.startswith("paid"):
        return "days"
    return ""


def label(column: str, with_unit: bool = True) -> str:
    """A header for a canonical column: the explicit label or the name in words, then its unit.

    >>> label("within_30_or_terms_pct"), label("peak_need_gbp_p95"), label("invoice_count")
    ('s.68 / BPPC test (undisputed, by number) (%)', 'Peak cash need, 95th percentile (£)', 'Invoices paid')
    >>> label("standard_terms_longest_days"), label("Already a label")
    ('Standard terms longest (days)', 'Already a label')
    """
    if column in LABELS:
        text = LABELS[column]
    elif not re.fullmatch(r"[a-z0-9_]+", column):
        return column  # already written for people
    else:
        words = column
        for suffix, _ in _UNIT_SUFFIX:
            if words.endswith(suffix):
                words = words[: -len(suffix)]
                break
        words = words.replace("_gbp_", "_").replace("_", " ").strip()
        text = words[:1].upper() + words[1:]
    u = unit(column)
    if with_unit and u and u != "count" and f"({u})" not in text:
        text = f"{text} ({u})"
    return text


def axis_title(column: str, period: str | None = None) -> str:
    """A chart axis title: the label with its unit, and the period when given.

    >>> axis_title("interest_owed_gbp", "2026-27 H1")
    'Interest owed (£), 2026-27 H1'
    """
    return label(column) + (f", {period}" if period else "")


# ---- values --------------------------------------------------------------------------------------
def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(value: Any, column: str = "", decimals: int | None = None) -> str:
    """One value as a person reads it, by its column's unit.

    Money: £ and thousands separators, whole pounds from £100 up, pence below. Percentages: one
    decimal and a % sign. Days: whole days as integers; a mean keeps one decimal. Counts and other
    integers: thousands separators. Booleans: yes / no. Dates: ``31 Mar 2026``. Missing: empty.

    >>> [format_value(v, "x_gbp") for v in (118.0, 12.5, -2500.0, None)]
    ['£118', '£12.50', '-£2,500', '']
    >>> format_value(2025, "year"), format_value(12345, "invoice_count"), format_value(True, "passed")
    ('2025', '12,345', 'yes')
    >>> format_value(dt.date(2026, 3, 31)), format_value(0.1234, "ratio"), format_value("all", "band")
    ('31 Mar 2026', '0.1', 'all suppliers')
    """
    if _missing(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.strftime("%d %b %Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d %b %Y")
    if isinstance(value, str):
        return VALUE_WORDS.get(value, value) if column in ("supplier_size_band", "band") or \
            value in ("all",) else value
    if not isinstance(value, int | float):
        return str(value)
    u = unit(column)
    if u == "£":
        places = decimals if decimals is not None else (0 if abs(value) >= 100 else 2)
        text = f"£{abs(value):,.{places}f}"
        return f"-{text}" if value < 0 else text
    if u == "%":
        return f"{value:,.{1 if decimals is None else decimals}f}%"
    if u == "days":
        if decimals is None:  # a mean keeps one decimal (18.0 beside 9.4), other days whole
            decimals = 1 if any(w in column for w in ("mean", "avg")) else 0
        return f"{value:,.{decimals}f}"
    if isinstance(value, int):
        return str(value) if column in PLAIN_INTEGERS else f"{value:,}"
    if float(value).is_integer() and decimals is None and u == "count":
        return f"{int(value):,}"
    return f"{value:,.{1 if decimals is None else decimals}f}"


def excel_format(column: str, dtype: pl.DataType | None = None) -> str | None:
    """The Excel number format of a column (the workbook's counterpart of :func:`format_value`).

    Percentages are stored 0-100 as in the tables, so the format shows the number and a % sign
    without multiplying by 100.

    >>> excel_format("paid_within_30_days_pct"), excel_format("x_gbp"), excel_format("median_days_to_pay")
    ('0.0"%"', '£#,##0;-£#,##0', '#,##0')
    """
    u = unit(column)
    if u == "%":
        return '0.0"%"'
    if u == "£":
        return "£#,##0;-£#,##0"
    if u == "days":
        return "#,##0.0" if any(w in column for w in ("mean", "avg")) else "#,##0"
    if column in PLAIN_INTEGERS:
        return "0"
    if u == "count" or (dtype is not None and dtype.is_integer()):
        return "#,##0"
    if dtype is not None and dtype.is_float():
        return "#,##0.0"
    return None


# ---- spreadsheets ---------------------------------------------------------------------------------
def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, prefixed with ``'`` (OWASP CSV injection;
    one home: :func:`lainbench.safe_output.neutralise_formula`).

    >>> neutralise("=HYPERLINK(1)"), neutralise("-3"), neutralise("Acme Ltd"), neutralise(-3)
    ("'=HYPERLINK(1)", "'-3", 'Acme Ltd', -3)
    """
    from lainbench.safe_output import neutralise_formula

    return neutralise_formula(value)


def neutralised(df: pl.DataFrame) -> pl.DataFrame:
    """Every text column of ``df`` with :func:`neutralise` applied (numbers and dates untouched).

    >>> neutralised(pl.DataFrame({"a": ["@x", "ok"], "n": [-1, 2]})).rows()
    [("'@x", -1), ('ok', 2)]
    """
    from lainbench.safe_output import neutralise_frame

    return neutralise_frame(df)


# ---- member names and colours -------------------------------------------------------------------
def register_values(column: str, words: Mapping[str, str]) -> None:
    """Show the code values of ``column`` as ``words`` in every table (one home per code list).

    >>> register_values("cover_type_example", {"public_liability": "Public liability"})
    >>> display_frame(pl.DataFrame({"cover_type_example": ["public_liability"]})).item()
    'Public liability'
    """
    VALUE_LABELS.setdefault(column, {}).update(words)


def set_member_names(members: pl.DataFrame | Mapping[str, str] | None) -> dict[str, str]:
    """Remember member names (``org_id`` -> ``org_name``) for every table shown afterwards.

    >>> set_member_names({"a": "Alpha Trust"})["a"]
    'Alpha Trust'
    """
    if members is None:
        return dict(_MEMBER_NAMES)
    if isinstance(members, pl.DataFrame):
        members = dict(zip(members["org_id"], members["org_name"], strict=True))
    _MEMBER_NAMES.update({str(k): str(v) for k, v in members.items() if v is not None})
    return dict(_MEMBER_NAMES)


def member_name(org_id: str | None, names: Mapping[str, str] | None = None) -> str:
    """A member's name (its id when the name is unknown).

    >>> member_name("zz_unknown")
    'zz_unknown'
    """
    if org_id is None:
        return ""
    return (names or _MEMBER_NAMES).get(org_id, _MEMBER_NAMES.get(org_id, org_id))


def with_member_names(df: pl.DataFrame, names: Mapping[str, str] | None = None) -> pl.DataFrame:
    """``df`` with a ``member`` name column first in place of its member id column.

    >>> t = with_member_names(pl.DataFrame({"buyer_org_id": ["a"], "v": [1]}), {"a": "Alpha"})
    >>> t.columns, t["member"].to_list()
    (['member', 'v'], ['Alpha'])
    """
    idc = next((c for c in ID_COLUMNS if c in df.columns), None)
    if idc is None:
        return df
    if any(c in df.columns for c in NAME_COLUMNS):
        return df.drop(idc)
    lookup = {**_MEMBER_NAMES, **(names or {})}
    named = df.with_columns(pl.col(idc).replace_strict(lookup, default=pl.col(idc),
                                                        return_dtype=pl.String).alias("member"))
    return named.select("member", *[c for c in df.columns if c != idc])


# 12 colours a reader can tell apart (Tableau 10 plus two dark ones), in a fixed member order.
PALETTE: tuple[str, ...] = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#7b4173",
)
FOCUS_COLOUR = "#d95f02"
OTHER_COLOUR = "#1b9e77"
MUTED_COLOUR = "#c7c7c7"


def member_palette(names: Iterable[str], focus: str | None = None) -> tuple[list[str], list[str]]:
    """``(domain, range)`` for an altair colour scale over member names: distinct colours for up
    to 12 members (then repeating), sorted by name so a member keeps its colour across charts.
    With ``focus``, that member keeps a strong colour and the others are grey.

    >>> d, r = member_palette([f"m{i:02d}" for i in range(12)])
    >>> len(set(r)) == 12
    True
    >>> member_palette(["b", "a"], focus="b")
    (['a', 'b'], ['#c7c7c7', '#d95f02'])
    """
    domain = sorted(dict.fromkeys(n for n in names if n is not None))
    if focus is not None and focus in domain:
        return domain, [FOCUS_COLOUR if n == focus else MUTED_COLOUR for n in domain]
    return domain, [PALETTE[i % len(PALETTE)] for i in range(len(domain))]


# ---- tables --------------------------------------------------------------------------------------
def display_frame(df: pl.DataFrame, decimals: int | None = None,
                  names: Mapping[str, str] | None = None,
                  text_figures: tuple[str, ...] = ("fair_payment_code_tier",),
                  labels: bool = True) -> pl.DataFrame:
    """Every value of ``df`` as text for people: member names for ids, formatted values, the
    figures of suppressed rows as ``[c]``, headers as :func:`label` (``labels=False`` keeps names).

    The ``suppressed`` column is dropped; ``suppression_note`` is kept as "Note" only when some row
    has one.

    >>> t = pl.DataFrame({"buyer_org_id": ["a", "b"], "interest_owed_gbp": [1234.5, 99.0],
    ...     "suppressed": [False, True], "suppression_note": [None, "fewer than 5 suppliers"]})
    >>> display_frame(t, names={"a": "Alpha", "b": "Beta"}).rows()
    [('Alpha', '£1,234', ''), ('Beta', '[c]', 'fewer than 5 suppliers')]
    """
    df = with_member_names(df, names)
    hidden = df["suppressed"].fill_null(False).to_list() if "suppressed" in df.columns else None
    cols: dict[str, list[str]] = {}
    for name in df.columns:
        if name == "suppressed":
            continue
        if name == "suppression_note" and df[name].null_count() == df.height:
            continue
        dtype = df.schema[name]
        is_figure = dtype.is_numeric() or dtype == pl.Boolean or name in text_figures
        places = decimals if dtype.is_float() and not unit(name) else None  # units fix their own
        if name in VALUE_LABELS and dtype == pl.String:
            words = VALUE_LABELS[name]
            vals = ["" if v is None else words.get(v, v) for v in df[name]]
        elif name in NAME_VALUED and dtype == pl.String:  # values that are column names
            vals = ["" if v is None else label(v) for v in df[name]]
        else:
            vals = [format_value(v, name, places) for v in df[name]]
        if hidden is not None and is_figure:
            vals = [MARK if h else v for v, h in zip(vals, hidden, strict=True)]
        cols[label(name) if labels else name] = vals
    return pl.DataFrame(cols, schema={c: pl.String for c in cols})


def _e(text: object) -> str:
    return _html.escape("" if text is None else str(text))


_NUMERIC = re.compile(r"^[-£]*[\d,.]+(%|)$|^\[c\]$")


def plain_table_html(df: pl.DataFrame, caption: str | None = None, css_class: str = "") -> str:
    """A short table as accessible HTML: caption, column headers with ``scope``, numbers right.

    Every cell is escaped. ``df`` holds text (see :func:`display_frame`).

    >>> html = plain_table_html(pl.DataFrame({"Member": ["A <b>"], "Paid (%)": ["90.0%"]}), "T")
    >>> '<caption>T</caption>' in html and "A &lt;b&gt;" in html and 'class="num"' in html
    True
    """
    numeric = [all(_NUMERIC.match(v or "0") for v in df[c].cast(pl.String).fill_null(""))
               for c in df.columns]
    num = ' class="num"'
    head = "".join(f'<th scope="col"{num if n else ""}>{_e(c)}</th>'
                   for c, n in zip(df.columns, numeric, strict=True))
    rows = []
    for row in df.iter_rows():
        cells = []
        for j, (v, n) in enumerate(zip(row, numeric, strict=True)):
            tag = "th scope=\"row\"" if j == 0 else "td"
            cls = ' class="num"' if n else (' class="c"' if v == MARK else "")
            cells.append(f"<{tag}{cls}>{_e(v)}</{tag.split()[0]}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    classes = f"lainbench-table {css_class}".strip()
    return (f'<div class="lainbench-table-wrap"><table class="{classes}">{cap}<thead><tr>{head}'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def long_table_html(df: pl.DataFrame, caption: str | None = None) -> str:
    """A long table as a sortable, searchable DataTables table (itables, offline: the library
    comes from :func:`itables_bundle_html`, put on the page once). Cells are escaped.
    """
    from itables import to_html_datatable

    pdf = df.to_pandas()
    numeric = [j for j, c in enumerate(df.columns)
               if all(_NUMERIC.match(v or "0") for v in df[c].cast(pl.String).fill_null(""))]
    return to_html_datatable(
        pdf, caption=caption, connected=False, allow_html=False, showIndex=False,
        columnDefs=[{"targets": numeric, "className": "dt-right"},
                    {"targets": "_all", "className": "dt-left"}],
        classes="display compact", pageLength=25, lengthMenu=[10, 25, 50, 100, -1],
        layout={"topStart": "pageLength", "topEnd": "search", "bottomStart": "info",
                "bottomEnd": "paging"},
        maxBytes=0, warn_on_undocumented_option=False)


def table_html(df: pl.DataFrame, caption: str | None = None, *, long_rows: int = LONG_TABLE_ROWS
               ) -> str:
    """HTML for a display table: plain for up to ``long_rows`` rows, sortable and searchable above."""
    if df.height > long_rows:
        return long_table_html(df, caption)
    return plain_table_html(df, caption)


class Table:
    """A table shown in a notebook or report (``_repr_html_``), with a plain-text fallback."""

    def __init__(self, frame: pl.DataFrame, caption: str | None = None) -> None:
        self.frame = frame
        self.caption = caption

    def _repr_html_(self) -> str:
        return table_html(self.frame, self.caption)

    def __repr__(self) -> str:
        return (f"{self.caption}\n" if self.caption else "") + "\n".join(
            " | ".join(map(str, r)) for r in [tuple(self.frame.columns), *self.frame.iter_rows()])


def show(df: pl.DataFrame, decimals: int | None = None, caption: str | None = None,
         names: Mapping[str, str] | None = None) -> Table:
    """Display a table for people: labels with units, formatted values, names not ids, ``[c]``
    for suppressed figures; sortable and searchable when long. Accepts pandas frames too.

    >>> print(repr(show(pl.DataFrame({"buyer_org_id": ["a"], "x_pct": [50.0]}), names={"a": "A"})))
    Member | X (%)
    A | 50.0%
    """
    if not isinstance(df, pl.DataFrame):
        df = pl.from_pandas(df)
    return Table(display_frame(df, decimals, names), caption)


def itables_bundle_html() -> str:
    """The DataTables library (from the itables package, no network) as HTML; once per page."""
    from itables import javascript as j
    from itables import options as opt

    init = j.read_package_file("html/init_datatables.html")
    init = j.replace_value(
        init, "import { set_or_remove_dark_class } from '" + j.UNPKG_DT_BUNDLE_URL_NO_VERSION + "';",
        "const { set_or_remove_dark_class } = await window." + j._itables_underscore_version() + ";")
    return j.generate_init_offline_itables_html(opt.dt_bundle) + init


# Print and screen CSS shared by the index, exported reports and PDFs.
TABLE_CSS = """
table.lainbench-table{border-collapse:collapse;font-size:.88rem;margin:.6rem 0;max-width:100%;
table-layout:auto}
table.lainbench-table caption{caption-side:top;text-align:left;font-weight:600;padding:.2rem 0}
.jp-RenderedHTMLCommon table.lainbench-table th,.jp-RenderedHTMLCommon table.lainbench-table td,
table.lainbench-table th,table.lainbench-table td{padding:.3rem .55rem;border-bottom:1px solid #e3e3e3;
text-align:left;vertical-align:top;white-space:normal;max-width:28rem}
.jp-RenderedHTMLCommon table.lainbench-table thead th,table.lainbench-table thead th{
background:#f3f3f3;border-bottom:2px solid #bbb;vertical-align:bottom}
.jp-RenderedHTMLCommon table.lainbench-table .num,table.lainbench-table .num{text-align:right;
font-variant-numeric:tabular-nums;white-space:nowrap}
.jp-RenderedHTMLCommon table.lainbench-table thead th.num,table.lainbench-table thead th.num{
white-space:normal;min-width:4.5rem}
.jp-RenderedHTMLCommon table.lainbench-table tbody th,table.lainbench-table tbody th{min-width:11rem}
table.lainbench-table .c{color:#8a5a00}
.jp-RenderedHTMLCommon table.lainbench-table tbody th,table.lainbench-table tbody th{font-weight:normal}
.lainbench-table-wrap{overflow-x:auto;max-width:100%}
.jp-RenderedHTMLCommon table.dataTable td.dt-left,.jp-RenderedHTMLCommon table.dataTable th.dt-left{
text-align:left}
.jp-RenderedHTMLCommon table.dataTable td.dt-right,.jp-RenderedHTMLCommon table.dataTable th.dt-right{
text-align:right}
"""
PRINT_CSS = """
@page{size:A4 portrait;margin:12mm 11mm}
@media print{
 body{font-size:9.5pt;max-width:none!important;margin:0!important;padding:0!important}
 .jp-InputArea,.jp-InputPrompt,.jp-OutputPrompt,.no-print,.dt-search,.dt-length,.dt-paging{display:none!important}
 table,figure,.lainbench-chart,svg,img{page-break-inside:avoid;break-inside:avoid}
 h1,h2,h3{page-break-after:avoid;break-after:avoid}
 table.lainbench-table{font-size:8pt;width:100%}
 table.lainbench-table th,table.lainbench-table td{padding:.12rem .3rem}
 .lainbench-chart svg,.lainbench-chart img,img{max-width:100%!important;height:auto!important}
 a{color:inherit;text-decoration:none}
}
"""
