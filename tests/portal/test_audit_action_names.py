"""Audit actions say what happened, in the past tense, with one name per change (portal/audit.py)."""
from __future__ import annotations

import ast
import importlib.util
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("portal", "organisations", "eligibility", "grants", "monitoring", "bench")
NAME = re.compile(r"^[a-z_]+\.[a-z_]+$")
# Past participles that do not end in "ed" (irregular verbs), with the verb each comes from.
IRREGULAR_PARTICIPLES = {"made": "make", "paid": "pay", "reset": "reset", "sent": "send", "withdrawn": "withdraw"}


def _says_what_happened(name: str) -> bool:
    """`tranche.cancelled`, `application.closed_ineligible`, `user.confirmation_sent`: a word of the
    part after the dot is a past participle."""
    words = name.split(".", 1)[1].split("_")
    return any(word.endswith("ed") or word in IRREGULAR_PARTICIPLES for word in words)


def _strings(node: ast.AST) -> list[str]:
    """The literal strings an expression can give (covers `"a" if x else "b"`)."""
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _action_literals(tree: ast.AST) -> list[tuple[str, int]]:
    """Names passed to audit.record(action=...), assigned to a variable `action` that is passed on,
    or written as an "action" column of audit rows inserted in bulk (the benchmark's generator)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if function == "record":
                found += [(s, node.lineno) for k in node.keywords if k.arg == "action" for s in _strings(k.value)]
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "action" for t in node.targets):
            found += [(s, node.lineno) for s in _strings(node.value)]
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "action":
                    found += [(s, node.lineno) for s in _strings(value)]
    return found


def action_names_in_code() -> dict[str, list[str]]:
    names = defaultdict(list)
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for name, line in _action_literals(ast.parse(path.read_text(encoding="utf-8"))):
                names[name].append(f"{path.relative_to(ROOT)}:{line}")
    return dict(names)


def renamed_by_migration() -> dict[str, str]:
    path = next((ROOT / "migrations" / "versions").glob("0013_*past_tense_audit_actions.py"))
    spec = importlib.util.spec_from_file_location("past_tense_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.RENAMED


def test_the_scan_finds_the_names_whichever_way_the_code_writes_them():
    names = action_names_in_code()
    assert len(names) > 60
    assert "report.submitted" in names  # assigned to `action` first
    assert "representative.join_declined" in names  # one arm of a conditional
    assert any(place.startswith("bench/") for place in names["decision.made"])  # a bulk-inserted row


def test_every_audit_action_in_the_code_is_object_dot_past_tense():
    names = action_names_in_code()
    malformed = {name: places for name, places in names.items() if not NAME.match(name)}
    assert malformed == {}
    not_past = {name: places for name, places in names.items() if not _says_what_happened(name)}
    assert not_past == {}
    words = {word for name in names for word in name.split(".", 1)[1].split("_")}
    assert set(IRREGULAR_PARTICIPLES) <= words, "drop allow-list entries the code no longer writes"


def test_names_that_do_not_say_what_happened_are_refused():
    assert not any(_says_what_happened(name) for name in (
        "tranche.cancel", "finding.attachment_add", "organisation.status", "withdrawal.grants",
        "application.close_ineligible", "screening.run"))


def test_the_old_names_are_gone_from_the_code_and_the_migration_renames_them_to_names_in_use():
    names = action_names_in_code()
    renamed = renamed_by_migration()
    assert set(renamed) & set(names) == set()
    assert set(renamed.values()) <= set(names)
    # The withdrawal, the demo and cancelling by hand write one name each for the same change.
    assert renamed["tranche.cancel"] == "tranche.cancelled"
    assert renamed["application.close_ineligible"] == "application.closed_ineligible"
