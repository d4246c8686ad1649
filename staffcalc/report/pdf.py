"""A PDF of each HTML report, printed by headless Chromium with the report's own print CSS.

:func:`html_to_pdf` is the one step: ``(html_path, pdf_path) -> {"status", "reason", "path"}`` with status
``ok``, ``skipped`` (no converter on this machine: the run goes on and the manifest says why) or
``failed`` (the converter ran and did not produce a PDF).  It never raises.

Converter: Debian's ``chromium`` (``apt-get install chromium``; ``.ci/run`` installs it), found as
``$STAFFCALC_CHROMIUM`` or ``chromium`` / ``chromium-browser`` / ``google-chrome`` on ``PATH``, run
with ``--headless --print-to-pdf`` and no page header or footer (they would print the file path).
The page size (A4 landscape) and repeated table headers come from the report's CSS
(``staffcalc.notebook.PAGE_STYLE``); Chromium embeds the fonts it used, so Chinese needs a CJK font
installed (``fonts-noto-cjk``).  The PDF is written beside its final name and renamed when complete.
A report worker keeps one browser for all its reports instead (:class:`Printer`).
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from .processes import kill_group

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-extensions", "--hide-scrollbars",
         "--no-pdf-header-footer", "--print-to-pdf-no-header", "--run-all-compositor-stages-before-draw")
TIMEOUT = 180.0


def find_chromium() -> str | None:
    """The Chromium executable to print with, or None."""
    env = os.environ.get("STAFFCALC_CHROMIUM")
    if env is not None:
        return env if env and Path(env).is_file() and os.access(env, os.X_OK) else None
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def skip_reason() -> str | None:
    """Why PDFs cannot be made on this machine (Chinese / English), or None when they can."""
    if find_chromium() is None:
        return ("未找到 Chromium，未生成 PDF（Debian/Ubuntu: apt-get install chromium fonts-noto-cjk）"
                " / no Chromium found, PDFs skipped (install Debian's chromium)")
    return None


def _part(pdf_path: Path) -> Path:
    """Where a PDF is written before it is complete (beside its final name, hidden)."""
    return pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.part")


def _move_into_place(part: Path, pdf_path: Path) -> bool:
    """Rename ``part`` to ``pdf_path`` if it is a PDF (``%PDF-`` header); whether it was."""
    if not part.is_file():
        return False
    with open(part, "rb") as fh:
        if fh.read(5) != b"%PDF-":
            return False
    os.replace(part, pdf_path)
    return True


def html_to_pdf(html_path: str | Path, pdf_path: str | Path, timeout: float = TIMEOUT) -> dict:
    """Print ``html_path`` to ``pdf_path``; return ``{"status", "reason", "path"}`` (never raises)."""
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path)
    reason = skip_reason()
    if reason:
        return {"status": "skipped", "reason": reason, "path": None}
    part = _part(pdf_path)
    try:
        with tempfile.TemporaryDirectory(prefix="staffcalc-chromium-") as profile:
            cmd = [find_chromium(), *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={part}",
                   html_path.as_uri()]
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                    env={**os.environ, "HOME": profile}, start_new_session=True)
            try:
                _, stderr = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                kill_group(proc.pid)  # chromium and its helper processes
                proc.communicate()
                raise
        if not _move_into_place(part, pdf_path):
            tail = (stderr or "").strip().splitlines()[-3:]
            return {"status": "failed", "reason": f"chromium exit {proc.returncode}: {' | '.join(tail)}",
                    "path": None}
        return {"status": "ok", "reason": None, "path": str(pdf_path)}
    except subprocess.TimeoutExpired:
        return {"status": "failed", "reason": f"chromium did not finish within {timeout:g} s / PDF 生成超时",
                "path": None}
    except OSError as exc:
        return {"status": "failed", "reason": f"{type(exc).__name__}: {exc}", "path": None}
    finally:
        part.unlink(missing_ok=True)


class Printer:
    """One headless Chromium kept open for a report worker's run, printing each report in a new tab.

    Starting Chromium for every report cost more than printing it (``html_to_pdf``); a worker prints
    all its reports with one browser, driven by Playwright from a thread of its own (Playwright's
    objects belong to the thread that made them).  The page, print CSS and options are those of
    ``--print-to-pdf``: page size from the CSS, no header or footer, no backgrounds (the PDFs are
    identical page by page).  If the browser cannot start or fails, that report and the rest are
    printed by :func:`html_to_pdf` instead.  :meth:`close` ends the browser."""

    def __init__(self):
        self._jobs: "queue.Queue" = queue.Queue()
        self._thread: threading.Thread | None = None
        self.broken: str | None = None  # why the browser is not used any more

    def print(self, html_path: str | Path, pdf_path: str | Path, timeout: float = TIMEOUT) -> dict:
        """Like :func:`html_to_pdf` (same result dictionary; never raises)."""
        reason = skip_reason()
        if reason:
            return {"status": "skipped", "reason": reason, "path": None}
        if self.broken is None:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="staffcalc-pdf", daemon=True)
                self._thread.start()
            done: "queue.Queue" = queue.Queue()
            self._jobs.put((Path(html_path).resolve(), Path(pdf_path), timeout, done))
            try:
                result = done.get(timeout=timeout + 60)
            except queue.Empty:
                result, self.broken = None, "the browser did not answer"
            if result is not None:
                return result
        return html_to_pdf(html_path, pdf_path, timeout)

    def _serve(self) -> None:
        job = None
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=find_chromium(), headless=True,
                                                     args=[f for f in FLAGS if f != "--headless"])
                try:
                    while (job := self._jobs.get()) is not None:
                        html_path, pdf_path, timeout, done = job
                        done.put(self._print(browser, html_path, pdf_path, timeout))
                        job = None
                finally:
                    browser.close()
        except Exception as exc:  # noqa: BLE001 - the reports are printed the other way
            self.broken = f"{type(exc).__name__}: {exc}"
            if job is not None:
                job[3].put(None)
            while True:  # whatever else was queued meanwhile
                try:
                    pending = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if pending is not None:
                    pending[3].put(None)

    @staticmethod
    def _print(browser, html_path: Path, pdf_path: Path, timeout: float) -> dict:
        part = _part(pdf_path)
        page = browser.new_page()
        try:
            page.goto(html_path.as_uri(), wait_until="load", timeout=timeout * 1000)
            page.pdf(path=str(part), prefer_css_page_size=True, print_background=False,
                     display_header_footer=False)
            if not _move_into_place(part, pdf_path):
                return {"status": "failed", "reason": "chromium wrote no PDF", "path": None}
            return {"status": "ok", "reason": None, "path": str(pdf_path)}
        finally:
            page.close()
            part.unlink(missing_ok=True)

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=30)
