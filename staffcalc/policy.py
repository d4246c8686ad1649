"""Policy parameters: load the values in force on a date, override them for a what-if, diff two versions.

Every number the calculations use lives in a YAML file under ``staffcalc/policies/``, one file per
source document (P1–P6 and any later one; planning assumptions sit in the document whose
calculation uses them, flagged ``assumption: true``).  A file looks like::

    document:
      id: P6
      title: 武汉大学教师专业技术岗位聘任试行办法
      title_en: Wuhan University teacher professional-technical post appointment
      number: 武大人字〔2012〕99号
      effective: 2013-01-01
      source: "seeds/001_e33dba0c07008e35.txt, 第五篇"
      provides: [quotas, eligibility, review]     # namespaces this document defines
      default: true                               # chosen when several documents provide a namespace
    parameters:
      quotas:
        senior_ratio:                              # dotted path "quotas.senior_ratio"
          description: Senior-post share of the teacher establishment, by discipline category
          unit: ratio
          values:
            2013-01-01: {A: 0.65, B: 0.50, C: 0.45}
            2020-01-01:                            # a value changed by a later document carries
              value: {A: 0.70, B: 0.50, C: 0.45}   # its own reference (as in OpenFisca)
              reference: {document: P6-2020, clause: "§3", text: …}
          reference:
            clause: "§10"
            text: 一级学科博士点…高级岗位比例为65%…
          interpretation: false                    # true where the spec chose a reading
          alternative: ...                         # required when interpretation is true
          reason: ...                              # one line, required when interpretation is true
          reading_zh: ...                          # the reading chosen, in Chinese; required with
          alternative_zh: ...                      #   its alternative for interpretations and assumptions
          alternative_value: largest_remainder     # the override that expresses the alternative, or
          not_switchable: ...                      #   why the alternative is not an override
          documentation: ...                       # only for a parameter no calculation reads: why
          allowed: [cap_upper, largest_remainder]  # optional: allowed values for overrides
          min: -0.1                                # optional numeric bounds for overrides
          max: 0.1

A parameter is any mapping with a ``values`` key; everything above it is namespace.  ``values`` maps
effective dates to the value in force from that date.  Values may be numbers, strings, booleans,
lists or mappings (per-category values are mappings, not code).  A Parameter taken from a
:class:`Policy` carries the reference of the value in force.

Public API: :func:`load`, :class:`Policy` (``get``, ``param``, ``override``, ``references``,
``interpretations``), :func:`diff`, :class:`PolicyError`.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import pandas as pd
import yaml

from .dates import as_date
from .errors import StaffcalcError

POLICY_DIR = Path(__file__).parent / "policies"

_META_KEYS = {
    "description", "unit", "values", "reference", "interpretation", "alternative", "reason",
    "allowed", "min", "max", "assumption", "reading_zh", "alternative_zh", "alternative_value",
    "not_switchable", "documentation",
}
_DATED_KEYS = {"value", "reference"}  # a dated entry {value: …, reference: {…}} carries its own reference
_REQUIRED_DOC_KEYS = {"id", "title", "effective", "provides"}


class PolicyError(StaffcalcError):
    """A policy file or an override is invalid.  The message names the file, path and rule."""


# --------------------------------------------------------------------------------------------
# YAML reading with duplicate-key detection
# --------------------------------------------------------------------------------------------
class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (YAML silently keeps the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise PolicyError(
                f"{getattr(loader, 'name', '?')}: line {key_node.start_mark.line + 1}: duplicate key "
                f"{key!r} (first at line {seen[key] + 1}) / 重复的键"
            )
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read policy file / 无法读取政策文件: {exc}") from exc
    loader = _StrictLoader(text)
    loader.name = str(path)
    try:
        data = loader.get_single_data()
    except PolicyError:
        raise
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: an impossible date such as 2024-13-01
        raise PolicyError(f"{path}: not valid YAML / YAML 格式错误: {exc}") from exc
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: a policy file must be a mapping with 'document' and 'parameters'")
    return data


def _as_date(value: Any, where: str) -> dt.date:
    try:
        return as_date(value)
    except ValueError as exc:
        raise PolicyError(f"{where}: {exc}") from None


# --------------------------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reference:
    """Where a value comes from: document id, clause and the clause's Chinese wording."""

    document: str
    clause: str
    text: str


