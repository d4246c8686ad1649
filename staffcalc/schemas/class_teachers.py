"""Tables for class teachers: appraisal (P5), recruitment (P4) and duty rules (P2/P3); spec §5–§7.

Policy numbers (items per section, score ranges, tiers, codes) are not repeated here: the
calculations in ``staffcalc.scoring`` check them against the policy in force, so another
institution's rubric needs no schema change.  The schema checks what holds for any policy:
types, non-negative counts, formats and keys.
"""

from __future__ import annotations

import pandas as pd

from .base import Check, Column, Table

PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
SEMESTER_PATTERN = r"^(\d{4})-(\d{4})-[12]$"


def _matches(column: str, pattern: str):
    def fn(df: pd.DataFrame) -> pd.Series:
        s = df[column]
        return s.isna() | s.astype(str).str.fullmatch(pattern)
    return fn


def _semester_years(df: pd.DataFrame) -> pd.Series:
    """semester looks like 2025-2026-1 and the second year follows the first."""
    m = df["semester"].astype(str).str.extract(SEMESTER_PATTERN)
    first = pd.to_numeric(m[0], errors="coerce")
    second = pd.to_numeric(m[1], errors="coerce")
    return df["semester"].isna() | (second == first + 1)


def _fail(section: str, zh: str) -> Column:
    return Column(f"fail_{section}", f"{zh}不合格项数", "int",
                  f"Failed items in rubric section {section.upper()} (P5 §4)", unit="items", min=0)


CLASS_TEACHERS = Table(
    kind="class_teachers",
    zh="班主任名册",
    description="One row per class teacher: unit, class, current term (届) and senior/administrative status (P2/P3 五.1).",
    file="class_teachers.csv",
    key=("staff_id",),
    columns=(
        Column("staff_id", "工号", "str", "Staff number (see staff)", unique=True),
        Column("unit_id", "单位代码", "str", "Unit (college/department) code"),
        Column("class_id", "班级", "str", "Class the teacher leads"),
        Column("appointed_on", "聘任日期", "date", "Start of the current class-teacher appointment"),
        Column("term_number", "任职届数", "int", "Which term (届) of class-teacher service this is; 1 = first",
               min=1),
        Column("senior_or_admin", "高级讲师或行政人员", "bool",
               "Full/associate senior lecturer or administrative staff (级长, 组长, 办事员, 正/副主任)"),
    ),
)

APPRAISAL_ITEMS = Table(
    kind="appraisal_items",
    zh="班主任月考核项目",
    description="One row per class teacher and month: failed items in each rubric section (P5 §4).",
    file="appraisal_items.csv",
    key=("staff_id", "period"),
    columns=(
        Column("staff_id", "工号", "str", "Staff number (see staff)"),
        Column("period", "考核月份", "str", "Month appraised, YYYY-MM"),
        _fail("s1", "自身政治思想及道德修养"),
        _fail("s2a", "思想品德教育"),
        _fail("s2b", "学习指导"),
        _fail("s2c", "行为指导"),
        _fail("s2d", "学生管理"),
        _fail("s3", "考勤"),
        Column("materials_submitted", "月考核材料提交日期", "date",
               "Date the month's appraisal materials were handed in (due by the 3rd of the next month, P5 §4(五)11); "
               "when given, a late date adds D-MONTHLY-LATE-1/2 (scoring.timeline)", required=False, nullable=True),
    ),
    checks=(
        Check("period_format", "period is YYYY-MM", "考核月份格式应为 YYYY-MM", ("period",),
              _matches("period", PERIOD_PATTERN)),
    ),
)

APPRAISAL_EVENTS = Table(
    kind="appraisal_events",
    zh="班主任加减分记录",
    description="Coded bonus/deduction events per class teacher and month (P5 §4(四), §4(五)); codes as in the policy catalogue.",
    file="appraisal_events.csv",
    columns=(
        Column("staff_id", "工号", "str", "Staff number (see staff)"),
        Column("period", "考核月份", "str", "Month appraised, YYYY-MM"),
        Column("code", "加减分代码", "str", "Bonus or deduction code, e.g. B-MEETING-FULL, D-LATE"),
        Column("count", "次数", "int", "Occurrences in the month (per person-time where the clause says so)",
               unit="times", min=0),
    ),
    checks=(
        Check("period_format", "period is YYYY-MM", "考核月份格式应为 YYYY-MM", ("period",),
              _matches("period", PERIOD_PATTERN)),
    ),
)

