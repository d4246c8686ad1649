"""Shared helpers for the scoring modules: input errors, exact weights, column checks.

Nothing here encodes a policy number; the callers pass the policy values in.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .. import policy as _policy

# Weighted sums of decimal scores are computed with integer weights and then snapped to this many
# decimal places.  Inputs carry at most a few decimals (scores such as 89.5 or 59.99) and policy
# weights at most two, so the exact decimal result has far fewer than 9 places: snapping returns
# the float nearest to the exact value, so a composite that is exactly 90 compares as 90 (not
# 89.99999999999999) against the grade bands.  It is noise removal, not display rounding.
SNAP_DECIMALS = 9
MAX_LISTED = 5


class ScoringInputError(ValueError):
    """Impossible or missing input to a scoring calculation.

    The message names the row(s) (DataFrame index), the column and the rule, in English and
    Chinese.  ``rows`` holds the offending index labels, ``column`` the column and ``rule`` a short
    rule id, for programs that want to show the problem differently.
    """

    def __init__(self, message: str, rows: Iterable = (), column: str | None = None, rule: str = ""):
        self.rows = list(rows)
        self.column = column
        self.rule = rule
        super().__init__(message)


def get_policy(policy: _policy.Policy | None, as_of=None) -> _policy.Policy:
    """The given policy, or the one in force on ``as_of`` (default today)."""
    return policy if policy is not None else _policy.load(as_of)


def check(bad, index, column: str, rule: str, en: str, zh: str, values=None) -> None:
    """Raise :class:`ScoringInputError` if any element of the boolean mask ``bad`` is true.

    ``en``/``zh`` describe the rule; the message lists up to MAX_LISTED offending rows with their
    values: ``row 7, column fail_s2b: 9 — more failed items than the section has / 不合格项数超过该部分项数``.
    """
    bad = np.asarray(bad, dtype=bool)
    if not bad.any():
        return
    index = pd.Index(index)
    rows = index[bad]
    shown = []
    vals = None if values is None else np.asarray(values, dtype=object)[bad]
    for i, label in enumerate(rows[:MAX_LISTED]):
        v = "" if vals is None else f": {vals[i]!r}"
        shown.append(f"row {label}{v}")
    more = f" (and {len(rows) - MAX_LISTED} more rows)" if len(rows) > MAX_LISTED else ""
    raise ScoringInputError(
        f"column {column}, {'; '.join(shown)}{more} — {en} / {zh} [rule {rule}]",
        rows=rows, column=column, rule=rule,
    )


def require_columns(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ScoringInputError(
            f"{what}: missing column(s) {missing} / 缺少必需的列 {missing}", column=missing[0], rule="missing_column"
        )


def numeric(df: pd.DataFrame, column: str, *, allow_nan=None) -> np.ndarray:
    """Column as float64; text or NaN (outside rows where ``allow_nan`` is true) is an error."""
    s = df[column]
    if s.dtype == bool or pd.api.types.is_bool_dtype(s.dtype):
        raise ScoringInputError(f"column {column}: expected numbers, got booleans / 应为数值", column=column,
                                rule="not_numeric")
    try:
        x = pd.to_numeric(s, errors="raise").astype("float64").to_numpy()
    except (TypeError, ValueError):
        bad = pd.to_numeric(s, errors="coerce").isna().to_numpy() & s.notna().to_numpy()
        check(bad, df.index, column, "not_numeric", "not a number", "不是数值", s.to_numpy())
        raise
    nan = np.isnan(x)
    if allow_nan is not None:
        nan &= ~np.asarray(allow_nan, dtype=bool)
    check(nan, df.index, column, "missing", "value is missing", "数值缺失")
    check(np.isinf(x), df.index, column, "not_finite", "value is not finite", "数值无穷大", x)
    return x


def integer_counts(df: pd.DataFrame, column: str, rule_zh: str = "须为非负整数") -> np.ndarray:
    """Column of counts: whole, non-negative, present.  Returns int64."""
    s = df[column]
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":  # fast path: already whole and present
        x = s.to_numpy().astype(np.int64, copy=False)
        check(x < 0, df.index, column, "negative_count", "a count cannot be negative", "次数/项数不能为负", x)
        return x
    x = numeric(df, column)
    check(x < 0, df.index, column, "negative_count", "a count cannot be negative", "次数/项数不能为负", x)
    check(x != np.floor(x), df.index, column, "not_integer", "a count must be a whole number", rule_zh, x)
    return x.astype(np.int64)


def in_range(x: np.ndarray, index, column: str, lo, hi, rule: str, zh: str, skip=None) -> None:
    bad = (x < lo) | (x > hi)
    if skip is not None:
        bad &= ~np.asarray(skip, dtype=bool)
    check(bad, index, column, rule, f"must be between {lo} and {hi}", f"{zh}（应在 {lo} 至 {hi} 之间）", x)


def booleans(df: pd.DataFrame, column: str) -> np.ndarray:
    """A yes/no column as a numpy bool array; accepts bool, 0/1 and 是/否/true/false text."""
    s = df[column]
    if pd.api.types.is_bool_dtype(s.dtype) and not s.isna().any():
        return s.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        x = s.to_numpy(dtype="float64", na_value=np.nan)
        check(~np.isin(x, (0.0, 1.0)), df.index, column, "not_bool", "expected yes/no (1/0)", "应为是/否", x)
        return x == 1.0
    text = s.astype("object").map(lambda v: str(v).strip().lower() if pd.notna(v) else "")
    yes = text.isin(("是", "true", "1", "yes", "y", "t", "1.0")).to_numpy()
    no = text.isin(("否", "false", "0", "no", "n", "f", "0.0")).to_numpy()
    check(~(yes | no), df.index, column, "not_bool", "expected yes/no", "应为是/否", s.to_numpy())
    return yes


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
