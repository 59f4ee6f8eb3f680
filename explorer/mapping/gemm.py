"""The GEMM mapper's search: build every candidate plan's kernel and keep the cheapest
under the cost function it is given (the engine's periodic schedule, for `simulate` and
`depgraph` alike)."""

from __future__ import annotations

from typing import NamedTuple

from explorer.engine.kernel import Body, LoopKernel, Node, Repeat
from explorer.engine.resources import Resources, resources_of
from explorer.engine.schedule import CostFn, ScheduleResult
from explorer.hardware.schema import Accelerator
from explorer.mapping.builder import KernelBuilder
from explorer.mapping.plans import GemmMapper, Plan, plan_report
from explorer.mapping.problem import GemmProblem
from explorer.mapping.unrolling import IM2COL, unrollings


class Mapped(NamedTuple):
    """A mapper's answer: the loop kernel, the plan it was built from (None for kernels
    without a choice) and its cost (the cost function's result, None when the mapper had
    nothing to choose between and did not evaluate it)."""

    kernel: LoopKernel
    plan: Plan | None
    cost: ScheduleResult | None


def map_gemm(problem: GemmProblem, acc: Accelerator | Resources, cost: CostFn) -> Mapped:
    """The cheapest candidate plan under `cost`. Candidates are tried in order of their
    busiest unit's occupancy, a lower bound on cycles, and the search stops when that
    bound cannot win. The preferred unrolling of every dataflow goes first; the other
    spatial unrollings the description allows (unrolling.py) follow, each dropped before
    its plans are built when its closed-form bound cannot beat the best so far."""
    res = resources_of(acc)
    compute = res.acc.compute
    # Where the compiler may pick the dataflow per layer, every supported one competes.
    dataflows = list(compute.dataflows) if compute.dataflow_per_layer else [compute.dataflow]
    groups: list[tuple[int, int, GemmMapper]] = []
    considered: set[str] = set()
    for dataflow in dataflows:
        preferred = GemmMapper(problem, res, dataflow)
        choices = unrollings(preferred.problem, dataflow, compute.spatial_unrollings,
                             preferred.rows, preferred.cols, preferred.pack)
        for phase, unrolling in enumerate(choices):
            considered.add(unrolling.value)
            mapper = (preferred if unrolling is IM2COL
                      else GemmMapper(problem, res, dataflow, unrolling))
            # Phase 0: the preferred unrolling of each dataflow, searched together.
            groups.append((min(phase, 1), mapper.lower_bound(), mapper))
    best: Mapped | None = None
    for phase in (0, 1):
        candidates = []
        for _, bound, mapper in sorted((g for g in groups if g[0] == phase),
                                       key=lambda g: g[1]):
            if best is not None and bound >= best.cost.cycles:
                continue  # cannot win: not even built
            bodies: dict[tuple, Body] = {}  # shared by this mapper's plans only
            for plan in mapper.plans():
                kernel = KernelBuilder(plan, res, bodies).build()
                # On equal bounds, plans that keep partial sums on chip first: spilling
                # them costs DRAM round trips the bound does not see, so they rarely win,
                # and once a good plan is known the others are abandoned early.
                candidates.append((_busy_bound(kernel), not plan.accumulate,
                                   len(candidates), kernel, plan))
        candidates.sort(key=lambda c: c[:3])
        for bound, _, _, kernel, plan in candidates:
            if best is not None and bound >= best.cost.cycles:
                break
            # A candidate is dropped as soon as its schedule reaches the best cycles so far.
            result = cost(kernel, None if best is None else best.cost.cycles)
            if result is not None and (best is None or result.cycles < best.cost.cycles):
                best = Mapped(kernel, plan, result)
    assert best is not None
    kernel = best.kernel
    kernel.mapping = plan_report(best.plan)
    kernel.mapping["dataflows_considered"] = [d.value for d in dataflows]
    kernel.mapping["unrollings_considered"] = [u.value for u in compute.spatial_unrollings
                                               if u.value in considered]
    kernel.mapping["memory_ports"] = res.ports.report()
    kernel.macs = problem.macs  # useful MACs: packing pads the diagonal with zeros
    return best


def _busy_bound(kernel: LoopKernel) -> int:
    """Busiest unit's total occupancy: a lower bound on cycles, cheap to compute."""
    per_body = []
    for body in kernel.bodies:
        busy = [0] * len(kernel.unit_names)
        for ins in body.instrs:
            busy[ins.unit] += ins.occupancy_cycles
        per_body.append(busy)

    def total(nodes: tuple[Node, ...]) -> list[int]:
        busy = [0] * len(kernel.unit_names)
        for node in nodes:
            if isinstance(node, Repeat):
                inner = total(node.children)
                busy = [b + node.count * i for b, i in zip(busy, inner)]
            else:
                busy = [b + i for b, i in zip(busy, per_body[node])]
        return busy

    return max(total(kernel.root))
