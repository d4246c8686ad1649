"""Tables for degree study and further study (spec §8; P1 阿拉善职业技术学院在职人员攻读学位及进修学习管理办法).

``study_leave``: one row per study episode (a person may have several, keyed by start date) with the
mode, dates, the per-year facts the pay rules read (months back on post, workload share, appraisal,
agreement) and the monthly pay components.  ``study_applications``: one row per application to study
(P1 §3), joined with the staff roster for the eligibility check.

The unit of a person is not repeated here: it comes from the staff roster (``staff.unit_id``).
"""

from __future__ import annotations

import pandas as pd

from .base import Check, Column, Table

MODES = ("full_release", "partial", "further_study")
DEGREES = ("master", "doctorate")
INTERRUPTION_CAUSES = ("host_rules", "other_employment", "judicial_penalty", "other")


def _after(later: str, earlier: str):
    """Valid where ``later`` is empty or on/after ``earlier``."""
    return lambda df: df[later].isna() | (df[later] >= df[earlier])


def _is(df: pd.DataFrame, column: str, value: str) -> pd.Series:
    return df[column].astype("object").eq(value).fillna(False).astype(bool)


STUDY_LEAVE = Table(
    kind="study_leave",
    zh="攻读学位及进修人员登记表",
    description=(
        "One row per study episode (P1): mode, degree sought, dates, per-year facts used by the pay "
        "rules and the monthly pay components.  Per-year facts (months_on_post, workload_share, "
        "appraisal_passed) are taken to hold for every study year of the episode."
    ),
    file="study_leave.csv",
    key=("staff_id", "study_start"),
    columns=(
        Column("staff_id", "工号", "str", "Staff number (see staff)"),
        Column("mode", "学习方式", "str",
               "full_release 全脱产 / partial 非脱产 (P1 §6) / further_study 进修 (P1 §12)", allowed=MODES),
        Column("degree_sought", "攻读学位", "str", "master or doctorate; empty for further study",
               allowed=DEGREES, nullable=True),
        Column("study_start", "学习开始日期", "date", "First day of study (离岗学习之日)"),
        Column("standard_end", "学制结束日期", "date", "End of the standard study length (规定学制期满)"),
        Column("extension_months", "延期月数", "int",
               "Approved extension beyond the standard length (P1 §10.4: master ≤ 1 year, doctorate ≤ 2)",
               unit="months", min=0),
        Column("return_date", "返岗日期", "date",
               "Date study ended and the person came back (or study was interrupted); empty while studying",
               nullable=True),
        Column("interruption_cause", "中断原因", "str",
               "Why study was interrupted (P1 §10.8): host_rules 违反就读学校规章制度, other_employment "
               "从事其他职业和活动造成不良影响或经济损失, judicial_penalty 被司法机关处罚, other 其他",
               allowed=INTERRUPTION_CAUSES, nullable=True),
        Column("left_date", "离职日期", "date", "Date the person left the college, if they did", nullable=True),
        Column("months_on_post", "每年返岗月数", "int",
               "Months back on post per study year (full release, P1 §10.11)", unit="months", min=0, max=12),
        Column("workload_share", "完成工作量比例", "float",
               "Share of the prescribed annual workload completed per study year", unit="share", min=0, max=1),
        Column("appraisal_passed", "年度考核合格", "bool",
               "Annual appraisal / teaching review passed (P1 §7.3, §9); used where the row gives none of "
               "work_appraisal, host_evaluation, violation, courses_failed (then required for partial release)",
               nullable=True),
        Column("agreement_signed", "已签订培养协议", "bool", "Training agreement signed before study (P1 §10.5)"),
        Column("costs_paid", "学院支付费用", "float", "Costs the college paid (tuition, reimbursements)",
               unit="yuan", min=0),
        Column("work_appraisal", "岗位工作考核等次", "str",
               "Appraisal grade of the work done at the post (P1 §9.1; partial release, or full release back on "
               "post under §10.11): 优秀/良好/合格/基本合格/不合格", required=False, nullable=True),
        Column("violation", "学习期间违法违纪", "bool", "A violation of law or discipline during study (P1 §9.3)",
               required=False, nullable=True),
        Column("courses_failed", "学习成绩不合格", "bool", "Failed courses during study (P1 §9.3)",
               required=False, nullable=True),
        Column("host_evaluation", "进修学校评价结果", "str",
               "Further study: the host institution's evaluation grade (P1 §15.1)", required=False, nullable=True),
        Column("approved_costs", "核准报销进修费用", "float",
               "Further study: costs approved for reimbursement under the college's rules (P1 §16.1)",
               unit="yuan", min=0, required=False, nullable=True),
        Column("college_selected", "学院选派", "bool",
               "Further study selected by the college (学院选派) rather than self-funded (自费, P1 §14.1); empty = selected",
               required=False, nullable=True),
        Column("terminated_without_reason", "无特殊原因终止进修", "bool",
               "Further study ended by the teacher without special reason (P1 §16.2)", required=False, nullable=True),
        Column("basic_salary", "基本工资", "float", "Basic salary (岗位工资+薪级工资)", unit="yuan/month", min=0),
        Column("allowances", "津贴补贴", "float", "Allowances", unit="yuan/month", min=0),
        Column("award_performance", "奖励性绩效", "float", "Award performance pay", unit="yuan/month", min=0),
        Column("basic_performance_bonus", "基础绩效奖", "float", "Basic performance bonus", unit="yuan/month", min=0),
        Column("campus_performance", "校内绩效工资", "float", "Campus performance pay", unit="yuan/month", min=0),
        Column("welfare", "学院福利待遇", "float", "College welfare", unit="yuan/month", min=0),
    ),
    checks=(
        Check("standard_end_after_start", "standard_end is after study_start", "学制结束日期须晚于学习开始日期",
              ("study_start", "standard_end"), lambda df: df["standard_end"] > df["study_start"]),
        Check("return_after_start", "return_date is on or after study_start", "返岗日期不得早于学习开始日期",
              ("study_start", "return_date"), _after("return_date", "study_start")),
        Check("left_after_start", "left_date is on or after study_start", "离职日期不得早于学习开始日期",
              ("study_start", "left_date"), _after("left_date", "study_start")),
        Check("interruption_has_return_date", "an interrupted episode has the date it ended (return_date)",
              "中断学习须填写返岗（中断）日期", ("interruption_cause", "return_date"),
              lambda df: df["interruption_cause"].isna() | df["return_date"].notna()),
        Check("degree_matches_mode", "degree study names the degree sought; further study names none",
              "攻读学位须填写学位，进修不填学位", ("mode", "degree_sought"),
              lambda df: _is(df, "mode", "further_study") == df["degree_sought"].isna()),
    ),
)

