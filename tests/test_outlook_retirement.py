"""Statutory retirement month (N1: NPC Standing Committee decision of 2024-09-13, in force 2025-01-01).

Every expected month is worked by hand from the rule: original month = birth month + original age;
k = original month − 2025-01; for k >= 0 add floor(k / step) + 1 months, at most (target − original)
years; before 2025 nothing changes.  Men 60 → 63 and women 55 → 58 one month per 4 months; women
workers 50 → 55 one month per 2 months.  The day of birth inside the month does not matter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffcalc import policy
from staffcalc.retirement import RetirementError, retirement_age_months, retirement_month

POL = policy.load("2026-09-01")


def month(birth, sex, level=None, pol=POL):
    return str(retirement_month(np.array([birth], dtype="datetime64[D]"), sex,
                                None if level is None else [level], policy=pol)[0])


@pytest.mark.parametrize("birth,expected", [
    ("1964-12-31", "2024-12"),   # original month 2024-12, k = -1: unchanged (60 years)
    ("1965-01-01", "2025-02"),   # k = 0: +1
    ("1965-04-30", "2025-05"),   # k = 3: still +1 (floor(3/4) + 1)
    ("1965-05-01", "2025-07"),   # k = 4: +2 — the first step
    ("1965-08-15", "2025-10"),   # k = 7: +2
    ("1965-09-01", "2025-12"),   # k = 8: +3
    ("1976-08-20", "2039-07"),   # k = 139: +35 (62 years 11 months)
    ("1976-09-01", "2039-09"),   # k = 140: +36, 63 years
    ("1976-12-01", "2039-12"),   # k = 143: floor(143/4) + 1 = 36
    ("1977-01-01", "2040-01"),   # k = 144 would give 37: capped at 36 → 63 years
    ("1990-06-10", "2053-06"),   # long after: 63 years
])
def test_n1_men_one_month_per_four_months_up_to_63(birth, expected):
    assert month(birth, "男") == expected


@pytest.mark.parametrize("birth,expected", [
    ("1969-12-31", "2024-12"),   # 55 in 2024-12: before the reform
    ("1970-01-01", "2025-02"),   # k = 0
    ("1970-04-30", "2025-05"),   # k = 3
    ("1970-05-01", "2025-07"),   # k = 4: +2
    ("1981-08-01", "2039-07"),   # k = 139: +35
    ("1981-09-01", "2039-09"),   # k = 140: +36 = 58 years
    ("1982-01-01", "2040-01"),   # capped: 58 years
])
def test_n1_women_in_professional_posts_55_to_58(birth, expected):
    assert month(birth, "女") == expected


@pytest.mark.parametrize("birth,expected", [
    ("1974-12-01", "2024-12"),   # 50 in 2024-12: unchanged
    ("1975-01-01", "2025-02"),   # k = 0: +1
    ("1975-02-01", "2025-03"),   # k = 1: +1
    ("1975-03-01", "2025-05"),   # k = 2: +2 (one month per two months)
    ("1984-10-01", "2039-09"),   # k = 117: +59
    ("1984-11-01", "2039-11"),   # k = 118: +60 = 55 years
    ("1985-06-01", "2040-06"),   # capped at 60 months
])
def test_n1_women_workers_50_to_55_one_month_per_two(birth, expected):
    assert month(birth, "女", pol=POL.override({"retirement.women_category": "women_worker"})) == expected


def test_before_the_decision_nobody_retires_later():
    before = policy.load("2024-06-30")
    assert month("1965-05-01", "男", pol=before) == "2025-05"
    assert month("1977-01-01", "女", pol=before) == "2032-01"


def test_age_at_retirement_in_months():
    birth = pd.Series(pd.to_datetime(["1965-05-01", "1977-01-01"]))
    ret = retirement_month(birth, ["男", "男"], policy=POL)
    assert retirement_age_months(birth, ret).tolist() == [60 * 12 + 2, 63 * 12]


def test_vectorised_mixed_sexes_equal_the_scalar_results():
    births = ["1965-05-01", "1970-05-01", "1976-09-01", "1981-09-01"]
    sexes = ["男", "女", "男", "女"]
    got = retirement_month(pd.Series(pd.to_datetime(births)), pd.Series(sexes), policy=POL).astype(str).tolist()
    assert got == [month(b, s) for b, s in zip(births, sexes)] == ["2025-07", "2025-07", "2039-09", "2039-09"]


# --------------------------------------------------------------------------------------------
# switchable assumptions (off by default)
# --------------------------------------------------------------------------------------------
def test_assumptions_are_off_by_default_and_flagged():
    assert POL.get("retirement.women_senior_at_60.enabled") is False
    assert POL.get("retirement.senior_expert_extension.enabled") is False
    assert POL.get("retirement.flexible.assumed_months") == 0
    flagged = POL.interpretations("retirement")
    assert len(flagged) >= 5


def test_women_with_senior_titles_on_the_mens_schedule():
    pol = POL.override({"retirement.women_senior_at_60.enabled": True})
    # 60 in 2030-05: k = 64 → +17 → 2031-10; at level 8 (not senior) she keeps the women's schedule
    assert month("1970-05-01", "女", level=5, pol=pol) == "2031-10"
    assert month("1970-05-01", "女", level=8, pol=pol) == "2025-07"
    with pytest.raises(RetirementError, match="post_level"):
        retirement_month(np.array(["1970-05-01"], dtype="datetime64[D]"), "女", policy=pol)


def test_senior_expert_extension_to_65():
    pol = POL.override({"retirement.senior_expert_extension.enabled": True})
    assert month("1966-01-01", "男", level=3, pol=pol) == "2031-01"      # 65
    assert month("1966-01-01", "男", level=5, pol=pol) == "2026-05"      # statutory: k = 12 → +4


def test_flexible_retirement_never_before_the_original_age_and_at_most_three_years():
    assert month("1965-05-01", "男", pol=POL.override({"retirement.flexible.assumed_months": 12})) == "2026-07"
    # 12 months early would be 2024-07, before the original 60 in 2025-05: that is the floor
    assert month("1965-05-01", "男", pol=POL.override({"retirement.flexible.assumed_months": -12})) == "2025-05"
    assert month("1976-09-01", "男", pol=POL.override({"retirement.flexible.assumed_months": -36})) == "2036-09"
    with pytest.raises(RetirementError, match="36"):
        month("1965-05-01", "男", pol=POL.override({"retirement.flexible.assumed_months": 37}))
    with pytest.raises(RetirementError, match="0 months"):   # no flexible retirement before the decision
        month("1965-05-01", "男", pol=policy.load("2024-06-30").override({"retirement.flexible.assumed_months": 1}))


# --------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------
def test_unknown_sex_names_the_row():
    birth = pd.Series(pd.to_datetime(["1970-01-01", "1970-01-01"]), index=["T1", "T2"])
    with pytest.raises(RetirementError, match=r"T2.*sex"):
        retirement_month(birth, ["男", "M"], policy=POL)


def test_missing_birth_date_names_the_row():
    birth = pd.Series(pd.to_datetime(["1970-01-01", None]))
    with pytest.raises(RetirementError, match=r"row 1.*birth_date"):
        retirement_month(birth, "男", policy=POL)


def test_policy_file_cites_the_decision():
    doc = POL.sources["retirement"]
    assert doc.id == "N1" and doc.effective.isoformat() == "2025-01-01"
    assert "渐进式延迟法定退休年龄" in doc.title
    refs = POL.references("retirement").set_index("path")
    assert "六十三周岁" in refs.loc["retirement.original_age", "text"]
    assert "每四个月延迟一个月" in refs.loc["retirement.months_per_step", "text"]
