"""A member's return, computed from its own canonical tables: pure functions over polars frames.

Every function takes the member's invoices after :func:`prepare` (``lainbench.payments.derive``
and ``assign_period``, with the Late Payment Act columns) and gives one sheet of the return
(:mod:`lainbench.returns.schema`). Nothing here keeps a supplier name, supplier id, invoice id or
invoice row: each output row is a sum over invoices.

>>> import datetime as dt
>>> d = dt.date.fromisoformat
>>> inv = pl.DataFrame({"buyer_org_id": ["A"] * 3, "invoice_id": ["1", "2", "3"],
...     "supplier_id": ["s1", "s1", "s2"], "supplier_size_band": ["micro", "micro", "large"],
...     "invoice_received_date": [d("2025-04-01")] * 3, "agreed_terms_days": [30] * 3,
...     "supplier_received_date": [d("2025-04-11"), d("2025-05-11"), d("2025-04-11")],
...     "gross_amount_gbp": [100.0, 200.0, 700.0]})
>>> per = pl.DataFrame({"period": ["P"], "period_start": [d("2025-04-01")],
...     "period_end": [d("2025-09-30")]})
>>> t = payment_totals(prepare(inv, per))
>>> t.select("supplier_size_band", "invoices", "value_gbp", "days_to_pay_sum").rows()
[('all', 3, 1000.0, 60), ('micro', 2, 300.0, 50), ('large', 1, 700.0, 10)]
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from lainbench import late_payment
from lainbench.payments.metrics import (
    Frame,
    assign_period,
    compliance_notice,
    derive,
    paid_in_period,
)
from lainbench.returns.schema import ALL, ALL_PERIODS, BANDS, SMALL, conform

BAND = "supplier_size_band"
# The invoice columns a return is computed from (what derive and the Late Payment Act read, and
# the supplier id for contributor counts); nothing else is read, so no invoice id or supplier name
# is even loaded.
COLUMNS = ("buyer_org_id", "supplier_id", "supplier_size_band", "invoice_received_date",
           "goods_received_date", "agreed_terms_days", "due_date", "disputed", "payment_date",
           "supplier_received_date", "gross_amount_gbp", "is_credit_note", "regime",
           "dispute_resolved_date", "procurement_commenced_date")
_ORDER = {b: i for i, b in enumerate((ALL, *BANDS))}


def prepare(invoices: Frame, periods: pl.DataFrame, org_type: str | None = None) -> pl.DataFrame:
    """The member's invoices with days to pay, terms flags, Late Payment Act columns and period.

    ``org_type`` (a ``member`` org type) picks the Act's purchaser rule as the pack does
    (``company``/``llp``: the private 60-day cap; otherwise a public authority).
    """
    lf = invoices.lazy() if isinstance(invoices, pl.DataFrame) else invoices
    buyer_types = None
    if org_type is not None:
        buyer_types = lf.select("buyer_org_id").unique().collect().with_columns(
            pl.lit(org_type).alias("org_type"))
    return assign_period(derive(lf, buyer_types=buyer_types), periods).filter(
        pl.col("period").is_not_null()).collect()


def _with_all(lf: pl.LazyFrame, by: list[str], aggs: list[pl.Expr]) -> pl.DataFrame:
    """``aggs`` per ``by`` x size band and per ``by`` over every band (band ``all``), sorted."""
    bands = lf.group_by([*by, BAND]).agg(aggs)
    total = lf.group_by(by).agg(aggs).with_columns(pl.lit(ALL).alias(BAND))
    out = pl.concat([total.select(bands.collect_schema().names()), bands]).collect()
    return _sorted(out, by)


def _sorted(df: pl.DataFrame, by: list[str], extra: list[str] | None = None) -> pl.DataFrame:
    rank = pl.col(BAND).replace_strict(_ORDER, default=len(_ORDER), return_dtype=pl.Int64)
    return df.with_columns(rank.alias("__b")).sort([*by, "__b", *(extra or [])]).drop("__b")


def payment_totals(inv: pl.DataFrame) -> pl.DataFrame:
    """Period x size band: invoices paid, their value and the counts behind every measure."""
    paid = paid_in_period(inv)
    days = pl.col("days_to_pay")
    v = pl.col("gross_amount_gbp")
    terms, disputed, w30 = pl.col("paid_within_terms"), pl.col("disputed"), pl.col("within_30_or_terms")
    und = ~disputed
    aggs = [
        pl.len().alias("invoices"), v.sum().alias("value_gbp"),
        days.is_not_null().sum().alias("invoices_with_days"),
        days.cast(pl.Int64).sum().alias("days_to_pay_sum"),
        terms.fill_null(False).sum().alias("within_terms_invoices"),
        terms.is_not_null().sum().alias("terms_known_invoices"),
        v.filter(terms.fill_null(False)).sum().alias("within_terms_value_gbp"),
        disputed.sum().alias("disputed_invoices"),
        v.filter(disputed).sum().alias("disputed_value_gbp"),
        (w30.fill_null(False) & und).sum().alias("s68_met_invoices"),
        (w30.is_not_null() & und).sum().alias("s68_known_invoices"),
        v.filter(w30.fill_null(False) & und).sum().alias("s68_met_value_gbp"),
        v.filter(und).sum().alias("undisputed_value_gbp"),
    ]
    out = _with_all(paid, ["period"], aggs)
    credit = inv.lazy().filter(pl.col("paid_date").is_not_null() & pl.col("is_credit_note"))
    cn = _with_all(credit, ["period"], [pl.len().alias("credit_notes")])
    out = out.join(cn, on=["period", BAND], how="left").with_columns(
        pl.col("credit_notes").fill_null(0))
    return conform("payment_totals", out)


def days_to_pay(inv: pl.DataFrame, days_max: int) -> pl.DataFrame:
    """Period x size band x whole days to pay (0 .. ``days_max``, then one overflow row).

    >>> import datetime as dt
    >>> inv = pl.DataFrame({"period": ["P"] * 3, "supplier_size_band": ["small"] * 3,
    ...     "days_to_pay": [3, 3, 90], "gross_amount_gbp": [1.0, 2.0, 4.0],
    ...     "paid_date": [dt.date(2025, 5, 1)] * 3, "is_credit_note": [False] * 3})
    >>> days_to_pay(inv, 60).filter(pl.col("supplier_size_band") == "small").rows()
    [('P', 'small', 3, False, 2, 3.0), ('P', 'small', 61, True, 1, 4.0)]
    """
    day = pl.col("days_to_pay").cast(pl.Int64)
    lf = paid_in_period(inv).filter(day.is_not_null()).with_columns(
        pl.min_horizontal(day, pl.lit(days_max + 1, pl.Int64)).alias("days_to_pay"))
    out = _with_all(lf, ["period", "days_to_pay"], [
        pl.len().alias("invoices"), pl.col("gross_amount_gbp").sum().alias("value_gbp")])
    out = out.with_columns((pl.col("days_to_pay") > days_max).alias("overflow"))
    return conform("days_to_pay", _sorted(out, ["period"], ["days_to_pay"]))


def days_late(inv: pl.DataFrame) -> pl.DataFrame:
    """Period x size band x whole days paid after the due date, as the cash-flow model reads them.

    The basis is :func:`lainbench.cashflow.delays.invoice_days_late`: paid invoices in the period,
    not credit notes, of £0 or more, ``max(paid - due, 0)`` days.
    """
    lf = inv.lazy().filter(
        ~pl.col("is_credit_note") & (pl.col("gross_amount_gbp") >= 0)
    ).with_columns(
        (pl.col("paid_date") - pl.col("due_date")).dt.total_days().clip(lower_bound=0)
        .cast(pl.Int64).alias("days_late")
    ).filter(pl.col("days_late").is_not_null())
    out = _with_all(lf, ["period", "days_late"], [pl.len().alias("invoices")])
    return conform("days_late", _sorted(out, ["period"], ["days_late"]))


def interest(inv: pl.DataFrame) -> pl.DataFrame:
    """Period x size band: Late Payment Act interest and compensation owed
    (:func:`lainbench.late_payment.interest_owed`, as the pack computes it).
    """
    total = late_payment.interest_owed(inv, by=["period"]).with_columns(pl.lit(ALL).alias(BAND))
    bands = late_payment.interest_owed(inv, by=["period", BAND])
    out = pl.concat([total.select(bands.columns), bands])
    return conform("interest", _sorted(out, ["period"]))


def notice(inv: pl.DataFrame, totals_metrics: pl.DataFrame, invoices_all: Frame,
           periods: pl.DataFrame) -> pl.DataFrame:
    """Period: the payments compliance notice figures (PR 2024 reg 38(2)(c) and (d)).

    ``totals_metrics`` are the member's ``payment_metrics`` rows; ``invoices_all`` every invoice
    (paid or not) after ``derive``, for the share of invoices due in the period not paid by its end.
    """
    c = compliance_notice(totals_metrics).drop("buyer_org_id")
    due = assign_period(invoices_all.lazy().drop("period", strict=False), periods, on="due_date")
    ends = periods.select("period", "period_end")
    unpaid = due.filter(pl.col("period").is_not_null() & ~pl.col("is_credit_note")).join(
        ends.lazy(), on="period").group_by("period").agg(
        pl.len().alias("payable_in_period_count"),
        ((pl.col("paid_date").is_null() | (pl.col("paid_date") > pl.col("period_end"))).mean()
         * 100).alias("payable_not_paid_in_period_pct"),
    ).collect()
    out = periods.select("period").join(c, on="period", how="left").join(
        unpaid, on="period", how="left")
    return conform("compliance_notice", out.filter(
        pl.col("invoice_count").is_not_null() | pl.col("payable_in_period_count").is_not_null()))


def _cells(lf: pl.LazyFrame, by: list[str], value: pl.Expr) -> pl.LazyFrame:
    """Distinct suppliers and the two largest suppliers' absolute totals per ``by`` cell."""
    per = lf.group_by([*by, "supplier_id"]).agg(value.sum().abs().alias("v"))
    return per.group_by(by).agg(
        pl.len().cast(pl.Int64).alias("supplier_count"),
        pl.col("v").sum().alias("value_total_gbp"),
        pl.col("v").max().alias("largest_supplier_value_gbp"),
        pl.col("v").top_k(2).min().filter(pl.len() > 1).first().alias("second_supplier_value_gbp"),
    )


