"""The ``staffcalc`` command: subcommands, ``validate`` and ``sample`` (``report`` is in test_report*.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

sys.path.append(str(Path(__file__).parent / "fixtures" / "notebooks"))
from report_fixtures import ROOT, run_cli, write_config, write_data  # noqa: E402

import staffcalc  # noqa: E402


def test_version():
    code, out, _ = run_cli(["--version"])
    assert code == 0 and out.strip() == f"staffcalc {staffcalc.__version__}"


def test_no_subcommand_prints_help_and_exits_2():
    code, _, err = run_cli([])
    assert code == 2 and "report" in err and "validate" in err and "sample" in err


def test_report_help_lists_the_options():
    code, out, _ = run_cli(["report", "--help"])
    assert code == 0
    for option in ("--config", "--data", "--out", "--only", "--override", "--jobs", "--quiet", "--per",
                   "--scheduler", "--timeout", "--show-names"):
        assert option in out


@pytest.mark.parametrize("argv", [["report", "--per", "discipline"], ["report", "--jobs", "two"], ["nope"]])
def test_bad_arguments_exit_2(argv):
    code, _, _ = run_cli(argv)
    assert code == 2


def test_report_jobs_must_be_positive(tmp_path):
    config = write_config(tmp_path / "reports.yaml", [{"name": "headcount"}])
    code, _, err = run_cli(["report", "--jobs", "0", "--config", str(config), "--data", str(write_data(tmp_path / "d")),
                            "--out", str(tmp_path / "out")])
    assert code == 2 and "--jobs must be at least 1" in err


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("staffcalc")
    assert script.is_file()
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.startswith("staffcalc ")


# --------------------------------------------------------------------------------------------
# sample: delegated to staffcalc.sample.__main__.main, arguments untouched
# --------------------------------------------------------------------------------------------
def test_sample_passes_arguments_through(monkeypatch):
    seen = []
    fake = types.ModuleType("staffcalc.sample.__main__")

    def main(argv=None):
        seen.append(argv)
        return 5

    fake.main = main
    monkeypatch.setitem(sys.modules, "staffcalc.sample.__main__", fake)
    code, _, _ = run_cli(["sample", "--seed", "2026", "--staff", "3000", "--out", "data"])
    assert seen == [["--seed", "2026", "--staff", "3000", "--out", "data"]] and code == 5


@pytest.fixture(scope="module")
def sample_data(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "data"
    code, _, err = run_cli(["sample", "--seed", "11", "--staff", "700", "--out", str(out)])
    assert code == 0, err
    return out


# --------------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------------
def test_validate_sample_data_passes(sample_data):
    code, out, _ = run_cli(["validate", "--data", str(sample_data)])
    assert code == 0, out
    assert "✓ staff (教职工花名册): 700 行 / rows" in out
    assert "全部" in out and "all" in out and "tables valid" in out


def test_validate_reports_bad_cells_and_missing_files_and_exits_1(sample_data, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample_data, data)
    staff = pd.read_csv(data / "staff.csv", dtype=str, keep_default_na=False)
    staff.loc[0, "post_level"] = "99"  # P6 §11: levels 1–13; Excel row 2
    staff.to_csv(data / "staff.csv", index=False)
    (data / "disciplines.csv").unlink()
    code, out, _ = run_cli(["validate", "--data", str(data)])
    assert code == 1
    assert "✗ staff.csv" in out and "✗ disciplines.csv" in out
    assert "row 2" in out and "post_level" in out and "99" in out
    assert "结果 / Result:" in out and "problem" in out


def test_validate_missing_folder_exits_1(tmp_path):
    code, out, _ = run_cli(["validate", "--data", str(tmp_path / "nope")])
    assert code == 1 and "data folder not found" in out and "找不到数据文件夹" in out
