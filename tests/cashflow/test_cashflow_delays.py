"""Delay models for the supplier cash-flow simulation (lainbench.cashflow.delays)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lainbench.cashflow import delays
from lainbench.cashflow.delays import EmpiricalDelay, FixedDelay, LognormalDelay
from lainbench.errors import ParamsError, SchemaError


def norm_sf(x: float) -> float:
    return 0.5 * math.erfc(x / math.sqrt(2))


# ---------------------------------------------------------------------------------------------
# Named profiles (economics.md 5.1)


@pytest.mark.parametrize(
    "name, p, mu, sigma",
    [
        ("ibm_sample", 0.356, 1.949, 0.878),
        ("uk_sme_2021", 0.40, 3.201, 1.0),
        ("xero_2018", 0.52, 3.026, 1.0),
        ("public_bppc", 0.05, 1.949, 0.878),
    ],
)
def test_profiles_as_in_economics_5_1(name, p, mu, sigma):
    m = delays.delay_profile(name)
    assert (m.late_share, m.mu, m.sigma) == (p, mu, sigma)
    assert m.basis  # a source title from the params file


def test_profile_mean_lateness_given_late_matches_the_table():
    # economics.md 5.1: e^(mu + sigma^2 / 2) = 40.5 days (uk_sme_2021), 34 days (xero_2018)
    assert delays.delay_profile("uk_sme_2021").mean_days_late_given_late == pytest.approx(
        40.5, abs=0.05
    )
    assert delays.delay_profile("xero_2018").mean_days_late_given_late == pytest.approx(
        34.0, abs=0.05
    )


def test_unknown_profile_refused():
    with pytest.raises(ParamsError, match="'slow' is unknown; use one of ibm_sample"):
        delays.delay_profile("slow")


def test_assumption_not_in_force_names_the_parameter():
    with pytest.raises(ParamsError, match="bank_rate_pct has no value in force on 2020-01-01"):
        delays.assumption("bank_rate_pct", "2020-01-01")


# ---------------------------------------------------------------------------------------------
# Lognormal mixture


def test_lognormal_days_late_are_ceil_of_the_draw_or_zero():
    m = LognormalDelay("t", late_share=0.3, mu=2.0, sigma=0.5)
    u = np.array([0.0, 0.29, 0.3, 0.99])
    z = np.array([0.0, 1.0, 0.0, -1.0])
    # exp(2) = 7.389 -> 8; exp(2.5) = 12.18 -> 13; u >= 0.3: on time
    assert m.days_late(u, z).tolist() == [8, 13, 0, 0]


def test_lognormal_mean_days_late_by_brute_force_and_by_simulation():
    m = delays.delay_profile("uk_sme_2021")
    # E[ceil X] = sum_{j >= 0} P(X > j), summed far into the tail
    brute = 1 + sum(norm_sf((math.log(j) - m.mu) / m.sigma) for j in range(1, 200_000))
    assert m.mean_days_late == pytest.approx(m.late_share * brute, abs=1e-4)
    rng = np.random.default_rng(1)
    d = m.days_late(rng.random(400_000), rng.standard_normal(400_000))
    assert abs(d.mean() - m.mean_days_late) < 3 * d.std(ddof=1) / math.sqrt(d.size)
    assert d.min() == 0 and (d[d > 0] >= 1).all()


@pytest.mark.parametrize("kw", [{"late_share": 1.5}, {"late_share": -0.1}, {"sigma": 0}])
def test_lognormal_bad_parameters(kw):
    with pytest.raises(ParamsError):
        LognormalDelay("bad", **({"late_share": 0.5, "mu": 1.0, "sigma": 1.0} | kw))


def test_fixed_delay_rounds_up():
    m = FixedDelay(4.2)
    assert m.days_late(np.zeros(2), np.zeros(2)).tolist() == [5, 5]
    assert (m.late_share, m.mean_days_late) == (1.0, 5.0)
    assert FixedDelay(0).late_share == 0
    with pytest.raises(ParamsError, match="expected 0 or more"):
        FixedDelay(-1)


# ---------------------------------------------------------------------------------------------
# Empirical distribution


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(1, 50), min_size=1, max_size=40),
    spacing=st.integers(1, 9),
    u=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=50),
)
def test_empirical_inverse_cdf_matches_searchsorted(counts, spacing, u):
    values = np.arange(len(counts)) * spacing
    probs = np.array(counts) / sum(counts)
    m = EmpiricalDelay("h", values=values, probs=probs)
    cdf = np.cumsum(probs)
    u = np.array(u + list(cdf[:-1]))  # include the exact cell boundaries
    expected = values[np.minimum(np.searchsorted(cdf, u, side="right"), values.size - 1)]
    assert m.days_late(u, np.zeros_like(u)).tolist() == expected.tolist()


def test_empirical_frequencies_match_probabilities():
    m = EmpiricalDelay("f", values=np.array([0, 3, 40]), probs=np.array([0.7, 0.2, 0.1]))
    d = m.days_late(np.random.default_rng(0).random(200_000), None)
    for v, p in zip([0, 3, 40], [0.7, 0.2, 0.1]):
        assert abs((d == v).mean() - p) < 3 * math.sqrt(p * (1 - p) / d.size)
    assert m.quantile(0.95) == 40 and m.quantile(0.5) == 0


@pytest.mark.parametrize(
    "values, probs",
    [([0, 1], [0.5, 0.4]), ([-1, 2], [0.5, 0.5]), ([], []), ([0, 1], [1.0])],
)
def test_empirical_bad_inputs(values, probs):
    with pytest.raises(ParamsError):
        EmpiricalDelay("bad", values=np.array(values), probs=np.array(probs))


# ---------------------------------------------------------------------------------------------
# Days late from the canonical invoice table

D = dt.date


def invoice_table() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "buyer_org_id": ["A", "A", "A", "A", "A", "B"],
            "invoice_id": list("123456"),
            "supplier_size_band": ["micro", "small", "micro", "large", "micro", "micro"],
            "invoice_received_date": [D(2025, 1, 1)] * 6,
            "agreed_terms_days": [30, 30, 30, 30, 30, 10],
            # 1: due missing -> 1 Jan + 30 = 31 Jan; 2: due given
            "due_date": [
                None,
                D(2025, 2, 10),
                D(2025, 1, 31),
                D(2025, 1, 31),
                D(2025, 1, 31),
                None,
            ],
            "payment_date": [
                D(2025, 2, 5),
                D(2025, 2, 1),
                D(2025, 3, 1),
                None,
                D(2025, 2, 3),
                D(2025, 1, 20),
            ],
            # supplier received date wins over payment date when present
            "supplier_received_date": [None, None, D(2025, 3, 3), None, None, None],
            "gross_amount_gbp": [100.0, 100.0, 100.0, 100.0, -50.0, 100.0],
        }
    )


def test_invoice_days_late_rules():
    out = delays.invoice_days_late(invoice_table())
    # 1: 5 Feb - 31 Jan = 5; 2: paid 1 Feb before its 10 Feb due date -> 0 (clipped);
    # 3: supplier received 3 Mar - 31 Jan = 31; 4 unpaid and 5 a credit note: left out;
    # 6: 20 Jan - (1 Jan + 10) = 9
    assert out.rows() == [
        ("A", "micro", 5),
        ("A", "small", 0),
        ("A", "micro", 31),
        ("B", "micro", 9),
    ]


def test_invoice_days_late_accepts_pandas():
    out = delays.invoice_days_late(invoice_table().to_pandas())
    assert out["days_late"].to_list() == [5, 0, 31, 9]


def test_invoice_days_late_missing_columns_named():
    with pytest.raises(
        SchemaError, match="gross_amount_gbp.*supplier_received_date or payment_date"
    ):
        delays.invoice_days_late(
            pl.DataFrame({"buyer_org_id": ["A"], "invoice_received_date": [D(2025, 1, 1)]})
        )


def test_empirical_delay_for_a_member_and_size_bands():
    inv = invoice_table()
    a = delays.empirical_delay(inv, "A", min_invoices=1)
    # A's paid invoices: 5, 0, 31 days late
    assert a.n_invoices == 3 and a.late_share == pytest.approx(2 / 3)
    assert a.mean_days_late == pytest.approx(12.0)
    micro = delays.empirical_delay(inv, "A", size_bands=["micro"], min_invoices=1)
    assert sorted(micro.values.tolist()) == [5, 31]
    pooled = delays.empirical_delay(inv, None, min_invoices=1)
    assert pooled.n_invoices == 4 and pooled.name == "all members"


def test_empirical_delay_refuses_too_few_invoices():
    with pytest.raises(ParamsError, match="members B: 1 paid invoice.*min_invoices = 30"):
        delays.empirical_delay(invoice_table(), "B")


def test_member_delays_lists_who_is_left_out():
    models, skipped = delays.member_delays(invoice_table(), ["A", "B", "Z"], min_invoices=2)
    assert list(models) == ["A"]
    reasons = dict(skipped.rows())
    assert reasons["Z"] == "not in the invoice table" and "min_invoices = 2" in reasons["B"]


def test_member_delays_on_demo_data():
    from lainbench.demo.invoices import invoices

    inv = invoices(8_000, seed=4)
    models, skipped = delays.member_delays(inv, size_bands=["micro", "small"])
    assert skipped.height == 0 and len(models) == 12
    # the demo's water company is the latest payer (late share 22 %), the fire authority the
    # most prompt (5 %): their empirical late shares keep that order
    assert models["thameside_water"].late_share > models["city_fire"].late_share






def test_describe():
    assert delays.describe(
        EmpiricalDelay("m", values=np.array([0, 4]), probs=np.array([0.5, 0.5]))
    ) == {"delay_model": "m", "late_share": 0.5, "mean_days_late": 2.0}
    assert isinstance(pd.DataFrame([delays.describe(FixedDelay(1))]), pd.DataFrame)
