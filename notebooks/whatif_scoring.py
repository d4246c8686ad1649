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
# 在左侧输入框中修改参数，按回车后即重新计算，结果与基准（政策文件取值）并列显示：
# 班主任考核的等次分布和津贴，竞聘排名与聘任线，各学科高级岗位上限与空额；
# “受影响名单”列出全部有变化的班主任、竞聘人员和学科及原因，可下载 Excel；
# 情景可命名保存、载入和相互比较。页面只显示工号和报名号，不显示姓名。

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
