"""Synthetic insurance requirements for the 12 demo members, built from published patterns.

Nothing here is any real buyer's requirement. Each demo member (:func:`lainbench.demo.members`)
follows one of the patterns published UK buyers use (domain.md 4.3), with levels drawn by a seeded
generator from the menus those buyers publish:

* **fixed levels per cover type** (Southwark: EL £5m, PL £5m "may be more depending on the
  assessment of risk", PI £250k where appropriate, "don't obtain it unless notified that you've been
  awarded a contract"; NHS: EL £5m, PL £10m, PI £5m, clinical negligence £10m);
* **risk tiers** (East Sussex: PL £10m standard, £5m low risk, £2m virtually no risk);
* **contract-value bands** (limits rising with the contract's value);
* **purchase-order terms** (Buckinghamshire: EL as the law requires, PL £5m each and every claim,
  evidence on request);
* **G-Cloud 14** before and after CCS's revision (£10m PL + £10m PI + £5m EL at first, then
  £1m / £1m / £5m).

Four members have a before-review version (``2025-current``) and an after-review one
(``2026-after-review``); the rest have only ``2025-current``. See ``data/README.md``.

>>> reqs = insurance_requirements()
>>> reqs["buyer_org_id"].n_unique(), sorted(reqs["requirement_version"].unique())
(12, ['2025-current', '2026-after-review'])
>>> bool((reqs.filter(pl.col("cover_type") == "employers_liability")["min_limit_gbp"] >= 5e6).all())
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from lainbench.demo.members import CATEGORIES, MEMBER_PROFILES
from lainbench.schemas import INSURANCE_REQUIREMENT

DEFAULT_SEED = 20260401
BEFORE, AFTER = "2025-current", "2026-after-review"
M = 1_000_000

EL, PL, PI = "employers_liability", "public_liability", "professional_indemnity"
PRODUCTS, CLINICAL, CYBER, WORKS = (
    "products_liability",
    "clinical_negligence",
    "cyber",
    "contract_works",
)

CATEGORIES_BY_ORG_TYPE: dict[str, tuple[str, ...]] = {
    "nhs_trust": CATEGORIES,
    "local_authority": ("works", "facilities", "consultancy", "it", "care", "goods"),
    "university": ("works", "facilities", "consultancy", "it", "goods"),
}
DEFAULT_CATEGORIES = ("works", "facilities", "consultancy", "it", "goods")
BASIS = {
    EL: "any_one_occurrence",
    PL: "each_and_every_claim",
    PI: "aggregate",
    PRODUCTS: "aggregate",
    CLINICAL: "each_and_every_claim",
    CYBER: "aggregate",
    WORKS: "any_one_occurrence",
}
SOUTHWARK_PL_NOTE = "may be more depending on the assessment of risk"
SOUTHWARK_STAGE_NOTE = (
    "if you don't hold insurance of this size, don't obtain it unless notified "
    "that you've been awarded a contract"
)


@dataclass(frozen=True)
class Version:
    """One published version of a member's requirements, before rows are generated."""

    name: str
    pattern: str  # fixed | risk_tier | value_band
    regime: str
    stage: str
    self_cert: bool
    document: str
    levels: dict[str, Any] = field(default_factory=dict)
    el_sole_traders: bool | None = False
    notes: dict[str, str] = field(default_factory=dict)


def _covers_for(category: str, levels: dict[str, Any]) -> dict[str, Any]:
    """Which of the version's covers a category attracts (PI for professional services, etc.)."""
    out = {EL: levels[EL], PL: levels[PL]}
    if PI in levels and category in levels.get("pi_categories", ("consultancy", "it")):
        out[PI] = levels[PI]
    if PRODUCTS in levels and category == "goods":
        out[PRODUCTS] = levels[PRODUCTS]
    if CLINICAL in levels and category in ("clinical", "care"):
        out[CLINICAL] = levels[CLINICAL]
    if CYBER in levels and category == "it":
        out[CYBER] = levels[CYBER]
    return out


def _review_to_bands(bands: list[tuple], levels: dict[str, Any]) -> Version:
    """The 2026 review pattern: limits by contract-value band, required at award, self-certified."""
    return Version(
        AFTER,
        "value_band",
        "pa2023",
        "at_award",
        True,
        "Insurance review 2026 (demo)",
        {"bands": bands, **levels},
    )


