"""The network benchmark of insurance requirements: bands, medians, proportionality, flags, review changes and harmonisation."""

from __future__ import annotations

from typing import Any, Literal

import polars as pl

from lainbench.errors import ParamsError
from lainbench.insurance.standards import (
    EL,
    FLAGS,
    Standards,
    _band_label_expr,
    _standards,
    benchmark_bands,
    format_gbp_short,
)
from lainbench.schemas import INSURANCE_REQUIREMENT, PROCUREMENT_CATEGORIES, _from_pandas_if_needed


# --------------------------------------------------------------------------------------------
# Benchmark measures
# --------------------------------------------------------------------------------------------
def _requirements(reqs: Any) -> pl.DataFrame:
    """Accept a canonical requirements frame (polars or pandas) and check it."""
    if isinstance(reqs, pl.DataFrame) and reqs.schema == INSURANCE_REQUIREMENT.schema:
        return reqs
    return INSURANCE_REQUIREMENT.conform(_frame(reqs), source="insurance requirements")


def _frame(df: Any) -> pl.DataFrame:
    """A polars frame from a polars (lazy) or pandas one."""
    return df.collect() if isinstance(df, pl.LazyFrame) else _from_pandas_if_needed(df)


def pick_version(reqs: Any, which: Literal["latest", "earliest"] = "latest") -> pl.DataFrame:
    """Keep one requirement version per member: its latest (or earliest) by document date.

    Versions are ordered by their latest ``document_date`` (undated first), then by name.

    >>> from lainbench.demo.insurance import insurance_requirements
    >>> reqs = insurance_requirements()
    >>> pick_version(reqs, "earliest")["requirement_version"].unique().to_list()
    ['2025-current']
    """
    if which not in ("latest", "earliest"):
        raise ParamsError(f"version = {which!r}; expected 'latest' or 'earliest'")
    df = _requirements(reqs)
    versions = (
        df.group_by("buyer_org_id", "requirement_version")
        .agg(pl.col("document_date").max().alias("__d"))
        .sort("buyer_org_id", "__d", "requirement_version", nulls_last=False)
    )
    pick = (
        pl.col("requirement_version").last()
        if which == "latest"
        else pl.col("requirement_version").first()
    )
    chosen = versions.group_by("buyer_org_id", maintain_order=True).agg(pick)
    return df.join(chosen, on=["buyer_org_id", "requirement_version"], how="semi", nulls_equal=True)


def _categories(df: pl.DataFrame, categories: list[str] | None) -> list[str]:
    if categories:
        return list(categories)
    found = sorted(df["procurement_category"].drop_nulls().unique().to_list())
    if found:
        return found
    return list(PROCUREMENT_CATEGORIES)


KEEP = (
    "min_limit_gbp",
    "required_stage",
    "self_certification_allowed",
    "applies_to_sole_traders",
    "risk_tier",
    "procurement_regime",
    "limit_basis",
    "notes",
)


