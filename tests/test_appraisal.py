"""Class-teacher appraisal (P5 山西大同大学美术学院班主任考核办法; spec §5).

Every expected number is worked by hand from the spec in the comment next to it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staffcalc import policy, scoring
from staffcalc.scoring import ScoringInputError

AS_OF = "2026-09-01"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "001_e33dba0c07008e35.txt"
POLICY_DIR = Path(scoring.__file__).resolve().parent.parent / "policies"
FAILS = ["fail_s1", "fail_s2a", "fail_s2b", "fail_s2c", "fail_s2d", "fail_s3"]


POL = policy.load(AS_OF)  # loaded once: hypothesis examples reuse it


@pytest.fixture(scope="module")
def pol():
    return POL


def items(**fails) -> pd.DataFrame:
    row = {c: 0 for c in FAILS}
    row.update(fails)
    return pd.DataFrame([row])


def scores(pol, bonus=0.0, deduction=0.0, **fails) -> pd.Series:
    df = items(**fails).assign(bonus=bonus, deduction=deduction)
    return scoring.appraisal_scores(df, pol).iloc[0]


# --------------------------------------------------------------------------------------------
# §3 grade bands (half-open)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("score, expected", [
    (90, "优秀"),       # 90分以上: 以上 includes 90
    (89.5, "良好"),     # half-open: 80 ≤ 89.5 < 90
    (89.99, "良好"),
    (80, "良好"),
    (79.99, "合格"),
    (60, "合格"),       # 60 ≤ 60 < 80
    (59.99, "不合格"),  # < 60
    (59.5, "不合格"),
    (109, "优秀"),      # raw scores above 100 exist (no cap)
    (-20, "不合格"),    # and below 0 (no floor)
])
def test_p5_s3_grade_bands_half_open(pol, score, expected):
    assert scoring.grade(score, policy=pol) == expected


def test_p5_s3_grade_scalar_gives_str_array_gives_array_series_keeps_index(pol):
    assert isinstance(scoring.grade(75, policy=pol), str)
    out = scoring.grade(np.array([90.0, 89.5, 60.0, 59.99]), policy=pol)
    assert isinstance(out, np.ndarray)
    assert list(out) == ["优秀", "良好", "合格", "不合格"]
    s = scoring.grade(pd.Series([59.99, 90.0], index=[7, 3]), policy=pol)
    assert list(s.index) == [7, 3]
    assert list(s.astype(str)) == ["不合格", "优秀"]


def test_p5_s3_grade_of_missing_score_is_an_error_naming_the_row(pol):
    # decision: NaN is an error, not NaN — a grade decides pay and removal
    with pytest.raises(ScoringInputError, match=r"row 1.*missing score"):
        scoring.grade(np.array([80.0, np.nan]), policy=pol)
    with pytest.raises(ValueError):
        scoring.grade("ninety", policy=pol)


def test_p5_s3_bands_come_from_the_policy(pol):
    # what-if: 优秀 from 95 → 92 is now 良好; nothing in the code changes
    strict = pol.override({"appraisal.grade_bands.优秀": 95})
    assert scoring.grade(92, policy=strict) == "良好"
    assert scoring.grade(92, policy=pol) == "优秀"


def test_p5_s3_cutoffs_out_of_order_are_refused_not_relabelled(pol):
    # 优秀 75 below 良好 80: sorting the bounds would call 75–80 "优秀" and ≥ 80 "良好"; refused instead,
    # naming the parameter path, by grade() and appraisal_scores() alike
    swapped = pol.override({"appraisal.grade_bands.优秀": 75})
    with pytest.raises(policy.PolicyError, match=r"appraisal\.grade_bands: cut-offs must decrease.*由高到低"):
        scoring.grade(85, policy=swapped)
    with pytest.raises(policy.PolicyError, match=r"appraisal\.grade_bands"):
        scoring.appraisal_scores(items().assign(bonus=0, deduction=0), swapped)
    # equal to 良好's 80: two grades share a bound, also refused
    with pytest.raises(policy.PolicyError, match="等次下限重复"):
        scoring.grade(85, policy=pol.override({"appraisal.grade_bands.优秀": 80}))
    # just above 良好 (81) keeps the order and is used: 81 → 优秀, 80.5 → 良好
    close = pol.override({"appraisal.grade_bands.优秀": 81})
    assert scoring.grade(np.array([81.0, 80.5]), policy=close).tolist() == ["优秀", "良好"]


def test_p5_s3_grade_order_can_be_fixed_by_a_reference(pol):
    # a what-if keeps the baseline's grade order: the same bounds listed in another order are refused
    bands = scoring.grade_bands(pol, order=["优秀", "良好", "合格", "不合格"])
    assert list(bands) == ["优秀", "良好", "合格", "不合格"] and bands["良好"] == 80.0
    with pytest.raises(policy.PolicyError, match="由高到低"):
        scoring.grade_bands(pol, order=["良好", "优秀", "合格", "不合格"])


# --------------------------------------------------------------------------------------------
# §4 rubric: sections and floors
# --------------------------------------------------------------------------------------------
def test_p5_s4_sections_as_in_the_spec_table(pol):
    secs = scoring.sections(pol).set_index("section")
    expected = {  # spec §5.1 table: max, items, per failed item
        "S1": (15, 4, 5), "S2a": (20, 4, 5), "S2b": (20, 8, 2),
        "S2c": (15, 4, 4), "S2d": (20, 5, 5), "S3": (10, 3, 4),
    }
    assert set(secs.index) == set(expected)
    for sec, (mx, n, per) in expected.items():
        assert (secs.loc[sec, "section_max"], secs.loc[sec, "section_items"], secs.loc[sec, "per_item"]) == (mx, n, per)
    assert secs["section_max"].sum() == 100


def test_p5_s4_no_failed_items_is_100(pol):
    r = scores(pol)
    assert r["base_score"] == 100 and r["score"] == 100 and r["grade"] == "优秀"


def test_p5_s4_s2c_floor_four_failed_items_give_zero_not_minus_one(pol):
    # S2c: 4 failed × 4 = 16 > 15 → max(0, 15 − 16) = 0; base = 100 − 15 = 85
    sec = scoring.section_scores(items(fail_s2c=4), pol).iloc[0]
    assert sec["score_s2c"] == 0
    assert scores(pol, fail_s2c=4)["base_score"] == 85
    # 3 failed: 15 − 12 = 3 (no floor needed); base = 100 − 12 = 88
    assert scoring.section_scores(items(fail_s2c=3), pol).iloc[0]["score_s2c"] == 3
    assert scores(pol, fail_s2c=3)["base_score"] == 88


def test_p5_s4_s3_floor_three_failed_items_give_zero_not_minus_two(pol):
    # S3: 3 failed × 4 = 12 > 10 → 0; base = 100 − 10 = 90
    assert scoring.section_scores(items(fail_s3=3), pol).iloc[0]["score_s3"] == 0
    assert scores(pol, fail_s3=3)["base_score"] == 90
    # 2 failed: 10 − 8 = 2; base = 92
    assert scores(pol, fail_s3=2)["base_score"] == 92


def test_p5_s4_section_floor_is_an_interpretation_that_can_be_switched(pol):
    no_floor = pol.override({"appraisal.section_floor": -100})
    # alternative reading: S2c 4 failed = 15 − 16 = −1, S3 3 failed = 10 − 12 = −2 → base 100 − 16 − 12 = 72
    assert scores(no_floor, fail_s2c=4, fail_s3=3)["base_score"] == 72
    assert scores(pol, fail_s2c=4, fail_s3=3)["base_score"] == 75  # 15 + 20 + 20 + 0 + 20 + 0
    assert "appraisal.section_floor" in set(pol.interpretations("appraisal")["path"])


def test_p5_s4_mixed_sections_hand_worked(pol):
    # S1 1 failed (15−5=10), S2a 2 (20−10=10), S2b 3 (20−6=14), S2c 1 (15−4=11), S2d 0 (20), S3 1 (10−4=6)
    # base = 10+10+14+11+20+6 = 71; + bonus 7 − deduction 20 = 58 → 不合格
    r = scores(pol, bonus=7, deduction=20, fail_s1=1, fail_s2a=2, fail_s2b=3, fail_s2c=1, fail_s3=1)
    assert r["base_score"] == 71
    assert r["score"] == 58
    assert r["grade"] == "不合格"


@pytest.mark.parametrize("column, value, items_in_section", [
    ("fail_s2b", 9, 8), ("fail_s1", 5, 4), ("fail_s3", 4, 3), ("fail_s2d", 6, 5),
])
def test_p5_s4_more_failed_items_than_the_section_has_is_an_error(pol, column, value, items_in_section):
    df = pd.concat([items(), items(**{column: value})], ignore_index=True).assign(bonus=0, deduction=0)
    with pytest.raises(ScoringInputError) as exc:
        scoring.appraisal_scores(df, pol)
    msg = str(exc.value)
    assert column in msg and "row 1" in msg and f"({items_in_section})" in msg
    assert "不合格项数超过该部分项数" in msg
    assert list(exc.value.rows) == [1]


@pytest.mark.parametrize("value, rule", [(-1, "negative"), (1.5, "whole number"), (np.nan, "missing")])
def test_p5_s4_negative_fractional_or_missing_counts_are_errors(pol, value, rule):
    df = items().assign(bonus=0, deduction=0)
    df["fail_s2a"] = [value]
    with pytest.raises(ScoringInputError, match=rf"fail_s2a.*{rule}"):
        scoring.appraisal_scores(df, pol)


def test_p5_s4_negative_deduction_is_an_error_not_a_bonus(pol):
    with pytest.raises(ScoringInputError, match="deduction"):
        scores(pol, deduction=-5)


def test_p5_s4_missing_section_column_is_an_error(pol):
    df = items().drop(columns="fail_s2d").assign(bonus=0, deduction=0)
    with pytest.raises(ScoringInputError, match="fail_s2d"):
        scoring.appraisal_scores(df, pol)


# --------------------------------------------------------------------------------------------
# §5.4 score kept raw
# --------------------------------------------------------------------------------------------
def test_p5_s5_4_score_not_capped_at_100_nor_floored_at_0(pol):
    # 100 + 2 + 5 + 2 = 109 (no cap); 100 − 3 × 40 = −20 (no floor)
    assert scores(pol, bonus=9)["score"] == 109
    assert scores(pol, deduction=120)["score"] == -20
    clipped = pol.override({"appraisal.clip_score": True})  # the alternative reading
    assert scores(clipped, bonus=9)["score"] == 100
    assert scores(clipped, deduction=120)["score"] == 0


# --------------------------------------------------------------------------------------------
# §4(四)(五) bonus / deduction catalogue and event_points
# --------------------------------------------------------------------------------------------
SPEC_BONUS = {  # spec §5.2
    "B-MEETING-FULL": 2, "B-STUDENT-NATIONAL": 5, "B-STUDENT-PROVINCIAL": 3, "B-DORM-1": 5, "B-DORM-2": 3,
    "B-DORM-3": 2, "B-ACTIVITY-FULL": 2, "B-SPORT-1": 5, "B-SPORT-2": 3, "B-SPORT-3": 2, "B-GALA-1": 5,
    "B-GALA-2": 3, "B-REPRESENT": 2, "B-AVG-TOP": 3, "B-MAKEUP-LOWEST": 3, "B-CET-1": 3, "B-CET-2": 2,
    "B-NCRE-1": 3, "B-NCRE-2": 2, "B-POSTGRAD-1": 5, "B-POSTGRAD-2": 3, "B-POSTGRAD-3": 2,
}
SPEC_DEDUCTION = {  # spec §5.3 (points as positive numbers)
    "D-INJURY": 15, "D-REPORT-SERIOUS": 20, "D-REPORT-GENERAL": 15, "D-REPORT-MINOR": 10,
    "D-DISCIPLINE-COLLEGE": 20, "D-DISCIPLINE-UNIVERSITY": 40, "D-INACTION": 20, "D-ACTIVITY-POOR": 10,
    "D-ACTIVITY-IMPACT": 15, "D-ACTIVITY-SERIOUS": 25, "D-CLASS-MISSED": 10, "D-SCHOLARSHIP-LATE-1": 5,
    "D-SCHOLARSHIP-LATE-2": 10, "D-SCHOLARSHIP-UNFAIR": 20, "D-MATERIAL-LATE-1": 5, "D-MATERIAL-LATE-2": 10,
    "D-RETURN-ABSENT": 5, "D-TRUANCY": 3, "D-LATE": 2, "D-LEAVE-EXCESS": 2, "D-LEAVE-FREQUENT": 3,
    "D-FORGED": 20, "D-MONTHLY-LATE-1": 5, "D-MONTHLY-LATE-2": 10,
}


def test_p5_s4_catalogue_codes_and_points_exactly_as_spec(pol):
    cat = scoring.catalogue(pol).set_index("code")
    bonus = cat[cat["code_kind"] == "bonus"]["code_points"].to_dict()
    deduction = cat[cat["code_kind"] == "deduction"]["code_points"].to_dict()
    assert bonus == SPEC_BONUS
    assert deduction == SPEC_DEDUCTION
    # only the two codes of §4(五)3 that say 并扣除当月津贴 forfeit the allowance
    assert set(cat.index[cat["forfeits_allowance"]]) == {"D-DISCIPLINE-UNIVERSITY", "D-INACTION"}
    assert cat["text"].str.len().gt(0).all() and cat["clause"].str.startswith("§4(").all()


def test_p5_s4_event_points_hand_worked(pol):
    ev = pd.DataFrame({
        "staff_id": ["T1", "T1", "T1", "T2", "T2", "T1"],
        "period": ["2025-09", "2025-09", "2025-09", "2025-09", "2025-10", "2025-10"],
        "code": ["B-MEETING-FULL", "D-LATE", "D-TRUANCY", "D-INACTION", "B-REPRESENT", "D-DISCIPLINE-UNIVERSITY"],
        "count": [1, 3, 2, 1, 3, 0],
    })
    out = scoring.event_points(ev, pol).set_index(["staff_id", "period"])
    # T1 2025-09: bonus 2; deduction 3×2 + 2×3 = 12; nothing forfeits
    assert out.loc[("T1", "2025-09")].tolist() == [2.0, 12.0, False]
    # T2 2025-09: D-INACTION 20 and the allowance forfeited
    assert out.loc[("T2", "2025-09")].tolist() == [0.0, 20.0, True]
    # T2 2025-10: B-REPRESENT 3 person-times × 2 = 6
    assert out.loc[("T2", "2025-10")].tolist() == [6.0, 0.0, False]
    # T1 2025-10: a D-DISCIPLINE-UNIVERSITY row with count 0 has not happened: 0 points, not forfeited
    assert out.loc[("T1", "2025-10")].tolist() == [0.0, 0.0, False]
    assert len(out) == 4


def test_p5_s4_unknown_code_is_an_error_listing_codes_and_rows(pol):
    ev = pd.DataFrame({"staff_id": ["T1", "T1", "T2"], "period": ["2025-09"] * 3,
                       "code": ["D-LATE", "D-SLEEPING", "B-NOPE"], "count": [1, 1, 1]})
    with pytest.raises(ScoringInputError) as exc:
        scoring.event_points(ev, pol)
    msg = str(exc.value)
    assert "B-NOPE" in msg and "D-SLEEPING" in msg and "rows [1, 2]" in msg and "D-LATE" in msg  # known list
    assert "未知的加减分代码" in msg


def test_p5_s4_negative_or_fractional_event_count_is_an_error(pol):
    ev = pd.DataFrame({"staff_id": ["T1"], "period": ["2025-09"], "code": ["D-LATE"], "count": [-1]})
    with pytest.raises(ScoringInputError, match="count"):
        scoring.event_points(ev, pol)
    with pytest.raises(ScoringInputError, match="whole number"):
        scoring.event_points(ev.assign(count=[0.5]), pol)


def test_p5_s4_event_impact_sums_signed_points_per_code(pol):
    ev = pd.DataFrame({"staff_id": ["T1", "T2", "T2"], "period": ["2025-09"] * 3,
                       "code": ["D-LATE", "D-LATE", "B-MEETING-FULL"], "count": [3, 1, 1]})
    imp = scoring.event_impact(ev, pol).set_index("code")
    assert imp.loc["D-LATE", "points_total"] == -8       # (3 + 1) × 2
    assert imp.loc["D-LATE", "teachers_affected"] == 2
    assert imp.loc["B-MEETING-FULL", "points_total"] == 2
    assert imp.index[0] == "D-LATE"  # largest absolute total first


# --------------------------------------------------------------------------------------------
# Monthly pipeline and allowance (§4(五)3, spec §5.7)
# --------------------------------------------------------------------------------------------
def month_items():
    return pd.DataFrame({
        "staff_id": ["T1", "T2", "T3", "T4"], "period": ["2025-09"] * 4,
        "fail_s1": [0, 0, 0, 0], "fail_s2a": [0, 2, 0, 0], "fail_s2b": [0, 0, 1, 0],
        "fail_s2c": [0, 0, 0, 4], "fail_s2d": [0, 0, 0, 0], "fail_s3": [0, 0, 0, 3],
    })


def month_events():
    return pd.DataFrame({
        "staff_id": ["T1", "T2", "T2", "T3", "T3", "T3", "T3"],
        "period": ["2025-09"] * 7,
        "code": ["D-CLASS-MISSED", "D-DISCIPLINE-COLLEGE", "D-CLASS-MISSED", "D-DISCIPLINE-COLLEGE",
                 "D-CLASS-MISSED", "D-RETURN-ABSENT", "D-DISCIPLINE-UNIVERSITY"],
        "count": [1, 1, 1, 1, 1, 1, 0],
    })


def test_p5_monthly_appraisal_hand_worked(pol):
    out = scoring.monthly_appraisal(month_items(), month_events(), pol).set_index("staff_id")
    # T1: 100 − 10 = 90 → 优秀 (the 90 boundary)
    # T2: S2a 2 failed → 90; − 20 − 10 = 60 → 合格 (the 60 boundary)
    # T3: S2b 1 failed → 98; − 20 − 10 − 5 = 63 → 合格
    # T4: S2c, S3 floored → 75, no events → 合格
    assert out["score"].tolist() == [90, 60, 63, 75]
    assert out["grade"].astype(str).tolist() == ["优秀", "合格", "合格", "合格"]
    assert out["allowance_forfeited"].tolist() == [False] * 4


def test_p5_s4_5_allowance_by_grade_and_forfeit(pol):
    # amounts are a planning assumption: set them for the test
    p = pol.override({"appraisal.allowance.monthly": {"优秀": 800.0, "良好": 600.0, "合格": 300.0, "不合格": 0.0}})
    ev = month_events()
    ev.loc[ev.index[-1], "count"] = 1  # T3: one university-level sanction → −40 and allowance forfeited
    out = scoring.monthly_appraisal(month_items(), ev, p).set_index("staff_id")
    # T3: 63 − 40 = 23 → 不合格, forfeited → 0; T1 优秀 800; T2 合格 300; T4 合格 300
    assert out.loc["T3", "score"] == 23
    assert out["allowance"].tolist() == [800.0, 300.0, 0.0, 300.0]
    assert out.loc["T3", "allowance_forfeited"]
    # forfeiture wins even for an excellent month: 100 + 20 bonus… − 20 (D-INACTION) = 100 → 优秀 but 0 yuan
    one = scoring.monthly_appraisal(
        month_items().iloc[:1],
        pd.DataFrame({"staff_id": ["T1"] * 2, "period": ["2025-09"] * 2, "code": ["D-INACTION", "B-SPORT-1"],
                      "count": [1, 4]}), p).iloc[0]
    assert one["score"] == 100 and one["grade"] == "优秀" and one["allowance"] == 0.0
    totals = scoring.allowance_totals(out.reset_index(), by=["period"])
    assert totals["allowance"].tolist() == [1400.0] and totals["forfeited_months"].tolist() == [1]


def test_p5_monthly_appraisal_agrees_with_event_points_plus_appraisal_scores(pol):
    it, ev = month_items(), month_events()
    pts = scoring.event_points(ev, pol)
    merged = it.merge(pts, on=["staff_id", "period"], how="left").fillna(
        {"bonus": 0.0, "deduction": 0.0, "allowance_forfeited": False})
    slow = scoring.monthly_allowance(scoring.appraisal_scores(merged, pol), pol)
    fast = scoring.monthly_appraisal(it, ev, pol)
    for col in ("bonus", "deduction", "base_score", "score", "allowance"):
        assert fast[col].tolist() == slow[col].tolist()
    assert fast["grade"].astype(str).tolist() == slow["grade"].astype(str).tolist()


def test_p5_monthly_appraisal_rejects_events_without_items_and_duplicate_months(pol):
    ev = pd.DataFrame({"staff_id": ["T9"], "period": ["2025-09"], "code": ["D-LATE"], "count": [1]})
    with pytest.raises(ScoringInputError, match="no appraisal items row"):
        scoring.monthly_appraisal(month_items(), ev, pol)
    dup = pd.concat([month_items(), month_items().iloc[:1]], ignore_index=True)
    with pytest.raises(ScoringInputError, match="same teacher and month"):
        scoring.monthly_appraisal(dup, None, pol)


# --------------------------------------------------------------------------------------------
# §5 composite, §6–§7 overrides, §8 removal
# --------------------------------------------------------------------------------------------
def test_p5_s5_composite_weights_20_30_50(pol):
    # 0.20 × 80 + 0.30 × 70 + 0.50 × 90 = 16 + 21 + 45 = 82
    assert scoring.composite(80, 70, 90, policy=pol) == 82
    # three ratings of 90 give exactly 90.0 (0.2*90+0.3*90+0.5*90 in floats is 90.00000000000001)
    assert scoring.composite(90, 90, 90, policy=pol) == 90.0
    assert scoring.grade(scoring.composite(90, 90, 90, policy=pol), policy=pol) == "优秀"
    # 89.5 three times → 89.5 → 良好; 59.99 three times → 59.99 → 不合格
    assert scoring.composite(89.5, 89.5, 89.5, policy=pol) == 89.5
    assert scoring.composite(59.99, 59.99, 59.99, policy=pol) == 59.99
    # 0.2 × 100 + 0.3 × 50 + 0.5 × 50 = 20 + 15 + 25 = 60 → 合格
    assert scoring.grade(scoring.composite(100, 50, 50, policy=pol), policy=pol) == "合格"
    arr = scoring.composite(np.array([80, 100]), np.array([70, 50]), np.array([90, 50]), policy=pol)
    assert arr.tolist() == [82.0, 60.0]


@pytest.mark.parametrize("args, column", [((100.5, 80, 80), "self_score"), ((80, -1, 80), "student_score"),
                                          ((80, 80, np.nan), "college_score")])
def test_p5_s5_ratings_outside_0_100_or_missing_are_errors(pol, args, column):
    with pytest.raises(ScoringInputError, match=column):
        scoring.composite(*args, policy=pol)


def test_p5_s5_weights_must_sum_to_one(pol):
    bad = pol.override({"appraisal.composite_weights": {"self": 0.2, "student": 0.3, "college": 0.4}})
    with pytest.raises(ValueError, match="sum"):
        scoring.composite(80, 80, 80, policy=bad)


def test_p5_s6_s7_direct_grade_conditions_listed_with_codes(pol):
    conds = scoring.direct_grade_conditions(pol)
    fails = conds[conds["grade"] == "不合格"]
    assert len(fails) == 11  # §7(一)–(十一)
    assert fails["clause"].tolist() == [f"§7({n})" for n in
                                        ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一"]]
    assert len(conds[conds["grade"] == "优秀"]) == 3  # §6(一)–(三)
    assert fails["code"].str.startswith("F-").all()


def ratings():
    return pd.DataFrame({
        "staff_id": ["A", "B", "C", "D", "E"],
        "semester": ["2025-2026-1"] * 5,
        "self_score": [88.0, 95.0, 92.0, 90.0, 70.0],
        "student_score": [84.0, 92.0, 90.0, np.nan, 70.0],
        "college_score": [85.0, 91.0, 93.0, 88.0, 70.0],
        "override_codes": ["E-CLASS-NATIONAL", "F-CASUALTY", "E-STUDENTS-PROVINCIAL; F-EXAM-MONEY",
                           "E-CAMPUS-STABILITY", None],
    })


def test_p5_s6_s7_overrides_decide_and_say_why(pol):
    out = scoring.semester_grades(ratings(), pol).set_index("staff_id")
    # A: 0.2×88 + 0.3×84 + 0.5×85 = 17.6 + 25.2 + 42.5 = 85.3 → 良好 by score, 优秀 by §6(一)
    assert out.loc["A", "composite"] == 85.3
    assert (out.loc["A", "score_grade"], out.loc["A", "grade"], out.loc["A", "grade_basis"]) == ("良好", "优秀", "override")
    assert out.loc["A", "override_code"] == "E-CLASS-NATIONAL" and "§6(一)" in out.loc["A", "override_reason"]
    # B: 19 + 27.6 + 45.5 = 92.1 → 优秀 by score, 不合格 by §7(五)
    assert out.loc["B", "composite"] == 92.1
    assert (out.loc["B", "score_grade"], out.loc["B", "grade"]) == ("优秀", "不合格")
    assert "§7(五)" in out.loc["B", "override_reason"]
    # C: both kinds apply → 不合格 wins (interpretation); the lost condition is named
    assert out.loc["C", "grade"] == "不合格" and out.loc["C", "override_code"] == "F-EXAM-MONEY"
    assert out.loc["C", "overridden_codes"] == "E-STUDENTS-PROVINCIAL"
    # D: direct 优秀 without a student rating is allowed (§6: 可以少的参考测评结果)
    assert np.isnan(out.loc["D", "composite"]) and out.loc["D", "grade"] == "优秀"
    # E: no override: 70 → 合格 by score
    assert (out.loc["E", "grade"], out.loc["E", "grade_basis"], out.loc["E", "override_code"]) == ("合格", "score", "")


def test_p5_s6_precedence_is_switchable(pol):
    p = pol.override({"appraisal.override_precedence": ["优秀", "不合格"]})
    out = scoring.semester_grades(ratings(), p).set_index("staff_id")
    assert out.loc["C", "grade"] == "优秀"


def test_p5_s7_unknown_override_code_and_missing_rating_without_override_are_errors(pol):
    bad = ratings().assign(override_codes=["E-CLASS-NATIONAL", "F-NOPE", None, None, None])
    with pytest.raises(ScoringInputError, match="F-NOPE"):
        scoring.semester_grades(bad, pol)
    no_override = ratings().assign(override_codes=None)
    with pytest.raises(ScoringInputError, match=r"row 3, column student_score: missing"):
        scoring.semester_grades(no_override, pol)


def history(rows):
    return pd.DataFrame(rows, columns=["staff_id", "semester", "grade"])


def test_p5_s8_two_consecutive_failed_semesters_remove_one_is_at_risk(pol):
    h = history([
        ("R", "2024-2025-2", "不合格"), ("R", "2025-2026-1", "不合格"),      # two in a row → remove
        ("K", "2024-2025-2", "合格"), ("K", "2025-2026-1", "不合格"),        # latest failed only → at risk
        ("O", "2024-2025-2", "不合格"), ("O", "2025-2026-1", "良好"),        # failed, then passed → ok
        ("G", "2024-2025-1", "不合格"), ("G", "2025-2026-1", "不合格"),      # gap of a semester: not consecutive
        ("T", "2024-2025-1", "不合格"), ("T", "2024-2025-2", "不合格"), ("T", "2025-2026-1", "不合格"),
    ])
    out = scoring.removal_status(h.sample(frac=1, random_state=1), pol).set_index("staff_id")
    assert out.loc["R", "removal_status"] == "remove" and out.loc["R", "consecutive_failed"] == 2
    assert out.loc["R", "first_removal_semester"] == "2025-2026-1"
    assert out.loc["K", "removal_status"] == "at_risk" and out.loc["K", "consecutive_failed"] == 1
    assert out.loc["O", "removal_status"] == "ok" and pd.isna(out.loc["O", "first_removal_semester"])
    assert out.loc["G", "removal_status"] == "at_risk"  # calendar basis: the gap breaks the run
    assert out.loc["T", "consecutive_failed"] == 3 and out.loc["T", "first_removal_semester"] == "2024-2025-2"
    by_appraisals = pol.override({"appraisal.removal.consecutive_basis": "appraisals"})
    assert scoring.removal_status(h, by_appraisals).set_index("staff_id").loc["G", "removal_status"] == "remove"


def test_p5_s8_bad_semester_labels_and_duplicates_are_errors(pol):
    with pytest.raises(ScoringInputError, match="semester"):
        scoring.removal_status(history([("A", "2025-1", "合格")]), pol)
    with pytest.raises(ScoringInputError, match="same teacher and semester"):
        scoring.removal_status(history([("A", "2025-2026-1", "合格"), ("A", "2025-2026-1", "不合格")]), pol)


def test_semester_of_period_follows_the_school_calendar():
    out = scoring.semester_of_period(pd.Series(["2025-09", "2026-01", "2026-02", "2026-06", "2026-08"]))
    assert out.tolist() == ["2025-2026-1", "2025-2026-1", "2025-2026-2", "2025-2026-2", "2025-2026-2"]


# --------------------------------------------------------------------------------------------
# Another institution's rubric: a policy file, no code change
# --------------------------------------------------------------------------------------------
OTHER_RUBRIC = """\
document:
  id: X9
  title: 某学院班主任考核细则（测试）
  effective: 2020-01-01
  provides: [appraisal]
  default: false
