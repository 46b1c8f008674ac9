"""Errors that tell the user what to fix.

Every lainbench error derives from :class:`LainbenchError`. The command line catches that base
class and prints the message alone (no traceback), so each message must stand on its own: name the
file, row, column or parameter, the value found, what was expected, and the fix.

>>> raise ParamsError("params/x.yaml: n_paths = -1; expected a whole number above 0")
Traceback (most recent call last):
...
lainbench.errors.ParamsError: params/x.yaml: n_paths = -1; expected a whole number above 0
"""


class LainbenchError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""

    def __str__(self) -> str:
        # An error raised inside a polars expression comes back with the whole query plan
        # appended; the user needs only the first part.
        return super().__str__().split("\n\nThis error occurred in the following expression")[0]


class ParamsError(LainbenchError):
    """A parameter file or value is missing, malformed or out of range."""


class SchemaError(LainbenchError):
    """A table does not match its canonical schema (missing column, wrong type)."""


class IngestError(LainbenchError):
    """A source file cannot be read at all (as opposed to bad rows, which become rejects)."""


class RunError(LainbenchError):
    """A notebook run failed; the message names the notebook and the failing cell."""


class PackError(LainbenchError):
    """A benchmark pack could not be built or its manifest does not match the files."""
