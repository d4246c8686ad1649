"""``staffcalc whatif``: the Voila server of the what-if page — warm kernels, none leaked, nothing from the network.

:func:`serve` (the command) starts ``python -m staffcalc.whatif_server NOTEBOOK [voila options]``
at once and, while that starts, checks the data folder by computing the baseline (bad data: the
server is stopped and the error printed, exit 2) and hands it to the page's kernels
(:mod:`staffcalc.whatif_baseline`), so they do not compute it again.  This module imports nothing
heavy so that Voila starts first.  The server is Voila (options from :func:`voila_args`)
with three changes:

- **Preheated kernels.**  ``--preheat_kernel=True --pool_size=N``: Voila starts ``N`` kernels at
  start-up and runs the what-if notebook in each (data loaded, baseline computed) before anyone
  asks; a visitor gets a page that is already computed.  A kernel has the baseline once (the
  launcher's, handed over, or its own when the files changed since).  A visitor who arrives before the pool is set up waits for it instead of getting a
  second, cold kernel, and the next kernel is started once that page has been sent
  (:func:`refill_after_pages`), not beside it on the same cores.
- **A closed or reloaded page releases its kernel.**  Voila's page posts a shutdown request on
  ``beforeunload`` with the ``_xsrf`` cookie's value, but Voila never sets that cookie, so every
  request was refused (``403 '_xsrf' argument missing``) and every visit left a kernel behind.
  Here the page response sets the cookie (tornado's ``xsrf_token``), so the request is accepted and
  the XSRF check stays on.  Kernels whose page went away without saying so (a closed tab whose
  beacon did not get out, a crashed browser) are culled after ``CULL_IDLE_S`` seconds idle without a
  connection; Voila never culls its preheated kernels, and an open page keeps its kernel.
- **Offline.**  The ``staffcalc`` template (``staffcalc/share/voila/templates/staffcalc``) is Voila's
  lab template without its two Font Awesome links to cdn.jsdelivr.net (Voila's own bundle already
  carries Font Awesome), so the page loads nothing from outside the host.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .whatif_baseline import ENV_BASELINE

ENV_DATA = "STAFFCALC_WHATIF_DATA"  # the data folder, for the notebook's kernel (absolute path)
ENV_OUT = "STAFFCALC_WHATIF_OUT"    # the export folder, likewise
NOTEBOOK_NAME = "whatif_scoring.ipynb"
SHARE = Path(__file__).resolve().parent / "share"
TEMPLATE = "staffcalc"
# The JupyterLab extensions the page loads: the widget manager and Voila's glue for it.  Voila
# otherwise loads every extension installed in the environment (jupytext's, pygments' …), code the
# browser fetches and compiles on every visit although the page uses none of it.
PAGE_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8")
POOL_SIZE = 1      # preheated kernels waiting for the next visitor
CULL_IDLE_S = 30   # a kernel idle this long with no page connected is shut down (pool kernels never)
CULL_INTERVAL_S = 10
POOL_WAIT_S = 60   # a visitor arriving while the pool is being set up waits for it this long
REFILL_WAIT_S = 60  # the pool's refill waits at most this long for the pages being rendered


def voila_args(notebook: str | os.PathLike, port: int, open_browser: bool = False,
               pool_size: int = POOL_SIZE) -> list[str]:
    """Voila's command-line options: 127.0.0.1 only, the given port (no fallback), no tracebacks,
    preheated kernels, idle culling, the offline template, only the page's lab extensions."""
    args = [str(notebook), f"--port={int(port)}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
            "--show_tracebacks=False", f"--template={TEMPLATE}",
            "--preheat_kernel=True", f"--pool_size={int(pool_size)}",
            f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
            f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
            "--MappingKernelManager.cull_connected=False",
            *(f"--VoilaConfiguration.extension_allowlist={name}" for name in PAGE_EXTENSIONS)]
    if not open_browser:
        args.append("--no-browser")
    return args


def notebook_path() -> Path:
    """``notebooks/whatif_scoring.ipynb`` of the repository the package is installed from (editable)."""
    return Path(__file__).resolve().parent.parent / "notebooks" / NOTEBOOK_NAME


