"""Canonical tables: the project's contract.

Column names follow ``reference/domain.md`` ("Schemas to support"): snake_case, dates as
``pl.Date``, money in GBP with a ``_gbp`` suffix, percentages 0-100 with ``_pct``, days as integers
with ``_days``; every table carries lineage (``source_dataset``, ``source_url``, ``source_row_id``,
``ingested_at``).

One deliberate deviation: money is ``Float64`` rounded to pence at ingest, not a decimal type, so
medians, quantiles and sums over millions of invoices stay fast in polars and DuckDB. Totals are
rounded to pence when reported.

>>> sorted(INVOICE_PAYMENT.required)[:3]
['buyer_org_id', 'gross_amount_gbp', 'invoice_id']
>>> INVOICE_PAYMENT.enums["supplier_size_band"]
('micro', 'small', 'medium', 'large', 'unknown')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from lainbench.errors import SchemaError

LINEAGE: dict[str, pl.DataType] = {
    "source_dataset": pl.String(),
    "source_url": pl.String(),
    "source_row_id": pl.String(),
    "ingested_at": pl.Datetime("us", "UTC"),
}


@dataclass(frozen=True)
class Table:
    """A canonical table: columns with polars types, required columns and allowed values."""

    name: str
    columns: dict[str, pl.DataType]
    required: frozenset[str]
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    derived: frozenset[str] = frozenset()

    @property
    def schema(self) -> pl.Schema:
        """The polars schema of the table."""
        return pl.Schema(self.columns)

    def empty(self) -> pl.DataFrame:
        """An empty frame with this table's schema."""
        return pl.DataFrame(schema=self.schema)

    def conform(self, df: pl.DataFrame | pl.LazyFrame, source: str = "table") -> pl.DataFrame:
        """Check and cast ``df`` to this schema; absent optional columns are added as nulls.

        Raises :class:`SchemaError` naming the source and the column when a required column is
        missing, a column cannot be cast, or a column holds a value outside its allowed set.
        Extra columns are refused so a misspelt name cannot slip through.
        """
        if isinstance(df, pl.LazyFrame):
            df = df.collect()
        df = _from_pandas_if_needed(df)
        missing = sorted(self.required - set(df.columns))
        if missing:
            raise SchemaError(
                f"{source}: missing required column(s) {', '.join(missing)} for table "
                f"{self.name}; expected columns are listed in lainbench.schemas.{self.name.upper()}"
            )
        extra = sorted(set(df.columns) - set(self.columns))
        if extra:
            raise SchemaError(
                f"{source}: column(s) {', '.join(extra)} are not in table {self.name}; rename them "
                "to canonical names (see lainbench.schemas) or drop them"
            )
        exprs = []
        for name, dtype in self.columns.items():
            if name in df.columns:
                exprs.append(_cast(name, df.schema[name], dtype, strict=True))
            else:
                exprs.append(pl.lit(None, dtype=dtype).alias(name))
        try:
            out = df.select(exprs)
        except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as exc:
            bad = _first_uncastable(df, self.columns)
            raise SchemaError(f"{source}: {bad or exc}") from None
        for col, allowed in self.enums.items():
            wrong = out.filter(pl.col(col).is_not_null() & ~pl.col(col).is_in(list(allowed)))
            if wrong.height:
                first = wrong[col][0]
                raise SchemaError(
                    f"{source}: column {col} has {wrong.height} value(s) outside "
                    f"{', '.join(allowed)} (first: {first!r})"
                )
        return out


def _from_pandas_if_needed(df: object) -> pl.DataFrame:
    if isinstance(df, pl.DataFrame):
        return df
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        pd = None
    if pd is not None and isinstance(df, pd.DataFrame):
        return pl.from_pandas(df)
    raise SchemaError(f"expected a polars or pandas DataFrame, got {type(df).__name__}")


def _cast(name: str, src: pl.DataType, dtype: pl.DataType, strict: bool) -> pl.Expr:
    """Cast a column; ISO text to dates / datetimes goes through the string parsers (polars 2)."""
    col = pl.col(name)
    if src == pl.String() and dtype == pl.Date():
        return col.str.to_date("%Y-%m-%d", strict=strict).alias(name)
    if src == pl.String() and isinstance(dtype, pl.Datetime):
        return col.str.to_datetime(strict=strict, time_zone="UTC").alias(name)
    return col.cast(dtype, strict=strict).alias(name)


