"""staffcalc.scenario: the what-if model (issue 7).

Two kinds of check:

* hand-worked numbers on a three-teacher table (the arithmetic is in the comments), both sides of
  the cut-offs that move;
* equality with the public functions (``monthly_appraisal``, ``semester_grades``,
  ``recruitment_scores`` + ``appoint``, ``quota_table``) on the sample data for several overrides,
  applied in sequence so a stale cached stage would show.
"""

from __future__ import annotations

import functools
import json
import math
import re

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import DATA, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from staffcalc import policy, quotas, scenario, scoring
from staffcalc.io import read_tables
from staffcalc.policy import PolicyError
from staffcalc.quotas import QuotaError
from staffcalc.scoring import ScoringInputError, kernels

AS_OF = "2026-09-01"
FAIL = ["fail_s1", "fail_s2a", "fail_s2b", "fail_s2c", "fail_s2d", "fail_s3"]


@functools.lru_cache(maxsize=1)
def sample_tables():
    return read_tables(DATA, list(scenario.TABLE_KINDS))


@functools.lru_cache(maxsize=1)
def sample_baseline():
    return scenario.from_tables(sample_tables(), policy.load(AS_OF), openings=10)


def base_policy():
    return policy.load(AS_OF)


# --------------------------------------------------------------------------------------------
# A three-teacher institution worked by hand
# --------------------------------------------------------------------------------------------
def tiny_tables():
    items = pd.DataFrame({
        "staff_id": ["T1", "T2", "T3"], "period": ["2025-09"] * 3,
        # T1: 2 failed S2b items; T2: all 4 S2c items failed; T3: one S1 and one S3 item failed
        "fail_s1": [0, 0, 1], "fail_s2a": [0, 0, 0], "fail_s2b": [2, 0, 0], "fail_s2c": [0, 4, 0],
        "fail_s2d": [0, 0, 0], "fail_s3": [0, 0, 1],
    })
    events = pd.DataFrame({
        "staff_id": ["T1", "T2", "T3"], "period": ["2025-09"] * 3,
        "code": ["B-MEETING-FULL", "D-LATE", "D-DISCIPLINE-UNIVERSITY"], "count": [1, 3, 1],
    })
    ratings = pd.DataFrame({
        "staff_id": ["T1", "T2", "T3"], "semester": ["2025-2026-1"] * 3,
        "self_score": [90.0, 100.0, 95.0], "student_score": [80.0, 100.0, 95.0], "college_score": [70.0, 85.0, 95.0],
        "override_codes": [np.nan, np.nan, "F-SANCTIONED"],
    })
    t = dict(sample_tables())
    t.update(appraisal_items=items, appraisal_events=events, semester_ratings=ratings)
    return t


@pytest.fixture(scope="module")
def tiny():
    return scenario.from_tables(tiny_tables(), base_policy(), openings=10)


def scores(result):
    return dict(zip(result.monthly["staff_id"], result.monthly["score"]))


def grades(result, table="monthly"):
    df = getattr(result, table)
    return dict(zip(df["staff_id"], df["grade"].astype(str)))


def test_p5_s4_baseline_scores_by_hand(tiny):
    r = tiny.result
    # T1: 15 + 20 + (20 − 2×2) + 15 + 20 + 10 = 96, + 2 (B-MEETING-FULL) = 98
    # T2: S2c max(0, 15 − 4×4) = 0 → 85, − 3×2 (D-LATE) = 79
    # T3: (15 − 5) + 20 + 20 + 15 + 20 + (10 − 4) = 91, − 40 (D-DISCIPLINE-UNIVERSITY) = 51
    assert scores(r) == {"T1": 98.0, "T2": 79.0, "T3": 51.0}
    # P5 §3 half-open bands: 98 ≥ 90 优秀; 60 ≤ 79 < 80 合格; 51 < 60 不合格
    assert grades(r) == {"T1": "优秀", "T2": "合格", "T3": "不合格"}
    assert r.monthly_counts.to_dict() == {"优秀": 1, "良好": 0, "合格": 1, "不合格": 1}
    # P5 §4(五)3: a university-level sanction forfeits the month's allowance (T3 gets 0)
    assert dict(zip(r.monthly["staff_id"], r.monthly["allowance"]))["T3"] == 0.0
    assert r.monthly_changes.empty and r.semester_changes.empty