def resolve_to_bands(
    reqs: Any,
    edges: list[float] | tuple[float, ...] | None = None,
    categories: list[str] | None = None,
) -> pl.DataFrame:
    """Each member's required limit per category x benchmark band x cover type.

    A member's row applies to a benchmark band when their value ranges overlap (both are
    ``[min, max)``, null meaning open) and to a category when its category is that one or null
    (all categories). Where several rows apply, the **highest** limit is kept: the most a supplier
    in that band may be asked for. Keeps the stage, self-certification and tier of that row.

    >>> reqs = pl.DataFrame({"buyer_org_id": ["A", "A"], "cover_type": ["public_liability"] * 2,
    ...     "min_limit_gbp": [1e6, 1e7], "contract_value_min_gbp": [None, 100_000.0],
    ...     "procurement_category": ["it", "it"]})
    >>> out = resolve_to_bands(reqs, edges=[0, 25_000, 250_000])
    >>> out.select("band", "min_limit_gbp").rows()
    [('under £25k', 1000000.0), ('£25k-£250k', 10000000.0), ('£250k and over', 10000000.0)]
    """
    df = _requirements(reqs)
    cats = pl.DataFrame({"procurement_category": _categories(df, categories)})
    all_cat = df.filter(pl.col("procurement_category").is_null()).drop("procurement_category")
    df = pl.concat(
        [
            df.filter(pl.col("procurement_category").is_not_null()),
            all_cat.join(cats, how="cross").select(df.columns),
        ],
        how="vertical",
    )
    bands = benchmark_bands(edges).rename(
        {"contract_value_min_gbp": "band_min", "contract_value_max_gbp": "band_max"}
    )
    inf = float("inf")
    joined = df.join(bands, how="cross").filter(
        (pl.col("contract_value_min_gbp").fill_null(0) < pl.col("band_max").fill_null(inf))
        & (pl.col("contract_value_max_gbp").fill_null(inf) > pl.col("band_min"))
    )
    keys = [
        "buyer_org_id",
        "requirement_version",
        "procurement_category",
        "band_order",
        "band",
        "band_min",
        "band_max",
        "cover_type",
    ]
    out = (
        joined.sort("min_limit_gbp", descending=True)
        .group_by(keys, maintain_order=True)
        .agg([pl.col(c).first() for c in KEEP])
        .rename({"band_min": "contract_value_min_gbp", "band_max": "contract_value_max_gbp"})
        .sort("procurement_category", "band_order", "cover_type", "buyer_org_id")
    )
    return out


def network_comparison(resolved: Any, standards: Standards | None = None) -> pl.DataFrame:
    """Each member's limit next to the network median, minimum and maximum.

    Per procurement category, benchmark band and cover type.

    Members without a requirement for that cover are left out of the statistics and counted in
    ``members_not_requiring`` (out of the members present in ``resolved``). The median of an even
    number of members is the mean of the middle two. ``statutory_minimum_gbp`` is set for EL.

    >>> r = pl.DataFrame({"buyer_org_id": ["A", "B", "C"], "procurement_category": ["it"] * 3,
    ...     "band_order": [0] * 3, "band": ["under £25k"] * 3,
    ...     "cover_type": ["public_liability"] * 3,
    ...     "min_limit_gbp": [1e6, 5e6, 1e7]})
    >>> network_comparison(r).select("buyer_org_id", "network_median_gbp", "vs_median_gbp").rows()
    [('A', 5000000.0, -4000000.0), ('B', 5000000.0, 0.0), ('C', 5000000.0, 5000000.0)]
    """
    std = _standards(standards)
    df = _frame(resolved)
    n_members = df["buyer_org_id"].n_unique()
    keys = ["procurement_category", "band_order", "band", "cover_type"]
    stats = (
        df.group_by(keys)
        .agg(
            pl.col("min_limit_gbp").median().alias("network_median_gbp"),
            pl.col("min_limit_gbp").min().alias("network_min_gbp"),
            pl.col("min_limit_gbp").max().alias("network_max_gbp"),
            pl.col("buyer_org_id").n_unique().cast(pl.Int32).alias("members_requiring"),
        )
        .with_columns(
            (n_members - pl.col("members_requiring")).cast(pl.Int32).alias("members_not_requiring")
        )
    )
    out = df.join(stats, on=keys, how="left").with_columns(
        pl.when(pl.col("cover_type") == EL)
        .then(pl.lit(std.el_statutory_minimum_gbp))
        .otherwise(None)
        .cast(pl.Float64)
        .alias("statutory_minimum_gbp"),
        (pl.col("min_limit_gbp") - pl.col("network_median_gbp")).alias("vs_median_gbp"),
        (pl.col("min_limit_gbp") / pl.col("network_median_gbp")).alias("ratio_to_median"),
        pl.when(pl.col("min_limit_gbp") > pl.col("network_median_gbp"))
        .then(pl.lit("above median"))
        .when(pl.col("min_limit_gbp") < pl.col("network_median_gbp"))
        .then(pl.lit("below median"))
        .otherwise(pl.lit("at median"))
        .alias("position"),
    )
    return out.sort(*keys, "buyer_org_id")


