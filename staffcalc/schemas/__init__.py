"""Registry of input tables: ``TABLES[kind]`` is the :class:`~staffcalc.schemas.base.Table`.

Each domain keeps its tables in its own module (institution, class_teachers, study_leave); this
module only collects them.  ``python -m staffcalc.schemas`` prints the data dictionary (Markdown).
"""

from __future__ import annotations

import importlib

from .base import Check, Column, Table

_MODULES = ("institution", "class_teachers", "study_leave")


def _collect() -> dict[str, Table]:
    tables: dict[str, Table] = {}
    for name in _MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:  # a domain not yet written
            if exc.name != f"{__name__}.{name}":
                raise
            continue
        for table in module.TABLES:
            if table.kind in tables:
                raise ValueError(f"table kind {table.kind!r} defined twice")
            tables[table.kind] = table
    return tables


TABLES: dict[str, Table] = _collect()


def get(kind: str) -> Table:
    try:
        return TABLES[kind]
    except KeyError:
        raise ValueError(f"unknown table kind {kind!r}; known: {sorted(TABLES)} / 未知的表类型") from None


__all__ = ["Check", "Column", "Table", "TABLES", "get"]
