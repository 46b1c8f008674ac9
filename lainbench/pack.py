"""The scheduled benchmark pack: one command, every member, safe to share.

``lainbench pack PACK.yaml --out DIR`` turns the latest data into

* ``DIR/shared/``: the pack's tables (payment metrics for every member, targets, interest, network
  benchmarks, insurance flags, cash-flow risk), computed **once** here and disclosure-controlled
  (:mod:`lainbench.disclosure`), as parquet;
* ``DIR/runs/network/<notebook>/`` and ``DIR/runs/members/<member>/<notebook>/``: each an executed
  notebook, its HTML report (inputs hidden, charts drawn offline), its tables and its charts;
  notebooks read the shared tables, they do not recompute them;
* ``DIR/charts/<run>/``: every chart as PNG and SVG; ``DIR/lainbench_pack_tables.xlsx``: the shared
  tables, one sheet each, units in the headers, header row frozen;
* ``DIR/index.html``: the landing page (headline table, links), offline;
* ``DIR/manifest.json``: what went in (pack parameters, input sha256 hashes, package versions)
  and what came out (every file with its sha256), run by run with times and status, and every
  suppressed figure.

Runs go in parallel across processes (default: all cores), each writing to a staging folder that is
moved into place only when complete. A failing notebook leaves the others complete, is marked
``failed`` with its error, and makes the command exit non-zero at the end. ``--resume`` re-runs only
what is missing, failed or stale (a run's key hashes its notebook, parameters, input files and the
lainbench code). ``lainbench pack --check DIR`` verifies the files against the manifest.

Everything is validated before anything runs, every notebook's parameters included:

>>> spec = PackSpec.model_validate({"title": "t", "sources": {
...     "invoices_path": "a.parquet", "members_path": "m.parquet", "periods_path": "p.parquet"}})
>>> [n.notebook for n in spec.per_member], spec.disclosure
(['member_scorecard'], {})
>>> PackSpec.model_validate({"title": "t", "sources": {}, "colour": "red"})
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 4 validation errors for PackSpec
...
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from lainbench.config import PACKAGE_DIR, PROJECT_ROOT, resolve
from lainbench.errors import LainbenchError, PackError

MANIFEST = "manifest.json"
LOCK = ".pack.lock"
WORKBOOK = "lainbench_pack_tables.xlsx"
MANIFEST_VERSION = 1
PATH_SOURCES = ("invoices_path", "members_path", "periods_path")
PACKAGES = ("polars", "pandas", "numpy", "pyarrow", "altair", "vl-convert-python", "papermill",
            "nbconvert", "nbformat", "ipykernel", "jupyter-client", "pydantic", "xlsxwriter",
            "tqdm")


# ---------------------------------------------------------------------------------------------
# The pack file


class NotebookSpec(BaseModel):
    """A notebook to run: its registry name and parameters of its own.

    ``unsuppressed_ok`` lets a notebook that reads invoice-level data itself (it has an
    ``invoices_path`` parameter) into the pack; its figures do not pass through disclosure
    control, so this is refused unless set.
    """

    model_config = ConfigDict(extra="forbid")
    notebook: str
    params: dict[str, Any] = Field(default_factory=dict)
    unsuppressed_ok: bool = False


class Sources(BaseModel):
    """The data the pack reads (paths relative to the project root, or absolute)."""

    model_config = ConfigDict(extra="forbid")
    invoices_path: str = Field(description="canonical invoice_payment table (parquet or csv)")
    members_path: str = Field(description="member table")
    periods_path: str = Field(description="reporting periods")
    insurance_requirements_path: str | None = Field(
        "demo", description="insurance requirements (parquet/csv/xlsx, 'demo', or null: none)")


def _notebooks(value: Any) -> Any:
    if isinstance(value, list):
        return [{"notebook": v} if isinstance(v, str) else v for v in value]
    return value


class PackSpec(BaseModel):
    """A pack file (``params/pack.yaml``), checked before anything runs."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1)
    description: str = ""
    sources: Sources
    targets_file: str = "params/payment_targets.yaml"
    members: list[str] | Literal["all"] = "all"
    periods: list[str] | Literal["all"] = "all"
    period: str = Field("latest", description="headline period, or 'latest'")
    network: list[NotebookSpec] = Field(
        default_factory=lambda: [NotebookSpec(notebook="member_scorecard")])
    per_member: list[NotebookSpec] = Field(
        default_factory=lambda: [NotebookSpec(notebook="member_scorecard")])
    member_params: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="per-member parameter overrides for per_member notebooks")
    shared_params: dict[str, Any] = Field(
        default_factory=dict, description="parameters given to every notebook that has them")
    disclosure: dict[str, Any] = Field(
        default_factory=dict, description="overrides of params/disclosure_control.yaml")
    disclosure_file: str = "params/disclosure_control.yaml"
    cashflow_paths: int = Field(2_000, ge=0, description="cash-flow simulation paths; 0 = off")
    seed: int = 20260401
    excel: bool = True
    jobs: int | None = Field(None, ge=1, description="parallel runs; default all cores")
    fresh_kernels: bool = Field(
        False, description="a new kernel for every run, instead of one per worker reset between runs")

    _lists = field_validator("network", "per_member", mode="before")(_notebooks)


def load_spec(path: str | Path) -> PackSpec:
    """Read and validate a pack file; every fault in one :class:`PackError`."""
    from lainbench.params import format_validation_error, read_yaml

    try:
        data = read_yaml(path)
    except LainbenchError as exc:
        raise PackError(str(exc)) from None
    try:
        return PackSpec.model_validate(data)
    except ValidationError as exc:
        raise PackError(format_validation_error(str(path), exc) + "\nnothing was run") from None


