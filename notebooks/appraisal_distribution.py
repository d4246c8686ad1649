# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     notebook_metadata_filter: kernelspec,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 班主任考核分布（P5）、竞聘排名（P4）与任职规定（P2/P3）
#
# 本报告依据 `staffcalc` 政策参数文件计算：
#
# * **月考核**（山西大同大学美术学院班主任考核办法 第三、四条）：各部分按不合格项扣分（不低于 0），
#   加减分按代码目录计算，得分不设上下限，等次按半开区间（优秀 ≥ 90，良好 80–<90，合格 60–<80，不合格 < 60）；
# * **学期考核**（第五至八条）：自评 20% + 学生测评 30% + 学院测评 50%，直接定为优秀/不合格的情形，连续两个学期不合格调离；
# * **班主任竞聘**（中华路小学班主任教师聘任办法）：六项得分、排名、聘任线与候补名单；
# * **任职规定**（P2 与 P3 两个版本）：免任条件、绩效加分、拒聘与中途解聘的处理，以及两个版本的差异。
#
# 参数：`data_dir` 数据文件夹；`out_dir` Excel 输出文件夹；`as_of` 政策生效日期；`overrides_file` 假设情景文件；
# `show_names` 是否显示姓名（默认否，仅显示工号/报名号）；`unit` 单位代码（空 = 全部单位）；
# `period_start`/`period_end` 考核月份范围（YYYY-MM）；`duty_variant` 任职规定版本（P2 或 P3）；`openings` 聘任名额。
#

# %% tags=["parameters"]
data_dir = "../data"
out_dir = "."
as_of = "2026-09-01"
overrides_file = ""
show_names = False
unit = ""
period_start = "2025-09"
period_end = "2026-06"
duty_variant = "P2"
openings = 10

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from staffcalc import notebook as nb
from staffcalc import policy, schemas, scoring
from staffcalc.export import write_excel
from staffcalc.io import read_tables

nb.setup_display()
nb.check_month_range("period_start", period_start, "period_end", period_end)
pol = policy.load_scenario(as_of, overrides_file, variant={"duty": duty_variant})
display(Markdown("**政策版本**：" + "；".join(f"{k}: {v}" for k, v in pol.versions.items())))

tables = read_tables(data_dir, ["class_teachers", "appraisal_items", "appraisal_events", "semester_ratings",
                                "recruitment_candidates", "duty_history", "duty_exemptions"])
roster = tables["class_teachers"]
teachers = nb.in_unit(roster, nb.unit_ids(unit, roster, "class teachers / 班主任"))
ids = set(teachers["staff_id"])



def in_scope(df):
    keep = df["staff_id"].isin(ids)
    if "period" in df.columns:
        keep &= (df["period"] >= period_start) & (df["period"] <= period_end)
    return df[keep].reset_index(drop=True)

items = in_scope(tables["appraisal_items"])
events = in_scope(tables["appraisal_events"])
if items.empty:
    raise ValueError(f"no appraisal rows for unit {unit or 'all'} in {period_start}…{period_end} / 所选范围内无考核记录")
names = nb.staff_names(read_tables(data_dir, ["staff"])["staff"], show_names) if show_names else None


def with_names(df):
    return nb.with_names(df, names)


display(Markdown(f"单位：**{unit or '全部'}**；考核月份：**{period_start} 至 {period_end}**；"
                 f"班主任 {len(teachers)} 人；月考核记录 {len(items)} 条；加减分记录 {len(events)} 条。"))

# %% [markdown]
# ## 1. 月考核得分分布（第三、四条）
#
# 竖线为等次下限（半开区间：下限计入本等次）。

# %%
monthly = scoring.monthly_appraisal(items, events, pol)
monthly = monthly.merge(teachers[["staff_id", "unit_id"]], on="staff_id", how="left")
bands = {g: b for g, b in scoring.grade_bands(pol).items() if np.isfinite(b)}

fig, ax = plt.subplots(figsize=(9, 4))
lo, hi = np.floor(monthly["score"].min()), np.ceil(monthly["score"].max())
ax.hist(monthly["score"], bins=np.arange(lo, hi + 2) - 0.5, color="#4C72B0")
for (g, b), color in zip(bands.items(), ["#2CA02C", "#FF7F0E", "#C44E52", "#7F7F7F"]):
    ax.axvline(b, color=color, linestyle="--", label=f"{g}下限 {b:g}")
