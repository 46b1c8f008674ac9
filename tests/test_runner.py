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


# ---- papermill conventions (issue 16) ----------------------------------------------------------
@pytest.mark.parametrize("name", EXISTING)
def test_papermill_help_shows_types_and_descriptions(name):
    """`papermill --help-notebook` names every parameter with its type and a description."""
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("papermill")
    out = subprocess.run([str(exe), "--help-notebook", str(NOTEBOOKS_DIR / NOTEBOOKS[name].filename)],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "Unknown type" not in out
    found = pm.inspect_notebook(str(NOTEBOOKS_DIR / NOTEBOOKS[name].filename))
    for key in runner.params_model(name).model_fields:
        assert f"  {key}: " in out, f"{name}: {key} missing from papermill's help"
        assert found[key]["inferred_type_name"] not in ("None", "Unknown type"), key
        assert found[key]["help"], f"{name}: {key} has no comment in the parameters cell"


@pytest.mark.parametrize("name", EXISTING)
def test_first_code_cell_after_parameters_validates_them(name):
    nb = json.loads((NOTEBOOKS_DIR / NOTEBOOKS[name].filename).read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", [])
    assert f'notebook_params("{name}", globals())' in "".join(code[1]["source"])
    assert nb["metadata"]["kernelspec"] == {"display_name": "Python (lainbench)",
                                            "language": "python", "name": "lainbench"}


def test_notebook_params_one_message_naming_the_parameter():
    with pytest.raises(runner.NotebookParamsError) as exc:
        runner.notebook_params("payment_performance", {"periods": 7})
    assert "periods" in str(exc.value) and "found 7" in str(exc.value)
    # IPython shows the message alone, not a traceback
    assert exc.value._render_traceback_() == [f"ParamsError: {exc.value}"]
    ok = runner.notebook_params("payment_performance", {"periods": ["2025-26 H1"]})
    assert ok.periods == ["2025-26 H1"]


@pytest.mark.notebook
def test_bad_value_through_plain_papermill_stops_with_one_message(tmp_path):
    from papermill.exceptions import PapermillExecutionError

    out = tmp_path / "out.ipynb"
    with pytest.raises(PapermillExecutionError) as exc:
        pm.execute_notebook(str(NOTEBOOKS_DIR / "01_payment_performance.ipynb"), str(out),
                            parameters={"periods": 7}, kernel_name=runner.ensure_kernel(),
                            progress_bar=False, cwd=str(NOTEBOOKS_DIR.parent))
    assert exc.value.ename == "NotebookParamsError" and "periods" in exc.value.evalue
    nb = json.loads(out.read_text())
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert len(errors) == 1 and errors[0]["traceback"] == [
        f"ParamsError: {exc.value.evalue}"], "one line, no Python traceback"


def test_describe_params_types_defaults_descriptions():
    rows = {r["name"]: r for r in runner.describe_params("payment_performance")}
    assert rows["members"]["type"] == "list[str] | Literal['all']"
    assert rows["members"]["default"] == '"all"' and rows["members"]["description"]
    assert rows["focus_member"]["type"] == "str | None"
    assert all(r["description"] for r in rows.values())


def test_report_drops_reprs_and_hidden_cells_keeps_tables():
    import nbformat

    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("intro", metadata={"tags": ["report-hide"]}),
        v4.new_code_cell(outputs=[
            v4.new_output("execute_result", {"text/plain": "['interest_owed.parquet']"}),
            v4.new_output("stream", name="stdout", text="a note\n"),
            v4.new_output("execute_result", {"text/html": "<table></table>", "text/plain": "t"})]),
    ])
    out = runner.report_outputs(nb)
    assert len(out.cells) == 1
    assert [o["output_type"] for o in out.cells[0].outputs] == ["stream", "execute_result"]


def test_docs_links_point_at_the_rendered_copy(tmp_path):
    assert runner.docs_links('<a href="../docs/assumptions.md">a</a>', "../../docs/") == \
        '<a href="../../docs/assumptions.html">a</a>'
    written = runner.render_docs(tmp_path / "docs")
    html = (tmp_path / "docs" / "assumptions.html").read_text()
    assert (tmp_path / "docs" / "assumptions.md") in written and "<h1" in html
    assert 'href="../index.html"' in html


def test_params_file_taken_from_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "my.yaml").write_text("members: [eastbank_council]\n")
    monkeypatch.chdir(tmp_path)
    _, values = runner.load_run_params("payment_performance", "my.yaml")
    assert values["members"] == ["eastbank_council"]
    with pytest.raises(ParamsError, match="relative paths are taken from the current folder"):
        runner.load_run_params("payment_performance", "missing.yaml")


def test_cli_params_prints_types_defaults_descriptions(capsys):
    from lainbench.cli import build_parser, main

    assert main(["params", "supplier_cashflow"]) == 0
    out = capsys.readouterr().out
    assert "n_paths" in out and "int" in out and "(default 100000)" in out
    assert "Monte Carlo paths" in out  # the model's description
    assert "the first is the baseline" in out
    # every verb has help text and an example
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name, parser in sub.choices.items():
        if name in ("notice",):
            continue  # the statutory notices' own command line
        assert parser.description and "example" in (parser.epilog or ""), name
        for action in parser._actions:
            if action.dest != "help":
                assert action.help, f"{name} {action.dest}: no help text"
