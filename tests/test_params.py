"""Reference parameters: a value without a date, unit or source does not load."""

from __future__ import annotations

import datetime as dt

import pytest

from lainbench import params
from lainbench.config import PARAMS_DIR
from lainbench.errors import ParamsError

GOOD = """
description: test
parameters:
  terms:
    description: statutory days
    metadata:
      label: s.68
      unit: days
      reference: [{title: PA 2023 s.68, href: https://example.org/s68}]
    values:
      2025-02-24: 30
      2025-10-01: {value: 45, reference: [{title: PPN 018, href: https://example.org/ppn018}]}
"""


def write(tmp_path, text):
    p = tmp_path / "p.yaml"
    p.write_text(text)
    return p


def test_dated_values(tmp_path):
    pf = params.load(write(tmp_path, GOOD))
    terms = pf.parameters["terms"]
    assert terms.at("2025-02-23") is None
    assert terms.at("2025-02-24") == 30
    assert terms.at(dt.date(2025, 9, 30)) == 30
    assert terms.at("2025-10-01") == 45
    assert [r.title for r in terms.sources()] == ["PA 2023 s.68", "PPN 018"]


@pytest.mark.parametrize("broken, expected", [
    (GOOD.replace("      unit: days\n", ""), "parameters.terms.metadata.unit: missing; use currency-GBP"),
    (GOOD.replace("unit: days", "unit: fortnights"), "unknown unit"),
    (GOOD.replace("      reference: [{title: PA 2023 s.68, href: https://example.org/s68}]\n", ""),
     "parameters.terms.metadata.reference: missing"),
    (GOOD.replace("2025-02-24", "someday"), "parameters.terms.values"),
    (GOOD + "    colour: red\n", "parameters.terms.colour: unknown parameter"),
])
def test_incomplete_values_refused_with_file_and_field(tmp_path, broken, expected):
    path = write(tmp_path, broken)
    with pytest.raises(ParamsError) as exc:
        params.load(path)
    assert str(path) in str(exc.value) and expected in str(exc.value)


def test_bad_yaml_names_line(tmp_path):
    with pytest.raises(ParamsError, match="line 2"):
        params.load(write(tmp_path, "description: x\nparameters: [unclosed\n"))


def test_missing_file():
    with pytest.raises(ParamsError, match="file not found"):
        params.load("params/does_not_exist.yaml")


# Files with a `parameters:` block are reference parameters; the others are notebook run
# parameters, checked by test_runner against each notebook's model.
REFERENCE_FILES = sorted(
    p.name for p in PARAMS_DIR.glob("*.yaml") if "parameters" in params.read_yaml(p)
)


def test_reference_files_found():
    assert {"payment_targets.yaml", "insurance_premiums.yaml"} <= set(REFERENCE_FILES)


@pytest.mark.parametrize("path", REFERENCE_FILES)
def test_every_reference_params_file_loads(path):
    pf = params.load(PARAMS_DIR / path)
    for name, p in pf.parameters.items():
        assert p.metadata.reference, name