parameters:
  appraisal:
    sections:
      A:  {values: {2020-01-01: {max: 60, items: 6, per_item: 15}}, reference: {clause: "一", text: 工作态度}}
      B:  {values: {2020-01-01: {max: 40, items: 2, per_item: 25}}, reference: {clause: "二", text: 班级管理}}
    section_floor: {values: {2020-01-01: 0}, reference: {clause: "一", text: 扣完为止}}
    clip_score: {values: {2020-01-01: true}, reference: {clause: "三", text: 总分不超过100分}}
    grade_bands:
      values: {2020-01-01: {A等: 85, B等: 70, C等: 50, D等: -.inf}}
      reference: {clause: "四", text: 分四等}
    composite_weights:
      values: {2020-01-01: {self: 0.1, student: 0.4, college: 0.5}}
      reference: {clause: "五", text: 自评10%，学生40%，学院50%}
    rating_scale: {values: {2020-01-01: 100}, reference: {clause: "五", text: 百分制}}
    override_precedence: {values: {2020-01-01: [D等, A等]}, reference: {clause: "六", text: 一票否决优先}}
    removal:
      consecutive_failed_semesters: {values: {2020-01-01: 1}, reference: {clause: "七", text: 一次D等即调离}}
      failing_grade: {values: {2020-01-01: D等}, reference: {clause: "七", text: D等}}
      consecutive_basis: {values: {2020-01-01: calendar}, reference: {clause: "七", text: 连续}}
    allowance:
      monthly:
        values: {2020-01-01: {A等: 900.0, B等: 700.0, C等: 500.0, D等: 0.0}}
        reference: {clause: "八", text: 津贴}
    direct_grade:
      X-VETO: {values: {2020-01-01: D等}, reference: {clause: "六", text: 师德一票否决}}
    bonus:
      X-PRIZE: {values: {2020-01-01: {points: 7}}, reference: {clause: "九", text: 获奖加7分}}
    deduction:
      X-ABSENT: {values: {2020-01-01: {points: 12, forfeits_allowance: true}}, reference: {clause: "十", text: 缺勤扣12分并扣津贴}}
