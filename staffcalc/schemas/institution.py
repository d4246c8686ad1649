"""Tables describing the institution: disciplines, the staff roster, this year's post applicants,
expert recommendations, appointment-body members and near relatives (spec §2–§4; P1 §3).

Columns added to ``staff`` for P6 eligibility (``subject_group``, ``field``,
``teacher_qualification``, ``rank_since``) are optional, so rosters made for other reports stay
valid; :func:`staffcalc.eligibility.eligibility` requires them.
"""

from __future__ import annotations

import pandas as pd

from .base import Check, Column, Table

APPRAISAL_RESULTS = ("优秀", "合格", "基本合格", "不合格")
DEGREES = ("doctorate", "master", "bachelor", "none")
POSTS = ("full", "associate", "intermediate", "junior")
SEXES = ("男", "女")
SUBJECT_GROUPS = ("general", "university_english", "foreign_language", "pe", "military", "art", "ancient_studies")
FIELDS = ("science", "humanities_social")
EXPERT_TYPES = ("overseas_full_professor", "domestic_level_2_plus", "other")
BODIES = ("unit_subcommittee", "discipline_panel", "school_committee", "professors_meeting")
ROLES = ("dean", "party_secretary", "professor", "expert", "school_leader")
EXEMPTION_BASES = ("985_full_senior", "cas_full_senior", "tenured_associate_abroad")
POST_ZH = {"full": "正高级", "associate": "副高级", "intermediate": "中级", "junior": "初级"}

# Degree programmes of a discipline (P6 §9), from which its category is derived
# (staffcalc.category; which programme gives which category is policy: quotas.category.programmes).
PROGRAMME_COLUMNS = (
    Column("doctoral_first_level", "一级学科博士学位授权点", "bool",
           "Holds a first-level doctoral programme (→ A, P6 §9)", required=False, nullable=True),
    Column("doctoral_second_level", "二级学科博士学位授权点", "bool",
           "Holds a second-level doctoral programme (→ A, P6 §9)", required=False, nullable=True),
    Column("master_second_level", "二级学科硕士学位授权点", "bool",
           "Holds a second-level master's programme (→ B, P6 §9)", required=False, nullable=True),
)

DISCIPLINES = Table(
    kind="disciplines",
    zh="学科编制表",
    description="One row per discipline: its unit, category (P6 §9) and teacher establishment.",
    file="disciplines.csv",
    key=("discipline_id",),
    columns=(
        Column("discipline_id", "学科代码", "str", "Discipline code", unique=True),
        Column("discipline_name", "学科名称", "str", "Discipline name"),
        Column("unit_id", "单位代码", "str", "Unit (college/department) code"),
        Column("unit_name", "单位名称", "str", "Unit name"),
        Column("category", "学科类别", "str",
               "P6 §9 category: A doctoral, B master's, C general; may be empty where the programme columns "
               "are given (then derived from them; a given category that disagrees is a warning)",
               allowed=("A", "B", "C"), required=False, nullable=True),
        Column("establishment", "教师编制数", "int", "Teacher establishment (编制) of the discipline",
               unit="persons", min=0),
        *PROGRAMME_COLUMNS,
    ),
    checks=(
        Check("category_or_programmes", "a category or at least one programme column is given (P6 §9)",
              "须填学科类别或学位授权点", ("category", *(c.name for c in PROGRAMME_COLUMNS)),
              lambda df: df[["category", *(c.name for c in PROGRAMME_COLUMNS)]].notna().any(axis=1)),
    ),
)