class _Unset(enum.Enum):
    """Marks "no alternative value given"; an enum, so it pickles to itself and Dask can hash it."""

    UNSET = 0


_UNSET = _Unset.UNSET


@dataclass(frozen=True)
class Parameter:
    """One parameter with its metadata; ``values`` holds every dated version.

    ``document``/``clause``/``text`` are the reference of the value in force (for a Parameter
    taken from a :class:`Policy`) or the parameter's own reference (read from a file);
    ``references`` maps each effective date whose value carries its own reference to it.
    """

    path: str
    document: str
    values: tuple[tuple[dt.date, Any], ...]  # sorted by date
    description: str
    unit: str
    clause: str
    text: str  # the Chinese wording of the clause
    interpretation: bool = False
    alternative: str | None = None
    reason: str | None = None
    assumption: bool = False
    allowed: tuple | None = None
    min: float | None = None
    max: float | None = None
    reading_zh: str | None = None  # the reading chosen, in Chinese (interpretations and assumptions)
    alternative_zh: str | None = None  # the alternative reading, in Chinese
    alternative_value: Any = _UNSET  # the override that expresses the alternative
    not_switchable: str | None = None  # why the alternative cannot be expressed as an override
    documentation: str | None = None  # why no calculation reads this parameter
    references: Mapping[dt.date, Reference] = field(default_factory=dict)

    def value_on(self, as_of: dt.date) -> tuple[dt.date, Any] | None:
        found = None
        for start, value in self.values:
            if start <= as_of:
                found = (start, value)
        return found

    def reference_on(self, start: dt.date) -> Reference:
        """The reference of the value in force from ``start`` (its own, else the parameter's)."""
        return self.references.get(start) or Reference(self.document, self.clause, self.text)

    @property
    def has_alternative_value(self) -> bool:
        return self.alternative_value is not _UNSET

@dataclass(frozen=True)
class Document:
    id: str
    title: str
    effective: dt.date
    provides: tuple[str, ...]
    path: Path
    parameters: Mapping[str, Parameter]
    title_en: str = ""
    number: str = ""
    source: str = ""
    default: bool = True


def _walk(tree: Any, prefix: str, file: Path, doc_id: str, out: dict[str, Parameter]) -> None:
    if not isinstance(tree, dict):
        raise PolicyError(f"{file}: '{prefix}' must be a mapping of parameters / 必须是参数映射")
    for key, node in tree.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(node, dict) and "values" in node:
            out[path] = _parameter(path, node, file, doc_id)
        else:
            _walk(node, path, file, doc_id, out)


def _reference(ref: Any, where: str, default_document: str) -> Reference:
    if not isinstance(ref, dict) or not ref.get("clause") or not ref.get("text"):
        raise PolicyError(
            f"{where}: every parameter needs reference.clause and reference.text (the Chinese wording) "
            f"/ 每个参数须注明条款及原文"
        )
    return Reference(str(ref.get("document", default_document)), str(ref["clause"]), str(ref["text"]).strip())


def _dated_values(values: Any, where: str, doc_id: str):
    """Sorted ``(date, value)`` pairs and the references of the dated values that carry their own.

    A dated entry is either the value itself or, as in OpenFisca, ``{value: …, reference: {document,
    clause, text}}`` when a later document changed it.
    """
    if not isinstance(values, dict) or not values:
        raise PolicyError(f"{where}: 'values' must map effective dates to values / 'values' 须按生效日期列出")
    dated, refs = [], {}
    for d, v in values.items():
        start = _as_date(d, where)
        if isinstance(v, dict) and "value" in v and set(v) <= _DATED_KEYS:
            if "reference" in v:
                refs[start] = _reference(v["reference"], f"{where} ({start})", doc_id)
            v = v["value"]
        dated.append((start, v))
    return tuple(sorted(dated, key=lambda x: x[0])), refs


