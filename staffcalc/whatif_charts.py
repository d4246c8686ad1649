"""The what-if page's charts as inline SVG: bars of the scenario beside the baseline (issue 14).

The page used to draw them with matplotlib: importing it and drawing three PNGs cost the kernel
about a second of CPU, on the path of the first page after ``staffcalc whatif``.  These charts are
a few hundred SVG elements built from the result's columns; the browser draws them (and their
Chinese text, in the page's font).  :func:`appraisal`, :func:`recruitment` and :func:`quotas` take
the scenario's and the baseline's :class:`staffcalc.scenario.Result` and return the ``<svg>``.

Stable CSS classes for tests and scripts: every bar is a ``<rect class="sc-bar …">`` with its
series (``sc-bar-base``, ``sc-bar-scenario``, ``sc-bar-appointed``, ``sc-bar-changed`` …) and a
``data-value``; markers are ``sc-mark-…``; the recruitment cut is ``sc-cut``.
"""

from __future__ import annotations

import html
import math
from typing import Sequence

import numpy as np

GRAY, BLUE, LIGHT, ORANGE, RED = "#9E9E9E", "#4C72B0", "#BBBBBB", "#E07B39", "#b3261e"
WIDTH = 800


def _esc(x) -> str:
    return html.escape(str(x))


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def nice_ticks(top: float, n: int = 5) -> list[float]:
    """Tick values 0, step, 2·step … covering ``top``, step 1, 2 or 5 × 10^k (about ``n`` ticks)."""
    if not np.isfinite(top) or top <= 0:
        return [0.0, 1.0]
    raw = top / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    return [i * step for i in range(int(math.ceil(top / step - 1e-9)) + 1)]