# ---------------------------------------------------------------------------------------------
# Hashing


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """sha256 of a file's bytes, as hex.

    >>> import tempfile; p = Path(tempfile.mkdtemp()) / "x"; _ = p.write_bytes(b"abc")
    >>> sha256_file(p)[:12]
    'ba7816bf8f01'
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_dir(path: str | Path) -> str:
    """One sha256 over every file under ``path`` (names and contents, in name order)."""
    root = Path(path)
    h = hashlib.sha256()
    for p in sorted(q for q in root.rglob("*") if q.is_file() and not q.name.startswith(".")):
        h.update(str(p.relative_to(root)).encode())
        h.update(sha256_file(p).encode())
    return h.hexdigest()


def _json_hash(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def code_hash() -> str:
    """sha256 over lainbench's own code and templates, so a code change makes runs stale."""
    h = hashlib.sha256()
    for p in sorted(PACKAGE_DIR.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".j2", ".json", ".csv", ".yaml") \
                and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(PACKAGE_DIR)).encode())
            h.update(sha256_file(p).encode())
    return h.hexdigest()


def package_versions() -> dict[str, str]:
    """Versions of Python, lainbench and the packages a pack depends on."""
    from importlib.metadata import PackageNotFoundError, version

    from lainbench import __version__

    out = {"python": sys.version.split()[0], "lainbench": __version__}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def _git_commit() -> str | None:
    import subprocess

    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                             text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


# ---------------------------------------------------------------------------------------------
# The plan: every run with its validated parameters


@dataclass
class Run:
    """One notebook run in the pack."""

    run_id: str
    notebook: str
    scope: Literal["network", "member"]
    member: str | None
    values: dict[str, Any]
    out_dir: Path
    inputs: dict[str, str] = field(default_factory=dict)  # path -> sha256
    key: str = ""

    @property
    def rel_dir(self) -> str:
        """The run's folder relative to the pack folder."""
        return self.run_id


@dataclass
class Plan:
    """A validated pack: its spec, output folder, rules and runs (inputs not yet hashed)."""

    spec: PackSpec
    spec_path: Path
    out: Path
    rules: Any
    members: list[str]
    member_names: dict[str, str]
    runs: list[Run]


def _run_id(scope: str, notebook: str, member: str | None) -> str:
    return f"runs/network/{notebook}" if scope == "network" else f"runs/members/{member}/{notebook}"