def _parameter(path: str, node: dict, file: Path, doc_id: str) -> Parameter:
    where = f"{file}: {path}"
    unknown = set(node) - _META_KEYS
    if unknown:
        raise PolicyError(f"{where}: unknown metadata keys {sorted(unknown)} / 未知的元数据键")
    dated, dated_refs = _dated_values(node["values"], where, doc_id)
    ref = _reference(node.get("reference"), where, doc_id)
    interpretation = bool(node.get("interpretation", False))
    assumption = bool(node.get("assumption", False))
    if interpretation and not (node.get("alternative") and node.get("reason")):
        raise PolicyError(f"{where}: interpretation: true needs 'alternative' and 'reason' / 解释性参数须注明备选解读与理由")
    if (interpretation or assumption) and not (node.get("reading_zh") and node.get("alternative_zh")):
        raise PolicyError(
            f"{where}: an interpretation or assumption needs 'reading_zh' and 'alternative_zh' (the reading "
            f"chosen and its alternative, in Chinese) / 解释性参数及规划假设须用中文说明所采用的解读及备选解读"
        )
    if "alternative_value" in node and node.get("not_switchable"):
        raise PolicyError(f"{where}: give either 'alternative_value' or 'not_switchable', not both / 二者只能选一")
    allowed = node.get("allowed")
    return Parameter(
        path=path,
        document=ref.document,
        values=dated,
        description=str(node.get("description", "")),
        unit=str(node.get("unit", "")),
        clause=ref.clause,
        text=ref.text,
        interpretation=interpretation,
        alternative=node.get("alternative"),
        reason=node.get("reason"),
        assumption=assumption,
        allowed=tuple(allowed) if allowed is not None else None,
        min=node.get("min"),
        max=node.get("max"),
        reading_zh=node.get("reading_zh"),
        alternative_zh=node.get("alternative_zh"),
        alternative_value=node.get("alternative_value", _UNSET),
        not_switchable=node.get("not_switchable"),
        documentation=node.get("documentation"),
        references=dated_refs,
    )


_CACHE: dict[tuple[str, int, int], Document] = {}


def read_document(path: str | Path) -> Document:
    """Read and validate one policy file (duplicate keys, dates, references, metadata).

    Parsed documents are cached by path, size and modification time (Documents are immutable),
    so repeated ``load()`` calls in a notebook or a what-if loop do not re-parse YAML.
    """
    path = Path(path)
    try:
        st = path.stat()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read policy file / 无法读取政策文件: {exc}") from exc
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _CACHE:
        _CACHE[key] = _parse_document(path)
    return _CACHE[key]


def _parse_document(path: Path) -> Document:
    data = _read_yaml(path)
    head = data.get("document")
    if not isinstance(head, dict) or not _REQUIRED_DOC_KEYS <= set(head):
        raise PolicyError(f"{path}: 'document' needs {sorted(_REQUIRED_DOC_KEYS)} / 文件头缺少必填项")
    doc_id = str(head["id"])
    params: dict[str, Parameter] = {}
    _walk(data.get("parameters") or {}, "", path, doc_id, params)
    provides = tuple(head["provides"])
    for p in params:
        if p.split(".")[0] not in provides:
            raise PolicyError(f"{path}: parameter {p} is outside the namespaces {list(provides)} this document provides")
    return Document(
        id=doc_id,
        title=str(head["title"]),
        effective=_as_date(head["effective"], f"{path}: document.effective"),
        provides=provides,
        path=path,
        parameters=params,
        title_en=str(head.get("title_en", "")),
        number=str(head.get("number", "")),
        source=str(head.get("source", "")),
        default=bool(head.get("default", True)),
    )


def documents(extra_files: Iterable[str | Path] = ()) -> dict[str, Document]:
    """All bundled policy documents (plus ``extra_files``), keyed by document id."""
    docs: dict[str, Document] = {}
    for path in [*sorted(POLICY_DIR.glob("*.yaml")), *map(Path, extra_files)]:
        doc = read_document(path)
        if doc.id in docs and docs[doc.id].path != doc.path:
            raise PolicyError(f"{path}: document id {doc.id} already defined in {docs[doc.id].path}")
        docs[doc.id] = doc
    return docs


