"""Altair charts for the supplier cash-flow model (notebook 03).

Each builder takes a small, already-aggregated polars frame from :mod:`lainbench.cashflow` (daily
bands, one row per member, the lever table) and returns an altair chart; nothing here computes a
result. Charts draw offline once :func:`lainbench.charts.enable_offline` has been called.

>>> from lainbench import cashflow
>>> sc = cashflow.SupplierScenario(statutory_rate_pct=11.75)
>>> bands = cashflow.balance_bands(sc, "uk_sme_2021", n_paths=200, horizon_days=90)
>>> balance_fan_chart(bands).to_dict()["title"]
'Cash balance over the contract: median and percentile bands across simulated paths'
"""

from __future__ import annotations

import altair as alt
import polars as pl

WIDTH = 520
LABEL_LIMIT = 420  # pixels of axis label before truncation

LEVER_METRICS: dict[str, str] = {
    "shortfall_probability": "Probability of a cash shortfall",
    "peak_need_gbp_p95": "Peak working-capital need, 95th percentile (£)",
    "overdraft_interest_gbp_mean": "Overdraft interest over the year, mean (£)",
    "statutory_due_gbp_mean": "Statutory interest + compensation due, mean (£)",
    "cost_per_gbp": "Working-capital finance + extra insurance per £ of contract (£)",
}


def _with_names(df: pl.DataFrame, members: pl.DataFrame | None) -> pl.DataFrame:
    """Add a ``member`` display name (``org_name`` from a member table, else the id)."""
    if members is None or "org_name" not in members.columns:
        return df.with_columns(pl.col("buyer_org_id").alias("member"))
    names = members.select(pl.col("org_id").alias("buyer_org_id"), pl.col("org_name"))
    return (
        df.join(names, on="buyer_org_id", how="left")
        .with_columns(pl.coalesce("org_name", "buyer_org_id").alias("member"))
        .drop("org_name")
    )


def balance_fan_chart(
    bands: pl.DataFrame, overdraft_limit_gbp: float = 0.0, title: str | None = None
) -> alt.LayerChart:
    """Fan chart: 5-95 and 25-75 percentile bands of the end-of-day balance, and the median.

    ``bands`` comes from :func:`lainbench.cashflow.balance_bands` (or ``simulate(...,
    ledger=True).bands``). A rule marks zero and, when there is one, the overdraft limit.
    """
    last = int(bands["day"].max()) if bands.height else 1
    base = alt.Chart(bands).encode(
        x=alt.X("day:Q", title="Day of the contract", scale=alt.Scale(domain=[0, last], nice=False))
    )
    outer = base.mark_area(opacity=0.25, color="#1b9e77").encode(
        y=alt.Y("balance_p5_gbp:Q", title="Cash balance at end of day (£)"),
        y2="balance_p95_gbp:Q",
        tooltip=[
            "day:Q",
            alt.Tooltip("balance_p5_gbp:Q", format=",.0f", title="5th percentile"),
            alt.Tooltip("balance_p95_gbp:Q", format=",.0f", title="95th percentile"),
        ],
    )
    layers = [outer]
    if {"balance_p25_gbp", "balance_p75_gbp"} <= set(bands.columns):
        layers.append(
            base.mark_area(opacity=0.45, color="#1b9e77").encode(
                y="balance_p25_gbp:Q", y2="balance_p75_gbp:Q"
            )
        )
    layers.append(
        base.mark_line(color="#0b5d46", strokeWidth=2).encode(
            y="balance_p50_gbp:Q",
            tooltip=[
                "day:Q",
                alt.Tooltip("balance_p50_gbp:Q", format=",.0f", title="median"),
                alt.Tooltip("share_overdrawn:Q", format=".1%", title="paths overdrawn"),
            ],
        )
    )
    rules = pl.DataFrame({"level": [0.0], "what": ["zero"]})
    if overdraft_limit_gbp > 0:
        rules = pl.concat(
            [
                rules,
                pl.DataFrame({"level": [-float(overdraft_limit_gbp)], "what": ["overdraft limit"]}),
            ]
        )
    layers.append(
        alt.Chart(rules)
        .mark_rule(strokeDash=[4, 4], color="#d95f02")
        .encode(y="level:Q", tooltip=["what:N", alt.Tooltip("level:Q", format=",.0f")])
    )
    return alt.layer(*layers).properties(
        width=WIDTH,
        height=300,
        title=title
        or "Cash balance over the contract: median and percentile bands across simulated paths",
    )


