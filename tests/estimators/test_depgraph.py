"""depgraph against simulate on small layers of every kind, on several accelerators."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "mapping"))
from mapping_layers import conv, conv1d, eltwise, matmul, pool, systolic  # noqa: E402

from explorer.estimators.registry import get_estimator  # noqa: E402
from explorer.hardware.library import load_accelerator  # noqa: E402

LAYERS = {
    "conv3x3": lambda: conv(32, 20, 48, 3, pad=1),
    "conv-strided": lambda: conv(3, 33, 20, 5, stride=2),
    "depthwise": lambda: conv(32, 14, 32, 3, pad=1, groups=32),
    "grouped": lambda: conv(32, 10, 64, 3, pad=1, groups=4),
    "conv1d": lambda: conv1d(40, 101, 24, 9),
    "gemm": lambda: matmul(1, 1000, 512),
    "batched-matmul": lambda: matmul(50, 64, 40, batch=6, batched_weights=True),
    "pool": lambda: pool(64, 28),
    "eltwise": lambda: eltwise(48, 20),
}
ACCELERATORS = {
    "gemmini": lambda: load_accelerator("gemmini"),
    "ultratrail": lambda: load_accelerator("ultratrail"),
    "systolic-os-bw10": lambda: systolic("os", 10),
    "systolic-is": lambda: systolic("is", 10),
}


@pytest.mark.parametrize("acc_name", ACCELERATORS)
@pytest.mark.parametrize("layer_name", LAYERS)
def test_depgraph_matches_simulate(layer_name, acc_name):
    layer, acc = LAYERS[layer_name](), ACCELERATORS[acc_name]()
    reference = get_estimator("simulate").estimate_layer(layer, acc)
    fast = get_estimator("depgraph").estimate_layer(layer, acc)
    assert reference.cycles > 0
    assert fast.cycles == pytest.approx(reference.cycles, rel=0.01)
    assert fast.instructions == reference.instructions
    assert fast.iterations_total == reference.iterations_total
    assert fast.compute_cycles == reference.compute_cycles
    assert fast.energy_j == pytest.approx(reference.energy_j, rel=1e-9)


NETWORK_LAYERS = [conv(64, 28, 64, 3, pad=1, name="a"), conv(64, 28, 128, 3, pad=1, name="b"),
                  conv(128, 28, 64, 1, name="c"), conv(64, 56, 64, 3, pad=1, name="d"),
                  conv(64, 28, 64, 3, pad=1, groups=64, name="e"), pool(64, 28)]


@pytest.mark.parametrize("acc_name", ["gemmini", "systolic-os-bw10"])
def test_one_depgraph_instance_matches_simulate_on_every_layer(acc_name):
    """Layers estimated by one depgraph share evaluated loops by content (and candidates
    of one layer do too): every count must still land where simulate puts it."""
    acc = ACCELERATORS[acc_name]()
    depgraph, simulate = get_estimator("depgraph"), get_estimator("simulate")
    for layer in NETWORK_LAYERS:
        fast, reference = depgraph.estimate_layer(layer, acc), simulate.estimate_layer(layer, acc)
        assert fast.cycles == reference.cycles, layer.name
        assert fast.compute_cycles == reference.compute_cycles, layer.name
        assert fast.memory_cycles == reference.memory_cycles, layer.name
        assert fast.mapping["dram_read_bytes"] == reference.mapping["dram_read_bytes"]
        assert fast.energy_j == pytest.approx(reference.energy_j, rel=1e-12)


def test_depgraph_evaluates_few_iterations_of_a_big_layer():
    layer, acc = conv(64, 56, 64, 3, pad=1), load_accelerator("gemmini")
    estimate = get_estimator("depgraph").estimate_layer(layer, acc)
    assert estimate.iterations_total > 20 * estimate.iterations_evaluated


def test_repeated_layer_configurations_are_cached():
    depgraph = get_estimator("depgraph")
    acc = load_accelerator("gemmini")
    first = depgraph.estimate_layer(conv(32, 20, 48, 3, pad=1, name="a"), acc)
    again = depgraph.estimate_layer(conv(32, 20, 48, 3, pad=1, name="b"), acc)
    assert first.iterations_evaluated > 0 and again.iterations_evaluated == 0
    assert (again.name, again.cycles) == ("b", first.cycles)


def test_metrics_are_filled():
    acc = load_accelerator("gemmini")
    estimate = get_estimator("depgraph").estimate_layer(conv(32, 20, 48, 3, pad=1), acc)
    assert 0 < estimate.utilisation <= 1
    assert estimate.energy_j > estimate.macs * acc.compute.energy_per_mac_pj * 1e-12
    assert estimate.bound in ("compute", "memory")
    assert estimate.compute_cycles + estimate.stall_cycles == estimate.cycles
    assert estimate.mapping["dram_read_bytes"] > 0
