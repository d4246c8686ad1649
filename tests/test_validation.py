"""staffcalc.validation: policy ranges and codes, links between tables, plausible dates; and the two
commands that use it (``staffcalc validate`` and ``staffcalc report`` before any kernel) agreeing.

Each case copies the sample data folder, breaks one cell and checks the problem is found at the
Excel row of that cell (header = row 1, so DataFrame position i is Excel row i + 2).  Bounds come
from the policy in force, never from literals here.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from staffcalc import policy as policy_mod
from staffcalc.validation import FUTURE_YEARS, MIN_AGE, OLDEST_YEARS, RECORD_LEAD_YEARS, validate

sys.path.append(str(Path(__file__).parent / "fixtures" / "notebooks"))
from conftest import DATA, ROOT  # noqa: E402
from report_fixtures import processes_started_here, run_cli  # noqa: E402

AS_OF = "2026-09-01"
POL = policy_mod.load(AS_OF)


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("README.md"))
    return folder


def table(folder: Path, kind: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{kind}.csv", dtype=str, keep_default_na=False)


def put(folder: Path, kind: str, df: pd.DataFrame) -> None:
    df.to_csv(folder / f"{kind}.csv", index=False)


def set_cell(folder: Path, kind: str, i: int, column: str, value) -> int:
    """Write ``value`` into data row ``i`` of ``kind``; returns its Excel row."""
    df = table(folder, kind)
    df.loc[i, column] = str(value)
    put(folder, kind, df)
    return i + 2


def problems(folder: Path, kinds, **kw) -> pd.DataFrame:
    return validate(folder, kinds, as_of=AS_OF, **kw).problems


def only(found: pd.DataFrame, rule: str) -> list[tuple[str, int, str]]:
    hits = found[found["rule"] == rule]
    return [(Path(f).name, int(r), c) for f, r, c in zip(hits["file"], hits["row"], hits["column"])]


def test_sample_data_are_valid():
    result = validate(DATA, as_of=AS_OF)
    assert result.ok, result.problems.head()
    assert set(result.tables) == {p.stem for p in DATA.glob("*.csv")}


# --------------------------------------------------------------------------------------------
# policy ranges and codes
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("column, path", [
    ("talk", "recruitment.onsite.talk_max"), ("defence", "recruitment.onsite.defence_max"),
    ("exam", "recruitment.exam.full_marks"), ("panel", "recruitment.review.rating_scale"),
    ("self_report", "recruitment.self_report.max"),
])
def test_recruitment_scores_on_the_policy_scale_both_sides(data, column, path):
    top = POL.get(path)
    cand = table(data, "recruitment_candidates")
    i = int((cand["veto"].str.lower().isin(["false", "否", "0"])).to_numpy().argmax())
    set_cell(data, "recruitment_candidates", i, column, top)
    assert only(problems(data, ["recruitment_candidates"]), "policy_range") == []
    row = set_cell(data, "recruitment_candidates", i, column, top + 0.5)
    assert only(problems(data, ["recruitment_candidates"]), "policy_range") == [
        ("recruitment_candidates.csv", row, column)]


@pytest.mark.parametrize("column", ["self_score", "student_score", "college_score"])
def test_semester_ratings_on_the_policy_scale(data, column):
    scale = POL.get("appraisal.rating_scale")
    set_cell(data, "semester_ratings", 3, column, scale)
    assert only(problems(data, ["semester_ratings"]), "policy_range") == []
    row = set_cell(data, "semester_ratings", 3, column, scale + 0.5)
    found = problems(data, ["semester_ratings"])
    assert only(found, "policy_range") == [("semester_ratings.csv", row, column)]
    assert "appraisal.rating_scale" in found["message_en"].iloc[0] and "超出政策规定" in found["message_zh"].iloc[0]


def test_an_override_moves_the_range(data):
    scale = POL.get("appraisal.rating_scale")
    set_cell(data, "semester_ratings", 0, "self_score", scale + 5)
    wider = POL.override({"appraisal.rating_scale": scale + 10})
    assert validate(data, ["semester_ratings"], policy=wider, as_of=AS_OF).ok
    assert not validate(data, ["semester_ratings"], policy=POL, as_of=AS_OF).ok


def test_failed_items_no_more_than_the_section_has(data):
    from staffcalc.scoring import sections

    s = sections(POL).iloc[0]
    set_cell(data, "appraisal_items", 4, s["column"], s["section_items"])
    assert only(problems(data, ["appraisal_items"]), "more_failed_than_items") == []
    row = set_cell(data, "appraisal_items", 4, s["column"], s["section_items"] + 1)
    assert only(problems(data, ["appraisal_items"]), "more_failed_than_items") == [
        ("appraisal_items.csv", row, s["column"])]


def test_event_codes_direct_grade_codes_and_veto_reasons_against_the_policy(data):
    from staffcalc.scoring import direct_grade_conditions

    ev = set_cell(data, "appraisal_events", 5, "code", "B-NO-SUCH-CODE")
    known = direct_grade_conditions(POL)["code"].iloc[0]
    sr = set_cell(data, "semester_ratings", 2, "override_codes", f"{known}; X-NOPE")
    rc = set_cell(data, "recruitment_candidates", 1, "veto_reason", "V-NOPE")
    found = problems(data, ["appraisal_events", "semester_ratings", "recruitment_candidates"])
    assert only(found, "unknown_code") == [("appraisal_events.csv", ev, "code")]
    assert only(found, "unknown_override_code") == [("semester_ratings.csv", sr, "override_codes")]
    assert only(found, "unknown_veto_reason") == [("recruitment_candidates.csv", rc, "veto_reason")]


def test_known_direct_grade_codes_pass(data):
    from staffcalc.scoring import direct_grade_conditions

    codes = list(direct_grade_conditions(POL)["code"][:2])
    set_cell(data, "semester_ratings", 2, "override_codes", "；".join(codes))  # full-width separator too
    assert only(problems(data, ["semester_ratings"]), "unknown_override_code") == []


# --------------------------------------------------------------------------------------------
# links between tables
# --------------------------------------------------------------------------------------------
LINK_CASES = [
    # (table, column, rule, tables validated)
    ("appraisal_events", "staff_id", "link_class_teachers", ["class_teachers", "appraisal_items", "appraisal_events"]),
    ("appraisal_items", "staff_id", "link_class_teachers", ["class_teachers", "appraisal_items"]),
    ("semester_ratings", "staff_id", "link_class_teachers", ["class_teachers", "semester_ratings"]),
    ("class_teachers", "staff_id", "link_staff", ["staff", "class_teachers"]),
    ("applicants", "staff_id", "link_staff", ["staff", "applicants"]),
    ("recommendations", "application_id", "link_applicants", ["applicants", "recommendations"]),
    ("relatives", "relative_id", "link_staff", ["staff", "relatives"]),
    ("study_leave", "staff_id", "link_staff", ["staff", "study_leave"]),
    ("staff", "discipline_id", "link_disciplines", ["disciplines", "staff"]),
    ("duty_history", "staff_id", "link_staff", ["staff", "duty_history"]),
]


@pytest.mark.parametrize("kind, column, rule, kinds", LINK_CASES)
def test_a_reference_to_a_row_that_does_not_exist(data, kind, column, rule, kinds):
    row = set_cell(data, kind, 1, column, "ZZ-NOT-THERE")
    found = problems(data, kinds)
    assert (f"{kind}.csv", row, column) in only(found, rule)
    hit = found[(found["rule"] == rule) & (found["row"] == row)].iloc[0]
    assert hit["value"] == "ZZ-NOT-THERE" and hit["message_en"] and hit["message_zh"]
    if kind == "class_teachers":  # the teacher's monthly rows are then orphans too, each named
        more = problems(data, ["staff", "class_teachers", "appraisal_items"])
        assert len(only(more, "link_class_teachers")) >= 1


def test_a_discipline_of_another_unit(data):
    staff, disc = table(data, "staff"), table(data, "disciplines")
    other = disc.loc[disc["unit_id"] != staff.loc[0, "unit_id"], "discipline_id"].iloc[0]
    row = set_cell(data, "staff", 0, "discipline_id", other)
    assert only(problems(data, ["disciplines", "staff"]), "link_disciplines") == [
        ("staff.csv", row, "discipline_id,unit_id")]


def test_an_event_for_a_month_without_an_items_row(data):
    items = table(data, "appraisal_items")
    ev = table(data, "appraisal_events")
    months = set(items.loc[items["staff_id"] == ev.loc[0, "staff_id"], "period"])
    free = next(f"20{y:02d}-{m:02d}" for y in range(10, 40) for m in range(1, 13) if f"20{y:02d}-{m:02d}" not in months)
    row = set_cell(data, "appraisal_events", 0, "period", free)
    found = problems(data, ["class_teachers", "appraisal_items", "appraisal_events"])
    assert only(found, "link_appraisal_items") == [("appraisal_events.csv", row, "staff_id,period")]


def test_links_are_only_checked_between_tables_validated_together(data):
    set_cell(data, "study_leave", 0, "staff_id", "ZZ-NOT-THERE")
    assert validate(data, ["study_leave"], as_of=AS_OF).ok


# --------------------------------------------------------------------------------------------
# plausible dates
# --------------------------------------------------------------------------------------------
def test_birth_dates_within_the_plausible_ages_both_sides(data):
    on = pd.Timestamp(AS_OF)
    oldest = (on - pd.DateOffset(years=OLDEST_YEARS)).date()
    youngest = (on - pd.DateOffset(years=MIN_AGE)).date()
    too_young = (on - pd.DateOffset(years=MIN_AGE) + pd.Timedelta(days=1)).date()
    hired = pd.to_datetime(table(data, "staff")["hire_date"])
    young = int(hired.index[(hired > pd.Timestamp(too_young)) & (hired.index > 0)][0])  # hired after it: no other rule fails
    set_cell(data, "staff", 0, "birth_date", oldest)
    set_cell(data, "staff", young, "birth_date", youngest)
    assert problems(data, ["staff"]).empty  # the table reads cleanly, so the date check ran and passed
    set_cell(data, "staff", 0, "birth_date", "1850-01-01")
    set_cell(data, "staff", young, "birth_date", too_young)
    assert only(problems(data, ["staff"]), "implausible_date") == [("staff.csv", 2, "birth_date"),
                                                                      ("staff.csv", young + 2, "birth_date")]


def test_hire_date_in_2099_is_refused_and_next_year_is_not(data):
    on = pd.Timestamp(AS_OF)
    set_cell(data, "staff", 2, "hire_date", (on + pd.DateOffset(years=RECORD_LEAD_YEARS)).date())
    assert problems(data, ["staff"]).empty  # the table reads cleanly, so the date check ran and passed
    row = set_cell(data, "staff", 2, "hire_date", "2099-01-01")
    found = problems(data, ["staff"])
    assert only(found, "implausible_date") == [("staff.csv", row, "hire_date")]
    assert "2099-01-01" == found["value"].iloc[0]


def test_planned_dates_may_lie_years_ahead_but_not_a_century(data):
    on = pd.Timestamp(AS_OF)
    df = table(data, "study_leave")
    i = 0
    df.loc[i, "standard_end"] = str((on + pd.DateOffset(years=FUTURE_YEARS)).date())
    put(data, "study_leave", df)
    assert only(problems(data, ["study_leave"]), "implausible_date") == []
    df.loc[i, "standard_end"] = "2199-07-01"
    put(data, "study_leave", df)
    assert only(problems(data, ["study_leave"]), "implausible_date") == [("study_leave.csv", 2, "standard_end")]


# --------------------------------------------------------------------------------------------
# the commands: validate writes every problem to a workbook; report refuses before any kernel
# --------------------------------------------------------------------------------------------
def break_many(data: Path) -> None:
    """60 cross-table problems (more than the terminal shows) plus one policy and one date problem."""
    ev = table(data, "appraisal_events")
    ev.loc[:59, "staff_id"] = "ZZ-GONE"
    put(data, "appraisal_events", ev)
    set_cell(data, "semester_ratings", 0, "self_score", POL.get("appraisal.rating_scale") + 1)
    set_cell(data, "staff", 0, "hire_date", "2099-01-01")


def test_validate_writes_the_full_problem_list_and_says_where(data):
    break_many(data)
    code, out, _ = run_cli(["validate", "--data", str(data), "--as-of", AS_OF])
    assert code == 1
    book = data / "staffcalc-problems.xlsx"
    assert str(book.resolve()) in out
    sheet = pd.read_excel(book, engine="calamine")
    assert list(sheet.columns) == ["文件 file", "行号 row", "列 column", "列名 column (中文)", "值 value", "规则 rule",
                                   "问题说明", "problem"]
    assert len(sheet) >= 62 and (sheet["规则 rule"] == "link_class_teachers").sum() >= 60
    assert ((sheet["文件 file"] == "staff.csv") & (sheet["行号 row"] == 2) & (sheet["值 value"] == "2099-01-01")).any()
    assert len(out.splitlines()) < 60  # the terminal shows a summary, the workbook the rest
    # fixed data: the old list goes, so nobody fixes from a stale one
    shutil.rmtree(data)
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("README.md"))
    openpyxl.Workbook().save(book)
    code, out, _ = run_cli(["validate", "--data", str(data), "--as-of", AS_OF])
    assert code == 0 and not book.exists()


def test_validate_problems_option_and_bad_as_of(data, tmp_path):
    set_cell(data, "staff", 0, "hire_date", "2099-01-01")
    target = tmp_path / "out" / "list.xlsx"
    target.parent.mkdir()
    code, out, _ = run_cli(["validate", "--data", str(data), "--as-of", AS_OF, "--problems", str(target)])
    assert code == 1 and target.is_file() and str(target.resolve()) in out
    code, _, err = run_cli(["validate", "--data", str(data), "--as-of", "not-a-date"])
    assert code == 2 and "not-a-date" in err


def test_report_refuses_invalid_data_before_any_kernel_and_agrees_with_validate(data, tmp_path, monkeypatch):
    import staffcalc.report.run as report_run

    pools = []
    pool_for = report_run.pool_for
    monkeypatch.setattr(report_run, "pool_for", lambda *a: pools.append(pool_for(*a)) or pools[-1])
    break_many(data)
    out = tmp_path / "reports"
    code, stdout, err = run_cli(["report", "--config", str(ROOT / "reports.yaml"), "--data", str(data),
                                 "--out", str(out), "--problems", str(tmp_path / "report-problems.xlsx")])
    assert code == 2
    assert "nothing was run or published" in err and "未运行也未发布" in err
    assert not out.exists()  # no run folder, no lock, no temporary folder
    deadline = time.time() + 10  # the workers that warmed up during the check are gone with the command
    while processes_started_here() and time.time() < deadline:
        time.sleep(0.2)
    assert processes_started_here() == []
    assert len(pools) == 1 and all(not w.alive() for w in pools[0].workers())  # it had started, warming up
    run_cli(["validate", "--data", str(data), "--as-of", AS_OF, "--problems", str(tmp_path / "validate.xlsx")])
    key = ["文件 file", "行号 row", "列 column", "规则 rule"]
    from_report = pd.read_excel(tmp_path / "report-problems.xlsx", engine="calamine")[key].sort_values(key).reset_index(drop=True)
    from_validate = pd.read_excel(tmp_path / "validate.xlsx", engine="calamine")[key].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(from_report, from_validate)


def test_report_checks_only_what_the_selected_notebooks_read(data, tmp_path):
    """--only leave_cost_impact reads staff and study_leave: a broken appraisal file does not stop it
    here (the plan is made; it fails later only if the notebook itself fails)."""
    from staffcalc.report.inputs import check_inputs, tables_read

    set_cell(data, "appraisal_events", 0, "staff_id", "ZZ-GONE")
    nb = ROOT / "notebooks" / "leave_cost_impact.ipynb"
    assert set(tables_read(nb)[0]) == {"staff", "study_leave"}
    check_inputs(data, [(nb, AS_OF)])  # no error
    from staffcalc.io import InputError

    with pytest.raises(InputError) as e:
        check_inputs(data, [(ROOT / "notebooks" / "appraisal_distribution.ipynb", AS_OF)])
    assert set(e.value.problems["rule"]) == {"link_class_teachers"}
