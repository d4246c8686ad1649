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
#   title: "\u9AD8\u7EA7\u5C97\u4F4D\u6838\u5B9A\u4E0E\u5C97\u4F4D\u7ED3\u6784"
# ---

# %% [markdown]
# # 高级岗位核定与岗位结构
#
# 依据《武汉大学教师专业技术岗位聘任试行办法》（武大人字〔2012〕99号）第九至十七条、第二十五条。

# %% tags=["parameters"]
# data_dir 数据文件夹；out_dir 输出文件夹；as_of 政策生效判断日；overrides_file 假设情景文件；
# show_names 是否显示姓名（默认否，仅工号）；unit 单位代码或名称（空 = 全部单位）；
# adjustment 各类学科高级岗位比例浮动（百分点，如 {"B": 0.05}）；full_senior_share 正高占高级岗位比例
# （None = 政策文件中的规划假设）；split_method 岗位等级取整方法（cap_upper 或 largest_remainder）；
# president_override 校长调节的学科高级岗位数（如 {"D00001": 20}）；outlook_years 退休与岗位释放展望的年数。
data_dir = "../data"
out_dir = "."
as_of = "2026-09-01"
overrides_file = ""
show_names = False
unit = ""
adjustment = {"A": 0.0, "B": 0.0, "C": 0.0}
full_senior_share = None
split_method = "cap_upper"
president_override = {}
outlook_years = 5

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from staffcalc import category, committee, eligibility, headline, outlook, policy, quotas, review, schemas
from staffcalc import notebook as nb
from staffcalc.export import write_excel
from staffcalc.io import read_tables
from staffcalc.schemas.institution import POST_ZH

nb.setup_display()
display(nb.page_style())
pol = policy.load_scenario(as_of, overrides_file)
nb.check_choice("split_method", split_method, pol.param("quotas.split_method").allowed)
nb.check_keys("adjustment", adjustment, pol.get("quotas.senior_ratio"))

required = ["disciplines", "staff"]
optional = [k for k in ("applicants", "recommendations", "committee_members", "relatives")
            if any((Path(data_dir) / f"{Path(schemas.get(k).file).stem}{ext}").exists() for ext in (".csv", ".xlsx"))]
tables = read_tables(data_dir, required + optional)
disciplines, staff = tables["disciplines"], tables["staff"]
unit_ids = nb.unit_ids(unit, disciplines, "disciplines / 学科")
names = nb.staff_names(staff, show_names)

table = quotas.quota_table(disciplines, staff, pol, adjustment=adjustment, full_senior_share=full_senior_share,
                           method=split_method, president_override=president_override, unit=unit or None)
table = pd.concat([table, headline.over_levels(table)], axis=1)
totals = quotas.quota_totals(table.drop(columns=["excess_senior"]))
pyramid = quotas.level_summary(table, pol)
share_used = pol.get("quotas.full_senior_share") if full_senior_share is None else full_senior_share

summary = headline.with_change(headline.post_quotas(table), headline.previous(out_dir, "post_quotas"))
headline.save(summary, out_dir, "post_quotas")
display(Markdown(f"## 要点（{unit or '全部单位'}，{as_of}）"))
nb.show_headline(summary)
over_cap = table[table["over_senior_cap"]]
display(Markdown(
    f"超出高级岗位上限（第九条，政策上限）的学科 **{len(over_cap)}** 个，共超出 **{int(over_cap['excess_senior'].sum())}** 人；"
    f"超编（在编在岗人数超过编制数）学科 **{int(table['over_establishment'].sum())}** 个；"
    f"在上限之内但超出正高/副高划分或等级结构比例（规划假设，仅供参考）的学科 {int(table['over_structure'].sum())} 个。"
))

# %% [markdown]
# ## 1. 需要关注的学科
#
# 三种“超出”分别列示、含义不同：**超编** = 在编在岗人数超过学科编制数；**超出高级岗位上限** = 高级岗位在岗人数超过
# 第九条核定的上限（政策）；**超出结构比例** = 高级岗位总数未超，但正高/副高划分（规划假设）或第十一条某一等级比例被超出（较软）。
# 空额为负数即该项超出（红色）。按需要关注的程度排序；完整的各级岗位表见附录和 Excel。

# %%
attention = table.assign(_o=~table["over_senior_cap"], _e=~table["over_establishment"], _s=~table["over_structure"])
attention = attention.sort_values(["_o", "_e", "_s", "vacancy_senior", "unit_id", "discipline_id"]).drop(
    columns=["_o", "_e", "_s"])