def plan(spec_path: str | Path, out: str | Path) -> Plan:
    """Validate the pack file, its sources and every run's parameters; nothing runs.

    All faults are gathered into one :class:`PackError` (identical faults of per-member runs are
    reported once, naming how many runs they affect).
    """
    from lainbench import disclosure, payments, runner
    from lainbench.registry import NOTEBOOKS

    spec = load_spec(spec_path)
    out = Path(out).resolve()
    errors: list[str] = []

    def fail(msg: str) -> None:
        if msg not in errors:
            errors.append(msg)

    src = spec.sources
    paths = {k: resolve(getattr(src, k)) for k in PATH_SOURCES}
    for k, p in paths.items():
        if not p.is_file():
            fail(f"sources.{k}: file not found: {p} (for the demo run `lainbench demo`)")
    for k, v in (("targets_file", spec.targets_file), ("disclosure_file", spec.disclosure_file)):
        if not resolve(v).is_file():
            fail(f"{k}: file not found: {resolve(v)}")
    ins = src.insurance_requirements_path
    if ins not in (None, "demo") and not resolve(ins).is_file():
        fail(f"sources.insurance_requirements_path: file not found: {resolve(ins)} "
             "(give a file, 'demo', or null for no insurance flags)")
    rules = None
    try:
        rules = disclosure.load_rules(spec.disclosure_file, overrides=spec.disclosure)
    except LainbenchError as exc:
        fail(str(exc))

    members: list[str] = []
    names: dict[str, str] = {}
    if not errors:
        try:  # the same loading and checks the shared stage will do (members, periods, targets)
            data = payments.prepare(*(str(paths[k]) for k in PATH_SOURCES),
                                    str(resolve(spec.targets_file)), spec.members, spec.periods)
            names = dict(zip(data.members["org_id"], data.members["org_name"], strict=True))
            members = list(names)
            bad = sorted(set(spec.member_params) - set(members))
            if bad:
                fail(f"member_params: {', '.join(bad)} not among the pack's members")
            chosen = data.periods["period"].to_list()
            if spec.period != "latest" and spec.period not in chosen:
                fail(f"period: {spec.period!r} is not among the pack's periods "
                     f"({', '.join(chosen)}); use one of them or 'latest'")
        except LainbenchError as exc:
            fail(str(exc))

    shared_dir = out / "shared"
    runs: list[Run] = []
    used_shared: set[str] = set()
    jobs = [("network", s, None) for s in spec.network]
    jobs += [("member", s, m) for s in spec.per_member for m in members]
    if not spec.network and not spec.per_member:
        fail("network and per_member are both empty: name at least one notebook to run")
    for scope, nb, member in jobs:
        if nb.notebook not in NOTEBOOKS:
            fail(f"{scope} notebook {nb.notebook!r}: unknown; known: {', '.join(sorted(NOTEBOOKS))}")
            continue
        entry = NOTEBOOKS[nb.notebook]
        from lainbench.config import NOTEBOOKS_DIR

        if not (NOTEBOOKS_DIR / entry.filename).is_file():
            fail(f"{scope} notebook {nb.notebook!r}: file notebooks/{entry.filename} not found")
            continue
        try:
            fields = set(runner.params_model(nb.notebook).model_fields)
        except (ImportError, AttributeError) as exc:
            fail(f"{scope} notebook {nb.notebook!r}: its parameters model cannot be loaded ({exc})")
            continue
        if "invoices_path" in fields and not nb.unsuppressed_ok:
            fail(f"{scope} notebook {nb.notebook!r} reads invoice-level data itself, so its "
                 "figures would skip disclosure control; leave it out, or set "
                 "`unsuppressed_ok: true` on it if its report is for internal use only")
        if scope == "member" and "member" not in fields:
            fail(f"per_member notebook {nb.notebook!r} has no `member` parameter, so it cannot "
                 "run once per member; list it under network instead")
            continue
        over: dict[str, Any] = {}
        for k, v in spec.shared_params.items():
            if k in fields:
                over[k] = v
                used_shared.add(k)
        for k in PATH_SOURCES:
            if k in fields and k in paths:
                over[k] = str(paths[k])
        if "targets_file" in fields:
            over["targets_file"] = str(resolve(spec.targets_file))
        if "requirements_path" in fields and ins is not None:  # insurance notebook (02)
            over["requirements_path"] = ins if ins == "demo" else str(resolve(ins))
        if "shared_dir" in fields:
            over["shared_dir"] = str(shared_dir)
        if "period" in fields:
            over["period"] = spec.period
        if "periods" in fields:
            over["periods"] = spec.periods
        if "members" in fields and scope == "network":
            over["members"] = spec.members
        over.update(nb.params)
        if scope == "member":
            over["member"] = member
            if "focus_member" in fields:
                over["focus_member"] = member
            over.update(spec.member_params.get(member, {}))
        run_id = _run_id(scope, nb.notebook, member)
        over["output_dir"] = str(out / run_id)
        try:
            _, values = runner.load_run_params(nb.notebook, None, over)
        except LainbenchError as exc:
            where = f"{scope} notebook {nb.notebook!r}" + (f" for {member}" if member else "")
            fail(f"{where}: {exc}")
            continue
        runs.append(Run(run_id, nb.notebook, scope, member, values, out / run_id))
    unused = sorted(set(spec.shared_params) - used_shared)
    if unused:
        fail(f"shared_params: {', '.join(unused)} is not a parameter of any notebook in the pack")
    ids = [r.run_id for r in runs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        fail(f"the same notebook is listed twice for: {', '.join(dupes)}")
    if errors:
        raise PackError(f"{spec_path}: the pack is not valid, nothing was run:\n  - "
                        + "\n  - ".join(errors))
    return Plan(spec, Path(spec_path), out, rules, members, names, runs)


# ---------------------------------------------------------------------------------------------
# Running one notebook (in a worker process)


def _files(root: Path) -> list[dict[str, Any]]:
    out = []
    for p in sorted(q for q in root.rglob("*") if q.is_file()):
        out.append({"path": p.relative_to(root).as_posix(), "sha256": sha256_file(p),
                    "bytes": p.stat().st_size})
    return out


def _swap_in(staging: Path, final: Path) -> None:
    """Move a complete staging folder to ``final``, replacing what was there."""
    final.parent.mkdir(parents=True, exist_ok=True)
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        final.rename(old)
    staging.rename(final)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


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
_WORKER: dict[str, Any] = {"km": None, "runs": 0, "atexit": False}


def _register_reuse_engine() -> str:
    """A papermill engine that runs a notebook in the kernel it is given (``km=``), resetting the
    kernel's namespace first and closing its client afterwards."""
    from jupyter_core.utils import run_sync
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    if papermill_engines._engines.get(REUSE_ENGINE):
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

    papermill_engines.register(REUSE_ENGINE, ReuseEngine)
    return REUSE_ENGINE


def _stop_worker_kernel() -> None:
    from jupyter_core.utils import run_sync

    km, _WORKER["km"] = _WORKER["km"], None
    if km is not None:
        with contextlib.suppress(Exception):  # already gone
            run_sync(km.shutdown_kernel)(now=True)


def _worker_kernel(kernel_name: str) -> Any:
    """This worker's kernel, started on first use (and again after a failure or many runs)."""
    import atexit

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    from lainbench import runner

    km = _WORKER["km"]
    if km is not None and _WORKER["runs"] < MAX_RUNS_PER_KERNEL and run_sync(km.is_alive)():
        return km
    _stop_worker_kernel()
    km = AsyncKernelManager(kernel_name=kernel_name, config=runner.kernel_config())
    run_sync(km.start_kernel)(cwd=str(PROJECT_ROOT))
    _WORKER.update(km=km, runs=0)
    if not _WORKER["atexit"]:
        atexit.register(_stop_worker_kernel)
        _WORKER["atexit"] = True
    return km


def execute_in_worker_kernel(name: str, values: dict[str, Any], out_path: Path,
                             kernel_name: str) -> None:
    """:func:`lainbench.runner.execute` in this worker's reused kernel (see above); a failed run
    stops the kernel so the next run starts a fresh one."""
    from lainbench import runner

    engine = _register_reuse_engine()
    km = _worker_kernel(kernel_name)
    _WORKER["runs"] += 1
    try:
        runner.execute(name, values, out_path, kernel_name=kernel_name, engine_name=engine, km=km)
    except BaseException:
        _stop_worker_kernel()
        raise


def execute_run(task: dict[str, Any]) -> dict[str, Any]:
    """Execute one run into its staging folder, export its report, then move it into place.

    Returns the run's manifest record. Never raises for a notebook failure: the record says
    ``failed`` with the error, and the executed copy (with the error) goes to ``failed/``.
    """
    from lainbench import runner

    started = runner.timestamp()
    t0 = time.perf_counter()
    name = task["notebook"]
    staging = Path(task["staging"])
    final = Path(task["final"])
    failed_dir = Path(task["failed"])
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    values = dict(task["values"], output_dir=str(staging))
    status, error = "ok", None
    try:
        nb = staging / f"{name}.ipynb"
        if task.get("reuse_kernel"):
            execute_in_worker_kernel(name, values, nb, task["kernel_name"])
        else:
            runner.execute(name, values, nb, kernel_name=task.get("kernel_name"))
        runner.html_report(nb, staging / f"{name}.html")
    except Exception as exc:  # noqa: BLE001 - any failure is recorded, the pack goes on
        status = "failed"
        error = f"{type(exc).__name__}: {exc}".replace(str(staging), str(failed_dir))
    record = {k: task[k] for k in ("run_id", "notebook", "scope", "member", "parameters",
                                   "input_hashes", "key")}
    record.update(started=started, ended=runner.timestamp(),
                  seconds=round(time.perf_counter() - t0, 2), status=status, error=error,
                  worker_pid=os.getpid())
    if status == "ok":
        record["outputs"] = _files(staging)
        _swap_in(staging, final)
    else:
        record["outputs"] = []
        shutil.rmtree(final, ignore_errors=True)  # an older success is stale now
        _swap_in(staging, failed_dir)
    return record


# ---------------------------------------------------------------------------------------------
# Building the pack


@dataclass
class PackResult:
    """What a pack build did."""

    out: Path
    manifest: dict[str, Any]
    ran: list[str]
    reused: list[str]
    failed: list[str]
    seconds: float

    @property
    def ok(self) -> bool:
        """True when every run succeeded."""
        return not self.failed


def _read_manifest(out: Path) -> dict[str, Any] | None:
    p = out / MANIFEST
    if not p.is_file():
        return None
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, OSError):
        return None


