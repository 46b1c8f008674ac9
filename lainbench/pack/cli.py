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
    pack_file = Path(args.pack_file).expanduser().resolve()  # from the current folder
    if not pack_file.exists():
        raise PackError(f"{args.pack_file}: pack file not found (relative paths are taken from "
                        f"the current folder, {Path.cwd()}); e.g. lainbench pack params/pack.yaml "
                        "from the project folder")
    out = Path(args.out).expanduser().resolve() if args.out else "reports/pack"
    result = build(pack_file, out, jobs=args.jobs, resume=args.resume, pdf=args.pdf)
    print(f"pack: {len(result.ran)} run(s) executed, {len(result.reused)} reused, "
          f"{len(result.failed)} failed, in {result.seconds:.1f} s")
    print(f"  landing page: {result.out / 'index.html'}")
    print(f"  manifest:     {result.out / MANIFEST}")
    if (result.out / WORKBOOK).exists():
        print(f"  workbook:     {result.out / WORKBOOK}")
    if args.pdf:
        pdfs = sorted(result.out.glob("runs/**/*.pdf"))
        print(f"  PDFs:         {len(pdfs)} scorecard(s), beside each scorecard's HTML")
    if result.failed:
        print(f"pack: {len(result.failed)} run(s) failed: {', '.join(result.failed)}; their "
              f"errors are in {result.out / MANIFEST} and executed copies in "
              f"{result.out / 'failed'}", file=sys.stderr)
        return 1
    return 0


def add_cli(subparsers: Any) -> None:
    """Add ``lainbench pack`` to the command line."""
    import argparse

    p = subparsers.add_parser(
        "pack", help="build the benchmark pack: network overview, every member's scorecard, "
                     "workbook, charts, index.html and manifest.json",
        description="Build a benchmark pack from PACK.yaml, or verify one with --check DIR.",
        epilog="examples:\n  lainbench pack params/pack.yaml --out reports/pack\n"
               "  lainbench pack params/pack.yaml --out reports/pack --resume --pdf\n"
               "  lainbench pack --check reports/pack",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pack_file", nargs="?", metavar="PACK.yaml",
                   help="pack file, relative to the current folder, e.g. params/pack.yaml")
    p.add_argument("--out", metavar="DIR", help="output folder, relative to the current folder "
                   "(default: the project's reports/pack), e.g. --out reports/pack_2026h1")
    p.add_argument("--jobs", type=int, metavar="N",
                   help="parallel runs (default: the pack file's jobs, else all cores), e.g. --jobs 2")
    p.add_argument("--resume", action="store_true",
                   help="re-run only what is missing, failed or stale (e.g. after Ctrl-C)")
    p.add_argument("--pdf", action="store_true",
                   help="also write each scorecard as PDF (A4, WeasyPrint) beside its HTML")
    p.add_argument("--check", metavar="DIR",
                   help="verify DIR's files against its manifest, e.g. --check reports/pack")
    p.set_defaults(func=_cmd_pack)
