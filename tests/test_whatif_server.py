"""The what-if server in a real browser (issue 14): offline, and page loads do not leak kernels.

``staffcalc whatif`` (Voila with preheated kernels, :mod:`staffcalc.whatif_server`) is loaded in
headless Chromium (Debian's ``/usr/bin/chromium``); the page is reloaded several times and closed:

- every reload's old page releases its kernel (Voila used to refuse the shutdown request with
  ``403 '_xsrf' argument missing``): afterwards at most the pool's kernels plus the open page's run,
  and after leaving the page at most the pool's; a closed tab's kernel is culled once idle;
- no request leaves the host, none at all (Voila's lab template linked Font Awesome from a CDN).

Timings are measured by ``make bench`` (benchmarks/whatif_page.py), never asserted here.  Skipped
only when ``/usr/bin/chromium`` is absent.
"""

from __future__ import annotations

import subprocess
import sys
import time

import psutil
import pytest
from conftest import DATA, ROOT

if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import whatif_page as wp  # noqa: E402
from staffcalc.whatif_server import CULL_IDLE_S, CULL_INTERVAL_S, POOL_SIZE, refill_after_pages, voila_args  # noqa: E402

RELOADS = 5
needs_chromium = pytest.mark.skipif(not wp.CHROMIUM.exists(),
                                    reason="/usr/bin/chromium is not installed (apt-get install chromium)")


@needs_chromium
def test_reloads_and_closing_release_kernels_and_nothing_leaves_the_host(tmp_path):
    from playwright.sync_api import sync_playwright

    port = wp.free_port()
    log = tmp_path / "server.log"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(wp.CHROMIUM), args=wp.CHROMIUM_ARGS)
        proc = wp.start_server(port, DATA, tmp_path, log)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            urls: list[str] = []
            page.on("request", lambda r: urls.append(r.url))
            page.on("websocket", lambda ws: urls.append(ws.url))
            wp.open_first(page, f"http://127.0.0.1:{port}/", 0.0)
            assert page.locator(wp.USABLE).first.inner_text().strip().isdigit()  # the baseline figure is drawn
            for _ in range(RELOADS):
                wp.reload(page)
            # without the shutdown fix every load keeps its kernel: 1 + RELOADS of them, plus the pool
            kernels = wp.wait_kernels_at_most(proc.pid, POOL_SIZE + 1)
            assert 1 <= len(kernels) <= POOL_SIZE + 1, (kernels, log.read_text(encoding="utf-8"))
            page.goto("about:blank")  # leaving the page: its unload beacon releases the kernel
            kernels = wp.wait_kernels_at_most(proc.pid, POOL_SIZE)
            assert len(kernels) <= POOL_SIZE, kernels
            assert wp.off_host(urls, port) == []
            assert any(u.startswith(f"ws://127.0.0.1:{port}/") for u in urls)  # the widgets talked to the kernel

            # a closed tab (headless Chromium drops its beacon): the kernel is culled once idle and unconnected
            page = browser.new_page()
            wp.open_first(page, f"http://127.0.0.1:{port}/", 0.0)
            # the page's kernel, and the pool refilled once the page was sent (not at once: refill_after_pages)
            assert len(wp.wait_kernels_at_least(proc.pid, POOL_SIZE + 1)) == POOL_SIZE + 1
            page.close(run_before_unload=True)
            kernels = wp.wait_kernels_at_most(proc.pid, POOL_SIZE, timeout=CULL_IDLE_S + 2 * CULL_INTERVAL_S + 15)
            assert len(kernels) <= POOL_SIZE, kernels
            pool = wp.live_kernels(proc.pid)
        finally:
            browser.close()
            wp.stop_server(proc)
    text = log.read_text(encoding="utf-8")
    assert "_xsrf" not in text and " 403 " not in text
    deadline = time.monotonic() + 20  # stopping the server stops its kernels
    while any(psutil.pid_exists(k) for k in pool) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not [k for k in pool if psutil.pid_exists(k)]


