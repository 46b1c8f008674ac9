"""Statistical disclosure control: which figures built from suppliers' data may be shared.

A *cell* is one figure in a shared table (say one member x period x supplier size band). It is built
from the invoices of the suppliers paid in it. A cell is **sensitive**, and suppressed, when

* **threshold rule**: fewer than ``min_suppliers`` distinct suppliers contribute (default 5);
* **dominance (n, k) rule**: the largest ``dominance_n`` suppliers hold more than ``dominance_pct``
  per cent of the cell's value (default n = 1, k = 85: one supplier dominates);
* **p% rule** (off unless ``p_pct`` is set): the cell total less the two largest contributions is
  under ``p_pct`` per cent of the largest, so the second-largest supplier could estimate the largest
  one's value to within p %.

A cell with no contributing supplier is not sensitive: it says nothing about any supplier.

Suppressed figures are set to null and the row is marked (``suppressed``, ``suppression_note``).
In a table whose parts add up to a total (size bands within a member and period), a lone
suppressed figure could be recovered by subtraction (a part) or addition (the total), so
:func:`secondary` suppresses the smallest shown part as well (*secondary suppression*).

The inputs are per-cell counts such as :func:`lainbench.payments.disclosure_counts` gives:
``supplier_count``, ``largest_supplier_value_share_pct`` and, for n = 2 or the p% rule,
``second_supplier_value_share_pct``.

>>> counts = pl.DataFrame({"cell": ["a", "b", "c", "d"], "supplier_count": [12, 3, 40, 0],
...     "largest_supplier_value_share_pct": [30.0, 50.0, 91.0, None]})
>>> flag(counts).select("cell", "sensitive", "rule").rows()
[('a', False, None), ('b', True, 'threshold'), ('c', True, 'dominance'), ('d', False, None)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lainbench.errors import ParamsError
from lainbench.presentation import MARK  # GSS symbol for a confidential (suppressed) figure

RULES_FILE = "params/disclosure_control.yaml"

NOTES = {
    "threshold": "fewer than {min_suppliers} suppliers",
    "dominance": "{dominance_who} over {dominance_pct:g}% of the value",
    "p_percent": "p% rule: one supplier's value could be estimated to within {p_pct:g}%",
    "secondary": "secondary: protects a suppressed figure in the same group",
    "parent": "the figure it is part of is suppressed",
    "share": "its share's part or rest fails the rules",
    "linked": "hidden with a suppressed figure of another table it would reveal",
}


class DisclosureRules(BaseModel):
    """The thresholds of the three rules (defaults as in ``params/disclosure_control.yaml``).

    >>> DisclosureRules(min_suppliers=10).describe()
    'threshold: at least 10 suppliers per figure; dominance: no 1 supplier over 85% of the value'
    """

    model_config = ConfigDict(extra="forbid")
    min_suppliers: int = Field(5, ge=1, description="threshold rule: suppliers per figure")
    dominance_n: Literal[1, 2] = Field(1, description="dominance rule: largest n suppliers")
    dominance_pct: float = Field(85.0, gt=0, le=100, description="dominance rule: k, % of value")
    p_pct: float | None = Field(None, gt=0, le=100, description="p% rule; null switches it off")
    distribution_bucket_edges_days: tuple[int, ...] = Field(
        (5, 10, 15, 20, 25, 30, 45, 60, 90, 120), min_length=1,
        description="candidate bucket edges of a shared days-to-pay distribution (see release)")

    def describe(self) -> str:
        """The rules in words, for reports and the manifest."""
        who = "1 supplier" if self.dominance_n == 1 else "2 suppliers together"
        text = (f"threshold: at least {self.min_suppliers} suppliers per figure; dominance: no "
                f"{who} over {self.dominance_pct:g}% of the value")
        if self.p_pct is not None:
            text += f"; p% rule with p = {self.p_pct:g}"
        return text

    def note(self, rule: str) -> str:
        """The reason given beside a figure suppressed under ``rule``."""
        who = "one supplier holds" if self.dominance_n == 1 else "two suppliers hold"
        values = {k: (0 if v is None else v) for k, v in self.model_dump().items()}
        return NOTES[rule].format(dominance_who=who, **values)

    def notes(self) -> dict[str, str]:
        """Every rule's note, by rule name."""
        return {rule: self.note(rule) for rule in NOTES}