REFERENCE_COLUMNS = (
    "path", "value", "unit", "description", "document", "clause", "text", "interpretation",
    "alternative", "reading_zh", "alternative_zh", "assumption", "effective", "overridden",
)


# --------------------------------------------------------------------------------------------
# Policy: the parameters in force on one date, for one choice of variants
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Policy:
    """Parameters in force on ``as_of``.  Immutable: :meth:`override` returns a new Policy."""

    as_of: dt.date
    params: Mapping[str, Parameter]
    values: Mapping[str, Any]
    since: Mapping[str, dt.date]
    sources: Mapping[str, Document]  # namespace -> document
    overrides: Mapping[str, Any] = field(default_factory=dict)

    # -- reading --------------------------------------------------------------------------
    def get(self, path: str) -> Any:
        """Value of a parameter, or of one key inside a mapping-valued parameter (``a.b.A``)."""
        param_path, keys = self._split(path)
        if _RECORDERS:
            _note_read(param_path)
        return self._lookup(param_path, keys)

    def _lookup(self, param_path: str, keys: list[str]) -> Any:
        value = self.values[param_path]
        for key in keys:
            value = value[key]
        return copy.deepcopy(value)

    __getitem__ = get

    def param(self, path: str) -> Parameter:
        return self.params[self._split(path)[0]]

    def _split(self, path: str) -> tuple[str, list[str]]:
        parts = path.split(".")
        for i in range(len(parts), 0, -1):
            head = ".".join(parts[:i])
            if head in self.params:
                keys = parts[i:]
                value = self.values[head]
                for key in keys:
                    if not isinstance(value, dict) or key not in value:
                        raise PolicyError(f"unknown parameter path {path!r} / 未知参数路径 ({key!r} not in {head})")
                    value = value[key]
                return head, keys
        raise PolicyError(f"unknown parameter path {path!r} / 未知参数路径")

    @property
    def versions(self) -> dict[str, str]:
        """Document id -> 'title (effective date)' for every document in use."""
        return {d.id: f"{d.title} ({d.effective.isoformat()})" for d in self.sources.values()}

    # -- what-if --------------------------------------------------------------------------
    def override(self, changes: Mapping[str, Any]) -> "Policy":
        """A copy with ``{"dotted.path": value}`` applied.  Unknown paths, wrong types, values outside
        ``allowed``/``min``/``max`` raise :class:`PolicyError`; the original is untouched."""
        values = copy.deepcopy(dict(self.values))
        for path, new in changes.items():
            head, keys = self._split(path)
            param = self.params[head]
            old = self._lookup(head, keys)  # not a read: overriding a parameter does not make it live
            new = _coerce(path, old, new)
            _check_bounds(path, param, new, is_leaf=not keys)
            if keys:
                target = values[head]
                for key in keys[:-1]:
                    target = target[key]
                target[keys[-1]] = new
            else:
                values[head] = new
        return replace(self, values=values, overrides={**self.overrides, **dict(changes)})

    # -- provenance -----------------------------------------------------------------------
    def references(self, prefix: str = "") -> pd.DataFrame:
        """One row per parameter in force (optionally under ``prefix``): value, unit, document,
        clause, Chinese wording, interpretation flag, alternative (English; ``reading_zh`` and
        ``alternative_zh`` in Chinese), assumption flag, effective date, overridden."""
        rows = []
        for path, p in sorted(self.params.items()):
            if prefix and not (path == prefix or path.startswith(prefix + ".")):
                continue
            overridden = any(o == path or o.startswith(path + ".") for o in self.overrides)
            rows.append({
                "path": path,
                "value": self.values[path],
                "unit": p.unit,
                "description": p.description,
                "document": p.document,
                "clause": p.clause,
                "text": p.text,
                "interpretation": p.interpretation,
                "alternative": p.alternative,
                "reading_zh": p.reading_zh,
                "alternative_zh": p.alternative_zh,
                "assumption": p.assumption,
                "effective": self.since[path],
                "overridden": overridden,
            })
        return pd.DataFrame(rows, columns=list(REFERENCE_COLUMNS))

    def interpretations(self, prefix: str = "") -> pd.DataFrame:
        """Parameters that are spec-chosen readings or planning assumptions (for report footers)."""
        refs = self.references(prefix)
        return refs[refs["interpretation"] | refs["assumption"] | refs["overridden"]].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Which calculations read which parameter (the liveness test and the generated docs use this)
