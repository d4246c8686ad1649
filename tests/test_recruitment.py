"""Class-teacher recruitment scoring (P4 中华路小学班主任教师聘任办法; spec §6).

Hand-worked numbers are in the comments; boundaries are tested on both sides.
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
POL = policy.load(AS_OF)
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "001_e33dba0c07008e35.txt"
POLICY_DIR = Path(scoring.__file__).resolve().parent.parent / "policies"

BASE = dict(self_report_tier=2, self_report=6.0, panel=80.0, teachers=80.0, parents=80.0, achievement_points=10.0,
            monthly_base=80.0, absenteeism_days=0.0, personal_leave_days=0.0, sick_leave_days=0.0, exam=80.0,
            talk=10.0, defence=15.0, veto=False)


def cands(*rows, **common) -> pd.DataFrame:
    out = []
    for i, r in enumerate(rows):
        d = {**BASE, **common, **r}
        d.setdefault("candidate_id", f"C{i}")
        out.append(d)
    return pd.DataFrame(out).set_index("candidate_id", drop=False)


def hand_worked() -> pd.DataFrame:
    return cands(
        dict(candidate_id="A", self_report_tier=1, self_report=9, panel=80, teachers=90, parents=70,
             achievement_points=20, monthly_base=95, personal_leave_days=9, sick_leave_days=29, exam=80,
             talk=12, defence=16),
        dict(candidate_id="B", self_report_tier=2, self_report=6, panel=100, teachers=100, parents=100,
             achievement_points=10, monthly_base=76, exam=60, talk=10, defence=15),
        dict(candidate_id="C", self_report_tier=3, self_report=4, panel=60, teachers=60, parents=60,
             achievement_points=0, monthly_base=100, personal_leave_days=10, exam=100, talk=15, defence=20),
        dict(candidate_id="V", veto=True, achievement_points=50, monthly_base=100),
    )


def test_p4_s6_six_components_hand_worked():
    out = scoring.recruitment_scores(hand_worked(), POL)
    a, b, c, v = (out.loc[k] for k in "ABCV")
    # A: self 9; review (35×80 + 35×90 + 30×70)/100 = 80.5 → × 15/100 = 12.075;
    #    achievements 20 is the top of A, B, C (V is vetoed) → 10;
    #    conduct: the top base is taken before zeroing: max(95, 76, 100) = 100 (C, zeroed) → 5 × 95/100 = 4.75;
    #    exam 80 × 25/100 = 20; on-site 12 + 16 = 28.  Total 9 + 12.075 + 10 + 4.75 + 20 + 28 = 83.825
    assert [a[k] for k in scoring.recruitment.COMPONENTS] == [9, 12.075, 10, 4.75, 20, 28]
    assert a["total"] == 83.825
    # B: 6 + 15 + 10×10/20 = 5 + 5×76/100 = 3.8 + 60×25/100 = 15 + 25 = 69.8
    assert [b[k] for k in scoring.recruitment.COMPONENTS] == [6, 15, 5, 3.8, 15, 25]
    assert b["total"] == 69.8
    # C: 4 + 9 + 0 + 0 (personal leave 10 days: 10天以上 includes 10) + 25 + 35 = 73
    assert [c[k] for k in scoring.recruitment.COMPONENTS] == [4, 9, 0, 0, 25, 35]
    assert c["total"] == 73 and bool(c["conduct_zeroed"])
    assert (a["rank"], c["rank"], b["rank"]) == (1, 2, 3)
    # vetoed: not ranked, NaN total and rank
    assert np.isnan(v["total"]) and np.isnan(v["rank"]) and np.isnan(v["rank_order"])
    assert v["excluded_reason"].startswith("veto")


def test_p4_s6_4_top_before_zeroing_is_an_interpretation():
    p = POL.override({"recruitment.conduct.normalise_before_zeroing": False})
    out = scoring.recruitment_scores(hand_worked(), p)
    # top of the non-zeroed: 95 (A) → A 5, B 5 × 76/95 = 4
    assert out.loc["A", "conduct_score"] == 5 and out.loc["B", "conduct_score"] == 4


@pytest.mark.parametrize("column, scored, zeroed", [
    ("personal_leave_days", 9, 10),   # 学年事假10天以上: 10 included
    ("sick_leave_days", 29, 30),      # 病假一月以上: one month = 30 days, included
    ("absenteeism_days", 0, 1),       # 查岗有旷工: any
])
def test_p4_s6_4_conduct_zeroing_boundaries(column, scored, zeroed):
    out = scoring.recruitment_scores(cands({column: scored}, {column: zeroed}), POL)
    # both have base 80 = the top → 5, unless zeroed
    assert out["conduct_score"].tolist() == [5.0, 0.0]
    assert out["conduct_zeroed"].tolist() == [False, True]


def test_p4_s6_4_one_month_of_sick_leave_is_30_days_or_the_22_day_alternative():
    df = cands({"sick_leave_days": 21}, {"sick_leave_days": 22})
    assert scoring.recruitment_scores(df, POL)["conduct_zeroed"].tolist() == [False, False]
    alt = POL.override({"recruitment.conduct.sick_leave_month_days": 22})
    assert scoring.recruitment_scores(df, alt)["conduct_zeroed"].tolist() == [False, True]


def test_p4_s6_8_vetoed_candidate_excluded_with_the_policy_reasons():
    out = scoring.recruitment_scores(cands({}, {"veto": True}), POL)
    assert out["excluded_reason"].tolist() == ["", "veto / 一票否决（有严重师德问题、评聘过程中搞不正当之风）"]
    fewer = POL.override({"recruitment.veto_reasons": {"V-ETHICS": "师德", "V-IMPROPER": "不正之风"}})
    assert scoring.recruitment_scores(cands({}, {"veto": True}), fewer)["excluded_reason"].iloc[1] == "veto / 一票否决（师德、不正之风）"


def test_p4_s6_3_achievements_all_zero_gives_zero_not_nan():
    out = scoring.recruitment_scores(cands({}, {}, achievement_points=0.0), POL)
    assert out["achievements_score"].tolist() == [0.0, 0.0]


def test_p4_s6_normalisation_runs_after_vetoes_and_within_a_round():
    df = cands(
        dict(round="r1", achievement_points=20), dict(round="r1", achievement_points=5),
        dict(round="r1", achievement_points=80, veto=True),
        dict(round="r2", achievement_points=10), dict(round="r2", achievement_points=4),
    )
    out = scoring.recruitment_scores(df, POL)
    # r1: top 20 (the vetoed 80 does not count) → 10, 10 × 5/20 = 2.5; r2: top 10 → 10, 10 × 4/10 = 4
    assert out["achievements_score"].tolist()[:2] == [10.0, 2.5]
    assert out["achievements_score"].tolist()[3:] == [10.0, 4.0]
    assert out["rank"].tolist()[3:] == [1.0, 2.0]  # ranked within its own round
    before = POL.override({"recruitment.ranking.normalise_within": "round_before_vetoes"})
    out_b = scoring.recruitment_scores(df, before)
    assert out_b["achievements_score"].tolist()[:2] == [2.5, 0.625]  # 10 × 20/80, 10 × 5/80


def test_p4_s6_2_review_weights_are_exact():
    out = scoring.recruitment_scores(cands({}, panel=100.0, teachers=100.0, parents=100.0), POL)
    assert out["review_score"].iloc[0] == 15.0  # (35 + 35 + 30) × 100 × 15 / 10000 exactly
    # panel 90, teachers 80, parents 70: (3150 + 2800 + 2100)/100 = 80.5 → 12.075
    out = scoring.recruitment_scores(cands({}, panel=90.0, teachers=80.0, parents=70.0), POL)
    assert out["review_score"].iloc[0] == 12.075


@pytest.mark.parametrize("tier, score, ok", [(1, 8, True), (1, 7, False), (2, 5, True), (2, 8, False),
                                             (3, 4, True), (3, 5, False), (3, 0, False), (1, 10, True)])
def test_p4_s6_1_self_report_must_lie_in_its_tier(tier, score, ok):
    df = cands({}, dict(self_report_tier=tier, self_report=float(score)))
    if ok:
        assert scoring.recruitment_scores(df, POL).loc["C1", "self_report_score"] == score
    else:
        with pytest.raises(ScoringInputError) as exc:
            scoring.recruitment_scores(df, POL)
        assert "self_report" in str(exc.value) and "row C1" in str(exc.value)
        assert "自主申报得分不在所评等级的分数段内" in str(exc.value)


@pytest.mark.parametrize("score, ok", [
    (10.0, True), (10.5, False), (11.0, False),   # top of 一等 8–10; above it no tier
    (8.0, True), (7.5, False), (7.0, True),       # 一等 starts at 8, 二等 ends at 7: 7.5 is in neither
    (5.0, True), (4.5, False), (4.0, True),       # 二等 starts at 5, 三等 ends at 4: 4.5 is in neither
    (1.0, True), (0.5, False), (0.0, False),      # 三等 starts at 1: 0 is in no tier
    (6.5, True), (2.5, True),                     # inside a tier, a fraction is a score the experts can give
])
def test_p4_s_self_report_between_tiers_is_input_error(score, ok):
    # P4 六.1: 一等为8--10分;二等为5--7分;三等为1--4分 — without a self_report_tier column the score must
    # still lie in one of the three ranges (spec §6: a score outside its tier is an input error).
    df = cands({}, {}).drop(columns="self_report_tier")
    df["candidate_id"] = ["R2026-001", "R2026-002"]
    df = df.reset_index(drop=True)               # as read from a file: rows 0, 1
    df.loc[1, "self_report"] = score
    if ok:
        assert scoring.recruitment_scores(df, POL).loc[1, "self_report_score"] == score
        return
    with pytest.raises(ScoringInputError) as exc:
        scoring.recruitment_scores(df, POL)
    msg = str(exc.value)
    # names the row, the candidate number, the column and the rule, in English and Chinese
    assert "row 1 (candidate/报名号 R2026-002)" in msg and "R2026-001" not in msg
    assert "column self_report" in msg and "[rule self_report_in_no_tier]" in msg
    assert "lies in no tier" in msg and "自主申报得分不属于任何等级的分数段" in msg
    assert "tier 2: 5–7" in msg and "2等 5–7分" in msg  # the ranges, from the policy
    assert exc.value.rows == ["1 (candidate/报名号 R2026-002)"] and exc.value.column == "self_report"


def test_p4_s6_1_tiers_without_a_tier_column_follow_the_policy():
    # What-if: 二等 widened to 5–8 closes the gap at 7.5 (the check reads the tiers, not literals)
    wide = POL.override({"recruitment.self_report.tiers.2": {"min": 5, "max": 8}})
    df = cands({}, {}).drop(columns="self_report_tier")
    df["self_report"] = [7.5, 9.0]
    assert scoring.recruitment_scores(df, wide)["self_report_score"].tolist() == [7.5, 9.0]
    with pytest.raises(ScoringInputError, match="self_report_in_no_tier"):
        scoring.recruitment_scores(df, POL)


def test_p4_s6_1_vetoed_candidate_between_tiers_is_not_checked():
    df = cands({}, dict(veto=True)).drop(columns="self_report_tier")
    df.loc["C1", "self_report"] = 7.5
    assert np.isnan(scoring.recruitment_scores(df, POL).loc["C1", "total"])


def test_p4_s6_1_unknown_tier_is_an_error():
    with pytest.raises(ScoringInputError, match="tier"):
        scoring.recruitment_scores(cands({}, dict(self_report_tier=4)), POL)


@pytest.mark.parametrize("column, value", [("panel", 101.0), ("parents", -1.0), ("exam", 100.5), ("talk", 15.5),
                                           ("defence", 21.0), ("sick_leave_days", -2.0), ("exam", np.nan)])
def test_p4_s6_impossible_inputs_are_errors(column, value):
    with pytest.raises(ScoringInputError, match=column):
        scoring.recruitment_scores(cands({}, {column: value}), POL)


def test_p4_s6_8_vetoed_rows_may_be_empty():
    df = cands({}, dict(veto=True))
    df.loc["C1", ["exam", "panel", "self_report"]] = np.nan
    out = scoring.recruitment_scores(df, POL)
    assert np.isnan(out.loc["C1", "total"]) and out.loc["C0", "rank"] == 1


def tie_round() -> pd.DataFrame:
    # X: exam 80 (20) + talk 12 + defence 16 = 48; Y: exam 84 (21) + talk 11 + defence 16 = 48 → same total,
    # on-site 28 vs 27; Z identical to X; W clearly lower
    return cands(
        dict(candidate_id="Y", exam=84, talk=11, defence=16),
        dict(candidate_id="X", exam=80, talk=12, defence=16),
        dict(candidate_id="W", exam=50, talk=8, defence=10),
        dict(candidate_id="Z", exam=80, talk=12, defence=16),
    )


def test_p4_s6_7_ties_share_the_better_rank_and_are_ordered_by_onsite():
    out = scoring.recruitment_scores(tie_round(), POL)
    assert out.loc["X", "total"] == out.loc["Y", "total"] == out.loc["Z", "total"]
    assert out.loc[["X", "Y", "Z", "W"], "rank"].tolist() == [1, 1, 1, 4]
    # order: X and Z (on-site 28) before Y (27); X before Z by input order, flagged as unresolved
    assert out.loc[["X", "Z", "Y", "W"], "rank_order"].tolist() == [1, 2, 3, 4]
    assert out.loc[["X", "Z", "Y", "W"], "tie_unresolved"].tolist() == [True, True, False, False]


def test_p4_s6_7_appoint_fills_openings_and_lists_the_rest_in_rank_order():
    out = scoring.appoint(scoring.recruitment_scores(tie_round(), POL), 1, POL)
    assert out.loc["X", "appointed"] and not out.loc["Z", "appointed"]
    # X and Z cannot be separated (same total, same on-site): the tie at the line is flagged for the panel
    assert out.loc[["X", "Z"], "tie_at_line"].tolist() == [True, True]
    assert out.loc[["Z", "Y", "W"], "waiting_list"].tolist() == [1, 2, 3]
    out3 = scoring.appoint(scoring.recruitment_scores(tie_round(), POL), 3, POL)
    assert out3["appointed"].sum() == 3 and not out3["tie_at_line"].any()
    assert np.isnan(out3.loc["X", "waiting_list"]) and out3.loc["W", "waiting_list"] == 1
    with pytest.raises(ScoringInputError, match="openings"):
        scoring.appoint(scoring.recruitment_scores(tie_round(), POL), -1, POL)


# --------------------------------------------------------------------------------------------
# Eligibility (P4 一): 50周岁以下 includes 50, regular teacher, healthy
# --------------------------------------------------------------------------------------------
def test_p4_s1_age_50_on_the_recruitment_date_is_eligible_51_is_not():
    df = pd.DataFrame({
        "birth_date": pd.to_datetime(["1976-07-20", "1975-07-20", "1975-07-21", "1975-07-19", "1990-01-01"]),
        "regular_teacher": [True, True, True, True, False],
        "healthy": [True, True, True, True, True],
    })
    out = scoring.recruitment_eligibility(df, recruitment_date="2026-07-20", policy=POL)
    # 1976-07-20: 50th birthday that day → 50 → eligible
    # 1975-07-20: turned 51 that day → 51 → not eligible
    # 1975-07-21: turns 51 the day after → still 50 → eligible
    # 1975-07-19: turned 51 the day before → not eligible
    assert out["age_on_recruitment"].tolist() == [50, 51, 50, 51, 36]
    assert out["recruitment_eligible"].tolist() == [True, False, True, False, False]
    assert "51" not in out["ineligible_reason"].iloc[0] and "超过50周岁" in out["ineligible_reason"].iloc[1]
    assert "非正式教师" in out["ineligible_reason"].iloc[4]


def test_p4_s1_age_counting_alternative_and_leap_day():
    births = pd.Series(pd.to_datetime(["2000-02-29", "1976-07-20"]))
    # born 29 Feb: no 29 Feb in 2026, so the birthday is the month's last day (Civil Code art. 202)
    assert scoring.age_in_years(births.iloc[:1], "2026-02-27", POL).tolist() == [25]
    assert scoring.age_in_years(births.iloc[:1], "2026-02-28", POL).tolist() == [26]
    day_after = POL.override({"recruitment.eligibility.age_counting": "day_after"})
    assert scoring.age_in_years(births.iloc[1:], "2026-07-20", day_after).tolist() == [49]
    assert scoring.age_in_years(births.iloc[1:], "2026-07-21", day_after).tolist() == [50]


def test_p4_ineligible_candidates_are_not_ranked():
    df = cands({}, {}, {})
    df["recruitment_eligible"] = [True, False, True]
    out = scoring.recruitment_scores(df, POL)
    assert np.isnan(out.loc["C1", "total"]) and out.loc["C1", "excluded_reason"].startswith("ineligible")


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------
candidate = st.fixed_dictionaries({
    "self_report_tier": st.just(1), "self_report": st.integers(8, 10).map(float),
    "panel": st.integers(0, 100).map(float), "teachers": st.integers(0, 100).map(float),
    "parents": st.integers(0, 100).map(float), "achievement_points": st.integers(0, 40).map(float),
    "monthly_base": st.integers(0, 100).map(float), "absenteeism_days": st.sampled_from([0.0, 0.0, 1.0]),
    "personal_leave_days": st.integers(0, 12).map(float), "sick_leave_days": st.integers(0, 35).map(float),
    "exam": st.integers(0, 100).map(float), "talk": st.integers(0, 30).map(lambda x: x / 2),
    "defence": st.integers(0, 40).map(lambda x: x / 2), "veto": st.booleans(),
})


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(candidate, min_size=1, max_size=12))
def test_property_totals_within_0_100_and_rank_follows_total(rows):
    out = scoring.recruitment_scores(pd.DataFrame(rows), POL)
    ranked = out[out["total"].notna()]
    assert ((ranked["total"] >= 0) & (ranked["total"] <= 100)).all()
    for _, r in ranked.iterrows():
        # rank = 1 + number of candidates with a strictly higher total ("min" method)
        assert r["rank"] == 1 + (ranked["total"] > r["total"]).sum()
    assert sorted(ranked["rank_order"]) == list(range(1, len(ranked) + 1))
    assert out.loc[out["veto"], "total"].isna().all()


def test_p4_policy_texts_are_verbatim_quotes_of_the_seed():
    if not SEED.exists():
        pytest.skip("seed documents not available on this machine")
    seed = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    doc = policy.read_document(POLICY_DIR / "p4_zhonghua_recruitment.yaml")
    for path, p in doc.parameters.items():
        for frag in [f for f in p.text.split("…") if f.strip()]:
            assert re.sub(r"\s+", "", frag) in seed, f"{path}: {frag!r} not in the seed"


def test_sample_round_has_the_boundary_candidates():
    import staffcalc.sample as sample
    t = sample.generate(seed=11, n_staff=800)
    c = t["recruitment_candidates"]
    assert len(c) >= 40 and c["round"].nunique() == 1
    elig = scoring.recruitment_eligibility(c, policy=POL)
    assert {50, 51} <= set(elig["age_on_recruitment"])
    born = elig.set_index("birth_date")
    r = c["recruitment_date"].iloc[0]
    assert born.loc[r - pd.DateOffset(years=50), "recruitment_eligible"]            # 50 on the day
    assert not born.loc[r - pd.DateOffset(years=51), "recruitment_eligible"]        # 51 on the day
    assert born.loc[r - pd.DateOffset(years=51) + pd.Timedelta(days=1), "recruitment_eligible"]  # 51 tomorrow
    assert {9.0, 10.0} <= set(c["personal_leave_days"]) and {29.0, 30.0} <= set(c["sick_leave_days"])
    out = scoring.recruitment_scores(elig, POL)
    assert out["veto"].sum() >= 3 and out["tie_unresolved"].any()
    assert out["total"].dropna().duplicated().any()


@pytest.mark.parametrize("score, ok", [(7.0, True), (7.5, False), (8.0, True), (4.5, False), (0.0, False)])
def test_p4_s6_1_an_empty_tier_cell_is_checked_against_every_tier(score, ok):
    # the tier column is there but this candidate's cell is empty: the score must lie in some tier
    df = cands({}, {})
    df["self_report_tier"] = pd.array([2, None], dtype="Int64")
    df.loc["C1", "self_report"] = score
    if ok:
        assert scoring.recruitment_scores(df, POL).loc["C1", "self_report_score"] == score
    else:
        with pytest.raises(ScoringInputError, match=r"row C1, column self_report: .*self_report_in_no_tier"):
            scoring.recruitment_scores(df, POL)


def test_p4_s6_1_validation_names_file_and_excel_row_of_a_score_in_no_tier(tmp_path):
    # staffcalc validate / report check the same rule before any calculation, with the file's Excel row
    import shutil

    from conftest import DATA

    from staffcalc.validation import validate
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("README.md"))
    path = data / "recruitment_candidates.csv"
    c = pd.read_csv(path, dtype=str, keep_default_na=False)
    i = int((c["veto"].str.lower().isin(["false", "否", "0"])).to_numpy().argmax())   # a candidate not vetoed
    j = i + 1 + int((c["veto"].iloc[i + 1:].str.lower().isin(["false", "否", "0"])).to_numpy().argmax())
    c.loc[i, ["self_report_tier", "self_report"]] = ["", "7.5"]     # no tier, between 二等 and 一等
    c.loc[j, ["self_report_tier", "self_report"]] = ["1", "7"]      # 一等 but 7
    c.to_csv(path, index=False)
    found = validate(data, ["recruitment_candidates"], as_of="2026-09-01").problems
    tiers = found[found["rule"].str.startswith("self_report")]
    assert sorted(zip(tiers["row"].astype(int), tiers["rule"])) == sorted(
        [(i + 2, "self_report_in_no_tier"), (j + 2, "self_report_outside_tier")])
    assert tiers["file"].str.endswith("recruitment_candidates.csv").all()
    assert set(tiers["column_zh"]) == {"自主申报得分"}
