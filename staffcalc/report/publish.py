"""Publishing a run: HTML without code, atomic folders, the ``latest`` pointer.

- A run writes into ``<out>/.tmp-<run-id>/`` and is published by one ``os.rename`` to
  ``<out>/<run-id>/``: a reader never sees a half-written run under its run id, and an earlier run
  is never modified.  A run killed midway leaves only its hidden ``.tmp-`` folder, which the next
  run (holding the lock, so it cannot be a live run) removes.
- ``<out>/latest`` is a relative symlink to the last *complete* run (every notebook ``ok``),
  replaced atomically by ``os.replace`` of a freshly made temporary symlink.  Where symlinks are not
  available (Windows without developer mode, some network shares) ``<out>/latest.txt`` holds the
  run id instead, also replaced atomically.  :func:`latest_run` reads either.
- A run in which a notebook failed is still published (its manifest says ``"status": "failed"``,
  so the partial notebooks can be inspected) but ``latest`` stays on the previous complete run.
- ``latest`` is the whole default report: only a complete run of every notebook of the config, for
  the whole institution and without overrides, moves it (:func:`pointer_name`).  A complete what-if
  run (``--override FILE``) moves its own pointer ``<out>/whatif-<file stem>`` instead; an ``--only``
  or ``--per unit`` run moves no pointer, so it never takes notebooks or units away from ``latest``.
- An output folder that cannot be created or written (missing parent, no permission, a file in its
  place, a full disk) raises :class:`OutputError` with the path and the reason: the temporary
  folder is removed and earlier runs and pointers are left as they were.
- HTML reports hide code cells and prompts and load nothing from the network: the JupyterLab
  template's require.js, MathJax, Mermaid and widget scripts (all from CDNs) are left out, and any
  remaining ``<script src="http…">`` is removed.  Figures are embedded as base64 PNG.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import secrets
import shutil
from pathlib import Path

from ..atomic import write_text

LATEST = "latest"
LATEST_TXT = "latest.txt"
WHATIF_PREFIX = "whatif-"
TMP_PREFIX = ".tmp-"
RUN_ID = re.compile(r"^\d{8}T\d{9}Z-[0-9a-f]{6}$")

_OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
"""
_REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", re.IGNORECASE)
_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.IGNORECASE)


class OutputError(OSError):
    """The output folder cannot be created or written; nothing was published."""


def pointer_name(only: list[str] | None, override: str | Path | None, per: str | None) -> str | None:
    """The pointer a complete run moves: ``latest`` for the default suite, ``whatif-<stem>`` for a
    what-if of the whole suite, none for ``--only`` or ``--per`` runs (see the module docstring)."""
    if only or per:
        return None
    if override:
        slug = re.sub(r"[^\w.-]+", "_", Path(override).stem).strip("._") or "override"
        return f"{WHATIF_PREFIX}{slug}"
    return LATEST


def output_error(what: str, path: Path, exc: OSError) -> OutputError:
    """A clear, bilingual :class:`OutputError` for ``exc`` met while ``what`` at ``path``."""
    import errno

    reason = {errno.ENOSPC: "the disk is full / 磁盘已满", errno.EACCES: "permission denied / 没有写入权限",
              errno.EROFS: "read-only file system / 只读文件系统", errno.ENOTDIR: "a file is in the way / 路径上有同名文件",
              errno.EEXIST: "a file is in the way / 路径上有同名文件"}.get(exc.errno, exc.strerror or str(exc))
    return OutputError(exc.errno, f"cannot {what} {path}: {reason}; nothing was published and earlier runs are "
                       f"unchanged / 无法写入输出目录，未发布任何内容，以前的运行未改动")


def new_run_id(now: dt.datetime | None = None) -> str:
    """``YYYYMMDDTHHMMSSmmmZ-xxxxxx``: UTC time to the millisecond, then 6 random hex digits.

    Sorting run ids sorts runs by start time."""
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z-" + secrets.token_hex(3)


@functools.lru_cache(maxsize=1)
def html_exporter():
    """The HTML exporter (templates loaded once per process; a report worker reuses it)."""
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        extra_loaders=[jinja2.DictLoader({"staffcalc_offline.html.j2": _OFFLINE_TEMPLATE})],
        template_file="staffcalc_offline.html.j2",
    )


def export_html(notebook: str | Path, html: str | Path) -> Path:
    """Write an offline HTML report of an executed notebook: outputs only, no code, no prompts."""
    body, _ = html_exporter().from_filename(str(notebook))
    body = strip_remote(body)
    return write_text(html, body)


def strip_remote(html: str) -> str:
    """Remove ``<script src="http…">`` and ``<link href="http…">`` tags (CDN dependencies)."""
    return _REMOTE_LINK.sub("", _REMOTE_SCRIPT.sub("", html))


def fsync_dir(path: Path) -> None:
    """Best effort: make a rename inside ``path`` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def publish(tmp_dir: Path, final_dir: Path) -> Path:
    """Move a finished run from its ``.tmp-`` folder to its run-id folder in one rename."""
    if final_dir.exists():
        raise FileExistsError(f"{final_dir} already exists; runs are never overwritten / 运行目录已存在")
    os.rename(tmp_dir, final_dir)
    fsync_dir(final_dir.parent)
    return final_dir


def set_latest(out: Path, run_id: str, name: str = LATEST) -> str:
    """Point ``<out>/<name>`` (default ``latest``) at ``run_id`` atomically.  Returns ``"symlink"`` or
    ``"<name>.txt"``."""
    out = Path(out)
    tmp_link = out / f".latest-{run_id}.tmp"
    try:
        if tmp_link.is_symlink() or tmp_link.exists():
            tmp_link.unlink()
        os.symlink(run_id, tmp_link, target_is_directory=True)
    except (OSError, NotImplementedError, AttributeError):
        _write_latest_txt(out, run_id, name)
        return f"{name}.txt"
    os.replace(tmp_link, out / name)
    if (out / f"{name}.txt").exists():  # keep an older pointer file from a symlink-less platform in step
        _write_latest_txt(out, run_id, name)
    fsync_dir(out)
    return "symlink"


def _write_latest_txt(out: Path, run_id: str, name: str = LATEST) -> None:
    write_text(out / f"{name}.txt", run_id + "\n")
    fsync_dir(out)


def latest_run(out: str | Path, name: str = LATEST) -> Path | None:
    """The folder ``<out>/<name>`` (default ``latest``) points at (symlink first, then ``<name>.txt``),
    or None."""
    out = Path(out)
    link = out / name
    if link.is_symlink():
        target = out / os.readlink(link)
        return target if target.is_dir() else None
    txt = out / f"{name}.txt"
    if txt.is_file():
        run_id = txt.read_text(encoding="utf-8").strip()
        if run_id and (out / run_id).is_dir():
            return out / run_id
    return None


def remove_stale_tmp(out: Path) -> list[str]:
    """Remove ``.tmp-*`` run folders and ``.latest-*`` temporaries left by killed runs.

    Call only while holding the run lock: then no live run owns them."""
    removed = []
    for p in sorted(Path(out).glob(TMP_PREFIX + "*")):
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p.name)
    for p in Path(out).glob(".latest-*"):
        try:
            p.unlink()
        except OSError:
            pass
    return removed
