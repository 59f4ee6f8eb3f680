"""Roofline and refined roofline (ANNETTE): formulas on hand-made layers, and golden
totals over the zoo networks × the accelerator library."""

from __future__ import annotations

import math

import pytest

from explorer.estimators.registry import get_estimator
from explorer.estimators.roofline import dim_efficiency, spatial_efficiency
from explorer.hardware.library import library_names, load_accelerator
from explorer.hardware.schema import Dataflow
from explorer.workload.network import ConvDims, Layer, LayerKind


def conv_layer(cin: int, cout: int, hw: int, k: int) -> Layer:
    dims = ConvDims(batch=1, in_channels=cin, in_h=hw, in_w=hw, out_channels=cout, out_h=hw,
                    out_w=hw, kernel_h=k, kernel_w=k, pad_top=k // 2, pad_left=k // 2,
                    pad_bottom=k // 2, pad_right=k // 2)
    return Layer(name="conv", op="Conv", kind=LayerKind.CONV, onnx_nodes=["conv"],
                 inputs=[(1, cin, hw, hw)], weights=[(cout, cin, k, k)],
                 outputs=[(1, cout, hw, hw)], dims=dims, macs=dims.macs, act_bits=8,
                 weight_bits=8)


@pytest.fixture(scope="module")
def gemmini():
    return load_accelerator("gemmini")


def test_roofline_is_max_of_compute_and_memory(gemmini) -> None:
    layer = conv_layer(64, 64, 56, 3)
    est = get_estimator("roofline").estimate_layer(layer, gemmini)
    c = gemmini.compute
    compute = layer.macs / c.peak_macs_per_cycle
    traffic = (layer.input_elems * c.precision.input_bits + layer.weight_elems
               * c.precision.weight_bits + layer.output_elems * c.precision.input_bits) / 8
    memory = traffic / gemmini.offchip.bandwidth_bytes_per_cycle
    assert est.cycles == pytest.approx(max(compute, memory))
    assert est.bound == ("compute" if compute > memory else "memory")
    assert est.latency_s == pytest.approx(est.cycles / gemmini.clock_hz)


def test_efficiency_formula() -> None:
    assert dim_efficiency(16, 16) == 1.0
    assert dim_efficiency(17, 16) == pytest.approx(17 / 32)
    assert dim_efficiency(3, 16) == pytest.approx(3 / 16)


def test_refined_roofline_penalises_poor_array_fit(gemmini) -> None:
    # WS unrolls Cin·k·k onto rows and Cout onto columns: 3·3·3 = 27 of 32, 17 of 32.
    layer = conv_layer(3, 17, 112, 3)
    eff = spatial_efficiency(layer, gemmini)
    assert gemmini.compute.dataflow == Dataflow.WS
    assert eff == pytest.approx((27 / 32) * (17 / 32))
    plain = get_estimator("roofline").estimate_layer(layer, gemmini)
    refined = get_estimator("refined-roofline").estimate_layer(layer, gemmini)
    assert refined.compute_cycles == pytest.approx(plain.compute_cycles / eff)
    # alpha = 0 switches the refinement off
    flat = get_estimator("refined-roofline", alpha=0.0).estimate_layer(layer, gemmini)
    assert flat.cycles == pytest.approx(plain.cycles)


ZOO = ["resnet50", "vgg19", "densenet121", "inception_v1", "inception_v2", "alexnet",
       "squeezenet", "shufflenet", "zfnet512"]


@pytest.fixture(scope="module")
def networks():
    from explorer.workload import load_network

    return {name: load_network(name) for name in ZOO}


@pytest.mark.parametrize("arch", library_names())
@pytest.mark.parametrize("net", ZOO)
def test_roofline_totals_over_zoo_and_library(networks, net, arch) -> None:
    network, acc = networks[net], load_accelerator(arch)
    for name in ("roofline", "refined-roofline"):
        result = get_estimator(name).estimate(network, acc)
        assert result.layers and all(x.cycles >= 0 for x in result.layers)
        assert sum(x.macs for x in result.layers) == network.macs
        # a lower bound on any estimate: all MACs at peak, all weights once from DRAM
        lower = max(network.macs / acc.compute.peak_macs_per_cycle,
                    network.weight_bytes(acc.compute.precision.weight_bits)
                    / acc.offchip.bandwidth_bytes_per_cycle)
        assert result.cycles >= lower * (1 - 1e-9)
        assert math.isfinite(result.latency_s) and result.energy_j > 0
