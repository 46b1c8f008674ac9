"""Run a notebook: validate its parameters, execute it with papermill, export an offline report.

papermill does not check parameter names or types, so :func:`load_run_params` validates them
against the notebook's pydantic model (``lainbench.registry.NOTEBOOKS``) **before** a kernel
starts; a bad value is refused with one message naming it.

The kernel is a ``lainbench`` kernelspec installed into this Python's prefix and pointing at this
interpreter, so a ``python3`` kernelspec elsewhere on the machine (for instance in the user's
Jupyter data directory) cannot make a run silently use another Python.

>>> model, values = load_run_params("payment_performance", overrides=["members=[eastbank_council]"])
>>> values["members"]
['eastbank_council']
>>> load_run_params("payment_performance", overrides=["colour=blue"])
Traceback (most recent call last):
...
lainbench.errors.ParamsError: ...payment_performance.yaml + overrides: colour: unknown parameter; remove it or check its spelling (found 'blue')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from lainbench.config import NOTEBOOKS_DIR, PARAMS_DIR, PROJECT_ROOT, REPORTS_DIR
from lainbench.errors import ParamsError, RunError
from lainbench.params import parse_overrides, read_yaml, validate_run_params
from lainbench.registry import NOTEBOOKS, NotebookEntry, load_object

KERNEL_NAME = "lainbench"


@dataclass
class RunResult:
    """What one notebook run produced."""

    name: str
    notebook: Path
    html: Path | None
    output_dir: Path
    params: dict[str, Any]
    seconds: float
    tables: list[Path] = field(default_factory=list)
    charts: list[Path] = field(default_factory=list)


def entry(name: str) -> NotebookEntry:
    """The registry entry for ``name`` (error lists the known names)."""
    if name not in NOTEBOOKS:
        raise ParamsError(f"unknown notebook {name!r}; known: {', '.join(sorted(NOTEBOOKS))}")
    return NOTEBOOKS[name]


def params_model(name: str) -> type[BaseModel]:
    """The pydantic model for notebook ``name``'s parameters."""
    return load_object(entry(name).params_model)




def load_run_params(name: str, params_file: str | Path | None = None,
                    overrides: list[str] | dict[str, Any] | None = None
                    ) -> tuple[BaseModel, dict[str, Any]]:
    """Read a notebook's parameter file, apply overrides and validate; returns (model, values)."""
    e = entry(name)
    # a file the user names is taken from the current folder (as every command line does); the
    # project root is the default only for the shipped params/<name>.yaml
    path = Path(params_file).expanduser().resolve() if params_file else PARAMS_DIR / e.default_params
    if params_file and not path.exists():
        raise ParamsError(f"{params_file}: parameter file not found (relative paths are taken "
                          f"from the current folder, {Path.cwd()}); the shipped defaults are "
                          f"{PARAMS_DIR / e.default_params}")
    data = read_yaml(path) if path.exists() or params_file else {}
    extra = parse_overrides(overrides)
    data.update(extra)
    source = f"{params_file or path.name}" + (" + overrides" if extra else "")
    model = validate_run_params(params_model(name), data, source)
    return model, model.model_dump(mode="json")


class NotebookParamsError(ParamsError):
    """A bad parameter value reached a notebook (e.g. through plain papermill ``-p``).

    IPython shows it as its one-line message, not a traceback (``_render_traceback_``).
    """

    def _render_traceback_(self) -> list[str]:
        return [f"ParamsError: {self}"]


def notebook_params(name: str, namespace: dict[str, Any]) -> BaseModel:
    """Validate a notebook's parameters, as ``lainbench run`` does, from inside the notebook.

    Every notebook's first code cell calls it with ``globals()``, so a bad value given through
    plain papermill (``-p periods 7``) stops the run with one message naming the parameter. It
    also tells :mod:`lainbench.presentation` the member names (from ``members_path`` when the
    notebook has one), so the notebook's tables show names, not ids.

    >>> notebook_params("payment_performance", {"periods": "all", "members": "all"}).periods
    'all'
    >>> notebook_params("payment_performance", {"periods": 7})
    Traceback (most recent call last):
    ...
    lainbench.runner.NotebookParamsError: notebook 01_payment_performance.ipynb parameters: periods...
    """
    model = params_model(name)
    values = {k: namespace[k] for k in model.model_fields if k in namespace}
    try:
        checked = validate_run_params(model, values, f"notebook {entry(name).filename} parameters")
    except ParamsError as exc:
        raise NotebookParamsError(str(exc)) from None
    members_path = values.get("members_path")
    if isinstance(members_path, str):
        from lainbench.config import resolve
        from lainbench.presentation import set_member_names

        path = resolve(members_path)
        if path.suffix == ".parquet" and path.exists():
            import polars as pl

            with contextlib.suppress(Exception):  # names are a courtesy; the notebook checks paths
                set_member_names(pl.read_parquet(path, columns=["org_id", "org_name"]))
    return checked


