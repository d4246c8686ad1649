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


def set_latest(out: Path, run_id: str) -> str:
    """Point ``<out>/latest`` at ``run_id`` atomically.  Returns ``"symlink"`` or ``"latest.txt"``."""
    out = Path(out)
    tmp_link = out / f".latest-{run_id}.tmp"
    try:
        if tmp_link.is_symlink() or tmp_link.exists():
            tmp_link.unlink()
        os.symlink(run_id, tmp_link, target_is_directory=True)
    except (OSError, NotImplementedError, AttributeError):
        _write_latest_txt(out, run_id)
        return LATEST_TXT
    os.replace(tmp_link, out / LATEST)
    if (out / LATEST_TXT).exists():  # keep an older pointer file from a symlink-less platform in step
        _write_latest_txt(out, run_id)
    fsync_dir(out)
    return "symlink"


def _write_latest_txt(out: Path, run_id: str) -> None:
    write_text(out / LATEST_TXT, run_id + "\n")
    fsync_dir(out)


def latest_run(out: str | Path) -> Path | None:
    """The folder of the last complete run in ``out`` (symlink first, then ``latest.txt``), or None."""
    out = Path(out)
    link = out / LATEST
    if link.is_symlink():
        target = out / os.readlink(link)
        return target if target.is_dir() else None
    txt = out / LATEST_TXT
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
