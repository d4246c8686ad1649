"""staffcalc.startup: the worker and what-if server skip rfc3987_syntax's grammar, and validation still works."""

import subprocess
import sys

CHECK = """
import sys
from staffcalc.startup import skip_iri_checker
assert skip_iri_checker() is True
import nbformat
nb = nbformat.v4.new_notebook()
nbformat.validate(nb)                       # a valid notebook passes
nb.cells.append({"cell_type": "code"})      # no source, no outputs: invalid
try:
    nbformat.validate(nb)
except nbformat.ValidationError:
    pass
else:
    raise SystemExit("an invalid notebook was accepted")
from jsonschema import FormatChecker
assert "date" in FormatChecker.checkers and "iri" not in FormatChecker.checkers
assert sys.modules["rfc3987_syntax"] is None
print("ok")
"""


def test_skip_iri_checker_keeps_notebook_validation():
    r = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_skip_iri_checker_changes_nothing_once_imported():
    code = ("import sys; sys.modules['rfc3987_syntax'] = object()\n"
            "from staffcalc.startup import skip_iri_checker\n"
            "print(skip_iri_checker(), sys.modules['rfc3987_syntax'] is not None)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert r.stdout.split() == ["False", "True"], r.stderr
