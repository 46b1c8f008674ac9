"""Payment-performance benchmarks from invoice-level records (canonical ``invoice_payment``).

Day counting follows the Procurement Regulations 2024 reg 38 and the PPR regulations: day 1 is the
first day after the invoice is received, and a payment is made when the supplier receives it, so

    days_to_pay = coalesce(supplier_received_date, payment_date) - invoice_received_date

An invoice paid on the day it arrives counts as 0 days and falls in the "within 30 days" bucket.
Metrics count **paid invoices in the period they were paid** (as reg 38(2)(c) and PPR do), leave
out credit notes (they are not payments), and are given by number and by value.

>>> import datetime as dt
>>> import polars as pl
>>> d = lambda s: dt.date.fromisoformat(s)
>>> inv = pl.DataFrame({"buyer_org_id": ["A"] * 4, "invoice_id": list("1234"),
...     "supplier_id": ["s1", "s2", "s3", "s4"], "supplier_size_band": ["micro", "small", "large", "large"],
...     "invoice_received_date": [d("2025-04-01")] * 4,
...     "supplier_received_date": [d("2025-04-06"), d("2025-04-21"), d("2025-05-11"), d("2025-06-30")],
...     "agreed_terms_days": [30] * 4, "gross_amount_gbp": [100.0, 100.0, 100.0, 700.0]})
>>> per = pl.DataFrame({"period": ["2025-26 H1"], "period_start": [d("2025-04-01")],
...     "period_end": [d("2025-09-30")]})
>>> m = payment_metrics(assign_period(derive(inv, interest=False), per), size_bands=False)
>>> m.select("invoice_count", "mean_days_to_pay", "paid_within_30_days_pct",
...          "paid_within_30_days_value_pct").row(0)
(4, 38.75, 50.0, 20.0)
"""
from __future__ import annotations

from lainbench.payments.charts import (
    LABELS,
    cumulative_days_chart,
    interest_chart,
    ledger_gap_chart,
    national_position_chart,
    published_trend_chart,
    ranked_bar_chart,
    size_band_chart,
    targets_chart,
    trend_chart,
)
from lainbench.payments.metrics import (
    BUCKET_DAYS,
    KEYS,
    SHARE_SPLITS,
    Frame,
    as_of,
    assign_period,
    compliance_notice,
    days_bucket_counts,
    days_distribution,
    derive,
    disclosure_counts,
    not_paid_within_terms,
    paid_in_period,
    payment_metrics,
    peer_comparison,
    published_figures,
    share_part_counts,
    trend,
)
from lainbench.payments.notebook import (
    PaymentData,
    PaymentPerformanceParams,
    prepare,
    scorecard,
)
from lainbench.payments.published import (
    LEDGER_BASIS,
    MEASURES,
    NATIONAL_COLUMNS,
    REGIME_LABELS,
    PublishedData,
    PublishedPaymentReportsParams,
    ReturnFile,
    ReturnKind,
    against_national,
    check_focus,
    combine_bppc_segments,
    compare_with_ledger,
    gap_summary,
    headline,
    ledger_figures,
    ledger_periods,
    load_published,
    long_figures,
    national_medians,
    quality_flags,
)
from lainbench.payments.targets import (
    fair_payment_code_tier,
    target_declarations,
    target_results,
)

__all__ = [
    "BUCKET_DAYS",
    "KEYS",
    "LABELS",
    "LEDGER_BASIS",
    "MEASURES",
    "NATIONAL_COLUMNS",
    "REGIME_LABELS",
    "SHARE_SPLITS",
    "Frame",
    "PaymentData",
    "PaymentPerformanceParams",
    "PublishedData",
    "PublishedPaymentReportsParams",
    "ReturnFile",
    "ReturnKind",
    "against_national",
    "as_of",
    "assign_period",
    "check_focus",
    "combine_bppc_segments",
    "compare_with_ledger",
    "compliance_notice",
    "cumulative_days_chart",
    "days_bucket_counts",
    "days_distribution",
    "derive",
    "disclosure_counts",
    "fair_payment_code_tier",
    "gap_summary",
    "headline",
    "interest_chart",
    "ledger_figures",
    "ledger_gap_chart",
    "ledger_periods",
    "load_published",
    "long_figures",
    "national_medians",
    "national_position_chart",
    "not_paid_within_terms",
    "paid_in_period",
    "payment_metrics",
    "peer_comparison",
    "prepare",
    "published_figures",
    "published_trend_chart",
    "quality_flags",
    "ranked_bar_chart",
    "scorecard",
    "share_part_counts",
    "size_band_chart",
    "target_declarations",
    "target_results",
    "targets_chart",
    "trend",
    "trend_chart",
]
