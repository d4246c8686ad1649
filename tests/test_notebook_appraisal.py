"""notebooks/appraisal_distribution.ipynb runs under papermill with non-default parameters and its
Excel numbers equal what staffcalc.scoring computes from the same data (spec §5–§7)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import papermill as pm
import pytest

import staffcalc.sample as sample
from staffcalc import formats, policy, schemas, scoring
from staffcalc import notebook as nb
from staffcalc.io import read_tables

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "appraisal_distribution.ipynb"
KINDS = ["class_teachers", "appraisal_items", "appraisal_events", "semester_ratings", "recruitment_candidates",
         "duty_history", "duty_exemptions", "staff"]
PARAMS = dict(period_start="2025-11", period_end="2026-03", duty_variant="P3", openings=8, as_of="2026-09-01")
EN = {zh: en for en, zh in {**schemas.LABELS, **formats.LABELS}.items()}
YES = {"是": True, "否": False}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("appraisal_nb")
    data = tmp / "data"
    sample.write(sample.generate(seed=7, n_staff=1500), data)
    tables = read_tables(data, KINDS)
    roster = tables["class_teachers"]
    unit = roster["unit_id"].value_counts().index[0]  # the unit with most class teachers
    out_dir = tmp / "out"
    pm.execute_notebook(
        str(NOTEBOOK), str(tmp / "executed.ipynb"),
        parameters=dict(PARAMS, data_dir=str(data), out_dir=str(out_dir), unit=str(unit)),
        cwd=str(NOTEBOOK.parent), kernel_name="python3", execution_timeout=300, progress_bar=False,
    )
    sheets = pd.read_excel(out_dir / "appraisal_distribution.xlsx", sheet_name=None)
    return {"tables": tables, "unit": unit, "sheets": sheets, "executed": tmp / "executed.ipynb"}


def english(df: pd.DataFrame) -> pd.DataFrame:
    return df.rename(columns=lambda c: EN.get(c, c))


def expected_monthly(t, unit):
    ids = set(t["class_teachers"].loc[t["class_teachers"]["unit_id"] == unit, "staff_id"])
    def scope(df):
        keep = df["staff_id"].isin(ids) & (df["period"] >= PARAMS["period_start"]) & (df["period"] <= PARAMS["period_end"])
        return df[keep].reset_index(drop=True)
    pol = policy.load(PARAMS["as_of"], variant={"duty": "P3"})
    return scoring.monthly_appraisal(scope(t["appraisal_items"]), scope(t["appraisal_events"]), pol), ids, pol


def test_monthly_scores_in_excel_equal_staffcalc(run):
    got = english(run["sheets"]["月考核明细"])
    want, ids, _ = expected_monthly(run["tables"], run["unit"])
    assert len(got) == len(want) > 0
    assert set(got["unit_id"]) == {run["unit"]}
    assert got["period"].min() >= "2025-11" and got["period"].max() <= "2026-03"
    got = got.set_index(["staff_id", "period"]).sort_index()
    want = want.set_index(["staff_id", "period"]).sort_index()
    for col in ("bonus", "deduction", "base_score", "score", "allowance"):
        assert np.allclose(got[col].to_numpy(dtype=float), want[col].to_numpy(dtype=float)), col
    assert got["grade"].tolist() == want["grade"].astype(str).tolist()
    assert "name" not in got.columns  # show_names is false


def test_allowance_totals_in_excel_equal_staffcalc(run):
    got = english(run["sheets"]["津贴_月份"])
    assert got["period"].iloc[-1] == "合计" and got["allowance"].iloc[-1] == pytest.approx(got["allowance"].iloc[:-1].sum())
    got = got.iloc[:-1].set_index("period")
    want, _, _ = expected_monthly(run["tables"], run["unit"])
    totals = want.groupby("period")["allowance"].sum()
    assert np.allclose(got.loc[totals.index, "allowance"].to_numpy(), totals.to_numpy())
    assert got["forfeited_months"].sum() == int(want["allowance_forfeited"].sum())


def test_removal_watch_list_equals_staffcalc(run):
    t = run["tables"]
    _, ids, pol = expected_monthly(t, run["unit"])
    r = t["semester_ratings"]
    r = r[r["staff_id"].isin(ids) & (r["semester"] <= "2025-2026-2")].reset_index(drop=True)
    status = scoring.removal_status(scoring.semester_grades(r, pol)[["staff_id", "semester", "grade"]], pol)
    want = status[status["removal_status"] != "ok"].set_index("staff_id")["removal_status"].sort_index()
    got = english(run["sheets"]["调离预警"])
    got = got.set_index("staff_id")["removal_status"].map({"调离": "remove", "预警": "at_risk"}).sort_index() \
        if len(got) else pd.Series(dtype=object)
    assert got.to_dict() == want.to_dict()


def test_recruitment_ranking_in_excel_equals_staffcalc(run):
    t = run["tables"]
    pol = policy.load(PARAMS["as_of"])
    want = scoring.appoint(scoring.recruitment_scores(
        scoring.recruitment_eligibility(t["recruitment_candidates"], policy=pol), pol), 8, pol).set_index("candidate_id")
    got = english(run["sheets"]["竞聘排名"]).set_index("candidate_id")
    assert len(got) == len(want) >= 40
    ranked = want["total"].notna()
    assert np.allclose(got.loc[want.index[ranked], "total"], want.loc[ranked, "total"])
    assert (got.loc[want.index[ranked], "rank"] == want.loc[ranked, "rank"]).all()
    assert int((got["appointed"] == "是").sum()) == 8
    assert got.loc[(got["appointed"] == "否") & got["total"].notna(), "waiting_list"].min() == 1
    assert "name" not in got.columns and "姓名" not in run["sheets"]["竞聘排名"].columns


def test_duty_sheets_follow_p3_and_show_both_versions(run):
    t = run["tables"]
    p2, p3 = policy.load(PARAMS["as_of"], variant="P2"), policy.load(PARAMS["as_of"], variant="P3")
    diff = run["sheets"]["P2P3差异"]
    assert set(diff[nb.PATH_COLUMN]) == set(policy.diff(p2, p3, "duty")["path"])
    marked = diff.set_index(nb.PATH_COLUMN)["差异"]
    assert marked["duty.sanctions.refusal"] == "取值、原文"        # three years vs that year, and the wording
    assert marked["duty.appointment.idle_years_expected"] == "原文"  # same rule, the schools' wording differs
    assert marked["duty.performance_points"] == "原文、解读"        # P2 borrows P3's numbers as a reading
    got = run["sheets"]["拒聘解聘处理"]
    want3 = scoring.sanctions(t["duty_history"], p3)
    want2 = scoring.sanctions(t["duty_history"], p2)
    assert sorted(got["截止年度（P3）"]) == sorted(want3["barred_to"])
    assert sorted(got["截止年度（P2）"]) == sorted(want2["barred_to"])
    ex = english(run["sheets"]["免任申请"])
    want_ex = scoring.exemptions(t["duty_exemptions"], p3)
    assert ex["may_be_exempted"].map(YES).tolist() == want_ex["may_be_exempted"].tolist()
    assert ex["另一版本（P2）可不承担"].map(YES).tolist() == \
        scoring.exemptions(t["duty_exemptions"], p2)["may_be_exempted"].tolist()


def test_interpretations_listed_and_no_names_in_output(run):
    paths = set(run["sheets"]["解释与假设"][nb.PATH_COLUMN])
    assert {"appraisal.section_floor", "appraisal.grade_bands", "appraisal.allowance.monthly",
            "recruitment.ranking.tie_break", "duty.exemption.request_deadline"} <= paths
    text = Path(run["executed"]).read_text(encoding="utf-8")
    staff = run["tables"]["staff"]
    for name in list(staff["name"].head(50)) + list(run["tables"]["recruitment_candidates"]["name"].head(5)):
        assert name not in text


def test_committed_notebook_is_clean_and_parameterised():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", [])
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    params = "".join(code[0]["source"])
    for name in ("data_dir", "out_dir", "as_of", "overrides_file", "show_names", "unit", "period_start",
                 "period_end", "duty_variant", "openings"):
        assert f"{name} = " in params
    assert "from staffcalc.io import read_tables" in "".join("".join(c["source"]) for c in code)
