"""The monthly appraisal calendar and late materials (P5 §4(五)7, §4(五)11, §5; spec §5.3, §5.7).

每月3號之前上交上月的考核材料 … 遲交一天扣五分,遲交一天以上扣10分 (§4(五)11); 每月考核在其下月的3-8號進行,
每月10號公布考核結果 (§5); other materials: 遲交一天扣5分,遲交超過一天扣10分 (§4(五)7).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from staffcalc import policy, scoring
from staffcalc.scoring import ScoringInputError, timeline

POL = policy.load("2026-09-01")
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "001_e33dba0c07008e35.txt"


def test_p5_s5_timeline_of_a_month():
    t = scoring.monthly_timeline("2026-03", POL).iloc[0]
    # March's materials by 3 April, appraisal 3–8 April, results 10 April
    assert t["period"] == "2026-03"
    assert [str(t[c].date()) for c in ("materials_due", "appraisal_start", "appraisal_end", "results_published")] == [
        "2026-04-03", "2026-04-03", "2026-04-08", "2026-04-10"]
    # December rolls into January of the next year; many months at once
    many = scoring.monthly_timeline(pd.Series(["2026-12", "2027-01"]), POL)
    assert many["results_published"].dt.strftime("%Y-%m-%d").tolist() == ["2027-01-10", "2027-02-10"]


def test_p5_s5_timeline_days_are_policy_data():
    p = POL.override({"appraisal.timeline.results_day": 12, "appraisal.timeline.appraisal_days": {"first": 4, "last": 9}})
    t = scoring.monthly_timeline("2026-03", p).iloc[0]
    assert (t["appraisal_start"].day, t["appraisal_end"].day, t["results_published"].day) == (4, 9, 12)
    with pytest.raises(ScoringInputError, match="period"):
        scoring.monthly_timeline("March", POL)


def subs(*rows):
    base = {"staff_id": "T1", "period": "2026-03", "kind": "monthly", "due_date": None}
    df = pd.DataFrame([{**base, **r} for r in rows])
    for c in ("submitted", "due_date"):
        df[c] = pd.to_datetime(df[c])
    return df


@pytest.mark.parametrize("submitted, days, code", [
    ("2026-04-02", 0, ""),                     # early
    ("2026-04-03", 0, ""),                     # on the 3rd: 3號之前 read as including the 3rd
    ("2026-04-04", 1, "D-MONTHLY-LATE-1"),     # 遲交一天 → −5
    ("2026-04-05", 2, "D-MONTHLY-LATE-2"),     # 一天以上 (more than one day) → −10
    ("2026-05-20", 47, "D-MONTHLY-LATE-2"),
])
def test_p5_s4_5_11_monthly_materials_late_by_days(submitted, days, code):
    out = scoring.late_submissions(subs({"submitted": submitted}), POL).iloc[0]
    assert (str(out["due_date"].date()), out["days_late"], out["code"]) == ("2026-04-03", days, code)


@pytest.mark.parametrize("submitted, days, code", [
    ("2026-03-20", 0, ""),                     # on the deadline
    ("2026-03-21", 1, "D-MATERIAL-LATE-1"),    # 遲交一天 → −5
    ("2026-03-22", 2, "D-MATERIAL-LATE-2"),    # 遲交超過一天 → −10
])
def test_p5_s4_5_7_other_materials_late_by_days(submitted, days, code):
    out = scoring.late_submissions(subs({"kind": "material", "due_date": "2026-03-20", "submitted": submitted}), POL)
    assert (out["days_late"].iloc[0], out["code"].iloc[0]) == (days, code)


def test_p5_s4_5_11_due_day_and_one_day_readings_are_interpretations():
    for path in ("appraisal.timeline.materials_due_inclusive", "appraisal.timeline.late_tier1_max_days"):
        assert POL.param(path).interpretation
    # 之前 excluding the 3rd: due on the 2nd, so the 3rd is one day late
    excl = POL.override({"appraisal.timeline.materials_due_inclusive": False})
    out = scoring.late_submissions(subs({"submitted": "2026-04-03"}), excl).iloc[0]
    assert (str(out["due_date"].date()), out["days_late"], out["code"]) == ("2026-04-02", 1, "D-MONTHLY-LATE-1")
    assert str(scoring.monthly_timeline("2026-03", excl)["materials_due"].iloc[0].date()) == "2026-04-02"
    # 以上 read inclusively (Civil Code): one day late is already 一天以上 → −10; other materials unchanged
    incl = POL.override({"appraisal.timeline.late_tier1_max_days":
                         POL.param("appraisal.timeline.late_tier1_max_days").alternative_value})
    out = scoring.late_submissions(subs({"submitted": "2026-04-04"},
                                        {"kind": "material", "due_date": "2026-03-20", "submitted": "2026-03-21"}),
                                   incl)
    assert out["code"].tolist() == ["D-MONTHLY-LATE-2", "D-MATERIAL-LATE-1"]


def test_p5_s4_5_late_events_feed_the_deduction_catalogue():
    df = subs({"submitted": "2026-04-04"},                                   # −5
              {"submitted": "2026-04-06", "period": "2026-04", "due_date": "2026-04-05"},  # given date wins: 1 day, −5
              {"kind": "material", "due_date": "2026-03-10", "submitted": "2026-03-15"},  # −10
              {"kind": "material", "due_date": "2026-03-12", "submitted": "2026-03-14"},  # −10
              {"staff_id": "T2", "submitted": "2026-04-01"})                  # on time: no event
    events = scoring.late_submission_events(df, POL)
    assert events.to_dict("records") == [
        {"staff_id": "T1", "period": "2026-03", "code": "D-MATERIAL-LATE-2", "count": 2},
        {"staff_id": "T1", "period": "2026-03", "code": "D-MONTHLY-LATE-1", "count": 1},
        {"staff_id": "T1", "period": "2026-04", "code": "D-MONTHLY-LATE-1", "count": 1},
    ]
    # the points come from the catalogue (one implementation): March 2 × 10 + 5 = 25, April 5
    pts = scoring.event_points(events, POL).set_index("period")
    assert pts.loc["2026-03", "deduction"] == 25 and pts.loc["2026-04", "deduction"] == 5


def test_p5_s4_5_bad_submissions_are_errors():
    with pytest.raises(ScoringInputError, match="staff_id T1 / 工号 T1, column kind.*unknown_kind"):
        scoring.late_submissions(subs({"kind": "weekly", "submitted": "2026-04-04"}), POL)
    with pytest.raises(ScoringInputError, match="staff_id T1 / 工号 T1, column due_date"):
        scoring.late_submissions(subs({"kind": "material", "submitted": "2026-04-04"}), POL)
    with pytest.raises(ScoringInputError, match=r"staff_id T1 \(row 1\) / 工号 T1 \(row 1\), column submitted"):
        scoring.late_submissions(subs({"submitted": "2026-04-04"}, {"submitted": None}), POL)


def test_p5_timeline_policy_texts_are_verbatim_quotes_of_the_seed():
    if not SEED.exists():
        pytest.skip("seed documents not available on this machine")
    seed = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    doc = policy.read_document(Path(timeline.__file__).resolve().parent.parent / "policies" / "p5_datong_appraisal.yaml")
    paths = [p for p in doc.parameters if p.startswith("appraisal.timeline.")]
    assert len(paths) == 5
    for path in paths:
        for frag in [f for f in doc.parameters[path].text.split("…") if f.strip()]:
            assert re.sub(r"\s+", "", frag) in seed, f"{path}: {frag!r} not in the seed"


# --------------------------------------------------------------------------------------------
# The input that gives submission dates: appraisal_items.materials_submitted
# --------------------------------------------------------------------------------------------
def items_and_events():
    items = pd.DataFrame({
        "staff_id": ["T1", "T2", "T3"], "period": ["2025-09"] * 3,
        # T1: 2 failed S2b items (−4 → base 96); T2: all 4 S2c items failed (15 − 16 → 0, base 85); T3: none
        "fail_s1": [0, 0, 0], "fail_s2a": [0, 0, 0], "fail_s2b": [2, 0, 0], "fail_s2c": [0, 4, 0],
        "fail_s2d": [0, 0, 0], "fail_s3": [0, 0, 0],
        # September's materials are due by 2025-10-03: T1 one day late, T2 on the day, T3 not recorded
        "materials_submitted": pd.to_datetime(["2025-10-04", "2025-10-03", None]),
    })
    events = pd.DataFrame({"staff_id": ["T1", "T2"], "period": ["2025-09"] * 2,
                           "code": ["B-MEETING-FULL", "D-LATE"], "count": [1, 3]})
    return items, events


def test_p5_s4_5_11_submission_dates_in_the_appraisal_items_add_the_late_deduction():
    items, events = items_and_events()
    all_events = scoring.with_late_material_events(items, events, POL)
    assert all_events.iloc[-1].to_dict() == {"staff_id": "T1", "period": "2025-09", "code": "D-MONTHLY-LATE-1",
                                             "count": 1}
    out = scoring.monthly_appraisal(items, all_events, POL).set_index("staff_id")
    # T1: 96 + 2 − 5 = 93 (still 优秀); T2: 85 − 3 × 2 = 79, on time; T3: 100
    assert out["score"].to_dict() == {"T1": 93.0, "T2": 79.0, "T3": 100.0}
    assert out.loc["T1", "deduction"] == 5
    # without the column (or with it empty) nothing is added
    assert scoring.with_late_material_events(items.drop(columns="materials_submitted"), events, POL) is events
    none = items.assign(materials_submitted=pd.NaT)
    assert scoring.with_late_material_events(none, events, POL) is events


def test_p5_s4_5_11_what_if_baseline_counts_the_late_materials_like_the_report():
    from conftest import DATA

    from staffcalc import scenario
    from staffcalc.io import read_tables

    items, events = items_and_events()
    tables = read_tables(DATA, list(scenario.TABLE_KINDS))
    tables.update(appraisal_items=items, appraisal_events=events,
                  semester_ratings=tables["semester_ratings"].iloc[0:0])
    base = scenario.from_tables(tables, POL, openings=3)
    got = scenario.recompute(base, {}).monthly.set_index("staff_id")["score"].to_dict()
    assert got == {"T1": 93.0, "T2": 79.0, "T3": 100.0}


def test_p5_s4_5_11_materials_submitted_read_from_a_file(tmp_path):
    from staffcalc.io import read_table

    path = tmp_path / "appraisal_items.csv"
    path.write_text("工号,考核月份,fail_s1,fail_s2a,fail_s2b,fail_s2c,fail_s2d,fail_s3,月考核材料提交日期\n"
                    "T1,2025-09,0,0,2,0,0,0,2025年10月4日\nT2,2025-09,0,0,0,0,0,0,\n", encoding="utf-8")
    items = read_table(path, "appraisal_items")
    assert items["materials_submitted"].dt.strftime("%Y-%m-%d").fillna("").tolist() == ["2025-10-04", ""]
    assert scoring.with_late_material_events(items, None, POL)["code"].tolist() == ["D-MONTHLY-LATE-1"]
