"""Notebook 03 (supplier cash flow): its run parameters and the adapters the notebook calls."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import polars as pl
from pydantic import Field, ValidationError, create_model, field_validator

from lainbench import load
from lainbench.cashflow.delays import (
    DelayModel,
)
from lainbench.cashflow.rates import simple_rate_ear_pct
from lainbench.cashflow.scenario import (
    DEFAULT_SEED,
    RatePct,
    SupplierScenario,
    make_scenario,
)
from lainbench.cashflow.simulate import resolve_delay
from lainbench.errors import ParamsError
from lainbench.params import RunParams, format_validation_error

ProfileChoice = Literal[
    "ibm_sample", "uk_sme_2021", "xero_2018", "public_bppc", "deterministic", "member_invoices"
]


SizeBand = Literal["micro", "small", "medium", "large", "unknown"]


# The supplier fields a notebook run may set: their types, bounds, defaults and descriptions are
# SupplierScenario's own (one home), copied here by name.
SCENARIO_FIELDS: tuple[str, ...] = (
    "annual_value_gbp",
    "billing_interval_days",
    "terms_days",
    "approval_lag_days",
    "days_late",
    "variable_cost_share",
    "supplier_payables_days",
    "fixed_overhead_gbp_per_day",
    "opening_cash_gbp",
    "overdraft_limit_gbp",
    "bank_rate_pct",
    "buyer_is_public_authority",
    "private_over_60_grossly_unfair",
    "vat_rate",
    "start_date",
    "insurance_stage",
)


# Policy scenarios of notebook 03, each any combination of levers applied together (the first is
# the baseline); override with -p policy_scenarios=... or in params/supplier_cashflow.yaml.
DEFAULT_POLICY_SCENARIOS: dict[str, dict[str, Any]] = {
    "60 days + 14 late": {"terms_days": 60, "days_late": 14},
    "30 days on time": {"terms_days": 30, "days_late": 0},
    "2/10 net 30 offered (paid on day 10)": {"early_payment": "2/10 net 30"},
    "60 days, supply-chain finance on day 10": {"terms_days": 60, "days_late": 14,
                                                "early_payment": "scf 6.75% day 10"},
    "private buyer, 90 days + 14 late": {"buyer_is_public_authority": False, "terms_days": 90,
                                         "days_late": 14},
    "private buyer, Commercial Payments Bill (proposed)": {
        "buyer_is_public_authority": False, "terms_days": 90, "days_late": 14,
        "payment_law": "commercial_payments_bill"},
}


# what the policy table shows, in order
POLICY_METRICS: tuple[str, ...] = (
    "invoice_to_cash_days", "peak_need_gbp", "financing_cost_gbp", "statutory_interest_days",
    "statutory_interest_per_invoice_gbp", "compensation_per_invoice_gbp",
    "early_payment_discount_gbp_per_year", "early_payment_implied_rate_compound_pct",
    "overdraft_rate_pct", "overdraft_ear_pct", "annual_cost_gbp", "shortfall_probability",
)
_ScenarioRunFields = create_model(
    "_ScenarioRunFields",
    __base__=RunParams,
    **{name: (SupplierScenario.model_fields[name].annotation,
              copy.copy(SupplierScenario.model_fields[name])) for name in SCENARIO_FIELDS},
)


class SupplierCashflowParams(_ScenarioRunFields):
    """Parameters of ``notebooks/03_supplier_cashflow.ipynb`` (checked before a kernel starts).

    The supplier fields (:data:`SCENARIO_FIELDS`, defined once by
    :class:`~lainbench.cashflow.scenario.SupplierScenario`) override the reference defaults of
    ``params/cashflow_assumptions.yaml``; ``delay_profile`` drives the fan chart
    (``member_invoices``: the pooled invoices of ``members``); the per-member chart always uses
    each member's own invoices.

    >>> SupplierCashflowParams(n_paths=-5)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for SupplierCashflowParams
    n_paths
      Input should be greater than 0 ...
    >>> SupplierCashflowParams().scenario().bank_rate_pct == SupplierScenario().bank_rate_pct
    True
    >>> SupplierCashflowParams(bank_rate_pct=4.75).scenario().bank_rate_pct
    4.75
    """

    # Bank Rate has one home, params/cashflow_assumptions.yaml (dated, sourced): a run sets it
    # only to model another rate
    bank_rate_pct: RatePct | None = Field(
        None, description="BR: Bank Rate, % a year; None: the rate in "
                          "params/cashflow_assumptions.yaml")
    # delays and members
    delay_profile: ProfileChoice = "uk_sme_2021"
    members: list[str] | Literal["all"] = "all"
    size_bands: list[SizeBand] = Field(
        default_factory=lambda: ["micro", "small"],
        description="supplier size bands whose invoices count",
    )
    min_invoices: int = Field(30, gt=0, description="fewest paid invoices for a member's delays")
    # policy scenarios: named combinations of levers (lainbench.cashflow.levers.LEVERS)
    policy_scenarios: dict[str, dict[str, Any]] | None = Field(
        default_factory=lambda: copy.deepcopy(DEFAULT_POLICY_SCENARIOS),
        description="named scenarios, each a combination of levers applied together; the "
        "first is the baseline",
    )
    # Monte Carlo
    # 10 million paths x 365 days is about 5 GB of float32 draws: beyond this machine's size and
    # any precision a user needs (the standard error at 1 million paths is under 0.05 points)
    n_paths: int = Field(100_000, gt=0, le=10_000_000,
                         description="Monte Carlo paths (at most 10 million: memory)")
    horizon_days: int = Field(365, gt=0, le=3650)
    seed: int = Field(DEFAULT_SEED, ge=0)
    # files
    invoices_path: str = "data/demo/invoice_payment.parquet"
    members_path: str = "data/demo/member.parquet"
    output_dir: str = "reports/supplier_cashflow"

    SCENARIO_FIELDS: ClassVar[tuple[str, ...]] = SCENARIO_FIELDS

    @field_validator("policy_scenarios", mode="after")
    @classmethod
    def _default_scenarios(cls, value: dict | None) -> dict:
        return copy.deepcopy(DEFAULT_POLICY_SCENARIOS) if not value else value

    def scenario(self) -> SupplierScenario:
        """The supplier scenario these parameters describe (a field left ``None`` takes its
        reference default from ``params/cashflow_assumptions.yaml``).
        """
        return make_scenario(**{k: getattr(self, k) for k in self.SCENARIO_FIELDS
                                if getattr(self, k) is not None})


def run_params(**values: Any) -> SupplierCashflowParams:
    """Validate notebook values (as papermill injected them) into :class:`SupplierCashflowParams`.

    >>> run_params(n_paths=0)
    Traceback (most recent call last):
    ...
    lainbench.errors.ParamsError: supplier_cashflow parameters: n_paths: Input should be greater than 0 (found 0)
    """
    try:
        return SupplierCashflowParams(**values)
    except ValidationError as exc:
        raise ParamsError(format_validation_error("supplier_cashflow parameters", exc)) from None


def params_from(namespace: Mapping[str, Any]) -> SupplierCashflowParams:
    """The notebook's parameters, picked by name from ``namespace`` (e.g. ``globals()``).

    >>> params_from({"n_paths": 500, "seed": 1, "unrelated": object()}).n_paths
    500
    """
    fields = SupplierCashflowParams.model_fields
    return run_params(**{k: v for k, v in namespace.items() if k in fields})


def notebook_delay(params: SupplierCashflowParams, invoices=None) -> DelayModel:
    """The delay model the notebook's fan chart uses: a named profile, the deterministic
    ``days_late``, or (``member_invoices``) the pooled invoices of ``params.members``.

    >>> notebook_delay(SupplierCashflowParams(delay_profile="xero_2018")).name
    'xero_2018'
    """
    if params.delay_profile == "member_invoices":
        if invoices is None:
            invoices = load.invoices(params.invoices_path, "invoices_path")
        from lainbench.cashflow.delays import empirical_delay

        who = None if params.members == "all" else params.members
        return empirical_delay(
            invoices,
            who,
            size_bands=params.size_bands,
            min_invoices=params.min_invoices,
            name="member invoices" if who is None else ", ".join(who),
        )
    return resolve_delay(params.delay_profile, params.scenario())


def vat_basis_note(scenario: SupplierScenario) -> str:
    """One sentence stating the VAT basis of the run, with the rate as used (from params).

    >>> vat_basis_note(SupplierScenario(vat_rate=0.2))[:60]
    'Statutory interest and the compensation band are worked on t'
    """
    vat = scenario.vat_rate
    return (
        "Statutory interest and the compensation band are worked on the sum the buyer owes, VAT "
        f"included: each invoice of £{scenario.invoice_amount_gbp:,.2f} ex VAT is a debt of "
        f"£{scenario.invoice_gross_gbp:,.2f} at `vat_rate` = {vat:.0%} "
        "(`params/cashflow_assumptions.yaml`; 0 for an exempt supply), the basis notebook 01 uses "
        "(`gross_amount_gbp`). Costs, margin, receipts and financing stay ex VAT (VAT passes "
        "through to HMRC)."
    )


def policy_table(levers: pl.DataFrame) -> pl.DataFrame:
    """The :data:`POLICY_METRICS` of each scenario of :func:`compare_levers`, one row per
    scenario (in order), one column per metric.
    """
    wanted = [m for m in POLICY_METRICS if m in set(levers["metric"])]
    order = levers.select("scenario").unique(maintain_order=True)["scenario"].to_list()
    wide = levers.filter(pl.col("metric").is_in(wanted)).pivot(
        on="metric", index="scenario", values="value")
    return wide.select("scenario", *wanted).sort(
        pl.col("scenario").replace_strict({s: i for i, s in enumerate(order)},
                                          return_dtype=pl.Int64))


def scenario_table(scenario: SupplierScenario) -> pl.DataFrame:
    """The scenario's inputs as a table: ``input``, ``value``, ``effective_annual_rate_pct``,
    ``meaning`` (with units).

    Derived rates (overdraft, financing, discount, statutory) are shown as used, each with its
    EAR (:mod:`lainbench.cashflow.rates`).

    >>> t = scenario_table(SupplierScenario(statutory_rate_pct=11.75))
    >>> t.filter(pl.col("input") == "overdraft_rate_pct")["value"][0]
    '14.6'
    """
    used = {
        "overdraft_rate_pct": scenario.overdraft_rate_pct_used,
        "financing_rate_pct": scenario.financing_rate_pct_used,
        "invoice_finance_discount_rate_pct": scenario.discount_rate_pct_used,
        "statutory_rate_pct": scenario.statutory_rate_pct_used,
    }
    # EAR beside every nominal rate: compounded monthly, except statutory interest (simple by
    # law, s.1(1): its EAR is the rate) and Bank Rate (a reference, not a charge)
    ear = {
        "overdraft_rate_pct": scenario.overdraft_ear_pct,
        "financing_rate_pct": scenario.financing_ear_pct,
        "invoice_finance_discount_rate_pct": scenario.discount_ear_pct,
        "statutory_rate_pct": simple_rate_ear_pct(scenario.statutory_rate_pct_used),
    }
    rows = []
    for name, info in SupplierScenario.model_fields.items():
        value = used.get(name, getattr(scenario, name))
        rows.append(
            {
                "input": name,
                "value": f"{value:g}" if isinstance(value, float) else str(value),
                "effective_annual_rate_pct": f"{ear[name]:.2f}" if name in ear else None,
                "meaning": info.description or "",
            }
        )
    return pl.DataFrame(rows, schema={"input": pl.String, "value": pl.String,
                                      "effective_annual_rate_pct": pl.String,
                                      "meaning": pl.String})



# --------------------------------------------------------------------------------------------
# One-line texts for the notebook's prose, built from params (one home for each figure: the
# markdown names the input, these print its value as used)
# --------------------------------------------------------------------------------------------
def rates_text(scenario: SupplierScenario) -> str:
    """The derived rates of the run, each with the inputs it is built from, in one markdown line.

    >>> rates_text(SupplierScenario(bank_rate_pct=3.75, overdraft_margin_pct=10.85,
    ...                             statutory_rate_pct=11.75))
    '**Rates as used:** overdraft (and cost of funding) = Bank Rate 3.75 % + margin 10.85 % = 14.6 % a year (`bank_rate_pct`, `overdraft_margin_pct` in `params/cashflow_assumptions.yaml`, unless set in the run); statutory interest 11.75 % a year (reference rate + 8 %) for interest starting on 2026-01-01 (`lainbench.late_payment`).'
    """
    from lainbench.late_payment import STATUTORY_MARGIN_PCT

    overdraft = ("" if scenario.overdraft_rate_pct is not None else
                 f"Bank Rate {scenario.bank_rate_pct:g} % + margin "
                 f"{scenario.overdraft_margin_pct:g} % = ")
    return (
        f"**Rates as used:** overdraft (and cost of funding) = {overdraft}"
        f"{scenario.overdraft_rate_pct_used:g} % a year (`bank_rate_pct`, "
        "`overdraft_margin_pct` in `params/cashflow_assumptions.yaml`, unless set in the run); "
        f"statutory interest {scenario.statutory_rate_pct_used:g} % a year (reference rate + "
        f"{STATUTORY_MARGIN_PCT:g} %) for interest starting on {scenario.start_date} "
        "(`lainbench.late_payment`)."
    )


def lever_grid_text() -> str:
    """The settings of each buyer lever in the default grid, worst first, in one markdown line.

    The grid is :data:`lainbench.cashflow.levers.LEVER_GRID`; the insurance levels are read from
    ``params/insurance_standards.yaml`` (G-Cloud 14) and ``params/insurance_premiums.yaml``
    (the cover a micro supplier holds).

    >>> lever_grid_text()
    '**Levers as used** (first setting = baseline): payment terms 60 -> 30 -> 14 days; late payment uk_sme_2021 -> public_bppc; approval lag 10 -> 0 days; insurance required G-Cloud 14 initial (PL £10m, PI £10m, EL £5m) -> G-Cloud 14 revised (PL £1m, PI £1m, EL £5m), for a supplier holding PL £1m, PI £1m, EL £10m.'
    """
    from lainbench.cashflow.levers import LEVER_GRID, insurance_cover
    from lainbench.formatting import format_gbp_short
    from lainbench.insurance.standards import COVER_ABBREV

    def cover(which: str) -> str:
        return ", ".join(f"{COVER_ABBREV[c]} {format_gbp_short(v)}"
                         for c, v in insurance_cover(which).items())

    def arrow(values) -> str:
        return " -> ".join(str(v) for v in values)

    insurance = " -> ".join(f"{w.replace('gcloud14_', 'G-Cloud 14 ')} ({cover(w)})"
                            for w in LEVER_GRID["insurance_requirement"])
    return (
        "**Levers as used** (first setting = baseline): "
        f"payment terms {arrow(LEVER_GRID['terms_days'])} days; "
        f"late payment {arrow(LEVER_GRID['delay_profile'])}; "
        f"approval lag {arrow(LEVER_GRID['approval_lag_days'])} days; "
        f"insurance required {insurance}, for a supplier holding {cover('held')}."
    )


def bill_rules_text() -> str:
    """The Commercial Payments Bill's proposed rules as the scenario reads them, in one line.

    >>> bill_rules_text()
    '**Commercial Payments Bill as read (proposed, not law;** `params/payment_rules.yaml`**):** private terms capped at 60 days from receipt; dispute window 30 days; statutory interest could not be excluded by contract.'
    """
    from lainbench.cashflow.levers import commercial_payments_bill_rules

    rules = commercial_payments_bill_rules()
    excl = ("statutory interest could not be excluded by contract"
            if rules["interest_non_excludable"] else "statutory interest still excludable")
    return (
        "**Commercial Payments Bill as read (proposed, not law;** `params/payment_rules.yaml`**):** "
        f"private terms capped at {rules['max_terms_days']:g} days from receipt; dispute window "
        f"{rules['dispute_window_days']:g} days; {excl}."
    )
