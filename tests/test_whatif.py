"""staffcalc.whatif: the widget page without a browser (issues 7, 16).

Entries are typed through ``app.enter(key, text)`` (what the text box's change does) and
widgets set by ``value`` as the front end does; the figures in the HTML (found by
their CSS classes) are checked against the public scoring functions for the same setting.
"""

from __future__ import annotations

import functools
import re

import nbformat
import pandas as pd
import papermill as pm
import pytest
import yaml
from conftest import DATA, NOTEBOOKS

from staffcalc import policy, quotas, scenario, scoring, whatif, whatif_charts
from staffcalc.io import read_tables
from staffcalc.whatif_input import Field, Refused, parse_number

AS_OF = "2026-09-01"


@functools.lru_cache(maxsize=1)
def tables():
    return read_tables(DATA, list(scenario.TABLE_KINDS))


@functools.lru_cache(maxsize=1)
def baseline():
    return scenario.from_tables(tables(), policy.load(AS_OF), openings=10)


@pytest.fixture
def app(tmp_path):
    return whatif.WhatIfApp(baseline(), out_dir=tmp_path, chart=False)


def span(html: str, cls: str) -> str:
    m = re.search(r'<span class="(?:[^"]*\s)?' + re.escape(cls) + r'(?:\s[^"]*)?">([^<]*)</span>', html)
    assert m, f"no <span class={cls}> in the page"
    return m.group(1)


def count(html: str, cls: str) -> int:
    return int(span(html, cls).replace(",", ""))


def pol_of(overrides):
    return policy.load(AS_OF).override(overrides) if overrides else policy.load(AS_OF)


def public_monthly(overrides):
    t = tables()
    return scoring.monthly_appraisal(t["appraisal_items"], t["appraisal_events"], pol_of(overrides))


def public_semester(overrides):
    return scoring.semester_grades(tables()["semester_ratings"], pol_of(overrides))


def public_quotas(overrides, adjustment=None):
    t = tables()
    return quotas.quota_table(t["disciplines"], t["staff"], pol_of(overrides), adjustment=adjustment)


def grade_counts(df):
    return df["grade"].astype(str).value_counts().to_dict()


def page_text(app) -> str:
    return "".join(h.value for h in app.html.values())


# --------------------------------------------------------------------------------------------
# Input as typed
# --------------------------------------------------------------------------------------------
def test_input_full_width_digits_and_percent_are_read():
    share, points = Field(0, 1, percent=True), Field(0, 100, integer=True)
    assert parse_number("８５", points) == 85 and isinstance(parse_number("８５", points), int)
    assert parse_number("０．３５", share) == 0.35
    assert parse_number("35%", share) == 0.35 and parse_number("３５％", share) == 0.35
    assert parse_number(" 0.1 ", share) == 0.1


@pytest.mark.parametrize("text, field, words", [
    ("-5", Field(0, 100, integer=True), "超出允许范围 0–100"),
    ("－５", Field(0, 100, integer=True), "超出允许范围 0–100"),
    ("101", Field(0, 100, integer=True), "超出允许范围 0–100"),
    ("88.5", Field(0, 100, integer=True), "须为整数"),
    ("abc", Field(0, 100), "不是数值"),
    ("", Field(0, 100), "请输入数值"),
    ("85%", Field(0, 100), "不能写 %"),
    ("120%", Field(0, 1, percent=True), "超出允许范围"),
    ("nan", Field(0, 100), "不是数值"),
])
def test_input_refused_with_the_allowed_range_never_clamped(text, field, words):
    with pytest.raises(Refused, match=words):
        parse_number(text, field)


def test_p5_s3_cutoff_typed_full_width_updates_distribution(app):
    assert app.enter("appraisal.grade_bands.优秀", "８５")
    assert app.setting.overrides == {"appraisal.grade_bands.优秀": 85}
    base, new = public_monthly({}), public_monthly({"appraisal.grade_bands.优秀": 85})
    html = app.html["appraisal"].value
    assert count(html, "sc-monthly-excellent-count") == grade_counts(new)["优秀"]
    assert count(html, "sc-monthly-excellent-base") == grade_counts(base)["优秀"]
    moved = base["grade"].astype(str) != new["grade"].astype(str)
    assert count(html, "sc-monthly-changed-count") == int(moved.sum())
    assert count(html, "sc-monthly-changed-teachers") == new.loc[moved, "staff_id"].nunique()
    assert app.enter("appraisal.grade_bands.优秀", "90") and app.setting.overrides == {}  # back to the policy


