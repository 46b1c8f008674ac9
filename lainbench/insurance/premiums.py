"""Indicative premium curves (economics.md E8) and what a requirement costs a supplier (E9)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from lainbench.config import resolve
from lainbench.errors import ParamsError
from lainbench.insurance.standards import (
    COVER_LABELS,
    EL,
    PREMIUMS_PATH,
    SIZES,
    _check_cover,
    _value,
    _when,
)
from lainbench.params import load
from lainbench.schemas import COVER_TYPES


# --------------------------------------------------------------------------------------------
# Premium curves (E8)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PremiumCurve:
    """Annual premium by limit for one cover type: ``P(L) = A + (P0 - A) * (L / L0) ** d``.

    ``base_premium_gbp`` (P0) is the whole premium at ``base_limit_gbp`` (L0), fixed part ``A``
    included; ``limit_exponent`` is ``d = log2(1 + z)`` where ``1 + z`` is the factor per doubling
    of the limit (Riebesell). No cover (limit 0 or ``None``) costs nothing.

    >>> d = math.log(140 / 118) / math.log(5)
    >>> pl_curve = PremiumCurve("public_liability", 1_000_000, 118.0, d)
    >>> round(pl_curve.premium(5_000_000), 2), pl_curve.premium(0)
    (140.0, 0.0)
    >>> with_fixed = PremiumCurve("other", 1_000_000, 100.0, 1.0, fixed_premium_gbp=40.0)
    >>> round(with_fixed.premium(2_000_000), 2)
    160.0
    """

    cover_type: str
    base_limit_gbp: float
    base_premium_gbp: float
    limit_exponent: float
    fixed_premium_gbp: float = 0.0

    def premium(self, limit_gbp: float | None) -> float:
        """Annual premium (£) for cover at ``limit_gbp``; 0 when no cover is held."""
        if limit_gbp is None or limit_gbp <= 0:
            return 0.0
        scaled = self.base_premium_gbp - self.fixed_premium_gbp
        return (
            self.fixed_premium_gbp
            + scaled * (limit_gbp / self.base_limit_gbp) ** self.limit_exponent
        )

    @property
    def z_per_doubling(self) -> float:
        """Premium increase per doubling of the limit, ``2**d - 1`` (applies to the scaled part)."""
        return 2**self.limit_exponent - 1


def _load_curves(path: str, when: dt.date) -> tuple[PremiumCurve, ...]:
    pf = load(path)
    curves = []
    for cover in COVER_TYPES:
        names = {
            part: f"{cover}_{part}"
            for part in ("base_limit", "base_premium", "limit_exponent", "fixed_premium")
        }
        present = [n for n in names.values() if n in pf.parameters]
        if not present:
            continue
        for part in ("base_limit", "base_premium", "limit_exponent"):
            if names[part] not in pf.parameters:
                raise ParamsError(
                    f"{path}: {names[part]} missing; a premium curve for {cover} needs "
                    f"{cover}_base_limit, {cover}_base_premium and {cover}_limit_exponent"
                )
        vals = {part: _value(pf, n, when, path) for part, n in names.items() if n in pf.parameters}
        try:
            curve = PremiumCurve(
                cover_type=cover,
                base_limit_gbp=float(vals["base_limit"]),
                base_premium_gbp=float(vals["base_premium"]),
                limit_exponent=float(vals["limit_exponent"]),
                fixed_premium_gbp=float(vals.get("fixed_premium", 0.0)),
            )
        except (TypeError, ValueError):
            raise ParamsError(
                f"{path}: the {cover} curve values must be numbers (found {vals})"
            ) from None
        _check_curve(curve, path)
        curves.append(curve)
    if not curves:
        raise ParamsError(
            f"{path}: no premium curve found; expected parameters named <cover>_base_limit, "
            "<cover>_base_premium and <cover>_limit_exponent for a cover in "
            f"{', '.join(COVER_TYPES)}"
        )
    return tuple(curves)


def _check_curve(c: PremiumCurve, path: str) -> None:
    if c.base_limit_gbp <= 0:
        raise ParamsError(
            f"{path}: {c.cover_type}_base_limit = {c.base_limit_gbp}; expected a limit above £0"
        )
    if c.base_premium_gbp <= 0:
        raise ParamsError(
            f"{path}: {c.cover_type}_base_premium = {c.base_premium_gbp}; "
            "expected a premium above £0"
        )
    if not 0 <= c.limit_exponent <= 1:
        raise ParamsError(
            f"{path}: {c.cover_type}_limit_exponent = {c.limit_exponent}; expected 0 to 1 "
            "(premiums "
            "rise more slowly than the limit; d = log2(1 + z))"
        )
    if not 0 <= c.fixed_premium_gbp <= c.base_premium_gbp:
        raise ParamsError(
            f"{path}: {c.cover_type}_fixed_premium = {c.fixed_premium_gbp}; expected 0 up to the "
            f"base premium {c.base_premium_gbp}"
        )


def load_premium_curves(
    path: str | Path | None = None, when: dt.date | str | None = None
) -> dict[str, PremiumCurve]:
    """Premium curves by cover type from ``params/insurance_premiums.yaml``, in force on ``when``.

    >>> curves = load_premium_curves()
    >>> sorted(curves)
    ['employers_liability', 'professional_indemnity', 'public_liability']
    >>> curves["public_liability"].base_premium_gbp
    118.0
    """
    key = str(resolve(path or PREMIUMS_PATH))
    return {c.cover_type: c for c in _load_curves(key, _when(when))}


def _curves(curves: Mapping[str, PremiumCurve] | None) -> Mapping[str, PremiumCurve]:
    return load_premium_curves() if curves is None else curves


def _check_limit(cover_type: str, limit: float | None, what: str) -> float:
    if limit is None:
        return 0.0
    try:
        value = float(limit)
    except (TypeError, ValueError):
        raise ParamsError(
            f"{what} {cover_type}: limit {limit!r} is not a number of pounds"
        ) from None
    if math.isnan(value) or value < 0:
        raise ParamsError(
            f"{what} {cover_type}: limit {limit!r}; expected £0 or more (0 = no cover)"
        )
    return value


def premium_gbp(
    cover_type: str, limit_gbp: float | None, curves: Mapping[str, PremiumCurve] | None = None
) -> float:
    """Indicative annual premium (£) for ``cover_type`` at ``limit_gbp`` (E8); 0 for no cover.

    >>> round(premium_gbp("professional_indemnity", 2_000_000), 2)
    174.0
    >>> premium_gbp("cyber", 1_000_000)
    Traceback (most recent call last):
    ...
    lainbench.errors.ParamsError: no premium curve for cover type 'cyber' ...
    """
    _check_cover(cover_type)
    limit = _check_limit(cover_type, limit_gbp, "premium for")
    table = _curves(curves)
    if cover_type not in table:
        raise ParamsError(
            f"no premium curve for cover type {cover_type!r} (curves exist for "
            f"{', '.join(sorted(table))}); add {cover_type}_base_limit, _base_premium and "
            f"_limit_exponent to {PREMIUMS_PATH} with a source, or leave that cover out"
        )
    return table[cover_type].premium(limit)


def extra_premium_gbp(
    held: Mapping[str, float],
    required: Mapping[str, float],
    curves: Mapping[str, PremiumCurve] | None = None,
) -> float:
    """Extra annual premium (£/year) to lift the cover ``held`` to the cover ``required`` (E8).

    ``ΔP = Σ_k max(0, P_k(required_k) - P_k(held_k))`` over the cover types in ``required``; a
    cover type absent from ``held`` is not held (premium 0). Keys are ``cover_type`` values.

    >>> held = {"public_liability": 1_000_000, "employers_liability": 10_000_000}
    >>> required = {"public_liability": 10_000_000, "employers_liability": 5_000_000}
    >>> round(extra_premium_gbp(held, required), 2)
    32.7
    >>> extra_premium_gbp(held, {"public_liability": 1_000_000})
    0.0
    """
    table = _curves(curves)
    total = 0.0
    for cover, req in required.items():
        _check_cover(cover, "required cover type")
        req_limit = _check_limit(cover, req, "required")
        held_limit = _check_limit(cover, held.get(cover), "held")
        if req_limit <= held_limit:
            continue
        total += max(
            0.0, premium_gbp(cover, req_limit, table) - premium_gbp(cover, held_limit, table)
        )
    for cover in held:
        _check_cover(cover, "held cover type")
    return total


def cost_per_contract_won_gbp(
    extra_premium_gbp: float,
    hold_years: float,
    win_probability: float,
    stage: Literal["at_bid", "at_award"],
) -> float:
    """Expected extra insurance cost per contract won (E9).

    ``at_bid``: cover bought to bid and held ``hold_years`` before the first win, spread over the
    ``win_probability`` share of bids that win: ``ΔP * T_hold / w``. ``at_award``: bought only on
    winning: ``ΔP`` per contract-year.

    >>> cost_per_contract_won_gbp(100.0, hold_years=1.0, win_probability=0.25, stage="at_bid")
    400.0
    >>> cost_per_contract_won_gbp(100.0, hold_years=1.0, win_probability=0.25, stage="at_award")
    100.0
    """
    if extra_premium_gbp < 0 or math.isnan(extra_premium_gbp):
        raise ParamsError(f"extra_premium_gbp = {extra_premium_gbp}; expected £0 or more")
    if not 0 < win_probability <= 1:
        raise ParamsError(f"win_probability = {win_probability}; expected above 0 and at most 1")
    if hold_years < 0 or math.isnan(hold_years):
        raise ParamsError(f"hold_years = {hold_years}; expected 0 or more years")
    if stage == "at_bid":
        return extra_premium_gbp * hold_years / win_probability
    if stage == "at_award":
        return float(extra_premium_gbp)
    raise ParamsError(f"stage = {stage!r}; expected 'at_bid' or 'at_award'")


def share_of_contract_value(extra_premium_gbp: float, contract_value_gbp: float) -> float:
    """Extra premium as a share (0-1) of the annual contract value, ``ΔP / V`` (E9).

    >>> share_of_contract_value(200.0, 20_000)
    0.01
    """
    if contract_value_gbp <= 0:
        raise ParamsError(f"contract_value_gbp = {contract_value_gbp}; expected a value above £0")
    return extra_premium_gbp / contract_value_gbp


def share_of_margin(
    extra_premium_gbp: float, contract_value_gbp: float, margin_share: float
) -> float:
    """Extra premium as a share (0-1) of the contract's margin, ``ΔP / ((1 - c) V)`` (E9).

    ``margin_share`` is ``1 - c``, the part of revenue left after variable costs (0.20 default in
    economics.md 5.1).

    >>> share_of_margin(200.0, 20_000, 0.2)
    0.05
    """
    if not 0 < margin_share <= 1:
        raise ParamsError(f"margin_share = {margin_share}; expected above 0 and at most 1")
    if contract_value_gbp <= 0:
        raise ParamsError(f"contract_value_gbp = {contract_value_gbp}; expected a value above £0")
    return extra_premium_gbp / (contract_value_gbp * margin_share)


def premium_curve_table(
    curves: Mapping[str, PremiumCurve] | None = None,
    limits: list[float] | None = None,
) -> pl.DataFrame:
    """Premium at a range of limits for each curve: ``cover_type``, ``limit_gbp``, ``premium_gbp``.

    >>> t = premium_curve_table(limits=[1_000_000, 5_000_000])
    >>> t.filter(pl.col("cover_type") == "public_liability")["premium_gbp"].round(2).to_list()
    [118.0, 140.0]
    """
    table = _curves(curves)
    limits = limits or [250_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000]
    rows = [
        {
            "cover_type": c,
            "cover": COVER_LABELS[c],
            "limit_gbp": float(lim),
            "premium_gbp": table[c].premium(lim),
            "is_base_point": float(lim) == table[c].base_limit_gbp,
        }
        for c in sorted(table)
        for lim in limits
    ]
    return pl.DataFrame(rows).sort("cover_type", "limit_gbp")


def typical_cover_held(
    size: Literal["micro", "small", "medium"],
    has_employees: bool = True,
    path: str | Path | None = None,
    when: dt.date | str | None = None,
) -> dict[str, float]:
    """Cover a typical supplier of ``size`` holds (params file; assumptions), EL 0 without staff.

    >>> typical_cover_held("micro", has_employees=False)["employers_liability"]
    0.0
    >>> typical_cover_held("small")["public_liability"]
    2000000.0
    """
    if size not in SIZES:
        raise ParamsError(f"supplier size {size!r}; expected one of {', '.join(SIZES)}")
    src = str(path or PREMIUMS_PATH)
    pf = load(src)
    out = {}
    for name in pf.parameters:
        if not name.startswith("typical_held_"):
            continue
        cover = name.removeprefix("typical_held_")
        _check_cover(cover, f"{src}: {name}:")
        by_size = _value(pf, name, _when(when), src)
        if not isinstance(by_size, Mapping) or size not in by_size:
            raise ParamsError(
                f"{src}: {name} must map each of {', '.join(SIZES)} to a limit (found {by_size!r})"
            )
        out[cover] = float(by_size[size])
    if not has_employees and EL in out:
        out[EL] = 0.0
    return out
