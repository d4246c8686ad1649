"""Benchmark inputs, generated vectorised and cached as Parquet under ``bench-data/`` (gitignored).

* :func:`teacher_months` — N teacher-months of appraisal items and coded events, drawn directly (no
  staff roster) with the tables of :mod:`staffcalc.sample.class_teachers`: the rubric sections of
  the policy, :data:`~staffcalc.sample.class_teachers.EVENT_FREQUENCIES` (probability per
  teacher-month, extra Poisson count, months), ten school months, a per-teacher propensity to fail
  items and a per-teacher incident factor; the planted boundary cases
  :data:`~staffcalc.sample.class_teachers.MONTHLY_CASES` (scores of exactly 90, 89, 80, 60, 59, the
  section floors, 109, −20, forfeited allowances) overwrite the first teachers' months.
* :func:`quota_inputs` — disciplines and the staff roster of :func:`staffcalc.sample.institution.generate`
  (1,000,000 staff → 9,364 disciplines in 2,631 units).
* :func:`leave_records` — a study-leave register of :func:`staffcalc.sample.study_leave.generate`
  drawn from a roster of ``n / 0.04`` people resampled from the quota roster, with ``unit_id``.
* :func:`write_teacher_month_chunks` — the chunked Parquet dataset for the Dask figure: chunk ``k``
  holds whole teachers (all their months and events), written one chunk at a time so generation
  never holds more than one chunk in memory.

Every cache file has a ``.key`` next to it: a hash of the parameters and of the generator sources
(this file, ``staffcalc/sample/*.py``, the P5 policy file), so a changed generator regenerates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

import staffcalc
from staffcalc import policy as _policy
from staffcalc.atomic import atomic_path
from staffcalc.sample import class_teachers as _ct
from staffcalc.scoring.appraisal import catalogue, sections

AS_OF = dt.date(2026, 9, 1)
SEED = 2026
ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA = Path(os.environ.get("STAFFCALC_BENCH_DATA", ROOT / "bench-data"))
_SOURCES = [Path(__file__), *sorted((Path(staffcalc.__file__).parent / "sample").glob("*.py")),
            *sorted((Path(staffcalc.__file__).parent / "policies").glob("*.yaml"))]


# --------------------------------------------------------------------------------------------
# teacher-months
# --------------------------------------------------------------------------------------------
def _id_strings(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    """``prefix`` + zero-padded numbers as a pandas ``str`` Series (Arrow kernels, no Python loop)."""
    num = np.asarray(numbers, dtype=np.int64) + 10**width
    return prefix + pd.Series(num).astype("str").str.slice(1)


def teacher_months(n: int, seed: int = SEED, *, first_teacher: int = 0, plant_cases: bool = True,
                   policy=None, chunk: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(items, events)`` for ``n`` teacher-months (``ceil(n / 10)`` teachers × 10 school months).

    ``items``: staff_id, period, fail_<section> (int64) — one row per teacher-month, teachers in
    order; ``events``: staff_id, period, code, count — sorted by teacher, month, code.  Teacher ids
    are ``T`` + 7 digits (8 for ten million teachers or more) starting at ``first_teacher`` + 1, so
    chunks made with different ``first_teacher`` never share an id.  Deterministic in
    ``(seed, chunk)``.
    """
    pol = policy if policy is not None else _policy.load(AS_OF)
    rng = np.random.default_rng([int(seed), 7, int(chunk)])
    per = np.array(_ct.periods(AS_OF), dtype=object)
    months = np.array(_ct.MONTHS)
    m = len(per)
    n_teachers = -(-n // m)
    teacher = np.repeat(np.arange(n_teachers, dtype=np.int64), m)[:n]
    month_pos = np.tile(np.arange(m), n_teachers)[:n]
    secs = sections(pol)
    propensity = rng.beta(1.2, 18.0, size=n_teachers)[teacher]
    fails = {s.column: rng.binomial(s.section_items, propensity).astype(np.int64)
             for s in secs.itertuples(index=False)}

    cat_codes = list(catalogue(pol)["code"])
    code_pos = {c: i for i, c in enumerate(cat_codes)}
    care = rng.lognormal(0.0, 0.5, size=n_teachers)[teacher]
    ev_row, ev_code, ev_count = [], [], []
    month_of_row = months[month_pos]
    for code, prob, extra, in_months in _ct.EVENT_FREQUENCIES:   # ~46 codes, not rows
        if code not in code_pos:
            continue
        p = prob * care if code.startswith("D-") else np.full(n, prob)
        hit = rng.random(n) < np.minimum(p, 1.0)
        if in_months is not None:
            hit &= np.isin(month_of_row, in_months)
        r = np.flatnonzero(hit)
        ev_row.append(r)
        ev_code.append(np.full(r.size, code_pos[code], dtype=np.int64))
        ev_count.append(1 + rng.poisson(extra, size=r.size).astype(np.int64))
    ev_row = np.concatenate(ev_row) if ev_row else np.zeros(0, np.int64)
    ev_code = np.concatenate(ev_code) if ev_code else np.zeros(0, np.int64)
    ev_count = np.concatenate(ev_count) if ev_count else np.zeros(0, np.int64)

    if plant_cases:   # the sample's hand-worked boundary months (a handful of rows)
        keep = np.ones(ev_row.size, dtype=bool)
        add_row, add_code, add_count = [], [], []
        for t, pm, case_fails, evs in _ct.MONTHLY_CASES:
            row = t * m + pm
            if row >= n:
                continue
            for s in secs.itertuples(index=False):
                fails[s.column][row] = int(case_fails.get(s.section.lower(), 0))
            keep &= ev_row != row
            for code, count in evs.items():
                add_row.append(row)
                add_code.append(code_pos[code])
                add_count.append(count)
        ev_row = np.concatenate([ev_row[keep], np.array(add_row, dtype=np.int64)])
        ev_code = np.concatenate([ev_code[keep], np.array(add_code, dtype=np.int64)])
        ev_count = np.concatenate([ev_count[keep], np.array(add_count, dtype=np.int64)])
    order = np.argsort(ev_row * len(cat_codes) + ev_code, kind="stable")
    ev_row, ev_code, ev_count = ev_row[order], ev_code[order], ev_count[order]

    width = 7 if first_teacher + n_teachers < 10**7 else 8
    tid = _id_strings("T", np.arange(first_teacher + 1, first_teacher + n_teachers + 1), width).array
    per_arr = pd.array(per, dtype="str")
    items = pd.DataFrame({"staff_id": tid.take(teacher), "period": per_arr.take(month_pos), **fails})
    events = pd.DataFrame({
        "staff_id": tid.take(teacher[ev_row]),
        "period": per_arr.take(month_pos[ev_row]),
        "code": pd.array(np.array(cat_codes, dtype=object), dtype="str").take(ev_code),
        "count": ev_count,
    })
    return items, events


# --------------------------------------------------------------------------------------------
# caching
# --------------------------------------------------------------------------------------------
def _key(**params) -> str:
    h = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode())
    for src in _SOURCES:
        h.update(src.read_bytes())
    return h.hexdigest()[:16]


