"""Figure: the monthly appraisal of a 10,000,000-row dataset that is never in memory at once.

The dataset (``bench-data/appraisal_10000000/``: items and events in 20 Parquet parts of 500,000
teacher-months, written one part at a time by :func:`benchmarks.data.write_teacher_month_chunks`)
is appraised by :func:`staffcalc.partitioned.appraisal_over_partitions` — ``monthly_appraisal`` on
every part as a Dask task, threaded scheduler with 2 workers (or a ``distributed`` local cluster
with ``--option scheduler=distributed``), the per-part summaries summed.

Checks, all exact:

* an independent plain-pandas loop over the parts (``monthly_appraisal`` on each, then grade counts
  by period with ``groupby().size()`` and allowance/score sums) gives the same table;
* three parts (first — it holds the planted boundary months —, middle, last) computed through the
  lazy Dask frame equal ``monthly_appraisal`` of the same files with pandas, row by row;
* the grade counts add up to the number of items rows in the Parquet metadata.
"""

from __future__ import annotations

import resource

import numpy as np
import pandas as pd

from . import data
from .figures import _policy, _result, _say, sizes
from .timing import once


def _pandas_loop(parts, pol) -> pd.DataFrame:
    from staffcalc.scoring.appraisal import monthly_appraisal

    pieces = []
    for items_p, events_p in parts:
        m = monthly_appraisal(pd.read_parquet(items_p), pd.read_parquet(events_p) if events_p else None, pol)
        g = m.assign(grade=m["grade"].astype(str), period=m["period"].astype(str),
                     forfeited=m["allowance_forfeited"].astype(np.int64)).groupby(["period", "grade"], sort=True)
        pieces.append(pd.DataFrame({"teacher_months": g.size(), "score_sum": g["score"].sum(),
                                    "allowance": g["allowance"].sum(), "forfeited_months": g["forfeited"].sum()}))
        del m, g
    out = pd.concat(pieces).groupby(level=[0, 1], sort=True).sum()
    return out.reset_index()


def fig_dask(quick: bool, scheduler: str = "threads", workers: str = "2") -> dict:
    import pyarrow.parquet as pq

    from staffcalc import partitioned

    s = sizes(quick)
    pol = _policy()
    path = data.write_teacher_month_chunks(s["dask_rows"], s["dask_chunk"], progress=_say)
    parts = partitioned.appraisal_parts(path)
    rows = sum(pq.ParquetFile(p).metadata.num_rows for p, _ in parts)
    n_events = sum(pq.ParquetFile(e).metadata.num_rows for _, e in parts if e)
    n_workers = int(workers)
    client = cluster = None
    if scheduler == "distributed":
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, memory_limit="1GiB",
                               dashboard_address=None)
        client = Client(cluster)
    _say(f"  dask: {rows:,} teacher-months, {n_events:,} events in {len(parts)} parts, scheduler={scheduler} ×{n_workers}")
    try:
        run = (lambda: partitioned.appraisal_over_partitions(path, pol, scheduler=client)) if client else \
            (lambda: partitioned.appraisal_over_partitions(path, pol, scheduler="threads", num_workers=n_workers))
        summary, t_dask = once(run)
        rss_after_dask = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        _say("  plain pandas loop over the parts (check) …")
        ref, t_pandas = once(lambda: _pandas_loop(parts, pol))
        picks = sorted({0, len(parts) // 2, len(parts) - 1})
        frame = partitioned.appraisal_frame(path, pol)
        same_parts = {}
        for i in picks:
            got = frame.partitions[i].compute(scheduler=client or "threads")
            want = partitioned.appraise_part(parts[i], pol)
            try:
                pd.testing.assert_frame_equal(got.reset_index(drop=True), want, check_exact=True)
                same_parts[i] = True
            except AssertionError:
                same_parts[i] = False
    finally:
        if client is not None:
            client.close()
            cluster.close()
    a = summary.set_index(["period", "grade"]).sort_index()
    b = ref.set_index(["period", "grade"]).sort_index()
    equal = a.index.equals(b.index) and all(np.array_equal(a[c].to_numpy(), b[c].to_numpy())
                                            for c in ("teacher_months", "score_sum", "allowance", "forfeited_months"))
    grade_counts = summary.groupby("grade")["teacher_months"].sum().to_dict()
    first = partitioned.appraise_part(parts[0], pol)
    return _result(
        "dask", f"Appraisal of {rows:,} teacher-months over Parquet partitions (Dask)",
        metrics={"teacher_months": rows, "events": n_events, "parts": len(parts), "scheduler": scheduler,
                 "workers": n_workers, "dask": t_dask, "pandas_loop": t_pandas,
                 "throughput_teacher_months_per_s": rows / t_dask["best_s"],
                 "peak_rss_mb": rss_after_dask,
                 "peak_rss_covers": "process peak after the Dask run (before the pandas check loop)"
                 + (" — the distributed workers are separate processes" if client is not None else ""),
                 "grade_counts": grade_counts,
                 "allowance_total": float(summary["allowance"].sum()), "parts_compared": picks},
        checks={"dask_summary_equals_pandas_loop": bool(equal),
                "grade_counts_sum_to_rows": int(summary["teacher_months"].sum()) == rows,
                "dask_parts_equal_pandas": all(same_parts.values()) and len(same_parts) == len(picks),
                "planted_boundary_months_in_part_0": (first["score"].iloc[[0, 10, 20, 30, 40]].tolist()
                                                      == [90.0, 89.0, 60.0, 59.0, 75.0])},
        notes=[f"dataset generated part by part into {path} (reused when present)",
               ("pandas loop = the same monthly_appraisal over the parts one after another, grade counts by "
                "groupby().size(): the independent check and the sequential baseline")],
    )