def describe_params(name: str) -> list[dict[str, str]]:
    """Each parameter of notebook ``name``: its name, type, default and description.

    Types and defaults come from the pydantic model ``lainbench run`` validates against; the
    description from the model or, when it has none, from the comment in the notebook's
    parameters cell.

    >>> rows = describe_params("member_scorecard")
    >>> [r["name"] for r in rows][:2], rows[1]["type"]
    (['shared_dir', 'member'], 'str | None')
    """
    import json as _json

    model = params_model(name)
    comments: dict[str, str] = {}
    try:
        from papermill.inspection import inspect_notebook

        found = inspect_notebook(str(NOTEBOOKS_DIR / entry(name).filename))
        comments = {k: v["help"] for k, v in found.items() if v.get("help")}
    except Exception:  # noqa: BLE001 - the model's descriptions still stand
        comments = {}
    rows = []
    fields = dict(model.model_fields)
    order = [k for k in fields if k != "output_dir"] + (["output_dir"] if "output_dir" in fields else [])
    for key in order:
        f = fields[key]
        from pydantic_core import to_jsonable_python

        default = to_jsonable_python(f.get_default(call_default_factory=True))
        rows.append({
            "name": key, "type": type_hint(f.annotation),
            "default": _json.dumps(default, default=str) if not isinstance(default, str)
            else repr(default).replace("'", '"'),
            "description": f.description or comments.get(key, ""),
        })
    return rows


def type_hint(annotation: Any) -> str:
    """An annotation as a short, readable type hint (``list[str] | Literal['all']``).

    >>> type_hint(int), type_hint(list[str] | None)
    ('int', 'list[str] | None')
    """
    import re

    text = annotation.__name__ if isinstance(annotation, type) else str(annotation)
    text = text.replace("typing.", "").replace("datetime.", "").replace("NoneType", "None")
    text = re.sub(r"lainbench(\.\w+)+\.(\w+)", r"\2", text)
    m = re.fullmatch(r"Union\[(.*)\]", text)
    if m:
        parts, depth, cur = [], 0, ""
        for ch in m.group(1):
            depth += ch in "[(" and 1 or (-1 if ch in "])" else 0)
            if ch == "," and depth == 0:
                parts.append(cur.strip())
                cur = ""
            else:
                cur += ch
        text = " | ".join([*parts, cur.strip()])
    m = re.fullmatch(r"Optional\[(.*)\]", text)
    if m:
        text = f"{m.group(1)} | None"
    return text


def kernel_argv() -> list[str]:
    """How the ``lainbench`` kernel starts: this interpreter, with IPython's history kept in
    memory. Kernels running side by side (the pack runs several) would otherwise share one
    SQLite history file and print "Session/line number was not unique" into the reports.
    """
    return [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
            "--HistoryManager.hist_file=:memory:"]


def ensure_kernel() -> str:
    """Install (once) a kernelspec for this interpreter under the name ``lainbench``."""
    import json

    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if spec.argv == kernel_argv():
            return KERNEL_NAME
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    try:
        where = Path(install(kernel_name=KERNEL_NAME, display_name="Python (lainbench)",
                             prefix=sys.prefix))
    except OSError as exc:
        raise RunError(
            f"the notebooks run in the Jupyter kernel {KERNEL_NAME!r}, which is not installed and "
            f"could not be installed into {sys.prefix} ({exc}); run `make install`, or "
            f"`{sys.executable} -m ipykernel install --sys-prefix --name {KERNEL_NAME} "
            '--display-name "Python (lainbench)"`') from None
    spec_file = where / "kernel.json"
    data = json.loads(spec_file.read_text(encoding="utf-8"))
    data["argv"] = kernel_argv()
    spec_file.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return KERNEL_NAME


