"""lainbench.insurance: premium model (E8-E9) and benchmark measures, with hand-worked values."""

from __future__ import annotations

import math
from pathlib import Path

import papermill as pm
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from lainbench import insurance as ins
from lainbench.config import NOTEBOOKS_DIR
from lainbench.errors import ParamsError
from lainbench.registry import NOTEBOOKS, load_object

M = 1_000_000.0
D_PL = math.log(140 / 118) / math.log(5)  # economics.md 3.3: fitted to £118 at £1m, £140 at £5m
PL_CURVE = ins.PremiumCurve("public_liability", 1 * M, 118.0, D_PL)
PI_CURVE = ins.PremiumCurve("professional_indemnity", 2 * M, 174.0, math.log2(1.2))
EL_CURVE = ins.PremiumCurve("employers_liability", 5 * M, 213.0, 0.0)
CURVES = {c.cover_type: c for c in (PL_CURVE, PI_CURVE, EL_CURVE)}
STD = ins.Standards(
    el_statutory_minimum_gbp=5 * M,
    ratio_threshold=20,
    limit_floor_gbp=1 * M,
    common_standard={
        "public_liability": 1 * M,
        "professional_indemnity": 1 * M,
        "employers_liability": 5 * M,
    },
    band_edges=(0.0, 25_000.0, 250_000.0, 1 * M),
)


# ------------------------------------------------------------------------------------ premiums
@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (1 * M, 118.00),  # the base point
        (5 * M, 140.00),  # 118 * 5^d = 118 * 140/118 = 140
        (25 * M, 166.1017),  # 118 * 25^d = 118 * (140/118)^2 = 19600/118 = 166.1017
        (200_000, 99.4571),  # 118 * (1/5)^d = 118 * 118/140 = 13924/140 = 99.4571
        (10 * M, 150.6968),  # 140 * 2^d; 2^d = e^(0.106222 * 0.693147) = e^0.073628 = 1.076406
    ],
)
def test_public_liability_curve_by_hand(limit, expected):
    assert PL_CURVE.premium(limit) == pytest.approx(expected, abs=0.005)


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (2 * M, 174.00),
        (4 * M, 208.80),  # one doubling: 174 * 1.2 = 208.80
        (8 * M, 250.56),  # two doublings: 174 * 1.44 = 250.56
        (1 * M, 145.00),  # one halving: 174 / 1.2 = 145.00
    ],
)
def test_professional_indemnity_riebesell_doublings(limit, expected):
    assert PI_CURVE.premium(limit) == pytest.approx(expected, abs=0.005)


def test_fixed_part_only_the_rest_scales():
    # A = 40, P0 = 100 at £1m, d = 1: at £2m 40 + 60*2 = 160; at £500k 40 + 60*0.5 = 70
    c = ins.PremiumCurve("other", 1 * M, 100.0, 1.0, fixed_premium_gbp=40.0)
    assert c.premium(2 * M) == pytest.approx(160.0)
    assert c.premium(500_000) == pytest.approx(70.0)
    assert c.premium(0) == 0.0 and c.premium(None) == 0.0  # no cover, no premium


def test_el_flat_between_5m_and_10m():
    assert EL_CURVE.premium(5 * M) == EL_CURVE.premium(10 * M) == 213.0


def test_shipped_curves_match_the_sources():
    curves = ins.load_premium_curves()
    assert set(curves) == {"public_liability", "professional_indemnity", "employers_liability"}
    assert ins.premium_gbp("public_liability", 1 * M) == pytest.approx(118.0)
    assert ins.premium_gbp("public_liability", 5 * M) == pytest.approx(140.0, abs=0.005)
    assert ins.premium_gbp("professional_indemnity", 2 * M) == pytest.approx(174.0)
    assert ins.premium_gbp("employers_liability", 10 * M) == pytest.approx(213.0)
    assert curves["professional_indemnity"].z_per_doubling == pytest.approx(0.2, abs=1e-6)


