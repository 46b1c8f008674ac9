"""Addressable spend: which spend lines a procurement choice could send to an MSME, and why not.

The exclusions live in ``params/addressable_spend.yaml``: each parameter is one reason (payroll,
taxes and levies, pensions, inter-authority transfers, grants, business rates, ...) listing the
``spend_category`` codes it excludes, plus ``member_extra_exclusions`` (member -> reason -> codes).
A line is excluded when its category is listed (the member's own list first, then the common one),
or when the member's file flags it not addressable (``is_addressable`` false; its own
``exclusion_reason``, else ``member_flagged``). Excluded lines are kept and labelled, never dropped:
:func:`excluded_spend` reports every excluded pound by reason.

>>> rules = rules_from_mapping({"payroll": ["payroll"], "grants": ["grants"]},
...                            {"m1": {"own_rule": ["rent"]}})
>>> spend = pl.DataFrame({"buyer_org_id": ["m1", "m1", "m1", "m2", "m1"],
...     "spend_category": ["Payroll", "it", "rent", "rent", "works"],
...     "amount_gbp": [100.0, 50.0, 20.0, 20.0, 5.0],
...     "is_addressable": [None, None, None, None, False]})
>>> apply_exclusions(spend, rules).select("buyer_org_id", "is_addressable", "exclusion_reason").rows()
[('m1', False, 'payroll'), ('m1', True, None), ('m1', False, 'own_rule'), ('m2', True, None), ('m1', False, 'member_flagged')]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lainbench import params
from lainbench.errors import ParamsError

ADDRESSABLE_PATH = "params/addressable_spend.yaml"
MEMBER_EXTRA = "member_extra_exclusions"
MEMBER_FLAGGED = "member_flagged"


def normalise_category(expr: pl.Expr) -> pl.Expr:
    """Spend category codes as matched: lower case, runs of other characters to ``_``.

    >>> pl.select(normalise_category(pl.lit(" Business Rates "))).item()
    'business_rates'
    """
    return (expr.cast(pl.String).str.strip_chars().str.to_lowercase()
            .str.replace_all(r"[^a-z0-9]+", "_").str.strip_chars("_"))


def _norm(text: str) -> str:
    return pl.select(normalise_category(pl.lit(text))).item()


@dataclass(frozen=True)
class ExclusionRules:
    """Common exclusions (reason -> categories), member extras, and each reason's sources."""

    common: dict[str, tuple[str, ...]]
    member_extra: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def table(self) -> pl.DataFrame:
        """Every rule as a row: ``buyer_org_id`` (null = every member), reason, category, source."""
        rows = []
        for reason, cats in self.common.items():
            for c in cats:
                rows.append((None, reason, c, "; ".join(self.sources.get(reason, ()))))
        for member, extra in self.member_extra.items():
            for reason, cats in extra.items():
                for c in cats:
                    rows.append((member, reason, c, "; ".join(self.sources.get(MEMBER_EXTRA, ()))))
        return pl.DataFrame(rows, schema={"buyer_org_id": pl.String, "reason": pl.String,
                                          "spend_category": pl.String, "source": pl.String},
                            orient="row")


def rules_from_mapping(common: dict[str, list[str]],
                       member_extra: dict[str, dict[str, list[str]]] | None = None
                       ) -> ExclusionRules:
    """Rules from plain mappings (categories normalised); a category may have one reason only."""
    seen: dict[str, str] = {}
    out: dict[str, tuple[str, ...]] = {}
    for reason, cats in common.items():
        normed = tuple(_norm(c) for c in cats)
        for c in normed:
            if c in seen and seen[c] != reason:
                raise ParamsError(f"spend category {c!r} is excluded under two reasons "
                                  f"({seen[c]}, {reason}); list it under one")
            seen[c] = reason
        out[reason] = normed
    extra = {
        m: {r: tuple(_norm(c) for c in cats) for r, cats in (by_reason or {}).items()}
        for m, by_reason in (member_extra or {}).items()
    }
    return ExclusionRules(common=out, member_extra=extra)


