"""Timing helpers: ``time.perf_counter`` wall time (best and median of repeats after a warm-up),
with ``time.process_time`` CPU time alongside (on a shared machine the CPU time shows how much of
a slow wall time was waiting for a core)."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any


def measure(fn: Callable[[], Any], repeat: int = 3, warmup: int = 1) -> dict:
    """Run ``fn`` ``warmup`` times untimed, then ``repeat`` times; seconds as best/median/all."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {"best_s": min(wall), "median_s": statistics.median(wall), "runs_s": wall,
            "cpu_best_s": min(cpu), "cpu_median_s": statistics.median(cpu), "repeat": repeat, "warmup": warmup}


def once(fn: Callable[[], Any]) -> tuple[Any, dict]:
    """One timed run (for figures too long to repeat): (result, timing dict)."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return out, {"best_s": wall, "median_s": wall, "runs_s": [wall], "cpu_best_s": cpu, "cpu_median_s": cpu,
                 "repeat": 1, "warmup": 0}


def load() -> list[float]:
    """``os.getloadavg()`` rounded (1, 5, 15 minutes)."""
    return [round(x, 2) for x in os.getloadavg()]


def target(label: str, value: float, op: str, limit: float, unit: str = "", note: str = "") -> dict:
    """A target line: ``value op limit`` (op one of ``<``, ``<=``, ``>=``)."""
    ok = {"<": value < limit, "<=": value <= limit, ">=": value >= limit, ">": value > limit}[op]
    return {"label": label, "value": value, "op": op, "limit": limit, "unit": unit, "pass": bool(ok), "note": note}
