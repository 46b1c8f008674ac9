"""UK postcodes: normalising them and telling whether one is in Greater London.

The London lists live in ``params/london_postcodes.yaml`` (with sources): whole postcode areas
(the London postal district), outer-London districts, and districts that straddle the boundary
(those give ``unknown``, never a guess).

>>> normalise_postcode(" ts176fb ")
'TS17 6FB'
>>> normalise_postcode("SW1A1AA"), normalise_postcode("not a postcode")
('SW1A 1AA', None)
>>> [is_london(p) for p in ("EC1V 2NX", "UB3 1AB", "IG8 0AA", "TS17 6FB", None)]
['true', 'true', 'unknown', 'false', 'unknown']
"""

from __future__ import annotations

import functools
import re

import polars as pl

POSTCODES_FILE = "params/london_postcodes.yaml"
_PC_RE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})$")
_OUTWARD_RE = re.compile(r"^([A-Z]{1,2})[0-9]")


def normalise_postcode(text: str | None) -> str | None:
    """Upper case with one space before the inward code; ``None`` when it is not a postcode."""
    if text is None:
        return None
    s = re.sub(r"\s+", "", str(text)).upper()
    m = _PC_RE.match(s)
    return f"{m.group(1)} {m.group(2)}" if m else None


@functools.lru_cache(maxsize=4)
def london_lists(path: str = POSTCODES_FILE) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(areas, outer districts, straddling districts) from the params file."""
    from lainbench.params import load

    pf = load(path)
    when = "2100-01-01"
    return (frozenset(pf.value("london_postcode_areas", when)),
            frozenset(pf.value("london_outer_districts", when)),
            frozenset(pf.value("london_straddling_districts", when)))


def is_london(postcode: str | None, path: str = POSTCODES_FILE) -> str:
    """``'true'``, ``'false'`` or ``'unknown'`` (no readable postcode, or a straddling district)."""
    pc = normalise_postcode(postcode)
    if pc is None:
        return "unknown"
    district = pc.split(" ")[0]
    area = _OUTWARD_RE.match(district).group(1)
    areas, outer, straddle = london_lists(path)
    if district in straddle:
        return "unknown"
    if area in areas or district in outer:
        return "true"
    return "false"


def is_london_expr(postcode: pl.Expr, path: str = POSTCODES_FILE) -> pl.Expr:
    """:func:`is_london` as a polars expression over a column of normalised postcodes.

    >>> pl.DataFrame({"p": ["E1 6AN", "CR6 9AA", None]}).select(is_london_expr(pl.col("p")))["p"].to_list()
    ['true', 'false', 'unknown']
    """
    areas, outer, straddle = london_lists(path)
    district = postcode.str.split(" ").list.first()
    area = district.str.extract(r"^([A-Z]{1,2})", 1)
    return (
        pl.when(postcode.is_null()).then(pl.lit("unknown"))
        .when(district.is_in(sorted(straddle))).then(pl.lit("unknown"))
        .when(area.is_in(sorted(areas)) | district.is_in(sorted(outer))).then(pl.lit("true"))
        .otherwise(pl.lit("false"))
    ).name.keep()
