"""Parameter and config checks happen before any kernel starts (papermill itself only warns)."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
import yaml

sys.path.append(str(Path(__file__).parent / "fixtures" / "notebooks"))
from report_fixtures import FIXTURES, ROOT, run_cli, write_config, write_data, write_policy_dir  # noqa: E402

import staffcalc.policy  # noqa: E402
import staffcalc.report.pool as report_pool  # noqa: E402
import staffcalc.report.run as report_run  # noqa: E402
from staffcalc.report import ConfigError, Options, ParameterError, declared_parameters, plan  # noqa: E402
from staffcalc.report.params import Declared, check, plain  # noqa: E402


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail the test if anything tries to run a notebook or start a process."""
    def refuse(*args, **kwargs):
        raise AssertionError("a notebook was started although the parameters are invalid")

    monkeypatch.setattr(report_run, "run_task", refuse)
    monkeypatch.setattr(report_pool.subprocess, "Popen", refuse)


@pytest.fixture
def setup(tmp_path):
    return {"data": write_data(tmp_path / "data"), "out": tmp_path / "reports", "base": tmp_path}


def report(setup, notebooks, *extra, defaults=None):
    config = write_config(setup["base"] / "reports.yaml", notebooks, defaults)
    return run_cli(["report", "--config", str(config), "--data", str(setup["data"]), "--out", str(setup["out"]), *extra])


# --------------------------------------------------------------------------------------------
# what a notebook declares
# --------------------------------------------------------------------------------------------
def test_declared_parameters_read_from_the_parameters_cell():
    declared = declared_parameters(FIXTURES / "headcount.json")
    assert {n: (d.default, d.type) for n, d in declared.items()} == {
        "data_dir": ("../data", str), "out_dir": (".", str), "as_of": ("2026-09-01", str),
        "show_names": (False, bool), "unit": ("", str), "overrides_file": ("", str),
        "scale": (1, int),            # from the annotation `scale: int = 1`
        "ratio": (0.5, float), "title": ("人数统计", str), "options": ({}, dict),
        "note": (None, None),         # a None default declares no type
    }


def test_notebook_without_parameters_cell_is_refused(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, tmp_path / "untagged.ipynb")
    with pytest.raises(ParameterError, match="no cell tagged 'parameters'"):
        declared_parameters(tmp_path / "untagged.ipynb")


def test_parameters_cell_with_a_non_literal_is_refused(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('data_dir = "."\nas_of = str(2026)')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "calls.ipynb")
    with pytest.raises(ParameterError, match="'as_of' .* not a plain literal"):
        declared_parameters(tmp_path / "calls.ipynb")


# --------------------------------------------------------------------------------------------
# type rules, both sides of each
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("declared_type, default, value, ok", [
    (int, 1, 3, True),
    (int, 1, "3", False),      # str for an int
    (int, 1, 3.0, False),      # a float is not an int, even a whole one
    (int, 1, True, False),     # bool is not an int here
    (float, 0.5, 1, True),     # an int is a fine float
    (float, 0.5, 0.75, True),
    (float, 0.5, "0.75", False),
    (float, 0.5, False, False),
    (dict, {}, {"a": 1}, True),
    (dict, {}, 0.5, False),    # a float where a dict is expected
    (list, [], [1, 2], True),
    (list, [], "1,2", False),
    (bool, False, True, True),
    (bool, False, 1, False),   # 1 is not True for a flag
    (str, "", "x", True),
    (str, "", 1, False),
    (None, None, {"anything": [1]}, True),  # None default: anything goes
])
def test_parameter_types(declared_type, default, value, ok):
    declared = {"p": Declared("p", default, declared_type)}
    problems = check("nb", declared, {"p": value})
    assert (problems == []) is ok, problems


def test_unknown_parameter_message_names_notebook_and_parameter():
    (msg,) = check("post_quotas", {"as_of": Declared("as_of", "", str)}, {"as_off": "2026-09-01"})
    assert msg.startswith("post_quotas: unknown parameter 'as_off'") and "as_of" in msg and "未声明" in msg


def test_yaml_dates_become_iso_strings():
    import datetime as dt
    assert plain({"as_of": dt.date(2026, 9, 1), "xs": [dt.date(2025, 1, 2)]}) == {"as_of": "2026-09-01", "xs": ["2025-01-02"]}
    with pytest.raises(ParameterError, match="not plain data"):
        plain({"x": object()})


# --------------------------------------------------------------------------------------------
# the CLI refuses before any kernel starts (exit 2), naming notebook and parameter
# --------------------------------------------------------------------------------------------
def test_unknown_parameter_stops_the_run_before_any_kernel(setup, no_kernel):
    code, out, err = report(setup, [{"name": "headcount", "parameters": {"scael": 2}}, {"name": "names"}])
    assert code == 2 and out == ""
    assert "headcount: unknown parameter 'scael'" in err and "nothing was run" in err
    assert not setup["out"].exists() or not any(setup["out"].iterdir())  # nothing written


