"""Who a what-if setting affects, why, and what it costs (issue 16).

Every list is complete (no row limit) and compares a scenario :class:`staffcalc.scenario.Result`
with the baseline's, column by column, on whole arrays:

* :func:`teacher_months` — teacher-months whose score, grade or allowance changes (P5 §3–§4), with
  the reason: 基础分 (section maxima / per-item deductions), 加分, 减分, 等次分数线 (same score,
  other grade), 扣除当月津贴 (§4(五)3), 津贴标准 (allowance amount);
* :func:`teacher_semesters` — semester grades that change (P5 §5–§7): 学期权重, 直接定等, 等次分数线;
* :func:`candidates` — candidates whose total, rank or appointment changes (P4 六), naming each
  component score that moved and a crossing of the appointment line;
* :func:`disciplines` — disciplines whose caps, split or vacancies change (P6 §9, §11);
* :func:`by_unit` — the same per unit (院系): teachers affected, allowance before/after, disciplines
  changed, senior posts added and their pay cost;
* :func:`money` — allowance totals and the pay cost of extra senior posts, each with its change.
  The cost uses ``quotas.senior_post_pay_difference`` (annual pay difference per extra senior
  post) — a planning assumption of the policy file, labelled as such wherever it is shown.

:func:`excel_bytes` writes all of it as one workbook (Chinese sheet and column names).
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from . import schemas, scoring
from .scenario import Baseline, Result

PAY_DIFFERENCE = "quotas.senior_post_pay_difference"
UNKNOWN_UNIT = "（未登记单位）"


def label(column: str) -> str:
    """Chinese label of an output column without the policy's point value ("理论考试（25分）" → "理论考试")."""
    return re.sub(r"（[\d.]+分）$", "", schemas.LABELS.get(column, column))


def _reasons(n: int, parts) -> np.ndarray:
    """"、"-joined reason labels per row from (label, mask) pairs."""
    out = np.full(n, "", dtype=object)
    for text, mask in parts:
        out = np.where(mask, np.where(out == "", text, out + "、" + text), out)
    return out


def _differs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    b = np.asarray(b)
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        a, b = a.astype("float64"), b.astype("float64")
        return ~((a == b) | (np.isnan(a) & np.isnan(b)))
    return a != b


def units(baseline: Baseline) -> tuple[pd.Series, pd.Series]:
    """(staff_id → unit name, discipline_id → unit name); kept in the baseline's cache."""
    hit = baseline.cache.get("units")
    if hit is not None:
        return hit
    d = baseline.tables["disciplines"]
    name_col = "unit_name" if "unit_name" in d.columns else "unit_id"
    unit_name = pd.Series(d[name_col].astype(str).to_numpy(), index=d["unit_id"].astype(str).to_numpy())
    unit_name = unit_name[~unit_name.index.duplicated()]
    staff = baseline.tables["staff"]
    if "unit_id" in staff.columns:
        staff_unit = pd.Series(staff["unit_id"].astype(str).map(unit_name).fillna(UNKNOWN_UNIT).to_numpy(),
                               index=staff["staff_id"].astype(str).to_numpy())
    else:
        staff_unit = pd.Series(dtype=object)
    staff_unit = staff_unit[~staff_unit.index.duplicated()]
    disc_unit = pd.Series(d["unit_id"].astype(str).map(unit_name).to_numpy(), index=d["discipline_id"].astype(str))
    baseline.cache["units"] = (staff_unit, disc_unit)
    return staff_unit, disc_unit


