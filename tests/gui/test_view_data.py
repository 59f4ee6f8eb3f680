"""What the views plot, as plain numbers (no Qt)."""

from __future__ import annotations

import pytest

from explorer.errors import WorkloadError
from explorer.estimators.base import LayerEstimate
from explorer.estimators.registry import get_estimator
from explorer.hardware.library import load_accelerator
from explorer.session.view_data import (
    compare,
    latency_breakdown,
    layer_order,
    measurement_from_json,
    roofline_ceilings,
    roofline_points,
    summarise,
)
from explorer.workload import load_network


@pytest.fixture(scope="module")
def setup():
    network = load_network("squeezenet")
    acc = load_accelerator("gemmini")
    results = {name: get_estimator(name).estimate(network, acc)
               for name in ("roofline", "refined-roofline")}
    return network, acc, results


def _layer(cycles, compute=None, memory=None, stall=None) -> LayerEstimate:
    return LayerEstimate("l", "Conv", ["l"], 0, cycles=cycles, latency_s=cycles * 1e-9,
                         compute_cycles=compute, memory_cycles=memory, stall_cycles=stall)


def test_breakdown_parts_add_up_to_the_latency() -> None:
    overlapped = latency_breakdown(_layer(100, compute=40, memory=100))  # memory-bound
    assert overlapped == pytest.approx({"compute": 40e-9, "memory": 60e-9, "stall": 0.0})
    hidden = latency_breakdown(_layer(100, compute=100, memory=30))  # compute-bound
    assert hidden == pytest.approx({"compute": 100e-9, "memory": 0.0, "stall": 0.0})
    stalled = latency_breakdown(_layer(100, compute=70, memory=20, stall=30))
    assert stalled == pytest.approx({"compute": 70e-9, "memory": 0.0, "stall": 30e-9})
    assert latency_breakdown(_layer(100)) is None


def test_real_estimates_break_down_exactly(setup) -> None:
    _network, _acc, results = setup
    for layer in results["refined-roofline"].layers:
        if layer.cycles == 0:  # a view: no work, nothing to break down
            assert latency_breakdown(layer) is None
            continue
        parts = latency_breakdown(layer)
        assert parts is not None and sum(parts.values()) == pytest.approx(layer.latency_s)


def test_order_by_latency(setup) -> None:
    layers = setup[2]["roofline"].layers
    order = layer_order(layers, by_latency=True)
    assert sorted(order) == list(range(len(layers)))
    assert [layers[i].latency_s for i in order] == sorted((x.latency_s for x in layers),
                                                          reverse=True)


def test_roofline_has_one_bandwidth_roof_per_memory_level(setup) -> None:
    _network, acc, results = setup
    ceilings = roofline_ceilings(acc)
    bandwidth = [c for c in ceilings if c.kind == "bandwidth"]
    assert [c.label for c in bandwidth] == [m.name for m in acc.memories] + ["DRAM"]
    assert bandwidth[-1].value == acc.offchip.bandwidth_bytes_per_cycle * acc.clock_hz
    peak = max(c.value for c in ceilings if c.kind == "compute")
    assert peak == 2 * acc.peak_macs_per_s
    # Roofline estimates never exceed their own roofs (DRAM traffic, PE/vector peaks).
    for point in roofline_points(results["roofline"], acc):
        assert point.performance <= peak * 1.0001
        assert point.performance <= point.intensity * bandwidth[-1].value * 1.0001


def test_comparison_errors(setup) -> None:
    _network, _acc, results = setup
    comparison = compare(results, "roofline")
    assert comparison.series == ["refined-roofline"]
    assert len(comparison.layers) == len(results["roofline"].layers)
    # The refined model only ever slows layers down (efficiency <= 1).
    # (Views cost nothing in either: no relative error.)
    errors = [layer.error("refined-roofline") for layer in comparison.layers]
    assert all(e >= -1e-9 for e in errors if e is not None) and any(errors)
    total = comparison.total_error("refined-roofline")
    ref, other = results["roofline"].latency_s, results["refined-roofline"].latency_s
    assert total == pytest.approx((other - ref) / ref)


def test_measurement_json_round_trip(setup) -> None:
    network, _acc, results = setup
    data = results["roofline"].to_dict()
    measured = measurement_from_json(data, network, "m.json")
    assert [x.latency_s for x in measured.layers] == [x.latency_s for x in
                                                      results["roofline"].layers]
    with pytest.raises(WorkloadError, match=r"m.json: layers\[0\]"):
        measurement_from_json({"layers": [{"name": "x"}]}, network, "m.json")
    with pytest.raises(WorkloadError, match="m.json"):
        measurement_from_json([1, 2], network, "m.json")


def test_summary(setup) -> None:
    _network, acc, results = setup
    result = results["refined-roofline"]
    summary = summarise(result, acc)
    assert summary.latency_s == pytest.approx(result.latency_s)
    assert summary.throughput_per_s == pytest.approx(1 / result.latency_s)
    assert 0 < summary.utilisation <= 1
    assert summary.compute_share + summary.memory_share == pytest.approx(1.0)


def test_limiting_roof_is_dram_left_of_the_ridge_and_compute_right_of_it() -> None:
    from explorer.session.view_data import RooflinePoint, limiting_roof

    acc = load_accelerator("gemmini")  # 512 Gop/s PE array, DRAM 16 GB/s: ridge 32 op/B
    ceilings = roofline_ceilings(acc)
    low = RooflinePoint("a", "Conv", ops=1e6, bytes=1e6, latency_s=1e-3)  # 1 op/B
    roof, attainable = limiting_roof(low, ceilings)
    assert roof.label == "DRAM" and attainable == pytest.approx(16e9)
    high = RooflinePoint("b", "Conv", ops=1e9, bytes=1e6, latency_s=1e-2)  # 1000 op/B
    roof, attainable = limiting_roof(high, ceilings)
    assert roof.label == "PE array" and attainable == pytest.approx(512e9)