def _has_curve() -> bool:
    try:
        import zmq

        return bool(zmq.has("curve"))
    except (ImportError, AttributeError):  # pragma: no cover
        return False


def kernel_config():
    """Kernel-manager settings for every run.

    ipykernel 7 warns on every run that local TCP is unencrypted; 'auto' provisions CurveZMQ keys
    when the kernelspec supports them (tooling.md), which silences it properly.
    """
    from traitlets.config import Config

    config = Config()
    config.KernelManager.transport_encryption = "auto" if _has_curve() else "disabled"
    return config


def execute(name: str, values: dict[str, Any], out_path: Path, *, kernel_name: str | None = None,
            log_output: bool = False, **engine_kwargs: Any) -> None:
    """Execute notebook ``name`` with ``values`` into ``out_path`` (atomic), raising RunError.

    ``engine_kwargs`` go to ``papermill.execute_notebook`` (the pack passes ``engine_name`` and
    ``km`` to run in a kernel it keeps).
    """
    import os

    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from lainbench.charts import BUNDLE_ENV

    src = NOTEBOOKS_DIR / entry(name).filename
    if not src.exists():
        raise RunError(f"{src}: notebook file missing")
    os.environ[BUNDLE_ENV] = "report"  # the kernel inherits it: the HTML report carries the bundle
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.stem}.running.ipynb")
    try:
        pm.execute_notebook(
            str(src), str(tmp), parameters=values, kernel_name=kernel_name or ensure_kernel(),
            cwd=str(PROJECT_ROOT), progress_bar=False, log_output=log_output,
            config=kernel_config(), **engine_kwargs,
        )
    except PapermillExecutionError as exc:
        failed = out_path.with_name(f"{out_path.stem}.failed.ipynb")
        if tmp.exists():
            tmp.replace(failed)
        raise RunError(
            f"notebook {src.name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} "
            f"(executed copy with the error: {failed})"
        ) from None
    tmp.replace(out_path)


REPORT_HIDE = "report-hide"  # a cell tag: shown in JupyterLab, left out of the report


