"""``staffcalc whatif``: the Voila server of the what-if page — warm kernels, none leaked, nothing from the network.

:func:`serve` (the command) starts ``python -m staffcalc.whatif_server NOTEBOOK [voila options]``
at once and, while that starts on the other core, checks the data folder by computing the baseline
(bad data: the server is stopped and the error printed, exit 2).  This module imports nothing heavy
so that Voila starts first.  The server is Voila (options from :func:`voila_args`) with three
changes:

- **Preheated kernels.**  ``--preheat_kernel=True --pool_size=N``: Voila starts ``N`` kernels at
  start-up and runs the what-if notebook in each (data loaded, baseline computed) before anyone
  asks; a visitor gets a page that is already computed, and Voila starts the next kernel at once.
  The notebook computes its baseline once per kernel.  A visitor who arrives before the pool is set
  up waits for it instead of getting a second, cold kernel.
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
import subprocess
import sys
import time
from pathlib import Path

ENV_DATA = "STAFFCALC_WHATIF_DATA"  # the data folder, for the notebook's kernel (absolute path)
ENV_OUT = "STAFFCALC_WHATIF_OUT"    # the export folder, likewise
NOTEBOOK_NAME = "whatif_scoring.ipynb"
SHARE = Path(__file__).resolve().parent / "share"
TEMPLATE = "staffcalc"
POOL_SIZE = 1      # preheated kernels waiting for the next visitor
CULL_IDLE_S = 30   # a kernel idle this long with no page connected is shut down (pool kernels never)
CULL_INTERVAL_S = 10
POOL_WAIT_S = 60   # a visitor arriving while the pool is being set up waits for it this long


def voila_args(notebook: str | os.PathLike, port: int, open_browser: bool = False,
               pool_size: int = POOL_SIZE) -> list[str]:
    """Voila's command-line options: 127.0.0.1 only, the given port (no fallback), no tracebacks,
    preheated kernels, idle culling, the offline template."""
    args = [str(notebook), f"--port={int(port)}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
            "--show_tracebacks=False", f"--template={TEMPLATE}",
            "--preheat_kernel=True", f"--pool_size={int(pool_size)}",
            f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
            f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
            "--MappingKernelManager.cull_connected=False"]
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
    env = {**os.environ, ENV_DATA: str(data), ENV_OUT: str(out)}
    proc = subprocess.Popen(voila_command(port, open_browser), env=env, cwd=str(nb.parent))
    try:
        from . import scenario

        try:
            scenario.load_baseline(data)
        except ValueError as exc:  # InputError, ScoringInputError, PolicyError: say so, serve nothing
            _stop(proc)
            print(f"staffcalc whatif: the data in {data} cannot be used / 数据无法使用:\n{exc}", file=sys.stderr)
            return 2
        url = f"http://127.0.0.1:{int(port)}/"
        print(f"假设情景页面 / what-if page: {url}\n  数据 / data: {data}\n  导出文件夹 / exports: {out}\n"
              "  按 Ctrl-C 停止 / press Ctrl-C to stop", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        _stop(proc)
        print("staffcalc whatif: stopped / 已停止", file=sys.stderr)
        return 0


def _patch_page_handler() -> None:
    """Voila's page handler: set the ``_xsrf`` cookie the page's unload beacon sends back, and let a
    visitor who arrives while the kernel pool is still being set up wait for its kernel (Voila
    would start a second, cold kernel for them, competing for the same cores)."""
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

    VoilaHandler.prepare = prepare_page
    VoilaHandler._staffcalc_patched = True


def main(argv: list[str] | None = None) -> int:
    from .startup import skip_iri_checker

    skip_iri_checker()  # jupyter_server would otherwise build rfc3987_syntax's grammar (1.6 s or more)
    paths = [str(SHARE), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(paths)  # finds the staffcalc template
    _patch_page_handler()
    from voila.app import main as voila_main

    return voila_main(argv) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
