"""``lainbench notice pcn`` and ``lainbench notice payments-over-30k`` (added to the main CLI)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import polars as pl

from lainbench.config import DEMO_DIR, resolve
from lainbench.errors import LainbenchError

PCN_EPILOG = """example:
  lainbench demo
  lainbench notice pcn --member westmere_council --period 2026-09 --out reports/notices \\
      --approver-name "A. Example" --approver-title "Director of Finance"

  With an ingested ledger of your own:
  lainbench ingest invoices data/examples/kingsbridge_uni_ledger.xlsx --out data/kb \\
      --buyer kingsbridge_uni
  lainbench notice pcn --member kingsbridge_uni --period 2026-03 \\
      --invoices data/kb/invoice_payment.parquet --out reports/notices

--period is the month the reporting period ends (2026-03, 2026-09, 2027-03, ...), its last day,
or START/END. England's first period is 1 Jan - 31 Mar 2026 (s.69 from 1 Jan 2026, SI 2025/1316);
use --nation wales for Welsh-regulated procurements (from 1 Apr 2026).
"""

S70_EPILOG = """example:
  lainbench demo
  lainbench notice payments-over-30k --member westmere_council --quarter 2026-Q3 \\
      --out reports/notices

--quarter is a calendar quarter (2026-Q2 = April to June 2026, the first under s.70). The output
names suppliers because s.70 publishes them: it is outside the pack's disclosure control.
"""


def _invoices(path: str | None) -> tuple[pl.LazyFrame, Path]:
    p = resolve(path) if path else DEMO_DIR / "invoice_payment.parquet"
    if not p.exists():
        hint = ("run `lainbench demo` first, or give --invoices PATH (an invoice_payment.parquet "
                "from `lainbench ingest invoices`)")
        raise LainbenchError(f"invoices: {p} not found; {hint}")
    if p.suffix.lower() == ".csv":
        return pl.scan_csv(p, try_parse_dates=True), p
    return pl.scan_parquet(p), p


def _member_name(invoices_path: Path, member: str, given: str | None) -> str:
    if given:
        return given
    members = invoices_path.parent / "member.parquet"
    if members.exists():
        m = pl.read_parquet(members)
        if {"org_id", "org_name"} <= set(m.columns):
            hit = m.filter(pl.col("org_id") == member)
            if hit.height:
                return str(hit["org_name"][0])
    return member


def _cmd_pcn(args: argparse.Namespace) -> int:
    from lainbench.notices.pcn import payments_compliance_notice
    from lainbench.notices.render import write_pcn

    inv, path = _invoices(args.invoices)
    notice = payments_compliance_notice(
        inv, args.member, args.period, nation=args.nation,
        authority_name=_member_name(path, args.member, args.authority_name),
        approver_name=args.approver_name, approver_title=args.approver_title,
        disputed=args.disputed)
    out = Path(args.out) / f"pcn_{args.member}_{notice.period.label}"
    files = write_pcn(notice, out)
    f, w = notice.figures, notice.whole_ledger
    print(f"payments compliance notice: {notice.authority_name}, {notice.period.text}; "
          f"publish by {notice.period.deadline}")
    def v(x: Any) -> str:
        return "n/a" if x is None else f"{x:g}"

    for label, fig in (("Procurement Act contracts", f), ("whole ledger (comparison)", w)):
        print(f"  {label}: {fig['paid_count']} payments, average {v(fig['average_days'])} days, "
              f"{v(fig['paid_within_30_days_pct'])} / {v(fig['paid_31_to_60_days_pct'])} / "
              f"{v(fig['paid_61_days_or_more_pct'])} % in days 1-30 / 31-60 / 61+; "
              f"reg 38(2)(d) {v(fig['payable_not_paid_in_period_pct'])} % of "
              f"{fig['payable_count']} sums payable not paid in the period")
    for note in notice.notes:
        print(f"  note: {note}")
    for kind, p in files.items():
        print(f"  {kind}: {p}")
    return 0


def _cmd_s70(args: argparse.Namespace) -> int:
    from lainbench.notices.render import write_s70
    from lainbench.notices.s70 import payments_over_30k

    inv, path = _invoices(args.invoices)
    s70 = payments_over_30k(inv, args.member, args.quarter,
                            authority_name=_member_name(path, args.member, args.authority_name))
    files = write_s70(s70, Path(args.out) / f"s70_{args.member}_{s70.quarter.label}")
    print(f"s.70 payments over £30,000: {s70.authority_name}, {s70.quarter.label} "
          f"({s70.quarter.text}); publish by {s70.quarter.deadline}")
    print(f"  {s70.table.height} payment(s), £{s70.table['amount_gbp'].sum():,.2f} incl. VAT")
    print(f"  {s70.disclosure_label}")
    for note in s70.notes:
        print(f"  note: {note}")
    for kind, p in files.items():
        print(f"  {kind}: {p}")
    return 0


def add_cli(subparsers: Any) -> None:
    """Add ``lainbench notice {pcn, payments-over-30k}``."""
    notice = subparsers.add_parser(
        "notice", help="statutory payment notices from a member's ledger (PCN, s.70 list)")
    sub = notice.add_subparsers(dest="notice", required=True)
    fmt = argparse.RawDescriptionHelpFormatter
    pcn = sub.add_parser(
        "pcn", help="payments compliance notice (PA 2023 s.69, Procurement Regulations reg 38)",
        description="Derive a member's payments compliance notice for one reporting period: "
                    "one-page HTML plus CSV and xlsx of the figures.",
        epilog=PCN_EPILOG, formatter_class=fmt)
    pcn.add_argument("--member", required=True, help="buyer_org_id in the ledger")
    pcn.add_argument("--period", required=True, help="reporting period, e.g. 2026-09")
    pcn.add_argument("--out", required=True, help="output folder")
    pcn.add_argument("--invoices", help="invoice_payment parquet (default: data/demo)")
    pcn.add_argument("--nation", default="england", choices=["england", "wales"])
    pcn.add_argument("--authority-name", help="name on the notice (default: member table)")
    pcn.add_argument("--approver-name", help="reg 38(2)(e): name of the finance director")
    pcn.add_argument("--approver-title", help="reg 38(2)(e): their job title")
    pcn.add_argument("--disputed", default="defer", choices=["defer", "include"],
                     help="disputed invoices become payable when resolved (defer, default) "
                          "or are counted as any other (include)")
    pcn.set_defaults(func=_cmd_pcn)
    s70 = sub.add_parser(
        "payments-over-30k", help="payments over £30,000 under public contracts (PA 2023 s.70)",
        description="List a member's payments of more than £30,000 (incl. VAT) under public "
                    "contracts in a quarter, with the publication deadline.",
        epilog=S70_EPILOG, formatter_class=fmt)
    s70.add_argument("--member", required=True, help="buyer_org_id in the ledger")
    s70.add_argument("--quarter", required=True, help="calendar quarter, e.g. 2026-Q3")
    s70.add_argument("--out", required=True, help="output folder")
    s70.add_argument("--invoices", help="invoice_payment parquet (default: data/demo)")
    s70.add_argument("--authority-name", help="name on the list (default: member table)")
    s70.set_defaults(func=_cmd_s70)
