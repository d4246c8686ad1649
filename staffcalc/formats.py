"""How values look to a reader, once for HTML tables (``staffcalc.notebook``) and Excel (``staffcalc.export``).

A column has one *kind*: ``yesno`` (是/否), ``money`` (yuan to the fen, thousands separators), ``share``
(a fraction shown as %), ``int`` (whole numbers, ranks and counts even where a missing value made the
column float), ``number`` (years and levels: whole, no thousands separator), ``float`` (two decimals, never ``-0.00``), ``date`` (``yyyy-mm-dd``) or ``text``.
Kinds come from the column's values and from the declarative name lists below; a caller can add
columns (``money=``, ``share=``).  Missing values are blank everywhere.

``ENUM_LABELS`` gives the Chinese label of every code a report shows (``full_release`` → 全脱产 …);
:func:`chinese_values` applies them.  Headers are translated with :data:`staffcalc.schemas.LABELS`.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from .schemas.institution import POST_ZH
from .schemas.study_leave import DEGREE_LABELS, MODE_LABELS, STATUS_LABELS

YES, NO = "是", "否"

# Columns holding yuan (display: ¥1,234.56; Excel #,##0.00).
MONEY = frozenset({
    "paid", "withheld", "full_pay", "cover_cost", "gap", "balance", "refunds", "refund", "refunds_due", "refundable",
    "refund_base", "breach_exposure", "breach_liability", "allowance", "allowance_total", "reimbursements",
    "reimbursed",
})
# Columns holding a fraction 0–1 (display: 8.8%; Excel 0.0%).
SHARE = frozenset({
    "senior_ratio", "adjustment", "ratio_used", "full_senior_share", "failure_share", "workload_share",
    "excellent_share", "school_excellent_share", "share",
})

# Columns of "English / 中文" messages (``review``, ``scoring``): readers see the Chinese part.
BILINGUAL = ("composition_problems", "removal_note", "exemption_note", "excluded_reason", "ineligible_reason")

# Whole numbers that are names, not quantities: no thousands separator (2026, not 2,026).
NUMBERS = frozenset({"year", "academic_year", "barred_from", "barred_to", "duty_reapply_from", "post_level", "学年"})

# Codes → Chinese, by column.
ENUM_LABELS: dict[str, dict] = {
    "mode": MODE_LABELS,
    "degree_sought": DEGREE_LABELS,
    "study_status": STATUS_LABELS,
    "target_post": POST_ZH,
    "level_group": POST_ZH,
    "cap_source": {"policy": "按比例核定", "president_override": "校长调节"},
    "method": {"cap_upper": "上限取整", "largest_remainder": "最大余数法"},
    "removal_status": {"ok": "正常", "at_risk": "预警", "remove": "调离"},
    "code_kind": {"bonus": "加分", "deduction": "减分"},
    "grade_basis": {"score": "按得分", "override": "直接定等"},
    "duty_event": {"served": "任班主任", "refused": "拒聘", "dismissed": "中途解聘"},
    "exemption_reason": {"pregnancy": "怀孕", "postpartum": "产后哺乳", "health": "身体原因", "other": "其他"},
    "body": {"unit_subcommittee": "单位分委员会", "discipline_panel": "学科评议组", "school_committee": "学校聘任委员会"},
}


# Chinese headers of report-only columns (the calculation modules' columns are in schemas.LABELS).
LABELS = {
    "posts_held": "在编在岗人数", "over_establishment": "超编", "excess_establishment": "超编人数",
    "over_senior_cap": "超出高级岗位上限（第九条）", "excess_senior": "超出高级岗位上限人数",
    "over_structure": "超出结构比例（规划假设）", "over_items_zh": "超出的岗位",
    "open_posts": "空岗数", "applications": "申报人数", "eligible_applicants": "符合条件人数",
    "shortlist_max": "推荐人选上限（2×岗位数，第二十五条（三））", "applicants_no_post": "有符合条件者但无空岗",
    "posts_no_applicant": "有空岗但无符合条件者", "over_shortlist": "符合条件者超过推荐上限",
    "balance": "代课经费结余（+）/缺口（−）", "teachers": "班主任人数", "excellent_share": "优秀占比",
    "school_excellent_share": "全校优秀占比", "excellent_vs_school": "与全校相比（百分点）",
    "fail_months": "不合格人月数", "not_eligible": "不符合条件人数",
}


def header(column: str) -> str:
    """The Chinese header of ``column`` (report-only labels, then ``schemas.LABELS``)."""
    from .schemas import LABELS as SCHEMA_LABELS

    return LABELS.get(column) or SCHEMA_LABELS.get(column, column)


def _list_labels() -> dict[str, dict[str, str]]:
    from .eligibility import RULES, WARNINGS
    from .headline import ITEM_LABELS
    from .pay import FLAGS

    return {"flags": {code: zh for code, (_, _, zh, _) in FLAGS.items()}, "over_quota_items": ITEM_LABELS,
            "failed_rules": {code: zh for code, (*_, zh) in RULES.items()},
            "warnings": {code: zh for code, (*_, zh) in WARNINGS.items()}}


def kind_of(name: str, values: pd.Series, money: Iterable[str] = (), share: Iterable[str] = ()) -> str:
    """The display kind of column ``name`` with ``values`` (see the module docstring)."""
    if name in MONEY or name in set(money):
        return "money"
    if name in SHARE or name in set(share):
        return "share"
    if pd.api.types.is_bool_dtype(values):
        return "yesno"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    whole = "number" if name in NUMBERS or str(name).endswith("year") else "int"
    if pd.api.types.is_integer_dtype(values):
        return whole
    if pd.api.types.is_float_dtype(values):
        finite = values.to_numpy(dtype=float, na_value=np.nan)
        finite = finite[~np.isnan(finite)]
        with np.errstate(invalid="ignore"):  # inf % 1 is nan: not whole
            return whole if np.all(np.mod(finite, 1) == 0) and len(finite) else "float"
    if isinstance(values.dtype, pd.StringDtype):
        return "text"
    # booleans with missing values (object column): every present value a bool; inferred in C, and only a
    # "mixed" column (e.g. booleans and NaT) is checked value by value
    inferred = pd.api.types.infer_dtype(np.asarray(values, dtype=object), skipna=True)
    if inferred == "boolean":
        return "yesno"
    if inferred == "mixed":
        present = values.dropna()
        if len(present) and present.map(lambda v: isinstance(v, (bool, np.bool_))).all():
            return "yesno"
    return "text"


def kinds(df: pd.DataFrame, money: Iterable[str] = (), share: Iterable[str] = ()) -> dict[str, str]:
    """``{column: kind}`` for every column of ``df``."""
    money, share = set(money), set(share)
    return {c: kind_of(c, values, money, share) for c, values in df.items()}


def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def fmt(kind: str):
    """A function value → text for ``kind`` (missing values → "")."""
    def money(v):
        v = round(float(v), 2) + 0.0  # + 0.0 turns -0.0 into 0.0
        return f"-¥{-v:,.2f}" if v < 0 else f"¥{v:,.2f}"

    def share(v):
        return f"{float(v):.1%}"

    def whole(v):
        return f"{round(float(v)) + 0:,d}"

    def number(v):
        return str(round(float(v)))

    def decimal(v):
        return f"{round(float(v), 2) + 0.0:,.2f}"

    def date(v):
        return pd.Timestamp(v).strftime("%Y-%m-%d")

    def yesno(v):
        return YES if bool(v) else NO

    f = {"money": money, "share": share, "int": whole, "number": number, "float": decimal, "date": date, "yesno": yesno}.get(kind, str)
    return lambda v: "" if _missing(v) else f(v)


# Excel number formats per kind (values stay numbers; rounding is display only).
EXCEL_FORMATS = {"money": "#,##0.00", "share": "0.0%", "int": "#,##0", "number": "0", "float": "#,##0.00",
                 "date": "yyyy-mm-dd"}


def chinese_values(df: pd.DataFrame, labels: Mapping[str, Mapping] | None = None) -> pd.DataFrame:
    """A copy of ``df`` with codes replaced by Chinese labels (``ENUM_LABELS`` plus ``labels``).

    A code without a label stays as it is (visible, never blank)."""
    out = df.copy()
    for column, mapping in {**ENUM_LABELS, **(labels or {})}.items():
        if column in out:
            out[column] = out[column].map(lambda v, m=mapping: m.get(v, v) if not _missing(v) else v)
    for column, mapping in _list_labels().items():  # "code1;code2" lists
        if column in out and not (labels and column in labels):
            out[column] = out[column].map(lambda v, m=mapping: v if _missing(v) or not isinstance(v, str) else
                                          "；".join(m.get(x.strip(), x.strip()) for x in v.split(";") if x.strip()))
    for column in BILINGUAL:  # "English / 中文" messages: the reader gets the Chinese half
        if column in out:
            out[column] = out[column].map(lambda v: v if _missing(v) or not isinstance(v, str) else "；".join(
                part.split(" / ")[-1].strip() for part in v.split(";") if part.strip()))
    return out
