"""Spatial unrollings: which layer loops a GEMM layer puts on the array's two axes
(issue 10 §1). The dataflow (plans.py) says which GEMM dimensions sit on rows and
columns; the unrolling says what those dimensions are made of:

- im2col: the reduction is C·FY·FX, folded onto the rows as one dimension (the im2col
  matrix; the default of SCALE-Sim and of a compiler that lowers convs to GEMMs);
- channels: C alone on the reduction axis, the kernel window (FY, FX) temporal: each
  window position is a fold of its own (a direct-convolution array without im2col,
  ZigZag's C-on-D2 mapping). Never more useful MACs per fold than im2col, but it is what
  an array restricted to it does, and it costs ceil(C/R)·FY·FX row folds;
- pixels: im2col, with p output pixels side by side on a weight-stationary array: the
  weight tile repeats p times on the diagonal (p·K rows, p·N columns), so a layer whose
  C·FY·FX and K are both small fills the array (OX·K on the columns). The repeated
  weights are loaded once from DRAM.

The mapper scores every unrolling the description allows (`compute.spatial_unrollings`)
with the timing engine and keeps the fastest; `mapping.spatial` shows the choice.
"""

from __future__ import annotations

import math

from explorer.hardware.schema import Dataflow, SpatialUnrolling
from explorer.mapping.problem import GemmProblem

IM2COL, CHANNELS, PIXELS = (SpatialUnrolling.IM2COL, SpatialUnrolling.CHANNELS,
                            SpatialUnrolling.PIXELS)


def pixel_packing(problem: GemmProblem, rows: int, cols: int) -> int:
    """Output pixels side by side on a WS array: p copies of the K×N weight tile on the
    diagonal (1 when it does not fit twice)."""
    if problem.groups > 1:
        return 1
    return max(1, min(rows // problem.k, cols // problem.n, problem.m))


def channel_folds(problem: GemmProblem, rows: int) -> tuple[int, int]:
    """(row folds, rows used per fold) of the reduction with C alone on the rows: each
    window position folds C separately, in equal tiles."""
    channels = problem.k // problem.taps
    per_tap = math.ceil(channels / rows)
    return problem.taps * per_tap, math.ceil(channels / per_tap)


def unrollings(problem: GemmProblem, dataflow: Dataflow, allowed: list[SpatialUnrolling],
               rows: int, cols: int, groups_packed: int) -> list[SpatialUnrolling]:
    """The distinct unrollings of `problem` on this dataflow among `allowed`, the
    preferred one first (im2col, else channels). One that gives exactly the folds of
    another is left out (channels on a 1×1 kernel, or where C is a multiple of R)."""
    reduction_on_rows = dataflow in (Dataflow.WS, Dataflow.IS)
    out: list[SpatialUnrolling] = []
    channels_differ = (reduction_on_rows and problem.taps > 1
                       and channel_folds(problem, rows) != (math.ceil(problem.k / rows),
                                                            min(rows, problem.k)))
    if IM2COL in allowed:
        out.append(IM2COL)
    if CHANNELS in allowed and (channels_differ or not out):
        out.append(CHANNELS)
    if (PIXELS in allowed and dataflow is Dataflow.WS
            and groups_packed == 1 and pixel_packing(problem, rows, cols) > 1):
        out.append(PIXELS)
    return out