def test_wrong_types_are_all_reported_at_once(setup, no_kernel):
    code, _, err = report(setup, [{"name": "headcount", "parameters": {"scale": "2", "options": 0.5}},
                                  {"name": "names", "parameters": {"show": 1}}])
    assert code == 2
    assert "headcount: parameter 'scale' must be int" in err and "got str '2'" in err
    assert "headcount: parameter 'options' must be dict" in err and "got float 0.5" in err
    assert "names: unknown parameter 'show'" in err


def test_unquoted_yaml_date_is_accepted_for_a_str_parameter(setup):
    config = write_config(setup["base"] / "reports.yaml", [{"name": "headcount"}])
    text = config.read_text(encoding="utf-8").replace("as_of: '2026-09-01'", "as_of: 2026-09-01")
    assert "as_of: 2026-09-01" in text
    config.write_text(text, encoding="utf-8")
    p = plan(Options(config=config, data=setup["data"], out=setup["out"]))
    assert p.tasks[0]["parameters"]["as_of"] == "2026-09-01"


def test_none_default_accepts_any_value_and_plan_sets_runner_parameters(setup):
    config = write_config(setup["base"] / "reports.yaml", [{"name": "headcount", "parameters": {"note": [1, "x"]}}])
    p = plan(Options(config=config, data=setup["data"], out=setup["out"], show_names=True))
    params = p.tasks[0]["parameters"]
    assert params["note"] == [1, "x"]
    assert params["data_dir"] == str(setup["data"].resolve()) and Path(params["data_dir"]).is_absolute()
    assert params["out_dir"] == str(p.tmp_dir / "headcount") and p.tmp_dir.name == f".tmp-{p.run_id}"
    assert params["show_names"] is True
    assert not p.tmp_dir.exists()  # planning writes nothing


def test_per_unit_needs_a_unit_parameter(setup, tmp_path, no_kernel):
    nb = nbformat.read(FIXTURES / "boom.json", as_version=4)
    nb.cells[1].source = 'data_dir = "."\nout_dir = "."\nshow_names = False\nas_of = ""'  # no `unit`
    nbformat.write(nb, tmp_path / "no_unit.ipynb")
    code, _, err = report(setup, [{"name": "no_unit", "path": str(tmp_path / "no_unit.ipynb")}], "--per", "unit")
    assert code == 2
    assert "U01/no_unit: unknown parameter 'unit'" in err and "U02/no_unit: unknown parameter 'unit'" in err


@pytest.mark.parametrize("key", ["data_dir", "out_dir", "show_names", "unit", "overrides_file"])
def test_runner_parameters_cannot_be_set_in_the_config(setup, key, no_kernel):
    code, _, err = report(setup, [{"name": "headcount", "parameters": {key: "x"}}])
    assert code == 2 and f"{key} are set by the runner" in err


def test_unknown_config_key_is_an_error(setup, no_kernel):
    code, _, err = report(setup, [{"name": "headcount", "timout": 5}])
    assert code == 2 and "unknown keys ['timout']" in err


def test_only_unknown_name_is_an_error(setup, no_kernel):
    code, _, err = report(setup, [{"name": "headcount"}], "--only", "headcont")
    assert code == 2 and "--only headcont" in err and "headcount" in err


def test_missing_data_folder_is_an_error(setup, no_kernel):
    config = write_config(setup["base"] / "reports.yaml", [{"name": "headcount"}])
    code, _, err = run_cli(["report", "--config", str(config), "--data", str(setup["base"] / "nope"),
                            "--out", str(setup["out"])])
    assert code == 2 and "not a folder" in err


def test_missing_notebook_is_an_error(setup, no_kernel):
    code, _, err = report(setup, [{"name": "ghost", "path": "ghost.ipynb"}])
    assert code == 2 and "ghost.ipynb not found" in err


# --------------------------------------------------------------------------------------------
# --override: validated with policy.load(...).override(...) before anything runs
# --------------------------------------------------------------------------------------------
@pytest.fixture
def test_policy(tmp_path, monkeypatch):
    monkeypatch.setattr(staffcalc.policy, "POLICY_DIR", write_policy_dir(tmp_path / "policies"))


@pytest.mark.parametrize("override, message", [
    ({"fixture.ratio.A": 1.5}, "above the maximum 1"),
    ({"fixture.ratio.A": -0.1}, "below the minimum 0"),
    ({"fixture.method": "round_half_up"}, "not one of"),
    ({"fixture.ratio.Z": 0.5}, "unknown parameter path"),
    ({"fixture.ratio": 0.5}, "expected a mapping"),
])
def test_bad_override_stops_the_run_before_any_kernel(setup, test_policy, no_kernel, override, message):
    path = setup["base"] / "whatif.yaml"
    path.write_text(yaml.safe_dump(override), encoding="utf-8")
    code, _, err = report(setup, [{"name": "headcount"}], "--override", str(path))
    assert code == 2 and message in err and "--override" in err
    assert not setup["out"].exists() or not any(setup["out"].iterdir())