def _member_versions(org_id: str, rng: np.random.Generator) -> list[Version]:
    """Each member's versions: a published pattern with levels drawn from its menu."""
    pick = lambda *options: options[int(rng.integers(len(options)))]
    g14_initial = {PL: 10 * M, PI: 10 * M, EL: 5 * M}
    specs: dict[str, list[Version]] = {
        "northgate_nhs": [
            Version(
                BEFORE,
                "fixed",
                "pa2023",
                "before_contract_start",
                True,
                "NHS standard terms (demo)",
                {EL: 5 * M, PL: pick(5 * M, 10 * M), PI: 5 * M, CLINICAL: 10 * M, CYBER: 5 * M},
            )
        ],
        "riverside_nhs": [
            Version(
                BEFORE,
                "fixed",
                "pcr_2015",
                "at_bid",
                False,
                "Selection questionnaire (demo)",
                {EL: 10 * M, PL: 10 * M, PI: 5 * M, CLINICAL: 10 * M},
            ),
            _review_to_bands(
                [
                    (0, 25_000, {PL: 2 * M, PI: 1 * M}),
                    (25_000, 250_000, {PL: 5 * M, PI: 2 * M}),
                    (250_000, None, {PL: 10 * M, PI: 5 * M}),
                ],
                {EL: 5 * M, CLINICAL: 10 * M},
            ),
        ],
        "capital_transport": [
            Version(
                BEFORE,
                "risk_tier",
                "pa2023",
                "before_contract_start",
                True,
                "Supplier guide: insurance (demo)",
                {
                    "tiers": {
                        "works": "high",
                        "facilities": "standard",
                        "goods": "low",
                        "consultancy": pick("low", "none"),
                        "it": "none",
                    },
                    "tier_pl": {"none": 2 * M, "low": 5 * M, "standard": 10 * M, "high": 10 * M},
                    EL: 10 * M,
                    PI: 2 * M,
                    PRODUCTS: 5 * M,
                },
                notes={PL: "PL £10m standard, £5m low-risk activity, £2m where virtually no risk"},
            )
        ],
        "thameside_water": [
            Version(
                BEFORE,
                "fixed",
                "pcr_2015",
                "at_bid",
                False,
                "Framework SQ (demo)",
                {EL: 10 * M, PL: 10 * M, PI: 10 * M, PRODUCTS: 10 * M},
            ),
            _review_to_bands(
                [
                    (0, 250_000, {PL: 5 * M, PI: 2 * M}),
                    (250_000, None, {PL: 10 * M, PI: 5 * M}),
                ],
                {EL: 5 * M, PRODUCTS: 5 * M},
            ),
        ],
        "eastbank_council": [
            Version(
                BEFORE,
                "fixed",
                "pa2023",
                "at_award",
                True,
                "Selling to us (demo)",
                {
                    EL: 5 * M,
                    PL: 5 * M,
                    PI: pick(250_000, 500_000),
                    "pi_categories": ("consultancy", "it", "care"),
                },
                notes={
                    PL: SOUTHWARK_PL_NOTE,
                    PI: "only where appropriate; £250,000 generally expected",
                    "stage": SOUTHWARK_STAGE_NOTE,
                },
            )
        ],
        "westmere_council": [
            Version(
                BEFORE,
                "fixed",
                "pcr_2015",
                "before_contract_start",
                True,
                "Standard terms (demo)",
                {EL: 5 * M, PL: 5 * M, PI: 2 * M},
                el_sole_traders=True,
            ),
            _review_to_bands(
                [
                    (0, 25_000, {PL: 1 * M, PI: 1 * M}),
                    (25_000, 250_000, {PL: 2 * M, PI: 1 * M}),
                    (250_000, None, {PL: 5 * M, PI: 2 * M}),
                ],
                {EL: 5 * M},
            ),
        ],
        "metro_policing": [
            Version(
                BEFORE,
                "fixed",
                "pa2023",
                "before_contract_start",
                False,
                "Tender pack (demo)",
                {EL: 10 * M, PL: 10 * M, PI: pick(2 * M, 5 * M), CYBER: 5 * M, PRODUCTS: 5 * M},
            )
        ],
        "city_fire": [
            Version(
                BEFORE,
                "value_band",
                "purchase_order_terms",
                "on_request",
                True,
                "Purchase order terms (demo)",
                {
                    "bands": [(0, 100_000, {PL: 5 * M}), (100_000, None, {PL: 10 * M, PI: 5 * M})],
                    EL: 5 * M,
                    "basis": {PL: "per_claim_unlimited_claims"},
                },
                notes={
                    EL: "as required by law",
                    PL: "each and every claim, unlimited number of claims",
                },
            )
        ],
        "kingsbridge_uni": [
            Version(
                BEFORE,
                "value_band",
                "pa2023",
                "at_award",
                True,
                "Procurement guide (demo)",
                {
                    "bands": [
                        (0, 25_000, {PL: 2 * M, PI: 1 * M}),
                        (25_000, pick(500_000, 1_000_000), {PL: 5 * M, PI: 2 * M}),
                        ("prev", None, {PL: 10 * M, PI: 5 * M}),
                    ],
                    EL: 5 * M,
                },
            )
        ],
        "aldates_uni": [
            Version(
                BEFORE,
                "fixed",
                "pa2023",
                "at_bid",
                True,
                "Invitation to tender (demo)",
                {EL: 5 * M, PL: 5 * M, PI: 2 * M},
                el_sole_traders=True,
            )
        ],
        "greater_city": [
            Version(
                BEFORE,
                "fixed",
                "pcr_2015",
                "at_bid",
                False,
                "Digital framework SQ, G-Cloud 14 initial levels (demo)",
                g14_initial,
            ),
            Version(
                AFTER,
                "fixed",
                "pa2023",
                "at_award",
                True,
                "Digital framework, G-Cloud 14 revised levels (demo)",
                {PL: 1 * M, PI: 1 * M, EL: 5 * M},
            ),
        ],
        "hillside_mh_nhs": [
            Version(
                BEFORE,
                "fixed",
                "pa2023",
                "before_contract_start",
                True,
                "NHS standard terms (demo)",
                {EL: 5 * M, PL: pick(5 * M, 10 * M), PI: 2 * M, CLINICAL: 10 * M},
            )
        ],
    }
    return specs[org_id]


