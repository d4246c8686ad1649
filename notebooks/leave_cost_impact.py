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
# # 攻读学位及进修离岗成本测算（P1）
#
# 依据《阿拉善职业技术学院在职人员攻读学位及进修学习管理办法》（征求意见稿，2023年5月17日）逐月测算：
#
# * **工资待遇**（第七条）：全脱产期间不发放奖励性绩效、基础绩效奖、校内绩效工资和学院相关福利待遇，所扣款项全部用于外聘教师劳务费；
#   非脱产完成 ≥70% 工作量且考核合格的，享受与在岗教职工相同的工资待遇；进修期间工资和福利待遇不变（第十五条）；
# * **恢复工资**（第十条第11项）：全脱产每年返岗工作 6 个月以上（含 6 个月）且完成 ≥50% 工作量的，恢复在岗期间的全额工资及绩效工资；
# * **未签培养协议**（第十条第5项）、**延期上限**（第十条第4项）、**中断学习退还基本工资**（第十条第8项）、**服务期不少于8年**（第十一条）；
# * **代课成本**：未完成的规定课时 × 外聘教师课时费（规划假设），资金缺口 = 代课费用 − 扣发金额（为正表示扣发款不足以支付代课）。
#
# 参数：`data_dir` 数据文件夹；`out_dir` Excel 输出文件夹；`as_of` 统计日（服务期、违约敞口按此日计算，政策按此日生效）；
# `overrides_file` 假设情景文件；`show_names` 是否显示姓名（默认否，仅显示工号）；`unit` 单位代码（空 = 全部单位）；
# `horizon_start`/`horizon_end` 测算起止月份（YYYY-MM，含首尾）；`hourly_rate` 外聘教师课时费（元/课时，None = 政策文件中的规划假设）；
# `early_return_share` 提前返岗人员比例（0–1，按工号稳定散列排序取前若干人，提前月数为规划假设）。
#

# %% tags=["parameters"]
data_dir = "../data"
out_dir = "."
as_of = "2026-09-01"
overrides_file = ""
show_names = False
unit = ""
horizon_start = "2026-09"
horizon_end = "2028-08"
hourly_rate = None
early_return_share = 0.0

# %%
# %matplotlib inline
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from staffcalc import leave_cost, pay, policy
from staffcalc import notebook as nb
from staffcalc.export import write_excel
from staffcalc.io import read_tables
from staffcalc.schemas.study_leave import DEGREE_LABELS, MODE_LABELS, STATUS_LABELS

nb.setup_display()
pd.set_option("display.float_format", "{:,.2f}".format)  # yuan to the fen, for display only
nb.check_month("horizon_start", horizon_start)
nb.check_month("horizon_end", horizon_end)

pol = policy.load_scenario(as_of, overrides_file)
display(Markdown("**政策版本**：" + pol.versions.get("P1", "")))

tables = read_tables(data_dir, ["staff", "study_leave"])
staff, register = tables["staff"], tables["study_leave"]
unknown = sorted(set(register["staff_id"]) - set(staff["staff_id"]))
if unknown:
    raise ValueError(f"study_leave: staff_id not in the staff roster: {unknown[:10]} / 工号不在教职工花名册中")
records = register.merge(staff[["staff_id", "unit_id"]], on="staff_id", how="left", validate="many_to_one")
records = nb.in_unit(records, nb.unit_ids(unit, records, "study-leave records / 攻读学位或进修记录"))

proj = leave_cost.project(records, horizon_start, horizon_end, policy=pol, hourly_rate=hourly_rate,
                          early_return_share=early_return_share, as_of=as_of)
names = nb.staff_names(staff, show_names)
labels = {"mode": MODE_LABELS, "degree_sought": DEGREE_LABELS, "study_status": STATUS_LABELS}


def readable(df, digits=None):
    return nb.readable(nb.with_names(df, names), labels, digits)


assumed = proj.assumptions.set_index("parameter")["value"]
display(Markdown(
    f"单位：**{unit or '全部'}**；测算期：**{horizon_start} 至 {horizon_end}**；统计日：**{as_of}**；"
    f"登记 {len(records)} 人次，其中测算期内离岗 {int((proj.people['months_in_horizon'] > 0).sum())} 人次。  \n"
    f"外聘课时费 **{assumed['hourly_rate']:g} 元/课时**（{'规划假设' if hourly_rate is None else '本次参数'}）；"
    f"规定课时 **{assumed['prescribed_hours']:g} 课时/年**（规划假设）；提前返岗比例 **{early_return_share:g}**，"
    f"提前 **{assumed['early_return_months']} 个月**（规划假设），实际提前返岗 {int(proj.people['early_return'].sum())} 人次。"
))

