"""The explanation sheet (issue 17): traced values equal the public functions over the whole sample,
hand-worked traces on rule boundaries, bad input, the command, the renderings."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from staffcalc import eligibility, leave_cost, pay, policy, scoring
from staffcalc.cli import main
from staffcalc.explain import ExplainError, explain, explain_all, render
from staffcalc.io import read_tables

DATA = Path(__file__).resolve().parent.parent / "data"
BOUNDARY = DATA / "boundary"   # the eligibility boundary cases (staffcalc.sample.boundary)
AS_OF = "2026-09-01"


@pytest.fixture(scope="module")
def pol():
    return policy.load(AS_OF)


@pytest.fixture(scope="module")
def tables():
    return read_tables(DATA, ["applicants", "staff", "disciplines", "recommendations", "committee_members",
                              "relatives", "study_leave", "recruitment_candidates"])


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if pd.isna(a) and pd.isna(b):
            return True
        return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-9)
    if pd.isna(a) if np.ndim(a) == 0 and not isinstance(a, str) else False:
        return pd.isna(b)
    return a == b


# --------------------------------------------------------------------------------------------
# every traced final value equals the public functions, over the whole sample
# --------------------------------------------------------------------------------------------
def test_eligibility_traces_equal_public_function_for_every_applicant(tables, pol):
    public = eligibility.eligibility(tables["applicants"], tables["staff"], pol, as_of=AS_OF,
                                     recommendations=tables["recommendations"],
                                     committee_members=tables["committee_members"], relatives=tables["relatives"])
    public = public.reset_index(drop=True)
    parts = dict(explain_all(tables, "eligibility", pol, as_of=AS_OF))
    assert len(parts) == len(public) == len(tables["applicants"])
    for i, part in parts.items():
        row = public.iloc[i]
        for col, value in part.results.items():
            assert same(value, row[col]), (i, col)
        for key, value in part.by_key().items():   # every rule step shows the public rule column
            if key in public.columns:
                assert same(value, row[key]), (i, key)
        assert {s.key for s in part.steps} >= {spec[0] for spec in eligibility.RULES.values()} | {"eligible"}


def test_eligibility_quota_steps_equal_quota_table(tables, pol):
    from staffcalc import quotas

    q = quotas.quota_table(tables["disciplines"], tables["staff"], pol).set_index("discipline_id")
    disc = tables["staff"].set_index("staff_id")["discipline_id"]
    for i, part in explain_all(tables, "eligibility", pol, as_of=AS_OF):
        row = q.loc[disc[tables["applicants"]["staff_id"].iloc[i]]]
        for key, value in part.by_key().items():
            if key in q.columns:
                assert value == row[key], (i, key)


def test_pay_traces_equal_public_functions_for_every_leave_record(tables, pol):
    records = tables["study_leave"].reset_index(drop=True)
    year = pay.study_leave_year(records, pol)
    units = tables["staff"].set_index("staff_id")["unit_id"]
    people = leave_cost.project(records.assign(unit_id=records["staff_id"].map(units)), "2026-09", "2026-09", pol,
                                as_of=AS_OF).people
    parts = dict(explain_all(tables, "pay", pol, as_of=AS_OF))
    assert len(parts) == len(records)
    for i, part in parts.items():
        r = part.results
        assert r["paid"] == year["paid"].iloc[i] and r["withheld"] == year["withheld"].iloc[i], i
        assert r["flags"] == year["flags"].iloc[i], i
        for col in ("refund", "refundable", "served_months", "breach_liability", "breach_exposure", "study_status",
                    "reimbursed"):
            assert same(r[col], people[col].iloc[i]), (i, col)
        k = part.by_key()
        assert k["paid"] == r["paid"] and k["withheld"] == r["withheld"]
        # the appraisal while studying (P1 §9) as study_leave_year gives it: a grade, or passed / failed / none
        passed = year["appraisal_result_passed"].iloc[i]
        want = year["appraisal_grade"].iloc[i] or ("—" if np.isnan(passed) else ("合格" if passed else "不合格"))
        assert k["appraisal_grade"] == want, i
        # the component lines add up to the year's pay
        assert math.isclose(sum(v for key, v in k.items() if key.startswith("paid:")), r["paid"], abs_tol=1e-6)


def test_recruitment_traces_equal_public_functions_for_every_candidate(tables, pol):
    public = scoring.appoint(scoring.recruitment_scores(
        scoring.recruitment_eligibility(tables["recruitment_candidates"], policy=pol), pol), 10, pol)
    public = public.reset_index(drop=True)
    parts = dict(explain_all(tables, "recruitment", pol, as_of=AS_OF))
    assert len(parts) == len(public)
    for i, part in parts.items():
        for col, value in part.results.items():
            assert same(value, public[col].iloc[i]), (i, col)
        for key, value in part.by_key().items():
            if key in public.columns:
                assert same(value, public[key].iloc[i]), (i, key)


# --------------------------------------------------------------------------------------------
# hand-worked traces on rule boundaries
# --------------------------------------------------------------------------------------------
def test_pay_restoration_boundary_worked_by_hand(pol):
    # T0000047: full release, back on post 6 months (含6个月) and 50% of the workload -> restored:
    # basic 4830 + allowances 2500 for 12 months, the four withheld components 1460+1460+790+390 for 6.
    t = explain(DATA, "T0000047", "pay", policy=pol, as_of=AS_OF)
    (part,) = t.parts
    k = part.by_key()
    assert k["restoration_months_ok"] and k["restoration_share_ok"] and k["restored"]
    assert k["paid"] == 12 * (4830 + 2500) + 6 * (1460 + 1460 + 790 + 390) == 112_560
    assert k["withheld"] == 6 * (1460 + 1460 + 790 + 390) == 24_600
    # T0000019: 5 months -> nothing restored: all four components withheld for the year
    k = explain(DATA, "T0000019", "pay", policy=pol, as_of=AS_OF).parts[0].by_key()
    assert not k["restoration_months_ok"] and k["restoration_share_ok"] and not k["restored"]
    assert k["paid"] == 12 * (5020 + 2430) and k["withheld"] == 12 * (1460 + 1430 + 800 + 400)
    # T0000077: 6 months but 49% -> the share test fails
    k = explain(DATA, "T0000077", "pay", policy=pol, as_of=AS_OF).parts[0].by_key()
    assert k["restoration_months_ok"] and not k["restoration_share_ok"] and not k["restored"]


def test_pay_partial_70_percent_boundary(pol):
    below = explain(DATA, "T0000130", "pay", policy=pol, as_of=AS_OF).parts[0].by_key()   # 69%
    at = explain(DATA, "T0000149", "pay", policy=pol, as_of=AS_OF).parts[0].by_key()      # 70%
    assert not below["partial_workload_ok"] and at["partial_workload_ok"]
    row = pd.read_csv(DATA / "study_leave.csv").set_index("staff_id").loc["T0000149"]
    full = 12 * row[["basic_salary", "allowances", "award_performance", "basic_performance_bonus",
                     "campus_performance", "welfare"]].sum()
    assert at["paid"] == full and at["withheld"] == 0


@pytest.mark.parametrize("app, rule, ok", [
    ("A2026-B001", "ok_degree", False), ("A2026-B009", "ok_years", True), ("A2026-B010", "ok_years", False),
    ("A2026-B018", "ok_language", True), ("A2026-B019", "ok_language", False), ("A2026-B034", "ok_overseas", True),
    ("A2026-B035", "ok_overseas", False), ("A2026-B039", "ok_teaching", True), ("A2026-B040", "ok_teaching", False),
    ("A2026-B044", "ok_extra_post_age", True), ("A2026-B045", "ok_extra_post_age", False),
    ("A2026-B054", "ok_recusals", True), ("A2026-B055", "ok_recusals", False),
])
def test_eligibility_boundaries_worked_by_hand(pol, app, rule, ok):
    """Each boundary case states its rule boundary (data/boundary/applicants.csv sample_case)."""
    (part,) = explain(BOUNDARY, app, "eligibility", policy=pol, as_of=AS_OF).parts
    st = {s.key: s for s in part.steps}[rule]
    assert st.result is ok and st.status == ("pass" if ok else "fail")
    assert st.clause.startswith("P6 §") and st.wording and st.parameter.startswith("eligibility.")


def test_eligibility_trace_shows_values_and_thresholds(pol):
    (part,) = explain(BOUNDARY, "A2026-B019", "eligibility", policy=pol, as_of=AS_OF).parts   # TOEFL 84
    st = {s.key: s for s in part.steps}["ok_language"]
    assert ("TOEFL成绩", 84.0) in st.inputs and st.value["toefl"] == 85
    assert "外语条件" in part.answer and "不符合" in part.answer
    (part,) = explain(BOUNDARY, "A2026-B035", "eligibility", policy=pol, as_of=AS_OF).parts   # 11.9 months
    st = {s.key: s for s in part.steps}["ok_overseas"]
    assert "须连续 12 个月" in st.arithmetic and "本人 11.9 个月" in st.arithmetic
    (part,) = explain(BOUNDARY, "A2026-B002", "eligibility", policy=pol, as_of=AS_OF).parts   # 一般应: warning only
    assert {s.key: s for s in part.steps}["degree_usual"].status == "warning"
    assert part.results["warnings"] == "3.2-degree-usual"


def test_eligibility_sheet_says_how_to_appeal(pol):
    text = explain(BOUNDARY, "A2026-B035", "eligibility", policy=pol, as_of=AS_OF).to_text()
    assert "结果公布后 7 日内书面申诉" in text and "1 个月内书面答复" in text and "P6 §31(一)" in text
    longer = pol.override({"review.appeal.file_within": 10})
    assert "结果公布后 10 日内书面申诉" in explain(BOUNDARY, "A2026-B035", "eligibility", policy=longer,
                                                  as_of=AS_OF).to_text()


def test_recruitment_trace_worked_by_hand(tables, pol):
    c = tables["recruitment_candidates"]
    (part,) = explain(DATA, "R2026-001", "recruitment", policy=pol, as_of=AS_OF).parts
    k = part.by_key()
    me = c.set_index("candidate_id").loc["R2026-001"]
    assert k["review_score"] == pytest.approx((0.35 * 86 + 0.35 * 77 + 0.30 * 78) * 15 / 100)
    assert k["exam_score"] == 65 * 25 / 100 and k["onsite_score"] == 13.5 + 12 and k["self_report_score"] == 9
    # normalisation: the round's top among candidates not vetoed and eligible (age <= 50 on the date)
    born = pd.to_datetime(c["birth_date"])
    on = pd.to_datetime(c["recruitment_date"])
    age = on.dt.year - born.dt.year - ((on.dt.month * 100 + on.dt.day) < (born.dt.month * 100 + born.dt.day))
    ranked = c[(c["round"] == me["round"]) & ~c["veto"] & (age <= 50) & c["regular_teacher"] & c["healthy"]]
    assert k["achievements_score"] == pytest.approx(10 * 15 / ranked["achievement_points"].max())
    assert k["conduct_score"] == pytest.approx(5 * 87 / ranked["monthly_base"].max())
    assert k["total"] == pytest.approx(sum(k[x] for x in scoring.recruitment.COMPONENTS))


# --------------------------------------------------------------------------------------------
# what-if, names, bad input
# --------------------------------------------------------------------------------------------
def test_override_shows_the_scenario(pol):
    scenario = pol.override({"study_leave.restoration.min_months_on_post": 5})
    t = explain(DATA, "T0000019", "pay", policy=scenario, as_of=AS_OF)
    assert t.parts[0].by_key()["restored"]          # 5 months now restores
    assert "假设情景" in t.to_text() and "study_leave.restoration.min_months_on_post = 5" in t.to_text()


def test_names_only_on_request(pol):
    name = pd.read_csv(DATA / "staff.csv").set_index("staff_id").loc["T0000047", "name"]
    assert name not in explain(DATA, "T0000047", "pay", policy=pol, as_of=AS_OF).to_text()
    shown = explain(DATA, "T0000047", "pay", policy=pol, as_of=AS_OF, show_names=True)
    assert f"姓名：{name}" in shown.to_text() and name in shown.to_html()
    ids = pd.read_csv(DATA / "staff.csv").set_index("staff_id").loc["T0000047", "id_number"]
    assert str(ids) not in shown.to_text()


@pytest.mark.parametrize("staff, topic, period, words", [
    ("T9999999", None, None, ["T9999999", "无此号", "not in"]),
    ("T0000047", "recruitment", None, ["T0000047", "recruitment_candidates.csv"]),
    ("T0000047", "pay", "2019-01", ["2019-01", "无数据", "no data"]),
    ("A2026-000001", "eligibility", "2025-01", ["2025-01"]),
])
def test_bad_requests_name_what_was_looked_for(pol, staff, topic, period, words):
    with pytest.raises(ExplainError) as e:
        explain(DATA, staff, topic, period, policy=pol, as_of=AS_OF)
    for w in words:
        assert w in str(e.value)


def test_bad_period_format(pol):
    with pytest.raises(ExplainError, match="YYYY-MM"):
        explain(DATA, "T0000047", "pay", "2026-13", policy=pol)


def test_cli_exit_codes_and_text(capsys):
    assert main(["explain", "--data", str(DATA), "--staff", "T0000047", "--topic", "pay", "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert out.startswith("解释单") and "结论：全脱产，全年发放 112,560.00 元" in out
    assert "True" not in out and "False" not in out and "nan" not in out.lower().replace("nanjing", "")
    assert main(["explain", "--data", str(DATA), "--staff", "NOPE"]) == 2
    assert "NOPE" in capsys.readouterr().err
    assert main(["explain", "--data", str(DATA), "--staff", "T0000047", "--period", "2019-01", "--topic", "pay"]) == 2
    assert main(["explain", "--data", str(DATA), "--staff", "T0000047", "--as-of", "1.1.2026"]) == 2


def test_cli_override_file(tmp_path, capsys):
    f = tmp_path / "what.yaml"
    f.write_text("study_leave.restoration.min_months_on_post: 5\n", encoding="utf-8")
    assert main(["explain", "--data", str(DATA), "--staff", "T0000019", "--topic", "pay", "--as-of", AS_OF,
                 "--override", str(f)]) == 0
    assert "恢复工资条件一：每年返岗满 6 个月" in capsys.readouterr().out
    f.write_text("study_leave.no_such: 5\n", encoding="utf-8")
    assert main(["explain", "--data", str(DATA), "--staff", "T0000019", "--override", str(f)]) == 2


# --------------------------------------------------------------------------------------------
# renderings
# --------------------------------------------------------------------------------------------
def test_html_and_xlsx(tmp_path, capsys):
    out = tmp_path / "sheet.html"
    assert main(["explain", "--data", str(BOUNDARY), "--staff", "A2026-B035", "--format", "html", "--out", str(out),
                 "--as-of", AS_OF]) == 0
    text = out.read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in text and "海外研修经历" in text and "不符合" in text
    assert "Noto Sans SC" in text and "<script" not in text
    xlsx = tmp_path / "sheet.xlsx"
    assert main(["explain", "--data", str(BOUNDARY), "--staff", "A2026-B035", "--format", "xlsx", "--out", str(xlsx),
                 "--as-of", AS_OF]) == 0
    steps = pd.read_excel(xlsx, sheet_name="计算过程")
    assert list(steps.columns[:3]) == ["部分", "序号", "步骤"] and (steps["判定"] == "不符合").any()
    head = pd.read_excel(xlsx, sheet_name="说明", header=None)
    assert "A2026-B035" in head.astype(str).to_numpy().ravel()


def test_html_fragment_keeps_its_styles_inside(pol):
    frag = explain(DATA, "T0000047", "pay", policy=pol, as_of=AS_OF).to_html(fragment=True)
    assert frag.startswith('<div class="sc-explain"') and frag.rstrip().endswith("</div>")
    assert "<html" not in frag and "@page" not in frag and "全年发放合计" in frag
    css = frag[frag.index("<style>") + 7:frag.index("</style>")]
    assert all(rule.startswith(".sc-explain") for rule in css.splitlines())


@pytest.mark.skipif(render.chromium() is None or shutil.which("pdffonts") is None,
                    reason="needs Debian chromium and poppler-utils (pdffonts); CI installs them")
def test_pdf_embeds_the_chinese_glyphs(tmp_path, pol):
    """Chromium (Skia) embeds every font it draws with as a nameless Type 3 font; the Chinese
    text comes back out of the PDF through the fonts' ToUnicode maps, so the CJK glyphs are in it."""
    out = tmp_path / "sheet.pdf"
    render.write_pdf(explain(DATA, "T0000047", "pay", policy=pol, as_of=AS_OF), out)
    assert out.read_bytes()[:5] == b"%PDF-"
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    rows = [ln.split() for ln in fonts.splitlines()[2:]]
    assert rows and all(r[-5] == "yes" and r[-3] == "yes" for r in rows)   # emb, uni
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "解释单（复核/申诉用）" in text and "全年发放合计" in text and "恢复在岗期间全额工资" in text


def test_pdf_without_chromium_says_so(monkeypatch, tmp_path, pol):
    monkeypatch.setattr(render, "chromium", lambda: None)
    with pytest.raises(render.RenderError, match="chromium"):
        render.write_pdf(explain(DATA, "T0000047", "pay", policy=pol, as_of=AS_OF), tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
