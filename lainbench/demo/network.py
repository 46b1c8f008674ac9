"""Synthetic demo data for the network metrics: supplier registers, spend lines, contract awards
and payment terms for the 12 demo members, generated from a seed. Nothing here is real.

Shapes (see ``data/README.md``): each member's register hides the size band of a member-specific
share of its suppliers (4-45 %) and the ownership of another (15-80 %); spend lines include
payroll, pensions, taxes, inter-authority transfers, grants, business rates and member-specific
non-addressable categories; contract awards run from April 2021 (so the cumulative figures cover
the network's reporting since 2021, in billions of pounds over thousands of contracts), some
reserved (PPN 11/20, then PPN 005 with location), some frameworks; payment terms before and after a
review for nine members, current terms only for three.

Supplier ids and names are those of ``invoice_payment.parquet`` when it is in ``out_dir`` (each
member's register lists the suppliers it pays there), topped up from a pool drawn the same way so
every member has at least 50 MSME and 20 large suppliers.

>>> t = network_demo(seed=1, lines_per_member_period=200)
>>> sorted(t), t["supplier"]["buyer_org_id"].n_unique()
(['contract_award', 'payment_terms', 'spend_line', 'supplier'], 12)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from lainbench.demo.invoices import _suppliers
from lainbench.demo.members import CATEGORIES, MEMBER_PROFILES, PERIODS
from lainbench.schemas import CONTRACT_AWARD, PAYMENT_TERMS, SPEND_LINE, SUPPLIER

SOURCE = "lainbench demo (synthetic)"
INGESTED = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
BASE_DATE = dt.date(2021, 4, 1)

# org_id: (total spend per half-year £m, true MSME value share of addressable spend,
#          size unknown share, ownership unknown share, London supplier share, postcode missing)
MEMBER_SHAPES: dict[str, tuple[float, float, float, float, float, float]] = {
    "northgate_nhs": (180, 0.17, 0.20, 0.70, 0.60, 0.10),
    "riverside_nhs": (120, 0.21, 0.30, 0.80, 0.55, 0.15),
    "capital_transport": (900, 0.27, 0.06, 0.35, 0.65, 0.03),
    "thameside_water": (400, 0.22, 0.12, 0.55, 0.45, 0.05),
    "eastbank_council": (250, 0.36, 0.04, 0.15, 0.75, 0.02),
    "westmere_council": (220, 0.31, 0.18, 0.45, 0.70, 0.08),
    "metro_policing": (350, 0.24, 0.10, 0.40, 0.60, 0.05),
    "city_fire": (60, 0.33, 0.08, 0.30, 0.70, 0.04),
    "kingsbridge_uni": (110, 0.26, 0.35, 0.65, 0.50, 0.20),
    "aldates_uni": (80, 0.22, 0.45, 0.75, 0.50, 0.25),
    "greater_city": (300, 0.34, 0.05, 0.20, 0.80, 0.02),
    "hillside_mh_nhs": (50, 0.25, 0.25, 0.60, 0.65, 0.12),
}
# non-addressable categories: share of a member's total spend
NON_ADDRESSABLE = {
    "payroll": 0.16, "pensions": 0.04, "taxes_and_levies": 0.05,
    "inter_authority_transfers": 0.04, "grants": 0.02, "business_rates": 0.01,
    "financing": 0.01, "refunds": 0.004,
}
MEMBER_EXTRA = {"thameside_water": ("regulatory_charges", 0.03),
                "capital_transport": ("concession_payments", 0.04)}
MEMBER_FLAGGED_SHARE = 0.003  # lines the member's own file marks not addressable
LONDON_PC = ("E1", "E8", "N1", "N7", "SE1", "SE15", "SW1A", "SW9", "W1", "W12", "EC1", "EC2",
             "WC1", "NW1", "CR0", "BR1", "HA1", "IG1", "RM1", "TW1", "UB1", "KT1", "SM1", "EN1")
OTHER_PC = ("M1", "B1", "LS1", "BS1", "CB1", "OX1", "RG1", "GU1", "ME1", "CM1", "MK9", "SL1")
NOT_REVIEWED = ("thameside_water", "aldates_uni", "hillside_mh_nhs")


def _pools(out_dir: Path | None, rng: np.random.Generator) -> pl.DataFrame:
    """``buyer_org_id, supplier_id, supplier_name, true_band``: the suppliers each member pays."""
    pool = _suppliers(rng, 4_000).rename({"supplier_size_band": "true_band"})
    inv = None if out_dir is None else Path(out_dir) / "invoice_payment.parquet"
    if inv is not None and inv.exists():
        paid = (pl.scan_parquet(inv)
                .select("buyer_org_id", "supplier_id", "supplier_name",
                        pl.col("supplier_size_band").alias("true_band"))
                .unique(["buyer_org_id", "supplier_id"]).collect())
    else:
        paid = pl.DataFrame(schema={"buyer_org_id": pl.String, "supplier_id": pl.String,
                                    "supplier_name": pl.String, "true_band": pl.String})
    parts = []
    for m in MEMBER_PROFILES:
        mine = paid.filter(pl.col("buyer_org_id") == m.org_id).drop("buyer_org_id")
        # a small invoice demo may leave a member with few suppliers of a kind: top up from the
        # pool so every member has at least 50 MSME and 20 large suppliers
        for is_large, need in ((False, 50), (True, 20)):
            have = mine.filter((pl.col("true_band") == "large") == is_large).height
            if have < need:
                extra = pool.filter(((pl.col("true_band") == "large") == is_large)
                                    & ~pl.col("supplier_id").is_in(mine["supplier_id"].implode()))
                take = np.sort(rng.choice(extra.height, size=need - have, replace=False))
                mine = pl.concat([mine, extra[take]])
        parts.append(mine.with_columns(pl.lit(m.org_id).alias("buyer_org_id")))
    return (pl.concat(parts).select("buyer_org_id", "supplier_id", "supplier_name", "true_band")
            .sort("buyer_org_id", "supplier_id"))


def _s(values: np.ndarray) -> pl.Series:
    """Text with gaps (numpy object array with ``None``) as a polars string column."""
    return pl.Series([None if v is None else str(v) for v in values.tolist()], dtype=pl.String)


def _tri(rng: np.random.Generator, p_true: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    val = np.where(rng.random(len(p_true)) < p_true, "true", "false")
    return np.where(unknown, "unknown", val)


def suppliers_register(pools: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Each member's supplier register, with hidden sizes and unknown ownership by member."""
    parts = []
    for org_id, (_, _, size_unknown, own_unknown, london, pc_missing) in MEMBER_SHAPES.items():
        p = pools.filter(pl.col("buyer_org_id") == org_id)
        n = p.height
        band = p["true_band"].to_numpy()
        hide = rng.random(n) < size_unknown
        sme = band != "large"
        source = rng.choice(["buyer_register", "companies_house", "supplier_declaration",
                             "notice_scale"], size=n, p=[0.35, 0.3, 0.3, 0.05])
        own_unknown_mask = rng.random(n) < own_unknown
        em = _tri(rng, np.where(sme, 0.12, 0.03), own_unknown_mask)
        women = _tri(rng, np.where(sme, 0.18, 0.06), own_unknown_mask)
        disabled = _tri(rng, np.where(sme, 0.04, 0.01), own_unknown_mask)
        diverse = np.where(own_unknown_mask, "unknown",
                           np.where((em == "true") | (women == "true") | (disabled == "true"),
                                    "true", "false"))
        vcse = _tri(rng, np.where(band == "micro", 0.10, np.where(sme, 0.04, 0.0)),
                    rng.random(n) < own_unknown * 0.8)
        social = np.where(vcse == "true", np.where(rng.random(n) < 0.5, "true", "false"), vcse)
        in_london = rng.random(n) < london
        pc_out = np.where(in_london, rng.choice(LONDON_PC, n), rng.choice(OTHER_PC, n))
        inward = [f"{d}{a}{b}" for d, a, b in zip(rng.integers(1, 10, n),
                                                   rng.choice(list("ABDEFGHJLNPQRSTUWXYZ"), n),
                                                   rng.choice(list("ABDEFGHJLNPQRSTUWXYZ"), n),
                                                   strict=True)]
        missing = rng.random(n) < pc_missing
        postcode = np.where(missing, None, np.char.add(np.char.add(pc_out.astype(str), " "),
                                                       np.array(inward)))
        is_london = np.where(missing, "unknown", np.where(in_london, "true", "false"))
        has_ch = rng.random(n) < 0.75
        ch = np.where(has_ch, [f"{x:08d}" for x in rng.integers(1_000_000, 16_000_000, n)], None)
        as_of = np.datetime64("2024-04-01") + rng.integers(0, 700, n)
        parts.append(pl.DataFrame({
            "buyer_org_id": org_id,
            "supplier_id": p["supplier_id"],
            "supplier_name": p["supplier_name"],
            "companies_house_number": _s(ch),
            "size_band": np.where(hide, "unknown", band),
            "size_source": np.where(hide, "unknown", source),
            "size_as_of_date": pl.Series(np.where(hide, np.datetime64("NaT"), as_of)
                                         .astype("datetime64[D]")),
            "diverse_led": diverse, "ethnic_minority_led": em, "women_led": women,
            "disabled_led": disabled, "vcse": vcse, "social_enterprise": social,
            "ownership_source": _s(np.where(own_unknown_mask, None, "supplier_declaration")),
            "ownership_as_of_date": pl.Series(np.where(own_unknown_mask, np.datetime64("NaT"),
                                                       as_of).astype("datetime64[D]")),
            "postcode": _s(postcode),
            "is_london": is_london,
        }))
    df = pl.concat(parts).with_columns(_lineage())
    return SUPPLIER.conform(df, source="demo suppliers")