def test_p5_s3_excellent_cutoff_above_and_at_the_score(tiny):
    # 优秀 from 99: T1's 98 is below → 良好 (80 ≤ 98 < 99)
    r = scenario.recompute(tiny, {"appraisal.grade_bands.优秀": 99})
    assert grades(r) == {"T1": "良好", "T2": "合格", "T3": "不合格"}
    assert r.monthly_counts.to_dict() == {"优秀": 0, "良好": 1, "合格": 1, "不合格": 1}
    assert r.monthly_changes[["staff_id", "score_base", "score", "grade_base", "grade"]].to_dict("records") == [
        {"staff_id": "T1", "score_base": 98.0, "score": 98.0, "grade_base": "优秀", "grade": "良好"}]
    # 优秀 from 98: the bound is included (以上), T1 stays 优秀
    r = scenario.recompute(tiny, {"appraisal.grade_bands.优秀": 98})
    assert grades(r)["T1"] == "优秀" and r.monthly_changes.empty


def test_p5_s4_per_item_deduction_moves_a_teacher_across_the_line(tiny):
    # S2c 3 points per item: T2 15 − 4×3 = 3 → 88, − 6 = 82 → 良好 (80 ≤ 82)
    r = scenario.recompute(tiny, {"appraisal.sections.S2c.per_item": 3})
    assert scores(r)["T2"] == 82.0 and grades(r)["T2"] == "良好"
    # S2b 3 points per item: T1 20 − 2×3 = 14 → 94, + 2 = 96, still 优秀
    r = scenario.recompute(tiny, {"appraisal.sections.S2b.per_item": 3})
    assert scores(r)["T1"] == 96.0 and grades(r)["T1"] == "优秀" and r.monthly_changes.empty


def test_p5_s4_event_points_override(tiny):
    # D-LATE 1 point: T2 85 − 3×1 = 82 → 良好; B-MEETING-FULL 0: T1 96 → 优秀
    r = scenario.recompute(tiny, {"appraisal.deduction.D-LATE.points": 1, "appraisal.bonus.B-MEETING-FULL.points": 0})
    assert scores(r) == {"T1": 96.0, "T2": 82.0, "T3": 51.0}
    # D-DISCIPLINE-UNIVERSITY no longer forfeits: T3 (不合格) gets the 不合格 amount of the assumption (0.0)
    r = scenario.recompute(tiny, {"appraisal.deduction.D-DISCIPLINE-UNIVERSITY.forfeits_allowance": False,
                                  "appraisal.allowance.monthly.不合格": 100.0})
    assert not r.monthly["allowance_forfeited"].any()
    assert dict(zip(r.monthly["staff_id"], r.monthly["allowance"]))["T3"] == 100.0


def test_p5_s5_composite_weights_20_30_50_and_other_weights(tiny):
    r = tiny.result
    comp = dict(zip(r.semester["staff_id"], r.semester["composite"]))
    # T1: 0.2×90 + 0.3×80 + 0.5×70 = 18 + 24 + 35 = 77 → 合格;  T2: 20 + 30 + 42.5 = 92.5 → 优秀
    assert comp["T1"] == 77.0 and comp["T2"] == 92.5
    assert grades(r, "semester") == {"T1": "合格", "T2": "优秀", "T3": "不合格"}  # T3: §7 override F-SANCTIONED
    # 0.5/0.3/0.2: T1 45 + 24 + 14 = 83 → 良好;  T2 50 + 30 + 17 = 97 → 优秀;  T3 still 不合格 by override
    r = scenario.recompute(tiny, {"appraisal.composite_weights.self": 0.5, "appraisal.composite_weights.college": 0.2})
    comp = dict(zip(r.semester["staff_id"], r.semester["composite"]))
    assert comp["T1"] == 83.0 and comp["T2"] == 97.0
    assert grades(r, "semester") == {"T1": "良好", "T2": "优秀", "T3": "不合格"}
    assert list(r.semester_changes["staff_id"]) == ["T1"]
    assert r.monthly_changes.empty  # the monthly appraisal does not use these weights