compact = ["unit_name", "discipline_name", "category", "establishment", "posts_held", "senior_cap", "occupied_senior",
           "vacancy_senior", "full_cap", "occupied_full", "vacancy_full", "associate_cap", "occupied_associate",
           "vacancy_associate", "over_establishment", "over_senior_cap", "over_structure", "over_items_zh"]
flagged = attention[attention["over_senior_cap"] | attention["over_establishment"]]
display(Markdown(f"**超出高级岗位上限或超编的学科（{len(flagged)} 个，全部列出）**"))
nb.show(flagged[compact])
display(Markdown(f"**其余学科（{len(attention) - len(flagged)} 个；其中超出结构比例的 "
                 f"{int(attention['over_structure'].sum() - flagged['over_structure'].sum())} 个排在前面）**"))
nb.show(attention.loc[~attention.index.isin(flagged.index), compact[:14] + ["over_structure", "over_items_zh"]])
display(Markdown("**学科类别提示**（第九条：填报的类别与按学位授权点确定的类别不一致的学科；核岗按“学科类别”一列）"))
nb.show(category.category_warnings(table))

# %% [markdown]
# ## 2. 单位及全校汇总
#
# 各单位为所属学科之和；空额相加时盈亏相抵，因此另列超出高级岗位上限的人数（各学科超出部分之和）。

# %%
total_view = ["unit_id", "unit_name", "disciplines", "establishment", "senior_cap", "full_cap", "associate_cap",
              "occupied_senior", "vacancy_senior", "excess_senior", "excess_establishment", "president_overrides",
              "occupied_intermediate", "occupied_junior"]
school_row = totals["unit_id"] == "ALL"
totals = totals.assign(unit_id=totals["unit_id"].mask(school_row, ""))  # the school row: 全校合计, no unit code
nb.show(totals[total_view], bold_rows=school_row)

# %% [markdown]
# ## 3. 各学科高级岗位上限与在岗人数
#
# 柱为高级岗位上限，点为高级岗位在岗人数；红点为超出高级岗位上限（第九条）的学科。学科超过 80 个时只画空额最少的 80 个。

# %%
plot = table if len(table) <= 80 else table.nsmallest(80, "vacancy_senior").sort_values(["unit_id", "discipline_id"])
x = np.arange(len(plot))
fig, ax = plt.subplots(figsize=(max(8, 0.24 * len(plot)), 4.8))
ax.bar(x, plot["senior_cap"], color="#C7D7EA", label="高级岗位上限")
over_mask = plot["over_senior_cap"].to_numpy()
ax.scatter(x[~over_mask], plot["occupied_senior"][~over_mask], color="#4C72B0", s=20, zorder=3, label="高级在岗人数")
ax.scatter(x[over_mask], plot["occupied_senior"][over_mask], color="#C44E52", s=28, zorder=4,
           label=headline.OVER_LABELS["over_senior_cap"])
ax.set_xticks(x, plot["discipline_name"], rotation=90, fontsize=7)
ax.set_ylabel("岗位数（人）")
ax.set_title(f"各学科高级岗位上限与在岗人数（{unit or '全部单位'}）")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 4. 岗位等级结构
#
# 条形为在岗人数；黑框为二至七级岗位上限之和（中级、初级由单位自主设置，无上限）。

# %%
fig, ax = plt.subplots(figsize=(8, 5))
y = pyramid["post_level"].to_numpy()
group_colors = {"full": "#8172B2", "associate": "#4C72B0", "intermediate": "#55A868", "junior": "#CCB974"}
ax.barh(y, pyramid["occupied"], color=pyramid["level_group"].map(group_colors), label="在岗人数")
capped = pyramid["level_cap"].notna().to_numpy()
ax.barh(y[capped], pyramid["level_cap"][capped], fill=False, edgecolor="black", linewidth=1.2, label="岗位上限")
ax.set_yticks(y, [f"{lv}级" for lv in y])
ax.invert_yaxis()
ax.set_xlabel("人数")
ax.set_title("专业技术岗位等级结构")
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()
nb.show(pyramid)

