"""The memory hierarchy of a result, as plain data: each layer's traffic and operational
intensity at every memory level (the on-chip memories and DRAM), the roof of each level,
which level (or compute unit) bounds each layer, and the network's traffic and energy per
level. The hierarchical roofline view, the Breakdown tab and scripts read these.

A layer's performance P (op/s) is capped by every level L it moves bytes through:
P <= I_L · B_L, with I_L its operations per byte moved at L and B_L the level's bandwidth;
and by its compute units. The lowest of these caps is the layer's *bound level*
(Ilic et al.'s cache-aware roofline, Yang et al.'s hierarchical roofline).

Per-level traffic comes from the estimators that map layers (depgraph, simulate:
`mapping["memory_levels"]`); for the others (roofline, statistical) only DRAM is known,
as the layer's compulsory traffic (each tensor moved once), and the on-chip levels are
left out rather than guessed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from explorer.estimators.base import LayerEstimate, NetworkEstimate
from explorer.hardware.schema import Accelerator
from explorer.session.view_data import Ceiling, roofline_ceilings

DRAM = "DRAM"
ESTIMATED, COMPULSORY = "estimated", "compulsory"


@dataclass(frozen=True)
class LevelTraffic:
    read_bytes: float
    write_bytes: float
    energy_j: float | None = None

    @property
    def bytes(self) -> float:
        return self.read_bytes + self.write_bytes


@dataclass(frozen=True)
class LayerLevels:
    """One layer on the hierarchical roofline."""

    name: str
    op: str
    ops: float  # arithmetic the estimators cost (2 per MAC on the array + vector ops)
    latency_s: float
    compute_s: float  # its arithmetic at the peak of the units that do it
    compute_unit: str  # "PE array" or "vector unit", whichever takes longer
    traffic: dict[str, LevelTraffic]  # levels it moves bytes through, in hierarchy order
    basis: str  # ESTIMATED (from the estimator's mapping) or COMPULSORY (DRAM only)

    @property
    def performance(self) -> float:
        """Achieved op/s."""
        return self.ops / self.latency_s

    def intensity(self, level: str) -> float | None:
        """Operations per byte moved at `level` (None: no traffic there, or not known)."""
        moved = self.traffic.get(level)
        return self.ops / moved.bytes if moved is not None and moved.bytes > 0 else None


@dataclass(frozen=True)
class Bound:
    """What caps a layer: a memory level's roof at its intensity there, or compute."""

    level: str  # a memory level's name, or the compute unit ("PE array", "vector unit")
    kind: str  # "bandwidth" | "compute"
    attainable: float  # op/s the cap allows
    achieved: float  # the layer's performance / attainable, 0..1 (above 1: model gap)


@dataclass(frozen=True)
class HierarchicalRoofline:
    ceilings: list[Ceiling]  # compute peaks and one bandwidth roof per level, DRAM last
    layers: list[LayerLevels]
    skipped: int = 0  # layers without arithmetic or traffic
    bandwidths: dict[str, float] = field(default_factory=dict)  # level -> B/s

    @property
    def levels(self) -> list[str]:
        """Memory levels at least one layer has traffic figures for, in hierarchy order."""
        present = {level for layer in self.layers for level in layer.traffic}
        return [c.label for c in self.ceilings if c.kind == "bandwidth" and c.label in present]

    def bound(self, layer: LayerLevels) -> Bound:
        """The lowest cap on `layer`: its compute peak or a level's roof at its
        intensity there (levels without traffic figures cannot bound it)."""
        best = Bound(layer.compute_unit, "compute", layer.ops / layer.compute_s
                     if layer.compute_s > 0 else float("inf"), 0.0)
        for level, moved in layer.traffic.items():
            bandwidth = self.bandwidths.get(level)
            if bandwidth is None or moved.bytes <= 0:
                continue
            cap = layer.ops / moved.bytes * bandwidth
            if cap < best.attainable:
                best = Bound(level, "bandwidth", cap, 0.0)
        return Bound(best.level, best.kind, best.attainable,
                     layer.performance / best.attainable if best.attainable > 0 else 0.0)

    def bound_counts(self) -> Counter[str]:
        """How many layers each level (or compute unit) bounds."""
        return Counter(self.bound(layer).level for layer in self.layers)