def test_out_of_range_values_are_refused_beside_the_control_and_not_applied(app):
    before = app.html["appraisal"].value
    assert not app.enter("appraisal.sections.S2c.per_item", "-5")
    ctl = app.controls["appraisal.sections.S2c.per_item"]
    assert "超出允许范围 0–100" in ctl.message.value and "未应用" in ctl.message.value
    assert app.setting.overrides == {} and app.html["appraisal"].value == before
    assert not app.enter("openings", "100")  # 45 candidates: refused, not 45
    n = len(tables()["recruitment_candidates"])
    assert f"0–{n}" in app.controls["openings"].message.value and app.result.openings == 10
    assert not app.enter("appraisal.sections.S1.max", "88.5")  # not rounded to 88
    assert "须为整数" in app.controls["appraisal.sections.S1.max"].message.value
    # 优秀 below 良好: the policy's own rule, beside the control
    assert not app.enter("appraisal.grade_bands.优秀", "70")
    assert "由高到低" in app.controls["appraisal.grade_bands.优秀"].message.value


def test_invalid_setting_on_one_tab_does_not_block_another(app):
    assert not app.enter("appraisal.composite_weights.self", "0.9")  # 0.9 + 0.3 > 1
    assert "不能超过 1" in app.refused["appraisal.composite_weights.self"]
    assert "未更新" in app.html["stale_appraisal"].value and "自我评价权重" in app.html["stale_appraisal"].value
    # the post-quota tab goes on: C ratio 45% → 40% changes the caps as quota_table says
    assert app.enter("quotas.senior_ratio.C", "40%")
    want = public_quotas({"quotas.senior_ratio.C": 0.4})
    html = app.html["quotas"].value
    assert count(html, "sc-quota-cap-total") == int(want["senior_cap"].sum())
    assert count(html, "sc-quota-cap-C") == int(want.loc[want["category"] == "C", "senior_cap"].sum())
    assert app.html["stale_quotas"].value == ""  # only the tab with the refused entry is marked
    # the 已修改 list holds the applied value only, with its Chinese label and clause
    listed = app.html["overrides"].value
    assert "C 类学科高级岗位比例" in listed and "§9" in listed and "0.4" in listed
    assert "自我评价权重" not in listed and "quotas.senior_ratio" not in listed
    # fixing the entry clears the mark
    assert app.enter("appraisal.composite_weights.self", "0.2")
    assert app.html["stale_appraisal"].value == "" and app.refused == {}


def test_p5_s5_weights_reach_0_1_0_3_0_6_without_an_error(app):
    assert app.enter("appraisal.composite_weights.self", "0.1")  # college follows: 1 − 0.1 − 0.3
    assert app.refused == {}
    assert app.setting.overrides == {"appraisal.composite_weights.self": 0.1, "appraisal.composite_weights.college": 0.6}
    assert span(app.html["follow_appraisal"].value, "sc-follow-value") == "0.6"
    sem = public_semester({"appraisal.composite_weights.self": 0.1, "appraisal.composite_weights.college": 0.6})
    for g, key in scenario.GRADE_KEYS.items():
        assert count(app.html["appraisal"].value, f"sc-semester-{key}-count") == grade_counts(sem).get(g, 0)
    assert app.enter("recruitment.review.weights.panel", "40%")  # parents follow: 1 − 0.4 − 0.35 = 0.25
    assert app.setting.overrides["recruitment.review.weights.parents"] == 0.25