def test_extra_premium_g_cloud_14_initial_vs_revised():
    # A micro supplier holding PL £1m, PI £1m, EL £10m (typical, params file).
    held = {
        "public_liability": 1 * M,
        "professional_indemnity": 1 * M,
        "employers_liability": 10 * M,
    }
    initial = {
        "public_liability": 10 * M,
        "professional_indemnity": 10 * M,
        "employers_liability": 5 * M,
    }
    revised = {
        "public_liability": 1 * M,
        "professional_indemnity": 1 * M,
        "employers_liability": 5 * M,
    }
    # PL: 150.6968 - 118 = 32.6968
    # PI: 174 * (10/2)^d - 174 * (1/2)^d; 5^d = 1.2^log2(5) = 1.2^2.321928 = 1.527060 -> 265.7085;
    #     (1/2)^d = 1/1.2 -> 145.00; difference 120.7085
    # EL: held 10m covers 5m -> 0.   Total 32.6968 + 120.7085 = 153.4053
    assert ins.extra_premium_gbp(held, initial, CURVES) == pytest.approx(153.4053, abs=0.005)
    assert ins.extra_premium_gbp(held, revised, CURVES) == 0.0


def test_extra_premium_cover_not_held_costs_its_whole_premium():
    # sole trader with no EL asked for EL £5m: the whole £213
    assert ins.extra_premium_gbp({}, {"employers_liability": 5 * M}, CURVES) == pytest.approx(213.0)
    # PI not held at all, £2m required: 174
    assert ins.extra_premium_gbp(
        {"public_liability": M}, {"professional_indemnity": 2 * M}, CURVES
    ) == pytest.approx(174.0)


def test_cost_share_of_value_and_margin():
    # ΔP £200 on a £20,000 contract: 200/20,000 = 1 %; margin 20 % -> 200 / 4,000 = 5 %
    assert ins.share_of_contract_value(200.0, 20_000) == pytest.approx(0.01)
    assert ins.share_of_margin(200.0, 20_000, 0.2) == pytest.approx(0.05)
    # the G-Cloud case above: 153.4053 / (0.2 * 20,000) = 3.835 % of margin
    assert ins.share_of_margin(153.4053, 20_000, 0.2) == pytest.approx(0.038351, abs=1e-6)


def test_expected_cost_per_contract_won():
    # at bid: ΔP * T_hold / w = 153.4053 * 1 / 0.25 = 613.62; at award: ΔP = 153.4053
    assert ins.cost_per_contract_won_gbp(153.4053, 1.0, 0.25, "at_bid") == pytest.approx(613.6212)
    assert ins.cost_per_contract_won_gbp(153.4053, 1.0, 0.25, "at_award") == pytest.approx(153.4053)
    # 100 * 2 years / 0.1 = 2,000
    assert ins.cost_per_contract_won_gbp(100.0, 2.0, 0.1, "at_bid") == pytest.approx(2000.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"extra_premium_gbp": -1.0, "hold_years": 1, "win_probability": 0.5, "stage": "at_bid"},
            "extra_premium_gbp = -1.0",
        ),
        (
            {"extra_premium_gbp": 1.0, "hold_years": 1, "win_probability": 0.0, "stage": "at_bid"},
            "win_probability = 0.0",
        ),
        (
            {"extra_premium_gbp": 1.0, "hold_years": 1, "win_probability": 1.5, "stage": "at_bid"},
            "win_probability = 1.5",
        ),
        (
            {"extra_premium_gbp": 1.0, "hold_years": -1, "win_probability": 0.5, "stage": "at_bid"},
            "hold_years = -1",
        ),
        (
            {"extra_premium_gbp": 1.0, "hold_years": 1, "win_probability": 0.5, "stage": "at_tea"},
            "stage = 'at_tea'; expected 'at_bid' or 'at_award'",
        ),
    ],
)
def test_cost_per_contract_won_refuses_bad_values(kwargs, match):
    with pytest.raises(ParamsError, match=match):
        ins.cost_per_contract_won_gbp(**kwargs)


def test_share_functions_refuse_bad_values():
    with pytest.raises(ParamsError, match="contract_value_gbp = 0"):
        ins.share_of_contract_value(1.0, 0)
    with pytest.raises(ParamsError, match="margin_share = 0"):
        ins.share_of_margin(1.0, 100.0, 0)


def test_premium_errors_name_the_problem():
    with pytest.raises(ParamsError, match="'pet_cover' is not one of employers_liability"):
        ins.premium_gbp("pet_cover", M)
    with pytest.raises(
        ParamsError, match="no premium curve for cover type 'cyber'.*insurance_premiums"
    ):
        ins.premium_gbp("cyber", M)
    with pytest.raises(ParamsError, match="limit -5.*£0 or more"):
        ins.premium_gbp("public_liability", -5)
    with pytest.raises(ParamsError, match="'lots' is not a number"):
        ins.extra_premium_gbp({}, {"public_liability": "lots"}, CURVES)
    with pytest.raises(ParamsError, match="held cover type 'pl'"):
        ins.extra_premium_gbp({"pl": M}, {"public_liability": M}, CURVES)


