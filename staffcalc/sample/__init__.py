"""The synthetic, pseudonymous sample institution: orchestrates the domain generators and writes files.

:func:`generate` calls, in the order of :data:`DOMAINS`, each domain module's
``generate(rng, tables, n_staff, as_of) -> dict[str, DataFrame]`` (``institution`` makes the
disciplines and the staff roster; ``class_teachers`` and ``study_leave`` draw people from
``tables["staff"]``) and merges what they return.  Each domain gets its own generator
``numpy.random.default_rng([seed, i])``, ``i`` being the domain's fixed position in
:data:`DOMAINS`, so a change in one domain never shifts another domain's data.

:func:`write` writes the tables to their standard file names (``Table.file``) atomically.
Command line: ``python -m staffcalc.sample --seed 2026 --staff 3000 --out data``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import shutil
import uuid
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from .. import schemas
from ..dates import as_date

DOMAINS = ("staffcalc.sample.institution", "staffcalc.sample.class_teachers", "staffcalc.sample.study_leave")
DEFAULT_SEED = 2026
DEFAULT_STAFF = 3000
DEFAULT_AS_OF = dt.date(2026, 9, 1)
FORMATS = ("csv", "parquet")

__all__ = ["generate", "write", "file_name", "DOMAINS", "DEFAULT_SEED", "DEFAULT_STAFF", "DEFAULT_AS_OF"]


def _as_date(value) -> dt.date:
    try:
        return as_date(value)
    except ValueError as exc:
        raise ValueError(f"as_of: {exc}") from None


def generate(
    seed: int = DEFAULT_SEED,
    n_staff: int = DEFAULT_STAFF,
    as_of: dt.date | str = DEFAULT_AS_OF,
    *,
    progress: Callable[[str], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """All sample tables, keyed by table kind, in the order the domains made them.

    Deterministic: the same ``seed``, ``n_staff`` and ``as_of`` give identical tables.  Raises
    ``ValueError`` for a negative seed, a staff count below 1, a bad date, or a domain that returns
    a table kind that is not registered in ``staffcalc.schemas.TABLES`` or that another domain
    already made.  ``progress`` (e.g. ``print``) receives one line per domain.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r} / 随机种子须为非负整数")
    if isinstance(n_staff, bool) or not isinstance(n_staff, (int, np.integer)) or n_staff < 1:
        raise ValueError(f"n_staff must be a positive integer, got {n_staff!r} / 教职工人数须为正整数")
    as_of = _as_date(as_of)
    tables: dict[str, pd.DataFrame] = {}
    for i, name in enumerate(DOMAINS):
        module = importlib.import_module(name)
        if progress:
            progress(f"generating {name.rsplit('.', 1)[-1]} ({n_staff} staff, as of {as_of}) …")
        rng = np.random.default_rng([int(seed), i])
        earlier = {kind: df.copy(deep=False) for kind, df in tables.items()}  # copy-on-write: cheap
        made = module.generate(rng, earlier, int(n_staff), as_of)
        for kind, df in made.items():
            if kind not in schemas.TABLES:
                raise ValueError(f"{name} returned table kind {kind!r}, which is not in staffcalc.schemas.TABLES")
            if kind in tables:
                raise ValueError(f"{name} returned table kind {kind!r}, already made by an earlier domain")
            if not isinstance(df, pd.DataFrame):
                raise ValueError(f"{name} returned {type(df).__name__} for {kind!r}, expected a DataFrame")
            tables[kind] = df
            if progress:
                progress(f"  {kind}: {len(df):,} rows")
    return tables


def file_name(kind: str, fmt: str = "csv") -> str:
    """The standard file name of a table: ``Table.file`` (``staff.csv``), or ``staff.parquet``."""
    table = schemas.get(kind)
    stem = Path(table.file or f"{kind}.csv").stem
    return f"{stem}.{fmt}"


def _for_csv(kind: str, df: pd.DataFrame) -> pd.DataFrame:
    """Dates as YYYY-MM-DD and booleans as true/false, whatever dtype the generator used."""
    dtypes = {c.name: c.dtype for c in schemas.get(kind).columns}
    out = {}
    for name in df.columns:
        s = df[name]
        kind_of = dtypes.get(name)
        if kind_of == "date" or pd.api.types.is_datetime64_any_dtype(s.dtype):
            s = pd.to_datetime(s).dt.strftime("%Y-%m-%d")
        elif kind_of == "bool" or pd.api.types.is_bool_dtype(s.dtype):
            s = s.map({True: "true", False: "false"}, na_action="ignore").astype(object)
        out[name] = s
    return pd.DataFrame(out, index=df.index)


def _write_one(kind: str, df: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        _for_csv(kind, df).to_csv(path, index=False, encoding="utf-8", lineterminator="\n", date_format="%Y-%m-%d")
    else:
        df.to_parquet(path, index=False)


def write(tables: Mapping[str, pd.DataFrame], out_dir: str | Path, fmt: str = "csv",
          *, progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write each table to ``out_dir/<Table.file>`` (CSV, UTF-8 without BOM) or ``<stem>.parquet``.

    Files are first written into a temporary folder next to ``out_dir`` and only moved in when all
    of them are written: if ``out_dir`` does not exist the folder is renamed into place, otherwise
    each file replaces its old version by an atomic rename.  A failure midway leaves ``out_dir``
    as it was (absent, or with its old files) and no temporary folder behind.  Other files in
    ``out_dir`` (e.g. README.md) are left alone.  Returns the written paths.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r} / 不支持的文件格式")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"{out_dir} exists and is not a folder / 输出路径不是文件夹")
    names = {kind: file_name(kind, fmt) for kind in tables}  # unknown kinds fail before any writing
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{uuid.uuid4().hex[:12]}"
    tmp.mkdir()  # normal permissions (umask), unlike mkdtemp's 0700: it may become out_dir itself
    try:
        for kind, df in tables.items():
            if progress:
                progress(f"writing {names[kind]} ({len(df):,} rows)")
            _write_one(kind, df, tmp / names[kind], fmt)
        if not out_dir.exists():
            os.replace(tmp, out_dir)
        else:
            for name in names.values():
                os.replace(tmp / name, out_dir / name)
            tmp.rmdir()
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return [out_dir / name for name in names.values()]
