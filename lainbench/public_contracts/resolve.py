"""Supplier resolution: which Companies House company each award or spend supplier is.

In order, each supplier is matched

1. by a **manual mapping** the user supplies (CSV ``supplier_id`` or ``supplier_name`` ->
   ``companies_house_number``), which always wins;
2. by **Companies House number** (a ``GB-COH-`` identifier on the notice) found in the company file;
3. by **normalised name**: lower case, punctuation dropped, legal suffixes removed by ``cleanco``
   (Ltd, Limited, PLC, LLP, CIC ...), then exact, then ``rapidfuzz`` ``token_sort_ratio`` at or
   above the threshold in ``params/supplier_matching.yaml`` (candidates share the first word);
4. else **unmatched** (a notice's company number that is not in the company file is kept and says so).

The size band each supplier ends with states its source, in the order
**buyer's register > Companies House > notice scale > unknown**; a Companies House category that
does not prove a size (FULL, GROUP ...) falls through to the next source.

>>> sup = pl.DataFrame({"supplier_id": ["GB-COH-01234567", "GB-CFS-9", "GB-CFS-10"],
...     "supplier_name": ["ACME LIMITED", "Beta Services Ltd", "Gamma"],
...     "companies_house_number": ["01234567", None, None], "notice_scale": ["large", "sme", "unknown"]})
>>> cos = pl.DataFrame({"companies_house_number": ["01234567", "07654321"],
...     "company_name": ["ACME LTD", "BETA SERVICES LIMITED"], "size_band": ["small", "unknown"],
...     "is_london": ["true", "false"]})
>>> rep = match_suppliers(sup, cos, min_score=92)
>>> rep.select("supplier_id", "match_method", "size_band", "size_source").rows()
[('GB-COH-01234567', 'number', 'small', 'companies_house'), ('GB-CFS-9', 'name', 'sme', 'notice_scale'), ('GB-CFS-10', 'unmatched', 'unknown', 'unknown')]
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from lainbench.config import resolve
from lainbench.errors import IngestError

MATCHING_FILE = "params/supplier_matching.yaml"
SME_BANDS = ("micro", "small", "medium", "sme")

REPORT_COLUMNS = {
    "supplier_id": pl.String(), "supplier_name": pl.String(), "supplier_name_normalised": pl.String(),
    "notice_companies_house_number": pl.String(), "match_method": pl.String(),
    "match_score": pl.Float64(), "companies_house_number": pl.String(), "company_name": pl.String(),
    "company_size_band": pl.String(), "notice_scale": pl.String(), "register_size_band": pl.String(),
    "size_band": pl.String(), "size_source": pl.String(), "is_london": pl.String(),
}


def min_name_score(path: str | Path = MATCHING_FILE, when: dt.date | None = None) -> float:
    """The name-match threshold (0-100) in force on ``when``.

    >>> min_name_score()
    92
    """
    from lainbench.params import load

    return load(path).value("name_match_min_score", when or dt.date.today())


def normalise_supplier_name(name: str | None) -> str | None:
    """A name for matching: legal suffixes removed (cleanco), lower case, ``&`` as ``and``,
    punctuation dropped, a leading ``the`` removed.

    >>> normalise_supplier_name("The Acme Group Ltd."), normalise_supplier_name("SWITCH UP C.I.C.")
    ('acme group', 'switch up')
    >>> normalise_supplier_name("Smith & Sons (UK) Limited"), normalise_supplier_name("  ")
    ('smith and sons uk', None)
    """
    if name is None:
        return None
    from cleanco import basename

    s = str(name).replace("\u00a0", " ").replace("\u202f", " ").strip()
    if not s:
        return None
    s = re.sub(r"(?i)\bc\.?\s?i\.?\s?c\.?(?=\s|$)", "", s)  # community interest company
    s = basename(s) or s
    s = s.lower().replace("&", " and ")
    s = re.sub(r"[^0-9a-z]+", " ", s).strip()
    s = re.sub(r"^the ", "", s)
    s = re.sub(r"\s+", " ", s)
    return s or None


def _norm_col(expr: pl.Expr) -> pl.Expr:
    return expr.map_elements(normalise_supplier_name, return_dtype=pl.String)


def load_manual_mapping(path: str | Path | None) -> pl.DataFrame:
    """A manual mapping CSV: ``companies_house_number`` and ``supplier_id`` and/or ``supplier_name``.

    >>> load_manual_mapping(None).columns
    ['supplier_id', 'supplier_name', 'companies_house_number']
    """
    empty = pl.DataFrame(schema={"supplier_id": pl.String, "supplier_name": pl.String,
                                 "companies_house_number": pl.String})
    if path is None:
        return empty
    p = resolve(path)
    if not p.exists():
        raise IngestError(f"{path}: manual supplier mapping file not found")
    df = pl.read_csv(p, infer_schema=False)
    if "companies_house_number" not in df.columns or not (
            {"supplier_id", "supplier_name"} & set(df.columns)):
        raise IngestError(f"{path}: a manual mapping needs a companies_house_number column and a "
                          f"supplier_id or supplier_name column (found {', '.join(df.columns)})")
    for c in ("supplier_id", "supplier_name"):
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, pl.String).alias(c))
    from lainbench.ingest.ocds import normalise_company_number

    return df.select("supplier_id", "supplier_name", pl.col("companies_house_number")
                     .map_elements(normalise_company_number, return_dtype=pl.String))


def _fuzzy(names: list[str], choices: pl.DataFrame, min_score: float) -> dict[str, tuple[str, float]]:
    """Name -> (companies_house_number, score) for the best candidate sharing the first word."""
    from rapidfuzz import fuzz, process

    by_word: dict[str, tuple[list[str], list[str]]] = {}
    for norm, number in choices.select("__norm", "companies_house_number").iter_rows():
        key = norm.split(" ")[0]
        lst = by_word.setdefault(key, ([], []))
        lst[0].append(norm)
        lst[1].append(number)
    out = {}
    for name in names:
        cands = by_word.get(name.split(" ")[0])
        if not cands:
            continue
        hit = process.extractOne(name, cands[0], scorer=fuzz.token_sort_ratio, score_cutoff=min_score)
        if hit:
            out[name] = (cands[1][hit[2]], float(hit[1]))
    return out


def match_suppliers(suppliers: pl.DataFrame, companies: pl.DataFrame | None = None, *,
                    manual: pl.DataFrame | None = None, register: pl.DataFrame | None = None,
                    min_score: float | None = None) -> pl.DataFrame:
    """The match report: one row per distinct supplier (``supplier_id`` or, without one, name).

    ``suppliers`` has ``supplier_name`` and optionally ``supplier_id``, ``companies_house_number``
    and ``notice_scale`` (sme / large / unknown). ``companies`` is a ``company`` table.
    ``register`` (optional) has ``supplier_id`` or ``supplier_name`` and ``size_band``: the buyer's
    own register, the first size source.
    """
    min_score = min_name_score() if min_score is None else min_score
    sup = suppliers
    for c in ("supplier_id", "companies_house_number", "notice_scale"):
        if c not in sup.columns:
            sup = sup.with_columns(pl.lit(None, pl.String).alias(c))
    sup = (sup.select("supplier_id", "supplier_name", "companies_house_number", "notice_scale")
           .with_columns(pl.col("notice_scale").fill_null("unknown"))
           .unique(subset=["supplier_id", "supplier_name"], keep="first", maintain_order=True)
           .rename({"companies_house_number": "notice_companies_house_number"})
           .with_columns(_norm_col(pl.col("supplier_name")).alias("supplier_name_normalised")))
    cos = companies if companies is not None else pl.DataFrame(schema={
        "companies_house_number": pl.String, "company_name": pl.String, "size_band": pl.String,
        "is_london": pl.String})
    cos = cos.select("companies_house_number", "company_name", pl.col("size_band").alias("company_size_band"),
                     "is_london").unique("companies_house_number", keep="first")
    manual = manual if manual is not None else load_manual_mapping(None)
    by_id = dict(manual.filter(pl.col("supplier_id").is_not_null())
                 .select("supplier_id", "companies_house_number").iter_rows())
    by_name = {normalise_supplier_name(n): c for n, c in manual.filter(
        pl.col("supplier_name").is_not_null()).select("supplier_name", "companies_house_number").iter_rows()}
    known = set(cos["companies_house_number"].to_list())
    cos_norm = cos.with_columns(_norm_col(pl.col("company_name")).alias("__norm")).filter(
        pl.col("__norm").is_not_null())
    exact = {}
    for norm, number in cos_norm.select("__norm", "companies_house_number").iter_rows():
        exact.setdefault(norm, number)
    rows = sup.to_dicts()
    need_fuzzy = set()
    for r in rows:
        number, method, score = None, "unmatched", None
        if r["supplier_id"] in by_id:
            number, method, score = by_id[r["supplier_id"]], "manual", None
        elif r["supplier_name_normalised"] in by_name:
            number, method, score = by_name[r["supplier_name_normalised"]], "manual", None
        elif r["notice_companies_house_number"] in known:
            number, method, score = r["notice_companies_house_number"], "number", 100.0
        elif r["supplier_name_normalised"] in exact:
            number, method, score = exact[r["supplier_name_normalised"]], "name", 100.0
        elif r["supplier_name_normalised"]:
            need_fuzzy.add(r["supplier_name_normalised"])
        r.update(companies_house_number=number, match_method=method, match_score=score)
    fuzzy = _fuzzy(sorted(need_fuzzy), cos_norm, min_score) if need_fuzzy and cos_norm.height else {}
    for r in rows:
        if r["match_method"] == "unmatched" and r["supplier_name_normalised"] in fuzzy:
            r["companies_house_number"], r["match_score"] = fuzzy[r["supplier_name_normalised"]]
            r["match_method"] = "name"
        if r["match_method"] == "unmatched" and r["notice_companies_house_number"]:
            r["companies_house_number"] = r["notice_companies_house_number"]
            r["match_method"] = "unmatched_number_not_in_company_file"
    rep = pl.DataFrame(rows, schema={**{k: REPORT_COLUMNS[k] for k in (
        "supplier_id", "supplier_name", "notice_companies_house_number", "notice_scale",
        "supplier_name_normalised", "companies_house_number", "match_method", "match_score")}})
    rep = rep.join(cos.rename({"companies_house_number": "__chn"}), left_on="companies_house_number",
                   right_on="__chn", how="left")
    if register is not None and register.height:
        key = "supplier_id" if "supplier_id" in register.columns else "supplier_name"
        reg = register.select(key, pl.col("size_band").alias("register_size_band")).unique(key)
        rep = rep.join(reg, on=key, how="left")
    else:
        rep = rep.with_columns(pl.lit(None, pl.String).alias("register_size_band"))
    known_band = lambda c: pl.col(c).is_not_null() & (pl.col(c) != "unknown")
    rep = rep.with_columns(
        pl.when(known_band("register_size_band")).then(pl.col("register_size_band"))
        .when(known_band("company_size_band")).then(pl.col("company_size_band"))
        .when(pl.col("notice_scale").is_in(["sme", "large"])).then(pl.col("notice_scale"))
        .otherwise(pl.lit("unknown")).alias("size_band"),
        pl.when(known_band("register_size_band")).then(pl.lit("buyer_register"))
        .when(known_band("company_size_band")).then(pl.lit("companies_house"))
        .when(pl.col("notice_scale").is_in(["sme", "large"])).then(pl.lit("notice_scale"))
        .otherwise(pl.lit("unknown")).alias("size_source"),
        pl.col("is_london").fill_null("unknown"),
    )
    return rep.select([pl.col(c).cast(t) for c, t in REPORT_COLUMNS.items()])


def match_summary(report: pl.DataFrame) -> pl.DataFrame:
    """Suppliers by match method, with counts and shares (percent of all suppliers).

    >>> rep = pl.DataFrame({"match_method": ["number", "name", "unmatched", "unmatched"]})
    >>> match_summary(rep).rows()
    [('number', 1, 25.0), ('name', 1, 25.0), ('unmatched', 2, 50.0)]
    """
    order = ["manual", "number", "name", "unmatched_number_not_in_company_file", "unmatched"]
    total = max(report.height, 1)
    return (report.group_by("match_method").len("suppliers")
            .with_columns((pl.col("suppliers") / total * 100).round(1).alias("share_pct"))
            .with_columns(pl.col("match_method").replace_strict(
                {m: i for i, m in enumerate(order)}, default=99).alias("__o"))
            .sort("__o").drop("__o"))


def award_suppliers(awards: pl.DataFrame, suppliers: pl.DataFrame | None = None) -> pl.DataFrame:
    """Distinct suppliers of awards, with the notice's company number and scale, for matching."""
    base = awards.select("supplier_id", "supplier_name", pl.col("supplier_scale").alias("notice_scale"))
    if suppliers is not None and suppliers.height:
        ch = suppliers.select("supplier_id", "companies_house_number").drop_nulls("supplier_id").unique(
            "supplier_id", keep="first")
        base = base.join(ch, on="supplier_id", how="left")
    return base.unique(subset=["supplier_id", "supplier_name"], keep="first", maintain_order=True)