# Outputs a person should not see in a report: a bare ``text/plain`` result is a Python repr
# (``['interest_owed.parquet', ...]``); prints (streams), tables, charts and Markdown stay.
def report_outputs(nb: Any) -> Any:
    """Drop execute results that carry only ``text/plain`` (Python reprs) from ``nb``, and cells
    tagged ``report-hide``, in place.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
    ...     nbformat.v4.new_output("execute_result", {"text/plain": "['a.parquet']"}),
    ...     nbformat.v4.new_output("execute_result", {"text/html": "<b>x</b>", "text/plain": "x"})])])
    >>> [list(o["data"]) for o in report_outputs(nb).cells[0].outputs]
    [['text/html', 'text/plain']]
    """
    nb.cells = [c for c in nb.cells if REPORT_HIDE not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        cell.outputs = [o for o in cell.get("outputs", [])
                        if not (o.get("output_type") == "execute_result"
                                and set(o.get("data", {})) <= {"text/plain"})]
    return nb


def report_title(nb: Any, default: str) -> str:
    """The report's title: the first level-1 heading a cell *output* shows (a scorecard names its
    member and period there), else the first Markdown cell's, else ``default``.
    """
    import re

    for cell in nb.cells:
        for o in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            md = o.get("data", {}).get("text/markdown", "")
            m = re.search(r"^# (.+)$", md, re.MULTILINE)
            if m:
                return m.group(1).strip()
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            m = re.search(r"^# (.+)$", cell.source, re.MULTILINE)
            if m:
                return m.group(1).strip()
    return default


def _export(nb: Any, *, exclude_input: bool, nav: list[tuple[str, str]] | None,
            head: bool = True) -> str:
    import html as _html

    from nbconvert import HTMLExporter

    from lainbench import charts
    from lainbench.config import PACKAGE_DIR

    exporter = HTMLExporter(
        template_name="lainbench_offline",
        extra_template_basedirs=[str(PACKAGE_DIR / "templates")],
    )
    exporter.exclude_input = exclude_input
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    carried = any(charts.BUNDLE_MARKER in str(o.get("data", {}).get("text/html", ""))
                  for c in nb.cells for o in c.get("outputs", []))
    resources: dict[str, Any] = {"lainbench_nav": " &middot; ".join(
        f'<a href="{_html.escape(href)}">{_html.escape(text)}</a>' for text, href in nav or [])}
    if head:
        from lainbench.presentation import PRINT_CSS, TABLE_CSS

        resources["lainbench_head"] = (
            f"<style>{TABLE_CSS}{PRINT_CSS}{charts.REPORT_CSS}</style>" if carried
            else charts.page_head_html())
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def docs_links(html: str, docs_href: str) -> str:
    """Point the notebooks' links to ``../docs/NAME.md`` at ``docs_href`` (a folder holding the
    shipped docs, rendered as ``NAME.html``), so a report's links work where the report is.

    >>> docs_links('<a href="../docs/assumptions.md#p1">x</a>', "../../docs/")
    '<a href="../../docs/assumptions.html#p1">x</a>'
    """
    import re

    return re.sub(r'href="\.\./docs/([\w-]+)\.md', lambda m: f'href="{docs_href}{m[1]}.html', html)


def render_docs(out_dir: Path, names: tuple[str, ...] = ("assumptions", "data_log")) -> list[Path]:
    """Copy the shipped ``docs/NAME.md`` into ``out_dir`` and render each as a plain HTML page."""
    import html as _html
    import shutil

    import mistune

    from lainbench.presentation import PRINT_CSS, TABLE_CSS

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        src = PROJECT_ROOT / "docs" / f"{name}.md"
        if not src.exists():
            continue
        shutil.copy2(src, out_dir / src.name)
        text = src.read_text(encoding="utf-8")
        body = mistune.html(text)
        body = body.replace("<table>", '<table class="lainbench-table">')
        title = next((ln[2:].strip() for ln in text.splitlines() if ln.startswith("# ")), name)
        page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>'
                f"{_html.escape(title)}</title><style>body{{font-family:system-ui,sans-serif;"
                f"max-width:1000px;margin:2rem auto;padding:0 1rem;line-height:1.45}}"
                f"{TABLE_CSS}{PRINT_CSS}</style></head><body>"
                f'<nav class="lainbench-nav"><a href="../index.html">Pack index</a></nav>'
                f"{body}</body></html>")
        (out_dir / f"{name}.html").write_text(page, encoding="utf-8")
        written += [out_dir / src.name, out_dir / f"{name}.html"]
    return written