def reference_value_expr(edges: list[float] | tuple[float, ...]) -> pl.Expr:
    """Contract value a requirement's limit is judged against, from its value band.

    The band's upper bound; for an open band, the upper edge of the benchmark band holding its
    lower bound (so "all values" is judged at the top of the smallest band); for the open top
    band, its lower bound.
    """
    lo = pl.col("contract_value_min_gbp").fill_null(0)
    upper_of_lo = pl.lit(None, dtype=pl.Float64)
    for e_lo, e_hi in reversed(list(zip(edges, [*edges[1:], None]))):
        upper_of_lo = (
            pl.when((lo >= e_lo) & (pl.lit(e_hi is None) | (lo < (e_hi or 0))))
            .then(pl.lit(e_hi, dtype=pl.Float64))
            .otherwise(upper_of_lo)
        )
    fallback = pl.coalesce(upper_of_lo, pl.when(lo > 0).then(lo))
    return pl.coalesce(pl.col("contract_value_max_gbp"), fallback).cast(pl.Float64)


def proportionality(
    frame: Any,
    standards: Standards | None = None,
    contract_value_gbp: float | None = None,
) -> pl.DataFrame:
    """Add ``reference_value_gbp``, ``limit_to_value_ratio`` and the ``disproportionate`` flag.

    The ratio is the required limit over the contract value it applies to: ``contract_value_gbp``
    if given, else a reference value from the row's band (:func:`reference_value_expr`). A row is
    flagged when the ratio is above the threshold **and** the limit is above the floor (a limit a
    typical micro supplier already holds costs it nothing). Employer's liability is never flagged
    here: its level is set by law (checked by :func:`requirement_flags`), not by contract value.

    >>> f = pl.DataFrame({
    ...     "cover_type": ["public_liability", "public_liability", "employers_liability"],
    ...     "min_limit_gbp": [10e6, 1e6, 10e6], "contract_value_min_gbp": [0.0, 0.0, 0.0],
    ...     "contract_value_max_gbp": [25_000.0, 25_000.0, 25_000.0]})
    >>> proportionality(f).select("limit_to_value_ratio", "disproportionate").rows()
    [(400.0, True), (40.0, False), (400.0, False)]
    """
    std = _standards(standards)
    df = _frame(frame)
    if contract_value_gbp is not None:
        if contract_value_gbp <= 0:
            raise ParamsError(
                f"contract_value_gbp = {contract_value_gbp}; expected a value above £0"
            )
        ref = pl.lit(float(contract_value_gbp))
    else:
        for c in ("contract_value_min_gbp", "contract_value_max_gbp"):
            if c not in df.columns:
                df = df.with_columns(pl.lit(None, dtype=pl.Float64).alias(c))
        ref = reference_value_expr(std.band_edges)
    df = df.with_columns(ref.alias("reference_value_gbp"))
    ratio = pl.col("min_limit_gbp") / pl.col("reference_value_gbp")
    return df.with_columns(
        ratio.alias("limit_to_value_ratio"),
        (
            (ratio > std.ratio_threshold)
            & (pl.col("min_limit_gbp") > std.limit_floor_gbp)
            & (pl.col("cover_type") != EL)
        )
        .fill_null(False)
        .alias("disproportionate"),
    )


def _bid_reason() -> pl.Expr:
    regime = pl.col("procurement_regime")
    return (
        pl.when(regime == "pa2023")
        .then(
            pl.lit(
                "cover required before award: not lawful as a condition of participation "
                "(Procurement Act 2023 s.22(3)(b)); ask for it of the winner"
            )
        )
        .when(regime == "pcr_2015")
        .then(
            pl.lit(
                "cover required to bid: SQ guidance asks buyers to accept self-certification "
                "that cover will be in place if awarded"
            )
        )
        .otherwise(
            pl.lit(
                "cover required to bid: if this is a condition of participation under the "
                "Procurement Act 2023 it is not lawful (s.22(3)(b)); ask for it at award"
            )
        )
    )


