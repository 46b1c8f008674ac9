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

import datetime as dt
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl
from pydantic import Field, field_validator

from lainbench.config import resolve
from lainbench.errors import ParamsError
from lainbench.params import ParameterFile, RunParams, load
from lainbench.schemas import COVER_TYPES, INSURANCE_REQUIREMENT, _from_pandas_if_needed

PREMIUMS_PATH = "params/insurance_premiums.yaml"
STANDARDS_PATH = "params/insurance_standards.yaml"
SIZES = ("micro", "small", "medium")
EL = "employers_liability"

COVER_LABELS: dict[str, str] = {
    "employers_liability": "Employer's liability",
    "public_liability": "Public liability",
    "products_liability": "Products liability",
    "professional_indemnity": "Professional indemnity",
    "clinical_negligence": "Clinical negligence",
    "cyber": "Cyber",
    "motor": "Motor",
    "contract_works": "Contract works",
    "other": "Other",
}
COVER_ABBREV: dict[str, str] = {
    "employers_liability": "EL",
    "public_liability": "PL",
    "products_liability": "Products",
    "professional_indemnity": "PI",
    "clinical_negligence": "Clinical",
    "cyber": "Cyber",
    "motor": "Motor",
    "contract_works": "Works",
    "other": "Other",
}

# Flag names and what each means (the reason column adds the specifics of the row).
FLAGS: dict[str, str] = {
    "required_at_bid": "cover must be in place to bid",
    "no_self_certification": "supplier may not self-certify that it has or will obtain cover",
    "el_for_sole_traders": "employer's liability demanded of sole traders without employees",
    "below_statutory_minimum": "employer's liability below the £5m statutory minimum",
    "disproportionate": "required limit high relative to contract value",
}


