"""`statistical`: whole-network latency from a trained PR model (ANNETTE's stacking).

The device's fusion model first (for `cpu`: what onnxruntime merges, see
`cpu_fusion_rules`; for `sim:<arch>`: that accelerator's fusion rules; for `pool:PATH`:
none, its layers were measured alone), then one prediction per fused layer from the
model trained on single-layer benchmarks (`accel-explorer bench` + `train`). Layers no
benchmark stands for (reshapes, dropout) cost nothing on the devices we model and are
reported as 0 with `modelled` False.

On a CPU each layer also pays for its weights arriving from memory rather than from the
cache its benchmark kept them in (the device's `weight_fetch_s_per_byte`, measured when
the campaign ran: explorer/learned/weight_fetch.py); the layer's
`mapping.weight_fetch_s` says how much of its latency that is.

When the model file holds a network model (`accel-explorer train --networks`,
explorer/learned/network_model.py), the network total is that model's (the layer
model's conv/linear predictions, corrected, plus the other kernels, minus a per-kernel
launch saving) instead of the layers' sum; the per-layer numbers are unchanged and
`details.network_model` says what the total is made of.
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
from explorer.learned.weight_fetch import weight_fetch_s
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
        self.network_model = None
        if self.metadata.get("network_model") is not None:
            from explorer.learned.network_model import NetworkModel

            try:
                self.network_model = NetworkModel.from_dict(
                    self.metadata["network_model"],
                    getattr(self.model, "network_correction_", None),
                    source=str(self.model_path or "model"))
            except BenchmarkError as exc:
                raise EstimationError(str(exc)) from None

    # -- fusion model of the device ---------------------------------------------------------
    def fusion_rules(self, accelerator: Accelerator):
        """The device's fusion model (`device_fusion_rules`): none for a pool, whose
        layers were measured alone and unfused."""
        from explorer.learned.fusion import device_fusion_rules

        return device_fusion_rules(self.device, accelerator.fusion)

    def prepare(self, network: Network, accelerator: Accelerator) -> Network:
        from explorer.workload.fusion import apply_fusion

        return apply_fusion(network, self.fusion_rules(accelerator))

    # -- layers ---------------------------------------------------------------------------
    def _estimate(self, layer: Layer, latency_s: float | None,
                  interval: tuple[float, float] | None = None,
                  fetch_s: float = 0.0) -> LayerEstimate:
        latency = float(latency_s) + fetch_s if latency_s is not None else 0.0
        # The model's spread (its trees' central 90 %) travels in `mapping` so that the
        # JSON output carries it; `evaluate` reports how often measurements fall inside.
        mapping: dict[str, Any] = {}
        if interval is not None:
            mapping["latency_interval90_s"] = [float(interval[0]) + fetch_s,
                                               float(interval[1]) + fetch_s]
        if fetch_s > 0:
            mapping["weight_fetch_s"] = fetch_s
        return LayerEstimate(name=layer.name, op=layer.op, onnx_nodes=list(layer.onnx_nodes),
                             macs=layer.macs, cycles=latency * self.clock_hz,
                             latency_s=latency, modelled=latency_s is not None and layer.modelled,
                             utilisation=None, mapping=mapping or None)

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
        provenance = self.metadata.get("provenance", {})
        for layer, config in zip(network.layers, configs):
            if config is None:
                yield self._estimate(layer, None)
            else:
                predicted = next(predictions)
                # fp32 weights: the CPU's benchmarks and networks run in fp32.
                fetch = weight_fetch_s(4 * config.weight_elems, provenance, predicted)
                yield self._estimate(layer, predicted, next(intervals), fetch)

    def finish(self, result, accelerator: Accelerator, run: Run) -> None:
        super().finish(result, accelerator, run)
        if self.network_model is not None:
            result.extra["network_model"] = self._network_total(result)
            if result.extra["network_model"]["used"]:
                result.network_latency_s = result.extra["network_model"]["latency_s"]

    def _network_total(self, result) -> dict[str, Any]:
        """The network model's total for the estimated network (see the module doc)."""
        import numpy as np

        from explorer.learned.configs import config_from_layer
        from explorer.learned.network_model import (
            NetworkLayer,
            network_structure,
            onnx_own_bias,
        )

        network = result.network
        model = self.network_model
        own_bias = None
        source = Path(str(network.source)) if network.source else None
        if source is not None and source.suffix == ".onnx" and source.is_file():
            try:
                own_bias = onnx_own_bias(source)
            except Exception:  # unreadable here: treat every bias as its own
                own_bias = None
        try:
            positions, bias, kernels = network_structure(network, own_bias)
        except BenchmarkError:
            positions, bias, kernels = network_structure(network, None)
        layers, raw = [], []
        for i, own in zip(positions, bias):
            config = config_from_layer(network.layers[i])
            if config is None:
                continue
            layers.append(NetworkLayer(config, own))
            # The network model was fitted on the layer model's own predictions.
            fetch = (result.layers[i].mapping or {}).get("weight_fetch_s", 0.0)
            raw.append((result.layers[i].latency_s - fetch) * 1e6)
        info: dict[str, Any] = {"version": model.to_dict()["version"],
                                "trained_on": list(model.networks),
                                "weights": model.to_dict()["weights"],
                                "correction": model.correction,
                                "layer_sum_latency_s": sum(la.latency_s
                                                           for la in result.layers)}
        if not layers:
            return {**info, "used": False, "reason": "no conv/linear layer"}
        parts = model.parts(layers, kernels, np.array(raw))
        total_us = model.predict_us(layers, kernels, np.array(raw))
        info.update({"conv_linear_us": parts[0], "other_kernels_alone_us": parts[1],
                     "kernels": int(-parts[2]), "other_kernels": len(kernels)})
        if not total_us > 0:
            return {**info, "used": False, "reason": f"non-positive total {total_us:.3g} µs"}
        return {**info, "used": True, "latency_s": total_us * 1e-6}

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