def requirement_flags(reqs: Any, standards: Standards | None = None) -> pl.DataFrame:
    """One row per requirement and flag raised, with the reason in words.

    Flags (see :data:`FLAGS`): ``required_at_bid``, ``no_self_certification``,
    ``el_for_sole_traders``, ``below_statutory_minimum`` and ``disproportionate``
    (:func:`proportionality`, judged at the band's reference value).

    >>> reqs = pl.DataFrame({"buyer_org_id": ["A", "A"], "cover_type": ["public_liability",
    ...     "employers_liability"], "min_limit_gbp": [10e6, 5e6],
    ...     "required_stage": ["at_bid", "at_award"],
    ...     "applies_to_sole_traders": [None, True], "contract_value_max_gbp": [25_000.0, None],
    ...     "procurement_regime": ["pa2023", "pa2023"]})
    >>> requirement_flags(reqs).select("cover_type", "flag").rows()
    [('employers_liability', 'el_for_sole_traders'),
     ('public_liability', 'disproportionate'),
     ('public_liability', 'required_at_bid')]
    """
    std = _standards(standards)
    df = proportionality(_requirements(reqs), std).with_columns(
        _band_label_expr("contract_value_min_gbp", "contract_value_max_gbp").alias("band"),
        pl.col("min_limit_gbp")
        .map_elements(format_gbp_short, return_dtype=pl.String)
        .alias("__lim"),
    )
    el_min = std.el_statutory_minimum_gbp
    checks = [
        ("required_at_bid", pl.col("required_stage") == "at_bid", _bid_reason()),
        (
            "no_self_certification",
            pl.col("self_certification_allowed") == False,
            pl.lit(
                "evidence of cover demanded; the standard SQ lets suppliers self-certify they have "
                "or will obtain it before the contract starts"
            ),
        ),
        (
            "el_for_sole_traders",
            (pl.col("cover_type") == EL) & pl.col("applies_to_sole_traders").fill_null(False),
            pl.lit(
                "sole traders without employees need no employer's liability cover "
                "(ELCI Act 1969); "
                "exempt them"
            ),
        ),
        (
            "below_statutory_minimum",
            (pl.col("cover_type") == EL) & (pl.col("min_limit_gbp") < el_min),
            pl.lit(
                f"below the {format_gbp_short(el_min)} statutory minimum (ELCI Regulations 1998 "
                "reg 3); raise it to at least that"
            ),
        ),
        (
            "disproportionate",
            pl.col("disproportionate"),
            pl.format(
                "{} is {}x a {} contract (threshold {}x); ask for the risk reasoning or lower it",
                pl.col("__lim"),
                pl.col("limit_to_value_ratio").round(0).cast(pl.Int64),
                pl.col("reference_value_gbp").map_elements(
                    format_gbp_short, return_dtype=pl.String
                ),
                pl.lit(f"{std.ratio_threshold:g}"),
            ),
        ),
    ]
    cols = [
        "buyer_org_id",
        "requirement_version",
        "procurement_category",
        "band",
        "contract_value_min_gbp",
        "contract_value_max_gbp",
        "risk_tier",
        "cover_type",
        "min_limit_gbp",
        "required_stage",
        "procurement_regime",
    ]
    parts = [
        df.filter(mask.fill_null(False)).select(
            *cols, pl.lit(name).alias("flag"), reason.cast(pl.String).alias("reason")
        )
        for name, mask, reason in checks
    ]
    return pl.concat(parts, how="vertical").sort(
        "buyer_org_id",
        "requirement_version",
        "procurement_category",
        "contract_value_min_gbp",
        "cover_type",
        "flag",
        nulls_last=False,
    )