# %% [markdown]
# ## 5. 空岗与申报人数（供岗位聘任委员会）
#
# 每个学科的正高、副高空岗数与本年度符合申报条件的人数；教授会推荐人选不超过岗位数的 2 倍（第二十五条（三））。
# 标出：有符合条件者但无空岗、有空岗但无符合条件者、符合条件者超过推荐上限。有标记的学科排在前面。

# %%
if "applicants" in tables:
    result = eligibility.eligibility(tables["applicants"], staff, pol, as_of=as_of,
                                     recommendations=tables.get("recommendations"),
                                     committee_members=tables.get("committee_members"),
                                     relatives=tables.get("relatives"))
    if unit:
        result = result[result["staff_id"].map(staff.set_index("staff_id")["unit_id"]).isin(unit_ids)]
    matching = committee.vacancies_and_applicants(table, result, staff, pol)
    marked = matching[matching["applicants_no_post"] | matching["posts_no_applicant"] | matching["over_shortlist"]]
    matching_view = ["unit_name", "discipline_name", "target_post", "open_posts", "applications", "eligible_applicants",
                     "shortlist_max", "applicants_no_post", "posts_no_applicant", "over_shortlist"]
    display(Markdown(f"**有标记的学科与岗位（{len(marked)} 项，全部列出）**"))
    nb.show(marked[matching_view])
    display(Markdown(f"其余 {len(matching) - len(marked)} 项（空岗与申报相符）见 Excel 工作簿“空岗与申报”。"))
else:
    result = matching = pd.DataFrame()
    display(Markdown("数据文件夹中没有申报人员表，跳过本节与下一节。"))

# %% [markdown]
# ## 6. 本年度申报资格核查
#
# 逐条核查：教师资格与近三年考核（第十二条）、学历（第十三条（一）；“一般应”仅提示）、任职年限（第十三条（二））、
# 外语（第十三条（三））、海外研修（第十三条（四））、学生评教（第十四条（二））、隔年申报（第四条）、
# 增岗破格与专家举荐（第十六、十七条）、转聘（第三十九条）、回避申请（第二十三条）。默认只显示工号。

# %%
if len(result):
    order = list(POST_ZH)
    by_post = (result.groupby("target_post")["eligible"].agg(applications="size", eligible_applicants="sum")
               .reindex([p for p in order if p in set(result["target_post"])]).reset_index())
    by_post["not_eligible"] = by_post["applications"] - by_post["eligible_applicants"]
    nb.show(by_post, labels={"target_post": POST_ZH})
    rule_summary = eligibility.summary(result, pol)
    display(Markdown("**未满足的条件（按人数）**"))
    nb.show(rule_summary.loc[rule_summary["failures"] > 0, ["description_zh", "clause", "failures", "applications",
                                                             "failure_share"]])
    cols = ["application_id", "staff_id", "target_post", "age", "years_in_rank", "eligible", "failed_rules",
            "failed_clauses", "warnings"]
    detail = nb.with_names(result[cols], names)
    detail = detail.assign(_p=detail["target_post"].map({p: i for i, p in enumerate(order)})).sort_values(
        ["_p", "eligible", "application_id"]).drop(columns="_p")
    failed = detail[~detail["eligible"]]
    display(Markdown(f"**未通过资格核查的申报（{len(failed)} 条，按岗位等级从正高到初级）**"))
    nb.show(failed, limit=40)
else:
    rule_summary = detail = pd.DataFrame()

# %% [markdown]
# ## 7. 聘任组织组成核查
#
# 分委员会：院长、党委书记和 9–11 名教授，兼任单位行政职务者不超过总人数 40%（第二十一条）；学科评议组 11–15 名
# 正高级专家（第二十条）；学校聘任委员会：全体校领导和 5–7 名专家（第十九条）。不合规的排在前面。

# %%
if "committee_members" in tables:
    committees = review.committee_composition(tables["committee_members"], pol)
    if unit:
        committees = committees[committees["unit_id"].isna() | committees["unit_id"].isin(unit_ids)]
    committees = committees.sort_values(["composition_ok", "committee_id"]).reset_index(drop=True)
    nb.show(committees)
else:
    committees = pd.DataFrame()
    display(Markdown("数据文件夹中没有聘任组织成员表，跳过。"))

# %% [markdown]
# ## 8. 未来几年的退休与岗位释放
#
# 按全国人大常委会《关于实施渐进式延迟法定退休年龄的决定》（2025 年 1 月 1 日起施行）逐人计算法定退休月份：男职工原
# 60 周岁、女职工原 55 周岁，每 4 个月延迟 1 个月，逐步延迟至 63、58 周岁。自测算基准日所在月起每 12 个月为一期；释放岗位
# 为该期退休且占用岗位（在编）的人数；期末预计空额 = 现行高级岗位上限 − 期末在岗人数，假设期间无晋升、招聘或其他离岗。

