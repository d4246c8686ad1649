"""The explanation sheet as HTML (self-contained, printable), PDF (Debian chromium, headless print)
and Excel (one row per step, Chinese headers)."""

from __future__ import annotations

import html as _html
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..atomic import atomic_path, write_text
from ..plots import _bundled_font
from .trace import Trace, _cn_number, alternative, fmt, interpretation_kind, reading

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run")


class RenderError(RuntimeError):
    """A sheet format cannot be produced here (e.g. no chromium for PDF); the message says why."""


_CSS = """
@page { size: A4 landscape; margin: 12mm 10mm; }
body { font-family: %(family)s; font-size: 10.5pt; color: #111; margin: 0 auto; max-width: 1100px; padding: 12px; }
h1 { font-size: 16pt; margin: 0 0 6px; }
h2 { font-size: 13pt; margin: 18px 0 4px; border-bottom: 2px solid #345; padding-bottom: 2px; }
.answer { font-size: 11.5pt; background: #eef3f8; border-left: 4px solid #345; padding: 6px 10px; margin: 6px 0 8px; }
.scenario { color: #a00; font-weight: bold; }
table { border-collapse: collapse; width: 100%%; }
table.steps { table-layout: fixed; }
td.param { word-break: break-all; font-size: 9pt; }
th, td { border: 1px solid #999; padding: 3px 5px; vertical-align: top; text-align: left; }
th { background: #dde4ec; }
table.head th { width: 9em; }
td.clause { font-size: 9pt; color: #333; }
td.result { white-space: nowrap; font-weight: bold; }
tr.fail td.result { color: #b00; }
tr.warning td.result { color: #a60; }
tr { page-break-inside: avoid; }
.notes { font-size: 9.5pt; }
"""
_FAMILY = '"Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'


def _e(text) -> str:
    return _html.escape(str(text))


def _scoped_css() -> str:
    """The sheet's CSS with every rule limited to ``.sc-explain`` (for a fragment inside another page)."""
    rules = []
    for line in (_CSS % {"family": _FAMILY}).strip().splitlines():
        selectors, body = line.split("{", 1)
        if selectors.strip().startswith("@"):
            continue
        scoped = ", ".join(".sc-explain" if sel.strip() == "body" else f".sc-explain {sel.strip()}"
                           for sel in selectors.split(","))
        rules.append(f"{scoped} {{{body}")
    return "\n".join(rules)


def html(trace: Trace, font_url: str | None = None, fragment: bool = False) -> str:
    """The sheet as one HTML page (no scripts, no external files except ``font_url`` if given), or
    with ``fragment`` a ``<div class="sc-explain">`` whose styles apply only inside it (to show the
    sheet inside another page, e.g. the what-if page)."""
    face = (f'@font-face {{ font-family: "Noto Sans SC"; src: url("{font_url}"); }}\n' if font_url else "")
    if fragment:
        out = [f'<div class="sc-explain" lang="zh-CN"><style>{_scoped_css()}</style>']
    else:
        out = ['<!DOCTYPE html>', '<html lang="zh-CN"><head><meta charset="utf-8">',
               f"<title>解释单 {_e(trace.subject)}</title>",
               f"<style>{face}{_CSS % {'family': _FAMILY}}</style></head><body>"]
    out += ["<h1>解释单（复核/申诉用）</h1>", '<table class="head">']
    out += [f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in trace.header()]
    out.append("</table>")
    if trace.policy.overrides:
        out.append('<p class="scenario">注意：以下为假设情景下的结果，不是正式结果。</p>')
    for i, part in enumerate(trace.parts, 1):
        out.append(f"<h2>{_cn_number(i)}、{_e(part.title)}（{_e(part.record)}）</h2>")
        out.append(f'<p class="answer">结论：{_e(part.answer)}</p>')
        out.append('<table class="steps"><colgroup><col style="width:3%%"><col style="width:13%%">'
                   '<col style="width:17%%"><col style="width:14%%"><col style="width:25%%"><col style="width:17%%">'
                   '<col style="width:11%%"></colgroup>'.replace("%%", "%")
                   + "<tr><th>#</th><th>步骤</th><th>本人数据</th><th>参数</th><th>依据条款与原文</th>"
                   "<th>计算</th><th>结果</th></tr>")
        for j, s in enumerate(part.steps, 1):
            clause = f"{_e(s.clause)}「{_e(s.wording)}」" if s.parameter else ""
            out.append(f'<tr class="{s.status}"><td>{j}</td><td>{_e(s.label)}</td><td>{_e(s.inputs_text)}</td>'
                       f"<td class=\"param\">{_e(s.parameter_text)}</td><td class=\"clause\">{clause}</td><td>{_e(s.arithmetic)}</td>"
                       f'<td class="result">{_e(s.result_text)}</td></tr>')
        out.append("</table>")
        out += [f'<p class="notes">注：{_e(n)}</p>' for n in part.notes]
    out.append("<h2>所依据的解释性规定与规划假设</h2>")
    interp = trace.interpretations()
    if interp.empty:
        out.append("<p>（无）</p>")
    else:
        out.append('<table class="notes"><tr><th>参数</th><th>取值</th><th>条款</th><th>说明</th><th>另一种解读</th>'
                   "<th>性质</th></tr>")
        for r in interp.itertuples(index=False):
            out.append(f"<tr><td>{_e(r.path)}</td><td>{_e(fmt(r.value))}</td><td>{_e(r.document)} {_e(r.clause)}</td>"
                       f"<td>{_e(reading(r))}</td><td>{_e(alternative(r))}</td><td>{interpretation_kind(r)}</td></tr>")
        out.append("</table>")
    out += [f'<p class="notes">注：{_e(n)}</p>' for n in trace.notes]
    out.append("</div>" if fragment else "</body></html>")
    return "\n".join(out)


