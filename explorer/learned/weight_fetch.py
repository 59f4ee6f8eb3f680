"""The part of a layer's latency inside a network that its single-layer benchmark does not
see: its weights arriving from memory instead of the cache the benchmark kept them in.
The device's cost per byte is measured by explorer/benchmarking/devices/memory_probe.py
and recorded in the campaign's provenance; a model trained on that campaign carries it.
"""

from __future__ import annotations


def weight_fetch_s(weight_bytes: float, provenance: dict[str, str]) -> float:
    """The extra time inside a network for a layer with `weight_bytes` of weights, on the
    device `provenance` describes (0 for devices without a probe, e.g. older models)."""
    try:
        per_byte = float(provenance.get("weight_fetch_s_per_byte", 0.0))
        llc = float(provenance.get("llc_bytes", 0) or 0)
    except (TypeError, ValueError):
        return 0.0
    if per_byte <= 0 or (llc and weight_bytes > llc / 2):
        return 0.0
    return per_byte * weight_bytes