# %% [markdown]
# ## 1. 按单位和学年：离岗人数、发放与扣发、代课费用、资金缺口
#
# 学年自 9 月起算（规划假设，可改为自然年）。`离岗折合全时人数` 为各月（1 − 完成工作量比例）之和的月平均；
# 金额单位为元。全校合计按每人起止月份另行汇总，与各单位之和一致（测试核对）。

# %%
view_cols = ["unit_id", "academic_year", "months", "fte_away", "person_months_away", "paid", "withheld",
             "uncovered_hours", "cover_cost", "gap", "refunds", "reimbursements"]
display(readable(proj.by_unit_year[view_cols], 2))
display(Markdown("**全部单位合计（按学年）**"))
display(readable(proj.totals[view_cols[1:]], 2))

# %% [markdown]
# ## 2. 每月资金缺口
#
# 柱：资金缺口（代课费用 − 扣发金额），红色为正（扣发款不足以支付代课），绿色为负（扣发款有结余）；线：扣发金额（外聘教师经费来源）与代课费用。

# %%
m = proj.monthly_totals
fig, ax = plt.subplots(figsize=(10, 4.2))
x = range(len(m))
ax.bar(x, m["gap"] / 10000, color=["#C44E52" if g > 0 else "#55A868" for g in m["gap"]], label="资金缺口")
ax.plot(x, m["withheld"] / 10000, color="#4C72B0", marker="o", label="扣发金额（外聘经费来源）")
ax.plot(x, m["cover_cost"] / 10000, color="#DD8452", marker="s", label="外聘代课费用")
ax.axhline(0, color="black", linewidth=0.8)
step = max(1, len(m) // 12)
ax.set_xticks(list(x)[::step], m["month"].tolist()[::step], rotation=45)
ax.set_ylabel("万元")
ax.set_title(f"每月资金缺口（{unit or '全部单位'}，{horizon_start} 至 {horizon_end}）")
ax.legend()
fig.tight_layout()
display(fig)
plt.close(fig)

# %% [markdown]
# ## 3. 服务期与违约风险（第十一条）
#
# 返岗后服务期不少于 8 年（服务期满日 = 返岗日 + 8 年）。`未履行服务期（人年）`：服务期内人员为剩余年限，尚在读或尚未离岗的按 8 年计。
# 违约金额按未服务月数比例计算（规划假设：可追偿基数 × 未服务月数 / 96；可追偿基数 = 全脱产期间所领工资 + 学院支付费用）；
# `违约风险敞口` 为负有服务期的人员若于统计日离职应承担的金额。中断学习按第十条第8项退还基本工资等。

# %%
display(readable(proj.obligations, 2))
status = proj.people["study_status"].map(STATUS_LABELS).value_counts().rename_axis("学习及服务状态").rename("人次")
display(status.to_frame())

# %% [markdown]
# ## 4. 人员明细
#
# 默认只显示工号（`show_names = True` 时显示姓名）。金额为测算期内合计；提示标记见下表。

# %%
people_cols = ["staff_id", "unit_id", "mode", "degree_sought", "study_start", "study_end", "early_return",
               "months_in_horizon", "paid", "withheld", "cover_cost", "gap", "flags", "refund", "reimbursed", "study_status",
               "service_end", "served_months", "outstanding_years", "breach_exposure", "breach_liability"]
display(readable(proj.people[people_cols], 2).head(30))
flag_legend = pd.DataFrame(
    [(code, clause, zh, path or "") for code, (clause, en, zh, path) in pay.FLAGS.items()],
    columns=["提示标记", "条款", "含义", "所依据的解释参数"],
)
display(flag_legend)

# %% [markdown]
# ## 5. 本报告采用的解释与规划假设
#
# 以下参数为规范选定的解读（可切换）或规划假设（非政策规定），以及本次运行覆盖的参数。

# %%
interpretations = nb.interpretations(pol, ("study_leave",))
display(interpretations)
run_parameters = proj.assumptions.rename(columns={"parameter": "参数", "value": "取值", "unit": "单位",
                                                  "from_policy": "取自政策文件"})
run_parameters["取值"] = run_parameters["取值"].astype(str)
display(run_parameters)

# %%
out_path = write_excel({
    "按单位和学年": proj.by_unit_year,
    "学年合计": proj.totals,
    "按单位和月份": proj.monthly,
    "月度合计": proj.monthly_totals,
    "服务期与违约": proj.obligations,
    "人员明细": readable(proj.people[people_cols]),
    "提示标记说明": flag_legend,
    "解释与假设": interpretations,
    "本次参数": run_parameters,
}, Path(out_dir) / "leave_cost_impact.xlsx")
display(Markdown(f"已写入 `{out_path}`"))
