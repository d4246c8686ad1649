"""Process plumbing shared by the report pool, its workers and the kernel template.

- :func:`set_pdeathsig`: have the kernel signal this process when its parent dies (Linux);
- :func:`kill_group`: kill a process and its group at once (kernels, workers and the template each
  lead their own session, so their children go with them);
- :func:`ends_at_eof`: ask a process that reads work from its stdin to finish, and wait for it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def set_pdeathsig(sig: int) -> None:
    """``PR_SET_PDEATHSIG``: this process gets ``sig`` when the thread that started it ends (Linux;
    elsewhere nothing, and the parent still kills its process groups on timeout)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, sig)  # PR_SET_PDEATHSIG
        except Exception:  # noqa: BLE001 - not fatal, see above
            pass


def kill_group(pid: int) -> None:
    """SIGKILL to ``pid``'s process group, or to ``pid`` alone if it leads none; gone already is fine."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (OSError, AttributeError):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def ends_at_eof(proc: subprocess.Popen, grace: float) -> bool:
    """Close ``proc``'s stdin (its signal to finish) and wait up to ``grace`` s; whether it ended."""
    try:
        proc.stdin.close()
    except OSError:
        pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        return False
    return True
