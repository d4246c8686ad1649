# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     notebook_metadata_filter: kernelspec,title,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
#   title: "\u73ED\u4E3B\u4EFB\u8003\u6838\u3001\u7ADE\u8058\u4E0E\u4EFB\u804C"
# ---

# %% [markdown]
# # 班主任考核、竞聘与任职
#
# 依据山西大同大学美术学院班主任考核办法（月考核、学期考核、调离）、中华路小学班主任教师聘任办法（竞聘排名）
# 与两份班主任任职规定（免任、绩效加分、拒聘与中途解聘的处理）。

# %% tags=["parameters"]
# data_dir 数据文件夹；out_dir 输出文件夹；as_of 政策生效日期；overrides_file 假设情景文件；show_names 是否显示姓名；
# unit 单位代码（空 = 全部单位）；period_start/period_end 考核月份范围（YYYY-MM）；duty_variant 任职规定版本（P2 或 P3）；
# openings 竞聘聘任名额。
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

from staffcalc import headline, policy, scoring
from staffcalc import notebook as nb
from staffcalc.export import write_excel
from staffcalc.io import read_tables

nb.setup_display()
display(nb.page_style())
nb.check_month_range("period_start", period_start, "period_end", period_end)
nb.check_choice("duty_variant", duty_variant, ["P2", "P3"])
pol = policy.load_scenario(as_of, overrides_file, variant={"duty": duty_variant})

tables = read_tables(data_dir, ["class_teachers", "appraisal_items", "appraisal_events", "semester_ratings",
                                "recruitment_candidates", "duty_history", "duty_exemptions"])
roster = tables["class_teachers"]
teachers = nb.in_unit(roster, nb.unit_ids(unit, roster, "class teachers / 班主任"))
ids = set(teachers["staff_id"])
unit_names = nb.unit_names(data_dir)


def in_scope(df):
    keep = df["staff_id"].isin(ids)
    if "period" in df.columns:
        keep &= (df["period"] >= period_start) & (df["period"] <= period_end)
    return df[keep].reset_index(drop=True)


items = in_scope(tables["appraisal_items"])
events = scoring.with_late_material_events(items, in_scope(tables["appraisal_events"]), pol)  # 迟交材料（第四条（五）11）
if items.empty:
    raise nb.ParameterError(f"no appraisal rows for unit {unit or 'all'} in {period_start}…{period_end} "
                            f"/ 所选范围内无考核记录")
names = nb.staff_names(read_tables(data_dir, ["staff"])["staff"], show_names) if show_names else None


def with_names(df):
    return nb.with_names(df, names)


monthly = scoring.monthly_appraisal(items, events, pol)
monthly = monthly.merge(teachers[["staff_id", "unit_id"]], on="staff_id", how="left")
grade_order = list(scoring.grade_bands(pol))
last_semester = scoring.semester_of_period(pd.Series([period_end])).iloc[0]
first_semester = scoring.semester_of_period(pd.Series([period_start])).iloc[0]
ratings = tables["semester_ratings"]
ratings = ratings[ratings["staff_id"].isin(ids) & (ratings["semester"] <= last_semester)].reset_index(drop=True)
semesters = scoring.semester_grades(ratings, pol)
removal = scoring.removal_status(semesters[["staff_id", "semester", "grade"]], pol)

summary = headline.with_change(headline.appraisal(monthly, removal, grade_order),
                               headline.previous(out_dir, "appraisal_distribution"))
headline.save(summary, out_dir, "appraisal_distribution")
display(Markdown(f"## 要点（{unit_names.get(unit, unit) or '全部单位'}，{period_start} 至 {period_end}）"))
nb.show_headline(summary)

# %% [markdown]
# ## 1. 各单位班主任人数与等次构成
#
# 各单位“优秀”人月占比与全校占比相比（百分点）；“不合格”人月数多的单位排在前面。

