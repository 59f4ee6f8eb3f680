"""The part of a layer's latency inside a network that its single-layer benchmark does not
see: its weights arriving from memory instead of the cache the benchmark kept them in.
The device's costs are measured by explorer/benchmarking/devices/memory_probe.py and
recorded in the campaign's provenance; a model trained on that campaign carries them.

Weights up to half the last-level cache stay there between a benchmark's repetitions, so
inside a network the layer pays the probe's extra time per byte on top of its benchmark.
Larger weights do not fit alongside everything else a network touches: the layer then
takes at least as long as streaming them at the probe's cold bandwidth. That bound also
covers a layer model that saw few or no weights this large (vgg19's FC layer holds
411 MB; random campaigns rarely draw such sizes) and extrapolates its warm speed, without
counting twice for a benchmark that already streamed them.
"""

from __future__ import annotations


def weight_fetch_s(weight_bytes: float, provenance: dict[str, str],
                   alone_s: float = 0.0) -> float:
    """The extra time inside a network for a layer with `weight_bytes` of weights that
    takes `alone_s` as benchmarked (measured or predicted), on the device `provenance`
    describes (0 for devices without a probe: older models, simulators, GPUs)."""
    try:
        per_byte = float(provenance.get("weight_fetch_s_per_byte", 0.0))
        llc = float(provenance.get("llc_bytes", 0) or 0)
        cold = float(provenance.get("weight_cold_gb_per_s", 0) or 0) * 1e9
    except (TypeError, ValueError):
        return 0.0
    if per_byte <= 0 or weight_bytes <= 0:
        return 0.0
    if llc and weight_bytes > llc / 2:
        return max(0.0, weight_bytes / cold - alone_s) if cold > 0 else 0.0
    return per_byte * weight_bytes
