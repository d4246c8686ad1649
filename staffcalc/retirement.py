"""Statutory retirement month of each staff member (N1: NPC Standing Committee decision of
2024-09-13 on gradually raising the statutory retirement age, in force 2025-01-01).

:func:`retirement_month` — from birth month, sex and (for the assumptions) post level, the month in
which a person retires, exact to the month and vectorised:

* original month = birth month + ``original_age`` years (men 60; women in cadre and professional
  posts 55, women workers 50 — ``retirement.women_category`` says which applies to women);
* k = original month − ``reform_start`` (2025-01) in months; for k ≥ 0 the month moves
  ``floor(k / months_per_step) + 1`` months later (one month per 4 months; per 2 months for women
  workers), at most ``(target_age − original_age) × 12`` (36 months; 60 for women workers);
  for k < 0 nothing changes (决定 一, 办法§2).  Example: a man born in 1965-05 reaches 60 in
  2025-05, k = 4, so he retires 2 months later, in 2025-07, at 60 years 2 months.

Planning assumptions, all off by default (``retirement.*`` with ``assumption: true``):
``women_senior_at_60`` (women in senior levels follow the men's schedule), ``senior_expert_extension``
(the listed levels stay until ``until_age`` when that is later) and ``flexible.assumed_months``
(everyone shifts by that many months, never before the original month, at most ``max_months``).
:func:`retirement_age_months` gives the age at retirement in months, for display.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import checks as _checks
from .checks import RuleInputError, policy_or_default
from .policy import Policy
from .schemas.institution import SEXES

MEN, WOMEN = SEXES


class RetirementError(RuleInputError):
    """Bad input to the retirement calculation (names the column, the row and the rule)."""


(check,) = _checks.raising(RetirementError, _checks.check)


def _months(values, what: str, index) -> np.ndarray:
    """Months since 1970-01 (int64) of a date column, array or scalar; a missing date is an error."""
    s = values if isinstance(values, pd.Series) else pd.Series(np.atleast_1d(values))
    d = s.to_numpy() if pd.api.types.is_datetime64_any_dtype(s.dtype) else pd.to_datetime(s, errors="coerce").to_numpy()
    check(np.isnat(d), index, what, "missing_date", "missing or not a date", "缺少日期或日期格式错误", table="staff")
    return d.astype("datetime64[M]").astype(np.int64)


def _month_number(text: str) -> int:
    year, month = str(text).split("-")
    return (int(year) - 1970) * 12 + int(month) - 1


def retirement_month(birth_date, sex, post_level=None, *, policy: Policy | None = None) -> np.ndarray:
    """Statutory retirement month (``datetime64[M]`` array) from birth date and sex (男/女).

    ``post_level`` is needed only when the ``women_senior_at_60`` or ``senior_expert_extension``
    assumption is switched on.  Unknown sex or a missing birth date raises :class:`RetirementError`
    naming the row.  See the module docstring for the rule.
    """
    pol = policy_or_default(policy)
    index = birth_date.index if isinstance(birth_date, pd.Series) else None
    birth = _months(birth_date, "birth_date", index)
    n = birth.size
    if np.ndim(sex) == 0:
        sex = np.full(n, sex, dtype=object)
    sex = sex if isinstance(sex, pd.Series) else pd.Series(np.asarray(sex, dtype=object))
    if sex.size != n:
        raise RetirementError(f"sex: {sex.size} values for {n} birth dates / 性别与出生日期数量不一致")
    man = (sex == MEN).fillna(False).to_numpy(dtype=bool)
    known = man | (sex == WOMEN).fillna(False).to_numpy(dtype=bool)
    if not known.all():   # the values are converted for the message only
        check(~known, index, "sex", "allowed", f"not one of {list(SEXES)}", "性别须为男或女", sex.to_numpy(),
              table="staff")

    # the assumptions' parameters are read whether or not they are switched on
    women_at_60 = {k: pol.get(f"retirement.women_senior_at_60.{k}") for k in ("enabled", "levels")}
    expert = {k: pol.get(f"retirement.senior_expert_extension.{k}") for k in ("enabled", "levels", "until_age")}
    if (women_at_60["enabled"] or expert["enabled"]) and post_level is None:
        raise RetirementError("post_level is needed for the senior-women / senior-expert assumptions / 需要岗位等级")
    level = None if post_level is None else np.broadcast_to(np.asarray(post_level, dtype=np.int64), (n,))

    category = np.where(man, 0, 1)            # 0 = men, 1 = the women's category
    if women_at_60["enabled"]:
        category = np.where(np.isin(level, women_at_60["levels"]), 0, category)
    keys = ("men", pol.get("retirement.women_category"))
    original = np.array([pol.get(f"retirement.original_age.{k}") for k in keys], dtype=np.int64)[category]
    target = np.array([pol.get(f"retirement.target_age.{k}") for k in keys], dtype=np.int64)[category]
    step = np.array([pol.get(f"retirement.months_per_step.{k}") for k in keys], dtype=np.int64)[category]

    orig_month = birth + original * 12
    k = orig_month - _month_number(pol.get("retirement.reform_start"))
    delay = np.where(k >= 0, np.minimum(np.maximum(k, 0) // step + 1, (target - original) * 12), 0)
    month = orig_month + delay

    if expert["enabled"]:
        until = birth + int(expert["until_age"]) * 12
        month = np.where(np.isin(level, expert["levels"]), np.maximum(month, until), month)
    shift = int(pol.get("retirement.flexible.assumed_months"))
    limit = int(pol.get("retirement.flexible.max_months"))
    if abs(shift) > limit:
        raise RetirementError(f"retirement.flexible.assumed_months: {shift} is more than the {limit} months the "
                              f"decision allows (办法§3–§4) / 弹性退休月数超过上限")
    if shift:
        month = np.maximum(month + shift, orig_month)
    return month.astype("datetime64[M]")


def retirement_age_months(birth_date, retirement: np.ndarray) -> np.ndarray:
    """Age at retirement in whole months (birth month to retirement month)."""
    birth = _months(birth_date, "birth_date", birth_date.index if isinstance(birth_date, pd.Series) else None)
    return np.asarray(retirement, dtype="datetime64[M]").astype(np.int64) - birth


def parameters_used(policy: Policy | None = None) -> pd.DataFrame:
    """Every ``retirement.*`` parameter with its clause and Chinese wording."""
    return policy_or_default(policy).references("retirement")


__all__ = ["retirement_month", "retirement_age_months", "parameters_used", "RetirementError", "SEXES"]