def _rows_for_version(v: Version, categories: tuple[str, ...]) -> list[dict[str, Any]]:
    """Expand one version into rows: category x value band x cover type."""
    rows = []
    for cat in categories:
        if v.pattern == "value_band":
            bands, prev_hi = [], None
            for lo, hi, levels in v.levels["bands"]:
                lo = prev_hi if lo == "prev" else lo
                bands.append((lo, hi, {**v.levels, **levels}))
                prev_hi = hi
        elif v.pattern == "risk_tier":
            tier = v.levels["tiers"].get(cat, "standard")
            bands = [(None, None, {**v.levels, PL: v.levels["tier_pl"][tier], "tier": tier})]
        else:
            bands = [(None, None, v.levels)]
        for lo, hi, levels in bands:
            for cover, limit in _covers_for(cat, levels).items():
                note = v.notes.get(cover)
                if v.notes.get("stage"):
                    note = "; ".join(x for x in (note, v.notes["stage"]) if x)
                rows.append(
                    {
                        "requirement_version": v.name,
                        "source_document": v.document,
                        "procurement_regime": v.regime,
                        "procurement_category": cat,
                        "contract_value_min_gbp": None if lo is None else float(lo),
                        "contract_value_max_gbp": None if hi is None else float(hi),
                        "risk_tier": levels.get("tier"),
                        "cover_type": cover,
                        "min_limit_gbp": float(limit),
                        "limit_basis": v.levels.get("basis", {}).get(cover, BASIS[cover]),
                        "required_stage": v.stage,
                        "self_certification_allowed": v.self_cert,
                        "applies_to_sole_traders": v.el_sole_traders if cover == EL else None,
                        "notes": note,
                    }
                )
    return rows


def _date_between(rng: np.random.Generator, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def insurance_requirements(seed: int = DEFAULT_SEED) -> pl.DataFrame:
    """Demo ``insurance_requirement`` table for the 12 demo members (synthetic, seeded).

    One row per member x version x category x contract-value band x cover type. The seed draws
    levels from each pattern's published menu, document dates, evidence asked for and PI run-off
    years; the patterns themselves are fixed (see the module docstring).
    """
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for m in MEMBER_PROFILES:
        cats = CATEGORIES_BY_ORG_TYPE.get(m.org_type, DEFAULT_CATEGORIES)
        for v in _member_versions(m.org_id, rng):
            if v.name == BEFORE:
                date = _date_between(rng, dt.date(2024, 3, 1), dt.date(2025, 9, 30))
            else:
                date = _date_between(rng, dt.date(2026, 1, 5), dt.date(2026, 6, 30))
            if v.regime == "pcr_2015" and date >= dt.date(2025, 2, 24):
                date = _date_between(rng, dt.date(2024, 3, 1), dt.date(2025, 2, 23))
            evidence = (
                "self-certification; certificate on award"
                if v.self_cert
                else str(rng.choice(["insurance certificate", "broker letter", "policy schedule"]))
            )
            run_off = int(rng.choice([0, 3, 6]))
            for r in _rows_for_version(v, cats):
                r.update(
                    buyer_org_id=m.org_id,
                    document_date=date,
                    evidence_required=evidence,
                    run_off_years=run_off if r["cover_type"] == PI and run_off else None,
                    statutory_minimum_gbp=5e6 if r["cover_type"] == EL else None,
                )
                rows.append(r)
    df = pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.lit("lainbench demo insurance requirements (synthetic)").alias("source_dataset"),
        pl.int_range(1, pl.len() + 1).cast(pl.String).alias("source_row_id"),
        pl.lit(dt.datetime(2026, 10, 1, tzinfo=dt.UTC)).alias("ingested_at"),
    )
    return INSURANCE_REQUIREMENT.conform(df, source="demo insurance requirements")


def write_insurance_demo(out_dir: str | Path, seed: int = DEFAULT_SEED) -> Path:
    """Write ``insurance_requirement.parquet`` into ``out_dir`` (atomically); returns its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "insurance_requirement.parquet"
    tmp = path.with_name(f".{path.name}.tmp")
    insurance_requirements(seed).write_parquet(tmp)
    tmp.replace(path)
    return path


__all__ = ["DEFAULT_SEED", "insurance_requirements", "write_insurance_demo"]
