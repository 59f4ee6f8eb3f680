"""Network-level metrics that do not depend on the estimator (Sponner et al.'s third
metric): the peak memory footprint of an inference."""

from __future__ import annotations

from explorer.hardware.schema import Accelerator
from explorer.workload.network import Network


def peak_memory_bytes(network: Network, acc: Accelerator | None = None) -> float:
    """Weights + the largest set of activations alive at once, walking the layers in
    order: a layer's outputs stay alive until its last consumer has run. Layers with no
    producer read network inputs, which count while the first such layer runs."""
    act_bits = acc.compute.precision.input_bits if acc else None
    weight_bits = acc.compute.precision.weight_bits if acc else None
    position = {layer.name: i for i, layer in enumerate(network.layers)}
    last_use = {}
    for layer in network.layers:
        successors = [position[s] for s in network.graph.successors(layer.name)
                      if s in position] if layer.name in network.graph else []
        last_use[layer.name] = max(successors, default=position[layer.name])
    live: dict[str, float] = {}
    peak = 0.0
    for i, layer in enumerate(network.layers):
        has_producer = layer.name in network.graph and network.graph.in_degree(layer.name) > 0
        external_inputs = 0.0 if has_producer else layer.input_bytes(act_bits)
        live[layer.name] = layer.output_bytes(act_bits)
        peak = max(peak, sum(live.values()) + external_inputs)
        for name in [n for n in live if last_use[n] <= i]:
            del live[name]
    return network.weight_bytes(weight_bits) + peak
