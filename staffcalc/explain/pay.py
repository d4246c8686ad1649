"""Explanation of pay during degree study and further study for one study year (P1 §7, §10.5,
§10.8, §10.11, §11; spec §8.3–§8.9).

One run of :func:`staffcalc.pay.year_amounts` (the arrays behind ``study_leave_year``: months paid
per component, the restoration tests, the flags) and of :func:`staffcalc.leave_cost.project`
(refund, service period, breach liability as of a date) over the whole register.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import leave_cost as _leave_cost
from .. import pay as _pay
from .. import study_appraisal as _study_appraisal
from ..policy import Policy
from ..schemas import LABELS
from .trace import Part, fmt, step, zh

TOPIC = "pay"
KINDS = ("study_leave", "staff")
LOOKED_IN = "攻读学位及进修人员登记表（工号）"
LOOKED_IN_EN = "study_leave.csv (staff_id)"
OPTIONAL_KINDS = ()
YUAN = "元"


@dataclass
class Run:
    policy: Policy
    records_: pd.DataFrame    # the register with unit_id (register order)
    year: dict                # pay.year_amounts
    result: pd.DataFrame      # leave_cost.project(...).people, same order
    as_of: pd.Timestamp

    def records(self, subject: str) -> np.ndarray:
        return np.flatnonzero(self.result["staff_id"].astype(str).to_numpy() == subject)

    def in_period(self, pos: np.ndarray, period: str) -> np.ndarray:
        """Episodes whose study months include ``period`` (a month is in an episode when its first
        day lies in [study_start, study_end), as in :mod:`staffcalc.leave_cost`)."""
        first_day = np.datetime64(f"{period}-01", "ns")
        start = self.result["study_start"].to_numpy(dtype="datetime64[ns]")[pos]
        end = self.result["study_end"].to_numpy(dtype="datetime64[ns]")[pos]
        return pos[(start <= first_day) & (first_day < end)]


def compute(tables: dict, policy: Policy, as_of=None, parameters=None) -> Run:
    staff = tables["staff"]
    units = staff.set_index(staff["staff_id"].astype(str))["unit_id"]
    records = tables["study_leave"].reset_index(drop=True)
    records = records.assign(unit_id=records["staff_id"].astype(str).map(units).to_numpy())
    when = pd.Timestamp(as_of if as_of is not None else dt.date.today())
    month = when.strftime("%Y-%m")
    year = _pay.year_amounts(records, policy)
    people = _leave_cost.project(records, month, month, policy, as_of=when).people
    return Run(policy, records, year, people, when)


def build(run: Run, i: int) -> Part:
    """The pay part of one study episode: every component paid or withheld, the restoration test,
    the agreement, refund and the service period."""
    pol, rec, y, p = run.policy, run.records_.iloc[i], run.year, run.result.iloc[i]
    mode = rec["mode"]
    cond = {k: bool(v[i]) for k, v in y["conditions"].items()}
    steps = [step(pol, "学习方式与期间", zh(mode), path="study_leave.pay.components",
                  inputs=[(LABELS.get("degree_sought", "攻读学位"), zh(rec["degree_sought"])),
                          (LABELS.get("study_start", "学习开始日期"), rec["study_start"]),
                          ("学习结束日期", p["study_end"]), (LABELS.get("agreement_signed", "签订培养协议"),
                                                         rec["agreement_signed"])],
                  arithmetic="每年各工资项目按月计发 12 个月", key="mode")]
    full_release, partial = mode == "full_release", mode == "partial"
    basis = str(y["appraisal_basis"][i])
    if basis in _study_appraisal.BASES:
        clause, _, basis_zh = _study_appraisal.BASES[basis]
        grade = y["appraisal_grade"][i] or _passed(y["appraisal_result_passed"][i])
        steps.append(step(pol, f"学习期间年度考核（{clause}）", grade, path="study_leave.appraisal.grades",
                          inputs=[(LABELS.get(c, c), rec[c]) for c in ("work_appraisal", "host_evaluation", "violation",
                                                                       "courses_failed", "appraisal_passed")
                                  if c in rec.index and not pd.isna(rec[c])],
                          arithmetic=basis_zh, key="appraisal_grade",
                          status="warning" if cond.get("appraisal_given_differs") else ""))
    if full_release:
        mop, share = rec["months_on_post"], rec["workload_share"]
        steps.append(step(pol, "恢复工资条件一：每年返岗满 6 个月（含6个月）", bool(y["restoration_months_ok"][i]),
                          path="study_leave.restoration.min_months_on_post",
                          inputs=[(LABELS.get("months_on_post", "返岗月数"), mop)],
                          arithmetic=f"{fmt(mop)} 个月 ≥ {pol.get('study_leave.restoration.min_months_on_post')} 个月？",
                          status="pass" if y["restoration_months_ok"][i] else "fail", key="restoration_months_ok"))
        steps.append(step(pol, "恢复工资条件二：完成规定工作量 50%（≥50%）", bool(y["restoration_share_ok"][i]),
                          path="study_leave.restoration.min_workload_share",
                          inputs=[(LABELS.get("workload_share", "完成工作量比例"), _pct(share))],
                          arithmetic=f"{_pct(share)} ≥ {_pct(pol.get('study_leave.restoration.min_workload_share'))}？",
                          status="pass" if y["restoration_share_ok"][i] else "fail", key="restoration_share_ok"))
        steps.append(step(pol, "恢复在岗期间全额工资及绩效工资（§10.11）", cond["restored"],
                          path="study_leave.restoration.min_months_on_post",
                          arithmetic=("两项条件均满足：按返岗月数发放绩效工资" if cond["restored"] else
                                      "未同时满足两项条件（或未签协议）：不恢复"),
                          status="pass" if cond["restored"] else "fail", key="restored"))
    if partial:
        min_share = pol.get("study_leave.partial_min_workload")
        steps.append(step(pol, "非脱产：完成规定工作量 70%（≥70%）", not cond["partial_below_workload"],
                          path="study_leave.partial_min_workload",
                          inputs=[(LABELS.get("workload_share", "完成工作量比例"), _pct(rec["workload_share"]))],
                          arithmetic=f"{_pct(rec['workload_share'])} ≥ {_pct(min_share)}？",
                          status="fail" if cond["partial_below_workload"] else "pass", key="partial_workload_ok"))
        steps.append(step(pol, "非脱产：年度考核合格（§7.3）", not cond["partial_appraisal_failed"],
                          path="study_leave.pay.partial_below_requirement",
                          inputs=[("学习期间年度考核", y["appraisal_grade"][i] or _passed(y["appraisal_result_passed"][i]))],
                          arithmetic=("未达要求时的处理（解释性规定）："
                                      + zh(pol.get("study_leave.pay.partial_below_requirement"))),
                          status="fail" if cond["partial_appraisal_failed"] else "pass",
                          key="partial_appraisal_ok"))
    if full_release or partial:
        steps.append(step(pol, "就读前签订培养协议（§10.5）", not cond["no_agreement"],
                          path="study_leave.pay.no_agreement",
                          inputs=[(LABELS.get("agreement_signed", "签订培养协议"), rec["agreement_signed"])],
                          arithmetic=("已签订" if not cond["no_agreement"] else
                                      "未签订：" + zh(pol.get("study_leave.pay.no_agreement")) + "（解释性规定）"),
                          status="fail" if cond["no_agreement"] else "pass", key="agreement_signed"))
    withheld_set = set(pol.get("study_leave.pay.withheld_components"))
    for j, comp in enumerate(y["components"]):
        monthly = float(rec[comp])
        months = float(y["months_paid"][i, j])
        paid = float(y["paid_by_component"][i, j])
        path = "study_leave.pay.withheld_components" if comp in withheld_set else "study_leave.pay.components"
        steps.append(step(pol, f"{zh(comp)}：{'发放' if months == 12 else ('部分发放' if months else '扣发')}", paid,
                          path=path, inputs=[(f"{zh(comp)}（元/月）", monthly)],
                          arithmetic=f"{fmt(monthly, YUAN)}/月 × {fmt(months)} 个月 = {fmt(paid, YUAN)}；"
                                     f"扣发 {fmt(monthly * (12 - months), YUAN)}",
                          key=f"paid:{comp}", result_unit=YUAN))
    steps.append(step(pol, "全年发放合计", float(y["paid"][i]), arithmetic="各项目发放金额之和", key="paid",
                      result_unit=YUAN))
    steps.append(step(pol, "全年扣发合计（转入外聘教师劳务费）", float(y["withheld"][i]),
                      path="study_leave.pay.withheld_components", arithmetic="应发全额 − 发放合计",
                      key="withheld", result_unit=YUAN))
    cause = rec["interruption_cause"]
    if not pd.isna(cause):
        base = float(y["refund_base"][i]) / 12
        steps.append(step(pol, "中断学习应退还的基本工资等（§10.8）", float(p["refund"]), path="study_leave.refund.causes",
                          inputs=[(LABELS.get("interruption_cause", "中断原因"), zh(cause)),
                                  (LABELS.get("study_months", "学习总月数"), p["study_months"])],
                          arithmetic=(f"{fmt(base, YUAN)}/月 × {fmt(p['study_months'])} 个月"
                                      if p["refund"] > 0 else "该原因不在应退还情形之内"),
                          key="refund", result_unit=YUAN))
    if mode == "further_study":
        steps.append(step(pol, "进修费用报销（§16）", float(p["reimbursed"]),
                          path="study_leave.further_study.reimburse_self_funded",
                          inputs=[(LABELS.get(c, c), rec[c]) for c in ("approved_costs", "college_selected",
                                                                       "terminated_without_reason")
                                  if c in rec.index and not pd.isna(rec[c])],
                          arithmetic="学院选派、未无故中止进修的，按规定报销核准费用", key="reimbursed", result_unit=YUAN))
    if p["service_applies"]:
        req = int(pol.get("study_leave.service.min_years"))
        steps.append(step(pol, "服务期（返岗后不少于 8 年，§11）", p["service_end"], path="study_leave.service.min_years",
                          inputs=[("学习结束日期", p["study_end"]), ("已服务月数", p["served_months"])],
                          arithmetic=f"服务期满日期 = 学习结束日期 + {req} 年；状态：{zh(p['study_status'])}",
                          key="service_end"))
        steps.append(step(pol, "违约可追偿基数（全脱产期间已发工资 + 学院支付费用）", float(p["refundable"]),
                          inputs=[(LABELS.get("costs_paid", "学院支付费用"), rec["costs_paid"])],
                          arithmetic="按截至统计日已发月数计", key="refundable", result_unit=YUAN))
        liability = p["breach_liability"] if p["study_status"] == "left_in_breach" else p["breach_exposure"]
        label = "违约应承担金额" if p["study_status"] == "left_in_breach" else "若于统计日离职应承担的违约金额（风险敞口）"
        steps.append(step(pol, label, float(liability), path="study_leave.service.breach_formula",
                          inputs=[("已服务月数", p["served_months"])],
                          arithmetic=f"{fmt(p['refundable'], YUAN)} × 未服务月数 / {req * 12}"
                          if pol.get("study_leave.service.breach_formula") == "pro_rata" else "未满服务期即全额",
                          key="breach_liability" if p["study_status"] == "left_in_breach" else "breach_exposure",
                          result_unit=YUAN))
    flags = str(y["flags"][i])
    answer = (f"{zh(mode)}，全年发放 {fmt(float(y['paid'][i]), YUAN)}，扣发 {fmt(float(y['withheld'][i]), YUAN)}"
              + (f"；提示：{'、'.join(_pay.FLAGS[f][2] for f in flags.split(';'))}" if flags else "")
              + (f"；应退还 {fmt(float(p['refund']), YUAN)}" if p["refund"] > 0 else "")
              + (f"；违约应承担 {fmt(float(p['breach_liability']), YUAN)}" if p["breach_liability"] > 0 else "")
              + (f"；报销进修费用 {fmt(float(p['reimbursed']), YUAN)}" if p["reimbursed"] > 0 else "") + "。")
    results = {"paid": float(y["paid"][i]), "withheld": float(y["withheld"][i]), "flags": flags,
               **{c: p[c] for c in ("refund", "refundable", "served_months", "breach_liability", "breach_exposure",
                                    "study_status", "reimbursed")}}
    record = f"{zh(mode)} {fmt(rec['study_start'])} 起（统计日 {run.as_of.date().isoformat()}）"
    return Part(TOPIC, "攻读学位/进修期间工资", record, answer, steps, results)


def _passed(value) -> str:
    return "—" if pd.isna(value) else ("合格" if value else "不合格")


def _pct(share) -> str:
    return "—" if pd.isna(share) else f"{float(share) * 100:.4g}%"
