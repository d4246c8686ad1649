"""staffcalc.notebook: the parameter checks, unit filter, names and Chinese display every report notebook uses."""

from __future__ import annotations

import pandas as pd
import pytest

from staffcalc import notebook as nb
from staffcalc import policy
from staffcalc.errors import StaffcalcError


@pytest.mark.parametrize("value", ["2026-01", "2026-12", "1999-09"])
def test_month_accepts_yyyy_mm(value):
    assert nb.check_month("period_start", value) == value


@pytest.mark.parametrize("value", ["2026-00", "2026-13", "2026-1", "202601", "2026-01-01", "", None, 202601])
def test_month_rejects_other_forms_naming_the_parameter(value):
    with pytest.raises(nb.ParameterError, match=r"period_start.*YYYY-MM.*月份格式"):
        nb.check_month("period_start", value)


def test_month_range_order_both_sides():
    assert nb.check_month_range("a", "2026-03", "b", "2026-03") == ("2026-03", "2026-03")
    with pytest.raises(nb.ParameterError, match="a 2026-04 is after b 2026-03 / 起始月份"):
        nb.check_month_range("a", "2026-04", "b", "2026-03")
    with pytest.raises(nb.ParameterError, match="parameter b="):
        nb.check_month_range("a", "2026-04", "b", "2026-3")


def test_choice_and_keys():
    assert nb.check_choice("split_method", "cap_upper", ["cap_upper", "largest_remainder"]) == "cap_upper"
    with pytest.raises(nb.ParameterError, match=r"split_method='x'.*cap_upper"):
        nb.check_choice("split_method", "x", ["cap_upper", "largest_remainder"])
    assert nb.check_keys("adjustment", {"A": 0.1}, {"A": 1, "B": 2}) == {"A": 0.1}
    with pytest.raises(nb.ParameterError, match=r"adjustment: unknown keys \['D'\]"):
        nb.check_keys("adjustment", {"A": 0.1, "D": 0.0}, ["A", "B", "C"])
    assert issubclass(nb.ParameterError, StaffcalcError)


UNITS = pd.DataFrame({"unit_id": ["U01", "U01", "U02"], "unit_name": ["文学院", "文学院", "理学院"],
                      "x": [1, 2, 3]})


def test_unit_by_code_or_name_and_all_when_empty():
    assert nb.unit_ids("U02", UNITS, "disciplines / 学科") == {"U02"}
    assert nb.unit_ids("文学院", UNITS, "disciplines / 学科") == {"U01"}
    assert nb.unit_ids("", UNITS, "disciplines / 学科") == {"U01", "U02"}
    assert nb.in_unit(UNITS, {"U01"})["x"].tolist() == [1, 2]
    assert nb.in_unit(UNITS, {"U01"}).index.tolist() == [0, 1]
    no_names = UNITS[["unit_id"]]
    assert nb.unit_ids("U01", no_names, "class teachers / 班主任") == {"U01"}
    with pytest.raises(nb.ParameterError, match=r"unit '文学院' has no class teachers.*U01.*/ 该单位无班主任"):
        nb.unit_ids("文学院", no_names, "class teachers / 班主任")


STAFF = pd.DataFrame({"staff_id": ["S1", "S2"], "name": ["张三", "李四"]})


def test_names_only_when_asked():
    df = pd.DataFrame({"staff_id": ["S2", "S1", "S9"], "score": [1, 2, 3]})
    assert nb.staff_names(STAFF, False) is None
    assert nb.with_names(df, None) is df
    shown = nb.with_names(df, nb.staff_names(STAFF, True))
    assert shown.columns.tolist() == ["staff_id", "name", "score"]
    assert shown["name"].tolist()[:2] == ["李四", "张三"] and pd.isna(shown["name"].iloc[2])
    assert "name" not in df  # the input is not changed
    assert nb.with_names(df.drop(columns="staff_id"), nb.staff_names(STAFF, True)).columns.tolist() == ["score"]


def test_readable_maps_codes_rounds_and_translates_headers():
    df = pd.DataFrame({"staff_id": ["S1"], "mode": ["full_release"], "paid": [1234.5678]})
    out = nb.readable(df, {"mode": {"full_release": "全脱产"}}, digits=2)
    assert out.columns.tolist() == ["工号", "学习方式", "发放金额"]
    assert out.iloc[0, 1] == "全脱产" and out.iloc[0, 2] == 1234.57
    assert df["paid"].iloc[0] == 1234.5678
    kept = nb.readable(pd.DataFrame({"mode": ["other"]}), {"mode": {"full_release": "全脱产"}})
    assert kept.iloc[0, 0] == "other"  # an unknown code stays visible, never becomes blank


def test_interpretations_table_has_chinese_headers_and_every_namespace():
    pol = policy.load("2026-09-01")
    table = nb.interpretations(pol, ("quotas", "study_leave"))
    assert table.columns.tolist() == ["文件", "条款", "类别", "本报告采用的解读", "备选解读", "取值", "本次覆盖",
                                      nb.PATH_COLUMN]
    paths = table[nb.PATH_COLUMN]
    assert paths.str.startswith("quotas.").any() and paths.str.startswith("study_leave.").any()
    assert table["取值"].map(type).eq(str).all()
    rate = table.set_index(nb.PATH_COLUMN).loc["study_leave.planning.hourly_cover_rate"]
    assert rate["取值"] == "120" and rate["类别"] == "规划假设" and rate["本次覆盖"] == "否"
    overridden = nb.interpretations(pol.override({"study_leave.planning.hourly_cover_rate": 150.0}), ("study_leave",))
    row = overridden.set_index(nb.PATH_COLUMN).loc["study_leave.planning.hourly_cover_rate"]
    assert row["取值"] == "150" and row["本次覆盖"] == "是"


def test_conditions_table_names_the_scenario_file_never_its_path():
    table = nb.conditions("2026-09-01", "/srv/x/what-if.yaml", "U01", False, 测算期="2026-09 至 2028-08")
    shown = table.set_index("项目")["取值"]
    assert shown["情景"] == "假设情景（what-if.yaml）" and "/srv" not in table.to_string()
    assert shown["单位范围"] == "U01" and shown["显示姓名"].startswith("否") and shown["测算期"] == "2026-09 至 2028-08"
    assert nb.conditions("2026-09-01").set_index("项目").loc["情景", "取值"] == "基准（政策文件取值）"
