"""The default mapper: one deterministic loop kernel per (layer, accelerator), chosen
under the cost function the caller gives (explorer.engine.schedule.periodic_cost for
the kernel estimators)."""

from __future__ import annotations

from explorer.engine.kernel import LoopKernel
from explorer.engine.resources import Resources, resources_of
from explorer.engine.schedule import CostFn
from explorer.hardware.schema import Accelerator
from explorer.mapping.gemm import Mapped, map_gemm
from explorer.mapping.problem import Problem, ProblemKind, problem_for
from explorer.mapping.reuse import Residency
from explorer.mapping.vector import map_vector
from explorer.workload.network import Layer


def map_problem(problem: Problem, acc: Accelerator | Resources, cost: CostFn) -> Mapped:
    """(kernel, plan, cost) of `problem`; only GEMMs have plans to choose between, so
    only they are evaluated here."""
    res = resources_of(acc)
    if problem.kind is ProblemKind.GEMM and problem.gemm is not None:
        mapped = map_gemm(problem.gemm, res, cost)
    elif problem.kind is ProblemKind.FREE or problem.vector is None:
        kernel = LoopKernel([], (), res.queue_depths, (1, 1, 1),
                            {"unit": "none", "note": "view: no data moves"})
        mapped = Mapped(kernel, None, None)
    else:
        kernel = map_vector(problem.vector, res, copy=problem.kind is ProblemKind.COPY)
        mapped = Mapped(kernel, None, None)
    mapped.kernel.modelled = problem.modelled
    return mapped


def map_layer(layer: Layer, acc: Accelerator | Resources, cost: CostFn,
              residency: Residency | None = None) -> Mapped:
    """(kernel, plan, cost) of `layer` on `acc` (tiles, loop order, unrolling in
    `kernel.mapping`); `residency`: what of its activations stays on chip (reuse.py)."""
    res = resources_of(acc)
    return map_problem(problem_for(layer, fused_free=res.fused_free, residency=residency),
                       res, cost)