def _cached(path: Path, key: str) -> bool:
    k = path.with_name(path.name + ".key")
    return path.exists() and k.exists() and k.read_text().strip() == key


def _mark(path: Path, key: str) -> None:
    path.with_name(path.name + ".key").write_text(key + "\n")


def _atomic_parquet(df: pd.DataFrame, path: Path, **kw) -> None:
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False, **kw)


def _cached_parquet(paths: dict[str, Path], key: str, make) -> None:
    """Write ``make()``'s frames (keyed like ``paths``) unless every file is already cached under ``key``."""
    if all(_cached(p, key) for p in paths.values()):
        return
    frames = make()
    for name, path in paths.items():
        _atomic_parquet(frames[name], path)
        _mark(path, key)


def teacher_month_files(n: int, seed: int = SEED, root: Path | None = None) -> tuple[Path, Path]:
    """Parquet files of :func:`teacher_months` (generated once, then reused)."""
    root = Path(root or BENCH_DATA)
    root.mkdir(parents=True, exist_ok=True)
    paths = {"items": root / f"appraisal_items_{n}.parquet", "events": root / f"appraisal_events_{n}.parquet"}
    _cached_parquet(paths, _key(kind="teacher_months", n=n, seed=seed),
                    lambda: dict(zip(("items", "events"), teacher_months(n, seed))))
    return paths["items"], paths["events"]


def quota_files(n_staff: int, seed: int = SEED, root: Path | None = None) -> tuple[Path, Path]:
    """Parquet files of the disciplines and the staff roster of the sample institution generator."""
    from staffcalc.sample import institution

    root = Path(root or BENCH_DATA)
    root.mkdir(parents=True, exist_ok=True)
    paths = {"disciplines": root / f"disciplines_{n_staff}.parquet", "staff": root / f"staff_{n_staff}.parquet"}
    _cached_parquet(paths, _key(kind="institution", n=n_staff, seed=seed),
                    lambda: institution.generate(np.random.default_rng([int(seed), 0]), {}, int(n_staff), AS_OF))
    return paths["disciplines"], paths["staff"]


