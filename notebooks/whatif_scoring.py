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
# ---

# %% [markdown]
# # 班主任考核、竞聘与岗位设置：假设情景测算
#
# 拖动滑块或选择参数，页面即时重新计算（不需要重新运行单元格），并与基准（政策文件取值）并列显示：
#
# * **班主任考核**（山西大同大学美术学院班主任考核办法 第三至五条）：各部分满分与每项扣分、加减分项目分值、等次分数线、学期考核权重 → 等次分布与等次变化的班主任；
# * **班主任竞聘**（中华路小学班主任教师聘任办法 六）：各项满分、述职评议权重、聘任名额 → 排名与越过聘任线的人员；
# * **岗位设置**（武汉大学教师专业技术岗位聘任试行办法 第九条）：各类学科高级岗位比例、正高占比（规划假设）、学校调节浮动 → 各学科上限与空额。
#
# “导出覆盖文件”写出 `staffcalc report --override 文件` 可用的 YAML 文件。页面只显示工号/报名号，不显示姓名。
# 独立网页：`staffcalc whatif`（Voila，仅本机 127.0.0.1）。
#
# 参数：`data_dir` 数据文件夹；`out_dir` 导出文件夹；`as_of` 政策生效日期；`openings` 聘任名额；`overrides_file` 起始情景（覆盖文件，空 = 基准）。
#

# %% tags=["parameters"]
data_dir = "../data"
out_dir = "."
as_of = "2026-09-01"
openings = 10
overrides_file = ""

# %%
from staffcalc import whatif

app = whatif.build(data_dir, as_of=as_of, openings=openings, out_dir=out_dir, overrides_file=overrides_file)
app