def test_code_selector_shows_applied_points_without_stale_labels(app):
    select, points = app.code_select, app.controls["code_points"]
    assert all(not re.search(r"\d+\s*分", label) for label, _ in select.options)  # no points in the entries
    select.value = "appraisal.deduction.D-LATE.points"
    assert points.text.value == "2"  # P5 §4(五): 遲到早退者每人次每節課扣2分
    assert app.setting.overrides == {}
    assert app.enter("code_points", "5")
    assert app.setting.overrides == {"appraisal.deduction.D-LATE.points": 5}
    new = public_monthly(app.setting.overrides)
    assert count(app.html["appraisal"].value, "sc-monthly-fail-count") == grade_counts(new).get("不合格", 0)
    select.value = "appraisal.bonus.B-MEETING-FULL.points"
    assert points.text.value == "2"
    select.value = "appraisal.deduction.D-LATE.points"
    assert points.text.value == "5" and span(app.html["code_info"].value, "sc-code-current") == "5"


def test_p4_only_rescaling_maxima_are_offered_and_the_line_moves(app):
    offered = {k for k in app.controls if k.startswith("recruitment.") and k.endswith("max")}
    assert offered == {"recruitment.review.max", "recruitment.achievements.max", "recruitment.conduct.max",
                       "recruitment.exam.max"}
    note = app.html["maxima_note"].value
    assert "说课" in note and "答辩" in note and "自主申报" in note and "不会改变任何得分" in note
    assert app.enter("openings", "5") and app.enter("recruitment.exam.max", "60")
    assert "不等于" not in note and count(app.html["maxima_note"].value, "sc-maxima-sum") == 135
    pol = pol_of({"recruitment.exam.max": 60})
    cands = tables()["recruitment_candidates"]

    def appointed(p, n):
        r = scoring.appoint(scoring.recruitment_scores(scoring.recruitment_eligibility(cands, policy=p), p), n, p)
        return set(r.loc[r["appointed"], "candidate_id"])

    new, old = appointed(pol, 5), appointed(pol_of({}), 10)
    html = app.html["recruitment"].value
    assert count(html, "sc-recruit-appointed") == len(new) == 5
    assert count(html, "sc-recruit-crossed-count") == len(new ^ old)


def test_messages_name_candidate_and_staff_numbers_not_rows(app, tmp_path):
    bad = tmp_path / "talk.yaml"
    bad.write_text(yaml.safe_dump({"recruitment.onsite.talk_max": 5}), encoding="utf-8")
    assert not app.load_file(bad)
    notice = app.html["notice"].value
    assert "R2026-0" in notice and "说课" in notice
    items = tmp_path / "items.yaml"
    items.write_text(yaml.safe_dump({"appraisal.sections.S2c.items": 1}), encoding="utf-8")
    assert not app.load_file(items)
    assert re.search(r"T\d{7} \d{4}-\d{2}", app.html["notice"].value)
    assert app.setting.overrides == {}


# --------------------------------------------------------------------------------------------
# Who is affected, money
# --------------------------------------------------------------------------------------------
SETTING = {"appraisal.grade_bands.优秀": 85, "appraisal.deduction.D-LATE.points": 5,
           "quotas.senior_ratio.A": 0.7, "recruitment.exam.max": 60}