LEAVE_COLUMNS_FROM_STAFF = ["staff_id", "unit_id", "on_establishment", "degree", "post_level", "hire_date", "birth_date"]


def leave_file(n_records: int, seed: int = SEED, root: Path | None = None,
               roster_staff: int = 1_000_000) -> Path:
    """Parquet study-leave register of about ``n_records`` episodes, with ``unit_id``.

    The study-leave generator gives episodes to 4 % of a roster (``SHARE_STUDYING``), so it is fed a
    roster of ``n_records / 0.04`` people resampled (with replacement, new ids ``L…``) from the
    institution roster of ``roster_staff``: the same distributions of levels, degrees and units.
    """
    from staffcalc.sample import study_leave

    root = Path(root or BENCH_DATA)
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"study_leave_{n_records}.parquet"
    key = _key(kind="study_leave", n=n_records, seed=seed, roster=roster_staff)
    if _cached(path, key):
        return path
    _, staff_p = quota_files(roster_staff, seed, root)
    base = pd.read_parquet(staff_p, columns=LEAVE_COLUMNS_FROM_STAFF)
    rng = np.random.default_rng([int(seed), 11])
    n_roster = round(n_records / study_leave.SHARE_STUDYING)
    roster = base.iloc[rng.integers(0, len(base), n_roster)].reset_index(drop=True)
    roster["staff_id"] = _id_strings("L", np.arange(1, n_roster + 1), 8).to_numpy()
    made = study_leave.generate(np.random.default_rng([int(seed), 2]), {"staff": roster}, n_roster, AS_OF)
    records = made["study_leave"].merge(roster[["staff_id", "unit_id"]], on="staff_id", how="left")
    _atomic_parquet(records, path)
    _mark(path, key)
    return path


# --------------------------------------------------------------------------------------------
# chunked dataset for the Dask figure
# --------------------------------------------------------------------------------------------
def write_teacher_month_chunks(n: int, chunk_rows: int = 500_000, seed: int = SEED, root: Path | None = None,
                               progress=None) -> Path:
    """``<root>/appraisal_<n>/items/part-00000.parquet …`` and ``events/part-00000.parquet …``.

    Chunk ``k`` holds teachers ``k·chunk_rows/10 + 1 …`` — every month and every event of a teacher
    is in the same chunk number in both folders, which is what
    :func:`staffcalc.partitioned.appraisal_over_partitions` needs.  Only chunk 0 has the planted
    boundary cases.  Written one chunk at a time (memory: one chunk); reused when complete and
    generated by the same code (``_SUCCESS`` holds the cache key).
    """
    months = len(_ct.MONTHS)
    if chunk_rows % months:
        raise ValueError(f"chunk_rows must be a multiple of {months} (whole teachers per chunk)")
    root = Path(root or BENCH_DATA)
    out = root / f"appraisal_{n}"
    done = out / "_SUCCESS"
    key = _key(kind="teacher_month_chunks", n=n, chunk=chunk_rows, seed=seed)
    if done.exists() and done.read_text().strip() == key:
        return out
    for sub in ("items", "events"):
        (out / sub).mkdir(parents=True, exist_ok=True)
        for old in (out / sub).glob("*.parquet"):
            old.unlink()
    done.unlink(missing_ok=True)
    pol = _policy.load(AS_OF)
    k, start = 0, 0
    while start < n:
        rows = min(chunk_rows, n - start)
        items, events = teacher_months(rows, seed, first_teacher=start // months, plant_cases=(k == 0),
                                       policy=pol, chunk=k)
        _atomic_parquet(items, out / "items" / f"part-{k:05d}.parquet")
        _atomic_parquet(events, out / "events" / f"part-{k:05d}.parquet")
        if progress:
            progress(f"  wrote chunk {k} ({start + rows:,}/{n:,} teacher-months)")
        start += rows
        k += 1
        del items, events
    done.write_text(key + "\n")
    return out


__all__ = [
    "AS_OF",
    "BENCH_DATA",
    "SEED",
    "leave_file",
    "quota_files",
    "teacher_month_files",
    "teacher_months",
    "write_teacher_month_chunks",
]
