"""Class-teacher duty rules: P2 (2016) and P3 (2012) versions of one template (spec §7).

The same inputs are run under both versions; where they differ the test says which clause.
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
P2 = policy.load(AS_OF, variant="P2")
P3 = policy.load(AS_OF, variant="P3")
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "001_e33dba0c07008e35.txt"
POLICY_DIR = Path(scoring.__file__).resolve().parent.parent / "policies"


def test_p2_is_the_default_and_p3_is_chosen_by_variant():
    assert policy.load(AS_OF).sources["duty"].id == "P2"
    assert P3.sources["duty"].id == "P3"
    assert set(P2.references("duty")["path"]) == set(P3.references("duty")["path"])  # same paths


def test_p2_p3_diff_shows_certificate_level_and_sanctions():
    d = policy.diff(P2, P3, "duty").set_index("path")
    assert {"duty.exemption.health_certificate", "duty.sanctions.refusal", "duty.sanctions.dismissal"} <= set(d.index)
    cert = d.loc["duty.exemption.health_certificate"]
    assert cert["value_a"]["minimum"] == "县级" and cert["value_b"]["minimum"] == "二级甲等"
    assert "縣級以上" in cert["text_a"] and "二甲或以上" in cert["text_b"]
    refusal = d.loc["duty.sanctions.refusal"]
    assert (refusal["value_a"]["years"], refusal["value_b"]["years"]) == (3, 1)
    assert (refusal["value_a"]["reapply_after_years"], refusal["value_b"]["reapply_after_years"]) == (0, 3)
    dismissal = d.loc["duty.sanctions.dismissal"]
    assert (dismissal["value_a"]["years"], dismissal["value_b"]["years"]) == (1, 3)
    assert (dismissal["value_a"]["mandatory"], dismissal["value_b"]["mandatory"]) == (True, False)
    # what both versions share is not in the diff
    assert "duty.exemption.pregnancy_weeks" not in d.index


# --------------------------------------------------------------------------------------------
# Performance points (P3 五.1)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("term, senior, points", [
    (1, False, 2),   # first term: 2 a year
    (2, False, 3),   # 2 + 1
    (3, False, 4),   # 2 + 2
    (1, True, 3),    # 2 + senior/admin 1
    (4, True, 6),    # 2 + 3 + 1
])
def test_p3_s5_1_performance_points_per_year(term, senior, points):
    assert scoring.performance_points(term, senior, policy=P2) == points  # P2 borrows P3's numbers
    assert scoring.performance_points(term, senior, policy=P3) == points


def test_p3_s5_1_performance_points_vectorised_and_bad_terms():
    out = scoring.performance_points(np.array([1, 2, 5]), np.array([False, True, False]), policy=P3)
    assert out.tolist() == [2, 4, 6]  # 2; 2+1+1; 2+4
    s = scoring.performance_points(pd.Series([1, 3], index=["a", "b"]), policy=P3)
    assert s.to_dict() == {"a": 2, "b": 4}
    with pytest.raises(ScoringInputError, match="term"):
        scoring.performance_points(0, policy=P3)
    with pytest.raises(ScoringInputError, match="whole number"):
        scoring.performance_points(1.5, policy=P3)
    with pytest.raises(ScoringInputError, match="negative"):
        scoring.performance_points(np.array([1, -1]), policy=P3)


def test_p3_s5_1_two_full_years_of_an_interrupted_term_count_as_one():
    # 满2年为一届: 1 year → 0, 2 → 1, 3 → 1, 4 → 2 extra terms
    out = scoring.counted_terms(np.array([1, 1, 1, 1]), np.array([1, 2, 3, 4]), policy=P3)
    assert out.tolist() == [1, 2, 2, 3]


@settings(max_examples=60, deadline=None)
@given(term=st.integers(1, 30), senior=st.booleans())
def test_property_points_grow_by_one_per_term(term, senior):
    a = scoring.performance_points(term, senior, policy=P3)
    b = scoring.performance_points(term + 1, senior, policy=P3)
    assert b - a == 1 and a >= 2


# --------------------------------------------------------------------------------------------
# Exemptions (三.2, 三.4)
# --------------------------------------------------------------------------------------------
ASSIGN = pd.Timestamp("2026-09-01")


def requests(rows) -> pd.DataFrame:
    cols = ["exemption_reason", "request_date", "pregnancy_weeks", "child_birth_date", "certificate_admin_level",
            "certificate_hospital_grade"]
    df = pd.DataFrame(rows, columns=cols)
    df["assignment_date"] = ASSIGN
    for c in ("request_date", "child_birth_date"):
        df[c] = pd.to_datetime(df[c])
    return df


def test_p2_p3_s3_4_pregnancy_24_weeks_or_more_no_request_needed():
    df = requests([("pregnancy", None, 24.0, None, None, None), ("pregnancy", None, 23.9, None, None, None)])
    for pol in (P2, P3):
        out = scoring.exemptions(df, pol)
        assert out["may_be_exempted"].tolist() == [True, False]  # 24周或以上 includes 24


def test_p2_p3_s3_4_within_one_year_after_birth_anniversary_included():
    df = requests([
        ("postpartum", None, None, "2025-09-01", None, None),   # exactly one year: 以内 includes → exempt
        ("postpartum", None, None, "2025-08-31", None, None),   # one year and a day → not
        ("postpartum", None, None, "2026-03-01", None, None),   # six months → exempt
    ])
    assert scoring.exemptions(df, P2)["may_be_exempted"].tolist() == [True, False, True]


def test_p2_vs_p3_s3_2_certificate_level_differs():
    df = requests([
        ("health", "2026-05-20", None, None, "县级", "二级乙等"),     # county hospital, grade 2B
        ("health", "2026-05-20", None, None, "乡镇级", "一级甲等"),   # township, grade 1A
        ("health", "2026-05-20", None, None, "地市级", "二级甲等"),   # city, grade 2A
    ])
    # P2: 县级以上 → county yes, township no, city yes
    assert scoring.exemptions(df, P2)["may_be_exempted"].tolist() == [True, False, True]
    # P3: 二甲或以上 → 2B no, 1A no, 2A yes
    assert scoring.exemptions(df, P3)["may_be_exempted"].tolist() == [False, False, True]
    note = scoring.exemptions(df, P3)["exemption_note"].iloc[0]
    assert "二级甲等" in note


def test_p2_s3_2_written_request_before_1_june():
    df = requests([
        ("health", "2026-05-31", None, None, "省级", "三级甲等"),   # 31 May: on time
        ("health", "2026-06-01", None, None, "省级", "三级甲等"),   # 1 June: 6月1日前 excludes the day
        ("health", None, None, None, "省级", "三级甲等"),           # no request
        ("other", "2026-05-10", None, None, None, None),            # meeting decides: admissible
        ("other", "2026-06-02", None, None, None, None),
    ])
    out = scoring.exemptions(df, P2)
    assert out["request_on_time"].tolist() == [True, False, False, True, False]
    assert out["may_be_exempted"].tolist() == [True, False, False, True, False]
    assert out["condition_met"].iloc[3] is pd.NA
    lenient = P2.override({"duty.exemption.request_deadline": {"month": 6, "day": 2}})
    assert scoring.exemptions(df, lenient)["may_be_exempted"].tolist()[1] is True


def test_p2_s3_2_health_without_certificate_or_unknown_level():
    df = requests([("health", "2026-04-01", None, None, None, None)])
    out = scoring.exemptions(df, P2)
    assert not out["may_be_exempted"].iloc[0] and "无医院诊断证明" in out["exemption_note"].iloc[0]
    bad = requests([("health", "2026-04-01", None, None, "村级", None)])
    with pytest.raises(ScoringInputError, match="certificate_admin_level"):
        scoring.exemptions(bad, P2)
    with pytest.raises(ScoringInputError, match="exemption_reason"):
        scoring.exemptions(requests([("travel", None, None, None, None, None)]), P2)


# --------------------------------------------------------------------------------------------
# Sanctions (五.4 refusal, 五.5 dismissal): same history, each version's answer
# --------------------------------------------------------------------------------------------
def duty_history():
    return pd.DataFrame({
        "staff_id": ["R", "D", "S"],
        "academic_year": [2025, 2025, 2025],
        "duty_event": ["refused", "dismissed", "served"],
    })


def test_p2_s5_4_5_refusal_bars_three_years_dismissal_that_year():
    s = scoring.sanctions(duty_history(), P2).set_index("staff_id")
    assert len(s) == 2  # served rows carry no sanction
    # refusal in 2025: 三年内 → 2025, 2026, 2027; mandatory (取消); no wait to serve again
    assert (s.loc["R", "barred_from"], s.loc["R", "barred_to"], s.loc["R", "sanction_mandatory"]) == (2025, 2027, True)
    assert np.isnan(s.loc["R", "duty_reapply_from"])
    # dismissal in 2025: 当年 → 2025 only
    assert (s.loc["D", "barred_from"], s.loc["D", "barred_to"]) == (2025, 2025)
    assert s.loc["R", "withheld_qualifications"] == "评优、职称聘任"


def test_p3_s5_4_5_refusal_that_year_and_three_year_wait_dismissal_up_to_three_years():
    s = scoring.sanctions(duty_history(), P3).set_index("staff_id")
    # refusal 2025: 可取消当年 → 2025 only, not mandatory; 三年后方可重新申请 → from 2028
    assert (s.loc["R", "barred_from"], s.loc["R", "barred_to"], s.loc["R", "sanction_mandatory"]) == (2025, 2025, False)
    assert s.loc["R", "duty_reapply_from"] == 2028
    # dismissal 2025: 三年内可取消 → up to 2025–2027
    assert (s.loc["D", "barred_to"], s.loc["D", "sanction_mandatory"]) == (2027, False)


def test_same_history_each_versions_answer_for_2026():
    # in school year 2026: P2 still bars the 2025 refusal; P3 does not, but the teacher may not apply yet
    b2 = scoring.barred(duty_history(), 2026, P2).set_index("staff_id")
    b3 = scoring.barred(duty_history(), 2026, P3).set_index("staff_id")
    assert b2.loc["R", "awards_barred"] and b2.loc["R", "sanction_mandatory"] and b2.loc["R", "may_apply_for_duty"]
    assert not b3.loc["R", "awards_barred"] and not b3.loc["R", "may_apply_for_duty"]
    # the 2025 dismissal: P2 over by 2026; P3 may still withhold
    assert not b2.loc["D", "awards_barred"] and b3.loc["D", "awards_barred"] and not b3.loc["D", "sanction_mandatory"]
    assert set(b3.loc["D", "withheld_qualifications"].split("、")) == {"评优", "职称评聘"}
    # 2028: the P3 wait is over
    assert scoring.barred(duty_history(), 2028, P3).set_index("staff_id").loc["R", "may_apply_for_duty"]
    side = scoring.sanctions_by_variant(duty_history(), {"P2": P2, "P3": P3}).set_index("staff_id")
    assert side.loc["R", ["barred_to_P2", "barred_to_P3"]].tolist() == [2027, 2025]


def test_sanction_year_counting_is_an_interpretation():
    after = P2.override({"duty.sanctions.years_counting": "after_event_year"})
    s = scoring.sanctions(duty_history(), after).set_index("staff_id")
    assert (s.loc["R", "barred_from"], s.loc["R", "barred_to"]) == (2026, 2028)
    with pytest.raises(ScoringInputError, match="duty_event"):
        scoring.sanctions(duty_history().assign(duty_event=["refused", "quit", "served"]), P2)


def test_p2_s3_1_s3_3_appointment_readiness():
    df = pd.DataFrame({"trained": [True, False, True, True], "assistant_years": [1, 2, 0.5, 3],
                       "assistant_passed": [True, True, True, False], "years_without_duty": [1, 0, 2, 0.5]})
    out = scoring.appointment_readiness(df, P2)
    # trained + 满一年 + passed; untrained; half a year; not passed
    assert out["may_be_appointed"].tolist() == [True, False, False, False]
    # 一年或以上未承担 → expected (1 included)
    assert out["expected_to_serve"].tolist() == [True, False, True, False]


def test_duty_points_for_served_years():
    h = pd.DataFrame({"staff_id": ["A", "B", "C"], "academic_year": [2025] * 3,
                      "duty_event": ["served", "served", "refused"], "term_number": [1, 3, None],
                      "senior_or_admin": [False, True, False]})
    out = scoring.duty_points(h, P3)
    assert out["performance_points"].tolist()[:2] == [2, 5] and np.isnan(out["performance_points"].iloc[2])


def test_p2_p3_policy_texts_are_verbatim_quotes_of_the_seed():
    if not SEED.exists():
        pytest.skip("seed documents not available on this machine")
    raw = SEED.read_text(encoding="utf-8")
    parts = {"P2": raw[raw.index("第一篇"):raw.index("第二篇")], "P3": raw[raw.index("第二篇"):raw.index("第三篇")]}
    for doc_id, name in (("P2", "p2_class_teacher_2016.yaml"), ("P3", "p3_dongguan_class_teacher_2012.yaml")):
        doc = policy.read_document(POLICY_DIR / name)
        text = re.sub(r"\s+", "", parts[doc_id])
        for path, p in doc.parameters.items():
            for frag in [f for f in p.text.split("…") if f.strip()]:
                assert re.sub(r"\s+", "", frag) in text, f"{doc_id} {path}: {frag!r} not in its part of the seed"
