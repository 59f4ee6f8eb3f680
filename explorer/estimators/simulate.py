"""`simulate`: the cycle-level reference. Every instruction of every loop-kernel
iteration of every layer is scheduled (explorer.mapping.schedule): data dependencies,
one unit per instruction class, queue depths, buffer rings, DMA latency and bandwidth,
memory banks and ports (a DMA fill and the array's reads of one single-ported bank take
turns; explorer.mapping.ports), array fill and drain. Slow by design; it is the ground truth `depgraph` is checked
against.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

from explorer.estimators.base import Estimator, LayerEstimate, NetworkEstimate
from explorer.estimators.energy import kernel_energy_j
from explorer.hardware.schema import Accelerator
from explorer.mapping.kernel import LoopKernel
from explorer.mapping.mapper import map_layer
from explorer.mapping.schedule import ScheduleResult, schedule
from explorer.workload.network import Layer


class KernelEstimator(Estimator):
    """Maps each layer to its loop kernel and schedules it; subclasses choose whether
    periodic loops are extrapolated (`periodic`)."""

    periodic: ClassVar[bool] = False

    def __init__(self, cancel: Callable[[], bool] | None = None) -> None:
        self.cancel = cancel
        self.layer_wall_s: list[float] = []

    def schedule_layer(self, layer: Layer, acc: Accelerator
                       ) -> tuple[LoopKernel, ScheduleResult, bool]:
        """(kernel, schedule, whether it was freshly evaluated)."""
        kernel = map_layer(layer, acc)
        return kernel, schedule(kernel, periodic=self.periodic, cancel=self.cancel), True

    def estimate_layer(self, layer: Layer, accelerator: Accelerator) -> LayerEstimate:
        start = time.perf_counter()
        kernel, result, fresh = self.schedule_layer(layer, accelerator)
        estimate = layer_estimate(layer, accelerator, kernel, result,
                                  evaluated=result.bodies_evaluated if fresh else 0)
        self.layer_wall_s.append(time.perf_counter() - start)
        return estimate

    def finish(self, result: NetworkEstimate, accelerator: Accelerator) -> None:
        super().finish(result, accelerator)
        instructions = sum(layer.instructions or 0 for layer in result.layers)
        wall = sum(self.layer_wall_s)
        result.extra[self.name] = {
            "layer_wall_s": self.layer_wall_s[-len(result.layers):],
            "instructions": instructions,
            "instructions_per_s": instructions / wall if wall else None,
        }


def layer_estimate(layer: Layer, acc: Accelerator, kernel: LoopKernel, result: ScheduleResult,
                   *, evaluated: int) -> LayerEstimate:
    busy = result.unit_busy_cycles
    cycles = result.cycles
    compute = busy["array"] + busy["vector"]
    memory = max(v for k, v in busy.items() if k.startswith("dma"))
    peak = acc.compute.peak_macs_per_cycle
    mapping: dict[str, Any] = dict(kernel.mapping)
    mapping["dram_read_bytes"] = result.dram_read_bytes
    mapping["dram_write_bytes"] = result.dram_write_bytes
    return LayerEstimate(
        name=layer.name, op=layer.op, onnx_nodes=list(layer.onnx_nodes), macs=layer.macs,
        cycles=float(cycles), latency_s=acc.cycles_to_seconds(cycles),
        bound=None if not cycles else ("compute" if compute >= memory else "memory"),
        energy_j=kernel_energy_j(kernel, result.body_counts, acc,
                                 result.dram_read_bytes + result.dram_write_bytes),
        compute_cycles=float(compute), memory_cycles=float(memory),
        stall_cycles=float(max(0, cycles - compute)),
        utilisation=layer.macs / (cycles * peak) if cycles and layer.macs else 0.0,
        modelled=layer.modelled and kernel.modelled,
        iterations_evaluated=evaluated, iterations_total=result.iterations_total,
        instructions=result.instructions, mapping=mapping)


class Simulate(KernelEstimator):
    name = "simulate"
    description = ("cycle-level reference: schedules every instruction of every loop-kernel "
                   "iteration (slow)")
    fast = False
    periodic = False
