"""The one place that opens canonical tables: invoices, members, periods, insurance requirements.

Every loader resolves its path against the project root (absolute paths as given), and every
fault (a missing file, a file that is not the table it should be) is a :class:`SchemaError`
naming the file, the parameter it came from when one is given, and what to run to fix it.
Ingest (``lainbench ingest ...``) writes these tables from raw files; the capabilities read them
only through here.

>>> import tempfile
>>> from pathlib import Path
>>> p = Path(tempfile.mkdtemp()) / "members.csv"
>>> _ = p.write_text("org_id,org_name,org_type\\nwestmere_council,Westmere City Council,local_authority\\n")
>>> members(p)["org_name"].to_list()
['Westmere City Council']
>>> members(p.with_name("absent.csv"), required=False) is None
True
>>> invoices(p.with_name("absent.parquet"), param="invoices_path")
Traceback (most recent call last):
...
lainbench.errors.SchemaError: invoices_path = ...absent.parquet: file not found (looked for ...absent.parquet); run `lainbench demo` for the demo data, or `lainbench ingest invoices FILE --out DIR` for your own ledger
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lainbench.config import DEMO_DIR, resolve
from lainbench.errors import SchemaError
from lainbench.schemas import INSURANCE_REQUIREMENT, INVOICE_PAYMENT, MEMBER, Table

DEMO_REQUIREMENTS = DEMO_DIR / "insurance_requirement.parquet"
FIX = {
    "invoices": "run `lainbench demo` for the demo data, or `lainbench ingest invoices FILE --out DIR` "
    "for your own ledger",
    "members": "run `lainbench demo` for the demo tables, or give a member table (org_id, org_name, "
    "org_type)",
    "periods": "run `lainbench demo` for the demo tables, or give a period table (period, "
    "period_start, period_end)",
    "requirements": "run `lainbench demo` for the demo requirements, or `lainbench ingest insurance "
    "FILE --out DIR` for your own",
    "table": "give a canonical table (parquet or CSV with the lainbench.schemas column names)",
}


def _where(path: str | Path, param: str | None) -> str:
    return f"{param} = {path}" if param else str(path)


def _existing(path: str | Path, kind: str, param: str | None) -> Path:
    p = resolve(path)
    if not p.exists():
        raise SchemaError(f"{_where(path, param)}: file not found (looked for {p}); {FIX[kind]}")
    return p


def _read_frame(p: Path, where: str, **csv: object) -> pl.DataFrame:
    try:
        if p.suffix.lower() == ".parquet":
            return pl.read_parquet(p)
        return pl.read_csv(p, **csv)
    except (pl.exceptions.PolarsError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SchemaError(f"{where}: cannot be read as a table ({first})") from None


def invoices(path: str | Path, param: str | None = None) -> pl.LazyFrame:
    """Open a canonical invoice table lazily (parquet), or read and validate a canonical CSV.

    Raises :class:`SchemaError` naming the file when it is missing or lacks required columns.
    """
    p = _existing(path, "invoices", param)
    if p.suffix.lower() == ".parquet":
        lf = pl.scan_parquet(p)
        try:
            cols = set(lf.collect_schema().names())
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise SchemaError(f"{_where(path, param)}: cannot be read as parquet ({exc})") from None
        missing = sorted(INVOICE_PAYMENT.required - cols)
        if missing:
            raise SchemaError(
                f"{_where(path, param)}: missing required column(s) {', '.join(missing)}"
            )
        return lf
    from lainbench.ingest.canonical import read_invoice_payment

    return read_invoice_payment(p).accepted.lazy()


def members(path: str | Path | None, param: str | None = None, *,
            required: bool = True) -> pl.DataFrame | None:
    """Read and check the member table (parquet or CSV: ``org_id``, ``org_name``, ``org_type``).

    With ``required=False`` a missing path (or ``None``) gives ``None`` instead of an error, for
    callers that only use member names as labels.
    """
    if path is None or not resolve(path).exists():
        if not required:
            return None
        if path is None:
            raise SchemaError(f"{param or 'members'}: no member table given; {FIX['members']}")
    p = _existing(path, "members", param)
    df = _read_frame(p, _where(path, param), infer_schema=False)
    return MEMBER.conform(df, source=_where(path, param))


def periods(path: str | Path, param: str | None = None) -> pl.DataFrame:
    """Read the reporting-period table (``period``, ``period_start``, ``period_end``), sorted."""
    p = _existing(path, "periods", param)
    df = _read_frame(p, _where(path, param), try_parse_dates=True)
    need = {"period", "period_start", "period_end"}
    if not need <= set(df.columns):
        raise SchemaError(f"{_where(path, param)}: needs columns period, period_start, period_end")
    return df.sort("period_start")


def requirements(path: str | Path = "demo", param: str | None = None) -> pl.DataFrame:
    """Insurance requirements from a canonical parquet, or a CSV/XLSX read through ingest.

    ``"demo"`` means the demo requirements that ``lainbench demo`` writes
    (``data/demo/insurance_requirement.parquet``). CSV and XLSX go through
    :func:`lainbench.ingest.insurance.ingest_insurance`; rejected rows are left out (run
    ``lainbench ingest insurance FILE --out DIR`` to see them in ``rejects.csv``).
    """
    p = _existing(DEMO_REQUIREMENTS if str(path) == "demo" else path, "requirements", param)
    if p.suffix.lower() == ".parquet":
        raw = _read_frame(p, _where(path, param))
        return INSURANCE_REQUIREMENT.conform(raw, source=str(path))
    from lainbench.ingest.insurance import ingest_insurance

    return ingest_insurance(p).accepted


def table(path: str | Path, schema: Table, param: str | None = None) -> pl.DataFrame:
    """Any canonical table (``lainbench.schemas``) from a parquet or CSV, checked and cast.

    Used for the action-plan tables (supplier, spend_line, contract_award, payment_terms) a
    member's return reads.
    """
    p = _existing(path, "table", param)
    df = _read_frame(p, _where(path, param), try_parse_dates=True)
    return schema.conform(df, source=_where(path, param))