# --------------------------------------------------------------------------------------------
_RECORDERS: list[dict[str, set[str]]] = []


@contextmanager
def record_reads() -> Iterator[dict[str, set[str]]]:
    """Record every :meth:`Policy.get` inside the block: ``{parameter path: {"module.function", …}}``.

    The reader is the calculation called from outside the package (or from a module that only
    drives calculations: :mod:`staffcalc.parameter_use`, the docs generator, the command line): the
    outermost such ``staffcalc`` function on the stack (``staffcalc.quotas.senior_cap``, not the
    private helper it calls); a read from outside the package (a test, a notebook cell) is recorded
    under ``""``.  Recording
    costs nothing when no block is open.
    """
    reads: dict[str, set[str]] = {}
    _RECORDERS.append(reads)
    try:
        yield reads
    finally:
        _RECORDERS.remove(reads)


_NOT_READERS = {__name__, "staffcalc.checks"}  # helpers: the calculation that called them is the reader
_DRIVERS = {"staffcalc.parameter_use", "staffcalc.rules_docs", "staffcalc.cli"}  # call calculations, are none


def _note_read(path: str) -> None:
    frame = sys._getframe(2)
    reader = ""
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not module.startswith("staffcalc") or module in _DRIVERS:
            break
        if module not in _NOT_READERS:
            reader = f"{module}.{frame.f_code.co_qualname}"
        frame = frame.f_back
    for reads in _RECORDERS:
        reads.setdefault(path, set()).add(reader)


def _coerce(path: str, old: Any, new: Any) -> Any:
    """Accept ``new`` only if it has the same shape/type as ``old`` (ints and floats interchange)."""
    def bad(expected: str):
        return PolicyError(f"override {path}: expected {expected}, got {new!r} / 覆盖值类型错误")

    if isinstance(old, bool):
        if not isinstance(new, bool):
            raise bad("a boolean")
        return new
    if isinstance(old, (int, float)):
        if isinstance(new, bool) or not isinstance(new, (int, float)):
            raise bad("a number")
        if isinstance(old, int) and isinstance(new, float) and not new.is_integer():
            raise bad("an integer")
        return type(old)(new) if isinstance(old, int) else float(new)
    if isinstance(old, str):
        if not isinstance(new, str):
            raise bad("a string")
        return new
    if isinstance(old, dict):
        if not isinstance(new, dict):
            raise bad("a mapping")
        missing, extra = set(old) - set(new), set(new) - set(old)
        if missing or extra:
            raise PolicyError(f"override {path}: keys must stay {sorted(old)}; missing {sorted(missing)}, unknown {sorted(extra)}")
        return {k: _coerce(f"{path}.{k}", old[k], new[k]) for k in old}
    if isinstance(old, list):
        if not isinstance(new, (list, tuple)):
            raise bad("a list")
        if old and new:
            return [_coerce(f"{path}[{i}]", old[min(i, len(old) - 1)], v) for i, v in enumerate(new)]
        return list(new)
    return new


def _check_bounds(path: str, param: Parameter, new: Any, is_leaf: bool) -> None:
    def leaves(v):
        if isinstance(v, dict):
            for x in v.values():
                yield from leaves(x)
        elif isinstance(v, list):
            for x in v:
                yield from leaves(x)
        else:
            yield v

    for v in leaves(new):
        if param.allowed is not None and v not in param.allowed:
            raise PolicyError(f"override {path}: {v!r} is not one of {list(param.allowed)} / 取值不在允许范围")
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if param.min is not None and v < param.min:
                raise PolicyError(f"override {path}: {v!r} is below the minimum {param.min} / 低于下限")
            if param.max is not None and v > param.max:
                raise PolicyError(f"override {path}: {v!r} is above the maximum {param.max} / 高于上限")


