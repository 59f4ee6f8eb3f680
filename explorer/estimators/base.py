"""One interface for every estimator, and the result types.

An estimator is built from its name and an options model (registry.py:
`make_estimator(name, options)`; each estimator declares its options as a pydantic model,
options.py). It yields one `LayerEstimate` per layer from `iter_layers`; `run_estimate`
drives that generator with one `Run`, the caller's progress and cancel: progress is
reported between layers, cancel is checked between layers and inside long ones (the
scheduler asks the same `Run`). Per-run figures go into the result, never onto the
estimator, so one instance can be reused, or shared by threads.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from explorer.errors import Cancelled
from explorer.estimators.options import EstimatorOptions
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


class Run:
    """One estimation's channel to its caller: `progress(done, total, what)` after each
    layer and, through `inside`, now and then during a long one (`done` still counting
    finished layers, `what` naming the layer and how far it got); `cancel()` polled
    between layers and, through `cancelled`, inside long ones. `figures` collects what
    the run measures about itself (e.g. wall time per layer) for `Estimator.finish` to
    put into the result."""

    def __init__(self, progress: ProgressFn | None = None,
                 cancel: CancelFn | None = None) -> None:
        self.progress = progress
        self.cancel = cancel
        self.done = 0
        self.total = 0
        self.figures: dict[str, Any] = {}

    def cancelled(self) -> bool:
        return bool(self.cancel is not None and self.cancel())

    def inside(self, what: str) -> bool:
        """Report progress inside a long layer; True when the caller wants to stop."""
        if self.progress is not None:
            self.progress(self.done, self.total, what)
        return self.cancelled()


class Estimator(ABC):
    """Base of all estimators. Subclasses set `name`, `description`, their `Options`
    model when they take options, and implement `estimate_layer` (or override
    `iter_layers` when layers are not independent)."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    fast: ClassVar[bool] = True  # cheap enough to re-run on every edit in the GUI
    needs_model: ClassVar[bool] = False  # takes a trained model (--model FILE)
    Options: ClassVar[type[EstimatorOptions]] = EstimatorOptions  # none by default

    def __init__(self, options: EstimatorOptions | None = None) -> None:
        self.options = options if options is not None else self.Options()

    @abstractmethod
    def estimate_layer(self, layer: Layer, accelerator: Accelerator) -> LayerEstimate: ...

    def prepare(self, network: Network, accelerator: Accelerator) -> Network:
        """Hook run before the layers: by default apply the accelerator's fusion rules."""
        from explorer.workload.fusion import apply_fusion

        return apply_fusion(network, accelerator.fusion)

    def iter_layers(self, network: Network, accelerator: Accelerator,
                    run: Run) -> Iterator[LayerEstimate]:
        for layer in network.layers:
            yield self.estimate_layer(layer, accelerator)

    def finish(self, result: NetworkEstimate, accelerator: Accelerator, run: Run) -> None:
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
    start = time.perf_counter()
    run = Run(progress, cancel)
    prepared = estimator.prepare(network, accelerator)
    layers: list[LayerEstimate] = []
    total = run.total = len(prepared.layers)
    for estimate in estimator.iter_layers(prepared, accelerator, run):
        layers.append(estimate)
        run.done = len(layers)
        if progress:
            progress(len(layers), total, estimate.name)
        if run.cancelled():
            raise Cancelled(f"estimation cancelled after {len(layers)} of {total} layers")
    result = NetworkEstimate(prepared, accelerator.name, estimator.name, layers)
    estimator.finish(result, accelerator, run)
    result.runtime_s = time.perf_counter() - start
    return result


def __getattr__(name: str) -> Any:
    """The registry moved to registry.py; these names still resolve from here."""
    if name in ("DEFAULT_ESTIMATOR", "estimator_names", "estimator_class", "get_estimator",
                "make_estimator", "_REGISTRY"):
        from explorer.estimators import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

