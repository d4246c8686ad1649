"""The what-if page's baseline, computed once by ``staffcalc whatif`` and handed to its kernels.

``staffcalc whatif`` computes the baseline anyway, to check the data before it prints the address
(:func:`staffcalc.whatif_server.serve`).  Every kernel of the page used to compute it again: reading
and checking the tables, loading the policy files, running the public pipeline once — about a
second of CPU per kernel, the largest part of the first page's wait after Voila's start.  Now the
launcher writes what it computed (:func:`save`) to a private file named by ``$STAFFCALC_WHATIF_BASELINE``,
and :func:`load` in a kernel takes it from there — waiting for it while the launcher is still at
work — when it was computed for the same data folder, date and openings from files that have not
changed since (same size, modification time and inode of every file in the data folder and of the
policy files).  Anything else, or no such file (the notebook run by papermill or Jupyter), and the
kernel computes the baseline itself with :func:`staffcalc.scenario.load_baseline`, as before.  It is
the same object either way: one implementation, computed in another process.
"""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path
from typing import Any

from .atomic import atomic_path

ENV_BASELINE = "STAFFCALC_WHATIF_BASELINE"  # the file the launcher writes the baseline to
WAIT_S = 60.0   # a kernel waits this long for the launcher's baseline, then computes its own
POLL_S = 0.05
POLICY_DIR = Path(__file__).resolve().parent / "policies"


def fingerprint(data_dir: str | os.PathLike) -> tuple:
    """What the baseline was computed from: each file of the data folder and each policy file, by
    name, size, modification time and inode (a changed or replaced file changes it)."""
    out = []
    for folder in (Path(data_dir), POLICY_DIR):
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            if e.is_file():
                st = e.stat()
                out.append((str(folder.resolve()), e.name, st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(out)


def key(data_dir: str | os.PathLike, as_of: Any, openings: Any) -> tuple:
    return (str(Path(data_dir).resolve()), str(as_of), str(openings), fingerprint(data_dir))


def save(baseline, path: str | os.PathLike, data_dir: str | os.PathLike, as_of: Any, openings: Any,
         files: tuple | None = None) -> None:
    """Write ``baseline`` with its key to ``path`` (complete or not at all: written aside, then
    renamed).  ``files``: the :func:`fingerprint` taken *before* the data were read, so that a file
    changed while it was being read makes the kernels compute their own."""
    path = Path(path)
    k = key(data_dir, as_of, openings)
    if files is not None:
        k = (*k[:3], files)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        pickle.dump((k, baseline), fh, protocol=pickle.HIGHEST_PROTOCOL)


def load(data_dir: str | os.PathLike, as_of: Any, openings: Any):
    """The launcher's baseline for these arguments, waiting up to :data:`WAIT_S` for it; or one
    computed here (:func:`staffcalc.scenario.load_baseline`)."""
    handed = os.environ.get(ENV_BASELINE)
    if handed:
        path = Path(handed)
        deadline = time.monotonic() + WAIT_S
        while not path.is_file() and path.parent.is_dir() and time.monotonic() < deadline:
            time.sleep(POLL_S)
        try:
            with open(path, "rb") as fh:
                k, baseline = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError):
            pass
        else:
            if k == key(data_dir, as_of, openings):
                return baseline
    from . import scenario

    return scenario.load_baseline(data_dir, as_of, openings)