class Panel:
    """One plot area: bars on categories 0…n-1, a y axis from 0, title and labels."""

    def __init__(self, x: float, y: float, w: float, h: float, n: int, top: float):
        self.x, self.y, self.w, self.h, self.n = x, y, w, h, max(n, 1)
        self.ticks = nice_ticks(top)
        self.top = self.ticks[-1]
        self.parts: list[str] = []

    def cx(self, i) -> np.ndarray:
        """x of the centre of category ``i`` (array)."""
        return self.x + (np.asarray(i, dtype=float) + 0.5) * self.w / self.n

    def cy(self, v) -> np.ndarray:
        return self.y + self.h - np.asarray(v, dtype=float) / self.top * self.h

    def bars(self, values: Sequence[float], colors: Sequence[str], classes: Sequence[str], offset: float = 0.0,
             width: float = 0.8) -> None:
        """A bar per category: ``offset`` and ``width`` in category widths."""
        v = np.asarray(values, dtype=float)
        slot = self.w / self.n
        left = self.cx(np.arange(len(v))) + (offset - width / 2) * slot
        top = self.cy(np.where(np.isfinite(v), v, 0))
        for lx, ty, val, color, cls in zip(left, top, v, colors, classes):
            if np.isfinite(val):
                self.parts.append(f'<rect class="sc-bar {cls}" data-value="{_num(val)}" x="{lx:.1f}" y="{ty:.1f}" '
                                  f'width="{width * slot:.1f}" height="{self.y + self.h - ty:.1f}" fill="{color}"/>')

    def dashes(self, idx: Sequence[int], values: Sequence[float], color: str, cls: str, width: float = 0.8) -> None:
        """A short horizontal line across category ``idx[k]`` at ``values[k]`` (a baseline value)."""
        half = width * self.w / self.n / 2
        for x, y, val in zip(self.cx(idx), self.cy(values), values):
            if np.isfinite(val):
                self.parts.append(f'<line class="sc-mark {cls}" data-value="{_num(val)}" x1="{x - half:.1f}" '
                                  f'x2="{x + half:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{color}" stroke-width="2"/>')

    def dots(self, values: Sequence[float], color: str, cls: str) -> None:
        for x, y, val in zip(self.cx(np.arange(len(values))), self.cy(values), values):
            if np.isfinite(val):
                self.parts.append(f'<circle class="sc-mark {cls}" data-value="{_num(val)}" cx="{x:.1f}" '
                                  f'cy="{y:.1f}" r="2.5" fill="{color}"/>')

    def cut(self, after: int) -> None:
        """A red vertical line between category ``after - 1`` and ``after``."""
        x = self.x + after * self.w / self.n
        self.parts.append(f'<line class="sc-cut" x1="{x:.1f}" x2="{x:.1f}" y1="{self.y}" y2="{self.y + self.h}" '
                          f'stroke="{RED}" stroke-width="2"/>')

    def frame(self, title: str, labels: Sequence[str] | None = None, vertical: bool = False, ylabel: str = "",
              xlabel: str = "") -> str:
        """The axes, ticks, labels and title around what was drawn; the panel's SVG."""
        x, y, w, h = self.x, self.y, self.w, self.h
        out = [f'<text x="{x + w / 2:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="13">{_esc(title)}</text>']
        for t, ty in zip(self.ticks, self.cy(self.ticks)):
            out.append(f'<line x1="{x - 4}" x2="{x}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#333"/>'
                       f'<text x="{x - 6}" y="{ty + 4:.1f}" text-anchor="end" font-size="11">{_num(t)}</text>')
        if ylabel:
            out.append(f'<text transform="translate({x - 34:.1f},{y + h / 2:.1f}) rotate(-90)" '
                       f'text-anchor="middle" font-size="11">{_esc(ylabel)}</text>')
        if labels is not None:
            for lx, lab in zip(self.cx(np.arange(len(labels))), labels):
                if vertical:
                    out.append(f'<text transform="translate({lx + 2:.1f},{y + h + 4:.1f}) rotate(-90)" '
                               f'text-anchor="end" font-size="7">{_esc(lab)}</text>')
                else:
                    out.append(f'<text x="{lx:.1f}" y="{y + h + 15:.1f}" text-anchor="middle" '
                               f'font-size="11">{_esc(lab)}</text>')
        if xlabel:
            out.append(f'<text x="{x + w / 2:.1f}" y="{y + h + 18:.1f}" text-anchor="middle" '
                       f'font-size="11">{_esc(xlabel)}</text>')
        out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="none" stroke="#333"/>')
        return "".join(self.parts + out)


def legend(x: float, y: float, items: Sequence[tuple[str, str, str]]) -> str:
    """Legend rows at (x, y) (right-aligned there): (kind 'box'/'dash'/'dot'/'line', colour, text)."""
    wide = 30 + 10.5 * max(len(text) for _, _, text in items)  # CJK characters are about 10 px wide here
    out = [f'<rect x="{x - wide:.1f}" y="{y - 12}" width="{wide - 2:.1f}" height="{14 * len(items) + 4}" '
           'fill="white" fill-opacity="0.85" stroke="#ddd"/>']
    for i, (kind, color, text) in enumerate(items):
        ly = y + 14 * i
        sx = x - 8
        symbol = {
            "box": f'<rect x="{sx - 10}" y="{ly - 8}" width="10" height="8" fill="{color}"/>',
            "dash": f'<line x1="{sx - 12}" x2="{sx}" y1="{ly - 4}" y2="{ly - 4}" stroke="{color}" stroke-width="2"/>',
            "dot": f'<circle cx="{sx - 5}" cy="{ly - 4}" r="2.5" fill="{color}"/>',
            "line": f'<line x1="{sx - 6}" x2="{sx - 6}" y1="{ly - 10}" y2="{ly + 1}" stroke="{color}" stroke-width="2"/>',
        }[kind]
        out.append(f'{symbol}<text x="{sx - 16}" y="{ly}" text-anchor="end" font-size="10">{_esc(text)}</text>')
    return "".join(out)


def _svg(cls: str, height: int, body: str) -> str:
    return (f'<svg class="sc-chart-svg {cls}" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" role="img">'
            f'<rect width="{WIDTH}" height="{height}" fill="white"/>{body}</svg>')


