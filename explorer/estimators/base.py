"""One interface for every estimator, the result types, and the registry.

An estimator yields one `LayerEstimate` per layer from `iter_layers`; `run_estimate`
drives that generator, so the CLI can print progress, the GUI's worker can report it and
cancel between layers, and a script can just call `estimate()`.
"""

from __future__ import annotations

import importlib
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from explorer.errors import Cancelled, EstimationError
from explorer.hardware.schema import Accelerator
from explorer.workload.network import Layer, Network


@dataclass
class LayerEstimate:
    name: str
    op: str
    onnx_nodes: list[str]
    macs: int
    cycles: float
    latency_s: float
    bound: str | None = None  # "compute" | "memory" | None when unknown
    energy_j: float | None = None
    compute_cycles: float | None = None  # breakdown where the estimator knows it
    memory_cycles: float | None = None
    stall_cycles: float | None = None
    utilisation: float | None = None  # achieved MAC/s over peak, 0..1
    modelled: bool = True
    iterations_evaluated: int | None = None
    iterations_total: int | None = None
    instructions: int | None = None
    mapping: dict[str, Any] | None = None  # tiles, loop order, spatial utilisation...

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class NetworkEstimate:
    network: Network
    accelerator: str
    estimator: str
    layers: list[LayerEstimate]
    runtime_s: float = 0.0  # wall time of the estimation alone
    memory_bytes: float | None = None  # peak footprint: weights + live activations
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cycles(self) -> float:
        return sum(layer.cycles for layer in self.layers)

    @property
    def latency_s(self) -> float:
        return sum(layer.latency_s for layer in self.layers)

    @property
    def energy_j(self) -> float | None:
        values = [layer.energy_j for layer in self.layers]
        return None if any(v is None for v in values) else sum(values)

    def _sum_optional(self, attr: str) -> int | None:
        values = [getattr(layer, attr) for layer in self.layers]
        return None if any(v is None for v in values) else sum(values)

    def bound_share(self) -> dict[str, float]:
        """Share of total latency spent in compute- and memory-bound layers."""
        total = self.latency_s or 1.0
        share = {"compute": 0.0, "memory": 0.0}
        for layer in self.layers:
            if layer.bound in share:
                share[layer.bound] += layer.latency_s / total
        return share

    def to_json(self) -> dict[str, Any]:
        net = self.network
        return {
            "network": {"name": net.name, "source": net.source, "sha256": net.sha256,
                        "layers": len(net.layers), "macs": net.macs,
                        "unmodelled": [layer.name for layer in net.unmodelled],
                        "warnings": net.warnings},
            "accelerator": {"name": self.accelerator},
            "estimator": self.estimator,
            "total": {"cycles": self.cycles, "latency_s": self.latency_s,
                      "energy_j": self.energy_j, "memory_bytes": self.memory_bytes,
                      "iterations_evaluated": self._sum_optional("iterations_evaluated"),
                      "iterations_total": self._sum_optional("iterations_total"),
                      "instructions": self._sum_optional("instructions")},
            "layers": [layer.to_dict() for layer in self.layers],
            "runtime_s": self.runtime_s,
            **self.extra,
        }


ProgressFn = Callable[[int, int, str], None]  # (done, total, layer name)
CancelFn = Callable[[], bool]


class Estimator(ABC):
    """Base of all estimators. Subclasses set `name`, `description` and implement
    `estimate_layer` (or override `iter_layers` when layers are not independent)."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    fast: ClassVar[bool] = True  # cheap enough to re-run on every edit in the GUI
    needs_model: ClassVar[bool] = False  # takes a trained model file (--model)

    @abstractmethod
    def estimate_layer(self, layer: Layer, accelerator: Accelerator) -> LayerEstimate: ...

    def prepare(self, network: Network, accelerator: Accelerator) -> Network:
        """Hook run before the layers: by default apply the accelerator's fusion rules."""
        from explorer.workload.fusion import apply_fusion

        return apply_fusion(network, accelerator.fusion)

    def iter_layers(self, network: Network, accelerator: Accelerator) -> Iterator[LayerEstimate]:
        for layer in network.layers:
            yield self.estimate_layer(layer, accelerator)

    def finish(self, result: NetworkEstimate, accelerator: Accelerator) -> None:
        """Hook run after the layers (e.g. to add the memory footprint)."""
        from explorer.estimators.metrics import peak_memory_bytes

        result.memory_bytes = peak_memory_bytes(result.network, accelerator)

    def estimate(self, network: Network, accelerator: Accelerator, *,
                 progress: ProgressFn | None = None,
                 cancel: CancelFn | None = None) -> NetworkEstimate:
        return run_estimate(self, network, accelerator, progress=progress, cancel=cancel)


def run_estimate(estimator: Estimator, network: Network, accelerator: Accelerator, *,
                 progress: ProgressFn | None = None,
                 cancel: CancelFn | None = None) -> NetworkEstimate:
    from explorer.hardware.library import revalidate

    start = time.perf_counter()
    accelerator = revalidate(accelerator)  # edits from Python bypass validation (issue 13)
    prepared = estimator.prepare(network, accelerator)
    layers: list[LayerEstimate] = []
    total = len(prepared.layers)
    for estimate in estimator.iter_layers(prepared, accelerator):
        layers.append(estimate)
        if progress:
            progress(len(layers), total, estimate.name)
        if cancel and cancel():
            raise Cancelled(f"estimation cancelled after {len(layers)} of {total} layers")
    result = NetworkEstimate(prepared, accelerator.name, estimator.name, layers)
    estimator.finish(result, accelerator)
    result.runtime_s = time.perf_counter() - start
    return result


# name -> "module:Class"; modules are imported on first use to keep start-up fast.
_REGISTRY: dict[str, str] = {
    "roofline": "explorer.estimators.roofline:Roofline",
    "refined-roofline": "explorer.estimators.roofline:RefinedRoofline",
    "depgraph": "explorer.estimators.depgraph:DepGraph",
    "simulate": "explorer.estimators.simulate:Simulate",
    "statistical": "explorer.estimators.statistical:StatisticalEstimator",
}
DEFAULT_ESTIMATOR = "depgraph"


def register(name: str, target: str) -> None:
    _REGISTRY[name] = target


def estimator_names() -> list[str]:
    return list(_REGISTRY)


def estimator_class(name: str) -> type[Estimator]:
    try:
        target = _REGISTRY[name]
    except KeyError:
        raise EstimationError(f"unknown estimator {name!r}; available: "
                              f"{', '.join(_REGISTRY)}") from None
    module, cls = target.split(":")
    return getattr(importlib.import_module(module), cls)


def get_estimator(name: str, **options: Any) -> Estimator:
    return estimator_class(name)(**options)