def voila_command(port: int, open_browser: bool = False, pool_size: int = POOL_SIZE) -> list[str]:
    """The command line :func:`serve` starts: this module's Voila on the what-if notebook."""
    return [sys.executable, "-m", "staffcalc.whatif_server",
            *voila_args(notebook_path(), port, open_browser, pool_size)]


def _stop(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """Stop Voila (it shuts its kernels down); a second Ctrl-C or SIGTERM meanwhile does not cut it short."""
    proc.terminate()
    deadline = time.monotonic() + grace
    while True:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            return
        except KeyboardInterrupt:
            continue
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return


def serve(port: int = 8866, data_dir: str | os.PathLike = "data", out_dir: str | os.PathLike = ".",
          open_browser: bool = True) -> int:
    """Start Voila on the what-if notebook; print the address; wait until it stops (Ctrl-C).

    The data folder and the export folder reach the notebook's kernel through
    ``$STAFFCALC_WHATIF_DATA`` and ``$STAFFCALC_WHATIF_OUT`` (absolute paths).  Returns Voila's exit
    status; 2 when the notebook or the data folder is missing or the data are invalid (then the
    server, started meanwhile, is stopped before the address is printed).
    """
    nb = notebook_path()
    if not nb.is_file():
        print(f"staffcalc whatif: notebook not found: {nb} (run from a source checkout) / 找不到假设情景笔记本",
              file=sys.stderr)
        return 2
    data = Path(data_dir).resolve()
    if not data.is_dir():
        print(f"staffcalc whatif: data folder not found: {data} / 找不到数据文件夹", file=sys.stderr)
        return 2
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    handoff = Path(tempfile.mkdtemp(prefix="staffcalc-whatif-")) / "baseline.pickle"  # private (0700)
    env = {**os.environ, ENV_DATA: str(data), ENV_OUT: str(out), ENV_BASELINE: str(handoff)}
    proc = subprocess.Popen(voila_command(port, open_browser), env=env, cwd=str(nb.parent))
    try:
        _stop_on_sigterm()
        from . import scenario, whatif_baseline

        files = whatif_baseline.fingerprint(data)  # before reading: a file changed meanwhile is not trusted
        try:
            baseline = scenario.load_baseline(data)  # the notebook's as_of and openings are these defaults
        except ValueError as exc:  # InputError, ScoringInputError, PolicyError: say so, serve nothing
            _stop(proc)
            print(f"staffcalc whatif: the data in {data} cannot be used / 数据无法使用:\n{exc}", file=sys.stderr)
            return 2
        whatif_baseline.save(baseline, handoff, data, scenario.DEFAULT_AS_OF, scenario.DEFAULT_OPENINGS, files)
        url = f"http://127.0.0.1:{int(port)}/"
        print(f"假设情景页面 / what-if page: {url}\n  数据 / data: {data}\n  导出文件夹 / exports: {out}\n"
              "  按 Ctrl-C 停止 / press Ctrl-C to stop", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        _stop(proc)
        print("staffcalc whatif: stopped / 已停止", file=sys.stderr)
        return 0
    finally:
        shutil.rmtree(handoff.parent, ignore_errors=True)


def _stop_on_sigterm() -> None:
    """SIGTERM stops the launcher as Ctrl-C does: Voila stopped, the handed-over baseline removed."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave it
        pass


def _patch_page_handler() -> None:
    """Voila's page handler: set the ``_xsrf`` cookie the page's unload beacon sends back; let a
    visitor who arrives while the kernel pool is still being set up wait for its kernel (Voila
    would start a second, cold kernel for them, competing for the same cores); tell the kernel
    manager while a page is being rendered (:func:`refill_after_pages`)."""
    from voila.handler import VoilaHandler

    if getattr(VoilaHandler, "_staffcalc_patched", False):
        return
    prepare = VoilaHandler.prepare

    async def prepare_page(self, *args, **kwargs):
        result = prepare(self, *args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        self.xsrf_token  # noqa: B018 - reading it sets the cookie (tornado)
        km = self.kernel_manager
        deadline = time.monotonic() + POOL_WAIT_S
        while getattr(km, "_pools", None) is not None and not km.notebook_data and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # preheating: the pool registers the notebook once it has a kernel
        return result

    get_generator = VoilaHandler.get_generator

    async def page(self, *args, **kwargs):
        km = self.kernel_manager
        counted = hasattr(km, "page_started")
        if counted:
            km.page_started()
        try:
            async for snippet in get_generator(self, *args, **kwargs):
                yield snippet
        finally:
            if counted:
                km.page_finished()

    VoilaHandler.prepare = prepare_page
    VoilaHandler.get_generator = page
    VoilaHandler._staffcalc_patched = True


def refill_after_pages(manager_class: type) -> type:
    """Voila's preheating kernel manager, refilling its pool only once no page is being rendered.

    Voila starts the replacement of a kernel a visitor took ``fill_delay`` (1 s) after taking it.
    The first visitor usually arrives while the pool's kernel is still running the notebook, so
    the replacement kernel started up and ran the notebook on the same 2 cores at the same time,
    and the first page took twice as long.  Here the refill after a visit waits (at most
    ``REFILL_WAIT_S``) until no page response is being rendered — Voila's handler sends the page
    while the kernel runs the notebook — and then Voila's ``fill_delay`` as before.  The pool at
    start-up, and refills Voila asks for with an explicit delay, are unchanged.
    """

    class RefillAfterPages(manager_class):
        _pages_rendering = 0
        _pages_done: asyncio.Event | None = None

        def page_started(self) -> None:
            if self._pages_done is None:
                self._pages_done = asyncio.Event()
            self._pages_rendering += 1
            self._pages_done.clear()

        def page_finished(self) -> None:
            self._pages_rendering = max(0, self._pages_rendering - 1)
            if not self._pages_rendering and self._pages_done is not None:
                self._pages_done.set()

        def fill_if_needed(self, delay=None, notebook_name=None, extra_kernel_env_variables={}, **kwargs):  # noqa: B006 - Voila's signature
            if delay is not None or not self._pages_rendering:
                return super().fill_if_needed(delay, notebook_name, extra_kernel_env_variables, **kwargs)
            asyncio.ensure_future(self._fill_after_pages(notebook_name, extra_kernel_env_variables, kwargs))
            return None

        async def _fill_after_pages(self, notebook_name, extra_kernel_env_variables, kwargs) -> None:
            try:
                await asyncio.wait_for(self._pages_done.wait(), REFILL_WAIT_S)
            except asyncio.TimeoutError:
                pass  # a page still rendering after that long: refill anyway
            super().fill_if_needed(None, notebook_name, extra_kernel_env_variables, **kwargs)

    RefillAfterPages.__name__ = RefillAfterPages.__qualname__ = f"RefillAfterPages{manager_class.__name__}"
    return RefillAfterPages


def _patch_kernel_pool() -> None:
    """Voila builds its kernel manager class at start-up (``voila_kernel_manager_factory``): wrap it
    in :func:`refill_after_pages` when kernels are preheated."""
    import voila.app

    if getattr(voila.app, "_staffcalc_patched", False):
        return
    factory = voila.app.voila_kernel_manager_factory

    def kernel_manager_factory(base_class, preheat_kernel, default_pool_size, *args, **kwargs):
        cls = factory(base_class, preheat_kernel, default_pool_size, *args, **kwargs)
        return refill_after_pages(cls) if preheat_kernel else cls

    voila.app.voila_kernel_manager_factory = kernel_manager_factory
    voila.app._staffcalc_patched = True


def main(argv: list[str] | None = None) -> int:
    from .startup import skip_iri_checker

    skip_iri_checker()  # jupyter_server would otherwise build rfc3987_syntax's grammar (1.6 s or more)
    paths = [str(SHARE), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(paths)  # finds the staffcalc template
    _patch_page_handler()
    _patch_kernel_pool()
    from voila.app import main as voila_main

    return voila_main(argv) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
