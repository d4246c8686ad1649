"""Review and voting rules (spec §4; P6 §19–§31).  Hand-worked thresholds in the comments."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from staffcalc import policy as policy_mod
from staffcalc import review
from staffcalc.review import ReviewError, peer_review_passes, quorum_met, vote_passes

POL = policy_mod.load("2026-09-01")


# --------------------------------------------------------------------------------------------
# quorum (§26(一))
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("members, attending, ok", [
    (15, 10, True),    # 3 × 10 = 30 ≥ 2 × 15 = 30 (达到 includes equality)
    (15, 9, False),    # 27 < 30
    (13, 9, True),     # 27 ≥ 26
    (13, 8, False),    # 24 < 26
    (11, 8, True),     # 24 ≥ 22
    (11, 7, False),    # 21 < 22
    (3, 2, True),      # 6 ≥ 6
])
def test_p6_s26_quorum_two_thirds_of_members(members, attending, ok):
    assert quorum_met(members, attending, policy=POL) is ok


def test_p6_s26_quorum_vectorised_and_bad_input():
    out = quorum_met(np.array([15, 15, 13]), np.array([10, 9, 9]), policy=POL)
    assert out.tolist() == [True, False, True]
    with pytest.raises(ReviewError, match="attending"):
        quorum_met(10, 11, policy=POL)
    with pytest.raises(ReviewError, match="members"):
        quorum_met(0, 0, policy=POL)
    with pytest.raises(ReviewError, match="whole number"):
        quorum_met(10.5, 8, policy=POL)


# --------------------------------------------------------------------------------------------
# votes (§26(二), §26(三))
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("yes, members, attending, ok", [
    (8, 15, 10, True),    # 2 × 8 = 16 > 15
    (7, 15, 10, False),   # 14 < 15
    (7, 14, 10, False),   # 14 = 14: 超过 excludes equality
    (8, 14, 10, True),    # 16 > 14
    (8, 15, 9, False),    # 8 yes but no quorum (27 < 30)
])
def test_p6_s26_unit_vote_needs_more_than_half_of_all_members(yes, members, attending, ok):
    assert vote_passes("unit", yes, members, attending, policy=POL) is ok


@pytest.mark.parametrize("yes, members, attending, ok", [
    (10, 15, 10, True),   # 3 × 10 = 30 ≥ 30
    (9, 15, 10, False),   # 27 < 30 (although 9 > half)
    (10, 14, 10, True),   # 30 ≥ 28
    (9, 14, 10, False),   # 27 < 28
])
def test_p6_s26_unit_exceptional_vote_needs_two_thirds_of_all_members(yes, members, attending, ok):
    assert vote_passes("unit", yes, members, attending, exceptional=True, policy=POL) is ok


@pytest.mark.parametrize("yes, members, attending, ok", [
    (8, 15, 12, True),    # 3 × 8 = 24 ≥ 2 × 12 = 24 (of those attending)
    (7, 15, 12, False),   # 21 < 24
    (7, 15, 10, True),    # 21 ≥ 20
    (6, 15, 10, False),   # 18 < 20
])
def test_p6_s26_school_vote_two_thirds_of_attending(yes, members, attending, ok):
    assert vote_passes("school", yes, members, attending, policy=POL) is ok


@pytest.mark.parametrize("yes, attending, ok", [
    (10, 12, True),   # 5 × 10 = 50 ≥ 4 × 12 = 48
    (9, 12, False),   # 45 < 48
    (8, 10, True),    # 40 ≥ 40 (达到 includes equality)
    (7, 10, False),   # 35 < 40
])
def test_p6_s26_school_exceptional_full_senior_four_fifths_of_attending(yes, attending, ok):
    assert vote_passes("school", yes, 15, attending, exceptional=True, policy=POL) is ok


def test_p6_s26_votes_vectorised_with_mixed_exceptional():
    out = vote_passes("unit", np.array([8, 8, 10]), 15, 10, exceptional=np.array([False, True, True]), policy=POL)
    # 8 normal passes; 8 exceptional needs 10; 10 exceptional passes
    assert out.tolist() == [True, False, True]
    s = vote_passes("school", pd.Series([8, 7], index=["a", "b"]), 15, 12, policy=POL)
    assert s.to_dict() == {"a": True, "b": False}


def test_p6_s26_votes_needed():
    assert review.votes_needed("unit", 15, 10, policy=POL) == 8
    assert review.votes_needed("unit", 14, 10, policy=POL) == 8            # 7 is exactly half: not enough
    assert review.votes_needed("unit", 15, 10, True, policy=POL) == 10
    assert review.votes_needed("school", 15, 12, policy=POL) == 8
    assert review.votes_needed("school", 15, 12, True, policy=POL) == 10   # 4/5 × 12 = 9.6 → 10


def test_p6_s26_no_proxy_votes_and_bad_body():
    with pytest.raises(ReviewError, match="no proxy votes"):
        vote_passes("unit", 11, 15, 10, policy=POL)
    with pytest.raises(ReviewError, match="body"):
        vote_passes("department", 8, 15, 10, policy=POL)
    with pytest.raises(ReviewError, match="below 0"):
        vote_passes("unit", -1, 15, 10, policy=POL)


@given(st.integers(1, 200), st.data())
def test_p6_s26_votes_needed_is_the_exact_threshold(members, data):
    attending = data.draw(st.integers(0, members))
    for body in ("unit", "school"):
        for exc in (False, True):
            need = review.votes_needed(body, members, attending, exc, policy=POL)
            quorum = quorum_met(members, attending, policy=POL)
            if need <= attending:
                assert vote_passes(body, need, members, attending, exc, policy=POL) is quorum
            if 0 < need <= attending + 1:
                assert vote_passes(body, need - 1, members, attending, exc, policy=POL) is False


# --------------------------------------------------------------------------------------------
# external peer review (§25(四))
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n, failed, excellent, target, ok", [
    (5, 0, 0, "full", True),
    (5, 1, 0, "full", True),        # one "not pass" does not stop
    (5, 2, 0, "full", False),       # 2 位未通过 stop
    (4, 0, 4, "full", False),       # full-senior needs at least 5 reviewers
    (3, 0, 0, "associate", True),   # associate needs 3
    (2, 0, 2, "associate", False),
    (3, 2, 0, "associate", False),
    (7, 1, 0, "full", True),
])
def test_p6_s25_peer_review(n, failed, excellent, target, ok):
    assert peer_review_passes(n, failed, excellent, target, policy=POL) is ok


@pytest.mark.parametrize("n, failed, excellent, ok", [
    (5, 0, 3, True),    # 2 × 3 = 6 ≥ 5
    (5, 0, 2, False),   # 4 < 5
    (6, 0, 3, True),    # 半数及以上: 6 ≥ 6
    (6, 0, 2, False),
    (6, 1, 5, False),   # every review must pass
])
def test_p6_s25_exceptional_peer_review_all_pass_half_excellent(n, failed, excellent, ok):
    assert peer_review_passes(n, failed, excellent, "full", exceptional=True, policy=POL) is ok


def test_p6_s25_peer_review_vectorised_and_bad_input():
    out = peer_review_passes(np.array([5, 3, 3]), np.array([1, 1, 2]), 0,
                             np.array(["full", "associate", "associate"]), policy=POL)
    assert out.tolist() == [True, True, False]
    with pytest.raises(ReviewError, match="more failed plus excellent"):
        peer_review_passes(5, 3, 3, "full", policy=POL)
    with pytest.raises(ReviewError, match="unknown post"):
        peer_review_passes(5, 0, 0, "intermediate", policy=POL)


def test_p6_s25_peer_review_exemption_bases():
    out = review.peer_review_exempt(pd.Series(["985_full_senior", None, "tenured_associate_abroad"]), policy=POL)
    assert out.tolist() == [True, False, True]
    with pytest.raises(ReviewError, match="unknown basis"):
        review.peer_review_exempt("harvard_postdoc", policy=POL)


# --------------------------------------------------------------------------------------------
# shortlist (§25(三)) and committees (§19–§22)
# --------------------------------------------------------------------------------------------
def test_p6_s25_shortlist_at_most_twice_the_posts():
    assert review.shortlist_max(3, policy=POL) == 6
    assert review.shortlist_ok(6, 3, policy=POL) is True     # 不超过 includes equality
    assert review.shortlist_ok(7, 3, policy=POL) is False


@pytest.mark.parametrize("professors, admin, ok", [
    (9, 4, True),     # 11 members: 5 × 4 = 20 ≤ 22
    (9, 5, False),    # 25 > 22
    (11, 5, True),    # 13 members: 25 ≤ 26
    (11, 6, False),   # 30 > 26
    (8, 1, False),    # fewer than 9 professors
    (12, 1, False),   # more than 11
])
def test_p6_s21_unit_subcommittee(professors, admin, ok):
    assert review.unit_subcommittee_ok(professors, admin, policy=POL) is ok


def test_p6_s20_s22_panel_and_professors_meeting():
    assert review.discipline_panel_ok(11, 11, policy=POL) is True
    assert review.discipline_panel_ok(15, 15, policy=POL) is True
    assert review.discipline_panel_ok(10, 10, policy=POL) is False
    assert review.discipline_panel_ok(16, 16, policy=POL) is False
    assert review.discipline_panel_ok(12, 11, policy=POL) is False    # one member not full-senior
    assert review.professors_meeting_needs_joint(14, policy=POL) is True   # 不足15
    assert review.professors_meeting_needs_joint(15, policy=POL) is False


def test_p6_s19_s21_committee_composition_table():
    rows = []
    # U1: dean, secretary, 11 professors, 5 admin holders (dean + 4) → compliant (25 ≤ 26)
    rows += [("C1", "unit_subcommittee", "dean", True, True), ("C1", "unit_subcommittee", "party_secretary", False, True)]
    rows += [("C1", "unit_subcommittee", "professor", i < 4, True) for i in range(11)]
    # U2: no party secretary, 9 professors
    rows += [("C2", "unit_subcommittee", "dean", True, True)]
    rows += [("C2", "unit_subcommittee", "professor", False, True) for _ in range(9)]
    # panel of 11 with one associate member
    rows += [("P1", "discipline_panel", "expert", False, i > 0) for i in range(11)]
    # school committee: 8 leaders and 4 experts (needs 5–7)
    rows += [("S", "school_committee", "school_leader", True, True) for _ in range(8)]
    rows += [("S", "school_committee", "expert", False, True) for _ in range(4)]
    df = pd.DataFrame(rows, columns=["committee_id", "body", "role", "holds_admin_post", "full_senior"])
    df["member_id"] = [f"M{i}" for i in range(len(df))]
    out = review.committee_composition(df, policy=POL).set_index("committee_id")
    assert out.loc["C1", "composition_ok"] and out.loc["C1", "members"] == 13
    assert "party secretary" in out.loc["C2", "composition_problems"]
    assert "full-senior" in out.loc["P1", "composition_problems"]
    assert "experts not 5–7" in out.loc["S", "composition_problems"]


def test_p6_s23_relative_conflicts_both_directions():
    apps = pd.DataFrame({"application_id": ["A1", "A2"], "staff_id": ["T1", "T2"],
                         "application_date": pd.to_datetime(["2026-09-01", "2026-09-01"])})
    members = pd.DataFrame({"committee_id": ["C1", "C1", "C9"], "body": "unit_subcommittee",
                            "year": [2026, 2026, 2025], "member_id": ["T8", "T9", "T7"]})
    rel = pd.DataFrame({"staff_id": ["T1", "T9", "T2"], "relative_id": ["T8", "T2", "T7"]})
    out = review.relative_conflicts(apps, members, rel, policy=POL)
    # T1–T8 (T8 sits in 2026), T9–T2 listed the other way round; T2–T7 only sat in 2025
    assert sorted(zip(out["application_id"], out["member_id"])) == [("A1", "T8"), ("A2", "T9")]


# --------------------------------------------------------------------------------------------
# deadlines (§25(五), §29, §31)
# --------------------------------------------------------------------------------------------
def test_p6_s31_appeal_deadlines():
    # one week = 7 calendar days after publication
    assert review.appeal_deadline("2026-09-01", policy=POL) == dt.date(2026, 9, 8)
    assert review.appeal_deadline(dt.date(2026, 12, 28), policy=POL) == dt.date(2027, 1, 4)
    # one month: same day next month, or the month's last day
    assert review.answer_deadline("2026-09-08", policy=POL) == dt.date(2026, 10, 8)
    assert review.answer_deadline("2026-01-31", policy=POL) == dt.date(2026, 2, 28)
    assert review.answer_deadline("2028-01-31", policy=POL) == dt.date(2028, 2, 29)
    assert review.answer_deadline("2026-12-31", policy=POL) == dt.date(2027, 1, 31)
    assert review.second_appeal_deadline("2026-10-08", policy=POL) == dt.date(2026, 10, 15)
    assert review.publicity_end("2026-06-01", policy=POL) == dt.date(2026, 6, 8)
    out = review.answer_deadline(pd.Series(pd.to_datetime(["2026-03-31", "2026-08-31"])), policy=POL)
    assert out.dt.strftime("%Y-%m-%d").tolist() == ["2026-04-30", "2026-09-30"]
    with pytest.raises(ReviewError, match="date"):
        review.appeal_deadline("not a date", policy=POL)


def test_p6_s29_term_four_years():
    assert review.term_end("2026-09-01", policy=POL) == dt.date(2030, 8, 31)
    assert review.term_end("2024-02-29", policy=POL) == dt.date(2028, 2, 28)
    assert review.term_end("2023-03-01", policy=POL) == dt.date(2027, 2, 28)


def test_p6_review_thresholds_are_policy_data():
    five_sixths = POL.override({"review.votes.school.exceptional.numerator": 5,
                                "review.votes.school.exceptional.denominator": 6})
    # 5/6 of 12 = 10: 10 passes, and 9 fails under both
    assert vote_passes("school", 10, 15, 12, True, policy=five_sixths) is True
    # 5/6 of 10 attending = 8.33 → 9 needed, whereas 4/5 needs 8
    assert vote_passes("school", 8, 15, 10, True, policy=POL) is True
    assert vote_passes("school", 8, 15, 10, True, policy=five_sixths) is False
