"""Weights kept on chip across inferences (`memories[].keeps_weights`, mapping/reuse.py),
and the roofline charging only the traffic that crosses the DRAM interface."""

from __future__ import annotations

import pytest

import explorer
from explorer.errors import ArchitectureError
from explorer.hardware.overrides import apply_overrides
from explorer.mapping.reuse import resident_weights


def _systolic(*sets: str):
    return apply_overrides(explorer.load_accelerator("systolic"), list(sets))


def _reads(result) -> int:
    return sum((layer.mapping or {}).get("dram_read_bytes", 0) for layer in result.layers)


@pytest.fixture(scope="module")
def squeezenet():
    return explorer.load_network("squeezenet")


def test_weights_that_fit_are_read_from_dram_by_no_layer(squeezenet) -> None:
    streamed = _systolic("memories.filter_sram.size_bytes=8MiB")
    kept = _systolic("memories.filter_sram.size_bytes=8MiB",
                     "memories.filter_sram.keeps_weights=true")
    before = explorer.estimate(squeezenet, streamed, "depgraph")
    after = explorer.estimate(squeezenet, kept, "depgraph")
    array = [layer for layer in after.layers if layer.mapping and "rows_dim" in layer.mapping]
    assert all(layer.mapping["residency"]["weights_from_dram"] is False for layer in array)
    # Where the plan stays the same, exactly the weight bytes are no longer read; a
    # layer may also switch to a plan that re-reads inputs instead (faster, more bytes).
    same_plan = 0
    for a, b in zip(after.layers, before.layers):
        if not (a.mapping and "gemm" in a.mapping):
            continue
        if a.mapping["held_from"] == b.mapping["held_from"]:
            g = a.mapping["gemm"]
            saved = b.mapping["dram_read_bytes"] - a.mapping["dram_read_bytes"]
            # (pixel packing repeats the weights on the diagonal: they are read once)
            assert saved == g["groups"] * g["K"] * g["N"] // a.mapping["pixels_packed"] ** 2
            same_plan += 1
    assert same_plan > 10 and _reads(after) < _reads(before)
    assert all(a.cycles <= b.cycles for a, b in zip(after.layers, before.layers))
    assert after.cycles < before.cycles
    simulated = explorer.estimate(squeezenet, kept, "simulate")
    assert [x.cycles for x in simulated.layers] == [x.cycles for x in after.layers]


def test_a_small_weight_memory_keeps_the_first_layers_that_fit(squeezenet) -> None:
    acc = _systolic("memories.filter_sram.size_bytes=64KiB",
                    "memories.filter_sram.keeps_weights=true")
    kept = resident_weights(squeezenet, acc)
    sizes = {layer.name: layer.weight_bytes(8) for layer in squeezenet.layers}
    assert kept and sum(sizes[name] for name in kept) <= 64 * 1024
    assert len(kept) < sum(1 for size in sizes.values() if size)
    assert squeezenet.layers[0].name in kept  # execution order: the first layer first
    assert resident_weights(squeezenet, _systolic()) == set()  # off by default


def test_keeps_weights_needs_a_memory_that_holds_weights() -> None:
    with pytest.raises(ArchitectureError, match="does not hold weights"):
        _systolic("memories.ifmap_sram.keeps_weights=true")


def test_roofline_charges_only_traffic_that_leaves_the_chip(squeezenet) -> None:
    kept = _systolic("memories.filter_sram.size_bytes=8MiB",
                     "memories.filter_sram.keeps_weights=true")
    plain = explorer.estimate(squeezenet, _systolic("memories.filter_sram.size_bytes=8MiB"),
                              "roofline")
    resident = explorer.estimate(squeezenet, kept, "roofline")
    bandwidth = kept.offchip.bandwidth_bytes_per_cycle
    for a, b, layer in zip(resident.layers, plain.layers, squeezenet.layers):
        assert b.memory_cycles - a.memory_cycles == pytest.approx(
            layer.weight_bytes(8) / bandwidth)
    # Activations kept between layers (TPU v1's unified buffer) are not charged either.
    tpu = explorer.load_accelerator("tpuv1")
    roof = explorer.estimate("resnet50", tpu, "roofline")
    deps = explorer.estimate("resnet50", tpu, "depgraph")
    for r, d in zip(roof.layers, deps.layers):
        if (d.mapping or {}).get("residency", {}).get("output_to_dram") is False:
            layer = next(x for x in roof.network.layers if x.name == r.name)
            full = layer.bytes_moved(act_bits=8, weight_bits=8) / tpu.offchip.bandwidth_bytes_per_cycle
            assert r.memory_cycles < full