def html_report(notebook: Path, html_path: Path, *, exclude_input: bool = True,
                nav: list[tuple[str, str]] | None = None, title: str | None = None,
                docs_href: str | None = None) -> Path:
    """Export an executed notebook to HTML that draws its charts offline (inputs hidden).

    The chart and table libraries go in the page's head once (unless the notebook's outputs
    already carry them); bare Python reprs are left out; ``nav`` adds links (text, href) at the
    top and bottom of the page (the pack links back to its index); the page title is ``title`` or
    the report's first heading. Links to ``../docs/*.md`` point at ``docs_href`` (the pack's
    rendered copy, see :func:`render_docs`), by default at the project's ``docs/``.
    """
    import nbformat

    nb = report_outputs(nbformat.read(notebook, as_version=4))
    nb.metadata["title"] = title or report_title(nb, notebook.stem.replace("_", " "))
    body = _export(nb, exclude_input=exclude_input, nav=nav)
    if docs_href is None:  # the project's own docs, from wherever the report is written
        import os

        docs_href = Path(os.path.relpath(PROJECT_ROOT / "docs", html_path.parent.resolve())
                         ).as_posix() + "/"
        body = body.replace('href="../docs/', f'href="{docs_href}')
    else:
        body = docs_links(body, docs_href)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = html_path.with_name(f".{html_path.name}.tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(html_path)
    return html_path


def print_html(notebook: Path, *, title: str | None = None) -> str:
    """The report as HTML for print and PDF: no scripts needed, each chart as its PNG fallback,
    the explanations after the first Markdown cell left to the HTML report (caveats stay).
    """
    import nbformat

    nb = report_outputs(nbformat.read(notebook, as_version=4))
    nb.metadata["title"] = title or report_title(nb, notebook.stem.replace("_", " "))
    markdown = [c for c in nb.cells if c.get("cell_type") == "markdown"]
    drop = {id(c) for c in markdown[1:] if "caveats" not in c.source.lower()}
    # cells tagged print-skip stay in the HTML report only (the two-page scorecard)
    drop |= {id(c) for c in nb.cells if "print-skip" in c.get("metadata", {}).get("tags", [])}
    nb.cells = [c for c in nb.cells if id(c) not in drop]  # on paper: the question, the figures
    # (each titled and captioned) and the caveats; the explanations stay in the HTML report
    for cell in nb.cells:
        for o in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = o.get("data", {})
            if "image/png" in data and "lainbench-chart" in str(data.get("text/html", "")):
                del data["text/html"]
                tags = cell.setdefault("metadata", {}).setdefault("tags", [])
                if "print-chart" not in tags:
                    tags.append("print-chart")  # class celltag_print-chart: two charts a row
            elif "lainbench-vega-bundle" in str(data.get("text/html", "")):
                data["text/html"] = ""
    body = _export(nb, exclude_input=True, nav=None, head=False)
    from lainbench.presentation import PRINT_CSS, TABLE_CSS

    css = (f"<style>{TABLE_CSS}{PRINT_CSS}{PAGE_CSS}</style>")
    return body.replace("</head>", css + "</head>", 1)


# The print layout of a report (PDF): A4, charts two a row, explanations in small type, the
# headline table kept whole on its page.
PAGE_CSS = """
@page{size:A4 portrait;margin:10mm 10mm 12mm}
@page{@bottom-right{content:counter(page) " of " counter(pages);font-size:7pt;color:#555}}
body{font-family:'DejaVu Sans',Arial,sans-serif;font-size:8pt;margin:0}
main{padding:0}
.jp-Cell{padding:0!important;margin:0!important}
.jp-RenderedHTMLCommon{font-size:7.5pt;line-height:1.3;padding-right:0!important}
.jp-RenderedHTMLCommon p,.jp-RenderedHTMLCommon ul{margin:.15rem 0}
.jp-RenderedHTMLCommon h1{font-size:13pt;margin:0 0 .2rem}
.jp-RenderedHTMLCommon h2{font-size:10pt;margin:.35rem 0 .1rem}
.celltag_print-chart{display:inline-block;width:49%;vertical-align:top;text-align:center}
.celltag_print-chart img{max-height:62mm;width:auto!important;max-width:100%}
.jp-RenderedImage img{max-width:100%;height:auto}
.jp-OutputArea-output pre{font-size:7pt;white-space:pre-wrap}
table.lainbench-table{font-size:7pt;page-break-inside:avoid;break-inside:avoid}
table.lainbench-table th,table.lainbench-table td{padding:.05rem .25rem}
.lainbench-chart-hint,script{display:none}
"""


def pdf_report(notebook: Path, pdf_path: Path, *, title: str | None = None) -> Path:
    """Write the report as PDF (A4, WeasyPrint: HTML and CSS to PDF, no browser needed)."""
    from weasyprint import HTML

    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = pdf_path.with_name(f".{pdf_path.name}.tmp")
    HTML(string=print_html(notebook, title=title), base_url=str(notebook.parent)).write_pdf(tmp)
    tmp.replace(pdf_path)
    return pdf_path


def run_notebook(name: str, params_file: str | Path | None = None,
                 overrides: list[str] | dict[str, Any] | None = None,
                 out_dir: str | Path | None = None, *, report: bool = True,
                 kernel_name: str | None = None, log_output: bool = False) -> RunResult:
    """Validate parameters, execute notebook ``name`` and write its outputs to ``out_dir``.

    ``out_dir`` (default ``reports/<name>``) receives the executed notebook ``<name>.ipynb``, its
    HTML report ``<name>.html`` (inputs hidden, charts drawn offline), the notebook's parquet
    tables and ``charts/``. Relative ``out_dir`` is taken from the current directory.
    """
    extra = parse_overrides(overrides)
    given = extra.get("output_dir")
    if given is not None and out_dir is not None and Path(given).resolve() != Path(out_dir).resolve():
        raise ParamsError(f"-p output_dir={given} and --out {out_dir} name different folders; "
                          "give one of them")
    if out_dir is None and given is not None:
        out_dir = given  # `-p output_dir=X` is honoured, never silently ignored
    out = Path(out_dir).resolve() if out_dir else (REPORTS_DIR / name)
    extra["output_dir"] = str(out)
    _, values = load_run_params(name, params_file, extra)
    start = time.perf_counter()
    nb_path = out / f"{name}.ipynb"
    execute(name, values, nb_path, kernel_name=kernel_name, log_output=log_output)
    html = html_report(nb_path, out / f"{name}.html") if report else None
    return RunResult(
        name=name, notebook=nb_path, html=html, output_dir=out, params=values,
        seconds=time.perf_counter() - start,
        tables=sorted(out.glob("*.parquet")), charts=sorted((out / "charts").glob("*")),
    )


def timestamp() -> str:
    """UTC time as ISO text, for manifests and logs."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------
# The kernel-reuse papermill engine (used by the pack's workers)

# One kernel per worker process, reused across that worker's runs: each notebook still runs top to
# bottom from a clean namespace (``%reset -f``, working directory and execution count reset), but
# imports, the vega bundle and kernel start-up are paid once per worker instead of once per run.
# A failed run, a dead kernel or MAX_RUNS_PER_KERNEL runs start a fresh kernel.
MAX_RUNS_PER_KERNEL = 30


REUSE_ENGINE = "lainbench-reuse"


RESET_CODE = f"""
import os as _lb_os
_lb_os.chdir({str(PROJECT_ROOT)!r})
del _lb_os
get_ipython().run_line_magic("reset", "-f")
get_ipython().execution_count = 1
get_ipython().kernel.execution_count = 0
"""


_WORKER: dict[str, Any] = {"km": None, "runs": 0, "atexit": False, "registered": False}


def _register_reuse_engine() -> str:
    """A papermill engine that runs a notebook in the kernel it is given (``km=``), resetting the
    kernel's namespace first and closing its client afterwards.
    """
    from jupyter_core.utils import run_sync
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    if _WORKER.get("registered"):
        return REUSE_ENGINE

    class ResetClient(PapermillNotebookClient):
        async def async_start_new_kernel_client(self):
            kc = await super().async_start_new_kernel_client()
            reply = await self.async_wait_for_reply(
                kc.execute(RESET_CODE, silent=True, store_history=False))
            if reply is None or reply["content"].get("status") != "ok":
                raise RuntimeError("could not reset the reused kernel's namespace")
            return kc

        start_new_kernel_client = run_sync(async_start_new_kernel_client)

    class ReuseEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, **kwargs):
            kwargs = remove_args(["input_path"], **kwargs)
            safe = remove_args(["timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(
                safe, timeout=execution_timeout or kwargs.get("timeout"),
                startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
                log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
            client = ResetClient(nb_man, **final)
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()
                    client.kc = None

    papermill_engines.register(REUSE_ENGINE, ReuseEngine)  # papermill's public registry
    _WORKER["registered"] = True
    return REUSE_ENGINE


def _stop_worker_kernel() -> None:
    from jupyter_core.utils import run_sync

    km, _WORKER["km"] = _WORKER["km"], None
    if km is not None:
        with contextlib.suppress(Exception):  # already gone
            run_sync(km.shutdown_kernel)(now=True)


def _worker_kernel(kernel_name: str) -> Any:
    """The kernel of this worker process, started on first use (and again after a failure or many runs)."""
    import atexit

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    km = _WORKER["km"]
    if km is not None and _WORKER["runs"] < MAX_RUNS_PER_KERNEL and run_sync(km.is_alive)():
        return km
    import os

    from lainbench.charts import BUNDLE_ENV

    _stop_worker_kernel()
    os.environ[BUNDLE_ENV] = "report"
    km = AsyncKernelManager(kernel_name=kernel_name, config=kernel_config())
    run_sync(km.start_kernel)(cwd=str(PROJECT_ROOT))
    _WORKER.update(km=km, runs=0)
    if not _WORKER["atexit"]:
        atexit.register(_stop_worker_kernel)
        _WORKER["atexit"] = True
    return km


def execute_in_worker_kernel(name: str, values: dict[str, Any], out_path: Path,
                             kernel_name: str) -> None:
    """:func:`lainbench.runner.execute` in this worker's reused kernel (see above); a failed run
    stops the kernel so the next run starts a fresh one.
    """
    engine = _register_reuse_engine()
    km = _worker_kernel(kernel_name)
    _WORKER["runs"] += 1
    try:
        execute(name, values, out_path, kernel_name=kernel_name, engine_name=engine, km=km)
    except BaseException:
        _stop_worker_kernel()
        raise