def test_affected_lists_are_complete_with_reasons_and_money(app):
    for path, value in SETTING.items():
        if path.endswith("D-LATE.points"):
            app.code_select.value = path
            assert app.enter("code_points", str(value))
        else:
            assert app.enter(path, str(value))
    a = app.affected
    base, new = public_monthly({}), public_monthly(SETTING)
    moved = ((base["score"] != new["score"]) | (base["grade"].astype(str) != new["grade"].astype(str))
             | (base["allowance"] != new["allowance"])).to_numpy()
    months = a["班主任（月考核）"]
    assert len(months) == int(moved.sum()) > 20  # the whole list, not the first 20
    assert list(zip(months["工号"], months["月份"])) == list(zip(new.loc[moved, "staff_id"], new.loc[moved, "period"]))
    late = months["原因"].str.contains("减分")
    assert late.any() and (months.loc[~late, "原因"] == "等次分数线").all()
    money = a["金额"].set_index("项目")
    assert money.loc["班主任津贴合计（元，全部月份）", "变化"] == new["allowance"].sum() - base["allowance"].sum()
    caps_new, caps_base = public_quotas(SETTING)["senior_cap"].sum(), public_quotas({})["senior_cap"].sum()
    pay = policy.load(AS_OF).get("quotas.senior_post_pay_difference")
    assert policy.load(AS_OF).param("quotas.senior_post_pay_difference").assumption
    assert money.loc["新增高级岗位年度薪酬差额（元，规划假设）", "情景"] == (caps_new - caps_base) * pay
    units = a["按单位"]
    assert units["津贴变化（元）"].sum() == money.loc["班主任津贴合计（元，全部月份）", "变化"]
    assert units["新增高级岗位"].sum() == caps_new - caps_base
    assert set(a["学科"]["学科代码"]) == set(app.result.quota_changes["discipline_id"])
    # unit filter: the lists shown hold that unit only
    unit = units["单位"].iloc[0]
    app.unit_filter.value = unit
    shown = app.html["affected"].value
    assert count(shown, "sc-affected-months") == int((months["单位"] == unit).sum())


def test_affected_excel_download_matches_the_lists(app):
    assert app.enter("appraisal.grade_bands.优秀", "85")
    path = app.make_download()
    assert path.parent == app.out_dir.resolve() and path.suffix == ".xlsx"
    assert 'download="' in app.download_html.value and "base64," in app.download_html.value
    book = pd.read_excel(path, sheet_name=None)
    assert list(book)[:2] == ["已修改参数", "金额"]
    months = book["班主任（月考核）"]
    assert len(months) == len(app.affected["班主任（月考核）"])
    assert book["已修改参数"]["参数"].tolist() == ["优秀 不低于（分）"]


# --------------------------------------------------------------------------------------------
# Scenarios and files
# --------------------------------------------------------------------------------------------
def test_saved_scenario_survives_a_new_page(app, tmp_path):
    assert app.enter("appraisal.grade_bands.优秀", "85") and app.enter("openings", "7")
    assert app.save_scenario(name="方案甲")
    again = whatif.WhatIfApp(baseline(), out_dir=tmp_path, chart=False)  # a reload: same output folder
    assert ("方案甲", "方案甲") in again.saved.options
    assert again.load_scenario("方案甲")
    assert again.setting.overrides == {"appraisal.grade_bands.优秀": 85} and again.result.openings == 7
    assert again.controls["appraisal.grade_bands.优秀"].text.value == "85"
    assert again.html["appraisal"].value == app.html["appraisal"].value


def test_exported_file_loads_back_with_the_same_figures(app, tmp_path):
    assert app.enter("appraisal.grade_bands.优秀", "85") and app.enter("adjustment.B", "5%")
    path = app.export()
    assert policy.load_overrides(path) == {"appraisal.grade_bands.优秀": 85, "parameters": {"adjustment": {"B": 0.05}}}
    other = whatif.WhatIfApp(baseline(), out_dir=tmp_path / "other", chart=False)
    assert other.load_file(path)
    for key in ("appraisal", "quotas", "recruitment"):
        assert other.html[key].value == app.html[key].value
    assert other.controls["adjustment.B"].text.value == "0.05"


def test_two_scenarios_side_by_side_with_the_baseline(app):
    assert app.enter("appraisal.grade_bands.优秀", "85") and app.save_scenario(name="甲")
    assert app.enter("quotas.senior_ratio.A", "0.7") and app.save_scenario(name="乙")
    app.reset()
    app.compare_a.value, app.compare_b.value = "甲", "乙"
    app.compare()
    html = app.html["compare"].value
    assert "甲" in html and "乙" in html and "（基准）" in html
    row = re.search(r"月考核 优秀（人月）</td>(.*?)</tr>", html).group(1)
    cells = [int(x.replace(",", "")) for x in re.findall(r">([\d,]+)<", row)]
    excellent = grade_counts(public_monthly({"appraisal.grade_bands.优秀": 85}))["优秀"]
    assert cells == [grade_counts(public_monthly({}))["优秀"], excellent, excellent]  # 乙 keeps 甲's cut-off
    row = re.search(r"高级岗位上限合计（个）</td>(.*?)</tr>", html).group(1)
    cells = [int(x.replace(",", "")) for x in re.findall(r">([\d,]+)<", row)]
    assert cells == [public_quotas({})["senior_cap"].sum(), public_quotas({})["senior_cap"].sum(),
                     public_quotas({"quotas.senior_ratio.A": 0.7})["senior_cap"].sum()]


