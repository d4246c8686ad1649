"""What the scoring modules share: their input error, exact policy weights, snapping, shapes.

The input checks themselves are :mod:`staffcalc.checks`, bound here to raise
:class:`ScoringInputError`.  Nothing here encodes a policy number; the callers pass the policy
values in.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .. import checks as _checks
from .. import policy as _policy
from ..checks import RuleInputError

# Weighted sums of decimal scores are computed with integer weights and then snapped to this many
# decimal places.  Inputs carry at most a few decimals (scores such as 89.5 or 59.99) and policy
# weights at most two, so the exact decimal result has far fewer than 9 places: snapping returns
# the float nearest to the exact value, so a composite that is exactly 90 compares as 90 (not
# 89.99999999999999) against the grade bands.  It is noise removal, not display rounding.
SNAP_DECIMALS = 9


class ScoringInputError(RuleInputError):
    """Impossible or missing input to a scoring calculation (P2–P5).

    The message names the row(s) (DataFrame index), the column and the rule, in English and
    Chinese; ``rows``, ``column`` and ``rule`` as in :class:`staffcalc.checks.RuleInputError`.
    """


# The shared input checks (staffcalc.checks), raising ScoringInputError.
check, require_columns, numeric, integer_counts, in_range, booleans = _checks.raising(
    ScoringInputError, _checks.check, _checks.require_columns, _checks.numeric, _checks.integer_counts,
    _checks.in_range, _checks.booleans)


def exact_weights(weights: Mapping[str, Any], keys: Iterable[str], path: str) -> tuple[np.ndarray, int]:
    """Policy weights as integer numerators over a common denominator, checked to sum to 1 exactly.

    ``{"self": 0.20, "student": 0.30, "college": 0.50}`` → ``([20, 30, 50], 100)``.  The decimal
    text of each weight is converted (``Fraction(str(w))``), so 0.35 is exactly 35/100.
    """
    keys = list(keys)
    missing = [k for k in keys if k not in weights]
    if missing:
        raise _policy.PolicyError(f"{path}: missing weights {missing} / 缺少权重")
    fr = [Fraction(str(weights[k])) for k in keys]
    if any(f < 0 for f in fr):
        raise _policy.PolicyError(f"{path}: weights must not be negative / 权重不能为负")
    if sum(fr) != 1:
        raise _policy.PolicyError(f"{path}: weights {dict(weights)} sum to {float(sum(fr))}, not 1 / 权重之和须为 1")
    denom = int(np.lcm.reduce([f.denominator for f in fr]))
    return np.array([int(f * denom) for f in fr], dtype=np.int64), denom


def snap(x):
    """Remove binary floating-point noise from an exact-decimal result (see SNAP_DECIMALS)."""
    return np.round(x, SNAP_DECIMALS)


def as_frame(columns: Mapping[str, Any]) -> tuple[pd.DataFrame, str, Any]:
    """Build a frame from scalars / arrays / Series for a function that takes several arguments.

    Returns (frame, kind, index) where kind is "scalar", "series" or "array", so the caller can
    give back the same shape it received.
    """
    values = list(columns.values())
    if all(np.ndim(v) == 0 for v in values):
        return pd.DataFrame({k: [v] for k, v in columns.items()}), "scalar", None
    series = [v for v in values if isinstance(v, pd.Series)]
    index = series[0].index if series else None
    data = {}
    for k, v in columns.items():
        if isinstance(v, pd.Series):
            data[k] = v.to_numpy() if index is None or v.index.equals(index) else v.reindex(index).to_numpy()
        else:
            data[k] = v
    frame = pd.DataFrame(data, index=index)
    return frame, ("series" if series else "array"), index


def shaped(result: np.ndarray, kind: str, index, name: str):
    if kind == "scalar":
        v = result[0]
        return v.item() if hasattr(v, "item") else v
    if kind == "series":
        return pd.Series(result, index=index, name=name)
    return result
