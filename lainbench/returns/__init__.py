"""Members' returns: each member computes its figures on its own data; the network combines them.

A return (``lainbench return build``) is one file per member holding aggregates only (see
:mod:`lainbench.returns.schema` for every sheet); ``lainbench return check`` validates one, and
``lainbench return template`` writes the blank workbook for a member that computes its figures
elsewhere. The network's pack reads returns alone (``lainbench.pack.from_returns``).
"""

from __future__ import annotations

from lainbench.returns.build import build_return, prepare
from lainbench.returns.check import CheckResult, check_return
from lainbench.returns.io import default_name, input_row, read_return, read_workbook, write_return
from lainbench.returns.schema import RETURN_SCHEMA_VERSION, SHEETS, Sheet
from lainbench.returns.template import write_template

__all__ = [
    "RETURN_SCHEMA_VERSION",
    "SHEETS",
    "CheckResult",
    "Sheet",
    "build_return",
    "check_return",
    "default_name",
    "input_row",
    "prepare",
    "read_return",
    "read_workbook",
    "write_return",
    "write_template",
]
