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
# # 高级岗位核定与岗位结构（P6）
#
# 依据《武汉大学教师专业技术岗位聘任试行办法》（武大人字〔2012〕99号）：
#
# * **高级岗位上限**（第九条）：A 类学科 65%、B 类 50%、C 类 45% × 学科教师编制数，向下取整（上限不得突破）；
#   学校可上下浮动不超过 10%（默认按百分点理解），校长具有一定的岗位调节权（逐学科明示，表中注明）；
#   中级及以下岗位由各单位自主设置，只统计在岗人数。
# * **正高/副高划分**：办法未规定，为**规划假设**（`full_senior_share`，正高取整向下，余数为副高）。
# * **岗位结构比例**（第十一条）：二、三、四级 2∶3∶5；五、六、七级 2∶4∶4；八、九、十级 3∶4∶3；十一、十二级 5∶5（一级岗位不在比例内）。
# * **申报资格**（第十二至十七条、第二十三、三十九条）：本年度申报人员逐条核查。
#
# 参数：`data_dir` 数据文件夹；`out_dir` Excel 输出文件夹；`as_of` 政策生效判断日；`overrides_file` 假设情景文件；
# `show_names` 是否显示姓名（默认否，仅显示工号）；`unit` 单位代码或名称（空 = 全部单位）；
# `adjustment` 各类学科高级岗位比例浮动（百分点，如 `{"B": 0.05}`）；`full_senior_share` 正高占高级岗位比例
# （None = 政策文件中的规划假设）；`split_method` 岗位等级取整方法（`cap_upper` 或 `largest_remainder`）；
# `president_override` 校长调节的学科高级岗位数（如 `{"D00001": 20}`）。
#

# %% tags=["parameters"]
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

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from staffcalc import eligibility, policy, quotas, review, schemas
from staffcalc import notebook as nb
from staffcalc.export import write_excel
from staffcalc.io import read_tables
from staffcalc.schemas.institution import POST_ZH

nb.setup_display()
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
totals = quotas.quota_totals(table)
pyramid = quotas.level_summary(table, pol)
share_used = pol.get("quotas.full_senior_share") if full_senior_share is None else full_senior_share
display(Markdown(
    f"**政策版本**：{pol.versions.get('P6', '')}；单位：**{unit or '全部单位'}**；学科 {len(table)} 个；"
    f"取整方法 **{split_method}**；正高占高级岗位比例 **{share_used:g}**"
    f"（{'规划假设，取自政策文件' if full_senior_share is None else '本次参数（规划假设）'}）；"
    f"比例浮动 {', '.join(f'{k}: {v:+g}' for k, v in adjustment.items())}（{pol.get('quotas.adjustment_mode')}）。"
))

# %% [markdown]
# ## 1. 学科岗位核定表
#
# 高级岗位上限 = ⌊编制数 ×（类别比例 + 浮动）⌋（精确有理数运算）；空额 = 上限 − 在岗人数，**负数即超岗**，不作隐藏。
# `上限来源` 为 policy（按比例核定）或 president_override（校长调节，第九条）。一级岗位计入正高在岗人数，二至四级按剩余正高岗位分配（解释性参数 `quotas.level_1_in_senior_cap`）。

# %%
view = ["unit_name", "discipline_id", "discipline_name", "category", "establishment", "ratio_used", "senior_cap",
        "cap_source", "full_cap", "associate_cap", "occupied_full", "occupied_associate", "occupied_senior",
        "vacancy_full", "vacancy_associate", "vacancy_senior", "occupied_intermediate", "occupied_junior",
        "over_quota", "over_quota_items"]
display(schemas.to_chinese(table[view]))
levels = ["discipline_id"] + [f"cap_L{lv}" for lv in range(2, 8)] + [f"occupied_L{lv}" for lv in range(1, 8)] \
    + [f"vacancy_L{lv}" for lv in range(2, 8)]
display(Markdown("**正高、副高各级岗位上限、在岗与空额**（第十一条结构比例）"))
display(schemas.to_chinese(table[levels]))
over = table[table["over_quota"]]
display(Markdown(f"**超岗学科 {len(over)} 个**（任一上限被突破：高级、正高、副高或某一级）。"))

# %% [markdown]
# ## 2. 单位及全校汇总
#
# 各单位为所属学科之和；空额相加时盈亏相抵，因此另列超岗学科数与高级超岗人数（各学科超出部分之和）。

# %%
total_view = ["unit_id", "unit_name", "disciplines", "establishment", "senior_cap", "full_cap", "associate_cap",
              "occupied_senior", "vacancy_senior", "excess_senior", "disciplines_over_quota", "president_overrides",
              "occupied_intermediate", "occupied_junior"]
display(schemas.to_chinese(totals[total_view]))

# %% [markdown]
# ## 3. 各学科高级岗位上限与在岗人数
#
# 柱为高级岗位上限，点为在岗人数；红点为超岗学科。学科超过 80 个时只画超岗最多的 80 个。

