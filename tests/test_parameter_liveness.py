"""Every bundled policy parameter is live: read by a calculation, or marked as documentation with a reason.

``staffcalc.parameter_use.parameter_readers`` runs every public calculation on the committed
sample data for each policy variant while ``staffcalc.policy.record_reads`` records each
``Policy.get``.  A parameter nobody reads is a number that changes nothing when a planner overrides
it (issue 11: ``recruitment.conduct.sick_leave_month_days`` was listed as an interpretation in force
while the code read another key).  Every interpretation must also be switchable — its
``alternative_value`` is a valid override and a test elsewhere in ``tests/`` overrides that path —
or say in ``not_switchable`` why the alternative is not an override.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from staffcalc import parameter_use
from staffcalc import policy as policy_mod

TESTS = Path(__file__).resolve().parent
DOCS = policy_mod.documents()
PARAMS = [(doc, path, p) for doc in DOCS.values() for path, p in doc.parameters.items()]
INTERPRETATIONS = [(d, path, p) for d, path, p in PARAMS if p.interpretation]


@pytest.fixture(scope="module")
def readers():
    return parameter_use.parameter_readers()


def test_every_bundled_parameter_is_read_by_a_calculation_or_marked_documentation(readers):
    problems = []
    for doc, path, p in PARAMS:
        read = readers[doc.id][path]
        where = f"{doc.path.relative_to(policy_mod.POLICY_DIR.parent.parent)}: {path} ({doc.id})"
        if not read and not p.documentation:
            problems.append(
                f"{where}: no calculation reads it. Fix: read it with policy.get(\"{path}\") where the rule is "
                f"applied (a new public calculation must also be called in "
                f"staffcalc.parameter_use.run_calculations), or mark it in the YAML with "
                f"`documentation: <why no calculation reads it>`.")
        if read and p.documentation:
            problems.append(f"{where}: marked `documentation:` but read by {', '.join(read)}. Fix: remove the "
                            f"`documentation:` line.")
    assert not problems, "\n".join(problems)


def test_readers_name_the_public_calculation():
    tables = parameter_use.read_tables(parameter_use.DEFAULT_DATA, ["disciplines", "staff"])
    pol = policy_mod.load(parameter_use.SAMPLE_DATE)
    with policy_mod.record_reads() as reads:
        from staffcalc import quotas
        quotas.senior_cap(tables["disciplines"]["establishment"], tables["disciplines"]["category"], policy=pol)
        pol.get("quotas.full_senior_share")  # a read from outside the package (this test)
    assert reads["quotas.senior_ratio"] == {"staffcalc.quotas.senior_cap"}  # not the private helper
    assert reads["quotas.full_senior_share"] == {""}
    assert "quotas.senior_ratio" not in policy_mod._RECORDERS  # recording stops with the block


def test_readers_are_calculations_not_the_driver(readers):
    assert readers["P6"]["quotas.senior_ratio"] == ("staffcalc.outlook.outlook", "staffcalc.quotas.quota_table",
                                                    "staffcalc.quotas.senior_cap")
    assert readers["P2"]["duty.exemption.pregnancy_weeks"] == ("staffcalc.scoring.duty.exemptions",)
    everyone = {r for doc in readers.values() for names in doc.values() for r in names}
    assert not any(r.startswith(("staffcalc.parameter_use", "staffcalc.rules_docs")) for r in everyone)


def test_every_interpretation_is_switchable_or_says_why():
    problems = [
        f"{doc.path.name}: {path} ({doc.id}) is an interpretation without `alternative_value:` (the override that "
        f"expresses the alternative: {p.alternative}) or `not_switchable: <why the alternative is not an override>`"
        for doc, path, p in INTERPRETATIONS if not p.has_alternative_value and not p.not_switchable]
    assert not problems, "\n".join(problems)


def _names_for(path: str) -> list[str]:
    """How a test may spell the path: the literal, or a package constant holding it (category.CONFLICT_PATH)."""
    spellings = [f'"{path}"', f"'{path}'"]
    for name, module in list(sys.modules.items()):
        if name.startswith("staffcalc"):
            spellings += [f".{k}" for k, v in vars(module).items() if k.isupper() and isinstance(v, str) and v == path]
    return spellings


def _test_files_overriding(path: str) -> list[str]:
    found = []
    spellings = _names_for(path)
    for f in sorted(TESTS.glob("test_*.py")):
        if f.name == Path(__file__).name:
            continue
        text = f.read_text(encoding="utf-8")
        if "override" in text and any(s in text for s in spellings):
            found.append(f.name)
    return found


@pytest.mark.parametrize("doc,path,p", [x for x in INTERPRETATIONS if x[2].has_alternative_value],
                         ids=[f"{d.id}:{path}" for d, path, p in INTERPRETATIONS if p.has_alternative_value])
def test_the_alternative_is_a_valid_override_and_has_a_test(doc, path, p):
    pol = policy_mod.load(parameter_use.SAMPLE_DATE, variant=None if doc.default else doc.id)
    alternative = pol.override({path: p.alternative_value})
    assert alternative.get(path) != pol.get(path), f"{path}: alternative_value equals the value in force"
    assert _test_files_overriding(path), (
        f"{path} ({doc.id}): no test in tests/ overrides it. Fix: add a test that overrides \"{path}\" with the "
        f"alternative ({p.alternative}) and asserts the result worked out by hand.")
