"""What the what-if page remembers (issue 16): a setting, the named scenarios, exported files.

A :class:`Setting` is everything a planner can change: policy overrides ``{"dotted.path": value}``
plus the two report parameters that are not policy (``openings`` of the recruitment round and the
P6 §9 ``adjustment`` per category).  Only *applied* values live in a Setting — a refused entry never
reaches it.

:class:`ScenarioStore` keeps named settings in ``whatif-scenarios.json`` in the page's output
folder, so a reload (or another visit) finds them; writes are atomic.  :func:`read_exported`
reads a file written by the page's export (``staffcalc report --override`` format) back into a
Setting, checked against the policy the same way.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from . import policy as policy_mod
from . import scenario
from .atomic import write_text
from .policy import Policy, PolicyError

STORE_NAME = "whatif-scenarios.json"


@dataclass
class Setting:
    """Applied values: policy overrides, recruitment openings, §9 float per category (non-zero only)."""

    overrides: dict = field(default_factory=dict)
    openings: int | None = None  # None: the baseline's
    adjustment: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"overrides": dict(self.overrides), "openings": self.openings,
                "adjustment": {k: v for k, v in self.adjustment.items() if v}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Setting:
        return cls(overrides=dict(data.get("overrides") or {}), openings=data.get("openings"),
                   adjustment={str(k): float(v) for k, v in (data.get("adjustment") or {}).items() if v})

    def parameters(self, baseline_openings) -> dict:
        """The report parameters of this setting that differ from the baseline (for the export file)."""
        out = {}
        if self.openings is not None and self.openings != baseline_openings:
            out["openings"] = self.openings
        if any(self.adjustment.values()):
            out["adjustment"] = dict(self.adjustment)
        return out

    def recompute(self, baseline: scenario.Baseline) -> scenario.Result:
        return scenario.recompute(baseline, self.overrides, openings=self.openings, adjustment=self.adjustment)


class ScenarioStore:
    """Named settings in ``<out_dir>/whatif-scenarios.json`` (name → setting + when saved)."""

    def __init__(self, out_dir: str | Path):
        self.path = Path(out_dir) / STORE_NAME

    def _read(self) -> dict:
        if not self.path.is_file():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PolicyError(f"情景文件 {self.path.name} 无法读取：{exc}") from exc
        return data if isinstance(data, dict) else {}

    def names(self) -> list[str]:
        return list(self._read())

    def get(self, name: str) -> Setting:
        data = self._read()
        if name not in data:
            raise KeyError(name)
        return Setting.from_dict(data[name]["setting"])

    def save(self, name: str, setting: Setting) -> None:
        name = name.strip()
        if not name:
            raise ValueError("请先填写情景名称")
        data = self._read()
        data[name] = {"saved": dt.datetime.now().isoformat(timespec="seconds"), "setting": setting.to_dict()}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text(self.path, json.dumps(data, ensure_ascii=False, indent=1))

    def delete(self, name: str) -> None:
        data = self._read()
        if data.pop(name, None) is not None:
            write_text(self.path, json.dumps(data, ensure_ascii=False, indent=1))


def read_exported(path: str | Path, policy: Policy) -> Setting:
    """A what-if file (as the page exports it) as a Setting; PolicyError if the policy rejects it."""
    values, variant, parameters = policy_mod.split_overrides(policy_mod.load_overrides(path))
    if variant:
        raise PolicyError("此文件指定了其他政策文本（variant），本页面只能在当前政策上测算")
    scenario.scenario_policy(policy, values)  # refuse what the report would refuse
    unknown = set(parameters) - {"openings", "adjustment"}
    if unknown:
        raise PolicyError(f"文件中有本页面不认识的报告参数：{'、'.join(sorted(unknown))}")
    adjustment = parameters.get("adjustment") or {}
    if not isinstance(adjustment, dict):
        raise PolicyError("文件中的 adjustment 须为各类学科的浮动值")
    return Setting(overrides=values, openings=parameters.get("openings"),
                   adjustment={str(k): float(v) for k, v in adjustment.items() if v})


__all__ = ["STORE_NAME", "ScenarioStore", "Setting", "read_exported"]