def _write_json(path: Path, obj: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(obj, indent=1, default=str, sort_keys=False), encoding="utf-8")
    tmp.replace(path)


def _input_hashes(values: dict[str, Any], cache: dict[str, str]) -> dict[str, str]:
    out = {}
    for k, v in sorted(values.items()):
        if k == "output_dir" or not isinstance(v, str) or not v or v == "demo":
            continue
        p = resolve(v)
        try:
            is_file, is_dir = p.is_file(), p.is_dir()
        except OSError:
            continue
        if not (is_file or is_dir):
            continue
        if str(p) not in cache:
            cache[str(p)] = sha256_file(p) if is_file else sha256_dir(p)
        out[str(p)] = cache[str(p)]
    return out


def _shared_stage(p: Plan, resume: bool, code: str, log: Callable[[str], None]
                  ) -> dict[str, Any]:
    """Compute the shared tables once (or reuse them on resume when nothing they use changed)."""
    from lainbench import scorecard

    spec = p.spec
    shared = p.out / "shared"
    inputs = {}
    for k in PATH_SOURCES:
        path = resolve(getattr(spec.sources, k))
        inputs[str(path)] = sha256_file(path)
    for v in (spec.targets_file, spec.disclosure_file):
        inputs[str(resolve(v))] = sha256_file(resolve(v))
    ins = spec.sources.insurance_requirements_path
    if ins not in (None, "demo"):
        inputs[str(resolve(ins))] = sha256_file(resolve(ins))
    settings = {"members": spec.members, "periods": spec.periods, "period": spec.period,
                "rules": p.rules.model_dump(), "insurance": ins,
                "cashflow_paths": spec.cashflow_paths, "seed": spec.seed}
    key = _json_hash({"inputs": inputs, "settings": settings, "code": code})
    stamp = shared / ".stage.json"
    if resume and stamp.is_file():
        old = json.loads(stamp.read_text(encoding="utf-8"))
        if old.get("key") == key and all(
                (shared / f).is_file() and sha256_file(shared / f) == h
                for f, h in old.get("files", {}).items()):
            log("shared tables: unchanged, reused")
            return dict(old, reused=True)
    started = _now()
    t0 = time.perf_counter()
    tables = scorecard.build_shared(
        resolve(spec.sources.invoices_path), resolve(spec.sources.members_path),
        resolve(spec.sources.periods_path), resolve(spec.targets_file),
        members=spec.members, periods=spec.periods, period=spec.period, rules=p.rules,
        insurance_path=None if ins is None else (ins if ins == "demo" else str(resolve(ins))),
        cashflow_paths=spec.cashflow_paths, seed=spec.seed)
    tmp = p.out / ".shared.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tables.write(tmp)
    files = {f["path"]: f["sha256"] for f in _files(tmp)}
    record = {"key": key, "inputs": inputs, "settings": settings, "period": tables.period,
              "started": started, "ended": _now(),
              "seconds": round(time.perf_counter() - t0, 2), "files": files,
              "notes": tables.notes,
              "suppressions": tables.suppressions.to_dicts()}
    _write_json(tmp / ".stage.json", record)
    _swap_in(tmp, shared)
    log(f"shared tables: computed in {record['seconds']:.1f} s "
        f"({len(tables.suppressions)} figure(s) suppressed)")
    return dict(record, reused=False)