STAFF = Table(
    kind="staff",
    zh="教职工花名册",
    description="One row per staff member (pseudonymous sample).  Post level 1–13 as in P6 §11.",
    file="staff.csv",
    key=("staff_id",),
    columns=(
        Column("staff_id", "工号", "str", "Staff number", unique=True),
        Column("name", "姓名", "str", "Name (personal data: never shown in reports by default)"),
        Column("id_number", "身份证号", "str", "ID number (personal data: never shown in reports)",
               required=False, nullable=True),
        Column("sex", "性别", "str", "男 or 女: with the birth date it gives the statutory retirement month (N1); "
               "needed by the post outlook", allowed=SEXES, required=False),
        Column("unit_id", "单位代码", "str", "Unit code (see disciplines)"),
        Column("discipline_id", "学科代码", "str", "Discipline code (see disciplines)"),
        Column("birth_date", "出生日期", "date", "Date of birth"),
        Column("hire_date", "入校日期", "date", "Date the person started at this institution"),
        Column("on_establishment", "是否在编", "bool", "On the establishment (在编)"),
        Column("degree", "最高学位", "str", "Highest degree", allowed=DEGREES),
        Column("post_level", "岗位等级", "int", "Current professional-technical post level (1 highest, 13 lowest)",
               min=1, max=13),
        Column("post_since", "现岗位聘任日期", "date", "Date appointed to the current post level"),
        Column("appraisal_1", "上一年度考核", "str", "Annual appraisal result, most recent year",
               allowed=APPRAISAL_RESULTS),
        Column("appraisal_2", "前二年度考核", "str", "Annual appraisal result, the year before",
               allowed=APPRAISAL_RESULTS, nullable=True),
        Column("appraisal_3", "前三年度考核", "str", "Annual appraisal result, three years back",
               allowed=APPRAISAL_RESULTS, nullable=True),
        # --- P6 eligibility attributes (optional for other reports) -------------------------
        Column("subject_group", "学科组别", "str",
               "P6 §13 subject group: general, university_english, foreign_language, pe, military, art, "
               "ancient_studies (relaxed degree rule; overseas exemption; language teachers)",
               allowed=SUBJECT_GROUPS, required=False),
        Column("field", "学科门类", "str", "P6 §13(四) science (自然科学) or humanities_social (人文社科)",
               allowed=FIELDS, required=False),
        Column("teacher_qualification", "高校教师资格", "bool",
               "Holds the higher-education teacher qualification (P6 §12)", required=False),
        Column("rank_since", "现职务等级聘任日期", "date",
               "Date first appointed to the current post group (正高/副高/中级/初级) — years in post, P6 §13(二)",
               required=False),
    ),
    checks=(
        Check("hire_after_birth", "hire_date is after birth_date", "入校日期须晚于出生日期",
              ("birth_date", "hire_date"), lambda df: df["hire_date"] > df["birth_date"]),
        Check("post_since_after_birth", "post_since is after birth_date", "现岗位聘任日期须晚于出生日期",
              ("birth_date", "post_since"), lambda df: df["post_since"] > df["birth_date"]),
        Check("rank_since_not_after_post_since", "rank_since is on or before post_since (a group holds its levels)",
              "现职务等级聘任日期不得晚于现岗位聘任日期", ("rank_since", "post_since"),
              lambda df: df["rank_since"].isna() | (df["rank_since"] <= df["post_since"])),
    ),
)


def _gre_scale_given(df: pd.DataFrame) -> pd.Series:
    return df["gre"].isna() | df["gre_scale"].notna()