# --------------------------------------------------------------------------------------------
# Loading and diffing
# --------------------------------------------------------------------------------------------
def load(
    as_of: str | dt.date | None = None,
    variant: str | Mapping[str, str] | None = None,
    extra_files: Iterable[str | Path] = (),
    overrides: Mapping[str, Any] | None = None,
) -> Policy:
    """Parameters in force on ``as_of`` (default: today).

    ``variant`` chooses between documents that provide the same namespace: a document id
    (``"P3"`` takes every namespace P3 provides) or a mapping ``{"duty": "P3"}``.  Without it, the
    document marked ``default: true`` is used.  ``extra_files`` adds an institution's own policy
    files (e.g. another appraisal rubric); ``overrides`` applies a what-if at once.
    """
    as_of = _as_date(as_of, "as_of") if as_of is not None else dt.date.today()
    docs = documents(extra_files)
    chosen = _choose(docs, variant)
    params: dict[str, Parameter] = {}
    values: dict[str, Any] = {}
    since: dict[str, dt.date] = {}
    for namespace, doc in chosen.items():
        for path, p in doc.parameters.items():
            if path.split(".")[0] != namespace:
                continue
            found = p.value_on(as_of)
            if found is None:
                raise PolicyError(
                    f"{doc.path}: {path} has no value in force on {as_of} (first from {p.values[0][0]}) "
                    f"/ 该日期无有效参数值"
                )
            ref = p.reference_on(found[0])
            in_force = replace(p, document=ref.document, clause=ref.clause, text=ref.text)
            params[path], since[path], values[path] = in_force, found[0], copy.deepcopy(found[1])
    policy = Policy(as_of=as_of, params=params, values=values, since=since, sources=chosen)
    return policy.override(overrides) if overrides else policy


def _choose(docs: Mapping[str, Document], variant) -> dict[str, Document]:
    variant = _variant_mapping(docs, variant)
    chosen: dict[str, Document] = {}
    by_ns: dict[str, list[Document]] = {}
    for doc in docs.values():
        for ns in doc.provides:
            by_ns.setdefault(ns, []).append(doc)
    for ns, candidates in sorted(by_ns.items()):
        if ns in variant:
            match = [d for d in candidates if d.id == variant[ns]]
            if not match:
                raise PolicyError(f"variant {variant[ns]!r} does not provide namespace {ns!r}")
            chosen[ns] = match[0]
        else:
            defaults = [d for d in candidates if d.default] or candidates
            if len(defaults) > 1:
                raise PolicyError(f"namespace {ns!r} is provided by {[d.id for d in defaults]}; choose one with variant=")
            chosen[ns] = defaults[0]
    unknown = set(variant) - set(by_ns)
    if unknown:
        raise PolicyError(f"unknown namespaces in variant: {sorted(unknown)}")
    return chosen


OVERRIDE_FILE_KEYS = ("variant", "parameters")


def load_overrides(path: str | Path | None) -> dict[str, Any]:
    """Read a what-if override file: a YAML/JSON mapping ``{"dotted.path": value}``.

    An empty path or ``None`` means no override.  Besides dotted paths the file may hold
    ``variant:`` (a document id or a namespace mapping, for :func:`load`) and ``parameters:``
    (report-notebook parameters that are not policy, e.g. ``openings`` or ``adjustment``, which
    ``staffcalc report --override`` passes to the notebooks that declare them).  They are returned
    under those keys; :func:`split_overrides` separates them.
    """
    if not path:
        return {}
    data = _read_yaml(Path(path))
    if not all(isinstance(k, str) for k in data):
        raise PolicyError(f"{path}: override keys must be dotted parameter paths / 覆盖键须为参数路径")
    if not isinstance(data.get("parameters", {}), dict):
        raise PolicyError(f"{path}: 'parameters' must map notebook parameter names to values / 'parameters' 须为映射")
    return data


def split_overrides(data: Mapping[str, Any]) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    """``(overrides, variant, parameters)`` from what :func:`load_overrides` returned."""
    values = {k: v for k, v in data.items() if k not in OVERRIDE_FILE_KEYS}
    return values, data.get("variant"), dict(data.get("parameters") or {})


