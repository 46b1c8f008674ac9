"""The pack from members' returns equals the pack from pooled invoices, and no return leaks."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lainbench.pack.from_returns import build_shared_from_returns
from lainbench.pack.shared import SHARED_TABLES, build_shared
from lainbench.returns.build import build_return
from lainbench.returns.io import write_return


@pytest.fixture(scope="module")
def returns_dir(small_demo, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("returns")
    members = pl.read_parquet(small_demo / "member.parquet")
    periods = pl.read_parquet(small_demo / "periods.parquet")
    reqs = pl.read_parquet(small_demo / "insurance_requirement.parquet")
    invoices = pl.scan_parquet(small_demo / "invoice_payment.parquet")
    for m in members.iter_rows(named=True):
        tables = build_return(invoices, m["org_id"], periods, member_name=m["org_name"],
                              org_type=m["org_type"], requirements=reqs,
                              approver_name="Pat Example", approver_title="Director of Finance")
        write_return(tables, out / f"{m['org_id']}.return.zip")
    return out


@pytest.fixture(scope="module")
def both(small_demo, returns_dir):
    kw = {"cashflow_paths": 300, "seed": 5}
    pooled = build_shared(small_demo / "invoice_payment.parquet", small_demo / "member.parquet",
                          small_demo / "periods.parquet", insurance_path=str(
                              small_demo / "insurance_requirement.parquet"), **kw)
    returned = build_shared_from_returns([returns_dir], small_demo / "member.parquet",
                                         small_demo / "periods.parquet", **kw)
    return pooled, returned


# the network-metrics tables come from network_sources in both modes (not from returns yet)
@pytest.mark.parametrize("name", [n for n in SHARED_TABLES if not n.startswith("network_")])
def test_every_shared_table_is_identical(both, name):
    pooled, returned = both
    a, b = pooled.tables[name], returned.tables[name]
    if name == "availability":  # the notes say where the figures came from
        assert_frame_equal(a.drop("note"), b.drop("note"))
        return
    # counts, medians and p90s exactly (integer and exact-float columns), money to 1e-9
    assert_frame_equal(a, b, check_exact=False, rel_tol=1e-9, abs_tol=0.0)
    for col, dtype in a.schema.items():
        if dtype.is_integer() or col in ("median_days_to_pay", "p90_days_to_pay"):
            assert a[col].equals(b[col]), col


def test_the_equivalence_is_not_vacuous(both):
    pooled, returned = both
    m = pooled.tables["payment_metrics"]
    assert m.height >= 12 * 4 and m["median_days_to_pay"].drop_nulls().len() > 0
    assert pooled.tables["cashflow_risk"]["shortfall_risk_pct"].drop_nulls().len() > 0
    assert pooled.tables["insurance_flags"]["insurance_flags_total"].drop_nulls().len() > 0
    status = returned.tables["returns"]
    assert status.filter(pl.col("status") == "used").height == 12


def _scan(name: str, data: bytes, tokens: list[bytes], found: list[str]) -> None:
    """Every byte of ``data`` and, for zips (the xlsx) and parquet, of what they hold."""
    low = data.lower()
    # every 5-byte window of the data, so only tokens starting with one are searched in full
    windows = {low[i:i + 5] for i in range(max(len(low) - 4, 0))}
    for t in tokens:
        if t[:5] in windows and t in low:
            found.append(f"{name}: {t.decode()}")
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for inner in z.namelist():
                _scan(f"{name}/{inner}", z.read(inner), tokens, found)
    elif data[:4] == b"PAR1":
        df = pl.read_parquet(io.BytesIO(data))
        text = df.select(pl.all().cast(pl.String)).write_csv().encode().lower()
        _scan(f"{name} (values)", text, tokens, found)


def test_no_supplier_or_invoice_identity_in_any_return(small_demo, returns_dir):
    inv = pl.read_parquet(small_demo / "invoice_payment.parquet")
    values = set()
    for col in ("supplier_id", "supplier_name", "invoice_id", "supplier_companies_house_number",
                "supplier_invoice_ref", "po_number", "contract_id"):
        values |= set(inv[col].drop_nulls().cast(pl.String).to_list())
    tokens = sorted({v.lower().encode() for v in values if len(v) >= 5})
    assert len(tokens) > 20_000  # supplier ids and names, and every invoice id
    found: list[str] = []
    files = sorted(returns_dir.glob("*.return.zip"))
    assert len(files) == 12
    for f in files:
        _scan(f.name, f.read_bytes(), tokens, found)
    assert found == []


def test_the_scan_finds_a_planted_supplier(small_demo, tmp_path):
    inv = pl.read_parquet(small_demo / "invoice_payment.parquet")
    name = inv["supplier_name"][0]
    buf = io.BytesIO()
    pl.DataFrame({"x": [name]}).write_parquet(buf)
    planted = tmp_path / "p.zip"
    with zipfile.ZipFile(planted, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("tables/x.parquet", buf.getvalue())
    found: list[str] = []
    _scan("p.zip", planted.read_bytes(), [name.lower().encode()], found)
    assert found


def test_a_one_period_pack_from_four_period_returns(small_demo, returns_dir):
    kw = {"cashflow_paths": 0, "periods": ["2025-26 H2"], "insurance_path": None}
    pooled = build_shared(small_demo / "invoice_payment.parquet", small_demo / "member.parquet",
                          small_demo / "periods.parquet", **kw).tables
    returned = build_shared_from_returns([returns_dir], small_demo / "member.parquet",
                                         small_demo / "periods.parquet", **kw).tables
    for name in ("headline", "payment_metrics", "target_results", "interest_owed",
                 "days_distribution", "suppressions", "network_benchmark"):
        assert_frame_equal(pooled[name], returned[name], rel_tol=1e-9, abs_tol=0.0)


def test_a_two_period_pack_from_four_period_returns(small_demo, returns_dir):
    kw = {"cashflow_paths": 0, "periods": ["2025-26 H2", "2026-27 H1"], "insurance_path": None}
    pooled = build_shared(small_demo / "invoice_payment.parquet", small_demo / "member.parquet",
                          small_demo / "periods.parquet", **kw).tables
    returned = build_shared_from_returns([returns_dir], small_demo / "member.parquet",
                                         small_demo / "periods.parquet", **kw).tables
    # the distribution is published per member and period, from each period's own buckets, so
    # any choice of a return's periods gives the pooled figures exactly
    for name in ("payment_metrics", "days_distribution", "target_results", "suppressions"):
        assert_frame_equal(pooled[name], returned[name], rel_tol=1e-9, abs_tol=0.0)


@pytest.fixture(scope="module")
def network_both(small_demo, tmp_path_factory):
    """Both packs' network-metrics tables: pooled member-held tables vs members' returns."""
    from lainbench.demo.network import write_network_demo

    net_dir = tmp_path_factory.mktemp("network")
    write_network_demo(net_dir, seed=3)
    tabs = {k: pl.read_parquet(net_dir / f) for k, f in (
        ("suppliers", "supplier.parquet"), ("spend", "spend_line.parquet"),
        ("contracts", "contract_award.parquet"), ("terms", "payment_terms.parquet"))}
    members = pl.read_parquet(small_demo / "member.parquet")
    periods = pl.read_parquet(small_demo / "periods.parquet")
    invoices = pl.scan_parquet(small_demo / "invoice_payment.parquet")
    out = tmp_path_factory.mktemp("net_returns")
    for m in members.iter_rows(named=True):
        tables = build_return(invoices, m["org_id"], periods, member_name=m["org_name"],
                              org_type=m["org_type"], approver_name="Pat Example",
                              approver_title="Director of Finance", **tabs)
        write_return(tables, out / f"{m['org_id']}.return.zip")
    kw = {"cashflow_paths": 0, "insurance_path": None}
    pooled = build_shared(small_demo / "invoice_payment.parquet", small_demo / "member.parquet",
                          small_demo / "periods.parquet", network_paths={
                              "suppliers_path": str(net_dir / "supplier.parquet"),
                              "spend_path": str(net_dir / "spend_line.parquet"),
                              "contracts_path": str(net_dir / "contract_award.parquet"),
                              "terms_path": str(net_dir / "payment_terms.parquet")}, **kw).tables
    returned = build_shared_from_returns([out], small_demo / "member.parquet",
                                         small_demo / "periods.parquet", **kw).tables
    return pooled, returned


@pytest.mark.parametrize("name,keys", [
    ("network_spend_shares", ["buyer_org_id", "period", "group"]),
    ("network_contracts", ["buyer_org_id", "period", "group"]),
    ("network_excluded_spend", ["buyer_org_id", "period", "exclusion_reason"]),
    ("network_headline", ["buyer_org_id", "period"]),
])
def test_network_metrics_from_returns_equal_the_pooled_ones(network_both, name, keys):
    pooled, returned = network_both
    a, b = pooled[name].sort(keys), returned[name].sort(keys)
    assert a.select(keys).equals(b.select(keys))
    members_a = a.filter(pl.col("buyer_org_id") != "network")
    members_b = b.filter(pl.col("buyer_org_id") != "network")
    assert_frame_equal(members_a, members_b.select(members_a.columns), check_exact=False,
                       rel_tol=1e-9)
    # network rows: values add up exactly; distinct suppliers across members cannot be counted
    # from returns (bounded on the safe side), so suppression may differ (and with it which
    # neighbour secondary suppression picks): every figure shown in both is the same
    na, nb = (x.filter(pl.col("buyer_org_id") == "network") for x in (a, b))
    if "suppressed" in na.columns:
        assert nb["suppressed"].sum() >= na["suppressed"].sum() - 3
        shown = ~nb["suppressed"] & ~na["suppressed"]
        figures = [c for c, t in na.schema.items() if t.is_numeric()]
        assert_frame_equal(na.filter(shown).select(figures), nb.filter(shown).select(figures),
                           check_exact=False, rel_tol=1e-9)


def test_compliance_notices_from_returns_equal_the_pooled_ones(small_demo, returns_dir):
    # the notices are per s.69 reporting period, derived from the member's Procurement Act
    # invoices: the returns carry them, so the pack from returns shows the same figures
    kw = {"cashflow_paths": 0, "insurance_path": None,
          "published_paths": ["data/examples/eastbank_council_pcn.csv"]}
    pooled = build_shared(small_demo / "invoice_payment.parquet", small_demo / "member.parquet",
                          small_demo / "periods.parquet", **kw).tables["compliance_notices"]
    returned = build_shared_from_returns([returns_dir], small_demo / "member.parquet",
                                         small_demo / "periods.parquet", **kw
                                         ).tables["compliance_notices"]
    keys = ["buyer_org_id", "notice_period", "measure"]
    assert pooled.height > 0
    assert_frame_equal(pooled.sort(keys), returned.sort(keys), check_exact=False, rel_tol=1e-9)
    east = pooled.filter((pl.col("buyer_org_id") == "eastbank_council")
                         & (pl.col("notice_period") == "2026-03")
                         & (pl.col("measure") == "average_days"))
    assert east["published"].to_list() == [14.2]  # the example notice's own figure
