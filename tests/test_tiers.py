"""The test tiers (issue 9 §5): the default pytest run is the fast tier; slow, peer-tool,
packaging, fuzz and PyPI-installing tests run only when asked for (scripts/test.sh --all)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXCLUDED = ("slow", "scalesim", "zigzag", "packaging", "fuzz", "pypi")


def test_default_run_excludes_the_long_tiers():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    addopts = config["ini_options"]["addopts"]
    for marker in EXCLUDED:
        assert f"not {marker}" in addopts, marker
        assert any(m.startswith(f"{marker}:") for m in config["ini_options"]["markers"])


def test_all_flag_runs_every_tier():
    script = (ROOT / "scripts" / "test.sh").read_text()
    assert '"--all"' in script and '-m ""' in script
