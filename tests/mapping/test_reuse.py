"""Inter-layer reuse decided from liveness over the graph (explorer/mapping/reuse.py)."""

from __future__ import annotations

import pytest

import explorer
from explorer.hardware.overrides import apply_overrides
from explorer.mapping.reuse import plan_residency, shared_memory


def _dram_bytes(result) -> int:
    return sum((layer.mapping or {}).get("dram_read_bytes", 0)
               + (layer.mapping or {}).get("dram_write_bytes", 0) for layer in result.layers)


@pytest.fixture(scope="module")
def resnet50():
    return explorer.load_network("resnet50")


def test_dram_traffic_and_latency_respond_to_on_chip_memory_size(resnet50) -> None:
    results = {}
    for mib in (1, 4, 8, 64):
        acc = apply_overrides(explorer.load_accelerator("tpuv1"),
                              [f"memories.unified_buffer.size_bytes={mib}MiB"])
        results[mib] = explorer.estimate(resnet50, acc, "depgraph")
    traffic = [_dram_bytes(results[m]) for m in (1, 4, 8, 64)]
    cycles = [results[m].cycles for m in (1, 4, 8, 64)]
    assert traffic == sorted(traffic, reverse=True) and traffic[0] > 1.5 * traffic[-1]
    assert cycles == sorted(cycles, reverse=True) and cycles[0] > cycles[-1]
    kept = [sum(1 for layer in results[m].layers
                if (layer.mapping or {}).get("residency", {}).get("output_to_dram") is False)
            for m in (1, 4, 8, 64)]
    assert kept == sorted(kept) and kept[0] < kept[-1]
    # The network's input is read from DRAM and its output written there.
    first, last = results[64].layers[0], results[64].layers[-1]
    assert first.mapping["residency"]["input_from_dram"] == 1.0
    assert last.mapping["residency"]["output_to_dram"] is True


def test_without_a_memory_for_inputs_and_outputs_nothing_is_kept(resnet50) -> None:
    acc = explorer.load_accelerator("gemmini")  # scratchpad: in/weights; accumulator: out
    assert shared_memory(acc) is None
    assert plan_residency(resnet50, acc) == {}
    result = explorer.estimate("squeezenet", acc, "depgraph")
    assert all("residency" not in (layer.mapping or {}) for layer in result.layers)


def test_kept_activations_never_exceed_the_budget(resnet50) -> None:
    acc = apply_overrides(explorer.load_accelerator("tpuv1"),
                          ["memories.unified_buffer.size_bytes=2MiB"])
    residency = plan_residency(resnet50, acc)
    assert any(not r.output_dram for r in residency.values())
    assert any(r.output_dram for r in residency.values())  # 1 MiB cannot hold them all
    # A layer whose producer was kept reads less (or nothing) from DRAM.
    assert any(r.input_dram == 0.0 for r in residency.values())


def test_simulate_equals_depgraph_with_reuse() -> None:
    acc = explorer.load_accelerator("tpuv1")
    depgraph = explorer.estimate("squeezenet", acc, "depgraph")
    simulate = explorer.estimate("squeezenet", acc, "simulate")
    assert [layer.cycles for layer in depgraph.layers] == [layer.cycles for layer in simulate.layers]
    assert any((layer.mapping or {}).get("residency", {}).get("output_to_dram") is False
               for layer in simulate.layers)
