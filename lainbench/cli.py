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
    when one of the files it would write is the input.
    """
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


def _cmd_params(args: argparse.Namespace) -> int:
    from lainbench.runner import describe_params, entry

    e = entry(args.name)
    rows = describe_params(args.name)
    print(f"{args.name}: parameters of notebooks/{e.filename} (defaults from the model; "
          f"the shipped values are in params/{e.default_params})")
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        print(f"  {r['name']:<{width}}  {r['type']}  (default {r['default']})")
        if r["description"]:
            print(f"  {'':<{width}}  {r['description']}")
    print(f"set one with: lainbench run {args.name} -p {rows[0]['name']}=VALUE")
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
        epilog="examples:\n  lainbench pack params/pack.yaml --out reports/pack\n"
               "  lainbench run payment_performance\n  lainbench params supplier_cashflow\n"
               "Relative paths are taken from the current folder.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lainbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def verb(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".",
            epilog=f"example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter)

    run = verb("run", "validate parameters, run a notebook, export its report",
               "lainbench run supplier_cashflow -p n_paths=20000 --out reports/cashflow_test")
    run.add_argument("name", help="notebook name without its number, e.g. payment_performance "
                     "(`lainbench list` shows them)")
    run.add_argument("--params", metavar="YAML", help="parameter file, relative to the current "
                     "folder (default: the shipped params/<name>.yaml), e.g. --params my.yaml")
    run.add_argument("-p", action="append", metavar="KEY=VALUE",
                     help="override one parameter (repeatable; values read as YAML), "
                          "e.g. -p members=[eastbank_council]")
    run.add_argument("--out", metavar="DIR", help="output folder, relative to the current folder "
                     "(default: reports/<name>), e.g. --out reports/run1")
    run.add_argument("--no-html", action="store_true",
                     help="skip the HTML report (only the executed notebook and tables)")
    run.add_argument("--verbose", action="store_true",
                     help="stream the notebook's cell output while it runs")
    run.set_defaults(func=_cmd_run)

    check = verb("check", "validate a notebook's parameters without running it",
                 "lainbench check insurance_requirements -p contract_value_gbp=20000")
    check.add_argument("name", help="notebook name, e.g. insurance_requirements")
    check.add_argument("--params", metavar="YAML", help="parameter file, relative to the current "
                       "folder (default: the shipped params/<name>.yaml)")
    check.add_argument("-p", action="append", metavar="KEY=VALUE",
                       help="override one parameter, e.g. -p contract_value_gbp=20000")
    check.set_defaults(func=_cmd_check)

    params = verb("params", "list a notebook's parameters: types, defaults and descriptions",
                  "lainbench params payment_performance")
    params.add_argument("name", help="notebook name, e.g. payment_performance")
    params.set_defaults(func=_cmd_params)

    ing = verb("ingest", "read a raw file into a canonical table and rejects.csv",
               "lainbench ingest invoices data/examples/westmere_council_ledger_cp1252.csv "
               "--buyer westmere_council --out reports/ledger")
    ing.add_argument("kind", help="what the file is: canonical, invoices, ppr, published, insurance, "
                     "suppliers, spend, contracts, terms, ocds or companies (returns: old name of "
                     "published)")
    ing.add_argument("file", help="the file to read (CSV, XLSX or parquet), e.g. ledger.csv")
    ing.add_argument("--out", required=True, metavar="DIR",
                     help="folder for <table>.parquet and rejects.csv, e.g. --out reports/ledger")
    ing.add_argument("--mapping", metavar="YAML",
                     help="header-mapping file for invoices, e.g. --mapping my_headers.yaml")
    ing.add_argument("--buyer", metavar="ORG_ID",
                     help="buyer org id when the file has no buyer column, e.g. --buyer eastbank_council")
    ing.add_argument("--dataset", metavar="NAME",
                     help="name recorded as source_dataset, e.g. --dataset 'ledger 2025-26'")
    ing.add_argument("--threshold", type=float, metavar="GBP",
                     help="publication threshold of a spend transparency file, e.g. --threshold 500")
    ing.add_argument("--set", action="append", metavar="KEY=VALUE",
                     help="other reader option, e.g. --set sheet=Payments")
    ing.set_defaults(func=_cmd_ingest)

    match = verb("match", "match ingested award / spend suppliers to Companies House",
                 "lainbench match reports/ocds --companies reports/companies/company.parquet")
    match.add_argument("folder", help="an `ingest ocds` or `ingest spend` output folder")
    match.add_argument("--companies", help="company.parquet or a BasicCompanyData CSV")
    match.add_argument("--manual", help="CSV supplier_id / supplier_name -> companies_house_number")
    match.add_argument("--min-score", type=float, help="name-match threshold 0-100 (default: params)")
    match.add_argument("--out", help="folder for match_report.csv/.parquet (default: FOLDER)")
    match.set_defaults(func=_cmd_match)

    demo = verb("demo", "generate the synthetic demo data (12 fictional members)",
                "lainbench demo --out data/demo --invoices 50000 --seed 7")
    demo.add_argument("--out", default="data/demo", metavar="DIR",
                      help="folder for the demo tables (default: data/demo)")
    demo.add_argument("--invoices", type=int, default=200_000, metavar="N",
                      help="number of invoices to generate (default: 200000)")
    demo.add_argument("--seed", type=int, default=20260401,
                      help="random seed; the same seed gives the same data (default: 20260401)")
    demo.set_defaults(func=_cmd_demo)

    tpl = verb("template", "write an Excel template to fill in by hand",
               "lainbench template suppliers --out suppliers_template.xlsx")
    tpl.add_argument("kind", choices=["suppliers", "spend", "contracts", "terms"],
                     help="which table the template is for")
    tpl.add_argument("--out", required=True, help="workbook to write (.xlsx)")
    tpl.set_defaults(func=_cmd_template)

    lst = verb("list", "list the notebooks and ingest kinds", "lainbench list")
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

