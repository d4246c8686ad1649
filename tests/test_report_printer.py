"""The report workers' PDF printer (staffcalc.report.pdf.Printer): one browser for all of a worker's reports."""

from __future__ import annotations

import pytest

from staffcalc import notebook as nb
from staffcalc.report import pdf


def _html(tmp_path, name: str, body: str):
    html = tmp_path / f"{name}.html"
    html.write_text(f"<html><head>{nb.PAGE_STYLE}</head><body>{body}</body></html>", encoding="utf-8")
    return html


@pytest.mark.skipif(pdf.find_chromium() is None, reason="Debian chromium is not installed (.ci/run installs it)")
def test_one_browser_prints_every_report_as_the_command_line_does(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(pdf, "html_to_pdf", lambda *a, **k: calls.append(a) or {"status": "failed"})
    printer = pdf.Printer()
    try:
        results = [printer.print(_html(tmp_path, f"r{i}", f"<h1>测试报告 {i}</h1>" + "<p>行</p>" * 60 * i),
                                 tmp_path / f"r{i}.pdf") for i in range(1, 4)]
        thread = printer._thread
    finally:
        printer.close()
    assert calls == [] and printer.broken is None                     # never fell back to one Chromium per report
    assert [r["status"] for r in results] == ["ok", "ok", "ok"] and thread is not None and not thread.is_alive()
    for i in range(1, 4):
        data = (tmp_path / f"r{i}.pdf").read_bytes().replace(b"\n", b" ")
        assert data[:5] == b"%PDF-" and b"/MediaBox [0 0 841" in data  # A4 landscape from the report's CSS
    assert not list(tmp_path.glob(".*.part"))


def test_a_browser_that_cannot_start_falls_back_to_the_command(tmp_path, monkeypatch):
    fake = tmp_path / "not-chromium"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("STAFFCALC_CHROMIUM", str(fake))
    printer = pdf.Printer()
    try:
        first = printer.print(_html(tmp_path, "a", "<h1>一</h1>"), tmp_path / "a.pdf", timeout=20)
        second = printer.print(_html(tmp_path, "b", "<h1>二</h1>"), tmp_path / "b.pdf", timeout=20)
    finally:
        printer.close()
    assert printer.broken  # said why, once; then every report went the command-line way
    assert first["status"] == second["status"] == "failed" and "exit 3" in first["reason"]
    assert not (tmp_path / "a.pdf").exists()


def test_no_browser_means_skipped_not_failed(tmp_path, monkeypatch):
    monkeypatch.setenv("STAFFCALC_CHROMIUM", "")
    printer = pdf.Printer()
    result = printer.print(_html(tmp_path, "a", "x"), tmp_path / "a.pdf")
    assert result["status"] == "skipped" and "未找到" in result["reason"] and printer._thread is None
