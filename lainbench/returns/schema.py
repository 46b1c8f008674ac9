"""The member's return, sheet by sheet: each sheet a typed polars schema, and the schema version.

A return holds only aggregates of one member's own records: counts, sums, the number of distinct
suppliers behind a figure and the two largest suppliers' values (never who they are). Every
sheet is keyed by ``period`` (a reporting period the return covers) and, where it is about
payments, ``supplier_size_band`` (``micro``, ``small``, ``medium``, ``large``, ``unknown``, and
``all`` = every supplier; the band rows add up to the ``all`` row).

>>> list(SHEETS)[:4]
['return_info', 'inputs', 'periods', 'payment_totals']
>>> empty("periods").schema
Schema([('period', String), ('period_start', Date), ('period_end', Date)])
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from lainbench.schemas import INSURANCE_REQUIREMENT

# major.minor: a reader accepts any minor version of its major (new columns are ignored) and
# refuses another major (the columns mean something else).
RETURN_SCHEMA_VERSION = "1.1"  # 1.1: share_parts and day_buckets sheets
ALL = "all"
SMALL = "micro+small"  # the pooled cell for the small-supplier targets (fewer than 50 staff)
ALL_PERIODS = "*"  # the contributors cell over every period of the return
BANDS = ("micro", "small", "medium", "large", "unknown")
I64, F64, S, D, B = pl.Int64, pl.Float64, pl.String, pl.Date, pl.Boolean


@dataclass(frozen=True)
class Sheet:
    """One sheet of the return: its columns (name -> dtype), key columns and what a row is."""

    name: str
    columns: dict[str, pl.DataType]
    keys: tuple[str, ...]
    row: str
    notes: dict[str, str]


SHEETS: dict[str, Sheet] = {s.name: s for s in (
    Sheet("return_info", {
        "schema_version": S, "member_id": S, "member_name": S, "org_type": S, "periods": S,
        "days_to_pay_max": I64, "tool_version": S, "built_at": S,
        "approver_name": S, "approver_title": S, "approved_at": S,
    }, (), "one row: who the return is from, what it covers, who approved it and when", {
        "periods": "the reporting periods covered, separated by ';'",
        "days_to_pay_max": "days to pay are counted one by one up to this day; later ones overflow",
        "approver_name": "the officer who signs the return off (PR 2024 reg 38(2)(e): the director "
                         "responsible for finances)",
        "approved_at": "date and time of approval, ISO 8601 (e.g. 2026-10-20T09:30:00)",
    }),
    Sheet("inputs", {
        "input": S, "file": S, "sha256": S, "bytes": I64, "rows_read": I64, "rows_accepted": I64,
        "rows_rejected": I64, "rows_skipped": I64,
    }, ("input",), "one row per input table the return was computed from", {
        "file": "file name only (no folder)",
        "rows_rejected": "rows that could not be read (see the ingest rejects); rows_skipped: "
                         "other buyers' rows; rows_read = accepted + rejected + skipped",
    }),
    Sheet("periods", {"period": S, "period_start": D, "period_end": D}, ("period",),
          "one row per reporting period covered", {}),
    Sheet("payment_totals", {
        "period": S, "supplier_size_band": S, "invoices": I64, "value_gbp": F64,
        "invoices_with_days": I64, "days_to_pay_sum": I64,
        "within_terms_invoices": I64, "terms_known_invoices": I64, "within_terms_value_gbp": F64,
        "disputed_invoices": I64, "disputed_value_gbp": F64,
        "s68_met_invoices": I64, "s68_known_invoices": I64, "s68_met_value_gbp": F64,
        "undisputed_value_gbp": F64, "credit_notes": I64,
    }, ("period", "supplier_size_band"),
        "period x size band: invoices paid in the period (credit notes left out)", {
        "days_to_pay_sum": "sum over paid invoices of whole days from receipt to supplier receipt",
        "terms_known_invoices": "invoices with a due date (agreed terms)",
        "s68_met_invoices": "undisputed invoices paid within 30 days or by the due date if later "
                            "(PA 2023 s.68 / NHS BPPC)",
        "s68_known_invoices": "undisputed invoices (the s.68 base)",
        "credit_notes": "credit notes paid in the period, not counted anywhere else",
    }),
    Sheet("days_to_pay", {
        "period": S, "supplier_size_band": S, "days_to_pay": I64, "overflow": B,
        "invoices": I64, "value_gbp": F64,
    }, ("period", "supplier_size_band", "days_to_pay"),
        "period x size band x whole days to pay: invoices paid and their value", {
        "overflow": "true on the one row for every payment after days_to_pay_max (its "
                    "days_to_pay is days_to_pay_max + 1)",
    }),
    Sheet("days_late", {
        "period": S, "supplier_size_band": S, "days_late": I64, "invoices": I64,
    }, ("period", "supplier_size_band", "days_late"),
        "period x size band x whole days after the due date (0 = on time); for cash-flow risk", {
        "days_late": "every day observed, no overflow (the cash-flow model samples them)",
    }),
    Sheet("interest", {
        "period": S, "supplier_size_band": S, "invoices_paid_late": I64, "late_value_gbp": F64,
        "statutory_interest_gbp": F64, "fixed_compensation_gbp": F64, "total_owed_gbp": F64,
    }, ("period", "supplier_size_band"),
        "period x size band: Late Payment Act interest and compensation owed", {
        "invoices_paid_late": "paid after the Act's relevant day",
    }),
    Sheet("compliance_notice", {
        "period": S, "invoice_count": I64, "average_days_to_pay": F64,
        "paid_days_1_to_30_pct": F64, "paid_days_31_to_60_pct": F64,
        "paid_day_61_or_later_pct": F64, "payable_in_period_count": I64,
        "payable_not_paid_in_period_pct": F64,
    }, ("period",), "period: the figures of the payments compliance notice (PR 2024 reg 38(2))", {
        "payable_not_paid_in_period_pct": "reg 38(2)(d): of invoices due in the period, the % "
                                          "not paid by its last day",
    }),
    Sheet("contributors", {
        "measure": S, "period": S, "supplier_size_band": S, "supplier_count": I64,
        "value_total_gbp": F64, "largest_supplier_value_gbp": F64,
        "second_supplier_value_gbp": F64,
    }, ("measure", "period", "supplier_size_band"),
        "every cell the network may publish: distinct suppliers and the two largest suppliers' "
        "values (no identities), for the threshold, (n, k) dominance and p% rules", {
        "measure": "payment_metrics, interest_owed (value = interest + compensation owed) or "
                   "days_distribution (period '*': every period of the return)",
        "value_total_gbp": "sum over suppliers of the absolute value of each supplier's total",
    }),
    Sheet("share_parts", {
        "period": S, "supplier_size_band": S, "split": S, "side": S, "supplier_count": I64,
        "value_gbp": F64, "top1_value_gbp": F64, "top2_value_gbp": F64,
    }, ("period", "supplier_size_band", "split", "side"),
        "period x size band (all, each band, small_lt50) x share x side: the contributors of the "
        "part and the rest of every share the pack publishes (a share publishes both)", {
        "split": "within_5_days, within_10_days, within_30_days, within_60_days, days_31_to_60, "
                 "within_terms, disputed or within_30_or_terms (lainbench.payments.SHARE_SPLITS)",
        "side": "part (inside the share) or rest",
    }),
    Sheet("day_buckets", {
        "period": S, "bucket": I64, "days_from": I64, "days_to": I64, "invoices": I64,
        "value_gbp": F64, "supplier_count": I64, "top1_value_gbp": F64, "top2_value_gbp": F64,
    }, ("period", "bucket"),
        "period x days-to-pay bucket (edges of params/disclosure_control.yaml): paid invoices and "
        "their contributors, from which the pack publishes only buckets that pass the rules", {
        "days_to": "last day of the bucket; empty for the last (over the last edge)",
    }),
    Sheet("spend", {
        "period": S, "dimension": S, "category": S, "lines": I64, "amount_gbp": F64,
        "addressable_amount_gbp": F64, "addressable_unknown_amount_gbp": F64,
        "supplier_count": I64, "value_total_gbp": F64, "largest_supplier_value_gbp": F64,
        "second_supplier_value_gbp": F64,
    }, ("period", "dimension", "category"),
        "action plan: period x dimension (all, size_band or an ownership flag) x category: spend "
        "lines, their value and contributors", {
        "category": "the size band, or true / false / unknown for a flag; the unknown rows are "
                    "spend the supplier register does not classify (1 - their share = coverage)",
    }),
    Sheet("contracts", {
        "period": S, "dimension": S, "category": S, "awards": I64, "value_gbp": F64,
        "value_known_awards": I64, "reserved_awards": I64, "reserved_value_gbp": F64,
        "framework_awards": I64, "supplier_count": I64, "value_total_gbp": F64,
        "largest_supplier_value_gbp": F64, "second_supplier_value_gbp": F64,
    }, ("period", "dimension", "category"),
        "action plan: period x dimension (all, supplier_scale, supplier_is_vcse, reserved) x "
        "category: contract awards, values, reservations and contributors", {}),
    Sheet("statutory_notices", {
        "notice_period": S, "period_start": D, "period_end": D, "measure": S,
        "derived_from_ledger": F64, "invoices_in_scope": I64,
    }, ("notice_period", "measure"),
        "s.69 reporting period x measure: the payments compliance notice figures (Procurement "
        "Regulations 2024 reg 38(2)(c)-(d)) derived from the ledger's Procurement Act invoices; "
        "statutory figures the member must publish", {}),
    Sheet("network_spend_shares", {
        "period": S, "group": S, "dimension": S, "value_gbp": F64, "addressable_gbp": F64,
        "share_pct": F64, "unknown_gbp": F64, "unknown_pct": F64, "upper_pct": F64,
        "supplier_count": I64, "top1_value_gbp": F64, "top2_value_gbp": F64,
    }, ("period", "group"),
        "the network's measures (lainbench.network) for this member: addressable spend by group "
        "(MSME, micro, ..., diverse-led, VCSE, London) with coverage and contributors", {}),
    Sheet("network_excluded_spend", {
        "period": S, "exclusion_reason": S, "excluded_gbp": F64, "lines": I64,
        "share_of_spend_pct": F64, "supplier_count": I64, "top1_value_gbp": F64,
        "top2_value_gbp": F64,
    }, ("period", "exclusion_reason"),
        "spend excluded from addressable spend, by reason (params/addressable_spend.yaml)", {}),
    Sheet("network_contracts", {
        "period": S, "group": S, "window_start": D, "contracts": I64, "value_gbp": F64,
        "supplier_count": I64, "top1_value_gbp": F64, "top2_value_gbp": F64,
    }, ("period", "group"),
        "contract awards by group (MSME, reserved by basis, framework, cumulative since the base "
        "date) with contributors", {}),
    Sheet("payment_terms", {
        "spend_category": S, "supplier_size_band": S, "standard_terms_days": pl.Int32,
        "terms_basis": S, "dispute_window_days": pl.Int32, "e_invoicing_accepted": B,
        "supply_chain_finance_offered": B, "terms_conditions_pages": pl.Int32,
        "as_of_date": D, "review_stage": S,
    }, (), "action plan: the payment terms the member offers (buyer policy, no supplier data)",
        {}),
    Sheet("insurance_requirements", dict(INSURANCE_REQUIREMENT.columns),
          (), "the member's own insurance requirements (buyer policy, no supplier "
          "data); empty when none were given", {}),
)}

MEASURES = ("payment_metrics", "interest_owed", "days_distribution")


def empty(sheet: str) -> pl.DataFrame:
    """An empty frame with the sheet's columns."""
    return pl.DataFrame(schema=SHEETS[sheet].columns)


def conform(sheet: str, df: pl.DataFrame) -> pl.DataFrame:
    """The sheet's columns in order, cast to their types (columns it lacks are null).

    >>> conform("periods", pl.DataFrame({"period": ["P"], "extra": [1]})).columns
    ['period', 'period_start', 'period_end']
    """
    cols = SHEETS[sheet].columns
    return df.select(
        (pl.col(c).cast(t) if c in df.columns else pl.lit(None, t).alias(c))
        for c, t in cols.items()
    )


def major(version: str) -> str:
    """The major part of a schema version (``"1.0"`` -> ``"1"``)."""
    return str(version).split(".")[0]
