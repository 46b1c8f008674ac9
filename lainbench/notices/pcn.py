"""The payments compliance notice (Procurement Act 2023 s.69; Procurement Regulations 2024 reg 38).

Reg 38(2) (SI 2024/692, https://legislation.gov.uk/uksi/2024/692/regulation/38/made): "The
information is— (a) the contracting authority information, (b) the dates of the first and the last
days of the reporting period to which the payments compliance notice relates, (c) in respect of
sums paid by the contracting authority under public contracts during the reporting period— (i) the
average number of days taken to make those payments, where day 1 is the first day after the
invoice day; (ii) the percentage of those payments which were made, where day 1 is the first day
after the invoice day— (aa) within the period beginning on day 1 and ending with day 30; (bb)
within the period beginning on day 31 and ending with day 60; (cc) on or after day 61, (d) in
respect of sums which became payable under public contracts during the reporting period, the
percentage of those payments which were not made within the reporting period, and (e) a statement
of the director or similar officer of the contracting authority who is responsible for the
contracting authority's finances setting out that they approve the payments compliance notice and
that person's name and job title." Reg 38(3): "'average' means the arithmetic mean; 'invoice day'
means the day on which a contracting authority receives an invoice." Reg 38(4): "a payment is
made— (a) when it is received by the supplier; (b) if there is any delay in the sum being received
for which the contracting authority is not responsible, when it would have been received without
that delay."

How the ledger is read (each a reading; see ``docs/assumptions.md`` N-series):

* **Scope**: invoices under Procurement Act public contracts, ``regime == "pa2023"`` in
  ``invoice_payment``; credit notes are not payments and are left out. The same figures for the
  whole ledger are computed beside, labelled, never in place of the notice's.
* **(c) sums paid**: invoices whose payment was made (``supplier_received_date``, else
  ``payment_date``, reg 38(4)) in the period. Days = paid - invoice received (day 1 = the day
  after the invoice day). A payment on the invoice day (day 0) is counted in days 1-30.
* **(d) sums which became payable**: an invoice becomes payable on its due date (``due_date``,
  else invoice received + ``agreed_terms_days``, else invoice received + 30: day 30 of s.68's 30
  days counted as reg 38 counts them). Default ``disputed="defer"``: a disputed invoice becomes
  payable only once resolved (the later of its due date and ``dispute_resolved_date``; with no
  resolution date it has not become payable and is left out, counted). ``"include"`` ignores the
  dispute flag. "Not made within the reporting period": unpaid at the period's end or paid after
  it; a sum paid *before* the period began counts as made (counted separately). Percentages are
  by number of payments ("percentage of those payments"); the same by value is given beside.

>>> from datetime import date
>>> inv = pl.DataFrame({"buyer_org_id": ["A"] * 3, "regime": ["pa2023"] * 3,
...     "invoice_received_date": [date(2026, 1, 5), date(2026, 2, 1), date(2026, 3, 10)],
...     "due_date": [date(2026, 2, 4), date(2026, 3, 3), date(2026, 3, 30)],
...     "supplier_received_date": [date(2026, 1, 20), date(2026, 3, 20), None],
...     "gross_amount_gbp": [100.0, 200.0, 300.0]})
>>> f = pcn_figures(inv, date(2026, 1, 1), date(2026, 3, 31))  # 15 and 47 days: mean 31
>>> f["paid_count"], f["average_days"], f["paid_within_30_days_pct"], f["paid_31_to_60_days_pct"]
(2, 31.0, 50.0, 50.0)
>>> f["payable_count"], f["payable_not_paid_in_period_count"], f["payable_not_paid_in_period_pct"]
(3, 1, 33.33)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import polars as pl

from lainbench.errors import ParamsError, SchemaError
from lainbench.notices.calendar import NoticePeriod, reporting_period

__all__ = [
    "FIGURE_LABELS",
    "PCN_REGIME",
    "PaymentsComplianceNotice",
    "payments_compliance_notice",
    "pcn_figures",
]

PCN_REGIME = "pa2023"  # invoice_payment.regime value for Procurement Act public contracts
S68_DAYS = 30  # s.68(2): 30 days; day 30 = invoice day + 30 when day 1 is the day after

Disputed = Literal["defer", "include"]

# figure key -> (reg 38 reference, label)
FIGURE_LABELS: dict[str, tuple[str, str]] = {
    "paid_count": ("38(2)(c)", "Payments made in the period (number)"),
    "average_days": ("38(2)(c)(i)", "Average number of days taken to make those payments"),
    "paid_within_30_days_pct": ("38(2)(c)(ii)(aa)", "% paid within days 1 to 30"),
    "paid_31_to_60_days_pct": ("38(2)(c)(ii)(bb)", "% paid within days 31 to 60"),
    "paid_61_days_or_more_pct": ("38(2)(c)(ii)(cc)", "% paid on or after day 61"),
    "payable_count": ("38(2)(d)", "Sums that became payable in the period (number)"),
    "payable_not_paid_in_period_count": ("38(2)(d)", "... of which not paid within the period"),
    "payable_not_paid_in_period_pct": (
        "38(2)(d)", "% of sums payable in the period not paid within it"),
}


def _col(names: set[str], name: str, dtype: pl.DataType) -> pl.Expr:
    return pl.col(name).cast(dtype) if name in names else pl.lit(None, dtype)


def _pct(num: int, den: int) -> float | None:
    return round(100 * num / den, 2) if den else None


def pcn_figures(
    invoices: pl.DataFrame | pl.LazyFrame,
    period_start: date,
    period_end: date,
    *,
    disputed: Disputed = "defer",
) -> dict[str, Any]:
    """Reg 38(2)(c) and (d) figures for the invoices given (already restricted to the scope).

    Returns a dict of the :data:`FIGURE_LABELS` keys plus ``paid_value_gbp``,
    ``payable_value_gbp``, ``payable_not_paid_in_period_value_pct`` (by value, beside),
    ``payable_paid_before_period_count``, ``disputed_not_yet_payable_count`` and
    ``credit_notes_left_out``. Percentages are 0-100 to 2 decimals; ``None`` when nothing counts.
    """
    if disputed not in ("defer", "include"):
        raise ParamsError(f"disputed = {disputed!r}; expected 'defer' or 'include'")
    lf = invoices.lazy() if isinstance(invoices, pl.DataFrame) else invoices
    names = set(lf.collect_schema().names())
    for need in ("invoice_received_date", "gross_amount_gbp"):
        if need not in names:
            raise SchemaError(f"invoice table: missing column {need}; see schemas.INVOICE_PAYMENT")
    if not names & {"payment_date", "supplier_received_date"}:
        raise SchemaError("invoice table: no payment date (supplier_received_date or payment_date)")
    received = pl.col("invoice_received_date").cast(pl.Date)
    paid = pl.coalesce(_col(names, "supplier_received_date", pl.Date()),
                       _col(names, "payment_date", pl.Date()))
    amount = pl.col("gross_amount_gbp").cast(pl.Float64)
    credit = _col(names, "is_credit_note", pl.Boolean()).fill_null(amount < 0)
    due = pl.coalesce(
        _col(names, "due_date", pl.Date()),
        received + pl.duration(days=_col(names, "agreed_terms_days", pl.Int32())),
        received + pl.duration(days=S68_DAYS),
    )
    is_disputed = _col(names, "disputed", pl.Boolean()).fill_null(False)
    resolved = _col(names, "dispute_resolved_date", pl.Date())
    if disputed == "defer":
        payable = (pl.when(~is_disputed).then(due)
                   .when(resolved.is_not_null()).then(pl.max_horizontal(due, resolved))
                   .otherwise(None))
    else:
        payable = due
    t = lf.select(
        received.alias("received"), paid.alias("paid"), amount.alias("amount"),
        credit.alias("credit"), payable.alias("payable"),
        (is_disputed & payable.is_null()).alias("not_yet_payable") if disputed == "defer"
        else pl.lit(False).alias("not_yet_payable"),
    ).collect()
    credits = int(t["credit"].sum())
    t = t.filter(~pl.col("credit"))
    s, e = period_start, period_end
    # (c) sums paid in the period
    pd_ = t.filter(pl.col("paid").is_between(s, e))
    days = (pd_["paid"] - pd_["received"]).dt.total_days()
    n_paid = pd_.height
    n30 = int((days <= 30).sum())
    n60 = int(((days > 30) & (days <= 60)).sum())
    n61 = int((days > 60).sum())
    # (d) sums which became payable in the period
    pay = t.filter(pl.col("payable").is_between(s, e))
    not_made = pay.filter(pl.col("paid").is_null() | (pl.col("paid") > e))
    before = pay.filter(pl.col("paid") < s)
    pay_value = float(pay["amount"].sum())
    not_made_value = float(not_made["amount"].sum())
    return {
        "paid_count": n_paid,
        "paid_value_gbp": round(float(pd_["amount"].sum()), 2),
        "average_days": round(float(days.mean()), 2) if n_paid else None,
        "paid_within_30_days_pct": _pct(n30, n_paid),
        "paid_31_to_60_days_pct": _pct(n60, n_paid),
        "paid_61_days_or_more_pct": _pct(n61, n_paid),
        "payable_count": pay.height,
        "payable_value_gbp": round(pay_value, 2),
        "payable_not_paid_in_period_count": not_made.height,
        "payable_not_paid_in_period_pct": _pct(not_made.height, pay.height),
        "payable_not_paid_in_period_value_pct": (
            round(100 * not_made_value / pay_value, 2) if pay_value > 0 else None),
        "payable_paid_before_period_count": before.height,
        "disputed_not_yet_payable_count": int(
            t.filter(pl.col("not_yet_payable") & (pl.col("received") <= e))["not_yet_payable"]
            .sum()),
        "credit_notes_left_out": credits,
    }


@dataclass(frozen=True)
class PaymentsComplianceNotice:
    """One member's payments compliance notice for one reporting period (reg 38(2)(a)-(e))."""

    authority_id: str
    authority_name: str
    period: NoticePeriod
    nation: str
    figures: dict[str, Any]  # reg 38(2)(c)-(d), Procurement Act public contracts only
    whole_ledger: dict[str, Any]  # the same for every invoice of the member, labelled
    approver_name: str | None
    approver_title: str | None
    scope_note: str
    notes: list[str] = field(default_factory=list)

    @property
    def has_scope_invoices(self) -> bool:
        """Whether any Procurement Act invoice was paid or became payable in the period."""
        return bool(self.figures["paid_count"] or self.figures["payable_count"])

    @property
    def approval_statement(self) -> str:
        """Reg 38(2)(e): the finance director's (or equivalent's) approval, with name and title."""
        name = self.approver_name or "[name of the director responsible for finances]"
        title = self.approver_title or "[job title]"
        return (f"I approve this payments compliance notice. {name}, {title}, "
                f"{self.authority_name}.")

    def long_figures(self, *, whole_ledger: bool = False) -> pl.DataFrame:
        """The figures as ``org_id, period_start, period_end, measure, value`` rows, under the
        column names ``lainbench.published`` uses, for :func:`lainbench.notices.compare.
        compare_measures` (reg 38(2)(d) as ``payable_not_paid_in_period_pct``: its own measure).
        """
        f = self.whole_ledger if whole_ledger else self.figures
        names = {"average_days": "avg_days_to_pay",
                 "paid_within_30_days_pct": "paid_within_30_days_pct",
                 "paid_31_to_60_days_pct": "paid_31_to_60_days_pct",
                 "paid_61_days_or_more_pct": "paid_over_60_days_pct",
                 "payable_not_paid_in_period_pct": "payable_not_paid_in_period_pct"}
        rows = [(self.authority_id, self.period.start, self.period.end, m, f[k])
                for k, m in names.items() if f[k] is not None]
        return pl.DataFrame(rows, schema={"org_id": pl.String, "period_start": pl.Date,
                                          "period_end": pl.Date, "measure": pl.String,
                                          "value": pl.Float64}, orient="row")

    def rows(self) -> pl.DataFrame:
        """The figures as a table: reference, figure, label, notice value, whole-ledger value."""
        out = [
            ("38(2)(a)", "authority", "Contracting authority", self.authority_name,
             self.authority_name),
            ("38(2)(b)", "period_start", "First day of the reporting period",
             self.period.start.isoformat(), self.period.start.isoformat()),
            ("38(2)(b)", "period_end", "Last day of the reporting period",
             self.period.end.isoformat(), self.period.end.isoformat()),
        ]
        for key, (ref, label) in FIGURE_LABELS.items():
            out.append((ref, key, label, _fmt(self.figures[key]), _fmt(self.whole_ledger[key])))
        out += [
            ("38(2)(e)", "approver_name", "Approved by (name)", self.approver_name or "", ""),
            ("38(2)(e)", "approver_title", "Approved by (job title)", self.approver_title or "", ""),
            ("s.69(1)", "publication_deadline", "Publish by (30 days beginning with the last day)",
             self.period.deadline.isoformat(), ""),
        ]
        return pl.DataFrame(out, schema={
            "reference": pl.String, "figure": pl.String, "label": pl.String,
            "procurement_act_contracts": pl.String, "whole_ledger_for_comparison": pl.String,
        }, orient="row")


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


