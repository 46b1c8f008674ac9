"""The network step: which returns are used, superseded, late, refused or missing, on the index."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import polars as pl
import pytest

from lainbench.pack.from_returns import build_shared_from_returns, select_returns
from lainbench.pack.index import PageInfo, render_index
from lainbench.returns.build import build_return
from lainbench.returns.io import write_return

d = dt.date.fromisoformat
PERIODS = pl.DataFrame({"period": ["P1"], "period_start": [d("2025-04-01")],
                        "period_end": [d("2025-09-30")]})
MEMBERS = pl.DataFrame({"org_id": ["a", "b", "c", "e"], "org_name": ["A", "B", "C", "E"],
                        "org_type": ["local_authority"] * 4})


def invoices(buyer: str, n: int = 8, days: int = 10) -> pl.DataFrame:
    return pl.DataFrame({
        "buyer_org_id": [buyer] * n, "invoice_id": [f"{buyer}{i}" for i in range(n)],
        "supplier_id": [f"s{i}" for i in range(n)], "supplier_size_band": ["small"] * n,
        "invoice_received_date": [d("2025-05-01")] * n, "agreed_terms_days": [30] * n,
        "supplier_received_date": [d("2025-05-01") + dt.timedelta(days=days)] * n,
        "gross_amount_gbp": [100.0] * n})


def one(tmp_path, name, buyer, approved, periods=PERIODS, days=10, approver="J Bloggs"):
    t = build_return(invoices(buyer, days=days), buyer, periods, approver_name=approver,
                     approver_title="Director of Finance" if approver else None,
                     approved_at=approved)
    return write_return(t, tmp_path / name)


def set_version(path, version):
    """Rewrite a return's schema version (a return from a future lainbench)."""
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    info = pl.read_parquet(io.BytesIO(files["tables/return_info.parquet"])).with_columns(
        pl.lit(version).alias("schema_version"))
    buf = io.BytesIO()
    info.write_parquet(buf)
    files["tables/return_info.parquet"] = buf.getvalue()
    import hashlib

    m = json.loads(files["manifest.json"])
    m["files"]["tables/return_info.parquet"] = hashlib.sha256(buf.getvalue()).hexdigest()
    files["manifest.json"] = json.dumps(m).encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, b in files.items():
            z.writestr(n, b)


@pytest.fixture
def folder(tmp_path):
    one(tmp_path, "a_old.return.zip", "a", "2026-10-01T09:00:00", days=40)
    one(tmp_path, "a_new.return.zip", "a", "2026-10-05T09:00:00", days=10)
    one(tmp_path, "b.return.zip", "b", "2026-11-20T09:00:00")            # after the due date
    wrong = PERIODS.with_columns(pl.lit("P0").alias("period"))
    one(tmp_path, "e_wrong.return.zip", "e", "2026-10-01T09:00:00", periods=wrong)
    one(tmp_path, "e_unsigned.return.zip", "e", None, approver=None)
    future = one(tmp_path, "e_v2.return.zip", "e", "2026-10-02T09:00:00")
    set_version(future, "2.0")
    minor = one(tmp_path, "c_v11.return.zip", "c", "2026-10-03T09:00:00")
    set_version(minor, "1.7")  # a later minor version than this tool writes
    (tmp_path / "junk.return.zip").write_bytes(b"not a zip")
    return tmp_path


def test_status_of_every_return_and_member(folder):
    files = sorted(folder.glob("*.return.zip"))
    chosen, status = select_returns(files, MEMBERS, PERIODS, due=d("2026-10-31"))
    s = {(r["file"], r["member_id"]): (r["status"], r["late"]) for r in status.iter_rows(named=True)}
    assert s[("a_new.return.zip", "a")] == ("used", False)
    assert s[("a_old.return.zip", "a")][0] == "superseded"
    assert s[("b.return.zip", "b")] == ("used", True)
    assert s[("c_v11.return.zip", "c")] == ("used", False)
    assert s[("e_wrong.return.zip", "e")][0] == "wrong period"
    assert s[("e_unsigned.return.zip", "e")][0] == "not approved"
    assert s[("e_v2.return.zip", "e")][0] == "unsupported schema"
    assert s[("junk.return.zip", None)][0] == "unreadable"
    assert s[(None, "e")][0] == "missing"
    assert sorted(chosen) == ["a", "b", "c"]
    # the later approved return of a is the one whose figures are used (10 days, not 40)
    assert chosen["a"]["payment_totals"]["days_to_pay_sum"][0] == 80
    note = status.filter(pl.col("file") == "c_v11.return.zip")["note"][0]
    assert "schema 1.7 read as 1.1" in note


def test_pack_and_index_say_which_returns_are_in(folder, tmp_path):
    members = tmp_path / "m.csv"
    MEMBERS.write_csv(members)
    periods = tmp_path / "p.parquet"
    PERIODS.write_parquet(periods)
    shared = build_shared_from_returns([folder], members, periods, cashflow_paths=0,
                                       insurance_path="returns", due=d("2026-10-31"))
    t = shared.tables
    assert sorted(t["payment_metrics"]["buyer_org_id"].unique()) == ["a", "b", "c"]
    assert t["headline"].filter(pl.col("buyer_org_id") == "e")["invoice_count"][0] is None
    html = render_index(PageInfo(title="t", period="P1"), t["headline"], returns=t["returns"])
    assert "3 of 4 members' returns are in (1 late); 1 missing" in html
    for text in ("a_old.return.zip", "superseded", "in, late", "2026-11-20T09:00:00",
                 "J Bloggs, Director of Finance", "unsupported schema", "wrong period"):
        assert text in html, text