def _first_uncastable(df: pl.DataFrame, columns: dict[str, pl.DataType]) -> str | None:
    for name, dtype in columns.items():
        if name not in df.columns:
            continue
        cast = df.select(_cast(name, df.schema[name], dtype, strict=False))[name]
        bad = df[name].is_not_null() & cast.is_null()
        if bad.any():
            row = int(bad.arg_true()[0])
            return (
                f"column {name}, row {row + 1}: value {df[name][row]!r} is not a valid {dtype}"
            )
    return None


def to_pandas(df: pl.DataFrame):
    """Hand a canonical table to pandas, keeping nullable integers as integers."""
    return df.to_pandas(use_pyarrow_extension_array=True)


SIZE_BANDS = ("micro", "small", "medium", "large", "unknown")
# The procurement categories the suite names when a table names none (insurance, demo data).
PROCUREMENT_CATEGORIES = ("works", "facilities", "consultancy", "it", "care", "clinical", "goods")
SIZE_BASES = ("eu_2003_361", "pa2023_sme", "companies_act_2025", "self_declared", "spend_data_flag")
ORG_TYPES = (
    "company", "llp", "nhs_trust", "local_authority", "police", "fire", "university",
    "central_government", "statutory_corporation", "other",
)

# (b) Invoice-level payment records
INVOICE_PAYMENT = Table(
    name="invoice_payment",
    columns={
        "buyer_org_id": pl.String(),
        "supplier_id": pl.String(),
        "supplier_name": pl.String(),
        "supplier_companies_house_number": pl.String(),
        "supplier_size_band": pl.String(),
        "supplier_size_basis": pl.String(),
        "supplier_is_vcse": pl.Boolean(),
        "invoice_id": pl.String(),
        "supplier_invoice_ref": pl.String(),
        "po_number": pl.String(),
        "contract_id": pl.String(),
        "contract_value_band": pl.String(),
        "regime": pl.String(),
        # day the contract's procurement commenced (s.70 covers procurements from 1 Apr 2026)
        "procurement_commenced_date": pl.Date(),
        "invoice_date": pl.Date(),
        "invoice_received_date": pl.Date(),
        "validated_date": pl.Date(),
        "goods_received_date": pl.Date(),
        # day an acceptance or verification procedure ended (Late Payment Act s.4; optional)
        "acceptance_completed_date": pl.Date(),
        "agreed_terms_days": pl.Int32(),
        "due_date": pl.Date(),
        "disputed": pl.Boolean(),
        "dispute_raised_date": pl.Date(),
        "dispute_resolved_date": pl.Date(),
        "payment_date": pl.Date(),
        "supplier_received_date": pl.Date(),
        "gross_amount_gbp": pl.Float64(),
        "net_amount_gbp": pl.Float64(),
        "vat_gbp": pl.Float64(),
        "currency": pl.String(),
        "is_credit_note": pl.Boolean(),
        "spend_category": pl.String(),
        "merchant_category": pl.String(),
        "department": pl.String(),
        # derived by lainbench.payments.derive / lainbench.late_payment
        "days_to_pay": pl.Int32(),
        "paid_within_terms": pl.Boolean(),
        "late_payment_relevant_day": pl.Date(),
        "statutory_interest_rate_pct": pl.Float64(),
        "statutory_interest_gbp": pl.Float64(),
        "fixed_compensation_gbp": pl.Float64(),
        **LINEAGE,
    },
    required=frozenset(
        {"buyer_org_id", "invoice_id", "invoice_received_date", "gross_amount_gbp"}
    ),
    enums={
        "supplier_size_band": SIZE_BANDS,
        "supplier_size_basis": SIZE_BASES,
        "regime": ("pcr_2015", "pa2023", "private"),
    },
    derived=frozenset(
        {
            "days_to_pay", "paid_within_terms", "late_payment_relevant_day",
            "statutory_interest_rate_pct", "statutory_interest_gbp", "fixed_compensation_gbp",
        }
    ),
)