def flag_summary(flags: Any) -> pl.DataFrame:
    """Count of flagged requirements per member and flag (wide: one column per flag).

    >>> f = pl.DataFrame({"buyer_org_id": ["A", "A", "B"],
    ...     "flag": ["required_at_bid"] * 2 + ["disproportionate"]})
    >>> flag_summary(f).columns[1:3]
    ['required_at_bid', 'no_self_certification']
    >>> flag_summary(f).row(0)
    ('A', 2, 0, 0, 0, 0)
    """
    df = _frame(flags)
    return (
        df.group_by("buyer_org_id", "flag")
        .len()
        .pivot(on="flag", index="buyer_org_id", values="len", on_columns=list(FLAGS))
        .fill_null(0)
        .select("buyer_org_id", *[pl.col(f).cast(pl.Int64) for f in FLAGS])
        .sort("buyer_org_id")
    )


def review_changes(
    reqs: Any,
    edges: list[float] | tuple[float, ...] | None = None,
    categories: list[str] | None = None,
) -> pl.DataFrame:
    """What changed between each reviewing member's earliest and latest version.

    Compared on the benchmark grid (:func:`resolve_to_bands`) so bands redrawn in a review still
    line up. ``change`` is raised, lowered, unchanged, added or dropped; stage and
    self-certification before and after are kept. Members with one version are left out.

    >>> from lainbench.demo.insurance import insurance_requirements
    >>> ch = review_changes(insurance_requirements())
    >>> sorted(ch["buyer_org_id"].unique())
    ['greater_city', 'riverside_nhs', 'thameside_water', 'westmere_council']
    >>> ch.filter(pl.col("buyer_org_id") == "greater_city",
    ...     pl.col("cover_type") == "public_liability",
    ...     pl.col("procurement_category") == "it", pl.col("band_order") == 0).select(
    ...     "min_limit_gbp_before", "min_limit_gbp_after", "change").row(0)
    (10000000.0, 1000000.0, 'lowered')
    """
    df = _requirements(reqs)
    n_versions = df.group_by("buyer_org_id").agg(
        pl.col("requirement_version").n_unique().alias("n")
    )
    reviewing = n_versions.filter(pl.col("n") > 1)["buyer_org_id"]
    df = df.filter(pl.col("buyer_org_id").is_in(reviewing.implode()))
    cats = _categories(_requirements(reqs), categories)
    keys = ["buyer_org_id", "procurement_category", "band_order", "band", "cover_type"]
    cols = ["requirement_version", "min_limit_gbp", "required_stage", "self_certification_allowed"]
    before = resolve_to_bands(pick_version(df, "earliest"), edges, cats).select(*keys, *cols)
    after = resolve_to_bands(pick_version(df, "latest"), edges, cats).select(*keys, *cols)
    out = before.join(after, on=keys, how="full", coalesce=True, suffix="_after").rename(
        {c: f"{c}_before" for c in cols}
    )
    b, a = pl.col("min_limit_gbp_before"), pl.col("min_limit_gbp_after")
    out = out.with_columns(
        (a.fill_null(0) - b.fill_null(0)).alias("change_gbp"),
        pl.when(b.is_null())
        .then(pl.lit("added"))
        .when(a.is_null())
        .then(pl.lit("dropped"))
        .when(a > b)
        .then(pl.lit("raised"))
        .when(a < b)
        .then(pl.lit("lowered"))
        .otherwise(pl.lit("unchanged"))
        .alias("change"),
    ).with_columns(
        pl.col("requirement_version_before").fill_null(
            pl.col("requirement_version_before").drop_nulls().first().over("buyer_org_id")
        ),
        pl.col("requirement_version_after").fill_null(
            pl.col("requirement_version_after").drop_nulls().first().over("buyer_org_id")
        ),
    )
    return out.select(
        "buyer_org_id",
        "requirement_version_before",
        "requirement_version_after",
        "procurement_category",
        "band_order",
        "band",
        "cover_type",
        "min_limit_gbp_before",
        "min_limit_gbp_after",
        "change_gbp",
        "change",
        "required_stage_before",
        "required_stage_after",
        "self_certification_allowed_before",
        "self_certification_allowed_after",
    ).sort("buyer_org_id", "procurement_category", "band_order", "cover_type")


