"""Print-ready outputs: a one-page HTML notice, and the figures as CSV and xlsx.

HTML is built with jinja2 autoescaping (every value from the ledger or the command line is
escaped). CSV and xlsx cells that come from user data are neutralised against formula injection
(OWASP "CSV injection"): a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is prefixed with ``'`` so a spreadsheet shows it as text instead of running it.

>>> neutralise("=HYPERLINK(\\"x\\")"), neutralise("-3"), neutralise("Acme Ltd")
('\\'=HYPERLINK("x")', "'-3", 'Acme Ltd')
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import polars as pl

from lainbench.notices.pcn import PaymentsComplianceNotice
from lainbench.notices.s70 import S70List

__all__ = ["neutralise", "neutralised", "write_pcn", "write_s70"]

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """``'`` + ``value`` for a string that a spreadsheet would read as a formula; else unchanged."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def neutralised(df: pl.DataFrame) -> pl.DataFrame:
    """Every text column of ``df`` with :func:`neutralise` applied (numbers and dates untouched).

    >>> neutralised(pl.DataFrame({"a": ["@x", "ok"], "n": [-1, 2]})).rows()
    [("'@x", -1), ('ok', 2)]
    """
    danger = "^[=+\\-@\t\r]"
    return df.with_columns(
        pl.when(pl.col(c).str.contains(danger)).then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c)).alias(c)
        for c, t in df.schema.items() if t == pl.String
    )


_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ title }}</title>
<style>
@page { size: A4; margin: 18mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 10.5pt; color: #111; max-width: 180mm; margin: auto; }
h1 { font-size: 15pt; margin: 0 0 4pt; } h2 { font-size: 11.5pt; margin: 12pt 0 4pt; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #999; padding: 3pt 5pt; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } .note { font-size: 9pt; color: #333; }
.banner { border: 2px solid #a00; padding: 5pt; font-weight: bold; margin: 6pt 0; }
</style></head><body>
<h1>{{ title }}</h1>
<p>{{ subtitle }}</p>
{% if banner %}<p class="banner">{{ banner }}</p>{% endif %}
{% for section in sections %}
<h2>{{ section.heading }}</h2>
<table><thead><tr>{% for h in section.header %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for row in section.rows %}<tr>{% for cell in row %}<td{% if loop.index > section.text_cols %} class="num"{% endif %}>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
{% endfor %}
{% for p in paragraphs %}<p>{{ p }}</p>{% endfor %}
<div class="note">{% for n in notes %}<p>{{ n }}</p>{% endfor %}</div>
</body></html>
"""


def _write_tables(df: pl.DataFrame, out: Path, stem: str) -> dict[str, Path]:
    safe = neutralised(df)
    csv, xlsx = out / f"{stem}.csv", out / f"{stem}.xlsx"
    safe.write_csv(csv)
    safe.write_excel(xlsx, worksheet=stem[:31], autofit=True)
    return {"csv": csv, "xlsx": xlsx}


def write_pcn(notice: PaymentsComplianceNotice, out_dir: str | Path) -> dict[str, Path]:
    """Write ``payments_compliance_notice.html``, ``.csv`` and ``.xlsx`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = notice.rows()
    f = notice.figures
    fig_rows = [(r["reference"], r["label"], r["procurement_act_contracts"],
                 r["whole_ledger_for_comparison"])
                for r in table.iter_rows(named=True)
                if r["reference"].startswith("38(2)(c)") or r["reference"].startswith("38(2)(d)")]
    html = _ENV.from_string(_PAGE).render(
        title=f"Payments compliance notice: {notice.authority_name}",
        subtitle=(f"Procurement Act 2023 s.69 and Procurement Regulations 2024 reg 38. "
                  f"Reporting period (reg 38(2)(b)): {notice.period.text}. Publish by "
                  f"{notice.period.deadline:%d %B %Y} (30 days beginning with the last day)."),
        banner=None if notice.has_scope_invoices else notice.notes[0],
        sections=[
            {"heading": "Contracting authority (reg 38(2)(a))",
             "header": ["Name", "Identifier"], "text_cols": 2,
             "rows": [(notice.authority_name, notice.authority_id)]},
            {"heading": "Payment figures (reg 38(2)(c) and (d))",
             "header": ["Reg 38", "Figure", "Procurement Act public contracts (the notice)",
                        "Whole ledger (for comparison only, not the notice)"],
             "text_cols": 2, "rows": fig_rows},
        ],
        paragraphs=[
            f"Approval statement (reg 38(2)(e)): {notice.approval_statement}",
            f"Scope: {notice.scope_note}",
            (f"Reg 38(2)(d) counts {f['payable_count']} sums that became payable in the period; "
             f"{f['payable_paid_before_period_count']} of them were paid before it began and "
             "count as made. By value, "
             + (f"{f['payable_not_paid_in_period_value_pct']:.2f} %"
                if f["payable_not_paid_in_period_value_pct"] is not None else "n/a")
             + " were not paid within the period."),
        ],
        notes=[*notice.notes,
               ("Days count from the day after the invoice was received (day 1) to the day the "
               "supplier received the payment (reg 38(3)-(4)). Derived by lainbench from the "
               "member's invoice ledger; check before publishing.")],
    )
    page = out / "payments_compliance_notice.html"
    page.write_text(html, encoding="utf-8")
    return {"html": page, **_write_tables(table, out, "payments_compliance_notice")}


def write_s70(s70: S70List, out_dir: str | Path) -> dict[str, Path]:
    """Write ``payments_over_30k.html``, ``.csv`` and ``.xlsx`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t = s70.table
    html = _ENV.from_string(_PAGE).render(
        title=f"Payments over £30,000 under public contracts: {s70.authority_name}",
        subtitle=(f"Procurement Act 2023 s.70. Quarter {s70.quarter.label} "
                  f"({s70.quarter.text}). Publish by {s70.quarter.deadline:%d %B %Y} "
                  "(30 days beginning with the last day of the quarter)."),
        banner=s70.disclosure_label,
        sections=[{"heading": f"{t.height} payment(s), amounts including VAT",
                   "header": ["Contract", "Supplier", "Invoice", "Payment date", "Amount (£)"],
                   "text_cols": 4,
                   "rows": [(r["contract_id"] or "", r["supplier_name"] or "",
                             r["invoice_id"] or "", str(r["payment_date"]),
                             f"{r['amount_gbp']:,.2f}") for r in t.iter_rows(named=True)]}],
        paragraphs=[], notes=s70.notes,
    )
    page = out / "payments_over_30k.html"
    page.write_text(html, encoding="utf-8")
    labelled = t.with_columns(pl.lit(s70.quarter.label).alias("quarter"),
                              pl.lit(s70.quarter.deadline).alias("publish_by"),
                              pl.lit("outside the pack's disclosure control (s.70 publication)")
                              .alias("disclosure"))
    return {"html": page, **_write_tables(labelled, out, "payments_over_30k")}