def teacher_months(baseline: Baseline, r: Result) -> pd.DataFrame:
    """Teacher-months whose score, grade or allowance changes, with the reasons (P5 §3–§4)."""
    b, s = baseline.result.monthly, r.monthly
    col = {c: (b[c].to_numpy(), s[c].to_numpy()) for c in ("base_score", "bonus", "deduction", "score", "allowance",
                                                             "allowance_forfeited")}
    grade_b, grade_s = b["grade"].astype(str).to_numpy(), s["grade"].astype(str).to_numpy()
    d = {c: _differs(*v) for c, v in col.items()}
    grade_moved = grade_b != grade_s
    changed = d["score"] | grade_moved | d["allowance"]
    idx = np.flatnonzero(changed)
    n = len(idx)
    why = _reasons(n, [
        ("基础分", d["base_score"][idx]), ("加分", d["bonus"][idx]), ("减分", d["deduction"][idx]),
        ("等次分数线", (grade_moved & ~d["score"])[idx]), ("扣除当月津贴", d["allowance_forfeited"][idx]),
        ("津贴标准", (d["allowance"] & ~d["allowance_forfeited"] & ~grade_moved)[idx]),
    ])
    staff_unit, _ = units(baseline)
    sid = s["staff_id"].astype(str).to_numpy()[idx]
    return pd.DataFrame({
        "工号": sid, "单位": staff_unit.reindex(sid).fillna(UNKNOWN_UNIT).to_numpy(),
        "月份": s["period"].astype(str).to_numpy()[idx],
        "基准基础分": col["base_score"][0][idx], "情景基础分": col["base_score"][1][idx],
        "基准加分": col["bonus"][0][idx], "情景加分": col["bonus"][1][idx],
        "基准减分": col["deduction"][0][idx], "情景减分": col["deduction"][1][idx],
        "基准得分": col["score"][0][idx], "情景得分": col["score"][1][idx],
        "基准等次": grade_b[idx], "情景等次": grade_s[idx],
        "基准津贴（元）": col["allowance"][0][idx], "情景津贴（元）": col["allowance"][1][idx],
        "津贴变化（元）": col["allowance"][1][idx] - col["allowance"][0][idx],
        "原因": why,
    })


def teacher_semesters(baseline: Baseline, r: Result) -> pd.DataFrame:
    """Teacher-semesters whose composite or grade changes, with the reasons (P5 §5–§7)."""
    b, s = baseline.result.semester, r.semester
    comp_b, comp_s = b["composite"].to_numpy(), s["composite"].to_numpy()
    grade_b, grade_s = b["grade"].astype(str).to_numpy(), s["grade"].astype(str).to_numpy()
    basis_b, basis_s = b["grade_basis"].astype(str).to_numpy(), s["grade_basis"].astype(str).to_numpy()
    d_comp = _differs(comp_b, comp_s)
    moved = grade_b != grade_s
    override = (basis_b == "override") | (basis_s == "override")
    idx = np.flatnonzero(d_comp | moved)
    why = _reasons(len(idx), [
        ("学期权重", d_comp[idx]), ("直接定等", (moved & override)[idx]),
        ("等次分数线", (moved & ~d_comp & ~override)[idx]),
    ])
    staff_unit, _ = units(baseline)
    sid = s["staff_id"].astype(str).to_numpy()[idx]
    basis_zh = {"override": "直接定等", "score": "按综合分"}
    return pd.DataFrame({
        "工号": sid, "单位": staff_unit.reindex(sid).fillna(UNKNOWN_UNIT).to_numpy(),
        "学期": s["semester"].astype(str).to_numpy()[idx],
        "基准综合分": comp_b[idx], "情景综合分": comp_s[idx],
        "基准等次": grade_b[idx], "情景等次": grade_s[idx],
        "情景定等依据": [basis_zh.get(x, x) for x in basis_s[idx]],
        "原因": why,
    })


def _status(frame: pd.DataFrame) -> np.ndarray:
    appointed = frame["appointed"].astype(bool).to_numpy()
    wait = frame["waiting_list"].to_numpy(dtype="float64")
    ranked = frame["total"].notna().to_numpy()
    text = np.where(np.isnan(wait), "未聘", np.char.add("候补 ", np.nan_to_num(wait).astype(int).astype(str)))
    return np.where(appointed, "拟聘任", np.where(ranked, text, "未参与排名")).astype(object)