def chromium() -> str | None:
    """Path of Debian's chromium, or None."""
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def write_html(trace: Trace, path: str | Path) -> Path:
    return write_text(path, trace.to_html())


def write_pdf(trace: Trace, path: str | Path, timeout: float = 120) -> Path:
    """Print the HTML sheet to PDF with headless chromium, embedding the bundled Noto Sans SC."""
    exe = chromium()
    if not exe:
        raise RenderError("PDF needs Debian's chromium (apt-get install chromium), which is not installed here; "
                          "use --format html and print from a browser / 未安装 chromium，无法生成 PDF，"
                          "请改用 --format html 后在浏览器中打印")
    font = _bundled_font()
    with tempfile.TemporaryDirectory(prefix="staffcalc-explain-") as tmpdir:
        page = Path(tmpdir) / "sheet.html"
        page.write_text(trace.to_html(font_url=font.as_uri() if font else None), encoding="utf-8")
        with atomic_path(path) as tmp:
            cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmpdir}/profile", "--no-pdf-header-footer",
                   f"--print-to-pdf={tmp}", page.as_uri()]
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                raise RenderError(f"chromium did not finish printing within {timeout:.0f} s / 生成 PDF 超时") from None
            if done.returncode != 0 or not Path(tmp).exists() or Path(tmp).stat().st_size == 0:
                raise RenderError(f"chromium could not print the sheet (exit {done.returncode}): "
                                  f"{done.stderr.strip()[-500:]} / 生成 PDF 失败")
    return Path(path)


def write_xlsx(trace: Trace, path: str | Path) -> Path:
    """Excel: a sheet 说明 (header and interpretations) and one row per step in 计算过程."""
    import pandas as pd

    head = pd.DataFrame(trace.header(), columns=["项目", "内容"])
    answers = pd.DataFrame([(f"{p.title}（{p.record}）", p.answer) for p in trace.parts], columns=["部分", "结论"])
    interp = trace.interpretations()
    interp = pd.DataFrame({"参数": interp["path"], "取值": interp["value"].map(fmt),
                           "条款": interp["document"] + " " + interp["clause"],
                           "说明": [reading(r) for r in interp.itertuples(index=False)],
                           "性质": [interpretation_kind(r) for r in interp.itertuples(index=False)],
                           "另一种解读": [alternative(r) for r in interp.itertuples(index=False)]})
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            head.to_excel(writer, sheet_name="说明", index=False)
            answers.to_excel(writer, sheet_name="说明", index=False, startrow=len(head) + 2)
            interp.to_excel(writer, sheet_name="说明", index=False, startrow=len(head) + len(answers) + 5)
            trace.to_frame().to_excel(writer, sheet_name="计算过程", index=False)
    return Path(path)
