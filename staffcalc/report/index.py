"""``<out>/index.html``: every run in a report folder, newest first, rewritten atomically after each run.

One row per run: start time, status, scenario (baseline or the override file's name), units, and per
report its headline figures (``<name>.headline.json``, :mod:`staffcalc.headline`) with links to its
HTML, PDF and Excel.  Links are relative and the page loads nothing from the network, so the folder
can be copied or opened offline.  The last successful run (``latest``) is marked.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

from ..atomic import write_text
from ..formats import fmt
from ..headline import INDEX_KEYS
from . import publish

INDEX = "index.html"
STATUS_ZH = {"complete": "成功", "failed": "有报告失败"}
REPORT_ZH = {"post_quotas": "高级岗位核定与岗位结构", "appraisal_distribution": "班主任考核、竞聘与任职",
             "leave_cost_impact": "攻读学位及进修离岗成本"}
HEADLINE_FIGURES = 4  # per report without INDEX_KEYS; the report itself shows all of them
_KIND = {"count": "int", "money": "money", "share": "share", "fte": "float"}

_STYLE = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; font-size: 13px; }
th { background: #e9eef5; text-align: left; padding: 4px 8px; border-bottom: 1px solid #8a9ab0; }
td { padding: 4px 8px; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
td.failed { color: #b00020; font-weight: 600; }
.latest { background: #eef7ee; }
.fig { color: #444; font-size: 12px; }
@page { size: A4 landscape; margin: 10mm; }
"""


def _runs(out: Path) -> list[tuple[str, dict]]:
    runs = []
    for folder in out.iterdir():
        if folder.is_dir() and not folder.is_symlink() and publish.RUN_ID.match(folder.name):
            try:
                manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            runs.append((folder.name, manifest))
    return sorted(runs, key=lambda r: r[0], reverse=True)


def _when(iso: str) -> str:
    try:
        return dt.datetime.fromisoformat(iso).astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (TypeError, ValueError):
        return ""


def _report_cell(run_id: str, nb: dict) -> str:
    rel = Path(run_id) / (nb.get("unit") or "") / nb["name"]
    title = REPORT_ZH.get(nb["name"], nb["name"])
    if nb.get("unit"):
        title += f"（{nb['unit']}）"
    links = []
    for suffix, label in ((".html", "网页"), (".pdf", "PDF"), (".xlsx", "Excel")):
        target = rel / f"{nb['name']}{suffix}"
        if any(o.get("path", "").endswith(f"{nb['name']}{suffix}") for o in nb.get("outputs", [])):
            links.append(f'<a href="{html.escape(target.as_posix())}">{label}</a>')
    parts = [f"<b>{html.escape(title)}</b>" + ("" if nb.get("status") == "ok" else "（失败）"), " · ".join(links)]
    return "<br>".join(p for p in parts if p)


def _figures(out: Path, run_id: str, nb: dict) -> str:
    path = out / run_id / (nb.get("unit") or "") / nb["name"] / f"{nb['name']}.headline.json"
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    keys = INDEX_KEYS.get(nb["name"])
    rows = [r for r in rows if r.get("key") in keys] if keys else rows[:HEADLINE_FIGURES]
    return "<div class='fig'>" + "；".join(
        f"{html.escape(r['label'])} {html.escape(fmt(_KIND.get(r['kind'], 'float'))(r['value']))}" for r in rows
    ) + "</div>"


def render(out: str | Path) -> str:
    """The index page of report folder ``out`` (HTML text)."""
    out = Path(out)
    latest = publish.latest_run(out)
    latest_id = latest.name if latest is not None else None
    rows = []
    for run_id, m in _runs(out):
        overrides = (m.get("overrides") or {}).get("file")
        scenario = f"假设情景（{Path(overrides).name}）" if overrides else "基准"
        status = STATUS_ZH.get(m.get("status"), m.get("status", ""))
        reports = "".join(f"<p>{_report_cell(run_id, nb)}{_figures(out, run_id, nb)}</p>"
                          for nb in m.get("notebooks", []))
        pdf_skipped = {(nb.get("pdf") or {}).get("reason") for nb in m.get("notebooks", [])
                       if (nb.get("pdf") or {}).get("status") == "skipped"}
        note = f"<div class='fig'>未生成 PDF：{html.escape(sorted(pdf_skipped)[0].split(' / ')[0])}</div>" \
            if pdf_skipped else ""
        mark = "（最新成功运行）" if run_id == latest_id else ""
        rows.append(
            f"<tr class='{'latest' if run_id == latest_id else ''}'><td>{_when(m.get('started', ''))}<br>"
            f"<span class='fig'>{html.escape(run_id)}{mark}</span></td>"
            f"<td class='{'failed' if m.get('status') != 'complete' else ''}'>{html.escape(status)}</td>"
            f"<td>{html.escape(scenario)}</td><td>{reports}{note}</td></tr>")
    body = "\n".join(rows) or "<tr><td colspan='4'>尚无运行记录</td></tr>"
    return (f"<!DOCTYPE html>\n<html lang='zh-CN'><head><meta charset='utf-8'><title>报告运行索引</title>"
            f"<style>{_STYLE}</style></head><body><h1>报告运行索引</h1>"
            f"<p class='fig'>每次运行一行，最新在前；“最新成功运行”即 latest 所指。</p>"
            f"<table><thead><tr><th>运行时间</th><th>状态</th><th>情景</th><th>报告与要点</th></tr></thead>"
            f"<tbody>\n{body}\n</tbody></table></body></html>\n")


def write_index(out: str | Path) -> Path:
    """Rewrite ``<out>/index.html`` atomically."""
    return write_text(Path(out) / INDEX, render(out))
