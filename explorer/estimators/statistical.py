"""`statistical`: whole-network latency from a trained PR model (ANNETTE's stacking).

The device's fusion model first (for `cpu`: what onnxruntime merges, see
`cpu_fusion_rules`; for `sim:<arch>`: that accelerator's fusion rules), then one
prediction per fused layer from the model trained on single-layer benchmarks
(`accel-explorer bench` + `train`). Layers no benchmark stands for (reshapes, dropout)
cost nothing on the devices we model and are reported as 0 with `modelled` False.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from explorer.errors import BenchmarkError, EstimationError
from explorer.estimators.base import Estimator, LayerEstimate, Run
from explorer.estimators.options import EstimatorOptions
from explorer.hardware.schema import Accelerator
from explorer.workload.network import Layer, Network


@dataclass(frozen=True)
class TrainedModel:
    """A PR latency model as `accel-explorer train` wrote it, loaded."""

    model: Any  # a fitted scikit-learn style estimator (predict_configs)
    metadata: dict[str, Any]
    path: Path | None = None


def load_trained_model(path: str | Path) -> TrainedModel:
    """The model file at `path` (refusing types outside the allow list); a one-line
    EstimationError when it cannot be read."""
    from explorer.learned.model_files import load_model

    try:
        model, metadata = load_model(path)
    except BenchmarkError as exc:
        raise EstimationError(str(exc)) from None
    return TrainedModel(model, metadata, Path(path))


class StatisticalOptions(EstimatorOptions):
    model: TrainedModel | None = Field(None, description=(
        "trained model: a file written by `accel-explorer train` (loaded by "
        "load_trained_model) or a TrainedModel"))

    @field_validator("model", mode="before")
    @classmethod
    def _load(cls, value: Any) -> Any:
        if isinstance(value, (str, Path)) and str(value):
            return load_trained_model(value)
        return value or None


class StatisticalEstimator(Estimator):
    name = "statistical"
    description = "Performance-Representatives model trained on single-layer benchmarks"
    fast = True
    needs_model = True
    Options = StatisticalOptions

    def __init__(self, options: StatisticalOptions | None = None) -> None:
        super().__init__(options)
        trained = self.options.model
        if trained is None:
            raise EstimationError("estimator 'statistical' needs --model FILE (make one with "
                                  "`accel-explorer bench` then `accel-explorer train`)")
        self.model, self.metadata = trained.model, trained.metadata
        self.model_path = trained.path
        self.device = str(self.metadata.get("device", ""))
        provenance = self.metadata.get("provenance", {})
        self.clock_hz = _device_clock_hz(provenance)

    # -- fusion model of the device ---------------------------------------------------------
    def fusion_rules(self, accelerator: Accelerator):
        kind, _, arch = self.device.partition(":")
        if kind == "cpu":
            from explorer.learned.fusion import cpu_fusion_rules

            return cpu_fusion_rules()
        if kind == "sim" and arch:
            from explorer.hardware.library import load_accelerator

            try:
                return load_accelerator(arch).fusion
            except Exception:  # the model's accelerator is no longer in the library
                return accelerator.fusion
        return accelerator.fusion

    def prepare(self, network: Network, accelerator: Accelerator) -> Network:
        from explorer.workload.fusion import apply_fusion

        return apply_fusion(network, self.fusion_rules(accelerator))

    # -- layers ---------------------------------------------------------------------------
    def _estimate(self, layer: Layer, latency_s: float | None,
                  interval: tuple[float, float] | None = None) -> LayerEstimate:
        latency = float(latency_s) if latency_s is not None else 0.0
        # The model's spread (its trees' central 90 %) travels in `mapping` so that the
        # JSON output carries it; `evaluate` reports how often measurements fall inside.
        spread = ({"latency_interval90_s": [float(interval[0]), float(interval[1])]}
                  if interval is not None else None)
        return LayerEstimate(name=layer.name, op=layer.op, onnx_nodes=list(layer.onnx_nodes),
                             macs=layer.macs, cycles=latency * self.clock_hz,
                             latency_s=latency, modelled=latency_s is not None and layer.modelled,
                             utilisation=None, mapping=spread)

    def iter_layers(self, network: Network, accelerator: Accelerator,
                    run: Run | None = None) -> Iterator[LayerEstimate]:
        from explorer.learned.configs import config_from_layer
        from explorer.learned.models import predict_configs, predict_intervals

        configs = []
        for layer in network.layers:
            try:
                configs.append(config_from_layer(layer))
            except BenchmarkError:  # shapes no benchmark can build (e.g. zero-size)
                configs.append(None)
        known = [c for c in configs if c is not None]
        predictions = iter(predict_configs(self.model, known))
        intervals = iter(predict_intervals(self.model, known))
        for layer, config in zip(network.layers, configs):
            if config is None:
                yield self._estimate(layer, None)
            else:
                yield self._estimate(layer, next(predictions), next(intervals))

    def estimate_layer(self, layer: Layer, accelerator: Accelerator) -> LayerEstimate:
        return next(self.iter_layers(Network(name="one", layers=[layer], graph=_graph(layer)),
                                     accelerator))


def _graph(layer: Layer):
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_node(layer.name)
    return graph


def _device_clock_hz(provenance: dict) -> float:
    """Cycles are reported at the device's clock: the simulated accelerator's, or the
    CPU's nominal one (1 GHz when unknown, so cycles then read as nanoseconds)."""
    try:
        return float(provenance.get("clock_hz", 1e9))
    except (TypeError, ValueError):
        return 1e9