CURVE_YAML = """description: test curves
parameters:
{body}"""


def _param(name, value, unit="currency-GBP"):
    return (
        f"  {name}:\n    description: x\n    metadata:\n      label: x\n      unit: {unit}\n"
        f"      reference: [{{title: test source, href: https://example.org}}]\n"
        f"    values:\n      2024-01-01: {value}\n"
    )


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (
            _param("public_liability_base_limit", 1000000)
            + _param("public_liability_base_premium", 118),
            "public_liability_limit_exponent missing",
        ),
        (
            _param("public_liability_base_limit", 1000000)
            + _param("public_liability_base_premium", 118)
            + _param("public_liability_limit_exponent", 1.5, "/1"),
            "limit_exponent = 1.5; expected 0 to 1",
        ),
        (
            _param("public_liability_base_limit", 0)
            + _param("public_liability_base_premium", 118)
            + _param("public_liability_limit_exponent", 0.1, "/1"),
            "base_limit = 0.0; expected a limit above",
        ),
        (
            _param("public_liability_base_limit", 1000000)
            + _param("public_liability_base_premium", 118)
            + _param("public_liability_limit_exponent", 0.1, "/1")
            + _param("public_liability_fixed_premium", 500),
            "fixed_premium = 500.0",
        ),
        (_param("something_else", 1), "no premium curve found"),
    ],
)
def test_bad_premium_files_refused(tmp_path, body, match):
    p = tmp_path / "curves.yaml"
    p.write_text(CURVE_YAML.format(body=body))
    with pytest.raises(ParamsError, match=match):
        ins.load_premium_curves(p)


def test_edited_params_file_is_read_again(tmp_path):
    import os

    body = (
        _param("public_liability_base_limit", 1000000)
        + _param("public_liability_base_premium", 118)
        + _param("public_liability_limit_exponent", 0.1, "/1")
    )
    p = tmp_path / "curves.yaml"
    p.write_text(CURVE_YAML.format(body=body))
    assert ins.load_premium_curves(p)["public_liability"].base_premium_gbp == 118
    p.write_text(CURVE_YAML.format(body=body.replace("2024-01-01: 118", "2024-01-01: 120")))
    os.utime(p, (1e9, 2e9))  # a different modification time, whatever the clock's resolution
    assert ins.load_premium_curves(p)["public_liability"].base_premium_gbp == 120


def test_premium_values_not_yet_in_force(tmp_path):
    with pytest.raises(ParamsError, match="no value in force on 2020-01-01"):
        ins.load_premium_curves(when="2020-01-01")


def test_typical_cover_held():
    assert ins.typical_cover_held("micro") == {
        "public_liability": 1 * M,
        "professional_indemnity": 1 * M,
        "employers_liability": 10 * M,
    }
    assert ins.typical_cover_held("small", has_employees=False)["employers_liability"] == 0.0
    assert ins.held_cover("medium", overrides={"cyber": 2 * M})["cyber"] == 2 * M
    with pytest.raises(ParamsError, match="supplier size 'huge'"):
        ins.typical_cover_held("huge")
    with pytest.raises(ParamsError, match="cover_held key"):
        ins.held_cover("micro", overrides={"pets": 1})


# ------------------------------------------------------------------------------ standards
def test_shipped_standards():
    s = ins.load_standards()
    assert s.el_statutory_minimum_gbp == 5 * M
    assert (s.ratio_threshold, s.limit_floor_gbp) == (20, 1 * M)
    assert s.common_standard == {
        "public_liability": 1 * M,
        "professional_indemnity": 1 * M,
        "employers_liability": 5 * M,
    }
    assert s.band_edges == (0, 25_000, 250_000, 1 * M)


