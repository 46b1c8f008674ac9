"""Public contracts: SME and VCSE shares of buyers' contract awards from public OCDS notices,
with suppliers sized from Companies House data (issue 13).

The ingest verbs (``lainbench ingest ocds | companies | spend``) build the canonical tables; this
package matches suppliers to companies (:mod:`.resolve`), measures shares with their coverage
(:mod:`.measures`), draws the charts (:mod:`.charts`) and feeds notebook 07 (:mod:`.notebook`).
"""

from lainbench.public_contracts.measures import procedure_group, sized_awards, sme_shares
from lainbench.public_contracts.notebook import (
    PublicContractsParams,
    public_contracts,
    select_buyers,
)
from lainbench.public_contracts.resolve import (
    award_suppliers,
    load_manual_mapping,
    match_summary,
    match_suppliers,
    normalise_supplier_name,
    spend_suppliers,
)

__all__ = [
    "PublicContractsParams",
    "award_suppliers",
    "load_manual_mapping",
    "match_summary",
    "match_suppliers",
    "normalise_supplier_name",
    "procedure_group",
    "public_contracts",
    "select_buyers",
    "sized_awards",
    "sme_shares",
    "spend_suppliers",
]
