"""`depgraph`: the fast dependency-graph estimator (Lübeck et al. 2024).

The same loop kernel and the same instruction semantics as `simulate` (instruction
dependencies plus resource conflicts on units, queues, buffers and memory ports), but a loop's
iterations are evaluated only until the schedule becomes periodic: once the state
relative to the issue front repeats after p iterations, the remaining whole periods are
extrapolated by shifting every time by the period's length (exact, since scheduling is
max-plus and shift-invariant). A loop entered again in a state seen before reuses its
outcome. Remainder tiles and first/last iterations are iteration classes of their own.
Results are cached per distinct (layer configuration, accelerator timing content: all but
clock, energies and areas) within an instance, bounded: ResNet repeats its blocks; and evaluated loops are shared by content
(engine/loop_memo.py) across the mapper's candidates and across layers with the same
inner loops. The mapper is given the same periodic evaluation as its cost function, so
the winning candidate's schedule is this estimator's result.
"""

from __future__ import annotations

from collections import OrderedDict

from explorer.engine.kernel import LoopKernel
from explorer.engine.loop_memo import LoopMemo
from explorer.engine.resources import Resources
from explorer.engine.schedule import ScheduleResult, periodic_cost, schedule
from explorer.estimators.base import LayerEstimate, Run
from explorer.estimators.kernel_estimator import (
    KernelEstimator,
    energy_counts_of,
    finish_estimate,
    layer_fields,
)
from explorer.mapping.mapper import map_problem
from explorer.mapping.problem import problem_for
from explorer.mapping.reuse import Residency
from explorer.workload.network import Layer

# Distinct (layer configuration, accelerator) results kept; a network has at most a few
# hundred, a sweep evicts the oldest points.
MAX_CACHED_LAYERS = 4096


class DepGraph(KernelEstimator):
    name = "depgraph"
    description = ("dependency-graph model: evaluates loop-kernel iterations until the "
                   "schedule is periodic, then extrapolates (fast, matches simulate)")
    fast = True
    periodic = True

    def __init__(self, options=None) -> None:
        super().__init__(options)
        # Caches, not per-run state: keyed by content, bounded, the same answer whichever
        # run fills them.
        self._cache: OrderedDict[tuple, tuple[LoopKernel, ScheduleResult]] = OrderedDict()
        self._loops = LoopMemo()
        # Per (layer object, residency, timing content): the estimate's fields but for
        # seconds and joules, so a design that changes only clock, energies or areas
        # re-derives those two per layer and nothing else. The layer is kept in the
        # entry: its id then names it for as long as the entry lives.
        self._layers: OrderedDict[tuple, tuple] = OrderedDict()

    def _estimate(self, layer: Layer, res: Resources, run: Run | None,
                  residency: Residency | None = None) -> LayerEstimate:
        key = (id(layer), residency, res.timing_key)
        hit = self._layers.get(key)
        evaluated = 0
        if hit is not None and hit[0] is layer:
            self._layers.move_to_end(key)
            _, fields, counts = hit
        else:
            kernel, result, fresh = self.schedule_layer(layer, res, run, residency)
            fields = layer_fields(layer, res.acc, kernel, result)
            counts = energy_counts_of(kernel, result)
            evaluated = result.bodies_evaluated if fresh else 0
            self._layers[key] = (layer, fields, counts)
            if len(self._layers) > MAX_CACHED_LAYERS:
                self._layers.popitem(last=False)
        return finish_estimate(fields, counts, res.acc, residency, evaluated=evaluated)

    def schedule_layer(self, layer: Layer, res: Resources, run: Run | None = None,
                       residency: Residency | None = None
                       ) -> tuple[LoopKernel, ScheduleResult, bool]:
        problem = problem_for(layer, fused_free=res.fused_free, residency=residency)
        # Clock, energies and areas do not change a schedule (energy is applied to its
        # counts afterwards, finish_estimate), so designs differing only there share it.
        key = (problem, res.timing_key)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit[0], hit[1], False
        kernel, _, cost = map_problem(problem, res, periodic_cost(self._loops))
        result = cost or schedule(kernel, periodic=True, memo=self._loops)
        self._cache[key] = (kernel, result)
        if len(self._cache) > MAX_CACHED_LAYERS:
            self._cache.popitem(last=False)
        return kernel, result, True
