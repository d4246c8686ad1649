"""Kernels forked from a warm template process: a notebook's kernel ready in a fraction of a second.

A fresh ``python -m ipykernel_launcher`` that imports numpy, pandas, matplotlib and staffcalc costs
about 1.9 s of CPU before the notebook's first cell; the reading and checking of the input tables and
the parsing of the policy files cost each notebook another second.  A ``--per unit`` run pays that 60
times.  Here each pool of report workers keeps one **template** process (:func:`serve`) that has done
all of it once — imported those modules and ipykernel, parsed the policy files, read the run's input
tables (:func:`staffcalc.io.preload`) — and *forks* a kernel from it for each notebook.  The kernel
is a new process with its own copy of that memory: it starts ipykernel (its sockets, threads and event
loop are created after the fork, in the child), and a notebook's first cell finds its imports done and
its tables already read and checked.  The template starts with the pool, so it warms up while the
runner is still checking the input files.

Isolation is that of a fresh process.  The template never runs notebook code, so every kernel starts
from the same state; what one notebook changes (globals, ``sys.modules``, matplotlib's rcParams, a
module-level flag) lives in its own process and dies with it.  Each child starts a new session (so a
timeout kills its whole process group), gets the environment and working directory the kernel
manager asked for, writes its output to the asking worker's stderr (as a kernel the worker started
would), re-seeds ``random`` and numpy's global generator as a fresh interpreter would, and is killed
if the template dies (``PR_SET_PDEATHSIG``); the template dies with the pool's process.

The pool starts the :class:`Template`; each worker talks to it through a :class:`Client` and
``ForkProvisioner`` (:func:`provisioner_class`), a ``jupyter_client`` provisioner that launches
through the template instead of ``Popen`` — everything else (connection files, ports, interrupt, shutdown, kill) is
``LocalProvisioner``'s.  A kernel spec that does not run this interpreter's ``ipykernel_launcher``
(another environment, another language) is launched the ordinary way, and so is every kernel if the
template has died.  ``STAFFCALC_FORK_KERNELS=0`` turns forking off (then every kernel is a fresh
process started ahead of time).

Protocol, on the template's Unix socket (one JSON object per line): a worker sends
``{"argv", "env", "cwd"}`` with its stderr descriptor attached (``SCM_RIGHTS``); the template answers
``{"pid": n}``, and ``{"exit": n, "code": c}`` when it has reaped child ``n``.  The pool holds the
template's stdin: when it closes, the template exits.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import deque

from .processes import ends_at_eof, kill_group, set_pdeathsig

ENV_SWITCH = "STAFFCALC_FORK_KERNELS"
ENV_ADDRESS = "STAFFCALC_KERNEL_TEMPLATE"  # the template's socket, for the pool's workers
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
def _warm(data_dir: str) -> None:
    """Everything a kernel would otherwise do before its notebook's first cell."""
    import importlib

    from .worker import WARM_MODULES

    for name in WARM_MODULES:
        importlib.import_module(name)
    importlib.import_module("ipykernel.kernelapp")
    importlib.import_module("ipykernel.ipkernel")
    # Not matplotlib's backend: importing matplotlib_inline's backend hooks it into the running IPython
    # shell, and there is none here; each kernel loads it at its first figure, as a fresh kernel does.
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
        set_pdeathsig(signal.SIGKILL)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)  # not the template's request pipe
        os.close(devnull)
        out = request.get("_fd")
        if out is not None:  # the asking worker's stderr: kernel output goes where it went before forking
            os.dup2(out, 1)
            os.dup2(out, 2)
            os.close(out)
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

        import matplotlib
        import numpy as np

        random.seed()
        np.random.seed()
        if os.environ.get("MPLBACKEND"):  # read when the template imported matplotlib; the kernel's may differ
            matplotlib.rcParams["backend"] = os.environ["MPLBACKEND"]
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