APPLICANTS = Table(
    kind="applicants",
    zh="岗位申报人员表",
    description="This year's applications for a professional-technical post (P6 §12–§17, §23, §38, §39): "
                "one row per application; personal attributes come from the staff roster via staff_id.",
    file="applicants.csv",
    key=("application_id",),
    columns=(
        Column("application_id", "申报编号", "str", "Application number", unique=True),
        Column("staff_id", "工号", "str", "Staff number (see staff)"),
        Column("application_date", "申请日期", "date", "Date the unit accepted the application (§4: 以二级单位受理材料为准)"),
        Column("target_post", "申报岗位", "str", "Post applied for: full (正高), associate (副高), intermediate (中级), junior (初级)",
               allowed=POSTS),
        Column("exceptional", "破格申报", "bool", "Exceptional application (破格, §17)"),
        Column("extra_post", "增岗破格", "bool", "Extra post for an applicant 35 or under applying for full-senior (§17)"),
        Column("recruited_talent", "引进人才", "bool", "Talent recruited from outside applying for a senior post (§16(一))"),
        Column("postdoc_stayed", "博士后出站留校", "bool", "Postdoc who stayed at the university (§38)"),
        Column("probation_passed", "试用合格", "bool", "Passed the 3–6 month probation after the degree (§13(二)3–4)"),
        Column("transferred_on", "转聘教师岗位日期", "date",
               "Date transferred into a teacher post from another professional post (§39); empty if not",
               nullable=True),
        Column("transfer_appraisal_passed", "转聘后考核合格", "bool",
               "Passed the appraisal after the transfer (§39); empty if not transferred", nullable=True),
        Column("school_language_exam_passed", "学校外语考试合格", "bool", "Passed the school's foreign-language exam (§13(三))"),
        Column("national_language_test_passed", "全国外语水平考试合格", "bool",
               "Passed the national test WSK (English PETS-5) at the school's pass mark (§13(三))"),
        Column("moe_training_certificate", "出国留学培训结业证书", "bool",
               "Holds the completion certificate of the MOE overseas-study language training (§13(三))"),
        Column("toefl", "TOEFL成绩", "float", "Valid TOEFL score obtained in the current post", unit="points",
               min=0, max=120, nullable=True),
        Column("gre", "GRE成绩", "float", "Valid GRE total obtained in the current post", unit="points",
               min=0, max=2400, nullable=True),
        Column("gre_scale", "GRE总分制", "int", "GRE total scale of that score: 2400 or 1600", allowed=(2400, 1600),
               nullable=True),
        Column("ielts", "IELTS成绩", "float", "Valid IELTS band", unit="band", min=0, max=9, nullable=True),
        Column("testdaf_level", "TestDaF等级", "int", "Valid TestDaF level (TDN 3–5)", min=0, max=5, nullable=True),
        Column("tef", "TEF成绩", "float", "Valid TEF score", unit="points", min=0, max=900, nullable=True),
        Column("foreign_language_degree", "外语专业学位", "bool", "Bachelor's or higher in a foreign-language major (§13(三)2)"),
        Column("overseas_doctorate_certified", "国外博士学位认证", "bool",
               "Doctorate obtained abroad and certified by the MOE (§13(三)3)"),
        Column("indexed_foreign_papers", "SCI/SSCI/A&HCI外文论文数", "int",
               "First/corresponding-author foreign-language papers in foreign journals indexed by SCI/SSCI/A&HCI in the "
               "current post (§13(三)5; postdoc output counts, §38)", unit="papers", min=0),
        Column("overseas_months", "海外连续研修月数", "float",
               "Longest consecutive months of study/work at a high-level institution abroad (§13(四))", unit="months",
               min=0),
        Column("teaching_percentile", "近三年评教排名百分位", "float",
               "Average student-evaluation rank over the last three years, percent from the top (§14(二)); empty if "
               "no record", unit="percent", min=0, max=100, nullable=True),
        Column("last_failed_year", "上次申报未聘年份", "int",
               "Year of the last application for a senior post that did not lead to appointment (§4)", nullable=True),
        Column("last_failed_post", "上次申报未聘岗位", "str", "Post of that application", allowed=POSTS, nullable=True),
        Column("recusal_requests", "申请回避专家数", "int", "Peer experts the applicant asked to recuse (§23)",
               unit="experts", min=0),
        Column("peer_review_exemption", "同行评议免评依据", "str",
               "Basis for asking exemption from external peer review (§25(四)3): 985_full_senior, cas_full_senior, "
               "tenured_associate_abroad; empty if none", allowed=EXEMPTION_BASES, nullable=True),
        Column("sample_case", "样本情形说明", "str", "Boundary fixture set only (data/boundary/): the case this row illustrates and its expected outcome",
               required=False, nullable=True),
    ),
    checks=(
        Check("gre_scale_with_gre", "a GRE score needs its scale (2400 or 1600)", "填写GRE成绩须注明总分制",
              ("gre", "gre_scale"), _gre_scale_given),
        Check("gre_within_scale", "the GRE score does not exceed its scale", "GRE成绩不得超过总分",
              ("gre", "gre_scale"), lambda df: df["gre"].isna() | (df["gre"] <= df["gre_scale"].astype("float64"))),
        Check("failed_post_with_year", "last_failed_post and last_failed_year are given together",
              "上次申报未聘岗位与年份须同时填写", ("last_failed_year", "last_failed_post"),
              lambda df: df["last_failed_year"].isna() == df["last_failed_post"].isna()),
    ),
)

