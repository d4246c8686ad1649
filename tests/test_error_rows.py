"""Issue 13: a calculation's error on a table read from a file names the file and the Excel row —
the same row `staffcalc validate` names — also after a filter; a frame renumbered without
provenance falls back to its index labels and never cites a wrong Excel row."""

from pathlib import Path

import pandas as pd
import pytest

from staffcalc import io, notebook, policy, scoring, validation
from staffcalc.checks import RuleInputError

DATA = Path(__file__).resolve().parents[1] / "data"
KIND = "recruitment_candidates"
POLICY = policy.load("2026-09-01")
BAD_LINE = 7  # 0-based line of the CSV = Excel row 8 (header is row 1)


def _bad_folder(tmp_path: Path, suffix: str) -> Path:
    """The sample candidates with an exam score of 999 (above the policy's full marks) in Excel row 8,
    as CSV or xlsx; a value only the policy-aware checks refuse, so read_table accepts it."""
    df = pd.read_csv(DATA / f"{KIND}.csv", dtype=str, keep_default_na=False)
    df.loc[BAD_LINE - 1, "exam"] = "999"
    if suffix == ".csv":
        df.to_csv(tmp_path / f"{KIND}.csv", index=False)
    else:
        df.to_excel(tmp_path / f"{KIND}.xlsx", index=False)
    return tmp_path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_calculation_error_names_file_and_the_excel_row_validate_names(tmp_path, suffix):
    folder = _bad_folder(tmp_path, suffix)
    problems = validation.validate(folder, [KIND], policy=POLICY).problems
    exam = problems[problems["column"] == "exam"]
    assert exam["row"].tolist() == [8]

    df = io.read_table(folder / f"{KIND}{suffix}", KIND)
    unit = notebook.in_unit(df, set(df["candidate_id"].iloc[5:]), "candidate_id")  # the notebooks' filter
    for frame in (df, df[df.index >= 3], unit, df.sort_values("candidate_id", ascending=False)):
        with pytest.raises(RuleInputError) as exc:
            scoring.recruitment_scores(frame, POLICY)
        err = exc.value
        assert err.file == f"{KIND}{suffix}" and err.excel_rows == [8] and err.column == "exam"
        assert str(err).startswith(f"file {KIND}{suffix}, Excel row 8 / 文件 {KIND}{suffix} 第 8 行, column exam: ")


def test_frame_renumbered_without_provenance_never_cites_a_wrong_excel_row(tmp_path):
    df = io.read_table(_bad_folder(tmp_path, ".csv") / f"{KIND}.csv", KIND)
    plain = df[df.index >= 3].reset_index(drop=True)  # label 3 is now the bad row (Excel row 8)
    with pytest.raises(RuleInputError) as exc:
        scoring.recruitment_scores(plain, POLICY)
    assert exc.value.file is None and exc.value.excel_rows == []
    assert str(exc.value).startswith("candidate_id R2026-007 / 报名号 R2026-007, column exam") and "Excel" not in str(exc.value)


def test_renumber_keeps_file_and_rows_and_read_frames_compare_by_value(tmp_path):
    df = io.read_table(_bad_folder(tmp_path, ".csv") / f"{KIND}.csv", KIND)
    again = io.read_table(tmp_path / f"{KIND}.csv", KIND)
    pd.testing.assert_frame_equal(df, again)
    kept = io.renumber(df[df.index % 2 == 1])
    assert list(kept.index) == list(range(len(kept)))
    assert kept.index.name.file == f"{KIND}.csv" and kept.index.name.rows.tolist() == df.index.name.rows[1::2].tolist()
    assert io.renumber(df.set_index("candidate_id")).index.name is None


def test_frame_without_provenance_names_its_ids_and_only_then_labels():
    from staffcalc.checks import numeric

    df = pd.DataFrame({"staff_id": ["T0041", "T0042"], "x": [1.0, None]})
    with pytest.raises(RuleInputError, match=r"^staff_id T0042 / 工号 T0042, column x: missing"):
        numeric(df, "x")
    with pytest.raises(RuleInputError, match=r"^staff_id T0041 \(row 1\) / 工号 T0041 \(row 1\), column x"):
        numeric(df.assign(staff_id="T0041"), "x")  # an id that repeats is not enough on its own
    with pytest.raises(RuleInputError, match=r"^row b, column x: missing"):
        numeric(df.drop(columns="staff_id").set_axis(["a", "b"]), "x")
