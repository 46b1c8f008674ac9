"""Dated payment rules and targets from ``params/payment_rules.yaml``.

A rule that changes on a date applies by the period's dates: :func:`rule_at` reads the value in
force on the period's last day. Proposed law (metadata status ``proposed``) is refused unless the
caller asks for it, so a scenario cannot apply the Commercial Payments Bill as if it were law.

>>> rule_at("ppn_average_days_max", "2025-09-30")
55
>>> rule_at("ppn_average_days_max", "2025-10-01")
45
>>> rule_at("commercial_payments_bill_max_terms_days", "2026-12-31", allow_proposed=True)
60
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lainbench import params
from lainbench.config import PROJECT_ROOT
from lainbench.errors import ParamsError

__all__ = ["RULES_FILE", "is_proposed", "payment_rules", "rule_at"]

RULES_FILE = PROJECT_ROOT / "params" / "payment_rules.yaml"
TARGETS_FILE = PROJECT_ROOT / "params" / "payment_targets.yaml"  # thresholds figures are tested on


def payment_rules(path: str | None = None) -> params.ParameterFile:
    """The validated rules file (cached by :func:`lainbench.params.load`)."""
    return params.load(path or RULES_FILE)


def is_proposed(name: str) -> bool:
    """Whether rule ``name`` is proposed law, not law.

    >>> is_proposed("commercial_payments_bill_dispute_window_days"), is_proposed("pa2023_s68_days")
    (True, False)
    """
    rule = payment_rules().parameters.get(name)
    return bool(rule and (rule.metadata.status or "").startswith("proposed"))


def rule_at(name: str, when: dt.date | str, *, allow_proposed: bool = False) -> Any:
    """Value of rule ``name`` in force on ``when`` (``None`` before its first date).

    A name is looked up in ``params/payment_rules.yaml``, then in ``params/payment_targets.yaml``
    (the thresholds members' figures are tested against live there, once).

    >>> rule_at("ppn_average_days_max", "2025-10-01"), rule_at("pa2023_s68_days", "2026-01-01")
    (45, 30)
    """
    rules = payment_rules()
    if name not in rules.parameters:
        targets = params.load(TARGETS_FILE)
        if name in targets.parameters:
            return targets.value(name, when)
        raise ParamsError(f"{RULES_FILE.name}: no rule {name!r}; it and {TARGETS_FILE.name} "
                          f"define {', '.join(sorted([*rules.parameters, *targets.parameters]))}")
    if is_proposed(name) and not allow_proposed:
        raise ParamsError(f"{name} is proposed law (Commercial Payments Bill [HL], not yet law); "
                          "pass allow_proposed=True in a scenario labelled as proposed")
    return rules.value(name, when)