def load_rules(path: str | Path = RULES_FILE, when: dt.date | str | None = None,
               overrides: dict[str, Any] | None = None) -> DisclosureRules:
    """The rules in force on ``when`` (default today) from the params file, with ``overrides``.

    A bad override is refused naming the field, the value and the allowed range.

    >>> load_rules(overrides={"min_suppliers": 10}).min_suppliers
    10
    >>> load_rules(overrides={"dominance_pct": 150})
    Traceback (most recent call last):
    ...
    lainbench.errors.ParamsError: disclosure.dominance_pct: Input should be less than or equal to 100 (found 150)
    """
    from lainbench.params import load

    pf = load(path)
    when = when or dt.date.today()
    values = {name: pf.value(name, when) for name in pf.parameters}
    values.update(overrides or {})
    try:
        return DisclosureRules.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(x) for x in err["loc"])
        raise ParamsError(
            f"disclosure.{field}: {err['msg']} (found {err.get('input')!r})") from None


def _share(df: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name).fill_null(0.0) if name in df.columns else pl.lit(0.0)


def flag(counts: pl.DataFrame, rules: DisclosureRules | None = None) -> pl.DataFrame:
    """Add ``sensitive`` (bool) and ``rule`` (first rule broken, else null) to per-cell counts.

    >>> c = pl.DataFrame({"supplier_count": [6, 6], "largest_supplier_value_share_pct": [60.0, 60.0],
    ...     "second_supplier_value_share_pct": [30.0, 5.0]})
    >>> flag(c, DisclosureRules(dominance_n=2)).get_column("rule").to_list()
    ['dominance', None]
    >>> flag(c, DisclosureRules(p_pct=20)).get_column("rule").to_list()
    ['p_percent', None]
    """
    rules = rules or DisclosureRules()
    need = {"supplier_count", "largest_supplier_value_share_pct"}
    if rules.dominance_n == 2 or rules.p_pct is not None:
        need.add("second_supplier_value_share_pct")
    missing = sorted(need - set(counts.columns))
    if missing:
        raise ParamsError(
            f"disclosure counts: missing column(s) {', '.join(missing)}; build them with "
            "lainbench.payments.disclosure_counts")
    n = pl.col("supplier_count").fill_null(0)
    first = _share(counts, "largest_supplier_value_share_pct")
    second = _share(counts, "second_supplier_value_share_pct")
    top = first if rules.dominance_n == 1 else first + second
    rule = (
        pl.when(n == 0).then(pl.lit(None, pl.String))
        .when(n < rules.min_suppliers).then(pl.lit("threshold"))
        .when(top > rules.dominance_pct).then(pl.lit("dominance"))
    )
    if rules.p_pct is not None:
        rule = rule.when(100 - first - second < rules.p_pct / 100 * first).then(pl.lit("p_percent"))
    rule = rule.otherwise(pl.lit(None, pl.String))
    return counts.with_columns(rule.alias("rule")).with_columns(
        pl.col("rule").is_not_null().alias("sensitive"))


def secondary(flags: pl.DataFrame, group: Sequence[str], part: str, total: str = "all",
              size: str = "supplier_count") -> pl.DataFrame:
    """Suppress more cells so no suppressed figure can be worked out from the others.

    ``flags`` holds one row per cell with ``sensitive`` and ``rule`` (from :func:`flag`); within
    each ``group`` the row whose ``part`` equals ``total`` is the sum of the other rows. A group
    with exactly one suppressed cell (a part under a shown total, or the total above shown parts)
    leaks it by subtraction or addition, so the smallest shown part (fewest ``size``) is
    suppressed too, with rule ``secondary``.

    >>> f = pl.DataFrame({"m": ["A"] * 4, "band": ["all", "micro", "small", "large"],
    ...     "supplier_count": [30, 2, 8, 20], "sensitive": [False, True, False, False],
    ...     "rule": [None, "threshold", None, None]})
    >>> secondary(f, ["m"], "band").select("band", "rule").rows()
    [('all', None), ('micro', 'threshold'), ('small', 'secondary'), ('large', None)]
    """
    keys = list(group)
    hidden = pl.col("sensitive").sum().over(keys)
    order = pl.struct(pl.col(size).fill_null(0), pl.col(part)).rank("ordinal").over(
        keys + ["__shown_part"])
    out = flags.with_columns(
        (~pl.col("sensitive") & (pl.col(part) != total)).alias("__shown_part"))
    pick = (hidden == 1) & pl.col("__shown_part") & (order == 1)
    return out.with_columns(
        pl.when(pick).then(pl.lit("secondary")).otherwise(pl.col("rule")).alias("rule"),
    ).with_columns(pl.col("rule").is_not_null().alias("sensitive")).drop("__shown_part")


