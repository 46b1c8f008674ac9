"""Ingest a table of insurance requirements (CSV or XLSX) into ``insurance_requirement``.

One row per member x procurement category x contract-value band x cover type. Headers are matched
by name, case and punctuation ignored, to the canonical columns (``Buyer``, ``Cover``, ``Minimum
limit (£)`` ... see :data:`HEADER_ALIASES`); columns that match nothing are ignored and named in the
result's notes. Values are tidied before they are checked: ``£5,000,000``, ``5m`` and ``250k`` are
amounts; ``Public Liability`` or ``PL`` is ``public_liability``; ``At award`` is ``at_award``.

A row is rejected into ``rejects.csv`` (``source_row`` = data row, 1 under the header) when a
value cannot be read (amount, date, yes/no), a required value is missing, an enumerated value is
unknown (cover type, limit basis, required stage, regime, risk tier), the value band's minimum is
above its maximum, a contract value or limit is not above £0, employer's liability is below the
£5m statutory minimum (ELCI Regulations 1998 reg 3), or it repeats an earlier row's key. Blank
rows are skipped and counted, so rows read = accepted + rejected + skipped.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "req.csv"
>>> _ = p.write_text("Buyer,Cover,Minimum limit (£)\\nA,Public liability,£5m\\nA,EL,£2m\\n"
...     "A,Pet insurance,1m\\n")
>>> res = ingest_insurance(p)
>>> res.summary().split(": ", 1)[1]
'3 rows read = 1 accepted + 2 rejected'
>>> res.rejects.select("source_row", "column").rows()
[(2, 'min_limit_gbp'), (3, 'cover_type')]
>>> res.rejects["reason"][0][:66]
"employer's liability limit £2m is below the £5m statutory minimum "
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from lainbench.errors import IngestError
from lainbench.formatting import format_gbp_short
from lainbench.ingest.common import (
    ROW,
    IngestResult,
    check_rows,
    empty_rejects,
    finish,
    make_rejects,
)
from lainbench.ingest.tabular import EXTRA, check_xlsx, open_text, read_csv_strings
from lainbench.params import load as load_params
from lainbench.schemas import INSURANCE_REQUIREMENT

STANDARDS_FILE = "params/insurance_standards.yaml"  # read in full by lainbench.insurance.standards


def el_statutory_minimum_gbp(path: str = STANDARDS_FILE) -> float:
    """The employer's liability statutory minimum in force today (``params/insurance_standards.yaml``).

    >>> el_statutory_minimum_gbp()
    5000000.0
    """
    value = load_params(path).value("employers_liability_statutory_minimum", dt.date.today())
    if value is None:
        raise IngestError(f"{path}: employers_liability_statutory_minimum has no value in force today")
    return float(value)


LINEAGE_COLUMNS = ("source_dataset", "source_url", "source_row_id", "ingested_at")

# normalised header -> canonical column (canonical names map to themselves as well)
HEADER_ALIASES: dict[str, str] = {
    "buyer": "buyer_org_id",
    "buyer_id": "buyer_org_id",
    "member": "buyer_org_id",
    "member_id": "buyer_org_id",
    "organisation": "buyer_org_id",
    "org_id": "buyer_org_id",
    "organisation_id": "buyer_org_id",
    "authority": "buyer_org_id",
    "version": "requirement_version",
    "review_version": "requirement_version",
    "document": "source_document",
    "source": "source_document",
    "date": "document_date",
    "document_date": "document_date",
    "published": "document_date",
    "regime": "procurement_regime",
    "procurement_regime": "procurement_regime",
    "category": "procurement_category",
    "procurement_category": "procurement_category",
    "cpv": "cpv_code",
    "value_from": "contract_value_min_gbp",
    "value_from_gbp": "contract_value_min_gbp",
    "contract_value_from": "contract_value_min_gbp",
    "min_contract_value": "contract_value_min_gbp",
    "contract_value_min": "contract_value_min_gbp",
    "band_min": "contract_value_min_gbp",
    "value_to": "contract_value_max_gbp",
    "value_to_gbp": "contract_value_max_gbp",
    "contract_value_to": "contract_value_max_gbp",
    "max_contract_value": "contract_value_max_gbp",
    "contract_value_max": "contract_value_max_gbp",
    "band_max": "contract_value_max_gbp",
    "risk": "risk_tier",
    "tier": "risk_tier",
    "risk_tier": "risk_tier",
    "cover": "cover_type",
    "insurance": "cover_type",
    "insurance_type": "cover_type",
    "type_of_insurance": "cover_type",
    "cover_type": "cover_type",
    "limit": "min_limit_gbp",
    "minimum_limit": "min_limit_gbp",
    "min_limit": "min_limit_gbp",
    "required_limit": "min_limit_gbp",
    "limit_of_indemnity": "min_limit_gbp",
    "minimum_limit_gbp": "min_limit_gbp",
    "level": "min_limit_gbp",
    "level_of_cover": "min_limit_gbp",
    "basis": "limit_basis",
    "limit_basis": "limit_basis",
    "statutory_minimum": "statutory_minimum_gbp",
    "stage": "required_stage",
    "required_at": "required_stage",
    "required_stage": "required_stage",
    "when_required": "required_stage",
    "self_certification": "self_certification_allowed",
    "self_certification_allowed": "self_certification_allowed",
    "self_certify": "self_certification_allowed",
    "evidence": "evidence_required",
    "run_off": "run_off_years",
    "run_off_years": "run_off_years",
    "sole_traders": "applies_to_sole_traders",
    "applies_to_sole_traders": "applies_to_sole_traders",
    "notes": "notes",
    "note": "notes",
    "comments": "notes",
    "premium_low": "indicative_annual_premium_gbp_low",
    "premium_high": "indicative_annual_premium_gbp_high",
}

# normalised value -> canonical value, per enumerated column (canonical values map to themselves)
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "cover_type": {
        "el": "employers_liability",
        "employers_liability": "employers_liability",
        "employer_s_liability": "employers_liability",
        "employers_compulsory_liability": "employers_liability",
        "employer_s_compulsory_liability": "employers_liability",
        "pl": "public_liability",
        "public_liability": "public_liability",
        "product_liability": "products_liability",
        "products_liability": "products_liability",
        "pi": "professional_indemnity",
        "professional_indemnity": "professional_indemnity",
        "pii": "professional_indemnity",
        "professional_negligence": "professional_indemnity",
        "clinical_negligence": "clinical_negligence",
        "medical_malpractice": "clinical_negligence",
        "cyber": "cyber",
        "cyber_liability": "cyber",
        "motor": "motor",
        "motor_insurance": "motor",
        "contract_works": "contract_works",
        "contractors_all_risk": "contract_works",
        "car": "contract_works",
        "other": "other",
    },
    "required_stage": {
        "at_bid": "at_bid",
        "bid": "at_bid",
        "tender": "at_bid",
        "at_tender": "at_bid",
        "selection": "at_bid",
        "at_award": "at_award",
        "award": "at_award",
        "before_contract_start": "before_contract_start",
        "contract_start": "before_contract_start",
        "before_start": "before_contract_start",
        "on_request": "on_request",
        "request": "on_request",
    },
    "limit_basis": {
        "any_one_occurrence": "any_one_occurrence",
        "per_occurrence": "any_one_occurrence",
        "each_and_every_claim": "each_and_every_claim",
        "each_claim": "each_and_every_claim",
        "per_claim": "each_and_every_claim",
        "aggregate": "aggregate",
        "in_the_aggregate": "aggregate",
        "annual_aggregate": "aggregate",
        "per_claim_unlimited_claims": "per_claim_unlimited_claims",
        "each_and_every_claim_unlimited_number_of_claims": "per_claim_unlimited_claims",
    },
    "procurement_regime": {
        "pcr_2015": "pcr_2015",
        "pcr2015": "pcr_2015",
        "public_contracts_regulations_2015": "pcr_2015",
        "pa2023": "pa2023",
        "pa_2023": "pa2023",
        "procurement_act_2023": "pa2023",
        "below_threshold": "below_threshold",
        "purchase_order_terms": "purchase_order_terms",
        "po_terms": "purchase_order_terms",
        "purchase_order": "purchase_order_terms",
    },
    "risk_tier": {
        "none": "none",
        "virtually_no_risk": "none",
        "no_risk": "none",
        "low": "low",
        "standard": "standard",
        "high": "high",
    },
}
MONEY_COLUMNS = (
    "contract_value_min_gbp",
    "contract_value_max_gbp",
    "min_limit_gbp",
    "statutory_minimum_gbp",
    "indicative_annual_premium_gbp_low",
    "indicative_annual_premium_gbp_high",
)
KEY = (
    "buyer_org_id",
    "requirement_version",
    "procurement_category",
    "contract_value_min_gbp",
    "contract_value_max_gbp",
    "risk_tier",
    "cover_type",
)


def normalise(text: str) -> str:
    """Lower-case, ``£``/brackets dropped, runs of other characters to ``_``.

    >>> normalise("Minimum limit (£)"), normalise("Employer's Liability")
    ('minimum_limit', 'employer_s_liability')
    """
    t = text.strip().lower().replace("£", "").replace("gbp", "").replace("’", "'")
    return re.sub(r"[^a-z0-9]+", "_", t).strip("_")


def _money_expr(name: str) -> pl.Expr:
    """``£5,000,000``, ``5m``, ``£250k``, ``2.5 million`` -> a number as text (else unchanged)."""
    s = pl.col(name).cast(pl.String).str.strip_chars().str.to_lowercase()
    s = s.str.replace_all(r"[£,\s]", "").str.replace(r"million$", "m")
    num = s.str.extract(r"^(-?[0-9]*\.?[0-9]+)(m|k|bn)?$", 1).cast(pl.Float64, strict=False)
    unit = s.str.extract(r"^(-?[0-9]*\.?[0-9]+)(m|k|bn)?$", 2)
    mult = (
        pl.when(unit == "m")
        .then(1e6)
        .when(unit == "k")
        .then(1e3)
        .when(unit == "bn")
        .then(1e9)
        .otherwise(1.0)
    )
    return (
        pl.when(num.is_not_null())
        .then((num * mult).round(2).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
    )


def _enum_expr(name: str, aliases: dict[str, str]) -> pl.Expr:
    raw = pl.col(name).cast(pl.String)
    key = (
        raw.str.strip_chars()
        .str.to_lowercase()
        .str.replace_all("’", "'")
        .str.replace_all(r"[^a-z0-9]+", "_")
        .str.strip_chars("_")
    )
    return key.replace_strict(aliases, default=raw.str.strip_chars()).alias(name)


def _read(p: Path, name: str) -> pl.DataFrame:
    suffix = p.suffix.lower()
    try:
        if suffix == ".csv":
            # any encoding (Excel "CSV" exports on Windows: £ is byte 0xA3; UTF-8 lines inside
            # them are read as UTF-8), an unbalanced quote refused with its line
            with open_text(p) as src:
                df = read_csv_strings(src, name)  # a row longer than the header: EXTRA set
            return df.with_columns(pl.col(EXTRA).fill_null(""))
        if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            check_xlsx(p)
            df = pl.read_excel(
                p,
                engine="calamine",
                drop_empty_rows=False,
                drop_empty_cols=False,
                infer_schema_length=0,
            )  # every cell as text
            # a date cell reads as "2025-05-12 00:00:00": keep the date
            return df.with_columns(
                pl.all()
                .cast(pl.String)
                .str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(\.0+)?$", "${1}")
            )
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure means the file is unreadable
        raise IngestError(f"{name}: cannot be read as {suffix[1:]}: {exc}") from None
    raise IngestError(f"{name}: expected a .csv or .xlsx file, got {suffix or 'no extension'}")


def map_headers(columns: list[str], source: str) -> tuple[dict[str, str], list[str]]:
    """Map source headers to canonical names; returns ``(mapping, ignored headers)``.

    >>> map_headers(["Buyer", "Cover", "Limit of indemnity", "Colour"], "f.csv")
    ({'Buyer': 'buyer_org_id', 'Cover': 'cover_type', 'Limit of indemnity': 'min_limit_gbp'},
     ['Colour'])
    """
    canonical = set(INSURANCE_REQUIREMENT.columns) - set(LINEAGE_COLUMNS)
    mapping, ignored, taken = {}, [], {}
    for col in columns:
        key = normalise(col)
        target = key if key in canonical else HEADER_ALIASES.get(key)
        if target is None:
            ignored.append(col)
            continue
        if target in taken:
            raise IngestError(
                f"{source}: headers {taken[target]!r} and {col!r} both mean {target}; "
                "rename or delete one of them"
            )
        taken[target] = col
        mapping[col] = target
    return mapping, ignored


def ingest_insurance(
    path: str | Path,
    *,
    source_dataset: str | None = None,
    buyer_org_id: str | None = None,
    **_: object,
) -> IngestResult:
    """Read, tidy and check a requirements CSV/XLSX; returns accepted rows, rejects and counts.

    ``buyer_org_id`` fills the buyer for a file that has no buyer column (one member's own file);
    other keyword options from the command line are accepted and ignored.
    """
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise IngestError(f"{name}: file not found; give the path of a requirements .csv or .xlsx")
    raw = _read(p, name)
    extra = raw.get_column(EXTRA).replace("", None) if EXTRA in raw.columns else None
    raw = raw.drop(EXTRA, strict=False)
    mapping, ignored = map_headers(raw.columns, name)
    if buyer_org_id and "buyer_org_id" not in mapping.values():
        raw = raw.with_columns(pl.lit(buyer_org_id).alias("__buyer"))
        mapping["__buyer"] = "buyer_org_id"
    missing = sorted(INSURANCE_REQUIREMENT.required - set(mapping.values()))
    if missing:
        raise IngestError(
            f"{name}: no column for {', '.join(missing)} "
            f"(headers found: {', '.join(raw.columns)}); "
            "name them e.g. Buyer, Cover, Minimum limit (£) - see lainbench.ingest.insurance"
        )
    raw = raw.select(list(mapping)).rename(mapping).with_row_index(ROW, offset=1)
    injected = {"buyer_org_id"} if "__buyer" in mapping else set()
    cols = [c for c in raw.columns if c != ROW and c not in injected]  # a blank row stays blank
    blank = pl.all_horizontal(
        [pl.col(c).cast(pl.String).str.strip_chars().fill_null("") == "" for c in cols]
    )
    if extra is not None:  # not part of "blank": a row of only extra fields is rejected
        blank = blank & extra.is_null()
        raw = raw.with_columns(extra.alias(EXTRA))
    n_blank = raw.filter(blank).height
    rows_read = raw.height
    raw = raw.filter(~blank)
    too_long = (make_rejects(raw, pl.col(EXTRA).is_not_null(), None,
                             "more fields than the header (a value with an unquoted comma? "
                             "quote it)", name, value=pl.col(EXTRA))
                if extra is not None else empty_rejects())
    raw = raw.drop(EXTRA, strict=False)
    original = raw
    raw = raw.with_columns(
        *[_money_expr(c) for c in MONEY_COLUMNS if c in raw.columns],
        *[_enum_expr(c, VALUE_ALIASES[c]) for c in VALUE_ALIASES if c in raw.columns],
    )
    if raw.height == 0:  # nothing but a header (and blank rows)
        empty = (
            INSURANCE_REQUIREMENT.empty()
            .drop(LINEAGE_COLUMNS)
            .with_columns(pl.lit(None, dtype=pl.UInt32).alias(ROW))
            .clear()
        )
        return finish(
            empty,
            empty_rejects(),
            INSURANCE_REQUIREMENT,
            rows_read=rows_read,
            source_file=name,
            source_dataset=source_dataset or p.name,
            skipped={"blank": n_blank},
            notes=["no data rows"],
        )
    typed, rejects = check_rows(
        raw, INSURANCE_REQUIREMENT, name, date_formats=("%Y-%m-%d", "%d/%m/%Y")
    )
    el_min = el_statutory_minimum_gbp()
    typed = _fill_defaults(typed, el_min)
    rules = requirement_rules(typed, name, el_min, already=rejects["source_row"])
    all_rejects = pl.concat([rejects, rules]) if rules.height else rejects
    all_rejects = _source_values(all_rejects, original)
    if too_long.height:
        all_rejects = pl.concat([all_rejects, too_long])
    notes = (
        [f"ignored column(s) not in insurance_requirement: {', '.join(ignored)}"] if ignored else []
    )
    return finish(
        typed,
        all_rejects,
        INSURANCE_REQUIREMENT,
        rows_read=rows_read,
        source_file=name,
        source_dataset=source_dataset or p.name,
        skipped={"blank": n_blank},
        notes=notes,
    )


def _fill_defaults(typed: pl.DataFrame, el_min: float) -> pl.DataFrame:
    """Fill ``statutory_minimum_gbp`` for employer's liability where the file leaves it blank."""
    el = pl.lit("employers_liability")
    if "cover_type" not in typed.columns:
        return typed
    stat = (
        pl.col("statutory_minimum_gbp")
        if "statutory_minimum_gbp" in typed.columns
        else pl.lit(None, pl.Float64)
    )
    return typed.with_columns(
        pl.when(pl.col("cover_type") == el)
        .then(pl.coalesce(stat, pl.lit(el_min)))
        .otherwise(stat)
        .alias("statutory_minimum_gbp")
    )


def _gbp(col: str) -> pl.Expr:
    return pl.col(col).map_elements(format_gbp_short, return_dtype=pl.String)


def _source_values(rejects: pl.DataFrame, original: pl.DataFrame) -> pl.DataFrame:
    """Show each rejected value as it was written in the file (``-1m``, not ``-1000000.0``)."""
    if not rejects.height:
        return rejects
    long = original.unpivot(index=ROW, variable_name="column", value_name="__orig").with_columns(
        pl.col(ROW).cast(pl.Int64).alias("source_row"), pl.col("__orig").cast(pl.String)
    )
    out = rejects.join(long.drop(ROW), on=["source_row", "column"], how="left")
    return out.with_columns(pl.coalesce("__orig", "value").alias("value")).select(rejects.columns)


def requirement_rules(
    typed: pl.DataFrame,
    source_file: str,
    el_minimum_gbp: float | None = None,
    already: pl.Series | None = None,
) -> pl.DataFrame:
    """Row rules beyond types and enumerations; returns the rejects (maybe empty).

    ``el_minimum_gbp`` defaults to the statutory minimum in ``params/insurance_standards.yaml``.
    ``already`` lists source rows rejected before: they are not counted when looking for repeats.
    """
    el_min = (
        el_minimum_gbp
        if el_minimum_gbp is not None
        else (el_statutory_minimum_gbp())
    )
    out = []
    t = typed
    for c in ("contract_value_min_gbp", "contract_value_max_gbp"):
        if c not in t.columns:
            t = t.with_columns(pl.lit(None, dtype=pl.Float64).alias(c))
    lo, hi = pl.col("contract_value_min_gbp"), pl.col("contract_value_max_gbp")
    out.append(
        make_rejects(
            t,
            lo > hi,
            "contract_value_min_gbp",
            pl.format(
                "value band minimum {} is above its maximum {}; swap them or fix the band",
                _gbp("contract_value_min_gbp"),
                _gbp("contract_value_max_gbp"),
            ),
            source_file,
        )
    )
    out.append(
        make_rejects(
            t,
            lo < 0,
            "contract_value_min_gbp",
            "contract value below £0; use 0 (or leave blank) for no lower bound",
            source_file,
        )
    )
    out.append(
        make_rejects(
            t,
            hi <= 0,
            "contract_value_max_gbp",
            "contract value band maximum must be above £0; leave blank for no upper bound",
            source_file,
        )
    )
    out.append(
        make_rejects(
            t,
            pl.col("min_limit_gbp") <= 0,
            "min_limit_gbp",
            "limit must be above £0; delete the row if no cover is required",
            source_file,
        )
    )
    el = (
        (pl.col("cover_type") == "employers_liability")
        & (pl.col("min_limit_gbp") > 0)
        & (pl.col("min_limit_gbp") < el_min)
    )
    out.append(
        make_rejects(
            t,
            el,
            "min_limit_gbp",
            pl.format(
                "employer's liability limit {} is below the {} statutory minimum (ELCI "
                "Regulations 1998 reg 3); the buyer cannot ask for less than the law requires",
                _gbp("min_limit_gbp"),
                pl.lit(format_gbp_short(el_min)),
            ),
            source_file,
        )
    )
    key = [c for c in KEY if c in t.columns]
    out = [r for r in out if r.height]
    done = pl.concat(
        [
            already if already is not None else pl.Series([], dtype=pl.Int64),
            *[r["source_row"] for r in out],
        ]
    )
    t = t.filter(~pl.col(ROW).cast(pl.Int64).is_in(done.implode()))
    dup = t.select(ROW, *key).with_columns(
        pl.int_range(pl.len()).over(key).alias("__n"),
        pl.col(ROW).first().over(key).alias("__first"),
    )
    out.append(
        make_rejects(
            dup,
            pl.col("__n") > 0,
            None,
            pl.format(
                "repeats row {} (same buyer, version, category, value band, tier and cover); "
                "keep one",
                pl.col("__first"),
            ),
            source_file,
            value=pl.lit(None, pl.String),
        )
    )
    out = [r for r in out if r.height]
    return pl.concat(out) if out else empty_rejects()
