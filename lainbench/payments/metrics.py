"""Payment-performance measures: pure polars functions over canonical invoices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

Frame = pl.DataFrame | pl.LazyFrame


BUCKET_DAYS = (5, 10, 30, 60)


KEYS = ("buyer_org_id", "period")


def _col_or_null(names: set[str], name: str, dtype: pl.DataType) -> pl.Expr:
    return pl.col(name) if name in names else pl.lit(None, dtype=dtype).alias(name)


def derive(invoices: Frame, *, interest: bool = True, buyer_types: pl.DataFrame | None = None
           ) -> pl.LazyFrame:
    """Add ``paid_date``, ``days_to_pay``, ``due_date`` (filled), ``paid_within_terms`` and
    ``within_30_or_terms`` and, with ``interest``, the Late Payment Act columns.

    ``due_date`` missing is taken as received + ``agreed_terms_days``. ``within_30_or_terms`` is the
    test shared by PA 2023 s.68(2) and the NHS BPPC: paid within 30 days of receipt or, if later,
    by the due date.
    """
    lf = invoices.lazy() if isinstance(invoices, pl.DataFrame) else invoices
    names = set(lf.collect_schema().names())
    received = pl.col("invoice_received_date")
    paid = pl.coalesce(
        _col_or_null(names, "supplier_received_date", pl.Date()),
        _col_or_null(names, "payment_date", pl.Date()),
    )
    terms = _col_or_null(names, "agreed_terms_days", pl.Int32())
    due = pl.coalesce(
        _col_or_null(names, "due_date", pl.Date()),
        received + pl.duration(days=terms),
    )
    lf = lf.with_columns(
        paid.alias("paid_date"),
        due.alias("due_date"),
        _col_or_null(names, "disputed", pl.Boolean()).fill_null(False).alias("disputed"),
        _col_or_null(names, "is_credit_note", pl.Boolean()).fill_null(pl.col("gross_amount_gbp") < 0)
        .alias("is_credit_note"),
        _col_or_null(names, "supplier_size_band", pl.String()).fill_null("unknown")
        .alias("supplier_size_band"),
    ).with_columns(
        (pl.col("paid_date") - received).dt.total_days().cast(pl.Int32).alias("days_to_pay"),
        (pl.col("paid_date") <= pl.col("due_date")).alias("paid_within_terms"),
        (
            pl.col("paid_date")
            <= pl.max_horizontal(pl.col("due_date"), received + pl.duration(days=30))
        ).alias("within_30_or_terms"),
    )
    if interest:
        from lainbench import late_payment

        lf = late_payment.with_statutory_interest(lf, buyer_types=buyer_types)
    return lf


def assign_period(invoices: Frame, periods: pl.DataFrame, on: str = "paid_date") -> pl.LazyFrame:
    """Label each invoice with the reporting period containing its ``on`` date (else null)."""
    lf = invoices.lazy() if isinstance(invoices, pl.DataFrame) else invoices
    expr = pl.lit(None, dtype=pl.String)
    for row in periods.sort("period_start", descending=True).iter_rows(named=True):
        expr = (
            pl.when(pl.col(on).is_between(pl.lit(row["period_start"]), pl.lit(row["period_end"])))
            .then(pl.lit(row["period"]))
            .otherwise(expr)
        )
    return lf.with_columns(expr.alias("period"))


# Every metric is a function of the days to pay, the value and three flags, so the invoices are
# first counted into a histogram keyed by group, size band, days to pay and the flags (one hash
# group-by with two plain aggregations), and the metrics come from that small table: medians
# and p90s from running counts instead of sorting each group, the overall rows from the same
# histogram as the band rows. Results equal the per-invoice aggregations (polars ``mean``,
# ``median``, ``quantile(q, "linear")``, null-skipping means of the flags).
_FLAGS = ("paid_within_terms", "disputed", "within_30_or_terms")


_N, _V = "__invoices", "__value"


def _quantile(q: float, n_days: pl.Expr) -> pl.Expr:
    """Linear-interpolated ``q`` quantile of days to pay over histogram rows sorted by days.

    The value at 0-based position ``k`` is the days of the first row whose running count
    exceeds ``k``; ``q`` sits at position ``q * (n - 1)``, interpolated between its neighbours.
    """
    days, running = pl.col("days_to_pay"), pl.col(_N).cum_sum()
    pos = (n_days.cast(pl.Float64) - 1) * q
    lower = days.filter(running > pos.floor()).first()
    upper = days.filter(running > pos.ceil()).first()
    return lower + (upper - lower) * (pos - pos.floor())


def _aggs() -> list[pl.Expr]:
    """The metrics as aggregations over histogram rows (``_N`` invoices worth ``_V`` each)."""
    days = pl.col("days_to_pay")
    n, v = pl.col(_N), pl.col(_V)
    terms, disputed, w30 = (pl.col(f) for f in _FLAGS)
    undisputed = ~disputed
    n_days = n.filter(days.is_not_null()).sum()
    total = v.sum()

    def pct(num: pl.Expr, den: pl.Expr) -> pl.Expr:  # share of counts; null with no base
        return pl.when(den > 0).then(num / den * 100)

    aggs = [
        n.sum().alias("invoice_count"),
        total.alias("invoice_value_gbp"),
        pl.when(n_days > 0).then((days.cast(pl.Int64) * n).sum() / n_days)
        .alias("mean_days_to_pay"),
        _quantile(0.5, n_days).alias("median_days_to_pay"),
        _quantile(0.9, n_days).alias("p90_days_to_pay"),
    ]
    for d in BUCKET_DAYS:
        aggs.append(pct(n.filter(days <= d).sum(), n_days).alias(f"paid_within_{d}_days_pct"))
        aggs.append(
            (v.filter(days <= d).sum() / total * 100).alias(f"paid_within_{d}_days_value_pct")
        )
    mid = (days > 30) & (days <= 60)
    aggs += [
        pct(n.filter(mid).sum(), n_days).alias("paid_31_to_60_days_pct"),
        pct(n.filter(days > 60).sum(), n_days).alias("paid_over_60_days_pct"),
        v.filter(mid).sum().alias("paid_31_to_60_days_value_gbp"),
        v.filter(days > 60).sum().alias("paid_over_60_days_value_gbp"),
        v.filter(days <= 30).sum().alias("paid_within_30_days_value_gbp"),
        pct(n.filter(terms).sum(), n.filter(terms.is_not_null()).sum())
        .alias("paid_within_terms_pct"),
        (v.filter(terms).sum() / total * 100).alias("paid_within_terms_value_pct"),
        pct(n.filter(disputed).sum(), n.filter(disputed.is_not_null()).sum()).alias("disputed_pct"),
        # s.68 / BPPC test on undisputed invoices: within 30 days or by the due date if later
        pct(n.filter(w30 & undisputed).sum(), n.filter(w30.is_not_null() & undisputed).sum())
        .alias("within_30_or_terms_pct"),
        (v.filter(w30 & undisputed).sum() / v.filter(undisputed).sum() * 100)
        .alias("within_30_or_terms_value_pct"),
        n.filter(~w30 & undisputed).sum().alias("s68_breaches"),
    ]
    return aggs


def paid_in_period(invoices: Frame) -> pl.LazyFrame:
    """Invoices that count as payments: paid, in a period, and not credit notes."""
    lf = invoices.lazy() if isinstance(invoices, pl.DataFrame) else invoices
    return lf.filter(
        pl.col("paid_date").is_not_null() & pl.col("period").is_not_null() & ~pl.col("is_credit_note")
    )


def payment_metrics(
    invoices: Frame, by: Sequence[str] = KEYS, *, size_bands: bool = True
) -> pl.DataFrame:
    """Payment metrics per group (default member x period), overall and per supplier size band.

    Input: invoices after :func:`derive` and :func:`assign_period`. Rows with
    ``supplier_size_band == "all"`` are the overall figures. Percentages are 0-100. Medians and
    p90s are linear-interpolated (the median of 30 and 31 days is 30.5).
    """
    keys = list(by)
    band = "supplier_size_band"
    fine = [*keys, band] if size_bands else keys
    hist = (
        paid_in_period(invoices)
        .group_by([*fine, "days_to_pay", *_FLAGS])
        .agg(pl.len().alias(_N), pl.col("gross_amount_gbp").sum().alias(_V))
        .collect()
    )
    frames = []
    for group in ([keys, fine] if size_bands else [keys]):
        m = hist.sort([*group, "days_to_pay"], nulls_last=True).group_by(group).agg(_aggs())
        frames.append(m if band in group else m.with_columns(pl.lit("all").alias(band)))
    cols = frames[0].columns
    out = pl.concat([f.select(cols) for f in frames])
    band_order = {b: i for i, b in enumerate(("all", "micro", "small", "medium", "large", "unknown"))}
    return (
        out.with_columns(
            pl.col("supplier_size_band").replace_strict(band_order, default=9).alias("__b")
        )
        .sort([*keys, "__b"])
        .drop("__b")
        .select([*keys, "supplier_size_band", *[c for c in cols if c not in (*keys, "supplier_size_band")]])
    )


def not_paid_within_terms(invoices: Frame, periods: pl.DataFrame,
                          by: Sequence[str] = ("buyer_org_id",)) -> pl.DataFrame:
    """PPR-style % of invoices **due** in each period not paid within agreed terms.

    The base differs from the other metrics: invoices whose due date falls in the period, paid or
    not (Reporting on Payment Practices and Performance Regulations 2017, Sch. 1). Unpaid invoices
    past their due date count as not paid within terms. Also gives the value not paid within
    terms and, of the invoices not paid within terms, the share that were disputed.
    """
    lf = invoices.lazy() if isinstance(invoices, pl.DataFrame) else invoices
    lf = assign_period(lf.drop("period", strict=False), periods, on="due_date")
    late = pl.col("paid_date").is_null() | (pl.col("paid_date") > pl.col("due_date"))
    return (
        lf.filter(pl.col("period").is_not_null() & ~pl.col("is_credit_note"))
        .group_by([*by, "period"])
        .agg(
            pl.len().alias("invoices_due_count"),
            (late.mean() * 100).alias("not_paid_within_terms_pct"),
            (pl.col("gross_amount_gbp") * late).sum().alias("not_paid_within_terms_value_gbp"),
            (pl.col("disputed").filter(late).mean() * 100).alias("not_paid_due_to_dispute_pct"),
        )
        .sort([*by, "period"])
        .collect()
    )


def compliance_notice(metrics: pl.DataFrame) -> pl.DataFrame:
    """The figures a payments compliance notice reports (Procurement Regulations 2024 reg 38(2)(c)).

    Mean days to pay and the % of payments made in days 1-30, 31-60 and 61 or later, per member and
    period, from the overall rows of :func:`payment_metrics`.
    """
    return metrics.filter(pl.col("supplier_size_band") == "all").select(
        "buyer_org_id", "period", "invoice_count",
        pl.col("mean_days_to_pay").round(1).alias("average_days_to_pay"),
        pl.col("paid_within_30_days_pct").round(1).alias("paid_days_1_to_30_pct"),
        pl.col("paid_31_to_60_days_pct").round(1).alias("paid_days_31_to_60_pct"),
        pl.col("paid_over_60_days_pct").round(1).alias("paid_day_61_or_later_pct"),
    )


def published_figures(invoices: Frame, periods: pl.DataFrame) -> pl.DataFrame:
    """What each member would publish, derived from its invoices, shaped as
    ``org_payment_performance`` rows (regime ``internal``).

    Input: invoices after :func:`derive`. Combines reg 38 figures, PPR value buckets and the
    PPR-style not-paid-within-terms measures.
    """
    from lainbench.schemas import ORG_PAYMENT_PERFORMANCE

    inv = assign_period(invoices, periods)
    m = payment_metrics(inv, size_bands=False)
    late = not_paid_within_terms(invoices, periods)
    df = (
        m.join(late, on=["buyer_org_id", "period"], how="left")
        .join(periods, on="period", how="left")
        .select(
            pl.col("buyer_org_id").alias("org_id"),
            pl.col("buyer_org_id").alias("org_name"),
            pl.lit("internal").alias("regime"),
            "period_start", "period_end",
            pl.col("invoice_count").cast(pl.Int64).alias("invoices_paid_count"),
            pl.col("invoice_value_gbp").round(2).alias("invoices_paid_value_gbp"),
            pl.col("mean_days_to_pay").alias("avg_days_to_pay"),
            pl.lit("invoice_receipt_to_supplier_receipt").alias("day_count_basis"),
            "paid_within_5_days_pct", "paid_within_10_days_pct", "paid_within_30_days_pct",
            "paid_31_to_60_days_pct", "paid_over_60_days_pct",
            "paid_within_30_days_value_gbp", "paid_31_to_60_days_value_gbp",
            "paid_over_60_days_value_gbp",
            "not_paid_within_terms_pct", "not_paid_within_terms_value_gbp",
            "not_paid_due_to_dispute_pct",
            pl.col("within_30_or_terms_pct").alias("paid_within_target_count_pct"),
            pl.col("within_30_or_terms_value_pct").alias("paid_within_target_value_pct"),
            pl.lit("all").alias("payee_segment"),
            pl.lit("lainbench invoice-derived").alias("source_dataset"),
        )
    )
    return ORG_PAYMENT_PERFORMANCE.conform(df, source="published_figures")


def trend(metrics: pl.DataFrame, measures: Sequence[str] = (
    "mean_days_to_pay", "paid_within_30_days_pct", "paid_within_terms_pct")) -> pl.DataFrame:
    """Per member, each measure by period with the change on the previous period."""
    m = metrics.filter(pl.col("supplier_size_band") == "all").sort("buyer_org_id", "period")
    return m.select(
        "buyer_org_id", "period",
        *[pl.col(c) for c in measures],
        *[(pl.col(c) - pl.col(c).shift(1).over("buyer_org_id")).alias(f"{c}_change")
          for c in measures],
    )


def peer_comparison(metrics: pl.DataFrame, measure: str = "paid_within_30_days_pct",
                    higher_is_better: bool = True) -> pl.DataFrame:
    """Rank members within each period on ``measure`` and give the distance from the network
    median (the median of members' values, each member counting once).

    >>> m = pl.DataFrame({"buyer_org_id": list("ABC"), "period": ["p"] * 3,
    ...     "supplier_size_band": ["all"] * 3, "x": [90.0, 70.0, 80.0]})
    >>> peer_comparison(m, "x").select("buyer_org_id", "rank", "distance_from_median").rows()
    [('A', 1, 10.0), ('C', 2, 0.0), ('B', 3, -10.0)]
    """
    m = metrics.filter(pl.col("supplier_size_band") == "all")
    return (
        m.select(
            "buyer_org_id", "period", pl.col(measure).alias("value"),
            pl.col(measure).rank("min", descending=higher_is_better).over("period")
            .cast(pl.Int32).alias("rank"),
            pl.len().over("period").alias("members_ranked"),
            pl.col(measure).median().over("period").alias("network_median"),
        )
        .with_columns(
            (pl.col("value") - pl.col("network_median")).alias("distance_from_median"),
            pl.lit(measure).alias("measure"),
        )
        .sort("period", "rank", "buyer_org_id")
    )


def days_distribution(invoices: Frame, max_days: int = 120) -> pl.DataFrame:
    """Share of each member's paid invoices by days to pay (capped at ``max_days``), for charts."""
    lf = paid_in_period(invoices)
    return (
        lf.with_columns(pl.col("days_to_pay").clip(upper_bound=max_days).alias("days"))
        .group_by("buyer_org_id", "days")
        .agg(pl.len().alias("invoices"))
        .with_columns((pl.col("invoices") / pl.col("invoices").sum().over("buyer_org_id") * 100)
                      .alias("share_pct"))
        .sort("buyer_org_id", "days")
        .collect()
    )


def days_bucket_counts(invoices: Frame, edges: Sequence[int], by: Sequence[str] = KEYS,
                       value: str = "gross_amount_gbp") -> pl.DataFrame:
    """Paid invoices per cell and days-to-pay bucket, with each bucket's contributors.

    Bucket ``i`` holds invoices paid in ``(edges[i-1], edges[i]]`` days (the first from day 0, the
    last, ``days_to`` null, over the last edge). Gives ``invoices``, ``value_gbp`` (sum of absolute
    values), ``supplier_count`` and the largest two suppliers' values (``top1_value_gbp``,
    ``top2_value_gbp``) - what :func:`lainbench.disclosure.coarsen` needs, and what a member's
    return carries instead of invoices.

    >>> import datetime as dt
    >>> d = dt.date(2025, 5, 1)
    >>> inv = pl.DataFrame({"buyer_org_id": ["A"] * 3, "period": ["P"] * 3,
    ...     "supplier_id": ["s1", "s2", "s1"], "gross_amount_gbp": [10.0, 20.0, 5.0],
    ...     "days_to_pay": [3, 3, 40], "paid_date": [d] * 3, "is_credit_note": [False] * 3})
    >>> days_bucket_counts(inv, [5, 30]).select("days_from", "days_to", "invoices",
    ...     "supplier_count", "top1_value_gbp").rows()
    [(0, 5, 2, 2, 20.0), (31, None, 1, 1, 5.0)]
    """
    edges = sorted(int(e) for e in edges)
    bucket = pl.sum_horizontal([(pl.col("days_to_pay") > e).cast(pl.Int32) for e in edges])
    lf = paid_in_period(invoices).with_columns(bucket.alias("bucket"))
    per_supplier = lf.group_by([*by, "bucket", "supplier_id"]).agg(
        pl.len().alias("n"), pl.col(value).abs().sum().alias("v"))
    lows = [0, *[e + 1 for e in edges]]
    highs = [*edges, None]
    ranges = pl.LazyFrame({"bucket": list(range(len(lows))), "days_from": lows, "days_to": highs},
                          schema={"bucket": pl.Int32, "days_from": pl.Int32, "days_to": pl.Int32})
    return (
        per_supplier.group_by([*by, "bucket"])
        .agg(
            pl.col("n").sum().cast(pl.Int64).alias("invoices"),
            pl.col("v").sum().alias("value_gbp"),
            pl.len().cast(pl.Int64).alias("supplier_count"),
            pl.col("v").max().alias("top1_value_gbp"),
            pl.col("v").top_k(2).min().filter(pl.len() > 1).first().fill_null(0.0)
            .alias("top2_value_gbp"),
        )
        .join(ranges, on="bucket", how="left")
        .select(*by, "bucket", "days_from", "days_to", "invoices", "value_gbp", "supplier_count",
                "top1_value_gbp", "top2_value_gbp")
        .sort([*by, "bucket"])
        .collect()
    )


def _splits() -> dict[str, tuple[pl.Expr, pl.Expr, tuple[str, ...]]]:
    days = pl.col("days_to_pay")
    terms, disputed, w30 = (pl.col(f) for f in _FLAGS)
    paid = days.is_not_null()
    return {
        # split: (base population, the part, the metrics columns that reveal part and rest)
        "within_5_days": (paid, days <= 5,
                          ("paid_within_5_days_pct", "paid_within_5_days_value_pct")),
        "within_10_days": (paid, days <= 10,
                           ("paid_within_10_days_pct", "paid_within_10_days_value_pct")),
        "within_30_days": (paid, days <= 30,
                           ("paid_within_30_days_pct", "paid_within_30_days_value_pct",
                            "paid_within_30_days_value_gbp")),
        "within_60_days": (paid, days <= 60,
                           ("paid_within_60_days_pct", "paid_within_60_days_value_pct",
                            "paid_over_60_days_pct", "paid_over_60_days_value_gbp")),
        "days_31_to_60": (paid, (days > 30) & (days <= 60),
                          ("paid_31_to_60_days_pct", "paid_31_to_60_days_value_gbp")),
        "within_terms": (terms.is_not_null(), terms,
                         ("paid_within_terms_pct", "paid_within_terms_value_pct")),
        "disputed": (disputed.is_not_null(), disputed, ("disputed_pct",)),
        "within_30_or_terms": (w30.is_not_null() & ~disputed.fill_null(False), w30,
                               ("within_30_or_terms_pct", "within_30_or_terms_value_pct",
                                "s68_breaches")),
    }


SHARE_SPLITS: dict[str, tuple[str, ...]] = {k: v[2] for k, v in _splits().items()}


def share_part_counts(invoices: Frame, by: Sequence[str] = KEYS,
                      value: str = "gross_amount_gbp") -> pl.DataFrame:
    """Contributors of the two sides of every share :func:`payment_metrics` publishes.

    A published share of a cell also publishes its part and the rest (``count x share`` gives
    the part's count; a value share or a £ column its value), so each side is a cell of its own
    for disclosure control. One row per member x period x size band (``all``, each band, and
    ``small_lt50`` = micro and small pooled) x split (:data:`SHARE_SPLITS`) x ``side`` (``part`` /
    ``rest``): ``supplier_count``, ``value_gbp``, ``top1_value_gbp``, ``top2_value_gbp``.

    >>> import datetime as dt
    >>> d = dt.date(2025, 5, 1)
    >>> inv = pl.DataFrame({"buyer_org_id": ["A"] * 3, "period": ["P"] * 3,
    ...     "supplier_id": ["s1", "s2", "s3"], "supplier_size_band": ["large"] * 3,
    ...     "gross_amount_gbp": [10.0, 20.0, 5.0], "days_to_pay": [3, 20, 40],
    ...     "paid_date": [d] * 3, "is_credit_note": [False] * 3, "paid_within_terms": [True] * 3,
    ...     "disputed": [False] * 3, "within_30_or_terms": [True, True, False]})
    >>> c = share_part_counts(inv).filter(pl.col("split") == "within_30_days",
    ...     pl.col("supplier_size_band") == "all")
    >>> c.select("side", "supplier_count", "value_gbp").rows()
    [('part', 2, 30.0), ('rest', 1, 5.0)]
    """
    keys = list(by)
    band = "supplier_size_band"
    lf = paid_in_period(invoices)
    frames = []
    for name, (base, part, _) in _splits().items():
        sided = lf.filter(base).with_columns(
            pl.when(part).then(pl.lit("part")).otherwise(pl.lit("rest")).alias("side"))
        for grouping in ("all", "band", "small_lt50"):
            g = sided
            if grouping == "all":
                g = g.with_columns(pl.lit("all").alias(band))
            elif grouping == "small_lt50":
                g = g.filter(pl.col(band).is_in(["micro", "small"])).with_columns(
                    pl.lit("small_lt50").alias(band))
            per_supplier = g.group_by([*keys, band, "side", "supplier_id"]).agg(
                pl.col(value).abs().sum().alias("v"))
            frames.append(per_supplier.group_by([*keys, band, "side"]).agg(
                pl.len().cast(pl.Int64).alias("supplier_count"),
                pl.col("v").sum().alias("value_gbp"),
                pl.col("v").max().alias("top1_value_gbp"),
                pl.col("v").top_k(2).min().filter(pl.len() > 1).first().fill_null(0.0)
                .alias("top2_value_gbp"),
            ).with_columns(pl.lit(name).alias("split")))
    out = pl.concat(pl.collect_all(frames))
    return out.select(*keys, band, "split", "side", "supplier_count", "value_gbp",
                      "top1_value_gbp", "top2_value_gbp").sort([*keys, band, "split", "side"])


def disclosure_counts(invoices: Frame, by: Sequence[str] = KEYS,
                      value: str = "gross_amount_gbp") -> pl.DataFrame:
    """For statistical disclosure control: suppliers per cell and the largest supplier's share
    of the cell's value (the p% rule needs it).

    Also gives the second-largest supplier's share (for the (2, k) dominance and p% rules, see
    ``lainbench.disclosure``); ``value`` names the column whose sum the shares are of (shares of
    absolute values, so a credit note cannot hide a dominant supplier).
    """
    lf = paid_in_period(invoices)
    per_supplier = lf.group_by([*by, "supplier_id"]).agg(pl.col(value).sum().abs().alias("v"))
    total = pl.col("v").sum()
    return (
        per_supplier.group_by(list(by))
        .agg(
            pl.len().alias("supplier_count"),
            (pl.col("v").max() / total * 100).alias("largest_supplier_value_share_pct"),
            (pl.col("v").top_k(2).min().filter(pl.len() > 1).first() / total * 100)
            .fill_null(0.0).alias("second_supplier_value_share_pct"),
        )
        .sort(list(by))
        .collect()
    )


def as_of(period_end: dt.date) -> str:
    """Short label for a period end (``2025-09-30`` -> ``Sep 2025``)."""
    return period_end.strftime("%b %Y")