def shortfall_by_member_chart(
    table: pl.DataFrame, members: pl.DataFrame | None = None, title: str | None = None
) -> alt.LayerChart:
    """Probability of a shortfall per member (bars) with a 95% Monte Carlo interval.

    ``table`` comes from :func:`lainbench.cashflow.member_shortfall`; members without a result
    (too few invoices) are left out.
    """
    df = _with_names(table.filter(pl.col("shortfall_probability").is_not_null()), members)
    df = df.with_columns(
        (pl.col("shortfall_probability") - 1.96 * pl.col("shortfall_probability_se"))
        .clip(lower_bound=0)
        .alias("low"),
        (pl.col("shortfall_probability") + 1.96 * pl.col("shortfall_probability_se"))
        .clip(upper_bound=1)
        .alias("high"),
    )
    y = alt.Y("member:N", sort="-x", title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT))
    bars = (
        alt.Chart(df)
        .mark_bar(color="#1b9e77")
        .encode(
            y=y,
            x=alt.X(
                "shortfall_probability:Q",
                title="Probability of a cash shortfall",
                axis=alt.Axis(format="%"),
            ),
            tooltip=[
                "member:N",
                alt.Tooltip("shortfall_probability:Q", format=".1%", title="P(shortfall)"),
                alt.Tooltip("late_share:Q", format=".1%", title="invoices paid late"),
                alt.Tooltip("mean_days_late:Q", format=".1f", title="mean days late"),
                alt.Tooltip("days_late_p95:Q", format=".0f", title="95th pct days late"),
                alt.Tooltip("paid_invoices:Q", format=",", title="paid invoices"),
            ],
        )
    )
    err = alt.Chart(df).mark_rule(color="black").encode(y=y, x="low:Q", x2="high:Q")
    return (bars + err).properties(
        width=WIDTH,
        height=22 * max(df.height, 1),
        title=title or "The same supplier, paid the way each member pays its own invoices",
    )


def lever_chart(
    levers: pl.DataFrame, metrics: dict[str, str] | None = None, title: str | None = None
) -> alt.VConcatChart:
    """One bar chart per metric: the baseline, each lever alone and all levers together.

    ``levers`` is :func:`lainbench.cashflow.compare_levers` output; rows are picked with
    :func:`lainbench.cashflow.one_lever_at_a_time`.
    """
    from lainbench.cashflow.levers import one_lever_at_a_time

    metrics = metrics or LEVER_METRICS
    df = one_lever_at_a_time(levers).filter(pl.col("metric").is_in(list(metrics)))
    order = df.select("change_label").unique(maintain_order=True)["change_label"].to_list()
    panels = []
    for metric, label in metrics.items():
        part = df.filter(pl.col("metric") == metric)
        if not part.height:
            continue
        fmt = (
            ".1%"
            if metric == "shortfall_probability"
            else (",.4f" if "per_gbp" in metric else ",.0f")
        )
        panels.append(
            alt.Chart(part)
            .mark_bar()
            .encode(
                y=alt.Y(
                    "change_label:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)
                ),
                x=alt.X("value:Q", title=label, axis=alt.Axis(format=fmt.lstrip(","))),
                color=alt.condition(
                    alt.datum.lever == "none", alt.value("#7570b3"), alt.value("#1b9e77")
                ),
                tooltip=[
                    "change_label:N",
                    alt.Tooltip("value:Q", format=fmt),
                    alt.Tooltip(
                        "change:Q", format="+" + fmt.lstrip(","), title="change vs baseline"
                    ),
                ],
            )
            .properties(width=WIDTH, height=22 * len(order), title=label)
        )
    return alt.vconcat(*panels).properties(
        title=title or "Buyer levers: each change alone and all together (baseline in purple)"
    )


def cost_per_gbp_chart(levers: pl.DataFrame, title: str | None = None) -> alt.Chart:
    """Pence per £ of contract: working-capital finance (E3) and extra insurance (E8), stacked."""
    from lainbench.cashflow.levers import one_lever_at_a_time

    df = one_lever_at_a_time(levers)
    order = df.select("change_label").unique(maintain_order=True)["change_label"].to_list()
    parts = {
        "financing_cost_per_gbp": ("working-capital finance (E3)", 100.0),
        "insurance_share_of_value_pct": ("extra insurance premium (E8)", 1.0),
    }
    long = df.filter(pl.col("metric").is_in(list(parts))).select(
        "change_label",
        pl.col("metric").replace_strict({k: v[0] for k, v in parts.items()}).alias("component"),
        (
            pl.col("value") * pl.col("metric").replace_strict({k: v[1] for k, v in parts.items()})
        ).alias("pence_per_gbp"),
    )
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y(
                "change_label:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)
            ),
            x=alt.X("sum(pence_per_gbp):Q", title="Pence per £ of annual contract value"),
            color=alt.Color("component:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=["change_label:N", "component:N", alt.Tooltip("pence_per_gbp:Q", format=".2f")],
        )
        .properties(
            width=WIDTH,
            height=22 * len(order),
            title=title or "What slow payment and insurance demands cost per £ of contract",
        )
    )