def payments_compliance_notice(
    invoices: pl.DataFrame | pl.LazyFrame,
    member: str,
    period: str | NoticePeriod,
    *,
    nation: str = "england",
    authority_name: str | None = None,
    approver_name: str | None = None,
    approver_title: str | None = None,
    disputed: Disputed = "defer",
) -> PaymentsComplianceNotice:
    """The member's payments compliance notice for ``period`` from its invoice ledger.

    ``invoices`` is an ``invoice_payment`` table (any members); ``member`` its ``buyer_org_id``.
    The notice's figures use the invoices under Procurement Act public contracts (``regime ==
    "pa2023"``); ``whole_ledger`` gives the member's figures over every invoice, for comparison.
    When there are none in scope (or no ``regime`` column) the notice says so plainly.

    >>> from datetime import date
    >>> inv = pl.DataFrame({"buyer_org_id": ["A", "A"], "regime": ["pcr_2015", "pcr_2015"],
    ...     "invoice_received_date": [date(2026, 1, 5)] * 2,
    ...     "supplier_received_date": [date(2026, 1, 20), date(2026, 2, 20)],
    ...     "gross_amount_gbp": [100.0, 200.0]})
    >>> n = payments_compliance_notice(inv, "A", "2026-03")
    >>> n.has_scope_invoices, n.whole_ledger["paid_count"], n.period.deadline
    (False, 2, datetime.date(2026, 4, 29))
    >>> n.notes[0]
    'No Procurement Act invoices in this period: the notice figures are empty; whole-ledger figures are shown beside, labelled, for comparison only.'
    """
    p = period if isinstance(period, NoticePeriod) else reporting_period(period, nation)
    lf = invoices.lazy() if isinstance(invoices, pl.DataFrame) else invoices
    names = set(lf.collect_schema().names())
    if "buyer_org_id" not in names:
        raise SchemaError("invoice table: missing column buyer_org_id (the member's id)")
    mine = lf.filter(pl.col("buyer_org_id").cast(pl.String) == str(member))
    if mine.select(pl.len()).collect().item() == 0:
        known = (lf.select(pl.col("buyer_org_id").cast(pl.String).unique().sort()).collect()
                 .to_series().to_list())
        raise ParamsError(
            f"member = {member!r}: no invoices for that buyer_org_id; the ledger has "
            f"{', '.join(map(str, known[:20]))}")
    notes: list[str] = []
    if "regime" in names:
        scope = mine.filter(pl.col("regime") == PCN_REGIME)
        scope_note = ("Invoices under Procurement Act 2023 public contracts (ledger column "
                      "regime = pa2023); credit notes excluded.")
        if mine.select(pl.col("regime").is_not_null().any()).collect().item() is not True:
            notes.append("The ledger's regime column is empty for this member: fill it "
                         "(pcr_2015 / pa2023 / private, e.g. with a header mapping) to derive the "
                         "notice.")
    else:
        scope = mine.filter(pl.lit(False))
        scope_note = ("The ledger has no regime column, so no invoice can be shown to be under a "
                      "Procurement Act public contract.")
        notes.append("The ledger has no regime column: add regime (pcr_2015 / pa2023 / private) "
                     "to derive the notice.")
    figures = pcn_figures(scope, p.start, p.end, disputed=disputed)
    whole = pcn_figures(mine, p.start, p.end, disputed=disputed)
    if not (figures["paid_count"] or figures["payable_count"]):
        notes.insert(0, "No Procurement Act invoices in this period: the notice figures are "
                        "empty; whole-ledger figures are shown beside, labelled, for comparison "
                        "only.")
    if figures["disputed_not_yet_payable_count"]:
        notes.append(f"{figures['disputed_not_yet_payable_count']} disputed invoice(s) with no "
                     "resolution date are treated as not yet payable (reg 38(2)(d)).")
    if not (approver_name and approver_title):
        notes.append("Reg 38(2)(e): the approval statement needs the name and job title of the "
                     "director responsible for finances before the notice is published.")
    return PaymentsComplianceNotice(
        authority_id=str(member), authority_name=authority_name or str(member), period=p,
        nation=nation, figures=figures, whole_ledger=whole, approver_name=approver_name,
        approver_title=approver_title, scope_note=scope_note, notes=notes)
