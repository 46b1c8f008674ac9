"""The statutory interest rate: the reference rate in force on the reference date plus 8 %, from the shipped rate table."""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
from datetime import date
from pathlib import Path

import polars as pl

from lainbench.config import PROJECT_ROOT, REFERENCE_DATA_DIR
from lainbench.errors import ParamsError

RATES_FILE = REFERENCE_DATA_DIR / "statutory_reference_rates.csv"


STATUSES = ("OK", "derived", "UNCONFIRMED", "assumption")


STATUTORY_MARGIN_PCT = 8.0  # s.4 / SI 2002/1675: 8 % over the reference rate


_RATES_SCHEMA = {
    "half_year_start": pl.Date(),
    "half_year_end": pl.Date(),
    "reference_date": pl.Date(),
    "bank_rate_pct": pl.Float64(),
    "statutory_rate_pct": pl.Float64(),
    "source": pl.String(),
    "status": pl.String(),
    "note": pl.String(),
}


_REQUIRED_RATE_COLUMNS = tuple(c for c in _RATES_SCHEMA if c != "note")


class ReferenceRateError(ParamsError):
    """The reference-rate table is malformed, or does not cover a date that needs a rate."""


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _half_year_key(d: date) -> int:
    """``year * 2 + (0 for Jan-Jun, 1 for Jul-Dec)``: the half-year index used for lookups."""
    return d.year * 2 + (1 if d.month >= 7 else 0)


def _half_year_label(key: int) -> str:
    year, half = divmod(key, 2)
    return f"H{half + 1} {year}"


def _half_year_bounds(key: int) -> tuple[date, date, date]:
    """(first day, last day, reference date) of the half-year ``key``."""
    year, half = divmod(key, 2)
    if half == 0:
        return date(year, 1, 1), date(year, 6, 30), date(year - 1, 12, 31)
    return date(year, 7, 1), date(year, 12, 31), date(year, 6, 30)


@functools.lru_cache(maxsize=8)
def _load_rates(path_str: str, mtime_ns: int) -> pl.DataFrame:
    path = Path(path_str)
    shown = _display(path)
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ReferenceRateError(f"{shown}: cannot be read as CSV ({exc})") from None
    missing = [c for c in _REQUIRED_RATE_COLUMNS if c not in raw.columns]
    if missing:
        raise ReferenceRateError(
            f"{shown}: missing column(s) {', '.join(missing)}; expected a header "
            f"{','.join(_RATES_SCHEMA)} (note optional)"
        )
    if "note" not in raw.columns:
        raw = raw.with_columns(pl.lit(None, pl.String).alias("note"))
    raw = raw.select(list(_RATES_SCHEMA))
    if raw.height == 0:
        raise ReferenceRateError(f"{shown}: no rows; expected one row per half-year")
    for i, row in enumerate(raw.iter_rows(named=True)):
        _check_rate_row(row, i + 2, shown)  # line 1 is the header
    out = raw.with_columns(
        *[pl.col(c).str.to_date("%Y-%m-%d") for c in ("half_year_start", "half_year_end",
                                                       "reference_date")],
        *[pl.col(c).cast(pl.Float64) for c in ("bank_rate_pct", "statutory_rate_pct")],
    ).sort("half_year_start")
    keys = [_half_year_key(d) for d in out["half_year_start"]]
    for prev, cur, start in zip(keys, keys[1:], out["half_year_start"][1:], strict=False):
        if cur == prev:
            raise ReferenceRateError(
                f"{shown}: half_year_start {start} appears twice; keep one row per half-year"
            )
        if cur != prev + 1:
            gap = _half_year_label(prev + 1)
            raise ReferenceRateError(
                f"{shown}: no row for {gap} (between {_half_year_label(prev)} and "
                f"{_half_year_label(cur)}); add the missing half-year so the table has no gaps"
            )
    return out


def _check_rate_row(row: dict, line: int, shown: str) -> None:
    """Check one CSV row; errors name the file, line, column, value and what was expected."""
    where = f"{shown}, line {line}"
    dates = {}
    for col in ("half_year_start", "half_year_end", "reference_date"):
        value = row[col]
        try:
            dates[col] = dt.date.fromisoformat((value or "").strip())
        except ValueError:
            raise ReferenceRateError(
                f"{where}: {col} = {value!r} is not a date; expected YYYY-MM-DD"
            ) from None
    start = dates["half_year_start"]
    if (start.month, start.day) not in ((1, 1), (7, 1)):
        raise ReferenceRateError(
            f"{where}: half_year_start = {start} must be 1 January or 1 July"
        )
    first, last, ref = _half_year_bounds(_half_year_key(start))
    if dates["half_year_end"] != last:
        raise ReferenceRateError(
            f"{where}: half_year_end = {dates['half_year_end']}; expected {last} for a half-year "
            f"starting {first}"
        )
    if dates["reference_date"] != ref:
        raise ReferenceRateError(
            f"{where}: reference_date = {dates['reference_date']}; the Act's reference date for "
            f"interest starting {first} to {last} is {ref} (SI 2002/1675)"
        )
    rates = {}
    for col in ("bank_rate_pct", "statutory_rate_pct"):
        value = row[col]
        try:
            rates[col] = float(value)
        except (TypeError, ValueError):
            raise ReferenceRateError(
                f"{where}: {col} = {value!r} is not a number; expected a percentage such as 4.75"
            ) from None
        if not (0 <= rates[col] < 100) or math.isnan(rates[col]):
            raise ReferenceRateError(f"{where}: {col} = {value!r}; expected a percentage 0-100")
    bank_bp = round(rates["bank_rate_pct"] * 100)
    if abs(rates["bank_rate_pct"] * 100 - bank_bp) > 1e-6:
        raise ReferenceRateError(
            f"{where}: bank_rate_pct = {row['bank_rate_pct']}; give it to at most 2 decimal places"
        )
    expected = (bank_bp + round(STATUTORY_MARGIN_PCT * 100)) / 100
    if abs(rates["statutory_rate_pct"] - expected) > 1e-9:
        raise ReferenceRateError(
            f"{where}: statutory_rate_pct = {row['statutory_rate_pct']}; expected {expected:.2f} "
            f"(bank_rate_pct {rates['bank_rate_pct']:.2f} + 8)"
        )
    if not (row["source"] or "").strip():
        raise ReferenceRateError(f"{where}: source is empty; give the URL the rate was read from")
    if row["status"] not in STATUSES:
        raise ReferenceRateError(
            f"{where}: status = {row['status']!r}; expected one of {', '.join(STATUSES)}"
        )


