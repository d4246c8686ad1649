"""The alternative reading of each interpretation, switched on by its ``alternative_value``, worked out by hand.

The chosen readings are tested in each domain's test file; this file holds the alternatives that
had no test there (issue 11).  Each test shows the chosen reading and the alternative on the same
input, so a switch the code ignores fails here.  ``tests/test_parameter_liveness.py`` checks that
every switchable interpretation is overridden by some test.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from test_duty import P2, P3, requests
from test_eligibility import POL as P6
from test_eligibility import failed, run
from test_pay import rows
from test_recruitment import POL as P4
from test_recruitment import cands

from staffcalc import pay, policy, review, scoring


def alternative(pol: policy.Policy, path: str) -> policy.Policy:
    """``pol`` with the parameter's alternative reading (its ``alternative_value``) in force."""
    return pol.override({path: pol.param(path).alternative_value})


# --- P1 §10.8 ---------------------------------------------------------------------------------------
def test_p1_s10_8_refund_components_basic_salary_alone():
    p1 = policy.load("2026-09-01")
    year = rows({})  # full release: basic salary 5000 and allowances 2000 a month are paid
    assert pay.year_amounts(year, p1)["refund_base"].tolist() == [84000.0]                # 12 × 7000
    alt = alternative(p1, "study_leave.refund.components")
    assert alt.get("study_leave.refund.components") == ["basic_salary"]
    assert pay.year_amounts(year, alt)["refund_base"].tolist() == [60000.0]               # 12 × 5000


# --- P2/P3 三.2, 三.4, 五.1 --------------------------------------------------------------------------
def test_p2_p3_s3_2_every_exemption_needs_the_request_under_the_alternative():
    df = requests([("pregnancy", None, 26.0, None, None, None),              # no written request
                   ("postpartum", "2026-06-10", None, "2026-03-01", None, None)])  # request after 1 June
    for pol in (P2, P3):
        assert scoring.exemptions(df, pol)["may_be_exempted"].tolist() == [True, True]
        assert scoring.exemptions(df, alternative(pol, "duty.exemption.request_required_for"))[
            "may_be_exempted"].tolist() == [False, False]


def test_p2_s5_1_no_points_until_the_schools_scheme_is_entered():
    assert scoring.performance_points(np.array([1, 3]), np.array([False, True]), policy=P2).tolist() == [2, 5]
    none = alternative(P2, "duty.performance_points")
    assert scoring.performance_points(np.array([1, 3]), np.array([False, True]), policy=none).tolist() == [0, 0]


# --- P4 六.2 ---------------------------------------------------------------------------------------
def test_p4_s6_2_ratings_already_on_the_15_point_scale():
    df = cands(dict(panel=12.0, teachers=10.0, parents=14.0))
    # weighted mean (35×12 + 35×10 + 30×14)/100 = 11.9; chosen reading: 0–100 ratings × 15/100 = 1.785
    assert scoring.recruitment_scores(df, P4)["review_score"].tolist() == [1.785]
    assert scoring.recruitment_scores(df, alternative(P4, "recruitment.review.rating_scale"))[
        "review_score"].tolist() == [11.9]


# --- P5 §4(四)10 -------------------------------------------------------------------------------------
def test_p5_s4_4_10_no_third_place_bonus_under_the_alternative():
    events = pd.DataFrame({"staff_id": ["T1", "T1"], "period": ["2026-03", "2026-03"],
                           "code": ["B-POSTGRAD-3", "B-POSTGRAD-2"], "count": [1, 1]})
    p5 = policy.load("2026-09-01")
    assert scoring.event_points(events, p5)["bonus"].tolist() == [5.0]                 # 2 + 3
    assert scoring.event_points(events, alternative(p5, "appraisal.bonus.B-POSTGRAD-3"))["bonus"].tolist() == [3.0]


# --- P6 §13(一), §17, §31 -----------------------------------------------------------------------------
def test_p6_s13_1_born_on_the_cutoff_day_without_a_doctorate_under_the_alternative():
    case = ("full", {"birth_date": "1957-01-01", "degree": "master", "rank_since": "2016-09-01"}, {})
    assert failed(run(case)) == [{"3.2-degree"}]                        # 以后 includes 1 January 1957
    alt = alternative(P6, "eligibility.degree.doctorate_required_born_from")
    assert failed(run(case, policy=alt)) == [set()]                     # only from 2 January


def test_p6_s13_1_relaxed_group_associates_need_a_master_whatever_their_birth_date():
    older = ("associate", {"subject_group": "pe", "birth_date": "1960-05-05", "degree": "bachelor",
                           "rank_since": "2019-09-01"}, {})
    assert failed(run(older)) == [set()]         # born before 1965: 一般应, a warning only
    alt = alternative(P6, "eligibility.degree.relaxed_required")
    assert failed(run(older, policy=alt)) == [{"3.2-degree"}]


def test_p6_s17_exceptional_applicants_meet_every_rule_under_the_alternative():
    case = ("full", {"rank_since": "2024-09-01"}, {"exceptional": True})  # 2 years as associate, 5 needed
    assert run(case)["ok_years"].tolist() == [True]
    alt = alternative(P6, "eligibility.exceptional.exempt_rules")
    assert alt.get("eligibility.exceptional.exempt_rules") == []
    assert run(case, policy=alt)["ok_years"].tolist() == [False]


def test_p6_s31_appeal_period_counting_the_day_of_publication():
    published = dt.date(2026, 9, 1)
    assert review.appeal_deadline(published, policy=P6) == dt.date(2026, 9, 8)
    assert review.appeal_deadline(published, policy=alternative(P6, "review.appeal.file_within")) == dt.date(2026, 9, 7)