SEMESTER_RATINGS = Table(
    kind="semester_ratings",
    zh="班主任学期测评",
    description="One row per class teacher and semester: self, student and college ratings (P5 §5) and direct-grade conditions (§6, §7).",
    file="semester_ratings.csv",
    key=("staff_id", "semester"),
    columns=(
        Column("staff_id", "工号", "str", "Staff number (see staff)"),
        Column("semester", "学期", "str", 'School semester, e.g. "2025-2026-1" (first semester, Sep–Jan)'),
        Column("self_score", "自我评价分", "float", "Self-assessment (P5 §5(二)), 0–100", unit="points",
               min=0, nullable=True),
        Column("student_score", "学生测评分", "float", "Student rating (P5 §5(三)), 0–100", unit="points",
               min=0, nullable=True),
        Column("college_score", "学院测评分", "float", "College rating (P5 §5(四)), 0–100", unit="points",
               min=0, nullable=True),
        Column("override_codes", "直接定等情形", "str",
               "Direct-grade conditions, ;-separated codes (E-… §6 直接优秀, F-… §7 直接不合格)",
               required=False, nullable=True),
    ),
    checks=(
        Check("semester_format", 'semester is "YYYY-(YYYY+1)-1|2"', "学期格式应为 2025-2026-1", ("semester",),
              _semester_years),
    ),
)

RECRUITMENT_CANDIDATES = Table(
    kind="recruitment_candidates",
    zh="班主任竞聘人员",
    description="One row per candidate of a class-teacher recruitment round (P4): eligibility data and the six score inputs.",
    file="recruitment_candidates.csv",
    key=("candidate_id",),
    columns=(
        Column("candidate_id", "报名号", "str", "Candidate number", unique=True),
        Column("round", "聘任轮次", "str", "Recruitment round (normalisation runs within a round)"),
        Column("recruitment_date", "聘任日期", "date", "Recruitment date of the round (age is taken on it)"),
        Column("name", "姓名", "str", "Name (personal data: never shown in reports by default)"),
        Column("birth_date", "出生日期", "date", "Date of birth"),
        Column("regular_teacher", "正式教师", "bool", "Regular (正式) teacher of the school"),
        Column("healthy", "身体健康", "bool", "Meets the health condition"),
        Column("self_report_tier", "自主申报等级", "int", "Experts' tier of the self-report: 1, 2 or 3 (P4 六.1)",
               allowed=(1, 2, 3), nullable=True),
        Column("self_report", "自主申报得分", "float", "Self-report score, within the tier's range", unit="points",
               min=0, nullable=True),
        Column("panel", "评聘小组评分", "float", "Rating by the recruitment panel, 0–100", unit="points", min=0, nullable=True),
        Column("teachers", "全体教师评分", "float", "Rating by all teachers, 0–100", unit="points", min=0, nullable=True),
        Column("parents", "家长评分", "float", "Rating by parents' representatives, 0–100", unit="points", min=0,
               nullable=True),
        Column("achievement_points", "政绩证件分", "float", "Sum of certificate points (P4 六.3)", unit="points",
               min=0, nullable=True),
        Column("monthly_base", "月考核基数", "float", "Monthly appraisal base (P4 六.4)", unit="points", min=0,
               nullable=True),
        Column("absenteeism_days", "旷工天数", "float", "Days of absenteeism in the school year", unit="days",
               min=0, nullable=True),
        Column("personal_leave_days", "事假天数", "float", "Days of personal leave in the school year", unit="days",
               min=0, nullable=True),
        Column("sick_leave_days", "病假天数", "float", "Days of sick leave in the school year", unit="days",
               min=0, nullable=True),
        Column("exam", "理论考试成绩", "float", "Theory exam score, 0–100", unit="points", min=0, nullable=True),
        Column("talk", "说课得分", "float", "On-site teaching talk, 0–15", unit="points", min=0, nullable=True),
        Column("defence", "答辩得分", "float", "On-site defence, 0–20", unit="points", min=0, nullable=True),
        Column("veto", "一票否决", "bool", "Vetoed (serious ethics problem or improper conduct, P4 六.8)"),
        Column("veto_reason", "否决原因", "str", "Veto code (V-ETHICS, V-IMPROPER)", nullable=True, required=False),
    ),
)

DUTY_HISTORY = Table(
    kind="duty_history",
    zh="班主任任职记录",
    description="Class-teacher duty per staff member and school year: served (with term), refused, or dismissed mid-term (P2/P3 五).",
    file="duty_history.csv",
    key=("staff_id", "academic_year"),
    columns=(
        Column("staff_id", "工号", "str", "Staff number (see staff)"),
        Column("academic_year", "学年", "int", "School year by its first calendar year (2025 = 2025–2026)"),
        Column("duty_event", "任职情况", "str", "served, refused (拒聘) or dismissed (中途解聘)",
               allowed=("served", "refused", "dismissed")),
        Column("term_number", "任职届数", "int", "Term (届) being served; empty unless served", min=1, nullable=True),
        Column("senior_or_admin", "高级讲师或行政人员", "bool",
               "Full/associate senior lecturer or administrative staff that year"),
    ),
)

