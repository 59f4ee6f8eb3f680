"""Compute cycles on the SCALE-Sim-like `systolic` entry must equal SCALE-Sim's
(TOOLCHAIN.md: ResNet-50 layers on 32×32, CALC bandwidth: no stalls)."""

from __future__ import annotations

import pytest
from mapping_layers import conv, systolic

from explorer.engine.schedule import schedule
from explorer.estimators.registry import get_estimator
from explorer.mapping.builder import KernelBuilder
from explorer.mapping.plans import GemmMapper
from explorer.mapping.problem import problem_for

# (layer, dataflow, SCALE-Sim compute cycles); ifmaps are given padded, as SCALE-Sim takes them.
CASES = [
    (lambda: conv(64, 58, 64, 3), "ws", 116_279),
    (lambda: conv(64, 58, 64, 3), "os", 125_047),
    (lambda: conv(64, 56, 256, 1), "ws", 51_679),
    (lambda: conv(64, 56, 256, 1), "os", 98_783),
    (lambda: conv(3, 229, 64, 7, stride=2), "ws", 126_379),
    (lambda: conv(3, 229, 64, 7, stride=2), "os", 163_855),
]


@pytest.mark.parametrize(("make", "dataflow", "expected"), CASES,
                         ids=[f"{i}-{c[1]}" for i, c in enumerate(CASES)])
def test_compute_cycles_equal_scalesim(make, dataflow, expected):
    estimate = get_estimator("depgraph").estimate_layer(make(), systolic(dataflow))
    assert estimate.compute_cycles == expected
    # Unlimited bandwidth: only the last store's DRAM round trip follows the array.
    assert expected <= estimate.cycles <= expected + 8


def test_fold_formula_matches_for_is():
    layer = conv(64, 56, 256, 1)
    estimate = get_estimator("depgraph").estimate_layer(layer, systolic("is"))
    rows, cols, stream = 64, 56 * 56, 256  # Sr = Fh·Fw·Cin, Sc = Eh·Ew, T = Cout
    folds = -(-rows // 32) * -(-cols // 32)
    # SCALE-Sim 3.0.0 pre-fills the inputs like WS's weights (docs/validation/scalesim.md;
    # TOOLCHAIN.md gives OS's shape, R cycles short per fold).
    assert estimate.compute_cycles == folds * (2 * 32 + 32 + stream - 2) - 1


def test_limited_bandwidth_ws_within_ten_percent_of_scalesim_on_its_traffic():
    """SCALE-Sim USER mode, Bandwidth 10, 64 KiB SRAMs: 1×1 56×56×64→256 WS takes 160,493.
    SCALE-Sim's total is set by the words it moves (docs/validation/scalesim.md): the
    whole stream per fold, the input re-streamed per column fold, partial sums written
    out per row fold. Scheduled with that data movement, `simulate` agrees within 10 %;
    the default mapper holds the input across column folds and accumulates on chip,
    which moves less and is faster."""
    layer, acc = conv(64, 56, 256, 1), systolic("ws", 10)
    mapper = GemmMapper(problem_for(layer).gemm, acc)
    stream = mapper.problem.m
    scalesim_like = [plan for plan in mapper.plans()
                     if plan.loops[-2].name == "chunk" and plan.loops[-2].size == stream
                     and not plan.accumulate and plan.hold["input"] == len(plan.loops)]
    assert len(scalesim_like) == 1
    result = schedule(KernelBuilder(scalesim_like[0], acc).build(), periodic=False)
    assert result.cycles == pytest.approx(160_493, rel=0.10)
    chosen = get_estimator("simulate").estimate_layer(layer, acc)
    assert chosen.stall_cycles > 0
    assert chosen.cycles < result.cycles
    assert chosen.mapping["dram_read_bytes"] < result.dram_read_bytes / 4