# --------------------------------------------------------------------------------------------
# Formatting helpers
# --------------------------------------------------------------------------------------------
def format_gbp_short(value: float | None) -> str:
    """Money as people say it: ``£10m``, ``£2.5m``, ``£250k``, ``£500``; ``None`` as ``-``.

    >>> [format_gbp_short(v) for v in (10_000_000, 2_500_000, 250_000, 25_000, 500, None)]
    ['£10m', '£2.5m', '£250k', '£25k', '£500', '-']
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    v = float(value)
    for size, suffix in ((1_000_000, "m"), (1_000, "k")):
        if abs(v) >= size:
            return f"£{v / size:,.2f}".rstrip("0").rstrip(".") + suffix
    return f"£{v:,.0f}"


def band_label(lo: float | None, hi: float | None) -> str:
    """Label of a contract-value band ``[lo, hi)``; ``None`` means open.

    >>> band_label(0, 25_000), band_label(25_000, 250_000), band_label(1_000_000, None)
    ('under £25k', '£25k-£250k', '£1m and over')
    >>> band_label(None, None)
    'all values'
    """
    lo = lo or 0
    if hi is None:
        return "all values" if lo == 0 else f"{format_gbp_short(lo)} and over"
    if lo == 0:
        return f"under {format_gbp_short(hi)}"
    return f"{format_gbp_short(lo)}-{format_gbp_short(hi)}"


def _band_label_expr(lo: str, hi: str) -> pl.Expr:
    return pl.struct(lo, hi).map_elements(
        lambda s: band_label(s[lo], s[hi]), return_dtype=pl.String
    )


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


def _when(when: dt.date | str | None) -> dt.date:
    if when is None:
        return dt.date.today()
    return dt.date.fromisoformat(when) if isinstance(when, str) else when


def _mtime(path: str) -> float:
    """Modification time, so a params file edited in a running session is read again."""
    try:
        return Path(path).stat().st_mtime
    except OSError:
        return 0.0  # missing: load() reports it


def _value(pf: ParameterFile, name: str, when: dt.date, source: str) -> Any:
    value = pf.value(name, when)
    if value is None:
        first = min(pf.parameters[name].values)
        raise ParamsError(
            f"{source}: {name} has no value in force on {when} (its first value starts {first}); "
            "pass a later date or add a dated value"
        )
    return value


@functools.lru_cache(maxsize=16)
def _load_curves_cached(path: str, when: dt.date, _mtime: float) -> tuple[PremiumCurve, ...]:
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
    return {c.cover_type: c for c in _load_curves_cached(key, _when(when), _mtime(key))}


def _curves(curves: Mapping[str, PremiumCurve] | None) -> Mapping[str, PremiumCurve]:
    return load_premium_curves() if curves is None else curves


def _check_cover(cover_type: str, what: str = "cover type") -> None:
    if cover_type not in COVER_TYPES:
        raise ParamsError(f"{what} {cover_type!r} is not one of {', '.join(COVER_TYPES)}")


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


# --------------------------------------------------------------------------------------------
# Standards (statutory minimum, proportionality rule, common standard, bands)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Standards:
    """Reference levels from ``params/insurance_standards.yaml``."""

    el_statutory_minimum_gbp: float
    ratio_threshold: float
    limit_floor_gbp: float
    common_standard: dict[str, float]
    band_edges: tuple[float, ...]


@functools.lru_cache(maxsize=16)
def _load_standards_cached(path: str, when: dt.date, _mtime: float) -> Standards:
    pf = load(path)
    need = (
        "employers_liability_statutory_minimum",
        "proportionality_ratio_threshold",
        "proportionality_limit_floor",
        "benchmark_band_edges",
    )
    missing = [n for n in need if n not in pf.parameters]
    if missing:
        raise ParamsError(f"{path}: missing parameter(s) {', '.join(missing)}")
    edges = _value(pf, "benchmark_band_edges", when, path)
    if (
        not isinstance(edges, list)
        or not edges
        or any(not isinstance(e, (int, float)) for e in edges)
        or sorted(edges) != edges
        or len(set(edges)) != len(edges)
        or edges[0] != 0
    ):
        raise ParamsError(
            f"{path}: benchmark_band_edges = {edges!r}; expected increasing numbers "
            "starting at 0, e.g. [0, 25000, 250000, 1000000]"
        )
    threshold = float(_value(pf, "proportionality_ratio_threshold", when, path))
    if threshold <= 0:
        raise ParamsError(
            f"{path}: proportionality_ratio_threshold = {threshold}; expected above 0"
        )
    common = {}
    for name in pf.parameters:
        if name.startswith("common_standard_"):
            cover = name.removeprefix("common_standard_")
            _check_cover(cover, f"{path}: {name}:")
            common[cover] = float(_value(pf, name, when, path))
    return Standards(
        el_statutory_minimum_gbp=float(_value(pf, need[0], when, path)),
        ratio_threshold=threshold,
        limit_floor_gbp=float(_value(pf, need[2], when, path)),
        common_standard=common,
        band_edges=tuple(float(e) for e in edges),
    )


def load_standards(path: str | Path | None = None, when: dt.date | str | None = None) -> Standards:
    """Statutory minimum, proportionality rule, common standard and bands in force on ``when``.

    >>> s = load_standards()
    >>> s.el_statutory_minimum_gbp, s.ratio_threshold, s.common_standard["public_liability"]
    (5000000.0, 20.0, 1000000.0)
    """
    key = str(resolve(path or STANDARDS_PATH))
    return _load_standards_cached(key, _when(when), _mtime(key))


def _standards(standards: Standards | None) -> Standards:
    return load_standards() if standards is None else standards


def benchmark_bands(edges: tuple[float, ...] | list[float] | None = None) -> pl.DataFrame:
    """The comparison bands ``[edge_i, edge_i+1)`` with labels, the last one open.

    >>> benchmark_bands([0, 25_000, 250_000])["band"].to_list()
    ['under £25k', '£25k-£250k', '£250k and over']
    """
    edges = list(edges if edges is not None else load_standards().band_edges)
    his: list[float | None] = [*edges[1:], None]
    return pl.DataFrame(
        {
            "band_order": list(range(len(edges))),
            "band": [band_label(lo, hi) for lo, hi in zip(edges, his)],
            "contract_value_min_gbp": [float(e) for e in edges],
            "contract_value_max_gbp": [None if h is None else float(h) for h in his],
        },
        schema={
            "band_order": pl.Int32,
            "band": pl.String,
            "contract_value_min_gbp": pl.Float64,
            "contract_value_max_gbp": pl.Float64,
        },
    )


# --------------------------------------------------------------------------------------------
# Benchmark measures
# --------------------------------------------------------------------------------------------
def _requirements(reqs: Any) -> pl.DataFrame:
    """Accept a canonical requirements frame (polars or pandas) and check it."""
    if isinstance(reqs, pl.DataFrame) and reqs.schema == INSURANCE_REQUIREMENT.schema:
        return reqs
    return INSURANCE_REQUIREMENT.conform(_frame(reqs), source="insurance requirements")


def _frame(df: Any) -> pl.DataFrame:
    """A polars frame from a polars (lazy) or pandas one."""
    return df.collect() if isinstance(df, pl.LazyFrame) else _from_pandas_if_needed(df)


def pick_version(reqs: Any, which: Literal["latest", "earliest"] = "latest") -> pl.DataFrame:
    """Keep one requirement version per member: its latest (or earliest) by document date.

    Versions are ordered by their latest ``document_date`` (undated first), then by name.

    >>> from lainbench.demo_insurance import insurance_requirements
    >>> reqs = insurance_requirements()
    >>> pick_version(reqs, "earliest")["requirement_version"].unique().to_list()
    ['2025-current']
    """
    if which not in ("latest", "earliest"):
        raise ParamsError(f"version = {which!r}; expected 'latest' or 'earliest'")
    df = _requirements(reqs)
    versions = (
        df.group_by("buyer_org_id", "requirement_version")
        .agg(pl.col("document_date").max().alias("__d"))
        .sort("buyer_org_id", "__d", "requirement_version", nulls_last=False)
    )
    pick = (
        pl.col("requirement_version").last()
        if which == "latest"
        else pl.col("requirement_version").first()
    )
    chosen = versions.group_by("buyer_org_id", maintain_order=True).agg(pick)
    return df.join(chosen, on=["buyer_org_id", "requirement_version"], how="semi", nulls_equal=True)


def _categories(df: pl.DataFrame, categories: list[str] | None) -> list[str]:
    if categories:
        return list(categories)
    found = sorted(df["procurement_category"].drop_nulls().unique().to_list())
    if found:
        return found
    from lainbench.demo import CATEGORIES

    return list(CATEGORIES)


KEEP = (
    "min_limit_gbp",
    "required_stage",
    "self_certification_allowed",
    "applies_to_sole_traders",
    "risk_tier",
    "procurement_regime",
    "limit_basis",
    "notes",
)


def resolve_to_bands(
    reqs: Any,
    edges: list[float] | tuple[float, ...] | None = None,
    categories: list[str] | None = None,
) -> pl.DataFrame:
    """Each member's required limit per category x benchmark band x cover type.

    A member's row applies to a benchmark band when their value ranges overlap (both are
    ``[min, max)``, null meaning open) and to a category when its category is that one or null
    (all categories). Where several rows apply, the **highest** limit is kept: the most a supplier
    in that band may be asked for. Keeps the stage, self-certification and tier of that row.

    >>> reqs = pl.DataFrame({"buyer_org_id": ["A", "A"], "cover_type": ["public_liability"] * 2,
    ...     "min_limit_gbp": [1e6, 1e7], "contract_value_min_gbp": [None, 100_000.0],
    ...     "procurement_category": ["it", "it"]})
    >>> out = resolve_to_bands(reqs, edges=[0, 25_000, 250_000])
    >>> out.select("band", "min_limit_gbp").rows()
    [('under £25k', 1000000.0), ('£25k-£250k', 10000000.0), ('£250k and over', 10000000.0)]
    """
    df = _requirements(reqs)
    cats = pl.DataFrame({"procurement_category": _categories(df, categories)})
    all_cat = df.filter(pl.col("procurement_category").is_null()).drop("procurement_category")
    df = pl.concat(
        [
            df.filter(pl.col("procurement_category").is_not_null()),
            all_cat.join(cats, how="cross").select(df.columns),
        ],
        how="vertical",
    )
    bands = benchmark_bands(edges).rename(
        {"contract_value_min_gbp": "band_min", "contract_value_max_gbp": "band_max"}
    )
    inf = float("inf")
    joined = df.join(bands, how="cross").filter(
        (pl.col("contract_value_min_gbp").fill_null(0) < pl.col("band_max").fill_null(inf))
        & (pl.col("contract_value_max_gbp").fill_null(inf) > pl.col("band_min"))
    )
    keys = [
        "buyer_org_id",
        "requirement_version",
        "procurement_category",
        "band_order",
        "band",
        "band_min",
        "band_max",
        "cover_type",
    ]
    out = (
        joined.sort("min_limit_gbp", descending=True)
        .group_by(keys, maintain_order=True)
        .agg([pl.col(c).first() for c in KEEP])
        .rename({"band_min": "contract_value_min_gbp", "band_max": "contract_value_max_gbp"})
        .sort("procurement_category", "band_order", "cover_type", "buyer_org_id")
    )
    return out


def network_comparison(resolved: Any, standards: Standards | None = None) -> pl.DataFrame:
    """Each member's limit next to the network median, minimum and maximum.

    Per procurement category, benchmark band and cover type.

    Members without a requirement for that cover are left out of the statistics and counted in
    ``members_not_requiring`` (out of the members present in ``resolved``). The median of an even
    number of members is the mean of the middle two. ``statutory_minimum_gbp`` is set for EL.

    >>> r = pl.DataFrame({"buyer_org_id": ["A", "B", "C"], "procurement_category": ["it"] * 3,
    ...     "band_order": [0] * 3, "band": ["under £25k"] * 3,
    ...     "cover_type": ["public_liability"] * 3,
    ...     "min_limit_gbp": [1e6, 5e6, 1e7]})
    >>> network_comparison(r).select("buyer_org_id", "network_median_gbp", "vs_median_gbp").rows()
    [('A', 5000000.0, -4000000.0), ('B', 5000000.0, 0.0), ('C', 5000000.0, 5000000.0)]
    """
    std = _standards(standards)
    df = _frame(resolved)
    n_members = df["buyer_org_id"].n_unique()
    keys = ["procurement_category", "band_order", "band", "cover_type"]
    stats = (
        df.group_by(keys)
        .agg(
            pl.col("min_limit_gbp").median().alias("network_median_gbp"),
            pl.col("min_limit_gbp").min().alias("network_min_gbp"),
            pl.col("min_limit_gbp").max().alias("network_max_gbp"),
            pl.col("buyer_org_id").n_unique().cast(pl.Int32).alias("members_requiring"),
        )
        .with_columns(
            (n_members - pl.col("members_requiring")).cast(pl.Int32).alias("members_not_requiring")
        )
    )
    out = df.join(stats, on=keys, how="left").with_columns(
        pl.when(pl.col("cover_type") == EL)
        .then(pl.lit(std.el_statutory_minimum_gbp))
        .otherwise(None)
        .cast(pl.Float64)
        .alias("statutory_minimum_gbp"),
        (pl.col("min_limit_gbp") - pl.col("network_median_gbp")).alias("vs_median_gbp"),
        (pl.col("min_limit_gbp") / pl.col("network_median_gbp")).alias("ratio_to_median"),
        pl.when(pl.col("min_limit_gbp") > pl.col("network_median_gbp"))
        .then(pl.lit("above median"))
        .when(pl.col("min_limit_gbp") < pl.col("network_median_gbp"))
        .then(pl.lit("below median"))
        .otherwise(pl.lit("at median"))
        .alias("position"),
    )
    return out.sort(*keys, "buyer_org_id")


def reference_value_expr(edges: list[float] | tuple[float, ...]) -> pl.Expr:
    """Contract value a requirement's limit is judged against, from its value band.

    The band's upper bound; for an open band, the upper edge of the benchmark band holding its
    lower bound (so "all values" is judged at the top of the smallest band); for the open top
    band, its lower bound.
    """
    lo = pl.col("contract_value_min_gbp").fill_null(0)
    upper_of_lo = pl.lit(None, dtype=pl.Float64)
    for e_lo, e_hi in reversed(list(zip(edges, [*edges[1:], None]))):
        upper_of_lo = (
            pl.when((lo >= e_lo) & (pl.lit(e_hi is None) | (lo < (e_hi or 0))))
            .then(pl.lit(e_hi, dtype=pl.Float64))
            .otherwise(upper_of_lo)
        )
    fallback = pl.coalesce(upper_of_lo, pl.when(lo > 0).then(lo))
    return pl.coalesce(pl.col("contract_value_max_gbp"), fallback).cast(pl.Float64)


def proportionality(
    frame: Any,
    standards: Standards | None = None,
    contract_value_gbp: float | None = None,
) -> pl.DataFrame:
    """Add ``reference_value_gbp``, ``limit_to_value_ratio`` and the ``disproportionate`` flag.

    The ratio is the required limit over the contract value it applies to: ``contract_value_gbp``
    if given, else a reference value from the row's band (:func:`reference_value_expr`). A row is
    flagged when the ratio is above the threshold **and** the limit is above the floor (a limit a
    typical micro supplier already holds costs it nothing). Employer's liability is never flagged
    here: its level is set by law (checked by :func:`requirement_flags`), not by contract value.

    >>> f = pl.DataFrame({
    ...     "cover_type": ["public_liability", "public_liability", "employers_liability"],
    ...     "min_limit_gbp": [10e6, 1e6, 10e6], "contract_value_min_gbp": [0.0, 0.0, 0.0],
    ...     "contract_value_max_gbp": [25_000.0, 25_000.0, 25_000.0]})
    >>> proportionality(f).select("limit_to_value_ratio", "disproportionate").rows()
    [(400.0, True), (40.0, False), (400.0, False)]
    """
    std = _standards(standards)
    df = _frame(frame)
    if contract_value_gbp is not None:
        if contract_value_gbp <= 0:
            raise ParamsError(
                f"contract_value_gbp = {contract_value_gbp}; expected a value above £0"
            )
        ref = pl.lit(float(contract_value_gbp))
    else:
        for c in ("contract_value_min_gbp", "contract_value_max_gbp"):
            if c not in df.columns:
                df = df.with_columns(pl.lit(None, dtype=pl.Float64).alias(c))
        ref = reference_value_expr(std.band_edges)
    df = df.with_columns(ref.alias("reference_value_gbp"))
    ratio = pl.col("min_limit_gbp") / pl.col("reference_value_gbp")
    return df.with_columns(
        ratio.alias("limit_to_value_ratio"),
        (
            (ratio > std.ratio_threshold)
            & (pl.col("min_limit_gbp") > std.limit_floor_gbp)
            & (pl.col("cover_type") != EL)
        )
        .fill_null(False)
        .alias("disproportionate"),
    )


def _bid_reason() -> pl.Expr:
    regime = pl.col("procurement_regime")
    return (
        pl.when(regime == "pa2023")
        .then(
            pl.lit(
                "cover required before award: not lawful as a condition of participation "
                "(Procurement Act 2023 s.22(3)(b)); ask for it of the winner"
            )
        )
        .when(regime == "pcr_2015")
        .then(
            pl.lit(
                "cover required to bid: SQ guidance asks buyers to accept self-certification "
                "that cover will be in place if awarded"
            )
        )
        .otherwise(
            pl.lit(
                "cover required to bid: if this is a condition of participation under the "
                "Procurement Act 2023 it is not lawful (s.22(3)(b)); ask for it at award"
            )
        )
    )


def requirement_flags(reqs: Any, standards: Standards | None = None) -> pl.DataFrame:
    """One row per requirement and flag raised, with the reason in words.

    Flags (see :data:`FLAGS`): ``required_at_bid``, ``no_self_certification``,
    ``el_for_sole_traders``, ``below_statutory_minimum`` and ``disproportionate``
    (:func:`proportionality`, judged at the band's reference value).

    >>> reqs = pl.DataFrame({"buyer_org_id": ["A", "A"], "cover_type": ["public_liability",
    ...     "employers_liability"], "min_limit_gbp": [10e6, 5e6],
    ...     "required_stage": ["at_bid", "at_award"],
    ...     "applies_to_sole_traders": [None, True], "contract_value_max_gbp": [25_000.0, None],
    ...     "procurement_regime": ["pa2023", "pa2023"]})
    >>> requirement_flags(reqs).select("cover_type", "flag").rows()
    [('employers_liability', 'el_for_sole_traders'),
     ('public_liability', 'disproportionate'),
     ('public_liability', 'required_at_bid')]
    """
    std = _standards(standards)
    df = proportionality(_requirements(reqs), std).with_columns(
        _band_label_expr("contract_value_min_gbp", "contract_value_max_gbp").alias("band"),
        pl.col("min_limit_gbp")
        .map_elements(format_gbp_short, return_dtype=pl.String)
        .alias("__lim"),
    )
    el_min = std.el_statutory_minimum_gbp
    checks = [
        ("required_at_bid", pl.col("required_stage") == "at_bid", _bid_reason()),
        (
            "no_self_certification",
            pl.col("self_certification_allowed") == False,
            pl.lit(
                "evidence of cover demanded; the standard SQ lets suppliers self-certify they have "
                "or will obtain it before the contract starts"
            ),
        ),
        (
            "el_for_sole_traders",
            (pl.col("cover_type") == EL) & pl.col("applies_to_sole_traders").fill_null(False),
            pl.lit(
                "sole traders without employees need no employer's liability cover "
                "(ELCI Act 1969); "
                "exempt them"
            ),
        ),
        (
            "below_statutory_minimum",
            (pl.col("cover_type") == EL) & (pl.col("min_limit_gbp") < el_min),
            pl.lit(
                f"below the {format_gbp_short(el_min)} statutory minimum (ELCI Regulations 1998 "
                "reg 3); raise it to at least that"
            ),
        ),
        (
            "disproportionate",
            pl.col("disproportionate"),
            pl.format(
                "{} is {}x a {} contract (threshold {}x); ask for the risk reasoning or lower it",
                pl.col("__lim"),
                pl.col("limit_to_value_ratio").round(0).cast(pl.Int64),
                pl.col("reference_value_gbp").map_elements(
                    format_gbp_short, return_dtype=pl.String
                ),
                pl.lit(f"{std.ratio_threshold:g}"),
            ),
        ),
    ]
    cols = [
        "buyer_org_id",
        "requirement_version",
        "procurement_category",
        "band",
        "contract_value_min_gbp",
        "contract_value_max_gbp",
        "risk_tier",
        "cover_type",
        "min_limit_gbp",
        "required_stage",
        "procurement_regime",
    ]
    parts = [
        df.filter(mask.fill_null(False)).select(
            *cols, pl.lit(name).alias("flag"), reason.cast(pl.String).alias("reason")
        )
        for name, mask, reason in checks
    ]
    return pl.concat(parts, how="vertical").sort(
        "buyer_org_id",
        "requirement_version",
        "procurement_category",
        "contract_value_min_gbp",
        "cover_type",
        "flag",
        nulls_last=False,
    )


def flag_summary(flags: Any) -> pl.DataFrame:
    """Count of flagged requirements per member and flag (wide: one column per flag).

    >>> f = pl.DataFrame({"buyer_org_id": ["A", "A", "B"],
    ...     "flag": ["required_at_bid"] * 2 + ["disproportionate"]})
    >>> flag_summary(f).columns[1:3]
    ['required_at_bid', 'no_self_certification']
    >>> flag_summary(f).row(0)
    ('A', 2, 0, 0, 0, 0)
    """
    df = _frame(flags)
    return (
        df.group_by("buyer_org_id", "flag")
        .len()
        .pivot(on="flag", index="buyer_org_id", values="len", on_columns=list(FLAGS))
        .fill_null(0)
        .select("buyer_org_id", *[pl.col(f).cast(pl.Int64) for f in FLAGS])
        .sort("buyer_org_id")
    )


def review_changes(
    reqs: Any,
    edges: list[float] | tuple[float, ...] | None = None,
    categories: list[str] | None = None,
) -> pl.DataFrame:
    """What changed between each reviewing member's earliest and latest version.

    Compared on the benchmark grid (:func:`resolve_to_bands`) so bands redrawn in a review still
    line up. ``change`` is raised, lowered, unchanged, added or dropped; stage and
    self-certification before and after are kept. Members with one version are left out.

    >>> from lainbench.demo_insurance import insurance_requirements
    >>> ch = review_changes(insurance_requirements())
    >>> sorted(ch["buyer_org_id"].unique())
    ['greater_city', 'riverside_nhs', 'thameside_water', 'westmere_council']
    >>> ch.filter(pl.col("buyer_org_id") == "greater_city",
    ...     pl.col("cover_type") == "public_liability",
    ...     pl.col("procurement_category") == "it", pl.col("band_order") == 0).select(
    ...     "min_limit_gbp_before", "min_limit_gbp_after", "change").row(0)
    (10000000.0, 1000000.0, 'lowered')
    """
    df = _requirements(reqs)
    n_versions = df.group_by("buyer_org_id").agg(
        pl.col("requirement_version").n_unique().alias("n")
    )
    reviewing = n_versions.filter(pl.col("n") > 1)["buyer_org_id"]
    df = df.filter(pl.col("buyer_org_id").is_in(reviewing.implode()))
    cats = _categories(_requirements(reqs), categories)
    keys = ["buyer_org_id", "procurement_category", "band_order", "band", "cover_type"]
    cols = ["requirement_version", "min_limit_gbp", "required_stage", "self_certification_allowed"]
    before = resolve_to_bands(pick_version(df, "earliest"), edges, cats).select(*keys, *cols)
    after = resolve_to_bands(pick_version(df, "latest"), edges, cats).select(*keys, *cols)
    out = before.join(after, on=keys, how="full", coalesce=True, suffix="_after").rename(
        {c: f"{c}_before" for c in cols}
    )
    b, a = pl.col("min_limit_gbp_before"), pl.col("min_limit_gbp_after")
    out = out.with_columns(
        (a.fill_null(0) - b.fill_null(0)).alias("change_gbp"),
        pl.when(b.is_null())
        .then(pl.lit("added"))
        .when(a.is_null())
        .then(pl.lit("dropped"))
        .when(a > b)
        .then(pl.lit("raised"))
        .when(a < b)
        .then(pl.lit("lowered"))
        .otherwise(pl.lit("unchanged"))
        .alias("change"),
    ).with_columns(
        pl.col("requirement_version_before").fill_null(
            pl.col("requirement_version_before").drop_nulls().first().over("buyer_org_id")
        ),
        pl.col("requirement_version_after").fill_null(
            pl.col("requirement_version_after").drop_nulls().first().over("buyer_org_id")
        ),
    )
    return out.select(
        "buyer_org_id",
        "requirement_version_before",
        "requirement_version_after",
        "procurement_category",
        "band_order",
        "band",
        "cover_type",
        "min_limit_gbp_before",
        "min_limit_gbp_after",
        "change_gbp",
        "change",
        "required_stage_before",
        "required_stage_after",
        "self_certification_allowed_before",
        "self_certification_allowed_after",
    ).sort("buyer_org_id", "procurement_category", "band_order", "cover_type")


def review_summary(changes: Any) -> pl.DataFrame:
    """Per reviewing member: how many requirements were lowered, raised, added, dropped, unchanged,
    and how many moved off bid stage.

    >>> ch = pl.DataFrame({"buyer_org_id": ["A", "A"], "change": ["lowered", "unchanged"],
    ...     "required_stage_before": ["at_bid", "at_bid"],
    ...     "required_stage_after": ["at_award", "at_bid"]})
    >>> review_summary(ch).row(0)
    ('A', 1, 0, 0, 0, 1, 1)
    """
    df = _frame(changes)
    kinds = ["lowered", "raised", "added", "dropped", "unchanged"]
    return (
        df.group_by("buyer_org_id")
        .agg(
            *[(pl.col("change") == k).sum().cast(pl.Int64).alias(k) for k in kinds],
            (
                (pl.col("required_stage_before") == "at_bid")
                & (pl.col("required_stage_after") != "at_bid")
            )
            .sum()
            .cast(pl.Int64)
            .alias("moved_off_bid_stage"),
        )
        .sort("buyer_org_id")
    )


def harmonisation(comparison: Any, standards: Standards | None = None) -> pl.DataFrame:
    """What each member would change to reach the network median or the proposed common standard.

    ``change_to_median_gbp`` and ``change_to_standard_gbp`` are target minus current (negative =
    lower the requirement). Covers with no common standard in params get a null target
    ("keep case by case"). ``action_to_standard`` says it in words.

    >>> comp = pl.DataFrame({"buyer_org_id": ["A"], "cover_type": ["public_liability"],
    ...     "min_limit_gbp": [1e7], "network_median_gbp": [5e6]})
    >>> cols = ["change_to_median_gbp", "change_to_standard_gbp", "action_to_standard"]
    >>> harmonisation(comp).select(cols).row(0)
    (-5000000.0, -9000000.0, 'lower to £1m')
    """
    std = _standards(standards)
    df = _frame(comparison)
    target = pl.col("cover_type").replace_strict(
        std.common_standard, default=None, return_dtype=pl.Float64
    )
    df = df.with_columns(target.alias("common_standard_gbp")).with_columns(
        (pl.col("network_median_gbp") - pl.col("min_limit_gbp")).alias("change_to_median_gbp"),
        (pl.col("common_standard_gbp") - pl.col("min_limit_gbp")).alias("change_to_standard_gbp"),
    )
    words = pl.col("common_standard_gbp").map_elements(format_gbp_short, return_dtype=pl.String)
    return df.with_columns(
        pl.when(pl.col("common_standard_gbp").is_null())
        .then(pl.lit("no common standard; keep case by case"))
        .when(pl.col("change_to_standard_gbp") < 0)
        .then(pl.format("lower to {}", words))
        .when(pl.col("change_to_standard_gbp") > 0)
        .then(pl.format("raise to {}", words))
        .otherwise(pl.lit("keep"))
        .alias("action_to_standard"),
    )


def harmonisation_summary(harmonised: Any) -> pl.DataFrame:
    """Per member: requirements above and below the common standard and the network median.

    >>> h = pl.DataFrame({"buyer_org_id": ["A", "A"], "change_to_standard_gbp": [-1e6, None],
    ...     "change_to_median_gbp": [0.0, 2e6]})
    >>> harmonisation_summary(h).row(0)
    ('A', 2, 1, 0, 0, 1, 1)
    """
    df = _frame(harmonised)
    s, m = pl.col("change_to_standard_gbp"), pl.col("change_to_median_gbp")
    return (
        df.group_by("buyer_org_id")
        .agg(
            pl.len().cast(pl.Int64).alias("requirements"),
            (s < 0).sum().cast(pl.Int64).alias("above_standard"),
            (s > 0).sum().cast(pl.Int64).alias("below_standard"),
            (m < 0).sum().cast(pl.Int64).alias("above_median"),
            (m > 0).sum().cast(pl.Int64).alias("below_median"),
            s.is_null().sum().cast(pl.Int64).alias("no_standard"),
        )
        .sort("buyer_org_id")
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


# --------------------------------------------------------------------------------------------
# Loading requirements and the notebook's parameters
# --------------------------------------------------------------------------------------------
def load_requirements(path: str = "demo", seed: int | None = None) -> pl.DataFrame:
    """Requirements from ``"demo"`` (synthetic, seeded), a canonical parquet, or a CSV/XLSX.

    CSV and XLSX go through :func:`lainbench.ingest.insurance.ingest_insurance`; rejected rows are
    left out (run ``lainbench ingest insurance FILE --out DIR`` to see them in ``rejects.csv``).

    >>> load_requirements("demo").height > 100
    True
    """
    from lainbench.errors import IngestError

    if path == "demo":
        from lainbench.demo_insurance import DEFAULT_SEED, insurance_requirements

        return insurance_requirements(DEFAULT_SEED if seed is None else seed)
    p = resolve(path)
    if not p.exists():
        raise IngestError(
            f"{path}: requirements file not found (looked for {p}); give a "
            "parquet, CSV or XLSX file, or 'demo'"
        )
    if p.suffix.lower() == ".parquet":
        try:
            raw = pl.read_parquet(p)
        except (pl.exceptions.ComputeError, OSError) as exc:
            raise IngestError(f"{path}: cannot be read as parquet: {exc}") from None
        return INSURANCE_REQUIREMENT.conform(raw, source=str(path))
    from lainbench.ingest.insurance import ingest_insurance

    return ingest_insurance(p).accepted


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
    reqs = load_requirements(requirements_path, demo_seed)
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
    demo_seed: int = Field(default=20260401, description="seed of the demo requirements")
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
