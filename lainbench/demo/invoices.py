"""Seeded synthetic invoices for the demo members."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from lainbench.demo.members import CATEGORIES, MEMBER_PROFILES, PERIODS, SIZE_MIX, members, periods
from lainbench.schemas import INVOICE_PAYMENT


def _suppliers(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """A pool of fictional suppliers with size bands; large suppliers are fewer but bill more."""
    bands = rng.choice(
        ["micro", "small", "medium", "large"], size=n, p=[0.45, 0.30, 0.15, 0.10]
    )
    ids = [f"S{i:05d}" for i in range(n)]
    prefixes = np.array(["Acorn", "Beacon", "Cedar", "Delta", "Ember", "Fern", "Granite", "Harbour",
                         "Iris", "Juniper", "Kestrel", "Linden", "Meridian", "Northwind", "Oak",
                         "Pioneer", "Quarry", "Riverbank", "Summit", "Thistle"])
    suffixes = np.array(["Services", "Supplies", "Consulting", "Works", "Care", "Digital",
                         "Facilities", "Clinical", "Logistics", "Partners"])
    names = [
        f"{prefixes[i % len(prefixes)]} {suffixes[(i // len(prefixes)) % len(suffixes)]} "
        f"{'Ltd' if b != 'micro' or i % 3 else 'CIC'} {i:05d} (demo)"
        for i, b in enumerate(bands)
    ]
    return pl.DataFrame({"supplier_id": ids, "supplier_name": names, "supplier_size_band": bands})


def invoices(n_invoices: int = 200_000, seed: int = 20260401) -> pl.DataFrame:
    """Generate ``n_invoices`` demo invoices across the 12 members and four periods.

    Shapes: most invoices paid near (before) terms, a lognormal late tail, a few disputed (paid
    later still), supplier size bands with more small suppliers than large, gross values
    log-uniform-ish from £50 to £5m with large suppliers billing more, and a few credit notes.
    Invoices are dated so that payment falls in one of :data:`PERIODS`.
    """
    rng = np.random.default_rng(seed)
    profiles = MEMBER_PROFILES
    weights = np.array([m.volume_weight for m in profiles])
    member_idx = rng.choice(len(profiles), size=n_invoices, p=weights / weights.sum())
    prof = {f: np.array([getattr(m, f) for m in profiles])[member_idx] for f in (
        "terms_days", "on_time_mean_days", "late_share", "late_mu", "late_sigma",
        "dispute_share", "sme_share", "improvement_per_period")}
    period_idx = rng.integers(0, len(PERIODS), size=n_invoices)
    starts = np.array([(p[1] - dt.date(1970, 1, 1)).days for p in PERIODS])
    ends = np.array([(p[2] - dt.date(1970, 1, 1)).days for p in PERIODS])
    # payment (supplier receipt) day uniform within the period
    pay_day = starts[period_idx] + (rng.random(n_invoices) * (ends - starts + 1)[period_idx]).astype(
        np.int64)

    late_share = np.clip(prof["late_share"] * prof["improvement_per_period"] ** period_idx, 0, 0.9)
    disputed = rng.random(n_invoices) < prof["dispute_share"]
    late = (rng.random(n_invoices) < late_share) | disputed
    terms = prof["terms_days"].astype(np.int64)
    # on-time: gamma around the member's mean, capped at terms
    on_time = np.minimum(
        rng.gamma(4.0, prof["on_time_mean_days"] / 4.0), terms
    ).round().astype(np.int64)
    days_late = np.ceil(rng.lognormal(prof["late_mu"], prof["late_sigma"])).astype(np.int64)
    days_late = np.where(disputed, days_late + rng.integers(15, 90, n_invoices), days_late)
    days_to_pay = np.where(late, terms + np.maximum(days_late, 1), on_time)
    days_to_pay = np.minimum(days_to_pay, 400)
    received = pay_day - days_to_pay
    invoice_date = received - rng.integers(0, 4, n_invoices)
    bacs_lag = rng.choice([1, 2, 3], size=n_invoices, p=[0.6, 0.3, 0.1])
    payment_date = np.maximum(pay_day - bacs_lag, received)

    # suppliers: pick by size band according to the member's SME share
    pool = _suppliers(rng, 4_000)
    pool_bands = pool["supplier_size_band"].to_numpy()
    is_sme = rng.random(n_invoices) < prof["sme_share"]
    sme_band = rng.choice(list(SIZE_MIX), size=n_invoices, p=list(SIZE_MIX.values()))
    band = np.where(is_sme, sme_band, "large")
    supplier_row = np.empty(n_invoices, dtype=np.int64)
    for b in ("micro", "small", "medium", "large"):
        rows = np.flatnonzero(pool_bands == b)
        mask = band == b
        # a few suppliers per band get most invoices (Zipf-like)
        ranks = rng.zipf(1.6, size=mask.sum()) % len(rows)
        supplier_row[mask] = rows[ranks]
    # values: log-uniform by band, clipped to £50 .. £5m
    lo = {"micro": np.log(50), "small": np.log(80), "medium": np.log(200), "large": np.log(500)}
    hi = {"micro": np.log(40_000), "small": np.log(250_000), "medium": np.log(1_500_000),
          "large": np.log(5_000_000)}
    lo_v = np.select([band == b for b in lo], [lo[b] for b in lo])
    hi_v = np.select([band == b for b in hi], [hi[b] for b in hi])
    u = rng.random(n_invoices) ** 1.8  # skew towards smaller invoices
    gross = np.round(np.exp(lo_v + u * (hi_v - lo_v)), 2)
    credit = rng.random(n_invoices) < 0.004
    gross = np.where(credit, -np.round(gross / 10, 2).clip(50, None), gross)

    epoch = dt.date(1970, 1, 1)
    to_date = lambda a: pl.Series(a, dtype=pl.Int32).cast(pl.Date)
    order = np.lexsort((pay_day, member_idx))
    org_ids = np.array([m.org_id for m in profiles])
    df = pl.DataFrame(
        {
            "buyer_org_id": org_ids[member_idx],
            "supplier_id": pool["supplier_id"].to_numpy()[supplier_row],
            "supplier_name": pool["supplier_name"].to_numpy()[supplier_row],
            "supplier_size_band": band,
            "invoice_id": [f"INV{i:07d}" for i in range(n_invoices)],
            "regime": np.where(pay_day >= (dt.date(2025, 2, 24) - epoch).days, "pa2023", "pcr_2015"),
            "invoice_date": to_date(invoice_date),
            "invoice_received_date": to_date(received),
            "agreed_terms_days": terms,
            "due_date": to_date(received + terms),
            "disputed": disputed,
            "payment_date": to_date(payment_date),
            "supplier_received_date": to_date(pay_day),
            "gross_amount_gbp": gross,
            "net_amount_gbp": np.round(gross / 1.2, 2),
            "vat_gbp": np.round(gross - gross / 1.2, 2),
            "currency": "GBP",
            "is_credit_note": credit,
            "spend_category": rng.choice(CATEGORIES, size=n_invoices),
        }
    )[order]
    df = df.with_columns(
        pl.lit("eu_2003_361").alias("supplier_size_basis"),
        pl.lit("lainbench demo (synthetic)").alias("source_dataset"),
        (pl.int_range(1, pl.len() + 1)).cast(pl.String).alias("source_row_id"),
        pl.lit(dt.datetime(2026, 10, 1, tzinfo=dt.UTC)).alias("ingested_at"),
    )
    return INVOICE_PAYMENT.conform(df, source="demo invoices")


def write_demo(out_dir: str | Path, n_invoices: int = 200_000, seed: int = 20260401) -> dict[str, Path]:
    """Write the demo tables to ``out_dir``: ``invoice_payment``, ``member``, ``periods`` and
    ``insurance_requirement`` (from :mod:`lainbench.demo.insurance`), each as parquet.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "invoice_payment": out / "invoice_payment.parquet",
        "member": out / "member.parquet",
        "periods": out / "periods.parquet",
    }
    frames = {
        "invoice_payment": invoices(n_invoices, seed),
        "member": members(),
        "periods": periods(),
    }
    for key, path in paths.items():
        tmp = path.with_name(f".{path.name}.tmp")
        frames[key].write_parquet(tmp)
        tmp.replace(path)
    from lainbench.demo.insurance import write_insurance_demo

    paths["insurance_requirement"] = write_insurance_demo(out, seed=seed)
    return paths
