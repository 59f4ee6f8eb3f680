"""What an architect reads off a result besides the bars, as plain data: a per-op-type
summary, the top-N layers, one layer's detail (mapping, traffic, cycle breakdown), area
per component, and A/B deltas between two results. The GUI's views, the CLI and scripts
use these same functions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from explorer.compare import match_layers
from explorer.estimators.base import LayerEstimate, NetworkEstimate
from explorer.hardware.schema import Accelerator
from explorer.session.view_data import PART_LABELS, bound_label, latency_breakdown
from explorer.units import binary_bytes, count, percent, plural, si


@dataclass(frozen=True)
class OpSummary:
    op: str
    layers: int
    latency_s: float
    share: float  # of the network's latency
    macs: int
    energy_j: float | None
    energy_share: float | None = None  # of the network's energy
    dram_bytes: float | None = None  # read from and written to DRAM
    dram_share: float | None = None  # of the network's DRAM traffic


def op_summary(result: NetworkEstimate) -> list[OpSummary]:
    """Latency, MACs, energy and DRAM traffic per op type, slowest first. Energy and
    traffic are None where an estimator does not report them for every layer of the op
    type (traffic: the mapping estimators, depgraph and simulate), never guessed."""
    total = result.latency_s or 1.0
    groups: dict[str, list[LayerEstimate]] = {}
    for layer in result.layers:
        groups.setdefault(layer.op, []).append(layer)

    def known(values: list) -> float | None:
        return None if any(v is None for v in values) else sum(values)

    sums = {op: (known([x.energy_j for x in layers]),
                 known([None if x.dram_read_bytes is None or x.dram_write_bytes is None
                        else x.dram_read_bytes + x.dram_write_bytes for x in layers]))
            for op, layers in groups.items()}
    energy_total = known([energy for energy, _dram in sums.values()])
    dram_total = known([dram for _energy, dram in sums.values()])

    def share(value: float | None, whole: float | None) -> float | None:
        return None if value is None or not whole else value / whole

    rows = []
    for op, layers in groups.items():
        latency = sum(x.latency_s for x in layers)
        energy, dram = sums[op]
        rows.append(OpSummary(op, len(layers), latency, latency / total,
                              sum(x.macs for x in layers), energy,
                              share(energy, energy_total), dram, share(dram, dram_total)))
    return sorted(rows, key=lambda row: -row.latency_s)


def top_layers(result: NetworkEstimate, n: int = 10) -> list[tuple[int, LayerEstimate]]:
    """The `n` slowest layers with their 1-based numbers (the table's "#")."""
    numbered = list(enumerate(result.layers, start=1))
    return sorted(numbered, key=lambda item: -item[1].latency_s)[:n]


def layer_number(result: NetworkEstimate, name: str) -> int | None:
    for number, layer in enumerate(result.layers, start=1):
        if layer.name == name or name in layer.onnx_nodes:
            return number
    return None


def layer_detail(result: NetworkEstimate, name: str) -> list[tuple[str, str, str]]:
    """(section, item, value) rows describing one layer: the estimate, its cycles broken
    down, the traffic and energy at each memory level, and the mapping the estimator
    chose (GEMM dims, unrolling, tiles, folds, loop order, resident operands, memory
    ports, DRAM traffic)."""
    number = layer_number(result, name)
    if number is None:
        return []
    layer = result.layers[number - 1]
    rows = [("Layer", "#", str(number)), ("Layer", "name", layer.name),
            ("Layer", "op", layer.op), ("Layer", "ONNX nodes", ", ".join(layer.onnx_nodes)),
            ("Estimate", "latency", si(layer.latency_s, "s")),
            ("Estimate", "cycles", count(layer.cycles)),
            ("Estimate", "bound", bound_label(layer.bound) or "–"),
            ("Estimate", "MACs", count(layer.macs)),
            ("Estimate", "utilisation", percent(layer.utilisation)),
            ("Estimate", "energy", si(layer.energy_j, "J"))]
    # The split the bars draw (parts that add up to the cycles), then the transfers'
    # whole time, which overlaps those parts: the estimator's memory cycles are not a
    # share of their own.
    parts = latency_breakdown(layer)
    if parts:
        total = sum(parts.values()) or 1.0
        for part, seconds in parts.items():
            rows.append(("Cycles", PART_LABELS[part],
                         f"{count(seconds / total * layer.cycles)} ({percent(seconds / total)})"))
    if layer.memory_cycles is not None and layer.cycles:
        rows.append(("Cycles", PART_LABELS["memory-busy"],
                     f"{count(layer.memory_cycles)} ({percent(layer.memory_cycles / layer.cycles)}"
                     " of the cycles; overlaps the parts above)"))
    mapping = dict(layer.mapping or {})
    for level, v in (mapping.pop("memory_levels", None) or {}).items():
        rows.append(("Memory levels", level,
                     f"{binary_bytes(v['read_bytes'])} read, {binary_bytes(v['write_bytes'])} "
                     f"written, {si(v['energy_j'], 'J')}"))
    for key, value in _flatten(mapping):
        rows.append(("Mapping", key, _text(key, value)))
    return rows


def _flatten(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict) and data and not _leafy(data):
        for key, value in data.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, data


def _leafy(data: dict) -> bool:
    """A small dict of scalars reads best on one line (tiles, folds, GEMM dims)."""
    return len(data) <= 6 and all(not isinstance(v, dict | list) for v in data.values())


def _text(key: str, value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_text(str(k), v)}" for k, v in value.items())
    if isinstance(value, list):
        return " → ".join(str(v) for v in value) if key.endswith("order") else \
            ", ".join(str(v) for v in value)
    if isinstance(value, float) and ("utilisation" in key or "efficiency" in key):
        return percent(value)
    if isinstance(value, int | float) and key.endswith("bytes") and not isinstance(value, bool):
        return binary_bytes(value)
    if isinstance(value, int | float) and key.endswith("_j") and not isinstance(value, bool):
        return si(value, "J")
    return str(value)


def area_breakdown(acc: Accelerator) -> list[tuple[str, float, str]]:
    """(component, mm², source) for every part of the description that states an area."""
    rows = [("PE array", acc.compute.area.mm2, acc.compute.area.source)]
    rows += [(f"memory {m.name}", m.area.mm2, m.area.source) for m in acc.memories]
    for name in ("offchip", "dma"):
        part = getattr(acc, name, None)
        area = getattr(part, "area", None)
        if area is not None:
            rows.append((name, area.mm2, area.source))
    return rows


@dataclass(frozen=True)
class DeltaLayer:
    number: int
    name: str
    op: str
    baseline_s: float
    current_s: float | None

    @property
    def delta_s(self) -> float | None:
        return None if self.current_s is None else self.current_s - self.baseline_s

    @property
    def relative(self) -> float | None:
        if self.current_s is None or self.baseline_s <= 0:
            return None
        return (self.current_s - self.baseline_s) / self.baseline_s


@dataclass(frozen=True)
class ABComparison:
    """The current result against a pinned baseline, layer by layer and in total."""

    baseline: NetworkEstimate
    current: NetworkEstimate
    layers: list[DeltaLayer]
    # B's layers that stand for no layer of A (the two fuse differently): their time is
    # in the total delta but in no per-layer row.
    only_current: list[LayerEstimate] = field(default_factory=list)

    @property
    def total_delta_s(self) -> float:
        return self.current.latency_s - self.baseline.latency_s

    @property
    def total_relative(self) -> float | None:
        base = self.baseline.latency_s
        return self.total_delta_s / base if base > 0 else None

    def summary(self) -> str:
        faster = "faster" if self.total_delta_s < 0 else "slower"
        return (f"B {si(self.current.latency_s, 's')} vs A (baseline) "
                f"{si(self.baseline.latency_s, 's')}: {percent(self.total_relative, signed=True)}"
                f", {si(abs(self.total_delta_s), 's')} {faster}. A: {_label(self.baseline)}; "
                f"B: {_label(self.current)}" + self._only_current_note())

    def _only_current_note(self) -> str:
        if not self.only_current:
            return ""
        seconds = sum(layer.latency_s for layer in self.only_current)
        return (f". {plural(len(self.only_current), 'layer')} of B ({si(seconds, 's')}) "
                "match no layer of A (fused differently): in the total, in no row")


def _label(result: NetworkEstimate) -> str:
    return f"{result.network.name} on {result.accelerator} ({result.estimator})"


def ab_compare(baseline: NetworkEstimate, current: NetworkEstimate) -> ABComparison:
    """Layers matched by name (or by the ONNX node they start with, when fusion differs)."""
    matched = match_layers(baseline, current)
    layers = [DeltaLayer(number, layer.name, layer.op, layer.latency_s,
                         matched[layer.name].latency_s if layer.name in matched else None)
              for number, layer in enumerate(baseline.layers, start=1)]
    used = {id(layer) for layer in matched.values()}
    return ABComparison(baseline, current, layers,
                        [layer for layer in current.layers if id(layer) not in used])


def describe_change(path: str, old: Any, new: Any) -> str:
    """'clock_hz: 1 GHz → 200 MHz', units from the schema."""
    from explorer.hardware.introspect import resolve_loc
    from explorer.units import format_value

    loc = tuple(int(p) if p.isdigit() else p for p in path.split("."))
    facts, _model = resolve_loc(loc)
    unit = facts.unit if facts is not None else ""

    def text(value: Any) -> str:
        if isinstance(value, list):
            return "/".join(str(v) for v in value)
        return format_value(value, unit)

    return f"{path}: {text(old)} → {text(new)}"


def graph_layout(network: Any) -> dict[str, tuple[float, float]]:
    """Positions for drawing the layer DAG left to right: x is the layer's generation
    (longest chain of producers before it, from networkx), y spreads a generation's
    layers around 0 in network order."""
    import networkx as nx

    order = {layer.name: i for i, layer in enumerate(network.layers)}
    graph = network.graph.subgraph(order)
    positions: dict[str, tuple[float, float]] = {}
    for x, generation in enumerate(nx.topological_generations(graph)):
        names = sorted(generation, key=order.__getitem__)
        for j, name in enumerate(names):
            positions[name] = (float(x), j - (len(names) - 1) / 2)
    for name in order:  # a layer outside the graph still gets a place
        positions.setdefault(name, (0.0, float(len(positions))))
    return positions
