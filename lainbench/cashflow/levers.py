"""Buyer levers (terms, lateness, approval lag, insurance, early payment, the law) in one table.

:func:`compare_levers` crosses a grid of lever settings (:data:`LEVER_GRID`), or takes named
scenarios, each ANY combination of levers applied together (``scenarios={"30 days on time":
{"terms_days": 30, "days_late": 0}}``), so a buyer's policy that moves terms and lateness at once
is one scenario. The levers (:data:`LEVERS`):

* ``terms_days`` (N), ``approval_lag_days`` (l);
* lateness: ``delay_profile`` (a 5.1 profile, or ``deterministic``) or ``days_late`` (every
  invoice that many days late);
* ``insurance_requirement`` (an insurance standard: ``held``, ``gcloud14_initial``,
  ``gcloud14_revised``);
* ``early_payment``: ``"none"``, discount terms ``"2/10 net 30"`` (2 % off if paid on day 10;
  net 30 sets the terms), or supply-chain finance ``"scf 6.75% day 10"`` (a funder pays on day
  10, less 6.75 % a year for the days before the due day);
* ``payment_law``: ``current`` or ``commercial_payments_bill`` (PROPOSED law, read from
  ``params/payment_rules.yaml``: :func:`commercial_payments_bill`);
* ``buyer_is_public_authority`` (the Act's s.4(2D) rule, or the private-purchaser rule).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from lainbench.cashflow.closed_forms import steady_state
from lainbench.cashflow.delays import (
    FixedDelay,
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


# every lever compare_levers understands (the default grid uses the first four)
LEVERS = (*LEVER_GRID, "days_late", "early_payment", "payment_law", "buyer_is_public_authority")


PAYMENT_LAWS = ("current", "commercial_payments_bill")


RULES_FILE = "params/payment_rules.yaml"


# the Commercial Payments Bill [HL] rules in params/payment_rules.yaml (status: proposed)
BILL_RULES = {
    "max_terms_days": "commercial_payments_bill_max_terms_days",
    "interest_non_excludable": "commercial_payments_bill_interest_non_excludable",
    "dispute_window_days": "commercial_payments_bill_dispute_window_days",
}


def commercial_payments_bill_rules(as_of: dt.date | str | None = None) -> dict[str, Any]:
    """The Commercial Payments Bill's proposed rules in ``params/payment_rules.yaml``, by short name.

    PROPOSED, NOT LAW: each rule must carry ``metadata.status`` starting ``proposed`` (the same
    test as :func:`lainbench.notices.rules.is_proposed`; cashflow and notices are independent
    capabilities, so the file is read here through :func:`lainbench.params.load`). ``as_of``
    defaults to the rule's latest value.

    >>> commercial_payments_bill_rules()
    {'max_terms_days': 60, 'interest_non_excludable': 1, 'dispute_window_days': 30}
    """
    from lainbench.params import load

    rules = load(RULES_FILE)
    out: dict[str, Any] = {}
    for short, name in BILL_RULES.items():
        rule = rules.parameters.get(name)
        if rule is None:
            raise ParamsError(f"{RULES_FILE}: no rule {name!r}; the Commercial Payments Bill "
                              "scenario needs it (add it with metadata.status: proposed)")
        if not (rule.metadata.status or "").startswith("proposed"):
            raise ParamsError(f"{RULES_FILE}: {name} has status {rule.metadata.status!r}; the "
                              "Bill is proposed law: mark it status: proposed, or, if it has "
                              "become law, move it into the current rules")
        value = rules.value(name, as_of or dt.date.max)
        if value is None:
            raise ParamsError(f"{RULES_FILE}: {name} has no value on {as_of}; its values start "
                              f"on {min(rule.values)}; pass a later as_of (or none)")
        out[short] = value
    return out


def commercial_payments_bill(base: SupplierScenario,
                             as_of: dt.date | str | None = None) -> SupplierScenario:
    """``base`` under the Commercial Payments Bill [HL] as proposed (NOT LAW; a labelled scenario).

    Read from ``params/payment_rules.yaml`` (:func:`commercial_payments_bill_rules`):

    * **60-day cap on private terms**: a private buyer's terms ``l + N`` beyond the cap are cut to
      it (the lag first kept, then ``N`` reduced), and the relevant day is at the latest the cap
      period's last day (receipt + 59), replacing the "not grossly unfair" exception;
    * **non-excludable interest**: the model already charges statutory interest on every late
      invoice (it has no contractual substitute), so nothing changes; recorded in the label;
    * **dispute window**: the buyer's approval lag ``l`` (the time it takes to accept or dispute
      an invoice before the clock starts) is cut to the window (a reading: see
      docs/assumptions.md). Public buyers keep their s.4(2D) 30-day rule.

    >>> sc = commercial_payments_bill(SupplierScenario(terms_days=90, approval_lag_days=40,
    ...                               buyer_is_public_authority=False))
    >>> sc.payment_law, sc.approval_lag_days, sc.terms_days, sc.statutory_relevant_offset_days
    ('commercial_payments_bill', 30, 30, 59)
    """
    rules = commercial_payments_bill_rules(as_of)
    cap, window = int(rules["max_terms_days"]), int(rules["dispute_window_days"])
    lag = min(base.approval_lag_days, window)
    terms = base.terms_days
    if not base.buyer_is_public_authority:
        terms = max(0, min(terms, cap - lag))
    return base.with_(payment_law="commercial_payments_bill", approval_lag_days=lag,
                      terms_days=terms, private_terms_cap_days=cap)


_SCF = re.compile(r"^\s*scf\s+(\d+(?:\.\d+)?)\s*%\s+day\s+(\d+)\s*$", re.IGNORECASE)


def early_payment_changes(offer: Any, base: SupplierScenario,
                          terms_days: int | None = None) -> dict[str, Any]:
    """Scenario changes for an early-payment lever setting (see the module docstring).

    >>> early_payment_changes("2/10 net 30", SupplierScenario())
    {'terms_days': 30, 'early_payment_discount_pct': 2.0, 'early_payment_days': 10}
    >>> early_payment_changes("scf 7.3% day 10", SupplierScenario(terms_days=60))
    {'early_payment_discount_pct': 1.0, 'early_payment_days': 10}
    >>> early_payment_changes("none", SupplierScenario())
    {'early_payment_discount_pct': 0.0, 'early_payment_days': None}
    """
    from lainbench.cashflow.rates import parse_discount_terms, supply_chain_finance_discount_pct

    if offer is None or offer == "none":
        return {"early_payment_discount_pct": 0.0, "early_payment_days": None}
    m = _SCF.match(str(offer))
    if m:
        rate, day = float(m.group(1)), int(m.group(2))
        due = base.approval_lag_days + (base.terms_days if terms_days is None else terms_days)
        if day > due:
            raise ParamsError(f"early_payment: {offer!r} pays on day {day}, after the due day "
                              f"{due}; supply-chain finance pays before it")
        return {"early_payment_discount_pct": round(
            supply_chain_finance_discount_pct(rate, due - day), 10), "early_payment_days": day}
    d, t, net = parse_discount_terms(offer)
    return {"terms_days": net, "early_payment_discount_pct": d, "early_payment_days": t}


def insurance_cover(which: str) -> dict[str, float]:
    """Cover limits (£) by cover type: ``"held"`` by the supplier, or a G-Cloud 14 requirement.

    >>> insurance_cover("gcloud14_initial")["public_liability"]
    10000000.0
    >>> insurance_cover("gcloud14_revised")["public_liability"], insurance_cover("held")["employers_liability"]
    (1000000.0, 10000000.0)
    """
    if which not in ("held", *INSURANCE_REQUIREMENTS):
        raise ParamsError(
            f"insurance requirement {which!r} is unknown; use held, "
            f"{', '.join(INSURANCE_REQUIREMENTS)}, or pass required={{cover: limit}}"
        )
    # one home for each level: what a micro supplier typically holds is in
    # params/insurance_premiums.yaml, the G-Cloud 14 levels in params/insurance_standards.yaml
    # (the revised level is the common standard)
    from lainbench import insurance
    from lainbench.params import load

    if which == "held":
        held = insurance.typical_cover_held("micro")
        return {c: float(held[c]) for c in COVERS}
    if which == "gcloud14_revised":
        common = insurance.load_standards().common_standard
        return {c: float(common[c]) for c in COVERS}
    pf = load(insurance.STANDARDS_PATH)
    return {c: float(pf.value(f"gcloud14_initial_{c}", dt.date.today())) for c in COVERS}


def lever_label(lever: str, value: Any) -> str:
    """Readable name of one lever setting.

    >>> lever_label("terms_days", 14), lever_label("insurance_requirement", "gcloud14_revised")
    ('terms 14 days', 'insurance: G-Cloud 14 revised')
    """
    if value is None and lever != "early_payment":
        return f"{lever} as in the base scenario"
    if lever == "terms_days":
        return f"terms {value} days"
    if lever == "approval_lag_days":
        return f"approval lag {value} days"
    if lever == "delay_profile":
        return f"late payment: {value}"
    if lever == "insurance_requirement":
        return "insurance: " + str(value).replace("gcloud14_", "G-Cloud 14 ")
    if lever == "days_late":
        return "on time" if value == 0 else f"{value:g} days late"
    if lever == "early_payment":
        return "no early payment" if value in (None, "none") else f"early payment {value}"
    if lever == "buyer_is_public_authority":
        return "public-authority buyer" if value else "private buyer"
    if lever == "payment_law":
        return ("Commercial Payments Bill (proposed)" if value == "commercial_payments_bill"
                else "current law")
    return f"{lever} {value}"


def _extra_premium(held: Mapping[str, float], required: Mapping[str, float]) -> float:
    from lainbench import insurance  # written in parallel (issue 5); imported when needed

    return float(insurance.extra_premium_gbp(dict(held), dict(required)))


def _apply_levers(
    base: SupplierScenario, levers: Mapping[str, Any], premiums: Mapping[str, float]
) -> tuple[SupplierScenario, Any]:
    """The scenario and delay model of one combination of lever settings, applied together."""
    if "delay_profile" in levers and "days_late" in levers:
        raise ParamsError("levers: give delay_profile or days_late, not both, in one scenario "
                          f"(found delay_profile={levers['delay_profile']!r}, "
                          f"days_late={levers['days_late']!r})")
    changes: dict[str, Any] = {}
    for name in ("terms_days", "approval_lag_days", "buyer_is_public_authority"):
        if name in levers:
            changes[name] = levers[name]
    if "insurance_requirement" in levers:
        changes["insurance_extra_premium_gbp"] = premiums[levers["insurance_requirement"]]
    profile = levers.get("delay_profile")
    if "days_late" in levers:
        delay = FixedDelay(float(levers["days_late"]))
    elif profile and profile != "deterministic":
        delay = delay_profile(profile)
    else:
        delay = FixedDelay(base.days_late)
    sc = base.with_(**changes, days_late=delay.mean_days_late)
    if "early_payment" in levers:
        early = early_payment_changes(levers["early_payment"], sc)
        if "terms_days" in early and "terms_days" in levers and early["terms_days"] != levers[
                "terms_days"]:
            raise ParamsError(f"levers: early_payment {levers['early_payment']!r} sets net "
                              f"{early['terms_days']} days but terms_days = {levers['terms_days']}"
                              "; give one (the offer's net day is the terms)")
        sc = sc.with_(**early)
    law = levers.get("payment_law", "current")
    if law not in PAYMENT_LAWS:
        raise ParamsError(f"payment_law = {law!r} is unknown; use {', '.join(PAYMENT_LAWS)}")
    if law == "commercial_payments_bill":
        # proposed law: its latest proposed values, whatever the contract's start date
        sc = commercial_payments_bill(sc)
    return sc, delay


def _check_lever_names(where: str, names: Sequence[str]) -> None:
    unknown = sorted(set(names) - set(LEVERS))
    if unknown:
        raise ParamsError(f"{where}: unknown lever(s) {', '.join(unknown)}; use {', '.join(LEVERS)}")


def compare_levers(
    base: SupplierScenario | None = None,
    *,
    grid: Mapping[str, Sequence[Any]] | None = None,
    n_paths: int = 20_000,
    horizon_days: int = 365,
    seed: int | None = DEFAULT_SEED,
    held: Mapping[str, float] | None = None,
    requirements: Mapping[str, Mapping[str, float]] | None = None,
    scenarios: Mapping[str, Mapping[str, Any]] | None = None,
) -> pl.DataFrame:
    """Every output of every buyer-lever scenario, with the change against the baseline.

    Either a ``grid`` crossed in full (default :data:`LEVER_GRID`: terms 60 -> 30 -> 14 days,
    the delay profile ``uk_sme_2021`` -> ``public_bppc``, approval lag 10 -> 0 days and the
    insurance requirement G-Cloud 14 initial (£10m PL, £10m PI, £5m EL) -> revised (£1m, £1m,
    £5m) against the cover held (£1m, £1m, £5m); the first value of each lever is the
    baseline), or named ``scenarios``, each any combination of the :data:`LEVERS` applied
    together to ``base`` (levers it does not name stay as in ``base``); the first is the
    baseline. Each scenario is simulated with the same seed (common random numbers), and the
    closed forms are evaluated at the profile's mean days late. Extra premiums come from
    :func:`lainbench.insurance.extra_premium_gbp`.

    Returns one tidy row per scenario and metric: ``scenario``, the lever columns
    (:data:`LEVERS`; null where a scenario leaves a lever as in ``base``), ``levers_changed``
    (how many differ from the baseline), ``change_label``, ``lever`` (the one changed,
    ``"none"`` or ``"several"``), ``metric``, ``unit``, ``value``, ``baseline_value``, ``change``
    and ``change_pct``.

    >>> t = compare_levers(SupplierScenario(statutory_rate_pct=11.75), n_paths=500,
    ...                    grid={"terms_days": (60, 30)})
    >>> t.filter(pl.col("metric") == "invoice_to_cash_days").select("lever", "value", "change").rows()
    [('none', 60.0, 0.0), ('terms_days', 30.0, -30.0)]
    >>> t = compare_levers(SupplierScenario(statutory_rate_pct=11.75), n_paths=10, scenarios={
    ...     "60 days + 14 late": {"terms_days": 60, "days_late": 14},
    ...     "30 days on time": {"terms_days": 30, "days_late": 0}})
    >>> row = t.filter(pl.col("metric") == "peak_need_gbp").row(1, named=True)
    >>> row["scenario"], row["lever"], round(row["change"], 2)   # 96,000 x 44 / 365
    ('30 days on time', 'several', -11572.6)
    """
    base = base or SupplierScenario()
    if scenarios is not None and grid is not None:
        raise ParamsError("compare_levers: give grid or scenarios, not both")
    if scenarios is not None:
        if not scenarios:
            raise ParamsError("scenarios: none given; give at least one (the first is the baseline)")
        runs = []
        for name, levers in scenarios.items():
            _check_lever_names(f"scenarios[{name!r}]", list(levers))
            runs.append((str(name), dict(levers)))
    else:
        grid = dict(grid) if grid is not None else dict(LEVER_GRID)
        _check_lever_names("grid", list(grid))
        for lever, values in grid.items():
            if not values:
                raise ParamsError(f"grid: lever {lever} has no values; give at least one")
        names = list(grid)
        runs = []
        for combo in itertools.product(*(grid[k] for k in names)):
            levers = dict(zip(names, combo, strict=True))
            runs.append((" | ".join(f"{k}={v}" for k, v in levers.items()), levers))
    held = dict(held) if held is not None else insurance_cover("held")
    premiums: dict[str, float] = {}
    for _, levers in runs:
        req = levers.get("insurance_requirement")
        if req is not None and req not in premiums:
            cover = (requirements or {}).get(req) or insurance_cover(req)
            premiums[req] = _extra_premium(held, cover)

    frames = []
    baseline = runs[0][1]
    for label, levers in runs:
        sc, delay = _apply_levers(base, levers, premiums)
        values = steady_state(sc).to_dict()
        values.update(simulate(sc, delay, n_paths, horizon_days, seed).summary)
        keys = [k for k in LEVERS if k in levers or k in baseline]
        changed = [k for k in keys if levers.get(k) != baseline.get(k)]
        if changed:
            change_label = " + ".join(lever_label(k, levers.get(k)) for k in changed)
        else:
            change_label = "baseline: " + ", ".join(lever_label(k, v) for k, v in levers.items())
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
