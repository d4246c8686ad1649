"""The same staffcalc calculations over inputs larger than memory: Parquet partitions and Dask.

A national system can hold tens of millions of teacher-months.  Nothing in the rules of P5 links
one teacher-month to another (a month's score depends on that month's failed items and events
only, P5 §3–§4), so the monthly appraisal can run partition by partition with
:func:`staffcalc.scoring.monthly_appraisal` itself — the same function, the same checks, the same
numbers — and aggregates (grade counts, allowance totals) are sums over partitions.

Layout of a partitioned dataset (what :func:`appraisal_parts` reads)::

    <path>/items/part-00000.parquet    appraisal_items rows  (staff_id, period, fail_*)
    <path>/events/part-00000.parquet   appraisal_events rows (staff_id, period, code, count)
    <path>/items/part-00001.parquet    …

Parts are matched by file name; every event must be in the part with the same name as its
teacher-month's items row (partition by teacher — e.g. a range of staff ids per part).  An event
in the wrong part is reported by ``monthly_appraisal`` as an event without an items row
(ScoringInputError naming the rows), never dropped.  An ``events`` file may be missing (no
events in that part).

* :func:`appraisal_frame` — the lazy Dask DataFrame of ``monthly_appraisal`` results, one partition
  per part (``.partitions[i].compute()``, ``.to_parquet(...)``);
* :func:`appraisal_over_partitions` — grade counts, scores and allowances summed by ``by`` (period
  by default) and grade, computed part by part (optionally writing each part's full results to
  ``out``); memory is bounded by one part per worker;
* :func:`appraise_part` — one part with pandas (what every Dask task runs).

Dask runs with the threaded scheduler by default (``scheduler="threads"``, ``num_workers`` threads;
pandas and pyarrow release the GIL in the heavy parts); pass ``scheduler=client`` (a
``distributed.Client``) to use a cluster — the policy is pickled to the workers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .checks import policy_or_default
from .policy import Policy
from .scoring.appraisal import monthly_appraisal

__all__ = [
    "SUMMARY_COLUMNS",
    "appraisal_frame",
    "appraisal_over_partitions",
    "appraisal_parts",
    "appraise_part",
    "summarise",
]

SUMMARY_COLUMNS = ("teacher_months", "score_sum", "allowance", "forfeited_months")


def appraisal_parts(path: str | Path) -> list[tuple[str, str | None]]:
    """``[(items file, events file or None), …]`` of a partitioned dataset, in file-name order.

    Raises ValueError if there is no ``items`` part, or an ``events`` part has no ``items`` part of
    the same name (its events could never be matched).
    """
    root = Path(path)
    items = sorted((root / "items").glob("*.parquet"))
    if not items:
        raise ValueError(f"{root / 'items'}: no *.parquet parts / 没有考核项目分区文件")
    names = {p.name for p in items}
    events = {p.name: p for p in (root / "events").glob("*.parquet")} if (root / "events").is_dir() else {}
    stray = sorted(set(events) - names)
    if stray:
        raise ValueError(f"{root / 'events'}: parts {stray[:5]} have no items part of the same name "
                         f"/ 加减分分区没有对应的考核项目分区")
    return [(str(p), str(events[p.name]) if p.name in events else None) for p in items]


def _read(path: str | None, columns: Sequence[str] | None = None) -> pd.DataFrame | None:
    return None if path is None else pd.read_parquet(path, columns=list(columns) if columns else None)


def appraise_part(part: tuple[str, str | None], policy: Policy | None = None) -> pd.DataFrame:
    """``monthly_appraisal`` of one part (items file, events file or None), read with pandas."""
    items_path, events_path = part
    return monthly_appraisal(_read(items_path), _read(events_path), policy_or_default(policy))


def summarise(monthly: pd.DataFrame, by: Sequence[str] = ("period",)) -> pd.DataFrame:
    """Per ``by`` + grade: teacher_months, score_sum, allowance (yuan), forfeited_months.

    Input: output of ``monthly_appraisal``.  Every column is a sum, so the summary of a whole
    dataset is the sum of the summaries of its parts.  Grades are plain strings.
    """
    by = list(by)
    frame = pd.DataFrame({
        **{c: monthly[c].astype(str).to_numpy() for c in by},
        "grade": monthly["grade"].astype(str).to_numpy(),
        "teacher_months": np.ones(len(monthly), dtype=np.int64),
        "score_sum": monthly["score"].to_numpy(dtype="float64"),
        "allowance": monthly["allowance"].to_numpy(dtype="float64"),
        "forfeited_months": monthly["allowance_forfeited"].to_numpy(dtype=bool).astype(np.int64),
    })
    return frame.groupby([*by, "grade"], sort=True, as_index=False)[list(SUMMARY_COLUMNS)].sum()


def _part_summary(part, policy: Policy, by: Sequence[str], out: str | None) -> pd.DataFrame:
    monthly = appraise_part(part, policy)
    if out is not None:  # one file per part: a retried task overwrites its own file only
        target = Path(out) / Path(part[0]).name
        tmp = target.with_name(f".{target.name}.tmp")
        monthly.to_parquet(tmp, index=False)
        tmp.replace(target)
    return summarise(monthly, by)


def _meta_summary(by: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({**{c: pd.Series([], dtype=object) for c in by}, "grade": pd.Series([], dtype=object),
                         "teacher_months": pd.Series([], dtype=np.int64),
                         "score_sum": pd.Series([], dtype="float64"), "allowance": pd.Series([], dtype="float64"),
                         "forfeited_months": pd.Series([], dtype=np.int64)})


def _empty_part(part: tuple[str, str | None]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Zero-row items and events frames with the parts' column types (read from the Parquet schema)."""
    import pyarrow.parquet as pq

    items = pq.read_schema(part[0]).empty_table().to_pandas()
    if part[1] is not None:
        events = pq.read_schema(part[1]).empty_table().to_pandas()
    else:
        events = None
    return items, events