# (a) Organisation-level payment performance per period
ORG_PAYMENT_PERFORMANCE = Table(
    name="org_payment_performance",
    columns={
        "org_id": pl.String(),
        "org_name": pl.String(),
        "companies_house_number": pl.String(),
        "org_type": pl.String(),
        "regime": pl.String(),
        "report_id": pl.String(),
        "period_start": pl.Date(),
        "period_end": pl.Date(),
        "filing_date": pl.Date(),
        "is_latest_filing": pl.Boolean(),
        "qualifying_contracts_in_period": pl.Boolean(),
        "payments_made_in_period": pl.Boolean(),
        "invoices_paid_count": pl.Int64(),
        "invoices_paid_value_gbp": pl.Float64(),
        "avg_days_to_pay": pl.Float64(),
        "day_count_basis": pl.String(),
        "paid_within_5_days_pct": pl.Float64(),
        "paid_within_10_days_pct": pl.Float64(),
        "paid_within_30_days_pct": pl.Float64(),
        "paid_31_to_60_days_pct": pl.Float64(),
        "paid_over_60_days_pct": pl.Float64(),
        "paid_within_30_days_value_gbp": pl.Float64(),
        "paid_31_to_60_days_value_gbp": pl.Float64(),
        "paid_over_60_days_value_gbp": pl.Float64(),
        "not_paid_within_terms_pct": pl.Float64(),
        "not_paid_within_terms_value_gbp": pl.Float64(),
        "not_paid_due_to_dispute_pct": pl.Float64(),
        "paid_within_target_count_pct": pl.Float64(),
        "paid_within_target_value_pct": pl.Float64(),
        "payee_segment": pl.String(),
        "interest_paid_gbp": pl.Float64(),
        "interest_liable_gbp": pl.Float64(),
        "standard_terms_shortest_days": pl.Int32(),
        "standard_terms_longest_days": pl.Int32(),
        "max_contractual_terms_days": pl.Int32(),
        "standard_terms_text": pl.String(),
        "max_terms_info_text": pl.String(),
        "other_terms_info_text": pl.String(),
        "dispute_process_text": pl.String(),
        "terms_changed_text": pl.String(),
        "suppliers_notified_text": pl.String(),
        "payment_code": pl.String(),
        "e_invoicing_offered": pl.Boolean(),
        "supply_chain_finance_offered": pl.Boolean(),
        "supplier_list_charges_policy": pl.Boolean(),
        "supplier_list_charges_made": pl.Boolean(),
        "construction_retentions_used": pl.Boolean(),
        "approved_by": pl.String(),
        "quality_flags": pl.List(pl.String()),
        **LINEAGE,
    },
    required=frozenset({"org_name", "regime", "period_start", "period_end"}),
    enums={
        "org_type": ORG_TYPES,
        "regime": (
            "ppr_2017", "ppr_2025", "pcr_reg113", "pa2023_pcn", "ppn_05_15", "nhs_bppc", "internal",
        ),
        "day_count_basis": (
            "invoice_receipt_to_supplier_receipt", "valid_undisputed_to_payment",
            "due_date_or_30_days", "receipt_to_payment",
        ),
        "payee_segment": ("all", "nhs", "non_nhs", "sme", "small_lt50"),
    },
)

# (c) Insurance requirements by organisation / category / contract-value band
COVER_TYPES = (
    "employers_liability", "public_liability", "products_liability", "professional_indemnity",
    "clinical_negligence", "cyber", "motor", "contract_works", "other",
)
INSURANCE_REQUIREMENT = Table(
    name="insurance_requirement",
    columns={
        "buyer_org_id": pl.String(),
        "requirement_version": pl.String(),
        "source_document": pl.String(),
        "document_date": pl.Date(),
        "procurement_regime": pl.String(),
        "procurement_category": pl.String(),
        "cpv_code": pl.String(),
        "contract_value_min_gbp": pl.Float64(),
        "contract_value_max_gbp": pl.Float64(),
        "risk_tier": pl.String(),
        "cover_type": pl.String(),
        "min_limit_gbp": pl.Float64(),
        "limit_basis": pl.String(),
        "statutory_minimum_gbp": pl.Float64(),
        "required_stage": pl.String(),
        "self_certification_allowed": pl.Boolean(),
        "evidence_required": pl.String(),
        "run_off_years": pl.Int32(),
        "applies_to_sole_traders": pl.Boolean(),
        "notes": pl.String(),
        "indicative_annual_premium_gbp_low": pl.Float64(),
        "indicative_annual_premium_gbp_high": pl.Float64(),
        "premium_source": pl.String(),
        **LINEAGE,
    },
    required=frozenset({"buyer_org_id", "cover_type", "min_limit_gbp"}),
    enums={
        "procurement_regime": ("pcr_2015", "pa2023", "below_threshold", "purchase_order_terms"),
        "risk_tier": ("none", "low", "standard", "high"),
        "cover_type": COVER_TYPES,
        "limit_basis": (
            "any_one_occurrence", "each_and_every_claim", "aggregate", "per_claim_unlimited_claims",
        ),
        "required_stage": ("at_bid", "at_award", "before_contract_start", "on_request"),
    },
)

