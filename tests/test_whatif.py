"""staffcalc.whatif: the widget page without a browser (issue 7).

Widgets are driven by setting ``value`` as the front end does; the figures in the HTML (found by
their CSS classes) are checked against the public scoring functions for the same setting.
"""

from __future__ import annotations

import functools
import re

import nbformat
import papermill as pm
import pytest
import yaml
from conftest import DATA, NOTEBOOKS

from staffcalc import policy, quotas, scenario, scoring, whatif
from staffcalc.io import read_tables

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


def public_monthly(overrides):
    pol = policy.load(AS_OF).override(overrides) if overrides else policy.load(AS_OF)
    t = tables()
    return scoring.monthly_appraisal(t["appraisal_items"], t["appraisal_events"], pol)


def public_semester(overrides):
    pol = policy.load(AS_OF).override(overrides) if overrides else policy.load(AS_OF)
    return scoring.semester_grades(tables()["semester_ratings"], pol)


def grade_counts(df):
    return df["grade"].astype(str).value_counts().to_dict()


def test_css_class_of_paths():
    assert whatif.css_class("appraisal.grade_bands.优秀") == "sc-p-appraisal-grade_bands-excellent"
    assert whatif.css_class("appraisal.sections.S2b.per_item") == "sc-p-appraisal-sections-S2b-per_item"
    assert whatif.css_class("appraisal.deduction.D-LATE.points") == "sc-p-appraisal-deduction-D-LATE-points"


def test_page_shows_the_baseline_beside_itself(app):
    html = app.appraisal_html.value
    base = grade_counts(public_monthly({}))
    for g, key in scenario.GRADE_KEYS.items():
        assert count(html, f"sc-monthly-{key}-count") == base.get(g, 0)
        assert count(html, f"sc-monthly-{key}-base") == base.get(g, 0)
    assert count(app.changes_html.value, "sc-monthly-changed-count") == 0
    assert "当前为基准设置" in app.overrides_html.value


def test_every_slider_updates_on_release_only(app):
    sliders = [c for c in app.controls.values() if hasattr(c, "continuous_update")]
    assert len(sliders) >= 30
    assert not any(c.continuous_update for c in sliders)


def test_p5_s3_cutoff_slider_updates_distribution_and_changed_teachers(app):
    app.controls["appraisal.grade_bands.优秀"].value = 85
    assert app.overrides == {"appraisal.grade_bands.优秀": 85}
    base, new = public_monthly({}), public_monthly({"appraisal.grade_bands.优秀": 85})
    html = app.appraisal_html.value
    assert count(html, "sc-monthly-excellent-count") == grade_counts(new)["优秀"]
    assert count(html, "sc-excellent-count") == grade_counts(new)["优秀"]
    assert count(html, "sc-monthly-excellent-base") == grade_counts(base)["优秀"]
    moved = base["grade"].astype(str) != new["grade"].astype(str)
    assert count(app.changes_html.value, "sc-monthly-changed-count") == int(moved.sum())
    assert count(app.changes_html.value, "sc-monthly-changed-teachers") == new.loc[moved, "staff_id"].nunique()
    # moving back to the policy value removes the override
    app.controls["appraisal.grade_bands.优秀"].value = 90
    assert app.overrides == {}


def test_p5_s5_weight_sliders_store_the_decimal_shown(app):
    app.controls["appraisal.composite_weights.self"].value = 0.1
    app.controls["appraisal.composite_weights.student"].value = 0.30000000000000004 + 0.1  # slider float noise
    assert app.overrides == {"appraisal.composite_weights.self": 0.1, "appraisal.composite_weights.student": 0.4}
    assert app.error == ""
    sem = public_semester(app.overrides)
    html = app.appraisal_html.value
    for g, key in scenario.GRADE_KEYS.items():
        assert count(html, f"sc-semester-{key}-count") == grade_counts(sem).get(g, 0)


def test_p5_s5_invalid_weights_show_the_policy_error_not_a_traceback(app):
    before = app.appraisal_html.value
    app.controls["appraisal.composite_weights.self"].value = 0.25
    assert "权重之和须为 1" in app.error
    assert 'class="sc-error"' in app.error_box.value and "政策参数设置无效" in app.error_box.value
    assert "Traceback" not in app.error_box.value
    assert app.appraisal_html.value == before  # last valid results stay, marked as such
    assert "上一个有效设置" in app.error_box.value
    assert app.export() is None and "未导出" in app.export_html.value
    app.controls["appraisal.composite_weights.college"].value = 0.45  # 0.25 + 0.30 + 0.45 = 1
    assert app.error == "" and app.error_box.value == ""