def _now() -> str:
    from lainbench.runner import timestamp

    return timestamp()


def _fresh(rec: dict[str, Any] | None, run: Run) -> bool:
    """True when a previous run record is complete, current and its files are intact."""
    if not rec or rec.get("status") != "ok" or rec.get("key") != run.key:
        return False
    for f in rec.get("outputs", []):
        path = run.out_dir / f["path"]
        if not path.is_file() or sha256_file(path) != f["sha256"]:
            return False
    return True


def _jobs(requested: int | None) -> int:
    if requested:
        return requested
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def build(spec_path: str | Path, out: str | Path = "reports/pack", *, jobs: int | None = None,
          resume: bool = False, progress: bool = True, log: Callable[[str], None] | None = None
          ) -> PackResult:
    """Validate, compute the shared tables, run every notebook in parallel and assemble the pack.

    ``jobs`` defaults to the pack file's ``jobs``, else every core. With ``resume``, runs whose
    record in the existing manifest is complete, current (same key) and intact are kept.
    """
    from tqdm import tqdm

    t_start = time.perf_counter()
    say = log or (lambda msg: tqdm.write(msg, file=sys.stderr))
    p = plan(spec_path, out)
    lock = _claim(p.out)
    try:
        return _build(p, resume, jobs, progress, say, t_start)
    finally:
        lock.close()


def _claim(out: Path) -> Any:
    """Make ``out`` this build's: refuse a folder that is not a pack, or one being built."""
    import fcntl

    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).exists():
        raise PackError(f"{out}: folder is not empty and holds no {MANIFEST}, so it is not a pack "
                        "folder; choose an empty or new folder (or a previous pack's) for --out")
    out.mkdir(parents=True, exist_ok=True)
    lock = open(out / LOCK, "w")  # noqa: SIM115 - held for the whole build
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        raise PackError(f"{out}: another `lainbench pack` is writing this folder; wait for it to "
                        "finish or choose another --out") from None
    if not (out / MANIFEST).exists():
        _write_json(out / MANIFEST, {"manifest_version": MANIFEST_VERSION, "status": "starting",
                                     "runs": []})
    return lock


def _build(p: Plan, resume: bool, jobs: int | None, progress: bool,
           say: Callable[[str], None], t_start: float) -> PackResult:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from multiprocessing import get_context

    from tqdm import tqdm

    from lainbench import runner
    from lainbench.config import NOTEBOOKS_DIR
    from lainbench.registry import NOTEBOOKS

    previous = _read_manifest(p.out) if resume else None
    prev_runs = {r["run_id"]: r for r in (previous or {}).get("runs", [])}
    code = code_hash()
    started = _now()
    versions = package_versions()
    stage = _shared_stage(p, resume, code, say)

    cache: dict[str, str] = {}
    nb_hashes = {r.notebook: sha256_file(NOTEBOOKS_DIR / NOTEBOOKS[r.notebook].filename)
                 for r in p.runs}
    for r in p.runs:
        r.inputs = _input_hashes(r.values, cache)
        r.key = _json_hash({"notebook": r.notebook, "notebook_sha256": nb_hashes[r.notebook],
                            "values": r.values, "inputs": r.inputs, "code": code})

    records: dict[str, dict[str, Any]] = {}
    todo: list[Run] = []
    for r in p.runs:
        if resume and _fresh(prev_runs.get(r.run_id), r):
            records[r.run_id] = dict(prev_runs[r.run_id], reused=True)
        else:
            todo.append(r)
    _tidy(p, keep={r.run_id for r in p.runs})

    n_jobs = max(1, min(_jobs(jobs or p.spec.jobs), len(todo) or 1))
    kernel = runner.ensure_kernel() if todo else None
    staging_root = p.out / ".staging"
    shutil.rmtree(staging_root, ignore_errors=True)

    def manifest(status: str) -> dict[str, Any]:
        return _manifest(p, stage, records, versions, code, started, status)

    _write_json(p.out / MANIFEST, manifest("running"))
    say(f"pack {p.spec.title!r}: {len(p.runs)} run(s), {len(records)} reused, "
        f"{len(todo)} to run on {n_jobs} process(es)")
    # a live bar on a terminal; in logs (cron, CI) one line per finished run carries the counts
    live = progress and sys.stderr.isatty()
    bar = tqdm(total=len(p.runs), initial=len(records), unit="run", desc="pack",
               disable=not live, file=sys.stderr, dynamic_ncols=True, mininterval=0.5)
    counts = {"ok": sum(1 for r in records.values() if r["status"] == "ok"), "failed": 0,
              "running": 0}

    def status_text() -> str:
        return f"done {counts['ok']}, running {counts['running']}, failed {counts['failed']}"

    def postfix(running: int) -> None:
        if running != counts["running"] or not getattr(bar, "postfix", None):
            counts["running"] = running
            bar.set_postfix_str(status_text())

    tasks = []
    for r in todo:
        safe = r.run_id.replace("/", "__")
        tasks.append({
            "run_id": r.run_id, "notebook": r.notebook, "scope": r.scope, "member": r.member,
            "parameters": r.values, "values": r.values, "input_hashes": r.inputs, "key": r.key,
            "staging": str(staging_root / safe), "final": str(r.out_dir),
            "failed": str(p.out / "failed" / r.run_id.removeprefix("runs/")),
            "kernel_name": kernel, "packages": versions,
            "reuse_kernel": not p.spec.fresh_kernels,
        })
    pool = (ProcessPoolExecutor(max_workers=n_jobs, mp_context=get_context("spawn"))
            if tasks else None)
    try:
        pending = {pool.submit(execute_run, t): t for t in tasks} if pool else {}
        postfix(0)
        while pending:
            done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in done:
                task = pending.pop(fut)
                try:
                    rec = fut.result()
                except Exception as exc:  # noqa: BLE001 - a crashed worker
                    rec = {k: task[k] for k in ("run_id", "notebook", "scope", "member",
                                                "parameters", "input_hashes", "key")}
                    rec.update(status="failed", error=f"{type(exc).__name__}: {exc}",
                               started=None, ended=_now(), outputs=[])
                rec["packages"] = versions
                records[rec["run_id"]] = rec
                counts["ok" if rec["status"] == "ok" else "failed"] += 1
                bar.update(1)
                word = "ok    " if rec["status"] == "ok" else "FAILED"
                counts["running"] = min(n_jobs, len(pending))
                say(f"  {word} [{len(records)}/{len(p.runs)}] {rec['run_id']} "
                    f"({rec.get('seconds', 0):.1f} s; {status_text()})"
                    + (f": {rec['error']}" if rec.get("error") else ""))
                _write_json(p.out / MANIFEST, manifest("running"))
            postfix(min(sum(1 for f in pending if f.running()), n_jobs))
    except BaseException:
        # interrupted (Ctrl-C reaches the workers and kernels too): stop queued runs, record
        # what finished; --resume picks up from here
        if pool:
            pool.shutdown(wait=False, cancel_futures=True)
        bar.close()
        _write_json(p.out / MANIFEST, manifest("interrupted"))
        raise
    if pool:
        pool.shutdown(wait=True)
    bar.close()
    shutil.rmtree(staging_root, ignore_errors=True)

    _assemble(p, stage, records)
    final = manifest("complete" if counts["failed"] == 0 else "failed")
    _write_json(p.out / MANIFEST, final)
    ran = [t["run_id"] for t in tasks]
    failed = sorted(k for k, v in records.items() if v["status"] != "ok")
    reused = sorted(k for k, v in records.items() if v.get("reused"))
    return PackResult(p.out, final, ran, reused, failed, time.perf_counter() - t_start)