# %%
plot = table if len(table) <= 80 else table.nsmallest(80, "vacancy_senior").sort_values(["unit_id", "discipline_id"])
x = np.arange(len(plot))
fig, ax = plt.subplots(figsize=(max(8, 0.24 * len(plot)), 4.8))
ax.bar(x, plot["senior_cap"], color="#C7D7EA", label="高级岗位上限")
over_mask = (plot["vacancy_senior"] < 0).to_numpy()
ax.scatter(x[~over_mask], plot["occupied_senior"][~over_mask], color="#4C72B0", s=20, zorder=3, label="高级在岗人数")
ax.scatter(x[over_mask], plot["occupied_senior"][over_mask], color="#C44E52", s=28, zorder=4, label="超岗学科在岗人数")
ax.set_xticks(x, plot["discipline_name"], rotation=90, fontsize=7)
ax.set_ylabel("岗位数（人）")
ax.set_title(f"各学科高级岗位上限与在岗人数（{unit or '全部单位'}）")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 4. 岗位等级结构（金字塔）
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
display(schemas.to_chinese(pyramid.assign(level_group=pyramid["level_group"].map(POST_ZH))))

# %% [markdown]
# ## 5. 本年度申报资格核查
#
# 逐条核查：教师资格与近三年考核（第十二条）、学历（第十三条（一），1957/1965/1980 年出生界限；“一般应”仅提示）、
# 任职年限（第十三条（二），满 N 年按日期计算）、外语（第十三条（三）及免试情形）、海外研修（第十三条（四））、
# 学生评教前 60%（第十四条（二））、隔年申报（第四条）、增岗破格 35 岁以下及专家举荐（第十六、十七条）、
# 转聘两年（第三十九条）、回避申请不超过 3 名（第二十三条）。默认只显示工号。

# %%
if "applicants" in tables:
    apps = tables["applicants"]
    result = eligibility.eligibility(apps, staff, pol, as_of=as_of, recommendations=tables.get("recommendations"),
                                     committee_members=tables.get("committee_members"),
                                     relatives=tables.get("relatives"))
    if unit:
        result = result[result["staff_id"].map(staff.set_index("staff_id")["unit_id"]).isin(unit_ids)]
    by_post = (result.assign(target_post=result["target_post"].map(POST_ZH))
               .groupby("target_post")["eligible"].agg(申报人数="size", 符合条件人数="sum"))
    by_post["不符合人数"] = by_post["申报人数"] - by_post["符合条件人数"]
    display(by_post.rename_axis("申报岗位"))
    rule_summary = eligibility.summary(result, pol)
    display(Markdown("**最常见的未满足条件**"))
    display(schemas.to_chinese(rule_summary[rule_summary["failures"] > 0]))
    warn_counts = result["warnings"].str.split("; ").explode()
    warn_counts = warn_counts[warn_counts.notna() & (warn_counts != "")].value_counts().rename_axis("提示").rename("人数")
    display(Markdown("**提示（不影响资格）**"))
    display(warn_counts.to_frame())
    cols = ["application_id", "staff_id", "target_post", "age", "years_in_rank", "eligible", "failed_rules",
            "failed_clauses", "warnings"]
    detail = nb.with_names(result[cols].assign(target_post=result["target_post"].map(POST_ZH)), names)
    display(Markdown("**未通过资格核查的申报（前 30 条）**"))
    display(schemas.to_chinese(detail[~detail["eligible"]].head(30)))
else:
    result = rule_summary = detail = pd.DataFrame()
    display(Markdown("数据文件夹中没有申报人员表（applicants），跳过资格核查。"))

# %% [markdown]
# ## 6. 聘任组织组成核查
#
# 分委员会：院长、党委书记和 9–11 名教授，兼任单位行政职务者不超过总人数 40%（第二十一条）；学科评议组 11–15 名正高级专家（第二十条）；
# 学校聘任委员会：全体校领导和 5–7 名专家（第十九条）。

# %%
if "committee_members" in tables:
    committees = review.committee_composition(tables["committee_members"], pol)
    if unit:
        committees = committees[committees["unit_id"].isna() | committees["unit_id"].isin(unit_ids)]
    display(schemas.to_chinese(committees))
else:
    committees = pd.DataFrame()
    display(Markdown("数据文件夹中没有聘任组织成员表（committee_members），跳过。"))

# %% [markdown]
# ## 7. 本报告采用的解释与规划假设
#
# 以下参数为规范选定的解读（可切换）或规划假设（非政策规定），以及本次运行覆盖的参数。

# %%
interpretations = nb.interpretations(pol, ("quotas", "eligibility", "review"))
display(interpretations)
run_parameters = pd.DataFrame([
    ("unit", unit or "全部单位"), ("adjustment", str(adjustment)),
    ("full_senior_share", f"{share_used:g}" + ("（政策文件规划假设）" if full_senior_share is None else "（本次参数）")),
    ("split_method", split_method), ("president_override", str(president_override)),
    ("overrides_file", overrides_file or "无"), ("as_of", as_of),
], columns=["参数", "取值"])
display(run_parameters)
references = pol.references("quotas")[["path", "value", "unit", "document", "clause", "text"]].rename(columns={
    "path": "参数", "value": "取值", "unit": "单位", "document": "文件", "clause": "条款", "text": "原文"})
references["取值"] = references["取值"].astype(str)

# %%
sheets = {"学科岗位核定": table, "单位及全校汇总": totals, "岗位等级结构": pyramid}
if len(result):
    sheets.update({"申报资格核查": detail, "未满足条件统计": rule_summary})
if len(committees):
    sheets["聘任组织组成核查"] = committees
sheets.update({"解释与假设": interpretations, "本次参数": run_parameters, "岗位核定政策依据": references})
out_path = write_excel(sheets, Path(out_dir) / "post_quotas.xlsx")
display(Markdown(f"已写入 `{out_path}`"))
