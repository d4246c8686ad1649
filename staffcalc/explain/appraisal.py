"""Explanation of a class teacher's monthly appraisal and semester grade (P5 §3–§8; spec §5).

Monthly: one run of the P5 kernels over every teacher-month (events plus the late-material
deductions of :func:`staffcalc.scoring.with_late_material_events`, as the report computes them)
(:func:`staffcalc.scoring.appraisal.monthly_trace`, the arrays behind ``monthly_appraisal``):
section scores, the points of every coded event, bonus and deduction totals, the score, the grade
band, the allowance and its forfeiture.  Semester: one run of :func:`~staffcalc.scoring.semester_grades`
over every rating row (composite, grade by score, the direct-grade overrides and which one decided)
and :func:`~staffcalc.scoring.removal_status` on the grades up to that semester (P5 §8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import scoring
from ..policy import Policy
from ..scoring import appraisal as _appraisal
from .trace import Part, fmt, step, zh

TOPIC = "appraisal"
KINDS = ("appraisal_items", "appraisal_events", "semester_ratings")
OPTIONAL_KINDS = ()
LOOKED_IN = "班主任月考核项目表（工号）"
LOOKED_IN_EN = "appraisal_items.csv (staff_id)"
NS = "appraisal"
YUAN = "元"


@dataclass
class Run:
    policy: Policy
    items: pd.DataFrame         # teacher-months (input order)
    events: pd.DataFrame        # coded events (input order)
    monthly: _appraisal.MonthlyRun   # the kernels' arrays (monthly_trace) + each event's row
    result: pd.DataFrame        # those arrays per teacher-month, as monthly_appraisal returns them
    semesters: pd.DataFrame     # semester_grades over every rating row
    ratings_all: pd.DataFrame
    removal: dict               # semester -> removal_status on the grades up to it, by staff_id
    event_order: np.ndarray     # events sorted by their teacher-month row (stable)
    event_start: np.ndarray     # first position in event_order of each teacher-month (n + 1 bounds)

    def events_of(self, i: int) -> np.ndarray:
        return self.event_order[self.event_start[i]:self.event_start[i + 1]]

    def records(self, subject: str) -> np.ndarray:
        return np.flatnonzero(self.result["staff_id"].astype(str).to_numpy() == subject)

    def period_of(self, pos: np.ndarray) -> np.ndarray:
        return self.result["period"].astype(str).to_numpy()[pos]

    def default_records(self, pos: np.ndarray) -> np.ndarray:
        """Without --period: the person's latest month."""
        periods = self.period_of(pos)
        return pos[periods == periods.max()]

    def extra_parts(self, pos: np.ndarray) -> list[Part]:
        """The semester part(s) for the semesters of the months shown."""
        sems = scoring.semester_of_period(pd.Series(self.period_of(pos))).unique()
        sid = str(self.result["staff_id"].iloc[pos[0]])
        rows = np.flatnonzero((self.semesters["staff_id"].astype(str) == sid).to_numpy()
                              & self.semesters["semester"].isin(sems).to_numpy())
        return [semester_part(self, int(j)) for j in rows]


def compute(tables: dict, policy: Policy, as_of=None, parameters=None) -> Run:
    items = tables["appraisal_items"].reset_index(drop=True)
    # late monthly materials (P5 §4(五)11) become deduction events, as in the report and the what-if page
    events = scoring.with_late_material_events(items, tables["appraisal_events"], policy).reset_index(drop=True)
    monthly = _appraisal.monthly_trace(items, events, policy)
    t = monthly.trace
    result = pd.DataFrame({
        "staff_id": items["staff_id"].to_numpy(), "period": items["period"].to_numpy(), "base_score": t.base,
        "bonus": t.bonus, "deduction": t.deduction, "allowance_forfeited": t.forfeited, "score": t.score,
        "grade": np.asarray(monthly.bands.names, dtype=object)[t.pos], "allowance": t.allowance,
    })
    ratings = tables["semester_ratings"].reset_index(drop=True)
    semesters = scoring.semester_grades(ratings, policy)
    history = semesters[["staff_id", "semester", "grade"]]
    removal = {sem: scoring.removal_status(history[history["semester"] <= sem], policy).set_index("staff_id")
               for sem in semesters["semester"].unique()}   # one run per semester, not per person
    order = np.argsort(monthly.event_row, kind="stable")
    start = np.searchsorted(monthly.event_row[order], np.arange(len(items) + 1))
    return Run(policy, items, events, monthly, result, semesters, ratings, removal, order, start)


