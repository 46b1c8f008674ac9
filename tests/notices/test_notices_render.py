"""HTML escaping and formula-injection neutralising of the notice outputs."""

from __future__ import annotations

from datetime import date

import polars as pl

from lainbench.notices.pcn import payments_compliance_notice
from lainbench.notices.render import neutralise, write_pcn, write_s70
from lainbench.notices.s70 import payments_over_30k


def _ledger() -> pl.DataFrame:
    return pl.DataFrame({
        "buyer_org_id": ["A", "A"], "regime": ["pa2023", "pa2023"],
        "invoice_id": ["=1+1", "2"], "contract_id": ["@SUM(A1)", "C2"],
        "supplier_name": ["<script>alert(1)</script>", "\tTabbed"],
        "invoice_received_date": [date(2026, 4, 1)] * 2,
        "payment_date": [date(2026, 4, 20)] * 2,
        "gross_amount_gbp": [50_000.0, 40_000.0]})


def test_neutralise_each_dangerous_start():
    for bad in ("=A1", "+1", "-1", "@x", "\tx", "\rx"):
        assert neutralise(bad) == "'" + bad
    assert neutralise("Acme = fine") == "Acme = fine" and neutralise(5) == 5


def test_s70_outputs_escape_and_neutralise(tmp_path):
    files = write_s70(payments_over_30k(_ledger(), "A", "2026-Q2"), tmp_path)
    html = files["html"].read_text()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "OUTSIDE the benchmarking pack" in html
    csv = pl.read_csv(files["csv"])
    assert set(csv["contract_id"]) == {"'@SUM(A1)", "C2"}
    assert "'=1+1" in csv["invoice_id"].to_list()
    xlsx = pl.read_excel(files["xlsx"])
    assert "'\tTabbed" in xlsx["supplier_name"].to_list()
    assert xlsx["amount_gbp"].to_list() == [50_000.0, 40_000.0]  # numbers stay numbers


def test_pcn_outputs(tmp_path):
    n = payments_compliance_notice(_ledger(), "A", "2026-09", authority_name="=Evil & Co",
                                   approver_name="<b>J</b>", approver_title="FD")
    files = write_pcn(n, tmp_path)
    html = files["html"].read_text()
    assert "=Evil &amp; Co" in html and "&lt;b&gt;J&lt;/b&gt;" in html
    assert "29 October 2026" in html and "Whole ledger (for comparison only" in html
    csv = pl.read_csv(files["csv"], infer_schema=False)
    assert csv.filter(pl.col("figure") == "authority")["procurement_act_contracts"][0] == (
        "'=Evil & Co")
    assert csv.filter(pl.col("figure") == "average_days")["procurement_act_contracts"][0] == (
        "19.00")
    assert files["xlsx"].exists()