def test_p5_s5_weights_must_sum_to_one(tiny):
    with pytest.raises(PolicyError, match="权重之和须为 1"):
        scenario.recompute(tiny, {"appraisal.composite_weights.self": 0.25})
    with pytest.raises(PolicyError, match="权重之和须为 1"):
        scenario.recompute(tiny, {"recruitment.review.weights.parents": 0.25})


def test_p5_s3_cutoffs_out_of_order_are_refused(tiny):
    # 优秀 75 below 良好 80 would silently swap the band names: refused
    with pytest.raises(PolicyError, match="由高到低"):
        scenario.recompute(tiny, {"appraisal.grade_bands.优秀": 75})
    with pytest.raises(PolicyError, match="等次下限重复"):
        scenario.recompute(tiny, {"appraisal.grade_bands.优秀": 80})


def test_unknown_path_and_wrong_type_are_policy_errors(tiny):
    with pytest.raises(PolicyError, match="未知参数路径"):
        scenario.recompute(tiny, {"appraisal.grade_bands.卓越": 95})
    with pytest.raises(PolicyError, match="expected an integer"):
        scenario.recompute(tiny, {"appraisal.sections.S1.per_item": 2.5})


def test_p5_s4_fewer_items_than_failed_names_the_column(tiny):
    # T2 failed 4 S2c items; a rubric with 3 items cannot hold that
    with pytest.raises(ScoringInputError, match="fail_s2c"):
        scenario.recompute(tiny, {"appraisal.sections.S2c.items": 3})
    # and the model recovers on the next valid setting
    assert scores(scenario.recompute(tiny, {}))["T2"] == 79.0


def test_p6_s9_adjustment_beyond_the_limit_is_an_error(tiny):
    with pytest.raises(QuotaError, match="调节幅度超出上限"):
        scenario.recompute(tiny, {}, adjustment={"A": 0.11})


def test_stages_not_touched_are_reused(tiny):
    """State, not timing: ``Baseline.computed`` counts each stage's and kernel step's computations."""
    scenario.recompute(tiny, {})
    before = dict(tiny.computed)
    r = scenario.recompute(tiny, {"quotas.senior_ratio.B": 0.55})
    assert tiny.computed["quotas"] == before.get("quotas", 0) + 1
    for stage in ("monthly", "semester", "recruitment"):
        assert tiny.computed[stage] == before.get(stage, 0), stage
    before = dict(tiny.computed)
    r = scenario.recompute(tiny, {"quotas.senior_ratio.B": 0.55, "appraisal.grade_bands.优秀": 99})
    assert tiny.computed["quotas"] == before["quotas"] and grades(r)["T1"] == "良好"
    # a cut-off moves the grades only: section scores and event totals are reused
    assert tiny.computed["monthly"] == before["monthly"] + 1
    for step in ("section_scores", "base_scores", "event_totals", "override_decisions", "check_ratings"):
        assert tiny.computed[step] == before[step], step


