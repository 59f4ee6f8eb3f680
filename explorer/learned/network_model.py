"""The network-level half of the stacked whole-network model (ANNETTE's idea).

A per-layer model (PRLatencyModel) predicts each conv/linear layer *measured alone*. A
whole network is not the sum of those: it also runs other kernels (batch norms,
activations, additions, pooling, concatenations) and, inside one graph, does not pay the
launch and scheduling each kernel pays when measured alone. This module learns that
remaining work from a few measured whole networks:

    whole ≈ a · Σ conv/linear (layer model, corrected) + b · Σ other kernels alone
            − λ · kernels

- Σ conv/linear: the layer model's predictions for the network's Conv/Gemm layers,
  optionally corrected with what the networks' layers measured alone teach: a network
  conv followed by batch norm has no bias of its own (PyTorch's ONNX export folds the
  norm into a bias named `onnx::Conv_*`) and the device then runs other kernels than the
  biased convolutions a pool measures. `correction="model"`: a small extra-trees model of
  log(measured alone / predicted) on the layer's tiling features and whether its bias is
  its own; `"delta"`: one constant δ µs less for bias-free convs; `"none"`.
- Σ other kernels: every other kernel the graph implies (one norm per folded conv,
  activations, additions, pooling, concatenations, transposes), each costed alone by a
  per-kind fit log(µs) = s·log(elements) + c on the measured networks' leaf modules
  (`networks_extra.jsonl`). Without leaf modules the term is 0 and the other kernels
  enter through their count only.
- λ: the per-kernel launch saving, one constant per kernel (not per network).

a, b and λ are fitted by least squares on *relative* errors (each network's row divided
by its measured time), the quantity the MAPE target is stated in. Units: µs throughout.
`leave_one_network_out` fits one model per held-out network on the others only.

This is Qt-free and imports neither the estimators nor benchmarking (tests/test_layering).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from explorer.errors import BenchmarkError
from explorer.learned.configs import LayerConfig

NETWORK_MODEL_VERSION = 1
CORRECTIONS = ("model", "delta", "none")

# ONNX ops the measured graphs run as one kernel each, by cost kind; reshapes, slices,
# flattens and identities are views and cost nothing.
CONV_LINEAR_OPS = ("Conv", "Gemm")
ELTWISE_OPS = {"Relu", "Clip", "Sigmoid", "Mul", "Add", "Div", "HardSigmoid", "Tanh"}
POOL_OPS = {"MaxPool", "AveragePool", "GlobalAveragePool", "ReduceMean"}
COPY_OPS = {"Concat", "Transpose"}  # real copies, costed like element-wise kernels
# Leaf modules (networks_extra.jsonl) that teach each cost kind.
LEAF_KIND = {"BatchNorm2d": "norm", "ReLU": "eltwise", "ReLU6": "eltwise", "SiLU": "eltwise",
             "Sigmoid": "eltwise", "MaxPool2d": "pool", "AvgPool2d": "pool",
             "AdaptiveAvgPool2d": "pool"}


@dataclass
class NetworkLayer:
    """One conv/linear layer of a network: its benchmark configuration, whether its bias
    is its own (not a folded batch norm), and its time measured alone (µs) if known."""

    config: LayerConfig
    own_bias: bool
    us: float | None = None


@dataclass
class MeasuredNetwork:
    """A network with its measured whole time (µs), its conv/linear layers in graph
    order, the other kernels as (cost kind, elements), and its leaf modules measured
    alone (dicts with `module`, `in_shape`, `us`), if any."""

    name: str
    whole_us: float
    layers: list[NetworkLayer]
    kernels: list[tuple[str, int]] = field(default_factory=list)
    leaf_modules: list[dict] = field(default_factory=list)


# -- a network's structure -----------------------------------------------------------------
def onnx_own_bias(onnx_path: str | Path) -> list[bool]:
    """Per Conv/Gemm node in graph order: whether it has a bias of its own. PyTorch's
    export names a batch norm folded into a conv's bias `onnx::Conv_*`; the measured
    graph ran that norm as a kernel of its own. Read once per file version: the
    statistical estimator asks on every estimate (a GUI edit, a sweep's design)."""
    stat = Path(onnx_path).stat()
    return list(_own_bias(str(Path(onnx_path).resolve()), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=32)
def _own_bias(path: str, mtime_ns: int, size: int) -> tuple[bool, ...]:
    import onnx

    model = onnx.load(path, load_external_data=False)
    return tuple(len(n.input) > 2 and not n.input[2].startswith("onnx::")
                 for n in model.graph.node if n.op_type in CONV_LINEAR_OPS)


def network_structure(network: Any, own_bias: Sequence[bool] | None = None
                      ) -> tuple[list[int], list[bool], list[tuple[str, int]]]:
    """For an explorer Network (unfused): the positions of its conv/linear layers, whether
    each has its own bias (all True when `own_bias` is None: nothing folded), and the
    other kernels as (cost kind, elements: output elements, input elements for pooling)."""
    positions = [i for i, layer in enumerate(network.layers) if layer.op in CONV_LINEAR_OPS]
    bias = list(own_bias) if own_bias is not None else [True] * len(positions)
    if len(bias) != len(positions):
        raise BenchmarkError(f"{network.name}: {len(bias)} Conv/Gemm nodes in the graph, "
                             f"{len(positions)} conv/linear layers loaded")
    kernels: list[tuple[str, int]] = []
    seen = 0
    for layer in network.layers:
        elems = math.prod(layer.outputs[0]) if layer.outputs else 0
        if layer.op in CONV_LINEAR_OPS:
            if layer.op == "Conv" and not bias[seen]:
                kernels.append(("norm", elems))
            seen += 1
        elif layer.op in ELTWISE_OPS or layer.op in COPY_OPS:
            kernels.append(("eltwise", elems))
        elif layer.op in POOL_OPS:
            kernels.append(("pool", math.prod(layer.inputs[0]) if layer.inputs else elems))
    return positions, bias, kernels


def network_from_onnx(onnx_path: str | Path, name: str, whole_us: float,
                      layers_us: Sequence[float] | None = None,
                      leaf_modules: list[dict] | None = None,
                      fusion_rules: Sequence[Any] | None = None) -> MeasuredNetwork:
    """A MeasuredNetwork from the exact ONNX graph that was measured, seen through the
    device's `fusion_rules` (none for a pool) as the statistical estimator sees it."""
    from explorer.learned.configs import config_from_layer
    from explorer.workload.onnx_import import load_network

    network = load_network(str(onnx_path))
    if fusion_rules:
        from explorer.workload.fusion import apply_fusion

        network = apply_fusion(network, list(fusion_rules))
    positions, bias, kernels = network_structure(network, onnx_own_bias(onnx_path))
    if layers_us is not None and len(layers_us) != len(positions):
        raise BenchmarkError(f"{name}: {len(positions)} Conv/Gemm nodes in the graph, "
                             f"{len(layers_us)} layers measured")
    layers = []
    for j, (i, own) in enumerate(zip(positions, bias)):
        config = config_from_layer(network.layers[i])
        if config is None:
            raise BenchmarkError(f"{name}: layer {network.layers[i].name} has no benchmark "
                                 "configuration")
        layers.append(NetworkLayer(config, own, None if layers_us is None
                                   else float(layers_us[j])))
    return MeasuredNetwork(name, float(whole_us), layers, kernels, list(leaf_modules or []))


def load_measured_networks(path: str | Path, fusion_rules: Sequence[Any] | None = None
                           ) -> list[MeasuredNetwork]:
    """Measured whole networks from a file:

    - the shared `networks.jsonl` format (one network a line: `network`, `whole_graph_us`,
      `layers` with each conv/linear layer's `us` measured alone); the graph is read from
      `onnx/NAME.onnx` beside the file and leaf modules from `networks_extra.jsonl`
      beside it when present;
    - the JSON `accel-explorer measure --format json` writes (`network`, `source`,
      `latency_s`): the graph is its source, no layer is known alone.

    Refused with one line naming the file when it is neither (or a graph is missing)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BenchmarkError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        if text.lstrip().startswith("{") and "\n{" not in text.strip():
            rows = [json.loads(text)]
        else:
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError as exc:
        raise BenchmarkError(f"{path}: not JSON or JSON Lines ({exc})") from None
    extra: dict[str, list] = {}
    extra_path = path.parent / "networks_extra.jsonl"
    if extra_path.is_file() and extra_path != path:
        for line in extra_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                extra[row.get("network", "")] = row.get("leaf_modules", [])
    out = []
    for row in rows:
        if not isinstance(row, dict):
            raise BenchmarkError(f"{path}: a row is not a JSON object")
        if "whole_graph_us" in row and "layers" in row:
            onnx_path = path.parent / "onnx" / f"{row['network']}.onnx"
            if not onnx_path.is_file():
                raise BenchmarkError(f"{path}: {row['network']}: no graph at {onnx_path}")
            out.append(network_from_onnx(onnx_path, row["network"], row["whole_graph_us"],
                                         [la["us"] for la in row["layers"]],
                                         extra.get(row["network"], []), fusion_rules))
        elif "latency_s" in row and "source" in row:
            source = Path(row["source"])
            if not source.is_absolute() and not source.is_file():
                source = path.parent / source
            if not source.is_file():
                raise BenchmarkError(f"{path}: {row.get('network')}: its graph "
                                     f"{row['source']} is not a file here")
            out.append(network_from_onnx(source, str(row.get("network") or source.stem),
                                         float(row["latency_s"]) * 1e6,
                                         fusion_rules=fusion_rules))
        else:
            raise BenchmarkError(f"{path}: neither networks.jsonl rows (network, "
                                 "whole_graph_us, layers) nor `measure --format json` "
                                 "output (network, source, latency_s)")
    if not out:
        raise BenchmarkError(f"{path}: no measured network in it")
    return out


# -- the kernels other than conv/linear --------------------------------------------------------
def fit_kernel_models(networks: Sequence[MeasuredNetwork]) -> dict[str, list[float]]:
    """Per cost kind, [s, c] of log(µs) = s·log(elements) + c, fitted on the leaf modules
    measured alone of `networks` (kinds with fewer than 3 points are left out)."""
    points: dict[str, list[tuple[float, float]]] = {}
    for net in networks:
        for module in net.leaf_modules:
            kind = LEAF_KIND.get(module.get("module", ""))
            if kind and module.get("in_shape"):
                elems = math.prod(module["in_shape"])
                points.setdefault(kind, []).append((math.log(elems), math.log(module["us"])))
    return {kind: [float(v) for v in np.polyfit(*np.array(p).T, 1)]
            for kind, p in points.items() if len(p) >= 3}


def kernels_alone_us(kernels: Sequence[tuple[str, int]],
                     models: dict[str, list[float]]) -> float:
    """Σ of each kernel's time alone by its kind's fit (the element-wise one for a kind
    without a fit; 0 when there is none)."""
    total = 0.0
    for kind, elems in kernels:
        coef = models.get(kind, models.get("eltwise"))
        if coef is not None and elems > 0:
            total += math.exp(np.polyval(coef, math.log(elems)))
    return total


# -- the conv/linear correction -------------------------------------------------------------
def correction_features(layers: Sequence[NetworkLayer], raw_us: np.ndarray,
                        sms: int) -> np.ndarray:
    from explorer.learned.features import tiling_features

    return np.array([[float(la.own_bias), float(la.config.kind == "conv"), math.log(p)]
                     + tiling_features(la.config, sms) for la, p in zip(layers, raw_us)])


def _fit_correction(networks: Sequence[MeasuredNetwork], raw: dict[str, np.ndarray],
                    sms: int, seed: int):
    """log(measured alone / predicted) of the networks' layers, as a function of the
    layer (shrunk: leaves of 5 layers at least)."""
    from sklearn.ensemble import ExtraTreesRegressor

    X = np.vstack([correction_features(n.layers, raw[n.name], sms) for n in networks])
    y = np.concatenate([np.log([la.us for la in n.layers]) - np.log(raw[n.name])
                        for n in networks])
    return ExtraTreesRegressor(200, min_samples_leaf=5, max_features=0.5,
                               random_state=seed, n_jobs=1).fit(X, y)


def bias_delta_us(networks: Sequence[MeasuredNetwork], raw: dict[str, np.ndarray]) -> float:
    """What a bias-free conv saves alone (its bias kernel): the median of predicted −
    measured over the networks' bias-free convs (0 when none is known)."""
    gaps = [p - la.us for n in networks for la, p in zip(n.layers, raw[n.name])
            if not la.own_bias and la.config.kind == "conv" and la.us is not None]
    return float(np.median(gaps)) if gaps else 0.0


# -- the model --------------------------------------------------------------------------------
@dataclass
class NetworkModel:
    """Fitted network-level terms. `weights`: (a, b, λ) of the formula in the module's
    docstring (λ in µs per kernel); `kernel_models`: the per-kind cost fits;
    `correction`: which conv/linear correction (`trees` holds the extra-trees one)."""

    weights: tuple[float, float, float]
    kernel_models: dict[str, list[float]]
    correction: str = "none"
    delta_us: float = 0.0
    sms: int = 132
    networks: list[str] = field(default_factory=list)
    trees: Any = None

    def corrected_layers_us(self, layers: Sequence[NetworkLayer],
                            raw_us: np.ndarray) -> np.ndarray:
        """The conv/linear layers alone (µs) after the correction."""
        raw_us = np.asarray(raw_us, dtype=float)
        if self.correction == "model" and self.trees is not None and len(layers):
            return raw_us * np.exp(self.trees.predict(
                correction_features(layers, raw_us, self.sms)))
        if self.correction == "delta":
            return np.array([p - (self.delta_us if not la.own_bias and la.config.kind == "conv"
                                  else 0.0) for la, p in zip(layers, raw_us)])
        return raw_us

    def parts(self, layers: Sequence[NetworkLayer], kernels: Sequence[tuple[str, int]],
              raw_us: np.ndarray) -> list[float]:
        """[Σ conv/linear corrected, Σ other kernels alone, −kernels], the regressors."""
        return [float(self.corrected_layers_us(layers, raw_us).sum()),
                kernels_alone_us(kernels, self.kernel_models),
                -float(len(layers) + len(kernels))]

    def predict_us(self, layers: Sequence[NetworkLayer], kernels: Sequence[tuple[str, int]],
                   raw_us: np.ndarray) -> float:
        """Whole-network µs from the layer model's raw conv/linear predictions (µs)."""
        return float(np.dot(self.weights, self.parts(layers, kernels, raw_us)))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for a model file's metadata (the trees travel separately)."""
        return {"version": NETWORK_MODEL_VERSION,
                "formula": "a·Σconv/linear + b·Σother kernels alone − λ·kernels (µs)",
                "weights": {"layers": self.weights[0], "other_kernels": self.weights[1],
                            "per_kernel_saving_us": self.weights[2]},
                "kernel_models": self.kernel_models, "correction": self.correction,
                "delta_us": self.delta_us, "sms": self.sms, "networks": list(self.networks)}

    @classmethod
    def from_dict(cls, data: Any, trees: Any = None, *, source: str = "") -> NetworkModel:
        """The model `to_dict` wrote; a one-line BenchmarkError naming `source` for
        another version or a malformed entry."""
        where = f"{source}: " if source else ""
        if not isinstance(data, dict) or data.get("version") != NETWORK_MODEL_VERSION:
            version = data.get("version") if isinstance(data, dict) else None
            raise BenchmarkError(f"{where}network model version {version!r}, this program "
                                 f"reads {NETWORK_MODEL_VERSION}; retrain with "
                                 "`accel-explorer train --networks`")
        try:
            w = data["weights"]
            weights = (float(w["layers"]), float(w["other_kernels"]),
                       float(w["per_kernel_saving_us"]))
            kernel_models = {str(k): [float(x) for x in v]
                             for k, v in data["kernel_models"].items()}
            correction = str(data["correction"])
            if correction not in CORRECTIONS:
                raise ValueError(f"correction {correction!r}")
            if correction == "model" and trees is None:
                raise ValueError("its correction trees are missing")
            return cls(weights, kernel_models, correction, float(data.get("delta_us", 0.0)),
                       int(data.get("sms", 132)), [str(n) for n in data.get("networks", [])],
                       trees)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BenchmarkError(f"{where}malformed network model ({exc})") from None


RawPredictor = Callable[[Sequence[LayerConfig]], np.ndarray]


def raw_predictions(networks: Sequence[MeasuredNetwork], predict_us: RawPredictor
                    ) -> dict[str, np.ndarray]:
    """The layer model's µs for every network's conv/linear layers, by network name."""
    return {n.name: np.asarray(predict_us([la.config for la in n.layers]), dtype=float)
            for n in networks}


def fit_network_model(networks: Sequence[MeasuredNetwork], raw: dict[str, np.ndarray],
                      sms: int = 132, correction: str = "model",
                      seed: int = 0) -> NetworkModel:
    """Fit the network-level terms on `networks` (their raw layer-model predictions in
    `raw`, µs). The extra-trees correction needs every layer's time alone; networks
    without them fall back to no correction."""
    if correction not in CORRECTIONS:
        raise BenchmarkError(f"correction {correction!r}; allowed: {', '.join(CORRECTIONS)}")
    if not networks:
        raise BenchmarkError("no measured network to fit a network model on")
    alone = [n for n in networks if n.layers and all(la.us is not None for la in n.layers)]
    if correction != "none" and not alone:
        correction = "none"
    delta = bias_delta_us(alone, raw)
    trees = _fit_correction(alone, raw, sms, seed) if correction == "model" else None
    model = NetworkModel((0.0, 0.0, 0.0), fit_kernel_models(networks), correction, delta,
                         sms, [n.name for n in networks], trees)
    a = np.array([model.parts(n.layers, n.kernels, raw[n.name]) for n in networks])
    b = np.array([n.whole_us for n in networks])
    weights = np.linalg.lstsq(a / b[:, None], np.ones(len(b)), rcond=None)[0]
    model.weights = (float(weights[0]), float(weights[1]), float(weights[2]))
    return model


def leave_one_network_out(networks: Sequence[MeasuredNetwork], raw: dict[str, np.ndarray],
                          sms: int = 132, correction: str = "model", seed: int = 0
                          ) -> list[tuple[MeasuredNetwork, NetworkModel]]:
    """For each network, the model fitted on all the others (never on it)."""
    return [(held, fit_network_model([n for n in networks if n is not held], raw, sms,
                                     correction, seed)) for held in networks]


def loo_figures(networks: Sequence[MeasuredNetwork], raw: dict[str, np.ndarray],
                sms: int = 132, correction: str = "model", seed: int = 0,
                folds: list[tuple[MeasuredNetwork, NetworkModel]] | None = None
                ) -> dict[str, Any]:
    """Whole-network MAPE and Spearman leave-one-network-out, with each network's row
    (`folds`: the `leave_one_network_out` result when the caller already has it)."""
    from scipy.stats import spearmanr

    rows = []
    if folds is None:
        folds = leave_one_network_out(networks, raw, sms, correction, seed)
    for held, model in folds:
        layers_us, others_us, minus_kernels = model.parts(held.layers, held.kernels,
                                                          raw[held.name])
        estimate = model.predict_us(held.layers, held.kernels, raw[held.name])
        rows.append({"network": held.name, "measured_us": held.whole_us,
                     "estimated_us": estimate, "conv_linear_alone_us": layers_us,
                     "other_kernels_alone_us": others_us, "kernels": -minus_kernels,
                     "weights": model.to_dict()["weights"],
                     "error_pct": (estimate - held.whole_us) / held.whole_us * 100})
    return {"mape": float(np.mean([abs(r["error_pct"]) for r in rows])),
            "spearman": float(spearmanr([r["measured_us"] for r in rows],
                                        [r["estimated_us"] for r in rows])[0]),
            "networks": rows}
