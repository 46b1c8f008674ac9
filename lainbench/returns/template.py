"""The return as a blank workbook, for a member that computes its figures elsewhere.

The template has the same sheets and columns as a built return, with instructions on the README
sheet and drop-downs for the size bands, measures, periods and true/false columns. A filled
template is read by :func:`lainbench.returns.io.read_return` (errors name sheet, row and column)
and checked by :func:`lainbench.returns.check.check_return` like any return.

>>> import tempfile
>>> from pathlib import Path
>>> from lainbench.returns.io import read_workbook
>>> p = write_template(Path(tempfile.mkdtemp()) / "t.xlsx", periods=["2025-26 H1"])
>>> tables, errors = read_workbook(p)
>>> errors, tables["payment_totals"].height
([], 0)
"""

from __future__ import annotations

from pathlib import Path

from lainbench.returns.io import write_workbook


def write_template(path: str | Path, periods: list[str] | None = None, rows: int = 2_000) -> Path:
    """Write the blank return workbook to ``path`` (drop-downs on ``rows`` rows per sheet)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    return write_workbook({}, p, template=True, periods=periods, rows=rows)
