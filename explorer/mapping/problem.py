"""A layer seen as the accelerator sees it: a batch of GEMMs for the PE array, or a
stream of element-wise work for the vector unit, or pure data movement, or nothing.

Convolutions become GEMMs by im2col: out[M, N] = in[M, K] · w[K, N] with M = output
pixels (× batch), K = Cin/groups · Fh · Fw, N = Cout/groups, one GEMM per group. The
im2col input matrix repeats input pixels (a 3×3 window reads each pixel nine times);
`input_elems` keeps the real (unique) input element count so that DRAM traffic counts
each pixel once per pass, as SCALE-Sim's buffers do; only the pixels some output reads
count (a 1×1 convolution with stride 2 touches a quarter of its input, and strided DMA
loads, as Gemmini's mvin does, skip the rest; padding is generated on chip, not loaded).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from explorer.workload.network import ConvDims, Layer, LayerKind, MatMulDims

if TYPE_CHECKING:
    from explorer.mapping.reuse import Residency

# Ops that only reinterpret a tensor's shape or drop work at inference: no data moves.
VIEW_OPS = frozenset({"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout",
                      "Concat", "Shape", "Constant", "ConstantOfShape"})


class ProblemKind(StrEnum):
    GEMM = "gemm"  # runs on the PE array
    VECTOR = "vector"  # runs on the vector unit (pooling, element-wise, normalisation)
    COPY = "copy"  # data movement only (Transpose, Resize, Pad, ...): DRAM -> SRAM -> DRAM
    FREE = "free"  # views (Reshape, Flatten, Concat written in place): no cost


@dataclass(frozen=True)
class GemmProblem:
    """`groups` independent GEMMs out[M, N] = in[M, K] · w[K, N]."""

    groups: int
    m: int
    n: int
    k: int
    input_elems: int  # unique input elements per group (im2col repeats them)
    weight_elems: int  # per group
    output_elems: int  # per group (M·N except for transposed convolutions)
    # Element-wise operations per output element run on the vector unit as the outputs
    # leave (0 when the accelerator applies them free in the output path).
    output_ops_per_elem: float = 0.0
    # Inter-layer reuse (reuse.py): the share of the input read from DRAM (the rest is
    # already on chip) and whether the output goes to DRAM.
    input_dram: float = 1.0
    output_dram: bool = True
    # Kernel-window positions in the reduction (k = channels · taps for a convolution,
    # 1 for a matrix product): a direct-convolution unrolling keeps them temporal.
    taps: int = 1

    @property
    def macs(self) -> int:
        return self.groups * self.m * self.n * self.k


@dataclass(frozen=True)
class VectorProblem:
    """Element-wise work: `ops` operations over `output_elems` results."""

    input_elems: int
    output_elems: int
    ops: int
    input_dram: float = 1.0  # as GemmProblem's
    output_dram: bool = True


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    gemm: GemmProblem | None = None
    vector: VectorProblem | None = None
    modelled: bool = True


@dataclass(frozen=True)
class Work:
    """A layer's work as every estimator counts it (the one decomposition): MACs on the
    PE array, operations on the vector unit, and whether any data moves (views move
    none)."""

    array_macs: int
    vector_ops: int
    moves_data: bool


def work_of(layer: Layer, *, fused_free: bool = True) -> Work:
    """The work of `layer` as its Problem (what the mapper maps) decomposes it."""
    problem = problem_for(layer, fused_free=fused_free)
    if problem.kind is ProblemKind.GEMM and problem.gemm is not None:
        return Work(layer.macs, 0 if fused_free else layer.other_ops, True)
    if problem.kind is ProblemKind.FREE or problem.vector is None:
        return Work(0, 0, False)
    return Work(0, problem.vector.ops, True)


def touched_extent(out: int, size: int, kernel: int, stride: int, pad: int,
                   dilation: int) -> int:
    """How many of an input axis's `size` positions some output position reads:
    o·stride − pad + k·dilation for o < out, k < kernel, inside [0, size)."""
    if stride <= dilation * (kernel - 1) + 1 and dilation == 1:
        # Windows overlap or abut: one contiguous run from the first to the last read.
        first = max(0, -pad)
        last = min(size - 1, (out - 1) * stride - pad + (kernel - 1))
        return max(0, last - first + 1)
    return len({o * stride - pad + k * dilation for o in range(out) for k in range(kernel)}
               & set(range(size)))


def _output_ops(layer: Layer, groups: int, output_elems: int, fused_free: bool) -> float:
    if fused_free or not layer.other_ops:
        return 0.0
    return layer.other_ops / max(1, groups * output_elems)


def gemm_of_conv(d: ConvDims, layer: Layer, fused_free: bool = True) -> GemmProblem:
    groups = max(1, d.groups)
    cin_g, cout_g = d.in_channels_per_group, d.out_channels_per_group
    if d.transposed:  # each input pixel scatters a Cout·Fh·Fw patch (col2im)
        m = d.batch * d.in_h * d.in_w
        k, n = cin_g, cout_g * d.kernel_h * d.kernel_w
    else:
        m = d.batch * d.out_h * d.out_w
        k, n = cin_g * d.kernel_h * d.kernel_w, cout_g
    if d.transposed:  # every input pixel scatters
        in_h, in_w = d.in_h, d.in_w
    else:
        in_h = touched_extent(d.out_h, d.in_h, d.kernel_h, d.stride_h, d.pad_top, d.dilation_h)
        in_w = touched_extent(d.out_w, d.in_w, d.kernel_w, d.stride_w, d.pad_left,
                              d.dilation_w)
    in_elems = max(1, d.batch * in_h * in_w * cin_g)
    out_elems = max(1, layer.output_elems // groups)
    m, n, k = max(1, m), max(1, n), max(1, k)
    taps = 1 if d.transposed else max(1, d.kernel_h * d.kernel_w)
    return GemmProblem(groups, m, n, k, in_elems, k * n, out_elems,
                       _output_ops(layer, groups, out_elems, fused_free),
                       taps=taps if k % taps == 0 else 1)


def gemm_of_matmul(d: MatMulDims, layer: Layer | None = None,
                   fused_free: bool = True) -> GemmProblem:
    if d.weights_batched:  # attention: a separate B per batch entry
        groups, m = max(1, d.batch), d.m
    else:  # shared weights: the batch just adds rows
        groups, m = 1, d.batch * d.m
    out_elems = max(1, m * d.n)
    ops = 0.0 if layer is None else _output_ops(layer, groups, out_elems, fused_free)
    return GemmProblem(groups, max(1, m), max(1, d.n), max(1, d.k), max(1, m * d.k),
                       max(1, d.k * d.n), out_elems, ops)


def problem_for(layer: Layer, *, fused_free: bool = True,
                residency: Residency | None = None) -> Problem:
    """How `layer` is executed. Kinds without an array mapping fall to the vector unit.
    `fused_free` (the accelerator's `compute.fused_elementwise_free`): an array layer's
    element-wise work costs nothing in its output path; otherwise the vector unit runs it
    as the outputs leave. `residency` (reuse.py): what of its input is already on chip
    and whether its output stays there."""
    problem = _problem_for(layer, fused_free)
    if residency is None or (residency.input_dram == 1.0 and residency.output_dram):
        return problem
    moves = {"input_dram": residency.input_dram, "output_dram": residency.output_dram}
    if problem.gemm is not None:
        return replace(problem, gemm=replace(problem.gemm, **moves))
    if problem.vector is not None:
        return replace(problem, vector=replace(problem.vector, **moves))
    return problem


def _problem_for(layer: Layer, fused_free: bool) -> Problem:
    if layer.kind is LayerKind.CONV and isinstance(layer.dims, ConvDims):
        return Problem(ProblemKind.GEMM, gemm=gemm_of_conv(layer.dims, layer, fused_free))
    if layer.kind is LayerKind.MATMUL and isinstance(layer.dims, MatMulDims):
        return Problem(ProblemKind.GEMM, gemm=gemm_of_matmul(layer.dims, layer, fused_free))
    if layer.kind is LayerKind.DATA:
        if layer.op in VIEW_OPS:
            return Problem(ProblemKind.FREE)
        return Problem(ProblemKind.COPY, vector=VectorProblem(
            layer.output_elems, layer.output_elems, 0))
    # POOL, ELTWISE, NORM, SOFTMAX; RNN and GENERIC (or a conv/matmul without dimensions)
    # get the same element-wise cost but are flagged as not really modelled.
    modelled = layer.modelled and layer.kind in (LayerKind.POOL, LayerKind.ELTWISE,
                                                 LayerKind.NORM, LayerKind.SOFTMAX)
    ops = layer.other_ops + 2 * layer.macs or layer.output_elems
    return Problem(ProblemKind.VECTOR, vector=VectorProblem(
        layer.input_elems, layer.output_elems, ops), modelled=modelled)
