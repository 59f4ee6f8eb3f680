"""The public API is typed: the package ships py.typed and its public modules, and the
example a user starts from, pass mypy (configured in pyproject.toml's [tool.mypy])."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# explorer/__init__.py and the modules whose names it exposes, plus the example.
PUBLIC = ["explorer/__init__.py", "explorer/version.py", "explorer/errors.py",
          "explorer/estimators/base.py", "explorer/output_schema.py",
          "explorer/hardware/schema.py", "explorer/hardware/overrides.py",
          "explorer/workload/network.py", "examples/quickstart.py"]


def test_package_ships_py_typed() -> None:
    assert (ROOT / "explorer" / "py.typed").is_file()
    # declared as package data in pyproject.toml, or in setup.py where packaging moved it
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = config.get("tool", {}).get("setuptools", {}).get("package-data", {})
    setup_py = ROOT / "setup.py"
    assert "py.typed" in declared.get("explorer", []) or (
        setup_py.is_file() and '"explorer": ["py.typed"' in setup_py.read_text("utf-8"))


def test_public_modules_pass_mypy() -> None:
    done = subprocess.run([sys.executable, "-m", "mypy", *PUBLIC], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]
