"""The what-if page: a planner's scenario tool over the scoring and post-quota parameters (issues 7, 16).

``notebooks/whatif_scoring.py`` (jupytext source of the notebook) calls :func:`build` and displays the
app; ``staffcalc whatif`` (:func:`serve`) serves that notebook with Voila on 127.0.0.1.  The figures
come from :mod:`staffcalc.scenario` (the same P5 kernels as the public functions; recomputed in
milliseconds); who is affected and the money effects from :mod:`staffcalc.whatif_affected`; typed
input from :mod:`staffcalc.whatif_input`; saved scenarios from :mod:`staffcalc.whatif_state`.

State you can trust:

* every entry is a text box read as typed (full-width digits, a trailing % on shares); a value that
  is not a number, not whole where it must be, outside the allowed range, or that the policy or the
  data reject is **refused beside its control** with the reason and the allowed range — never
  clamped, never applied;
* only applied values reach the setting (:class:`staffcalc.whatif_state.Setting`) and the results;
  a tab whose controls show a refused entry is marked 未更新 and lists it; the other tabs go on;
* weight groups sum to one by construction: two weights are typed, the third follows and is shown;
* only component maxima that rescale a score are offered (P4 六.2–六.5); 自主申报、说课、答辩 are
  marks the panel gives directly, their maxima only bound the input, so the page explains that
  instead of offering a control that changes nothing;
* the 已修改 list shows Chinese labels, the document and clause of each parameter and applied
  values only.

Who is affected (tab 受影响名单): every changed teacher-month, teacher-semester, candidate and
discipline with the reason, a per-unit summary, the money effects with their change (allowances;
pay cost of extra senior posts by the planning assumption ``quotas.senior_post_pay_difference``),
a unit filter and an Excel download.  Scenarios: save under a name (kept in
``whatif-scenarios.json`` in the output folder, so a reload finds them), load one back, load an
exported what-if file, compare two scenarios side by side with the baseline.

Stable CSS classes for scripts and the browser test: each control box ``css_class(key)`` (e.g.
``sc-p-appraisal-grade_bands-excellent``) holds an ``<input>``; its message is
``sc-msg-<same>``; figures are ``<span>`` elements such as ``sc-monthly-excellent-count``,
``sc-monthly-excellent-base``, ``sc-recruit-crossed-count``, ``sc-quota-cap-total``; a tab's
out-of-date mark is ``sc-stale-<tab>``.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from . import scenario, scoring, whatif_baseline, whatif_charts
from . import whatif_affected as affected
from .policy import PolicyError
from .scenario import GRADE_KEYS, grade_key
from .whatif_input import Field, Refused, fmt, parse_number
from .whatif_server import ENV_DATA, ENV_OUT, notebook_path, serve, voila_command  # the launcher (light module)
from .whatif_state import ScenarioStore, Setting, read_exported

TABS = ("appraisal", "recruitment", "quotas")
CHARTS = tuple(whatif_charts.CHARTS)  # one chart per tab
TAB_TITLES = ("班主任考核", "班主任竞聘", "岗位设置", "受影响名单", "情景比较")
CURRENT = "（当前设置）"
STORE_POLL_S = 1.5  # how often a page looks for scenarios saved elsewhere (another page, before a preheated load)
BASELINE = "（基准）"

# Component maxima that rescale a component score (P4 六.2–六.5) — offered on the page.
RECRUITMENT_MAXIMA = (
    ("recruitment.review.max", "述职评议满分"),
    ("recruitment.achievements.max", "政绩考核满分"),
    ("recruitment.conduct.max", "日常表现满分"),
    ("recruitment.exam.max", "理论考试满分"),
)
# Maxima that only bound marks the panel gives directly (P4 六.1, 六.6): not offered, explained.
BOUND_ONLY_MAXIMA = (
    ("recruitment.self_report.max", "自主申报"),
    ("recruitment.onsite.talk_max", "说课"),
    ("recruitment.onsite.defence_max", "答辩"),
)
# weight groups: (path, (typed key, typed key, following key), Chinese labels)
WEIGHT_GROUPS = {
    "appraisal.composite_weights": (("self", "student", "college"), ("自我评价权重", "学生测评权重", "学院测评权重")),
    "recruitment.review.weights": (("panel", "teachers", "parents"), ("评聘小组权重", "全体教师权重", "家长权重")),
}
CATEGORY_ZH = {"A": "A 类学科", "B": "B 类学科", "C": "C 类学科"}
ERROR_KIND = {"PolicyError": "政策参数不允许", "ScoringInputError": "与数据不符", "QuotaError": "岗位测算不允许",
              "RecruitmentError": "与数据不符"}

CSS = """
<style>
.sc-page {font-size: 13px; min-width: 980px;}
.sc-table {border-collapse: collapse; margin: 4px 0 10px 0;}
.sc-table th, .sc-table td {border: 1px solid #ccc; padding: 2px 6px; text-align: right; white-space: nowrap;}
.sc-table th {background: #f3f3f3;}
.sc-table td.sc-text, .sc-table th.sc-text {text-align: left;}
.sc-scroll {max-height: 420px; overflow: auto; max-width: 100%;}
.sc-up {color: #1b7a2f;} .sc-down {color: #b3261e;}
.sc-error, .sc-msg-error {color: #b3261e; font-size: 12px; line-height: 1.3;}
.sc-error {background: #fdecea; border: 1px solid #f5c2c0; padding: 6px 10px; margin: 4px 0;}
.sc-stale-box {background: #fff4e5; border: 1px solid #f0c36d; color: #8a5300; padding: 6px 10px; margin: 4px 0;}
.sc-warn {color: #8a5300;}
.sc-line td {border-bottom: 3px solid #b3261e;}
.sc-note {color: #555;}
.sc-ctl-label {font-size: 12px; margin-top: 4px;}
</style>
"""


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def css_class(path: str) -> str:
    """Stable CSS class of the control for ``path``: ``appraisal.grade_bands.优秀`` →
    ``sc-p-appraisal-grade_bands-excellent`` (grade names by :data:`staffcalc.scenario.GRADE_KEYS`)."""
    parts = [GRADE_KEYS.get(p, p) for p in path.split(".")]
    slug = "-".join(parts)
    return "sc-p-" + re.sub(r"[^A-Za-z0-9_-]", "_", slug)


def _esc(x) -> str:
    return html.escape(str(x))


def _span(cls: str, value) -> str:
    return f'<span class="{cls}">{_esc(value)}</span>'


def _num(x, digits: int = 2) -> str:
    """A figure for display: thousands separators, at most ``digits`` decimals, — for missing."""
    if x is None or isinstance(x, str):
        return "—" if x is None else _esc(x)
    if isinstance(x, (bool, np.bool_)):
        return "是" if x else "否"
    if isinstance(x, float) and np.isnan(x):
        return "—"
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.{digits}f}".rstrip("0").rstrip(".")


def _delta(new, old, cls: str = "") -> str:
    d = new - old
    if d == 0:
        return f'<span class="{cls}">0</span>'
    sign = "sc-up" if d > 0 else "sc-down"
    text = f"+{_num(d)}" if d > 0 else _num(d)
    return f'<span class="{cls} {sign}">{_esc(text)}</span>'


def _value_zh(v) -> str:
    """A parameter value as a planner reads it (no Python dicts, lists or True/False)."""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return fmt(v) if np.isfinite(v) else "—"
    if isinstance(v, dict):
        return "；".join(f"{k}：{_value_zh(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return " ＞ ".join(_value_zh(x) for x in v)
    return str(v)


def _table(head: list[str], rows: list[list[str]], cls: str = "", text_cols: int = 1, row_classes=None) -> str:
    th = "".join(f'<th class="{"sc-text" if i < text_cols else ""}">{h}</th>' for i, h in enumerate(head))
    body = []
    for r_i, row in enumerate(rows):
        rc = f' class="{row_classes[r_i]}"' if row_classes and row_classes[r_i] else ""
        tds = "".join(f'<td class="{"sc-text" if i < text_cols else ""}">{c}</td>' for i, c in enumerate(row))
        body.append(f"<tr{rc}>{tds}</tr>")
    return f'<table class="sc-table {cls}"><thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def frame_html(df: pd.DataFrame, cls: str, text_cols: int = 1) -> str:
    """A table of an affected list (no index column; numbers formatted), in a scrolling box."""
    if df.empty:
        return '<p class="sc-note">无。</p>'
    rows = [[_num(v) if not isinstance(v, str) else _esc(v) for v in rec] for rec in df.itertuples(index=False)]
    return f'<div class="sc-scroll">{_table(list(df.columns), rows, cls, text_cols)}</div>'


def message_zh(exc: Exception) -> str:
    """The Chinese part of a calculation's bilingual message, with the rule code removed."""
    text = str(exc)
    text = re.sub(r"\s*\[rule [^\]]*\]\s*$", "", text)
    m = re.match(r"^(?:table \S+, )?row (.*?), column (\S+): .*? / (.*)$", text, re.S)
    if m:  # "row T1 2025-09, column fail_s2c: en / zh (values / 值: …)"
        rows, _col, zh = m.groups()
        zh = re.sub(r"\s*\((?:values?|value) / 值: ", "（值：", zh)
        zh = zh[:-1] + "）" if zh.endswith(")") and "（值：" in zh else zh
        rows = rows.replace("(+", "（另 ").replace(" more)", " 条）")
        return f"{zh}；涉及：{rows}"
    if " / " in text:
        return text.split(" / ", 1)[1].strip()
    return text


def data_dir_from_env(default: str | os.PathLike) -> str:
    """The data folder: ``$STAFFCALC_WHATIF_DATA`` (set by ``staffcalc whatif --data``) or ``default``."""
    return os.environ.get(ENV_DATA) or str(default)


def out_dir_from_env(default: str | os.PathLike) -> str:
    """Where the page writes (exports, scenarios): ``$STAFFCALC_WHATIF_OUT`` (set by ``staffcalc whatif``)
    or ``default``."""
    return os.environ.get(ENV_OUT) or str(default)


def _section_label(section: str) -> str:
    """Chinese name of a rubric section from the output labels (score_s2b → 学习指导得分 → 学习指导)."""
    from . import schemas

    label = schemas.LABELS.get(f"score_{section.lower()}", section)
    return label.removesuffix("得分")


# --------------------------------------------------------------------------------------------
# Controls
# --------------------------------------------------------------------------------------------
class Control:
    """One typed entry: its key (policy path, ``openings`` or ``adjustment.<category>``), Chinese
    label, tab, accepted :class:`~staffcalc.whatif_input.Field`, the text box and its message."""

    def __init__(self, w, key: str, label: str, tab: str, field: Field, value, note: str = ""):
        self.key, self.label, self.tab, self.field = key, label, tab, field
        self.text = w.Text(value=fmt(value), continuous_update=False, layout=w.Layout(width="110px"),
                           tooltip=f"允许范围 {field.describe()}")
        self.message = w.HTML()
        self.message.add_class("sc-msg-" + css_class(key).removeprefix("sc-p-"))
        head = w.HTML(f'<div class="sc-ctl-label">{_esc(label)}'
                      f'<span class="sc-note">（{_esc(field.describe())}）</span>{_esc(note)}</div>')
        self.box = w.VBox([head, w.HBox([self.text, self.message])], layout=w.Layout(width="100%"))
        self.box.add_class(css_class(key))

    def show(self, value) -> None:
        self.text.value = fmt(value)

    def refuse(self, text: str) -> None:
        self.message.value = f'<span class="sc-msg-error">{_esc(text)}</span>'

    def clear(self) -> None:
        self.message.value = ""


# --------------------------------------------------------------------------------------------
# The app
# --------------------------------------------------------------------------------------------
class WhatIfApp:
    """The widget tree (``app.widget``) and its state.

    ``setting`` holds the applied values only; ``refused`` maps a control key to the message of an
    entry that was not applied; ``result`` is the :class:`staffcalc.scenario.Result` of ``setting``.
    ``enter(key, text)`` does what typing into that control does.
    """

    def __init__(self, baseline: scenario.Baseline, out_dir: str | os.PathLike = ".", chart: bool = True,
                 initial: Setting | Mapping[str, Any] | None = None):
        import ipywidgets

        self.w = w = SharedLooks(ipywidgets)
        self.baseline = baseline
        self.policy = baseline.policy
        self.out_dir = Path(out_dir)
        self.store = ScenarioStore(self.out_dir)
        self._stamp_read = self._store_stamp()  # before the lists are read: a save meanwhile is seen
        self.chart_enabled = chart
        self.setting = Setting()
        self.refused: dict[str, str] = {}
        self.controls: dict[str, Control] = {}
        self.result: scenario.Result = baseline.result
        self.exported: Path | None = None
        self.download: Path | None = None
        self._syncing = False
        self._chart_keys: dict[str, Any] = {}
        self.affected: dict[str, pd.DataFrame] = {}

        out = {}
        for name in ("appraisal", "recruitment", "quotas", "affected", "compare", "overrides", "notice", "stale_appraisal",
                     "stale_recruitment", "stale_quotas", "follow_appraisal", "follow_recruitment", "code_info",
                     "maxima_note", "sections_note"):
            out[name] = w.HTML()
            out[name].add_class(f"sc-{name.replace('_', '-')}-box")
        self.html = out
        self.charts = {k: w.HTML() for k in CHARTS}
        for k, c in self.charts.items():
            c.add_class(f"sc-chart-{k}")

        tabs = w.Tab(children=[
            self._row(self._appraisal_controls(), [out["stale_appraisal"], out["appraisal"], self.charts["appraisal"]]),
            self._row(self._recruitment_controls(), [out["stale_recruitment"], out["recruitment"],
                                                     self.charts["recruitment"]]),
            self._row(self._quota_controls(), [out["stale_quotas"], out["quotas"], self.charts["quotas"]]),
            self._affected_panel(),
            self._compare_panel(),
        ])
        tabs.titles = TAB_TITLES
        tabs.add_class("sc-tabs")
        self.tabs = tabs
        intro = w.HTML(
            CSS + f'<p class="sc-note">数据：{baseline.teacher_count:,} 名班主任，'
            f"{len(baseline.tables['appraisal_items']):,} 条月考核记录，"
            f"{len(baseline.tables['recruitment_candidates'])} 名竞聘人员，"
            f"{len(baseline.tables['disciplines'])} 个学科；政策生效日期 {self.policy.as_of.isoformat()}。"
            "填写数值后按回车（或点击别处）即重新计算。</p>")
        self.widget = w.VBox([intro, self._scenario_bar(), out["notice"], out["overrides"], tabs])
        self.widget.add_class("sc-page")
        _blank_tooltips(self.widget)
        if initial:
            self.apply(initial if isinstance(initial, Setting) else Setting(overrides=dict(initial)))
        else:
            self._render()
        self._watch = self._start_watch()

    def _start_watch(self):
        """Keep the saved-scenario lists current: a page may be built before it is opened (Voila's
        preheated kernels) and other pages may save scenarios into the same output folder."""
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not inside a kernel's event loop (tests, scripts)
            return None
        return loop.create_task(self._watch_store())

    async def _watch_store(self) -> None:
        """Poll the scenario file; refresh the lists when it changed since they were read (the page
        asks the kernel for the widgets' state when it connects, so a preheated page gets them)."""
        import asyncio

        last = self._stamp_read
        while True:
            await asyncio.sleep(STORE_POLL_S)
            stamp = self._store_stamp()
            if stamp != last:
                last = stamp
                self._refresh_saved()

    def _store_stamp(self):
        try:
            return self.store.path.stat().st_mtime_ns
        except OSError:
            return None

    # -- layout --------------------------------------------------------------------------------
    def _row(self, controls, results):
        w = self.w
        left = w.VBox(controls, layout=w.Layout(width="330px", flex="0 0 330px"))
        right = w.VBox(results, layout=w.Layout(flex="1 1 auto", overflow="auto", min_width="0"))
        return w.HBox([left, right], layout=w.Layout(width="100%"))

    def _heading(self, text: str):
        return self.w.HTML(f"<b>{_esc(text)}</b>")

    def _button(self, text: str, tooltip: str, cls: str, handler, style: str = ""):
        b = self.w.Button(description=text, tooltip=tooltip, button_style=style,
                          layout=self.w.Layout(width="auto"))
        b.add_class(cls)
        b.on_click(handler)
        return b

    def _control(self, key: str, label: str, tab: str, field: Field, value, note: str = "") -> Control:
        c = Control(self.w, key, label, tab, field, value, note)
        c.text.observe(lambda change, key=key: self.enter(key, change["new"]), names="value")
        self.controls[key] = c
        return c

    def _field(self, path: str, lo, hi, integer=False, percent=False) -> Field:
        """The allowed range of a parameter: the page's range narrowed by the policy's min/max."""
        prm = self.policy.param(path)
        lo = max(lo, prm.min) if prm.min is not None else lo
        hi = min(hi, prm.max) if prm.max is not None else hi
        return Field(lo, hi, integer, percent)

    # -- controls --------------------------------------------------------------------------------
    def _appraisal_controls(self):
        pol = self.policy
        out = [self._heading("等次分数线（第三条，含本数）")]
        for g, bound in scoring.grade_bands(pol).items():
            if np.isfinite(bound):
                out.append(self._control(f"appraisal.grade_bands.{g}", f"{g} 不低于（分）", "appraisal",
                                         Field(0, 100), bound).box)
        out.append(self._heading("月考核各部分（第四条）：满分、每项不合格扣分"))
        for s in scoring.sections(pol).itertuples(index=False):
            name = _section_label(s.section)
            out.append(self._control(f"appraisal.sections.{s.section}.max", f"{name} 满分", "appraisal",
                                     Field(0, 100, integer=True), s.section_max).box)
            out.append(self._control(f"appraisal.sections.{s.section}.per_item", f"{name} 每项扣分（共 {s.section_items} 项）",
                                     "appraisal", Field(0, 100, integer=True), s.per_item).box)
        out.append(self.html["sections_note"])
        out.append(self._heading("加分、减分项目（第四条（四）（五））：每次分值"))
        cat = scoring.catalogue(pol)
        options = [(f"{'加分' if r.code_kind == 'bonus' else '减分'}　{r.code}", f"appraisal.{r.code_kind}.{r.code}.points")
                   for r in cat.itertuples(index=False)]
        self._code_text = dict(zip([o[1] for o in options], cat["text"]))
        select = self.w.Dropdown(options=options, value=options[0][1], layout=self.w.Layout(width="310px"),
                                 tooltip="选择要修改分值的加分或减分项目")
        select.add_class("sc-code-select")
        select.observe(self._code_selected, names="value")
        self.code_select = select
        points = self._control("code_points", "所选项目每次分值（分）", "appraisal", Field(0, 100),
                               pol.get(options[0][1]))
        out += [select, self.html["code_info"], points.box]
        out.append(self._heading("学期考核权重（第五条）：填两项，第三项自动为 1 减两项"))
        out += self._weight_controls("appraisal.composite_weights", "appraisal")
        return out

    def _weight_controls(self, path: str, tab: str):
        keys, labels = WEIGHT_GROUPS[path]
        weights = self.policy.get(path)
        out = [self._control(f"{path}.{k}", lab, tab, Field(0, 1, percent=True), weights[k]).box
               for k, lab in zip(keys[:2], labels[:2])]
        follow = self.html[f"follow_{tab}"]
        follow.add_class(css_class(f"{path}.{keys[2]}"))
        out.append(follow)
        return out

    def _recruitment_controls(self):
        pol = self.policy
        out = [self._heading("各项满分（六.2–六.5，按比例换算该项得分）")]
        for path, label in RECRUITMENT_MAXIMA:
            out.append(self._control(path, f"{label}（分）", "recruitment", self._field(path, 0, 100, integer=True),
                                     pol.get(path)).box)
        out.append(self.html["maxima_note"])
        out.append(self._heading("述职评议权重（六.2）：填两项，第三项自动为 1 减两项"))
        out += self._weight_controls("recruitment.review.weights", "recruitment")
        out.append(self._heading("聘任名额（本轮拟聘人数）"))
        n = len(self.baseline.tables["recruitment_candidates"])
        out.append(self._control("openings", "聘任名额（人）", "recruitment", Field(0, n, integer=True),
                                 self.baseline.openings).box)
        return out

    def _quota_controls(self):
        pol = self.policy
        out = [self._heading("高级岗位比例（第九条）")]
        for c, r in pol.get("quotas.senior_ratio").items():
            out.append(self._control(f"quotas.senior_ratio.{c}", f"{CATEGORY_ZH.get(c, c)}高级岗位比例", "quotas",
                                     self._field("quotas.senior_ratio", 0, 1, percent=True), r).box)
        out.append(self._control("quotas.full_senior_share", "正高占高级岗位比例（规划假设）", "quotas",
                                 self._field("quotas.full_senior_share", 0, 1, percent=True),
                                 pol.get("quotas.full_senior_share")).box)
        limit = float(pol.get("quotas.adjustment_limit"))
        mode = "百分点" if pol.get("quotas.adjustment_mode") == "percentage_points" else "相对比例"
        out.append(self._heading(f"学校调节浮动（第九条，±{fmt(limit)}，{mode}）"))
        for c in pol.get("quotas.senior_ratio"):
            out.append(self._control(f"adjustment.{c}", f"{CATEGORY_ZH.get(c, c)}浮动", "quotas",
                                     Field(-limit, limit, percent=True), 0.0).box)
        out.append(self._heading("测算用规划假设"))
        path = affected.PAY_DIFFERENCE
        out.append(self._control(path, "每个新增高级岗位年度薪酬差额（元，规划假设）", "quotas",
                                 self._field(path, 0, 10_000_000), pol.get(path)).box)
        return out

    def _scenario_bar(self):
        w = self.w
        self.name_text = w.Text(placeholder="情景名称", layout=w.Layout(width="180px"), tooltip="保存情景时使用的名称")
        self.name_text.add_class("sc-scenario-name")
        self.saved = w.Dropdown(options=self._saved_options(), layout=w.Layout(width="200px"),
                                tooltip="已保存的情景（保存在输出文件夹）")
        self.saved.add_class("sc-saved")
        self.upload = w.FileUpload(accept=".yaml,.yml", multiple=False, description="载入导出文件",
                                   tooltip="选择本页面导出的覆盖文件（.yaml）", layout=w.Layout(width="auto"))
        self.upload.add_class("sc-upload")
        self.upload.observe(self._uploaded, names="value")
        row1 = w.HBox([
            self.name_text,
            self._button("保存情景", "以此名称保存当前设置（保存在输出文件夹，刷新页面后仍在）", "sc-save", self.save_scenario,
                         "primary"),
            self.saved,
            self._button("载入", "载入所选情景", "sc-load", lambda _: self.load_scenario(self.saved.value)),
            self._button("删除", "删除所选情景", "sc-delete", self.delete_scenario),
        ])
        row2 = w.HBox([
            self._button("导出覆盖文件", "写出 staffcalc report --override 可用的文件", "sc-export", self.export),
            self.upload,
            self._button("恢复基准", "全部参数恢复为政策文件的取值", "sc-reset", self.reset),
        ])
        return w.VBox([row1, row2])

    def _saved_options(self):
        try:
            names = self.store.names()
        except PolicyError:
            names = []
        return [("（已保存的情景）", "")] + [(n, n) for n in names]

    def _affected_panel(self):
        w = self.w
        self.unit_filter = w.Dropdown(options=[("全部单位", "")], layout=w.Layout(width="260px"),
                                      tooltip="只显示该单位的班主任和学科")
        self.unit_filter.add_class("sc-unit-filter")
        self.unit_filter.observe(lambda _: self._render_affected(), names="value")
        self.download_html = w.HTML()
        self.download_html.add_class("sc-download-box")
        self.explain_id = w.Text(placeholder="工号或报名号", layout=w.Layout(width="160px"),
                                 tooltip="按当前设置查看此人的解释单")
        self.explain_id.add_class("sc-explain-id")
        self.explain_html = w.HTML()
        self.explain_html.add_class("sc-explain-box")
        bar = w.HBox([w.HTML("<b>按单位筛选：</b>"), self.unit_filter,
                      self._button("下载 Excel", "下载全部受影响名单（Excel）", "sc-download", self.make_download),
                      w.HTML("&nbsp;&nbsp;<b>解释单：</b>"), self.explain_id,
                      self._button("查看", "按当前设置显示此人的计算过程", "sc-explain", self.show_explanation)])
        return w.VBox([bar, self.download_html, self.explain_html, self.html["affected"]])

    def _compare_panel(self):
        w = self.w
        opts = [(CURRENT, CURRENT)] + self._saved_options()[1:]
        self.compare_a = w.Dropdown(options=opts, value=CURRENT, description="情景一", layout=w.Layout(width="260px"),
                                    tooltip="第一个比较的情景")
        self.compare_b = w.Dropdown(options=opts, value=CURRENT, description="情景二", layout=w.Layout(width="260px"),
                                    tooltip="第二个比较的情景")
        self.compare_a.add_class("sc-compare-a")
        self.compare_b.add_class("sc-compare-b")
        return w.VBox([w.HBox([self.compare_a, self.compare_b,
                               self._button("比较", "两个情景与基准并列比较", "sc-compare", self.compare)]),
                       self.html["compare"]])

    # -- entering values ---------------------------------------------------------------------------
    def _path_of(self, key: str) -> str:
        return self.code_select.value if key == "code_points" else key

    def _candidate(self, key: str, value) -> Setting:
        """The applied setting with ``key`` set to ``value`` (a weight's partner follows)."""
        s = Setting(dict(self.setting.overrides), self.setting.openings, dict(self.setting.adjustment))
        if key == "openings":
            s.openings = None if value == self.baseline.openings else value
            return s
        if key.startswith("adjustment."):
            s.adjustment[key.split(".", 1)[1]] = value
            s.adjustment = {k: v for k, v in s.adjustment.items() if v}
            return s
        path = self._path_of(key)
        updates = {path: value}
        group = path.rsplit(".", 1)[0]
        if group in WEIGHT_GROUPS:
            keys, labels = WEIGHT_GROUPS[group]
            typed = {k: Decimal(str(self._applied(f"{group}.{k}"))) for k in keys[:2]}
            typed[path.rsplit(".", 1)[1]] = Decimal(str(value))
            rest = 1 - typed[keys[0]] - typed[keys[1]]
            if rest < 0:
                raise Refused(f"{labels[0]}与{labels[1]}之和为 {fmt(typed[keys[0]] + typed[keys[1]])}，不能超过 1"
                              f"（{labels[2]} = 1 − 两者）")
            updates[f"{group}.{keys[2]}"] = float(rest)
        for p, v in updates.items():
            if v == self.policy.get(p):
                s.overrides.pop(p, None)
            else:
                s.overrides[p] = v
        return s

    def _applied(self, path: str):
        """The applied value of a parameter (override or policy)."""
        return self.setting.overrides.get(path, self.policy.get(path))

    def enter(self, key: str, text) -> bool:
        """What typing ``text`` into the control ``key`` does: apply it (True) or refuse it beside the
        control (False); either way every tab is redrawn from the applied setting."""
        if self._syncing:
            return False
        ctl = self.controls[key]
        try:
            value = parse_number(text, ctl.field)
            candidate = self._candidate(key, value)
            result = candidate.recompute(self.baseline)
        except Refused as exc:
            return self._refuse(key, str(exc))
        except ValueError as exc:  # PolicyError, ScoringInputError, QuotaError: the rule's own words
            return self._refuse(key, f"{ERROR_KIND.get(type(exc).__name__, '设置无效')}：{message_zh(exc)}")
        self.refused.pop(key, None)
        ctl.clear()
        self.setting, self.result = candidate, result
        self._render()
        return True

    def _refuse(self, key: str, text: str) -> bool:
        self.refused[key] = text
        self.controls[key].refuse(text + "；未应用")
        self._render_marks()
        return False

    def _code_selected(self, change) -> None:
        """Show the selected code's applied points (no recompute); a refused entry there is dropped."""
        self._sync_control("code_points", self._applied(change["new"]))
        self.refused.pop("code_points", None)
        self.controls["code_points"].clear()
        self._render_code_info()
        self._render_marks()

    def _sync_control(self, key: str, value) -> None:
        self._syncing = True
        try:
            self.controls[key].show(value)
        finally:
            self._syncing = False

    def _sync_all(self) -> None:
        """Every control shows the applied value; no refusals remain."""
        for key, ctl in self.controls.items():
            if key == "openings":
                value = self.result.openings
            elif key.startswith("adjustment."):
                value = self.setting.adjustment.get(key.split(".", 1)[1], 0.0)
            else:
                value = self._applied(self._path_of(key))
            self._sync_control(key, value)
            ctl.clear()
        self.refused.clear()

    def apply(self, setting: Setting) -> bool:
        """Replace the whole setting (a saved scenario, an exported file, the baseline); refused as a
        whole with the message in the page's notice if the policy or the data reject it."""
        try:
            result = setting.recompute(self.baseline)
        except ValueError as exc:
            self.html["notice"].value = (f'<div class="sc-error">未载入：{_esc(ERROR_KIND.get(type(exc).__name__, "设置无效"))}'
                                         f"：{_esc(message_zh(exc))}</div>")
            return False
        self.setting, self.result = setting, result
        self._sync_all()
        self._render()
        return True

    def reset(self, _=None) -> None:
        self.apply(Setting())
        self.html["notice"].value = '<p class="sc-note">已恢复基准设置。</p>'

    # -- scenarios and files -------------------------------------------------------------------------
    def save_scenario(self, _=None, name: str | None = None) -> bool:
        name = (name if name is not None else self.name_text.value).strip()
        try:
            self.store.save(name, self.setting)
        except (ValueError, OSError) as exc:
            self.html["notice"].value = f'<div class="sc-error">未保存：{_esc(message_zh(exc))}</div>'
            return False
        self._refresh_saved(name)
        pending = "（有未应用的输入，未包含在内）" if self.refused else ""
        self.html["notice"].value = f'<p>已保存情景 {_span("sc-saved-name", name)}{pending}。</p>'
        return True

    def _refresh_saved(self, select: str = "") -> None:
        opts = self._saved_options()
        keep = self.saved.value
        self.saved.options = opts
        values = [v for _, v in opts]
        self.saved.value = select if select in values else (keep if keep in values else "")
        for dd in (self.compare_a, self.compare_b):
            keep = dd.value
            dd.options = [(CURRENT, CURRENT)] + opts[1:]
            dd.value = keep if keep in [v for _, v in dd.options] else CURRENT

    def load_scenario(self, name: str) -> bool:
        if not name:
            self.html["notice"].value = '<div class="sc-error">请先选择一个已保存的情景。</div>'
            return False
        if self.apply(self.store.get(name)):
            self.name_text.value = name
            self.html["notice"].value = f'<p>已载入情景 {_span("sc-loaded-name", name)}。</p>'
            return True
        return False

    def delete_scenario(self, _=None) -> None:
        if self.saved.value:
            self.store.delete(self.saved.value)
            self._refresh_saved()

    def load_file(self, path: str | os.PathLike) -> bool:
        """Load an exported what-if file into the page (refused as a whole if the policy rejects it)."""
        try:
            setting = read_exported(path, self.policy)
        except ValueError as exc:
            self.html["notice"].value = f'<div class="sc-error">文件未载入：{_esc(message_zh(exc))}</div>'
            return False
        if self.apply(setting):
            self.html["notice"].value = f'<p>已载入文件 {_span("sc-loaded-file", Path(path).name)}。</p>'
            return True
        return False

    def _uploaded(self, change) -> None:
        files = change["new"]
        if not files:
            return
        f = files[0]
        target = self.out_dir / f"uploaded-{dt.datetime.now():%Y%m%d-%H%M%S}-{Path(f['name']).name}"
        self.out_dir.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bytes(f["content"]))
        if self.load_file(target):
            self.html["notice"].value = f'<p>已载入文件 {_span("sc-loaded-file", f["name"])}。</p>'
        self.upload.value = ()  # ready for the next file (the button shows no count)

    def export(self, _=None) -> Path | None:
        """Write the applied setting as a file for ``staffcalc report --override``; show its path."""
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        path = (self.out_dir / f"whatif-overrides-{stamp}.yaml").resolve()
        try:
            scenario.export_overrides(self.setting.overrides, path, policy=self.policy,
                                      parameters=self.setting.parameters(self.baseline.openings))
        except (ValueError, OSError) as exc:
            self.html["notice"].value = f'<div class="sc-error">导出失败：{_esc(message_zh(exc))}</div>'
            return None
        self.exported = path
        empty = "（与政策文件相同，无修改）" if not self.setting.overrides else ""
        pending = "；未应用的输入不在文件中" if self.refused else ""
        self.html["notice"].value = (f'<p>已导出覆盖文件{empty}{pending}：<code>{_span("sc-export-path", path)}</code>'
                                     f"<br>生成报告：<code>staffcalc report --override {_esc(path)}</code></p>")
        return path

    def make_download(self, _=None) -> Path:
        """The full affected lists as an Excel file in the output folder, offered as a download link."""
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = (self.out_dir / f"受影响名单-{stamp}.xlsx").resolve()
        data = affected.excel_bytes(self.affected, self._settings_frame())
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.download = path
        b64 = base64.b64encode(data).decode("ascii")
        self.download_html.value = (
            f'<p><a class="sc-download-link" download="{_esc(path.name)}" '
            f'href="data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,{b64}">'
            f"点击下载 {_esc(path.name)}</a>（已保存到输出文件夹：{_span('sc-download-path', path)}）</p>")
        return path

    def show_explanation(self, _=None) -> None:
        """The explanation sheet (staffcalc explain) of one person under the applied setting."""
        from . import explain

        who = self.explain_id.value.strip()
        if not who:
            self.explain_html.value = '<p class="sc-error">请输入工号或报名号。</p>'
            return
        params = {"openings": self.result.openings}
        try:
            trace = explain.explain(self.baseline.tables, who, policy=self.result.policy, parameters=params)
        except Exception as exc:  # noqa: BLE001 - ExplainError and calculation errors: shown, not raised
            self.explain_html.value = f'<p class="sc-error">无法生成解释单：{_esc(message_zh(exc))}</p>'
            return
        # the sheet is a whole HTML document with its own print styles: framed, so they stay inside
        self.explain_html.value = (f'<iframe class="sc-explanation" title="解释单 {_esc(who)}" '
                                   f'srcdoc="{html.escape(trace.to_html(), quote=True)}" '
                                   'style="width: 100%; height: 520px; border: 1px solid #ccc;"></iframe>')

    def compare(self, _=None) -> None:
        """Two settings (saved scenarios or the current one) side by side with the baseline."""
        chosen = [self.compare_a.value, self.compare_b.value]
        results, names = [], []
        for name in chosen:
            try:
                s = self.setting if name == CURRENT else self.store.get(name)
                results.append(self.result if name == CURRENT else s.recompute(self.baseline))
            except (KeyError, ValueError) as exc:
                self.html["compare"].value = f'<div class="sc-error">{_esc(name)} 无法计算：{_esc(message_zh(exc))}</div>'
                return
            names.append(name)
        b = self.baseline.result
        cols = [BASELINE, *names]
        rows = []
        for g in b.grade_names:
            rows.append([f"月考核 {g}（人月）", *(_num(int(r.monthly_counts[g])) for r in (b, *results))])
        for g in b.grade_names:
            rows.append([f"学期考核 {g}（人次）", *(_num(int(r.semester_counts[g])) for r in (b, *results))])
        rows.append(["班主任津贴合计（元）", *(_num(r.allowance_total) for r in (b, *results))])
        rows.append(["聘任名额", *(_num(r.openings) for r in (b, *results))])
        rows.append(["拟聘任人员", *("、".join(r.appointed) or "无" for r in (b, *results))])
        caps = [int(r.quotas["senior_cap"].sum()) for r in (b, *results)]
        rows.append(["高级岗位上限合计（个）", *(_num(c) for c in caps)])
        pay = [c - caps[0] for c in caps]
        rows.append(["新增高级岗位年度薪酬差额（元，规划假设）",
                     *(_num(p * affected.pay_difference(r)) for p, r in zip(pay, (b, *results)))])
        rows.append(["已修改参数（项）", "0", *(_num(len(r.overrides)) for r in results)])
        self.html["compare"].value = ("<h3>情景比较</h3>" + _table(["项目", *map(_esc, cols)], rows, "sc-compare-table")
                                      + '<p class="sc-note">各列均按政策文件加上该情景的修改计算；基准为政策文件取值。</p>')

    # -- rendering ------------------------------------------------------------------------------------
    def _render(self) -> None:
        r = self.result
        self._render_overrides()
        self._render_marks()
        self._render_code_info()
        self._render_follow()
        self.html["appraisal"].value = self._appraisal_html(r)
        self.html["recruitment"].value = self._recruit_html(r)
        self.html["quotas"].value = self._quota_html(r)
        self.affected = affected.everything(self.baseline, r)
        units = sorted(set(self.affected["按单位"]["单位"]))
        keep = self.unit_filter.value
        self.unit_filter.options = [("全部单位", "")] + [(u, u) for u in units]
        self.unit_filter.value = keep if keep in units else ""
        self._render_affected()
        self.download_html.value = ""
        if self.chart_enabled:
            self._draw_charts(r)

    def _render_marks(self) -> None:
        for tab in TABS:
            keys = [k for k in self.refused if self.controls[k].tab == tab]
            box = self.html[f"stale_{tab}"]
            if keys:
                names = "、".join(self.controls[k].label for k in keys)
                box.value = (f'<div class="sc-stale-box sc-stale-{tab}"><b>未更新</b>：以下结果仍按已应用的设置计算；'
                             f"{_esc(names)} 的输入未应用（原因见输入框旁）。</div>")
            else:
                box.value = ""

    def _render_follow(self) -> None:
        for tab, path in (("appraisal", "appraisal.composite_weights"), ("recruitment", "recruitment.review.weights")):
            keys, labels = WEIGHT_GROUPS[path]
            v = self._applied(f"{path}.{keys[2]}")
            self.html[f"follow_{tab}"].value = (f'<div class="sc-ctl-label">{labels[2]}（自动 = 1 − 前两项）：'
                                                f'<b>{_span("sc-follow-value", fmt(v))}</b></div>')
        sums = sum(self._applied(f"appraisal.sections.{s}.max") for s in scoring.sections(self.policy)["section"])
        base_sum = float(scoring.sections(self.policy)["section_max"].sum())
        warn = "sc-warn" if sums != base_sum else "sc-note"
        self.html["sections_note"].value = (f'<p class="{warn}">各部分满分合计 {_span("sc-sections-sum", fmt(sums))} 分'
                                            f"（政策文件为 {fmt(base_sum)} 分）"
                                            f"{'：满分改变后，等次分数线是否相应调整请一并考虑' if sums != base_sum else ''}。</p>")
        allm = [p for p, _ in RECRUITMENT_MAXIMA] + [p for p, _ in BOUND_ONLY_MAXIMA]
        total = sum(self._applied(p) for p in allm)
        base_total = sum(self.policy.get(p) for p in allm)
        bound = "、".join(f"{lab} {fmt(self.policy.get(p))} 分" for p, lab in BOUND_ONLY_MAXIMA)
        warn = "sc-warn" if total != base_total else "sc-note"
        self.html["maxima_note"].value = (
            f'<p class="sc-note">{bound}为评委直接给出的分数，满分只限定可录入的范围，改变它不会改变任何得分，'
            f'因此不在此调整。</p><p class="{warn}">各项满分合计 {_span("sc-maxima-sum", fmt(total))} 分'
            f"（政策文件为 {fmt(base_total)} 分）{'，总分的满分随之改变' if total != base_total else ''}。</p>")

    def _render_code_info(self) -> None:
        path = self.code_select.value
        base, now = self.policy.get(path), self._applied(path)
        self.html["code_info"].value = (f'<div class="sc-note" style="white-space: normal; width: 310px">'
                                        f"{_esc(self._code_text.get(path, ''))}<br>基准 {fmt(base)} 分；"
                                        f'当前 {_span("sc-code-current", fmt(now))} 分</div>')

    def _label_of(self, path: str) -> str:
        """Chinese label of an overridden parameter: its control's label, else one made from the path."""
        for key, c in self.controls.items():
            if key == path:
                return c.label
        m = re.match(r"^appraisal\.(bonus|deduction)\.([^.]+)\.(points|forfeits_allowance)$", path)
        if m:
            kind = "加分" if m.group(1) == "bonus" else "减分"
            return f"{kind}项目 {m.group(2)}" + ("每次分值（分）" if m.group(3) == "points" else "是否扣除当月津贴")
        for group, (keys, labels) in WEIGHT_GROUPS.items():
            for k, lab in zip(keys, labels):
                if path == f"{group}.{k}":
                    return lab
        prm = self.policy.param(path)
        return prm.reading_zh or prm.text or "其他参数"

    def _where(self, path: str) -> str:
        prm = self.policy.param(path)
        if prm.document == "spec" or prm.assumption:
            return "规划假设"
        title = next((d.title for d in self.policy.sources.values() if d.id == prm.document), prm.document)
        return f"{title} {prm.clause}"

    def settings_rows(self) -> list[tuple[str, str, str, str]]:
        """(label, document and clause, baseline value, applied value) of every applied change."""
        rows = []
        for path, v in self.setting.overrides.items():
            try:
                rows.append((self._label_of(path), self._where(path), _value_zh(self.policy.get(path)), _value_zh(v)))
            except (KeyError, PolicyError):
                rows.append(("其他参数", "", "", _value_zh(v)))
        if self.setting.openings is not None and self.setting.openings != self.baseline.openings:
            rows.append(("聘任名额（人）", "本轮聘任人数", fmt(self.baseline.openings), fmt(self.setting.openings)))
        for c, v in self.setting.adjustment.items():
            rows.append((f"{CATEGORY_ZH.get(c, c)}比例浮动", self._where("quotas.adjustment_limit"), "0", fmt(v)))
        return rows

    def _settings_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.settings_rows(), columns=["参数", "依据", "基准值", "情景值"])

    def _render_overrides(self) -> None:
        rows = self.settings_rows()
        if not rows:
            self.html["overrides"].value = '<p class="sc-note sc-overrides-none">当前为基准设置（全部参数取政策文件的值）。</p>'
            return
        self.html["overrides"].value = (f"<p>已修改 {_span('sc-override-count', len(rows))} 项（已应用）：</p>"
                                        + _table(["参数", "依据", "基准值", "情景值"],
                                                 [[_esc(x) for x in r] for r in rows], "sc-overrides", text_cols=2))

    def _distribution(self, kind: str, base: pd.Series, new: pd.Series, unit: str) -> str:
        rows = []
        tb, tn = int(base.sum()), int(new.sum())
        for i, g in enumerate(new.index):
            key = grade_key(g, len(new) - 1 - i)
            b, n = int(base[g]), int(new[g])
            # plain digits (no separators): scripts read these figures (benchmarks/whatif_page.py)
            rows.append([_esc(g), _span(f"sc-{kind}-{key}-base", b), _span(f"sc-{kind}-{key}-count", n),
                         _delta(n, b, f"sc-{kind}-{key}-delta"), f"{100 * b / tb:.1f}%" if tb else "—",
                         f"{100 * n / tn:.1f}%" if tn else "—"])
        return _table(["等次", f"基准（{unit}）", f"情景（{unit}）", "变化", "基准占比", "情景占比"], rows,
                      f"sc-{kind}-distribution")

    def _appraisal_html(self, r: scenario.Result) -> str:
        b = self.baseline.result
        m, s = r.monthly_changes, r.semester_changes
        m_n = 0 if m is None else len(m)
        s_n = 0 if s is None else len(s)
        m_t = 0 if m is None or m.empty else m["staff_id"].nunique()
        s_t = 0 if s is None or s.empty else s["staff_id"].nunique()
        return "".join([
            "<h3>月考核等次分布（人月）</h3>",
            self._distribution("monthly", b.monthly_counts, r.monthly_counts, "人月"),
            f'<p>等次变化：{_span("sc-monthly-changed-count", m_n)} 条月考核，涉及 '
            f'{_span("sc-monthly-changed-teachers", m_t)} 名班主任（名单与原因见“受影响名单”）。</p>',
            f'<p>班主任津贴合计（规划假设金额）：基准 {_span("sc-allowance-base", _num(b.allowance_total))} 元，'
            f'情景 {_span("sc-allowance", _num(r.allowance_total))} 元，变化 '
            f'{_delta(r.allowance_total, b.allowance_total, "sc-allowance-delta")} 元。</p>',
            "<h3>学期考核等次分布（人次）</h3>",
            '<p class="sc-note">自评、学生测评、学院测评加权；'
            "直接定为优秀或不合格的情形（第六、七条）不随权重和分数线变化。</p>",
            self._distribution("semester", b.semester_counts, r.semester_counts, "人次"),
            f'<p>等次变化：{_span("sc-semester-changed-count", s_n)} 人次，涉及 '
            f'{_span("sc-semester-changed-teachers", s_t)} 名班主任。</p>',
        ])

    def _recruit_html(self, r: scenario.Result) -> str:
        b = self.baseline.result.recruitment.set_index("candidate_id")
        s = r.recruitment.set_index("candidate_id")
        crossed = r.crossed if r.crossed is not None else pd.DataFrame(columns=["candidate_id", "appointed"])
        came_in = list(crossed.loc[crossed["appointed"].astype(bool), "candidate_id"])
        went_out = list(crossed.loc[~crossed["appointed"].astype(bool), "candidate_id"])
        head = (f'<p>聘任名额 {_span("sc-recruit-openings", r.openings)} 人；拟聘任：基准 '
                f'{_span("sc-recruit-appointed-base", int(b["appointed"].sum()))} 人，情景 '
                f'{_span("sc-recruit-appointed", int(s["appointed"].sum()))} 人。越过聘任线 '
                f'{_span("sc-recruit-crossed-count", len(crossed))} 人：新进入 '
                f'{_span("sc-recruit-in", "、".join(came_in) or "无")}；退出 '
                f'{_span("sc-recruit-out", "、".join(went_out) or "无")}。</p>')
        if s["tie_at_line"].any():
            head += '<p class="sc-down">聘任线上存在无法区分的同分，须由聘任领导小组决定（六.7）。</p>'
        ranked = s[s["total"].notna()].sort_values("rank_order")
        status_s = dict(zip(r.recruitment["candidate_id"], affected._status(r.recruitment)))
        status_b = dict(zip(self.baseline.result.recruitment["candidate_id"],
                            affected._status(self.baseline.result.recruitment)))
        rows, row_cls = [], []
        openings = int(r.openings)
        for cid, rec in ranked.iterrows():
            bo = b.loc[cid]
            moved = ""
            if bool(rec["appointed"]) != bool(bo["appointed"]):
                moved = '<span class="sc-up">进入聘任线</span>' if rec["appointed"] else \
                    '<span class="sc-down">退出聘任线</span>'
            rows.append([_esc(cid), _num(bo["total"]), _num(rec["total"]), _num(bo["rank_order"]),
                         _num(rec["rank_order"]), status_b[cid], status_s[cid], moved])
            row_cls.append("sc-line" if openings and rec["rank_order"] == openings else "")
        table = _table(["报名号", "基准总分", "情景总分", "基准排序", "情景排序", "基准结果", "情景结果", "变化"], rows,
                       "sc-ranking", row_classes=row_cls)
        excluded = s[s["total"].isna()]
        note = ""
        if len(excluded):
            note = '<p class="sc-note">未参与排名：' + "；".join(
                f"{_esc(c)}（{_esc(x)}）" for c, x in excluded["excluded_reason"].items()) + "</p>"
        return ("<h3>竞聘总分排名与聘任线（红线以上拟聘任）</h3>" + head
                + f'<div class="sc-scroll">{table}</div>' + note)

    def _quota_html(self, r: scenario.Result) -> str:
        b = self.baseline.result.quotas
        s = r.quotas
        rows = []
        for cat in sorted(set(s["category"])):
            sb, ss = b[b["category"] == cat], s[s["category"] == cat]
            rows.append(self._quota_row(_esc(CATEGORY_ZH.get(cat, cat)), sb, ss, f"-{cat}"))
        rows.append(self._quota_row("合计", b, s, "-total"))
        head = ["类别", "学科数", "编制", "高级在岗", "基准上限", "情景上限", "变化", "基准空额", "情景空额",
                "基准超岗学科", "情景超岗学科"]
        summary = _table(head, rows, "sc-quota-summary")
        m = affected.money(self.baseline, r)
        posts, pay = m.attrs["extra_posts"], m.attrs["pay_difference"]
        money = (f'<p>高级岗位上限合计变化 {_delta(posts, 0, "sc-quota-extra-posts")} 个；按每个新增岗位年度薪酬差额 '
                 f"{_num(pay)} 元（规划假设）计，年度薪酬变化 "
                 f'{_delta(posts * pay, 0, "sc-quota-extra-cost")} 元。</p>')
        ch = r.quota_changes
        n = 0 if ch is None else len(ch)
        detail = f'<p>上限或空额变化的学科：{_span("sc-quota-changed-count", n)} 个（名单见“受影响名单”）。</p>'
        adj = "；".join(f"{CATEGORY_ZH.get(c, c)} {fmt(v)}" for c, v in r.adjustment.items()) or "无"
        note = ('<p class="sc-note">上限 = 编制 × 比例（向下取整，按精确有理数计算）；空额为负即超岗。'
                f"学校调节浮动：{_esc(adj)}。</p>")
        return "<h3>各类学科高级岗位上限与空额</h3>" + f'<div class="sc-scroll">{summary}</div>' + money + detail + note

    @staticmethod
    def _quota_row(label: str, b: pd.DataFrame, s: pd.DataFrame, suffix: str) -> list[str]:
        cap_b, cap_s = int(b["senior_cap"].sum()), int(s["senior_cap"].sum())
        vac_b, vac_s = int(b["vacancy_senior"].sum()), int(s["vacancy_senior"].sum())
        over_b, over_s = int(b["over_quota"].sum()), int(s["over_quota"].sum())
        return [label, _num(len(s)), _num(int(s["establishment"].sum())), _num(int(s["occupied_senior"].sum())),
                _span(f"sc-quota-cap{suffix}-base", _num(cap_b)), _span(f"sc-quota-cap{suffix}", _num(cap_s)),
                _delta(cap_s, cap_b, f"sc-quota-cap{suffix}-delta"),
                _span(f"sc-quota-vacancy{suffix}-base", _num(vac_b)), _span(f"sc-quota-vacancy{suffix}", _num(vac_s)),
                _span(f"sc-quota-over{suffix}-base", _num(over_b)), _span(f"sc-quota-over{suffix}", _num(over_s))]

    def _render_affected(self) -> None:
        a = self.affected
        if not a:
            return
        unit = self.unit_filter.value

        def only(df):
            return df[df["单位"] == unit] if unit and "单位" in df.columns else df

        money = a["金额"]
        mrows = [[_esc(r["项目"]), _num(r["基准"]), _num(r["情景"]), _delta(r["情景"], r["基准"], f"sc-money-{i}-delta")]
                 for i, r in money.iterrows()]
        months, sems, discs = only(a["班主任（月考核）"]), only(a["班主任（学期）"]), only(a["学科"])
        cands = a["竞聘人员"]
        teachers = len(set(months["工号"]) | set(sems["工号"]))
        parts = [
            "<h3>金额影响</h3>", _table(["项目", "基准", "情景", "变化"], mrows, "sc-money"),
            f'<p class="sc-note">各等次津贴金额为规划假设（考核办法未规定金额）；新增岗位薪酬按每个新增'
            f"高级岗位年度薪酬差额 {_num(money.attrs['pay_difference'])} 元计，为规划假设。</p>",
            "<h3>按单位汇总</h3>", frame_html(a["按单位"], "sc-by-unit"),
            f'<h3>受影响的班主任：{_span("sc-affected-teachers", teachers)} 人'
            f'（月考核 {_span("sc-affected-months", len(months))} 条，学期 {_span("sc-affected-semesters", len(sems))} 条）</h3>',
            frame_html(months, "sc-affected-months-table", 3), frame_html(sems, "sc-affected-semesters-table", 3),
            f'<h3>受影响的竞聘人员：{_span("sc-affected-candidates", len(cands))} 人</h3>',
            frame_html(cands, "sc-affected-candidates-table"),
            f'<h3>上限、划分或空额变化的学科：{_span("sc-affected-disciplines", len(discs))} 个</h3>',
            frame_html(discs, "sc-affected-disciplines-table", 4),
        ]
        if unit:
            parts.insert(0, f'<p class="sc-note">已按单位筛选：{_esc(unit)}（竞聘人员不分单位，全部列出）。</p>')
        self.html["affected"].value = "".join(parts)

    # -- charts ---------------------------------------------------------------------------------------
    def _draw_charts(self, r: scenario.Result) -> None:
        """Redraw the charts whose figures changed (:mod:`staffcalc.whatif_charts`, inline SVG)."""
        keys = {"appraisal": (tuple(r.monthly_counts), tuple(r.semester_counts)),
                "recruitment": (tuple(r.recruitment["total"].fillna(-1)), r.openings),
                "quotas": tuple(r.quotas["senior_cap"])}
        for k, key in keys.items():
            if self._chart_keys.get(k) != key:
                self.charts[k].value = whatif_charts.CHARTS[k](r, self.baseline.result)
                self._chart_keys[k] = key

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


class SharedLooks:
    """``ipywidgets`` for building the page, with one layout and one style object per look.

    Every widget has a layout and most a style, each a widget of its own: the page had 612 widget
    models, 380 of them layouts and styles, most of them default or alike.  Each model is created
    in the kernel, sent to the page and built there before the page shows anything.  Here a widget
    created without a layout or style gets the one shared default of its kind, and ``Layout(...)``
    with the same settings returns the same object (ipywidgets lets widgets share them).  The page
    never changes a widget's layout or style after building it, so nothing changes for a reader.
    """

    def __init__(self, widgets):
        self._w = widgets
        self._shared: dict = {}

    def _one(self, cls, **kwargs):
        key = (cls, tuple(sorted(kwargs.items())))
        if key not in self._shared:
            self._shared[key] = cls(**kwargs)
        return self._shared[key]

    def Layout(self, **kwargs):  # noqa: N802 - ipywidgets' name
        return self._one(self._w.Layout, **kwargs)

    def __getattr__(self, name: str):
        cls = getattr(self._w, name)
        if not (isinstance(cls, type) and issubclass(cls, self._w.DOMWidget)):
            return cls
        style = cls.class_traits().get("style")

        def make(*args, **kwargs):
            kwargs.setdefault("layout", self.Layout())
            if style is not None and "style" not in kwargs:
                kwargs["style"] = self._one(style.klass)
            return cls(*args, **kwargs)

        return make


def _blank_tooltips(widget) -> None:
    """An empty tooltip where none was given: ipywidgets writes a missing one as the text "null"."""
    if getattr(widget, "tooltip", "") is None:
        widget.tooltip = ""
    for child in getattr(widget, "children", ()):
        _blank_tooltips(child)


def build(data_dir: str | os.PathLike = "../data", as_of: str = scenario.DEFAULT_AS_OF,
          openings: int = scenario.DEFAULT_OPENINGS, out_dir: str | os.PathLike = ".", overrides_file: str = "",
          chart: bool = True) -> WhatIfApp:
    """Load the data once and build the page (what the notebook calls).

    ``$STAFFCALC_WHATIF_DATA`` / ``$STAFFCALC_WHATIF_OUT`` (set by ``staffcalc whatif``) take
    precedence over ``data_dir`` / ``out_dir``.  ``overrides_file``: start from a what-if file
    (as the page exports it); the baseline stays the policy files.
    """
    baseline = whatif_baseline.load(data_dir_from_env(data_dir), as_of, openings)  # the launcher's, if it has one
    app = WhatIfApp(baseline, out_dir=out_dir_from_env(out_dir), chart=chart)
    if overrides_file:
        app.load_file(overrides_file)
    return app


__all__ = ["WhatIfApp", "Control", "build", "css_class", "message_zh", "serve", "notebook_path", "voila_command",
           "data_dir_from_env", "out_dir_from_env", "ENV_DATA", "ENV_OUT"]
