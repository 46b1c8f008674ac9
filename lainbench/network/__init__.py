"""The network's twice-yearly metrics: MSME and diverse-led spend against the pledge, contracts
awarded and reserved, payment terms offered (notebook 06).

Modules: :mod:`.addressable` (exclusions), :mod:`.measures` (pure polars measures),
:mod:`.charts` (pledge, trend and terms charts), :mod:`.notebook` (run parameters and the shared
tables the pack publishes).
"""

from lainbench.network.addressable import (
    ExclusionRules,
    apply_exclusions,
    excluded_spend,
    load_rules,
    rules_from_mapping,
)
from lainbench.network.measures import (
    assign_period,
    contract_cells,
    contributors,
    enrich_contracts,
    enrich_spend,
    headline,
    pledge_status,
    pledge_table,
    spend_cells,
    supplier_attributes,
    terms_compliance,
    terms_review,
    terms_summary,
    terms_yardsticks,
    trend,
)
from lainbench.network.notebook import (
    NetworkMetricsParams,
    disclosure_counts,
    network_shared_tables,
)

__all__ = [
    "ExclusionRules",
    "NetworkMetricsParams",
    "apply_exclusions",
    "assign_period",
    "contract_cells",
    "contributors",
    "disclosure_counts",
    "enrich_contracts",
    "enrich_spend",
    "excluded_spend",
    "headline",
    "load_rules",
    "network_shared_tables",
    "pledge_status",
    "pledge_table",
    "rules_from_mapping",
    "spend_cells",
    "supplier_attributes",
    "terms_compliance",
    "terms_review",
    "terms_summary",
    "terms_yardsticks",
    "trend",
]
