"""Issue 13: a seeded fuzz corpus in the default tier, so that every class of bad input
fixed so far stays fixed. Each input is accepted (ONNX: estimated with a finite latency)
or refused with one ExplorerError line; never a traceback, a multi-line message or a
cap hit. The long run (>= 10,000 inputs) is `python benchmarks/fuzz.py`."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _fuzz():
    spec = importlib.util.spec_from_file_location("fuzz_bench", ROOT / "benchmarks" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fuzz = _fuzz()


def _failures(cases) -> list[str]:
    bad = []
    for kind, check in cases:
        outcome, detail = fuzz.run_one(check, time_cap_s=20.0)
        if outcome not in ("accepted", "refused"):
            bad.append(f"{kind}: {outcome}: {detail.strip().splitlines()[-1] if detail else ''}")
    return bad


@pytest.mark.parametrize("seed", [11, 12])
def test_mutated_onnx_files(tmp_path, seed):
    rng = random.Random(seed)
    cases = [(kind, lambda p=path: fuzz._check_onnx(p))
             for kind, path in fuzz.onnx_inputs(rng, 60, tmp_path)]
    assert _failures(cases) == []


@pytest.mark.parametrize("seed", [21, 22])
def test_mutated_accelerator_descriptions(seed):
    rng = random.Random(seed)
    cases = [(kind, lambda t=text: fuzz._check_yaml(t))
             for kind, text in fuzz.yaml_inputs(rng, 100)]
    assert _failures(cases) == []


def test_mutated_set_values():
    rng = random.Random(31)
    cases = [(kind, lambda a=text: fuzz._check_set(a))
             for kind, text in fuzz.set_inputs(rng, 150)]
    assert _failures(cases) == []


def test_a_traceback_is_counted():
    """The harness itself can fail: an exception outside the family is a failure."""
    def broken():
        raise KeyError("x")

    outcome, _ = fuzz.run_one(broken, time_cap_s=5.0)
    assert outcome == "traceback"
    assert fuzz.run_one(lambda: None, 5.0)[0] == "accepted"


def test_the_time_cap_fires():
    import time

    outcome, _ = fuzz.run_one(lambda: time.sleep(5), time_cap_s=0.2)
    assert outcome == "time_cap"