def _reap(owners: dict) -> None:
    """Reap ended kernels and tell the worker that asked for each one."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = owners.pop(pid, None)
        if conn is not None:
            try:
                conn.sendall((json.dumps({"exit": pid, "code": os.waitstatus_to_exitcode(status)}) + "\n").encode())
            except OSError:
                pass


def serve(data_dir: str, listening_fd: str) -> int:
    """The template process: warm up, then fork a kernel for each request of any worker connected to
    the Unix socket it inherited (``listening_fd``), until stdin (held by the pool) closes."""
    set_pdeathsig(signal.SIGKILL)
    if os.getppid() == 1:  # the pool died before the line above took effect
        return 143
    listener = socket.socket(fileno=int(listening_fd))
    os.dup2(2, 1)
    _warm(data_dir)
    # Everything the template made so far lives as long as it does: moved out of the collector's
    # reach, a kernel's garbage collections neither walk it nor copy its pages (copy-on-write).
    gc.collect()
    gc.freeze()
    wake_r, wake_w = os.pipe()  # SIGCHLD wakes the loop at once, so a kernel's end is reported at once
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    lifeline = sys.stdin.fileno()
    conns: dict = {}   # connection -> (bytes received and not yet handled, descriptors received with them)
    owners: dict = {}  # kernel pid -> the connection that asked for it
    while True:
        ready, _, _ = select.select([lifeline, wake_r, listener, *conns], [], [], 5.0)
        if wake_r in ready:
            os.read(wake_r, 4096)
        _reap(owners)
        if lifeline in ready and not os.read(lifeline, 4096):
            break
        if listener in ready:
            conn, _ = listener.accept()
            conns[conn] = (b"", [])
        for conn in [c for c in ready if c in conns]:
            chunk, fds, _, _ = socket.recv_fds(conn, 65536, 4)
            if not chunk:
                conn.close()
                del conns[conn]
                continue
            buffer, pending = conns[conn]
            buffer += chunk
            pending.extend(fds)  # one descriptor (the worker's stderr) comes with each request
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                request = json.loads(line)
                request["_fd"] = pending.pop(0) if pending else None
                pid = os.fork()
                if pid == 0:
                    signal.set_wakeup_fd(-1)
                    for fd in (wake_r, wake_w, lifeline, *pending):
                        os.close(fd)
                    for sock in (listener, *conns):
                        sock.close()
                    _child(request)
                if request["_fd"] is not None:
                    os.close(request["_fd"])
                owners[pid] = conn
                conn.sendall((json.dumps({"pid": pid}) + "\n").encode())
            conns[conn] = (buffer, pending)
    _reap(owners)
    return 0


# --------------------------------------------------------------------------------------------------
# The pool's side: one template per pool
# --------------------------------------------------------------------------------------------------
class Template:
    """The template process of a pool (started by :class:`staffcalc.report.pool.Pool`, shared by its
    workers through a Unix socket whose path is :attr:`address`)."""

    def __init__(self, cwd: str, env: dict | None = None, data_dir: str = ""):
        import tempfile

        self._dir = tempfile.mkdtemp(prefix="staffcalc-template-")
        self.address = os.path.join(self._dir, "socket")
        # Listening before the template starts: a worker's request waits until the template is warm, and
        # once the template has ended (it holds the only listening descriptor) a connection is refused
        # at once, so the worker starts its kernels the ordinary way without waiting.
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.address)
        listener.listen(64)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", f"import sys; from {__name__} import serve; sys.exit(serve(*sys.argv[1:]))",
                 data_dir, str(listener.fileno())],
                stdin=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env, start_new_session=True,
                pass_fds=(listener.fileno(),),
            )
        finally:
            listener.close()
        self.tail: deque[str] = deque(maxlen=40)  # what the template itself said (a failed warm-up)
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stderr(self) -> None:
        for raw in self.proc.stderr:
            self.tail.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self, grace: float = 5.0) -> None:
        """End the template (its kernels are the workers' business: they end with their notebooks)."""
        if not ends_at_eof(self.proc, grace):
            self.kill()
        self._cleanup()

    def kill(self) -> None:
        kill_group(self.proc.pid)
        self.proc.wait()
        self._cleanup()

    def _cleanup(self) -> None:
        import shutil

        shutil.rmtree(self._dir, ignore_errors=True)


# --------------------------------------------------------------------------------------------------
# The worker's side
# --------------------------------------------------------------------------------------------------
class ForkedProcess:
    """A ``subprocess.Popen``-like handle on a kernel the template forked (not our child: the template
    reaps it; a pidfd tells when it ended)."""

    def __init__(self, pid: int, client: "Client"):
        self.pid, self._client, self.returncode = pid, client, None
        self._fd = os.pidfd_open(pid)
        self.stdin = self.stdout = self.stderr = None  # jupyter_client closes these if present

    def _ended(self, timeout: float | None) -> bool:
        ready, _, _ = select.select([self._fd], [], [], timeout)
        return bool(ready)

    def poll(self) -> int | None:
        if self.returncode is None and self._ended(0):
            self.returncode = self._client.exit_code(self.pid)
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


class Client:
    """A worker's connection to its pool's template: asks it for one kernel per notebook."""

    def __init__(self, address: str):
        self.address = address
        self._sock = None
        self._lock = threading.Lock()
        self._pids: queue.Queue = queue.Queue()
        self._exits: dict[int, int] = {}

    def _connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(self.address)
        except OSError:
            sock.close()
            raise
        self._sock = sock
        threading.Thread(target=self._read, args=(sock,), daemon=True).start()

    def _read(self, sock) -> None:
        for raw in sock.makefile("rb"):
            msg = json.loads(raw)
            if "exit" in msg:
                self._exits[int(msg["exit"])] = int(msg["code"])
            else:
                self._pids.put(int(msg["pid"]))
        self._sock = None
        self._pids.put(None)

    def spawn(self, argv: list[str], env: dict, cwd: str, timeout: float = 120.0) -> ForkedProcess:
        """Fork a kernel running ``argv`` (this interpreter's ipykernel_launcher) in ``cwd`` with ``env``."""
        with self._lock:
            try:
                if self._sock is None:
                    self._connect()
                payload = (json.dumps({"argv": argv, "env": env, "cwd": cwd}) + "\n").encode()
                sent = socket.send_fds(self._sock, [payload], [2])  # with it, our stderr for the kernel
                if sent < len(payload):
                    self._sock.sendall(payload[sent:])
            except OSError:
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
        while pid not in self._exits and time.monotonic() < end:
            time.sleep(0.01)
        return self._exits.pop(pid, -signal.SIGKILL)

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass


@functools.cache
def provisioner_class():
    """``ForkProvisioner``, defined on first use (``jupyter_client`` is imported lazily)."""
    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        """``LocalProvisioner`` that forks this interpreter's ipykernel from the pool's template."""

        server: Client | None = None

        async def launch_kernel(self, cmd, **kwargs):
            server = self.server
            if server is None or not forkable(cmd):
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

    return ForkProvisioner


def attach(km, server: Client | None) -> None:
    """Make kernel manager ``km`` (not yet started) launch through ``server``'s template."""
    if server is None:
        return
    cls = provisioner_class()
    km.kernel_id = km.kernel_id or str(uuid.uuid4())
    provisioner = cls(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    provisioner.server = server
    km.provisioner = provisioner