def test_server_options_preheat_cull_and_use_the_offline_template():
    args = voila_args("x.ipynb", 8123)
    assert "--preheat_kernel=True" in args and f"--pool_size={POOL_SIZE}" in args
    assert "--template=staffcalc" in args and "--MappingKernelManager.cull_connected=False" in args
    allowed = [a.split("=", 1)[1] for a in args if a.startswith("--VoilaConfiguration.extension_allowlist=")]
    assert allowed == ["@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8"]
    template = ROOT / "staffcalc" / "share" / "voila" / "templates" / "staffcalc" / "index.html.j2"
    assert "http" not in template.read_text(encoding="utf-8").replace("https://", "")  # no link out


def test_bad_data_stops_the_server_started_meanwhile(tmp_path):
    (tmp_path / "staff.csv").write_text("staff_id,name\n", encoding="utf-8")  # the other tables are missing
    port = wp.free_port()
    proc = subprocess.run([sys.executable, "-m", "staffcalc.cli", "whatif", "--no-browser", "--port", str(port),
                           "--data", str(tmp_path)], capture_output=True, text=True, timeout=wp.WAIT_S, cwd=ROOT)
    assert proc.returncode == 2
    assert "cannot be used / 数据无法使用" in proc.stderr and "what-if page" not in proc.stdout
    leftover = subprocess.run(["pgrep", "-f", f"--port={port}"], capture_output=True, text=True).stdout.split()
    assert leftover == []


class FakePool:
    """Records Voila's kernel manager calls that :func:`refill_after_pages` changes."""

    def __init__(self):
        self.fills = []

    def fill_if_needed(self, delay=None, notebook_name=None, extra_kernel_env_variables={}, **kwargs):  # noqa: B006
        self.fills.append((delay, notebook_name, dict(extra_kernel_env_variables), kwargs))


def test_the_pool_refills_once_the_page_is_rendered():
    """Voila refills its pool 1 s after a visitor takes the kernel, while the first visitor's kernel
    still runs the notebook on the same cores; here the refill waits for the page's response."""
    import asyncio

    async def visit():
        km = refill_after_pages(FakePool)()
        km.fill_if_needed(0, "nb.ipynb")  # start-up: at once, as Voila asks
        assert km.fills == [(0, "nb.ipynb", {}, {})]
        km.page_started()  # a visitor: Voila's handler takes the kernel and asks for a refill
        km.fill_if_needed(None, "nb.ipynb", {"VOILA_REQUEST_URL": "u"}, path=".")
        km.page_started()  # a second page meanwhile
        for _ in range(5):
            await asyncio.sleep(0)
        assert len(km.fills) == 1  # not while the pages are being sent
        km.page_finished()
        for _ in range(5):
            await asyncio.sleep(0)
        assert len(km.fills) == 1  # one page is still rendering
        km.page_finished()
        for _ in range(5):
            await asyncio.sleep(0)
        return km.fills

    fills = asyncio.run(visit())
    # then Voila's own refill, with its fill_delay (delay None) and the visitor's arguments
    assert fills[1:] == [(None, "nb.ipynb", {"VOILA_REQUEST_URL": "u"}, {"path": "."})]


def test_a_refill_without_a_page_being_rendered_is_voilas():
    km = refill_after_pages(FakePool)()
    km.fill_if_needed(None, "nb.ipynb")
    assert km.fills == [(None, "nb.ipynb", {}, {})]


def test_a_page_that_never_finishes_does_not_stop_the_refill(monkeypatch):
    import asyncio

    from staffcalc import whatif_server

    monkeypatch.setattr(whatif_server, "REFILL_WAIT_S", 0.0)

    async def visit():
        km = refill_after_pages(FakePool)()
        km.page_started()
        km.fill_if_needed(None, "nb.ipynb")
        for _ in range(20):
            await asyncio.sleep(0)
        return km.fills

    assert asyncio.run(visit()) == [(None, "nb.ipynb", {}, {})]
