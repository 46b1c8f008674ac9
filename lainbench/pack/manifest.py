"""``manifest.json``: hashes of inputs and code, package versions, and the check of a built pack."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from lainbench.config import PACKAGE_DIR, PROJECT_ROOT, resolve
from lainbench.errors import PackError
from lainbench.pack.planner import Plan
from lainbench.pack.spec import LOCK, MANIFEST, MANIFEST_VERSION, PACKAGES, WORKBOOK


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


def _files(root: Path) -> list[dict[str, Any]]:
    out = []
    for p in sorted(q for q in root.rglob("*") if q.is_file()):
        out.append({"path": p.relative_to(root).as_posix(), "sha256": sha256_file(p),
                    "bytes": p.stat().st_size})
    return out


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


def _now() -> str:
    from lainbench.runner import timestamp

    return timestamp()


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
    for sub in ("shared", "charts", "docs"):
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
        if rel in expected or rel.startswith("failed/") or rel in ("shared/.stage.json", LOCK, ".lainbench-pack"):
            continue
        problems.append(f"not in the manifest: {rel}")
    return problems
