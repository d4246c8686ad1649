"""The input checks shared by the calculations (staffcalc.checks).

Every bad input names the row (index label), the column and the rule, in English and Chinese, and
raises the calling module's own subclass of RuleInputError (a ValueError).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from staffcalc import pay, policy, quotas, review, scoring
from staffcalc.checks import (
    FALSE_WORDS,
    MAX_LISTED,
    TRUE_WORDS,
    RuleInputError,
    booleans,
    check,
    dates,
    in_range,
    integer_counts,
    integers,
    list_rows,
    numeric,
    policy_or_default,
    require_columns,
)
from staffcalc.eligibility import EligibilityError
from staffcalc.pay import StudyLeaveInputError
from staffcalc.quotas import QuotaError
from staffcalc.review import ReviewError
from staffcalc.scoring import ScoringInputError

POL = policy.load("2026-09-01")


def raised(fn, *args, **kwargs) -> RuleInputError:
    with pytest.raises(RuleInputError) as exc:
        fn(*args, **kwargs)
    return exc.value


# --------------------------------------------------------------------------------------------
# listing rows and the message
# --------------------------------------------------------------------------------------------
def test_list_rows_shows_the_first_rows_and_counts_the_rest():
    assert list_rows([7, 9]) == "7, 9"
    assert list_rows([7, 9, 11, 12, 13], limit=2) == "7, 9 (+3 more)"
    assert list_rows(range(MAX_LISTED)) == ", ".join(map(str, range(MAX_LISTED)))        # exactly the limit
    assert list_rows(range(MAX_LISTED + 1)).endswith(f"{MAX_LISTED - 1} (+1 more)")     # one over it


def test_check_names_row_column_rule_and_value_in_english_and_chinese():
    df = pd.DataFrame({"fail_s2b": [0, 9, 3]}, index=[5, 7, 8])
    err = raised(check, df["fail_s2b"].to_numpy() > 8, df.index, "fail_s2b", "more_failed_than_items",
                 "more failed items than section S2b has (8)", "不合格项数超过该部分项数", df["fail_s2b"].to_numpy())
    msg = str(err)
    assert msg.startswith("row 7, column fail_s2b: more failed items than section S2b has (8) / 不合格项数超过该部分项数")
    assert "(value / 值: 9)" in msg and msg.endswith("[rule more_failed_than_items]")
    assert (err.rows, err.column, err.rule) == ([7], "fail_s2b", "more_failed_than_items")
    assert isinstance(err, ValueError)


def test_check_passes_when_no_row_is_bad_and_fails_on_one():
    check(np.array([False, False]), [0, 1], "x", "r", "en", "中文")  # nothing raised
    check(np.array([], dtype=bool), [], "x", "r", "en", "中文")
    with pytest.raises(RuleInputError, match=r"^row 1, column x: en / 中文 \[rule r\]$"):
        check(np.array([False, True]), [0, 1], "x", "r", "en", "中文")


def test_check_lists_at_most_max_listed_rows_but_keeps_them_all():
    n = MAX_LISTED + 3
    err = raised(check, np.ones(n, bool), [f"T{i}" for i in range(n)], "score", "r", "en", "中文", np.arange(n))
    assert f"T{MAX_LISTED - 1} (+3 more), column score" in str(err)
    assert f"T{MAX_LISTED}," not in str(err)
    assert len(err.rows) == n and err.rows[-1] == f"T{n - 1}"
    assert "…" in str(err)  # the values are cut at the same place


def test_check_scalar_mask_positions_table_and_error_class():
    with pytest.raises(QuotaError, match=r"^table staff, row 0, column post_level: above 12 / 岗位等级超出范围"):
        check(True, None, "post_level", "level_range", "above 12", "岗位等级超出范围", table="staff", error=QuotaError)


def test_require_columns_names_the_missing_ones():
    df = pd.DataFrame({"a": [1]})
    require_columns(df, ["a"], "t")
    err = raised(require_columns, df, ["a", "b", "c"], "table t")
    assert "table t: missing column(s) ['b', 'c'] / 缺少必需的列" in str(err)
    assert (err.column, err.rule) == ("b", "missing_column")


# --------------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------------
def test_numeric_accepts_numbers_and_numeric_text():
    df = pd.DataFrame({"x": ["1.5", "2", "-3"]})
    assert numeric(df, "x").tolist() == [1.5, 2.0, -3.0]


@pytest.mark.parametrize("value, rule, text", [
    ("abc", "not_numeric", "not a number / 不是数值"),
    (np.inf, "not_finite", "not a finite number / 不是有限数值"),
    (np.nan, "missing", "missing: a value is required / 数值缺失"),
])
def test_numeric_rejects_text_infinity_and_missing(value, rule, text):
    df = pd.DataFrame({"x": [1.0, value]}, index=["a", "b"])
    err = raised(numeric, df, "x")
    assert str(err).startswith(f"row b, column x: {text}") and err.rule == rule and err.rows == ["b"]


def test_numeric_rejects_yes_no_values():
    err = raised(numeric, pd.DataFrame({"x": [True, False]}), "x")
    assert "expected numbers, got yes/no values / 应为数值" in str(err) and err.column == "x"


def test_numeric_missing_default_and_required_rows():
    df = pd.DataFrame({"x": [1.0, np.nan, np.nan]})
    assert np.isnan(numeric(df, "x", missing=np.nan)[1:]).all()
    assert numeric(df, "x", missing=0.0).tolist() == [1.0, 0.0, 0.0]
    # required where the mask is true: row 2 is required, row 1 not
    err = raised(numeric, df, "x", missing=np.nan, required=np.array([False, False, True]))
    assert err.rows == [2] and err.rule == "missing"
    assert np.isnan(numeric(df, "x", missing=np.nan, required=np.array([True, False, False]))[1])


@pytest.mark.parametrize("value, rule, text", [
    (1.5, "not_integer", "not a whole number / 须为整数"),
    (-1, "negative", "must not be negative (below 0) / 不能为负"),
    (np.nan, "missing", "missing"),
    ("x", "not_numeric", "not a number"),
])
def test_integers_reject_fractions_negatives_missing_and_text(value, rule, text):
    err = raised(integers, pd.Series([3, value], index=["p", "q"], dtype=object), "count")
    assert str(err).startswith(f"row q, column count: {text}") and err.rule == rule


def test_integers_minimum_both_sides_and_shapes():
    assert integers(0, "n").tolist() == 0 and integers(0, "n").shape == ()       # 0 ≥ 0 allowed
    assert integers([1, 2], "n", minimum=1).tolist() == [1, 2]                      # 1 ≥ 1 allowed
    err = raised(integers, [1, 0], "members", minimum=1)                            # 0 < 1
    assert str(err).startswith("row 1, column members: must not be below 1 / 不能小于1")
    assert integers([-5], "delta", minimum=None).tolist() == [-5]                   # no lower bound
    assert integers(np.array([2.0, 3.0]), "n").dtype == np.int64                    # whole floats pass
    with pytest.raises(RuleInputError, match="got yes/no values"):
        integers(np.array([True]), "n")


def test_integer_counts_use_the_frame_index_on_the_fast_path():
    df = pd.DataFrame({"count": np.array([0, -2], dtype=np.int64)}, index=["e1", "e2"])
    err = raised(integer_counts, df, "count")
    assert err.rows == ["e2"] and err.rule == "negative"
    assert integer_counts(df.iloc[:1], "count").tolist() == [0]


def test_in_range_includes_both_ends_and_skips_rows():
    x = np.array([0.0, 100.0, np.nan])
    in_range(x, [0, 1, 2], "rating", 0, 100, "rating_range", "评分")   # both ends and NaN pass
    err = raised(in_range, np.array([-0.01, 50.0, 100.01]), [0, 1, 2], "rating", 0, 100, "rating_range", "评分")
    assert err.rows == [0, 2]
    assert "must be between 0 and 100 / 评分（应在 0 至 100 之间）" in str(err)
    in_range(np.array([-1.0]), [0], "rating", 0, 100, "rating_range", "评分", skip=np.array([True]))


def test_dates_reject_non_dates_and_handle_missing():
    df = pd.DataFrame({"d": ["2026-09-01", None]}, index=["a", "b"])
    err = raised(dates, df, "d")
    assert str(err).startswith("row b, column d: missing: a date is required / 日期缺失") and err.rule == "missing"
    got = dates(df, "d", missing=pd.NaT)
    assert got[0] == np.datetime64("2026-09-01", "ns") and np.isnat(got[1])
    assert dates(df, "d", missing=pd.Timestamp("2026-01-01"))[1] == np.datetime64("2026-01-01", "ns")
    err = raised(dates, df.assign(d=["2026-09-01", "2026-02-30"]), "d")  # no 30 February
    assert str(err).startswith("row b, column d: not a date / 不是有效日期") and err.rule == "not_date"


# --------------------------------------------------------------------------------------------
# yes/no
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    *[(w, True) for w in TRUE_WORDS], *[(w, False) for w in FALSE_WORDS],
    ("TRUE", True), (" No ", False), ("Y", True), ("F", False),
    (True, True), (False, False), (1, True), (0, False), (1.0, True), (0.0, False),
])
def test_booleans_vocabulary(value, expected):
    assert booleans(pd.DataFrame({"b": [value]}, dtype=object), "b").tolist() == [expected]


@pytest.mark.parametrize("value", ["maybe", "2", 2, 0.5, "", "是的"])
def test_booleans_reject_anything_else_naming_the_row(value):
    df = pd.DataFrame({"b": [True, value]}, index=["r1", "r2"], dtype=object)
    err = raised(booleans, df, "b")
    assert str(err).startswith("row r2, column b: not a yes/no value") and "不是是/否值" in str(err)
    assert err.rule == "not_bool"


def test_booleans_missing_is_an_error_or_a_default():
    df = pd.DataFrame({"b": pd.array([True, None, None], dtype="boolean")})
    err = raised(booleans, df, "b")
    assert str(err).startswith("row 1, 2, column b: missing: a yes/no value is required / 缺少是/否值")
    assert booleans(df, "b", missing=False).tolist() == [True, False, False]
    assert booleans(df, "b", missing=True).tolist() == [True, True, True]
    # a default, but required in row 2
    assert raised(booleans, df, "b", missing=False, required=np.array([False, False, True])).rows == [2]
    with pytest.raises(ValueError, match="missing must be 'error' or a default"):
        booleans(df, "b", missing="skip")


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 5), st.booleans()), max_size=30))
def test_booleans_read_any_spelling_of_the_same_answers(cells):
    # each answer written as one of the words of its side, in upper or lower case
    words = [(TRUE_WORDS if b else FALSE_WORDS)[k] for b, k, _ in cells]
    text = [w.upper() if up else w for w, (_, _, up) in zip(words, cells)]
    df = pd.DataFrame({"b": pd.Series(text, dtype=object)})
    assert booleans(df, "b").tolist() == [b for b, _, _ in cells]


# --------------------------------------------------------------------------------------------
# one error type, one subclass per module
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [EligibilityError, QuotaError, ReviewError, ScoringInputError, StudyLeaveInputError])
def test_module_errors_are_rule_input_errors(cls):
    assert issubclass(cls, RuleInputError) and issubclass(cls, ValueError)
    err = raised(check, [True], ["x1"], "c", "r", "en", "中文", error=cls)
    assert type(err) is cls and (err.rows, err.column, err.rule) == (["x1"], "c", "r")


def test_each_module_raises_its_own_error_through_the_shared_checks():
    with pytest.raises(QuotaError) as q:
        quotas.senior_cap(-1, "A", policy=POL)
    assert q.value.rule == "negative" and "establishment" in str(q.value)
    with pytest.raises(ReviewError) as r:
        review.quorum_met(10.5, 8, policy=POL)
    assert r.value.rule == "not_integer" and r.value.column == "members"
    with pytest.raises(ReviewError, match="exceptional: not a yes/no value"):
        review.vote_passes("unit", 8, 15, 15, exceptional="maybe", policy=POL)
    with pytest.raises(ScoringInputError) as s:
        scoring.grade(np.array([80.0, np.nan]), policy=POL)
    assert s.value.rows == [1]
    df = pd.DataFrame([{"mode": "full_release", "months_on_post": 0, "workload_share": 0.0,
                        "appraisal_passed": True, "agreement_signed": "maybe", "basic_salary": 1.0,
                        "allowances": 1.0, "award_performance": 1.0, "basic_performance_bonus": 1.0,
                        "campus_performance": 1.0, "welfare": 1.0}])
    with pytest.raises(StudyLeaveInputError, match="row 0, column agreement_signed: not a yes/no value"):
        pay.study_leave_year(df, policy=POL)


def test_policy_or_default():
    assert policy_or_default(POL) is POL
    assert policy_or_default(None, dt.date(2026, 9, 1)).as_of == dt.date(2026, 9, 1)



def test_input_rule_and_policy_errors_share_one_base():
    from staffcalc.errors import StaffcalcError
    from staffcalc.io import InputError, read_table
    from staffcalc.policy import PolicyError, load

    for cls in (InputError, RuleInputError, PolicyError):
        assert issubclass(cls, StaffcalcError) and issubclass(cls, ValueError)
    with pytest.raises(StaffcalcError):  # a real PolicyError is caught by the common base
        load("2026-09-01").get("quotas.no_such_parameter")
    with pytest.raises(StaffcalcError):  # a real InputError too
        read_table("/nonexistent/staff.csv", "staff")


def test_raising_binds_the_helpers_to_a_modules_error():
    from staffcalc.checks import raising

    bound_check, bound_numeric = raising(QuotaError, check, numeric)
    assert type(raised(bound_check, [False, True], ["a", "b"], "c", "r", "en", "中文")) is QuotaError
    with pytest.raises(QuotaError, match="column x"):
        bound_numeric(pd.DataFrame({"x": ["abc"]}), "x")
    with pytest.raises(TypeError, match="not a subclass of RuleInputError"):
        raising(ValueError, check)


def test_calculations_in_tests_must_be_pinned_to_a_date():
    """conftest: a calculation without policy= (today's policy) fails; a dated default passes."""
    with pytest.raises(AssertionError, match="without policy="):
        quotas.senior_cap(10, "A")
    assert policy_or_default(None, "2026-09-01").as_of == dt.date(2026, 9, 1)
    assert quotas.senior_cap(10, "A", policy=policy.load("2026-09-01")) == 6
