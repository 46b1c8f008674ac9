"""The demo members' returns: each of the 12 demo members builds its own, as a member would.

``python -m lainbench.demo.returns --data data/demo --out data/demo/returns`` (``make returns``)
runs :func:`lainbench.returns.cli.build_return_file` once per member on the demo tables, each
return approved by a (fictional) director of finance on 20 October 2026, before the returns are
due on 31 October (``params/pack_returns.yaml``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

APPROVED_AT = "2026-10-20T09:00:00+00:00"
# the member-held action-plan tables `lainbench demo` writes (network metrics), when present
NETWORK_FILES = {"suppliers": "supplier.parquet", "spend": "spend_line.parquet",
                 "contracts": "contract_award.parquet", "terms": "payment_terms.parquet"}


def write_demo_returns(data: str | Path, out: str | Path) -> list[Path]:
    """One return per demo member in ``out``, from the demo tables in ``data``."""
    from lainbench.returns.cli import build_return_file

    data, out = Path(data), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.return.zip"):
        old.unlink()
    paths = []
    for m in pl.read_parquet(data / "member.parquet").iter_rows(named=True):
        p, _ = build_return_file(
            m["org_id"], data / "invoice_payment.parquet", out, periods=data / "periods.parquet",
            members=data / "member.parquet", insurance=data / "insurance_requirement.parquet",
            **{k: data / f for k, f in NETWORK_FILES.items() if (data / f).exists()},
            approver_name=f"Director of Finance of {m['org_name']}",
            approver_title="Director of Finance (demo)", approved_at=APPROVED_AT)
        paths.append(p)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--data DIR --out DIR``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="data/demo")
    ap.add_argument("--out", default="data/demo/returns")
    args = ap.parse_args(argv)
    for p in write_demo_returns(args.data, args.out):
        print(f"{p} ({p.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