def _tidy(p: Plan, keep: set[str]) -> None:
    """Remove run folders of runs no longer in the pack, and leftovers of killed builds."""
    runs_root = p.out / "runs"
    if runs_root.is_dir():
        for nb_dir in list(runs_root.glob("network/*")) + list(runs_root.glob("members/*/*")):
            rel = nb_dir.relative_to(p.out).as_posix()
            if nb_dir.is_dir() and (rel not in keep or nb_dir.name.startswith(".")):
                shutil.rmtree(nb_dir, ignore_errors=True)
        for d in runs_root.glob("members/*"):
            if d.is_dir() and not any(d.iterdir()):
                d.rmdir()
    failed_root = p.out / "failed"
    if failed_root.is_dir():
        shutil.rmtree(failed_root, ignore_errors=True)
    for leftover in (p.out / ".shared.tmp", p.out / ".charts.tmp"):
        shutil.rmtree(leftover, ignore_errors=True)


def _manifest(p: Plan, stage: dict[str, Any], records: dict[str, dict[str, Any]],
              versions: dict[str, str], code: str, started: str, status: str) -> dict[str, Any]:
    from lainbench import __version__

    order = [r.run_id for r in p.runs]
    runs = [records[i] for i in order if i in records]
    files = []
    for name in ("index.html", WORKBOOK):
        path = p.out / name
        if path.is_file() and status in ("complete", "failed"):
            files.append({"path": name, "sha256": sha256_file(path), "bytes": path.stat().st_size})
    for sub in ("shared", "charts"):
        d = p.out / sub
        if d.is_dir() and status in ("complete", "failed"):
            files += [dict(f, path=f"{sub}/{f['path']}") for f in _files(d)
                      if not Path(f["path"]).name.startswith(".")]
    return {
        "manifest_version": MANIFEST_VERSION,
        "status": status,
        "project": {"name": "lainbench", "version": __version__, "git_commit": _git_commit(),
                    "code_sha256": code},
        "pack": {"file": str(p.spec_path), "sha256": sha256_file(p.spec_path),
                 "parameters": p.spec.model_dump(mode="json"), "out": str(p.out),
                 "headline_period": stage.get("period"),
                 "disclosure_rules": p.rules.model_dump(), "disclosure": p.rules.describe()},
        "started": started,
        "ended": _now() if status != "running" else None,
        "packages": versions,
        "shared": {k: stage.get(k) for k in ("key", "inputs", "settings", "started", "ended",
                                             "seconds", "files", "notes", "reused")},
        "suppressions": stage.get("suppressions", []),
        "runs": runs,
        "failed_runs": [r["run_id"] for r in runs if r["status"] != "ok"],
        "files": files,
    }


# ---------------------------------------------------------------------------------------------
# Pack-level outputs: charts, workbook, index


