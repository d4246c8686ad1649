"""Benchmarks: correctness only (no timing assertions).

* the row-by-row reference (benchmarks/rowwise.py) equals the vectorised monthly appraisal, on the
  planted boundary months (hand-worked below), on the committed sample, on random input and under
  policy overrides;
* the Dask-over-Parquet path (staffcalc.partitioned) equals pandas on a small generated dataset,
  and refuses misaligned partitions;
* ``python -m benchmarks.run --quick`` runs end to end and every correctness check in it holds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import data as bdata
from benchmarks.rowwise import differences, monthly_appraisal_rowwise
from staffcalc import partitioned, policy
from staffcalc.scoring import ScoringInputError, catalogue, monthly_appraisal

AS_OF = "2026-09-01"
POL = policy.load(AS_OF)
FAILS = ["fail_s1", "fail_s2a", "fail_s2b", "fail_s2c", "fail_s2d", "fail_s3"]


def same(items, events, pol=POL):
    vec = monthly_appraisal(items, events, pol)
    row = monthly_appraisal_rowwise(items, events, pol)
    return differences(vec, row), vec, row


# --------------------------------------------------------------------------------------------
# row-by-row reference == vectorised pipeline
# --------------------------------------------------------------------------------------------
def test_rowwise_equals_pipeline_on_planted_boundary_months():
    items, events = bdata.teacher_months(2_000, seed=5)
    diff, vec, row = same(items, events)
    assert all(v == 0 for v in diff.values()), diff
    # the planted P5 cases (teacher t, month m → row 10·t + m; 100 = sum of the section maxima
    # 15+20+20+15+20+10):
    #   row 0:  no failed item, D-CLASS-MISSED −10                         → 100 − 10 = 90  优秀 (≥ 90)
    #   row 10: D-RETURN-ABSENT −5, D-LATE 3 × −2                          → 100 − 11 = 89  良好 (< 90)
    #   row 20: S2a 2 failed × 5, D-DISCIPLINE-COLLEGE −20, D-CLASS-MISSED −10 → 90 − 30 = 60 合格 (≥ 60)
    #   row 30: S2b 1 × 2; −20 −10 −5 −2×2                                 → 98 − 39 = 59   不合格 (< 60)
    #   row 40: S2c 4 × 4 = 16 > 15 → 0 and S3 3 × 4 = 12 > 10 → 0 (floors) → 100 − 15 − 10 = 75 合格
    #   row 80: S2b all 8 failed × 2 = 16 → section 20 − 16 = 4            → 100 − 16 = 84  良好
    for r, score, grade in [(0, 90.0, "优秀"), (10, 89.0, "良好"), (20, 60.0, "合格"), (30, 59.0, "不合格"),
                            (40, 75.0, "合格"), (80, 84.0, "良好")]:
        assert vec.loc[r, "score"] == score and row.loc[r, "score"] == score
        assert vec.loc[r, "grade"] == grade and row.loc[r, "grade"] == grade
    # row 51: D-DISCIPLINE-UNIVERSITY 1 × 40 → 60 合格, and the code forfeits the month's allowance
    # (P5 §4(五)3): 0 instead of the 合格 amount
    assert vec.loc[51, "score"] == 60.0 and vec.loc[51, "allowance"] == 0.0 == row.loc[51, "allowance"]
    # row 94: D-DISCIPLINE-UNIVERSITY 3 × 40 = 120 → 100 − 120 = −20 (no floor at 0), forfeited
    assert vec.loc[94, "score"] == -20.0 and row.loc[94, "score"] == -20.0
    assert vec.loc[94, "allowance"] == 0.0 and bool(row.loc[94, "allowance_forfeited"])
    # row 73 (teacher 7, month 3): B-STUDENT-NATIONAL +5, B-MEETING-FULL +2, B-ACTIVITY-FULL +2 → 109, no cap
    assert vec.loc[73, "score"] == 109.0 and row.loc[73, "score"] == 109.0


def test_rowwise_equals_pipeline_on_the_committed_sample():
    if not (DATA / "appraisal_items.csv").exists():
        pytest.skip("sample data not generated")
    items = pd.read_csv(DATA / "appraisal_items.csv", encoding="utf-8")
    events = pd.read_csv(DATA / "appraisal_events.csv", encoding="utf-8")
    diff, vec, _ = same(items, events)
    assert all(v == 0 for v in diff.values()), diff
    assert len(vec) == len(items) > 0


@pytest.mark.parametrize("overrides", [
    {"appraisal.clip_score": True},                       # clip to [0, 100]: −20 → 0, 109 → 100
    {"appraisal.grade_bands.优秀": 85, "appraisal.sections.S2b.per_item": 3},
    {"appraisal.bonus.B-MEETING-FULL.points": 4, "appraisal.deduction.D-LATE.points": 3},
])
def test_rowwise_reads_the_policy_like_the_pipeline(overrides):
    pol = POL.override(overrides)
    items, events = bdata.teacher_months(1_000, seed=9, policy=pol)
    diff, vec, _ = same(items, events, pol)
    assert all(v == 0 for v in diff.values()), diff
    if overrides.get("appraisal.clip_score"):
        assert vec["score"].min() >= 0 and vec["score"].max() <= 100


CODES = list(catalogue(POL)["code"])


@st.composite
def month_sets(draw):
    n = draw(st.integers(1, 12))
    items = pd.DataFrame({
        "staff_id": [f"T{i // 3:03d}" for i in range(n)],
        "period": [f"2025-{9 + i % 3:02d}" for i in range(n)],
        "fail_s1": draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)),
        "fail_s2a": draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)),
        "fail_s2b": draw(st.lists(st.integers(0, 8), min_size=n, max_size=n)),
        "fail_s2c": draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)),
        "fail_s2d": draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)),
        "fail_s3": draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)),
    })
    k = draw(st.integers(0, 20))
    rows = draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k))
    events = pd.DataFrame({
        "staff_id": [items["staff_id"][r] for r in rows], "period": [items["period"][r] for r in rows],
        "code": draw(st.lists(st.sampled_from(CODES), min_size=k, max_size=k)),
        "count": draw(st.lists(st.integers(0, 4), min_size=k, max_size=k)),
    })
    return items, events


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(month_sets())
def test_property_rowwise_equals_pipeline_on_random_months(case):
    items, events = case
    diff, _, _ = same(items, events)
    assert all(v == 0 for v in diff.values()), diff


def test_rowwise_rejects_what_the_pipeline_rejects():
    items, events = bdata.teacher_months(30, seed=1, plant_cases=False)
    bad = events.copy()
    bad.loc[0, "code"] = "B-NO-SUCH-CODE"
    with pytest.raises(ScoringInputError):
        monthly_appraisal(items, bad, POL)
    with pytest.raises(ValueError, match="unknown event code"):
        monthly_appraisal_rowwise(items, bad, POL)
    too_many = items.copy()
    too_many.loc[3, "fail_s2b"] = 9  # S2b has 8 items
    with pytest.raises(ScoringInputError):
        monthly_appraisal(too_many, events, POL)
    with pytest.raises(ValueError, match="failed items"):
        monthly_appraisal_rowwise(too_many, events, POL)


# --------------------------------------------------------------------------------------------
# benchmark data generator
# --------------------------------------------------------------------------------------------
def test_teacher_months_are_deterministic_and_every_event_has_its_month():
    a_items, a_events = bdata.teacher_months(500, seed=3)
    b_items, b_events = bdata.teacher_months(500, seed=3)
    pd.testing.assert_frame_equal(a_items, b_items)
    pd.testing.assert_frame_equal(a_events, b_events)
    assert len(a_items) == 500 and not a_items.duplicated(["staff_id", "period"]).any()
    keys = set(zip(a_items["staff_id"], a_items["period"]))
    assert set(zip(a_events["staff_id"], a_events["period"])) <= keys
    assert set(a_events["code"]) <= set(CODES)


def test_chunks_hold_whole_teachers_with_distinct_ids(tmp_path):
    path = bdata.write_teacher_month_chunks(3_000, chunk_rows=1_000, root=tmp_path)
    parts = partitioned.appraisal_parts(path)
    assert len(parts) == 3
    ids = [set(pd.read_parquet(p)["staff_id"]) for p, _ in parts]
    assert all(not (ids[i] & ids[j]) for i in range(3) for j in range(i + 1, 3))
    for (items_p, events_p), teachers in zip(parts, ids):
        assert set(pd.read_parquet(events_p)["staff_id"]) <= teachers
    # reused, not regenerated, when complete
    before = (path / "items" / "part-00000.parquet").stat().st_mtime_ns
    bdata.write_teacher_month_chunks(3_000, chunk_rows=1_000, root=tmp_path)
    assert (path / "items" / "part-00000.parquet").stat().st_mtime_ns == before


# --------------------------------------------------------------------------------------------
# Dask over Parquet partitions == pandas
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench-data")
    path = bdata.write_teacher_month_chunks(4_000, chunk_rows=1_000, root=root)
    parts = partitioned.appraisal_parts(path)
    items = pd.concat([pd.read_parquet(p) for p, _ in parts], ignore_index=True)
    events = pd.concat([pd.read_parquet(e) for _, e in parts], ignore_index=True)
    return path, items, events


def test_dask_summary_equals_pandas_on_the_whole_dataset(dataset):
    path, items, events = dataset
    whole = monthly_appraisal(items, events, POL)
    got = partitioned.appraisal_over_partitions(path, POL, scheduler="threads", num_workers=2)
    want = partitioned.summarise(whole)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    # grade counts: the sum over partitions equals the count over everything
    assert got.groupby("grade")["teacher_months"].sum().to_dict() == \
        whole["grade"].astype(str).value_counts().to_dict()
    assert got["teacher_months"].sum() == len(items) == 4_000


def test_dask_frame_equals_pandas_row_by_row(dataset):
    path, items, events = dataset
    frame = partitioned.appraisal_frame(path, POL)
    assert frame.npartitions == 4
    got = frame.compute(scheduler="threads").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, monthly_appraisal(items, events, POL), check_exact=True)
    part = frame.partitions[2].compute(scheduler="synchronous")
    pd.testing.assert_frame_equal(part, partitioned.appraise_part(partitioned.appraisal_parts(path)[2], POL),
                                  check_exact=True)


def test_dask_writes_each_part_and_by_unit_sums(dataset, tmp_path):
    path, items, events = dataset
    got = partitioned.appraisal_over_partitions(path, POL, by=("staff_id",), out=tmp_path / "out",
                                                scheduler="synchronous")
    written = sorted((tmp_path / "out").glob("*.parquet"))
    assert [p.name for p in written] == [f"part-{k:05d}.parquet" for k in range(4)]
    back = pd.concat([pd.read_parquet(p) for p in written], ignore_index=True)
    whole = monthly_appraisal(items, events, POL)
    assert np.array_equal(back["score"].to_numpy(), whole["score"].to_numpy())
    assert got["teacher_months"].sum() == 4_000
    assert got.groupby("staff_id")["teacher_months"].sum().eq(10).all()  # ten school months each


def test_dask_with_a_distributed_local_cluster_equals_pandas(dataset):
    distributed = pytest.importorskip("distributed")
    path, items, events = dataset
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        got = partitioned.appraisal_over_partitions(path, POL, scheduler=client)
    pd.testing.assert_frame_equal(got, partitioned.summarise(monthly_appraisal(items, events, POL)),
                                  check_exact=True)


def test_event_in_the_wrong_partition_is_an_error_not_dropped(tmp_path):
    items, events = bdata.teacher_months(40, seed=2, plant_cases=False)
    for sub in ("items", "events"):
        (tmp_path / sub).mkdir()
    first = items["staff_id"].isin(items["staff_id"].unique()[:2])
    items[first].to_parquet(tmp_path / "items" / "part-0.parquet")
    items[~first].to_parquet(tmp_path / "items" / "part-1.parquet")
    # all events in part 0, including those of part 1's teachers
    events.to_parquet(tmp_path / "events" / "part-0.parquet")
    with pytest.raises(ScoringInputError, match="no appraisal items row"):
        partitioned.appraisal_over_partitions(tmp_path, POL, scheduler="synchronous")


def test_partition_layout_is_checked(tmp_path):
    with pytest.raises(ValueError, match="no \\*.parquet parts"):
        partitioned.appraisal_parts(tmp_path)
    items, events = bdata.teacher_months(20, seed=2, plant_cases=False)
    (tmp_path / "items").mkdir()
    (tmp_path / "events").mkdir()
    items.to_parquet(tmp_path / "items" / "a.parquet")
    events.to_parquet(tmp_path / "events" / "b.parquet")
    with pytest.raises(ValueError, match="no items part of the same name"):
        partitioned.appraisal_parts(tmp_path)
    (tmp_path / "events" / "b.parquet").unlink()
    # a part without an events file: months without events (bonus = deduction = 0)
    got = partitioned.appraisal_over_partitions(tmp_path, POL, scheduler="synchronous")
    want = partitioned.summarise(monthly_appraisal(items, None, POL))
    pd.testing.assert_frame_equal(got, want, check_exact=True)


# --------------------------------------------------------------------------------------------
# the benchmark script, end to end, tiny sizes
# --------------------------------------------------------------------------------------------
def test_benchmark_runs_end_to_end_in_quick_mode(tmp_path):
    out = tmp_path / "results.json"
    env = dict(os.environ, STAFFCALC_BENCH_DATA=str(tmp_path / "bench-data"))
    proc = subprocess.run([sys.executable, "-m", "benchmarks.run", "--quick", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    res = json.loads(out.read_text(encoding="utf-8"))
    figs = res["figures"]
    for name in ("appraisal", "appraisal_rowwise", "quota", "outlook", "leave_cost", "report", "whatif", "dask"):
        assert name in figs and "error" not in figs[name], name
        assert all(figs[name].get("checks", {}).values()), (name, figs[name].get("checks"))
        assert figs[name]["maxrss_mb"] > 0
    assert figs["appraisal_rowwise"]["metrics"]["rows_checked"] == 20_000
    assert {t["figure"] for t in res["targets"]} >= {"appraisal", "appraisal_rowwise", "quota", "outlook", "leave_cost",
                                                     "dask"}
    assert "PASS" in proc.stdout or "MISS" in proc.stdout
    assert "load average" in proc.stdout