def load_scenario(
    as_of: str | dt.date | None = None,
    overrides_file: str | Path | None = "",
    variant: str | Mapping[str, str] | None = None,
) -> Policy:
    """The policy a notebook or report runs on: ``load(as_of, variant)`` plus a what-if file.

    The file's optional ``variant:`` entry refines ``variant`` (a document id or a namespace
    mapping, as for :func:`load`); its ``parameters:`` are for the report runner, not policy; its
    other entries are overrides.
    """
    what_if, file_variant, _ = split_overrides(load_overrides(overrides_file))
    if file_variant:
        docs = documents()
        chosen = _variant_mapping(docs, variant)
        chosen.update(_variant_mapping(docs, file_variant))
        variant = chosen
    return load(as_of, variant=variant, overrides=what_if)


def _variant_mapping(docs: Mapping[str, Document], variant) -> dict[str, str]:
    if isinstance(variant, str):
        if variant not in docs:
            raise PolicyError(f"unknown policy variant {variant!r}; known documents: {sorted(docs)}")
        return {ns: variant for ns in docs[variant].provides}
    return dict(variant or {})


DIFF_KINDS = {  # what can differ between two versions of a parameter, and how a reader sees the mark
    "value": "取值",
    "clause": "条款",
    "wording": "原文",
    "interpretation": "解读",
    "only_a": "仅见于前者",
    "only_b": "仅见于后者",
}
DIFF_COLUMNS = (
    "path", "description", "differences", "differences_zh", "value_a", "value_b",
    "document_a", "clause_a", "text_a", "interpretation_a", "document_b", "clause_b", "text_b", "interpretation_b",
)


def _reading(p: Parameter) -> str:
    """The reading a parameter carries, in Chinese ('' for a plain rule): what the diff compares."""
    if not (p.interpretation or p.assumption):
        return ""
    kind = "解释" if p.interpretation else "规划假设"
    return f"{kind}：{p.reading_zh}（备选：{p.alternative_zh}）"


def diff(a: Policy, b: Policy, prefix: str = "") -> pd.DataFrame:
    """Parameters that differ between two policies, side by side, each difference marked.

    Works for two dates (versions), two variants (``load(variant="P2")`` vs ``"P3"``) or a
    baseline and a what-if.  A parameter is listed when its value, its clause, the Chinese wording
    of the clause, or the interpretation it carries (whether it is a reading or an assumption, and
    which reading) differs, or when only one side has it.  ``differences`` names the kinds
    (:data:`DIFF_KINDS`: value, clause, wording, interpretation, only_a, only_b; ``"; "``-joined),
    ``differences_zh`` the same in Chinese; then value, document, clause, wording and reading
    (``interpretation_a``/``_b``, '' for a plain rule) of each side.
    """
    rows = []
    for path in sorted(set(a.params) | set(b.params)):
        if prefix and not (path == prefix or path.startswith(prefix + ".")):
            continue
        pa, pb = a.params.get(path), b.params.get(path)
        va = a.values.get(path) if pa else None
        vb = b.values.get(path) if pb else None
        if pa is None or pb is None:
            kinds = ["only_b" if pa is None else "only_a"]
        else:
            kinds = [kind for kind, differs in (
                ("value", va != vb),
                ("clause", pa.clause != pb.clause),
                ("wording", pa.text != pb.text),
                ("interpretation", _reading(pa) != _reading(pb)),
            ) if differs]
        if not kinds:
            continue
        rows.append({
            "path": path,
            "description": (pa or pb).description,
            "differences": "; ".join(kinds),
            "differences_zh": "、".join(DIFF_KINDS[k] for k in kinds),
            "value_a": va,
            "value_b": vb,
            "document_a": pa.document if pa else None,
            "clause_a": pa.clause if pa else None,
            "text_a": pa.text if pa else None,
            "interpretation_a": _reading(pa) if pa else None,
            "document_b": pb.document if pb else None,
            "clause_b": pb.clause if pb else None,
            "text_b": pb.text if pb else None,
            "interpretation_b": _reading(pb) if pb else None,
        })
    return pd.DataFrame(rows, columns=list(DIFF_COLUMNS))
