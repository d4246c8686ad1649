"""Notebook parameters: read what a notebook declares, check what a run passes, before any kernel starts.

Papermill never validates parameters: an unknown name only logs a warning and the notebook runs with
its default, so a typo in ``reports.yaml`` silently produces a report for the wrong inputs.  Here the
first cell tagged ``parameters`` is parsed with :mod:`ast`; each literal assignment declares a name,
its default and its type.  :func:`check` then refuses

- a name the notebook does not declare (unknown parameter / 未知参数);
- a value of the wrong type (``"3"`` for an int, ``0.5`` where a dict is expected, …).

Type rules (the declared type is the annotation ``x: int = 3`` if given, else the default's type):

=========  ==========================================================
declared   accepted values
=========  ==========================================================
``None``   anything (a ``None`` default declares no type)
bool       ``True`` / ``False`` only
int        int (not bool, not float: ``3.0`` is refused)
float      int or float (not bool)
str        str (YAML dates are turned into ISO strings first)
list       list or tuple
dict       dict with string keys
=========  ==========================================================

Values must be plain data (str, int, float, bool, None, lists, dicts) because papermill writes
them into the notebook as Python literals; ``datetime.date`` values, which YAML makes from an
unquoted ``2026-09-01``, are converted to ``"2026-09-01"`` by :func:`plain` (papermill would
otherwise inject the arithmetic ``2026-09-01``).
"""

from __future__ import annotations

import ast
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

_NO_DEFAULT = object()
_TYPES = {"bool": bool, "int": int, "float": float, "str": str, "list": list, "dict": dict}


class ParameterError(ValueError):
    """A report parameter is unknown or has the wrong type (or a notebook has no parameters cell)."""


@dataclass(frozen=True)
class Declared:
    """One name assigned in a notebook's ``parameters`` cell."""

    name: str
    default: Any
    type: type | None  # None: any value accepted

    @property
    def type_name(self) -> str:
        return self.type.__name__ if self.type is not None else "any"


def declared_parameters(notebook: str | Path) -> dict[str, Declared]:
    """The names, defaults and types declared in the first cell tagged ``parameters``.

    Raises :class:`ParameterError` if there is no such cell, the cell is not valid Python, or a
    value is not a literal (the notebook convention: plain literals only).
    """
    notebook = Path(notebook)
    try:  # plain JSON: nbformat's import costs a second and its validation adds nothing here
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ParameterError(f"{notebook}: cannot read notebook / 无法读取笔记本: {exc}") from exc
    cell = next(
        (c for c in cells if c.get("cell_type") == "code" and "parameters" in c.get("metadata", {}).get("tags", [])),
        None,
    )
    if cell is None:
        raise ParameterError(
            f"{notebook.name}: no cell tagged 'parameters', so its parameters cannot be checked "
            f"/ 笔记本缺少 parameters 参数单元"
        )
    try:
        source = cell.get("source", "")
        tree = ast.parse("".join(source) if isinstance(source, list) else source)
    except SyntaxError as exc:
        raise ParameterError(f"{notebook.name}: parameters cell is not valid Python / 参数单元语法错误: {exc}") from exc
    out: dict[str, Declared] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value, annotation = node.targets, node.value, None
        elif isinstance(node, ast.AnnAssign):
            targets, value, annotation = [node.target], node.value, node.annotation
        else:
            continue  # imports, comments-as-strings: not parameters
        for target in targets:
            if not isinstance(target, ast.Name):
                raise ParameterError(
                    f"{notebook.name}: parameters cell line {node.lineno}: only simple names can be "
                    f"parameters / 参数单元只能给简单变量赋值"
                )
            default = _NO_DEFAULT
            if value is not None:
                try:
                    default = ast.literal_eval(value)
                except ValueError:
                    raise ParameterError(
                        f"{notebook.name}: parameter {target.id!r} (line {node.lineno}) is not a plain literal "
                        f"/ 参数默认值须为字面量"
                    ) from None
            out[target.id] = Declared(target.id, None if default is _NO_DEFAULT else default,
                                      _declared_type(annotation, default))
    return out


def _declared_type(annotation: ast.expr | None, default: Any) -> type | None:
    if isinstance(annotation, ast.Name) and annotation.id in _TYPES:
        return _TYPES[annotation.id]
    if annotation is not None:  # Optional[...], "int | None", …: accept anything rather than guess
        return None
    if default is _NO_DEFAULT or default is None:
        return None
    if isinstance(default, tuple):
        return list
    return type(default) if type(default) in _TYPES.values() else None


def plain(value: Any, where: str = "value") -> Any:
    """``value`` as plain data papermill can write as a literal: dates become ISO strings.

    Raises :class:`ParameterError` for anything else that is not str/int/float/bool/None/list/dict.
    """
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ParameterError(f"{where}: mapping keys must be strings, got {k!r} / 映射的键须为字符串")
            out[k] = plain(v, f"{where}.{k}")
        return out
    raise ParameterError(f"{where}: {value!r} is not plain data (str, number, bool, list, mapping) / 参数值类型不支持")


def type_ok(declared: Declared, value: Any) -> bool:
    """Whether ``value`` is acceptable for ``declared`` (see the table in the module docstring)."""
    t = declared.type
    if t is None:
        return True
    if t is bool:
        return isinstance(value, bool)
    if t is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if t is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t is list:
        return isinstance(value, (list, tuple))
    return isinstance(value, t)


def check(notebook_name: str, declared: Mapping[str, Declared], given: Mapping[str, Any]) -> list[str]:
    """Problems with passing ``given`` to a notebook that declares ``declared`` (empty list: fine).

    Each message names the notebook and the parameter, in English and Chinese.
    """
    problems = []
    for name, value in given.items():
        if name not in declared:
            known = ", ".join(sorted(declared)) or "(none)"
            problems.append(
                f"{notebook_name}: unknown parameter {name!r}; the notebook declares: {known} "
                f"/ 笔记本未声明参数 {name}"
            )
        elif not type_ok(declared[name], value):
            d = declared[name]
            problems.append(
                f"{notebook_name}: parameter {name!r} must be {d.type_name} (default {d.default!r}), "
                f"got {type(value).__name__} {value!r} / 参数 {name} 类型错误"
            )
        elif name in VALUE_RULES and value is not None and not _in_bounds(value, *VALUE_RULES[name]):
            lo, hi = VALUE_RULES[name]
            span = f"at least {lo}" if hi is None else f"between {lo} and {hi}"
            problems.append(f"{notebook_name}: parameter {name!r} must be {span}, got {value!r} / 参数 {name} 超出范围")
    return problems


# Bounds of numeric report parameters, by name, whichever notebook declares them (a what-if file's
# ``parameters:`` are checked against these before any kernel starts).
VALUE_RULES: dict[str, tuple[float, float | None]] = {
    "openings": (0, None),            # recruitment places (P4 六.7)
    "early_return_share": (0, 1),     # share of people assumed to return early
    "hourly_rate": (0, None),         # cover pay per lesson hour, yuan
    "full_senior_share": (0, 1),      # planning share of full-senior posts
}


def _in_bounds(value, lo, hi) -> bool:
    if isinstance(value, dict):  # e.g. openings per recruitment round
        return all(_in_bounds(v, lo, hi) for v in value.values())
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return True  # a wrong type is reported by type_ok; NaN: not a bound question
    return value >= lo and (hi is None or value <= hi)