def _lineage() -> list[pl.Expr]:
    return [pl.lit(SOURCE).alias("source_dataset"),
            pl.int_range(1, pl.len() + 1).cast(pl.String).alias("source_row_id"),
            pl.lit(INGESTED).alias("ingested_at")]


def _days(rng: np.random.Generator, start: dt.date, end: dt.date, n: int) -> pl.Series:
    span = (end - start).days + 1
    base = (start - dt.date(1970, 1, 1)).days
    return pl.Series(base + rng.integers(0, span, n), dtype=pl.Int32).cast(pl.Date)


def spend_lines(pools: pl.DataFrame, rng: np.random.Generator, lines_per_member_period: int
                ) -> pl.DataFrame:
    """Payments per member and period: addressable lines to its suppliers (values shaped so the
    MSME share by value is the member's, rising a point a period) and non-addressable lines.
    """
    parts = []
    for org_id, (total_m, msme_share, *_rest) in MEMBER_SHAPES.items():
        p = pools.filter(pl.col("buyer_org_id") == org_id)
        ids, names = p["supplier_id"].to_numpy(), p["supplier_name"].to_numpy()
        band = p["true_band"].to_numpy()
        extra = MEMBER_EXTRA.get(org_id)
        non_share = sum(NON_ADDRESSABLE.values()) + (extra[1] if extra else 0.0)
        for k, (_, start, end) in enumerate(PERIODS):
            total = total_m * 1e6 * rng.uniform(0.95, 1.05)
            addressable = total * (1 - non_share)
            share = min(msme_share + 0.01 * k, 0.9)
            n = lines_per_member_period
            # addressable: MSME and large lines, each side scaled to its value
            n_sme = int(n * 0.6)
            sme_rows = np.flatnonzero(band != "large")
            large_rows = np.flatnonzero(band == "large")
            pick_sme = sme_rows[rng.zipf(1.5, n_sme) % len(sme_rows)]
            pick_large = large_rows[rng.zipf(1.3, n - n_sme) % len(large_rows)]
            rows = np.concatenate([pick_sme, pick_large])
            raw = rng.lognormal(np.where(band[rows] == "large", 10.5, 9.0), 1.3)
            is_sme = np.arange(n) < n_sme
            amt = np.where(is_sme, raw / raw[is_sme].sum() * addressable * share,
                           raw / raw[~is_sme].sum() * addressable * (1 - share))
            flagged = rng.random(n) < MEMBER_FLAGGED_SHARE
            parts.append(pl.DataFrame({
                "buyer_org_id": org_id, "supplier_id": ids[rows], "supplier_name": names[rows],
                "amount_gbp": np.round(amt, 2),
                "payment_date": _days(rng, start, end, n),
                "spend_category": np.where(flagged, "other", rng.choice(CATEGORIES, n)),
                "is_addressable": pl.Series([False if f else None for f in flagged],
                                            dtype=pl.Boolean),
            }))
            # non-addressable lines: a few large payments per category
            cats = dict(NON_ADDRESSABLE)
            if extra:
                cats[extra[0]] = extra[1]
            for cat, s in cats.items():
                m = 6
                w = rng.dirichlet(np.ones(m))
                parts.append(pl.DataFrame({
                    "buyer_org_id": org_id,
                    "supplier_id": f"PUB-{cat.upper()[:12]}",
                    "supplier_name": f"{cat.replace('_', ' ').title()} (demo payee)",
                    "amount_gbp": np.round(w * total * s, 2),
                    "payment_date": _days(rng, start, end, m),
                    "spend_category": cat,
                    "is_addressable": pl.Series([None] * m, dtype=pl.Boolean),
                }))
    df = pl.concat(parts, how="diagonal_relaxed").sort("buyer_org_id", "payment_date")
    df = df.with_columns(
        pl.format("SL{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(7))
        .alias("line_id"),
        pl.lit("net").alias("amount_basis"),
        pl.lit(500.0).alias("publication_threshold_gbp"),
        pl.lit(None, pl.String).alias("exclusion_reason"),
        *_lineage())
    return SPEND_LINE.conform(df, source="demo spend lines")


def contract_awards(pools: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Awards from April 2021 to September 2026: about 1,050 a year across the network, half to
    MSMEs; below-threshold MSME awards sometimes reserved; a fifth call-offs under frameworks.
    """
    end = PERIODS[-1][2]
    years = (end - BASE_DATE).days / 365.25
    total_m = sum(v[0] for v in MEMBER_SHAPES.values())
    parts = []
    for org_id, (spend_m, msme_share, *_r) in MEMBER_SHAPES.items():
        p = pools.filter(pl.col("buyer_org_id") == org_id)
        band = p["true_band"].to_numpy()
        n = round(1_050 * years * spend_m / total_m)
        n = max(n, 40)
        to_sme = rng.random(n) < min(0.35 + msme_share, 0.8)
        sme_rows = np.flatnonzero(band != "large")
        large_rows = np.flatnonzero(band == "large")
        rows = np.where(to_sme, sme_rows[rng.integers(0, len(sme_rows), n)],
                        large_rows[rng.integers(0, len(large_rows), n)])
        value = np.where(to_sme, rng.lognormal(np.log(250_000), 1.6, n),
                         rng.lognormal(np.log(600_000), 1.7, n))
        value = np.round(np.clip(value, 5_000, 250_000_000), 2)
        date = _days(rng, BASE_DATE, end, n)
        after_pa = (date >= dt.date(2025, 2, 24)).to_numpy()
        below = value < 214_904
        reserved = to_sme & below & (rng.random(n) < 0.22)
        basis_pre = rng.choice(["sme", "vcse", "location"], n, p=[0.6, 0.15, 0.25])
        basis_post = rng.choice(["location", "sme_and_location", "vcse_and_location"], n,
                                p=[0.3, 0.55, 0.15])
        basis = np.where(reserved, np.where(after_pa, basis_post, basis_pre), None)
        framework = rng.random(n) < 0.2
        procedure = np.where(
            below, rng.choice(["below_threshold_open", "quotation"], n),
            np.where(after_pa, rng.choice(["open", "competitive_flexible", "direct_award"], n,
                                          p=[0.6, 0.3, 0.1]),
                     rng.choice(["open", "restricted", "negotiated"], n, p=[0.6, 0.3, 0.1])))
        true_band = band[rows]
        scale_known = rng.random(n) < 0.5
        parts.append(pl.DataFrame({
            "buyer_org_id": org_id,
            "award_id": [f"{org_id[:4].upper()}-{i:05d}" for i in range(n)],
            "contract_title": rng.choice([f"{c} services" for c in CATEGORIES], n),
            "supplier_id": p["supplier_id"].to_numpy()[rows],
            "supplier_name": p["supplier_name"].to_numpy()[rows],
            "supplier_scale": np.where(scale_known, np.where(true_band == "large", "large", "sme"),
                                       "unknown"),
            "value_gbp": value,
            "value_basis": rng.choice(["net", "gross"], n, p=[0.9, 0.1]),
            "award_date": date,
            "procedure": np.where(framework, "framework_call_off", procedure),
            "lot_id": _s(np.where(rng.random(n) < 0.3,
                                     [f"L{x}" for x in rng.integers(1, 6, n)], None)),
            "is_reserved": reserved,
            "reservation_basis": _s(basis),
            "is_framework": framework,
            "value_split_unknown": framework & (rng.random(n) < 0.1),
        }))
    df = pl.concat(parts).sort("buyer_org_id", "award_date").with_columns(
        pl.lit("contract_award").alias("notice_type"), *_lineage())
    return CONTRACT_AWARD.conform(df, source="demo contract awards")


def payment_terms(rng: np.random.Generator) -> pl.DataFrame:
    """Terms by category (and for micro/small suppliers where a member sets them apart), before a
    review (April 2024) and after (October 2025); three members only have current terms.
    """
    rows = []
    for m in MEMBER_PROFILES:
        base = m.terms_days
        pages_before = int(rng.integers(18, 31))
        reviewed = m.org_id not in NOT_REVIEWED
        for cat in CATEGORIES:
            eom = m.org_id == "thameside_water" or (cat == "works" and rng.random() < 0.3)
            before = base + (15 if cat == "works" and base == 30 else 0)
            common = {"buyer_org_id": m.org_id, "spend_category": cat,
                      "dispute_window_days": int(rng.choice([10, 14, 30])),
                      "e_invoicing_accepted": bool(rng.random() < 0.7)}
            if reviewed:
                rows.append(dict(common, supplier_size_band="all", standard_terms_days=before,
                                 terms_basis="end_of_month" if eom else "invoice_receipt",
                                 supply_chain_finance_offered=False,
                                 terms_conditions_pages=pages_before,
                                 as_of_date=dt.date(2024, 4, 1), review_stage="before_review"))
                after = min(before, 30) if m.org_id != "greater_city" else 10
                rows.append(dict(common, supplier_size_band="all", standard_terms_days=after,
                                 terms_basis="invoice_receipt",
                                 supply_chain_finance_offered=bool(rng.random() < 0.3),
                                 terms_conditions_pages=int(rng.integers(6, 13)),
                                 as_of_date=dt.date(2025, 10, 1), review_stage="after_review",
                                 e_invoicing_accepted=True))
                if cat in ("facilities", "consultancy"):
                    rows.append(dict(common, supplier_size_band="micro",
                                     standard_terms_days=min(after, 10),
                                     terms_basis="invoice_receipt",
                                     supply_chain_finance_offered=False,
                                     terms_conditions_pages=6, as_of_date=dt.date(2025, 10, 1),
                                     review_stage="after_review"))
            else:
                rows.append(dict(common, supplier_size_band="all", standard_terms_days=before,
                                 terms_basis="end_of_month" if eom else "invoice_receipt",
                                 supply_chain_finance_offered=False,
                                 terms_conditions_pages=pages_before,
                                 as_of_date=dt.date(2025, 4, 1), review_stage="current"))
    df = pl.DataFrame(rows).with_columns(*_lineage())
    return PAYMENT_TERMS.conform(df, source="demo payment terms")


def network_demo(seed: int = 20260401, out_dir: str | Path | None = None,
                 lines_per_member_period: int = 2_500) -> dict[str, pl.DataFrame]:
    """The four demo tables: ``supplier``, ``spend_line``, ``contract_award``, ``payment_terms``."""
    rng = np.random.default_rng(seed + 11)
    pools = _pools(Path(out_dir) if out_dir is not None else None, rng)
    suppliers = suppliers_register(pools, rng)
    return {
        "supplier": suppliers,
        "spend_line": spend_lines(pools, rng, lines_per_member_period),
        "contract_award": contract_awards(pools, rng),
        "payment_terms": payment_terms(rng),
    }


def write_network_demo(out_dir: str | Path, seed: int = 20260401) -> dict[str, Path]:
    """Write ``supplier``, ``spend_line``, ``contract_award`` and ``payment_terms`` parquet files
    into ``out_dir`` (atomically); returns their paths.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from lainbench.outputs import write_tables

    return write_tables(out, **network_demo(seed, out))
