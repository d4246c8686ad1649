"""Kernels forked from a warm template process: a notebook's kernel ready in a fraction of a second.

A fresh ``python -m ipykernel_launcher`` that imports numpy, pandas, matplotlib and staffcalc costs
about 1.9 s of CPU before the notebook's first cell; the reading and checking of the input tables and
the parsing of the policy files cost each notebook another second.  A ``--per unit`` run pays that 60
times.  Here each report worker keeps one **template** process (:func:`serve`) that has done all of it
once — imported those modules and ipykernel, parsed the policy files, read the run's input tables
(:func:`staffcalc.io.preload`) — and *forks* a kernel from it for each notebook.  The kernel is a new
process with its own copy of that memory: it starts ipykernel (its sockets, threads and event loop are
created after the fork, in the child), and a notebook's first cell finds its imports done and its
tables already read and checked.

Isolation is that of a fresh process.  The template never runs notebook code, so every kernel starts
from the same state; what one notebook changes (globals, ``sys.modules``, matplotlib's rcParams, a
module-level flag) lives in its own process and dies with it.  Each child starts a new session (so a
timeout kills its whole process group), gets the environment and working directory the kernel
manager asked for, re-seeds ``random`` and numpy's global generator as a fresh interpreter would, and
is killed if the template dies (``PR_SET_PDEATHSIG``); the template dies with its worker.

The worker side is :class:`ForkServer` (starts the template, asks it for kernels) and
:class:`ForkProvisioner`, a ``jupyter_client`` provisioner that launches through the template instead
of ``Popen`` — everything else (connection files, ports, interrupt, shutdown, kill) is
``LocalProvisioner``'s.  A kernel spec that does not run this interpreter's ``ipykernel_launcher``
(another environment, another language) is launched the ordinary way.  ``STAFFCALC_FORK_KERNELS=0``
turns forking off (then every kernel is a fresh process started ahead of time, as before).

Protocol (one JSON object per line): the worker writes ``{"argv", "env", "cwd"}`` to the template's
stdin; the template answers ``{"pid": n}`` on its stdout, and ``{"exit": n, "code": c}`` when it has
reaped child ``n``.
"""

from __future__ import annotations

import json
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
import uuid

ENV_SWITCH = "STAFFCALC_FORK_KERNELS"
READY = "staffcalc-template-ready"
LAUNCHER = ("-m", "ipykernel_launcher")


def enabled() -> bool:
    """Forking is used on Linux unless ``STAFFCALC_FORK_KERNELS=0``."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(os, "pidfd_open")
            and os.environ.get(ENV_SWITCH, "1") != "0")


def forkable(argv: list[str]) -> bool:
    """Whether a kernel command line is this interpreter's ``ipykernel_launcher`` (what the template holds)."""
    return len(argv) >= 3 and tuple(argv[1:3]) == LAUNCHER and os.path.realpath(argv[0]) == os.path.realpath(
        sys.executable)


# --------------------------------------------------------------------------------------------------
# The template process
# --------------------------------------------------------------------------------------------------
def _set_pdeathsig(sig: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, sig)  # PR_SET_PDEATHSIG
        except Exception:  # noqa: BLE001 - the parent still kills its process groups on timeout
            pass


def _warm(data_dir: str) -> None:
    """Everything a kernel would otherwise do before its notebook's first cell."""
    import importlib

    from .worker import WARM_IMPORTS

    for name in WARM_IMPORTS.removeprefix("import ").split(","):
        importlib.import_module(name.strip())
    importlib.import_module("ipykernel.kernelapp")
    importlib.import_module("ipykernel.ipkernel")
    backend = os.environ.get("MPLBACKEND", "")
    if backend.startswith("module://"):
        importlib.import_module(backend.removeprefix("module://"))
    from .. import policy

    policy.documents()  # parsed once (policy.read_document caches by path, size and time)
    if data_dir:
        from .. import io

        io.preload(data_dir)


def _child(request: dict) -> None:
    """In the forked child: become the kernel ``request['argv']`` describes; never returns."""
    code = 1
    try:
        os.setsid()
        _set_pdeathsig(signal.SIGKILL)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)  # not the template's request pipe
        os.close(devnull)
        os.dup2(2, 1)  # not the template's answer pipe: kernel output goes where the worker's stderr goes
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        sys.path[0] = os.getcwd()  # as for ``python -m`` started in that folder
        # traits whose defaults ipykernel read from the environment when the template imported it
        args = [*request["argv"][3:], f"--IPKernelApp.parent_handle={os.getppid()}"]
        sys.argv = ["ipykernel_launcher", *args]
        import random

        import numpy as np

        random.seed()
        np.random.seed()
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported on stderr, the process ends
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _reap(out) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        out.write(json.dumps({"exit": pid, "code": os.waitstatus_to_exitcode(status)}) + "\n")
        out.flush()


