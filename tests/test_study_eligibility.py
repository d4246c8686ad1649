"""Eligibility to apply for degree study (spec §8.1; P1 §1, §3.3, §3.5)."""

import pandas as pd
import pytest

from staffcalc import policy
from staffcalc.dates import full_years
from staffcalc.study_eligibility import RULES, application_eligibility

P1 = policy.load("2026-09-01")


def apps(*specs):
    """Default: hired 2015-03-01, applying 2026-09-01, on establishment and post, in the plan, 合格 ×3."""
    base = {"staff_id": "T1", "application_date": "2026-09-01", "hire_date": "2015-03-01",
            "on_establishment": True, "on_post": True, "in_training_plan": True,
            "appraisal_1": "合格", "appraisal_2": "合格", "appraisal_3": "合格"}
    df = pd.DataFrame([{**base, **s} for s in specs])
    for c in ("application_date", "hire_date"):
        df[c] = pd.to_datetime(df[c])
    return df


def check(*specs, p=P1):
    return application_eligibility(apps(*specs), policy=p)


def test_p1_s3_3_exactly_two_years_passes_a_day_short_fails():
    # hired 2024-09-01: 满2年 on 2026-09-01 (anniversary), not on 2026-08-31
    out = check({"hire_date": "2024-09-01", "application_date": "2026-09-01", "appraisal_3": None},
                {"hire_date": "2024-09-01", "application_date": "2026-08-31", "appraisal_3": None})
    assert out["full_years_at_college"].tolist() == [2, 1]
    assert out["study_eligible"].tolist() == [True, False]
    assert out["study_failed_rules"].tolist() == ["", "years_at_college"]


def test_p1_s3_3_hired_on_29_february_completes_years_on_28_february():
    # Civil Code art. 201: no corresponding day -> the last day of the month
    assert full_years(pd.to_datetime(["2024-02-29"] * 3).values,
                      pd.to_datetime(["2026-02-27", "2026-02-28", "2028-02-28"]).values).tolist() == [1, 2, 3]
    # in a leap year the anniversary is 29 February itself: 2028-02-28 is 3 years, 2028-02-29 is 4
    assert full_years(pd.to_datetime(["2024-02-29"]).values, pd.to_datetime(["2028-02-29"]).values).tolist() == [4]


def test_p1_s3_3_min_years_is_policy_data():
    out = check({"hire_date": "2023-09-01"}, p=P1.override({"study_leave.eligibility.min_years_at_college": 4}))
    assert out["study_failed_rules"].iloc[0] == "years_at_college"  # 3 full years < 4


@pytest.mark.parametrize("result, ok", [("优秀", True), ("合格", True), ("基本合格", False), ("不合格", False)])
def test_p1_s3_3_every_appraisal_at_least_hege(result, ok):
    for col in ("appraisal_1", "appraisal_2", "appraisal_3"):
        out = check({col: result})
        assert bool(out["study_eligible"].iloc[0]) is ok
        assert out["study_failed_rules"].iloc[0] == ("" if ok else "appraisal")


def test_p1_s3_3_missing_appraisal_excused_for_a_year_not_worked_in_full():
    # applying in 2026: appraisal_2 is 2024, appraisal_3 is 2023.  Hired 2024-03-01: 2023 not worked
    # (excused), 2024 worked only from March (excused); hired 2024-01-01: 2024 worked in full (fails).
    out = check({"hire_date": "2024-03-01", "appraisal_2": None, "appraisal_3": None},
                {"hire_date": "2024-01-01", "appraisal_2": None, "appraisal_3": None},
                {"hire_date": "2015-03-01", "appraisal_3": None})
    assert out["study_failed_rules"].tolist() == ["", "appraisal_missing", "appraisal_missing"]


def test_p1_s3_3_missing_appraisal_interpretation_switches():
    specs = ({"hire_date": "2024-03-01", "appraisal_3": None}, {"hire_date": "2015-03-01", "appraisal_3": None})
    excused = check(*specs, p=P1.override({"study_leave.eligibility.missing_appraisal": "always_excused"}))
    failing = check(*specs, p=P1.override({"study_leave.eligibility.missing_appraisal": "failing"}))
    assert excused["study_eligible"].tolist() == [True, True]
    assert failing["study_failed_rules"].tolist() == ["appraisal_missing", "appraisal_missing"]
    assert P1.param("study_leave.eligibility.missing_appraisal").interpretation


def test_p1_s1_s3_5_establishment_post_and_training_plan():
    out = check({"on_establishment": False}, {"on_post": False}, {"in_training_plan": False}, {})
    assert out["study_failed_rules"].tolist() == ["establishment", "on_post", "training_plan", ""]


def test_every_failed_condition_is_named_in_rule_order():
    out = check({"on_establishment": False, "on_post": False, "hire_date": "2025-01-01",
                 "appraisal_1": "不合格", "appraisal_2": None, "appraisal_3": None, "in_training_plan": False})
    # hired 2025-01-01: 2025 (appraisal_1) worked in full and failed; 2024, 2023 not worked: excused
    assert out["study_failed_rules"].iloc[0] == "establishment;on_post;years_at_college;appraisal;training_plan"
    assert set(out["study_failed_rules"].iloc[0].split(";")) <= set(RULES)
    assert all(RULES[r][0].startswith("P1 §") for r in RULES)


def test_keeps_index_and_rows():
    df = apps({}, {"on_post": False}).set_axis([10, 20])
    out = application_eligibility(df, policy=P1)
    assert out.index.tolist() == [10, 20] and out["study_eligible"].tolist() == [True, False]


def test_rejects_unknown_appraisal_result():
    with pytest.raises(ValueError, match=r"staff_id T1 \(row 1\) / 工号 T1 \(row 1\), column appraisal_2: .*优秀"):
        check({}, {"appraisal_2": "良好"})


def test_rejects_hire_after_application():
    with pytest.raises(ValueError, match=r"staff_id T1 / 工号 T1, column hire_date"):
        check({"hire_date": "2027-01-01"})


def test_rejects_missing_flag_and_missing_column():
    with pytest.raises(ValueError, match=r"staff_id T1 / 工号 T1, column in_training_plan: missing: a yes/no value is required"):
        check({"in_training_plan": None})
    with pytest.raises(ValueError, match="on_post"):
        application_eligibility(apps({}).drop(columns="on_post"), policy=P1)