def appraisal_frame(path: str | Path, policy: Policy | None = None):
    """Lazy Dask DataFrame: ``monthly_appraisal`` of every part, one Dask partition per part.

    Columns as ``monthly_appraisal`` returns them (``grade`` an ordered categorical).  Compute a
    part with ``frame.partitions[i].compute()``; write everything with ``frame.to_parquet(dir)``.
    """
    import dask
    import dask.dataframe as dd

    pol = policy_or_default(policy)
    parts = appraisal_parts(path)
    items0, events0 = _empty_part(parts[0])
    meta = monthly_appraisal(items0, events0, pol)
    # keep pandas' own column types (Dask would otherwise convert text columns to its string type)
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_map(appraise_part, parts, policy=pol, meta=meta, label="monthly-appraisal",
                           enforce_metadata=False)


def appraisal_over_partitions(path: str | Path, policy: Policy | None = None, by: Iterable[str] = ("period",),
                              out: str | Path | None = None, scheduler="threads",
                              num_workers: int | None = None) -> pd.DataFrame:
    """Grade counts and totals of the monthly appraisal of a partitioned dataset (P5 §3–§4).

    Runs :func:`staffcalc.scoring.monthly_appraisal` on every part (a Dask task per part) and sums
    the per-part :func:`summarise` tables by ``by`` + grade: ``teacher_months``, ``score_sum``,
    ``allowance``, ``forfeited_months``.  With ``out`` each part's full results are also written to
    ``out/<part name>`` (the folder is created).  ``scheduler``: ``"threads"`` (default),
    ``"synchronous"``, ``"processes"`` or a ``distributed.Client``.  Bad input in any part raises
    the calculation's ScoringInputError (naming the rows of that part).
    """
    import dask
    import dask.dataframe as dd

    by = list(by)
    pol = policy_or_default(policy)
    parts = appraisal_parts(path)
    if out is not None:
        Path(out).mkdir(parents=True, exist_ok=True)
    with dask.config.set({"dataframe.convert-string": False}):
        frame = dd.from_map(_part_summary, parts, policy=pol, by=by,
                            out=None if out is None else str(out), meta=_meta_summary(by),
                            label="appraisal-summary", enforce_metadata=False)
    kwargs = {"scheduler": scheduler}
    if isinstance(scheduler, str) and num_workers is not None:
        kwargs["num_workers"] = num_workers
    # one small summary per part, summed here: the sum over partitions, in pandas
    summaries = dask.compute(*frame.to_delayed(), **kwargs)
    total = pd.concat(summaries, ignore_index=True)
    if total.empty:
        return _meta_summary(by)
    for c in (*by, "grade"):
        total[c] = total[c].astype(str)
    res = total.groupby([*by, "grade"], sort=True, as_index=False)[list(SUMMARY_COLUMNS)].sum()
    res["teacher_months"] = res["teacher_months"].astype(np.int64)
    res["forfeited_months"] = res["forfeited_months"].astype(np.int64)
    return res