def serve(data_dir: str = "") -> int:
    """The template process: warm up, then fork a kernel per request line until stdin closes."""
    _set_pdeathsig(signal.SIGKILL)
    if os.getppid() == 1:  # the worker died before the line above took effect
        return 143
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    _warm(data_dir)
    wake_r, wake_w = os.pipe()  # SIGCHLD wakes the loop at once, so a kernel's end is reported at once
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    print(READY, file=sys.stderr, flush=True)
    stdin = sys.stdin.buffer
    buffer = b""
    while True:
        ready, _, _ = select.select([stdin, wake_r], [], [], 5.0)
        if wake_r in ready:
            os.read(wake_r, 4096)
        _reap(out)
        if stdin not in ready:
            continue
        chunk = os.read(stdin.fileno(), 65536)
        if not chunk:
            break
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if not line.strip():
                continue
            request = json.loads(line)
            pid = os.fork()
            if pid == 0:
                signal.set_wakeup_fd(-1)
                os.close(wake_r)
                os.close(wake_w)
                _child(request)
            out.write(json.dumps({"pid": pid}) + "\n")
            out.flush()
    _reap(out)
    return 0


# --------------------------------------------------------------------------------------------------
# The worker's side
# --------------------------------------------------------------------------------------------------
class ForkedProcess:
    """A ``subprocess.Popen``-like handle on a kernel the template forked (not our child: the template
    reaps it; a pidfd tells when it ended)."""

    def __init__(self, pid: int, server: "ForkServer"):
        self.pid, self._server, self.returncode = pid, server, None
        self._fd = os.pidfd_open(pid)
        self.stdin = self.stdout = self.stderr = None  # jupyter_client closes these if present

    def _ended(self, timeout: float | None) -> bool:
        ready, _, _ = select.select([self._fd], [], [], timeout)
        return bool(ready)

    def poll(self) -> int | None:
        if self.returncode is None and self._ended(0):
            self.returncode = self._server.exit_code(self.pid)
            os.close(self._fd)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not self._ended(timeout):
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            return self.poll()
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:  # a pidfd never signals another process that reused the pid
            signal.pidfd_send_signal(self._fd, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkServer:
    """The worker's template process: started once, asked for one kernel per notebook."""

    def __init__(self, cwd: str, env: dict | None = None, data_dir: str = ""):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", f"import sys; from {__name__} import serve; sys.exit(serve(sys.argv[1]))",
             data_dir],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=cwd, env=env,
        )
        self._lock = threading.Lock()
        self._pids: queue.Queue = queue.Queue()
        self._exits: dict[int, int] = {}
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            msg = json.loads(raw)
            if "exit" in msg:
                self._exits[int(msg["exit"])] = int(msg["code"])
            else:
                self._pids.put(int(msg["pid"]))
        self._pids.put(None)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def spawn(self, argv: list[str], env: dict, cwd: str, timeout: float = 120.0) -> ForkedProcess:
        """Fork a kernel running ``argv`` (this interpreter's ipykernel_launcher) in ``cwd`` with ``env``."""
        with self._lock:
            try:
                self.proc.stdin.write((json.dumps({"argv": argv, "env": env, "cwd": cwd}) + "\n").encode())
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                raise RuntimeError("the kernel template process has ended / 内核模板进程已退出") from None
            try:
                pid = self._pids.get(timeout=timeout)
            except queue.Empty:
                pid = None
            if pid is None:
                raise RuntimeError("the kernel template process did not answer / 内核模板进程无响应")
        return ForkedProcess(pid, self)

    def exit_code(self, pid: int, wait: float = 0.2) -> int:
        """The exit code the template reaped for ``pid`` (-9 if it has not said within ``wait`` s)."""
        end = time.monotonic() + wait
        while pid not in self._exits and time.monotonic() < end and self.alive():
            time.sleep(0.01)
        return self._exits.pop(pid, -signal.SIGKILL)

    def close(self, grace: float = 5.0) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def provisioner_class():
    """:class:`ForkProvisioner`, defined on first use (``jupyter_client`` is imported lazily)."""
    global ForkProvisioner
    if "ForkProvisioner" in globals():
        return ForkProvisioner
    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):  # type: ignore[no-redef]
        """``LocalProvisioner`` that forks this interpreter's ipykernel from the worker's template."""

        server: ForkServer | None = None

        async def launch_kernel(self, cmd, **kwargs):
            server = self.server
            if server is None or not server.alive() or not forkable(cmd):
                return await super().launch_kernel(cmd, **kwargs)
            env = {str(k): str(v) for k, v in (kwargs.get("env") or os.environ).items()}
            cwd = os.path.abspath(kwargs.get("cwd") or os.getcwd())  # as Popen resolves it, from here
            try:
                self.process = server.spawn(list(cmd), env, cwd)
            except RuntimeError as exc:  # the template died: this kernel starts the ordinary way
                print(f"staffcalc: {exc}; starting a fresh kernel", file=sys.stderr, flush=True)
                return await super().launch_kernel(cmd, **kwargs)
            self.pid = self.pgid = self.process.pid  # the child leads its own session and group
            self.cwd = cwd
            return self.connection_info

    globals()["ForkProvisioner"] = ForkProvisioner
    return ForkProvisioner


def attach(km, server: ForkServer | None) -> None:
    """Make kernel manager ``km`` (not yet started) launch through ``server``'s template."""
    if server is None:
        return
    cls = provisioner_class()
    km.kernel_id = km.kernel_id or str(uuid.uuid4())
    provisioner = cls(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    provisioner.server = server
    km.provisioner = provisioner
