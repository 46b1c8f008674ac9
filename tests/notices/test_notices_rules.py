"""params/payment_rules.yaml: dated rules with sources; proposed law is flagged."""

from __future__ import annotations

import pytest

from lainbench.errors import ParamsError
from lainbench.notices import rules


def test_ppn_015_to_018_switch_on_1_october_2025():
    assert rules.rule_at("ppn_average_days_max", "2025-02-24") == 55
    assert rules.rule_at("ppn_average_days_max", "2025-09-30") == 55
    assert rules.rule_at("ppn_average_days_max", "2025-10-01") == 45
    assert rules.rule_at("ppn_within_60_days_pct", "2025-10-01") == 95
    assert rules.rule_at("ppn_average_days_max", "2025-01-01") is None


def test_no_threshold_has_two_homes():
    from lainbench.params import load

    targets = load("params/payment_targets.yaml").parameters
    assert not set(rules.payment_rules().parameters) & set(targets)


def test_every_rule_has_a_source_and_the_bill_is_proposed():
    f = rules.payment_rules()
    for name, p in f.parameters.items():
        assert p.metadata.reference, name
    bill = [n for n in f.parameters if n.startswith("commercial_payments_bill")]
    assert len(bill) == 3 and all(rules.is_proposed(n) for n in bill)
    assert not rules.is_proposed("pa2023_s70_threshold_gbp")
    with pytest.raises(ParamsError, match="proposed law"):
        rules.rule_at("commercial_payments_bill_max_terms_days", "2026-06-01")
    assert rules.rule_at("commercial_payments_bill_max_terms_days", "2026-06-01",
                         allow_proposed=True) == 60
    with pytest.raises(ParamsError, match="no rule"):
        rules.rule_at("ppn_999", "2026-01-01")


def test_fair_payment_code_tiers_and_s70_threshold():
    at = "2026-01-01"
    assert rules.rule_at("fair_payment_code_gold_within_30_days_pct", at) == 95
    assert rules.rule_at("fair_payment_code_silver_small_within_30_days_pct", at) == 95
    assert rules.rule_at("fair_payment_code_within_60_days_pct", at) == 95  # Silver and Bronze
    assert rules.rule_at("pa2023_s70_threshold_gbp", "2026-03-31") is None
    assert rules.rule_at("pa2023_s70_threshold_gbp", "2026-04-01") == 30000
