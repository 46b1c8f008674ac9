"""Buyer levers (terms, lateness, approval lag, insurance) compared in one tidy table."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from lainbench.cashflow.closed_forms import steady_state
from lainbench.cashflow.delays import (
    FixedDelay,
    assumption,
    delay_profile,
)
from lainbench.cashflow.scenario import DEFAULT_SEED, SupplierScenario, metrics_frame
from lainbench.cashflow.simulate import simulate
from lainbench.errors import ParamsError

INSURANCE_REQUIREMENTS = ("gcloud14_initial", "gcloud14_revised")


COVERS = ("public_liability", "professional_indemnity", "employers_liability")


LEVER_GRID: dict[str, tuple[Any, ...]] = {
    "terms_days": (60, 30, 14),
    "delay_profile": ("uk_sme_2021", "public_bppc"),
    "approval_lag_days": (10, 0),
    "insurance_requirement": INSURANCE_REQUIREMENTS,
}


LEVERS = tuple(LEVER_GRID)


def insurance_cover(which: str) -> dict[str, float]:
    """Cover limits (£) by cover type: ``"held"`` by the supplier, or a G-Cloud 14 requirement.

    >>> insurance_cover("gcloud14_initial")["public_liability"]
    10000000.0
    """
    if which not in ("held", *INSURANCE_REQUIREMENTS):
        raise ParamsError(
            f"insurance requirement {which!r} is unknown; use held, "
            f"{', '.join(INSURANCE_REQUIREMENTS)}, or pass required={{cover: limit}}"
        )
    return {c: float(assumption(f"{which}_{c}_gbp")) for c in COVERS}


def lever_label(lever: str, value: Any) -> str:
    """Readable name of one lever setting.

    >>> lever_label("terms_days", 14), lever_label("insurance_requirement", "gcloud14_revised")
    ('terms 14 days', 'insurance: G-Cloud 14 revised')
    """
    if lever == "terms_days":
        return f"terms {value} days"
    if lever == "approval_lag_days":
        return f"approval lag {value} days"
    if lever == "delay_profile":
        return f"late payment: {value}"
    if lever == "insurance_requirement":
        return "insurance: " + str(value).replace("gcloud14_", "G-Cloud 14 ")
    return f"{lever} {value}"


def _extra_premium(held: Mapping[str, float], required: Mapping[str, float]) -> float:
    from lainbench import insurance  # written in parallel (issue 5); imported when needed

    return float(insurance.extra_premium_gbp(dict(held), dict(required)))


def compare_levers(
    base: SupplierScenario | None = None,
    *,
    grid: Mapping[str, Sequence[Any]] | None = None,
    n_paths: int = 20_000,
    horizon_days: int = 365,
    seed: int | None = DEFAULT_SEED,
    held: Mapping[str, float] | None = None,
    requirements: Mapping[str, Mapping[str, float]] | None = None,
) -> pl.DataFrame:
    """Every output of every buyer-lever combination, with the change against the baseline.

    The grid (default :data:`LEVER_GRID`) crosses terms 60 -> 30 -> 14 days, the delay profile
    ``uk_sme_2021`` -> ``public_bppc``, approval lag 10 -> 0 days and the insurance requirement
    G-Cloud 14 initial (£10m PL, £10m PI, £5m EL) -> revised (£1m, £1m, £5m) against the cover
    held (£1m, £1m, £5m); the first value of each lever is the baseline. Each scenario is
    simulated with the same seed (common random numbers), and the closed forms are evaluated at
    the profile's mean days late. Extra premiums come from :func:`lainbench.insurance.extra_premium_gbp`.

    Returns one tidy row per scenario and metric: ``scenario``, the four lever columns,
    ``levers_changed`` (how many differ from the baseline), ``lever`` (the one changed, ``"none"``
    or ``"several"``), ``metric``, ``unit``, ``value``, ``baseline_value``, ``change`` and
    ``change_pct``.

    >>> t = compare_levers(SupplierScenario(statutory_rate_pct=11.75), n_paths=500,
    ...                    grid={"terms_days": (60, 30)})
    >>> t.filter(pl.col("metric") == "invoice_to_cash_days").select("lever", "value", "change").rows()
    [('none', 60.0, 0.0), ('terms_days', 30.0, -30.0)]
    """
    base = base or SupplierScenario()
    grid = dict(grid) if grid is not None else dict(LEVER_GRID)
    unknown = sorted(set(grid) - set(LEVERS))
    if unknown:
        raise ParamsError(f"grid: unknown lever(s) {', '.join(unknown)}; use {', '.join(LEVERS)}")
    for lever, values in grid.items():
        if not values:
            raise ParamsError(f"grid: lever {lever} has no values; give at least one")
    held = dict(held) if held is not None else insurance_cover("held")
    premiums: dict[str, float] = {}
    for req in grid.get("insurance_requirement", ()):
        cover = (requirements or {}).get(req) or insurance_cover(req)
        premiums[req] = _extra_premium(held, cover)

    names = list(grid)
    combos = list(itertools.product(*(grid[k] for k in names)))
    frames = []
    baseline = combos[0]
    for combo in combos:
        levers = dict(zip(names, combo))
        changes: dict[str, Any] = {}
        if "terms_days" in levers:
            changes["terms_days"] = levers["terms_days"]
        if "approval_lag_days" in levers:
            changes["approval_lag_days"] = levers["approval_lag_days"]
        if "insurance_requirement" in levers:
            changes["insurance_extra_premium_gbp"] = premiums[levers["insurance_requirement"]]
        profile = levers.get("delay_profile")
        delay = delay_profile(profile) if profile else FixedDelay(base.days_late)
        sc = base.with_(**changes, days_late=delay.mean_days_late)
        values = steady_state(sc).to_dict()
        values.update(simulate(sc, delay, n_paths, horizon_days, seed).summary)
        changed = [k for k, v, b in zip(names, combo, baseline) if v != b]
        if changed:
            change_label = " + ".join(lever_label(k, levers[k]) for k in changed)
        else:
            change_label = "baseline: " + ", ".join(lever_label(k, v) for k, v in levers.items())
        label = " | ".join(f"{k}={v}" for k, v in levers.items())
        frames.append(
            metrics_frame(values)
            .select(
                pl.lit(label).alias("scenario"),
                *[pl.lit(levers.get(k)).alias(k) for k in LEVERS],
                pl.lit(len(changed)).alias("levers_changed"),
                pl.lit(change_label).alias("change_label"),
                pl.lit(
                    changed[0] if len(changed) == 1 else ("none" if not changed else "several")
                ).alias("lever"),
                pl.int_range(pl.len()).alias("_order"),
                "metric",
                "unit",
                "value",
            )
            .with_columns(pl.lit(len(frames)).alias("_scenario"))
        )
    out = pl.concat(frames, how="diagonal_relaxed")
    base_vals = out.filter(pl.col("_scenario") == 0).select(
        "metric", pl.col("value").alias("baseline_value")
    )
    out = (
        out.join(base_vals, on="metric", how="left")
        .with_columns(
            (pl.col("value") - pl.col("baseline_value")).alias("change"),
        )
        .with_columns(
            pl.when(pl.col("baseline_value") != 0)
            .then(100 * pl.col("change") / pl.col("baseline_value").abs())
            .otherwise(None)
            .alias("change_pct"),
        )
    )
    return out.sort("_scenario", "_order").drop("_scenario", "_order")


def one_lever_at_a_time(levers: pl.DataFrame) -> pl.DataFrame:
    """The baseline, each lever changed alone (in grid order), and all levers changed together.

    From :func:`compare_levers` output, with short labels for charts: ``change_label`` is
    "baseline", the lever's new setting ("terms 30 days"), or "all levers, terms 30 days" (naming
    only the levers with more than one alternative).
    """
    most = levers["levers_changed"].max()
    keep = levers.with_row_index("_row").filter(
        (pl.col("levers_changed") <= 1) | (pl.col("levers_changed") == most)
    )
    rank = {name: i + 1 for i, name in enumerate(LEVERS)}
    keep = keep.with_columns(
        pl.when(pl.col("lever") == "none")
        .then(pl.lit("baseline"))
        .otherwise(pl.col("change_label"))
        .alias("change_label")
    )
    if most is not None and most > 1:
        # all levers moved: name only the levers with more than one alternative (e.g. terms)
        several = [c for c in LEVERS if c in keep.columns and keep[c].n_unique() > 2]
        label = pl.lit("all levers")
        for c in several:
            label = (
                label
                + pl.lit(", ")
                + pl.col(c).map_elements(lambda v, c=c: lever_label(c, v), return_dtype=pl.String)
            )
        every = pl.col("levers_changed") == most
        keep = keep.with_columns(
            pl.when(every).then(pl.lit("all levers")).otherwise(pl.col("lever")).alias("lever"),
            pl.when(every).then(label).otherwise(pl.col("change_label")).alias("change_label"),
        )
    order = pl.col("lever").replace_strict(
        {"none": 0, **rank, "all levers": len(rank) + 1},
        default=len(rank) + 1,
        return_dtype=pl.Int64,
    )
    return keep.sort(order, "_row").drop("_row")
