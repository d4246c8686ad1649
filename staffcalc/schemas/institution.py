"""Tables describing the institution: disciplines and the staff roster (spec §2, §3; P1 §3)."""

from __future__ import annotations

from .base import Check, Column, Table

APPRAISAL_RESULTS = ("优秀", "合格", "基本合格", "不合格")

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
        Column("category", "学科类别", "str", "P6 §9 category: A doctoral, B master's, C general",
               allowed=("A", "B", "C")),
        Column("establishment", "教师编制数", "int", "Teacher establishment (编制) of the discipline",
               unit="persons", min=0),
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
        Column("unit_id", "单位代码", "str", "Unit code (see disciplines)"),
        Column("discipline_id", "学科代码", "str", "Discipline code (see disciplines)"),
        Column("birth_date", "出生日期", "date", "Date of birth"),
        Column("hire_date", "入校日期", "date", "Date the person started at this institution"),
        Column("on_establishment", "是否在编", "bool", "On the establishment (在编)"),
        Column("degree", "最高学位", "str", "Highest degree",
               allowed=("doctorate", "master", "bachelor", "none")),
        Column("post_level", "岗位等级", "int", "Current professional-technical post level (1 highest, 13 lowest)",
               min=1, max=13),
        Column("post_since", "现岗位聘任日期", "date", "Date appointed to the current post level"),
        Column("appraisal_1", "上一年度考核", "str", "Annual appraisal result, most recent year",
               allowed=APPRAISAL_RESULTS),
        Column("appraisal_2", "前二年度考核", "str", "Annual appraisal result, the year before",
               allowed=APPRAISAL_RESULTS, nullable=True),
        Column("appraisal_3", "前三年度考核", "str", "Annual appraisal result, three years back",
               allowed=APPRAISAL_RESULTS, nullable=True),
    ),
    checks=(
        Check("hire_after_birth", "hire_date is after birth_date", "入校日期须晚于出生日期",
              ("birth_date", "hire_date"), lambda df: df["hire_date"] > df["birth_date"]),
        Check("post_since_after_birth", "post_since is after birth_date", "现岗位聘任日期须晚于出生日期",
              ("birth_date", "post_since"), lambda df: df["post_since"] > df["birth_date"]),
    ),
)

TABLES = (DISCIPLINES, STAFF)