RECOMMENDATIONS = Table(
    kind="recommendations",
    zh="专家举荐表",
    description="Expert recommendations for extra-post (增岗破格) and recruited-talent applicants (P6 §16).",
    file="recommendations.csv",
    key=("application_id", "expert_id"),
    columns=(
        Column("application_id", "申报编号", "str", "Application recommended (see applicants)"),
        Column("expert_id", "专家编号", "str", "Expert identifier (pseudonymous)"),
        Column("expert_type", "专家类别", "str",
               "overseas_full_professor (海外知名大学正教授), domestic_level_2_plus (国内正高二级及以上), other",
               allowed=EXPERT_TYPES),
        Column("recommendation_date", "举荐日期", "date", "Date of the recommendation letter (its year counts, §16)"),
    ),
)

COMMITTEE_MEMBERS = Table(
    kind="committee_members",
    zh="聘任组织成员表",
    description="Members of this year's appointment bodies (P6 §19–§22): one row per member and body.",
    file="committee_members.csv",
    key=("committee_id", "member_id"),
    columns=(
        Column("committee_id", "聘任组织编号", "str", "Body identifier"),
        Column("body", "聘任组织类型", "str",
               "unit_subcommittee (聘任分委员会), discipline_panel (学科评议组), school_committee (学校聘任委员会), "
               "professors_meeting (教授会)", allowed=BODIES),
        Column("unit_id", "单位代码", "str", "Unit of a unit body; empty for school-level bodies", nullable=True),
        Column("year", "年度", "int", "Appointment year", min=2000, max=2100),
        Column("member_id", "成员工号", "str", "Member's staff number (or external expert id)"),
        Column("role", "成员身份", "str", "dean, party_secretary, professor, expert, school_leader", allowed=ROLES),
        Column("holds_admin_post", "兼任单位行政职务", "bool", "Holds an administrative post in the unit (§21: ≤ 40%)"),
        Column("full_senior", "具有正高级职务", "bool", "Holds a full-senior title (§20)"),
    ),
)

RELATIVES = Table(
    kind="relatives",
    zh="近亲属关系表",
    description="Declared near-relative relations between staff (P6 §23 conflicts of interest).",
    file="relatives.csv",
    key=("staff_id", "relative_id"),
    columns=(
        Column("staff_id", "工号", "str", "Staff number"),
        Column("relative_id", "近亲属工号", "str", "Staff number of the near relative"),
    ),
)

TABLES = (DISCIPLINES, STAFF, APPLICANTS, RECOMMENDATIONS, COMMITTEE_MEMBERS, RELATIVES)

_LEVEL_ZH = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十",
             11: "十一", 12: "十二", 13: "十三"}