# %%
by_unit = pd.crosstab(monthly["unit_id"], monthly["grade"].astype(str)).reindex(columns=grade_order, fill_value=0)
excellent, failing = grade_order[0], grade_order[-1]
school_share = float((monthly["grade"].astype(str) == excellent).mean())
unit_table = pd.DataFrame({
    "unit_id": by_unit.index, "unit_name": by_unit.index.map(lambda u: unit_names.get(u, "")),
    "teachers": monthly.groupby("unit_id")["staff_id"].nunique().reindex(by_unit.index).to_numpy(),
    "teacher_months": by_unit.sum(axis=1).to_numpy(),
})
for g in grade_order:
    unit_table[f"share_{g}"] = (by_unit[g] / by_unit.sum(axis=1)).to_numpy()
unit_table["fail_months"] = by_unit[failing].to_numpy()
unit_table["excellent_vs_school"] = (unit_table[f"share_{excellent}"] - school_share) * 100
unit_table = unit_table.sort_values(["fail_months", "unit_id"], ascending=[False, True]).reset_index(drop=True)
unit_labels = {"teacher_months": "月考核人月数", **{f"share_{g}": f"{g}占比" for g in grade_order}}
nb.show(unit_table.rename(columns=unit_labels), share=[f"{g}占比" for g in grade_order], negative=["excellent_vs_school"])
display(Markdown(f"全校“{excellent}”人月占比 **{school_share:.1%}**。"))