def test_bad_band_edges_refused(tmp_path):
    body = (
        _param("employers_liability_statutory_minimum", 5000000)
        + _param("proportionality_ratio_threshold", 20, "/1")
        + _param("proportionality_limit_floor", 1000000)
        + _param("benchmark_band_edges", "[25000, 0]")
    )
    p = tmp_path / "std.yaml"
    p.write_text(CURVE_YAML.format(body=body))
    with pytest.raises(
        ParamsError, match=r"benchmark_band_edges = \[25000, 0\]; expected increasing"
    ):
        ins.load_standards(p)
    p.write_text(CURVE_YAML.format(body=_param("proportionality_ratio_threshold", 20, "/1")))
    with pytest.raises(ParamsError, match="missing parameter"):
        ins.load_standards(p)


def test_band_labels_and_benchmark_bands():
    bands = ins.benchmark_bands(STD.band_edges)
    assert bands["band"].to_list() == ["under £25k", "£25k-£250k", "£250k-£1m", "£1m and over"]
    assert bands["contract_value_max_gbp"].to_list() == [25_000, 250_000, 1 * M, None]


# ------------------------------------------------------------------------------- measures
def _reqs(rows: list[dict]) -> pl.DataFrame:
    from lainbench.schemas import INSURANCE_REQUIREMENT

    return INSURANCE_REQUIREMENT.conform(pl.DataFrame(rows, infer_schema_length=None))


def test_proportionality_flags_by_hand():
    f = _reqs(
        [
            # band [0, 25k): judged at 25k. 10m/25k = 400 > 20 and above the £1m floor -> flagged
            {
                "buyer_org_id": "A",
                "cover_type": "public_liability",
                "min_limit_gbp": 10 * M,
                "contract_value_min_gbp": 0.0,
                "contract_value_max_gbp": 25_000.0,
            },
            # 1m/25k = 40 > 20 but at the floor -> not flagged
            {
                "buyer_org_id": "B",
                "cover_type": "public_liability",
                "min_limit_gbp": 1 * M,
                "contract_value_min_gbp": 0.0,
                "contract_value_max_gbp": 25_000.0,
            },
            # 5m/250k = 20, not above 20 -> not flagged
            {
                "buyer_org_id": "C",
                "cover_type": "professional_indemnity",
                "min_limit_gbp": 5 * M,
                "contract_value_min_gbp": 25_000.0,
                "contract_value_max_gbp": 250_000.0,
            },
            # 5.5m/250k = 22 -> flagged
            {
                "buyer_org_id": "D",
                "cover_type": "professional_indemnity",
                "min_limit_gbp": 5.5 * M,
                "contract_value_min_gbp": 25_000.0,
                "contract_value_max_gbp": 250_000.0,
            },
            # EL is judged against the law, never here: 10m/25k = 400 -> not flagged
            {
                "buyer_org_id": "E",
                "cover_type": "employers_liability",
                "min_limit_gbp": 10 * M,
                "contract_value_max_gbp": 25_000.0,
            },
            # all values: judged at the top of the first benchmark band (25k):
            # 2m/25k = 80 -> flagged
            {"buyer_org_id": "F", "cover_type": "public_liability", "min_limit_gbp": 2 * M},
            # open band from 250k: judged at 1m (top of the band holding 250k): 10m/1m = 10 -> no
            {
                "buyer_org_id": "G",
                "cover_type": "public_liability",
                "min_limit_gbp": 10 * M,
                "contract_value_min_gbp": 250_000.0,
            },
            # open band from 1m: judged at 1m: 25m/1m = 25 -> flagged
            {
                "buyer_org_id": "H",
                "cover_type": "public_liability",
                "min_limit_gbp": 25 * M,
                "contract_value_min_gbp": 1 * M,
            },
        ]
    )
    out = ins.proportionality(f, STD)
    got = dict(
        zip(
            out["buyer_org_id"],
            zip(out["reference_value_gbp"], out["limit_to_value_ratio"], out["disproportionate"]),
        )
    )
    assert got == {
        "A": (25_000, 400, True),
        "B": (25_000, 40, False),
        "C": (250_000, 20, False),
        "D": (250_000, 22, True),
        "E": (25_000, 400, False),
        "F": (25_000, 80, True),
        "G": (1 * M, 10, False),
        "H": (1 * M, 25, True),
    }


def test_proportionality_at_a_chosen_contract_value():
    f = _reqs(
        [
            {
                "buyer_org_id": "A",
                "cover_type": "public_liability",
                "min_limit_gbp": 5 * M,
                "contract_value_max_gbp": 1 * M,
            }
        ]
    )
    out = ins.proportionality(f, STD, contract_value_gbp=20_000)  # 5m / 20k = 250
    assert out.select("limit_to_value_ratio", "disproportionate").row(0) == (250, True)
    with pytest.raises(ParamsError, match="contract_value_gbp = -1"):
        ins.proportionality(f, STD, contract_value_gbp=-1)


