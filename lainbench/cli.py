"""The ``lainbench`` command line.

Every :class:`~lainbench.errors.LainbenchError`, and every operating-system error (a folder that
is a file, a path that cannot be written), is printed as one clear message with no traceback, and
the command exits with status 2.
"""

from __future__ import annotations

import argparse
import inspect
import sys

from lainbench import __version__
from lainbench.errors import LainbenchError


def _cmd_run(args: argparse.Namespace) -> int:
    from lainbench.params import parse_overrides
    from lainbench.runner import run_notebook

    result = run_notebook(args.name, args.params, parse_overrides(args.p), args.out, report=not args.no_html,
                          log_output=args.verbose)
    print(f"{args.name}: ran in {result.seconds:.1f} s")
    print(f"  executed notebook: {result.notebook}")
    if result.html:
        print(f"  HTML report:       {result.html}")
    print(f"  tables:            {len(result.tables)} parquet file(s) in {result.output_dir}")
    if result.charts:
        print(f"  charts:            {len(result.charts)} file(s) in {result.output_dir / 'charts'}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from lainbench.params import parse_overrides
    from lainbench.runner import load_run_params

    _, values = load_run_params(args.name, args.params, parse_overrides(args.p))
    print(f"{args.name}: parameters OK")
    for k, v in values.items():
        print(f"  {k} = {v!r}")
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from lainbench.params import parse_overrides
    from lainbench.registry import DEPRECATED_KINDS, INGEST_KINDS, load_object

    if args.kind in DEPRECATED_KINDS:
        new = DEPRECATED_KINDS[args.kind]
        print(f"lainbench: note: `ingest {args.kind}` is deprecated; use `ingest {new}` "
              f"(\"return\" now means a member's return)", file=sys.stderr)
        args.kind = new
    if args.kind not in INGEST_KINDS:
        raise LainbenchError(
            f"unknown ingest kind {args.kind!r}; choose one of {', '.join(INGEST_KINDS)}")
    func = load_object(INGEST_KINDS[args.kind])
    options = parse_overrides(args.set)
    if args.mapping:
        options["mapping"] = args.mapping
    if args.buyer:
        options["buyer_org_id"] = args.buyer
    if args.dataset:
        options["source_dataset"] = args.dataset
    if getattr(args, "threshold", None) is not None:
        options["threshold_gbp"] = args.threshold
    _refuse_overwrite(args.file, args.out)
    try:
        inspect.signature(func).bind(args.file, **options)
    except TypeError as exc:
        raise LainbenchError(f"ingest {args.kind}: {exc}; see `lainbench ingest --help`") from None
    result = func(args.file, **options)
    names = getattr(result, "output_names", lambda: [f"{result.table.name}.parquet", "rejects.csv"])()
    _refuse_overwrite(args.file, args.out, names)
    paths = result.write(args.out)
    print(result.summary())
    for note in result.notes:
        print(f"  note: {note}")
    print(f"  accepted: {paths['table']}")
    for name, path in paths.items():
        if name not in ("table", "rejects"):
            print(f"  {name + ':':9s} {path}")
    print(f"  rejects:  {paths['rejects']} ({result.rejects.height} line(s))")
    return 0


def _refuse_overwrite(source: str, out: str, names: list[str] | None = None) -> None:
    """An ingest never writes over its own input: refuse when ``--out`` is the input itself or
    when one of the files it would write is the input."""
    from pathlib import Path

    src, dest = Path(source).resolve(), Path(out).resolve()
    if dest == src or (dest.exists() and not dest.is_dir()):
        raise LainbenchError(
            f"--out {out}: is {'the input file' if dest == src else 'a file, not a folder'}; --out must be a "
            "folder for the output tables, e.g. --out reports/ingested")
    from lainbench.ingest.common import check_not_input

    check_not_input({name: dest / name for name in names or []}, source, out)


def _cmd_match(args: argparse.Namespace) -> int:
    from pathlib import Path

    from lainbench.public_contracts.resolve import match_ingested, match_summary

    report = match_ingested(args.folder, args.companies, manual=args.manual, min_score=args.min_score)
    out = Path(args.out or args.folder)
    out.mkdir(parents=True, exist_ok=True)
    report.write_parquet(out / "match_report.parquet")
    report.write_csv(out / "match_report.csv")
    print(f"{args.folder}: {report.height:,} supplier(s)")
    for method, n, pct in match_summary(report).iter_rows():
        print(f"  {method:40s} {n:6,}  {pct:5.1f} %")
    print(f"  report: {out / 'match_report.csv'}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from lainbench.demo.invoices import write_demo

    paths = write_demo(args.out, n_invoices=args.invoices, seed=args.seed)
    from lainbench.demo.network import write_network_demo  # network metrics (notebook 06)

    paths.update(write_network_demo(args.out, seed=args.seed))
    for name, path in paths.items():
        print(f"{name}: {path}")
    return 0


def _cmd_template(args: argparse.Namespace) -> int:
    from lainbench.ingest.templates import write_template

    print(f"{args.kind} template: {write_template(args.kind, args.out)}")
    return 0


def _cmd_list(_: argparse.Namespace) -> int:
    from lainbench.registry import INGEST_KINDS, NOTEBOOKS

    print("notebooks (lainbench run NAME):")
    for name, e in NOTEBOOKS.items():
        print(f"  {name:28s} notebooks/{e.filename}  params/{e.default_params}")
    print("ingest kinds (lainbench ingest KIND FILE --out DIR):")
    for kind in INGEST_KINDS:
        print(f"  {kind}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and for sub-commands added by other modules)."""
    parser = argparse.ArgumentParser(
        prog="lainbench",
        description="Benchmark anchor institutions' supplier payment and insurance practice.",
    )
    parser.add_argument("--version", action="version", version=f"lainbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="validate parameters, run a notebook, export its report")
    run.add_argument("name", help="notebook name without its number, e.g. payment_performance")
    run.add_argument("--params", help="parameter YAML (default: params/<name>.yaml)")
    run.add_argument("-p", action="append", metavar="KEY=VALUE", help="override one parameter")
    run.add_argument("--out", help="output folder (default: reports/<name>)")
    run.add_argument("--no-html", action="store_true", help="skip the HTML report")
    run.add_argument("--verbose", action="store_true", help="stream the notebook's output")
    run.set_defaults(func=_cmd_run)

    check = sub.add_parser("check", help="validate a notebook's parameters without running it")
    check.add_argument("name")
    check.add_argument("--params")
    check.add_argument("-p", action="append", metavar="KEY=VALUE")
    check.set_defaults(func=_cmd_check)

    ing = sub.add_parser("ingest", help="read a raw file into a canonical table + rejects.csv")
    ing.add_argument("kind", help="canonical, invoices, ppr, published, insurance, suppliers, "
                     "spend, contracts, terms, ocds or companies (returns: old name of published)")
    ing.add_argument("file")
    ing.add_argument("--out", required=True, help="folder for <table>.parquet and rejects.csv")
    ing.add_argument("--mapping", help="header-mapping YAML (invoices)")
    ing.add_argument("--buyer", help="buyer org id when the file has no buyer column")
    ing.add_argument("--dataset", help="name recorded as source_dataset")
    ing.add_argument("--threshold", type=float,
                     help="publication threshold in GBP of a spend transparency file (spend)")
    ing.add_argument("--set", action="append", metavar="KEY=VALUE", help="other reader option")
    ing.set_defaults(func=_cmd_ingest)

    match = sub.add_parser("match", help="match ingested award / spend suppliers to Companies House")
    match.add_argument("folder", help="an `ingest ocds` or `ingest spend` output folder")
    match.add_argument("--companies", help="company.parquet or a BasicCompanyData CSV")
    match.add_argument("--manual", help="CSV supplier_id / supplier_name -> companies_house_number")
    match.add_argument("--min-score", type=float, help="name-match threshold 0-100 (default: params)")
    match.add_argument("--out", help="folder for match_report.csv/.parquet (default: FOLDER)")
    match.set_defaults(func=_cmd_match)

    demo = sub.add_parser("demo", help="generate the synthetic demo data")
    demo.add_argument("--out", default="data/demo")
    demo.add_argument("--invoices", type=int, default=200_000)
    demo.add_argument("--seed", type=int, default=20260401)
    demo.set_defaults(func=_cmd_demo)

    tpl = sub.add_parser("template", help="write an Excel template to fill in by hand")
    tpl.add_argument("kind", choices=["suppliers", "spend", "contracts", "terms"])
    tpl.add_argument("--out", required=True, help="workbook to write (.xlsx)")
    tpl.set_defaults(func=_cmd_template)

    lst = sub.add_parser("list", help="list notebooks and ingest kinds")
    lst.set_defaults(func=_cmd_list)

    from lainbench.notices.cli import add_cli as add_notice_cli

    add_notice_cli(sub)  # lainbench notice pcn / payments-over-30k

    try:  # the benchmark pack adds its own sub-command when present
        from lainbench.pack.cli import add_cli

        add_cli(sub)
    except ImportError:
        pass
    from lainbench.returns.cli import add_cli as add_return_cli

    add_return_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the chosen sub-command; user errors print one line and exit 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except LainbenchError as exc:
        print(f"lainbench: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # --out is a file, a folder cannot be written, a disk is full
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"lainbench: {where}{exc.strerror or exc}; check the path and its permissions",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lainbench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

