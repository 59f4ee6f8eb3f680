"""What a design is judged by: metrics of one estimate, objectives and constraints.

Metrics of a design on one network (all stored for every design):

    latency_s          end-to-end latency of one inference          minimise
    throughput_per_s   inferences per second (1 / latency)          maximise
    energy_j           energy of one inference                      minimise
    edp_js             energy-delay product (J·s)                   minimise
    memory_bytes       peak memory footprint (weights + live data)  minimise
    utilisation        achieved / peak MAC rate, cycle-weighted     maximise
    cycles             clock cycles                                 minimise
    area_mm2           silicon area of the design (network-free)    minimise

With a suite of networks (`--network A --network B --network-weight 0.7,0.3`) every
network metric becomes the weighted sum of its ratios to the starting design's value
(dimensionless: 1.0 is "as good as the design we started from"); area stays in mm².
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from explorer.errors import ArchitectureError

METRICS: dict[str, int] = {  # name -> +1 to minimise, -1 to maximise
    "latency_s": 1, "throughput_per_s": -1, "energy_j": 1, "edp_js": 1, "memory_bytes": 1,
    "utilisation": -1, "cycles": 1, "area_mm2": 1,
}
NETWORK_METRICS = [m for m in METRICS if m != "area_mm2"]
ALIASES = {"latency": "latency_s", "throughput": "throughput_per_s", "energy": "energy_j",
           "edp": "edp_js", "area": "area_mm2", "memory": "memory_bytes",
           "peak_memory": "memory_bytes", "utilization": "utilisation", "util": "utilisation"}
_CONSTRAINT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*(\S+)\s*$")


def metric_name(name: str, context: str) -> str:
    key = ALIASES.get(name.strip().lower(), name.strip().lower())
    if key not in METRICS:
        raise ArchitectureError(f"{context}: unknown objective {name.strip()!r}; known: "
                                f"{', '.join(METRICS)} (or {', '.join(ALIASES)})")
    return key


def parse_objectives(text: str) -> list[str]:
    names = [metric_name(n, "--objectives") for n in text.split(",") if n.strip()]
    if not names:
        raise ArchitectureError("--objectives: name at least one, e.g. latency,energy,area")
    if len(set(names)) != len(names):
        raise ArchitectureError(f"--objectives {text}: an objective is named twice")
    return names


@dataclass(frozen=True)
class Constraint:
    metric: str
    op: str
    bound: float
    text: str

    @classmethod
    def parse(cls, text: str) -> Constraint:
        match = _CONSTRAINT.match(text)
        if not match:
            raise ArchitectureError(f"--constraint {text!r}: expected METRIC<=VALUE (or >=, <, "
                                    ">), e.g. 'area_mm2<=5'")
        metric = metric_name(match.group(1), f"--constraint {text!r}")
        try:
            bound = float(match.group(3))
        except ValueError:
            raise ArchitectureError(f"--constraint {text!r}: {match.group(3)!r} is not a "
                                    "number") from None
        return cls(metric, match.group(2), bound, text.strip())

    def violation(self, metrics: dict[str, float]) -> str:
        """'' when met, else the one-line reason."""
        value = metrics.get(self.metric, math.nan)
        ok = {"<=": value <= self.bound, ">=": value >= self.bound,
              "<": value < self.bound, ">": value > self.bound}[self.op]
        return "" if ok else f"{self.metric}={value:.4g} violates {self.text}"


def network_metrics(result, area_mm2: float) -> dict[str, float]:
    """The metrics of one NetworkEstimate (NaN where the estimator does not know them)."""
    latency = float(result.latency_s)
    energy = math.nan if result.energy_j is None else float(result.energy_j)
    busy = [(layer.cycles, layer.utilisation) for layer in result.layers
            if layer.utilisation is not None and layer.cycles]
    total = sum(c for c, _ in busy)
    return {
        "latency_s": latency,
        "throughput_per_s": 1.0 / latency if latency > 0 else math.nan,
        "energy_j": energy,
        "edp_js": energy * latency,
        "memory_bytes": math.nan if result.memory_bytes is None else float(result.memory_bytes),
        "utilisation": sum(c * u for c, u in busy) / total if total else math.nan,
        "cycles": float(result.cycles),
        "area_mm2": float(area_mm2),
    }


def suite_metrics(per_network: list[dict[str, float]], weights: list[float],
                  reference: list[dict[str, float]] | None) -> dict[str, float]:
    """One network: its metrics. A suite: weighted ratios to the reference design."""
    if len(per_network) == 1:
        return dict(per_network[0])
    assert reference is not None
    combined = {"area_mm2": per_network[0]["area_mm2"]}
    for metric in NETWORK_METRICS:
        combined[metric] = sum(w * m[metric] / ref[metric]
                               for w, m, ref in zip(weights, per_network, reference))
    return combined


def parse_weights(text: str | None, count: int) -> list[float]:
    if not text:
        return [1.0 / count] * count
    try:
        weights = [float(w) for w in text.split(",")]
    except ValueError:
        raise ArchitectureError(f"--network-weight {text!r}: expected numbers, e.g. 0.7,0.3") \
            from None
    if len(weights) != count or any(w < 0 or not math.isfinite(w) for w in weights) \
            or sum(weights) <= 0:
        raise ArchitectureError(f"--network-weight {text!r}: give {count} non-negative "
                                "weights, one per --network, not all zero")
    total = sum(weights)
    return [w / total for w in weights]


def minimised(values: dict[str, float], objectives: list[str]) -> list[float]:
    """The objective vector with every component to be minimised (maximised ones negated)."""
    return [METRICS[name] * values[name] for name in objectives]
