"""Payment targets: pass or fail per member and period, declared in ``params/payment_targets.yaml``."""

from __future__ import annotations

import polars as pl

from lainbench.errors import ParamsError
from lainbench.params import ParameterFile


def target_declarations(targets: ParameterFile, source: str = "params/payment_targets.yaml"
                        ) -> dict[str, tuple[str, str, str]]:
    """Each target's ``(measure, comparison, population)``, as its YAML metadata declares.

    An entry that does not declare all three cannot be evaluated and is an error naming it, so a
    target added to the file is never silently skipped.

    >>> from lainbench.params import load
    >>> target_declarations(load("params/payment_targets.yaml"))["ppn_average_days_max"]
    ('mean_days_to_pay', '<=', 'all')
    """
    out = {}
    for name, param in targets.parameters.items():
        meta = param.metadata
        missing = [f for f in ("measure", "comparison", "population") if getattr(meta, f) is None]
        if missing:
            raise ParamsError(
                f"{source}: {name}: metadata.{', metadata.'.join(missing)} missing; a target "
                "declares the measure it is tested on (a payment_metrics column), the comparison "
                "(>= or <=) and the population (all or small_lt50)"
            )
        out[name] = (meta.measure, meta.comparison, meta.population)
    return out


def target_results(metrics: pl.DataFrame, periods: pl.DataFrame, targets: ParameterFile
                   ) -> pl.DataFrame:
    """Pass/fail of each member and period against each target in force at the period's end.

    Targets not yet in force at a period's end are left out of that period. The small-business
    measure for the Fair Payment Code Silver tier pools micro and small suppliers (fewer than 50
    staff), recomputed by invoice count from the band rows. A target whose measure is not a
    column of ``metrics`` is an error naming it.
    """
    declared = target_declarations(targets)
    small = (
        metrics.filter(pl.col("supplier_size_band").is_in(["micro", "small"]))
        .group_by("buyer_org_id", "period")
        .agg(
            ((pl.col("paid_within_30_days_pct") * pl.col("invoice_count")).sum()
             / pl.col("invoice_count").sum()).alias("paid_within_30_days_pct")
        )
        .with_columns(pl.lit("small_lt50").alias("supplier_size_band"))
    )
    allrows = metrics.filter(pl.col("supplier_size_band") == "all")
    ends = dict(zip(periods["period"], periods["period_end"], strict=True))
    rows = []
    for name, (measure, op, population) in declared.items():
        src = allrows if population == "all" else small
        if measure not in src.columns:
            raise ParamsError(
                f"params/payment_targets.yaml: {name}: metadata.measure {measure!r} is not a "
                f"measure for population {population!r}; choose one of "
                f"{', '.join(c for c in src.columns if c.endswith(('_pct', '_days_to_pay')))}"
            )
        for r in src.select("buyer_org_id", "period", measure).iter_rows():
            member, period, value = r
            end = ends.get(period)
            threshold = targets.value(name, end) if end else None
            if threshold is None:
                continue
            passed = None if value is None else (
                value >= threshold if op == ">=" else value <= threshold
            )
            rows.append((member, period, name, targets.parameters[name].metadata.label, measure,
                         value, op, float(threshold), passed))
    return pl.DataFrame(
        rows,
        schema={"buyer_org_id": pl.String, "period": pl.String, "target": pl.String,
                "label": pl.String, "measure": pl.String, "value": pl.Float64,
                "comparison": pl.String, "threshold": pl.Float64, "passed": pl.Boolean},
        orient="row",
    ).sort("buyer_org_id", "period", "target")


def fair_payment_code_tier(results: pl.DataFrame) -> pl.DataFrame:
    """Fair Payment Code tier per member and period from :func:`target_results`.

    Gold: >= 95 % of all invoices within 30 days. Silver: >= 95 % within 60 days and >= 95 % of
    small-business invoices within 30 days. Bronze: >= 95 % within 60 days. Otherwise none.
    """
    w = results.pivot(on="target", index=["buyer_org_id", "period"], values="passed")
    need = ["fair_payment_code_gold_within_30_days_pct", "fair_payment_code_within_60_days_pct",
            "fair_payment_code_silver_small_within_30_days_pct"]
    for c in need:
        if c not in w.columns:
            w = w.with_columns(pl.lit(None, pl.Boolean).alias(c))
    gold, sixty, small = (pl.col(c).fill_null(False) for c in need)
    return w.select(
        "buyer_org_id", "period",
        pl.when(gold).then(pl.lit("gold"))
        .when(sixty & small).then(pl.lit("silver"))
        .when(sixty).then(pl.lit("bronze"))
        .otherwise(pl.lit("none")).alias("fair_payment_code_tier"),
    ).sort("buyer_org_id", "period")