def test_reset_returns_every_control_to_the_policy(app):
    assert app.enter("appraisal.grade_bands.优秀", "85") and app.enter("adjustment.B", "-0.05")
    app.enter("quotas.senior_ratio.A", "2")  # refused
    app.reset()
    assert app.setting.overrides == {} and app.setting.adjustment == {} and app.refused == {}
    assert app.controls["appraisal.grade_bands.优秀"].text.value == "90"
    assert app.controls["quotas.senior_ratio.A"].text.value == "0.65"
    assert count(app.html["appraisal"].value, "sc-monthly-changed-count") == 0


def test_start_from_an_override_file(tmp_path):
    path = tmp_path / "start.yaml"
    path.write_text(yaml.safe_dump({"appraisal.grade_bands.优秀": 88, "appraisal.clip_score": True},
                                   allow_unicode=True), encoding="utf-8")
    app = whatif.build(DATA, out_dir=tmp_path, overrides_file=str(path), chart=False)
    assert app.controls["appraisal.grade_bands.优秀"].text.value == "88"
    assert app.setting.overrides == {"appraisal.grade_bands.优秀": 88, "appraisal.clip_score": True}
    new = grade_counts(public_monthly(app.setting.overrides))
    assert count(app.html["appraisal"].value, "sc-monthly-excellent-count") == new["优秀"]


def test_override_file_with_an_unknown_path_or_wrong_type_is_refused_whole(tmp_path):
    for data, words in (({"appraisal.no_such_thing": 1}, "未知参数路径"),
                        ({"appraisal.grade_bands.优秀": "ninety"}, "文件未载入")):
        path = tmp_path / "bad.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        app = whatif.build(DATA, out_dir=tmp_path, overrides_file=str(path), chart=False)
        assert words in app.html["notice"].value and "Traceback" not in app.html["notice"].value
        assert app.setting.overrides == {}


# --------------------------------------------------------------------------------------------
# The page as a planner reads it
# --------------------------------------------------------------------------------------------
def test_no_internal_text_and_no_personal_names(app):
    assert app.enter("appraisal.grade_bands.优秀", "85") and app.enter("recruitment.exam.max", "60")
    assert app.enter("appraisal.composite_weights.self", "0.1") and app.enter("adjustment.B", "0.1")
    page = page_text(app)
    for internal in ("appraisal.", "recruitment.", "quotas.", "{'", "True", "False", "nan", "NaN", "毫秒",
                     "Traceback", "null", "/20"):
        assert internal not in re.sub(r"<[^>]+>", " ", page), internal
    staff = read_tables(DATA, ["staff"])["staff"]
    names = set(staff["name"]) | set(tables()["recruitment_candidates"]["name"])
    assert "T0000" in page and "R2026-" in page
    assert not [n for n in names if n in page]
    assert not [i for i in staff["id_number"].astype(str) if i in page]


