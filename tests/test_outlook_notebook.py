"""The outlook section of notebooks/post_quotas under papermill: non-default ``outlook_years``, one
unit and a what-if file on the retirement assumptions; its workbook sheets hold exactly what
``staffcalc.outlook.outlook`` computes for the same inputs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

papermill = pytest.importorskip("papermill")

from staffcalc import outlook, policy, schemas  # noqa: E402
from staffcalc.io import read_tables  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
ZH_TO_EN = {zh: en for en, zh in schemas.LABELS.items()}


def _sheet(path: Path, name: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=name).rename(columns=lambda c: ZH_TO_EN.get(c, c))


def test_outlook_section_with_three_years_one_unit_and_flexible_retirement(tmp_path):
    data_dir = ROOT / "data"
    tables = read_tables(data_dir, ["disciplines", "staff"])
    disc, staff = tables["disciplines"], tables["staff"]
    unit = disc["unit_id"].value_counts().index[0]
    whatif = tmp_path / "later.yaml"
    whatif.write_text("retirement.flexible.assumed_months: 6\n", encoding="utf-8")
    papermill.execute_notebook(
        str(NOTEBOOKS / "post_quotas.ipynb"), str(tmp_path / "out.ipynb"),
        parameters={"data_dir": str(data_dir), "out_dir": str(tmp_path), "unit": unit, "outlook_years": 3,
                    "overrides_file": str(whatif)},
        kernel_name="python3", cwd=str(NOTEBOOKS), execution_timeout=180, progress_bar=False)
    xlsx = tmp_path / "post_quotas.xlsx"

    pol = policy.load("2026-09-01").override({"retirement.flexible.assumed_months": 6})
    expected = outlook.outlook(disc, staff, pol, years=3, unit=unit)
    got = _sheet(xlsx, "岗位展望")
    assert set(got["unit_id"]) == {unit} and sorted(set(got["outlook_year"])) == [1, 2, 3]
    ints = [c for c in expected.senior.columns if pd.api.types.is_integer_dtype(expected.senior[c])]
    pd.testing.assert_frame_equal(got[ints], expected.senior[ints], check_dtype=False)
    levels = _sheet(xlsx, "退休释放岗位（按等级）")
    assert levels["posts_released"].tolist() == expected.levels["posts_released"].tolist()
    baseline = outlook.outlook(disc, staff, policy.load("2026-09-01"), years=3, unit=unit)
    assert expected.senior["released_senior"].tolist() != baseline.senior["released_senior"].tolist()
    used = pd.read_excel(xlsx, sheet_name="本次测算条件").set_index("项目")["取值"]
    assert str(used["退休与岗位释放展望年数"]) == "3"
    assumptions = _sheet(xlsx, "解释与假设")
    assert assumptions.astype(str).apply(lambda col: col.str.contains("retirement.flexible.assumed_months")).any().any()


def test_outlook_years_must_be_a_positive_whole_number(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="years"):
        papermill.execute_notebook(
            str(NOTEBOOKS / "post_quotas.ipynb"), str(tmp_path / "out.ipynb"),
            parameters={"data_dir": str(ROOT / "data"), "out_dir": str(tmp_path), "outlook_years": 0},
            kernel_name="python3", cwd=str(NOTEBOOKS), execution_timeout=180, progress_bar=False)