def contributors(inv: pl.DataFrame) -> pl.DataFrame:
    """Every cell the pack may publish, with its contributors (no identities).

    ``payment_metrics`` per period x band, per period (``all``) and per period for micro + small
    suppliers pooled; ``interest_owed`` per period over invoices owed interest (value = interest
    plus compensation); ``days_distribution`` over every period of the return (period ``*``).
    """
    paid = paid_in_period(inv)
    v = pl.col("gross_amount_gbp")
    frames = [
        _cells(paid, ["period", BAND], v),
        _cells(paid, ["period"], v).with_columns(pl.lit(ALL).alias(BAND)),
        _cells(paid.filter(pl.col(BAND).is_in(["micro", "small"])), ["period"], v)
        .with_columns(pl.lit(SMALL).alias(BAND)),
    ]
    m = pl.concat([f.select("period", BAND, "supplier_count", "value_total_gbp",
                            "largest_supplier_value_gbp", "second_supplier_value_gbp")
                   for f in frames]).with_columns(pl.lit("payment_metrics").alias("measure"))
    owed = paid.filter(pl.col("fixed_compensation_gbp").fill_null(0) > 0)
    i = _cells(owed, ["period"], pl.col("statutory_interest_gbp") + pl.col("fixed_compensation_gbp")
               ).with_columns(pl.lit(ALL).alias(BAND), pl.lit("interest_owed").alias("measure"))
    d = _cells(paid.with_columns(pl.lit(ALL_PERIODS).alias("period")), ["period"], v).with_columns(
        pl.lit(ALL).alias(BAND), pl.lit("days_distribution").alias("measure"))
    out = pl.concat([conform("contributors", f.collect()) for f in (m, i, d)])
    order = {"payment_metrics": 0, "interest_owed": 1, "days_distribution": 2}
    return _sorted(out.with_columns(pl.col("measure").replace_strict(order, return_dtype=pl.Int64)
                                    .alias("__m")), ["__m", "period"]).drop("__m")


