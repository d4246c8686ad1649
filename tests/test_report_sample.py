"""The shipped report suite on the committed sample data: what `make report` produces.

One run of ``staffcalc report --config reports.yaml --data data --jobs 2`` (module fixture), then:
every notebook succeeded, each has its HTML and Excel, the manifest describes the run, and no
personal name or ID number from the input appears in any file a reader gets.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.append(str(Path(__file__).parent / "fixtures" / "notebooks"))
from report_fixtures import ROOT, readable_text, run_cli  # noqa: E402

NOTEBOOKS = ("post_quotas", "appraisal_distribution", "leave_cost_impact")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    code, stdout, stderr = run_cli(["report", "--config", str(ROOT / "reports.yaml"), "--data", str(ROOT / "data"),
                                    "--out", str(out), "--jobs", "2", "--quiet"])
    assert code == 0, stdout + stderr
    return out / "latest"


def test_every_report_notebook_succeeds_with_html_and_excel(run):
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert {n["name"]: n["status"] for n in manifest["notebooks"]} == {n: "ok" for n in NOTEBOOKS}
    for name in NOTEBOOKS:
        for suffix in (".ipynb", ".html", ".xlsx"):
            assert (run / name / f"{name}{suffix}").is_file(), f"{name}{suffix} missing"
        html = (run / name / f"{name}.html").read_text(encoding="utf-8")
        assert "<img" in html and 'src="http' not in html  # charts embedded, nothing from a CDN
    inputs = {Path(f["path"]).name for f in manifest["inputs"]}
    assert {"staff.csv", "disciplines.csv", "study_leave.csv", "appraisal_events.csv"} <= inputs


def test_no_personal_name_or_id_number_in_any_report_file(run):
    staff = pd.read_csv(ROOT / "data" / "staff.csv", dtype=str)
    candidates = pd.read_csv(ROOT / "data" / "recruitment_candidates.csv", dtype=str)
    secrets = set(staff["name"]) | set(staff["id_number"].dropna()) | set(candidates["name"])
    assert len(secrets) > 3000
    files = [p for p in run.rglob("*") if p.is_file()]
    assert len(files) >= 10
    for path in files:
        text = readable_text(path)
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, f"{path.name} shows {leaked[:5]}"
