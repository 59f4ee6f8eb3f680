"""`depgraph`: the fast dependency-graph estimator (Lübeck et al. 2024).

The same loop kernel and the same instruction semantics as `simulate` (instruction
dependencies plus resource conflicts on units, queues, buffers and memory ports), but a loop's
iterations are evaluated only until the schedule becomes periodic: once the state
relative to the issue front repeats after p iterations, the remaining whole periods are
extrapolated by shifting every time by the period's length (exact, since scheduling is
max-plus and shift-invariant). A loop entered again in a state seen before reuses its
outcome. Remainder tiles and first/last iterations are iteration classes of their own.
Results are cached per distinct (layer configuration, accelerator) within an instance:
ResNet repeats its blocks; and evaluated loops are shared by content (loop_memo.py)
across the mapper's candidates and across layers with the same inner loops.
"""

from __future__ import annotations

from explorer.estimators.simulate import KernelEstimator
from explorer.hardware.schema import Accelerator
from explorer.mapping.kernel import LoopKernel
from explorer.mapping.loop_memo import LoopMemo
from explorer.mapping.mapper import map_problem
from explorer.mapping.problem import problem_for
from explorer.mapping.schedule import ScheduleResult, schedule
from explorer.workload.network import Layer


class DepGraph(KernelEstimator):
    name = "depgraph"
    description = ("dependency-graph model: evaluates loop-kernel iterations until the "
                   "schedule is periodic, then extrapolates (fast, matches simulate)")
    fast = True
    periodic = True

    def __init__(self, cancel=None) -> None:
        super().__init__(cancel)
        self._cache: dict[tuple, tuple[LoopKernel, ScheduleResult]] = {}
        self._acc_keys: dict[int, tuple[Accelerator, str]] = {}
        self._loops = LoopMemo()

    def _acc_key(self, acc: Accelerator) -> str:
        known = self._acc_keys.get(id(acc))
        if known is None or known[0] is not acc:
            known = (acc, acc.model_dump_json())
            self._acc_keys[id(acc)] = known
        return known[1]

    def schedule_layer(self, layer: Layer, acc: Accelerator
                       ) -> tuple[LoopKernel, ScheduleResult, bool]:
        problem = problem_for(layer)
        key = (problem, self._acc_key(acc))
        hit = self._cache.get(key)
        if hit is not None:
            return hit[0], hit[1], False
        kernel = map_problem(problem, acc, self._loops)
        result = kernel.periodic_result or schedule(kernel, periodic=True, memo=self._loops)
        self._cache[key] = (kernel, result)
        return kernel, result, True
