"""staffcalc report end to end, on the small fixture notebooks in tests/fixtures/notebooks/.

Kernels are expensive (≈2–5 s each on this machine), so each run is a module-scoped fixture and
many tests look at the same run:

- ``mixed``: headcount, names, boom (raises in cell index 4), sleeper (hangs; 6 s wall-clock limit),
  with --jobs 2 and a what-if --override: failure isolation, timeout, manifest, HTML, privacy.
- ``named``: names with --show-names (the privacy test's positive control) and progress on a "terminal".
- ``per_unit``: headcount with --per unit --jobs 2 --quiet.
- ``dask``: headcount and names on a LocalCluster(n_workers=2, processes=True).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
import time
from pathlib import Path

import openpyxl
import pytest
import yaml

sys.path.append(str(Path(__file__).parent / "fixtures" / "notebooks"))
from report_fixtures import NAMES, processes_of_run, readable_text, run_cli, write_config, write_data, write_policy_dir  # noqa: E402

import staffcalc  # noqa: E402
import staffcalc.policy  # noqa: E402
import staffcalc.report.run as report_run  # noqa: E402
from staffcalc.report import latest_run  # noqa: E402

SLEEPER_TIMEOUT = 15  # generous: kernel start-up alone took 6–10 s on a loaded 2-core machine
OVERRIDES = {"fixture.ratio.A": 0.7, "fixture.method": "largest_remainder"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def only_run(out: Path) -> Path:
    runs = [p for p in out.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")]
    assert len(runs) == 1, runs
    return runs[0]


# --------------------------------------------------------------------------------------------
# runs
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    base = tmp_path_factory.mktemp("mixed")
    data = write_data(base / "data")
    config = write_config(base / "reports.yaml", [
        {"name": "headcount", "parameters": {"scale": 2, "options": {"k": [1, 2]}}},
        {"name": "names"},
        {"name": "boom"},
        {"name": "sleeper", "timeout": SLEEPER_TIMEOUT},
    ])
    override = base / "whatif.yaml"
    override.write_text(yaml.safe_dump(OVERRIDES), encoding="utf-8")
    out = base / "reports"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(staffcalc.policy, "POLICY_DIR", write_policy_dir(base / "policies"))
        code, stdout, stderr = run_cli(["report", "--config", str(config), "--data", str(data), "--out", str(out),
                                        "--jobs", "2", "--override", str(override)])
    run = only_run(out)
    return {"code": code, "stdout": stdout, "stderr": stderr, "out": out, "run": run, "data": data,
            "override": override, "config": config,
            "manifest": json.loads((run / "manifest.json").read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    base = tmp_path_factory.mktemp("named")
    data = write_data(base / "data")
    config = write_config(base / "reports.yaml", [{"name": "names"}])
    out = base / "reports"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report_run, "interactive", lambda: True)  # as if stderr were a terminal
        code, stdout, stderr = run_cli(["report", "--config", str(config), "--data", str(data), "--out", str(out),
                                        "--show-names"])
    return {"code": code, "stdout": stdout, "stderr": stderr, "out": out, "run": only_run(out)}


@pytest.fixture(scope="module")
def per_unit(tmp_path_factory):
    base = tmp_path_factory.mktemp("per_unit")
    data = write_data(base / "data")
    config = write_config(base / "reports.yaml", [{"name": "headcount", "parameters": {"scale": 3}}, {"name": "boom"}])
    out = base / "reports"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report_run, "interactive", lambda: True)  # --quiet must still silence progress
        code, stdout, stderr = run_cli(["report", "--config", str(config), "--data", str(data), "--out", str(out),
                                        "--per", "unit", "--jobs", "2", "--only", "headcount", "--quiet"])
    run = only_run(out)
    return {"code": code, "stdout": stdout, "stderr": stderr, "out": out, "run": run,
            "manifest": json.loads((run / "manifest.json").read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def dask_run(tmp_path_factory):
    distributed = pytest.importorskip("distributed")
    base = tmp_path_factory.mktemp("dask")
    data = write_data(base / "data")
    config = write_config(base / "reports.yaml", [{"name": "headcount"}, {"name": "names"}])
    out = base / "reports"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=50) as cluster:
        code, stdout, stderr = run_cli(["report", "--config", str(config), "--data", str(data), "--out", str(out),
                                        "--scheduler", cluster.scheduler_address])
        with distributed.Client(cluster) as client:
            worker_pids = set(client.run(lambda: __import__("os").getpid()).values())
    run = only_run(out)
    return {"code": code, "stdout": stdout, "stderr": stderr, "out": out, "run": run, "workers": worker_pids,
            "manifest": json.loads((run / "manifest.json").read_text(encoding="utf-8"))}


def nb_entry(manifest: dict, name: str, unit: str | None = None) -> dict:
    return next(n for n in manifest["notebooks"] if n["name"] == name and n["unit"] == unit)


# --------------------------------------------------------------------------------------------
# failure isolation
# --------------------------------------------------------------------------------------------
def test_failing_notebook_does_not_stop_the_others(mixed):
    m = mixed["manifest"]
    assert {n["name"]: n["status"] for n in m["notebooks"]} == {
        "headcount": "ok", "names": "ok", "boom": "failed", "sleeper": "timeout"}
    assert (mixed["run"] / "headcount" / "headcount.xlsx").is_file()
    assert (mixed["run"] / "names" / "names.xlsx").is_file()


def test_failed_run_exits_non_zero_and_summary_names_cell_and_error(mixed):
    assert mixed["code"] == 1
    boom = next(line for line in mixed["stdout"].splitlines() if " boom " in line)
    # source notebook: 0 markdown, 1 parameters, 2 "x = 1", 3 the raise; executed: the injected
    # parameters cell runs second, so the raise is the 4th cell to run (In [4])
    assert "FAILED" in boom and 'cell 3 `raise ValueError("boom: deliberate failure")` (In [4])' in boom
    assert "ValueError: boom: deliberate failure" in boom
    assert "FAILED" in mixed["stdout"].splitlines()[0]
    assert "latest unchanged" in mixed["stdout"]


def test_failed_notebook_error_in_manifest_names_cell_index(mixed):
    err = nb_entry(mixed["manifest"], "boom")["error"]
    assert err == {"cell_index": 3, "cell_id": "cell-3", "source_line": 'raise ValueError("boom: deliberate failure")',
                   "execution_count": 4, "ename": "ValueError", "evalue": "boom: deliberate failure"}


def test_partly_executed_notebook_is_kept_for_debugging(mixed):
    nb = json.loads((mixed["run"] / "boom" / "boom.ipynb").read_text(encoding="utf-8"))
    by_id = {c.get("id"): c for c in nb["cells"]}
    assert by_id["cell-2"]["execution_count"] == 3                   # x = 1 ran
    assert by_id["cell-3"]["outputs"][0]["ename"] == "ValueError"    # the failing cell, with its traceback
    assert by_id["cell-4"]["execution_count"] is None                # the cell after it never ran
    assert (mixed["run"] / "boom" / "boom.html").is_file()


def test_failed_run_is_published_but_latest_not_moved(mixed):
    assert mixed["manifest"]["status"] == "failed"
    assert mixed["manifest"]["latest"] is False
    assert mixed["run"].name == mixed["manifest"]["run_id"]
    assert latest_run(mixed["out"]) is None
    assert not (mixed["out"] / "latest").exists() and not (mixed["out"] / "latest.txt").exists()
    assert not list(mixed["out"].glob(".tmp-*"))


# --------------------------------------------------------------------------------------------
# timeout
# --------------------------------------------------------------------------------------------
def test_hung_notebook_is_killed_at_its_wall_clock_limit(mixed):
    sleeper = nb_entry(mixed["manifest"], "sleeper")
    assert sleeper["status"] == "timeout"
    # the notebook sleeps 600 s in cell 3: the run ended (this fixture returned) because the kernel was
    # killed at the limit the manifest records, inside the sleep cell — state, not a stopwatch
    assert sleeper["timeout"] == SLEEPER_TIMEOUT
    err = sleeper["error"]
    assert err["ename"] == "WallClockTimeout"
    assert (err["cell_index"], err["source_line"]) == (2, "import time")  # the time.sleep cell
    line = next(line for line in mixed["stdout"].splitlines() if " sleeper " in line)
    assert "TIMEOUT" in line and f"{SLEEPER_TIMEOUT} s wall-clock" in line
    assert (mixed["run"] / "sleeper" / "sleeper.ipynb").is_file()  # partial notebook kept


def test_killed_notebook_leaves_no_kernel_running(mixed):
    deadline = time.time() + 10
    while processes_of_run(mixed["manifest"]["run_id"]) and time.time() < deadline:
        time.sleep(0.5)
    assert processes_of_run(mixed["manifest"]["run_id"]) == []


# --------------------------------------------------------------------------------------------
# manifest
# --------------------------------------------------------------------------------------------
def test_manifest_input_checksums_match_the_data_files(mixed):
    inputs = {i["path"]: i for i in mixed["manifest"]["inputs"]}
    assert set(inputs) == {"disciplines.csv", "staff.csv"}
    for name, entry in inputs.items():
        path = mixed["data"] / name
        assert entry["sha256"] == sha256(path) and entry["bytes"] == path.stat().st_size


def test_manifest_output_checksums_match_the_published_files(mixed):
    seen = set()
    for nb in mixed["manifest"]["notebooks"]:
        for out in nb["outputs"]:
            path = mixed["run"] / out["path"]
            assert out["sha256"] == sha256(path), out["path"]
            seen.add(out["path"])
    assert {"headcount/headcount.ipynb", "headcount/headcount.html", "headcount/headcount.xlsx",
            "boom/boom.ipynb", "sleeper/sleeper.ipynb"} <= seen


def test_manifest_run_fields(mixed):
    m = mixed["manifest"]
    assert re.fullmatch(r"\d{8}T\d{9}Z-[0-9a-f]{6}", m["run_id"])
    started, finished = dt.datetime.fromisoformat(m["started"]), dt.datetime.fromisoformat(m["finished"])
    assert started.utcoffset() == dt.timedelta(0) and started < finished
    named_at = dt.datetime.strptime(m["run_id"][:18], "%Y%m%dT%H%M%S%f").replace(tzinfo=dt.timezone.utc)
    assert named_at <= started  # the run is named (to the millisecond) before it starts
    assert m["staffcalc_version"] == staffcalc.__version__
    assert m["config"]["sha256"] == sha256(mixed["config"])
    assert m["show_names"] is False and m["jobs"] == 2 and m["per"] is None
    for nb in m["notebooks"]:
        assert nb["duration_s"] > 0 and nb["attempts"] >= 1
        assert nb["notebook_sha256"] == sha256(Path(nb["notebook"]))


def test_manifest_records_policy_versions_and_overrides(mixed):
    m = mixed["manifest"]
    (policy,) = m["policy"]
    assert policy["as_of"] == "2026-09-01"
    assert policy["versions"] == {"TFIX": "测试用政策文件 (2020-01-01)"}
    assert policy["documents"][0]["number"] == "测试〔2020〕1号"
    assert m["overrides"]["values"] == OVERRIDES
    assert m["overrides"]["file"] == str(mixed["override"])
    assert m["overrides"]["sha256"] == sha256(mixed["override"])
    assert yaml.safe_load((mixed["run"] / "overrides.yaml").read_text(encoding="utf-8")) == OVERRIDES


def test_manifest_parameters_per_notebook(mixed):
    params = nb_entry(mixed["manifest"], "headcount")["parameters"]
    assert params == {"as_of": "2026-09-01", "scale": 2, "options": {"k": [1, 2]},
                      "data_dir": str(mixed["data"]), "out_dir": "headcount", "show_names": False,
                      "overrides_file": str(mixed["override"])}


def test_notebook_received_parameters_and_override_file(mixed):
    nb = json.loads((mixed["run"] / "headcount" / "headcount.ipynb").read_text(encoding="utf-8"))
    printed = "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", [])
                      if o.get("name") == "stdout")
    line = next(line for line in printed.splitlines() if line.startswith("PARAMS "))
    got = json.loads(line[len("PARAMS "):])
    assert got == {"as_of": "2026-09-01", "scale": 2, "unit": "", "options": {"k": [1, 2]}, "overrides": OVERRIDES}


def test_jobs_2_runs_notebooks_in_parallel(mixed):
    spans = [(dt.datetime.fromisoformat(n["started"]), dt.datetime.fromisoformat(n["finished"]))
             for n in mixed["manifest"]["notebooks"]]
    overlapping = [(a, b) for i, a in enumerate(spans) for b in spans[i + 1:] if a[0] < b[1] and b[0] < a[1]]
    assert overlapping


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------
def test_html_has_outputs_but_no_code_cells(mixed):
    page = (mixed["run"] / "headcount" / "headcount.html").read_text(encoding="utf-8")
    assert "PARAMS" in page                      # printed output is there
    assert "groupby" not in page and "write_excel" not in page and "plt.subplots" not in page
    code_cells = re.findall(r'class="jp-Cell jp-CodeCell[^"]*"', page)
    assert len(code_cells) == 4 and all("jp-mod-noInput" in c for c in code_cells)  # every code cell hidden
    assert 'class="highlight' not in page and "jp-InputPrompt" not in page.split("</style>")[-1]
    assert "jp-OutputPrompt" not in page.split("</style>")[-1]
    assert "data:image/png;base64," in page       # the chart, embedded


def test_html_loads_nothing_from_a_cdn(mixed):
    for page in mixed["run"].rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]*\bsrc=[\"']?(https?:)?//", text, re.I), page
        assert not re.search(r"<link[^>]*\bhref=[\"']?(https?:)?//", text, re.I), page
        assert "require.min.js" not in text and "mathjax" not in text.lower().replace("mathjax_", "")


# --------------------------------------------------------------------------------------------
# privacy
# --------------------------------------------------------------------------------------------
def test_no_name_in_any_output_without_show_names(mixed):
    files = [p for p in mixed["run"].rglob("*") if p.is_file()]
    assert {p.suffix for p in files} >= {".ipynb", ".html", ".xlsx", ".json"}
    for path in files:
        text = readable_text(path)
        for name in NAMES:
            assert name not in text, (name, path)


def test_names_appear_with_show_names(named):
    # positive control for the test above: the same check finds the names when they are shown
    assert named["code"] == 0
    for path in ("names/names.ipynb", "names/names.html", "names/names.xlsx"):
        text = readable_text(named["run"] / path)
        assert all(name in text for name in NAMES), path
    params = json.loads((named["run"] / "manifest.json").read_text(encoding="utf-8"))["notebooks"][0]["parameters"]
    assert params["show_names"] is True


# --------------------------------------------------------------------------------------------
# progress, quiet, latest
# --------------------------------------------------------------------------------------------
def test_progress_shows_cell_k_of_n_on_a_terminal(named):
    # names.ipynb executed: markdown, parameters, injected parameters, body = 4 cells; code cells 2–4
    assert "names: cell 2/4" in named["stderr"] and "names: cell 4/4" in named["stderr"]


def test_complete_run_moves_latest(named):
    assert latest_run(named["out"]) == named["run"]
    assert (named["out"] / "latest").is_symlink()
    assert "latest -> " + named["run"].name in named["stdout"]


def test_quiet_prints_only_the_summary(per_unit):
    assert per_unit["stderr"] == ""
    assert per_unit["stdout"].startswith("staffcalc report ")


def test_quiet_when_stderr_is_not_a_terminal(mixed):
    assert "cell " not in mixed["stderr"]


# --------------------------------------------------------------------------------------------
# --per unit
# --------------------------------------------------------------------------------------------
def test_per_unit_makes_one_report_set_per_unit(per_unit):
    assert per_unit["code"] == 0, per_unit["stdout"]
    m = per_unit["manifest"]
    assert m["units"] == ["U01", "U02"] and m["per"] == "unit"
    assert [(n["name"], n["unit"], n["parameters"]["unit"]) for n in m["notebooks"]] == [
        ("headcount", "U01", "U01"), ("headcount", "U02", "U02")]
    assert not (per_unit["run"] / "boom").exists() and not (per_unit["run"] / "U01" / "boom").exists()  # --only
    for unit, staff in (("U01", 2), ("U02", 1)):
        xlsx = per_unit["run"] / unit / "headcount" / "headcount.xlsx"
        rows = list(openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True))
        assert rows[1:] == [(unit, staff * 3)]  # one row: this unit only, head count × scale 3
        assert (per_unit["run"] / unit / "headcount" / "headcount.html").is_file()
    assert latest_run(per_unit["out"]) is None  # an --only, --per unit run never replaces the full report


# --------------------------------------------------------------------------------------------
# Dask
# --------------------------------------------------------------------------------------------
def test_dask_scheduler_runs_the_same_tasks(dask_run):
    assert dask_run["code"] == 0, dask_run["stdout"] + dask_run["stderr"]
    m = dask_run["manifest"]
    assert m["scheduler"].startswith("tcp://")
    assert [(n["name"], n["status"]) for n in m["notebooks"]] == [("headcount", "ok"), ("names", "ok")]
    for name in ("headcount", "names"):
        assert (dask_run["run"] / name / f"{name}.xlsx").is_file()
        assert (dask_run["run"] / name / f"{name}.html").is_file()
    assert latest_run(dask_run["out"]) == dask_run["run"]
    assert {n["worker"]["pid"] for n in m["notebooks"]} <= dask_run["workers"]  # ran on the cluster