# Output columns of staffcalc.quotas, staffcalc.eligibility and staffcalc.review (Chinese headers).
LABELS = {
    # quotas (spec §2)
    "senior_ratio": "高级岗位比例",
    "adjustment": "比例浮动",
    "ratio_used": "采用比例",
    "formula_cap": "按比例核定高级岗位数",
    "senior_cap": "高级岗位上限",
    "cap_source": "上限来源",
    "cap_clause": "上限依据条款",
    "full_senior_share": "正高占高级岗位比例（规划假设）",
    "full_cap": "正高级岗位上限",
    "associate_cap": "副高级岗位上限",
    "full_share_clause": "正高副高划分依据",
    "level_clause": "各级岗位上限依据",
    "occupied_other": "其他等级在岗人数",
    "occupied_full": "正高级在岗人数",
    "occupied_associate": "副高级在岗人数",
    "occupied_senior": "高级在岗人数",
    "occupied_intermediate": "中级在岗人数",
    "occupied_junior": "初级在岗人数",
    "vacancy_senior": "高级岗位空额",
    "vacancy_full": "正高级岗位空额",
    "vacancy_associate": "副高级岗位空额",
    "over_quota": "超岗",
    "over_quota_items": "超岗项目",
    "method": "取整方法",
    "category_given": "填报学科类别",
    "category_derived": "按学位授权点应属类别",
    "category_source": "学科类别来源",
    "category_warning": "学科类别提示",
    "excess_senior": "高级超岗人数",
    "disciplines": "学科数",
    "disciplines_over_quota": "超岗学科数",
    "president_overrides": "校长调节学科数",
    "level_group": "岗位组别",
    "level_cap": "岗位上限",
    "occupied": "在岗人数",
    # eligibility (spec §3)
    "eligible": "符合申报条件",
    "failed_rules": "未满足条件",
    "failed_clauses": "未满足条件依据",
    "warnings": "提示",
    "age": "周岁年龄",
    "years_in_rank": "现职务任职年数",
    "valid_recommendations": "有效举荐专家数",
    "rule_id": "条件编号",
    "clause": "条款",
    "applications": "申报人数",
    "failures": "未满足人数",
    "failure_share": "未满足比例",
    "description_zh": "条件说明",
    # review (spec §4)
    "quorum_met": "达到法定人数",
    "vote_passed": "表决通过",
    "votes_needed": "通过所需票数",
    "peer_review_passed": "同行评议通过",
    "shortlist_max": "候选人上限",
    "members": "成员人数",
    "professors": "教授人数",
    "experts": "专家人数",
    "admin_post_holders": "兼任行政职务人数",
    "full_senior_members": "正高级成员人数",
    "composition_ok": "组成合规",
    "composition_problems": "组成问题",
    "appeal_deadline": "申诉截止日期",
    "answer_deadline": "答复截止日期",
    "term_end": "聘期结束日期",
    # post outlook (staffcalc.outlook; retirement ages N1)
    "outlook_year": "展望年度（第几年）",
    "outlook_period": "期间",
    "outlook_start": "起始月份",
    "outlook_end": "截止月份",
    "retirements": "退休人数",
    "posts_released": "释放岗位数",
    "released_senior": "释放高级岗位数",
    "released_full": "释放正高级岗位数",
    "released_associate": "释放副高级岗位数",
    "projected_occupied_senior": "期末预计高级在岗人数",
    "projected_occupied_full": "期末预计正高级在岗人数",
    "projected_occupied_associate": "期末预计副高级在岗人数",
    "projected_vacancy_senior": "期末预计高级岗位空额",
    "projected_vacancy_full": "期末预计正高级岗位空额",
    "projected_vacancy_associate": "期末预计副高级岗位空额",
    "projected_over_cap": "期末预计超岗",
    "projected_disciplines_over_cap": "期末预计超岗学科数",
}
for _lv, _zh in _LEVEL_ZH.items():
    LABELS[f"occupied_L{_lv}"] = f"{_zh}级在岗人数"
for _lv in range(2, 8):
    LABELS[f"cap_L{_lv}"] = f"{_LEVEL_ZH[_lv]}级岗位上限"
    LABELS[f"vacancy_L{_lv}"] = f"{_LEVEL_ZH[_lv]}级岗位空额"
for _lv in range(8, 13):
    LABELS[f"guide_L{_lv}"] = f"{_LEVEL_ZH[_lv]}级结构比例参考数"
RULE_LABELS = {
    "ok_qualification": "教师资格（§12）",
    "ok_appraisal": "近三年考核（§12）",
    "ok_degree": "学历条件（§13(一)）",
    "ok_years": "任职年限（§13(二)）",
    "ok_language": "外语条件（§13(三)）",
    "ok_overseas": "海外研修经历（§13(四)）",
    "ok_teaching": "学生评教（§14(二)）",
    "ok_alternate_year": "隔年申报（§4）",
    "ok_extra_post_age": "增岗破格年龄（§17）",
    "ok_recommendations": "专家举荐（§16）",
    "ok_transfer": "转聘年限（§39）",
    "ok_recusals": "回避申请人数（§23）",
}
LABELS.update(RULE_LABELS)
