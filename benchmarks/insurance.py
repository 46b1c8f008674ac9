"""Insurance requirements benchmark: ingest and the notebook-02 measures on a large network.

The demo has 12 members and about 340 requirement rows. A real network pack is bigger: this script
copies the demo's members ``--copies`` times (``northgate_nhs`` -> ``northgate_nhs_007`` ...) to
build a requirements table, writes it as a CSV with published-style headers and money written as
``£5m``, then times (best of ``--repeat``):

- ``ingest``: :func:`lainbench.ingest.insurance.ingest_insurance` on the CSV (tidying, every reject
  rule, lineage);
- ``measures``: everything notebook 02 computes (pick version, resolve to bands, network comparison,
  flags, review changes, harmonisation, applicable requirements and the cost burden per member).

Run::

    .venv/bin/python benchmarks/insurance.py                 # 100 copies: 1,200 members
    .venv/bin/python benchmarks/insurance.py --copies 10 --repeat 3
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import polars as pl

from lainbench import insurance as ins
from lainbench.demo.insurance import insurance_requirements
from lainbench.ingest.insurance import ingest_insurance

HEADERS = {
    "buyer_org_id": "Buyer",
    "requirement_version": "Version",
    "document_date": "Document date",
    "procurement_regime": "Regime",
    "procurement_category": "Category",
    "contract_value_min_gbp": "Value from (£)",
    "contract_value_max_gbp": "Value to (£)",
    "risk_tier": "Risk tier",
    "cover_type": "Cover",
    "min_limit_gbp": "Minimum limit (£)",
    "limit_basis": "Basis",
    "required_stage": "Required at",
    "self_certification_allowed": "Self-certification allowed",
    "applies_to_sole_traders": "Sole traders",
    "notes": "Notes",
}


def network(copies: int) -> pl.DataFrame:
    """The demo requirements repeated under ``copies`` sets of member ids."""
    base = insurance_requirements()
    return pl.concat(
        [base.with_columns(pl.col("buyer_org_id") + f"_{i:03d}") for i in range(copies)]
    )


def write_csv(reqs: pl.DataFrame, path: Path) -> None:
    money = pl.col("min_limit_gbp")
    out = (
        reqs.select(list(HEADERS))
        .with_columns(
            pl.when(money >= 1e6)
            .then(pl.format("£{}m", (money / 1e6).round(2)))
            .otherwise(pl.format("£{}k", (money / 1e3).round(0)))
            .alias("min_limit_gbp"),
        )
        .rename(HEADERS)
    )
    out.write_csv(path)


def measures(reqs: pl.DataFrame) -> int:
    data_latest = ins.pick_version(reqs, "latest")
    std = ins.load_standards()
    curves = ins.load_premium_curves()
    resolved = ins.resolve_to_bands(data_latest, std.band_edges)
    comp = ins.network_comparison(resolved, std)
    flags = ins.requirement_flags(data_latest, std)
    changes = ins.review_changes(reqs, std.band_edges)
    harm = ins.harmonisation(comp, std)
    app = ins.applicable_requirements(data_latest, 20_000, "consultancy", std)
    held = ins.held_cover("micro")
    burden = ins.member_cost_burden(app, held, 20_000, 0.2, 0.25, 1.0, curves)
    return comp.height + flags.height + changes.height + harm.height + burden.height


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    reqs = network(args.copies)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "requirements.csv"
        write_csv(reqs, csv)
        size_mb = csv.stat().st_size / 1e6
        measures(reqs)  # warm-up (imports, params cache)
        res = ingest_insurance(csv)
        assert res.rejects.height == 0, res.rejects.head()
        t_ingest = best_of(lambda: ingest_insurance(csv), args.repeat)
        t_measures = best_of(lambda: measures(reqs), args.repeat)
    members = reqs["buyer_org_id"].n_unique()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"network: {members:,} members, {reqs.height:,} requirement rows (CSV {size_mb:.1f} MB)")
    print(f"ingest_insurance (CSV, all rules):   {t_ingest:6.2f} s")
    print(f"notebook-02 measures (all tables):   {t_measures:6.2f} s")
    print(f"peak RSS: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