def gather_charts(out: Path, records: dict[str, dict[str, Any]]) -> Path:
    """Collect every successful run's PNG and SVG charts under ``out/charts/<run>/``."""
    tmp = out / ".charts.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for run_id, rec in sorted(records.items()):
        if rec["status"] != "ok":
            continue
        src = out / run_id / "charts"
        if not src.is_dir():
            continue
        dest = tmp / run_id.removeprefix("runs/")
        dest.mkdir(parents=True, exist_ok=True)
        for f in sorted(src.iterdir()):
            if f.suffix in (".png", ".svg"):
                try:
                    os.link(f, dest / f.name)
                except OSError:
                    shutil.copy2(f, dest / f.name)
    _swap_in(tmp, out / "charts")
    return out / "charts"


UNIT_WORDS = {"%": "%", "£": "£", "days": "days", "count": "count"}


def unit_of(column: str) -> str:
    """The unit shown after a column name in the workbook header.

    >>> [unit_of(c) for c in ("paid_within_30_days_pct", "interest_owed_gbp",
    ...     "mean_days_to_pay", "invoice_count", "member")]
    ['%', '£', 'days', 'count', '']
    """
    if column.endswith("_pct"):
        return "%"
    if column.endswith("_gbp") or "_gbp_" in column:
        return "£"
    if column.endswith(("_days", "days_to_pay")) or column in ("days", "overdraft_days_mean"):
        return "days"
    if column.endswith(("_count", "_counted", "_total", "_late", "_breaches", "_ranked")) or \
            column in ("rank", "paid_invoices", "micro", "small", "medium", "large") or \
            column in ("required_at_bid", "no_self_certification", "el_for_sole_traders",
                       "below_statutory_minimum", "disproportionate"):
        return "count"
    return ""


