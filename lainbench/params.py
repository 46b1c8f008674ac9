"""Parameters: dated, sourced values loaded from YAML and checked by pydantic.

Two kinds of YAML live in ``params/``:

* **Reference parameters** (targets, premiums, profiles): every value carries a start date, a
  unit and a referenced source, in the shape PolicyEngine UK uses::

      description: Payment targets that bind or guide anchor institutions.

Parameters
----------
        bppc_within_30_days_count_pct:
          description: NHS BPPC share of valid invoices paid within 30 days, by number.
          metadata:
            label: NHS BPPC (number)
            unit: percent
            reference:
              - title: NHSBT, BPPC compliance
                href: https://www.nhsbt.nhs.uk/...
          values:
            2000-01-01: 95

  A value without a date, unit or source does not load.

* **Notebook run parameters** (``params/payment_performance.yaml`` ...): plain ``key: value`` pairs
  that papermill injects. They are checked against the notebook's pydantic model by
  :func:`validate_run_params` before any kernel starts.

>>> pf = ParameterFile.model_validate({
...     "description": "demo",
...     "parameters": {"terms": {
...         "description": "Statutory maximum", "values": {"2025-02-24": 30},
...         "metadata": {"label": "s.68", "unit": "days",
...                      "reference": [{"title": "PA 2023 s.68", "href": "https://example.org"}]}}}})
>>> pf.parameters["terms"].at("2025-06-30")
30
>>> pf.parameters["terms"].at("2024-01-01") is None
True
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from lainbench.config import resolve
from lainbench.errors import ParamsError

Unit = Literal[
    "currency-GBP", "currency-GBP/year", "days", "/1", "count", "percent", "percent/year", "years"
]
UNITS_HINT = "currency-GBP, currency-GBP/year, days, /1, count, percent, percent/year or years"


class Reference(BaseModel):
    """A source: a title and a link (or a citation where no link exists)."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=3)
    href: str = Field(min_length=3)


class Metadata(BaseModel):
    """What a parameter's numbers mean: label, unit and at least one source."""

    model_config = ConfigDict(extra="forbid")
    label: str
    unit: Unit
    reference: list[Reference] = Field(min_length=1)
    status: str | None = None  # e.g. "indicative", "UNCONFIRMED", "assumption"
    # For targets (params/payment_targets.yaml): the measure column it is tested on, how, and on
    # which population of invoices ("all", or "small_lt50": micro and small suppliers pooled).
    measure: str | None = None
    comparison: Literal[">=", "<="] | None = None
    population: Literal["all", "small_lt50"] | None = None


class DatedValue(BaseModel):
    """A value with a source of its own, where it differs from the parameter's main one."""

    model_config = ConfigDict(extra="forbid")
    value: Any
    reference: list[Reference] | None = None
    note: str | None = None


class Parameter(BaseModel):
    """One parameter: a description, dated values and metadata."""

    model_config = ConfigDict(extra="forbid")
    description: str
    values: dict[dt.date, Any] = Field(min_length=1)
    metadata: Metadata

    @field_validator("values")
    @classmethod
    def _unwrap(cls, values: dict[dt.date, Any]) -> dict[dt.date, Any]:
        return dict(sorted(values.items()))

    def at(self, when: dt.date | str) -> Any:
        """Value in force on ``when``: the latest dated value on or before it, else ``None``."""
        when = dt.date.fromisoformat(when) if isinstance(when, str) else when
        found = None
        for start, raw in self.values.items():
            if start <= when:
                found = raw
        if isinstance(found, dict) and "value" in found:
            return DatedValue.model_validate(found).value
        return found

    def sources(self) -> list[Reference]:
        """Every reference given for this parameter, main first."""
        refs = list(self.metadata.reference)
        for raw in self.values.values():
            if isinstance(raw, dict) and raw.get("reference"):
                refs += DatedValue.model_validate(raw).reference or []
        return refs


class ParameterFile(BaseModel):
    """A topic file of reference parameters."""

    model_config = ConfigDict(extra="forbid")
    description: str
    parameters: dict[str, Parameter]

    def value(self, name: str, when: dt.date | str) -> Any:
        """Value of parameter ``name`` in force on ``when`` (raises if the name is unknown)."""
        if name not in self.parameters:
            known = ", ".join(sorted(self.parameters))
            raise ParamsError(f"unknown parameter {name!r}; this file defines: {known}")
        return self.parameters[name].at(when)


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping, with errors naming the file and line."""
    p = resolve(path)
    if not p.exists():
        raise ParamsError(f"{path}: file not found (looked for {p})")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ParamsError(f"{path}:{where} is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParamsError(f"{path}: expected a mapping of names to values, found {type(data).__name__}")
    return data


def format_validation_error(source: str, exc: ValidationError) -> str:
    """Turn a pydantic error into lines naming the file, the field, the value and the fix."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown parameter; remove it or check its spelling"
        elif err["type"] == "missing":
            msg = "missing"
            if loc.endswith("unit"):
                msg += f"; use {UNITS_HINT}"
        elif err["type"] == "literal_error" and loc.endswith("unit"):
            msg = f"unknown unit; use {UNITS_HINT}"
        found = err.get("input")
        found_txt = "" if err["type"] in ("missing",) else f" (found {found!r})"
        if isinstance(found, dict):
            found_txt = ""
        lines.append(f"{source}: {loc}: {msg}{found_txt}")
    return "\n".join(lines)


def load(path: str | Path) -> ParameterFile:
    """Load a reference-parameter file; any fault is a :class:`ParamsError` naming it.

    This is the one cache of parameter files: it is keyed on the file's path, modification time
    and size, so a file edited while a kernel runs is read again on the next call.
    """
    p = resolve(path)
    try:
        st = p.stat()
    except OSError:
        return _load_uncached(str(path))  # raises the not-found message
    return _load_cached(str(path), str(p), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _load_cached(shown: str, _resolved: str, _mtime_ns: int, _size: int) -> ParameterFile:
    return _load_uncached(shown)


def _load_uncached(path: str) -> ParameterFile:
    data = read_yaml(path)
    try:
        return ParameterFile.model_validate(data)
    except ValidationError as exc:
        raise ParamsError(format_validation_error(str(path), exc)) from None


def validate_run_params(model: type[BaseModel], data: dict[str, Any], source: str) -> BaseModel:
    """Check notebook run parameters against ``model``; unknown keys are refused."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ParamsError(format_validation_error(source, exc)) from None


class RunParams(BaseModel):
    """Base for a notebook's parameters: plain values, unknown keys refused.

    Paths are given relative to the project root or absolute; ``output_dir`` is where the notebook
    writes its tables.
    """

    model_config = ConfigDict(extra="forbid")
    output_dir: str = Field(default="reports/tmp", description="folder for the notebook's tables")
