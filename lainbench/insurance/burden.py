"""The insurance cost a member's requirements put on a micro, small or medium supplier."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import polars as pl

from lainbench.errors import ParamsError
from lainbench.insurance.benchmark import KEEP, _frame, _requirements, proportionality
from lainbench.insurance.premiums import (
    PremiumCurve,
    _check_limit,
    _curves,
    cost_per_contract_won_gbp,
    extra_premium_gbp,
    share_of_contract_value,
    share_of_margin,
    typical_cover_held,
)
from lainbench.insurance.standards import (
    COVER_ABBREV,
    EL,
    Standards,
    _check_cover,
    _standards,
    format_gbp_short,
)


# --------------------------------------------------------------------------------------------
# What a contract's requirements cost a supplier
# --------------------------------------------------------------------------------------------
def applicable_requirements(
    reqs: Any,
    contract_value_gbp: float,
    procurement_category: str | None = None,
    standards: Standards | None = None,
) -> pl.DataFrame:
    """The requirements each member would set for one contract: value ``V`` in one category.

    Rows apply when ``min <= V < max`` (null = open) and the category matches or is null; per
    member and cover the highest limit is kept. Adds the proportionality columns at ``V``.

    >>> reqs = pl.DataFrame({"buyer_org_id": ["A", "A"], "cover_type": ["public_liability"] * 2,
    ...     "min_limit_gbp": [2e6, 1e7], "contract_value_max_gbp": [25_000.0, None],
    ...     "contract_value_min_gbp": [None, 25_000.0]})
    >>> applicable_requirements(reqs, 20_000).select("min_limit_gbp", "limit_to_value_ratio").row(0)
    (2000000.0, 100.0)
    """
    if contract_value_gbp is None or contract_value_gbp <= 0:
        raise ParamsError(f"contract_value_gbp = {contract_value_gbp}; expected a value above £0")
    df = _requirements(reqs)
    v = float(contract_value_gbp)
    mask = (pl.col("contract_value_min_gbp").fill_null(0) <= v) & (
        pl.col("contract_value_max_gbp").fill_null(float("inf")) > v
    )
    if procurement_category is not None:
        mask &= pl.col("procurement_category").is_null() | (
            pl.col("procurement_category") == procurement_category
        )
    out = (
        df.filter(mask)
        .sort("min_limit_gbp", descending=True)
        .group_by("buyer_org_id", "requirement_version", "cover_type", maintain_order=True)
        .agg([pl.col(c).first() for c in KEEP])
        .sort("buyer_org_id", "cover_type")
    )
    return proportionality(out, standards, contract_value_gbp=v)


def held_cover(
    supplier_size: Literal["micro", "small", "medium"] = "micro",
    has_employees: bool = True,
    overrides: Mapping[str, float] | None = None,
    path: str | Path | None = None,
) -> dict[str, float]:
    """Cover a supplier holds: typical for its size (params), then ``overrides`` on top.

    >>> held_cover("micro", overrides={"professional_indemnity": 0})["professional_indemnity"]
    0.0
    """
    held = typical_cover_held(supplier_size, has_employees, path)
    for cover, limit in (overrides or {}).items():
        _check_cover(cover, "cover_held key")
        held[cover] = _check_limit(cover, limit, "cover_held")
    return held


def member_cost_burden(
    applicable: Any,
    held: Mapping[str, float],
    contract_value_gbp: float,
    margin_share: float,
    win_probability: float,
    hold_years: float,
    curves: Mapping[str, PremiumCurve] | None = None,
    supplier_has_employees: bool = True,
) -> pl.DataFrame:
    """Per member: the extra premium its requirements for one contract cost this supplier (E8-E9).

    ``applicable`` comes from :func:`applicable_requirements`. EL is left out for a supplier with
    no employees unless the member demands it of sole traders (``applies_to_sole_traders``).
    Covers without a premium curve are listed in ``unpriced_covers``. The cost stage is ``at_bid``
    when any applicable requirement must be held to bid, else ``at_award``. Shares are percent.

    >>> app = pl.DataFrame({"buyer_org_id": ["A"], "cover_type": ["public_liability"],
    ...     "min_limit_gbp": [5e6], "required_stage": ["at_bid"],
    ...     "applies_to_sole_traders": [None]})
    >>> out = member_cost_burden(app, {"public_liability": 1e6}, 20_000, 0.2, 0.25, 1.0)
    >>> row = out.row(0, named=True)
    >>> [round(row[c], 2) for c in ("extra_premium_gbp", "share_of_margin_pct",
    ...                             "cost_per_contract_won_gbp")]
    [22.0, 0.55, 88.0]
    """
    table = _curves(curves)
    df = _frame(applicable)
    if "applies_to_sole_traders" not in df.columns:
        df = df.with_columns(pl.lit(None, dtype=pl.Boolean).alias("applies_to_sole_traders"))
    rows = []
    for (member,), grp in df.sort("buyer_org_id", "cover_type").group_by(
        "buyer_org_id", maintain_order=True
    ):
        if not supplier_has_employees:
            grp = grp.filter(
                (pl.col("cover_type") != EL) | pl.col("applies_to_sole_traders").fill_null(False)
            )
        priced = grp.filter(pl.col("cover_type").is_in(list(table)))
        required = dict(zip(priced["cover_type"], priced["min_limit_gbp"]))
        extra = extra_premium_gbp(held, required, table)
        stage = "at_bid" if (grp["required_stage"] == "at_bid").any() else "at_award"
        rows.append(
            {
                "buyer_org_id": member,
                "covers_required": ", ".join(
                    f"{COVER_ABBREV[c]} {format_gbp_short(lim)}"
                    for c, lim in zip(grp["cover_type"], grp["min_limit_gbp"])
                ),
                "unpriced_covers": ", ".join(
                    COVER_ABBREV[c] for c in grp["cover_type"] if c not in table
                )
                or None,
                "cost_stage": stage,
                "extra_premium_gbp": extra,
                "share_of_contract_value_pct": 100
                * share_of_contract_value(extra, contract_value_gbp),
                "share_of_margin_pct": 100
                * share_of_margin(extra, contract_value_gbp, margin_share),
                "cost_per_contract_won_gbp": cost_per_contract_won_gbp(
                    extra, hold_years, win_probability, stage
                ),
            }
        )
    schema = {
        "buyer_org_id": pl.String,
        "covers_required": pl.String,
        "unpriced_covers": pl.String,
        "cost_stage": pl.String,
        "extra_premium_gbp": pl.Float64,
        "share_of_contract_value_pct": pl.Float64,
        "share_of_margin_pct": pl.Float64,
        "cost_per_contract_won_gbp": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema).sort(
        "cost_per_contract_won_gbp", "buyer_org_id", descending=[True, False]
    )


def standard_cost(
    held: Mapping[str, float],
    standards: Standards | None = None,
    curves: Mapping[str, PremiumCurve] | None = None,
    supplier_has_employees: bool = True,
) -> float:
    """Extra premium (£/year) the proposed common standard would cost this supplier.

    >>> standard_cost({"public_liability": 1e6, "professional_indemnity": 1e6,
    ...                "employers_liability": 1e7})
    0.0
    """
    std = _standards(standards)
    table = _curves(curves)
    req = {
        c: v
        for c, v in std.common_standard.items()
        if c in table and (supplier_has_employees or c != EL)
    }
    return extra_premium_gbp(held, req, table)
