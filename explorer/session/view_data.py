"""What the views plot, computed from core results without Qt: latency breakdowns, roofline
ceilings and points, comparisons. Kept apart from the widgets so it can be tested (and
reasoned about) as plain numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Comparisons are the core's (explorer/compare.py: one layer-matching rule for the CLI,
# the session and the window); re-exported here for the views.
from explorer.compare import ComparedLayer, Comparison  # noqa: F401
from explorer.compare import compare_results as compare  # noqa: F401
from explorer.errors import WorkloadError
from explorer.estimators.base import LayerEstimate, NetworkEstimate
from explorer.hardware.schema import Accelerator
from explorer.workload.network import Layer, Network

BREAKDOWN_PARTS = ("compute", "memory", "stall")
# One vocabulary for every view, table, tooltip and report: what each part of a layer's
# time is called, and what a layer bound by compute or memory is called. The three parts
# add up to the latency; "memory-busy" is all the time the transfers take, which overlaps
# them (only its exposed part is a part of its own).
PART_LABELS = {"compute": "compute", "memory": "exposed memory", "stall": "stall",
               "compute-bound": "compute-bound", "memory-bound": "memory-bound",
               "unknown": "latency (no breakdown)",
               "memory-busy": "memory transfers (overlapping)"}


def bound_label(bound: str | None) -> str:
    """'compute' -> 'compute-bound'; '' when the estimator does not say."""
    return PART_LABELS.get(f"{bound}-bound", "") if bound else ""


def latency_interval(layer: LayerEstimate) -> tuple[float, float] | None:
    """The estimate's 90 % interval in seconds (low, high), where the estimator gives
    one (the statistical model: its trees' central 90 %); None otherwise."""
    interval = (layer.mapping or {}).get("latency_interval90_s")
    if not interval or len(interval) != 2:
        return None
    return float(interval[0]), float(interval[1])


def network_latency_range(result: NetworkEstimate) -> tuple[float, float] | None:
    """A conservative whole-network range (low, high) in seconds: the sum of the layers'
    90 % bounds (a layer without one counts at its estimate). The layers' errors are not
    independent and do not all go one way, so the true 90 % interval of the sum is
    narrower; None when no layer has an interval, or when a network-level model sets the
    total (the layers' bounds say nothing about the work that model adds or removes)."""
    if result.network_latency_s is not None:
        return None
    low = high = 0.0
    found = False
    for layer in result.layers:
        interval = latency_interval(layer)
        if interval is None:
            low, high = low + layer.latency_s, high + layer.latency_s
        else:
            found = True
            low, high = low + interval[0], high + interval[1]
    return (low, high) if found else None


def latency_breakdown(layer: LayerEstimate) -> dict[str, float] | None:
    """Split a layer's latency (seconds) into compute / exposed memory / stall parts that
    add up to its latency, so stacked bars keep the true height.

    Estimators report compute and memory cycles that may overlap (a roofline layer takes
    max(compute, memory)); what is not hidden behind compute is shown as memory time.
    None when the estimator gives no breakdown."""
    if layer.compute_cycles is None or not layer.cycles or layer.cycles <= 0:
        return None
    seconds_per_cycle = layer.latency_s / layer.cycles
    compute = min(layer.compute_cycles, layer.cycles)
    stall = min(layer.stall_cycles or 0.0, layer.cycles - compute)
    memory = max(layer.cycles - compute - stall, 0.0)
    return {"compute": compute * seconds_per_cycle, "memory": memory * seconds_per_cycle,
            "stall": stall * seconds_per_cycle}


def layer_order(layers: list[LayerEstimate], by_latency: bool) -> list[int]:
    """Indices of `layers` in network order or by decreasing latency."""
    indices = list(range(len(layers)))
    if by_latency:
        indices.sort(key=lambda i: -layers[i].latency_s)
    return indices


@dataclass(frozen=True)
class Ceiling:
    """One roof of the roofline: a flat compute ceiling (ops/s) or a bandwidth slope (B/s)."""

    label: str
    kind: str  # "compute" | "bandwidth"
    value: float  # ops/s for compute, bytes/s for bandwidth


def roofline_ceilings(acc: Accelerator) -> list[Ceiling]:
    """The PE array and vector unit peaks and one bandwidth roof per memory level,
    on-chip levels first, then DRAM. A level's roof is the bytes it can move per second,
    reads and writes together (the traffic its intensity counts): both at once with
    separate ports, one or the other on a single-ported memory."""
    clock = acc.clock_hz
    ceilings = [Ceiling("PE array", "compute", 2 * acc.compute.peak_macs_per_cycle * clock),
                Ceiling("vector unit", "compute", acc.compute.vector_lanes * clock)]
    for memory in acc.memories:
        read, write = (memory.read_bandwidth_bytes_per_cycle,
                       memory.write_bandwidth_bytes_per_cycle)
        per_cycle = max(read, write) if memory.single_ported else read + write
        ceilings.append(Ceiling(memory.name, "bandwidth", per_cycle * clock))
    ceilings.append(Ceiling("DRAM", "bandwidth",
                            acc.offchip.bandwidth_bytes_per_cycle * clock))
    return ceilings


@dataclass(frozen=True)
class RooflinePoint:
    name: str
    op: str
    ops: float
    bytes: float
    latency_s: float

    @property
    def intensity(self) -> float:
        """Operational intensity, ops per byte of DRAM traffic."""
        return self.ops / self.bytes

    @property
    def performance(self) -> float:
        """Achieved ops/s."""
        return self.ops / self.latency_s


def roofline_points(result: NetworkEstimate, acc: Accelerator) -> list[RooflinePoint]:
    """One point per estimated layer that does arithmetic and moves data (pure data
    movement has no place on a log-log roofline). The arithmetic is the work the
    estimators cost (mapping/problem.py `work_of`): free output-path work is not counted."""
    from explorer.mapping.problem import work_of

    precision = acc.compute.precision
    layers = result.network.by_name
    points = []
    for estimate in result.layers:
        layer: Layer | None = layers.get(estimate.name)
        if layer is None or estimate.latency_s <= 0:
            continue
        traffic = layer.bytes_moved(act_bits=precision.input_bits,
                                    weight_bits=precision.weight_bits)
        work = work_of(layer, fused_free=acc.compute.fused_elementwise_free)
        ops = 2 * work.array_macs + work.vector_ops
        if ops <= 0 or traffic <= 0:
            continue
        points.append(RooflinePoint(estimate.name, estimate.op, float(ops), traffic,
                                    estimate.latency_s))
    return points


def limiting_roof(point: RooflinePoint, ceilings: list[Ceiling]) -> tuple[Ceiling, float]:
    """The roof that caps `point` at its intensity and the attainable performance (op/s)
    there. The intensity is per byte of DRAM traffic, so only the DRAM slope and the
    compute ceilings can bound it honestly; on-chip roofs would need per-level traffic."""
    compute = max((c for c in ceilings if c.kind == "compute"), key=lambda c: c.value)
    dram = next((c for c in ceilings if c.kind == "bandwidth" and c.label == "DRAM"), None)
    if dram is not None and dram.value * point.intensity < compute.value:
        return dram, dram.value * point.intensity
    return compute, compute.value


def log_range(values: list[float], pad_decades: float = 0.3) -> tuple[float, float]:
    """log10 bounds around positive `values`, padded, for a log-log view."""
    logs = [math.log10(v) for v in values if v > 0]
    if not logs:
        return (0.0, 1.0)
    return (min(logs) - pad_decades, max(logs) + pad_decades)


@dataclass(frozen=True)
class Summary:
    """The numbers of the summary strip."""

    latency_s: float
    throughput_per_s: float
    energy_j: float | None
    utilisation: float | None  # network MACs / (latency · peak MAC/s)
    compute_share: float
    memory_share: float
    layers: int
    estimator_runtime_s: float


def summarise(result: NetworkEstimate, acc: Accelerator | None) -> Summary:
    latency = result.latency_s
    macs = sum(layer.macs for layer in result.layers)
    utilisation = None
    if acc is not None and latency > 0:
        utilisation = macs / (latency * acc.peak_macs_per_s)
    shares = result.bound_share()
    return Summary(latency_s=latency, throughput_per_s=1.0 / latency if latency > 0 else 0.0,
                   energy_j=result.energy_j, utilisation=utilisation,
                   compute_share=shares["compute"], memory_share=shares["memory"],
                   layers=len(result.layers), estimator_runtime_s=result.runtime_s)


def measurement_from_json(data: object, network: Network, origin: str) -> NetworkEstimate:
    """A measurement to compare against: JSON with `layers: [{name, latency_s, ...}]` (the
    shape of `NetworkEstimate.to_dict()`, which `accel-explorer estimate --format json` writes)."""
    layers = data.get("layers") if isinstance(data, dict) else None
    if not isinstance(layers, list) or not layers:
        raise WorkloadError(f"{origin}: expected a JSON object with a non-empty 'layers' list "
                            "of {name, latency_s}")
    estimates = []
    for i, item in enumerate(layers):
        try:
            name = str(item["name"])
            latency = float(item["latency_s"])
        except (KeyError, TypeError, ValueError):
            raise WorkloadError(f"{origin}: layers[{i}] needs 'name' and a numeric "
                                "'latency_s'") from None
        if not math.isfinite(latency) or latency < 0:
            raise WorkloadError(f"{origin}: layers[{i}].latency_s = {latency}: must be a "
                                "finite number ≥ 0")
        cycles = float(item.get("cycles") or 0.0)
        estimates.append(LayerEstimate(name=name, op=str(item.get("op", "")),
                                       onnx_nodes=list(item.get("onnx_nodes") or [name]),
                                       macs=int(item.get("macs") or 0), cycles=cycles,
                                       latency_s=latency))
    return NetworkEstimate(network, accelerator="measured", estimator="measured",
                           layers=estimates)
