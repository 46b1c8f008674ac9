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


# Procurement Act 2023 main commencement: procurements commenced before it stay under PCR 2015
PA2023_COMMENCEMENT = dt.date(2025, 2, 24)
EXTRACT_DATE = dt.date(2026, 10, 31)  # the demo ledger is read on 1 Nov 2026
SPILL_SHARE = 0.03  # invoices received in the last 60 days of the last period
SPILL_WINDOW_DAYS = 60
CONTRACT_DAYS = 365  # each buyer-supplier pair runs successive one-year contracts
LEGACY_SHARE = 0.3  # contracts starting after commencement whose procurement began before it


def _with_contracts(df: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Group invoices into contracts (``contract_id``) with a ``procurement_commenced_date`` and
    the ``regime`` that follows from it: ``pcr_2015`` when the procurement commenced before
    24 Feb 2025 (so PCR 2015 contracts still invoice in 2026), else ``pa2023``.

    Each buyer-supplier pair runs successive one-year contracts from a random phase. A contract
    whose first invoice is received less than 30 days after commencement, or (with probability
    :data:`LEGACY_SHARE`) any other, was procured before it: commenced 30-730 days before the
    earlier of its first invoice and 23 Feb 2025. The rest commenced between 24 Feb 2025 and
    30 days before their first invoice.
    """
    epoch = dt.date(1970, 1, 1)
    pa = (PA2023_COMMENCEMENT - epoch).days
    pairs = df.select("buyer_org_id", "supplier_id").unique().sort("buyer_org_id", "supplier_id")
    pairs = pairs.with_columns(
        pl.Series("__phase", rng.integers(0, CONTRACT_DAYS, pairs.height), dtype=pl.Int64))
    received = pl.col("invoice_received_date").cast(pl.Int64)
    df = df.join(pairs, on=["buyer_org_id", "supplier_id"], how="left").with_columns(
        ((received - pl.col("__phase")) // CONTRACT_DAYS).alias("__term"))
    df = df.with_columns(pl.format("C-{}-{}-{}", "buyer_org_id", "supplier_id", "__term")
                         .alias("contract_id"))
    contracts = (df.group_by("contract_id").agg(received.min().alias("__first"))
                 .sort("contract_id"))
    u, v = rng.random(contracts.height), rng.random(contracts.height)
    first = contracts["__first"].to_numpy()
    legacy = (first < pa + 30) | (u < LEGACY_SHARE)
    old = np.minimum(first, pa - 1) - (30 + np.floor(v * 700)).astype(np.int64)
    new = pa + np.floor(v * np.maximum(first - 30 - pa, 0)).astype(np.int64)
    commenced = np.where(legacy, old, new)
    contracts = contracts.with_columns(
        pl.Series("procurement_commenced_date", commenced, dtype=pl.Int32).cast(pl.Date),
        pl.Series("regime", np.where(commenced >= pa, "pa2023", "pcr_2015")),
    ).drop("__first")
    return df.join(contracts, on="contract_id", how="left", maintain_order="left").drop(
        "__phase", "__term")


def invoices(n_invoices: int = 200_000, seed: int = 20260401) -> pl.DataFrame:
    """Generate ``n_invoices`` demo invoices across the 12 members and four periods.

    Shapes: most invoices paid near (before) terms, a lognormal late tail, a few disputed (paid
    later still, with the dates the dispute was raised and resolved), supplier size bands with
    more small suppliers than large, gross values log-uniform-ish from £50 to £5m with large
    suppliers billing more, and a few credit notes. Invoices are dated so that payment falls in
    one of :data:`PERIODS`, except a spill of :data:`SPILL_SHARE` received in the last 60 days of
    the last period: those are paid when their days to pay fall, after the period's end up to
    the extract date :data:`EXTRACT_DATE`, or are still unpaid then (no payment dates; an open
    dispute has no resolution date). Invoices belong to contracts (``contract_id``) with a
    ``procurement_commenced_date``, whose ``regime`` follows from it (:func:`_with_contracts`).
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
    # --- appended draws (issue 14): every draw above is unchanged, so invoices outside the
    # spill keep their dates exactly.
    # Spill: a share of invoices is received in the last two months of the last period and paid
    # when its days to pay say, so some are paid after 30 Sep 2026 (up to the extract date) and
    # some are still unpaid at the extract: reg 38(2)(d) and "unpaid at period end" have cases.
    last_end = (PERIODS[-1][2] - epoch).days
    extract = (EXTRACT_DATE - epoch).days
    spill = rng.random(n_invoices) < SPILL_SHARE
    spill_received = last_end - rng.integers(0, SPILL_WINDOW_DAYS, n_invoices)
    shift = np.where(spill, spill_received - received, 0)
    received = received + shift
    invoice_date = invoice_date + shift
    pay_day = pay_day + shift
    payment_date = payment_date + shift
    unpaid = pay_day > extract
    # disputes: raised a few days after receipt, resolved a few days before payment (never after
    # it, never before it was raised); still open (no date) when the invoice is unpaid
    raised = received + rng.integers(1, 11, n_invoices)
    resolved = np.maximum(payment_date - rng.integers(1, 11, n_invoices), raised + 1)
    resolved = np.minimum(resolved, payment_date)
    to_date = lambda a: pl.Series(a, dtype=pl.Int32).cast(pl.Date)
    to_date_or_null = lambda a, null: pl.Series(np.where(null, 0, a), dtype=pl.Int32).cast(
        pl.Date).scatter(np.flatnonzero(null), None)
    order = np.lexsort((pay_day, member_idx))
    org_ids = np.array([m.org_id for m in profiles])
    df = pl.DataFrame(
        {
            "buyer_org_id": org_ids[member_idx],
            "supplier_id": pool["supplier_id"].to_numpy()[supplier_row],
            "supplier_name": pool["supplier_name"].to_numpy()[supplier_row],
            "supplier_size_band": band,
            "invoice_id": [f"INV{i:07d}" for i in range(n_invoices)],
            "invoice_date": to_date(invoice_date),
            "invoice_received_date": to_date(received),
            "agreed_terms_days": terms,
            "due_date": to_date(received + terms),
            "disputed": disputed,
            "dispute_raised_date": to_date_or_null(raised, ~disputed),
            "dispute_resolved_date": to_date_or_null(resolved, ~disputed | unpaid),
            "payment_date": to_date_or_null(payment_date, unpaid),
            "supplier_received_date": to_date_or_null(pay_day, unpaid),
            "gross_amount_gbp": gross,
            "net_amount_gbp": np.round(gross / 1.2, 2),
            "vat_gbp": np.round(gross - gross / 1.2, 2),
            "currency": "GBP",
            "is_credit_note": credit,
            "spend_category": rng.choice(CATEGORIES, size=n_invoices),
        }
    )[order]
    df = _with_contracts(df, rng)
    df = df.with_columns(
        pl.lit("eu_2003_361").alias("supplier_size_basis"),
        pl.lit("lainbench demo (synthetic)").alias("source_dataset"),
        (pl.int_range(1, pl.len() + 1)).cast(pl.String).alias("source_row_id"),
        pl.lit(dt.datetime.combine(EXTRACT_DATE + dt.timedelta(days=1), dt.time(),
                                   tzinfo=dt.UTC)).alias("ingested_at"),
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
