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
#   title: "\u653B\u8BFB\u5B66\u4F4D\u53CA\u8FDB\u4FEE\u79BB\u5C97\u6210\u672C\u6D4B\
#     \u7B97"
# ---

# %% [markdown]
# # 攻读学位及进修离岗成本测算
#
# 依据《阿拉善职业技术学院在职人员攻读学位及进修学习管理办法》（征求意见稿，2023年5月17日）逐月测算：全脱产、非脱产攻读学位
# 与进修分别列示；全脱产期间扣发的绩效等全部用于外聘教师劳务费（第七条），代课费用按未完成的额定课时 × 外聘课时费（规划假设）。

# %% tags=["parameters"]
# data_dir 数据文件夹；out_dir 输出文件夹；as_of 统计日（服务期、违约按此日计算，政策按此日生效）；overrides_file 假设情景文件；
# show_names 是否显示姓名；unit 单位代码（空 = 全部单位）；horizon_start/horizon_end 测算起止月份（YYYY-MM，含首尾）；
# hourly_rate 外聘教师课时费（元/课时，None = 政策文件中的规划假设）；early_return_share 提前返岗人员比例（0–1）。
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

from staffcalc import headline, leave_cost, pay, policy
from staffcalc import notebook as nb
from staffcalc.export import write_excel
from staffcalc.io import read_tables
from staffcalc.schemas.study_leave import MODE_LABELS

nb.setup_display()
display(nb.page_style())
nb.check_month_range("horizon_start", horizon_start, "horizon_end", horizon_end)
pol = policy.load_scenario(as_of, overrides_file)

tables = read_tables(data_dir, ["staff", "study_leave"])
staff, register = tables["staff"], tables["study_leave"]
unknown = sorted(set(register["staff_id"]) - set(staff["staff_id"]))
if unknown:
    raise nb.ParameterError(f"study_leave: staff_id not in the staff roster: {unknown[:10]} / 工号不在教职工花名册中")
records = register.merge(staff[["staff_id", "unit_id"]], on="staff_id", how="left", validate="many_to_one")
# the unit must exist on the staff roster; a unit with nobody on leave gets a report of zeros, not an error
records = nb.in_unit(records, nb.unit_ids(unit, staff, "staff / 教职工"))
unit_names = nb.unit_names(data_dir)


def project(rows):
    return leave_cost.project(rows, horizon_start, horizon_end, policy=pol, hourly_rate=hourly_rate,
                              early_return_share=early_return_share, as_of=as_of)


proj = project(records)
names = nb.staff_names(staff, show_names)
summary = headline.with_change(headline.leave_cost(proj, MODE_LABELS), headline.previous(out_dir, "leave_cost_impact"))
headline.save(summary, out_dir, "leave_cost_impact")
display(Markdown(f"## 要点（{unit_names.get(unit, unit) or '全部单位'}，{horizon_start} 至 {horizon_end}）"))
nb.show_headline(summary)
if records.empty:
    display(Markdown("**本单位没有攻读学位或进修人员的记录，以下各项均为零。**"))
display(Markdown("代课经费结余（+）/缺口（−） = 用于外聘教师劳务费的扣发金额 − 外聘代课费用：正数为支付代课后有结余，"
                 "负数（红色）为不足。未签培养协议人员不予发放的工资是否计入代课经费，按第 7 节所列解读。"))

# %% [markdown]
# ## 1. 按离岗方式：折合全时人数、发放与扣发、代课费用与结余
#
# 折合全时人数 = 各月（1 − 完成工作量比例）之和的月平均，排在最前。全脱产、非脱产、进修分别测算（同一计算，按方式分组）。

# %%
def with_balance(df):
    out = df.assign(balance=-df["gap"])
    lead = [c for c in ("mode", "unit_id", "unit_name", "academic_year") if c in out]
    money = ["paid", "withheld", "cover_cost", "balance", "refunds", "reimbursements"]
    return out[lead + ["fte_away", "person_months_away", "months", *[c for c in money if c in out]]]


per_mode = []
for code, label in MODE_LABELS.items():
    part = records[records["mode"] == code].reset_index(drop=True)
    if len(part):
        per_mode.append(project(part).totals.assign(mode=code))
by_mode = with_balance(pd.concat(per_mode, ignore_index=True)) if per_mode else pd.DataFrame()
nb.show(by_mode)

# %% [markdown]
# ## 2. 按单位和学年
#
# 学年自 9 月起算（规划假设）。全部单位合计按每人起止月份另行汇总，与各单位之和一致（测试核对）。结余为负（缺口）的红色标出。

# %%
by_unit = with_balance(proj.by_unit_year)
by_unit.insert(1, "unit_name", by_unit["unit_id"].map(lambda u: unit_names.get(u, "")))
by_unit = by_unit.sort_values(["balance", "unit_id", "academic_year"]).reset_index(drop=True)
nb.show(by_unit, limit=40)
display(Markdown("**全部单位合计（按学年）**"))
nb.show(with_balance(proj.totals))

# %% [markdown]
# ## 3. 每月代课经费结余与缺口
#
# 柱：代课经费结余（+）/缺口（−）= 用于外聘教师劳务费的扣发金额 − 外聘代课费用，绿色为结余，红色为缺口；线：扣发金额与代课费用。

