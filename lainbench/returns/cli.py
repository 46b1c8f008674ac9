"""``lainbench return build | check | template``: a member's return from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import polars as pl

from lainbench.errors import ParamsError, SchemaError

BUILD_EXAMPLE = """example (the demo: one member's return for two half-years):
  lainbench return build --member northgate_nhs --invoices data/demo/invoice_payment.parquet \\
      --periods data/demo/periods.parquet --period "2025-26 H2" --period "2026-27 H1" \\
      --members data/demo/member.parquet --insurance data/demo/insurance_requirement.parquet \\
      --approver-name "A. Finance" --approver-title "Chief Finance Officer" --out returns/

Your own ledger: first `lainbench ingest invoices LEDGER --out DIR --buyer ID`, then
  lainbench return build --member ID --invoices DIR/invoice_payment.parquet --out returns/
Without --periods the half-years (April-September H1, October-March H2) with payments are used.
The file holds aggregates only: no supplier name, supplier id, invoice id or invoice row."""

CHECK_EXAMPLE = """example:
  lainbench return check returns/northgate_nhs_2025-26-H2_to_2026-27-H1.return.zip \\
      --periods data/demo/periods.parquet
  lainbench return check filled_template.xlsx      # errors name the sheet, row and column
Exit status 0: the return can be sent; 1: it has errors (listed)."""

TEMPLATE_EXAMPLE = """example:
  lainbench return template --out return_template.xlsx --periods data/demo/periods.parquet
Fill in one sheet per table (drop-downs offer the allowed values), then
  lainbench return check return_template.xlsx"""


def half_years(dates: pl.Series) -> pl.DataFrame:
    """The reporting half-years (H1 April-September, H2 October-March) holding ``dates``.

    >>> half_years(pl.Series([dt.date(2025, 5, 1), dt.date(2026, 1, 9)])).rows()
    [('2025-26 H1', datetime.date(2025, 4, 1), datetime.date(2025, 9, 30)), ('2025-26 H2', datetime.date(2025, 10, 1), datetime.date(2026, 3, 31))]
    """
    rows = {}
    for d in dates.drop_nulls().unique().to_list():
        fy = d.year if d.month >= 4 else d.year - 1
        h1 = 4 <= d.month <= 9
        label = f"{fy}-{(fy + 1) % 100:02d} {'H1' if h1 else 'H2'}"
        start = dt.date(fy, 4, 1) if h1 else dt.date(fy, 10, 1)
        end = dt.date(fy, 9, 30) if h1 else dt.date(fy + 1, 3, 31)
        rows[label] = (label, start, end)
    return pl.DataFrame(sorted(rows.values(), key=lambda r: r[1]),
                        schema={"period": pl.String, "period_start": pl.Date,
                                "period_end": pl.Date}, orient="row")


def _invoices(path: str) -> tuple[pl.LazyFrame, int, int]:
    """The invoice table, its rows read and rows rejected (CSV read through ingest)."""
    from lainbench import load
    from lainbench.config import resolve

    p = resolve(path)
    if p.suffix.lower() == ".parquet":
        lf = load.invoices(p, "--invoices")
        return lf, lf.select(pl.len()).collect().item(), 0
    if not p.is_file():
        load.invoices(p, "--invoices")  # raises the standard not-found message
    from lainbench.ingest.canonical import read_invoice_payment

    res = read_invoice_payment(p)
    return res.accepted.lazy(), res.rows_read, res.rejected_rows


def build_return_file(member: str, invoices: str | Path, out: str | Path, *,
                      periods: str | Path | None = None, period: list[str] | None = None,
                      members: str | Path | None = None, org_type: str | None = None,
                      insurance: str | Path | None = None, approver_name: str | None = None,
                      approver_title: str | None = None, approved_at: str | None = None,
                      suppliers: str | Path | None = None, spend: str | Path | None = None,
                      contracts: str | Path | None = None, terms: str | Path | None = None):
    """Build, check and write one member's return file from its canonical tables.

    ``out`` is the return file or a folder (the file is then named by
    :func:`lainbench.returns.io.default_name`). Returns the path and the check result.
    """
    from lainbench import load
    from lainbench.params import load as load_params
    from lainbench.payments.metrics import derive
    from lainbench.returns.build import build_return
    from lainbench.returns.check import check_return
    from lainbench.returns.io import default_name, input_row, write_return

    lf, rows_read, rejected = _invoices(str(invoices))
    mine = lf.filter(pl.col("buyer_org_id") == member)
    n_mine = mine.select(pl.len()).collect().item()
    if n_mine == 0:
        ids = lf.select(pl.col("buyer_org_id").unique()).collect().to_series().to_list()
        raise ParamsError(f"--member {member}: no invoices for this buyer in {invoices}; "
                          f"buyers found: {', '.join(sorted(map(str, ids))[:20])}")
    inputs = [input_row("invoices", invoices, rows_read, n_mine, rejected)]
    if periods:
        period_df = load.periods(periods, "--periods")
        inputs.append(input_row("periods", periods, period_df.height, period_df.height))
    else:
        paid = derive(mine, interest=False).select("paid_date").collect().to_series()
        period_df = half_years(paid)
    if period:
        unknown = sorted(set(period) - set(period_df["period"]))
        if unknown:
            raise ParamsError(f"--period: unknown period(s) {', '.join(unknown)}; known: "
                              f"{', '.join(period_df['period'])}")
        period_df = period_df.filter(pl.col("period").is_in(period))
    name = member
    if members:
        mem = load.members(members, "--members")
        row = mem.filter(pl.col("org_id") == member)
        if row.height:
            name = row["org_name"][0]
            org_type = org_type or row["org_type"][0]
        inputs.append(input_row("members", members, mem.height, row.height))
    reqs = None
    if insurance:
        reqs = load.requirements(insurance, "--insurance")
        n = reqs.filter(pl.col("buyer_org_id") == member).height
        inputs.append(input_row("insurance_requirements", insurance, reqs.height, n))
    from lainbench.schemas import CONTRACT_AWARD, PAYMENT_TERMS, SPEND_LINE, SUPPLIER

    plan = {}
    for key, path, schema in (("suppliers", suppliers, SUPPLIER), ("spend", spend, SPEND_LINE),
                              ("contracts", contracts, CONTRACT_AWARD),
                              ("terms", terms, PAYMENT_TERMS)):
        if path:
            df = load.table(path, schema, f"--{key}")
            n = df.filter(pl.col("buyer_org_id") == member).height
            inputs.append(input_row(schema.name, path, df.height, n))
            plan[key] = df
    if bool(approver_name) != bool(approver_title):
        raise ParamsError("--approver-name and --approver-title go together (reg 38(2)(e): the "
                          "name and job title of the officer who approves the return)")
    days_max = int(load_params("params/member_return.yaml").value("days_to_pay_max",
                                                                  dt.date.today()))
    tables = build_return(lf, member, period_df, days_max=days_max, member_name=name,
                          org_type=org_type, requirements=reqs, inputs=pl.DataFrame(inputs),
                          approver_name=approver_name, approver_title=approver_title,
                          approved_at=approved_at, **plan)
    tables["inputs"] = tables["inputs"].cast({c: pl.Int64 for c in (
        "bytes", "rows_read", "rows_accepted", "rows_rejected", "rows_skipped")})
    out = Path(out)
    if out.is_dir() or str(out).endswith(("/", "\\")):
        out = out / default_name(tables)
    result = check_return(tables, period_df)
    if result.errors:  # pragma: no cover - a built return is consistent by construction
        raise SchemaError(f"{out}: the built return fails its own check:\n  - "
                          + "\n  - ".join(result.errors))
    write_return(tables, out)
    return out, result


def _cmd_build(args: argparse.Namespace) -> int:
    out, result = build_return_file(
        args.member, args.invoices, args.out, periods=args.periods, period=args.period,
        members=args.members, org_type=args.org_type, insurance=args.insurance,
        approver_name=args.approver_name, approver_title=args.approver_title,
        approved_at=args.approved_at, suppliers=args.suppliers, spend=args.spend,
        contracts=args.contracts, terms=args.terms)
    print(f"return for {args.member}: {out} ({out.stat().st_size:,} bytes)")
    for line in result.summary:
        print(f"  {line}")
    for w in result.warnings:
        print(f"  warning: {w}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from lainbench import load
    from lainbench.returns.check import check_return
    from lainbench.returns.io import read_return

    tables = read_return(args.file)
    known = load.periods(args.periods, "--periods") if args.periods else None
    result = check_return(tables, known)
    print(f"{args.file}: {'OK' if result.ok else f'{len(result.errors)} error(s)'}")
    for line in result.summary:
        print(f"  {line}")
    for w in result.warnings:
        print(f"  warning: {w}")
    for e in result.errors:
        print(f"  error: {e}")
    return 0 if result.ok else 1


def _cmd_template(args: argparse.Namespace) -> int:
    from lainbench import load
    from lainbench.returns.template import write_template

    periods = load.periods(args.periods, "--periods")["period"].to_list() if args.periods else None
    p = write_template(args.out, periods)
    print(f"blank return workbook: {p}")
    return 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    """Add ``lainbench return build|check|template`` to the command line."""
    fmt = argparse.RawDescriptionHelpFormatter
    ret = sub.add_parser("return", help="a member's return: build, check, or a blank template",
                         description="A member's return: its figures from its own data, as "
                         "aggregates only, for the network's pack.", formatter_class=fmt,
                         epilog=BUILD_EXAMPLE)
    rs = ret.add_subparsers(dest="return_command", required=True, help="build, check or template")
    b = rs.add_parser("build", help="compute a return from the member's canonical tables",
                      formatter_class=fmt, epilog=BUILD_EXAMPLE)
    b.add_argument("--member", required=True, help="the member's org id (buyer_org_id)")
    b.add_argument("--invoices", required=True, help="canonical invoice_payment (parquet or csv)")
    b.add_argument("--periods", help="reporting periods table (default: half-years with payments)")
    b.add_argument("--period", action="append", metavar="P", help="only this period (repeat)")
    b.add_argument("--members", help="member table, for the member's name and org type")
    b.add_argument("--org-type", help="member org type (company/llp: private-purchaser rule)")
    b.add_argument("--insurance", help="insurance_requirement rows (the member's own are kept)")
    b.add_argument("--suppliers", help="canonical supplier table (size bands, ownership flags)")
    b.add_argument("--spend", help="canonical spend_line table (action-plan spend shares)")
    b.add_argument("--contracts", help="canonical contract_award table (awards, reservations)")
    b.add_argument("--terms", help="canonical payment_terms table (the terms offered)")
    b.add_argument("--approver-name", help="officer who approves the return (reg 38(2)(e))")
    b.add_argument("--approver-title", help="their job title")
    b.add_argument("--approved-at", help="approval date-time, ISO 8601 (default: now)")
    b.add_argument("--out", required=True, help="return file (.return.zip) or a folder")
    b.set_defaults(func=_cmd_build)
    c = rs.add_parser("check", help="validate a return and say what it holds",
                      formatter_class=fmt, epilog=CHECK_EXAMPLE)
    c.add_argument("file", help="a .return.zip, or a filled template (.xlsx)")
    c.add_argument("--periods", help="the network's reporting periods, to check against")
    c.set_defaults(func=_cmd_check)
    t = rs.add_parser("template", help="write the blank return workbook",
                      formatter_class=fmt, epilog=TEMPLATE_EXAMPLE)
    t.add_argument("--out", required=True, help="the .xlsx to write")
    t.add_argument("--periods", help="reporting periods offered in the drop-downs")
    t.set_defaults(func=_cmd_template)
