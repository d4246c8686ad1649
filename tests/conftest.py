"""Shared test set-up: paths to the repository's folders; calculations pinned to a date.

A calculation called without ``policy=`` uses the policy in force today
(:func:`staffcalc.checks.policy_or_default`), so its result would depend on the day the tests run.
The autouse fixture below makes such a call fail in every test: pass a policy loaded for a fixed
date (``policy.load("2026-09-01")``).
"""

import sys
from pathlib import Path

import pytest

from staffcalc import checks, policy

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture(autouse=True)
def _calculations_pinned_to_a_date(monkeypatch):
    real_load = policy.load

    def load(as_of=None, *args, **kwargs):
        if as_of is None and sys._getframe(1).f_code is checks.policy_or_default.__code__:
            raise AssertionError("a calculation was called without policy= and would use today's policy: pass "
                                 "policy=policy.load(<fixed date>) so the result does not depend on the test date")
        return real_load(as_of, *args, **kwargs)

    monkeypatch.setattr(policy, "load", load)
