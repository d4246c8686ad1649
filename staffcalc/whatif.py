"""The what-if page: ipywidgets controls over the scoring and post-quota parameters (issue 7).

``notebooks/whatif_scoring.ipynb`` calls :func:`build` and displays the app; ``staffcalc whatif``
(:func:`serve`) serves that notebook with Voila on 127.0.0.1.  The figures come from
:mod:`staffcalc.scenario` (loaded once, recomputed in milliseconds); this module only draws.

What a planner can move (each control is a policy override ``{"dotted.path": value}``, except the
two marked *not policy*):

* 月考核 (P5 §3–§4): each rubric section's maximum and per-item deduction, the points of any bonus or
  deduction code (a code selector + a value), the grade cut-offs 优秀/良好/合格;
* 学期考核 (P5 §5): the 20/30/50 weights of self-assessment, student and college ratings;
* 竞聘 (P4 六): each component's maximum, the 35/35/30 review weights, and the number of openings
  (*not policy*: the ``openings`` parameter of the appraisal report);
* 岗位 (P6 §9): the senior-post ratio per discipline category, the full-senior share (planning
  assumption) and the §9 float per category (*not policy*: the ``adjustment`` parameter of the
  post-quota report).

Every change recomputes through observers (sliders update on release: ``continuous_update=False``)
and shows, beside the baseline: the grade distribution and the teachers whose grade changes, the
ranking and who crosses the appointment line, the caps and vacancies per discipline.  A setting the
policy rejects shows the PolicyError (or input error) text in the page, never a traceback.  The
export button writes the override file ``staffcalc report --override FILE`` takes.  No names are
shown: staff_id and candidate_id only.

Stable CSS classes for scripts and the browser test: controls carry ``css_class(path)`` (e.g.
``sc-p-appraisal-grade_bands-excellent``); figures are ``<span>`` elements such as
``sc-monthly-excellent-count`` (scenario), ``sc-monthly-excellent-base`` (baseline),
``sc-semester-good-count``, ``sc-monthly-changed-count``, ``sc-recruit-crossed-count``,
``sc-quota-cap-total``; the error box is ``sc-error``, the export path ``sc-export-path``.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from . import policy as policy_mod
from . import scenario, scoring
from .scenario import GRADE_KEYS, grade_key
from .whatif_server import ENV_DATA, ENV_OUT, notebook_path, serve, voila_command  # the launcher (light module)

SHOWN_ROWS = 20  # rows of a change list shown in the page (the counts cover all)

RECRUITMENT_MAXIMA = (  # (path, label)
    ("recruitment.self_report.max", "自主申报满分（六.1）"),
    ("recruitment.review.max", "述职评议满分（六.2）"),
    ("recruitment.achievements.max", "政绩考核满分（六.3）"),
    ("recruitment.conduct.max", "日常表现满分（六.4）"),
    ("recruitment.exam.max", "理论考试满分（六.5）"),
    ("recruitment.onsite.talk_max", "说课满分（六.6）"),
    ("recruitment.onsite.defence_max", "答辩满分（六.6）"),
)
REVIEW_WEIGHTS = (("panel", "评聘小组权重"), ("teachers", "全体教师权重"), ("parents", "家长权重"))
COMPOSITE_WEIGHTS = (("self", "自我评价权重"), ("student", "学生测评权重"), ("college", "学院测评权重"))
CATEGORY_ZH = {"A": "A 类学科", "B": "B 类学科", "C": "C 类学科"}

CSS = """
<style>
.sc-page {font-size: 13px;}
.sc-table {border-collapse: collapse; margin: 4px 0 10px 0;}
.sc-table th, .sc-table td {border: 1px solid #ccc; padding: 2px 6px; text-align: right;}
.sc-table th {background: #f3f3f3;}
.sc-table td.sc-text, .sc-table th.sc-text {text-align: left;}
.sc-up {color: #1b7a2f;} .sc-down {color: #b3261e;}
.sc-error {background: #fdecea; color: #b3261e; border: 1px solid #f5c2c0; padding: 6px 10px; margin: 4px 0;
           white-space: pre-wrap;}
.sc-stale {color: #8a6d3b;}
.sc-line td {border-bottom: 3px solid #b3261e;}
.sc-note {color: #555;}
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
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "—"
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.{digits}f}"


def _delta(new, old, cls: str = "") -> str:
    d = new - old
    if d == 0:
        return f'<span class="{cls}">0</span>'
    sign = "sc-up" if d > 0 else "sc-down"
    text = f"+{_num(d)}" if d > 0 else _num(d)
    return f'<span class="{cls} {sign}">{_esc(text)}</span>'


def _table(head: list[str], rows: list[list[str]], cls: str = "", text_cols: int = 1, row_classes=None) -> str:
    th = "".join(f'<th class="{"sc-text" if i < text_cols else ""}">{h}</th>' for i, h in enumerate(head))
    body = []
    for r_i, row in enumerate(rows):
        rc = f' class="{row_classes[r_i]}"' if row_classes and row_classes[r_i] else ""
        tds = "".join(f'<td class="{"sc-text" if i < text_cols else ""}">{c}</td>' for i, c in enumerate(row))
        body.append(f"<tr{rc}>{tds}</tr>")
    return f'<table class="sc-table {cls}"><thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def data_dir_from_env(default: str | os.PathLike) -> str:
    """The data folder: ``$STAFFCALC_WHATIF_DATA`` (set by ``staffcalc whatif --data``) or ``default``."""
    return os.environ.get(ENV_DATA) or str(default)


def out_dir_from_env(default: str | os.PathLike) -> str:
    """Where the export button writes: ``$STAFFCALC_WHATIF_OUT`` (set by ``staffcalc whatif``) or ``default``."""
    return os.environ.get(ENV_OUT) or str(default)


# --------------------------------------------------------------------------------------------
# The app
# --------------------------------------------------------------------------------------------
class WhatIfApp:
    """The widget tree (``app.widget``) and its state: overrides, openings, the §9 float.

    ``controls`` maps each policy path (and ``"openings"``, ``"adjustment.<category>"``,
    ``"code"``/``"code_points"`` for the catalogue selector) to its widget; setting a widget's
    ``value`` recomputes as a user's change would.  ``result`` is the last valid
    :class:`staffcalc.scenario.Result`; ``error`` the message of the last rejected setting (or "").
    """

    def __init__(self, baseline: scenario.Baseline, out_dir: str | os.PathLike = ".", chart: bool = True,
                 initial: Mapping[str, Any] | None = None):
        import ipywidgets as w

        self.w = w
        self.baseline = baseline
        self.out_dir = Path(out_dir)
        self.chart_enabled = chart
        self.overrides: dict[str, Any] = {}
        self.fixed: dict[str, Any] = {}  # overrides from a file with no control on the page
        self.openings = baseline.openings
        self.adjustment: dict[str, float] = {}
        self.controls: dict[str, Any] = {}
        self.result: scenario.Result | None = baseline.result
        self.error = ""
        self.exported: Path | None = None
        self._syncing = False
        self._last_chart_key = None

        pol = baseline.policy
        self.status = w.HTML()
        self.status.add_class("sc-status")
        self.error_box = w.HTML()
        self.error_box.add_class("sc-error-box")
        self.overrides_html = w.HTML()
        self.overrides_html.add_class("sc-overrides-box")
        self.export_html = w.HTML()
        self.export_html.add_class("sc-export-box")
        self.appraisal_html = w.HTML()
        self.appraisal_html.add_class("sc-appraisal-box")
        self.changes_html = w.HTML()
        self.changes_html.add_class("sc-changes-box")
        self.recruit_html = w.HTML()
        self.recruit_html.add_class("sc-recruit-box")
        self.quota_html = w.HTML()
        self.quota_html.add_class("sc-quota-box")
        self.chart = w.Output()
        self.chart.add_class("sc-chart")

        export = w.Button(description="导出覆盖文件", button_style="primary",
                          tooltip="写出 staffcalc report --override 可用的 YAML 文件")
        export.add_class("sc-export")
        export.on_click(self.export)
        reset = w.Button(description="恢复基准", tooltip="所有参数恢复为政策文件的取值")
        reset.add_class("sc-reset")
        reset.on_click(self.reset)
        self.export_button, self.reset_button = export, reset

        tab = w.Tab(children=[
            self._row(self._appraisal_controls(pol), w.VBox([self.appraisal_html, self.chart, self.changes_html])),
            self._row(self._recruitment_controls(pol), self.recruit_html),
            self._row(self._quota_controls(pol), self.quota_html),
        ])
        tab.titles = ("班主任考核（P5）", "班主任竞聘（P4）", "岗位设置（P6）")
        tab.add_class("sc-tabs")
        self.tabs = tab
        title = w.HTML(
            CSS + f'<p class="sc-note">数据：{_esc(baseline.teacher_count)} 名班主任，'
            f"{len(baseline.tables['appraisal_items']):,} 条月考核记录，"
            f"{len(baseline.tables['recruitment_candidates'])} 名竞聘人员，"
            f"{len(baseline.tables['disciplines'])} 个学科；政策生效日期 {pol.as_of.isoformat()}。"
            "拖动滑块（松开后计算）或选择参数，结果与基准（政策文件取值）并列显示；"
            "仅显示工号/报名号，不显示姓名。</p>")
        self.widget = w.VBox([title, self.status, self.error_box, w.HBox([export, reset]), self.export_html,
                              self.overrides_html, tab])
        self.widget.add_class("sc-page")
        if initial:
            self.apply_overrides(initial)
        else:
            self.update()

    # -- layout helpers ---------------------------------------------------------------------
    def _row(self, controls, results):
        w = self.w
        left = w.VBox(controls, layout=w.Layout(width="430px", flex="0 0 430px"))
        right = w.VBox([results], layout=w.Layout(flex="1 1 auto", overflow="auto"))
        return w.HBox([left, right])

    def _slider(self, path: str, label: str, value, lo, hi, step=None, kind="int", key: str | None = None):
        w = self.w
        style = {"description_width": "200px"}
        layout = w.Layout(width="420px")
        if kind == "int":
            ctl = w.IntSlider(value=int(value), min=int(lo), max=int(hi), step=int(step or 1), description=label,
                              continuous_update=False, style=style, layout=layout)
        else:
            ctl = w.FloatSlider(value=float(value), min=float(lo), max=float(hi), step=float(step or 0.01),
                                description=label, continuous_update=False, readout_format=".2f", style=style,
                                layout=layout)
        key = key or path
        ctl.add_class(css_class(key))
        ctl.observe(lambda change, key=key: self._changed(key, change["new"]), names="value")
        self.controls[key] = ctl
        return ctl

    def _heading(self, text: str):
        return self.w.HTML(f"<b>{text}</b>")

    # -- controls ------------------------------------------------------------------------------
    def _appraisal_controls(self, pol):
        w = self.w
        out = [self._heading("月考核各部分（P5 第四条）：满分与每项不合格扣分")]
        secs = scoring.sections(pol)
        for s in secs.itertuples(index=False):
            label = _section_label(s.section)
            out.append(self._slider(f"appraisal.sections.{s.section}.max", f"{label} 满分", s.section_max, 0,
                                    max(40, 2 * s.section_max)))
            out.append(self._slider(f"appraisal.sections.{s.section}.per_item", f"{label} 每项扣分", s.per_item, 0,
                                    max(20, 2 * s.per_item)))
        out.append(self._heading("加分、减分项目（第四条（四）（五））：每次分值"))
        cat = scoring.catalogue(pol)
        options = [(f"{'加' if r.code_kind == 'bonus' else '减'} {r.code} {r.text[:18]}",
                    f"appraisal.{r.code_kind}.{r.code}.points") for r in cat.itertuples(index=False)]
        select = w.Dropdown(options=options, value=options[0][1], description="项目",
                            style={"description_width": "60px"},
                            layout=w.Layout(width="420px"))
        select.add_class("sc-code-select")
        first = pol.get(options[0][1])
        points = w.IntSlider(value=int(first), min=0, max=max(60, 2 * int(cat["code_points"].max())),
                             description="每次分值", continuous_update=False, style={"description_width": "200px"},
                             layout=w.Layout(width="420px"))
        points.add_class("sc-code-points")
        select.observe(self._code_selected, names="value")
        points.observe(lambda change: self._changed(select.value, change["new"]), names="value")
        self.controls["code"], self.controls["code_points"] = select, points
        out += [select, points]
        out.append(self._heading("等次分数线（第三条，含本数）"))
        bands = scoring.grade_bands(pol)
        for g, bound in bands.items():
            if np.isfinite(bound):
                out.append(self._slider(f"appraisal.grade_bands.{g}", f"{g} 不低于", bound, 0, 100))
        out.append(self._heading("学期考核权重（第五条，合计须为 1）"))
        weights = pol.get("appraisal.composite_weights")
        for key, label in COMPOSITE_WEIGHTS:
            out.append(self._slider(f"appraisal.composite_weights.{key}", label, weights[key], 0, 1, 0.05, "float"))
        return out

    def _recruitment_controls(self, pol):
        out = [self._heading("各项满分（P4 六）")]
        for path, label in RECRUITMENT_MAXIMA:
            v = pol.get(path)
            out.append(self._slider(path, label, v, 0, max(100, 2 * v)))
        out.append(self._heading("述职评议权重（六.2，合计须为 1）"))
        weights = pol.get("recruitment.review.weights")
        for key, label in REVIEW_WEIGHTS:
            out.append(self._slider(f"recruitment.review.weights.{key}", label, weights[key], 0, 1, 0.05, "float"))
        out.append(self._heading("聘任名额（报告参数 openings，非政策参数）"))
        n = len(self.baseline.tables["recruitment_candidates"])
        out.append(self._slider("openings", "聘任名额", self.openings, 0, max(n, int(self.openings)), key="openings"))
        return out

    def _quota_controls(self, pol):
        out = [self._heading("高级岗位比例（P6 第九条）")]
        ratios = pol.get("quotas.senior_ratio")
        for c, r in ratios.items():
            out.append(self._slider(f"quotas.senior_ratio.{c}", f"{CATEGORY_ZH.get(c, c)} 高级岗位比例", r, 0, 1, 0.01,
                                    "float"))
        out.append(self._slider("quotas.full_senior_share", "正高占高级岗位比例（规划假设）",
                                pol.get("quotas.full_senior_share"), 0, 1, 0.05, "float"))
        limit = float(pol.get("quotas.adjustment_limit"))
        mode = "百分点" if pol.get("quotas.adjustment_mode") == "percentage_points" else "相对比例"
        out.append(self._heading(f"学校调节浮动（第九条，±{limit:g}，{mode}；报告参数 adjustment，非政策参数）"))
        for c in ratios:
            out.append(self._slider(f"adjustment.{c}", f"{CATEGORY_ZH.get(c, c)} 浮动", 0.0, -limit, limit, 0.01,
                                    "float", key=f"adjustment.{c}"))
        return out

    # -- state changes -------------------------------------------------------------------------
    def _code_selected(self, change):
        """Show the selected code's current (scenario) points without recomputing."""
        path = change["new"]
        value = self.all_overrides().get(path, self.baseline.policy.get(path))
        self._syncing = True
        try:
            self.controls["code_points"].value = int(value)
        finally:
            self._syncing = False

    def _changed(self, key: str, value):
        if self._syncing:
            return
        if key == "openings":
            self.openings = int(value)
        elif key.startswith("adjustment."):
            cat = key.split(".", 1)[1]
            self.adjustment[cat] = round(float(value), 2)
        else:
            if isinstance(value, float):
                value = round(value, 2)  # slider floats (0.35000000000000003) → the decimal shown
            if value == self.baseline.policy.get(key):
                self.overrides.pop(key, None)
            else:
                self.overrides[key] = value
        self.update()

    def all_overrides(self) -> dict[str, Any]:
        """The policy overrides of the current setting (file overrides without a control included)."""
        return {**self.fixed, **self.overrides}

    def apply_overrides(self, overrides: Mapping[str, Any]) -> None:
        """Start from an override file's values: controls move to them, the rest is kept as fixed."""
        self._syncing = True
        try:
            for path, value in overrides.items():
                if path == "variant":
                    continue
                ctl = self.controls.get(path)
                codes = [v for _, v in self.controls["code"].options]
                if ctl is not None:
                    _show_value(ctl, value)
                    self.overrides[path] = value  # the file's value: an invalid one shows its error
                elif path in codes:  # a bonus/deduction code: the selector shows it when chosen
                    self.overrides[path] = value
                    if self.controls["code"].value == path:
                        self.controls["code_points"].value = value
                else:
                    self.fixed[path] = value
        finally:
            self._syncing = False
        self.update()

    def reset(self, _=None) -> None:
        """Every control back to the policy files' values; recompute once."""
        pol = self.baseline.policy
        self._syncing = True
        try:
            for key, ctl in self.controls.items():
                if key == "openings":
                    ctl.value = int(self.baseline.openings)
                elif key.startswith("adjustment."):
                    ctl.value = 0.0
                elif key == "code":
                    continue
                elif key == "code_points":
                    ctl.value = int(pol.get(self.controls["code"].value))
                else:
                    ctl.value = pol.get(key)
        finally:
            self._syncing = False
        self.overrides, self.fixed, self.adjustment = {}, {}, {}
        self.openings = self.baseline.openings
        self.update()

    def update(self) -> None:
        """Recompute and redraw; a rejected setting shows its message and keeps the last results."""
        try:
            result = scenario.recompute(self.baseline, self.all_overrides(), openings=self.openings,
                                        adjustment=self.adjustment)
        except ValueError as exc:  # PolicyError, ScoringInputError, QuotaError: messages for people
            self.error = str(exc)
            kind = {"PolicyError": "政策参数设置无效", "ScoringInputError": "参数与数据不符",
                    "QuotaError": "岗位测算参数无效"}.get(type(exc).__name__, "设置无效")
            self.error_box.value = (f'<div class="sc-error"><b>{kind}：</b>{_esc(exc)}</div>'
                                    '<p class="sc-stale">下方结果仍为上一个有效设置；请调整参数。</p>')
            self._render_overrides()
            return
        self.error = ""
        self.error_box.value = ""
        self.result = result
        self._render(result)

    # -- export --------------------------------------------------------------------------------
    def export(self, _=None) -> Path | None:
        """Write the current overrides as a YAML file for ``staffcalc report --override``; show its path."""
        if self.error:
            self.export_html.value = '<div class="sc-error">当前设置无效，未导出。</div>'
            return None
        parameters = {}  # report-notebook parameters that are not policy (appraisal / post-quota notebooks)
        if self.openings != self.baseline.openings:
            parameters["openings"] = self.openings
        if any(self.adjustment.values()):
            parameters["adjustment"] = dict(self.adjustment)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        path = (self.out_dir / f"whatif-overrides-{stamp}.yaml").resolve()
        try:
            scenario.export_overrides(self.all_overrides(), path, policy=self.baseline.policy,
                                      parameters=parameters)
        except (ValueError, OSError) as exc:
            self.export_html.value = f'<div class="sc-error">导出失败：{_esc(exc)}</div>'
            return None
        self.exported = path
        empty = "（无覆盖参数：与政策文件相同）" if not self.all_overrides() else ""
        self.export_html.value = (
            f'<p>已导出覆盖文件{empty}：<code>{_span("sc-export-path", path)}</code><br>'
            f'生成报告：<code>staffcalc report --override {_esc(path)}</code></p>')
        return path

    # -- rendering -----------------------------------------------------------------------------
    def _render(self, r: scenario.Result) -> None:
        t = r.timings
        parts = "，".join(f"{zh} {t[k]:.1f}" for k, zh in (("monthly", "月考核"), ("semester", "学期"),
                                                            ("recruitment", "竞聘"), ("quotas", "岗位")) if t.get(k))
        ms = f"{t['total']:.1f}"
        self.status.value = (f'<p class="sc-note">重新计算用时 {_span("sc-recompute-ms", ms)} 毫秒'
                             f"{'（' + parts + '）' if parts else '（各部分均沿用上次结果）'}。</p>")
        self._render_overrides()
        self.appraisal_html.value, self.changes_html.value = self._appraisal_html(r)
        self.recruit_html.value = self._recruit_html(r)
        self.quota_html.value = self._quota_html(r)
        if self.chart_enabled:
            self._draw_chart(r)

    def _render_overrides(self) -> None:
        ov = self.all_overrides()
        pol = self.baseline.policy
        rows = []
        for k, v in ov.items():
            try:
                prm = pol.param(k)
                where, old = f"{prm.document} {prm.clause}", pol.get(k)
            except (KeyError, ValueError):  # an unknown path from a file: the error box says why
                where, old = "", ""
            rows.append([_esc(k), _esc(where), _esc(old), _esc(v)])
        if self.openings != self.baseline.openings:
            rows.append(["openings（聘任名额，报告参数）", "P4 六.7", _esc(self.baseline.openings),
                         _esc(self.openings)])
        for c, v in self.adjustment.items():
            if v:
                rows.append([f"adjustment.{_esc(c)}（比例浮动，报告参数）", "P6 §9", "0", _esc(v)])
        if not rows:
            self.overrides_html.value = '<p class="sc-note">当前为基准设置（全部参数取政策文件的值）。</p>'
            return
        self.overrides_html.value = (f"<p>已修改 {_span('sc-override-count', len(rows))} 项：</p>"
                                     + _table(["参数", "条款", "基准值", "情景值"], rows, "sc-overrides", text_cols=4))

    def _distribution(self, kind: str, base: pd.Series, new: pd.Series, unit: str) -> str:
        rows = []
        tb, tn = int(base.sum()), int(new.sum())
        for i, g in enumerate(new.index):
            key = grade_key(g, len(new) - 1 - i)
            b, n = int(base[g]), int(new[g])
            extra = " sc-excellent-count" if kind == "monthly" and key == "excellent" else ""
            rows.append([_esc(g), _span(f"sc-{kind}-{key}-base", b), _span(f"sc-{kind}-{key}-count{extra}", n),
                         _delta(n, b, f"sc-{kind}-{key}-delta"), f"{100 * b / tb:.1f}%" if tb else "—",
                         f"{100 * n / tn:.1f}%" if tn else "—"])
        return _table(["等次", f"基准（{unit}）", f"情景（{unit}）", "变化", "基准占比", "情景占比"], rows,
                      f"sc-{kind}-distribution")

    def _changes(self, kind: str, changes: pd.DataFrame, names: list[str], key_col: str, key_zh: str,
                 value_col: str, value_zh: str) -> str:
        if changes is None or changes.empty:
            return (f'<p>等次变化：{_span(f"sc-{kind}-changed-count", 0)} 条，'
                    f'{_span(f"sc-{kind}-changed-teachers", 0)} 名班主任。</p>')
        rank = {g: i for i, g in enumerate(names[::-1])}
        up = int((changes["grade"].map(rank) > changes["grade_base"].map(rank)).sum())
        down = len(changes) - up
        head = (f'<p>等次变化：{_span(f"sc-{kind}-changed-count", len(changes))} 条，涉及 '
                f'{_span(f"sc-{kind}-changed-teachers", changes["staff_id"].nunique())} 名班主任'
                f'（升等 {_span(f"sc-{kind}-up", up)}，降等 {_span(f"sc-{kind}-down", down)}）'
                f"{f'；下表列出前 {SHOWN_ROWS} 条' if len(changes) > SHOWN_ROWS else ''}。</p>")
        rows = []
        for rec in changes.head(SHOWN_ROWS).itertuples(index=False):
            d = rec._asdict()
            cls = "sc-up" if rank[d["grade"]] > rank[d["grade_base"]] else "sc-down"
            rows.append([_esc(d["staff_id"]), _esc(d[key_col]), _num(d[f"{value_col}_base"]), _num(d[value_col]),
                         _esc(d["grade_base"]), f'<span class="{cls}">{_esc(d["grade"])}</span>'])
        return head + _table(["工号", key_zh, f"基准{value_zh}", f"情景{value_zh}", "基准等次", "情景等次"], rows,
                             f"sc-{kind}-changes", text_cols=2)

    def _appraisal_html(self, r: scenario.Result) -> tuple[str, str]:
        """(distributions beside the baseline, lists of teachers whose grade changes)."""
        b = self.baseline.result
        allowance_b, allowance_n = b.allowance_total, r.allowance_total
        summary = "".join([
            "<h3>月考核等次分布（人月）</h3>",
            self._distribution("monthly", b.monthly_counts, r.monthly_counts, "人月"),
            f'<p>班主任津贴合计（规划假设金额）：基准 {_span("sc-allowance-base", f"{allowance_b:,.2f}")} 元，'
            f'情景 {_span("sc-allowance", f"{allowance_n:,.2f}")} 元。</p>',
            "<h3>学期考核等次分布（人次）</h3>",
            '<p class="sc-note">自评、学生测评、学院测评加权；'
            "直接定为优秀/不合格的情形（第六、七条）不随权重和分数线变化。</p>",
            self._distribution("semester", b.semester_counts, r.semester_counts, "人次"),
        ])
        changes = "".join([
            "<h3>月考核等次变化的班主任</h3>",
            self._changes("monthly", r.monthly_changes, r.grade_names, "period", "月份", "score", "得分"),
            "<h3>学期考核等次变化的班主任</h3>",
            self._changes("semester", r.semester_changes, r.grade_names, "semester", "学期", "composite", "综合分"),
        ])
        return summary, changes

    def _recruit_html(self, r: scenario.Result) -> str:
        b = self.baseline.result.recruitment.set_index("candidate_id")
        s = r.recruitment.set_index("candidate_id")
        crossed = r.crossed if r.crossed is not None else pd.DataFrame(columns=["candidate_id", "appointed"])
        came_in = list(crossed.loc[crossed["appointed"].astype(bool), "candidate_id"])
        went_out = list(crossed.loc[~crossed["appointed"].astype(bool), "candidate_id"])
        head = (f'<p>聘任名额 {_span("sc-recruit-openings", r.openings)}；拟聘任：基准 '
                f'{_span("sc-recruit-appointed-base", int(b["appointed"].sum()))} 人，情景 '
                f'{_span("sc-recruit-appointed", int(s["appointed"].sum()))} 人。越过聘任线 '
                f'{_span("sc-recruit-crossed-count", len(crossed))} 人：新进入 '
                f'{_span("sc-recruit-in", "、".join(came_in) or "无")}；退出 '
                f'{_span("sc-recruit-out", "、".join(went_out) or "无")}。</p>')
        if s["tie_at_line"].any():
            head += '<p class="sc-down">聘任线上存在无法区分的同分，须由聘任领导小组决定（六.7）。</p>'
        ranked = s[s["total"].notna()].sort_values("rank_order")
        rows, row_cls = [], []
        openings = int(r.openings) if not isinstance(r.openings, Mapping) else None
        for cid, rec in ranked.iterrows():
            bo = b.loc[cid]
            status = "拟聘任" if rec["appointed"] else (f"候补 {int(rec['waiting_list'])}"
                                                         if pd.notna(rec["waiting_list"]) else "未聘")
            status_b = "拟聘任" if bo["appointed"] else (f"候补 {int(bo['waiting_list'])}"
                                                          if pd.notna(bo["waiting_list"]) else "未聘")
            moved = ""
            if bool(rec["appointed"]) != bool(bo["appointed"]):
                moved = '<span class="sc-up">进入聘任线</span>' if rec["appointed"] else \
                    '<span class="sc-down">退出聘任线</span>'
            rows.append([_esc(cid), _num(bo["total"]), _num(rec["total"]), _num(bo["rank_order"]),
                         _num(rec["rank_order"]), status_b, status, moved])
            row_cls.append("sc-line" if openings and rec["rank_order"] == openings else "")
        table = _table(["报名号", "基准总分", "情景总分", "基准排序", "情景排序", "基准结果", "情景结果", "变化"], rows,
                       "sc-ranking", row_classes=row_cls)
        excluded = s[s["total"].isna()]
        note = ""
        if len(excluded):
            note = "<p class=\"sc-note\">未参与排名：" + "；".join(
                f"{_esc(c)}（{_esc(x)}）" for c, x in excluded["excluded_reason"].items()) + "</p>"
        return "<h3>竞聘总分排名与聘任线（红线以上拟聘任）</h3>" + head + table + note

    def _quota_html(self, r: scenario.Result) -> str:
        b = self.baseline.result.quotas
        s = r.quotas
        rows = []
        for cat in sorted(set(s["category"])):
            sb, ss = b[b["category"] == cat], s[s["category"] == cat]
            rows.append(self._quota_row(_esc(CATEGORY_ZH.get(cat, cat)), sb, ss, f"-{cat}"))
        rows.append(self._quota_row("合计", b, s, "-total"))
        head = ["类别", "学科数", "编制", "高级在岗", "基准高级上限", "情景高级上限", "变化", "基准高级空额",
                "情景高级空额", "基准超岗学科", "情景超岗学科"]
        summary = _table(head, rows, "sc-quota-summary")
        ch = r.quota_changes
        if ch is None or ch.empty:
            detail = f'<p>上限或空额变化的学科：{_span("sc-quota-changed-count", 0)} 个。</p>'
        else:
            detail = (f'<p>上限或空额变化的学科：{_span("sc-quota-changed-count", len(ch))} 个'
                      f"{f'（列出前 {SHOWN_ROWS} 个）' if len(ch) > SHOWN_ROWS else ''}。</p>")
            drows = []
            for rec in ch.head(SHOWN_ROWS).itertuples(index=False):
                d = rec._asdict()
                drows.append([_esc(d["discipline_id"]), _esc(d["discipline_name"]), _esc(d["category"]),
                              _num(d["establishment"]), _num(d["occupied_senior"]),
                              f"{_num(d['senior_cap_base'])} → {_num(d['senior_cap'])}",
                              f"{_num(d['full_cap_base'])} → {_num(d['full_cap'])}",
                              f"{_num(d['associate_cap_base'])} → {_num(d['associate_cap'])}",
                              f"{_num(d['vacancy_senior_base'])} → {_num(d['vacancy_senior'])}",
                              ("是" if d["over_quota"] else "否")])
            detail += _table(["学科代码", "学科名称", "类别", "编制", "高级在岗", "高级上限", "正高上限", "副高上限",
                              "高级空额", "情景超岗"], drows, "sc-quota-changes", text_cols=3)
        note = ('<p class="sc-note">上限 = 向下取整（编制 × 比例），按精确有理数计算；空额为负即超岗。'
                f"比例浮动：{_esc(r.adjustment or '无')}。</p>")
        return "<h3>各类学科高级岗位上限与空额</h3>" + summary + detail + note

    @staticmethod
    def _quota_row(label: str, b: pd.DataFrame, s: pd.DataFrame, suffix: str) -> list[str]:
        cap_b, cap_s = int(b["senior_cap"].sum()), int(s["senior_cap"].sum())
        vac_b, vac_s = int(b["vacancy_senior"].sum()), int(s["vacancy_senior"].sum())
        over_b, over_s = int(b["over_quota"].sum()), int(s["over_quota"].sum())
        return [label, _num(len(s)), _num(int(s["establishment"].sum())), _num(int(s["occupied_senior"].sum())),
                _span(f"sc-quota-cap{suffix}-base", cap_b), _span(f"sc-quota-cap{suffix}", cap_s),
                _delta(cap_s, cap_b, f"sc-quota-cap{suffix}-delta"),
                _span(f"sc-quota-vacancy{suffix}-base", vac_b), _span(f"sc-quota-vacancy{suffix}", vac_s),
                _span(f"sc-quota-over{suffix}-base", over_b), _span(f"sc-quota-over{suffix}", over_s)]

    def _draw_chart(self, r: scenario.Result) -> None:
        key = (tuple(r.monthly_counts), tuple(r.semester_counts))
        if key == self._last_chart_key:
            return
        self._last_chart_key = key
        import matplotlib.pyplot as plt
        from IPython.display import display

        from . import plots

        plots.setup_cjk_font()
        b = self.baseline.result
        fig, axes = plt.subplots(1, 2, figsize=(9, 3))
        for ax, (title, base, new) in zip(axes, (("月考核（人月）", b.monthly_counts, r.monthly_counts),
                                                 ("学期考核（人次）", b.semester_counts, r.semester_counts))):
            x = np.arange(len(new))
            ax.bar(x - 0.2, base.to_numpy(), width=0.4, label="基准", color="#9E9E9E")
            ax.bar(x + 0.2, new.to_numpy(), width=0.4, label="情景", color="#4C72B0")
            ax.set_xticks(x, list(new.index))
            ax.set_title(title)
        axes[0].legend(fontsize=8)
        fig.tight_layout()
        with self.chart:
            self.chart.clear_output(wait=True)
            display(fig)
        plt.close(fig)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def _show_value(ctl, value) -> None:
    """Move a slider to ``value``, widening its range if needed; leave it if the value is not a number."""
    from traitlets import TraitError

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    try:
        if hasattr(ctl, "max") and value > ctl.max:
            ctl.max = value
        if hasattr(ctl, "min") and value < ctl.min:
            ctl.min = value
        ctl.value = value
    except TraitError:
        pass


def _section_label(section: str) -> str:
    """Chinese name of a rubric section from the output labels (score_s2b → 学习指导得分 → 学习指导)."""
    from . import schemas

    label = schemas.LABELS.get(f"score_{section.lower()}", section)
    return f"{section} {label.removesuffix('得分')}"


def build(data_dir: str | os.PathLike = "../data", as_of: str = scenario.DEFAULT_AS_OF,
          openings: int = scenario.DEFAULT_OPENINGS, out_dir: str | os.PathLike = ".", overrides_file: str = "",
          chart: bool = True) -> WhatIfApp:
    """Load the data once and build the page (what the notebook calls).

    ``$STAFFCALC_WHATIF_DATA`` / ``$STAFFCALC_WHATIF_OUT`` (set by ``staffcalc whatif``) take
    precedence over ``data_dir`` / ``out_dir``.  ``overrides_file``: start from a what-if file's
    values (read with :func:`staffcalc.policy.load_overrides`); the baseline stays the policy files.
    """
    baseline = scenario.load_baseline(data_dir_from_env(data_dir), as_of, openings)
    initial = policy_mod.load_overrides(overrides_file) if overrides_file else None
    return WhatIfApp(baseline, out_dir=out_dir_from_env(out_dir), chart=chart, initial=initial)


__all__ = ["WhatIfApp", "build", "css_class", "serve", "notebook_path", "voila_command", "data_dir_from_env",
           "out_dir_from_env", "ENV_DATA", "ENV_OUT"]
