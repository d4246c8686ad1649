"""Explanation of post eligibility (P6 §12–§17, §23, §38, §39; spec §3.1–§3.11) and of the
discipline's senior cap and vacancy behind the post applied for (P6 §9, §11; spec §2).

Everything shown comes from one run of :func:`staffcalc.eligibility.eligibility` (``detail=True``:
the values each rule compared) and :func:`staffcalc.quotas.quota_table` over the whole tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import eligibility as _elig
from .. import quotas as _quotas
from ..policy import Policy
from ..schemas import LABELS
from .trace import Part, fmt, step, zh

TOPIC = "eligibility"
KINDS = ("applicants", "staff", "disciplines")
LOOKED_IN = "岗位申报人员表（工号、申报编号）"
LOOKED_IN_EN = "applicants.csv (staff_id, application_id)"
OPTIONAL_KINDS = ("recommendations", "committee_members", "relatives")


@dataclass
class Run:
    policy: Policy
    result: pd.DataFrame      # eligibility(detail=True), one row per application (applicants' order)
    person: pd.DataFrame      # the applicant row joined with the staff row (same order)
    quota: pd.DataFrame       # quota_table, indexed by discipline_id

    def records(self, subject: str) -> np.ndarray:
        ids = self.result["staff_id"].astype(str).to_numpy()
        app = self.result["application_id"].astype(str).to_numpy()
        return np.flatnonzero((ids == subject) | (app == subject))

    def period_of(self, pos: np.ndarray) -> np.ndarray:
        return pd.DatetimeIndex(self.result["application_date"].to_numpy()[pos]).strftime("%Y-%m").to_numpy()


def compute(tables: dict, policy: Policy, as_of=None, parameters=None) -> Run:
    """The public eligibility check and quota table over every application and discipline."""
    staff = tables["staff"]
    res = _elig.eligibility(tables["applicants"], staff, policy, as_of=as_of,
                            recommendations=tables.get("recommendations"),
                            committee_members=tables.get("committee_members"), relatives=tables.get("relatives"),
                            detail=True)
    st = staff.set_index(staff["staff_id"].astype(str))
    cols = [c for c in st.columns if c not in ("name", "id_number", "staff_id")]
    applicants = tables["applicants"].reset_index(drop=True)
    person = pd.concat([applicants, st[[c for c in cols if c not in applicants.columns]].reindex(
        applicants["staff_id"].astype(str)).reset_index(drop=True)], axis=1)
    quota = _quotas.quota_table(tables["disciplines"], staff, policy).set_index("discipline_id")
    return Run(policy, res.reset_index(drop=True), person, quota)


def _v(row: pd.Series, col: str):
    return LABELS.get(col, col), row.get(col)


def build(run: Run, i: int) -> Part:
    """The eligibility part of one application: every rule with the person's values and threshold."""
    pol, r, a = run.policy, run.result.iloc[i], run.person.iloc[i]
    post = r["target_post"]
    post_zh = zh(post)
    steps = []

    def rule(label, ok_col, path, inputs, arithmetic, applies=True, key=None):
        ok = bool(r[ok_col])
        status = "not_applicable" if not applies else ("pass" if ok else "fail")
        steps.append(step(pol, label, ok, path=path, inputs=inputs, arithmetic=arithmetic, status=status,
                          key=key or ok_col))

    rule("3.1 具备高等学校教师资格（§12）", "ok_qualification", "eligibility.teacher_qualification",
         [_v(a, "teacher_qualification")], "须具备高等学校教师资格")
    years = int(pol.get("eligibility.appraisal.years"))
    shown = [_v(a, f"appraisal_{k}") for k in range(1, years + 1)]
    rule("3.1 近三年年度考核合格及以上（§12）", "ok_appraisal", "eligibility.appraisal.passing", shown,
         f"近{years}年考核结果 {'、'.join(fmt(v) for _, v in shown)} 均须为 {fmt(pol.get('eligibility.appraisal.passing'))}"
         + ("（缺少的年度不作要求）" if pol.get("eligibility.appraisal.missing") == "not_required" else ""))
    rule("3.2 学历（学位）条件（§13(一)）", "ok_degree", "eligibility.degree.doctorate_required_born_from",
         [_v(a, "degree"), _v(a, "birth_date"), _v(a, "subject_group"), ("申报岗位", post_zh)],
         f"申报{post_zh}须具有{zh(r['degree_needed'])}及以上学位"
         + ("" if r["degree_needed"] != "none" else "（本出生年段、学科组别不作硬性要求）")
         + f"；本人{zh(a['degree'])}")
    if r["degree_usual"]:
        steps.append(step(pol, "3.2 提示：高级岗位一般应具有博士学位（§13(一)，非硬性条件）", True,
                          path="eligibility.degree.usual_degree", inputs=[_v(a, "degree")],
                          arithmetic="本出生年段不强制要求博士学位，仅作提示", status="warning", key="degree_usual"))
    route = {"years": "任职年限达到要求", "probation": "取得学位后试用期满考核合格", "postdoc": "博士后出站留校（§38）",
             "exceptional": "破格申报不受任职年限限制（§17）", "": "未满足任何一种情形"}[r["years_route"]]
    need = r["years_needed"]
    years_text = (f"须在{zh(r['years_from_group'])}岗位任职满 {fmt(need)} 年（{zh(a['degree'])}），"
                  f"本人现任{zh(r['current_group'])}，任职满 {fmt(r['years_in_rank'])} 年" if not pd.isna(need)
                  else "该岗位无任职年限要求，按试用期考核")
    rule("3.3 任职年限（§13(二)，§17，§38）", "ok_years", "eligibility.years_in_post",
         [_v(a, "post_level"), _v(a, "rank_since"), ("申请日期", r["application_date"]),
          _v(a, "probation_passed"), _v(a, "postdoc_stayed"), _v(a, "exceptional")],
         f"{years_text}；结论依据：{route}")
    ex = [e for e in str(r["language_exemptions"]).split(";") if e]
    ex_zh = {"toefl": "TOEFL", "gre": "GRE", "ielts": "IELTS", "testdaf_level": "TestDaF", "tef": "TEF",
             "foreign_language_degree": "外语专业学位", "overseas_doctorate_certified": "国外博士学位认证",
             "doctorate_for_post": "博士申报中级", "indexed_foreign_papers": "SCI/SSCI/A&HCI外文论文"}
    if not r["language_applies"]:
        lang = f"申报{post_zh}不要求外语条件"
    elif ex:
        lang = "免试：" + "、".join(ex_zh.get(e, e) for e in ex)
    else:
        lang = ("学校外语考试" + ("合格" if a["school_language_exam_passed"] else "未合格")
                + ("；1960年1月1日后出生，还须通过全国外语水平考试或持培训结业证书" if r["national_test_required"] else "")
                + f"；外语条件{'满足' if r['language_exam_passed'] else '未满足'}")
    rule("3.4 外语条件（§13(三)）", "ok_language", "eligibility.language.exemption_scores",
         [_v(a, c) for c in ("school_language_exam_passed", "national_language_test_passed", "moe_training_certificate",
                             "toefl", "gre", "ielts", "testdaf_level", "tef", "foreign_language_degree",
                             "overseas_doctorate_certified", "indexed_foreign_papers")
          if not pd.isna(a[c])], lang,   # test scores only where the person has one
         applies=bool(r["language_applies"]))
    rule("3.5 海外研修经历（§13(四)）", "ok_overseas", "eligibility.overseas.min_months",
         [_v(a, "overseas_months"), _v(a, "field"), _v(a, "subject_group")],
         (f"{zh(a['field'])}须连续 {fmt(r['overseas_months_needed'])} 个月及以上，本人 {fmt(a['overseas_months'])} 个月"
          if r["overseas_applies"] else f"申报{post_zh}或本学科组别不要求海外经历"),
         applies=bool(r["overseas_applies"]))
    max_pct = pol.get("eligibility.teaching.max_percentile")
    rule("3.6 近三年学生评教排名（§14(二)）", "ok_teaching", "eligibility.teaching.max_percentile",
         [_v(a, "teaching_percentile")],
         "无评教记录" if r["teaching_no_record"] else f"本人位于前 {fmt(a['teaching_percentile'])}%，须在前 {max_pct}% 以内")
    if r["teaching_no_record"]:
        steps.append(step(pol, "3.6 提示：无近三年学生评教记录", True, path="eligibility.teaching.missing",
                          status="warning", key="teaching_no_record"))
    rule("3.7 隔年申报（§4）", "ok_alternate_year", "eligibility.alternate_years",
         [_v(a, "last_failed_year"), _v(a, "last_failed_post")],
         ("上次申报未聘：" + fmt(a["last_failed_year"]) + f"年{zh(a['last_failed_post'])}；距今 {fmt(r['years_since_failed'])} 年"
          if not pd.isna(a["last_failed_year"]) else "无未聘记录"),
         applies=not pd.isna(a["last_failed_year"]))
    rule("3.8 增岗破格年龄（§17）", "ok_extra_post_age", "eligibility.exceptional.extra_post_max_age",
         [_v(a, "extra_post"), ("周岁年龄", r["age"])],
         f"增岗破格须申报正高级且不超过 {pol.get('eligibility.exceptional.extra_post_max_age')} 周岁；本人 {fmt(r['age'])} 周岁",
         applies=bool(a["extra_post"]))
    rule("3.8/3.9 专家举荐（§16）", "ok_recommendations", "eligibility.recommendation.min_experts",
         [_v(a, "extra_post"), _v(a, "recruited_talent"), ("有效举荐专家数", r["valid_recommendations"])],
         f"须至少 {pol.get('eligibility.recommendation.min_experts')} 名合格专家举荐（每名专家每年限举荐1人）；"
         f"有效举荐 {fmt(r['valid_recommendations'])} 名", applies=bool(r["recommendations_required"]))
    if r["expert_dropped"]:
        steps.append(step(pol, "3.8 提示：有举荐专家当年举荐超过1人，其举荐不计", True,
                          path="eligibility.recommendation.per_expert_per_year", status="warning", key="expert_dropped"))
    transferred = not pd.isna(a["transferred_on"])
    rule("3.10 转聘人员（§39）", "ok_transfer", "eligibility.transfer.min_years",
         [_v(a, "transferred_on"), _v(a, "transfer_appraisal_passed")],
         (f"转聘满 {fmt(r['years_since_transfer'])} 年，须满 {pol.get('eligibility.transfer.min_years')} 年且考核合格"
          if transferred else "非转聘人员"), applies=transferred)
    rule("3.11 请求回避专家人数（§23）", "ok_recusals", "eligibility.conflicts.max_recusals",
         [_v(a, "recusal_requests")],
         f"本人请求回避 {fmt(a['recusal_requests'])} 名，不得超过 {pol.get('eligibility.conflicts.max_recusals')} 名")
    if r["relative_on_committee"]:
        steps.append(step(pol, "3.11 提示：近亲属担任当年聘任组织成员，须更换", True,
                          path="eligibility.conflicts.relatives_barred", status="warning", key="relative_on_committee"))
    failed = [f for f in str(r["failed_rules"]).split("; ") if f]
    named = [f"{_elig.rule_text(f, pol)}（{f.split('-')[0]}）" for f in failed]
    steps.append(step(pol, "结论：是否符合申报条件", bool(r["eligible"]),
                      arithmetic=("全部条件符合" if not failed else "未满足：" + "、".join(named)),
                      status="pass" if r["eligible"] else "fail", key="eligible"))
    steps += _quota_steps(run, a, post)
    warned = [_elig.rule_text(w, pol) for w in str(r["warnings"]).split("; ") if w]
    answer = (f"申报{post_zh}岗位：{'符合申报条件' if r['eligible'] else '不符合申报条件'}"
              + (f"，未满足 {'、'.join(named)}（{r['failed_clauses']}）" if failed else "")
              + (f"；提示：{'；'.join(warned)}" if warned else "") + "。")
    results = {c: r[c] for c in ("eligible", "failed_rules", "failed_clauses", "warnings", "age", "years_in_rank",
                                 "valid_recommendations", *(spec[0] for spec in _elig.RULES.values()))}
    appeal, second = pol.param("review.appeal.file_within"), pol.param("review.appeal.second_within")
    note = (f"对评审结果有异议的，可在结果公布后 {pol.get('review.appeal.file_within')} 日内书面申诉，"
            f"聘任组织在 {pol.get('review.appeal.answer_within_months')} 个月内书面答复；对答复不服的，收到答复后 "
            f"{pol.get('review.appeal.second_within')} 日内可向上一级聘任组织申诉（{appeal.document} {appeal.clause}、{second.clause}）。")
    return Part(TOPIC, "岗位申报资格", f"申报编号 {r['application_id']}，{fmt(r['application_date'])}", answer,
                steps, results, [note])