def spend_suppliers(spend: pl.DataFrame) -> pl.DataFrame:
    """Distinct suppliers of spend lines (usually names only), for matching."""
    cols = [c for c in ("supplier_id", "supplier_name") if c in spend.columns]
    return spend.select(cols).drop_nulls("supplier_name").unique(maintain_order=True)


def match_ingested(folder: str | Path, companies: str | Path | None, *, manual: str | Path | None = None,
                   min_score: float | None = None) -> pl.DataFrame:
    """The match report for an ingest output folder: ``contract_award.parquet`` (+ ``supplier``)
    from ``ingest ocds``, or ``spend_line.parquet`` from ``ingest spend``; ``companies`` is a
    ``company.parquet`` or a BasicCompanyData CSV.

    >>> import tempfile
    >>> from lainbench.ingest.ocds import ingest_ocds
    >>> d = tempfile.mkdtemp()
    >>> _ = ingest_ocds("data/examples/ocds").write(d)
    >>> rep = match_ingested(d, "data/examples/ocds/companies.csv")
    >>> dict(match_summary(rep).select("match_method", "suppliers").iter_rows())
    {'number': 1, 'name': 3, 'unmatched': 4}
    """
    p = resolve(folder)
    if (p / "contract_award.parquet").exists():
        sup = p / "supplier.parquet"
        suppliers = award_suppliers(pl.read_parquet(p / "contract_award.parquet"),
                                    pl.read_parquet(sup) if sup.exists() else None)
    elif (p / "spend_line.parquet").exists():
        suppliers = spend_suppliers(pl.read_parquet(p / "spend_line.parquet"))
    else:
        raise IngestError(f"{folder}: no contract_award.parquet or spend_line.parquet; run "
                          "`lainbench ingest ocds|spend FILE --out {folder}` first")
    cos = None
    if companies is not None:
        c = resolve(companies)
        if not c.exists():
            raise IngestError(f"{companies}: company file not found")
        if c.suffix == ".parquet":
            cos = pl.read_parquet(c)
        else:
            from lainbench.ingest.companies import ingest_companies

            cos = ingest_companies(c).accepted
    return match_suppliers(suppliers, cos, manual=load_manual_mapping(manual), min_score=min_score)