DUTY_EXEMPTIONS = Table(
    kind="duty_exemptions",
    zh="班主任免任申请",
    description="Requests not to take class-teacher duty (P2/P3 三.2, 三.4).",
    file="duty_exemptions.csv",
    key=("staff_id", "academic_year"),
    columns=(
        Column("staff_id", "工号", "str", "Staff number (see staff)"),
        Column("academic_year", "学年", "int", "School year by its first calendar year (2025 = 2025–2026)"),
        Column("assignment_date", "拟聘任日期", "date", "Date the duty would start"),
        Column("exemption_reason", "免任理由", "str", "pregnancy, postpartum, health or other",
               allowed=("pregnancy", "postpartum", "health", "other")),
        Column("request_date", "书面申请日期", "date", "Date of the written request; empty if none", nullable=True),
        Column("pregnancy_weeks", "孕周", "float", "Weeks of pregnancy on the assignment date", unit="weeks",
               min=0, nullable=True),
        Column("child_birth_date", "生育日期", "date", "Date of giving birth", nullable=True),
        Column("certificate_admin_level", "诊断证明医院行政级别", "str",
               "Administrative level of the certifying hospital (乡镇级, 县级, 地市级, 省级, 国家级) — P2 三.2",
               nullable=True),
        Column("certificate_hospital_grade", "诊断证明医院等级", "str",
               "Grade of the certifying hospital (一级丙等 … 三级甲等) — P3 三.2", nullable=True),
    ),
)

TABLES = (CLASS_TEACHERS, APPRAISAL_ITEMS, APPRAISAL_EVENTS, SEMESTER_RATINGS, RECRUITMENT_CANDIDATES,
          DUTY_HISTORY, DUTY_EXEMPTIONS)

# Output columns of staffcalc.scoring → Chinese headers for reports and Excel.
LABELS = {
    # appraisal calendar and late materials (P5 §4(五)11, §5; scoring.timeline)
    "materials_due": "考核材料截止日期",
    "appraisal_start": "考核开始日期",
    "appraisal_end": "考核结束日期",
    "results_published": "结果公布日期",
    "days_late": "迟交天数",
    # monthly appraisal (P5 §4, §3)
    "bonus": "加分",
    "deduction": "减分",
    "allowance_forfeited": "扣除当月津贴",
    "base_score": "基础分",
    "score": "考核得分",
    "grade": "考核等次",
    "allowance": "班主任津贴（元）",
    "score_s1": "自身政治思想及道德修养得分",
    "score_s2a": "思想品德教育得分",
    "score_s2b": "学习指导得分",
    "score_s2c": "行为指导得分",
    "score_s2d": "学生管理得分",
    "score_s3": "考勤得分",
    "section": "考核项目",
    "section_max": "满分",
    "section_items": "项数",
    "per_item": "每项不合格扣分",
    "code_kind": "加分/减分",
    "code_points": "每次分值",
    "forfeits_allowance": "扣除当月津贴",
    "occurrences": "次数合计",
    "teachers_affected": "涉及班主任人数",
    "points_total": "分值合计",
    "forfeited_months": "扣除津贴人月",
    "teacher_count": "班主任人数",
    # semester (P5 §5–§8)
    "composite": "学期综合得分",
    "score_grade": "按得分等次",
    "grade_basis": "等次依据",
    "override_code": "直接定等代码",
    "override_reason": "直接定等理由",
    "overridden_codes": "未采用的定等情形",
    "last_semester": "最近学期",
    "last_grade": "最近学期等次",
    "consecutive_failed": "连续不合格学期数",
    "removal_status": "调离状态",
    "removal_note": "处理意见",
    "first_removal_semester": "首次应调离学期",
    # recruitment (P4)
    "age_on_recruitment": "聘任日周岁年龄",
    "recruitment_eligible": "符合聘任条件",
    "ineligible_reason": "不符合条件原因",
    "self_report_score": "自主申报（10分）",
    "review_score": "述职评议（15分）",
    "achievements_score": "政绩考核（10分）",
    "conduct_score": "日常表现（5分）",
    "exam_score": "理论考试（25分）",
    "onsite_score": "现场答辩（35分）",
    "total": "总分",
    "rank": "名次",
    "rank_order": "排序",
    "tie_unresolved": "同分未分先后",
    "tie_group": "同分组",
    "conduct_zeroed": "日常表现不得分",
    "excluded_reason": "未参与排名原因",
    "appointed": "拟聘任",
    "waiting_list": "候补顺序",
    "tie_at_line": "聘任线上同分",
    "openings": "聘任名额",
    # duty (P2/P3)
    "performance_points": "绩效加分（每年）",
    "request_on_time": "按时提交书面申请",
    "condition_met": "符合免任情形",
    "may_be_exempted": "可不承担班主任工作",
    "exemption_note": "说明",
    "sanction": "处理类别",
    "withheld_qualifications": "取消资格",
    "barred_from": "起始年度",
    "barred_to": "截止年度",
    "sanction_mandatory": "必须取消（否则为可取消）",
    "duty_reapply_from": "可重新申请班主任年度",
    "awards_barred": "当年取消评优评聘资格",
    "may_apply_for_duty": "可申请担任班主任",
    "may_be_appointed": "具备聘任条件",
    "expected_to_serve": "应承担班主任工作",
}
