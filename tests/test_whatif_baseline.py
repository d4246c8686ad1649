"""The baseline ``staffcalc whatif`` hands to the page's kernels (staffcalc.whatif_baseline, issue 14).

The launcher computes the baseline to check the data; a kernel takes that object instead of
computing its own only when it was computed for the same folder, date and openings from unchanged
files, and computes its own otherwise.
"""

from __future__ import annotations

import os
import re
import threading

import pytest
from conftest import DATA, NOTEBOOKS

from staffcalc import scenario, whatif_baseline
from staffcalc.io import read_tables


class Computed:
    """What :func:`staffcalc.scenario.load_baseline` returned in the kernel (monkeypatched)."""

    def __init__(self, *args):
        self.args = args


class Handed:
    """A stand-in for the launcher's baseline (any picklable object goes through unchanged)."""

    def __init__(self, tag):
        self.tag = tag


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("staff.csv", "disciplines.csv"):
        (folder / name).write_text("x\n1\n", encoding="utf-8")
    return folder


@pytest.fixture
def kernel(monkeypatch, tmp_path):
    """A kernel's environment: the hand-over file named, scenario.load_baseline recorded."""
    path = tmp_path / "handoff" / "baseline.pickle"
    path.parent.mkdir()
    monkeypatch.setenv(whatif_baseline.ENV_BASELINE, str(path))
    monkeypatch.setattr(scenario, "load_baseline", Computed)
    return path


def test_a_kernel_takes_the_launchers_baseline(kernel, data):
    whatif_baseline.save(Handed("launcher"), kernel, data, "2026-09-01", 10)
    got = whatif_baseline.load(data, "2026-09-01", 10)
    assert isinstance(got, Handed) and got.tag == "launcher"


def test_a_kernel_waits_for_the_launcher_still_computing(kernel, data):
    files = whatif_baseline.fingerprint(data)
    later = threading.Timer(0.3, whatif_baseline.save, (Handed("late"), kernel, data, "2026-09-01", 10, files))
    later.start()
    try:
        got = whatif_baseline.load(data, "2026-09-01", 10)
    finally:
        later.join()
    assert isinstance(got, Handed) and got.tag == "late"


@pytest.mark.parametrize("change", ["rewritten", "added", "removed", "as_of", "openings", "folder"])
def test_anything_else_and_the_kernel_computes_its_own(kernel, data, tmp_path, change):
    files = whatif_baseline.fingerprint(data)  # taken before the launcher read the data
    whatif_baseline.save(Handed("launcher"), kernel, data, "2026-09-01", 10, files)
    as_of, openings, folder = "2026-09-01", 10, data
    if change == "rewritten":  # same size, new contents and time (a user saved the file meanwhile)
        st = os.stat(data / "staff.csv")
        (data / "staff.csv").write_text("x\n2\n", encoding="utf-8")
        os.utime(data / "staff.csv", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    elif change == "added":
        (data / "appraisal_items.csv").write_text("x\n", encoding="utf-8")
    elif change == "removed":
        (data / "disciplines.csv").unlink()
    elif change == "as_of":
        as_of = "2027-09-01"
    elif change == "openings":
        openings = 8
    else:
        folder = tmp_path / "other"
        folder.mkdir()
    got = whatif_baseline.load(folder, as_of, openings)
    assert isinstance(got, Computed) and got.args == (folder, as_of, openings)


def test_a_policy_file_changed_since_and_the_kernel_computes_its_own(kernel, data, monkeypatch, tmp_path):
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "p.yaml").write_text("a: 1\n", encoding="utf-8")
    monkeypatch.setattr(whatif_baseline, "POLICY_DIR", policies)
    whatif_baseline.save(Handed("launcher"), kernel, data, "2026-09-01", 10)
    assert isinstance(whatif_baseline.load(data, "2026-09-01", 10), Handed)
    (policies / "p.yaml").write_text("a: 22\n", encoding="utf-8")
    assert isinstance(whatif_baseline.load(data, "2026-09-01", 10), Computed)


def test_no_launcher_and_the_kernel_computes_its_own(monkeypatch, data, tmp_path):
    monkeypatch.setattr(scenario, "load_baseline", Computed)
    monkeypatch.delenv(whatif_baseline.ENV_BASELINE, raising=False)  # papermill, Jupyter
    assert isinstance(whatif_baseline.load(data, "2026-09-01", 10), Computed)
    # the launcher gone (it removes its folder when it stops): no wait
    monkeypatch.setenv(whatif_baseline.ENV_BASELINE, str(tmp_path / "gone" / "baseline.pickle"))
    assert isinstance(whatif_baseline.load(data, "2026-09-01", 10), Computed)
    # a damaged file
    broken = tmp_path / "baseline.pickle"
    broken.write_bytes(b"not a pickle")
    monkeypatch.setenv(whatif_baseline.ENV_BASELINE, str(broken))
    assert isinstance(whatif_baseline.load(data, "2026-09-01", 10), Computed)


def test_the_real_baseline_goes_through_unchanged(kernel):
    real = scenario.from_tables(read_tables(DATA, list(scenario.TABLE_KINDS)), None, scenario.DEFAULT_OPENINGS)
    whatif_baseline.save(real, kernel, DATA, scenario.DEFAULT_AS_OF, scenario.DEFAULT_OPENINGS)
    got = whatif_baseline.load(DATA, scenario.DEFAULT_AS_OF, scenario.DEFAULT_OPENINGS)
    assert not isinstance(got, Computed)
    assert got.result.monthly_counts.equals(real.result.monthly_counts)
    assert got.result.quotas.equals(real.result.quotas)
    assert scenario.recompute(got, {"appraisal.grade_bands.优秀": 85}).monthly_counts.equals(
        scenario.recompute(real, {"appraisal.grade_bands.优秀": 85}).monthly_counts)


def test_the_notebook_asks_for_the_baseline_the_launcher_computes():
    """The launcher computes the baseline with scenario's defaults; the notebook's parameters must
    be those, or every kernel would compute its own (correct, but slow)."""
    source = (NOTEBOOKS / "whatif_scoring.py").read_text(encoding="utf-8")
    assert re.search(r'^as_of = "([^"]+)"$', source, re.M).group(1) == scenario.DEFAULT_AS_OF
    assert int(re.search(r"^openings = (\d+)$", source, re.M).group(1)) == scenario.DEFAULT_OPENINGS