def network_cells(member_id: str, member_name: str | None, org_type: str | None,
                  periods: pl.DataFrame, suppliers: pl.DataFrame | None,
                  spend: pl.DataFrame | None, contracts: pl.DataFrame | None,
                  terms: pl.DataFrame | None) -> dict[str, pl.DataFrame]:
    """The network's twice-yearly measures for this member alone (:mod:`lainbench.network`,
    the network's own params), as cells with their contributors: the pack combines members'
    cells and applies its disclosure rules. Empty sheets when any of the four tables is absent.
    """
    from lainbench.returns.schema import empty

    names = ("network_spend_shares", "network_excluded_spend", "network_contracts")
    if any(t is None for t in (suppliers, spend, contracts, terms)):
        return {n: empty(n) for n in names}
    from lainbench.network import network_shared_tables
    from lainbench.schemas import CONTRACT_AWARD, PAYMENT_TERMS, SPEND_LINE, SUPPLIER

    suppliers, spend, contracts, terms = (
        schema.conform(df, source=f"{schema.name} table") for schema, df in (
            (SUPPLIER, suppliers), (SPEND_LINE, spend), (CONTRACT_AWARD, contracts),
            (PAYMENT_TERMS, terms)))
    member = pl.DataFrame({"org_id": [member_id], "org_name": [member_name or member_id],
                           "org_type": [org_type or "other"]})
    t = network_shared_tables(suppliers, spend, contracts, terms, member, periods)
    mine = {"network_spend_shares": t["spend_shares"], "network_excluded_spend":
            t["excluded_spend"], "network_contracts": t["contracts"]}
    return {n: conform(n, df.filter(pl.col("buyer_org_id") == member_id)) for n, df in mine.items()}


