"""notebooks/post_quotas.ipynb under papermill with non-default parameters (spec §2–§3).

A sample institution is generated into a temporary data folder; the notebook's Excel output must
hold exactly what ``staffcalc.quotas`` / ``staffcalc.eligibility`` compute for the same parameters.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

papermill = pytest.importorskip("papermill")

from staffcalc import eligibility, formats, quotas, review, sample, schemas  # noqa: E402
from staffcalc import policy as policy_mod  # noqa: E402
from staffcalc.io import read_tables  # noqa: E402
from staffcalc.sample import institution as si  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOK = NOTEBOOKS / "post_quotas.ipynb"
ZH_TO_EN = {zh: en for en, zh in {**schemas.LABELS, **formats.LABELS}.items()}
YES = {"是": True, "否": False}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("pq") / "data"
    tables = si.generate(np.random.default_rng([2026, 0]), {}, 3000, dt.date(2026, 9, 1))
    sample.write(tables, out)
    return out


def _run(data_dir: Path, out_dir: Path, **params):
    return papermill.execute_notebook(
        str(NOTEBOOK), str(out_dir / "post_quotas.out.ipynb"),
        parameters={"data_dir": str(data_dir), "out_dir": str(out_dir), **params},
        kernel_name="python3", cwd=str(NOTEBOOKS), execution_timeout=180, progress_bar=False,
    )


def _sheet(path: Path, name: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=name).rename(columns=lambda c: ZH_TO_EN.get(c, c))


def test_notebook_post_quotas_non_default_parameters_match_the_package(data_dir, tmp_path):
    tables = read_tables(data_dir, ["disciplines", "staff", "applicants", "recommendations",
                                    "committee_members", "relatives"])
    disc, staff = tables["disciplines"], tables["staff"]
    unit = disc["unit_id"].value_counts().index[0]               # the unit with most disciplines
    target = disc.loc[disc["unit_id"] == unit, "discipline_id"].iloc[0]
    params = dict(adjustment={"A": 0.0, "B": 0.05, "C": -0.05}, split_method="largest_remainder", unit=unit,
                  full_senior_share=0.35, president_override={target: 40})
    _run(data_dir, tmp_path, **params)
    xlsx = tmp_path / "post_quotas.xlsx"
    assert xlsx.exists()

    pol = policy_mod.load("2026-09-01")
    expected = quotas.quota_table(disc, staff, pol, adjustment=params["adjustment"], full_senior_share=0.35,
                                  method="largest_remainder", president_override={target: 40}, unit=unit)
    got = _sheet(xlsx, "学科岗位核定")
    order = got.assign(_a=~got["over_senior_cap"].map(YES)).sort_values(["_a"], kind="stable")
    assert order.index.tolist() == got.index.tolist()  # over the §9 cap first
    got = got.sort_values("discipline_id").reset_index(drop=True)
    assert got["discipline_id"].tolist() == expected["discipline_id"].tolist()
    assert set(got["unit_id"]) == {unit}
    int_cols = [c for c in expected.columns if pd.api.types.is_integer_dtype(expected[c])]
    assert len(int_cols) > 40
    pd.testing.assert_frame_equal(got[int_cols].reset_index(drop=True), expected[int_cols].reset_index(drop=True),
                                  check_dtype=False)
    assert got["over_quota"].map(YES).tolist() == expected["over_quota"].tolist()
    assert got["over_senior_cap"].map(YES).tolist() == (expected["vacancy_senior"] < 0).tolist()
    row = got.set_index("discipline_id").loc[target]
    assert row["senior_cap"] == 40 and row["cap_source"] == "校长调节"
    assert (got["method"] == "最大余数法").all()

    totals = _sheet(xlsx, "单位及全校汇总").set_index("unit_id")
    exp_totals = quotas.quota_totals(expected).set_index("unit_id")
    for col in ("senior_cap", "full_cap", "occupied_senior", "vacancy_senior", "excess_senior", "disciplines_over_quota"):
        assert totals.loc[unit, col] == exp_totals.loc[unit, col]
    assert totals.loc[unit, "senior_cap"] == expected["senior_cap"].sum()

    res = eligibility.eligibility(tables["applicants"], staff, pol, recommendations=tables["recommendations"],
                                  committee_members=tables["committee_members"], relatives=tables["relatives"])
    in_unit = res[res["staff_id"].map(staff.set_index("staff_id")["unit_id"]) == unit]
    detail = _sheet(xlsx, "申报资格核查")
    assert sorted(detail["application_id"]) == sorted(in_unit["application_id"])
    assert detail["eligible"].map(YES).sum() == in_unit["eligible"].sum()
    assert "name" not in detail.columns and "姓名" not in detail.columns     # show_names is False

    committees = _sheet(xlsx, "聘任组织组成核查")
    exp_c = review.committee_composition(tables["committee_members"], pol)
    exp_c = exp_c[exp_c["unit_id"].isna() | (exp_c["unit_id"] == unit)]
    assert sorted(committees["committee_id"]) == sorted(exp_c["committee_id"])
    assert committees["composition_ok"].map(YES).sum() == exp_c["composition_ok"].sum()

    used = pd.read_excel(xlsx, sheet_name="本次测算条件").set_index("项目")["取值"]
    assert used["岗位等级取整方法"] == "最大余数法" and used["单位范围"] == unit
    assert used["正高占高级岗位比例（规划假设）"] == "35%（本次设定）"

    summary = pd.read_excel(xlsx, sheet_name=0).set_index("指标")["数值"]
    assert summary["高级岗位上限"] == expected["senior_cap"].sum()
    assert summary["超出高级岗位上限的人数"] == np.maximum(-expected["vacancy_senior"], 0).sum()


def test_notebook_post_quotas_rejects_a_bad_split_method(data_dir, tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="split_method"):
        _run(data_dir, tmp_path, split_method="round")


def test_notebook_post_quotas_reports_a_category_that_disagrees_with_the_programmes(data_dir, tmp_path):
    # P6 §9: the first discipline is entered as A but holds only a second-level master's programme → B.
    # The report warns (not an error) and its caps use B.
    data = tmp_path / "data"
    data.mkdir()
    for f in data_dir.iterdir():
        (data / f.name).write_bytes(f.read_bytes())
    disc = pd.read_csv(data / "disciplines.csv", dtype=str)
    first = disc.index[disc["category"] == "A"][0]
    disc["一级学科博士学位授权点"] = ""
    disc["二级学科硕士学位授权点"] = ""
    disc.loc[first, ["一级学科博士学位授权点", "二级学科硕士学位授权点"]] = ["否", "是"]
    disc.to_csv(data / "disciplines.csv", index=False)
    target = disc.loc[first, "discipline_id"]
    nb = _run(data, tmp_path)
    shown = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", []))
    assert "学科类别提示" in shown and "学科类别填为A类，按学位授权点应为B类（P6 §9），核岗按B类" in shown
    got = _sheet(tmp_path / "post_quotas.xlsx", "学科岗位核定").set_index("discipline_id").loc[target]
    establishment = int(disc.loc[first, "establishment"])
    pol = policy_mod.load("2026-09-01")
    assert got["category"] == "B" and got["senior_cap"] == quotas.senior_cap(establishment, "B", policy=pol)