# %%
view_outlook = outlook.outlook(disciplines, staff, pol, years=outlook_years, adjustment=adjustment,
                               full_senior_share=full_senior_share, method=split_method,
                               president_override=president_override, unit=unit or None)
by_group = view_outlook.levels.pivot_table(index="outlook_period", columns="level_group", values="posts_released",
                                           aggfunc="sum", sort=False).reindex(columns=list(POST_ZH), fill_value=0)
by_group = by_group.loc[:, by_group.sum() > 0]
fig, ax = plt.subplots(figsize=(8, 4.2))
bottom = np.zeros(len(by_group))
for g in by_group.columns:
    ax.bar(by_group.index, by_group[g], bottom=bottom, color=group_colors[g], label=POST_ZH[g])
    bottom += by_group[g].to_numpy()
ax.set_ylabel("释放岗位数（人）")
ax.margins(y=0.15)
ax.set_title(f"未来 {outlook_years} 年退休释放的岗位（按岗位等级，{unit or '全部单位'}）")
ax.legend()
fig.tight_layout()
plt.show()
released = view_outlook.levels.pivot_table(index="post_level", columns="outlook_period", values="posts_released",
                                           aggfunc="sum", sort=False)
display(Markdown("**各等级释放岗位数**（按期间）"))
nb.show(released[released.sum(axis=1) > 0].rename(index=lambda lv: f"{lv}级").reset_index())
display(Markdown("**全校高级岗位展望**（现行上限不变）"))
nb.show(view_outlook.school[["outlook_period", "senior_cap", "released_senior", "projected_occupied_senior",
                             "projected_vacancy_senior", "projected_disciplines_over_cap"]], negative=["projected_vacancy_senior"])

# %% [markdown]
# ## 9. 本次测算条件

# %%
run_conditions = nb.conditions(
    as_of, overrides_file, unit, show_names,
    **{"正高占高级岗位比例（规划假设）": f"{share_used:.0%}" + ("（政策文件取值）" if full_senior_share is None else "（本次设定）"),
       "高级岗位比例浮动（百分点）": "；".join(f"{k} 类 {v * 100:+g}" for k, v in adjustment.items()),
       "岗位等级取整方法": {"cap_upper": "上限取整", "largest_remainder": "最大余数法"}.get(split_method, split_method),
       "校长调节的学科": "；".join(f"{k}: {v}" for k, v in president_override.items()) or "无",
       "退休与岗位释放展望年数": str(outlook_years)})
nb.show(run_conditions)

# %% [markdown]
# ## 10. 本报告采用的解释与规划假设
#
# 政策文件未明确之处所采用的解读（可切换）及规划假设（非政策规定）；末列为参数名，供技术人员核对。

# %%
interpretations = nb.interpretations(pol, ("quotas", "eligibility", "review", "retirement"))
nb.show(interpretations)

# %% [markdown]
# ## 附录：各学科各级岗位上限、在岗与空额（第十一条）

# %%
levels = ["discipline_name"] + [f"cap_L{lv}" for lv in range(2, 8)] + [f"occupied_L{lv}" for lv in range(1, 8)] \
    + [f"vacancy_L{lv}" for lv in range(2, 8)]
nb.show(table[levels])

# %%
sheets = {"学科岗位核定": attention.drop(columns=["over_quota_items"]), "单位及全校汇总": totals,
          "岗位等级结构": pyramid, "岗位展望": view_outlook.senior, "退休释放岗位（按等级）": view_outlook.levels}
if len(result):
    sheets.update({"空岗与申报": matching, "申报资格核查": detail, "未满足条件统计": rule_summary.drop(columns=["rule_id"])})
if len(committees):
    sheets["聘任组织组成核查"] = committees
sheets.update({"本次测算条件": run_conditions, "解释与假设": interpretations})
write_excel(sheets, Path(out_dir) / "post_quotas.xlsx", headline=summary, as_of=as_of, title="高级岗位核定与岗位结构",
            totals=["岗位等级结构"])
display(Markdown("Excel 工作簿（全部明细）与 PDF 与本报告同名，在同一文件夹。"))
