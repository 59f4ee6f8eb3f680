"""The core must stay usable without Qt: every module outside explorer/gui imports with
PySide6 and pyqtgraph made unimportable."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import explorer

SCRIPT = """
import importlib, sys
for blocked in ("PySide6", "shiboken6", "pyqtgraph", "qtpy"):
    sys.modules[blocked] = None  # makes `import blocked` raise ImportError
failed = []
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def core_modules() -> list[str]:
    root = Path(explorer.__file__).parent
    names = []
    for info in pkgutil.walk_packages([str(root)], prefix="explorer."):
        if info.name.startswith("explorer.gui") or info.name.endswith(".__main__"):
            continue
        names.append(info.name)
    return names


def test_core_modules_import_without_qt() -> None:
    modules = core_modules()
    assert "explorer.estimators.base" in modules and len(modules) > 10
    proc = subprocess.run([sys.executable, "-c", SCRIPT, *modules], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_blocking_really_blocks_qt() -> None:
    # The check above is only meaningful if a Qt import does fail under the block.
    proc = subprocess.run([sys.executable, "-c", SCRIPT, "explorer.gui.app"],
                          capture_output=True, text=True, timeout=300)
    if not (Path(explorer.__file__).parent / "gui" / "app.py").exists():
        return
    assert proc.returncode == 1