fig, ax = plt.subplots(figsize=(10, 4))
shares = by_unit.div(by_unit.sum(axis=1), axis=0)
shares.index = [unit_names.get(u, u) for u in shares.index]
shares.plot(kind="bar", stacked=True, ax=ax, colormap="RdYlGn_r")
ax.axhline(school_share, color="black", linestyle="--", linewidth=1, label=f"全校{excellent}占比")
ax.set_title("各单位月考核等次构成")
ax.set_xlabel("")
ax.set_ylabel("占比")
ax.legend(title="等次", fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 2. 不合格的月考核（全部列出）

# %%
monthly_cols = ["staff_id", "unit_id", "period", *[c for c in items.columns if c.startswith("fail_")], "bonus",
                "deduction", "base_score", "score", "grade", "allowance_forfeited", "allowance"]
failed_months = monthly[monthly["grade"].astype(str) == failing].sort_values(["unit_id", "staff_id", "period"])
display(Markdown(f"共 **{len(failed_months)}** 个人月，涉及 {failed_months['staff_id'].nunique()} 名班主任。"))
nb.show(with_names(failed_months[["staff_id", "unit_id", "period", "base_score", "bonus", "deduction", "score",
                                  "grade", "allowance_forfeited"]]))

# %% [markdown]
# ## 3. 学期考核、预警与调离（第五至八条）
#
# 学期综合得分 = 自评 × 20% + 学生测评 × 30% + 学院测评 × 50%；直接定等情形优先于得分，两类情形同时出现时按不合格处理（解释性规定）。
# 连续两个学期不合格的调离班主任岗位；调离判断使用截至所选截止月份的全部学期记录。

# %%
in_range = semesters[semesters["semester"] >= first_semester]
watch = removal[removal["removal_status"] != "ok"].sort_values(["removal_status", "staff_id"], ascending=[False, True])
display(Markdown(f"**应调离班主任岗位 {int((removal['removal_status'] == 'remove').sum())} 人；"
                 f"预警（最近一学期不合格）{int((removal['removal_status'] == 'at_risk').sum())} 人（全部列出）**"))
nb.show(with_names(watch))
sem_shares = pd.crosstab(in_range["semester"], in_range["grade"].astype(str)).reindex(columns=grade_order, fill_value=0)
display(Markdown(f"**各学期等次人数**（{first_semester} 至 {last_semester}）"))
nb.show(sem_shares.rename_axis("semester").reset_index())
overrides = in_range[in_range["grade_basis"] == "override"][
    ["staff_id", "semester", "composite", "score_grade", "grade", "override_code", "override_reason"]]
display(Markdown(f"**直接定等（第六、七条）{len(overrides)} 人次**"))
nb.show(with_names(overrides), limit=30)

# %% [markdown]
# ## 4. 月考核得分分布与加减分项目（第三、四条）
#
# 竖线为等次下限（半开区间：下限计入本等次）。

# %%
bands = {g: b for g, b in scoring.grade_bands(pol).items() if np.isfinite(b)}
fig, ax = plt.subplots(figsize=(9, 3.6))
lo, hi = np.floor(monthly["score"].min()), np.ceil(monthly["score"].max())
ax.hist(monthly["score"], bins=np.arange(lo, hi + 2) - 0.5, color="#4C72B0")
for (g, b), color in zip(bands.items(), ["#2CA02C", "#FF7F0E", "#C44E52", "#7F7F7F"]):
    ax.axvline(b, color=color, linestyle="--", label=f"{g}下限 {b:g}")
ax.legend(loc="upper left", fontsize=9)
ax.set_title("班主任月考核得分分布")
ax.set_xlabel("月考核得分（基础分 + 加分 − 减分，不设上下限）")
ax.set_ylabel("人月数")
plt.show()
impact = scoring.event_impact(events, pol) if len(events) else pd.DataFrame(
    columns=["code", "code_kind", "occurrences", "teachers_affected", "points_total", "clause", "description", "text"])
display(Markdown("**对得分影响最大的加减分项目**"))
nb.show(impact[["code_kind", "clause", "text", "occurrences", "teachers_affected", "points_total"]].rename(
    columns={"text": "项目（原文）"}), limit=12)
display(Markdown("**考核时间**（第四条（五）11、第五条）"))
nb.show(scoring.monthly_timeline(sorted(monthly["period"].unique()), pol))

# %% [markdown]
# ## 5. 班主任津贴（第二条、第四条（五）3）
#
# 各等次津贴金额为**规划假设**（考核办法未规定）；当月有校级处分或该作为而不作为的，扣除当月津贴。

# %%
allowance_month = scoring.allowance_totals(monthly, by=["period"])
allowance_unit = scoring.allowance_totals(monthly, by=["unit_id"])
allowance_unit.insert(1, "unit_name", allowance_unit["unit_id"].map(lambda u: unit_names.get(u, "")))
amounts = pol.get("appraisal.allowance.monthly")
display(Markdown("津贴假设（元/月）：" + "，".join(f"{g} ¥{v:,.2f}" for g, v in amounts.items())))
nb.show(allowance_unit, money=["allowance"])

# %% [markdown]
# ## 6. 班主任竞聘排名（中华路小学聘任办法）
#
# 一票否决与不符合聘任条件者不参与排名与折算；同分者名次相同，按现场答辩得分排序。该办法为另一学校的竞聘办法，不按单位与月份筛选。

# %%
candidates = tables["recruitment_candidates"]
eligible = scoring.recruitment_eligibility(candidates, policy=pol)
ranked = scoring.appoint(scoring.recruitment_scores(eligible, pol), openings, pol)
ranking_cols = ["candidate_id", "round", "age_on_recruitment", *scoring.recruitment.COMPONENTS, "total", "rank",
                "appointed", "waiting_list", "tie_unresolved", "tie_at_line", "excluded_reason", "ineligible_reason"]
if show_names:
    ranking_cols.insert(1, "name")
ranking = ranked.sort_values(["rank_order", "candidate_id"], na_position="last")[ranking_cols].reset_index(drop=True)
shown = ranking[ranking["total"].notna()]
fig, ax = plt.subplots(figsize=(10, 3.6))
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
                 f"未参与排名 {int(ranking['total'].isna().sum())} 人（全部列出）。"
                 + ("**聘任线上存在无法区分的同分，须由聘任领导小组决定。**" if ranking["tie_at_line"].any() else "")))
nb.show(ranking)

# %% [markdown]
# ## 7. 任职规定：两个版本的差异、免任申请与处理

# %%
other = "P3" if duty_variant == "P2" else "P2"
p2 = policy.load(as_of, variant="P2")
p3 = policy.load(as_of, variant="P3")
duty_diff = policy.diff(p2, p3, "duty")
duty_diff_view = pd.DataFrame({"差异": duty_diff["differences_zh"],
                               "P2 条款": duty_diff["clause_a"], "P2 原文": duty_diff["text_a"],
                               "P3 条款": duty_diff["clause_b"], "P3 原文": duty_diff["text_b"],
                               "P2 解读": duty_diff["interpretation_a"], "P3 解读": duty_diff["interpretation_b"],
                               nb.PATH_COLUMN: duty_diff["path"]})