STUDY_APPLICATIONS = Table(
    kind="study_applications",
    zh="攻读学位申请表",
    description="One row per application to study for a degree (P1 §3); joined with the staff roster.",
    file="study_applications.csv",
    key=("staff_id", "application_date"),
    columns=(
        Column("staff_id", "工号", "str", "Staff number (see staff)"),
        Column("application_date", "申请日期", "date", "Date of the application (报考)"),
        Column("degree_sought", "攻读学位", "str", "master or doctorate", allowed=DEGREES),
        Column("on_post", "是否在岗", "bool", "On post (在岗) on the application date (P1 §1)"),
        Column("in_training_plan", "列入师资培养计划", "bool",
               "Listed in that year's staff-training plan (P1 §3.5)"),
    ),
)

TABLES = (STUDY_LEAVE, STUDY_APPLICATIONS)

# Chinese names of the codes in mode, degree_sought and study_status, for tables readers see.
MODE_LABELS = {"full_release": "全脱产", "partial": "非脱产", "further_study": "进修"}
DEGREE_LABELS = {"master": "硕士", "doctorate": "博士"}
STATUS_LABELS = {
    "planned": "尚未离岗", "studying": "在读", "interrupted": "中断学习", "left_in_breach": "未满服务期离职",
    "serving": "服务期内", "service_completed": "服务期已满", "returned": "已返岗（无服务期）",
}

# Output columns of staffcalc.pay, staffcalc.leave_cost and staffcalc.study_eligibility.
LABELS = {
    "paid": "发放金额",
    "withheld": "扣发金额",
    "full_pay": "应发全额",
    "flags": "提示标记",
    "refund_base": "可退还基本工资等",
    "appraisal_grade": "学习期间年度考核等次",
    "appraisal_basis": "考核依据",
    "appraisal_result_passed": "年度考核合格",
    "reimbursed": "报销进修费用",
    "reimbursements": "报销进修费用",
    "study_eligible": "符合攻读学位申报条件",
    "study_failed_rules": "未满足的申报条件",
    "full_years_at_college": "来校工作满年数",
    "study_end": "学习结束日期",
    "planned_end": "计划结束日期",
    "early_return": "提前返岗情景",
    "study_status": "学习及服务状态",
    "study_months": "学习总月数",
    "months_in_horizon": "期内离岗学习月数",
    "month": "月份",
    "academic_year": "学年",
    "months": "月数",
    "people_away": "离岗学习人数",
    "person_months_away": "离岗学习人月",
    "fte_away": "离岗折合全时人数",
    "uncovered_hours": "需外聘代课课时",
    "cover_cost": "外聘代课费用",
    "gap": "资金缺口（代课费用−扣发金额）",
    "refund": "应退还金额",
    "refund_month": "退还月份",
    "refunds": "退还金额",
    "refunds_due": "应退还金额合计",
    "refundable": "违约可追偿基数",
    "service_applies": "须履行服务期",
    "service_end": "服务期满日期",
    "served_months": "已服务月数",
    "outstanding_years": "未履行服务期（人年）",
    "people_serving": "服务期内人数",
    "people_owing": "负有服务期人数",
    "breach_liability": "违约应承担金额",
    "breach_exposure": "违约风险敞口",
    "people_in_breach": "违约人数",
}