def test_good_override_is_passed_as_an_absolute_path(setup, test_policy, monkeypatch):
    path = setup["base"] / "whatif.yaml"
    path.write_text(yaml.safe_dump({"fixture.ratio.A": 0.7}), encoding="utf-8")
    monkeypatch.chdir(setup["base"])
    config = write_config(setup["base"] / "reports.yaml", [{"name": "headcount"}, {"name": "names"}])
    p = plan(Options(config=config, data=Path("data"), out=Path("reports"), override=Path("whatif.yaml")))
    assert {t["parameters"]["overrides_file"] for t in p.tasks} == {str(path.resolve())}
    assert p.overrides["values"] == {"fixture.ratio.A": 0.7}
    assert p.policy[0]["versions"] == {"TFIX": "测试用政策文件 (2020-01-01)"}


def test_timeout_option_overrides_config_limits(setup):
    config = write_config(setup["base"] / "reports.yaml", [{"name": "headcount", "timeout": 300, "cell_timeout": 200},
                                                           {"name": "names", "timeout": 2}])
    p = plan(Options(config=config, data=setup["data"], out=setup["out"]))
    assert [(t["timeout"], t["cell_timeout"]) for t in p.tasks] == [(300, 200), (2, 2)]  # cell ≤ wall-clock
    p = plan(Options(config=config, data=setup["data"], out=setup["out"], timeout=30))
    assert [(t["timeout"], t["cell_timeout"]) for t in p.tasks] == [(30, 30), (30, 30)]


def test_shipped_reports_yaml_matches_the_notebooks(setup):
    """The repository's reports.yaml passes only parameters its notebooks declare (no kernel needed);
    the sample data hold every table they read."""
    config = ROOT / "reports.yaml"
    for per in (None, "unit"):
        p = plan(Options(config=config, data=ROOT / "data", out=setup["out"], per=per))
        assert {t["name"] for t in p.tasks} == {"post_quotas", "appraisal_distribution", "leave_cost_impact"}


def test_config_error_types():
    with pytest.raises(ConfigError, match="config file not found"):
        plan(Options(config=Path("/nonexistent/reports.yaml")))


def test_override_file_parameters_reach_the_notebooks_that_declare_them(setup, no_kernel):
    """A what-if file's ``parameters:`` (not policy: openings, the §9 float) go to the notebooks
    that declare them, checked like config parameters."""
    path = setup["base"] / "whatif.yaml"
    path.write_text(yaml.safe_dump({"quotas.senior_ratio.B": 0.55, "parameters": {
        "openings": 8, "adjustment": {"A": 0.0, "B": 0.05, "C": 0.0}}}), encoding="utf-8")
    p = plan(Options(config=ROOT / "reports.yaml", data=ROOT / "data", out=setup["out"], override=path))
    params = {t["name"]: t["parameters"] for t in p.tasks}
    assert params["appraisal_distribution"]["openings"] == 8
    assert params["post_quotas"]["adjustment"] == {"A": 0.0, "B": 0.05, "C": 0.0}
    assert "openings" not in params["post_quotas"] and "adjustment" not in params["leave_cost_impact"]
    assert p.overrides["values"] == {"quotas.senior_ratio.B": 0.55}
    assert p.overrides["parameters"]["openings"] == 8


@pytest.mark.parametrize("parameters, message", [
    ({"opennings": 8}, "parameters.opennings is declared by no notebook"),
    ({"openings": "eight"}, "openings"),
])
def test_override_file_parameters_are_checked(setup, no_kernel, parameters, message):
    path = setup["base"] / "whatif.yaml"
    path.write_text(yaml.safe_dump({"parameters": parameters}), encoding="utf-8")
    with pytest.raises(ParameterError, match=message):
        plan(Options(config=ROOT / "reports.yaml", data=setup["data"], out=setup["out"], override=path))


def test_workers_start_only_once_parameters_and_policy_are_right(setup, test_policy, tmp_path):
    """plan() calls ``before_inputs`` (the runner starts its workers there, to warm up while the input
    files are checked) only after config, parameters and override passed: those errors start nothing."""
    calls = []
    config = write_config(setup["base"] / "reports.yaml", [{"name": "headcount", "parameters": {"scael": 2}}])
    with pytest.raises(ParameterError):
        plan(Options(config=config, data=setup["data"], out=setup["out"]), before_inputs=lambda tasks: calls.append(1))
    bad = tmp_path / "whatif.yaml"
    bad.write_text(yaml.safe_dump({"fixture.ratio.A": 1.5}), encoding="utf-8")
    config = write_config(setup["base"] / "reports.yaml", [{"name": "headcount"}])
    with pytest.raises(ConfigError):
        plan(Options(config=config, data=setup["data"], out=setup["out"], override=bad),
             before_inputs=lambda tasks: calls.append(2))
    assert calls == []
    p = plan(Options(config=config, data=setup["data"], out=setup["out"]), before_inputs=calls.append)
    assert calls == [p.tasks]  # called once, with the tasks the pool is made for
