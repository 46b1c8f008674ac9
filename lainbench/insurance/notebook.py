"""Notebook 02 (insurance requirements): its run parameters and data loading."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import polars as pl
from pydantic import Field, field_validator

from lainbench import load
from lainbench.errors import ParamsError
from lainbench.insurance.benchmark import pick_version
from lainbench.insurance.premiums import PremiumCurve, load_premium_curves
from lainbench.insurance.standards import (
    COVER_LABELS,
    PREMIUMS_PATH,
    STANDARDS_PATH,
    Standards,
    load_standards,
)
from lainbench.params import RunParams
from lainbench.schemas import COVER_TYPES

# --------------------------------------------------------------------------------------------
# Loading requirements and the notebook's parameters
# --------------------------------------------------------------------------------------------


@dataclass
class InsuranceData:
    """What notebook 02 works from: all requirement versions, the benchmarked one, and params."""

    requirements: pl.DataFrame  # every version
    current: pl.DataFrame  # one version per member (see pick_version)
    standards: Standards
    curves: dict[str, PremiumCurve]
    version: str

    @property
    def categories(self) -> list[str]:
        """Procurement categories named in the requirements."""
        return sorted(self.requirements["procurement_category"].drop_nulls().unique().to_list())


def prepare(
    requirements_path: str = "demo",
    demo_seed: int | None = None,
    version: Literal["latest", "earliest"] = "latest",
    premiums_path: str = PREMIUMS_PATH,
    standards_path: str = STANDARDS_PATH,
    procurement_category: str | None = None,
    when: dt.date | str | None = None,
) -> InsuranceData:
    """Load requirements, standards and premium curves; check the chosen category exists.

    >>> data = prepare("demo", procurement_category="consultancy")
    >>> data.current["buyer_org_id"].n_unique(), data.version
    (12, 'latest')
    """
    reqs = load.requirements(requirements_path, "requirements_path")
    if reqs.height == 0:
        raise ParamsError(
            f"requirements_path = {requirements_path!r}: no requirement rows to benchmark"
        )
    data = InsuranceData(
        requirements=reqs,
        current=pick_version(reqs, version),
        standards=load_standards(standards_path, when),
        curves=load_premium_curves(premiums_path, when),
        version=version,
    )
    if (
        procurement_category is not None
        and data.categories
        and (procurement_category not in data.categories)
    ):
        raise ParamsError(
            f"procurement_category = {procurement_category!r} is not in {requirements_path}; "
            f"choose one of {', '.join(data.categories)}"
        )
    return data


class InsuranceRequirementsParams(RunParams):
    """Run parameters of ``notebooks/02_insurance_requirements.ipynb``."""

    requirements_path: str = Field(
        default="demo", description="'demo', or a requirements parquet/CSV/XLSX (project-relative)"
    )
    members_path: str = Field(default="data/demo/member.parquet",
                              description="member table: names in the tables and charts")
    demo_seed: int = Field(default=20260401, description="kept for old parameter files and ignored: 'demo' reads the requirements `lainbench demo` wrote")
    version: Literal["latest", "earliest"] = Field(
        default="latest", description="which requirement version of each member to benchmark"
    )
    procurement_category: str = Field(
        default="consultancy", min_length=1, description="category for the heat map and cost view"
    )
    contract_value_gbp: float = Field(default=20_000, gt=0, description="annual contract value, £")
    margin_share: float = Field(
        default=0.20, gt=0, le=1, description="margin (1 - c) as a share of value"
    )
    supplier_size: Literal["micro", "small", "medium"] = "micro"
    supplier_has_employees: bool = True
    cover_held: dict[str, float] = Field(
        default_factory=dict, description="limits held, by cover type; overrides the typical cover"
    )
    win_probability: float = Field(default=0.25, gt=0, le=1)
    hold_years: float = Field(
        default=1.0, ge=0, description="years cover is held before a first win"
    )
    premiums_path: str = PREMIUMS_PATH
    standards_path: str = STANDARDS_PATH

    @field_validator("cover_held")
    @classmethod
    def _known_covers(cls, value: dict[str, float]) -> dict[str, float]:
        for cover, limit in value.items():
            if cover not in COVER_TYPES:
                raise ValueError(f"cover type {cover!r} is not one of {', '.join(COVER_TYPES)}")
            if limit < 0:
                raise ValueError(f"{cover}: limit {limit} below 0 (use 0 for no cover)")
        return value


# --------------------------------------------------------------------------------------------
# One-line texts for the notebook's prose, built from params (one home for each figure)
# --------------------------------------------------------------------------------------------
def statutory_minimum_text(standards: Standards | None = None) -> str:
    """The statutory employer's liability minimum as used, with the params file it comes from.

    >>> statutory_minimum_text()
    "**Statutory minimum:** employer's liability £5m (`employers_liability_statutory_minimum` in `params/insurance_standards.yaml`); no statutory minimum for the other covers."
    """
    from lainbench.formatting import format_gbp_short

    s = standards or load_standards()
    return (f"**Statutory minimum:** employer's liability {format_gbp_short(s.el_statutory_minimum_gbp)} "
            "(`employers_liability_statutory_minimum` in `params/insurance_standards.yaml`); "
            "no statutory minimum for the other covers.")


def proportionality_text(standards: Standards | None = None) -> str:
    """The proportionality screen's threshold multiple and floor limit, as used.

    >>> proportionality_text()
    '**Screen as used:** flagged when the limit is more than 20 times the contract value and above £1m (`proportionality_ratio_threshold`, `proportionality_limit_floor` in `params/insurance_standards.yaml`).'
    """
    from lainbench.formatting import format_gbp_short

    s = standards or load_standards()
    return (f"**Screen as used:** flagged when the limit is more than {s.ratio_threshold:g} times "
            f"the contract value and above {format_gbp_short(s.limit_floor_gbp)} "
            "(`proportionality_ratio_threshold`, `proportionality_limit_floor` in "
            "`params/insurance_standards.yaml`).")


def common_standard_text(standards: Standards | None = None) -> str:
    """The proposed common standard's limits by cover type, as used.

    >>> common_standard_text()
    "**Common standard as used** (`params/insurance_standards.yaml`): public liability £1m, professional indemnity £1m, employer's liability £5m."
    """
    from lainbench.formatting import format_gbp_short

    s = standards or load_standards()
    levels = ", ".join(f"{COVER_LABELS[c].lower()} {format_gbp_short(v)}"
                       for c, v in s.common_standard.items())
    return f"**Common standard as used** (`params/insurance_standards.yaml`): {levels}."


def premium_examples_text(curves: dict[str, PremiumCurve] | None = None) -> str:
    """Each priced cover's calibration point, and its premium at five times that limit, as used.

    >>> premium_examples_text()
    "**Curves as used** (`params/insurance_premiums.yaml`): employer's liability £213 at £5m, £213 at £25m (flat); public liability £118 at £1m, £140 at £5m (+8 % per doubling of the limit); professional indemnity £174 at £2m, £266 at £10m (+20 % per doubling of the limit)."
    """
    from lainbench.formatting import format_gbp_short

    table = curves or load_premium_curves()
    parts = []
    for cover, c in table.items():
        high = 5 * c.base_limit_gbp
        rise = (f"+{c.z_per_doubling:.0%} per doubling of the limit".replace("%", " %")
                if c.limit_exponent > 0 else "flat")
        parts.append(f"{COVER_LABELS[cover].lower()} £{c.base_premium_gbp:,.0f} at "
                     f"{format_gbp_short(c.base_limit_gbp)}, £{c.premium(high):,.0f} at "
                     f"{format_gbp_short(high)} ({rise})")
    return f"**Curves as used** (`params/insurance_premiums.yaml`): {'; '.join(parts)}."