def test_only_the_changed_kernel_step_is_called(tiny, monkeypatch):
    """The what-if model calls the scoring kernels themselves: a bonus change calls event_totals
    once and not section_matrix; a weight change calls the composite kernel and not the overrides."""
    scenario.recompute(tiny, {})
    calls = []
    for name in ("section_matrix", "event_totals", "override_decisions", "composite", "check_ratings"):
        real = getattr(kernels, name)
        monkeypatch.setattr(kernels, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    scenario.recompute(tiny, {"appraisal.bonus.B-MEETING-FULL.points": 7})
    assert calls.count("event_totals") == 1 and "section_matrix" not in calls and "override_decisions" not in calls
    calls.clear()
    scenario.recompute(tiny, {"appraisal.bonus.B-MEETING-FULL.points": 7, "appraisal.composite_weights.self": 0.3,
                              "appraisal.composite_weights.college": 0.4})
    assert calls == ["composite"]


def test_p5_s4_5_3_zero_count_event_forfeits_nothing():
    """P5 §4(五)3: a D-DISCIPLINE-UNIVERSITY row with count 0 records no sanction — the allowance
    stays; with count 1 it is forfeited.  Same answer from the public function and the what-if model."""
    t = tiny_tables()
    t["appraisal_events"] = pd.DataFrame({
        "staff_id": ["T1", "T2", "T3"], "period": ["2025-09"] * 3,
        "code": ["D-DISCIPLINE-UNIVERSITY", "D-DISCIPLINE-UNIVERSITY", "D-INACTION"], "count": [0, 1, 0]})
    pol = base_policy()
    amounts = pol.get("appraisal.allowance.monthly")
    public = scoring.monthly_appraisal(t["appraisal_items"], t["appraisal_events"], pol)
    model = scenario.from_tables(t, pol).result.monthly
    for got in (public, model):
        assert list(got["allowance_forfeited"]) == [False, True, False]
        # T1 96 优秀 (no points from a zero count); T3 91 优秀; T2 85 − 40 = 45 不合格, forfeited
        assert list(got["score"]) == [96.0, 45.0, 91.0]
        assert list(got["allowance"]) == [amounts["优秀"], 0.0, amounts["优秀"]]


# --------------------------------------------------------------------------------------------
# Equality with the public functions on the sample data
# --------------------------------------------------------------------------------------------
OVERRIDES = [
    {},
    {"appraisal.grade_bands.优秀": 85},
    {"appraisal.grade_bands.优秀": 92, "appraisal.grade_bands.合格": 65},
    {"appraisal.sections.S2b.per_item": 3, "appraisal.sections.S1.max": 20},
    {"appraisal.section_floor": -10},
    {"appraisal.bonus.B-MEETING-FULL.points": 6, "appraisal.deduction.D-LATE.points": 5},
    {"appraisal.deduction.D-INACTION.forfeits_allowance": False, "appraisal.clip_score": True},
    {"appraisal.composite_weights.self": 0.1, "appraisal.composite_weights.student": 0.4},
    {"appraisal.override_precedence": ["优秀", "不合格"]},
    {"appraisal.direct_grade.F-SANCTIONED": "优秀", "appraisal.grade_bands.良好": 75},
    {"recruitment.exam.max": 40, "recruitment.onsite.defence_max": 25},
    {"recruitment.review.weights.panel": 0.5, "recruitment.review.weights.parents": 0.15},
    {"recruitment.ranking.tie_break": "exam", "recruitment.conduct.max": 15},
    {"quotas.senior_ratio.B": 0.55, "quotas.senior_ratio.C": 0.4},
    {"quotas.full_senior_share": 0.5, "quotas.split_method": "largest_remainder"},
]
SETTINGS = [(ov, None, None) for ov in OVERRIDES] + [
    ({}, 3, {"A": -0.05, "C": 0.1}),
    ({"appraisal.grade_bands.优秀": 88}, 20, {"B": 0.1}),
    ({}, None, None),
]


def public(ov, openings, adjustment):
    """What the report notebooks compute for this setting, with the public functions."""
    t = sample_tables()
    pol = base_policy().override(ov) if ov else base_policy()
    monthly = scoring.monthly_appraisal(t["appraisal_items"], t["appraisal_events"], pol)
    semester = scoring.semester_grades(t["semester_ratings"], pol)
    elig = scoring.recruitment_eligibility(t["recruitment_candidates"], policy=pol)
    ranked = scoring.appoint(scoring.recruitment_scores(elig, pol), 10 if openings is None else openings, pol)
    table = quotas.quota_table(t["disciplines"], t["staff"], pol, adjustment=adjustment)
    return monthly, semester, ranked, table


def test_sequence_of_settings_equals_the_public_functions():
    """Settings applied one after another (stale cached stages would show), each against the public
    functions: every column the page shows, exactly (no tolerance)."""
    b = sample_baseline()
    base_m, base_s, base_r, base_q = public({}, None, None)
    for ov, openings, adjustment in SETTINGS:
        got = scenario.recompute(b, ov, openings=openings, adjustment=adjustment)
        monthly, semester, ranked, table = public(ov, openings, adjustment)
        label = json.dumps([ov, openings, adjustment], ensure_ascii=False)
        for col in ("base_score", "bonus", "deduction", "score", "allowance"):
            assert np.array_equal(got.monthly[col].to_numpy(), monthly[col].to_numpy()), (label, col)
        assert np.array_equal(got.monthly["allowance_forfeited"].to_numpy(), monthly["allowance_forfeited"].to_numpy())
        assert list(got.monthly["grade"].astype(str)) == list(monthly["grade"].astype(str)), label
        assert got.monthly_counts.to_dict() == monthly["grade"].astype(str).value_counts().reindex(
            got.grade_names, fill_value=0).to_dict(), label
        assert np.array_equal(got.semester["composite"].to_numpy(), semester["composite"].to_numpy(), equal_nan=True)
        assert list(got.semester["grade"].astype(str)) == list(semester["grade"].astype(str)), label
        assert list(got.semester["grade_basis"]) == list(semester["grade_basis"]), label
        for col in ("total", "rank", "rank_order", "waiting_list", *scoring.recruitment.COMPONENTS):
            assert np.array_equal(got.recruitment[col].to_numpy(), ranked[col].to_numpy(), equal_nan=True), (label, col)
        assert list(got.recruitment["appointed"]) == list(ranked["appointed"]), label
        assert list(got.recruitment["tie_at_line"]) == list(ranked["tie_at_line"]), label
        pd.testing.assert_frame_equal(got.quotas, table, obj=label)
        # what changed against the baseline, by the public functions' own grades
        moved = (base_m["grade"].astype(str) != monthly["grade"].astype(str)).to_numpy()
        assert list(got.monthly_changes["staff_id"]) == list(monthly.loc[moved, "staff_id"]), label
        assert list(got.monthly_changes["period"]) == list(monthly.loc[moved, "period"]), label
        moved_s = (base_s["grade"].astype(str) != semester["grade"].astype(str)).to_numpy()
        assert list(got.semester_changes["staff_id"]) == list(semester.loc[moved_s, "staff_id"]), label
        crossed = set(base_r.loc[base_r["appointed"] != ranked["appointed"], "candidate_id"])
        assert set(got.crossed["candidate_id"]) == crossed, label
        cap_moved = set(table.loc[table["senior_cap"] != base_q["senior_cap"], "discipline_id"])
        assert cap_moved <= set(got.quota_changes["discipline_id"]), label


def test_sample_has_grade_changes_and_line_crossings_to_show():
    """The sample data makes the page show something for the usual moves (not an empty diff)."""
    b = sample_baseline()
    assert len(scenario.recompute(b, {"appraisal.grade_bands.优秀": 85}).monthly_changes) > 0
    r = scenario.recompute(b, {"recruitment.exam.max": 60})
    assert len(r.crossed) > 0 and set(r.crossed["appointed"]) == {True, False}
    assert len(scenario.recompute(b, {"quotas.senior_ratio.A": 0.7}).quota_changes) > 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(excellent=st.integers(61, 100), good=st.integers(41, 99), passing=st.integers(0, 98))
def test_p5_s3_counts_partition_the_months_and_follow_the_cutoffs(excellent, good, passing):
    """For any ordered cut-offs: every teacher-month has one grade, the count at or above a cut-off
    equals the scores at or above it (以上 includes the bound), and a month never changes grade
    without its score crossing a cut-off."""
    b = sample_baseline()
    ov = {"appraisal.grade_bands.优秀": excellent, "appraisal.grade_bands.良好": good,
          "appraisal.grade_bands.合格": passing}
    if not excellent > good > passing:
        with pytest.raises(PolicyError):
            scenario.recompute(b, ov)
        return
    r = scenario.recompute(b, ov)
    s = b.result.monthly["score"].to_numpy()  # cut-offs do not change scores
    assert np.array_equal(r.monthly["score"].to_numpy(), s)
    assert int(r.monthly_counts.sum()) == len(s)
    assert r.monthly_counts["优秀"] == int((s >= excellent).sum())
    assert r.monthly_counts["优秀"] + r.monthly_counts["良好"] == int((s >= good).sum())
    assert r.monthly_counts["不合格"] == int((s < passing).sum())


# --------------------------------------------------------------------------------------------
# The what-if model against the public functions on random data
# --------------------------------------------------------------------------------------------
SECTIONS = scoring.sections(policy.load(AS_OF))
CATALOGUE = scoring.catalogue(policy.load(AS_OF))
DIRECT = list(scoring.direct_grade_conditions(policy.load(AS_OF))["code"])
RATING = st.one_of(st.none(), st.integers(0, 200).map(lambda x: x / 2))


@st.composite
def p5_tables(draw):
    """Teacher-months with any failed counts, coded events with counts 0–3 (zero counts included),
    semester ratings with missing ones (made legal by a direct-grade code, P5 §6) and codes."""
    n = draw(st.integers(1, 6))
    staff = [f"T{i}" for i in range(n)]
    items = pd.DataFrame({"staff_id": staff, "period": ["2025-10"] * n})
    for s in SECTIONS.itertuples():
        items[s.column] = draw(st.lists(st.integers(0, s.section_items), min_size=n, max_size=n))
    ev = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(list(CATALOGUE["code"])), st.integers(0, 3)),
                       max_size=12))
    events = pd.DataFrame({"staff_id": [staff[i] for i, _, _ in ev], "period": ["2025-10"] * len(ev),
                           "code": [c for _, c, _ in ev], "count": [k for _, _, k in ev]},
                          columns=["staff_id", "period", "code", "count"]).astype({"count": "int64"})
    rows = []
    for sid in staff:
        r = [draw(RATING) for _ in range(3)]
        codes = draw(st.lists(st.sampled_from(DIRECT), max_size=2, unique=True))
        if any(x is None for x in r) and not codes:
            codes = [draw(st.sampled_from(DIRECT))]
        rows.append({"staff_id": sid, "semester": "2025-2026-1", "self_score": r[0], "student_score": r[1],
                     "college_score": r[2], "override_codes": ";".join(codes) or np.nan})
    ratings = pd.DataFrame(rows).astype({c: "float64" for c in ("self_score", "student_score", "college_score")})
    return {"appraisal_items": items, "appraisal_events": events, "semester_ratings": ratings}