def _quota_steps(run: Run, a: pd.Series, post: str) -> list:
    """The discipline's senior cap, occupancy and vacancy behind the post (P6 §9, §11)."""
    pol = run.policy
    if a["discipline_id"] not in run.quota.index:
        return []
    q = run.quota.loc[a["discipline_id"]]
    where = [("学科", f"{q['discipline_name']}（{a['discipline_id']}）"), ("学科类别", q["category"]),
             ("教师编制数", q["establishment"])]
    out = [step(pol, "学科高级岗位上限（§9）", int(q["senior_cap"]), path=f"quotas.senior_ratio.{q['category']}",
                inputs=where, arithmetic=f"⌊{q['establishment']} × {fmt(q['ratio_used'])}⌋ = {q['formula_cap']}"
                + (f"；{q['cap_source']}" if q["cap_source"] and q["formula_cap"] != q["senior_cap"] else ""),
                key="senior_cap", result_unit="人")]
    if post in ("full", "associate"):
        cap, occ, vac = (f"{post}_cap", f"occupied_{post}", f"vacancy_{post}")
        out.append(step(pol, f"{zh(post)}岗位上限（正高占高级岗位比例为规划假设）", int(q[cap]),
                        path="quotas.full_senior_share", inputs=[("高级岗位上限", q["senior_cap"])],
                        arithmetic=f"正高 {q['full_cap']}，副高 {q['associate_cap']}", key=cap, result_unit="人"))
        out.append(step(pol, f"{zh(post)}岗位空额（上限 − 在岗）", int(q[vac]), path="quotas.occupancy_basis",
                        inputs=[("在岗人数", q[occ])], arithmetic=f"{q[cap]} − {q[occ]} = {q[vac]}"
                        + ("（超岗）" if q[vac] < 0 else ""), key=vac, result_unit="人",
                        status="warning" if q[vac] < 0 else ""))
    else:
        out.append(step(pol, f"{zh(post)}岗位由各单位自主设置，不设上限（§9）", int(q[f"occupied_{post}"]),
                        path="quotas.level_groups", arithmetic="只统计在岗人数", key=f"occupied_{post}", result_unit="人"))
    return out