display(Markdown("差异一栏标出两个版本在取值、条款、原文或解读上的不同。"))
nb.show(duty_diff_view)

history = tables["duty_history"]
history = history[history["staff_id"].isin(ids) | (history["duty_event"] != "served")].reset_index(drop=True)
sanction_table = scoring.sanctions_by_variant(history, {"P2": p2, "P3": p3})
display(Markdown(f"**拒聘与中途解聘的处理（同一记录在两个版本下的结果；本报告采用 {duty_variant}，全部列出）**"))
sanction_view = nb.variant_columns(sanction_table, ("P2", "P3"))
nb.show(sanction_view)
current_year = int(pd.Timestamp(as_of).year if pd.Timestamp(as_of).month >= 9 else pd.Timestamp(as_of).year - 1)
barred_now = scoring.barred(history, current_year, pol)
display(Markdown(f"{current_year} 学年（{duty_variant}）：取消评优评聘资格 {int(barred_now['awards_barred'].sum())} 人，"
                 f"暂不能申请担任班主任 {int((~barred_now['may_apply_for_duty']).sum())} 人。"))

exempt = scoring.exemptions(tables["duty_exemptions"], pol)
exempt_other = scoring.exemptions(tables["duty_exemptions"], p3 if duty_variant == "P2" else p2)
exempt["may_be_exempted_other"] = exempt_other["may_be_exempted"].to_numpy()
exempt_view = exempt[["staff_id", "academic_year", "exemption_reason", "request_date", "request_on_time", "condition_met",
                      "may_be_exempted", "may_be_exempted_other", "exemption_note"]].rename(
    columns={"may_be_exempted_other": f"另一版本（{other}）可不承担"})
display(Markdown(f"**免任申请（{len(exempt_view)} 件，全部列出）**"))
nb.show(with_names(exempt_view))

served = scoring.duty_points(history[history["duty_event"] == "served"].reset_index(drop=True), pol)
points_summary = served.groupby("academic_year").agg(
    served=("staff_id", "count"), points_total=("performance_points", "sum")).reset_index()
points_summary.columns = ["学年", "任班主任人数", "绩效加分合计"]
nb.show(points_summary)

# %% [markdown]
# ## 8. 本次测算条件

# %%
run_conditions = nb.conditions(as_of, overrides_file, unit_names.get(unit, unit), show_names,
                               **{"考核月份": f"{period_start} 至 {period_end}", "任职规定版本": duty_variant,
                                  "竞聘聘任名额": str(openings)})
nb.show(run_conditions)

# %% [markdown]
# ## 9. 本报告采用的解释与规划假设
#
# 政策文件未明确之处所采用的解读（可切换）及规划假设（非政策规定）；末列为参数名，供技术人员核对。

# %%
assumptions_view = nb.interpretations(pol, ("appraisal", "recruitment", "duty"))
nb.show(assumptions_view)

# %%
semester_cols = ["staff_id", "semester", "self_score", "student_score", "college_score", "composite", "score_grade",
                 "grade", "grade_basis", "override_code", "override_reason"]
write_excel({
    "各单位等次": unit_table.rename(columns=unit_labels),
    "不合格月考核": with_names(failed_months[monthly_cols]),
    "月考核明细": with_names(monthly[monthly_cols]),
    "加减分影响": impact.rename(columns={"clause": "条款", "text": "原文", "description": "说明"}).drop(
        columns=["code", "description"], errors="ignore"),
    "学期考核": with_names(in_range[semester_cols]),
    "调离预警": with_names(watch),
    "津贴_月份": allowance_month,
    "津贴_单位": allowance_unit,
    "竞聘排名": ranking,
    "P2P3差异": duty_diff_view,
    "拒聘解聘处理": sanction_view,
    "免任申请": with_names(exempt_view),
    "本次测算条件": run_conditions,
    "解释与假设": assumptions_view,
}, Path(out_dir) / "appraisal_distribution.xlsx", headline=summary, as_of=as_of, title="班主任考核、竞聘与任职",
    totals=["津贴_月份", "津贴_单位"], share=[f"{g}占比" for g in grade_order])
display(Markdown("Excel 工作簿（全部明细）与 PDF 与本报告同名，在同一文件夹。"))