def load_rules(path: str | Path = ADDRESSABLE_PATH, when: dt.date | str = "2026-09-30"
               ) -> ExclusionRules:
    """The exclusions in force on ``when`` from a PolicyEngine-style file (default the shipped one).

    >>> r = load_rules()
    >>> sorted(r.common)[:3], r.common["business_rates"]
    (['business_rates', 'financing', 'grants'], ('business_rates', 'non_domestic_rates'))
    """
    pf = params.load(path)
    common: dict[str, list[str]] = {}
    extra: dict[str, dict[str, list[str]]] = {}
    sources: dict[str, tuple[str, ...]] = {}
    for name, p in pf.parameters.items():
        value = p.at(when)
        sources[name] = tuple(r.title for r in p.sources())
        if value is None:
            continue
        if name == MEMBER_EXTRA:
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise ParamsError(f"{path}: parameters.{MEMBER_EXTRA}: expected member id -> "
                                  "reason -> list of spend categories")
            extra = value
            continue
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            raise ParamsError(f"{path}: parameters.{name}: expected a list of spend category codes "
                              f"(found {value!r})")
        common[name] = value
    rules = rules_from_mapping(common, extra)
    return ExclusionRules(rules.common, rules.member_extra, sources)


def apply_exclusions(spend: pl.DataFrame, rules: ExclusionRules) -> pl.DataFrame:
    """``spend`` with ``is_addressable`` and ``exclusion_reason`` set for every line (rows kept).

    The member's own extra list is tried first, then the common list, then the line's own flag.
    A line the file marks addressable but whose category is excluded is excluded (the network's
    common definition wins, so members are comparable).
    """
    cat = normalise_category(pl.col("spend_category"))
    common = {c: r for r, cats in rules.common.items() for c in cats}
    reason = pl.lit(None, pl.String)
    for member, extra in rules.member_extra.items():
        mapping = {c: r for r, cats in extra.items() for c in cats}
        hit = cat.replace_strict(mapping, default=None, return_dtype=pl.String)
        reason = pl.when(pl.col("buyer_org_id") == member).then(pl.coalesce(hit, reason)
                                                                ).otherwise(reason)
    common_hit = cat.replace_strict(common, default=None, return_dtype=pl.String)
    own_flag = pl.col("is_addressable") if "is_addressable" in spend.columns else pl.lit(None)
    own_reason = (pl.col("exclusion_reason") if "exclusion_reason" in spend.columns
                  else pl.lit(None, pl.String))
    flagged = pl.when(own_flag.eq(False)).then(pl.coalesce(own_reason, pl.lit(MEMBER_FLAGGED)))
    final = pl.coalesce(reason, common_hit, flagged)
    return spend.with_columns(final.alias("exclusion_reason")).with_columns(
        pl.col("exclusion_reason").is_null().alias("is_addressable"))


def excluded_spend(spend: pl.DataFrame, by: tuple[str, ...] = ("buyer_org_id",)) -> pl.DataFrame:
    """Excluded spend by ``by`` and reason: ``excluded_gbp``, ``lines``, share of all spend.

    ``spend`` is the output of :func:`apply_exclusions` (with ``period`` in ``by`` if wanted).

    >>> s = pl.DataFrame({"buyer_org_id": ["a"] * 3, "amount_gbp": [60.0, 30.0, 10.0],
    ...     "is_addressable": [True, False, False], "exclusion_reason": [None, "payroll", "grants"]})
    >>> excluded_spend(s).rows()
    [('a', 'grants', 10.0, 1, 10.0), ('a', 'payroll', 30.0, 1, 30.0)]
    """
    keys = list(by)
    totals = spend.group_by(keys).agg(pl.col("amount_gbp").sum().alias("__total"))
    out = (spend.filter(~pl.col("is_addressable"))
           .group_by([*keys, "exclusion_reason"])
           .agg(pl.col("amount_gbp").sum().round(2).alias("excluded_gbp"),
                pl.len().cast(pl.Int64).alias("lines"))
           .join(totals, on=keys, how="left")
           .with_columns((100 * pl.col("excluded_gbp") / pl.col("__total")).round(2)
                         .alias("share_of_spend_pct"))
           .drop("__total")
           .sort([*keys, "exclusion_reason"]))
    return out
