"""Start-up cost of the long-lived processes (report workers, the what-if server): :func:`skip_iri_checker`.

``jsonschema`` registers a checker for the ``iri`` / ``iri-reference`` string formats when the
optional ``rfc3987_syntax`` package is importable, and that package builds a Lark grammar at import:
1.6–5 s of CPU on this project's 2-core machines, paid by every process that imports ``nbformat``'s
validator or ``jupyter_server`` (through ``jupyter_events``).  No schema these processes validate
(the notebook format, Jupyter's event schemas) uses those two formats, so the checker is never
called; marking the package as absent keeps every other format checker and saves the grammar.
"""

from __future__ import annotations

import sys

SLOW_OPTIONAL = "rfc3987_syntax"


def skip_iri_checker() -> bool:
    """Make ``import rfc3987_syntax`` fail in this process (before ``jsonschema`` is imported).

    Returns False (and changes nothing) when the package is already imported."""
    if SLOW_OPTIONAL in sys.modules:
        return sys.modules[SLOW_OPTIONAL] is None
    sys.modules[SLOW_OPTIONAL] = None  # the import system raises ImportError for a None entry
    return True
