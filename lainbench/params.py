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
    "currency-GBP", "currency-GBP/year", "days", "/1", "count", "percent", "percent/year", "years",
    "bytes",
]
UNITS_HINT = ("currency-GBP, currency-GBP/year, days, /1, count, percent, percent/year, years or "
              "bytes")


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


# Bounds on every YAML file lainbench reads (parameter files, mapping files, -p values). They
# protect the reader itself, so they live here rather than in a parameter file (assumptions H8-H10).
YAML_MAX_BYTES = 4 * 2**20      # the largest shipped parameter file is under 20 kB
YAML_MAX_DEPTH = 64             # nesting of mappings and lists; shipped files use 5
YAML_MAX_NODES = 1_000_000      # values after expanding aliases (``*anchor``), "billion laughs"


def _yaml_loader() -> type:
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check_yaml_shape(text: str, source: str, *, max_depth: int = YAML_MAX_DEPTH,
                     max_nodes: int = YAML_MAX_NODES) -> None:
    """Refuse YAML nested deeper than ``max_depth`` or holding more than ``max_nodes`` values once
    its aliases are expanded, by reading its events only (nothing is built, memory stays flat).

    >>> laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
    ...     f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\\n" for p, c in zip("abcdefgh", "bcdefghi"))
    >>> check_yaml_shape(laughs, "laughs.yaml")
    Traceback (most recent call last):
    ...
    lainbench.errors.ParamsError: laughs.yaml: line 6: aliases expand to more than 1,000,000 values (a "billion laughs" file?); a parameter file needs far fewer. Remove the repeated *aliases
    >>> check_yaml_shape("[" * 100 + "]" * 100, "deep.yaml")
    Traceback (most recent call last):
    ...
    lainbench.errors.ParamsError: deep.yaml: line 1: nested more than 64 levels deep; a parameter file needs a few. Flatten it
    """
    anchors: dict[str, int] = {}
    stack: list[list] = []  # [anchor, expanded size] of each open collection
    total = 0
    events = yaml.parse(text, Loader=_yaml_loader())

    def line(ev: yaml.Event) -> str:
        return f"line {ev.start_mark.line + 1}: " if ev.start_mark else ""

    def add(n: int, ev: yaml.Event) -> None:
        nonlocal total
        total += n
        if total > max_nodes:
            raise ParamsError(
                f"{source}: {line(ev)}aliases expand to more than {max_nodes:,} values (a "
                "\"billion laughs\" file?); a parameter file needs far fewer. Remove the repeated "
                "*aliases")
        if stack:
            stack[-1][1] += n

    for ev in events:
        if isinstance(ev, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            stack.append([ev.anchor, 1])
            if len(stack) > max_depth:
                raise ParamsError(f"{source}: {line(ev)}nested more than {max_depth} levels deep; "
                                  "a parameter file needs a few. Flatten it")
        elif isinstance(ev, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, n = stack.pop()
            if anchor is not None:
                anchors[anchor] = n
            total -= n - 1  # its members were counted as they came; count them once
            add(n, ev)
        elif isinstance(ev, yaml.ScalarEvent):
            if ev.anchor is not None:
                anchors[ev.anchor] = 1
            add(1, ev)
        elif isinstance(ev, yaml.AliasEvent):
            add(anchors.get(ev.anchor, 1), ev)


def load_yaml_text(text: str, source: str) -> Any:
    """Parse YAML ``text`` safely (no Python tags, bounded size, depth and alias expansion); any
    fault is one :class:`ParamsError` naming ``source`` and the line.

    >>> load_yaml_text("start_date: 2025-02-28", "x.yaml")
    {'start_date': datetime.date(2025, 2, 28)}
    >>> load_yaml_text("start_date: 2025-02-30", "x.yaml")
    Traceback (most recent call last):
    ...
    lainbench.errors.ParamsError: x.yaml: a value cannot be read: day is out of range for month (a date must exist, written YYYY-MM-DD)
    """
    size = len(text.encode("utf-8", errors="replace"))
    if size > YAML_MAX_BYTES:
        raise ParamsError(f"{source}: {size:,} bytes; a YAML file lainbench reads may hold at most "
                          f"{YAML_MAX_BYTES:,} bytes. Is it the right file?")
    try:
        check_yaml_shape(text, source)
        return yaml.load(text, Loader=_yaml_loader())  # a safe loader (CSafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        if "nesting depth" in str(exc):
            raise ParamsError(f"{source}:{where}: nested more than {YAML_MAX_DEPTH} levels deep; a "
                              "parameter file needs a few. Flatten it") from None
        detail = "; ".join(ln.strip() for ln in str(exc).splitlines() if ln.strip())
        raise ParamsError(f"{source}:{where} is not valid YAML: {detail}") from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date 2025-02-30
        hint = " (a date must exist, written YYYY-MM-DD)" if "day" in str(exc) or "month" in str(
            exc) else ""
        raise ParamsError(f"{source}: a value cannot be read: {exc}{hint}") from None
    except RecursionError:
        raise ParamsError(f"{source}: nested too deeply to read; flatten it") from None


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping, with errors naming the file and line (size, depth and aliases are
    bounded: see :func:`load_yaml_text`).
    """
    p = resolve(path)
    if not p.exists():
        raise ParamsError(f"{path}: file not found (looked for {p})")
    if p.is_dir():
        raise ParamsError(f"{path}: is a folder; give the path of a YAML file")
    try:
        size = p.stat().st_size
        if size > YAML_MAX_BYTES:
            raise ParamsError(f"{path}: {size:,} bytes; a YAML file lainbench reads may hold at "
                              f"most {YAML_MAX_BYTES:,} bytes. Is it the right file?")
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ParamsError(f"{path}: byte {exc.start:,} is not UTF-8; save the file as UTF-8"
                          ) from None
    except OSError as exc:
        raise ParamsError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    data = load_yaml_text(text, str(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParamsError(f"{path}: expected a mapping of names to values, found {type(data).__name__}")
    return data


def parse_overrides(overrides: list[str] | dict[str, Any] | None) -> dict[str, Any]:
    """``["key=value", ...]`` (``-p`` options) to a dict; values are read as YAML (``3``,
    ``[a, b]``, ``true``, ``2025-02-28``) and a value that cannot be read is one clear error.

    >>> parse_overrides(["n_paths=1000", "label=[draft"])
    {'n_paths': 1000, 'label': '[draft'}
    >>> parse_overrides(["start_date=2025-02-30"])
    Traceback (most recent call last):
    ...
    lainbench.errors.ParamsError: -p start_date=2025-02-30: a value cannot be read: day is out of range for month (a date must exist, written YYYY-MM-DD)
    """
    if overrides is None:
        return {}
    if isinstance(overrides, dict):
        return dict(overrides)
    out: dict[str, Any] = {}
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ParamsError(f"-p {item!r}: expected key=value, e.g. -p n_paths=1000")
        if not raw.strip():
            out[key.strip()] = ""
            continue
        try:
            out[key.strip()] = load_yaml_text(raw, f"-p {item}")
        except ParamsError as exc:
            if "is not valid YAML" in str(exc):  # e.g. "Q1: draft": taken as plain text
                out[key.strip()] = raw
            else:
                raise
    return out


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

    # unknown keys refused; inf and NaN refused for every number (`annual_value_gbp=inf`)
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    output_dir: str = Field(default="reports/tmp", description="folder for the notebook's tables")
