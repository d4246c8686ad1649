"""Explanation of a class-teacher recruitment score, rank and appointment line (P4 一, 六; spec §6).

One run of :func:`staffcalc.scoring.recruitment_eligibility`, :func:`~staffcalc.scoring.recruitment_scores`
(which also returns the round maxima the achievement and conduct scores are relative to) and
:func:`~staffcalc.scoring.appoint` over every candidate: normalisation and ranking need the whole
round after vetoes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import scoring
from ..policy import Policy
from ..scenario import DEFAULT_OPENINGS
from ..schemas import LABELS
from .trace import Part, fmt, step

TOPIC = "recruitment"
KINDS = ("recruitment_candidates",)
LOOKED_IN = "班主任竞聘人员表（竞聘编号）"
LOOKED_IN_EN = "recruitment_candidates.csv (candidate_id)"
OPTIONAL_KINDS = ()
NS = "recruitment"


@dataclass
class Run:
    policy: Policy
    result: pd.DataFrame     # appoint(recruitment_scores(recruitment_eligibility(candidates)))
    openings: object

    def records(self, subject: str) -> np.ndarray:
        return np.flatnonzero(self.result["candidate_id"].astype(str).to_numpy() == subject)

    def period_of(self, pos: np.ndarray) -> np.ndarray:
        return self.result["round"].astype(str).to_numpy()[pos]


def compute(tables: dict, policy: Policy, as_of=None, parameters=None) -> Run:
    openings = (parameters or {}).get("openings", DEFAULT_OPENINGS)
    elig = scoring.recruitment_eligibility(tables["recruitment_candidates"], policy=policy)
    out = scoring.appoint(scoring.recruitment_scores(elig, policy), openings, policy)
    return Run(policy, out.drop(columns=[c for c in ("name",) if c in out.columns]).reset_index(drop=True), openings)


def _v(row, col):
    return LABELS.get(col, col), row.get(col)


def build(run: Run, i: int) -> Part:
    pol, r = run.policy, run.result.iloc[i]
    steps = [step(pol, "聘任条件：50周岁以下（P4 一）", r["age_on_recruitment"], path=f"{NS}.eligibility.max_age",
                  inputs=[_v(r, "birth_date"), _v(r, "recruitment_date")],
                  arithmetic=f"{fmt(r['age_on_recruitment'])} 周岁 ≤ {pol.get(f'{NS}.eligibility.max_age')} 周岁？",
                  status="pass" if r["age_on_recruitment"] <= pol.get(f"{NS}.eligibility.max_age") else "fail",
                  key="age_on_recruitment", result_unit="周岁"),
             step(pol, "聘任条件：正式教师、身体健康（P4 一）", bool(r["recruitment_eligible"]),
                  path=f"{NS}.eligibility.requirements", inputs=[_v(r, "regular_teacher"), _v(r, "healthy")],
                  arithmetic=r["ineligible_reason"] or "全部符合",
                  status="pass" if r["recruitment_eligible"] else "fail", key="recruitment_eligible"),
             step(pol, "一票否决（P4 六.8）", bool(r["veto"]), path=f"{NS}.veto_reasons",
                  inputs=[_v(r, "veto_reason")], arithmetic="被否决者不参加折算与排名" if r["veto"] else "无",
                  status="fail" if r["veto"] else "pass", key="veto")]
    excluded = bool(r["excluded_reason"])
    if not excluded:
        steps += _component_steps(pol, r)
        steps += _rank_steps(run, r)
        answer = (f"总分 {fmt(r['total'])} 分，第 {fmt(r['rank'])} 名（排序第 {fmt(r['rank_order'])} 位），"
                  + ("拟聘任" if r["appointed"] else f"未进入聘任名额（{run.openings} 名），候补第 {fmt(r['waiting_list'])} 位")
                  + ("；聘任线上同分无法区分，须由聘任领导小组决定" if r["tie_at_line"] else "") + "。")
    else:
        answer = f"不参加排名：{'一票否决' if r['veto'] else '不符合聘任条件（' + r['ineligible_reason'] + '）'}。"
    results = {c: r[c] for c in (*scoring.recruitment.COMPONENTS, "total", "rank", "rank_order", "appointed",
                                 "waiting_list", "tie_at_line", "conduct_zeroed", "excluded_reason")}
    return Part(TOPIC, "班主任竞聘得分与排名", f"竞聘编号 {r['candidate_id']}，{r['round']} 轮", answer, steps, results)


def _component_steps(pol: Policy, r: pd.Series) -> list:
    tiers = pol.get(f"{NS}.self_report.tiers")
    tier = str(r.get("self_report_tier", "")).split(".")[0]
    w = pol.get(f"{NS}.review.weights")
    scale, rev_max = pol.get(f"{NS}.review.rating_scale"), pol.get(f"{NS}.review.max")
    zero = pol.get(f"{NS}.conduct.zeroing")
    sick_month = pol.get(f"{NS}.conduct.sick_leave_month_days")
    c_max, a_max = pol.get(f"{NS}.conduct.max"), pol.get(f"{NS}.achievements.max")
    exam_max, full = pol.get(f"{NS}.exam.max"), pol.get(f"{NS}.exam.full_marks")
    zeroed = bool(r["conduct_zeroed"])
    return [
        step(pol, "一、自主申报（专家评定等级内得分，满分10）", r["self_report_score"], path=f"{NS}.self_report.tiers",
             inputs=[_v(r, "self_report_tier"), _v(r, "self_report")],
             arithmetic=(f"第{tier}等分数段 {tiers[tier]['min']}–{tiers[tier]['max']} 分内，取专家评分"
                         if tier in tiers else "取专家评分"), key="self_report_score", result_unit="分"),
        step(pol, "二、评议（领导小组35%、全体教师35%、家长30%，折合15分）", r["review_score"],
             path=f"{NS}.review.weights", inputs=[_v(r, "panel"), _v(r, "teachers"), _v(r, "parents")],
             arithmetic=(f"({fmt(w['panel'])} × {fmt(r['panel'])} + {fmt(w['teachers'])} × {fmt(r['teachers'])} + "
                         f"{fmt(w['parents'])} × {fmt(r['parents'])}) × {rev_max} / {scale}"),
             key="review_score", result_unit="分"),
        step(pol, "三、政绩（本轮最高者10分，其余按比例）", r["achievements_score"], path=f"{NS}.achievements.max",
             inputs=[_v(r, "achievement_points"), ("本轮最高（否决后）", r["achievements_top"])],
             arithmetic=(f"{a_max} × {fmt(r['achievement_points'])} / {fmt(r['achievements_top'])}"
                         if r["achievements_top"] > 0 else "本轮最高为0，均得0分"),
             key="achievements_score", result_unit="分"),
        step(pol, f"四、日常表现：是否清零（旷工、事假满{zero['personal_leave_days']}天、病假满{sick_month}天）", zeroed,
             path=f"{NS}.conduct.zeroing",
             inputs=[_v(r, "absenteeism_days"), _v(r, "personal_leave_days"), _v(r, "sick_leave_days")],
             arithmetic=(f"旷工 {fmt(r['absenteeism_days'])} 天 > {zero['absenteeism_days_over']}？"
                         f"事假 {fmt(r['personal_leave_days'])} 天 ≥ {zero['personal_leave_days']}？"
                         f"病假 {fmt(r['sick_leave_days'])} 天 ≥ {sick_month}？"),
             status="fail" if zeroed else "pass", key="conduct_zeroed"),
        step(pol, "四、日常表现（月考核基数，本轮最高者5分，其余按比例）", r["conduct_score"], path=f"{NS}.conduct.max",
             inputs=[_v(r, "monthly_base"), ("本轮最高（否决后，清零前）" if pol.get(f"{NS}.conduct.normalise_before_zeroing")
                                            else "本轮最高（否决和清零后）", r["conduct_top"])],
             arithmetic=("清零，得0分" if zeroed else f"{c_max} × {fmt(r['monthly_base'])} / {fmt(r['conduct_top'])}"),
             key="conduct_score", result_unit="分"),
        step(pol, "五、理论考试（百分制折合25分）", r["exam_score"], path=f"{NS}.exam.max", inputs=[_v(r, "exam")],
             arithmetic=f"{fmt(r['exam'])} × {exam_max} / {full}", key="exam_score", result_unit="分"),
        step(pol, "六、现场（说课15分 + 答辩20分）", r["onsite_score"], path=f"{NS}.onsite.talk_max",
             inputs=[_v(r, "talk"), _v(r, "defence")], arithmetic=f"{fmt(r['talk'])} + {fmt(r['defence'])}",
             key="onsite_score", result_unit="分"),
        step(pol, "总分", r["total"], arithmetic=" + ".join(fmt(r[c]) for c in scoring.recruitment.COMPONENTS),
             key="total", result_unit="分"),
    ]


def _rank_steps(run: Run, r: pd.Series) -> list:
    pol = run.policy
    out = [step(pol, "名次（同分同名次）", r["rank"], path=f"{NS}.ranking.normalise_within",
                arithmetic="本轮未被否决的候选人按总分从高到低", key="rank"),
           step(pol, "排序位次（同分按现场得分）", r["rank_order"], path=f"{NS}.ranking.tie_break",
                inputs=[("现场得分", r["onsite_score"])],
                arithmetic=("与他人总分、现场得分均相同，无法区分" if r["tie_unresolved"] else "按总分，同分按现场得分"),
                status="warning" if r["tie_unresolved"] else "", key="rank_order"),
           step(pol, "聘任线", bool(r["appointed"]), path=f"{NS}.ranking.waiting_list",
                inputs=[("聘任名额", run.openings)],
                arithmetic=(f"排序第 {fmt(r['rank_order'])} 位 ≤ {run.openings}？"
                            + ("" if r["appointed"] else f"；候补第 {fmt(r['waiting_list'])} 位")),
                key="appointed")]
    if r["tie_at_line"]:
        out.append(step(pol, "提示：聘任线上有无法区分的同分", True, status="warning", key="tie_at_line",
                        arithmetic="须由聘任领导小组决定，系统不自行取舍"))
    return out
