"""Test helpers for the benchmark pack: a small demo with one deliberately tiny member, a pack file
for it, one pack built once per test session, and a scanner for supplier-level strings."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import polars as pl
import yaml

TINY = "hillside_mh_nhs"  # given only three suppliers, so every figure about it is suppressed
MEMBERS = ["eastbank_council", "city_fire", TINY]
SUPPLIER_ID = re.compile(r"\bS\d{5}\b")

_BUILT: dict[str, object] = {}


def write_small_member_data(demo_dir: Path, out_dir: Path) -> dict[str, Path]:
    """Copy the demo tables, giving member ``TINY`` only three suppliers."""
    out_dir.mkdir(parents=True, exist_ok=True)
    inv = pl.read_parquet(demo_dir / "invoice_payment.parquet")
    three = inv.filter(pl.col("buyer_org_id") != TINY).select(
        "supplier_id", "supplier_name", "supplier_size_band").unique("supplier_id").sort(
        "supplier_id").head(3)
    ids, names, bands = (three[c].to_list() for c in three.columns)
    pick = (pl.col("invoice_id").hash(7) % 3).cast(pl.Int64)
    tiny = pl.col("buyer_org_id") == TINY
    inv = inv.with_columns(
        pl.when(tiny).then(pick.replace_strict(dict(enumerate(ids)), return_dtype=pl.String))
        .otherwise(pl.col("supplier_id")).alias("supplier_id"),
        pl.when(tiny).then(pick.replace_strict(dict(enumerate(names)), return_dtype=pl.String))
        .otherwise(pl.col("supplier_name")).alias("supplier_name"),
        pl.when(tiny).then(pick.replace_strict(dict(enumerate(bands)), return_dtype=pl.String))
        .otherwise(pl.col("supplier_size_band")).alias("supplier_size_band"),
    )
    paths = {"invoices_path": out_dir / "invoice_payment.parquet",
             "members_path": out_dir / "member.parquet",
             "periods_path": out_dir / "periods.parquet"}
    inv.write_parquet(paths["invoices_path"])
    shutil.copy(demo_dir / "member.parquet", paths["members_path"])
    shutil.copy(demo_dir / "periods.parquet", paths["periods_path"])
    return paths


def write_pack_file(path: Path, data: dict[str, Path], members: list[str] | str = MEMBERS,
                    **extra) -> Path:
    """A pack file over ``data`` (small: a few members, few cash-flow paths)."""
    spec = {
        "title": "Test pack",
        "sources": {k: str(v) for k, v in data.items()},
        "members": members,
        "cashflow_paths": 200,
        "jobs": 2,
    }
    spec.update(extra)
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def supplier_strings(invoices_path: Path) -> tuple[set[str], set[str]]:
    """Every supplier name and supplier id in an invoice table."""
    inv = pl.read_parquet(invoices_path, columns=["supplier_id", "supplier_name"])
    return (set(inv["supplier_name"].drop_nulls().to_list()),
            set(inv["supplier_id"].drop_nulls().to_list()))


def _texts(path: Path) -> list[str]:
    """The text a shared file holds: cells of tables and workbooks, else the decoded bytes."""
    if path.suffix == ".parquet":
        df = pl.read_parquet(path)
        return [str(v) for c in df.columns for v in df[c].to_list() if v is not None] + df.columns
    if path.suffix == ".xlsx":
        import fastexcel

        reader = fastexcel.read_excel(str(path))
        out = []
        for name in reader.sheet_names:
            df = reader.load_sheet_by_name(name, header_row=None).to_polars()
            out += [str(v) for c in df.columns for v in df[c].to_list() if v is not None]
        return out
    if path.suffix == ".png":
        return []  # pixels; the same chart's SVG and JSON are scanned
    return [path.read_bytes().decode("utf-8", errors="replace")]


def scan(root: Path, names: set[str], ids: set[str]) -> list[str]:
    """Files under ``root`` holding a supplier name or id: ``["file: what", ...]``."""
    hits = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        for text in _texts(path):
            found = [n for n in names if n in text]
            found += [i for i in SUPPLIER_ID.findall(text) if i in ids]
            if found:
                hits.append(f"{path.relative_to(root)}: {sorted(set(found))[:3]}")
                break
    return hits


def built_pack(tmp_path_factory, small_demo: Path):
    """One pack over the small data (three members, one tiny), built once per session."""
    if "result" not in _BUILT:
        from lainbench import pack

        root = tmp_path_factory.mktemp("pack")
        data = write_small_member_data(small_demo, root / "data")
        spec = write_pack_file(root / "pack.yaml", data)
        result = pack.build(spec, root / "out", progress=False, log=lambda _: None)
        _BUILT.update(result=result, root=root, data=data, spec=spec)
    return _BUILT


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))