def test_p5_s3_cutoffs_crossing_show_an_error(app):
    app.controls["appraisal.grade_bands.优秀"].value = 70  # below 良好 80
    assert "由高到低" in app.error


def test_code_selector_shows_points_and_overrides_the_selected_code(app):
    select, points = app.controls["code"], app.controls["code_points"]
    status = app.status.value
    select.value = "appraisal.deduction.D-LATE.points"
    assert points.value == 2  # P5 §4(五)8: 遲到早退者每人次每節課扣2分
    assert app.overrides == {} and app.status.value == status  # selecting does not recompute
    points.value = 5
    assert app.overrides == {"appraisal.deduction.D-LATE.points": 5}
    new = public_monthly(app.overrides)
    assert count(app.appraisal_html.value, "sc-monthly-fail-count") == grade_counts(new).get("不合格", 0)
    select.value = "appraisal.bonus.B-MEETING-FULL.points"
    assert points.value == 2
    select.value = "appraisal.deduction.D-LATE.points"
    assert points.value == 5  # the scenario value, not the policy's


def test_p5_s4_section_sliders(app):
    app.controls["appraisal.sections.S2b.per_item"].value = 3
    app.controls["appraisal.sections.S3.max"].value = 12
    ov = {"appraisal.sections.S2b.per_item": 3, "appraisal.sections.S3.max": 12}
    assert app.overrides == ov
    new = grade_counts(public_monthly(ov))
    for g, key in scenario.GRADE_KEYS.items():
        assert count(app.appraisal_html.value, f"sc-monthly-{key}-count") == new.get(g, 0)


def test_p4_openings_and_exam_maximum_move_the_appointment_line(app):
    app.controls["openings"].value = 5
    app.controls["recruitment.exam.max"].value = 60
    pol = policy.load(AS_OF).override({"recruitment.exam.max": 60})
    base_pol = policy.load(AS_OF)
    cands = tables()["recruitment_candidates"]

    def appointed(p, n):
        r = scoring.appoint(scoring.recruitment_scores(scoring.recruitment_eligibility(cands, policy=p), p), n, p)
        return set(r.loc[r["appointed"], "candidate_id"])

    new, old = appointed(pol, 5), appointed(base_pol, 10)
    html = app.recruit_html.value
    assert count(html, "sc-recruit-appointed") == len(new) == 5
    assert count(html, "sc-recruit-appointed-base") == len(old)
    assert count(html, "sc-recruit-crossed-count") == len(new ^ old)
    came_in = span(html, "sc-recruit-in")
    assert set(came_in.split("、")) == (new - old) or (came_in == "无" and not new - old)


def test_p6_s9_ratio_and_adjustment_sliders_move_the_caps(app):
    app.controls["quotas.senior_ratio.B"].value = 0.55
    app.controls["adjustment.A"].value = 0.05
    t = tables()
    pol = policy.load(AS_OF).override({"quotas.senior_ratio.B": 0.55})
    table = quotas.quota_table(t["disciplines"], t["staff"], pol,
                               adjustment={"A": 0.05})
    base = quotas.quota_table(t["disciplines"], t["staff"], policy.load(AS_OF))
    html = app.quota_html.value
    assert count(html, "sc-quota-cap-total") == int(table["senior_cap"].sum())
    assert count(html, "sc-quota-cap-total-base") == int(base["senior_cap"].sum())
    assert count(html, "sc-quota-cap-A") == int(table.loc[table["category"] == "A", "senior_cap"].sum())
    assert count(html, "sc-quota-vacancy-total") == int(table["vacancy_senior"].sum())
    assert count(html, "sc-quota-over-total") == int(table["over_quota"].sum())
    assert app.overrides == {"quotas.senior_ratio.B": 0.55} and app.adjustment == {"A": 0.05}