# Members of the network (buyers). Shipped for the demo; real packs supply their own.
MEMBER = Table(
    name="member",
    columns={
        "org_id": pl.String(),
        "org_name": pl.String(),
        "org_type": pl.String(),
        "companies_house_number": pl.String(),
    },
    required=frozenset({"org_id", "org_name", "org_type"}),
    enums={"org_type": ORG_TYPES},
)

# --- The network's twice-yearly action-plan tables (issue: network metrics) and public data ---

TRI_STATE = ("true", "false", "unknown")  # ownership flags: unknown is a value, never a guess
SIZE_SOURCES = (
    "buyer_register",  # the member's own supplier register
    "companies_house",  # Companies House accounts category (a size signal, see params)
    "notice_scale",  # a procurement notice's self-declared `scale` (sme / large)
    "supplier_declaration",  # the supplier's own declaration (e.g. PSQ / onboarding form)
    "unknown",
)
# Public data often proves "SME" without telling micro, small or medium apart (a notice's
# self-declared scale, some accounts categories): such suppliers get the band "sme".
PUBLIC_SIZE_BANDS = (*SIZE_BANDS[:-1], "sme", "unknown")
OWNERSHIP_FLAGS = (
    "diverse_led", "ethnic_minority_led", "women_led", "disabled_led", "vcse", "social_enterprise",
)

# A supplier as one member (or one public source) knows it.
SUPPLIER = Table(
    name="supplier",
    columns={
        "buyer_org_id": pl.String(),
        "supplier_id": pl.String(),
        "supplier_name": pl.String(),
        "companies_house_number": pl.String(),
        "size_band": pl.String(),
        "size_source": pl.String(),
        "size_as_of_date": pl.Date(),
        **{name: pl.String() for name in OWNERSHIP_FLAGS},
        "ownership_source": pl.String(),
        "ownership_as_of_date": pl.Date(),
        "postcode": pl.String(),
        "is_london": pl.String(),
        **LINEAGE,
    },
    required=frozenset({"buyer_org_id", "supplier_id", "size_band"}),
    enums={
        "size_band": PUBLIC_SIZE_BANDS,
        "size_source": SIZE_SOURCES,
        **{name: TRI_STATE for name in OWNERSHIP_FLAGS},
        "is_london": TRI_STATE,
    },
)

# One payment or invoice line from a member's spend (or a published spend transparency file).
SPEND_LINE = Table(
    name="spend_line",
    columns={
        "buyer_org_id": pl.String(),
        "line_id": pl.String(),
        "supplier_id": pl.String(),
        "supplier_name": pl.String(),
        "amount_gbp": pl.Float64(),
        "amount_basis": pl.String(),
        "payment_date": pl.Date(),
        "date_basis": pl.String(),  # what payment_date is: payment, invoice or period (totals)
        "spend_category": pl.String(),
        "expense_type": pl.String(),
        "department": pl.String(),
        "is_addressable": pl.Boolean(),
        "exclusion_reason": pl.String(),
        "publication_threshold_gbp": pl.Float64(),
        **LINEAGE,
    },
    required=frozenset({"buyer_org_id", "amount_gbp", "payment_date"}),
    enums={"amount_basis": ("net", "gross", "unknown"),
           "date_basis": ("payment", "invoice", "approval", "period")},
)

