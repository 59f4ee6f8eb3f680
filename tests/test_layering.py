"""The statistical path's layers (issue 9 §4): `explorer.learned` (configurations,
features, step rules, models) imports neither the estimators nor benchmarking; the
estimators never import benchmarking (devices, campaigns, stores); benchmarking may use
both. Imports inside functions count too: they hid the old cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

EXPLORER = Path(__file__).resolve().parents[1] / "explorer"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return out


@pytest.mark.parametrize(("package", "forbidden"), [
    ("learned", ("explorer.estimators", "explorer.benchmarking", "explorer.gui")),
    ("estimators", ("explorer.benchmarking", "explorer.gui")),
])
def test_lower_layers_do_not_import_higher_ones(package, forbidden):
    offending = sorted(
        f"{path.relative_to(EXPLORER.parent)} imports {module}"
        for path in (EXPLORER / package).rglob("*.py")
        for module in imported_modules(path) if module.startswith(forbidden))
    assert not offending, offending


def test_the_runner_imports_nothing_from_the_project():
    for path in (EXPLORER / "runner").glob("*.py"):
        modules = imported_modules(path)
        assert all(m == "explorer.runner.runner" or not m.startswith("explorer")
                   for m in modules), (path, modules)