def info(member_id: str, periods: pl.DataFrame, days_max: int, *, member_name: str | None = None,
         org_type: str | None = None, approver_name: str | None = None,
         approver_title: str | None = None, approved_at: str | None = None) -> pl.DataFrame:
    """The return's one-row ``return_info`` sheet (schema version, tool version, approval)."""
    from lainbench import __version__
    from lainbench.returns.schema import RETURN_SCHEMA_VERSION

    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    if approver_name and not approved_at:
        approved_at = now
    return conform("return_info", pl.DataFrame([{
        "schema_version": RETURN_SCHEMA_VERSION, "member_id": member_id,
        "member_name": member_name or member_id, "org_type": org_type,
        "periods": ";".join(periods["period"].to_list()), "days_to_pay_max": days_max,
        "tool_version": __version__, "built_at": now, "approver_name": approver_name,
        "approver_title": approver_title, "approved_at": approved_at,
    }]))


def build_return(invoices: Frame, member_id: str, periods: pl.DataFrame, *, days_max: int = 365,
                 member_name: str | None = None, org_type: str | None = None,
                 requirements: pl.DataFrame | None = None, inputs: pl.DataFrame | None = None,
                 suppliers: pl.DataFrame | None = None, spend: pl.DataFrame | None = None,
                 contracts: pl.DataFrame | None = None, terms: pl.DataFrame | None = None,
                 approver_name: str | None = None, approver_title: str | None = None,
                 approved_at: str | None = None) -> dict[str, pl.DataFrame]:
    """Every sheet of one member's return, from its own invoices (other buyers' rows are left out).

    ``periods`` are the reporting periods the return covers; ``requirements`` the member's
    insurance requirement rows (``insurance_requirement``), if any; ``inputs`` the provenance rows
    (see :func:`lainbench.returns.io.input_row`). ``suppliers``, ``spend``, ``contracts`` and
    ``terms`` (canonical ``supplier``, ``spend_line``, ``contract_award``, ``payment_terms``) feed
    the action-plan sheets (:mod:`lainbench.returns.action_plan`); each is empty when not given.
    """
    from lainbench.returns import action_plan
    from lainbench.returns.schema import empty

    lf = invoices.lazy() if isinstance(invoices, pl.DataFrame) else invoices
    names = lf.collect_schema().names()
    mine = lf.select([c for c in COLUMNS if c in names]).filter(
        pl.col("buyer_org_id") == member_id)
    inv = prepare(mine, periods, org_type)
    from lainbench import disclosure
    from lainbench.notices.figures import derived_notices
    from lainbench.payments.metrics import days_bucket_counts, payment_metrics, share_part_counts

    metrics = payment_metrics(inv)
    everything = derive(mine, interest=False)  # lazy: read again for the notice, not held
    reqs = empty("insurance_requirements")
    if requirements is not None:
        reqs = conform("insurance_requirements",
                       requirements.filter(pl.col("buyer_org_id") == member_id))
    def own(df: pl.DataFrame | None) -> pl.DataFrame | None:
        return None if df is None else df.filter(pl.col("buyer_org_id") == member_id)

    sup, sp, ca, pt = own(suppliers), own(spend), own(contracts), own(terms)
    net = network_cells(member_id, member_name, org_type, periods, sup, sp, ca, pt)
    return {
        "return_info": info(member_id, periods, days_max, member_name=member_name,
                            org_type=org_type, approver_name=approver_name,
                            approver_title=approver_title, approved_at=approved_at),
        "inputs": inputs if inputs is not None else empty("inputs"),
        "periods": conform("periods", periods),
        "payment_totals": payment_totals(inv),
        "days_to_pay": days_to_pay(inv, days_max),
        "days_late": days_late(inv),
        "interest": interest(inv),
        "compliance_notice": notice(inv, metrics, everything, periods),
        "statutory_notices": conform("statutory_notices", derived_notices(
            derive(mine, interest=False), [member_id])),
        "contributors": contributors(inv),
        "share_parts": conform("share_parts", share_part_counts(inv, by=["period"]).with_columns(
            pl.col(BAND).replace("small_lt50", SMALL))),
        "day_buckets": conform("day_buckets", days_bucket_counts(
            inv, disclosure.load_rules().distribution_bucket_edges_days, by=["period"])),
        "spend": empty("spend") if sp is None else action_plan.spend_aggregates(sp, sup, periods),
        "contracts": empty("contracts") if ca is None else
        action_plan.contract_aggregates(ca, periods),
        **net,
        "payment_terms": empty("payment_terms") if pt is None else action_plan.terms_rows(pt),
        "insurance_requirements": reqs,
    }