def build(run: Run, i: int) -> Part:
    """The monthly appraisal of one teacher-month, section by section and event by event."""
    pol, r, mt = run.policy, run.result.iloc[i], run.monthly
    t, rubric, codes = mt.trace, mt.rubric, mt.codes
    steps = []
    for j, sec in enumerate(rubric.section):
        col = rubric.column[j]
        failed = int(run.items[col].iloc[i])
        steps.append(step(pol, f"考核项目 {sec}", float(t.sections[i, j]), path=f"{NS}.sections.{sec}",
                          inputs=[(f"{sec} 不合格项数", failed)],
                          arithmetic=(f"max({fmt(rubric.floor)}，{fmt(rubric.maximum[j])} − {fmt(rubric.per_item[j])} × "
                                      f"{failed})"),
                          key=f"score_{sec.lower()}", result_unit="分"))
    steps.append(step(pol, "基础分（各项目得分之和）", float(t.base[i]), path=f"{NS}.section_floor",
                      arithmetic=" + ".join(fmt(x) for x in t.sections[i]), key="base_score", result_unit="分"))
    mine = run.events_of(i)
    for e in mine:
        code = codes.code[mt.code_pos[e]]
        bonus = bool(codes.is_bonus[mt.code_pos[e]])
        kind = "bonus" if bonus else "deduction"
        points = float(t.events.points[e])
        shown = [("次数", int(mt.count[e]))]
        if code.startswith("D-MONTHLY-LATE") and "materials_submitted" in run.items.columns:
            shown.append(("月考核材料提交日期", run.items["materials_submitted"].iloc[i]))
        steps.append(step(pol, f"{'加分' if bonus else '减分'} {code}", points, path=f"{NS}.{kind}.{code}",
                          inputs=shown,
                          arithmetic=f"{fmt(codes.points[mt.code_pos[e]])} 分 × {int(mt.count[e])} 次"
                          + ("；扣除当月津贴" if t.events.forfeits[e] else ""),
                          key=f"event:{code}", result_unit="分"))
    steps.append(step(pol, "加分合计", float(r["bonus"]), arithmetic="各加分项之和" if len(mine) else "无加分记录",
                      key="bonus", result_unit="分"))
    steps.append(step(pol, "减分合计", float(r["deduction"]), arithmetic="各减分项之和" if len(mine) else "无减分记录",
                      key="deduction", result_unit="分"))
    steps.append(step(pol, "月考核得分 = 基础分 + 加分 − 减分（不设上下限）", float(r["score"]), path=f"{NS}.clip_score",
                      arithmetic=f"{fmt(r['base_score'])} + {fmt(r['bonus'])} − {fmt(r['deduction'])}",
                      key="score", result_unit="分"))
    bands = mt.bands
    pos = int(t.pos[i])
    lower = bands.bounds[pos]
    upper = bands.bounds[pos + 1] if pos + 1 < len(bands.bounds) else None
    band_text = (f"{fmt(lower)} ≤ {fmt(r['score'])}" if np.isfinite(lower) else f"{fmt(r['score'])}")
    band_text += f" < {fmt(upper)}" if upper is not None else ""
    steps.append(step(pol, "等次（半开区间：下限计入本等次）", str(r["grade"]), path=f"{NS}.grade_bands",
                      arithmetic=f"{band_text} → {r['grade']}", key="grade"))
    forfeited = bool(r["allowance_forfeited"])
    steps.append(step(pol, "当月津贴（各等次金额为规划假设；校级处分或不作为扣除当月津贴）", float(r["allowance"]),
                      path=f"{NS}.allowance.monthly", inputs=[("扣除当月津贴", forfeited)],
                      arithmetic="扣除，0 元" if forfeited else f"{r['grade']} 等次每月 {fmt(r['allowance'], YUAN)}",
                      key="allowance", result_unit=YUAN))
    answer = (f"{r['period']} 月考核得分 {fmt(r['score'])} 分，{r['grade']}；当月津贴 {fmt(r['allowance'], YUAN)}"
              + ("（当月有扣除津贴的情形）" if forfeited else "") + "。")
    results = {c: r[c] for c in ("base_score", "bonus", "deduction", "score", "allowance_forfeited", "allowance")}
    results["grade"] = str(r["grade"])
    return Part(TOPIC, "班主任月考核", f"工号 {r['staff_id']}，{r['period']}", answer, steps, results)