def candidates(baseline: Baseline, r: Result) -> pd.DataFrame:
    """Candidates whose component scores, total, rank or appointment change (P4 六)."""
    b, s = baseline.result.recruitment, r.recruitment
    comps = [c for c in scoring.recruitment.COMPONENTS if c in s.columns]
    d = {c: _differs(b[c].to_numpy(), s[c].to_numpy()) for c in (*comps, "total", "rank_order")}
    app_b, app_s = b["appointed"].astype(bool).to_numpy(), s["appointed"].astype(bool).to_numpy()
    crossed = app_b != app_s
    changed = np.logical_or.reduce([*d.values(), crossed])
    idx = np.flatnonzero(changed)
    why = _reasons(len(idx), [*((label(c), d[c][idx]) for c in comps),
                              ("进入聘任线", (crossed & app_s)[idx]), ("退出聘任线", (crossed & app_b)[idx]),
                              ("排名", (d["rank_order"] & ~d["total"])[idx])])
    out = pd.DataFrame({"报名号": s["candidate_id"].astype(str).to_numpy()[idx]})
    for c in comps:
        out[f"基准{label(c)}"] = b[c].to_numpy()[idx]
        out[f"情景{label(c)}"] = s[c].to_numpy()[idx]
    out["基准总分"] = b["total"].to_numpy()[idx]
    out["情景总分"] = s["total"].to_numpy()[idx]
    out["基准排序"] = b["rank_order"].to_numpy()[idx]
    out["情景排序"] = s["rank_order"].to_numpy()[idx]
    out["基准结果"] = _status(b)[idx]
    out["情景结果"] = _status(s)[idx]
    out["原因"] = why
    return out


QUOTA_COLUMNS = ("senior_cap", "full_cap", "associate_cap", "vacancy_senior", "vacancy_full", "vacancy_associate")


def disciplines(baseline: Baseline, r: Result) -> pd.DataFrame:
    """Disciplines whose caps, split or vacancies change (P6 §9, §11), with the reasons."""
    b = baseline.result.quotas.set_index("discipline_id")
    s = r.quotas.set_index("discipline_id")
    b = b.reindex(s.index)
    d = {c: _differs(b[c].to_numpy(), s[c].to_numpy()) for c in (*QUOTA_COLUMNS, "over_quota")}
    split = (d["full_cap"] | d["associate_cap"]) & ~d["senior_cap"]
    changed = np.logical_or.reduce(list(d.values()))
    idx = np.flatnonzero(changed)
    why = _reasons(len(idx), [("高级岗位上限", d["senior_cap"][idx]), ("正高/副高划分", split[idx]),
                              ("超岗状态", d["over_quota"][idx])])
    _, disc_unit = units(baseline)
    ids = s.index.astype(str).to_numpy()[idx]
    out = pd.DataFrame({"学科代码": ids, "学科名称": s["discipline_name"].to_numpy()[idx],
                        "单位": disc_unit.reindex(ids).fillna(UNKNOWN_UNIT).to_numpy(),
                        "类别": s["category"].astype(str).to_numpy()[idx],
                        "编制": s["establishment"].to_numpy()[idx], "高级在岗": s["occupied_senior"].to_numpy()[idx]})
    for c in QUOTA_COLUMNS:
        out[f"基准{label(c)}"] = b[c].to_numpy()[idx]
        out[f"情景{label(c)}"] = s[c].to_numpy()[idx]
    out["高级岗位变化"] = s["senior_cap"].to_numpy()[idx] - b["senior_cap"].to_numpy()[idx]
    out["情景超岗"] = np.where(s["over_quota"].to_numpy(dtype=bool)[idx], "是", "否")
    out["原因"] = why
    return out


def pay_difference(r: Result) -> float:
    """Annual pay difference per extra senior post (yuan; planning assumption of the policy file)."""
    return float(r.policy.get(PAY_DIFFERENCE))


def senior_post_cost(extra_posts, policy) -> float:
    """Annual pay cost of ``extra_posts`` more senior posts (P6 §9 caps; yuan): posts × the planning
    assumption ``quotas.senior_post_pay_difference``."""
    return extra_posts * float(policy.get(PAY_DIFFERENCE))


def money(baseline: Baseline, r: Result) -> pd.DataFrame:
    """Money effects with their change: allowance total (P5; spec §5.7 assumption amounts) and the
    annual pay cost of the senior posts a ratio change adds (P6 §9 caps × the pay assumption)."""
    b = baseline.result
    posts = int(r.quotas["senior_cap"].sum()) - int(b.quotas["senior_cap"].sum())
    pay = pay_difference(r)
    pay_b = pay_difference(b)
    rows = [
        ("班主任津贴合计（元，全部月份）", b.allowance_total, r.allowance_total),
        ("高级岗位上限合计（个）", float(b.quotas["senior_cap"].sum()), float(r.quotas["senior_cap"].sum())),
        ("新增高级岗位年度薪酬差额（元，规划假设）", 0.0, senior_post_cost(posts, r.policy)),
    ]
    out = pd.DataFrame(rows, columns=["项目", "基准", "情景"])
    out["变化"] = out["情景"] - out["基准"]
    out.attrs["pay_difference"] = pay
    out.attrs["pay_difference_base"] = pay_b
    out.attrs["extra_posts"] = posts
    return out


