"""lainbench notice pcn / payments-over-30k on a small ledger; --help shows an example."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from lainbench.cli import build_parser, main


def test_help_shows_examples(capsys):
    parser = build_parser()
    for cmd in (["notice", "pcn", "--help"], ["notice", "payments-over-30k", "--help"]):
        with pytest.raises(SystemExit):
            parser.parse_args(cmd)
        out = capsys.readouterr().out
        assert "example:" in out and "lainbench notice" in out


def test_commands_write_outputs(tmp_path, capsys):
    inv = tmp_path / "invoice_payment.parquet"
    pl.DataFrame({
        "buyer_org_id": ["m1"] * 2, "regime": ["pa2023", "pa2023"],
        "invoice_id": ["1", "2"], "contract_id": ["C", "C"], "supplier_name": ["S", "S"],
        "invoice_received_date": [date(2026, 7, 1)] * 2,
        "payment_date": [date(2026, 7, 21), date(2026, 9, 1)],
        "gross_amount_gbp": [31_000.0, 100.0]}).write_parquet(inv)
    pl.DataFrame({"org_id": ["m1"], "org_name": ["Member One"]}).write_parquet(
        tmp_path / "member.parquet")
    assert main(["notice", "pcn", "--member", "m1", "--period", "2026-09", "--out",
                 str(tmp_path / "o"), "--invoices", str(inv)]) == 0
    out = capsys.readouterr().out
    # 20 and 62 days: mean 41; one in days 1-30, one 61+
    assert "Member One" in out and "average 41 days" in out and "50 / 0 / 50" in out
    assert (tmp_path / "o" / "pcn_m1_2026-09" / "payments_compliance_notice.html").exists()
    assert main(["notice", "payments-over-30k", "--member", "m1", "--quarter", "2026-Q3",
                 "--out", str(tmp_path / "o"), "--invoices", str(inv)]) == 0
    out = capsys.readouterr().out
    assert "1 payment(s), £31,000.00" in out and "publish by 2026-10-29" in out
    assert main(["notice", "pcn", "--member", "m1", "--period", "2026-06", "--out",
                 str(tmp_path), "--invoices", str(inv)]) == 2
    assert "31 March and 30 September" in capsys.readouterr().err
