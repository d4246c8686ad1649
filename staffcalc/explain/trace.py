"""The explanation trace: steps with the person's values, the parameter and clause, the arithmetic
and the result, grouped in parts (one per calculation explained), and its text form.

A :class:`Step`'s ``result`` is a value the calculation itself returned (a column of the public
function's output or an intermediate array its kernel exposes); the ``arithmetic`` line only shows
how the person's values and the parameter combine, in words and numbers, for a reader.  Nothing
here decides a rule.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..policy import Policy, PolicyError

STATUS_ZH = {"pass": "符合", "fail": "不符合", "warning": "提示", "not_applicable": "不适用", "": ""}

# Chinese names of the codes that appear as values (never show a reader an internal code).
VALUE_ZH = {
    "full": "正高级", "associate": "副高级", "intermediate": "中级", "junior": "初级", "other": "其他",
    "doctorate": "博士", "master": "硕士", "bachelor": "学士", "none": "无学位",
    "science": "自然科学", "humanities_social": "人文社科",
    "general": "一般学科", "university_english": "大学英语", "foreign_language": "外语", "pe": "体育",
    "military": "军事", "art": "艺术", "ancient_studies": "古籍整理",
    "full_release": "全脱产", "partial": "非脱产", "further_study": "进修",
    "basic_salary": "基本工资", "allowances": "津贴补贴", "award_performance": "奖励性绩效",
    "basic_performance_bonus": "基础绩效奖", "campus_performance": "校内绩效工资", "welfare": "学院福利待遇",
    "host_rules": "违反培养单位规定", "other_employment": "在外兼职造成不良影响", "judicial_penalty": "受到司法处理",
    "planned": "尚未离岗", "studying": "在读", "interrupted": "中断学习", "left_in_breach": "未满服务期离职",
    "serving": "服务期内", "service_completed": "服务期已满", "returned": "已返岗（无服务期）",
    "overseas_full_professor": "海外知名大学正教授", "domestic_level_2_plus": "国内正高二级及以上",
    "pro_rata": "按未服务月数比例", "not_granted": "不享受待遇", "granted": "照常享受",
    "withhold_as_full_release": "按全脱产扣发", "paid_as_on_post": "按在岗发放",
    "onsite": "现场得分", "exam": "理论考试得分",
    "remove": "调离班主任岗位", "at_risk": "预警（最近一学期不合格）", "ok": "正常",
    "score": "按得分", "override": "直接定等",
    "regular_teacher": "正式教师", "healthy": "身体健康", "from_group": "原任岗位", "min": "最低", "max": "最高",
    "degree": "学位", "born_from": "出生日期不早于", "on_establishment": "在编人员", "all_staff": "全部在岗人员",
    "panel": "领导小组", "teachers": "全体教师", "parents": "家长",
    "items": "项数", "per_item": "每项扣分", "points": "分值", "forfeits_allowance": "扣除当月津贴",
    "self": "自评", "student": "学生测评", "college": "学院测评",
    "toefl": "TOEFL", "gre": "GRE", "ielts": "IELTS", "testdaf_level": "TestDaF", "tef": "TEF",
}


def zh(value: Any) -> Any:
    """The Chinese name of a code value, or the value itself."""
    return VALUE_ZH.get(value, value) if isinstance(value, str) else value


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


def fmt(value: Any, unit: str = "") -> str:
    """A value as a reader sees it: 是/否, no NaN (—), numbers without float noise, codes in Chinese."""
    if is_missing(value):
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return "是" if value else "否"
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, np.datetime64):
        return "—" if np.isnat(value) else pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, (int, np.integer)):
        text = f"{int(value):,}" if unit == "元" else str(int(value))
    elif isinstance(value, (float, np.floating)):
        if math.isinf(value):
            return "∞" if value > 0 else "−∞"
        if unit == "元":
            text = f"{float(value):,.2f}"
        else:
            text = f"{float(value):.4f}".rstrip("0").rstrip(".")
            text = "0" if text == "-0" else text
    elif isinstance(value, Mapping):
        return "，".join(f"{zh(k)}（{fmt(v)}）" if isinstance(v, Mapping) else f"{zh(k)} {fmt(v)}"
                        for k, v in value.items())
    elif isinstance(value, (list, tuple, set, frozenset)):
        return "、".join(fmt(zh(v)) for v in value) or "（无）"
    else:
        text = str(zh(value))
    return f"{text} {unit}" if unit and unit not in ("ratio",) else text


@dataclass
class Step:
    """One step of a calculation for one person.

    ``result`` is the value the calculation returned; ``key`` names the output column (or kernel
    array) it comes from, so tests can compare it with the public function.
    """

    label: str
    result: Any
    inputs: tuple[tuple[str, Any], ...] = ()
    parameter: str = ""
    value: Any = None
    unit: str = ""
    clause: str = ""
    wording: str = ""
    arithmetic: str = ""
    status: str = ""
    key: str = ""
    result_unit: str = ""

    @property
    def inputs_text(self) -> str:
        return "；".join(f"{k} {fmt(v)}" for k, v in self.inputs)

    @property
    def parameter_text(self) -> str:
        if not self.parameter:
            return ""
        return f"{self.parameter} = {fmt(self.value, self.unit)}"

    @property
    def result_text(self) -> str:
        if self.status and isinstance(self.result, (bool, np.bool_)):
            return STATUS_ZH[self.status]   # a rule's outcome: 符合 / 不符合 / 提示 / 不适用
        text = fmt(self.result, self.result_unit)
        return f"{text}（{STATUS_ZH[self.status]}）" if self.status else text


def step(policy: Policy, label: str, result: Any, *, path: str = "", inputs=(), arithmetic: str = "",
         status: str = "", key: str = "", result_unit: str = "", value: Any = ...) -> Step:
    """A :class:`Step` whose parameter value, unit, clause and Chinese wording come from ``policy``."""
    if not path:
        return Step(label, result, tuple(inputs), arithmetic=arithmetic, status=status, key=key,
                    result_unit=result_unit)
    prm = policy.param(path)
    return Step(
        label=label, result=result, inputs=tuple(inputs), parameter=path,
        value=policy.get(path) if value is ... else value, unit=_unit_zh(prm.unit),
        clause=f"{prm.document} {prm.clause}", wording=prm.text, arithmetic=arithmetic, status=status, key=key,
        result_unit=result_unit,
    )


_UNIT_ZH = {"points": "分", "yuan": "元", "months": "个月", "years": "年", "persons": "人", "percent": "%",
            "years of age (inclusive)": "周岁", "experts": "名", "papers": "篇", "applicants": "人",
            "percentile from the top": "%", "months per year": "个月/年", "days": "天", "yuan per month": "元/月"}


def _unit_zh(unit: str) -> str:
    return _UNIT_ZH.get(unit, "")


@dataclass
class Part:
    """One calculation explained for one record (a teacher-month, an application, a candidate …).

    ``answer`` is the sentence the sheet starts with; ``results`` the final values by output
    column name, as the public functions returned them.
    """

    topic: str
    title: str
    record: str
    answer: str
    steps: list[Step] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def by_key(self) -> dict[str, Any]:
        """``{key: result}`` of the steps that name the output they show (``Step.key``)."""
        return {s.key: s.result for s in self.steps if s.key}


TOPIC_ZH = {"appraisal": "班主任考核", "recruitment": "班主任竞聘", "eligibility": "岗位申报资格",
            "pay": "攻读学位期间工资"}


@dataclass
class Trace:
    """The explanation of one person's figures: parts, the policy behind them, when it was made."""

    subject: str
    parts: list[Part]
    policy: Policy
    produced: dt.date
    name: str | None = None
    notes: list[str] = field(default_factory=list)

    # -- provenance ----------------------------------------------------------------------
    @property
    def topics(self) -> list[str]:
        return list(dict.fromkeys(p.topic for p in self.parts))

    def parameters_used(self) -> list[str]:
        return list(dict.fromkeys(s.parameter for p in self.parts for s in p.steps if s.parameter))

    def interpretations(self) -> pd.DataFrame:
        """Interpretations, planning assumptions and overridden values among the parameters used."""
        used = set()
        for path in self.parameters_used():
            try:
                used.add(self.policy.param(path).path)
            except PolicyError:  # pragma: no cover - steps only name parameters of this policy
                continue
        refs = self.policy.interpretations()
        return refs[refs["path"].isin(used)].reset_index(drop=True)

    def versions(self) -> list[str]:
        namespaces = {p.split(".")[0] for p in self.parameters_used()}
        docs = {self.policy.sources[ns].id: self.policy.sources[ns] for ns in sorted(namespaces)
                if ns in self.policy.sources}
        return [f"{d.id} {d.title}{'（' + d.number + '）' if d.number else ''}，{d.effective.isoformat()} 起施行"
                for d in docs.values()]

    def header(self) -> list[tuple[str, str]]:
        rows = [("工号 / 编号", self.subject)]
        if self.name:
            rows.append(("姓名", self.name))
        rows += [("内容", "、".join(TOPIC_ZH[t] for t in self.topics)),
                 ("政策版本", "；".join(self.versions())),
                 ("政策生效日期", self.policy.as_of.isoformat()),
                 ("生成日期", self.produced.isoformat())]
        if self.policy.overrides:
            rows.append(("假设情景", "；".join(f"{k} = {fmt(v)}" for k, v in self.policy.overrides.items())))
        return rows

    # -- renderings ----------------------------------------------------------------------
    def to_text(self) -> str:
        """The sheet as plain text (terminal)."""
        out = ["解释单（复核/申诉用） / Explanation sheet", ""]
        out += [f"{k}：{v}" for k, v in self.header()]
        if self.policy.overrides:
            out.append("注意：以下为假设情景下的结果，不是正式结果。")
        for i, part in enumerate(self.parts, 1):
            out += ["", f"{'=' * 8} {_cn_number(i)}、{part.title}（{part.record}）{'=' * 8}", f"结论：{part.answer}", ""]
            for j, s in enumerate(part.steps, 1):
                out.append(f"{j:>2}. {s.label}")
                if s.inputs:
                    out.append(f"    本人数据：{s.inputs_text}")
                if s.parameter:
                    out.append(f"    参数：{s.parameter_text}")
                    out.append(f"    依据：{s.clause}「{s.wording}」")
                if s.arithmetic:
                    out.append(f"    计算：{s.arithmetic}")
                out.append(f"    结果：{s.result_text}")
            out += [f"注：{n}" for n in part.notes]
        out += ["", "所依据的解释性规定与规划假设："]
        interp = self.interpretations()
        if interp.empty:
            out.append("  （无）")
        for row in interp.itertuples(index=False):
            out.append(f"  - {row.path} = {fmt(row.value)}（{row.document} {row.clause}，{interpretation_kind(row)}）"
                       f"：{reading(row)}" + (f"；另一种解读：{alternative(row)}" if alternative(row) else ""))
        out += [f"注：{n}" for n in self.notes]
        return "\n".join(out) + "\n"

    def to_frame(self) -> pd.DataFrame:
        """One row per step (for Excel): part, step, the person's values, parameter, clause, result."""
        rows = []
        for part in self.parts:
            for j, s in enumerate(part.steps, 1):
                rows.append({"部分": f"{part.title}（{part.record}）", "序号": j, "步骤": s.label,
                             "本人数据": s.inputs_text, "参数路径": s.parameter, "参数取值": fmt(s.value, s.unit)
                             if s.parameter else "", "条款": s.clause, "条款原文": s.wording, "计算": s.arithmetic,
                             "结果": fmt(s.result, s.result_unit), "判定": STATUS_ZH[s.status]})
        return pd.DataFrame(rows, columns=["部分", "序号", "步骤", "本人数据", "参数路径", "参数取值", "条款",
                                           "条款原文", "计算", "结果", "判定"])

    def to_html(self, font_url: str | None = None, fragment: bool = False) -> str:
        """The sheet as an HTML page, or with ``fragment`` a self-styled ``<div>`` for another page."""
        from .render import html

        return html(self, font_url=font_url, fragment=fragment)


def interpretation_kind(row) -> str:
    kind = "规划假设" if row.assumption else ("解释性规定" if row.interpretation else "")
    if row.overridden:
        kind = (kind + "，" if kind else "") + "本情景已修改"
    return kind


def reading(row) -> str:
    """The Chinese reading of an interpretation or assumption (``reading_zh`` of the policy file)."""
    return row.reading_zh if isinstance(row.reading_zh, str) and row.reading_zh else row.text


def alternative(row) -> str:
    return row.alternative_zh if isinstance(row.alternative_zh, str) and row.alternative_zh else ""


def _cn_number(i: int) -> str:
    digits = "零一二三四五六七八九十"
    return digits[i] if i <= 10 else str(i)