def test_requirement_flags_each_kind():
    reqs = _reqs(
        [
            {
                "buyer_org_id": "A",
                "cover_type": "public_liability",
                "min_limit_gbp": 1 * M,
                "required_stage": "at_bid",
                "procurement_regime": "pa2023",
            },
            {
                "buyer_org_id": "B",
                "cover_type": "public_liability",
                "min_limit_gbp": 1 * M,
                "required_stage": "at_bid",
                "procurement_regime": "pcr_2015",
            },
            {
                "buyer_org_id": "C",
                "cover_type": "public_liability",
                "min_limit_gbp": 1 * M,
                "self_certification_allowed": False,
            },
            {
                "buyer_org_id": "D",
                "cover_type": "employers_liability",
                "min_limit_gbp": 5 * M,
                "applies_to_sole_traders": True,
            },
            {"buyer_org_id": "E", "cover_type": "employers_liability", "min_limit_gbp": 2 * M},
            {
                "buyer_org_id": "F",
                "cover_type": "public_liability",
                "min_limit_gbp": 10 * M,
                "contract_value_max_gbp": 20_000.0,
            },
            # clean row: at award, self-certification allowed, EL not for sole traders
            {
                "buyer_org_id": "G",
                "cover_type": "employers_liability",
                "min_limit_gbp": 5 * M,
                "required_stage": "at_award",
                "self_certification_allowed": True,
                "applies_to_sole_traders": False,
            },
        ]
    )
    flags = ins.requirement_flags(reqs, STD)
    got = {(m, f) for m, f in zip(flags["buyer_org_id"], flags["flag"])}
    assert got == {
        ("A", "required_at_bid"),
        ("B", "required_at_bid"),
        ("C", "no_self_certification"),
        ("D", "el_for_sole_traders"),
        ("E", "below_statutory_minimum"),
        ("F", "disproportionate"),
    }
    reason = dict(zip(flags["buyer_org_id"], flags["reason"]))
    assert "s.22(3)(b)" in reason["A"] and "self-certification" in reason["B"]
    assert reason["F"].startswith("£10m is 500x a £20k contract (threshold 20x)")
    summary = ins.flag_summary(flags)
    assert summary.columns == ["buyer_org_id", *ins.FLAGS]
    assert summary.filter(pl.col("buyer_org_id") == "A").row(0)[1:] == (1, 0, 0, 0, 0)


def test_resolve_to_bands_overlap_max_and_all_categories():
    reqs = _reqs(
        [
            # all categories, all values: PL £2m
            {"buyer_org_id": "A", "cover_type": "public_liability", "min_limit_gbp": 2 * M},
            # works from £250k: PL £10m (overrides in bands it overlaps, as the higher limit)
            {
                "buyer_org_id": "A",
                "cover_type": "public_liability",
                "min_limit_gbp": 10 * M,
                "procurement_category": "works",
                "contract_value_min_gbp": 250_000.0,
            },
            # a band [0, 30k) overlaps the first two benchmark bands
            {
                "buyer_org_id": "A",
                "cover_type": "professional_indemnity",
                "min_limit_gbp": 5 * M,
                "procurement_category": "it",
                "contract_value_max_gbp": 30_000.0,
            },
        ]
    )
    out = ins.resolve_to_bands(reqs, STD.band_edges)
    pl_works = out.filter(
        pl.col("procurement_category") == "works", pl.col("cover_type") == "public_liability"
    )
    assert pl_works["min_limit_gbp"].to_list() == [2 * M, 2 * M, 10 * M, 10 * M]
    pl_it = out.filter(
        pl.col("procurement_category") == "it", pl.col("cover_type") == "public_liability"
    )
    assert pl_it["min_limit_gbp"].to_list() == [2 * M] * 4  # the all-categories row reaches "it"
    pi_it = out.filter(pl.col("cover_type") == "professional_indemnity")
    assert pi_it["band"].to_list() == ["under £25k", "£25k-£250k"]


