"""notebooks/leave_cost_impact.ipynb under papermill with non-default parameters (spec §8.11).

The sample institution and study-leave register are generated into a temporary data folder; the
notebook runs from the notebooks folder with another horizon, hourly rate, early-return share and a
unit filter, and the numbers in its Excel file are checked against ``staffcalc.leave_cost.project``
computed here from the same files.
"""

import datetime as dt
import json

import numpy as np
import pandas as pd
import papermill
import pytest
from conftest import NOTEBOOKS

from staffcalc import io, leave_cost, policy, schemas
from staffcalc import notebook as nb
from staffcalc import sample as sample_pkg
from staffcalc.sample import institution, study_leave

NOTEBOOK = NOTEBOOKS / "leave_cost_impact.ipynb"
AS_OF = dt.date(2026, 9, 1)
PARAMS = {"as_of": "2026-09-01", "horizon_start": "2027-01", "horizon_end": "2029-12", "hourly_rate": 150.0,
          "early_return_share": 0.2}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("leave_cost_nb")
    tables = institution.generate(np.random.default_rng([7, 0]), {}, 2000, AS_OF)
    tables.update(study_leave.generate(np.random.default_rng([7, 2]), tables, 2000, AS_OF))
    sample_pkg.write({k: tables[k] for k in ("staff", "study_leave")}, tmp / "data")
    read = io.read_tables(tmp / "data", ["staff", "study_leave"])
    records = read["study_leave"].merge(read["staff"][["staff_id", "unit_id"]], on="staff_id")
    unit = records["unit_id"].value_counts().sort_index().idxmax()   # the unit with most episodes
    params = {**PARAMS, "data_dir": str(tmp / "data"), "out_dir": str(tmp / "out"), "unit": unit}
    papermill.execute_notebook(str(NOTEBOOK), str(tmp / "executed.ipynb"), parameters=params, kernel_name="python3",
                               cwd=str(NOTEBOOKS), execution_timeout=180, progress_bar=False)
    expected = leave_cost.project(records[records["unit_id"] == unit].reset_index(drop=True), "2027-01", "2029-12",
                                  policy=policy.load("2026-09-01"), hourly_rate=150.0, early_return_share=0.2,
                                  as_of="2026-09-01")
    workbook = pd.read_excel(tmp / "out" / "leave_cost_impact.xlsx", sheet_name=None)
    return {"tmp": tmp, "unit": unit, "expected": expected, "workbook": workbook, "staff": read["staff"]}


def compare(sheet: pd.DataFrame, expected: pd.DataFrame):
    want = schemas.to_chinese(expected)
    assert list(sheet.columns) == list(want.columns)
    for col in want.columns:
        if pd.api.types.is_numeric_dtype(want[col]) and not pd.api.types.is_bool_dtype(want[col]):
            np.testing.assert_allclose(sheet[col].to_numpy(float), want[col].to_numpy(float), rtol=1e-9, atol=1e-6,
                                       err_msg=col)
        else:
            assert sheet[col].astype(str).tolist() == want[col].astype(str).tolist(), col


def test_excel_per_unit_and_year_matches_the_package(run):
    sheet = run["workbook"]["按单位和学年"]
    compare(sheet, run["expected"].by_unit_year)
    assert set(sheet[schemas.LABELS["unit_id"]]) == {run["unit"]}
    # horizon 2027-01..2029-12 in academic years from September: 2026 (Jan–Aug 2027: 8 months), 2027, 2028, 2029 (4)
    assert sheet[schemas.LABELS["months"]].tolist() == [8, 12, 12, 4]


def test_excel_totals_months_and_obligations_match_the_package(run):
    wb, exp = run["workbook"], run["expected"]
    compare(wb["学年合计"], exp.totals)
    compare(wb["月度合计"], exp.monthly_totals)
    compare(wb["服务期与违约"], exp.obligations)
    assert len(wb["按单位和月份"]) == 36


def test_excel_records_the_run_parameters_and_the_early_return_scenario(run):
    params = run["workbook"]["本次测算条件"].set_index("项目")["取值"]
    assert params["外聘教师课时费（元/课时）"] == "150（本次设定）" and params["提前返岗比例"].startswith("20%")
    assert params["测算期"] == "2027-01 至 2029-12"
    people = run["workbook"]["人员明细"]
    assert (people[schemas.LABELS["early_return"]] == "是").sum() == run["expected"].people["early_return"].sum() > 0
    interp = run["workbook"]["解释与假设"]
    assert {"study_leave.pay.no_agreement", "study_leave.planning.hourly_cover_rate"} <= set(interp[nb.PATH_COLUMN])


def test_no_personal_names_without_show_names(run):
    names = set(run["staff"]["name"].dropna())
    for sheet in run["workbook"].values():
        assert not names & set(sheet.astype(str).to_numpy().ravel())
    executed = json.loads((run["tmp"] / "executed.ipynb").read_text(encoding="utf-8"))
    text = json.dumps([c.get("outputs", []) for c in executed["cells"]], ensure_ascii=False)
    assert not [n for n in names if n in text]


def test_notebook_draws_the_monthly_gap_chart(run):
    executed = json.loads((run["tmp"] / "executed.ipynb").read_text(encoding="utf-8"))
    outputs = [o for c in executed["cells"] for o in c.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert not [o for o in outputs if o.get("output_type") == "error"]


def _run_for_unit(run, unit, name):
    params = {**PARAMS, "data_dir": str(run["tmp"] / "data"), "out_dir": str(run["tmp"] / name), "unit": unit}
    out = run["tmp"] / f"{name}.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters=params, kernel_name="python3",
                               cwd=str(NOTEBOOKS), execution_timeout=180, progress_bar=False)
    return out


def test_a_unit_with_nobody_on_leave_gets_a_report_of_zeros(run):
    """`--per unit` runs every unit: a unit on the roster with no study-leave record is a report, not a failure."""
    read = io.read_tables(run["tmp"] / "data", ["staff", "study_leave"])
    on_leave = set(read["study_leave"]["staff_id"])
    idle = sorted(set(read["staff"]["unit_id"]) - set(read["staff"].loc[read["staff"]["staff_id"].isin(on_leave),
                                                                          "unit_id"]))
    if not idle:  # every generated unit has someone on leave: empty one unit's register rows
        unit = run["unit"]
        keep = ~read["study_leave"]["staff_id"].isin(read["staff"].loc[read["staff"]["unit_id"] == unit, "staff_id"])
        pd.read_csv(run["tmp"] / "data" / "study_leave.csv", dtype=str, keep_default_na=False)[keep.to_numpy()] \
            .to_csv(run["tmp"] / "data" / "study_leave.csv", index=False)
        idle = [unit]
    executed = json.loads(_run_for_unit(run, idle[0], "idle").read_text(encoding="utf-8"))
    text = json.dumps([c.get("outputs", []) for c in executed["cells"]], ensure_ascii=False)
    assert "本单位没有攻读学位或进修人员的记录" in text
    headline_sheet = pd.read_excel(run["tmp"] / "idle" / "leave_cost_impact.xlsx", sheet_name="概要", engine="openpyxl")
    assert len(headline_sheet) >= 8 and (headline_sheet["数值"].astype(float) == 0).all()


def test_a_unit_not_on_the_roster_is_refused(run):
    with pytest.raises(papermill.PapermillExecutionError, match="U9999"):
        _run_for_unit(run, "U9999", "unknown")