def apply(table: pl.DataFrame, flags: pl.DataFrame, keys: Sequence[str],
          rules: DisclosureRules | None = None, columns: Iterable[str] | None = None,
          ) -> pl.DataFrame:
    """Null the figures of every sensitive cell of ``table`` and mark the row.

    ``flags`` has the ``keys`` and ``sensitive`` / ``rule``; rows of ``table`` with no matching
    flag row are suppressed too (no counts means no evidence they are safe). ``columns`` are the
    figures to null (default: every numeric or boolean column not in ``keys``). Adds
    ``suppressed`` (bool) and ``suppression_note`` (reason in words, null when shown). Row order
    is kept.

    >>> t = pl.DataFrame({"m": ["A", "B"], "days": [20.5, 31.0], "tier": ["gold", "none"]})
    >>> f = pl.DataFrame({"m": ["A", "B"], "sensitive": [False, True], "rule": [None, "threshold"]})
    >>> apply(t, f, ["m"], columns=["days", "tier"]).rows()
    [('A', 20.5, 'gold', False, None), ('B', None, None, True, 'fewer than 5 suppliers')]
    >>> f2 = f.with_columns(pl.lit("threshold").alias("rule"))  # a rule named on a shown row
    >>> apply(t, f2, ["m"], columns=["days"])["suppression_note"].to_list()
    [None, 'fewer than 5 suppliers']
    """
    rules = rules or DisclosureRules()
    keys = list(keys)
    missing = [k for k in keys if k not in table.columns or k not in flags.columns]
    if missing:
        raise ParamsError(f"disclosure: key column(s) {', '.join(missing)} missing from the table "
                          "or its counts; both need the same keys")
    if columns is None:
        columns = [c for c, t in table.schema.items()
                   if c not in keys and (t.is_numeric() or t == pl.Boolean)]
    columns = [c for c in columns if c in table.columns and c not in keys]
    f = flags.select(*keys, pl.col("sensitive").alias("__s"), pl.col("rule").alias("__r"))
    out = table.with_row_index("__row").join(f, on=keys, how="left", nulls_equal=True)
    unknown = pl.col("__s").is_null()
    hidden = pl.col("__s").fill_null(True)
    notes = pl.col("__r").replace_strict(
        rules.notes(), default=None, return_dtype=pl.String)
    out = out.with_columns(
        *[pl.when(hidden).then(pl.lit(None, table.schema[c])).otherwise(pl.col(c)).alias(c)
          for c in columns],
        hidden.alias("suppressed"),
        # a note says what happened to this row only: none when the row is shown
        pl.when(~hidden).then(pl.lit(None, pl.String))
        .when(unknown).then(pl.lit("no supplier counts for this figure"))
        .otherwise(notes).alias("suppression_note"),
    )
    return out.sort("__row").drop("__row", "__s", "__r")


def log(flags: pl.DataFrame, table: str, keys: Sequence[str],
        rules: DisclosureRules | None = None) -> pl.DataFrame:
    """One row per suppressed cell: ``table``, its key values as text, ``rule`` and ``note``.

    No counts or shares are given for a suppressed cell (they would tell what was hidden).

    >>> f = pl.DataFrame({"m": ["A", "B"], "sensitive": [False, True], "rule": [None, "dominance"]})
    >>> log(f, "metrics", ["m"]).row(0)
    ('metrics', 'm=B', 'dominance', 'one supplier holds over 85% of the value')
    """
    rules = rules or DisclosureRules()
    hit = flags.filter(pl.col("sensitive"))
    cell = pl.concat_str(
        [pl.format(f"{k}={{}}", pl.col(k).cast(pl.String).fill_null("")) for k in keys],
        separator="; ")
    return hit.select(
        pl.lit(table).alias("table"), cell.alias("cell"), "rule",
        pl.col("rule").replace_strict(rules.notes(), default=None,
                                      return_dtype=pl.String).alias("note"),
    ).sort("table", "cell")


def mark(df: pl.DataFrame, columns: Iterable[str] | None = None) -> pl.DataFrame:
    """For display: figures of suppressed rows shown as ``[c]`` (text), others unchanged.

    >>> t = pl.DataFrame({"m": ["A", "B"], "days": [20.5, None], "suppressed": [False, True]})
    >>> mark(t).get_column("days").to_list()
    ['20.5', '[c]']
    """
    if "suppressed" not in df.columns:
        return df
    columns = list(columns) if columns is not None else [
        c for c, t in df.schema.items() if c != "suppressed" and (t.is_numeric() or t == pl.Boolean)]
    hidden = pl.col("suppressed").fill_null(False)
    return df.with_columns(
        pl.when(hidden).then(pl.lit(MARK)).otherwise(pl.col(c).cast(pl.String)).alias(c)
        for c in columns if c in df.columns
    )
