"""Insurance requirements: the network benchmark, the flags, and what they cost a small supplier.

Two halves, both pure functions over polars frames of the canonical ``insurance_requirement``
table (``lainbench.schemas.INSURANCE_REQUIREMENT``):

* **Benchmark** (domain.md section 4): each member's required limit per cover type x category x
  contract-value band next to the network median, minimum and maximum
  (:func:`resolve_to_bands`, :func:`network_comparison`); a proportionality screen
  (:func:`proportionality`); flags for cover demanded at bid stage (a condition of participation
  may not require it under the Procurement Act 2023 s.22(3)(b)), employer's liability demanded of
  sole traders and no self-certification (:func:`requirement_flags`); before/after review changes
  (:func:`review_changes`) and a harmonisation view (:func:`harmonisation`).
* **Cost** (economics.md E8-E9): premium curves ``P(L) = A + (P0 - A) (L/L0)^d`` calibrated in
  ``params/insurance_premiums.yaml`` (:func:`load_premium_curves`, :func:`premium_gbp`), the extra
  premium of a requirement over the cover a supplier holds (:func:`extra_premium_gbp`), its share of
  contract value and of margin, and the expected cost per contract won when cover must be held to
  bid rather than at award (:func:`cost_per_contract_won_gbp`).

Every premium is **indicative** (quote-aggregator figures, see the params file).

>>> round(premium_gbp("public_liability", 5_000_000), 2)
140.0
>>> round(extra_premium_gbp({"public_liability": 1_000_000}, {"public_liability": 5_000_000}), 2)
22.0
>>> cost_per_contract_won_gbp(22.0, hold_years=1, win_probability=0.25, stage="at_bid")
88.0
"""
from __future__ import annotations

from lainbench.formatting import format_gbp_short
from lainbench.insurance.benchmark import (
    KEEP,
    flag_summary,
    harmonisation,
    harmonisation_summary,
    network_comparison,
    pick_version,
    proportionality,
    reference_value_expr,
    requirement_flags,
    resolve_to_bands,
    review_changes,
    review_summary,
)
from lainbench.insurance.burden import (
    applicable_requirements,
    held_cover,
    member_cost_burden,
    standard_cost,
)
from lainbench.insurance.charts import (
    GBP_LABEL,
    LIMIT_TICKS,
    cost_burden_chart,
    heatmap_required_limits,
    premium_curves_chart,
    proportionality_chart,
    review_chart,
)
from lainbench.insurance.notebook import (
    InsuranceData,
    InsuranceRequirementsParams,
    prepare,
)
from lainbench.insurance.premiums import (
    PremiumCurve,
    cost_per_contract_won_gbp,
    extra_premium_gbp,
    load_premium_curves,
    premium_curve_table,
    premium_gbp,
    share_of_contract_value,
    share_of_margin,
    typical_cover_held,
)
from lainbench.insurance.standards import (
    COVER_ABBREV,
    COVER_LABELS,
    EL,
    FLAGS,
    PREMIUMS_PATH,
    SIZES,
    STANDARDS_PATH,
    Standards,
    band_label,
    benchmark_bands,
    load_standards,
)

__all__ = [
    "COVER_ABBREV",
    "COVER_LABELS",
    "EL",
    "FLAGS",
    "GBP_LABEL",
    "KEEP",
    "LIMIT_TICKS",
    "PREMIUMS_PATH",
    "SIZES",
    "STANDARDS_PATH",
    "InsuranceData",
    "InsuranceRequirementsParams",
    "PremiumCurve",
    "Standards",
    "applicable_requirements",
    "band_label",
    "benchmark_bands",
    "cost_burden_chart",
    "cost_per_contract_won_gbp",
    "extra_premium_gbp",
    "flag_summary",
    "format_gbp_short",
    "harmonisation",
    "harmonisation_summary",
    "heatmap_required_limits",
    "held_cover",
    "load_premium_curves",
    "load_standards",
    "member_cost_burden",
    "network_comparison",
    "pick_version",
    "premium_curve_table",
    "premium_curves_chart",
    "premium_gbp",
    "prepare",
    "proportionality",
    "proportionality_chart",
    "reference_value_expr",
    "requirement_flags",
    "resolve_to_bands",
    "review_changes",
    "review_chart",
    "review_summary",
    "share_of_contract_value",
    "share_of_margin",
    "standard_cost",
    "typical_cover_held",
]
