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

import contextlib
import gc
import json
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from explorer.errors import Cancelled, EstimationError
from explorer.estimators.options import EstimatorOptions
from explorer.hardware.schema import Accelerator
from explorer.units import percent
from explorer.workload.network import Layer, Network

if TYPE_CHECKING:
    import pandas as pd


# The flat per-layer columns of `NetworkEstimate.to_dataframe()` and of the CSV report, in
# order; a unit is in every name that has one (cycles and MACs are counts).
LAYER_COLUMNS = ["name", "op", "onnx_nodes", "macs", "cycles", "latency_s", "energy_j",
                 "dram_read_bytes", "dram_write_bytes", "utilisation", "bound",
                 "compute_cycles", "memory_cycles", "stall_cycles", "modelled",
                 "iterations_evaluated", "iterations_total", "instructions", "mapping"]


@dataclass(repr=False)  # the generated repr of a mapping-heavy layer is kilobytes
class LayerEstimate:
    """The estimate of one layer of a network on one accelerator.

    After fusion one layer may stand for several ONNX nodes (`onnx_nodes`). Fields that an
    estimator does not know are None (e.g. energy from the statistical model).

    Attributes:
        name: the layer's name (its first ONNX node's name).
        op: the ONNX operator type of the layer's main node, e.g. "Conv".
        onnx_nodes: names of every ONNX node the layer stands for, in order.
        macs: multiply-accumulate operations (count).
        cycles: accelerator clock cycles (count; for the statistical model, cycles of the
            device's clock, 1 GHz when unknown).
        latency_s: latency in seconds.
        bound: "compute" or "memory", whichever limits the layer; None when unknown.
        energy_j: energy in joules.
        compute_cycles: cycles the compute units (array and vector unit) are busy.
        memory_cycles: cycles the busiest off-chip transfer path is busy.
        stall_cycles: cycles the compute units wait (cycles - compute_cycles).
        utilisation: achieved MACs over peak MACs in `cycles`, 0..1 (dimensionless).
        modelled: False when the op is not modelled and was costed by element count (or,
            for the statistical model, no benchmark stands for it and it counts as 0).
        iterations_evaluated: loop-kernel iterations actually scheduled (count; depgraph
            evaluates a few and extrapolates the periodic rest).
        iterations_total: loop-kernel iterations the layer has (count).
        instructions: accelerator instructions the layer executes (count).
        mapping: how the layer is mapped (tiles, loop order, spatial utilisation, memory
            ports, `dram_read_bytes`/`dram_write_bytes` in bytes); None for estimators
            without a mapping (roofline, statistical). `mapping_summary` is one line of it.
    """

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

    @property
    def dram_read_bytes(self) -> int | None:
        """Bytes read from off-chip memory (DRAM), where the mapping knows it."""
        return _mapping_int(self.mapping, "dram_read_bytes")

    @property
    def dram_write_bytes(self) -> int | None:
        """Bytes written to off-chip memory (DRAM), where the mapping knows it."""
        return _mapping_int(self.mapping, "dram_write_bytes")

    @property
    def mapping_summary(self) -> str:
        """The mapping in one line, e.g. "ws 16x16: K->rows, N->cols, M streamed, folds 2x4,
        order g/chunk/col/row, spatial 84%"; "" when the estimator has no mapping."""
        return mapping_summary(self.mapping)

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain data (JSON-ready; `mapping` as the nested dict)."""
        return asdict(self)

    def to_row(self) -> dict[str, Any]:
        """The flat columns of `NetworkEstimate.to_dataframe()` (`LAYER_COLUMNS`)."""
        row = {name: getattr(self, name) for name in LAYER_COLUMNS}
        row["onnx_nodes"] = " ".join(self.onnx_nodes)
        row["mapping"] = self.mapping_summary
        return row

    def __repr__(self) -> str:
        energy = "None" if self.energy_j is None else f"{self.energy_j:.4g}"
        return (f"LayerEstimate(name={self.name!r}, op={self.op!r}, macs={self.macs}, "
                f"cycles={self.cycles:.6g}, latency_s={self.latency_s:.4g}, "
                f"energy_j={energy}, bound={self.bound!r})")


@dataclass(repr=False)
class NetworkEstimate:
    """The estimate of a whole network: one `LayerEstimate` per (fused) layer and totals.

    Attributes:
        network: the network as estimated (after the estimator's fusion rules).
        accelerator: the accelerator's name.
        estimator: the estimator's registered name, e.g. "depgraph".
        layers: one estimate per layer, in execution order.
        runtime_s: wall-clock seconds the estimation itself took.
        memory_bytes: peak memory footprint in bytes (weights plus live activations);
            None when unknown.
        extra: estimator-specific details (e.g. simulate's instruction rate), written
            under "details" in the JSON output.
        accelerator_spec: the full accelerator description the estimate was made on
            (with every override applied), so the JSON output can reproduce it; None
            when the result did not come from an estimator (e.g. a loaded measurement).
        estimator_options: the estimator's options as plain data (e.g. refined-roofline's
            `alpha`; a trained model as its file path), empty when it has none.
        network_latency_s: a network-level model's total in seconds (the statistical
            estimator's network model), which `latency_s` reports instead of the
            layers' sum; None (the default) for the sum.

    Totals (properties): `cycles` (count), `latency_s` (seconds), `energy_j` (joules, None
    when any layer's energy is unknown), `dram_read_bytes`/`dram_write_bytes` (bytes).
    Tables: `to_dataframe()` (pandas), `to_dict()`, `to_json()` (the versioned output
    format of docs/estimate-output.schema.json).
    """

    network: Network
    accelerator: str
    estimator: str
    layers: list[LayerEstimate]
    runtime_s: float = 0.0  # wall time of the estimation alone
    memory_bytes: float | None = None  # peak footprint: weights + live activations
    extra: dict[str, Any] = field(default_factory=dict)
    accelerator_spec: Accelerator | None = None
    estimator_options: dict[str, Any] = field(default_factory=dict)
    network_latency_s: float | None = None

    @property
    def cycles(self) -> float:
        """Total cycles over all layers (layers run one after another)."""
        return sum(layer.cycles for layer in self.layers)

    @property
    def latency_s(self) -> float:
        """Total latency in seconds: the sum over the layers, or a network-level model's
        total when the estimator has one (`network_latency_s`)."""
        if self.network_latency_s is not None:
            return self.network_latency_s
        return sum(layer.latency_s for layer in self.layers)

    @property
    def energy_j(self) -> float | None:
        """Total energy in joules; None when any layer's energy is unknown."""
        values = [layer.energy_j for layer in self.layers]
        return None if any(v is None for v in values) else sum(v for v in values if v)

    @property
    def dram_read_bytes(self) -> int | None:
        """Total bytes read from DRAM; None when any layer's traffic is unknown."""
        return self._sum_optional("dram_read_bytes")

    @property
    def dram_write_bytes(self) -> int | None:
        """Total bytes written to DRAM; None when any layer's traffic is unknown."""
        return self._sum_optional("dram_write_bytes")

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

    def to_dataframe(self) -> pd.DataFrame:
        """One row per layer with the flat columns `LAYER_COLUMNS` (units in the names:
        latency_s in seconds, energy_j in joules, *_bytes in bytes, *cycles and macs as
        counts, utilisation 0..1, mapping as a one-line summary). Unknown values are NaN
        (<NA> in the integer columns); the index is the layer's position."""
        import pandas as pd

        frame = pd.DataFrame([layer.to_row() for layer in self.layers], columns=LAYER_COLUMNS)
        return frame.astype(_COLUMN_DTYPES)

    def to_dict(self) -> dict[str, Any]:
        """The versioned output format (docs/estimate-output.schema.json) as plain data:
        the same top-level keys for every estimator."""
        from explorer.hardware.library import accelerator_to_data
        from explorer.output_schema import FORMAT, FORMAT_VERSION
        from explorer.version import __version__

        net = self.network
        spec = self.accelerator_spec
        return _finite({
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "explorer_version": __version__,
            "network": {"name": net.name, "source": str(net.source), "sha256": net.sha256,
                        "layers": len(net.layers), "macs": net.macs,
                        "unmodelled": [layer.name for layer in net.unmodelled],
                        "warnings": list(net.warnings)},
            "accelerator": {"name": self.accelerator,
                            "description": accelerator_to_data(spec) if spec else None},
            "estimator": self.estimator,
            "estimator_options": dict(self.estimator_options),
            "total": {"cycles": self.cycles, "latency_s": self.latency_s,
                      "energy_j": self.energy_j, "memory_bytes": self.memory_bytes,
                      "dram_read_bytes": self.dram_read_bytes,
                      "dram_write_bytes": self.dram_write_bytes,
                      "iterations_evaluated": self._sum_optional("iterations_evaluated"),
                      "iterations_total": self._sum_optional("iterations_total"),
                      "instructions": self._sum_optional("instructions")},
            "layers": [layer.to_dict() for layer in self.layers],
            "runtime_s": self.runtime_s,
            "details": dict(self.extra),
        })

    def to_json(self, indent: int | None = 2) -> str:
        """`to_dict()` as JSON text (what `accel-explorer estimate --format json` writes)."""
        return json.dumps(self.to_dict(), indent=indent, default=str, allow_nan=False) + "\n"

    def __repr__(self) -> str:
        energy = "None" if self.energy_j is None else f"{self.energy_j:.4g}"
        return (f"NetworkEstimate(network={self.network.name!r}, "
                f"accelerator={self.accelerator!r}, estimator={self.estimator!r}, "
                f"layers={len(self.layers)}, cycles={self.cycles:.6g}, "
                f"latency_s={self.latency_s:.4g}, energy_j={energy})")


_COLUMN_DTYPES = {"macs": "int64", "cycles": "float64", "latency_s": "float64",
                  "energy_j": "float64", "dram_read_bytes": "Int64", "dram_write_bytes": "Int64",
                  "utilisation": "float64", "compute_cycles": "float64",
                  "memory_cycles": "float64", "stall_cycles": "float64", "modelled": "bool",
                  "iterations_evaluated": "Int64", "iterations_total": "Int64",
                  "instructions": "Int64"}


def _mapping_int(mapping: dict[str, Any] | None, key: str) -> int | None:
    value = (mapping or {}).get(key)
    return None if value is None else int(value)


def mapping_summary(mapping: dict[str, Any] | None) -> str:
    """One line of a layer's mapping dict, for tables (see `LayerEstimate.mapping`)."""
    if not mapping:
        return ""
    if "array" in mapping:  # a GEMM on the PE array
        dims = ", ".join(f"{mapping[k]}->{k.removesuffix('_dim')}"
                         for k in ("rows_dim", "cols_dim") if k in mapping)
        parts = [f"{mapping.get('dataflow', '?')} {mapping['array']}"
                 + (f": {dims}" if dims else "")
                 + (f", {mapping['stream_dim']} streamed" if "stream_dim" in mapping else "")]
        folds = mapping.get("folds")
        if isinstance(folds, dict):
            parts.append(f"folds {folds.get('rows', '?')}x{folds.get('cols', '?')}")
        if mapping.get("order"):
            parts.append("order " + "/".join(str(x) for x in mapping["order"]))
        if mapping.get("spatial_utilisation") is not None:
            parts.append(f"spatial {percent(mapping['spatial_utilisation'])}")
        return ", ".join(parts)
    if mapping.get("unit") == "vector":
        return (f"vector {mapping.get('lanes', '?')} lanes, {mapping.get('chunks', '?')} "
                f"chunk(s) of {mapping.get('chunk_elements', '?')}")
    if mapping.get("unit") == "none":
        return f"none ({mapping['note']})" if mapping.get("note") else "none"
    scalars = [f"{k}={v}" for k, v in mapping.items()
               if isinstance(v, str | int | float) and not k.startswith("dram_")]
    return ", ".join(scalars)


def options_as_data(options: Any) -> dict[str, Any]:
    """An estimator's options model as JSON-ready data: numbers, text and flags as they
    are, paths as text, an object that came from a file (a trained model) as its path."""
    data: dict[str, Any] = {}
    for name in type(options).model_fields:
        value = getattr(options, name)
        if value is None or isinstance(value, bool | int | float | str):
            data[name] = value
        elif isinstance(value, Path):
            data[name] = str(value)
        elif getattr(value, "path", None) is not None:
            data[name] = str(value.path)
        else:
            data[name] = type(value).__name__
    return data


def _finite(value: Any) -> Any:
    """NaN and infinities as None: JSON has no such numbers."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


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
    with collector_paused():
        return _run_estimate(estimator, network, accelerator, progress, cancel)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the length of one estimate.

    Why: an estimate allocates enough small objects to trigger full collections, and a
    full collection walks every object the imports created (onnx, pydantic, numpy: about
    20 ms each on the 2-core machine), a fifth of depgraph's first resnet50/gemmini
    estimate. The estimate's own objects are freed by reference counting as usual; the
    few cycles it leaves are collected once the collector is back (simulate on resnet50:
    5 MB more at the peak). Re-entrant and thread-safe enough: whoever found it enabled
    turns it back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run_estimate(estimator: Estimator, network: Network, accelerator: Accelerator,
                  progress: ProgressFn | None, cancel: CancelFn | None) -> NetworkEstimate:
    from explorer.hardware.library import revalidate

    start = time.perf_counter()
    accelerator = revalidate(accelerator)  # edits from Python bypass validation (issue 13)
    run = Run(progress, cancel)
    prepared = estimator.prepare(network, accelerator)
    layers: list[LayerEstimate] = []
    total = run.total = len(prepared.layers)
    for estimate in estimator.iter_layers(prepared, accelerator, run):
        if not (math.isfinite(estimate.latency_s) and estimate.latency_s >= 0):
            # results are finite (valid JSON) or the estimate fails with a reason (issue 13)
            raise EstimationError(f"{estimator.name}: layer {estimate.name!r} got latency "
                                  f"{estimate.latency_s} s; the design's values are outside "
                                  "what this estimator can compute with")
        layers.append(estimate)
        run.done = len(layers)
        if progress:
            progress(len(layers), total, estimate.name)
        if run.cancelled():
            raise Cancelled(f"estimation cancelled after {len(layers)} of {total} layers")
    result = NetworkEstimate(prepared, accelerator.name, estimator.name, layers,
                             accelerator_spec=accelerator,
                             estimator_options=options_as_data(estimator.options))
    estimator.finish(result, accelerator, run)
    # silicon area of the design (data only: hardware/area.py), in every result and JSON
    from explorer.hardware.area import design_area

    result.extra.setdefault("area", design_area(accelerator).to_dict())
    result.runtime_s = time.perf_counter() - start
    return result