def reference_rates(path: str | os.PathLike[str] | None = None) -> pl.DataFrame:
    """The shipped reference-rate table, typed and checked.

    One row per half-year in which interest starts: ``half_year_start``, ``half_year_end``,
    ``reference_date``, ``bank_rate_pct``, ``statutory_rate_pct`` (= Bank Rate + 8), ``source``,
    ``status`` and ``note``. ``path`` defaults to :data:`RATES_FILE`; a malformed file raises
    :class:`ReferenceRateError` naming the line and column.

    >>> t = reference_rates()
    >>> t.select("half_year_start", "reference_date", "statutory_rate_pct").row(0)
    (datetime.date(2013, 1, 1), datetime.date(2012, 12, 31), 8.5)
    >>> t["status"][-1], t["half_year_end"][-1]
    ('assumption', datetime.date(2026, 12, 31))
    """
    p = Path(path) if path is not None else RATES_FILE
    if not p.exists():
        raise ReferenceRateError(f"{_display(p)}: reference-rate file not found")
    return _load_rates(str(p.resolve()), p.stat().st_mtime_ns).clone()


def rate_table_notes(path: str | os.PathLike[str] | None = None) -> list[str]:
    """One line for each half-year whose rate is not read from a published table (status not OK).

    >>> rate_table_notes()[-1].split(":")[0]  # doctest: +NORMALIZE_WHITESPACE
    'H2 2026 (interest starting 2026-07-01 to 2026-12-31) uses Bank Rate 3.75 % on 2026-06-30,
    status assumption'
    """
    t = reference_rates(path).filter(pl.col("status") != "OK")
    return [
        f"{_half_year_label(_half_year_key(r['half_year_start']))} (interest starting "
        f"{r['half_year_start']} to {r['half_year_end']}) uses Bank Rate "
        f"{r['bank_rate_pct']:.2f} % "
        f"on {r['reference_date']}, status {r['status']}: {r['note'] or ''} [{r['source']}]"
        for r in t.iter_rows(named=True)
    ]


def _rate_lookup(path: str | os.PathLike[str] | None = None) -> tuple[int, list[int], list[str]]:
    """(first half-year key, statutory rates in basis points, statuses) from the table."""
    t = reference_rates(path)
    first = _half_year_key(t["half_year_start"][0])
    bps = [round(b * 100) + round(STATUTORY_MARGIN_PCT * 100) for b in t["bank_rate_pct"]]
    return first, bps, t["status"].to_list()


def _out_of_table(key: int, first: int, n: int, path: Path = RATES_FILE) -> ReferenceRateError:
    start, end, ref = _half_year_bounds(key)
    return ReferenceRateError(
        f"no statutory reference rate for interest starting in {_half_year_label(key)} "
        f"({start} to {end}): {_display(path)} covers {_half_year_label(first)} to "
        f"{_half_year_label(first + n - 1)}. Add a row for that half-year to {_display(path)} with "
        f"the Bank of England Bank Rate on {ref} and its source"
    )


def statutory_rate_pct(interest_start: date) -> float:
    """Statutory rate in % a year for interest starting on ``interest_start``: reference + 8.

    The reference rate is Bank Rate on 31 December before (interest starting 1 Jan-30 Jun) or on
    30 June (interest starting 1 Jul-31 Dec); SI 2002/1675.

    >>> statutory_rate_pct(date(2025, 6, 30)), statutory_rate_pct(date(2025, 7, 1))
    (12.75, 12.25)
    """
    first, bps, _ = _rate_lookup()
    key = _half_year_key(_as_date(interest_start, "interest_start"))
    if not first <= key < first + len(bps):
        raise _out_of_table(key, first, len(bps))
    return bps[key - first] / 100


def _as_date(value: date | str | None, name: str, *, optional: bool = False) -> date | None:
    if value is None:
        if optional:
            return None
        raise ParamsError(f"{name} is missing; expected a date (datetime.date or 'YYYY-MM-DD')")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ParamsError(f"{name} = {value!r} is not a date; expected datetime.date or 'YYYY-MM-DD'")