def review_summary(changes: Any) -> pl.DataFrame:
    """Per reviewing member: how many requirements were lowered, raised, added, dropped, unchanged,
    and how many moved off bid stage.

    >>> ch = pl.DataFrame({"buyer_org_id": ["A", "A"], "change": ["lowered", "unchanged"],
    ...     "required_stage_before": ["at_bid", "at_bid"],
    ...     "required_stage_after": ["at_award", "at_bid"]})
    >>> review_summary(ch).row(0)
    ('A', 1, 0, 0, 0, 1, 1)
    """
    df = _frame(changes)
    kinds = ["lowered", "raised", "added", "dropped", "unchanged"]
    return (
        df.group_by("buyer_org_id")
        .agg(
            *[(pl.col("change") == k).sum().cast(pl.Int64).alias(k) for k in kinds],
            (
                (pl.col("required_stage_before") == "at_bid")
                & (pl.col("required_stage_after") != "at_bid")
            )
            .sum()
            .cast(pl.Int64)
            .alias("moved_off_bid_stage"),
        )
        .sort("buyer_org_id")
    )


def harmonisation(comparison: Any, standards: Standards | None = None) -> pl.DataFrame:
    """What each member would change to reach the network median or the proposed common standard.

    ``change_to_median_gbp`` and ``change_to_standard_gbp`` are target minus current (negative =
    lower the requirement). Covers with no common standard in params get a null target
    ("keep case by case"). ``action_to_standard`` says it in words.

    >>> comp = pl.DataFrame({"buyer_org_id": ["A"], "cover_type": ["public_liability"],
    ...     "min_limit_gbp": [1e7], "network_median_gbp": [5e6]})
    >>> cols = ["change_to_median_gbp", "change_to_standard_gbp", "action_to_standard"]
    >>> harmonisation(comp).select(cols).row(0)
    (-5000000.0, -9000000.0, 'lower to £1m')
    """
    std = _standards(standards)
    df = _frame(comparison)
    target = pl.col("cover_type").replace_strict(
        std.common_standard, default=None, return_dtype=pl.Float64
    )
    df = df.with_columns(target.alias("common_standard_gbp")).with_columns(
        (pl.col("network_median_gbp") - pl.col("min_limit_gbp")).alias("change_to_median_gbp"),
        (pl.col("common_standard_gbp") - pl.col("min_limit_gbp")).alias("change_to_standard_gbp"),
    )
    words = pl.col("common_standard_gbp").map_elements(format_gbp_short, return_dtype=pl.String)
    return df.with_columns(
        pl.when(pl.col("common_standard_gbp").is_null())
        .then(pl.lit("no common standard; keep case by case"))
        .when(pl.col("change_to_standard_gbp") < 0)
        .then(pl.format("lower to {}", words))
        .when(pl.col("change_to_standard_gbp") > 0)
        .then(pl.format("raise to {}", words))
        .otherwise(pl.lit("keep"))
        .alias("action_to_standard"),
    )


def harmonisation_summary(harmonised: Any) -> pl.DataFrame:
    """Per member: requirements above and below the common standard and the network median.

    >>> h = pl.DataFrame({"buyer_org_id": ["A", "A"], "change_to_standard_gbp": [-1e6, None],
    ...     "change_to_median_gbp": [0.0, 2e6]})
    >>> harmonisation_summary(h).row(0)
    ('A', 2, 1, 0, 0, 1, 1)
    """
    df = _frame(harmonised)
    s, m = pl.col("change_to_standard_gbp"), pl.col("change_to_median_gbp")
    return (
        df.group_by("buyer_org_id")
        .agg(
            pl.len().cast(pl.Int64).alias("requirements"),
            (s < 0).sum().cast(pl.Int64).alias("above_standard"),
            (s > 0).sum().cast(pl.Int64).alias("below_standard"),
            (m < 0).sum().cast(pl.Int64).alias("above_median"),
            (m > 0).sum().cast(pl.Int64).alias("below_median"),
            s.is_null().sum().cast(pl.Int64).alias("no_standard"),
        )
        .sort("buyer_org_id")
    )
