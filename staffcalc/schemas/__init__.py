"""Registry of input tables and output labels.

``TABLES[kind]`` is the :class:`~staffcalc.schemas.base.Table` for an input table; ``LABELS`` maps
English output column names (``senior_cap``, ``vacancy``, ``grade``…) to the Chinese headers users
read in reports and Excel; :func:`to_chinese` renames a DataFrame's columns with both.
Each domain keeps its tables and labels in its own module (institution, class_teachers,
study_leave); this module only collects them.  ``python -m staffcalc.schemas`` prints the data dictionary (Markdown).
"""

from __future__ import annotations

import importlib

from .base import Check, Column, Table

_MODULES = ("institution", "class_teachers", "study_leave")


def _collect() -> tuple[dict[str, Table], dict[str, str]]:
    tables: dict[str, Table] = {}
    labels: dict[str, str] = {}
    for name in _MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        for table in module.TABLES:
            if table.kind in tables:
                raise ValueError(f"table kind {table.kind!r} defined twice")
            tables[table.kind] = table
            labels.update(table.en_to_zh)
        for en, zh in getattr(module, "LABELS", {}).items():
            if labels.get(en, zh) != zh:
                raise ValueError(f"label {en!r} has two Chinese names: {labels[en]!r} and {zh!r}")
            labels[en] = zh
    return tables, labels


TABLES, LABELS = _collect()


def get(kind: str) -> Table:
    try:
        return TABLES[kind]
    except KeyError:
        raise ValueError(f"unknown table kind {kind!r}; known: {sorted(TABLES)} / 未知的表类型") from None


def to_chinese(df):
    """A copy of ``df`` with English column names replaced by their Chinese headers where known."""
    return df.rename(columns=lambda c: LABELS.get(c, c))


__all__ = ["Check", "Column", "Table", "TABLES", "LABELS", "get", "to_chinese"]