@functools.lru_cache(maxsize=1)
def small_other_tables():
    """A few candidates and disciplines of the sample: the P4/P6 stages a P5 baseline also builds."""
    t = sample_tables()
    disciplines = t["disciplines"].head(3)
    return {"recruitment_candidates": t["recruitment_candidates"].head(5), "disciplines": disciplines,
            "staff": t["staff"][t["staff"]["discipline_id"].isin(disciplines["discipline_id"])]}


P5_OVERRIDE = st.one_of(
    st.fixed_dictionaries({}),
    st.builds(lambda s, k: {f"appraisal.sections.{s}.per_item": k}, st.sampled_from(list(SECTIONS["section"])),
              st.integers(0, 8)),
    st.builds(lambda c, k: {f"appraisal.{c[0]}.{c[1]}.points": k},
              st.sampled_from(list(zip(CATALOGUE["code_kind"], CATALOGUE["code"]))), st.integers(0, 50)),
    st.builds(lambda c, f: {f"appraisal.deduction.{c}.forfeits_allowance": f},
              st.sampled_from(list(CATALOGUE.loc[CATALOGUE["code_kind"] == "deduction", "code"])), st.booleans()),
    st.builds(lambda x: {"appraisal.grade_bands.优秀": x}, st.integers(81, 100)),
    st.builds(lambda f: {"appraisal.section_floor": f}, st.integers(-20, 0)),
    st.sampled_from([{"appraisal.composite_weights.self": 0.1, "appraisal.composite_weights.college": 0.6},
                     {"appraisal.override_precedence": ["优秀", "不合格"]},
                     {"appraisal.direct_grade.F-SANCTIONED": "优秀"},
                     {"appraisal.direct_grade.F-SANCTIONED": "合格"},  # 合格 has no precedence: refused
                     {"appraisal.clip_score": True}]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables=p5_tables(), ov=P5_OVERRIDE)
def test_whatif_model_equals_the_public_functions_on_random_data(tables, ov):
    """The what-if model (precomputed arrays + cached kernel steps) and the public functions give
    the same monthly and semester figures for random data and a random override; the forfeit flag
    also equals a plain computation from the events (only an occurred forfeiting event, P5 §4(五)3)."""
    pol = base_policy().override(ov) if ov else base_policy()
    b = scenario.from_tables({**small_other_tables(), **tables}, base_policy())
    monthly = scoring.monthly_appraisal(tables["appraisal_items"], tables["appraisal_events"], pol)
    try:
        semester = scoring.semester_grades(tables["semester_ratings"], pol)
    except PolicyError as exc:  # the model refuses the same setting with the same message
        with pytest.raises(PolicyError, match=re.escape(str(exc))):
            scenario.recompute(b, ov)
        return
    got = scenario.recompute(b, ov)
    for col in ("base_score", "bonus", "deduction", "score", "allowance", "allowance_forfeited"):
        assert np.array_equal(got.monthly[col].to_numpy(), monthly[col].to_numpy()), col
    assert list(got.monthly["grade"].astype(str)) == list(monthly["grade"].astype(str))
    assert np.array_equal(got.semester["composite"].to_numpy(), semester["composite"].to_numpy(), equal_nan=True)
    for col in ("score_grade", "grade", "grade_basis"):
        assert list(got.semester[col].astype(str)) == list(semester[col].astype(str)), col
    ev = tables["appraisal_events"]
    cat = scoring.catalogue(pol).set_index("code")
    occurred = ev[(ev["count"] > 0) & ev["code"].map(cat["forfeits_allowance"]).astype(bool)]
    assert list(got.monthly["allowance_forfeited"]) == list(tables["appraisal_items"]["staff_id"].isin(occurred["staff_id"]))


# --------------------------------------------------------------------------------------------
# Export of the override file
# --------------------------------------------------------------------------------------------
EXPORTED = {"appraisal.grade_bands.优秀": 85, "appraisal.sections.S2b.per_item": 3,
            "appraisal.composite_weights.self": 0.3, "appraisal.composite_weights.college": 0.4,
            "appraisal.bonus.B-MEETING-FULL.points": 4, "recruitment.exam.max": 30,
            "quotas.senior_ratio.B": 0.55}


def test_export_round_trip_gives_the_same_policy(tmp_path):
    path = scenario.export_overrides(EXPORTED, tmp_path / "what-if.yaml",
                                     parameters={"openings": 12, "adjustment": {"A": 0.0, "B": 0.05, "C": 0.0}})
    loaded, variant, parameters = policy.split_overrides(policy.load_overrides(path))
    assert loaded == EXPORTED and variant is None
    assert parameters == {"openings": 12, "adjustment": {"A": 0.0, "B": 0.05, "C": 0.0}}
    a, b = base_policy().override(EXPORTED), base_policy().override(loaded)
    assert a.values == b.values
    assert b.get("appraisal.composite_weights") == {"self": 0.3, "student": 0.3, "college": 0.4}
    text = path.read_text(encoding="utf-8")
    assert "优秀" in text  # written as UTF-8 text, not escaped


def test_export_refuses_what_the_report_would_reject(tmp_path):
    target = tmp_path / "bad.yaml"
    with pytest.raises(PolicyError, match="权重之和须为 1"):
        scenario.export_overrides({"appraisal.composite_weights.self": 0.25}, target)
    with pytest.raises(PolicyError, match="未知参数路径"):
        scenario.export_overrides({"appraisal.nonexistent": 1}, target)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_exported_file_runs_through_staffcalc_report(tmp_path):
    """`staffcalc report --only appraisal_distribution --override FILE` accepts the exported file,
    applies it (manifest) and the notebook succeeds."""
    from staffcalc import cli

    path = scenario.export_overrides(EXPORTED, tmp_path / "what-if.yaml")
    out = tmp_path / "reports"
    rc = cli.main(["report", "--config", str(ROOT / "reports.yaml"), "--data", str(DATA), "--out", str(out),
                   "--only", "appraisal_distribution", "--override", str(path), "--quiet"])
    assert rc == 0
    runs = [p for p in out.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")]
    assert len(runs) == 1 and not (out / "latest").exists()  # a what-if --only run moves no pointer
    m = json.loads((runs[0] / "manifest.json").read_text(encoding="utf-8"))
    assert m["overrides"]["values"] == EXPORTED


def test_report_rejects_a_hand_written_bad_override_as_export_does(tmp_path):
    from staffcalc import cli

    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"appraisal.grade_bands.优秀": "ninety"}, allow_unicode=True), encoding="utf-8")
    rc = cli.main(["report", "--config", str(ROOT / "reports.yaml"), "--data", str(DATA),
                   "--out", str(tmp_path / "reports"), "--only", "appraisal_distribution", "--override", str(bad),
                   "--quiet"])
    assert rc == 2
    with pytest.raises(PolicyError):
        scenario.export_overrides(policy.load_overrides(bad), tmp_path / "again.yaml")


def test_baseline_keeps_no_personal_columns():
    b = sample_baseline()
    for df in b.tables.values():
        assert not {"name", "id_number"} & set(df.columns)
    assert math.isfinite(b.result.allowance_total)
