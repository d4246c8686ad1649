"""Where a run is published: ``latest`` only for the whole default suite, what-ifs under their own
name, ``--only`` never taking notebooks away; an output folder that cannot be written; override
files refused before any kernel starts, with the path named."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).parent / "fixtures" / "notebooks"))
from report_fixtures import ROOT, run_cli, write_config, write_data  # noqa: E402

import staffcalc.report.run as report_run  # noqa: E402
from staffcalc.report import latest_run, publish  # noqa: E402


def run_dirs(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")}


@pytest.mark.parametrize("only, override, per, name", [
    ([], None, None, "latest"),
    (["a"], None, None, None),
    ([], None, "unit", None),
    ([], "/x/higher bands.yaml", None, "whatif-higher_bands"),
    (["a"], "/x/w.yaml", None, None),
])
def test_which_pointer_a_complete_run_moves(only, override, per, name):
    assert publish.pointer_name(only, override, per) == name


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("outputs")
    whatif = base / "higher pay.yaml"
    whatif.write_text("appraisal.rating_scale: 100\n", encoding="utf-8")
    return {"data": write_data(base / "data"), "config": write_config(base / "reports.yaml", [{"name": "headcount"}]),
            "out": base / "reports", "whatif": whatif, "base": base}


def report(site, *extra, out=None):
    return run_cli(["report", "--config", str(site["config"]), "--data", str(site["data"]),
                    "--out", str(out or site["out"]), "--quiet", *extra])


def test_only_and_what_if_runs_leave_latest_on_the_full_run_and_a_full_disk_publishes_nothing(site, monkeypatch):
    code, stdout, _ = report(site)
    assert code == 0, stdout
    full = latest_run(site["out"])
    assert full is not None and "latest -> " in stdout

    code, stdout, _ = report(site, "--only", "headcount")
    assert code == 0, stdout
    assert latest_run(site["out"]) == full and "latest unchanged" in stdout
    assert len(run_dirs(site["out"])) == 2  # published under its run id all the same

    code, stdout, _ = report(site, "--override", str(site["whatif"]))
    assert code == 0, stdout
    whatif = latest_run(site["out"], "whatif-higher_pay")
    assert whatif is not None and whatif != full and latest_run(site["out"]) == full
    assert "whatif-higher_pay -> " + whatif.name in stdout
    manifest = (whatif / "manifest.json").read_text(encoding="utf-8")
    assert '"latest": false' in manifest and '"pointer": "whatif-higher_pay"' in manifest

    before = run_dirs(site["out"])

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(publish, "publish", disk_full)
    code, stdout, err = report(site)
    assert code == 4 and stdout == ""
    assert "the disk is full" in err and "磁盘已满" in err and "Traceback" not in err
    assert run_dirs(site["out"]) == before and not list(site["out"].glob(".tmp-*"))
    assert latest_run(site["out"]) == full


def test_output_path_that_is_a_file_is_a_clear_error(site):
    target = site["base"] / "a-file"
    target.write_text("not a folder", encoding="utf-8")
    code, stdout, err = report(site, out=target)
    assert code == 4 and stdout == "" and "Traceback" not in err
    assert str(target) in err and "nothing was published" in err
    assert target.read_text(encoding="utf-8") == "not a folder"


def test_unwritable_output_folder_is_a_clear_error(site, monkeypatch):
    out = site["base"] / "readonly"
    out.mkdir()
    real = os.access
    monkeypatch.setattr(report_run.os, "access", lambda p, mode: False if Path(p) == out else real(p, mode))
    code, _, err = report(site, out=out)
    assert code == 4 and "permission denied" in err and "没有写入权限" in err
    assert list(out.iterdir()) == []  # not even a lock file


# --------------------------------------------------------------------------------------------
# override files, refused before any kernel
# --------------------------------------------------------------------------------------------
OVERRIDES = {
    "empty": (b"", "the file is empty"),
    "list": ("- appraisal.rating_scale\n- 100\n".encode(), "expected a mapping"),
    "gbk": ("# 假设情景\nappraisal.rating_scale: 100\n".encode("gbk"), "not UTF-8 text (it looks like GBK"),
    "nan": (b"appraisal.rating_scale: .nan\n", "expected an integer, got nan"),
    "negative": (b"parameters:\n  openings: -5\n", "'openings' must be at least 0, got -5"),
    "bands_order": ("appraisal.grade_bands: {优秀: 80, 良好: 90, 合格: 60, 不合格: -.inf}\n".encode(), "must decrease"),
    "bands_max": ("appraisal.grade_bands: {优秀: 150, 良好: 80, 合格: 60, 不合格: -.inf}\n".encode(),
                  "above the rating scale"),
    # openings belongs to appraisal_distribution, which this --only run does not select: still checked
    "wrong_type_elsewhere": (b"parameters:\n  openings: '3'\n", "appraisal_distribution: parameter 'openings' must be int"),
}


@pytest.mark.parametrize("case", sorted(OVERRIDES))
def test_bad_override_files_are_refused_before_any_kernel(case, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a notebook was started although the override is invalid")

    monkeypatch.setattr(report_run, "run_task", refuse)
    content, message = OVERRIDES[case]
    path = tmp_path / f"{case}.yaml"
    path.write_bytes(content)
    out = tmp_path / "reports"
    code, stdout, err = run_cli(["report", "--config", str(ROOT / "reports.yaml"), "--data", str(ROOT / "data"),
                                 "--out", str(out), "--only", "leave_cost_impact", "--override", str(path)])
    assert code == 2 and stdout == "", err
    assert str(path) in err and message in err and "Traceback" not in err
    assert not out.exists()
