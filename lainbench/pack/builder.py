"""Build the pack: the shared stage once, then the notebook runs in parallel, then the index,
workbook and manifest.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lainbench.config import resolve
from lainbench.errors import PackError
from lainbench.pack.manifest import (
    _files,
    _input_hashes,
    _json_hash,
    _manifest,
    _now,
    _read_manifest,
    _write_json,
    code_hash,
    package_versions,
    sha256_file,
)
from lainbench.pack.planner import Plan, Run, plan
from lainbench.pack.spec import LOCK, MANIFEST, MANIFEST_VERSION, WORKBOOK
from lainbench.pack.workbook import write_workbook
from lainbench.runner import execute_in_worker_kernel


def _swap_in(staging: Path, final: Path) -> None:
    """Move a complete staging folder to ``final``, replacing what was there."""
    final.parent.mkdir(parents=True, exist_ok=True)
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        final.rename(old)
    staging.rename(final)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


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
    kill = os.environ.get("LAINBENCH_TEST_KILL_WORKER")  # tests: a worker dying mid-run
    if kill and kill in json.dumps(values):
        os.kill(os.getpid(), 9)
    status, error = "ok", None
    try:
        nb = staging / f"{name}.ipynb"
        if task.get("reuse_kernel"):
            execute_in_worker_kernel(name, values, nb, task["kernel_name"])
        else:
            runner.execute(name, values, nb, kernel_name=task.get("kernel_name"))
        up = "../" * len(Path(task["run_id"]).parts)  # from the run's folder to the pack's root
        runner.html_report(nb, staging / f"{name}.html", docs_href=f"{up}docs/", nav=[
            ("Pack index", f"{up}index.html"), ("Assumptions", f"{up}docs/assumptions.html")])
        if task.get("pdf"):
            runner.pdf_report(nb, staging / f"{name}.pdf")
    except Exception as exc:  # noqa: BLE001 - any failure is recorded, the pack goes on
        status = "failed"
        error = f"{type(exc).__name__}: {exc}".replace(str(staging), str(failed_dir))
    record = {k: task[k] for k in ("run_id", "notebook", "scope", "member", "parameters",
                                   "input_hashes", "key")}
    record.update(started=started, ended=runner.timestamp(),
                  seconds=round(time.perf_counter() - t0, 2), status=status, error=error,
                  worker_pid=os.getpid(), internal=task["run_id"].startswith("internal/"))
    if status == "ok":
        record["outputs"] = _files(staging)
        _swap_in(staging, final)
    else:
        record["outputs"] = []
        shutil.rmtree(final, ignore_errors=True)  # an older success is stale now
        _swap_in(staging, failed_dir)
    return record


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


def _shared_stage(p: Plan, resume: bool, code: str, log: Callable[[str], None]
                  ) -> dict[str, Any]:
    """Compute the shared tables once (or reuse them on resume when nothing they use changed)."""
    from lainbench.pack import shared as shared_stage

    spec = p.spec
    shared = p.out / "shared"
    inputs = {}
    for k in spec.sources.path_sources():
        path = resolve(getattr(spec.sources, k))
        inputs[str(path)] = sha256_file(path)
    returns: list[Path] = []
    if spec.sources.mode == "returns":
        from lainbench.pack.from_returns import return_files

        returns = return_files(spec.sources.returns)
        for f in returns:
            inputs[str(f)] = sha256_file(f)
    for v in (spec.targets_file, spec.disclosure_file):
        inputs[str(resolve(v))] = sha256_file(resolve(v))
    if spec.network_sources is not None:
        for v in spec.network_sources.model_dump().values():
            inputs[str(resolve(v))] = sha256_file(resolve(v))
    published_paths = [str(resolve(v)) for v in spec.published_notices]
    for v in published_paths:
        inputs[v] = sha256_file(Path(v))
    ins = spec.sources.insurance_requirements_path
    if ins not in (None, "demo", "returns"):
        inputs[str(resolve(ins))] = sha256_file(resolve(ins))
    settings = {"members": spec.members, "periods": spec.periods, "period": spec.period,
                "rules": p.rules.model_dump(), "insurance": ins,
                "cashflow_paths": spec.cashflow_paths, "seed": spec.seed,
                "mode": spec.sources.mode,
                "returns_due": str(spec.sources.returns_due or "")}
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
    network_paths = None if spec.network_sources is None else {
        k: str(resolve(v)) for k, v in spec.network_sources.model_dump().items()}
    ins_arg = None if ins is None else (ins if ins in ("demo", "returns") else str(resolve(ins)))
    if spec.sources.mode == "returns":
        from lainbench.pack.from_returns import build_shared_from_returns

        tables = build_shared_from_returns(
            returns, resolve(spec.sources.members_path), resolve(spec.sources.periods_path),
            resolve(spec.targets_file), members=spec.members, periods=spec.periods,
            period=spec.period, rules=p.rules, insurance_path=ins_arg,
            cashflow_paths=spec.cashflow_paths, seed=spec.seed, due=spec.sources.returns_due,
            network_paths=network_paths, published_paths=published_paths)
    else:
        tables = shared_stage.build_shared(
            resolve(spec.sources.invoices_path), resolve(spec.sources.members_path),
            resolve(spec.sources.periods_path), resolve(spec.targets_file),
            members=spec.members, periods=spec.periods, period=spec.period, rules=p.rules,
            insurance_path=ins_arg, cashflow_paths=spec.cashflow_paths, seed=spec.seed,
            network_paths=network_paths, published_paths=published_paths)
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


def _failed_record(task: dict[str, Any], error: str) -> dict[str, Any]:
    rec = {k: task[k] for k in ("run_id", "notebook", "scope", "member", "parameters",
                                "input_hashes", "key")}
    rec.update(status="failed", error=error, started=None, ended=_now(), outputs=[])
    return rec


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
          resume: bool = False, progress: bool = True, log: Callable[[str], None] | None = None,
          pdf: bool = False
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
        return _build(p, resume, jobs, progress, say, t_start, pdf)
    finally:
        (p.out / LOCK).unlink(missing_ok=True)  # still held: no other build can have claimed it
        lock.close()


MARKER = ".lainbench-pack"  # written by the pack into every folder it creates


def _claim(out: Path) -> Any:
    """Make ``out`` this build's: refuse a folder this tool did not create, or one being built.

    A pack folder carries a marker file, ``.lainbench-pack``, that only ``lainbench pack``
    writes (with the pack's id): a folder that is not empty and has no marker is somebody
    else's, so it is refused and nothing in it is touched, whatever files it holds (a stray
    ``manifest.json`` included).
    """
    import fcntl
    import uuid

    if out.exists() and not out.is_dir():
        raise PackError(f"--out {out}: is a file, not a folder; choose a new folder for the pack")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise PackError(f"{out}: folder is not empty and was not created by `lainbench pack` (no "
                        f"{MARKER} marker), so nothing in it is touched; choose an empty or new "
                        "folder for --out, or a previous pack's")
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not (out / MARKER).is_file():
            _write_json(out / MARKER, {"pack_id": uuid.uuid4().hex, "created": _now(),
                                       "note": "written by lainbench pack; do not remove"})
        lock = open(out / LOCK, "w")  # noqa: SIM115 - held for the whole build
    except OSError as exc:
        raise PackError(f"--out {out}: cannot be written ({exc.strerror or exc}); choose a "
                        "folder you can write to") from None
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


STALE_CLASS = "lainbench-stale"
STALE_BANNER = (f'<div class="{STALE_CLASS}" role="alert" style="background:#fff3cd;'
                'border:2px solid #b8860b;padding:.6em 1em;margin:0 0 1em;font-weight:bold">'
                "This pack is being rebuilt (started {started}); the figures on this page may "
                "be out of date until the build completes.</div>")


def _mark_stale(out: Path, started: str) -> int:
    """Put an out-of-date banner on every page of an existing pack (index and reports), so an
    interrupted rebuild never leaves old pages looking current beside new shared tables.
    """
    import html

    n = 0
    banner = STALE_BANNER.format(started=html.escape(started))
    for page in [out / "index.html", *out.glob("runs/**/*.html")]:
        if not page.is_file():
            continue
        text = page.read_text(encoding="utf-8")
        if STALE_CLASS in text:
            continue
        i = text.find("<body")
        j = text.find(">", i) + 1 if i >= 0 else 0
        page.write_text(text[:j] + banner + text[j:], encoding="utf-8")
        n += 1
    return n


def _clear_stale(out: Path) -> None:
    """Remove the rebuild banner from pages that are current again (reused runs)."""
    import re

    pat = re.compile(rf'<div class="{STALE_CLASS}".*?</div>', re.DOTALL)
    for page in out.glob("runs/**/*.html"):
        text = page.read_text(encoding="utf-8")
        if STALE_CLASS in text:
            page.write_text(pat.sub("", text, count=1), encoding="utf-8")


def _worker_init() -> None:
    """In each pool worker: die with the parent (Linux: PR_SET_PDEATHSIG), and on SIGTERM stop
    this worker's kernel first, so a killed ``lainbench pack`` leaves no worker or kernel behind
    to move a finished run into place without a manifest record.
    """
    import signal

    def stop(signum, frame):
        from lainbench import runner

        runner._stop_worker_kernel()
        os._exit(143)

    signal.signal(signal.SIGTERM, stop)
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the call
            stop(signal.SIGTERM, None)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def _build(p: Plan, resume: bool, jobs: int | None, progress: bool,
           say: Callable[[str], None], t_start: float, pdf: bool = False) -> PackResult:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool
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
    _mark_stale(p.out, started)
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

    shown = {"text": None}

    def postfix(running: int) -> None:
        counts["running"] = running
        if status_text() != shown["text"]:  # the bar says what the log lines say
            shown["text"] = status_text()
            bar.set_postfix_str(shown["text"])

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
            "pdf": pdf and r.notebook == "member_scorecard",
        })
    def finish(rec: dict[str, Any]) -> None:
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

    pending: dict[Any, dict[str, Any]] = {}

    def new_pool(workers: int = n_jobs) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                   initializer=_worker_init)

    # Runs start in one shared pool. When a worker dies, the pool breaks and every run in it is
    # lost, so each lost run is retried alone, in a pool of its own (at most n_jobs at a time):
    # a run that kills its worker again is then known to be the one, and is recorded failed;
    # the runs beside it complete.
    pool = new_pool() if tasks else None
    pools: dict[Any, ProcessPoolExecutor] = {}
    isolated: list[dict[str, Any]] = []  # lost runs waiting for a pool of their own
    attempts: dict[str, int] = {t["run_id"]: 1 for t in tasks}
    try:
        pending = {pool.submit(execute_run, t): t for t in tasks} if pool else {}
        for fut in pending:
            pools[fut] = pool
        postfix(0)
        while pending or isolated:
            while isolated and sum(1 for f in pending if pools[f] is not pool) < n_jobs:
                task = isolated.pop(0)
                own = new_pool(1)
                fut = own.submit(execute_run, task)
                pending[fut], pools[fut] = task, own
            done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in done:
                if fut not in pending:  # already taken as lost with its broken pool
                    continue
                task = pending.pop(fut)
                its_pool = pools.pop(fut)
                try:
                    rec = fut.result()
                except BrokenProcessPool:
                    if its_pool is pool:  # the shared pool broke: everything in it is lost
                        lost = [task] + [pending.pop(f) for f in list(pending)
                                         if pools.get(f) is pool]
                        for f in [f for f, q in pools.items() if q is pool]:
                            pools.pop(f)
                        for t in lost:
                            say(f"  retry  {t['run_id']}: a worker process died beside it")
                        isolated.extend(lost)
                        pool.shutdown(wait=False, cancel_futures=True)
                        pool = None
                        continue
                    its_pool.shutdown(wait=False, cancel_futures=True)
                    if attempts[task["run_id"]] >= 2:
                        finish(_failed_record(task, "worker process died twice running it "
                                              "(killed, or out of memory)"))
                        continue
                    attempts[task["run_id"]] += 1
                    say(f"  retry  {task['run_id']}: its worker process died")
                    isolated.append(task)
                    continue
                except Exception as exc:  # noqa: BLE001 - a crashed worker
                    rec = _failed_record(task, f"{type(exc).__name__}: {exc}")
                if its_pool is not pool:
                    its_pool.shutdown(wait=False)
                finish(rec)
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

    _clear_stale(p.out)
    _assemble(p, stage, records)
    final = manifest("complete" if counts["failed"] == 0 else "failed")
    _write_json(p.out / MANIFEST, final)
    ran = [t["run_id"] for t in tasks]
    failed = sorted(k for k, v in records.items() if v["status"] != "ok")
    reused = sorted(k for k, v in records.items() if v.get("reused"))
    return PackResult(p.out, final, ran, reused, failed, time.perf_counter() - t_start)


def _tidy(p: Plan, keep: set[str]) -> None:
    """Remove run folders of runs no longer in the pack, and leftovers of killed builds."""
    for runs_root in (p.out / "runs", p.out / "internal"):
        if not runs_root.is_dir():
            continue
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


def gather_charts(out: Path, records: dict[str, dict[str, Any]]) -> Path:
    """Collect every successful run's PNG and SVG charts under ``out/charts/<run>/``."""
    tmp = out / ".charts.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for run_id, rec in sorted(records.items()):
        if rec["status"] != "ok" or not run_id.startswith("runs/"):  # internal runs stay out
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


def _assemble(p: Plan, stage: dict[str, Any], records: dict[str, dict[str, Any]]) -> None:
    from lainbench import __version__
    from lainbench.pack import index, scorecard

    shared = scorecard.read_shared(p.out / "shared")
    returns = None
    if (p.out / "shared" / "returns.parquet").is_file() and p.spec.sources.mode == "returns":
        import polars as pl

        returns = pl.read_parquet(p.out / "shared" / "returns.parquet")
        shared["returns"] = returns
    gather_charts(p.out, records)
    from lainbench.runner import render_docs

    render_docs(p.out / "docs")  # the assumptions every report links to, shipped in the pack
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
        if r.run_id.startswith("internal/"):
            continue  # not for sharing: listed in manifest.json, never linked from the index
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
    page = index.render_index(info, shared["headline"], network_links, member_links, missing, svg,
                              returns=returns)
    index.write_index(p.out / "index.html", page)
