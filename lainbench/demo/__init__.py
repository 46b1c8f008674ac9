"""Synthetic demo data for 12 fictional network members, generated from a seed.

Nothing here is real: member names are invented, and each member's payment behaviour is drawn
from a shaped distribution (see ``data/README.md``). The generator is deterministic for a seed,
so the committed repository holds code, not data; ``lainbench demo`` writes the files.

>>> members().height
12
>>> inv = invoices(n_invoices=2_000, seed=1)
>>> inv.height, inv["buyer_org_id"].n_unique()
(2000, 12)
>>> bool((inv["gross_amount_gbp"].abs() >= 50).all())
True
"""
from __future__ import annotations

from lainbench.demo.insurance import (
    AFTER,
    BASIS,
    BEFORE,
    CATEGORIES_BY_ORG_TYPE,
    CLINICAL,
    CYBER,
    DEFAULT_CATEGORIES,
    DEFAULT_SEED,
    EL,
    PI,
    PL,
    PRODUCTS,
    SOUTHWARK_PL_NOTE,
    SOUTHWARK_STAGE_NOTE,
    WORKS,
    M,
    Version,
    insurance_requirements,
    write_insurance_demo,
)
from lainbench.demo.invoices import (
    invoices,
    write_demo,
)
from lainbench.demo.members import (
    CATEGORIES,
    MEMBER_PROFILES,
    PERIODS,
    SIZE_MIX,
    MemberProfile,
    members,
    periods,
)
from lainbench.demo.network import (
    BASE_DATE,
    INGESTED,
    LONDON_PC,
    MEMBER_EXTRA,
    MEMBER_FLAGGED_SHARE,
    MEMBER_SHAPES,
    NON_ADDRESSABLE,
    NOT_REVIEWED,
    OTHER_PC,
    SOURCE,
    contract_awards,
    network_demo,
    payment_terms,
    spend_lines,
    suppliers_register,
    write_network_demo,
)

__all__ = [
    "AFTER",
    "BASE_DATE",
    "BASIS",
    "BEFORE",
    "CATEGORIES",
    "CATEGORIES_BY_ORG_TYPE",
    "CLINICAL",
    "CYBER",
    "DEFAULT_CATEGORIES",
    "DEFAULT_SEED",
    "EL",
    "INGESTED",
    "LONDON_PC",
    "MEMBER_EXTRA",
    "MEMBER_FLAGGED_SHARE",
    "MEMBER_PROFILES",
    "MEMBER_SHAPES",
    "NON_ADDRESSABLE",
    "NOT_REVIEWED",
    "OTHER_PC",
    "PERIODS",
    "PI",
    "PL",
    "PRODUCTS",
    "SIZE_MIX",
    "SOURCE",
    "SOUTHWARK_PL_NOTE",
    "SOUTHWARK_STAGE_NOTE",
    "WORKS",
    "M",
    "MemberProfile",
    "Version",
    "contract_awards",
    "insurance_requirements",
    "invoices",
    "members",
    "network_demo",
    "payment_terms",
    "periods",
    "spend_lines",
    "suppliers_register",
    "write_demo",
    "write_insurance_demo",
    "write_network_demo",
]
