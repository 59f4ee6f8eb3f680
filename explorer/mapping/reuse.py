"""Inter-layer reuse: which activations stay on chip between layers (issue 10 §1).

Decided over the network's graph from liveness, not edge by edge. Allowed where the
description has a memory that holds both inputs and outputs (a unified buffer: TPU v1's,
Eyeriss's global buffer, UltraTrail's feature memories): a layer's output then lands
where the next layer reads its input. Separate input and output SRAMs (SCALE-Sim's template) or an
accumulator that only drains to DRAM (Gemmini) leave every activation in DRAM.

Walking the layers in execution order, an output stays on chip when it has consumers and
fits beside the activations still live on chip within half of that memory (the other half
is left to the layers' tiles: a simplification, the tile planner does not see the
resident bytes). It is freed after its last consumer; a view (Reshape, Flatten, ...)
passes its input's residency and bytes on. A layer reads from DRAM only the share of its
inputs whose producers were not kept (network inputs always), and writes its output to
DRAM unless it is kept (network outputs always).

Weights across inferences: where the memory that holds the weights `keeps_weights`, the
layers whose weights fit (in execution order, while the sum fits its budget: all of it
for a weight-only memory, the half not given to kept activations otherwise) read them
from there; the estimate is then a steady-state inference (the first one, which loads
them, is not counted).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from explorer.hardware.schema import Accelerator, Memory, Operand
from explorer.mapping.problem import VIEW_OPS
from explorer.workload.network import LayerKind, Network

ON_CHIP_SHARE = 0.5  # of the shared memory's size, for activations kept between layers


@dataclass(frozen=True)
class Residency:
    """Per layer: the share of its input bytes read from DRAM (0 = all on chip) and
    whether its output goes to DRAM."""

    input_dram: float = 1.0
    output_dram: bool = True
    weights_dram: bool = True  # false: kept on chip from the previous inference

    def report(self) -> dict[str, object]:
        return {"input_from_dram": round(self.input_dram, 6),
                "output_to_dram": self.output_dram, "weights_from_dram": self.weights_dram}


def shared_memory(acc: Accelerator) -> Memory | None:
    """The memory that holds both inputs and outputs (where a kept activation lives), or
    None when the description has none."""
    return next((m for m in acc.memories
                 if Operand.INPUT in m.holds and Operand.OUTPUT in m.holds), None)


def weight_memory(acc: Accelerator) -> Memory | None:
    """The memory the weights stay in across inferences, or None."""
    memory = acc.memory_for(Operand.WEIGHT)
    return memory if memory.keeps_weights else None


def resident_weights(network: Network, acc: Accelerator) -> set[str]:
    """The layers whose weights stay on chip across inferences: in execution order while
    their sum fits the weight memory's budget."""
    memory = weight_memory(acc)
    if memory is None:
        return set()
    shared = Operand.INPUT in memory.holds or Operand.OUTPUT in memory.holds
    budget = memory.size_bytes * ((1.0 - ON_CHIP_SHARE) if shared else 1.0)
    bits = acc.compute.precision.weight_bits
    kept: set[str] = set()
    for layer in network.layers:
        size = layer.weight_bytes(bits)
        if size and size <= budget:
            kept.add(layer.name)
            budget -= size
    return kept


def plan_residency(network: Network, acc: Accelerator) -> dict[str, Residency]:
    """Residency of every layer whose inputs, output or weights stay on chip (absent:
    DRAM every way)."""
    result = _activation_residency(network, acc)
    for name in resident_weights(network, acc):
        result[name] = replace(result.get(name, Residency()), weights_dram=False)
    return result


def _activation_residency(network: Network, acc: Accelerator) -> dict[str, Residency]:
    memory = shared_memory(acc)
    if memory is None:
        return {}
    budget = memory.size_bytes * ON_CHIP_SHARE
    in_bytes_per_elem = acc.compute.precision.input_bits / 8
    out_bytes_per_elem = acc.compute.precision.output_bits / 8
    graph = network.graph
    order = {layer.name: i for i, layer in enumerate(network.layers)}
    resident: dict[str, float] = {}  # outputs readable on chip (views too) -> bytes
    source_of: dict[str, list[str]] = {}  # a kept view -> the kept outputs it shows
    held: dict[str, float] = {}  # kept outputs occupying the memory -> bytes
    last_use: dict[str, int] = {}  # held output -> index of its last reader (via views)
    result: dict[str, Residency] = {}
    for i, layer in enumerate(network.layers):
        preds = [p for p in graph.predecessors(layer.name) if p in order]
        succs = [s for s in graph.successors(layer.name) if s in order]
        kept = [p for p in preds if p in resident]
        total_in = sum(math.prod(shape) for shape in layer.inputs) * in_bytes_per_elem
        kept_in = sum(resident[p] for p in kept) * in_bytes_per_elem / out_bytes_per_elem
        input_dram = 1.0 if total_in <= 0 else max(0.0, 1.0 - kept_in / total_in)
        out_bytes = layer.output_elems * out_bytes_per_elem
        view = layer.kind is LayerKind.DATA and layer.op in VIEW_OPS
        keep = False
        if view and preds and len(kept) == len(preds) and succs:
            keep = True  # the view is its sources' bytes under another shape
            sources = [src for p in kept for src in source_of.get(p, [p])]
            source_of[layer.name] = sources
            for src in sources:
                last_use[src] = max(last_use[src], *(order[x] for x in succs))
        elif succs and not view and out_bytes + sum(held.values()) <= budget:
            keep = True
            held[layer.name] = out_bytes
            last_use[layer.name] = max(order[x] for x in succs)
        if keep:
            resident[layer.name] = out_bytes
        if input_dram < 1.0 or keep:
            result[layer.name] = Residency(input_dram, not keep)
        for done in [src for src, j in last_use.items() if j <= i]:
            held.pop(done, None)
            last_use.pop(done)
    return result