def test_network_comparison_median_min_max_by_hand():
    rows = [
        {"buyer_org_id": m, "cover_type": "public_liability", "min_limit_gbp": v}
        for m, v in (("A", 1 * M), ("B", 2 * M), ("C", 5 * M), ("D", 10 * M))
    ]
    rows.append({"buyer_org_id": "E", "cover_type": "employers_liability", "min_limit_gbp": 5 * M})
    resolved = ins.resolve_to_bands(_reqs(rows), [0], categories=["it"])
    comp = ins.network_comparison(resolved, STD)
    pl_rows = comp.filter(pl.col("cover_type") == "public_liability")
    # median of 1, 2, 5, 10 (£m) = (2 + 5) / 2 = 3.5; min 1; max 10; E has no PL requirement
    assert set(pl_rows["network_median_gbp"]) == {3.5 * M}
    assert (pl_rows["network_min_gbp"][0], pl_rows["network_max_gbp"][0]) == (1 * M, 10 * M)
    assert set(pl_rows["members_requiring"]) == {4} and set(pl_rows["members_not_requiring"]) == {1}
    a = pl_rows.filter(pl.col("buyer_org_id") == "A").row(0, named=True)
    assert (a["vs_median_gbp"], a["position"]) == (-2.5 * M, "below median")
    el = comp.filter(pl.col("cover_type") == "employers_liability").row(0, named=True)
    assert el["statutory_minimum_gbp"] == 5 * M and pl_rows["statutory_minimum_gbp"].is_null().all()


def test_pick_version_orders_by_document_date():
    import datetime as dt

    reqs = _reqs(
        [
            {
                "buyer_org_id": "A",
                "requirement_version": "zz-old",
                "document_date": dt.date(2024, 1, 1),
                "cover_type": "public_liability",
                "min_limit_gbp": 10 * M,
            },
            {
                "buyer_org_id": "A",
                "requirement_version": "aa-new",
                "document_date": dt.date(2026, 1, 1),
                "cover_type": "public_liability",
                "min_limit_gbp": 1 * M,
            },
            {"buyer_org_id": "B", "cover_type": "public_liability", "min_limit_gbp": 5 * M},
        ]
    )
    latest = ins.pick_version(reqs, "latest")
    assert sorted(zip(latest["buyer_org_id"], latest["min_limit_gbp"])) == [
        ("A", 1 * M),
        ("B", 5 * M),
    ]
    earliest = ins.pick_version(reqs, "earliest")
    assert sorted(zip(earliest["buyer_org_id"], earliest["min_limit_gbp"])) == [
        ("A", 10 * M),
        ("B", 5 * M),
    ]
    with pytest.raises(ParamsError, match="version = 'newest'"):
        ins.pick_version(reqs, "newest")


def test_review_changes_kinds():
    import datetime as dt

    before, after = dt.date(2025, 1, 1), dt.date(2026, 1, 1)
    row = lambda v, d, cover, lim, stage="at_bid": {
        "buyer_org_id": "A",
        "requirement_version": v,
        "document_date": d,
        "cover_type": cover,
        "min_limit_gbp": lim,
        "required_stage": stage,
    }
    reqs = _reqs(
        [
            row("v1", before, "public_liability", 10 * M),
            row("v2", after, "public_liability", 1 * M, "at_award"),
            row("v1", before, "professional_indemnity", 1 * M),
            row("v2", after, "professional_indemnity", 2 * M, "at_award"),
            row("v1", before, "cyber", 5 * M),
            row("v2", after, "employers_liability", 5 * M, "at_award"),
            {
                "buyer_org_id": "B",
                "cover_type": "public_liability",
                "min_limit_gbp": 5 * M,
            },  # 1 version
        ]
    )
    ch = ins.review_changes(reqs, [0], categories=["it"])
    got = dict(zip(ch["cover_type"], zip(ch["change"], ch["change_gbp"])))
    assert got == {
        "public_liability": ("lowered", -9 * M),
        "professional_indemnity": ("raised", 1 * M),
        "cyber": ("dropped", -5 * M),
        "employers_liability": ("added", 5 * M),
    }
    assert set(ch["buyer_org_id"]) == {"A"}
    assert set(ch["requirement_version_before"]) == {"v1"} and set(
        ch["requirement_version_after"]
    ) == {"v2"}
    summary = ins.review_summary(ch).row(0, named=True)
    assert (
        summary["lowered"],
        summary["raised"],
        summary["added"],
        summary["dropped"],
        summary["moved_off_bid_stage"],
    ) == (1, 1, 1, 1, 2)


