"""Issue 13, validation before estimating: a design changed from Python after loading is
checked again when an estimate starts."""

from __future__ import annotations

import pytest

from explorer.errors import ArchitectureError
from explorer.estimators.registry import get_estimator
from explorer.hardware.library import load_accelerator
from explorer.workload import load_network


@pytest.fixture(scope="module")
def network():
    return load_network("squeezenet")


def test_nested_assignment_is_rechecked(network):
    acc = load_accelerator("gemmini")
    for memory in acc.memories:
        if "output" in memory.holds:
            memory.holds = [h for h in memory.holds if h != "output"] or ["input"]
    with pytest.raises(ArchitectureError, match="output"):
        get_estimator("roofline").estimate(network, acc)


def test_model_copy_update_is_rechecked(network):
    acc = load_accelerator("gemmini").model_copy(update={"clock_hz": -1})
    with pytest.raises(ArchitectureError, match="clock_hz"):
        get_estimator("depgraph").estimate(network, acc)


def test_a_valid_design_estimates_as_before(network):
    result = get_estimator("roofline").estimate(network, load_accelerator("gemmini"))
    assert result.latency_s > 0
