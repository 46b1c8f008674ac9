"""Numbers as people read them: money, percentages and days (a shared, lowest-layer helper).

>>> format_gbp_short(2_500_000)
'£2.5m'
"""

from __future__ import annotations

import math


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
