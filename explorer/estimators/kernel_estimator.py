"""The base of the estimators that map each layer to its loop kernel and time it with
the engine (`simulate`, `depgraph`).

Both choose a layer's mapping the same way, explicitly: the mapper is given the engine's
periodic schedule as its cost function (explorer.engine.schedule.periodic_cost), so the
two estimators time the same kernel; they differ only in how that kernel is then
executed (`periodic`).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from explorer.engine.kernel import LoopKernel
from explorer.engine.resources import Resources, resources_of
from explorer.engine.schedule import (
    CANCEL_CHECK_BODIES,
    ScheduleResult,
    periodic_cost,
    schedule,
)
from explorer.estimators.base import Estimator, LayerEstimate, NetworkEstimate, Run
from explorer.estimators.energy import EnergyCounts, energy_counts
from explorer.estimators.metrics import peak_memory_bytes
from explorer.hardware.schema import Accelerator
from explorer.mapping.mapper import map_layer
from explorer.mapping.reuse import Residency, plan_residency, shared_memory, weight_memory
from explorer.mapping.spatial import spatial_report
from explorer.workload.network import Layer, Network

# Fused networks and footprints kept per estimator instance (a sweep uses one or a few).
MAX_PREPARED = 8


class KernelEstimator(Estimator):
    """Maps each layer to its loop kernel and schedules it; subclasses choose whether
    periodic loops are extrapolated (`periodic`)."""

    periodic: ClassVar[bool] = False

    def __init__(self, options=None) -> None:
        super().__init__(options)
        # Caches, not per-run state: the same answer whichever run fills them.
        self._prepared: OrderedDict[tuple, tuple[Network, Network]] = OrderedDict()
        self._peak_memory: OrderedDict[tuple, tuple[Network, float]] = OrderedDict()

    def prepare(self, network: Network, accelerator: Accelerator) -> Network:
        """The fused network, kept per (network, fusion rules): a sweep estimates one
        network on thousands of designs with the same rules."""
        rules = tuple(rule.model_dump_json() for rule in accelerator.fusion)
        key = (id(network), id(network.graph), tuple(map(id, network.layers)), rules)
        cache = self._prepared
        hit = cache.get(key)
        if hit is None:  # the network itself is kept, so that its id is not reused
            hit = cache[key] = (network, super().prepare(network, accelerator))
            if len(cache) > MAX_PREPARED:
                cache.popitem(last=False)
        return hit[1]

    def finish(self, result: NetworkEstimate, accelerator: Accelerator, run: Run) -> None:
        bits = (accelerator.compute.precision.input_bits,
                accelerator.compute.precision.weight_bits)
        key = (id(result.network), bits)
        cache = self._peak_memory
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = (result.network, peak_memory_bytes(result.network, accelerator))
            if len(cache) > MAX_PREPARED:
                cache.popitem(last=False)
        result.memory_bytes = hit[1]
        instructions = sum(layer.instructions or 0 for layer in result.layers)
        layer_wall = list(run.figures.get("layer_wall_s", []))
        wall = sum(layer_wall)
        result.extra[self.name] = {
            "layer_wall_s": layer_wall,
            "instructions": instructions,
            "instructions_per_s": instructions / wall if wall else None,
        }

    def schedule_layer(self, layer: Layer, res: Resources, run: Run | None = None,
                       residency: Residency | None = None
                       ) -> tuple[LoopKernel, ScheduleResult, bool]:
        """(kernel, schedule, whether it was freshly evaluated); `run`'s cancel is polled
        inside the schedule of a long layer; `residency`: inter-layer reuse (reuse.py)."""
        kernel, _, _ = map_layer(layer, res, periodic_cost(), residency)
        return kernel, schedule(kernel, periodic=self.periodic, cancel=_poll(layer, run)), True

    def iter_layers(self, network: Network, accelerator: Accelerator,
                    run: Run) -> Iterator[LayerEstimate]:
        res = resources_of(accelerator)  # resolved once for the whole network
        wall = run.figures.setdefault("layer_wall_s", [])
        # Which activations stay on chip between layers: decided over the whole graph.
        residency = plan_residency(network, accelerator)
        for layer in network.layers:
            start = time.perf_counter()
            estimate = self._estimate(layer, res, run, residency.get(layer.name))
            wall.append(time.perf_counter() - start)
            yield estimate

    def estimate_layer(self, layer: Layer, accelerator: Accelerator) -> LayerEstimate:
        return self._estimate(layer, resources_of(accelerator), None)

    def _estimate(self, layer: Layer, res: Resources, run: Run | None,
                  residency: Residency | None = None) -> LayerEstimate:
        kernel, result, fresh = self.schedule_layer(layer, res, run, residency)
        return finish_estimate(layer_fields(layer, res.acc, kernel, result),
                               energy_counts_of(kernel, result), res.acc, residency,
                               evaluated=result.bodies_evaluated if fresh else 0)


def _poll(layer: Layer, run: Run | None) -> Callable[[], bool] | None:
    """What the scheduler calls every CANCEL_CHECK_BODIES iterations of a long layer:
    progress inside the layer and the caller's cancel, through the one Run."""
    if run is None or (run.cancel is None and run.progress is None):
        return None
    polls = [0]

    def poll() -> bool:
        polls[0] += 1
        return run.inside(f"{layer.name} ({polls[0] * CANCEL_CHECK_BODIES:,} iterations)")

    return poll