ax.legend(loc="upper left", fontsize=9)
ax.set_title("班主任月考核得分分布")
ax.set_xlabel("月考核得分（基础分 + 加分 − 减分，不设上下限）")
ax.set_ylabel("人月数")
plt.show()

score_summary = monthly["score"].describe().rename(index={
    "count": "人月数", "mean": "平均分", "std": "标准差", "min": "最低分", "25%": "下四分位", "50%": "中位数",
    "75%": "上四分位", "max": "最高分"}).to_frame("月考核得分")
display(score_summary.round(2))
display(schemas.to_chinese(scoring.monthly_timeline(sorted(monthly["period"].unique()), pol)))  # 考核时间（第四条（五）11、第五条）

# %% [markdown]
# ## 2. 各月份、各单位等次构成

# %%
grade_order = list(scoring.grade_bands(pol))
by_month = pd.crosstab(monthly["period"], monthly["grade"].astype(str), normalize="index").reindex(
    columns=grade_order, fill_value=0.0)
by_unit = pd.crosstab(monthly["unit_id"], monthly["grade"].astype(str), normalize="index").reindex(
    columns=grade_order, fill_value=0.0)
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
by_month.plot(kind="bar", stacked=True, ax=axes[0], colormap="RdYlGn_r")
axes[0].set_title("各月份等次构成")
axes[0].set_xlabel("考核月份")
axes[0].set_ylabel("占比")
by_unit.plot(kind="bar", stacked=True, ax=axes[1], colormap="RdYlGn_r")
axes[1].set_title("各单位等次构成")
axes[1].set_xlabel("单位代码")
axes[1].set_ylabel("占比")
for ax in axes:
    ax.legend(title="等次", fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
plt.tight_layout()
plt.show()
grade_by_month = by_month.mul(100).round(1).rename_axis("考核月份").reset_index()
grade_by_unit = by_unit.mul(100).round(1).rename_axis("单位代码").reset_index()
display(grade_by_month)

# %% [markdown]
# ## 3. 对得分影响最大的加减分项目（第四条（四）（五））

# %%
impact = scoring.event_impact(events, pol) if len(events) else pd.DataFrame(
    columns=["code", "code_kind", "occurrences", "teachers_affected", "points_total", "clause", "description", "text"])
top = impact.head(12)
if len(top):
    fig, ax = plt.subplots(figsize=(9, 4.5))
    colors = np.where(top["points_total"] >= 0, "#55A868", "#C44E52")
    ax.barh(top["code"][::-1], top["points_total"][::-1], color=colors[::-1])
    ax.set_title("加减分合计最多的项目（加分为正，减分为负）")
    ax.set_xlabel("分值合计")
    plt.tight_layout()
    plt.show()
impact_view = top[["code", "code_kind", "occurrences", "teachers_affected", "points_total", "clause", "text"]].assign(
    code_kind=top["code_kind"].map({"bonus": "加分", "deduction": "减分"})).rename(columns={"clause": "条款", "text": "原文"})
display(schemas.to_chinese(impact_view))

# %% [markdown]
# ## 4. 学期考核、预警与调离（第五至八条）
#
# 学期综合得分 = 自评 × 20% + 学生测评 × 30% + 学院测评 × 50%；直接定等情形优先于得分，两类情形同时出现时按不合格处理（解释性规定）。调离判断使用截至所选截止月份的全部学期记录。

# %%
last_semester = scoring.semester_of_period(pd.Series([period_end])).iloc[0]
first_semester = scoring.semester_of_period(pd.Series([period_start])).iloc[0]
ratings = tables["semester_ratings"]
ratings = ratings[ratings["staff_id"].isin(ids) & (ratings["semester"] <= last_semester)].reset_index(drop=True)
semesters = scoring.semester_grades(ratings, pol)
in_range = semesters[semesters["semester"] >= first_semester]
display(Markdown(f"所选月份覆盖学期：{first_semester} 至 {last_semester}。"))
sem_shares = pd.crosstab(in_range["semester"], in_range["grade"].astype(str)).reindex(columns=grade_order, fill_value=0)
display(sem_shares.rename_axis("学期"))
overrides = in_range[in_range["grade_basis"] == "override"][
    ["staff_id", "semester", "composite", "score_grade", "grade", "override_code", "override_reason", "overridden_codes"]]
display(Markdown("**直接定等（第六、七条）**"))
display(schemas.to_chinese(with_names(overrides)))

removal = scoring.removal_status(semesters[["staff_id", "semester", "grade"]], pol)
watch = removal[removal["removal_status"] != "ok"].sort_values(["removal_status", "staff_id"], ascending=[False, True])
display(Markdown(f"**调离班主任岗位：{int((removal['removal_status'] == 'remove').sum())} 人；"
                 f"预警（最近一学期不合格）：{int((removal['removal_status'] == 'at_risk').sum())} 人**"))
display(schemas.to_chinese(with_names(watch)))

# %% [markdown]
# ## 5. 班主任津贴（第二条、第四条（五）3）
#
# 各等次津贴金额为**规划假设**（P5 未规定），当月有校级处分或该作为而不作为的，扣除当月津贴。

# %%
allowance_month = scoring.allowance_totals(monthly, by=["period"])
allowance_unit = scoring.allowance_totals(monthly, by=["unit_id"])
amounts = pol.get("appraisal.allowance.monthly")
display(Markdown("津贴假设（元/月）：" + "，".join(f"{g} {v:,.2f}" for g, v in amounts.items())
                 + f"；合计 **{monthly['allowance'].sum():,.2f} 元**，扣除津贴 {int(monthly['allowance_forfeited'].sum())} 人月。"))
display(schemas.to_chinese(allowance_month).style.format({"班主任津贴（元）": "{:,.2f}"}))
display(schemas.to_chinese(allowance_unit).style.format({"班主任津贴（元）": "{:,.2f}"}))

# %% [markdown]
# ## 6. 班主任竞聘排名（P4）
#
# 一票否决与不符合聘任条件者不参与排名与折算；同分者名次相同，按现场答辩得分排序。P4 为另一学校的竞聘办法，不按单位与月份筛选。

# %%
candidates = tables["recruitment_candidates"]
eligibility = scoring.recruitment_eligibility(candidates, policy=pol)
ranked = scoring.appoint(scoring.recruitment_scores(eligibility, pol), openings, pol)
ranking_cols = ["candidate_id", "round", "age_on_recruitment", *scoring.recruitment.COMPONENTS, "total", "rank",
                "rank_order", "appointed", "waiting_list", "tie_unresolved", "tie_at_line", "excluded_reason",
                "ineligible_reason"]
if show_names:
    ranking_cols.insert(1, "name")
ranking = ranked.sort_values(["rank_order", "candidate_id"], na_position="last")[ranking_cols].reset_index(drop=True)

shown = ranking[ranking["total"].notna()]
fig, ax = plt.subplots(figsize=(10, 4))
ax.bar(shown["candidate_id"], shown["total"], color=np.where(shown["appointed"], "#55A868", "#8C8C8C"))
if 0 < openings < len(shown):
    ax.axvline(openings - 0.5, color="#C44E52", linestyle="--")
    ax.text(openings - 0.4, shown["total"].max(), "聘任线", color="#C44E52")
ax.set_title(f"竞聘总分排名（聘任名额 {openings}）")
ax.set_ylabel("总分（100 分）")
ax.tick_params(axis="x", labelrotation=90, labelsize=7)
plt.tight_layout()
plt.show()
display(Markdown(f"拟聘任 {int(ranking['appointed'].sum())} 人；候补 {int(ranking['waiting_list'].notna().sum())} 人；"
                 f"未参与排名 {int(ranking['total'].isna().sum())} 人。"
                 + ("**聘任线上存在无法区分的同分，须由聘任领导小组决定。**" if ranking["tie_at_line"].any() else "")))
display(schemas.to_chinese(ranking).style.format(precision=2, na_rep=""))

# %% [markdown]
# ## 7. 任职规定：P2 与 P3 的差异、免任申请与处理

# %%
p2 = policy.load(as_of, variant="P2")
p3 = policy.load(as_of, variant="P3")
duty_diff = policy.diff(p2, p3, "duty")
duty_diff_view = duty_diff[["path", "differences_zh", "description", "value_a", "value_b", "clause_a", "text_a",
                            "clause_b", "text_b", "interpretation_a", "interpretation_b"]].astype(str)
duty_diff_view.columns = ["参数", "差异", "说明", "P2 取值", "P3 取值", "P2 条款", "P2 原文", "P3 条款", "P3 原文",
                          "P2 解读", "P3 解读"]
display(duty_diff_view)

history = tables["duty_history"]
history = history[history["staff_id"].isin(ids) | (history["duty_event"] != "served")].reset_index(drop=True)
sanction_table = scoring.sanctions_by_variant(history, {"P2": p2, "P3": p3})
display(Markdown(f"**拒聘与中途解聘的处理（同一记录在两个版本下的结果；本报告采用 {duty_variant}）**"))
sanction_view = sanction_table.rename(columns=lambda c: (
    f"{schemas.LABELS.get(c[:-3], c[:-3])}（{c[-2:]}）" if c[-3:] in ("_P2", "_P3") else schemas.LABELS.get(c, c)))
sanction_view = sanction_view.replace({"任职情况": {"refused": "拒聘", "dismissed": "中途解聘"}})
display(sanction_view)
current_year = int(pd.Timestamp(as_of).year if pd.Timestamp(as_of).month >= 9 else pd.Timestamp(as_of).year - 1)
barred_now = scoring.barred(history, current_year, pol)
display(Markdown(f"{current_year} 学年（{duty_variant}）：取消评优评聘资格 {int(barred_now['awards_barred'].sum())} 人，"
                 f"暂不能申请担任班主任 {int((~barred_now['may_apply_for_duty']).sum())} 人。"))

exempt = scoring.exemptions(tables["duty_exemptions"], pol)
exempt_other = scoring.exemptions(tables["duty_exemptions"], p3 if duty_variant == "P2" else p2)
exempt["may_be_exempted_other"] = exempt_other["may_be_exempted"].to_numpy()
exempt_view = exempt[["staff_id", "academic_year", "exemption_reason", "request_date", "request_on_time", "condition_met",
                      "may_be_exempted", "may_be_exempted_other", "exemption_note"]].rename(
    columns={"may_be_exempted_other": f"另一版本（{'P3' if duty_variant == 'P2' else 'P2'}）可不承担"})
display(schemas.to_chinese(with_names(exempt_view)))

served = scoring.duty_points(history[history["duty_event"] == "served"].reset_index(drop=True), pol)
points_summary = served.groupby("academic_year").agg(
    served=("staff_id", "count"), points_total=("performance_points", "sum")).reset_index()
points_summary.columns = ["学年", "任班主任人数", "绩效加分合计"]
display(points_summary)

# %% [markdown]
# ## 8. 解释性规定与规划假设
#
# 下表列出本报告所依据的、由规范选择的解读（可切换）和规划假设（非政策数字）。

# %%
assumptions_view = nb.interpretations(pol, ("appraisal", "recruitment", "duty"))
display(assumptions_view)

# %% [markdown]
# ## 9. 导出 Excel

# %%
monthly_cols = ["staff_id", "unit_id", "period", *[c for c in items.columns if c.startswith("fail_")], "bonus",
                "deduction", "base_score", "score", "grade", "allowance_forfeited", "allowance"]
semester_cols = ["staff_id", "semester", "self_score", "student_score", "college_score", "composite", "score_grade",
                 "grade", "grade_basis", "override_code", "override_reason", "overridden_codes"]
out_path = write_excel({
    "月考核明细": with_names(monthly[monthly_cols]),
    "等次构成_月份": grade_by_month,
    "等次构成_单位": grade_by_unit,
    "加减分影响": impact.rename(columns={"clause": "条款", "text": "原文", "description": "说明"}),
    "学期考核": with_names(semesters[semesters["semester"] >= first_semester][semester_cols]),
    "调离预警": with_names(watch),
    "津贴_月份": allowance_month,
    "津贴_单位": allowance_unit,
    "竞聘排名": ranking,
    "P2P3差异": duty_diff_view,
    "拒聘解聘处理": sanction_view,
    "免任申请": with_names(exempt_view),
    "解释与假设": assumptions_view,
}, Path(out_dir) / "appraisal_distribution.xlsx")
display(Markdown(f"已写入 `{out_path}`"))
