"""The default mapper: one deterministic loop kernel per (layer, accelerator)."""

from __future__ import annotations

from explorer.hardware.schema import Accelerator
from explorer.mapping.gemm import map_gemm
from explorer.mapping.kernel import LoopKernel
from explorer.mapping.loop_memo import LoopMemo
from explorer.mapping.problem import Problem, ProblemKind, problem_for
from explorer.mapping.vector import map_vector
from explorer.workload.network import Layer


def map_problem(problem: Problem, acc: Accelerator, memo: LoopMemo | None = None) -> LoopKernel:
    """The loop kernel of `problem`; `memo` shares evaluated loops across calls."""
    if problem.kind is ProblemKind.GEMM and problem.gemm is not None:
        kernel = map_gemm(problem.gemm, acc, memo)
    elif problem.kind is ProblemKind.FREE or problem.vector is None:
        q = acc.queues
        kernel = LoopKernel([], (), (q.load, q.store, q.execute), (1, 1, 1),
                            {"unit": "none", "note": "view: no data moves"})
    else:
        kernel = map_vector(problem.vector, acc, copy=problem.kind is ProblemKind.COPY)
    kernel.modelled = problem.modelled
    return kernel


def map_layer(layer: Layer, acc: Accelerator, memo: LoopMemo | None = None) -> LoopKernel:
    """The loop kernel of `layer` on `acc` (tiles, loop order, unrolling in `.mapping`)."""
    return map_problem(problem_for(layer), acc, memo)
