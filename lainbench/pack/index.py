"""The pack's landing page, ``index.html``: links to every report and the headline table.

The page is one self-contained file: inline CSS, no script, no web font, no external image. Its one
chart is a static SVG drawn by vl-convert when the pack is built, so the page looks the same opened
from a USB stick, an email attachment or a shared drive with no network.

>>> import polars as pl
>>> head = pl.DataFrame({"buyer_org_id": ["a"], "member": ["A <Trust>"], "period": ["p"],
...     "invoice_count": [10], "mean_days_to_pay": [21.0], "median_days_to_pay": [20.0],
...     "paid_within_30_days_pct": [88.0], "paid_within_terms_pct": [90.0],
...     "interest_owed_gbp": [1500.0], "fair_payment_code_tier": ["bronze"],
...     "insurance_flags_total": [None], "shortfall_risk_pct": [None],
...     "suppressed": [False], "suppression_note": [None]})
>>> html = render_index(PageInfo(title="Pack", period="p"), head,
...     member_links={"a": [("member_scorecard", "runs/a/x.html", "ok")]},
...     availability={"insurance_flags": "not available: test", "cashflow_risk": "off"})
>>> "A &lt;Trust&gt;" in html and "<script" not in html and "not available" in html
True
"""

from __future__ import annotations

