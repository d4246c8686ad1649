"""staffcalc.sample: the orchestrator (child generators, merge, atomic write) and its command line.

The domain generators are written separately; orchestration is tested with fake domain modules
injected into ``sys.modules``, and the real generators are tested end to end:
deterministic bytes, files that read back through ``read_table`` without a problem.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import staffcalc.sample as sample
from staffcalc import schemas
from staffcalc.io import read_table
from staffcalc.sample.__main__ import main

REAL_STAFF = 1000  # the institution generator needs several hundred staff for its boundary cases


# ------------------------------------------------------------------------------------------
# Fake domains
# ------------------------------------------------------------------------------------------
def fake_module(name, fn):
    module = types.ModuleType(name)
    module.generate = fn
    return module


def disciplines_domain(rng, tables, n_staff, as_of):
    n = 4
    return {"disciplines": pd.DataFrame({
        "discipline_id": [f"D{i:02d}" for i in range(n)],
        "discipline_name": ["数学", "物理学", "文学", "体育学"],
        "unit_id": ["U1", "U1", "U2", "U3"],
        "unit_name": ["理学院", "理学院", "文学院", "体育部"],
        "category": rng.choice(["A", "B", "C"], n),
        "establishment": rng.integers(0, 100, n).astype("int64"),
    })}


def staff_domain(rng, tables, n_staff, as_of):
    disc = tables["disciplines"]
    pick = rng.integers(0, len(disc), n_staff)
    birth = pd.Timestamp("1960-01-01") + pd.to_timedelta(rng.integers(0, 10000, n_staff), unit="D")
    df = pd.DataFrame({
        "staff_id": [f"T{i:05d}" for i in range(n_staff)],
        "name": [f"教师{i:04d}" for i in range(n_staff)],
        "id_number": None,
        "unit_id": disc["unit_id"].to_numpy()[pick],
        "discipline_id": disc["discipline_id"].to_numpy()[pick],
        "birth_date": birth.astype("datetime64[ns]"),
        "hire_date": (birth + pd.Timedelta(days=9000)).astype("datetime64[ns]"),
        "on_establishment": rng.random(n_staff) < 0.8,
        "degree": rng.choice(["doctorate", "master", "bachelor", "none"], n_staff),
        "post_level": rng.integers(1, 14, n_staff).astype("int64"),
        "post_since": (birth + pd.Timedelta(days=12000)).astype("datetime64[ns]"),
        "appraisal_1": "合格",
        "appraisal_2": rng.choice(["优秀", "合格"], n_staff),
        "appraisal_3": None,
    })
    for c in schemas.get("staff").columns:  # required columns added to the schema later
        if c.required and c.name not in df:
            df[c.name] = c.allowed[0] if c.allowed else {"int": 0, "float": 0.0, "bool": False,
                                                         "date": pd.Timestamp("2020-01-01"), "str": "x"}[c.dtype]
    # the domain tries to change an earlier table: must not leak back into the orchestrator's copy
    tables["disciplines"]["establishment"] = -1
    return {"staff": df}


@pytest.fixture
def fakes(monkeypatch):
    """Two fake domains at positions 0 and 1."""
    monkeypatch.setitem(sys.modules, "fake_domain_disciplines", fake_module("fake_domain_disciplines", disciplines_domain))
    monkeypatch.setitem(sys.modules, "fake_domain_staff", fake_module("fake_domain_staff", staff_domain))
    monkeypatch.setattr(sample, "DOMAINS", ("fake_domain_disciplines", "fake_domain_staff"))


def csv_bytes(tables, out):
    paths = sample.write(tables, out)
    return {p.name: p.read_bytes() for p in paths}


# ------------------------------------------------------------------------------------------
# generate()
# ------------------------------------------------------------------------------------------
def test_generate_merges_domains_in_order(fakes):
    tables = sample.generate(seed=5, n_staff=30)
    assert list(tables) == ["disciplines", "staff"]
    assert len(tables["staff"]) == 30
    assert set(tables["staff"]["discipline_id"]) <= set(tables["disciplines"]["discipline_id"])


def test_earlier_tables_cannot_be_changed_by_a_later_domain(fakes):
    tables = sample.generate(seed=5, n_staff=30)
    assert (tables["disciplines"]["establishment"] >= 0).all()  # staff_domain set its copy to -1


def test_each_domain_gets_its_own_child_generator(monkeypatch):
    seen = {}

    def recorder(position):
        def gen(rng, tables, n_staff, as_of):
            seen[position] = rng.integers(0, 2**62, 3).tolist()
            return {}
        return gen

    for i in range(3):
        monkeypatch.setitem(sys.modules, f"fake_{i}", fake_module(f"fake_{i}", recorder(i)))
    monkeypatch.setattr(sample, "DOMAINS", ("fake_0", "fake_1", "fake_2"))
    sample.generate(seed=11, n_staff=10)
    for i in range(3):  # domain i draws from default_rng([seed, i]), whatever the others draw
        assert seen[i] == np.random.default_rng([11, i]).integers(0, 2**62, 3).tolist()
    assert len({tuple(v) for v in seen.values()}) == 3


def test_domain_receives_staff_count_and_as_of(monkeypatch):
    got = {}

    def gen(rng, tables, n_staff, as_of):
        got.update(n_staff=n_staff, as_of=as_of)
        return {}

    monkeypatch.setitem(sys.modules, "fake_a", fake_module("fake_a", gen))
    monkeypatch.setattr(sample, "DOMAINS", ("fake_a",))
    sample.generate(seed=1, n_staff=42, as_of="2025-03-01")
    assert got == {"n_staff": 42, "as_of": dt.date(2025, 3, 1)}
    sample.generate(seed=1, n_staff=42)
    assert got["as_of"] == dt.date(2026, 9, 1)


def test_missing_dependency_inside_a_domain_is_not_swallowed(tmp_path, monkeypatch):
    (tmp_path / "fake_broken_domain.py").write_text("import no_such_package_for_staffcalc_tests\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sample, "DOMAINS", ("fake_broken_domain",))
    with pytest.raises(ModuleNotFoundError, match="no_such_package_for_staffcalc_tests"):
        sample.generate(seed=1, n_staff=10)


@pytest.mark.parametrize("made,match", [
    ({"no_such_kind": pd.DataFrame()}, "not in staffcalc.schemas.TABLES"),
    ({"disciplines": [1, 2]}, "expected a DataFrame"),
])
def test_domain_returning_bad_tables(monkeypatch, made, match):
    monkeypatch.setitem(sys.modules, "fake_a", fake_module("fake_a", lambda *a: made))
    monkeypatch.setattr(sample, "DOMAINS", ("fake_a",))
    with pytest.raises(ValueError, match=match):
        sample.generate(seed=1, n_staff=10)


def test_two_domains_making_the_same_table(monkeypatch, fakes):
    monkeypatch.setattr(sample, "DOMAINS", ("fake_domain_disciplines", "fake_domain_disciplines"))
    with pytest.raises(ValueError, match="already made"):
        sample.generate(seed=1, n_staff=10)


@pytest.mark.parametrize("kwargs,match", [
    ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"), ({"n_staff": 0}, "n_staff"), ({"n_staff": True}, "n_staff"),
    ({"as_of": "2026-13-01"}, "as_of"),
])
def test_bad_arguments(fakes, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sample.generate(**kwargs)


def test_same_seed_same_bytes_different_seed_different_bytes(fakes, tmp_path):
    a = csv_bytes(sample.generate(seed=3, n_staff=50), tmp_path / "a")
    b = csv_bytes(sample.generate(seed=3, n_staff=50), tmp_path / "b")
    c = csv_bytes(sample.generate(seed=4, n_staff=50), tmp_path / "c")
    assert a == b
    assert a["staff.csv"] != c["staff.csv"]


# ------------------------------------------------------------------------------------------
# write()
# ------------------------------------------------------------------------------------------
def test_csv_format_dates_bools_encoding(fakes, tmp_path):
    tables = sample.generate(seed=3, n_staff=5)
    tables["staff"].loc[0, "on_establishment"] = True
    tables["staff"].loc[1, "on_establishment"] = False
    sample.write(tables, tmp_path / "out")
    raw = (tmp_path / "out" / "staff.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    text = raw.decode("utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("staff_id,name,id_number,")
    first = dict(zip(lines[0].split(","), lines[1].split(",")))
    second = dict(zip(lines[0].split(","), lines[2].split(",")))
    assert first["on_establishment"] == "true" and second["on_establishment"] == "false"
    birth = tables["staff"]["birth_date"][0]
    assert first["birth_date"] == f"{birth.year:04d}-{birth.month:02d}-{birth.day:02d}"  # no time part
    assert first["id_number"] == ""  # missing stays empty


def test_written_fake_tables_read_back_unchanged(fakes, tmp_path):
    tables = sample.generate(seed=8, n_staff=20)
    sample.write(tables, tmp_path / "out")
    back = read_table(tmp_path / "out" / "staff.csv", "staff")
    cols = [c for c in tables["staff"].columns if c not in ("id_number", "appraisal_3")]
    pd.testing.assert_frame_equal(back[cols].rename_axis(None), tables["staff"][cols], check_dtype=False)
    assert back["id_number"].isna().all() and back["appraisal_3"].isna().all()


def test_parquet_format(fakes, tmp_path):
    tables = sample.generate(seed=3, n_staff=5)
    paths = sample.write(tables, tmp_path / "pq", fmt="parquet")
    assert sorted(p.name for p in paths) == ["disciplines.parquet", "staff.parquet"]
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "pq" / "staff.parquet"), tables["staff"],
                                  check_dtype=False)


def test_write_rejects_bad_format_and_unknown_kind_before_writing(tmp_path):
    with pytest.raises(ValueError, match="format"):
        sample.write({}, tmp_path / "x", fmt="xlsx")
    with pytest.raises(ValueError, match="unknown table kind"):
        sample.write({"nope": pd.DataFrame({"a": [1]})}, tmp_path / "x")
    assert list(tmp_path.iterdir()) == []


def _fail_on_second(monkeypatch):
    calls = []
    real = sample._write_one

    def flaky(kind, df, path, fmt):
        calls.append(kind)
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        real(kind, df, path, fmt)

    monkeypatch.setattr(sample, "_write_one", flaky)


def test_failed_write_leaves_no_output_folder(fakes, tmp_path, monkeypatch):
    tables = sample.generate(seed=3, n_staff=5)
    _fail_on_second(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        sample.write(tables, tmp_path / "data")
    assert list(tmp_path.iterdir()) == []  # neither data/ nor a temporary folder


def test_failed_write_leaves_existing_folder_as_it_was(fakes, tmp_path, monkeypatch):
    out = tmp_path / "data"
    out.mkdir()
    (out / "README.md").write_text("keep me", encoding="utf-8")
    (out / "disciplines.csv").write_text("old", encoding="utf-8")
    tables = sample.generate(seed=3, n_staff=5)
    _fail_on_second(monkeypatch)
    with pytest.raises(OSError):
        sample.write(tables, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == {"README.md": "keep me", "disciplines.csv": "old"}


def test_write_into_existing_folder_replaces_tables_and_keeps_other_files(fakes, tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    (out / "README.md").write_text("keep me", encoding="utf-8")
    (out / "staff.csv").write_text("old", encoding="utf-8")
    sample.write(sample.generate(seed=3, n_staff=5), out)
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "disciplines.csv", "staff.csv"]
    assert (out / "README.md").read_text(encoding="utf-8") == "keep me"
    assert (out / "staff.csv").read_text(encoding="utf-8").startswith("staff_id,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


# ------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args,fragment", [
    (["--staff", "0", "--out", "x"], "--staff"),
    (["--staff", "abc", "--out", "x"], "--staff"),
    (["--seed", "-3", "--out", "x"], "--seed"),
    (["--as-of", "2026-13-01", "--out", "x"], "--as-of"),
    (["--format", "xml", "--out", "x"], "--format"),
    ([], "--out"),
])
def test_cli_bad_arguments(capsys, args, fragment):
    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code == 2
    assert fragment in capsys.readouterr().err


def test_cli_with_fake_domains(fakes, tmp_path, capsys):
    assert main(["--seed", "9", "--staff", "12", "--out", str(tmp_path / "d"), "--as-of", "2025-09-01"]) == 0
    err = capsys.readouterr().err
    assert "generating fake_domain_staff" in err and "done: 2 files" in err
    assert len(read_table(tmp_path / "d" / "staff.csv", "staff")) == 12


def test_cli_generation_error_is_a_clean_message(monkeypatch, tmp_path, capsys):
    def gen(rng, tables, n_staff, as_of):
        raise ValueError("n_staff must be at least 660 for the sample institution")

    monkeypatch.setitem(sys.modules, "fake_a", fake_module("fake_a", gen))
    monkeypatch.setattr(sample, "DOMAINS", ("fake_a",))
    assert main(["--staff", "5", "--out", str(tmp_path / "d")]) == 1
    assert "error: n_staff must be at least 660" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


def test_cli_runs_as_a_module_and_files_read_back_without_errors(tmp_path):
    out = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "staffcalc.sample", "--seed", "7", "--staff", str(REAL_STAFF), "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "generating institution" in result.stderr
    files = sorted(out.glob("*.csv"))
    assert {"disciplines.csv", "staff.csv"} <= {p.name for p in files}
    assert {p.name for p in (out / "boundary").iterdir()} == {
        "README.md", "disciplines.csv", "staff.csv", "applicants.csv", "recommendations.csv",
        "committee_members.csv", "relatives.csv"}
    by_file = {(t.file or f"{k}.csv"): k for k, t in schemas.TABLES.items()}
    for path in files:
        df = read_table(path, by_file[path.name])  # raises InputError listing any problem
        assert len(df) > 0
    assert len(read_table(out / "staff.csv", "staff")) == REAL_STAFF


def test_real_sample_is_deterministic(tmp_path):
    a = csv_bytes(sample.generate(seed=2026, n_staff=REAL_STAFF), tmp_path / "a")
    b = csv_bytes(sample.generate(seed=2026, n_staff=REAL_STAFF), tmp_path / "b")
    c = csv_bytes(sample.generate(seed=2027, n_staff=REAL_STAFF), tmp_path / "c")
    assert a == b
    assert a["staff.csv"] != c["staff.csv"]


# ------------------------------------------------------------------------------------------
# The data dictionary (python -m staffcalc.schemas)
# ------------------------------------------------------------------------------------------
def test_data_dictionary_mentions_every_table_column_check_and_label(tmp_path):
    from staffcalc.schemas.__main__ import data_dictionary
    from staffcalc.schemas.__main__ import main as schemas_main

    text = data_dictionary()
    assert "python -m staffcalc.sample --seed 2026 --staff 3000 --out data" in text
    assert "synthetic" in text and "pseudonymous" in text
    for table in schemas.TABLES.values():
        assert f"## `{table.file or table.kind + '.csv'}` — {table.zh}" in text
        for c in table.columns:
            assert f"| `{c.name}` | {c.zh} |" in text, c.name
        for check in table.checks:
            assert f"| `{check.name}` |" in text
    input_names = {c.name for t in schemas.TABLES.values() for c in t.columns}
    for en, zh in schemas.LABELS.items():
        if en not in input_names:
            assert f"| `{en}` | {zh.replace('|', chr(92) + '|')} |" in text

    out = tmp_path / "data" / "README.md"
    assert schemas_main(["--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == text


def test_data_dictionary_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "staffcalc.schemas"], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode("utf-8").startswith("# Sample data: data dictionary")


# ------------------------------------------------------------------------------------------
# The committed sample and its data dictionary are what the code generates (no drift)
# ------------------------------------------------------------------------------------------
def test_committed_sample_is_what_the_generator_makes(tmp_path):
    root = Path(__file__).resolve().parent.parent
    written = sample.write(sample.generate(seed=2026, n_staff=3000), tmp_path / "data")
    assert sorted(p.name for p in written) == sorted(p.name for p in (root / "data").glob("*.csv"))
    for path in written:  # `make sample` regenerates data/ byte for byte
        assert path.read_bytes() == (root / "data" / path.name).read_bytes(), path.name


def test_committed_data_dictionary_is_current():
    from staffcalc.schemas.__main__ import data_dictionary

    root = Path(__file__).resolve().parent.parent
    assert (root / "data" / "README.md").read_text(encoding="utf-8") == data_dictionary(), \
        "data/README.md is stale: run python -m staffcalc.schemas --out data/README.md"


# ------------------------------------------------------------------------------------------
# A believable institution (issue 12): properties within the bands, for two seeds
# ------------------------------------------------------------------------------------------
AS_OF = dt.date(2026, 9, 1)


@pytest.fixture(scope="module", params=[2026, 7], ids=["seed2026", "seed7"])
def institution(request):
    return sample.generate(seed=request.param, n_staff=3000, as_of=AS_OF)


def _years(later, earlier) -> pd.Series:
    return (pd.to_datetime(later) - pd.to_datetime(earlier)).dt.days / 365.25


def test_everyone_is_inside_working_life(institution):
    from staffcalc import policy
    from staffcalc.retirement import retirement_month
    staff = institution["staff"]
    age = _years(pd.Timestamp(AS_OF), staff["birth_date"])
    assert age.min() >= 24
    assert age[staff["sex"] == "男"].max() < 63 and age[staff["sex"] == "女"].max() < 58
    months = retirement_month(staff["birth_date"], staff["sex"], policy=policy.load(AS_OF))
    assert (months > np.datetime64(AS_OF, "M")).all()          # nobody at or past the statutory month (N1)
    assert set(staff["sex"]) == {"男", "女"}
    hire_age = _years(staff["hire_date"], staff["birth_date"])
    assert hire_age.min() >= 22
    doctor = staff["degree"] == "doctorate"
    assert hire_age[doctor].min() >= 27 and age[doctor].min() >= 28


def test_levels_rise_with_age_and_terms_run_for_years(institution):
    staff = institution["staff"]
    age = _years(pd.Timestamp(AS_OF), staff["birth_date"])
    group = pd.cut(staff["post_level"], [0, 4, 7, 10, 13], labels=["full", "associate", "intermediate", "junior"])
    mean_age = age.groupby(group, observed=True).mean()
    assert mean_age["full"] > mean_age["associate"] > mean_age["intermediate"] > mean_age["junior"]
    at_level = _years(pd.Timestamp(AS_OF), staff["post_since"])
    assert 3.0 <= at_level.median() <= 6.0                      # four-year appointments (P6 §29), renewed
    on_jan_1 = staff["post_since"].dt.strftime("%m-%d") == "01-01"      # the yearly appointment round …
    assert on_jan_1.mean() > 0.8 and (staff.loc[~on_jan_1, "post_since"] == staff.loc[~on_jan_1, "hire_date"]).all()
    assert (staff["rank_since"] <= staff["post_since"]).all()          # … or the first one, on the hire date


def test_units_disciplines_and_establishment(institution):
    disc, staff = institution["disciplines"], institution["staff"]
    per_unit = disc.groupby("unit_id").size()
    assert per_unit.between(2, 6).all() and per_unit.nunique() >= 3
    assert not disc["discipline_name"].str.contains("方向").any()  # no sub-directions, so none outranks a parent
    assert disc.groupby("unit_id")["discipline_name"].apply(lambda s: s.is_unique).all()
    est = disc["establishment"]
    assert est.max() >= 3 * est.median() and est.min() < est.median() / 2
    on_est = staff[staff["on_establishment"]].groupby("unit_id").size()
    unit_est = disc.groupby("unit_id")["establishment"].sum()
    over = (on_est > unit_est.reindex(on_est.index)).sum()
    assert 1 <= over <= len(unit_est) // 4                         # a few units 超编


def test_senior_occupancy_near_the_caps(institution):
    from staffcalc import policy, quotas
    t = quotas.quota_table(institution["disciplines"], institution["staff"], policy.load(AS_OF))
    over = t["vacancy_senior"] < 0
    assert 0.10 <= over.mean() <= 0.25
    assert (-t.loc[over, "vacancy_senior"]).max() <= 3          # over by a few people
    assert t.loc[~over, "vacancy_senior"].max() <= 6             # the others at or a few posts under
    assert t["over_quota"].mean() <= 0.25


def test_appraisal_grades_have_a_plausible_spread(institution):
    from staffcalc import policy
    from staffcalc.scoring.appraisal import monthly_appraisal
    m = monthly_appraisal(institution["appraisal_items"], institution["appraisal_events"], policy.load(AS_OF))
    share = m["grade"].value_counts(normalize=True)
    assert 0.20 <= share["优秀"] <= 0.35
    assert 0 < share["不合格"] <= 0.05
    by_unit = m.merge(institution["class_teachers"][["staff_id", "unit_id"]], on="staff_id") \
        .groupby("unit_id")["grade"].apply(lambda g: (g == "优秀").mean())
    assert by_unit.max() - by_unit.min() >= 0.2                   # visible differences between units
    annual = institution["staff"]["appraisal_1"].value_counts(normalize=True)
    assert 0.10 <= annual["优秀"] <= 0.20 and annual.get("不合格", 0) < 0.02


def test_committees_mostly_comply_with_three_planted_violations(institution):
    from staffcalc import policy, review
    c = review.committee_composition(institution["committee_members"], policy.load(AS_OF))
    bad = c[~c["composition_ok"]]
    assert len(bad) == 3 and len(c) >= 20
    problems = " ".join(bad["composition_problems"])
    assert "§21 professors" in problems and "§21 administrative" in problems and "§20" in problems


def test_applicants_and_study_leave_look_real(institution):
    staff = institution["staff"].set_index("staff_id")
    apps = institution["applicants"]
    assert "sample_case" not in apps                              # boundary cases live in data/boundary
    age = _years(pd.Timestamp(AS_OF), staff.loc[apps["staff_id"], "birth_date"].reset_index(drop=True))
    assert age.max() < 60
    sl = institution["study_leave"]
    start_age = _years(sl["study_start"], staff.loc[sl["staff_id"], "birth_date"].to_numpy())
    degree = sl["mode"] != "further_study"
    assert start_age[degree.to_numpy()].max() < 46 and start_age.min() >= 24


def test_committed_sample_is_a_few_mb_and_the_boundary_set_is_documented():
    root = Path(__file__).resolve().parent.parent / "data"
    assert sum(p.stat().st_size for p in root.rglob("*.csv")) < 3 * 2**20
    readme = (root / "boundary" / "README.md").read_text(encoding="utf-8")
    from staffcalc.sample import boundary
    assert readme == boundary.describe(AS_OF)
    assert readme.count("| A2026-B") == len(boundary.cases(AS_OF))