def by_unit(baseline: Baseline, r: Result, months: pd.DataFrame, semesters: pd.DataFrame,
            discs: pd.DataFrame) -> pd.DataFrame:
    """Per unit: teachers affected, allowance before/after, disciplines changed, senior posts added, cost."""
    staff_unit, disc_unit = units(baseline)
    b = baseline.result
    unit_b = staff_unit.reindex(b.monthly["staff_id"].astype(str)).fillna(UNKNOWN_UNIT).to_numpy()
    allowance = pd.DataFrame({"单位": unit_b, "基准": b.monthly["allowance"].to_numpy(),
                              "情景": r.monthly["allowance"].to_numpy()}).groupby("单位").sum()
    teachers = pd.concat([months[["单位", "工号"]], semesters[["单位", "工号"]]]).drop_duplicates()
    n_teachers = teachers.groupby("单位")["工号"].nunique()
    caps = pd.DataFrame({"单位": disc_unit.reindex(r.quotas["discipline_id"].astype(str)).fillna(UNKNOWN_UNIT)
                         .to_numpy(),
                         "基准": b.quotas.set_index("discipline_id")["senior_cap"].reindex(r.quotas["discipline_id"])
                         .to_numpy(), "情景": r.quotas["senior_cap"].to_numpy()}).groupby("单位").sum()
    n_disc = discs.groupby("单位")["学科代码"].nunique() if len(discs) else pd.Series(dtype="int64")
    names = sorted(set(allowance.index) | set(caps.index))
    out = pd.DataFrame(index=pd.Index(names, name="单位"))
    out["受影响班主任（人）"] = n_teachers.reindex(names).fillna(0).astype(int)
    out["基准津贴（元）"] = allowance["基准"].reindex(names).fillna(0.0)
    out["情景津贴（元）"] = allowance["情景"].reindex(names).fillna(0.0)
    out["津贴变化（元）"] = out["情景津贴（元）"] - out["基准津贴（元）"]
    out["上限变化的学科（个）"] = n_disc.reindex(names).fillna(0).astype(int)
    out["基准高级岗位上限"] = caps["基准"].reindex(names).fillna(0).astype(int)
    out["情景高级岗位上限"] = caps["情景"].reindex(names).fillna(0).astype(int)
    out["新增高级岗位"] = out["情景高级岗位上限"] - out["基准高级岗位上限"]
    out["新增岗位年度薪酬差额（元，规划假设）"] = senior_post_cost(out["新增高级岗位"], r.policy)
    changed = (out["受影响班主任（人）"] > 0) | (out["津贴变化（元）"] != 0) | (out["上限变化的学科（个）"] > 0)
    return out[changed].reset_index()


def everything(baseline: Baseline, r: Result) -> dict[str, pd.DataFrame]:
    """All lists of a setting, keyed by their Chinese sheet name (汇总 first)."""
    months = teacher_months(baseline, r)
    sems = teacher_semesters(baseline, r)
    discs = disciplines(baseline, r)
    return {"金额": money(baseline, r), "按单位": by_unit(baseline, r, months, sems, discs),
            "班主任（月考核）": months, "班主任（学期）": sems, "竞聘人员": candidates(baseline, r), "学科": discs}


def excel_bytes(sheets: dict[str, pd.DataFrame], settings: pd.DataFrame | None = None) -> bytes:
    """One .xlsx with a sheet per list (and the applied settings first, if given); no index column."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        if settings is not None:
            settings.to_excel(xw, sheet_name="已修改参数", index=False)
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)
    return buf.getvalue()


__all__ = ["PAY_DIFFERENCE", "senior_post_cost", "by_unit", "candidates", "disciplines", "everything", "excel_bytes", "label", "money",
           "teacher_months", "teacher_semesters", "units"]
