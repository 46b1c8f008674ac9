"""Read Companies House's free company data (BasicCompanyData CSV) into the ``company`` table.

The file's format, as Companies House ships it: every field double-quoted, 55 columns, 14 header
names with a leading space (``' CompanyNumber'``), dates ``dd/mm/yyyy``, company numbers as
8-character strings (``"08209948"``, ``"SC012345"``: never numbers). The full product is about
5 million rows in several parts; it is scanned lazily, only the columns needed are read.

Each company gets a size band from its ``Accounts.AccountCategory`` through
``params/company_size_mapping.yaml`` (categories that do not prove a size, such as FULL, GROUP or
the subsidiary exemptions, give ``unknown``) and a London flag from its registered postcode
(``params/london_postcodes.yaml``).

rows read = accepted + rejected (bad company number or date, missing name, repeated number).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "basic.csv"
>>> _ = p.write_text('CompanyName, CompanyNumber,RegAddress.PostCode,CompanyCategory,CompanyStatus,'
...     'IncorporationDate,Accounts.LastMadeUpDate,Accounts.AccountCategory,SICCode.SicText_1\\n'
...     '"ACME LTD","01234567","EC1V 2NX","Private Limited Company","Active","29/07/2020",'
...     '"31/07/2021","MICRO ENTITY","78300 - Human resources provision"\\n'
...     '"BIG PLC","1234","LS10 2RU","PLC","Active","31/02/2020","","FULL",""\\n')
>>> res = ingest_companies(p)
>>> res.summary().split(": ", 1)[1]
'2 rows read = 1 accepted + 1 rejected'
>>> res.accepted.select("companies_house_number", "size_band", "is_london", "sic_codes").row(0)
('01234567', 'micro', 'true', ['78300'])
>>> sorted(res.rejects["column"].to_list())
['companies_house_number', 'incorporation_date']
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from lainbench.errors import IngestError
from lainbench.ingest.common import IngestResult, add_lineage, empty_rejects, make_rejects
from lainbench.ingest.postcodes import is_london_expr
from lainbench.ingest.tabular import check_file, open_text
from lainbench.schemas import COMPANY, PUBLIC_SIZE_BANDS

MAPPING_FILE = "params/company_size_mapping.yaml"
ROW = "__row"

# canonical column <- BasicCompanyData header (after stripping the leading spaces)
COLUMNS = {
    "company_name": "CompanyName",
    "companies_house_number": "CompanyNumber",
    "postcode_raw": "RegAddress.PostCode",
    "company_category": "CompanyCategory",
    "company_status": "CompanyStatus",
    "incorporation_raw": "IncorporationDate",
    "made_up_raw": "Accounts.LastMadeUpDate",
    "accounts_category": "Accounts.AccountCategory",
}
SIC_COLUMNS = [f"SICCode.SicText_{i}" for i in range(1, 5)]


def size_mapping(path: str | Path = MAPPING_FILE, when: dt.date | None = None) -> dict[str, str]:
    """Accounts category (upper case) -> size band, from the params file.

    >>> m = size_mapping()
    >>> m["MICRO ENTITY"], m["TOTAL EXEMPTION FULL"], m["FULL"], m["AUDIT EXEMPTION SUBSIDIARY"]
    ('micro', 'small', 'unknown', 'unknown')
    """
    from lainbench.errors import ParamsError
    from lainbench.params import load

    pf = load(path)
    mapping = pf.value("account_category_size_band", when or dt.date.today())
    if not isinstance(mapping, dict):
        raise ParamsError(f"{path}: account_category_size_band must map categories to bands")
    bad = {k: v for k, v in mapping.items() if v not in PUBLIC_SIZE_BANDS}
    if bad:
        raise ParamsError(f"{path}: account_category_size_band: band(s) {bad} are not one of "
                          f"{', '.join(PUBLIC_SIZE_BANDS)}")
    return {str(k).strip().upper(): str(v) for k, v in mapping.items()}


def ingest_companies(path: str | Path, mapping: str | Path | None = None,
                     source_dataset: str = "companies_house_basic_company_data",
                     **options: object) -> IngestResult:
    """Read a BasicCompanyData CSV (any part) into the ``company`` table.

    ``mapping``: another accounts-category mapping YAML (default ``params/company_size_mapping.yaml``).
    """
    unknown = sorted(k for k, v in options.items() if v is not None)
    if unknown:
        raise IngestError(f"ingest companies: option(s) {', '.join(unknown)} do not apply to a "
                          "Companies House file")
    p = check_file(path)
    bands = size_mapping(mapping or MAPPING_FILE)
    with open_text(p) as src:
        encoding = src.encoding
        header = pl.read_csv(src.path, n_rows=0, separator=src.delimiter).columns
        stripped = [c.strip() for c in header]
        missing = [v for v in ("CompanyName", "CompanyNumber") if v not in stripped]
        if missing:
            raise IngestError(
                f"{path}: column(s) {', '.join(missing)} not found; is this a Companies House "
                f"BasicCompanyData CSV? Its header starts CompanyName, CompanyNumber (found "
                f"{', '.join(stripped[:4])})")
        lf = pl.scan_csv(src.path, separator=src.delimiter, infer_schema=False,
                         with_column_names=lambda cols: [c.strip() for c in cols])
        have = set(stripped)
        raw = lf.select(
            *[(pl.col(v) if v in have else pl.lit(None, pl.String)).alias(k) for k, v in COLUMNS.items()],
            *[(pl.col(c) if c in have else pl.lit(None, pl.String)).alias(c) for c in SIC_COLUMNS],
        ).with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64)).collect()
    rows_read = raw.height
    blank = pl.all_horizontal([pl.col(c).fill_null("").str.strip_chars() == ""
                               for c in [*COLUMNS, *SIC_COLUMNS]])
    n_blank = raw.filter(blank).height
    raw = raw.filter(~blank)

    def txt(name: str) -> pl.Expr:
        s = pl.col(name).str.strip_chars()
        return pl.when(s == "").then(None).otherwise(s)

    typed = raw.with_columns(
        txt("company_name").alias("company_name"),
        txt("companies_house_number").str.to_uppercase().alias("companies_house_number"),
        txt("company_category").alias("company_category"),
        txt("company_status").alias("company_status"),
        txt("accounts_category").str.to_uppercase().alias("accounts_category"),
        txt("incorporation_raw").str.to_date("%d/%m/%Y", strict=False).alias("incorporation_date"),
        txt("made_up_raw").str.to_date("%d/%m/%Y", strict=False).alias("accounts_made_up_date"),
        txt("postcode_raw").str.to_uppercase().str.replace_all(r"\s+", "")
        .str.replace(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{2})$", "$1 $2").alias("__pc"),
        pl.concat_list([txt(c).str.extract(r"^(\d{4,5})", 1) for c in SIC_COLUMNS])
        .list.drop_nulls().alias("sic_codes"),
    ).with_columns(
        pl.when(pl.col("__pc").str.contains(r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$"))
        .then(pl.col("__pc")).alias("postcode"),
    )
    src_name = p.name
    rejects = [
        make_rejects(typed, pl.col("company_name").is_null(), "company_name",
                     "missing company name", src_name),
        make_rejects(typed, pl.col("companies_house_number").is_null(), "companies_house_number",
                     "missing company number", src_name),
        make_rejects(typed, pl.col("companies_house_number").is_not_null()
                     & ~pl.col("companies_house_number").str.contains(r"^[A-Z0-9]{8}$"),
                     "companies_house_number",
                     "not an 8-character company number (e.g. 01234567 or SC012345; a number "
                     "opened in Excel loses its leading zeros)", src_name),
        make_rejects(typed, txt("incorporation_raw").is_not_null() & pl.col("incorporation_date").is_null(),
                     "incorporation_date", "not a valid date (expected DD/MM/YYYY)", src_name,
                     value=pl.col("incorporation_raw")),
        make_rejects(typed, txt("made_up_raw").is_not_null() & pl.col("accounts_made_up_date").is_null(),
                     "accounts_made_up_date", "not a valid date (expected DD/MM/YYYY)", src_name,
                     value=pl.col("made_up_raw")),
        make_rejects(typed, pl.col("companies_house_number").is_not_null()
                     & pl.col("companies_house_number").is_duplicated()
                     & (pl.col(ROW) != pl.col(ROW).min().over("companies_house_number")),
                     "companies_house_number", "company number repeated (first row kept)", src_name),
    ]
    rej = pl.concat([r for r in rejects if r.height] or [empty_rejects()])
    rej = rej.with_columns(pl.col("source_row").cast(pl.Int64)).sort("source_row")
    ok = typed.filter(~pl.col(ROW).is_in(rej["source_row"].implode()))
    unlisted = (ok.filter(pl.col("accounts_category").is_not_null()
                          & ~pl.col("accounts_category").is_in(list(bands)))
                ["accounts_category"].value_counts(sort=True))
    ok = ok.with_columns(
        pl.col("accounts_category").replace_strict(bands, default="unknown", return_dtype=pl.String)
        .alias("size_band"),
        is_london_expr(pl.col("postcode")).alias("is_london"),
    )
    ok = add_lineage(ok, source_dataset, None).sort(ROW)
    accepted = COMPANY.conform(ok.select([c for c in COMPANY.columns if c in ok.columns]),
                               source=str(path))
    notes = ["size bands: " + ", ".join(
        f"{b} {n:,}" for b, n in accepted["size_band"].value_counts(sort=True).iter_rows())]
    if unlisted.height:
        notes.append("accounts categories not in the mapping (size unknown): " + ", ".join(
            f"{c} ({n})" for c, n in unlisted.iter_rows()))
    if encoding not in ("utf-8", "ascii", "utf-8-sig"):
        notes.append(f"file is not UTF-8; read as {encoding}")
    return IngestResult(
        table=COMPANY, accepted=accepted, rejects=rej, rows_read=rows_read,
        skipped={"blank rows": n_blank} if n_blank else {}, source_file=str(path), notes=notes,
    )
