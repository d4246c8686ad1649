"""The notebooks' source is the jupytext percent script beside each .ipynb (notebooks/jupytext.toml).

The committed .ipynb (what papermill, nbval and Voila run) must hold exactly the cells of its script:
same kinds, same source, same tags, no outputs.  After editing a script, ``make notebooks`` syncs it.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SCRIPTS = sorted(NOTEBOOKS.glob("*.py"))


def cells(nb) -> list[tuple[str, str, tuple]]:
    return [(c.cell_type, c.source, tuple(c.metadata.get("tags", ()))) for c in nb.cells]


def test_every_notebook_has_a_script_and_every_script_a_notebook():
    assert {p.stem for p in SCRIPTS} == {p.stem for p in NOTEBOOKS.glob("*.ipynb")}
    assert {"post_quotas", "appraisal_distribution", "leave_cost_impact", "whatif_scoring"} <= {p.stem for p in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_committed_notebook_equals_its_script(script):
    from_script = jupytext.read(script)
    committed = nbformat.read(script.with_suffix(".ipynb"), as_version=4)
    assert cells(committed) == cells(from_script), f"{script.name} and its .ipynb differ: run `make notebooks`"
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "committed notebooks carry no outputs"
    assert "parameters" in code[0].metadata.get("tags", []), "the first code cell is papermill's parameters cell"
    assert committed.metadata["kernelspec"]["name"] == "python3"


def test_the_check_notices_a_script_edit(tmp_path):
    script = SCRIPTS[0]
    edited = tmp_path / script.name
    edited.write_text(script.read_text(encoding="utf-8").replace("# %%\n", "# %%\nx = 1\n", 1), encoding="utf-8")
    committed = nbformat.read(script.with_suffix(".ipynb"), as_version=4)
    assert cells(jupytext.read(edited)) != cells(committed)