def energy_counts_of(kernel: LoopKernel, result: ScheduleResult) -> EnergyCounts:
    counts = result.derived.get("energy")
    if counts is None:
        counts = result.derived["energy"] = energy_counts(
            kernel, result.body_counts, result.dram_read_bytes + result.dram_write_bytes)
    return counts


def layer_fields(layer: Layer, acc: Accelerator, kernel: LoopKernel,
                 result: ScheduleResult) -> dict[str, Any]:
    """A layer's estimate but for what clock and energies give (latency_s, energy_j) and
    the per-run parts (iterations evaluated, residency): what a timing cache can keep."""
    busy = result.unit_busy_cycles
    cycles = result.cycles
    compute = busy["array"] + busy["vector"]
    if not acc.compute.stationary_double_buffered:  # preloads stall the array in between
        compute += busy.get("preload", 0)
    memory = max(v for k, v in busy.items() if k.startswith("dma"))
    peak = acc.compute.peak_macs_per_cycle
    mapping: dict[str, Any] = dict(kernel.mapping)
    spatial = spatial_report(layer, mapping)
    if spatial is not None:
        mapping["spatial"] = spatial
    mapping["dram_read_bytes"] = result.dram_read_bytes
    mapping["dram_write_bytes"] = result.dram_write_bytes
    return dict(
        name=layer.name, op=layer.op, onnx_nodes=list(layer.onnx_nodes), macs=layer.macs,
        cycles=float(cycles),
        bound=None if not cycles else ("compute" if compute >= memory else "memory"),
        compute_cycles=float(compute), memory_cycles=float(memory),
        stall_cycles=float(max(0, cycles - compute)),
        utilisation=layer.macs / (cycles * peak) if cycles and layer.macs else 0.0,
        modelled=layer.modelled and kernel.modelled,
        iterations_total=result.iterations_total,
        instructions=result.instructions, mapping=mapping)


def finish_estimate(fields: dict[str, Any], counts: EnergyCounts, acc: Accelerator,
                    residency: Residency | None, *, evaluated: int) -> LayerEstimate:
    """The LayerEstimate of `fields` (layer_fields) on `acc`: its own copies of the lists
    and the mapping (a caller may edit them), seconds from its clock, joules from its
    energies."""
    mapping = dict(fields["mapping"])
    # bytes and energy per memory level (energies from this accelerator)
    mapping["memory_levels"] = counts.memory_levels(acc, mapping["dram_read_bytes"],
                                                    mapping["dram_write_bytes"])
    if shared_memory(acc) is not None or weight_memory(acc) is not None:
        mapping["residency"] = (residency or Residency()).report()
    return LayerEstimate(**{**fields, "onnx_nodes": list(fields["onnx_nodes"]),
                            "mapping": mapping},
                         latency_s=acc.cycles_to_seconds(fields["cycles"]),
                         energy_j=counts.joules(acc), iterations_evaluated=evaluated)
