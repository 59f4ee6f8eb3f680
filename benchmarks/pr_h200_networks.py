"""The H200 networks for `pr_h200.py`: their conv/linear layers, the other kernels their
ONNX graphs imply, and the network-level figures (layers alone, per-network sums,
whole networks leave-one-network-out).

The stacked whole-network model lives in the library, `explorer/learned/network_model.py`
(the formula, what each term is fitted on, and why, are in its docstring); this module
only loads the shared networks with it and reports its figures:

- conv/linear layers alone: the pool's layer model, then the library's correction
  learnt from the other networks' layers measured alone (`corrections="model"`: small
  extra-trees model of log(measured / predicted); the simpler alternative reported
  beside it subtracts one constant δ µs from bias-free convs);
- whole networks: a, b and λ fitted on the other 8 networks' whole times by least
  squares on relative errors. (Two other forms were tried on the same leave-one-out
  protocol: a = b = 1 with λ alone, 9.9 % MAPE, and absolute least squares, 10.0 %; this
  one gave 7.5 % with a random-2000 layer model.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from explorer.learned.features import config_matrix
from explorer.learned.network_model import (
    MeasuredNetwork,
    leave_one_network_out,
    load_measured_networks,
    loo_figures,
    raw_predictions,
)

NetworkData = MeasuredNetwork  # the name earlier benchmarks import


def load_networks(data: Path) -> list[MeasuredNetwork]:
    """The shared networks (`networks.jsonl` with its ONNX graphs and leaf modules)."""
    return load_measured_networks(Path(data) / "networks.jsonl")


def network_figures(networks: list[MeasuredNetwork], model, sms: int = 132,
                    corrections: str = "model") -> dict:
    """Layer, per-network-sum and whole-network figures of `model`, every correction
    learnt leave-one-network-out (library: `leave_one_network_out`, `loo_figures`)."""
    raw = raw_predictions(networks, lambda configs: model.predict(config_matrix(configs))
                          * 1e6)
    layer_rows, delta_rows, sums = [], [], []
    folds = leave_one_network_out(networks, raw, sms, corrections)
    for held, fitted in folds:
        pred = fitted.corrected_layers_us(held.layers, raw[held.name])
        with_delta = np.array([p - (fitted.delta_us if not la.own_bias
                                    and la.config.kind == "conv" else 0.0)
                               for la, p in zip(held.layers, raw[held.name])])
        true = np.array([la.us for la in held.layers])
        layer_rows += [(held.name, float(p), float(t)) for p, t in zip(pred, true)]
        delta_rows += [(float(p), float(t)) for p, t in zip(with_delta, true)]
        sums.append({"network": held.name, "measured_us": float(true.sum()),
                     "estimated_us": float(pred.sum()), "bias_kernel_us": fitted.delta_us,
                     "error_pct": float((pred.sum() - true.sum()) / true.sum() * 100)})
    p = np.array([r[1] for r in layer_rows])
    t = np.array([r[2] for r in layer_rows])
    raw_all = np.concatenate([raw[n.name] for n in networks])
    return {
        "network_layers": {
            "layers": len(layer_rows), "mape": float(np.mean(np.abs(p - t) / t) * 100),
            "median_ape": float(np.median(np.abs(p - t) / t) * 100),
            "correction": corrections,
            "mape_without_correction": float(np.mean(np.abs(raw_all - t) / t) * 100),
            "mape_with_constant_bias_delta": float(np.mean(
                [abs(a - b) / b for a, b in delta_rows]) * 100)},
        "network_sums": {"mape": float(np.mean([abs(s["error_pct"]) for s in sums])),
                         "networks": sums},
        "whole_network_loo": loo_figures(networks, raw, sms, corrections, folds=folds),
    }
