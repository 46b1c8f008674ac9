"""``lainbench pack``: the command line of the benchmark pack."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from lainbench.errors import PackError
from lainbench.pack.builder import build
from lainbench.pack.manifest import _read_manifest, check
from lainbench.pack.spec import MANIFEST, WORKBOOK


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
