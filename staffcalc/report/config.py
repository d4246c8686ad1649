"""The report configuration (``reports.yaml``): which notebooks to run, with which parameters and limits.

Format::

    defaults:                     # optional; every key may be set again per notebook
      timeout: 600                # wall-clock seconds per notebook, kernel start-up included
      cell_timeout: 300           # seconds per cell (papermill execution_timeout); default: timeout
      start_timeout: 60           # seconds to wait for a kernel to start
      retries: 3                  # tries when a kernel fails to start (port races under --jobs)
      kernel: python3
      parameters:                 # passed to every notebook
        as_of: "2026-09-01"
    notebooks:
      - name: post_quotas                     # folder name in the run; --only selects by it
        path: notebooks/post_quotas.ipynb     # relative to this file
        timeout: 300
        parameters: {top_n: 10}               # merged over defaults.parameters

``data_dir``, ``out_dir``, ``show_names``, ``overrides_file`` and ``unit`` are set by the runner from
the command line; setting them here is an error.  Unknown keys are errors (a misspelt ``timout``
would otherwise be ignored).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .params import ParameterError, plain

RUNNER_PARAMETERS = ("data_dir", "out_dir", "show_names", "overrides_file", "unit")
_LIMIT_KEYS = {"timeout", "cell_timeout", "start_timeout", "retries", "kernel"}
_DEFAULTS = {"timeout": 600.0, "cell_timeout": None, "start_timeout": 60.0, "retries": 3, "kernel": "python3"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class ConfigError(ValueError):
    """``reports.yaml`` is missing, malformed or names something that does not exist."""


@dataclass(frozen=True)
class NotebookSpec:
    """One notebook to run: where it is, what to pass it, how long it may take."""

    name: str
    path: Path  # absolute
    parameters: dict[str, Any] = field(default_factory=dict)
    timeout: float = 600.0
    cell_timeout: float | None = None
    start_timeout: float = 60.0
    retries: int = 3
    kernel: str = "python3"


@dataclass(frozen=True)
class Config:
    path: Path
    notebooks: tuple[NotebookSpec, ...]

    def select(self, only: list[str] | None) -> list[NotebookSpec]:
        """The notebooks named in ``only`` (all if empty), in config order; unknown names are errors."""
        if not only:
            return list(self.notebooks)
        known = {nb.name for nb in self.notebooks}
        unknown = [n for n in only if n not in known]
        if unknown:
            raise ConfigError(
                f"--only {', '.join(unknown)}: not in {self.path.name}; known: {', '.join(sorted(known))} "
                f"/ 配置中没有该报告"
            )
        return [nb for nb in self.notebooks if nb.name in only]


def _limits(raw: dict, where: str, base: dict) -> dict:
    out = dict(base)
    for key in _LIMIT_KEYS & set(raw):
        value = raw[key]
        if key == "kernel":
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{where}: kernel must be a kernel name such as python3")
        elif key == "retries":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{where}: retries must be an integer ≥ 1 / 重试次数须为正整数")
        elif key == "cell_timeout" and value is None:
            pass
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ConfigError(f"{where}: {key} must be a positive number of seconds / 须为正数（秒）")
        out[key] = value
    return out


def _parameters(raw: Any, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: parameters must be a mapping name: value / 参数须为映射")
    try:
        params = plain(raw, f"{where}.parameters")
    except ParameterError as exc:
        raise ConfigError(str(exc)) from None
    reserved = sorted(set(params) & set(RUNNER_PARAMETERS))
    if reserved:
        raise ConfigError(
            f"{where}: {', '.join(reserved)} are set by the runner (use --data / --out / --show-names / "
            f"--override / --per unit), not in the config / 这些参数由命令行设定"
        )
    return params


def load_config(path: str | Path) -> Config:
    """Read and check ``reports.yaml``.  Notebook paths are resolved relative to the file."""
    path = Path(path).resolve()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found / 找不到配置文件") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read config / 配置文件无法读取: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with 'notebooks' (and optional 'defaults')")
    unknown = set(data) - {"defaults", "notebooks"}
    if unknown:
        raise ConfigError(f"{path}: unknown keys {sorted(unknown)} / 未知的配置项")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError(f"{path}: defaults must be a mapping")
    unknown = set(defaults) - _LIMIT_KEYS - {"parameters"}
    if unknown:
        raise ConfigError(f"{path}: defaults: unknown keys {sorted(unknown)} / 未知的配置项")
    base = _limits(defaults, f"{path.name}: defaults", _DEFAULTS)
    base_params = _parameters(defaults.get("parameters"), f"{path.name}: defaults")

    entries = data.get("notebooks")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: 'notebooks' must be a non-empty list / 须列出至少一个笔记本")
    specs: list[NotebookSpec] = []
    for i, entry in enumerate(entries):
        where = f"{path.name}: notebooks[{i}]"
        if not isinstance(entry, dict) or "path" not in entry:
            raise ConfigError(f"{where}: each notebook needs at least 'path' / 须注明 path")
        unknown = set(entry) - _LIMIT_KEYS - {"name", "path", "parameters"}
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)} / 未知的配置项")
        nb_path = (path.parent / str(entry["path"])).resolve()
        name = str(entry.get("name") or nb_path.stem)
        where = f"{path.name}: notebook {name}"
        if not _NAME.match(name):
            raise ConfigError(f"{where}: name may use letters, digits, '_', '-', '.' only (it names a folder)")
        if not nb_path.is_file():
            raise ConfigError(f"{where}: {nb_path} not found / 找不到笔记本文件")
        limits = _limits(entry, where, base)  # cell_timeout None: the wall-clock timeout (after --timeout)
        params = {**base_params, **_parameters(entry.get("parameters"), where)}
        specs.append(NotebookSpec(name=name, path=nb_path, parameters=params, **limits))
    names = [s.name for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"{path}: notebook names must be unique; repeated: {dupes} / 报告名称重复")
    return Config(path=path, notebooks=tuple(specs))
