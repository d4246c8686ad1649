"""The run manifest (``manifest.json``): what ran, on which inputs, under which policy, with what result.

Keys::

    run_id, status ("complete" | "failed"), started, finished, duration_s (UTC ISO times)
    staffcalc_version, python, papermill_version, command
    config        {path, sha256}
    data_dir      absolute path; inputs: [{path (relative to data_dir), bytes, sha256}]
    policy        [{as_of, variant, documents: [{id, title, number, effective, file, sha256}],
                    versions: {id: "title (effective)"}}]   one entry per as-of date used
    overrides     null or {file, sha256, values}           the what-if applied (--override)
    show_names, per, units, jobs, scheduler
    notebooks     [{name, unit, notebook, notebook_sha256, parameters, timeout, cell_timeout,
                    status, error, attempts, worker, started, finished, duration_s,
                    outputs: [{path (relative to the run folder), bytes, sha256}]}]

``error`` is null or ``{cell_index, cell_id, source_line, execution_count, ename, evalue}``:
``cell_index`` is 0-based in the *source* notebook (the one users edit; papermill's injected
parameters cell and error banners are not counted), ``cell_id`` the nbformat cell id,
``source_line`` the cell's first line of code, ``execution_count`` its ``In [n]`` in the executed
notebook.  ``worker`` is ``{host, pid}`` of the process that ran the task (a Dask worker with
``--scheduler``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

from ..atomic import write_text

_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def file_entries(root: Path, files: Iterable[Path] | None = None) -> list[dict[str, Any]]:
    """``[{path, bytes, sha256}]`` for ``files`` (default: every non-hidden file under ``root``)."""
    root = Path(root)
    if files is None:
        files = (
            p for p in root.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
        )
    return [
        {"path": p.relative_to(root).as_posix(), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
        for p in sorted(files)
    ]


def policy_entry(policy, as_of: str, variant) -> dict[str, Any]:
    """The documents behind a loaded :class:`staffcalc.policy.Policy` (one per namespace, deduplicated)."""
    docs = {}
    for doc in policy.sources.values():
        if doc.id in docs:
            continue
        docs[doc.id] = {
            "id": doc.id,
            "title": doc.title,
            "number": doc.number,
            "effective": doc.effective.isoformat(),
            "file": Path(doc.path).name,
            "sha256": sha256_file(doc.path) if Path(doc.path).is_file() else None,
        }
    return {
        "as_of": as_of,
        "variant": variant,
        "documents": sorted(docs.values(), key=lambda d: d["id"]),
        "versions": dict(sorted(policy.versions.items())),
    }


def write_json(path: Path, data: Any) -> Path:
    """Write JSON atomically (temporary file, fsync, rename)."""
    return write_text(path, json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", fsync=True)
