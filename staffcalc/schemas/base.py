"""The data dictionary as code: what each input table holds.

A :class:`Table` lists its :class:`Column`s with English and Chinese names, type, unit, allowed
values or range, and whether the column is required, plus the key columns and cross-field rules.
``staffcalc.io`` turns a Table into a pandera schema to validate what users give us, and
``data/README.md`` is generated from these definitions (``python -m staffcalc.schemas``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

# Column types.  Dates are read as datetime64; "bool" accepts 是/否, true/false, 1/0, yes/no.
DTYPES = ("str", "int", "float", "bool", "date")


@dataclass(frozen=True)
class Column:
    name: str                   # English snake_case name used in code
    zh: str                     # Chinese header (中文表头) users see in CSV/Excel and reports
    dtype: str                  # one of DTYPES
    description: str            # one line, English
    unit: str = ""              # e.g. "yuan/month", "days", "points", "persons"
    allowed: tuple | None = None
    min: float | None = None
    max: float | None = None
    required: bool = True       # column must be present
    nullable: bool = False      # cells may be empty
    unique: bool = False

    def __post_init__(self):
        if self.dtype not in DTYPES:
            raise ValueError(f"column {self.name}: dtype {self.dtype!r} not in {DTYPES}")


@dataclass(frozen=True)
class Check:
    """A cross-field rule: ``fn(df) -> boolean Series`` that is True where a row is valid.

    ``fn`` runs during validation on nullable dtypes (``Int64``, ``boolean``, ``str`` with NaN,
    ``datetime64`` with NaT) and must treat missing cells as valid (another rule reports them).
    """

    name: str                   # short id, e.g. "post_since_after_birth"
    description: str            # English
    zh: str                     # Chinese
    columns: tuple[str, ...]    # the columns the rule looks at (named in errors)
    fn: Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class Table:
    kind: str                   # the name passed to read_table(path, kind)
    zh: str                     # Chinese name of the table
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()   # columns that together identify a row (must be unique)
    checks: tuple[Check, ...] = field(default_factory=tuple)
    file: str = ""              # file name in the sample data folder, e.g. "staff.csv"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def zh_to_en(self) -> dict[str, str]:
        return {c.zh: c.name for c in self.columns}

    @property
    def en_to_zh(self) -> dict[str, str]:
        return {c.name: c.zh for c in self.columns}
