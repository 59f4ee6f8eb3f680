"""The long fuzz run as a test of the `fuzz` tier (not in the default run):
10,000 mutated inputs from seed 0, none may end in a traceback, a multi-line message or
a cap. `python benchmarks/fuzz.py` is the same run under a memory cap, writing
docs/validation/robustness.json."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.fuzz
def test_ten_thousand_mutated_inputs(tmp_path):
    spec = importlib.util.spec_from_file_location("fuzz_bench", ROOT / "benchmarks" / "fuzz.py")
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    result = fuzz.fuzz(10_000, 0, 20.0, tmp_path)
    assert result["failures"] == [] and result["inputs"] == 10_000