def test_harmonisation_to_median_and_standard():
    comp = pl.DataFrame(
        {
            "buyer_org_id": ["A", "B", "C"],
            "cover_type": ["public_liability", "professional_indemnity", "cyber"],
            "min_limit_gbp": [10 * M, 500_000.0, 5 * M],
            "network_median_gbp": [5 * M, 1 * M, 5 * M],
        }
    )
    h = ins.harmonisation(comp, STD)
    assert h["change_to_median_gbp"].to_list() == [-5 * M, 500_000, 0]
    assert h["change_to_standard_gbp"].to_list() == [-9 * M, 500_000, None]
    assert h["action_to_standard"].to_list() == [
        "lower to £1m",
        "raise to £1m",
        "no common standard; keep case by case",
    ]
    s = ins.harmonisation_summary(h)
    assert s.filter(pl.col("buyer_org_id") == "A").row(0)[1:] == (1, 1, 0, 1, 0, 0)


def test_applicable_requirements_band_edges_are_half_open():
    reqs = _reqs(
        [
            {
                "buyer_org_id": "A",
                "cover_type": "public_liability",
                "min_limit_gbp": 2 * M,
                "contract_value_max_gbp": 25_000.0,
            },
            {
                "buyer_org_id": "A",
                "cover_type": "public_liability",
                "min_limit_gbp": 5 * M,
                "contract_value_min_gbp": 25_000.0,
                "contract_value_max_gbp": 250_000.0,
            },
            {
                "buyer_org_id": "A",
                "cover_type": "public_liability",
                "min_limit_gbp": 10 * M,
                "procurement_category": "works",
            },
        ]
    )

    def at(v, cat=None):
        return ins.applicable_requirements(reqs, v, cat, STD)["min_limit_gbp"].to_list()

    assert at(24_999.99, "it") == [2 * M] and at(25_000, "it") == [5 * M]  # [min, max)
    assert at(25_000, "works") == [10 * M]  # works row applies too; highest kept
    assert at(300_000, "it") == []
    assert at(20_000) == [10 * M]  # no category given: every category's rows count
    with pytest.raises(ParamsError, match="contract_value_gbp = 0"):
        ins.applicable_requirements(reqs, 0)


def test_member_cost_burden_by_hand():
    app = pl.DataFrame(
        {
            "buyer_org_id": ["A", "A", "A", "A", "B", "B"],
            "cover_type": [
                "public_liability",
                "professional_indemnity",
                "employers_liability",
                "cyber",
                "public_liability",
                "employers_liability",
            ],
            "min_limit_gbp": [10 * M, 10 * M, 5 * M, 1 * M, 5 * M, 5 * M],
            "required_stage": [
                "at_bid",
                "at_award",
                "at_award",
                "at_award",
                "at_award",
                "at_award",
            ],
            "applies_to_sole_traders": [None, None, True, None, None, None],
        }
    )
    held = {
        "public_liability": 1 * M,
        "professional_indemnity": 1 * M,
        "employers_liability": 10 * M,
    }
    out = ins.member_cost_burden(app, held, 20_000, 0.2, 0.25, 1.0, CURVES)
    a = out.filter(pl.col("buyer_org_id") == "A").row(0, named=True)
    # A: the G-Cloud 14 initial case, 153.4053; one cover at bid -> 153.4053 / 0.25 = 613.62
    assert a["extra_premium_gbp"] == pytest.approx(153.4053, abs=0.005)
    assert a["cost_stage"] == "at_bid" and a["cost_per_contract_won_gbp"] == pytest.approx(
        613.62, abs=0.02
    )
    assert a["share_of_margin_pct"] == pytest.approx(3.835, abs=0.001)  # 153.4053 / 4,000
    assert a["unpriced_covers"] == "Cyber"
    b = out.filter(pl.col("buyer_org_id") == "B").row(0, named=True)
    # B: PL 1m -> 5m = 140 - 118 = 22 at award; share of value 22 / 20,000 = 0.11 %
    assert b["extra_premium_gbp"] == pytest.approx(22.0, abs=0.005)
    assert b["share_of_contract_value_pct"] == pytest.approx(0.11, abs=1e-4)
    assert out["buyer_org_id"].to_list() == ["A", "B"]  # ranked by cost per contract won
    # sole trader without EL: A demands EL of sole traders (+213), B does not
    sole = {**held, "employers_liability": 0.0}
    out2 = ins.member_cost_burden(
        app, sole, 20_000, 0.2, 0.25, 1.0, CURVES, supplier_has_employees=False
    )
    got = dict(zip(out2["buyer_org_id"], out2["extra_premium_gbp"]))
    assert got["A"] == pytest.approx(153.4053 + 213, abs=0.005)
    assert got["B"] == pytest.approx(22.0, abs=0.005)


