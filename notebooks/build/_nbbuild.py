"""Shared by the notebook build scripts: turn a list of (kind, source) cells into a notebook file.

``kind`` is "md" (markdown), "code", or "params" (the code cell tagged ``parameters`` for papermill).
Notebooks are written without outputs, with the ``python3`` kernel.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

# The parameters every report notebook declares; ``staffcalc report`` sets data_dir, out_dir,
# show_names, overrides_file (with --override) and unit (with --per unit).
COMMON_PARAMETERS = '''\
data_dir = "../data"
out_dir = "."
as_of = "2026-09-01"
overrides_file = ""
show_names = False
unit = ""
'''


def build(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    out = []
    for i, (kind, src) in enumerate(cells):
        if kind == "md":
            out.append(new_markdown_cell(src))
        else:
            cell = new_code_cell(src)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
            out.append(cell)
        out[-1].id = f"cell-{i:02d}"  # stable ids keep rebuilt notebooks' diffs small
    nb = new_notebook(cells=out)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def write_notebook(cells: list[tuple[str, str]], path: Path) -> None:
    nb = build(cells)
    nbformat.validate(nb)
    Path(path).write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    print(f"wrote {path}")