def write_workbook(tables: dict[str, Any], path: Path, title: str, notes: list[str]) -> Path:
    """Write the tables to an Excel workbook: a README sheet, then one sheet per table.

    Headers carry units (``paid_within_30_days_pct (%)``), the header row is frozen, and figures
    of suppressed rows are written as ``[c]``.
    """
    import datetime as dt

    import xlsxwriter

    from lainbench.disclosure import MARK
    from lainbench.scorecard import SHARED_TABLES

    tmp = path.with_name(f".{path.name}.tmp")
    wb = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True})
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EEEEEE",
                          "bottom": 1})
    num1 = wb.add_format({"num_format": "#,##0.0"})
    num0 = wb.add_format({"num_format": "#,##0"})
    money = wb.add_format({"num_format": "£#,##0"})
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    cfmt = wb.add_format({"font_color": "#8A5A00", "align": "right"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    readme = wb.add_worksheet("README")
    readme.set_column(0, 0, 28)
    readme.set_column(1, 1, 110)
    readme.write(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    row = 2
    for note in notes:
        readme.write(row, 0, "", wrap)
        readme.write(row, 1, note, wrap)
        row += 1
    row += 1
    readme.write(row, 0, "Sheet", bold)
    readme.write(row, 1, "One row is", bold)
    readme.freeze_panes(row + 1, 0)
    for name, df in tables.items():
        row += 1
        readme.write(row, 0, name[:31])
        readme.write(row, 1, SHARED_TABLES.get(name, ""))
    for name, df in tables.items():
        ws = wb.add_worksheet(name[:31])
        cols = list(df.columns)
        hidden = df["suppressed"].fill_null(False).to_list() if "suppressed" in cols else None
        for j, col in enumerate(cols):
            unit = unit_of(col)
            ws.write(0, j, f"{col} ({unit})" if unit else col, bold)
            ws.set_column(j, j, max(12, min(40, len(col) + 6)))
        ws.freeze_panes(1, 0)
        ws.set_row(0, 32)
        schema = df.schema
        for j, col in enumerate(cols):
            dtype = schema[col]
            is_figure = (dtype.is_numeric() or dtype.to_python() is bool
                         or col == "fair_payment_code_tier") and col != "suppressed"
            unit = unit_of(col)
            fmt = money if unit == "£" else num0 if (dtype.is_integer() or unit == "count") else \
                num1 if dtype.is_float() else None
            for i, v in enumerate(df[col].to_list(), start=1):
                if hidden is not None and hidden[i - 1] and is_figure:
                    ws.write_string(i, j, MARK, cfmt)
                elif v is None:
                    continue
                elif isinstance(v, bool):
                    ws.write_boolean(i, j, v)
                elif isinstance(v, int | float):
                    ws.write_number(i, j, v, fmt) if fmt else ws.write_number(i, j, v)
                elif isinstance(v, dt.datetime):
                    ws.write_string(i, j, v.isoformat())
                elif isinstance(v, dt.date):
                    ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), datef)
                else:
                    ws.write_string(i, j, str(v))
        if len(df):
            ws.autofilter(0, 0, len(df), max(len(cols) - 1, 0))
    wb.close()
    tmp.replace(path)
    return path


def _assemble(p: Plan, stage: dict[str, Any], records: dict[str, dict[str, Any]]) -> None:
    from lainbench import __version__, index, scorecard

    shared = scorecard.read_shared(p.out / "shared")
    gather_charts(p.out, records)
    n_supp = len(stage.get("suppressions", []))
    notes = [
        f"Headline period: {stage.get('period')}. Built {_now()} by lainbench {__version__}.",
        (f"Disclosure control: {p.rules.describe()}. Suppressed figures are shown as [c] "
         f"({n_supp} in this pack; listed on the 'suppressions' sheet)."),
        "Units are in the column headers: % = per cent (0-100), £ = pounds, days, count.",
        "Network medians and ranges leave out suppressed figures.",
        ("What went in (input files with sha256 hashes, parameters, package versions) is in "
         "manifest.json beside this workbook."),
    ]
    if p.spec.excel:
        write_workbook(shared, p.out / WORKBOOK, p.spec.title, notes)
    elif (p.out / WORKBOOK).exists():
        (p.out / WORKBOOK).unlink()
    avail = shared["availability"]
    missing = {c: n for c, a, n in avail.iter_rows() if not a and c != "payments"}
    network_links = []
    member_links: dict[str, list[tuple[str, str, str]]] = {}
    for r in p.runs:
        rec = records.get(r.run_id, {"status": "missing"})
        status = "ok" if rec["status"] == "ok" else rec["status"]
        label = "Network overview" if r.notebook == "member_scorecard" else r.notebook.replace(
            "_", " ").capitalize()
        href = f"{r.run_id}/{r.notebook}.html"
        if r.scope == "network":
            network_links.append((label, href, status))
        else:
            lab = "Scorecard" if r.notebook == "member_scorecard" else label
            member_links.setdefault(r.member, []).append((lab, href, status))
    try:
        svg = index.headline_chart_svg(shared["headline"])
    except Exception:  # noqa: BLE001 - the page is still useful without its chart
        svg = None
    info = index.PageInfo(
        title=p.spec.title, period=str(stage.get("period")), description=p.spec.description,
        version=__version__, rules=p.rules.describe(),
        workbook=WORKBOOK if p.spec.excel else None, suppressed=n_supp,
        failed=sorted(k for k, v in records.items() if v["status"] != "ok"))
    page = index.render_index(info, shared["headline"], network_links, member_links, missing, svg)
    index.write_index(p.out / "index.html", page)


# ---------------------------------------------------------------------------------------------
# Checking a pack on disk


def check(out: str | Path) -> list[str]:
    """Compare the files in a pack folder with its manifest; returns the problems (empty: OK).

    Every output of every successful run and every pack-level file must exist with the sha256
    the manifest gives; files the manifest does not list are reported too.
    """
    root = Path(out).resolve()
    m = _read_manifest(root)
    if m is None:
        raise PackError(f"{root}: no readable {MANIFEST}; is this a pack folder? Build one with "
                        "`lainbench pack PACK.yaml --out DIR`")
    problems = []
    expected: set[str] = {MANIFEST}
    if m.get("status") != "complete":
        problems.append(f"pack status is {m.get('status')!r}, not 'complete'"
                        + (f" (failed runs: {', '.join(m.get('failed_runs', []))})"
                           if m.get("failed_runs") else ""))
    entries = [(f["path"], f) for f in m.get("files", [])]
    for rec in m.get("runs", []):
        for f in rec.get("outputs", []):
            entries.append((f"{rec['run_id']}/{f['path']}", f))
    for rel, f in entries:
        expected.add(rel)
        path = root / rel
        if not path.is_file():
            problems.append(f"missing: {rel}")
        elif sha256_file(path) != f["sha256"]:
            problems.append(f"changed: {rel} (sha256 differs from the manifest)")
    for path in sorted(q for q in root.rglob("*") if q.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel in expected or rel.startswith("failed/") or rel in ("shared/.stage.json", LOCK):
            continue
        problems.append(f"not in the manifest: {rel}")
    return problems


# ---------------------------------------------------------------------------------------------
# Command line


def _cmd_pack(args: Any) -> int:
    if args.check:
        problems = check(args.check)
        if problems:
            print(f"{args.check}: {len(problems)} problem(s):")
            for line in problems:
                print(f"  {line}")
            return 1
        m = _read_manifest(Path(args.check).resolve()) or {}
        n = len(m.get("files", [])) + sum(len(r.get("outputs", [])) for r in m.get("runs", []))
        print(f"{args.check}: OK, {n} file(s) match the manifest")
        return 0
    if not args.pack_file:
        raise PackError("give a pack file (e.g. `lainbench pack params/pack.yaml --out DIR`) "
                        "or --check DIR")
    result = build(args.pack_file, args.out or "reports/pack", jobs=args.jobs,
                   resume=args.resume)
    print(f"pack: {len(result.ran)} run(s) executed, {len(result.reused)} reused, "
          f"{len(result.failed)} failed, in {result.seconds:.1f} s")
    print(f"  landing page: {result.out / 'index.html'}")
    print(f"  manifest:     {result.out / MANIFEST}")
    if (result.out / WORKBOOK).exists():
        print(f"  workbook:     {result.out / WORKBOOK}")
    if result.failed:
        print(f"pack: {len(result.failed)} run(s) failed: {', '.join(result.failed)}; their "
              f"errors are in {result.out / MANIFEST} and executed copies in "
              f"{result.out / 'failed'}", file=sys.stderr)
        return 1
    return 0


def add_cli(subparsers: Any) -> None:
    """Add ``lainbench pack`` to the command line."""
    p = subparsers.add_parser(
        "pack", help="build the benchmark pack: network overview, every member's scorecard, "
                     "workbook, charts, index.html and manifest.json",
        description="Build a benchmark pack from PACK.yaml, or verify one with --check DIR.")
    p.add_argument("pack_file", nargs="?", help="pack file, e.g. params/pack.yaml")
    p.add_argument("--out", help="output folder (default: reports/pack)")
    p.add_argument("--jobs", type=int, help="parallel runs (default: all cores)")
    p.add_argument("--resume", action="store_true",
                   help="re-run only what is missing, failed or stale")
    p.add_argument("--check", metavar="DIR", help="verify DIR's files against its manifest")
    p.set_defaults(func=_cmd_pack)
