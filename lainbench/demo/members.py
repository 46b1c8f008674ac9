"""The demo network: 12 fictional members, their payment profiles and the four half-year periods."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from lainbench.schemas import MEMBER, PROCUREMENT_CATEGORIES


@dataclass(frozen=True)
class MemberProfile:
    """How a fictional member pays: terms, share paid late, tail, disputes, size and mix."""

    org_id: str
    org_name: str
    org_type: str
    companies_house_number: str | None
    terms_days: int          # standard agreed terms
    on_time_mean_days: float  # mean days to pay for invoices paid within terms
    late_share: float         # share of invoices paid after terms
    late_mu: float            # lognormal mu of days late (given late)
    late_sigma: float
    dispute_share: float
    volume_weight: float      # relative invoice volume
    sme_share: float          # share of invoices to micro/small/medium suppliers
    improvement_per_period: float  # multiplicative change in late_share each half-year


MEMBER_PROFILES: tuple[MemberProfile, ...] = (
    MemberProfile("northgate_nhs", "Northgate Hospitals NHS Trust (demo)", "nhs_trust", None,
                  30, 18, 0.10, 2.3, 0.9, 0.03, 1.6, 0.35, 0.92),
    MemberProfile("riverside_nhs", "Riverside Community NHS Foundation Trust (demo)", "nhs_trust",
                  None, 30, 21, 0.16, 2.6, 0.9, 0.04, 1.1, 0.40, 0.95),
    MemberProfile("capital_transport", "Capital Transport Authority (demo)",
                  "statutory_corporation", None, 30, 14, 0.08, 2.2, 1.0, 0.02, 2.0, 0.30, 0.97),
    MemberProfile("thameside_water", "Thameside Water Services Ltd (demo)", "company", "09876543",
                  60, 45, 0.22, 2.9, 1.0, 0.05, 1.4, 0.25, 1.0),
    MemberProfile("eastbank_council", "London Borough of Eastbank (demo)", "local_authority",
                  None, 30, 12, 0.07, 2.0, 0.8, 0.02, 1.2, 0.55, 0.95),
    MemberProfile("westmere_council", "Westmere City Council (demo)", "local_authority", None,
                  30, 20, 0.14, 2.5, 1.0, 0.03, 1.0, 0.50, 0.90),
    MemberProfile("metro_policing", "Metropolitan Policing Office (demo)", "police", None,
                  30, 16, 0.09, 2.4, 0.9, 0.02, 1.0, 0.30, 1.0),
    MemberProfile("city_fire", "City Fire and Rescue Authority (demo)", "fire", None,
                  30, 10, 0.05, 1.9, 0.8, 0.01, 0.5, 0.45, 1.0),
    MemberProfile("kingsbridge_uni", "Kingsbridge University (demo)", "university", None,
                  30, 24, 0.18, 2.7, 1.0, 0.03, 0.8, 0.45, 0.93),
    MemberProfile("aldates_uni", "St Aldates University (demo)", "university", None,
                  45, 30, 0.12, 2.5, 0.9, 0.03, 0.6, 0.40, 1.02),
    MemberProfile("greater_city", "Greater City Authority (demo)", "local_authority", None,
                  10, 7, 0.15, 2.1, 0.9, 0.02, 0.7, 0.60, 0.90),
    MemberProfile("hillside_mh_nhs", "Hillside Mental Health NHS Trust (demo)", "nhs_trust", None,
                  30, 19, 0.11, 2.4, 0.9, 0.03, 0.3, 0.40, 0.96),
)


# Half-year reporting periods under Procurement Act 2023 s.69(3): ending 31 March / 30 September.
PERIODS: tuple[tuple[str, dt.date, dt.date], ...] = (
    ("2024-25 H2", dt.date(2024, 10, 1), dt.date(2025, 3, 31)),
    ("2025-26 H1", dt.date(2025, 4, 1), dt.date(2025, 9, 30)),
    ("2025-26 H2", dt.date(2025, 10, 1), dt.date(2026, 3, 31)),
    ("2026-27 H1", dt.date(2026, 4, 1), dt.date(2026, 9, 30)),
)


SIZE_MIX = {"micro": 0.35, "small": 0.35, "medium": 0.30}  # within the MSME share


CATEGORIES = PROCUREMENT_CATEGORIES


def members() -> pl.DataFrame:
    """The 12 demo members as a canonical ``member`` table."""
    return MEMBER.conform(
        pl.DataFrame(
            {
                "org_id": [m.org_id for m in MEMBER_PROFILES],
                "org_name": [m.org_name for m in MEMBER_PROFILES],
                "org_type": [m.org_type for m in MEMBER_PROFILES],
                "companies_house_number": [m.companies_house_number for m in MEMBER_PROFILES],
            }
        ),
        source="demo members",
    )


def periods() -> pl.DataFrame:
    """The demo's four half-year periods: ``period``, ``period_start``, ``period_end``."""
    return pl.DataFrame(
        {
            "period": [p[0] for p in PERIODS],
            "period_start": [p[1] for p in PERIODS],
            "period_end": [p[2] for p in PERIODS],
        }
    )
