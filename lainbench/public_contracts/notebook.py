"""Notebook 07 (public contracts): its parameters and the one function that builds its tables.

:func:`public_contracts` is shared-stage-ready: given OCDS paths and a buyer selection it returns
every table the notebook shows, as a dict of polars frames, so a pack can run it once and reuse
the tables.

>>> tabs = public_contracts(["data/examples/ocds"], "all", companies_path="data/examples/ocds/companies.csv")
>>> sorted(tabs)[:4]
['awards', 'buyers', 'by_buyer', 'by_procedure']
>>> tabs["overall"]["award_rows"][0] > 0
True
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import Field

from lainbench.config import resolve
from lainbench.errors import IngestError
from lainbench.params import RunParams
from lainbench.public_contracts import measures
from lainbench.public_contracts.resolve import (
    award_suppliers,
    load_manual_mapping,
    match_summary,
    match_suppliers,
)

SAMPLES = "../shared/real-data/procurement-samples"
EXAMPLES = "data/examples/ocds"


class PublicContractsParams(RunParams):
    """Parameters of ``notebooks/07_public_contracts.ipynb``."""

    ocds_paths: list[str] = Field(
        default_factory=lambda: [f"{SAMPLES}/fts", f"{SAMPLES}/contracts_finder"],
        description="OCDS files or folders (FTS and Contracts Finder release packages)")
    fallback_paths: list[str] = Field(
        default_factory=lambda: [EXAMPLES],
        description="used, with a message, when none of ocds_paths exists (fictional examples)")
    buyers: list[str] | Literal["all", "london"] = Field(
        "all", description="'all', 'london' (buyer postcode in Greater London) or name patterns "
                           "(case-insensitive regular expressions)")
    companies_path: str | None = Field(
        f"{SAMPLES}/companies_house/BasicCompanyData_head31_c2021-01.csv",
        description="Companies House BasicCompanyData CSV (or a company parquet); optional")
    fallback_companies_path: str | None = Field(f"{EXAMPLES}/companies.csv")
    manual_mapping_path: str | None = Field(None, description="CSV supplier -> company number")
    min_name_score: float | None = Field(None, ge=0, le=100,
                                         description="override params/supplier_matching.yaml")
    output_dir: str = "reports/public_contracts"


def available_paths(paths: list[str], fallback: list[str]) -> tuple[list[Path], str | None]:
    """The paths that exist, else the fallback ones, and a message saying what happened.

    >>> used, msg = available_paths(["no/such/folder"], ["data/examples/ocds"])
    >>> used[0].name, msg.startswith("None of the OCDS paths")
    ('ocds', True)
    """
    found = [resolve(p) for p in paths if resolve(p).exists()]
    if found:
        missing = [p for p in paths if not resolve(p).exists()]
        return found, (f"Not found (left out): {', '.join(missing)}" if missing else None)
    fb = [resolve(p) for p in fallback if resolve(p).exists()]
    if not fb:
        raise IngestError(
            f"None of the OCDS paths exists ({', '.join(paths)}) and neither do the fallback "
            f"examples ({', '.join(fallback)}); give ocds_paths pointing at FTS / Contracts "
            "Finder release packages")
    return fb, (f"None of the OCDS paths exists ({', '.join(paths)}): the public samples live "
                f"outside the repository. Running on the FICTIONAL examples in "
                f"{', '.join(fallback)} instead; no figure below describes a real buyer.")


def available_file(path: str | None, fallback: str | None) -> tuple[str | None, str | None]:
    """``path`` if it exists, else ``fallback`` (if it exists), and a message when falling back.

    >>> available_file("no/such.csv", "data/examples/ocds/companies.csv")[0]
    'data/examples/ocds/companies.csv'
    """
    if path and resolve(path).exists():
        return path, None
    if fallback and resolve(fallback).exists():
        return fallback, (f"Company file {path} not found: using the FICTIONAL {fallback}"
                          if path else None)
    return None, (f"Company file {path} not found: suppliers are sized from notices only"
                  if path else None)


def _read_companies(path: str | Path | None) -> tuple[pl.DataFrame | None, list[str]]:
    if path is None:
        return None, []
    p = resolve(path)
    if not p.exists():
        return None, [f"company file {path} not found: suppliers sized from notices only"]
    if p.suffix == ".parquet":
        return pl.read_parquet(p), []
    from lainbench.ingest.companies import ingest_companies

    res = ingest_companies(p)
    return res.accepted, [res.summary()]


def select_buyers(buyers: pl.DataFrame, selection: list[str] | str) -> pl.DataFrame:
    """Buyers chosen by ``'all'``, ``'london'`` (postcode) or a list of name patterns.

    Buyers are grouped by normalised name (``buyer_group``, shown in its mixed-case spelling):
    Contracts Finder lists one body under several ids.

    >>> b = pl.DataFrame({"buyer_id": ["1", "2", "3"], "buyer_name": ["LB Merton", "London Borough of Merton", "Leeds"],
    ...     "buyer_name_normalised": ["lb merton", "london borough of merton", "leeds"], "is_london": ["true", "true", "false"]})
    >>> select_buyers(b, ["merton"])["buyer_id"].to_list(), select_buyers(b, "london").height
    (['1', '2'], 2)
    >>> b2 = pl.DataFrame({"buyer_id": ["1", "2"], "buyer_name": ["HARROW COUNCIL", "Harrow Council"],
    ...     "buyer_name_normalised": ["harrow council"] * 2, "is_london": ["true"] * 2})
    >>> select_buyers(b2, "all")["buyer_group"].to_list()
    ['Harrow Council', 'Harrow Council']
    """
    if selection == "all":
        chosen = buyers
    elif selection == "london":
        chosen = buyers.filter(pl.col("is_london") == "true")
    else:
        rx = "(?i)" + "|".join(f"(?:{p})" for p in selection)
        try:
            re.compile(rx)
        except re.error as exc:
            raise IngestError(f"buyers: {selection!r} is not a valid list of patterns ({exc})") from None
        chosen = buyers.filter(pl.col("buyer_name").str.contains(rx))
    # one display name per group: a mixed-case spelling before an all-capitals one, then A-Z
    return chosen.with_columns(
        pl.col("buyer_name").sort_by(pl.col("buyer_name") == pl.col("buyer_name").str.to_uppercase(),
                                     pl.col("buyer_name"))
        .first().over("buyer_name_normalised").alias("buyer_group"))


def _ingest_all(paths: list[Path]) -> tuple[dict[str, pl.DataFrame], list[str]]:
    from lainbench.ingest.ocds import ingest_ocds

    parts: dict[str, list[pl.DataFrame]] = {"awards": [], "suppliers": [], "buyers": [], "rejects": []}
    lines = []
    for p in paths:
        res = ingest_ocds(p)
        parts["awards"].append(res.accepted)
        parts["suppliers"].append(res.suppliers)
        parts["buyers"].append(res.buyers)
        parts["rejects"].append(res.rejects)
        lines.append(res.summary())
        lines += [f"  {n}" for n in res.notes]
    out = {k: pl.concat(v) for k, v in parts.items()}
    out["buyers"] = out["buyers"].unique("buyer_id", keep="last", maintain_order=True)
    return out, lines


def public_contracts(ocds_paths: list[str], buyers: list[str] | str = "all", *,
                     companies_path: str | None = None, manual_mapping_path: str | None = None,
                     min_name_score: float | None = None) -> dict[str, pl.DataFrame]:
    """Every table of notebook 07, from OCDS files and a buyer selection.

    Returns ``buyers`` (selected, with ``buyer_group``), ``awards`` (selected buyers' award rows
    with size band, source and group), ``match_report`` and ``match_summary`` (supplier
    resolution), ``overall``, ``by_buyer``, ``by_procedure``, ``by_suitability`` and
    ``by_reservation`` (shares, see :func:`measures.sme_shares`), ``rejects`` and ``caveats``
    (one row per line of accounting and caveat text).
    """
    paths = [resolve(p) for p in ocds_paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise IngestError(f"OCDS path(s) not found: {', '.join(missing)}")
    data, lines = _ingest_all(paths)
    companies, co_lines = _read_companies(companies_path)
    lines += co_lines
    chosen = select_buyers(data["buyers"], buyers)
    awards = data["awards"].join(chosen.select(pl.col("buyer_id").alias("buyer_org_id"), "buyer_group"),
                                 on="buyer_org_id", how="inner")
    manual = load_manual_mapping(manual_mapping_path)
    report = match_suppliers(award_suppliers(awards, data["suppliers"]), companies, manual=manual,
                             min_score=min_name_score)
    sized = measures.sized_awards(awards, report)
    period = (f"award dates {sized['award_date'].min()} to {sized['award_date'].max()}"
              if sized.height else "no awards")
    shared = sized.filter(pl.col("value_split_unknown")).unique("award_id")
    caveats = [
        *lines,
        f"Period: {period}.",
        (f"{chosen['buyer_group'].n_unique():,} buyer(s) selected ({chosen.height:,} buyer ids), "
         f"{sized['buyer_group'].n_unique():,} with awards: {sized.height:,} award rows "
         "(award x supplier)."),
        (f"Shared awards (several suppliers, value not split): {shared.height:,} with "
         f"£{shared['award_value_gbp'].fill_null(0).sum():,.0f} in total; left out of value shares."),
        ("Supplier scale in notices is self-declared by the supplier (sme / large); micro, small and "
         "medium are not told apart."),
        "Values: FTS value.amount is net of VAT (amountGross gross); Contracts Finder does not say.",
    ]
    return {
        "buyers": chosen,
        "awards": sized,
        "match_report": report,
        "match_summary": match_summary(report),
        "overall": measures.sme_shares(sized, []),
        "by_buyer": measures.sme_shares(sized, ["buyer_group"]),
        "by_procedure": measures.sme_shares(sized, ["procedure_group"]),
        "by_suitability": measures.sme_shares(sized, ["suitable_for_sme"]),
        "by_reservation": measures.sme_shares(
            sized.with_columns(pl.col("is_reserved").cast(pl.String).fill_null("not stated")),
            ["is_reserved"]),
        "rejects": data["rejects"],
        "caveats": pl.DataFrame({"line": caveats}),
    }