def test_export_button_writes_the_override_file_and_shows_its_path(app, tmp_path):
    app.controls["appraisal.grade_bands.优秀"].value = 85
    app.controls["openings"].value = 12
    app.export_button.click()
    path = app.exported
    assert path is not None and path.parent == tmp_path.resolve()
    assert span(app.export_html.value, "sc-export-path") == str(path)
    # the policy override, and the openings as a report parameter for appraisal_distribution
    assert policy.load_overrides(path) == {"appraisal.grade_bands.优秀": 85, "parameters": {"openings": 12}}


def test_reset_returns_every_control_to_the_policy(app):
    app.controls["appraisal.grade_bands.优秀"].value = 85
    app.controls["quotas.senior_ratio.A"].value = 0.7
    app.controls["adjustment.B"].value = -0.05
    app.controls["openings"].value = 3
    app.reset_button.click()
    assert app.overrides == {} and app.adjustment == {} and app.openings == 10
    assert app.controls["appraisal.grade_bands.优秀"].value == 90
    assert app.controls["quotas.senior_ratio.A"].value == 0.65
    assert count(app.changes_html.value, "sc-monthly-changed-count") == 0


def test_start_from_an_override_file(tmp_path):
    path = tmp_path / "start.yaml"
    path.write_text(yaml.safe_dump({"appraisal.grade_bands.优秀": 88, "appraisal.clip_score": True},
                                   allow_unicode=True), encoding="utf-8")
    app = whatif.build(DATA, out_dir=tmp_path, overrides_file=str(path), chart=False)
    assert app.controls["appraisal.grade_bands.优秀"].value == 88
    assert app.all_overrides() == {"appraisal.grade_bands.优秀": 88, "appraisal.clip_score": True}
    new = grade_counts(public_monthly(app.all_overrides()))
    assert count(app.appraisal_html.value, "sc-monthly-excellent-count") == new["优秀"]


def test_p5_s4_rubric_that_no_longer_fits_the_data_shows_an_input_error(tmp_path):
    # the sample has teacher-months with 2 failed S2c items; a 1-item section cannot hold them
    app = whatif.WhatIfApp(baseline(), out_dir=tmp_path, chart=False, initial={"appraisal.sections.S2c.items": 1})
    assert "参数与数据不符" in app.error_box.value and "fail_s2c" in app.error_box.value


def test_no_personal_names_in_the_page(app):
    app.controls["appraisal.grade_bands.优秀"].value = 85
    app.controls["recruitment.exam.max"].value = 60
    page = "".join(h.value for h in (app.appraisal_html, app.changes_html, app.recruit_html, app.quota_html,
                                     app.overrides_html))
    staff = read_tables(DATA, ["staff"])["staff"]
    names = set(staff["name"]) | set(tables()["recruitment_candidates"]["name"])
    assert "T0000" in page and "R2026-" in page
    assert not [n for n in names if n in page]
    assert not [i for i in staff["id_number"].astype(str) if i in page]


def test_chart_draws_headless(tmp_path):
    app = whatif.WhatIfApp(baseline(), out_dir=tmp_path, chart=True)
    app.controls["appraisal.grade_bands.优秀"].value = 85
    assert app._last_chart_key == (tuple(app.result.monthly_counts), tuple(app.result.semester_counts))


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


def test_override_file_with_an_unknown_path_shows_the_policy_error(tmp_path):
    app = whatif.WhatIfApp(baseline(), out_dir=tmp_path, chart=False, initial={"appraisal.no_such_thing": 1})
    assert "未知参数路径" in app.error_box.value and "Traceback" not in app.error_box.value


def test_override_file_code_points_show_in_the_selector(tmp_path):
    app = whatif.WhatIfApp(baseline(), out_dir=tmp_path, chart=False,
                           initial={"appraisal.deduction.D-LATE.points": 4})
    assert app.overrides == {"appraisal.deduction.D-LATE.points": 4} and app.fixed == {}
    app.controls["code"].value = "appraisal.deduction.D-LATE.points"
    assert app.controls["code_points"].value == 4


def test_override_file_with_a_wrong_type_shows_the_error_not_a_crash(tmp_path):
    app = whatif.WhatIfApp(baseline(), out_dir=tmp_path, chart=False,
                           initial={"appraisal.grade_bands.优秀": "ninety", "appraisal.sections.S1.max": 150})
    assert "覆盖值类型错误" in app.error_box.value
    assert app.controls["appraisal.sections.S1.max"].value == 150  # range widened, not clamped