import datetime as dt
import html as _html
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lainbench.presentation import MARK, PRINT_CSS, TABLE_CSS, format_value
from lainbench.presentation import label as column_label

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:2rem auto;
max-width:1150px;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #ddd}
.meta{color:#555;font-size:.9rem}table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.6rem 0}
th,td{padding:.35rem .5rem;border-bottom:1px solid #e3e3e3;text-align:right;vertical-align:top}
th{background:#f3f3f3;text-align:right}th:first-child,td:first-child{text-align:left}
tbody th{font-weight:normal;background:none}caption{text-align:left;font-weight:600}
td{white-space:nowrap}td:last-child{white-space:normal}
td.na{color:#777;font-style:italic}td.c{color:#8a5a00}.failed{color:#b00020;font-weight:bold}
.ok{color:#1b7837}ul.links li{margin:.2rem 0}.note{font-size:.85rem;color:#444}
.lainbench-chart{margin:1rem 0;overflow-x:auto}
"""

# Headline columns shown on the page; headers and formats come from lainbench.presentation.
COLUMNS: tuple[str, ...] = (
    "invoice_count", "mean_days_to_pay", "paid_within_30_days_pct", "interest_owed_gbp",
    "fair_payment_code_tier", "insurance_flags_total", "shortfall_risk_pct",
)
OPTIONAL = {"insurance_flags_total": "insurance_flags", "shortfall_risk_pct": "cashflow_risk"}


@dataclass
class PageInfo:
    """What the page says about the pack as a whole."""

    title: str
    period: str
    description: str = ""
    generated: str = field(default_factory=lambda: dt.datetime.now(dt.UTC)
                           .isoformat(timespec="seconds"))
    version: str = ""
    rules: str = ""
    workbook: str | None = None
    manifest: str = "manifest.json"
    charts_dir: str | None = "charts/"
    suppressed: int = 0
    failed: list[str] = field(default_factory=list)


def _e(text: object) -> str:
    return _html.escape("" if text is None else str(text))


def _cell(value: object, column: str) -> str:
    return _e(format_value(value, column))


def _status(status: str) -> str:
    cls = "ok" if status in ("ok", "reused") else "failed"
    return f'<span class="{cls}">{_e(status)}</span>'


def render_index(info: PageInfo, headline: pl.DataFrame,
                 network_links: list[tuple[str, str, str]] | None = None,
                 member_links: dict[str, list[tuple[str, str, str]]] | None = None,
                 availability: dict[str, str] | None = None, chart_svg: str | None = None,
                 returns: pl.DataFrame | None = None) -> str:
    """The landing page as HTML text.

    ``network_links`` are (label, relative href, status) for the network reports;
    ``member_links`` the same per member id. ``availability`` maps an optional component
    (``insurance_flags``, ``cashflow_risk``) to a note when it is *not* available: its column then
    says "not available". ``chart_svg`` is a static SVG drawn beside the table. ``returns`` (a pack
    built from members' returns) is the status of each return and member: the page says which
    members' returns are in, which are missing, and when each was approved.
    """
    network_links = network_links or []
    member_links = member_links or {}
    availability = availability or {}
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(info.title)}</title><style>{CSS}{TABLE_CSS}{PRINT_CSS}</style></head><body>",
        f"<h1>{_e(info.title)}</h1>",
        f'<p class="meta">Headline period <b>{_e(info.period)}</b> &middot; built {_e(info.generated)}'
        + (f" &middot; lainbench {_e(info.version)}" if info.version else "") + "</p>",
    ]
    if info.description:
        parts.append(f"<p>{_e(info.description)}</p>")
    if info.failed:
        parts.append(f'<p class="failed">{len(info.failed)} report(s) failed: '
                     f"{_e(', '.join(info.failed))}. Their errors are in {_e(info.manifest)}.</p>")
    files = [(f'<li><a href="{_e(info.manifest)}">manifest.json</a>: what went in (input hashes, '
              "parameters, package versions) and what came out (every file with its sha256)</li>")]
    if info.workbook:
        files.append(f'<li><a href="{_e(info.workbook)}">{_e(info.workbook)}</a>: the pack\'s tables '
                     "for finance teams (one sheet per table, units in the headers)</li>")
    if info.charts_dir:
        files.append(f'<li><a href="{_e(info.charts_dir)}">{_e(info.charts_dir)}</a>: every chart '
                     "as PNG and SVG, for slides</li>")
    parts.append("<h2>Network</h2><ul class=\"links\">")
    for label, href, status in network_links:
        link = f'<a href="{_e(href)}">{_e(label)}</a>' if status in ("ok", "reused") else _e(label)
        parts.append(f"<li>{link} {_status(status)}</li>")
    parts.append("</ul>")
    parts.append("<h2>Members</h2>")
    parts.append(f'<table><caption>Headline figures, {_e(info.period)}</caption><thead><tr>'
                 '<th scope="col">Member</th>'
                 + "".join(f'<th scope="col">{_e(column_label(c))}</th>' for c in COLUMNS)
                 + '<th scope="col">Reports</th></tr></thead><tbody>')
    for row in headline.sort("member").iter_rows(named=True):
        cells = [f'<th scope="row">{_e(row["member"])}</th>']
        hidden = bool(row.get("suppressed"))
        for col in COLUMNS:
            comp = OPTIONAL.get(col)
            if comp and comp in availability:
                cells.append('<td class="na">not available</td>')
            elif hidden and col not in OPTIONAL:
                cells.append(f'<td class="c" title="{_e(row.get("suppression_note"))}">{MARK}</td>')
            elif row.get(col) is None and col in ("interest_owed_gbp", "shortfall_risk_pct",
                                                  "fair_payment_code_tier", "mean_days_to_pay",
                                                  "paid_within_30_days_pct"):
                cells.append(f'<td class="c">{MARK}</td>')
            else:
                cells.append(f"<td>{_cell(row.get(col), col)}</td>")
        links = []
        for label, href, status in member_links.get(row["buyer_org_id"], []):
            links.append(f'<a href="{_e(href)}">{_e(label)}</a>' if status in ("ok", "reused")
                         else f"{_e(label)} {_status(status)}")
        cells.append(f"<td>{'<br>'.join(links)}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    notes = [f"{MARK} = suppressed to protect suppliers' data ({_e(info.rules)})"
             if info.rules else f"{MARK} = suppressed to protect suppliers' data"]
    if info.suppressed:
        notes.append(f"{info.suppressed} figure(s) in the pack are suppressed; each is listed in "
                     "the manifest and the workbook's suppressions sheet")
    for comp, note in availability.items():
        notes.append(f"{comp.replace('_', ' ')}: {_e(note)}")
    notes.append("Interest owed is statutory interest plus fixed compensation under the Late Payment "
                 "of Commercial Debts (Interest) Act 1998, owed whether or not suppliers claim it")
    notes.append("Cash-flow shortfall risk: the chance a typical small supplier paid the way the "
                 "member paid in the period runs out of cash within a year (simulation)")
    parts.append('<p class="note">' + "<br>".join(notes) + "</p>")
    if chart_svg:
        parts.append(f'<div class="lainbench-chart">{chart_svg}</div>')
    if returns is not None:
        parts.append(returns_section(returns))
    files.append('<li><a href="docs/assumptions.html">Assumptions</a>, with RAG ratings and '
                 'sources (<a href="docs/assumptions.md">as Markdown</a>), and the '
                 '<a href="docs/data_log.html">data log</a>: every data set, its source and '
                 "licence</li>")
    parts.append("<h2>Files</h2><ul class=\"links\">" + "".join(files) + "</ul>")
    parts.append('<p class="note">Demo packs use synthetic data: no figure describes a real '
                 "organisation.</p></body></html>")
    return "\n".join(parts)


RETURN_STATUS = {
    "used": "in",
    "missing": "missing",
    "superseded": "superseded (a later approved return is used)",
    "late": "in, late",
}


def returns_section(returns: pl.DataFrame) -> str:
    """The page's "Members' returns" section: which are in, missing, late, superseded, refused.

    >>> r = pl.DataFrame({"member_id": ["a", "b"], "member_name": ["A", "B"],
    ...     "file": ["a.return.zip", None], "status": ["used", "missing"],
    ...     "schema_version": ["1.0", None], "approved_at": ["2026-10-20T09:00:00", None],
    ...     "approver_name": ["J Bloggs", None], "approver_title": ["CFO", None],
    ...     "late": [True, False], "note": [None, "no usable return received"]})
    >>> html = returns_section(r)
    >>> "1 of 2 members' returns are in" in html and "in, late" in html and "missing" in html
    True
    """
    used = returns.filter(pl.col("status") == "used")
    missing = returns.filter(pl.col("status") == "missing")
    n = used.height + missing.height
    late = used.filter(pl.col("late").fill_null(False)).height
    versions = sorted(set(used["schema_version"].drop_nulls().to_list()))
    head = (f"<p>{used.height} of {n} members' returns are in"
            + (f" ({late} late)" if late else "") + f"; {missing.height} missing. "
            + (f"Schema version(s) used: {_e(', '.join(versions))}. " if versions else "")
            + "Every figure in this pack is computed from these returns alone.</p>")
    rows = []
    for r in returns.iter_rows(named=True):
        status = r["status"]
        word = "late" if status == "used" and r["late"] else status
        cls = "ok" if status == "used" else "failed" if status != "superseded" else ""
        approver = ", ".join(x for x in (r["approver_name"], r["approver_title"]) if x)
        rows.append(
            f"<tr><td>{_e(r['member_name'] or r['member_id'])}</td>"
            f'<td><span class="{cls}">{_e(RETURN_STATUS.get(word, word))}</span></td>'
            f'<td class="wrap small">{_e(r["file"])}</td>'
            f'<td class="wrap small">{_e(r["approved_at"])}</td>'
            f'<td class="wrap">{_e(approver)}</td>'
            f'<td>{_e(r["schema_version"])}</td><td class="wrap">{_e(r["note"])}</td></tr>')
    style = ("<style>table.returns{width:100%;table-layout:fixed}"
             "table.returns td,table.returns th{white-space:normal;text-align:left;"
             "vertical-align:top}table.returns td.wrap{overflow-wrap:anywhere}"
             "table.returns td.small{font-size:85%}</style>"
             '<colgroup><col style="width:18%"><col style="width:7%"><col style="width:20%">'
             '<col style="width:12%"><col style="width:25%"><col style="width:6%">'
             '<col style="width:12%"></colgroup>')
    css, cols = style.split("</style>")
    return ("<h2>Members' returns</h2>" + head + css + "</style>"
            + '<table class="returns">' + cols + "<thead><tr><th>Member</th><th>Return</th>"
            "<th>File</th><th>Approved</th>"
            "<th>Approved by</th><th>Schema</th><th>Note</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def headline_chart_svg(headline: pl.DataFrame, measure: str = "paid_within_30_days_pct") -> str:
    """A static SVG bar chart of ``measure`` per member (suppressed members left out)."""
    import altair as alt
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    period = headline["period"][0] if headline.height and "period" in headline.columns else ""
    df = headline.filter(~pl.col("suppressed").fill_null(True)).select("member", measure)
    median = df[measure].median() if df.height else None
    bars = alt.Chart(df).mark_bar(color="#1b9e77").encode(
        y=alt.Y("member:N", sort="-x", title=None, axis=alt.Axis(labelLimit=0)),
        x=alt.X(f"{measure}:Q", title=f"{column_label(measure)}, {period}",
                scale=alt.Scale(domain=[0, 100])),
    )
    layers = [bars]
    if median is not None:
        layers.append(alt.Chart(pl.DataFrame({"m": [median]})).mark_rule(
            strokeDash=[4, 3], color="black").encode(x="m:Q"))
    chart = alt.layer(*layers).properties(
        width=520, height=22 * max(df.height, 1),
        title={"text": f"Invoices paid within 30 days of receipt, {period} (%)",
               "subtitle": "dashed line: network median; suppressed members left out"})
    return vlc.vegalite_to_svg(chart.to_dict(), vl_version=vl_version_for_vl_convert())


def write_index(path: str | Path, text: str) -> Path:
    """Write the page atomically."""
    p = Path(path)
    tmp = p.with_name(f".{p.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(p)
    return p
