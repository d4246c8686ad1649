"""The one error base of staffcalc: every error a user can cause by bad input or bad policy.

:class:`StaffcalcError` is a ``ValueError``; its subclasses are :class:`staffcalc.io.InputError`
(a data file), :class:`staffcalc.checks.RuleInputError` (a calculation's arguments, with one
subclass per calculation module) and :class:`staffcalc.policy.PolicyError` (a policy file or an
override).  ``except StaffcalcError`` catches all three; each message names where the problem is
and the rule it breaks, in Chinese and English.
"""

from __future__ import annotations

__all__ = ["StaffcalcError"]


class StaffcalcError(ValueError):
    """Bad input or bad policy; the message names file or row, column and rule (zh / en)."""