# %%
m = proj.monthly_totals.assign(balance=lambda d: -d["gap"])
fig, ax = plt.subplots(figsize=(10, 4.0))
x = range(len(m))
ax.bar(x, m["balance"] / 10000, color=["#55A868" if b >= 0 else "#C44E52" for b in m["balance"]],
       label="代课经费结余（+）/缺口（−）")
ax.plot(x, m["withheld"] / 10000, color="#4C72B0", marker="o", label="扣发金额（外聘经费来源）")
ax.plot(x, m["cover_cost"] / 10000, color="#DD8452", marker="s", label="外聘代课费用")
ax.axhline(0, color="black", linewidth=0.8)
step = max(1, len(m) // 12)
ax.set_xticks(list(x)[::step], m["month"].tolist()[::step], rotation=45)
ax.set_ylabel("万元")
ax.set_title(f"每月代课经费结余与缺口（{unit_names.get(unit, unit) or '全部单位'}）")
ax.legend()
fig.tight_layout()
display(fig)
plt.close(fig)

# %% [markdown]
# ## 4. 服务期与违约（第十一条）
#
# 返岗后服务期不少于规定年限；未满服务期离职的，按未服务月数比例承担违约责任（规划假设的计算方式见第 7 节）。
# 中断学习的，按第十条第8项退还学习期间的基本工资等；本报告将中断学习视为不再负有服务期（解读，见第 7 节）。

# %%
obligations = proj.obligations.copy()
obligations.insert(1, "unit_name", obligations["unit_id"].map(lambda u: unit_names.get(u, "")))
nb.show(obligations.sort_values(["breach_liability", "unit_id"], ascending=[False, True]), limit=40)
people_cols = ["staff_id", "unit_id", "mode", "degree_sought", "study_start", "study_end", "early_return",
               "months_in_horizon", "paid", "withheld", "cover_cost", "flags", "refund", "reimbursed", "study_status",
               "service_end", "served_months", "outstanding_years", "breach_exposure", "breach_liability"]
people = nb.with_names(proj.people[people_cols], names)
action = people[(people["breach_liability"] > 0) | (people["refund"] > 0)]
display(Markdown(f"**应追偿或应退还的人员（{len(action)} 人，全部列出）**¹"))
nb.show(action[["staff_id", *(["name"] if names is not None else []), "unit_id", "mode", "study_status",
                "study_start", "study_end", "service_end", "served_months", "refund", "breach_liability"]])
display(Markdown(
    "<span class='sc-note'>¹ 未满服务期离职：返岗后未满服务期即离职，按未服务月数占应服务月数的比例退还全脱产期间所领工资及"
    "学院支付的费用（第十一条，计算方式为规划假设）；中断学习：退还学习期间的基本工资等（第十条第8项）。</span>"))

# %% [markdown]
# ## 5. 人员明细
#
# 默认只显示工号。金额为测算期内合计；服务期、违约与退还各列见 Excel 工作簿“人员明细”；提示标记的条款见下表。

# %%
compact = ["staff_id", *(["name"] if names is not None else []), "unit_id", "mode", "degree_sought", "study_start",
           "study_end", "months_in_horizon", "paid", "withheld", "cover_cost", "study_status", "flags"]
nb.show(people.sort_values(["mode", "unit_id", "staff_id"])[compact], limit=30)
flag_legend = pd.DataFrame([(zh, clause) for code, (clause, en, zh, path) in pay.FLAGS.items()],
                           columns=["提示标记", "条款"])
nb.show(flag_legend)

# %% [markdown]
# ## 6. 本次测算条件

# %%
assumed = proj.assumptions.set_index("parameter")["value"]
run_conditions = nb.conditions(as_of, overrides_file, unit_names.get(unit, unit), show_names, **{
    "测算期": f"{horizon_start} 至 {horizon_end}",
    "外聘教师课时费（元/课时）": f"{assumed['hourly_rate']:g}" + ("（规划假设）" if hourly_rate is None else "（本次设定）"),
    "额定课时（课时/年，规划假设）": f"{assumed['prescribed_hours']:g}",
    "提前返岗比例": f"{early_return_share:.0%}（提前 {assumed['early_return_months']} 个月，规划假设）",
    "登记人次 / 测算期内离岗人次": f"{len(records)} / {int((proj.people['months_in_horizon'] > 0).sum())}",
})
nb.show(run_conditions)

# %% [markdown]
# ## 7. 本报告采用的解释与规划假设
#
# 政策文件未明确之处所采用的解读（可切换）及规划假设（非政策规定）；末列为参数名，供技术人员核对。

# %%
interpretations = nb.interpretations(pol, ("study_leave",))
nb.show(interpretations)

# %%
write_excel({
    "按离岗方式": by_mode,
    "按单位和学年": proj.by_unit_year,
    "学年合计": proj.totals,
    "按单位和月份": proj.monthly,
    "月度合计": proj.monthly_totals,
    "服务期与违约": proj.obligations,
    "应追偿与退还": action,
    "人员明细": people,
    "提示标记说明": flag_legend,
    "本次测算条件": run_conditions,
    "解释与假设": interpretations,
}, Path(out_dir) / "leave_cost_impact.xlsx", headline=summary, as_of=as_of, title="攻读学位及进修离岗成本测算")
display(Markdown("Excel 工作簿（全部明细）与 PDF 与本报告同名，在同一文件夹。"))
