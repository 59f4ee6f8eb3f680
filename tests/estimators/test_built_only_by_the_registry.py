"""One way to build an estimator (issue 9 §1): every estimator class is constructed by
`explorer.estimators.registry.make_estimator` and nowhere else in the program or the
benchmarks, so options are always validated by the estimator's options model. A new
`Depgraph(...)` written anywhere else makes this test fail, naming the file and line."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from explorer.estimators import registry
from explorer.estimators.base import Estimator

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {ROOT / "explorer" / "estimators" / "registry.py"}


def _estimator_classes() -> set[str]:
    for name in registry.estimator_names():
        registry.estimator_class(name)  # imports every registered module
    for path in (ROOT / "explorer" / "estimators").glob("*.py"):
        importlib.import_module(f"explorer.estimators.{path.stem}")
    found, todo = set(), [Estimator]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("explorer."):
                found.add(sub.__name__)
            todo.append(sub)
    return found


def _called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def test_estimators_are_constructed_only_by_the_registry() -> None:
    classes = _estimator_classes()
    assert {"DepGraph", "Simulate", "Roofline", "RefinedRoofline"} <= classes
    offenders = []
    for folder in ("explorer", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path in ALLOWED:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and _called_name(node) in classes:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: "
                                     f"{_called_name(node)}(...)")
    assert not offenders, "build estimators with make_estimator(name, options):\n" + \
        "\n".join(offenders)