# A contract award by a member (or from a public notice).
CONTRACT_AWARD = Table(
    name="contract_award",
    columns={
        "buyer_org_id": pl.String(),
        "award_id": pl.String(),
        "ocid": pl.String(),
        "contract_title": pl.String(),
        "supplier_id": pl.String(),
        "supplier_name": pl.String(),
        "supplier_scale": pl.String(),
        "supplier_is_vcse": pl.String(),
        "value_gbp": pl.Float64(),  # null when the award is shared and cannot be split
        "value_basis": pl.String(),
        "award_value_gbp": pl.Float64(),  # the whole award's value (all its suppliers together)
        "award_supplier_count": pl.Int32(),
        "award_date": pl.Date(),
        "procedure": pl.String(),
        "lot_id": pl.String(),
        "is_reserved": pl.Boolean(),
        "reservation_basis": pl.String(),
        "is_framework": pl.Boolean(),
        "value_split_unknown": pl.Boolean(),
        "suitable_for_sme": pl.String(),
        "suitable_for_vcse": pl.String(),
        "notice_type": pl.String(),
        **LINEAGE,
    },
    required=frozenset({"buyer_org_id", "award_id", "award_date"}),
    enums={
        "supplier_scale": ("sme", "large", "unknown"),
        "supplier_is_vcse": TRI_STATE,
        "value_basis": ("net", "gross", "unknown"),
        "reservation_basis": ("sme", "vcse", "location", "sme_and_location", "vcse_and_location",
                              "sme_or_vcse", "sme_or_vcse_and_location", "other"),
        "suitable_for_sme": TRI_STATE,
        "suitable_for_vcse": TRI_STATE,
    },
)

# Payment terms a member offers, per spend category, before and after a review.
PAYMENT_TERMS = Table(
    name="payment_terms",
    columns={
        "buyer_org_id": pl.String(),
        "spend_category": pl.String(),
        "supplier_size_band": pl.String(),
        "standard_terms_days": pl.Int32(),
        "terms_basis": pl.String(),
        "dispute_window_days": pl.Int32(),
        "e_invoicing_accepted": pl.Boolean(),
        "supply_chain_finance_offered": pl.Boolean(),
        "terms_conditions_pages": pl.Int32(),
        "as_of_date": pl.Date(),
        "review_stage": pl.String(),
        **LINEAGE,
    },
    required=frozenset({"buyer_org_id", "spend_category", "standard_terms_days", "as_of_date"}),
    enums={
        "supplier_size_band": (*SIZE_BANDS, "all"),
        "terms_basis": ("invoice_receipt", "end_of_month"),
        "review_stage": ("before_review", "after_review", "current"),
    },
)

# A buying organisation as public notices name it (one row per id seen).
BUYER = Table(
    name="buyer",
    columns={
        "buyer_id": pl.String(),
        "buyer_name": pl.String(),
        "buyer_name_normalised": pl.String(),
        "scheme": pl.String(),
        "postcode": pl.String(),
        "is_london": pl.String(),
        "org_type": pl.String(),
        **LINEAGE,
    },
    required=frozenset({"buyer_id", "buyer_name"}),
    enums={"is_london": TRI_STATE},
)

# A company from Companies House's free company data product.
COMPANY = Table(
    name="company",
    columns={
        "companies_house_number": pl.String(),
        "company_name": pl.String(),
        "company_status": pl.String(),
        "company_category": pl.String(),
        "incorporation_date": pl.Date(),
        "postcode": pl.String(),
        "is_london": pl.String(),
        "accounts_category": pl.String(),
        "size_band": pl.String(),
        "accounts_made_up_date": pl.Date(),
        "sic_codes": pl.List(pl.String()),
        **LINEAGE,
    },
    required=frozenset({"companies_house_number", "company_name"}),
    enums={"size_band": PUBLIC_SIZE_BANDS, "is_london": TRI_STATE},
)

# What every ingest writes beside its accepted table.
REJECTS = Table(
    name="rejects",
    columns={
        "source_file": pl.String(),
        "source_row": pl.Int64(),
        "column": pl.String(),
        "value": pl.String(),
        "reason": pl.String(),
    },
    required=frozenset({"source_row", "reason"}),
)

TABLES = {
    t.name: t
    for t in (
        INVOICE_PAYMENT, ORG_PAYMENT_PERFORMANCE, INSURANCE_REQUIREMENT, MEMBER, SUPPLIER,
        SPEND_LINE, CONTRACT_AWARD, PAYMENT_TERMS, BUYER, COMPANY, REJECTS,
    )
}
