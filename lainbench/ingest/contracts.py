"""A member's contract register (CSV or Excel) -> canonical ``contract_award``.

One row per award (or lot): reference, supplier, value with its VAT basis, award date, procedure,
lot, whether reserved and on what basis (SME, VCSE, location, or SME/VCSE with location as PPN 005
requires from 24 February 2025), and whether it is a call-off under a framework. See
:mod:`lainbench.ingest.records` for what is skipped, rejected and accepted. Rules beyond the
types: a value below £0; a reserved award without its basis, or a basis on an award not reserved;
a repeat of an earlier row (same member, award and lot).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "contracts.csv"
>>> _ = p.write_text("Contract reference,Supplier,Value,Award date,Reserved,Reservation basis\\n"
...     "C1,Acme Ltd,\\"£120,000\\",03/06/2025,Yes,SME and location\\n"
...     "C2,Beta Ltd,50000,31/06/2025,No,\\nC3,Gamma Ltd,9000,01/07/2025,Yes,\\n")
>>> res = ingest_contracts(p, buyer_org_id="eastbank_council")
>>> res.summary().split(": ", 1)[1]
'3 rows read = 1 accepted + 2 rejected'
>>> res.rejects.select("source_row", "column", "reason").rows()
[(2, 'Award date', 'impossible date (no such day)'), (3, 'Reservation basis', 'reserved, but no reservation basis given (sme, vcse, location, sme_and_location or vcse_and_location)')]
>>> res.accepted.select("award_id", "value_gbp", "reservation_basis").row(0)
('C1', 120000.0, 'sme_and_location')
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lainbench.ingest.common import IngestResult
from lainbench.ingest.records import RecordSpec, Rule, ingest_records
from lainbench.schemas import CONTRACT_AWARD


def _rules(t: pl.DataFrame) -> list[Rule]:
    out: list[Rule] = []
    if "value_gbp" in t.columns:
        out.append((pl.col("value_gbp") < 0, "value_gbp",
                    "contract value below £0; give the awarded value"))
    if "is_reserved" in t.columns:
        basis = (pl.col("reservation_basis") if "reservation_basis" in t.columns
                 else pl.lit(None, pl.String))
        out.append((pl.col("is_reserved").fill_null(False) & basis.is_null(), "reservation_basis",
                    ("reserved, but no reservation basis given (sme, vcse, location, "
                     "sme_and_location or vcse_and_location)")))
        out.append((pl.col("is_reserved").eq(False) & basis.is_not_null(), "is_reserved",
                    "a reservation basis is given but the award is not marked reserved"))
    return out


SPEC = RecordSpec(
    kind="contracts",
    table=CONTRACT_AWARD,
    dates=("award_date",),
    amounts=("value_gbp",),
    booleans=("is_reserved", "is_framework", "value_split_unknown"),
    tristate=("supplier_is_vcse", "suitable_for_sme", "suitable_for_vcse"),
    value_aliases={
        "supplier_scale": {"yes": "sme", "y": "sme", "true": "sme", "small": "sme",
                           "medium": "sme", "micro": "sme", "no": "large", "n": "large",
                           "false": "large", "not_known": "unknown"},
        "value_basis": {"ex_vat": "net", "excluding_vat": "net", "exc_vat": "net",
                        "inc_vat": "gross", "including_vat": "gross", "not_known": "unknown"},
        "reservation_basis": {"sme_location": "sme_and_location", "sme_and_local": "sme_and_location",
                              "vcse_location": "vcse_and_location", "local": "location",
                              "supplier_location": "location", "vcs": "vcse"},
    },
    key=("buyer_org_id", "award_id", "lot_id"),
    rules=_rules,
    example_headers="'Contract reference', 'Supplier', 'Value', 'Award date'",
)


def ingest_contracts(path: str | Path, **options: object) -> IngestResult:
    """Read a contract register; options as :func:`lainbench.ingest.records.ingest_records`."""
    return ingest_records(path, SPEC, **options)  # type: ignore[arg-type]