def semester_part(run: Run, j: int) -> Part:
    """The semester grade of one teacher-semester (P5 §5–§7) and the removal rule (§8)."""
    pol, s, raw = run.policy, run.semesters.iloc[j], run.ratings_all.iloc[j]
    w = pol.get(f"{NS}.composite_weights")
    steps = [step(pol, "学期综合得分 = 自评 × 20% + 学生测评 × 30% + 学院测评 × 50%", s["composite"],
                  path=f"{NS}.composite_weights",
                  inputs=[("自评", raw["self_score"]), ("学生测评", raw["student_score"]), ("学院测评", raw["college_score"])],
                  arithmetic=(f"{fmt(w['self'])} × {fmt(raw['self_score'])} + {fmt(w['student'])} × "
                              f"{fmt(raw['student_score'])} + {fmt(w['college'])} × {fmt(raw['college_score'])}"),
                  key="composite", result_unit="分"),
             step(pol, "按得分评定的等次", s["score_grade"] or "—", path=f"{NS}.grade_bands",
                  arithmetic="无综合得分（由直接定等决定）" if not s["score_grade"] else "按月考核同样的等次分数线",
                  key="score_grade")]
    codes = [c for c in str(s["override_code"]).split(";") if c]
    for c in codes:
        steps.append(step(pol, f"直接定等情形 {c}", pol.get(f"{NS}.direct_grade.{c}"), path=f"{NS}.direct_grade.{c}",
                          arithmetic="该情形直接决定学期等次", key="override_code"))
    lost = [c for c in str(s["overridden_codes"]).split(";") if c]
    for c in lost:
        steps.append(step(pol, f"同时适用但不予采用的情形 {c}", pol.get(f"{NS}.direct_grade.{c}"),
                          path=f"{NS}.override_precedence",
                          arithmetic="按 " + "＞".join(pol.get(f"{NS}.override_precedence")) + " 的优先顺序（解释性规定）",
                          status="warning", key="overridden_codes"))
    steps.append(step(pol, "学期等次", s["grade"], arithmetic=("直接定等：" + "、".join(codes)) if codes else "按得分",
                      key="grade"))
    removal = run.removal[s["semester"]].loc[s["staff_id"]]
    steps.append(step(pol, "连续不合格学期数（调离：连续两个学期不合格）", int(removal["consecutive_failed"]),
                      path=f"{NS}.removal.consecutive_failed_semesters",
                      arithmetic=f"截至 {s['semester']}：{zh(removal['removal_status'])}",
                      status={"remove": "fail", "at_risk": "warning"}.get(removal["removal_status"], ""),
                      key="consecutive_failed"))
    answer = (f"{s['semester']} 学期等次 {s['grade']}（{zh(s['grade_basis'])}"
              + (f"，综合得分 {fmt(s['composite'])} 分" if not pd.isna(s["composite"]) else "") + "）；"
              + f"{zh(removal['removal_status'])}。")
    results = {c: s[c] for c in ("composite", "score_grade", "grade", "grade_basis", "override_code", "overridden_codes")}
    results.update(removal_status=removal["removal_status"], consecutive_failed=int(removal["consecutive_failed"]))
    return Part(TOPIC, "班主任学期考核", f"工号 {s['staff_id']}，{s['semester']} 学期", answer, steps, results)