"""


def test_another_institutions_rubric_is_a_policy_file_not_code(tmp_path):
    path = tmp_path / "x9_rubric.yaml"
    path.write_text(OTHER_RUBRIC, encoding="utf-8")
    other = policy.load(AS_OF, variant={"appraisal": "X9"}, extra_files=[path])
    assert list(scoring.sections(other)["column"]) == ["fail_a", "fail_b"]
    it = pd.DataFrame({"staff_id": ["P", "Q", "R"], "period": ["2025-09"] * 3,
                       "fail_a": [0, 1, 4], "fail_b": [0, 1, 2]})
    ev = pd.DataFrame({"staff_id": ["P", "Q"], "period": ["2025-09"] * 2, "code": ["X-PRIZE", "X-ABSENT"],
                       "count": [1, 1]})
    out = scoring.monthly_appraisal(it, ev, other).set_index("staff_id")
    # P: 60 + 40 = 100, + 7 = 107 → clipped to 100 (this rubric caps) → A等 900
    # Q: (60 − 15) + (40 − 25) = 60, − 12 = 48 → D等, forfeited → 0
    # R: 60 − 60 = 0; B: 40 − 50 → floored 0; base 0 → D等
    assert out["base_score"].tolist() == [100, 60, 0]
    assert out["score"].tolist() == [100, 48, 0]
    assert out["grade"].astype(str).tolist() == ["A等", "D等", "D等"]
    assert out["allowance"].tolist() == [900.0, 0.0, 0.0]
    # P5 codes do not exist in this rubric; its own codes do not exist in P5
    with pytest.raises(ScoringInputError, match="D-LATE"):
        scoring.event_points(ev.assign(code=["D-LATE", "X-ABSENT"]), other)
    with pytest.raises(ScoringInputError, match="X-PRIZE"):
        scoring.event_points(ev, policy.load(AS_OF))
    # composite 0.1 × 80 + 0.4 × 90 + 0.5 × 70 = 8 + 36 + 35 = 79 → B等
    assert scoring.composite(80, 90, 70, policy=other) == 79
    assert scoring.grade(79, policy=other) == "B等"
    # removal after ONE failed semester in this rubric
    h = history([("Z", "2025-2026-1", "D等")])
    assert scoring.removal_status(h, other)["removal_status"].tolist() == ["remove"]
    # the default is still P5
    assert scoring.grade(79, policy=policy.load(AS_OF)) == "合格"


# --------------------------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------------------------
finite_scores = st.floats(min_value=-200, max_value=300, allow_nan=False, allow_infinity=False)
ORDER = {"不合格": 0, "合格": 1, "良好": 2, "优秀": 3}


@settings(max_examples=200, deadline=None)
@given(a=finite_scores, b=finite_scores)
def test_property_grade_is_monotone_in_score(a, b):
    pol = POL
    lo, hi = sorted((a, b))
    assert ORDER[scoring.grade(lo, policy=pol)] <= ORDER[scoring.grade(hi, policy=pol)]


fail_counts = st.fixed_dictionaries({
    "fail_s1": st.integers(0, 4), "fail_s2a": st.integers(0, 4), "fail_s2b": st.integers(0, 8),
    "fail_s2c": st.integers(0, 4), "fail_s2d": st.integers(0, 5), "fail_s3": st.integers(0, 3),
})


@settings(max_examples=150, deadline=None)
@given(fails=fail_counts, bonus=st.integers(0, 30), extra=st.integers(1, 20), deduction=st.integers(0, 150))
def test_property_adding_a_bonus_never_lowers_the_grade(fails, bonus, extra, deduction):
    pol = POL
    df = pd.DataFrame([fails, fails]).assign(bonus=[bonus, bonus + extra], deduction=deduction)
    out = scoring.appraisal_scores(df, pol)
    g = out["grade"].astype(str).tolist()
    assert ORDER[g[1]] >= ORDER[g[0]]
    assert out["score"].iloc[1] - out["score"].iloc[0] == extra


@settings(max_examples=150, deadline=None)
@given(fails=fail_counts)
def test_property_section_scores_stay_within_zero_and_max(fails):
    pol = POL
    secs = scoring.section_scores(pd.DataFrame([fails]), pol).iloc[0]
    maxima = scoring.sections(pol).set_index("section")["section_max"]
    for sec, mx in maxima.items():
        assert 0 <= secs[f"score_{sec.lower()}"] <= mx


# --------------------------------------------------------------------------------------------
# The policy file quotes the seed verbatim
# --------------------------------------------------------------------------------------------
def _fragments(text: str) -> list[str]:
    return [f.strip() for f in re.split(r"…", text) if f.strip()]


def test_p5_policy_texts_are_verbatim_quotes_of_the_seed():
    if not SEED.exists():
        pytest.skip("seed documents not available on this machine")
    seed = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    doc = policy.read_document(POLICY_DIR / "p5_datong_appraisal.yaml")
    checked = 0
    for path, p in doc.parameters.items():
        if p.document != "P5":
            continue  # planning assumptions cite the spec
        for frag in _fragments(p.text):
            assert re.sub(r"\s+", "", frag) in seed, f"{path}: {frag!r} not in the seed"
            checked += 1
    assert checked > 60


# --------------------------------------------------------------------------------------------
# Sample data: planted boundary cases land where they should
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_tables():
    import staffcalc.sample as sample
    return sample.generate(seed=11, n_staff=800)


def test_sample_has_at_least_200_class_teachers_over_ten_months(sample_tables):
    roster = sample_tables["class_teachers"]
    items_ = sample_tables["appraisal_items"]
    assert len(roster) >= 200 and roster["staff_id"].isin(sample_tables["staff"]["staff_id"]).all()
    assert sorted(items_["period"].unique()) == ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02",
                                                 "2026-03", "2026-04", "2026-05", "2026-06"]
    assert len(items_) == 10 * len(roster)


def test_sample_monthly_boundaries_and_overrides(sample_tables, pol):
    m = scoring.monthly_appraisal(sample_tables["appraisal_items"], sample_tables["appraisal_events"], pol)
    scores_ = set(m["score"])
    assert {90.0, 89.0, 80.0, 60.0, 59.0} <= scores_          # both sides of 90, 80 and 60
    assert m["score"].max() > 100 and m["score"].min() < 0   # raw: no cap, no floor
    assert ((m["fail_s2c"] == 4) & (m["base_score"] == 75)).any()  # S2c and S3 floors planted together
    assert m["allowance_forfeited"].sum() >= 2
    # realistic: most teacher-months are 优秀 or 良好, a few 不合格
    shares = m["grade"].astype(str).value_counts(normalize=True)
    assert shares["优秀"] + shares["良好"] > 0.6 and 0 < shares["不合格"] < 0.1
    s = scoring.semester_grades(sample_tables["semester_ratings"], pol)
    assert {90.0, 89.5, 60.0, 59.99} <= set(s["composite"].dropna())
    assert (s["grade_basis"] == "override").sum() >= 4 and (s["overridden_codes"] != "").any()
    status = scoring.removal_status(s, pol)["removal_status"].value_counts()
    assert status.get("remove", 0) >= 3 and status.get("at_risk", 0) >= 2


def test_sample_is_deterministic():
    import staffcalc.sample as sample
    a = sample.generate(seed=3, n_staff=700)
    b = sample.generate(seed=3, n_staff=700)
    for kind in ("appraisal_items", "appraisal_events", "semester_ratings", "recruitment_candidates"):
        pd.testing.assert_frame_equal(a[kind], b[kind])
