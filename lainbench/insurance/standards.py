"""Insurance reference levels: the statutory minimum, the proportionality rule, the common standard and the benchmark bands, read from ``params/insurance_standards.yaml``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from lainbench.config import resolve
from lainbench.errors import ParamsError
from lainbench.formatting import format_gbp_short
from lainbench.ingest.insurance import STANDARDS_FILE
from lainbench.params import ParameterFile, load
from lainbench.schemas import COVER_TYPES

PREMIUMS_PATH = "params/insurance_premiums.yaml"


STANDARDS_PATH = STANDARDS_FILE


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


def _when(when: dt.date | str | None) -> dt.date:
    if when is None:
        return dt.date.today()
    return dt.date.fromisoformat(when) if isinstance(when, str) else when




def _value(pf: ParameterFile, name: str, when: dt.date, source: str) -> Any:
    value = pf.value(name, when)
    if value is None:
        first = min(pf.parameters[name].values)
        raise ParamsError(
            f"{source}: {name} has no value in force on {when} (its first value starts {first}); "
            "pass a later date or add a dated value"
        )
    return value


def _check_cover(cover_type: str, what: str = "cover type") -> None:
    if cover_type not in COVER_TYPES:
        raise ParamsError(f"{what} {cover_type!r} is not one of {', '.join(COVER_TYPES)}")


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


def _load_standards(path: str, when: dt.date) -> Standards:
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
    return _load_standards(key, _when(when))


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