def test_standard_cost():
    held = {"public_liability": 1 * M, "professional_indemnity": 500_000.0}
    # PI 500k -> 1m: 145.00 - 174 * (1/4)^d = 145 - 174/1.44 = 145 - 120.8333 = 24.1667
    # EL 0 -> 5m: the whole 213
    assert ins.standard_cost(held, STD, CURVES) == pytest.approx(24.1667 + 213, abs=0.005)
    assert ins.standard_cost(held, STD, CURVES, supplier_has_employees=False) == pytest.approx(
        24.1667, abs=0.005
    )


# ----------------------------------------------------------------------- loading and params


def test_prepare_checks_category():
    data = ins.prepare("demo", procurement_category="it")
    assert "it" in data.categories and data.current["buyer_org_id"].n_unique() == 12
    with pytest.raises(
        ParamsError, match="procurement_category = 'catering' is not in demo; choose one of"
    ):
        ins.prepare("demo", procurement_category="catering")


def test_params_model_matches_notebook_parameters():
    entry = NOTEBOOKS["insurance_requirements"]
    model = load_object(entry.params_model)
    assert model is ins.InsuranceRequirementsParams
    nb_params = pm.inspect_notebook(str(NOTEBOOKS_DIR / entry.filename))
    assert set(nb_params) == set(model.model_fields)
    import yaml

    shipped = yaml.safe_load(Path("params/insurance_requirements.yaml").read_text())
    assert set(shipped) == set(model.model_fields)
    model.model_validate(shipped)


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"contract_value_gbp": 0}, "contract_value_gbp"),
        ({"margin_share": 1.5}, "margin_share"),
        ({"win_probability": 0}, "win_probability"),
        ({"hold_years": -1}, "hold_years"),
        ({"supplier_size": "huge"}, "supplier_size"),
        ({"version": "newest"}, "version"),
        ({"cover_held": {"pets": 1}}, "cover_held"),
        ({"cover_held": {"public_liability": -1}}, "cover_held"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_params_refused_before_any_kernel(override, field):
    with pytest.raises(ValidationError) as exc:
        ins.InsuranceRequirementsParams.model_validate(override)
    assert field in str(exc.value)


def test_runner_refuses_bad_params_with_a_clear_message():
    from lainbench.runner import load_run_params

    with pytest.raises(ParamsError, match="contract_value_gbp: Input should be greater than 0"):
        load_run_params("insurance_requirements", overrides=["contract_value_gbp=-5"])


# ------------------------------------------------------------------------------ properties
limits = st.floats(min_value=0, max_value=1e9, allow_nan=False)
covers = st.sampled_from(sorted(CURVES))


@settings(max_examples=200, deadline=None)
@given(cover=covers, a=limits, b=limits)
def test_premium_never_falls_as_the_limit_rises(cover, a, b):
    lo, hi = sorted((a, b))
    assert ins.premium_gbp(cover, lo, CURVES) <= ins.premium_gbp(cover, hi, CURVES) + 1e-9


@settings(max_examples=200, deadline=None)
@given(held=st.dictionaries(covers, limits), required=st.dictionaries(covers, limits))
def test_extra_premium_non_negative_and_zero_when_held_covers_it(held, required):
    extra = ins.extra_premium_gbp(held, required, CURVES)
    assert extra >= 0
    covered = {c: max(v, required.get(c, 0)) for c, v in {**required, **held}.items()}
    assert ins.extra_premium_gbp(covered, required, CURVES) == 0.0


@settings(max_examples=100, deadline=None)
@given(extra=st.floats(0, 1e5), w=st.floats(0.01, 1), years=st.floats(0, 5))
def test_bid_stage_costs_at_least_award_stage_when_held_a_year_or_more(extra, w, years):
    at_bid = ins.cost_per_contract_won_gbp(extra, years, w, "at_bid")
    at_award = ins.cost_per_contract_won_gbp(extra, years, w, "at_award")
    if years >= w:  # T_hold / w >= 1
        assert at_bid >= at_award - 1e-9
