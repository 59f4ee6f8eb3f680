"""The hierarchical roofline's data (explorer/session/levels.py), without Qt: per-level
traffic and energy from the estimators that map layers, each layer's bound level, and the
network's per-level breakdown."""

from __future__ import annotations

import pytest

from explorer.hardware.library import load_accelerator
from explorer.session import Session
from explorer.session.levels import (
    COMPULSORY,
    COMPUTE,
    DRAM,
    ESTIMATED,
    hierarchical_roofline,
    level_breakdown,
)
from explorer.session.view_data import roofline_ceilings

LIBRARY = ["gemmini", "systolic", "tpuv1", "eyeriss", "nvdla_small", "plasticine",
           "ultratrail"]


def _estimate(arch: str, estimator: str, network: str = "squeezenet"):
    session = Session()
    session.document.load(arch)
    session.load_network(network).run()
    session.set_estimator(estimator)
    return session.estimate().run(), session.accelerator


@pytest.mark.parametrize("arch", LIBRARY)
def test_no_layer_beats_the_lowest_roof_over_it(arch) -> None:
    """The bound level is the lowest cap: compute or a level's bandwidth times the
    layer's intensity there; a mapped, scheduled layer never runs faster than that."""
    result, acc = _estimate(arch, "depgraph")
    model = hierarchical_roofline(result, acc)
    assert model.layers and model.levels[-1] == DRAM
    assert model.levels == [m.name for m in acc.memories
                            if any(m.name in layer.traffic for layer in model.layers)] + [DRAM]
    for layer in model.layers:
        assert layer.basis == ESTIMATED
        bound = model.bound(layer)
        caps = [layer.ops / layer.compute_s] + [
            layer.intensity(level) * model.bandwidths[level] for level in layer.traffic
            if layer.intensity(level)]
        assert bound.attainable == pytest.approx(min(caps))
        assert layer.performance <= bound.attainable * (1 + 1e-9), (layer.name, bound)
    assert sum(model.bound_counts().values()) == len(model.layers)


def test_dram_level_is_the_estimators_dram_traffic_and_energies_add_up() -> None:
    result, acc = _estimate("gemmini", "depgraph")
    model = hierarchical_roofline(result, acc)
    by_name = {layer.name: layer for layer in result.layers}
    for layer in model.layers:
        dram = layer.traffic[DRAM]
        assert dram.read_bytes == by_name[layer.name].dram_read_bytes
        assert dram.write_bytes == by_name[layer.name].dram_write_bytes
    rows = level_breakdown(result, acc)
    assert [row.level for row in rows] == ["scratchpad", "accumulator", DRAM, COMPUTE]
    assert sum(row.energy_j for row in rows) == pytest.approx(result.energy_j, rel=1e-9)
    assert rows[2].read_bytes == result.dram_read_bytes
    assert all(row.energy_j > 0 for row in rows)


def test_an_estimator_without_per_level_traffic_gets_dram_only() -> None:
    result, acc = _estimate("gemmini", "roofline")
    model = hierarchical_roofline(result, acc)
    assert model.levels == [DRAM]
    assert {layer.basis for layer in model.layers} == {COMPULSORY}
    assert level_breakdown(result, acc) == []  # no honest per-level totals


def test_level_roofs_count_reads_and_writes() -> None:
    """A level's roof is what it moves per second, reads and writes together, as the
    intensity counts them: one or the other on a single-ported memory."""
    acc = load_accelerator("gemmini")
    roofs = {c.label: c.value for c in roofline_ceilings(acc) if c.kind == "bandwidth"}
    scratchpad, accumulator = acc.memories  # single-ported; separate read and write ports
    assert scratchpad.single_ported and not accumulator.single_ported
    assert roofs["scratchpad"] == scratchpad.read_bandwidth_bytes_per_cycle * acc.clock_hz
    assert roofs["accumulator"] == (accumulator.read_bandwidth_bytes_per_cycle
                                    + accumulator.write_bandwidth_bytes_per_cycle) * acc.clock_hz
