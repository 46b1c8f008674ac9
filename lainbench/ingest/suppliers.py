"""A member's supplier register (CSV or Excel) -> canonical ``supplier``.

One row per supplier as the member knows it: id, name, Companies House number, size band (micro,
small, medium, large or **unknown**: a blank is refused, so "not known" is always said, never
guessed) with its source and date, six ownership flags (true / false / unknown), postcode and
London flag. See :mod:`lainbench.ingest.records` for what is skipped, rejected and accepted.
Rules beyond the types: a size band other than unknown needs its source; ``diverse_led`` cannot
be false when an ethnic-minority-, women- or disabled-led flag is true; a repeat of an earlier
row (same member, supplier and size date) is rejected.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "register.csv"
>>> _ = p.write_text("Supplier number,Supplier name,Size,Size source,Women led,Diverse led\\n"
...     "S1,Acme Ltd,Small,Companies House,Yes,Yes\\nS2,Beta Ltd,Big,self declared,no,no\\n"
...     "S3,Gamma CIC,unknown,,not known,no\\n")
>>> res = ingest_suppliers(p, buyer_org_id="eastbank_council")
>>> res.summary().split(": ", 1)[1]
'3 rows read = 2 accepted + 1 rejected'
>>> res.rejects.select("source_row", "column", "value").row(0)
(2, 'Size', 'Big')
>>> res.accepted.select("supplier_id", "size_band", "size_source", "women_led").rows()
[('S1', 'small', 'companies_house', 'true'), ('S3', 'unknown', None, 'unknown')]
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lainbench.ingest.common import IngestResult
from lainbench.ingest.records import RecordSpec, Rule, ingest_records
from lainbench.schemas import OWNERSHIP_FLAGS, SUPPLIER


def _rules(t: pl.DataFrame) -> list[Rule]:
    out: list[Rule] = []
    if "size_band" in t.columns:
        source = pl.col("size_source") if "size_source" in t.columns else pl.lit(None, pl.String)
        out.append(((pl.col("size_band") != "unknown") & (source.is_null() | (source == "unknown")),
                    "size_band", ("a size band needs its source (buyer_register, companies_house, "
                                  "notice_scale or supplier_declaration); write unknown if the "
                                  "size is not known")))
    if "diverse_led" in t.columns:
        for f in ("ethnic_minority_led", "women_led", "disabled_led"):
            if f in t.columns:
                out.append(((pl.col("diverse_led") == "false") & (pl.col(f) == "true"),
                            "diverse_led", f"diverse_led is false but {f} is true"))
    return out


SPEC = RecordSpec(
    kind="suppliers",
    table=SUPPLIER,
    dates=("size_as_of_date", "ownership_as_of_date"),
    tristate=(*OWNERSHIP_FLAGS, "is_london"),
    company_numbers=("companies_house_number",),
    value_aliases={
        "size_band": {"not_known": "unknown", "n_k": "unknown", "don_t_know": "unknown",
                      "micro_enterprise": "micro", "small_enterprise": "small",
                      "medium_enterprise": "medium", "medium_sized": "medium",
                      "large_enterprise": "large", "non_sme": "large"},
        "size_source": {"companies_house_accounts": "companies_house", "ch": "companies_house",
                        "self_declared": "supplier_declaration", "declaration": "supplier_declaration",
                        "supplier": "supplier_declaration", "psq": "supplier_declaration",
                        "our_register": "buyer_register", "register": "buyer_register",
                        "notice": "notice_scale", "find_a_tender": "notice_scale",
                        "not_known": "unknown"},
    },
    hints={"size_band": "SME alone does not say which band: write micro, small or medium "
                        "(or unknown)"},
    key=("buyer_org_id", "supplier_id", "size_as_of_date"),
    rules=_rules,
    example_headers="'Supplier number', 'Supplier name', 'Size', 'Size source'",
)


def ingest_suppliers(path: str | Path, **options: object) -> IngestResult:
    """Read a supplier register; options as :func:`lainbench.ingest.records.ingest_records`."""
    return ingest_records(path, SPEC, **options)  # type: ignore[arg-type]
