"""The appraisal explanation (issue 17): every teacher-month and teacher-semester of the sample traced
from the P5 kernels equals the public functions; hand-worked months on the rule boundaries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from staffcalc import policy, scoring
from staffcalc.cli import main
from staffcalc.explain import ExplainError, appraisal, explain, explain_all
from staffcalc.io import read_tables

DATA = Path(__file__).resolve().parent.parent / "data"
AS_OF = "2026-09-01"


@pytest.fixture(scope="module")
def pol():
    return policy.load(AS_OF)


@pytest.fixture(scope="module")
def tables():
    return read_tables(DATA, ["appraisal_items", "appraisal_events", "semester_ratings"])


def test_every_teacher_month_equals_monthly_appraisal(tables, pol):
    public = scoring.monthly_appraisal(tables["appraisal_items"], tables["appraisal_events"], pol)
    sections = scoring.section_scores(tables["appraisal_items"], pol)
    events = tables["appraisal_events"]
    codes_of = events.groupby(["staff_id", "period"])["code"].agg(sorted).to_dict()
    parts = dict(explain_all(tables, "appraisal", pol, as_of=AS_OF))
    assert len(parts) == len(public) == len(tables["appraisal_items"])
    event_steps = 0
    for i, part in parts.items():
        row = public.iloc[i]
        for col in ("base_score", "bonus", "deduction", "score", "allowance_forfeited", "allowance"):
            assert part.results[col] == row[col], (i, col)
        assert part.results["grade"] == row["grade"]
        k = part.by_key()
        for col in sections.columns:
            assert k[col] == sections[col].iloc[i], (i, col)
        assert k["grade"] == row["grade"] and k["score"] == row["score"]
        # the event lines are this teacher-month's events and add up to bonus and deduction
        ev = [s for s in part.steps if s.key.startswith("event:")]
        assert sorted(s.key[6:] for s in ev) == codes_of.get((row["staff_id"], row["period"]), [])
        assert sum(s.result for s in ev if s.label.startswith("加分")) == pytest.approx(row["bonus"])
        assert sum(s.result for s in ev if s.label.startswith("减分")) == pytest.approx(row["deduction"])
        event_steps += len(ev)
    assert event_steps == len(events)


def test_every_teacher_semester_equals_semester_grades(tables, pol):
    ratings = tables["semester_ratings"]
    public = scoring.semester_grades(ratings, pol)
    run = appraisal.compute(tables, pol)
    removal = {}
    for sem in sorted(public["semester"].unique()):
        upto = public[public["semester"] <= sem]
        r = scoring.removal_status(upto[["staff_id", "semester", "grade"]], pol).set_index("staff_id")
        removal[sem] = r
    for j in range(len(public)):
        part = appraisal.semester_part(run, j)
        s = public.iloc[j]
        for col in ("score_grade", "grade", "grade_basis", "override_code", "overridden_codes"):
            assert part.results[col] == s[col], (j, col)
        assert part.results["composite"] == s["composite"] or (np.isnan(s["composite"])
                                                               and np.isnan(part.results["composite"]))
        want = removal[s["semester"]].loc[s["staff_id"]]
        assert part.results["removal_status"] == want["removal_status"]
        assert part.results["consecutive_failed"] == want["consecutive_failed"]


def test_month_on_the_90_boundary_by_hand(pol):
    # T0000014 2025-09: nothing failed (100), one class period missed without the procedure (−10): 90 → 优秀
    t = explain(DATA, "T0000014", "appraisal", "2025-09", policy=pol, as_of=AS_OF)
    month = t.parts[0]
    k = month.by_key()
    assert k["base_score"] == 100 and k["event:D-CLASS-MISSED"] == 10 and k["deduction"] == 10
    assert k["score"] == 90 and k["grade"] == "优秀" and k["allowance"] == 600
    assert "90 ≤ 90 → 优秀" in {s.key: s for s in month.steps}["grade"].arithmetic
    assert [p.title for p in t.parts] == ["班主任月考核", "班主任学期考核"]     # and the semester of that month


def test_month_with_floors_forfeiture_and_several_events_by_hand(pol):
    # T0000868 2026-02: S1 15, S2a 20−5×1=15, S2b 20, S2c 15−4×1=11, S2d 20−5×1=15, S3 10 → 86;
    # B-MEETING-FULL +2, D-INACTION −20 (forfeits the allowance): 86 + 2 − 20 = 68 → 合格, allowance 0
    k = explain(DATA, "T0000868", "appraisal", "2026-02", policy=pol, as_of=AS_OF).parts[0].by_key()
    assert [k[f"score_{s}"] for s in ("s1", "s2a", "s2b", "s2c", "s2d", "s3")] == [15, 15, 20, 11, 15, 10]
    assert k["base_score"] == 86 and k["event:B-MEETING-FULL"] == 2 and k["event:D-INACTION"] == 20
    assert k["bonus"] == 2 and k["deduction"] == 20
    assert k["score"] == 68 and k["grade"] == "合格" and k["allowance"] == 0
    # T0000061 2025-09: S2c 4 failed × 4 = 16 > 15 and S3 3 × 4 = 12 > 10: both sections floored at 0
    k = explain(DATA, "T0000061", "appraisal", "2025-09", policy=pol, as_of=AS_OF).parts[0].by_key()
    assert k["score_s2c"] == 0 and k["score_s3"] == 0 and k["base_score"] == 75


def test_semester_override_precedence_and_removal_by_hand(pol):
    t = explain(DATA, "T0000280", "appraisal", "2025-10", policy=pol, as_of=AS_OF)
    sem = t.parts[-1]
    assert sem.results["composite"] == 91.9          # 0.2×92 + 0.3×90 + 0.5×93
    assert sem.results["score_grade"] == "优秀" and sem.results["grade"] == "不合格"   # §7 beats §6
    assert sem.results["override_code"] == "F-EXAM-MONEY" and sem.results["overridden_codes"] == "E-STUDENTS-PROVINCIAL"
    # T0000158: composite 0.2×62 + 0.3×55 + 0.5×50 = 53.9 → 不合格 for the second semester running → removal
    sem = explain(DATA, "T0000158", "appraisal", "2026-03", policy=pol, as_of=AS_OF).parts[-1]
    assert sem.results["composite"] == 53.9 and sem.results["grade"] == "不合格"
    assert sem.results["consecutive_failed"] == 2 and sem.results["removal_status"] == "remove"
    assert "调离班主任岗位" in sem.answer


def test_default_period_is_the_latest_month_and_bad_period(pol, capsys):
    t = explain(DATA, "T0000014", "appraisal", policy=pol, as_of=AS_OF)
    latest = pd.read_csv(DATA / "appraisal_items.csv").query("staff_id == 'T0000014'")["period"].max()
    assert t.parts[0].record.endswith(latest)
    with pytest.raises(ExplainError, match="2024-01"):
        explain(DATA, "T0000014", "appraisal", "2024-01", policy=pol)
    assert main(["explain", "--data", str(DATA), "--staff", "T0000014", "--topic", "appraisal",
                 "--period", "2024-01"]) == 2


def test_late_materials_are_traced_as_the_report_counts_them(tables, pol):
    items = tables["appraisal_items"].copy()
    items["materials_submitted"] = pd.NaT
    at = items.index[(items["staff_id"] == "T0000014") & (items["period"] == "2025-10")][0]
    items.loc[at, "materials_submitted"] = pd.Timestamp("2025-11-20")
    with_late = {**tables, "appraisal_items": items}
    want = scoring.monthly_appraisal(items, scoring.with_late_material_events(items, tables["appraisal_events"], pol),
                                     pol).iloc[at]
    part = explain(with_late, "T0000014", "appraisal", "2025-10", policy=pol, as_of=AS_OF).parts[0]
    late = [s for s in part.steps if s.key.startswith("event:D-MONTHLY-LATE")]
    assert late and ("月考核材料提交日期", pd.Timestamp("2025-11-20")) in late[0].inputs
    assert part.results["deduction"] == want["deduction"] > 0 and part.results["score"] == want["score"]


def test_what_if_cut_off_changes_the_grade(pol):
    scenario = pol.override({"appraisal.grade_bands.优秀": 91})
    k = explain(DATA, "T0000014", "appraisal", "2025-09", policy=scenario, as_of=AS_OF).parts[0].by_key()
    assert k["grade"] == "良好" and k["allowance"] == 500
