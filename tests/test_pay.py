"""Pay during study, refunds and breach liability (spec §8.3–§8.5, §8.8–§8.10; P1 §7, §10, §11, §15).

Monthly pay used in the hand-worked cases (yuan):
    basic_salary 5000, allowances 2000                    -> continuing 7000 a month
    award_performance 1500, basic_performance_bonus 1000,
    campus_performance 800, welfare 200                   -> withheld in full release 3500 a month
    full pay 10500 a month = 126000 a year; continuing 84000 a year; withheld part 42000 a year.
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staffcalc import pay, policy

PAY = {"basic_salary": 5000.0, "allowances": 2000.0, "award_performance": 1500.0,
       "basic_performance_bonus": 1000.0, "campus_performance": 800.0, "welfare": 200.0}
FULL_YEAR = 126000.0      # 12 * 10500
CONTINUING_YEAR = 84000.0  # 12 * (5000 + 2000)
WITHHELD_YEAR = 42000.0   # 12 * (1500 + 1000 + 800 + 200)


P1 = policy.load("2026-09-01")


@pytest.fixture(scope="module")
def p1():
    return P1


def rows(*specs):
    """specs: dicts overriding a default row (full release, agreement, nothing on post)."""
    base = {"mode": "full_release", "months_on_post": 0, "workload_share": 0.0, "appraisal_passed": True,
            "agreement_signed": True, **PAY}
    return pd.DataFrame([{**base, **s} for s in specs])


def one(p, **spec):
    return pay.study_leave_year(rows(spec), policy=p).iloc[0]


# --- P1 §7.2 full release -------------------------------------------------------------------
def test_p1_s7_2_full_release_withholds_performance_and_welfare(p1):
    r = one(p1)
    assert r["paid"] == CONTINUING_YEAR       # 12 * (5000 + 2000) = 84000
    assert r["withheld"] == WITHHELD_YEAR     # 12 * 3500 = 42000
    assert r["flags"] == ""


def test_p1_s7_2_withheld_components_are_policy_data(p1):
    # What-if: allowances withheld as well -> paid 12 * 5000 = 60000, withheld 126000 - 60000 = 66000
    what_if = p1.override({"study_leave.pay.withheld_components":
                           ["allowances", "award_performance", "basic_performance_bonus",
                            "campus_performance", "welfare"]})
    r = one(what_if)
    assert (r["paid"], r["withheld"]) == (60000.0, 66000.0)


# --- P1 §10.11 restoration: 含6个月 and ≥50%, both or nothing --------------------------------
def test_p1_s10_11_six_months_on_post_restores(p1):
    r = one(p1, months_on_post=6, workload_share=0.50)
    assert r["paid"] == 84000.0 + 6 * 3500.0  # 105000: performance pay for the 6 months on post
    assert r["withheld"] == 6 * 3500.0        # 21000 for the 6 months away
    assert r["flags"] == "restored"


def test_p1_s10_11_five_months_on_post_restores_nothing(p1):
    r = one(p1, months_on_post=5, workload_share=0.50)
    assert (r["paid"], r["withheld"]) == (CONTINUING_YEAR, WITHHELD_YEAR)
    assert r["flags"] == "restoration_not_met"


def test_p1_s10_11_workload_50_percent_restores_49_does_not(p1):
    at, below = pay.study_leave_year(rows({"months_on_post": 8, "workload_share": 0.50},
                                          {"months_on_post": 8, "workload_share": 0.49}), policy=p1)["paid"]
    assert at == 84000.0 + 8 * 3500.0          # 112000
    assert below == CONTINUING_YEAR


def test_p1_s10_11_whole_year_on_post_is_full_pay(p1):
    r = one(p1, months_on_post=12, workload_share=1.0)
    assert (r["paid"], r["withheld"]) == (FULL_YEAR, 0.0)


def test_p1_s10_11_share_computed_from_hours_sits_on_the_boundary(p1):
    # 160 of 320 hours = 0.5 and 0.1 * 5 = 0.5000000000000001 both count as 50%;
    # 0.4999999 (0.49999990) stays below.
    df = rows({"months_on_post": 6, "workload_share": 160 / 320},
              {"months_on_post": 6, "workload_share": 0.1 * 5},
              {"months_on_post": 6, "workload_share": 0.4999999})
    assert pay.study_leave_year(df, policy=p1)["paid"].tolist() == [105000.0, 105000.0, 84000.0]


# --- P1 §6.2 / §7.3 partial release ----------------------------------------------------------
def test_p1_s7_3_partial_at_70_percent_paid_as_on_post(p1):
    r = one(p1, mode="partial", months_on_post=12, workload_share=0.70)
    assert (r["paid"], r["withheld"], r["flags"]) == (FULL_YEAR, 0.0, "")


def test_p1_s7_3_partial_at_69_percent_withholds_as_full_release_by_default(p1):
    r = one(p1, mode="partial", months_on_post=12, workload_share=0.69)
    assert (r["paid"], r["withheld"]) == (CONTINUING_YEAR, WITHHELD_YEAR)
    assert r["flags"] == "partial_below_workload"
    assert p1.param("study_leave.pay.partial_below_requirement").interpretation


def test_p1_s7_3_partial_failed_appraisal_withholds_and_flags(p1):
    r = one(p1, mode="partial", workload_share=0.9, appraisal_passed=False)
    assert (r["paid"], r["withheld"], r["flags"]) == (CONTINUING_YEAR, WITHHELD_YEAR, "partial_appraisal_failed")


def test_p1_s7_3_partial_interpretation_switch_pays_as_on_post(p1):
    alt = p1.override({"study_leave.pay.partial_below_requirement": "paid_as_on_post"})
    r = one(alt, mode="partial", workload_share=0.69, appraisal_passed=False)
    assert (r["paid"], r["withheld"]) == (FULL_YEAR, 0.0)
    assert r["flags"] == "partial_below_workload;partial_appraisal_failed"  # still flagged


def test_p1_s7_3_partial_ignores_months_on_post(p1):
    r = one(p1, mode="partial", months_on_post=None, workload_share=0.8)
    assert r["paid"] == FULL_YEAR


# --- P1 §10.5 no agreement --------------------------------------------------------------------
def test_p1_s10_5_no_agreement_full_release_gets_nothing_by_default(p1):
    # not_granted: basic salary and allowances withheld too, and no restoration
    r = one(p1, agreement_signed=False, months_on_post=6, workload_share=0.6)
    assert (r["paid"], r["withheld"]) == (0.0, FULL_YEAR)
    assert r["flags"] == "no_agreement"


def test_p1_s10_5_no_agreement_partial_loses_on_post_treatment(p1):
    r = one(p1, mode="partial", agreement_signed=False, workload_share=0.9)
    assert (r["paid"], r["withheld"]) == (CONTINUING_YEAR, WITHHELD_YEAR)
    assert r["flags"] == "no_agreement"


def test_p1_s10_5_no_agreement_switch_granted_pays_as_with_agreement(p1):
    alt = p1.override({"study_leave.pay.no_agreement": "granted"})
    r = one(alt, agreement_signed=False, months_on_post=6, workload_share=0.6)
    assert (r["paid"], r["withheld"]) == (105000.0, 21000.0)   # as the restored case above
    assert r["flags"] == "no_agreement;restored"


# --- P1 §15.3 further study --------------------------------------------------------------------
def test_p1_s15_3_further_study_pay_unchanged_without_agreement_rule(p1):
    r = one(p1, mode="further_study", months_on_post=None, workload_share=None, appraisal_passed=None,
            agreement_signed=None)
    assert (r["paid"], r["withheld"], r["flags"]) == (FULL_YEAR, 0.0, "")


# --- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("spec, column", [
    ({"mode": "sabbatical"}, "mode"),
    ({"months_on_post": 13}, "months_on_post"),
    ({"months_on_post": 5.5}, "months_on_post"),
    ({"months_on_post": None}, "months_on_post"),
    ({"workload_share": 1.2}, "workload_share"),
    ({"workload_share": -0.1}, "workload_share"),
    ({"agreement_signed": None}, "agreement_signed"),
    ({"agreement_signed": "maybe"}, "agreement_signed"),
    ({"welfare": -1.0}, "welfare"),
    ({"basic_salary": "abc"}, "basic_salary"),
    ({"basic_salary": math.inf}, "basic_salary"),
])
def test_study_leave_year_rejects_bad_input_naming_row_and_column(p1, spec, column):
    df = rows({}, {}, spec)
    with pytest.raises(ValueError, match=rf"row 2, column {column}: .+ / "):
        pay.study_leave_year(df, policy=p1)


def test_study_leave_year_missing_column_is_an_error(p1):
    with pytest.raises(ValueError, match="welfare"):
        pay.study_leave_year(rows({}).drop(columns="welfare"), policy=p1)


def test_study_leave_year_keeps_index_and_input_columns(p1):
    df = rows({}, {"mode": "partial", "workload_share": 0.8}).set_axis(["a", "b"])
    out = pay.study_leave_year(df, policy=p1)
    assert list(out.index) == ["a", "b"] and "paid" not in df.columns
    assert out.loc["b", "paid"] == FULL_YEAR


# --- property: every rule only moves money between paid and withheld -----------------------------
money = st.floats(min_value=0, max_value=50000, allow_nan=False)
row = st.fixed_dictionaries({
    "mode": st.sampled_from(["full_release", "partial", "further_study"]),
    "months_on_post": st.integers(0, 12),
    "workload_share": st.floats(0, 1),
    "appraisal_passed": st.booleans(),
    "agreement_signed": st.booleans(),
    **{c: money for c in PAY},
})


@settings(max_examples=60, deadline=None)
@given(st.lists(row, min_size=1, max_size=30), st.sampled_from(["not_granted", "granted"]),
       st.sampled_from(["withhold_as_full_release", "paid_as_on_post"]))
def test_property_paid_plus_withheld_is_full_pay(specs, no_agreement, partial_rule):
    p = P1.override({"study_leave.pay.no_agreement": no_agreement,
                     "study_leave.pay.partial_below_requirement": partial_rule})
    df = pd.DataFrame(specs)
    out = pay.study_leave_year(df, policy=p)
    full = 12 * df[list(PAY)].sum(axis=1)
    np.testing.assert_allclose(out["paid"] + out["withheld"], full, rtol=1e-12, atol=1e-6)
    assert (out["paid"] >= 0).all() and (out["withheld"] >= 0).all()
    # With an agreement, basic salary and allowances are always paid and only the §7.2 components
    # can be withheld.
    signed = df["agreement_signed"] | (df["mode"] == "further_study")
    continuing = 12 * (df["basic_salary"] + df["allowances"])
    assert (out.loc[signed, "paid"] >= continuing[signed] * (1 - 1e-12)).all()
    assert (out.loc[signed, "withheld"] <= (full - continuing)[signed] * (1 + 1e-12) + 1e-6).all()


# --- P1 §10.8 refunds ------------------------------------------------------------------------------
def test_p1_s10_8_refund_for_listed_causes_only(p1):
    # 7000 a month of basic salary + allowances paid over 10 study months = 70000
    causes = ["host_rules", "other_employment", "judicial_penalty", "other", None]
    out = pay.refund_due([7000.0] * 5, [10] * 5, causes, policy=p1)
    assert out.tolist() == [70000.0, 70000.0, 70000.0, 0.0, 0.0]
    assert pay.refund_due(7000.0, 10, "host_rules", policy=p1) == 70000.0


def test_p1_s10_8_refund_rejects_negative_months(p1):
    with pytest.raises(ValueError, match="negative"):
        pay.refund_due(7000.0, -1, "host_rules", policy=p1)


# --- P1 §11 breach liability (pro rata assumption, spec §8.9) -------------------------------------
def test_p1_s11_breach_liability_pro_rata(p1):
    # 96000 refundable: served 24 of 96 months -> 96000 * 72 / 96 = 72000
    assert pay.breach_liability(96000.0, 24, policy=p1) == 72000.0
    assert pay.breach_liability(96000.0, 0, policy=p1) == 96000.0
    assert pay.breach_liability(96000.0, 95, policy=p1) == 1000.0   # 96000 * 1 / 96
    assert pay.breach_liability(96000.0, 96, policy=p1) == 0.0
    assert pay.breach_liability(96000.0, 120, policy=p1) == 0.0


def test_p1_s11_breach_liability_required_months_argument(p1):
    # spec §9 signature: required_months=96 explicitly gives the same; 48 months: 96000 * 24 / 48 = 48000
    assert pay.breach_liability(96000.0, 24, required_months=96, policy=p1) == 72000.0
    assert pay.breach_liability(96000.0, 24, 48, policy=p1) == 48000.0


def test_p1_s11_breach_liability_follows_policy_service_years(p1):
    # min_years 10 -> 120 months: 120000 * (120 - 60) / 120 = 60000
    assert pay.breach_liability(120000.0, 60, policy=p1.override({"study_leave.service.min_years": 10})) == 60000.0


def test_p1_s11_breach_formula_full_assumption(p1):
    alt = p1.override({"study_leave.service.breach_formula": "full"})
    assert pay.breach_liability(np.array([50000.0, 50000.0]), np.array([95, 96]), policy=alt).tolist() == [50000.0, 0.0]


def test_breach_liability_shapes(p1):
    s = pd.Series([0, 48, 96], index=["x", "y", "z"])
    out = pay.breach_liability(9600.0, s, policy=p1)
    assert isinstance(out, pd.Series) and out.to_dict() == {"x": 9600.0, "y": 4800.0, "z": 0.0}
    assert isinstance(pay.breach_liability(9600.0, 48, policy=p1), float)


@pytest.mark.parametrize("refundable, served", [(-1.0, 10), (100.0, -1), (math.nan, 10), (100.0, math.inf)])
def test_breach_liability_rejects_bad_input(p1, refundable, served):
    with pytest.raises(ValueError, match="breach_liability"):
        pay.breach_liability(refundable, served, policy=p1)


@settings(max_examples=100, deadline=None)
@given(st.floats(0, 1e7), st.integers(0, 200), st.integers(0, 200))
def test_property_liability_non_increasing_and_zero_at_96(refundable, a, b):
    lo, hi = min(a, b), max(a, b)
    assert pay.breach_liability(refundable, hi, policy=P1) <= pay.breach_liability(refundable, lo, policy=P1)
    assert pay.breach_liability(refundable, max(hi, 96), policy=P1) == 0.0
    assert 0.0 <= pay.breach_liability(refundable, lo, policy=P1) <= refundable


# --- P1 §9, §10.11, §15.1: the appraisal while studying, derived ---------------------------------
def test_p1_s9_1_partial_release_graded_on_the_work_done(p1):
    # work_appraisal given, appraisal_passed empty: the grade of the work done decides §7.3 pay
    out = pay.study_leave_year(rows(
        {"mode": "partial", "workload_share": 0.8, "appraisal_passed": None, "work_appraisal": "合格"},
        {"mode": "partial", "workload_share": 0.8, "appraisal_passed": None, "work_appraisal": "不合格"}), policy=p1)
    assert out["appraisal_grade"].tolist() == ["合格", "不合格"]
    assert out["appraisal_basis"].tolist() == ["work_done", "work_done"]
    assert out["appraisal_result_passed"].tolist() == [1.0, 0.0]
    assert out["paid"].tolist() == [FULL_YEAR, CONTINUING_YEAR]     # 126000 as on post; 84000 withheld 42000
    assert out["flags"].tolist() == ["", "partial_appraisal_failed"]


@pytest.mark.parametrize("grade, passed", [("优秀", True), ("良好", True), ("合格", True), ("基本合格", False),
                                           ("不合格", False)])
def test_p1_s7_3_which_grades_pass(p1, grade, passed):
    # 合格者 = 合格 or better: 合格 passes, 基本合格 (the grade below) does not
    r = one(p1, mode="partial", workload_share=0.8, appraisal_passed=None, work_appraisal=grade)
    assert r["appraisal_result_passed"] == float(passed)
    assert r["paid"] == (FULL_YEAR if passed else CONTINUING_YEAR)


def test_p1_s7_3_basic_pass_is_an_interpretation(p1):
    prm = p1.param("study_leave.appraisal.grades")
    assert prm.interpretation and prm.clause == "§7.3"
    alt = p1.override({"study_leave.appraisal.grades": prm.alternative_value})
    r = one(alt, mode="partial", workload_share=0.8, appraisal_passed=None, work_appraisal="基本合格")
    assert (r["appraisal_result_passed"], r["paid"]) == (1.0, FULL_YEAR)


def test_p1_s9_2_full_release_has_no_grade_and_pay_is_unchanged(p1):
    # 不确定年度考核等次: no grade even if one is given for the work; pay as §7.2
    r = one(p1, appraisal_passed=None, work_appraisal="优秀")
    assert (r["appraisal_grade"], r["appraisal_basis"]) == ("", "not_graded")
    assert np.isnan(r["appraisal_result_passed"])
    assert (r["paid"], r["withheld"], r["flags"]) == (CONTINUING_YEAR, WITHHELD_YEAR, "")


@pytest.mark.parametrize("months, basis, grade", [(6, "restored", "优秀"), (5, "not_graded", "")])
def test_p1_s10_11_restored_full_release_is_appraised_normally(p1, months, basis, grade):
    # 含6个月 + ≥50% → 正常参加年度考核 on the work done; 5 months → still no grade
    r = one(p1, months_on_post=months, workload_share=0.5, appraisal_passed=None, work_appraisal="优秀")
    assert (r["appraisal_basis"], r["appraisal_grade"]) == (basis, grade)


@pytest.mark.parametrize("fact", ["violation", "courses_failed"])
def test_p1_s9_3_violation_or_failed_courses_make_it_buhege(p1, fact):
    # partial, 90% workload, work graded 优秀, but a §9.3 fact → 不合格 → full-release components withheld
    r = one(p1, mode="partial", workload_share=0.9, appraisal_passed=True, work_appraisal="优秀", **{fact: True})
    assert (r["appraisal_grade"], r["appraisal_basis"], r["appraisal_result_passed"]) == ("不合格", "misconduct", 0.0)
    assert (r["paid"], r["withheld"]) == (CONTINUING_YEAR, WITHHELD_YEAR)
    assert r["flags"] == "partial_appraisal_failed;appraisal_misconduct;appraisal_given_differs"
    # the other side: the fact absent → 优秀, paid as on post
    r = one(p1, mode="partial", workload_share=0.9, appraisal_passed=True, work_appraisal="优秀", **{fact: False})
    assert (r["appraisal_grade"], r["paid"], r["flags"]) == ("优秀", FULL_YEAR, "")
    # full release: graded 不合格 too (§9.3 overrides §9.2), pay unchanged
    r = one(p1, appraisal_passed=None, **{fact: True})
    assert (r["appraisal_grade"], r["paid"], r["flags"]) == ("不合格", CONTINUING_YEAR, "appraisal_misconduct")


def test_p1_s9_derived_appraisal_wins_over_appraisal_passed_and_is_flagged(p1):
    out = pay.study_leave_year(rows(
        {"mode": "partial", "workload_share": 0.8, "appraisal_passed": True, "work_appraisal": "不合格"},
        {"mode": "partial", "workload_share": 0.8, "appraisal_passed": False, "work_appraisal": "合格"},
        {"mode": "partial", "workload_share": 0.8, "appraisal_passed": True, "work_appraisal": "合格"},
        {"mode": "partial", "workload_share": 0.8, "appraisal_passed": False}), policy=p1)
    assert out["paid"].tolist() == [CONTINUING_YEAR, FULL_YEAR, FULL_YEAR, CONTINUING_YEAR]
    assert out["flags"].tolist() == ["partial_appraisal_failed;appraisal_given_differs", "appraisal_given_differs",
                                     "", "partial_appraisal_failed"]
    assert out["appraisal_basis"].tolist() == ["work_done", "work_done", "work_done", "given"]  # last: as before


def test_p1_s9_partial_release_needs_some_appraisal(p1):
    with pytest.raises(pay.StudyLeaveInputError, match="appraisal_passed.*missing"):
        pay.study_leave_year(rows({"mode": "partial", "workload_share": 0.8, "appraisal_passed": None}), policy=p1)
    with pytest.raises(pay.StudyLeaveInputError, match="row 0, column work_appraisal.*unknown_grade"):
        pay.study_leave_year(rows({"mode": "partial", "workload_share": 0.8, "work_appraisal": "很好"}), policy=p1)


def test_p1_s15_1_further_study_appraisal_from_the_host_evaluation(p1):
    out = pay.study_leave_year(rows(
        {"mode": "further_study", "appraisal_passed": None, "host_evaluation": "良好"},
        {"mode": "further_study", "appraisal_passed": None, "host_evaluation": "不合格"},
        {"mode": "further_study", "appraisal_passed": None}), policy=p1)
    assert out["appraisal_grade"].tolist() == ["良好", "不合格", ""]
    assert out["appraisal_basis"].tolist() == ["host_evaluation", "host_evaluation", "given"]
    assert out["appraisal_result_passed"].tolist()[:2] == [1.0, 0.0] and np.isnan(out["appraisal_result_passed"][2])
    assert out["paid"].tolist() == [FULL_YEAR] * 3     # §15.3 工资和福利待遇不变, whatever the evaluation


# --- P1 §16: further-study costs -------------------------------------------------------------------
def test_p1_s16_approved_costs_reimbursed_unless_abandoned_or_self_funded(p1):
    df = pd.DataFrame({
        "mode": ["further_study"] * 5 + ["full_release"],
        "approved_costs": [8000.0, 8000.0, 8000.0, None, 8000.0, 8000.0],
        "college_selected": [True, True, False, True, None, True],
        "terminated_without_reason": [False, True, False, False, None, False],
    })
    out = pay.further_study_reimbursement(df, policy=p1)
    # selected and finished → 8000; 擅自终止 → 0; 自费 → 0; nothing approved → 0; empty cells read as
    # selected / not terminated → 8000; degree study → 0 (its costs are costs_paid)
    assert out["reimbursed"].tolist() == [8000.0, 0.0, 0.0, 0.0, 8000.0, 0.0]
    assert out["flags"].tolist() == ["", "further_study_not_reimbursed", "further_study_self_funded", "", "", ""]
    what_if = p1.override({"study_leave.further_study.terminated_without_reason_reimbursed": True,
                           "study_leave.further_study.reimburse_self_funded": True})
    assert pay.further_study_reimbursement(df, policy=what_if)["reimbursed"].tolist()[:3] == [8000.0] * 3
    with pytest.raises(pay.StudyLeaveInputError, match="approved_costs.*negative"):
        pay.further_study_reimbursement(df.assign(approved_costs=-1.0), policy=p1)


def test_p1_study_leave_policy_texts_are_verbatim_quotes_of_the_seed():
    import re
    from pathlib import Path
    seed_file = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_3704eb0f9b46b53f.txt"
    if not seed_file.exists():
        pytest.skip("seed documents not available on this machine")
    seed = re.sub(r"\s+", "", seed_file.read_text(encoding="utf-8"))
    doc = policy.read_document(Path(pay.__file__).parent / "policies" / "p1_alashan_study_leave.yaml")
    checked = 0
    for path, p in doc.parameters.items():
        if p.document != "P1":
            continue  # planning assumptions cite the spec
        for frag in [f for f in p.text.split("…") if f.strip()]:
            assert re.sub(r"\s+", "", frag) in seed, f"{path}: {frag!r} not in the seed"
            checked += 1
    assert checked >= 20