def hierarchical_roofline(result: NetworkEstimate, acc: Accelerator) -> HierarchicalRoofline:
    """Every layer that does arithmetic and moves data, with its traffic per level."""
    from explorer.mapping.problem import work_of

    ceilings = roofline_ceilings(acc)
    bandwidths = {c.label: c.value for c in ceilings if c.kind == "bandwidth"}
    order = list(bandwidths)
    peak_macs_s = acc.compute.peak_macs_per_cycle * acc.clock_hz
    vector_s = acc.compute.vector_lanes * acc.clock_hz
    network = result.network.by_name
    layers, skipped = [], 0
    for estimate in result.layers:
        layer = network.get(estimate.name)
        if layer is None or estimate.latency_s <= 0:
            skipped += 1
            continue
        work = work_of(layer, fused_free=acc.compute.fused_elementwise_free)
        ops = 2 * work.array_macs + work.vector_ops
        traffic, basis = _traffic(estimate, layer, acc)
        traffic = {level: traffic[level] for level in order if level in traffic}
        if ops <= 0 or not any(t.bytes > 0 for t in traffic.values()):
            skipped += 1
            continue
        array_s, lanes_s = work.array_macs / peak_macs_s, work.vector_ops / vector_s
        layers.append(LayerLevels(estimate.name, estimate.op, float(ops), estimate.latency_s,
                                  array_s + lanes_s,
                                  "PE array" if array_s >= lanes_s else "vector unit",
                                  traffic, basis))
    return HierarchicalRoofline(ceilings, layers, skipped, bandwidths)


def _traffic(estimate: LayerEstimate, layer, acc: Accelerator
             ) -> tuple[dict[str, LevelTraffic], str]:
    levels = (estimate.mapping or {}).get("memory_levels")
    if isinstance(levels, dict) and levels:
        return ({name: LevelTraffic(float(v.get("read_bytes", 0)), float(v.get("write_bytes", 0)),
                                    v.get("energy_j"))
                 for name, v in levels.items()}, ESTIMATED)
    precision = acc.compute.precision
    moved = layer.bytes_moved(act_bits=precision.input_bits, weight_bits=precision.weight_bits)
    return {DRAM: LevelTraffic(0.0, float(moved))} if moved > 0 else {}, COMPULSORY


@dataclass(frozen=True)
class LevelTotal:
    """A network's traffic and energy at one memory level (or its compute energy)."""

    level: str
    read_bytes: float | None
    write_bytes: float | None
    energy_j: float | None

    @property
    def bytes(self) -> float | None:
        if self.read_bytes is None or self.write_bytes is None:
            return None
        return self.read_bytes + self.write_bytes


COMPUTE = "compute (MACs, vector ops)"


def level_breakdown(result: NetworkEstimate, acc: Accelerator) -> list[LevelTotal]:
    """The network's traffic and energy per memory level, in hierarchy order, then the
    compute energy (the rest of the network's energy). [] when the estimator gives no
    per-level figures (roofline, statistical, measurements)."""
    names = [m.name for m in acc.memories] + [DRAM]
    sums: dict[str, list[float]] = {}
    for layer in result.layers:
        levels = (layer.mapping or {}).get("memory_levels")
        if not isinstance(levels, dict):
            if layer.mapping is not None or layer.cycles:
                return []  # a layer without per-level figures: no honest total
            continue
        for name, v in levels.items():
            total = sums.setdefault(name, [0.0, 0.0, 0.0])
            total[0] += v.get("read_bytes", 0)
            total[1] += v.get("write_bytes", 0)
            total[2] += v.get("energy_j", 0.0)
    if not sums:
        return []
    rows = [LevelTotal(name, *sums[name]) for name in names if name in sums]
    energy = result.energy_j
    memory_energy = sum(row.energy_j or 0.0 for row in rows)
    rows.append(LevelTotal(COMPUTE, None, None,
                           None if energy is None else max(energy - memory_energy, 0.0)))
    return rows