def test_explanation_sheets_of_changed_people_use_the_applied_setting(app, monkeypatch):
    """The 解释单 box asks staffcalc explain for that person under the applied setting (scenario
    policy and openings) and shows the sheet, framed so its print styles stay inside."""
    from staffcalc import explain

    calls = []
    real = explain.explain
    monkeypatch.setattr(explain, "explain", lambda *a, **k: calls.append((a, k)) or real(*a, **k))
    assert app.enter("recruitment.exam.max", "60") and app.enter("openings", "8")
    assert app.enter("appraisal.grade_bands.优秀", "85")
    for who in (app.affected["竞聘人员"]["报名号"].iloc[0], app.affected["班主任（月考核）"]["工号"].iloc[0]):
        calls.clear()
        app.explain_id.value = who
        app.show_explanation()
        (args, kwargs), = calls
        assert args[1] == who and kwargs["policy"].get("recruitment.exam.max") == 60
        assert kwargs["policy"].get("appraisal.grade_bands.优秀") == 85 and kwargs["parameters"] == {"openings": 8}
        shown = app.explain_html.value
        assert shown.startswith('<iframe class="sc-explanation"') and f"解释单 {who}" in shown
        assert "无法生成解释单" not in shown and "Traceback" not in shown
    app.explain_id.value = "X-NOBODY"
    app.show_explanation()
    assert "无法生成解释单" in app.explain_html.value


def bars(svg: str, cls: str) -> list[float]:
    """The values of the chart's bars (or marks) of class ``cls``, left to right."""
    return [float(v) for v in re.findall(r'<(?:rect|line|circle) class="sc-(?:bar|mark) ' + re.escape(cls)
                                         + r'" data-value="([^"]+)"', svg)]


def test_charts_show_the_public_figures(tmp_path):
    app = whatif.WhatIfApp(baseline(), out_dir=tmp_path, chart=True)
    charts = {k: c.value for k, c in app.charts.items()}
    assert all(v.startswith('<svg class="sc-chart-svg') for v in charts.values())
    base = grade_counts(public_monthly({}))
    order = list(app.result.monthly_counts.index)  # the grades in the policy's order
    assert bars(charts["appraisal"], "sc-bar-base")[:len(order)] == [base.get(g, 0) for g in order]
    assert bars(charts["appraisal"], "sc-bar-scenario")[:len(order)] == [base.get(g, 0) for g in order]
    rec = app.result.recruitment
    scored = rec[rec["total"].notna()]
    appointed = bars(charts["recruitment"], "sc-bar-appointed")
    assert len(appointed) == int(scored["appointed"].sum()) == 10  # openings=10: ten blue bars, then the cut
    assert len(appointed) + len(bars(charts["recruitment"], "sc-bar-scenario")) == len(scored)
    assert appointed == sorted(appointed, reverse=True) and charts["recruitment"].count('class="sc-cut"') == 1
    assert bars(charts["quotas"], "sc-bar-changed") == []  # the baseline beside itself
    assert bars(charts["quotas"], "sc-bar-scenario") == [float(v) for v in public_quotas({})["senior_cap"]]

    # a scenario: the bars follow the public functions, only the charts whose figures changed are redrawn
    assert app.enter("appraisal.grade_bands.优秀", "85") and app.enter("quotas.senior_ratio.C", "40%")
    new = grade_counts(public_monthly({"appraisal.grade_bands.优秀": 85}))
    assert bars(app.charts["appraisal"].value, "sc-bar-scenario")[:len(order)] == [new.get(g, 0) for g in order]
    assert bars(app.charts["appraisal"].value, "sc-bar-base")[:len(order)] == [base.get(g, 0) for g in order]
    q_base, q_new = public_quotas({}), public_quotas({"quotas.senior_ratio.C": 0.4})
    changed = q_new["senior_cap"].to_numpy() != q_base.set_index("discipline_id")["senior_cap"].reindex(
        q_new["discipline_id"]).to_numpy()
    assert 0 < changed.sum() < len(q_new)
    assert bars(app.charts["quotas"].value, "sc-bar-changed") == [float(v) for v in q_new["senior_cap"][changed]]
    assert len(bars(app.charts["quotas"].value, "sc-mark-base")) == changed.sum()
    assert app.charts["recruitment"].value == charts["recruitment"]  # not redrawn
    assert app._chart_keys["appraisal"] == (tuple(app.result.monthly_counts), tuple(app.result.semester_counts))


@pytest.mark.parametrize("top, ticks", [
    (1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]), (87.5, [0, 20, 40, 60, 80, 100]), (100, [0, 20, 40, 60, 80, 100]),
    (101, [0, 50, 100, 150]), (7, [0, 2, 4, 6, 8]), (0, [0, 1]), (float("nan"), [0, 1]),
])
def test_chart_ticks_cover_the_largest_value(top, ticks):
    assert whatif_charts.nice_ticks(top) == pytest.approx(ticks)


