"""Mappings: tiles fit the memories, remainder tiles, utilisation, layer kinds."""

from __future__ import annotations

import math

import pytest
from mapping_layers import conv, conv1d, eltwise, matmul, pool, systolic

from explorer.engine.schedule import periodic_cost, schedule
from explorer.hardware.library import load_accelerator
from explorer.hardware.overrides import apply_overrides
from explorer.hardware.schema import Operand
from explorer.mapping.mapper import map_layer
from explorer.mapping.plans import GemmMapper
from explorer.mapping.problem import ProblemKind, problem_for
from explorer.workload.network import Layer, LayerKind


@pytest.fixture(scope="module")
def gemmini():
    return load_accelerator("gemmini")


def test_conv_becomes_im2col_gemm():
    p = problem_for(conv(64, 56, 128, 3, pad=1)).gemm
    assert (p.m, p.n, p.k, p.groups) == (56 * 56, 128, 64 * 9, 1)
    assert p.macs == conv(64, 56, 128, 3, pad=1).macs


def test_depthwise_groups_are_packed_on_ws(gemmini):
    kernel = map_layer(conv(64, 28, 64, 3, pad=1, groups=64), gemmini, periodic_cost()).kernel
    # K = 9, N = 1 per group: 16 // 9 = 1 group per fold on a 16×16 array.
    assert kernel.mapping["groups_packed"] == 1
    acc = systolic("ws")
    kernel = map_layer(conv(64, 28, 64, 3, pad=1, groups=64), acc, periodic_cost()).kernel
    assert kernel.mapping["groups_packed"] == 3  # 32 // 9 on 32 rows
    assert kernel.macs == conv(64, 28, 64, 3, pad=1, groups=64).macs  # zeros are not MACs


@pytest.mark.parametrize("layer", [conv(64, 56, 64, 3, pad=1), conv(256, 14, 1000, 1),
                                   matmul(1, 1000, 2048), conv1d(40, 101, 24, 9)],
                         ids=["conv3x3", "conv1x1-wide", "fc", "conv1d"])
def test_tiles_fit_their_memories(layer, gemmini):
    mapper = GemmMapper(problem_for(layer).gemm, gemmini)
    for plan in mapper.plans():
        sizes = {loop.name: loop.size for loop in plan.loops}
        bits = gemmini.compute.precision.accumulator_bits
        out_mem = gemmini.memory_for(Operand.OUTPUT)
        if plan.accumulate:  # the accumulated output tile fits in half the accumulator
            out_tile = sizes["chunk"] * sizes["col"]
            assert out_tile * bits / 8 <= out_mem.usable_bytes
        for operand in ("input", "weight"):
            if plan.resident[operand]:
                mem = gemmini.memory_for(Operand(operand))
                assert mapper._operand_bytes(operand) <= mem.usable_bytes
        # Held slices (beyond one fold tile) share their memory's usable half.
        held = [op for op in ("input", "weight") if plan.hold[op] < len(plan.loops)]
        assert sum(mapper._slice_bytes(op, list(plan.loops), plan.hold[op])
                   for op in held) <= gemmini.memory_for(Operand.INPUT).usable_bytes


def test_remainder_tiles_are_classes_of_their_own(gemmini):
    # K = 20 on 16 rows: one full and one remainder fold; M = 40 on blocks of 16: 16, 16, 8.
    # Serial folds (no double-buffered weights, no fold pipelining): SCALE-Sim's count.
    serial = apply_overrides(gemmini, ["compute.stationary_double_buffered=false",
                                       "compute.fold_pipelining=false"])
    layer = matmul(40, 16, 20)
    kernel = map_layer(layer, serial, periodic_cost()).kernel
    assert kernel.mapping["folds"] == {"rows": 2, "cols": 1}
    computes = [i for b in kernel.bodies for i in b.instrs if i.op == "compute"]
    assert {c.occupancy_cycles for c in computes} >= {16, 8}
    result = schedule(kernel, periodic=False)
    busy = result.unit_busy_cycles["array"] + result.unit_busy_cycles["preload"]
    fill = 2 * 16 + 16 - 2
    assert busy == 2 * (fill + 40) - 1  # two folds, each streaming all 40 rows
    assert result.unit_busy_cycles["preload"] == 2 * 16  # one 16-row preload per fold


def test_double_buffered_preload_and_pipelined_folds_overlap(gemmini):
    # The same layer with the PEs' second weight slot and pipelined folds: the second
    # fold's preload runs while the first streams, and the skew is paid once.
    serial = apply_overrides(gemmini, ["compute.stationary_double_buffered=false",
                                       "compute.fold_pipelining=false"])
    overlapped = apply_overrides(gemmini, ["compute.stationary_double_buffered=true",
                                           "compute.fold_pipelining=true"])
    layer = matmul(40, 16, 20)
    slow = schedule(map_layer(layer, serial, periodic_cost()).kernel, periodic=False)
    fast = schedule(map_layer(layer, overlapped, periodic_cost()).kernel, periodic=False)
    skew = 16 + 16 - 2
    assert fast.unit_busy_cycles["array"] == 2 * 40 + skew - 1
    assert fast.unit_busy_cycles["preload"] == slow.unit_busy_cycles["preload"] == 2 * 16
    assert fast.cycles < slow.cycles  # (DMA latency dominates this small layer)


def test_spatial_utilisation_reported(gemmini):
    kernel = map_layer(conv(3, 32, 20, 3), gemmini, periodic_cost()).kernel
    rows, cols = 27, 20
    expected = rows / (math.ceil(rows / 16) * 16) * cols / (math.ceil(cols / 16) * 16)
    assert kernel.mapping["spatial_utilisation"] == pytest.approx(expected)
    assert kernel.mapping["order"][-1] == "row"  # reduction innermost: sums stay on chip


def test_layer_kinds_map_to_units(gemmini):
    assert problem_for(pool(64, 56)).kind is ProblemKind.VECTOR
    assert problem_for(eltwise(64, 56)).kind is ProblemKind.VECTOR
    reshape = Layer("r", "Reshape", LayerKind.DATA, ["r"], [(1, 2048, 1, 1)], [(1, 2048)])
    transpose = Layer("t", "Transpose", LayerKind.DATA, ["t"], [(1, 8, 8, 8)], [(1, 8, 8, 8)])
    generic = Layer("g", "Weird", LayerKind.GENERIC, ["g"], [(1, 100)], [(1, 100)],
                    other_ops=100, modelled=False)
    assert problem_for(reshape).kind is ProblemKind.FREE
    assert schedule(map_layer(reshape, gemmini, periodic_cost()).kernel, periodic=False).cycles == 0
    assert problem_for(transpose).kind is ProblemKind.COPY
    copy = map_layer(transpose, gemmini, periodic_cost()).kernel
    assert all(i.op != "vector" for b in copy.bodies for i in b.instrs)
    assert schedule(copy, periodic=False).cycles > 0
    assert not map_layer(generic, gemmini, periodic_cost()).kernel.modelled
