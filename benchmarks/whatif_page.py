"""Figure: the what-if page served by ``staffcalc whatif``, measured in headless Chromium.

* first usable render: from starting ``staffcalc whatif`` to the page showing the baseline figure
  (``.sc-monthly-excellent-count``, drawn by the widgets once they are connected to their kernel);
* reload: a reload once the server has its preheated kernel ready (the server's processes idle);
* 20 reloads back to back (each waits until the page is usable again): their median, and the live
  kernels of the server afterwards (each reload's page releases its kernel when it unloads);
* requests that left the host (any at all is a failed check).

The helpers (server start, live kernels, waiting for idle) are shared with
tests/test_whatif_server.py.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
USABLE = ".sc-monthly-excellent-count"
WAIT_S = 90
RELOADS = 20
FIRST_RENDER_TARGET_S = 6.0
RELOAD_TARGET_S = 2.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, data: Path, out: Path, log: Path) -> subprocess.Popen:
    """``staffcalc whatif --no-browser`` in its own process group, output to ``log``."""
    with open(log, "w", encoding="utf-8") as fh:
        return subprocess.Popen(
            [sys.executable, "-m", "staffcalc.cli", "whatif", "--no-browser", "--port", str(port), "--data", str(data),
             "--out", str(out)],
            stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the launcher's own process group: it and Voila
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _tree(pid: int) -> list:
    import psutil

    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def live_kernels(pid: int) -> list[int]:
    """Pids of the kernels (``ipykernel_launcher``) running under the process ``pid``."""
    import psutil

    found = []
    for p in _tree(pid):
        try:
            if any("ipykernel" in part for part in p.cmdline()):
                found.append(p.pid)
        except psutil.Error:
            pass
    return found


def cpu_by_role(pid: int) -> dict[str, float]:
    """CPU seconds (user + system) so far of the launcher (``pid``), Voila, the live kernels, and the
    Chromium processes this process started."""
    import psutil

    def cpu(p) -> float:
        t = p.cpu_times()
        return t.user + t.system

    roles = {"launcher": 0.0, "voila": 0.0, "kernels": 0.0, "chromium": 0.0}
    for p in _tree(pid):
        try:
            line = " ".join(p.cmdline())
            role = "kernels" if "ipykernel" in line else "voila" if "staffcalc.whatif_server" in line else "launcher"
            roles[role] += cpu(p)
        except psutil.Error:
            pass
    for p in psutil.Process().children(recursive=True):
        try:
            if "chrom" in p.name():
                roles["chromium"] += cpu(p)
        except psutil.Error:
            pass
    return roles


def wait_idle(pid: int, timeout: float = WAIT_S, quiet: float = 1.0) -> bool:
    """Wait until no process under ``pid`` uses CPU for ``quiet`` seconds (a preheated kernel has
    finished its notebook); False if that did not happen within ``timeout``."""
    import psutil

    def cpu() -> float:
        total = 0.0
        for p in _tree(pid):
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        return total

    deadline = time.monotonic() + timeout
    last = cpu()
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = cpu()
        if now - last < 0.05 * quiet:
            return True
        last = now
    return False


def wait_pool_ready(pid: int, pool_size: int, timeout: float = WAIT_S) -> bool:
    """Wait until the open page's kernel and ``pool_size`` preheated ones run and the server is idle
    (the pool's kernels have run the notebook); False if not within ``timeout``."""
    deadline = time.monotonic() + timeout
    while len(live_kernels(pid)) < pool_size + 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    return wait_idle(pid, max(1.0, deadline - time.monotonic()))


def wait_kernels_at_most(pid: int, n: int, timeout: float = 30) -> list[int]:
    """Wait (bounded) until at most ``n`` kernels run under ``pid``; the kernels then running."""
    deadline = time.monotonic() + timeout
    kernels = live_kernels(pid)
    while len(kernels) > n and time.monotonic() < deadline:
        time.sleep(0.5)
        kernels = live_kernels(pid)
    return kernels


def wait_kernels_at_least(pid: int, n: int, timeout: float = 30) -> list[int]:
    """Wait (bounded) until at least ``n`` kernels run under ``pid`` (a pool refilling after its page
    was sent); the kernels then running."""
    deadline = time.monotonic() + timeout
    kernels = live_kernels(pid)
    while len(kernels) < n and time.monotonic() < deadline:
        time.sleep(0.2)
        kernels = live_kernels(pid)
    return kernels


def off_host(urls: list[str], port: int) -> list[str]:
    """The requested URLs that are not this server (``data:``/``blob:``/``about:`` are local)."""
    local = (f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/", "data:", "blob:", "about:")
    return [u for u in urls if not u.startswith(local)]


def open_first(page, url: str, t0: float) -> float:
    """Go to ``url`` as soon as the server accepts connections (as Voila opens the browser once it
    listens); seconds from ``t0`` until the page is usable.  The port is polled with a socket: a
    browser retrying the navigation every 0.1 s would draw error pages on the cores the server
    needs to start."""
    from urllib.parse import urlsplit

    where = urlsplit(url)
    deadline = time.monotonic() + WAIT_S
    while True:
        try:
            socket.create_connection((where.hostname, where.port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    while True:
        try:
            page.goto(url, timeout=WAIT_S * 1000)
            break
        except Exception:  # noqa: BLE001 - connection refused while the server starts
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    page.wait_for_selector(USABLE, timeout=WAIT_S * 1000)
    return time.perf_counter() - t0


def reload(page) -> float:
    t0 = time.perf_counter()
    page.reload(timeout=WAIT_S * 1000)
    page.wait_for_selector(USABLE, timeout=WAIT_S * 1000)
    return time.perf_counter() - t0


def fig_whatif_page(quick: bool) -> dict:
    from staffcalc.whatif_server import POOL_SIZE

    from .figures import _result, _say
    from .timing import target

    title = "What-if page (staffcalc whatif, Voila) in Chromium"
    if quick or not CHROMIUM.exists():
        why = "--quick" if quick else f"{CHROMIUM} is not installed (apt-get install chromium)"
        return _result("whatif_page", title, metrics={"skipped": why}, notes=[f"skipped: {why}"])
    from playwright.sync_api import sync_playwright

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="staffcalc-bench-whatif-") as tmp, sync_playwright() as pw:
        tmp = Path(tmp)
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        urls: list[str] = []
        page.on("request", lambda r: urls.append(r.url))
        page.on("websocket", lambda ws: urls.append(ws.url))
        chromium_before = cpu_by_role(os.getpid())["chromium"]  # Chromium started before the clock
        t0 = time.perf_counter()
        proc = start_server(port, ROOT / "data", tmp, tmp / "server.log")
        try:
            _say("  what-if page: first render …")
            first = open_first(page, f"http://127.0.0.1:{port}/", t0)
            first_cpu = cpu_by_role(proc.pid)
            first_cpu["chromium"] -= chromium_before
            idle = wait_pool_ready(proc.pid, POOL_SIZE)
            _say("  what-if page: reload with the preheated kernel ready …")
            warm = reload(page)
            wait_idle(proc.pid)
            _say(f"  what-if page: {RELOADS} reloads back to back …")
            runs = [reload(page) for _ in range(RELOADS)]
            kernels = wait_kernels_at_most(proc.pid, POOL_SIZE + 1)
            rss_mb = sum(p.memory_info().rss for p in _tree(proc.pid)) / 2**20
            browser.close()
            after_close = wait_kernels_at_most(proc.pid, POOL_SIZE)
        finally:
            stop_server(proc)
        log = (tmp / "server.log").read_text(encoding="utf-8", errors="replace")
    outside = off_host(urls, port)
    return _result(
        "whatif_page", title,
        metrics={"first_usable_s": first, "first_render_cpu_s": first_cpu, "reload_warm_s": warm, "reloads_back_to_back_s": runs,
                 "reload_back_to_back_median_s": statistics.median(runs), "pool_size": POOL_SIZE,
                 "kernels_after_reloads": len(kernels), "kernels_after_close": len(after_close),
                 "server_rss_after_reloads_mb": rss_mb, "requests": len(urls), "off_host_requests": outside,
                 "idle_before_warm_reload": idle},
        checks={"no_request_left_the_host": not outside, "no_refused_kernel_shutdown": "_xsrf" not in log},
        targets=[target("what-if: staffcalc whatif → first usable render", first, "<=", FIRST_RENDER_TARGET_S, "s"),
                 target("what-if: reload (preheated kernel ready)", warm, "<=", RELOAD_TARGET_S, "s"),
                 target(f"what-if: live kernels after {RELOADS} reloads (pool {POOL_SIZE} + 1)", len(kernels), "<=",
                        POOL_SIZE + 1, "")],
        notes=[f"back-to-back reloads wait for Voila to preheat the next kernel (median "
               f"{statistics.median(runs):.1f} s): the warm reload is the one a visitor gets when the pool is ready",
               "first render includes Voila's start, the launcher's data check (its baseline is handed to the kernel) and the preheated "
               "kernel running the notebook"],
    )