def test_css_class_of_paths():
    assert whatif.css_class("appraisal.grade_bands.优秀") == "sc-p-appraisal-grade_bands-excellent"
    assert whatif.css_class("appraisal.sections.S2b.per_item") == "sc-p-appraisal-sections-S2b-per_item"
    assert whatif.css_class("appraisal.deduction.D-LATE.points") == "sc-p-appraisal-deduction-D-LATE-points"


def test_page_shows_the_baseline_beside_itself(app):
    html = app.html["appraisal"].value
    base = grade_counts(public_monthly({}))
    for g, key in scenario.GRADE_KEYS.items():
        assert count(html, f"sc-monthly-{key}-count") == base.get(g, 0)
        assert count(html, f"sc-monthly-{key}-base") == base.get(g, 0)
    assert count(html, "sc-monthly-changed-count") == 0
    assert "当前为基准设置" in app.html["overrides"].value


def test_launcher_environment_and_command(monkeypatch, tmp_path):
    monkeypatch.setenv(whatif.ENV_DATA, str(tmp_path))
    assert whatif.data_dir_from_env("../data") == str(tmp_path)
    monkeypatch.delenv(whatif.ENV_DATA)
    assert whatif.data_dir_from_env("../data") == "../data"
    cmd = whatif.voila_command(8123)
    assert whatif.notebook_path().is_file()
    assert "--port=8123" in cmd and "--Voila.ip=127.0.0.1" in cmd and "--no-browser" in cmd
    assert "--Voila.port_retries=0" in cmd and "--show_tracebacks=False" in cmd


def test_notebook_is_thin_and_committed_without_outputs():
    nb = nbformat.read(NOTEBOOKS / "whatif_scoring.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert "whatif.build(" in code[1].source and len(code) == 2
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_notebook_runs_under_papermill_with_other_parameters(tmp_path):
    start = tmp_path / "start.yaml"
    start.write_text(yaml.safe_dump({"appraisal.grade_bands.优秀": 86}, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "run.ipynb"
    pm.execute_notebook(str(NOTEBOOKS / "whatif_scoring.ipynb"), str(out), kernel_name="python3",
                        cwd=str(NOTEBOOKS), execution_timeout=120, progress_bar=False,
                        parameters={"data_dir": str(DATA), "out_dir": str(tmp_path), "openings": 7,
                                    "overrides_file": str(start)})
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert views  # the page was displayed as widgets




def test_uploaded_file_is_loaded_and_the_button_cleared(app, tmp_path):
    import datetime as dt

    assert app.enter("appraisal.grade_bands.优秀", "85")
    path = app.export()
    app.reset()
    app.upload.value = ({"name": path.name, "content": memoryview(path.read_bytes()), "type": "", "size": 1,
                         "last_modified": dt.datetime.now()},)
    assert app.setting.overrides == {"appraisal.grade_bands.优秀": 85}
    assert span(app.html["notice"].value, "sc-loaded-file") == path.name and app.upload.value == ()


def widget_tree(widget) -> list:
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += widget_tree(child)
    return found


def test_widgets_share_layouts_and_styles(app):
    """A widget model per layout and style made the page 612 models; widgets alike share them."""
    widgets = widget_tree(app.widget)
    layouts = {id(x.layout) for x in widgets}
    styles = {id(x.style) for x in widgets if hasattr(x, "style")}
    assert len(widgets) > 200 and len(layouts) <= 15 and len(styles) <= 5
    texts = [c.text for c in app.controls.values()]
    assert len({id(t.layout) for t in texts}) == 1 and texts[0].layout.width == "110px"
    assert app.w.Layout(width="110px") is texts[0].layout and app.w.Layout(width="111px") is not texts[0].layout
    boxes = [x for x in widgets if type(x).__name__ == "HTML" and x.layout.width is None]
    assert boxes and all(b.layout is boxes[0].layout for b in boxes)
