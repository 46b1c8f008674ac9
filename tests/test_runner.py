"""The runner: parameters checked before any kernel starts, notebooks kept in step with models."""

from __future__ import annotations

import json

import papermill as pm
import pytest

from lainbench import runner
from lainbench.config import NOTEBOOKS_DIR, PARAMS_DIR
from lainbench.errors import ParamsError
from lainbench.registry import NOTEBOOKS

EXISTING = [n for n, e in NOTEBOOKS.items() if (NOTEBOOKS_DIR / e.filename).exists()]


@pytest.mark.parametrize("name", EXISTING)
def test_model_fields_match_parameters_cell(name):
    """Each notebook's `parameters` cell names exactly the fields of its pydantic model."""
    cell = pm.inspect_notebook(str(NOTEBOOKS_DIR / NOTEBOOKS[name].filename))
    model = runner.params_model(name)
    assert set(cell) == set(model.model_fields), (
        f"{name}: notebook has {sorted(set(cell) - set(model.model_fields))} not in the model, "
        f"model has {sorted(set(model.model_fields) - set(cell))} not in the notebook")


@pytest.mark.parametrize("name", EXISTING)
def test_shipped_params_file_is_valid(name):
    _, values = runner.load_run_params(name)
    assert (PARAMS_DIR / NOTEBOOKS[name].default_params).exists()
    assert "output_dir" in values


@pytest.mark.parametrize("name", EXISTING)
def test_notebook_metadata_lets_papermill_run_anywhere(name):
    nb = json.loads((NOTEBOOKS_DIR / NOTEBOOKS[name].filename).read_text())
    assert nb["metadata"]["kernelspec"]["name"]
    assert nb["metadata"]["language_info"]["name"] == "python"
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), \
        "notebooks are committed without outputs"


def test_unknown_parameter_refused_by_name():
    with pytest.raises(ParamsError, match="colour: unknown parameter"):
        runner.load_run_params("payment_performance", overrides=["colour=blue"])


def test_wrong_type_refused_with_file_and_field(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("members: 3\n")
    with pytest.raises(ParamsError) as exc:
        runner.load_run_params("payment_performance", f)
    assert str(f) in str(exc.value) and "members" in str(exc.value)


def test_override_parsing():
    assert runner.parse_overrides(["n=3", "xs=[a, b]", "flag=true", "s=hello"]) == {
        "n": 3, "xs": ["a", "b"], "flag": True, "s": "hello"}
    with pytest.raises(ParamsError, match="key=value"):
        runner.parse_overrides(["novalue"])


def test_unknown_notebook_lists_known_ones():
    with pytest.raises(ParamsError, match="payment_performance"):
        runner.entry("paymnt_performance")


def test_kernel_is_this_interpreter_with_history_in_memory():
    """Parallel kernels sharing IPython's SQLite history print 'Session/line number was not
    unique' into reports; the lainbench kernelspec keeps history in memory."""
    import sys

    from jupyter_client.kernelspec import KernelSpecManager

    assert runner.ensure_kernel() == "lainbench"
    argv = KernelSpecManager().get_kernel_spec("lainbench").argv
    assert argv[0] == sys.executable
    assert "--HistoryManager.hist_file=:memory:" in argv


def test_output_dir_is_honoured_or_refused_never_ignored(tmp_path, monkeypatch):
    # issue 15: `run -p output_dir=X` was silently ignored while `check` reported it OK
    seen = {}
    monkeypatch.setattr(runner, "execute", lambda name, values, nb, **kw: seen.update(values))
    res = runner.run_notebook("payment_performance", overrides=[f"output_dir={tmp_path / 'x'}"],
                              report=False)
    assert res.output_dir == (tmp_path / "x").resolve() and seen["output_dir"] == str(res.output_dir)
    with pytest.raises(ParamsError, match="name different folders"):
        runner.run_notebook("payment_performance", overrides=[f"output_dir={tmp_path / 'x'}"],
                            out_dir=tmp_path / "y", report=False)