def appraisal(result, base) -> str:
    """Grade counts, monthly (teacher-months) and semester (teacher-semesters): baseline beside scenario."""
    body = []
    for i, (title, b, s) in enumerate((("月考核（人月）", base.monthly_counts, result.monthly_counts),
                                        ("学期考核（人次）", base.semester_counts, result.semester_counts))):
        b = b.reindex(s.index).fillna(0)
        p = Panel(50 + 400 * i, 30, 330, 200, len(s), float(max(b.max(), s.max(), 1)))
        p.bars(b.to_numpy(), [GRAY] * len(s), ["sc-bar-base"] * len(s), offset=-0.2, width=0.4)
        p.bars(s.to_numpy(), [BLUE] * len(s), ["sc-bar-scenario"] * len(s), offset=0.2, width=0.4)
        body.append(p.frame(title, list(s.index)))
    body.append(legend(380, 44, [("box", GRAY, "基准"), ("box", BLUE, "情景")]))
    return _svg("sc-chart-svg-appraisal", 260, "".join(body))


def recruitment(result, base) -> str:
    """Candidates' totals in the scenario's ranking (appointed in blue), the baseline total of each
    as a dash, and the appointment cut."""
    s = result.recruitment[result.recruitment["total"].notna()].sort_values("rank_order")
    b = base.recruitment.set_index("candidate_id")["total"].reindex(s["candidate_id"]).to_numpy(dtype=float)
    total = s["total"].to_numpy(dtype=float)
    appointed = s["appointed"].astype(bool).to_numpy()
    top = float(np.nanmax(np.concatenate([total, b, [1.0]])))
    p = Panel(60, 30, 720, 180, len(s), top)
    p.bars(total, np.where(appointed, BLUE, LIGHT), np.where(appointed, "sc-bar-appointed", "sc-bar-scenario"))
    p.dashes(np.arange(len(s)), b, "black", "sc-mark-base")
    n = int(appointed.sum())
    items = [("box", BLUE, "情景总分（蓝色为拟聘任）"), ("dash", "black", "基准总分")]
    if 0 < n < len(s):
        p.cut(n)
        items.append(("line", RED, "聘任线"))
    body = p.frame("竞聘总分（按情景排序）", list(s["candidate_id"]), vertical=True, ylabel="总分")
    return _svg("sc-chart-svg-recruitment", 280, body + legend(772, 44, items))


def quotas(result, base) -> str:
    """Each discipline's senior-post cap in the scenario (orange where it differs from the
    baseline), its senior staff in post (dots) and, where changed, the baseline cap (dashes)."""
    s = result.quotas.reset_index(drop=True)
    cap = s["senior_cap"].to_numpy(dtype=float)
    b = base.quotas.set_index("discipline_id")["senior_cap"].reindex(s["discipline_id"]).to_numpy(dtype=float)
    occupied = s["occupied_senior"].to_numpy(dtype=float)
    changed = cap != b
    top = float(np.nanmax(np.concatenate([cap, b, occupied, [1.0]])))
    p = Panel(50, 30, 730, 190, len(s), top)
    p.bars(cap, np.where(changed, ORANGE, BLUE), np.where(changed, "sc-bar-changed", "sc-bar-scenario"))
    p.dots(occupied, "black", "sc-mark-occupied")
    p.dashes(np.flatnonzero(changed), b[changed], RED, "sc-mark-base")
    body = p.frame("各学科高级岗位上限与在岗人数", xlabel="学科（按表中顺序）")
    items = [("box", BLUE, "情景高级岗位上限（橙色为有变化）"), ("dot", "black", "高级在岗"), ("dash", RED, "基准上限")]
    return _svg("sc-chart-svg-quotas", 250, body + legend(772, 44, items))


CHARTS = {"appraisal": appraisal, "recruitment": recruitment, "quotas": quotas}
