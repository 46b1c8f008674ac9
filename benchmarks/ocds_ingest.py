"""Benchmark: `lainbench ingest ocds` on a ~1 GB OCDS JSON Lines bulk file.

The file is generated into /tmp by repeating the real FTS and Contracts Finder sample releases
(``../shared/real-data/procurement-samples``; the fictional ``data/examples/ocds`` when absent), one
compact release a line, each copy with its own ocid and release id so none is skipped as a
duplicate. The ingest then runs in a child process so its peak RSS is its own.

    .venv/bin/python benchmarks/ocds_ingest.py               # 1 GB (about 10 minutes of CPU)
    .venv/bin/python benchmarks/ocds_ingest.py --size-mb 50  # quick check

CPU-heavy: run it once, not in CI.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from lainbench.config import SHARED_REAL_DATA, resolve


def _sample_releases() -> list[dict]:
    from collections import Counter

    from lainbench.ingest.ocds import iter_releases, ocds_files

    root = SHARED_REAL_DATA / "procurement-samples"
    folders = [root / "fts", root / "contracts_finder"] if root.exists() else [resolve("data/examples/ocds")]
    out = []
    for folder in folders:
        for f in ocds_files(folder):
            out += [r for r in iter_releases(f, Counter()) if isinstance(r, dict)]
    return out


def _default(o):  # ijson gives Decimal for non-integers
    return float(o)


def generate(path: Path, size_mb: float) -> tuple[int, int]:
    """Write the JSONL file; returns (releases, bytes)."""
    releases = [json.dumps(r, default=_default, ensure_ascii=False) for r in _sample_releases()]
    target = int(size_mb * 2**20)
    n = written = 0
    with path.open("w", encoding="utf-8") as fh:
        copy = 0
        while written < target:
            copy += 1
            for i, text in enumerate(releases):
                rel = json.loads(text)
                rel["ocid"] = f"{rel['ocid']}-c{copy}"
                rel["id"] = f"{rel['id']}-c{copy}"
                line = json.dumps(rel, ensure_ascii=False) + "\n"
                fh.write(line)
                written += len(line.encode("utf-8"))
                n += 1
                if written >= target:
                    break
    return n, written


CHILD = """
import resource, sys, time
from lainbench.ingest.ocds import ingest_ocds
t = time.perf_counter()
res = ingest_ocds(sys.argv[1])
res.write(sys.argv[2])
dt = time.perf_counter() - t
print(res.summary())
print(f"SECONDS {dt:.1f}")
print(f"PEAK_RSS_MB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size-mb", type=float, default=1024.0)
    ap.add_argument("--file", default="/tmp/lainbench_ocds_bench.jsonl")
    ap.add_argument("--out", default="/tmp/lainbench_ocds_bench_out")
    ap.add_argument("--keep", action="store_true", help="keep the generated file")
    args = ap.parse_args()
    path = Path(args.file)
    t = time.perf_counter()
    n, size = generate(path, args.size_mb)
    print(f"generated {path}: {n:,} releases, {size / 2**20:,.0f} MiB in {time.perf_counter() - t:.0f} s")
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), args.out], capture_output=True, text=True, check=False)
    print(proc.stdout.strip())
    if proc.returncode:
        print(proc.stderr[-3000:], file=sys.stderr)
    if not args.keep:
        path.unlink(missing_ok=True)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
