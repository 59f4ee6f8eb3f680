"""Issue 9 §4: `ops` and `ops_contrib` form no import cycle (ops_contrib builds on ops,
ops does not import it back), yet the importer sees the com.microsoft parsers."""

import ast
from pathlib import Path

import explorer.workload.ops as ops


def _imported_modules(module) -> set[str]:
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_ops_does_not_import_ops_contrib():
    assert "explorer.workload.ops_contrib" not in _imported_modules(ops)


def test_the_importer_sees_contrib_parsers():
    from explorer.workload import layer_builder

    assert layer_builder.ops.parse is ops.parse
    assert any(key.startswith("com.microsoft:") for key in ops.PARSERS)
