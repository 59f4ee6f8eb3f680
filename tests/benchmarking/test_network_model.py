"""The network-level model (explorer/learned/network_model.py): the fit, leave-one-out,
the model file and the statistical estimator's use of it."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from explorer.errors import BenchmarkError, EstimationError
from explorer.learned.configs import LayerConfig
from explorer.learned.network_model import (
    MeasuredNetwork,
    NetworkLayer,
    NetworkModel,
    fit_network_model,
    kernels_alone_us,
    leave_one_network_out,
)
from tests.synthetic_model import train_synthetic_model

KERNEL_TRUTH = {"eltwise": [0.5, -3.0], "pool": [0.7, -4.0], "norm": [0.6, -3.5]}
A, B, SAVING = 1.2, 0.9, 4.0


def _conv(cin: int, cout: int, hw: int, k: int = 3) -> LayerConfig:
    return LayerConfig(kind="conv", op="Conv", in_channels=cin, in_h=hw, in_w=hw,
                       out_channels=cout, kernel_h=k, kernel_w=k, pad_top=k // 2,
                       pad_left=k // 2, pad_bottom=k // 2, pad_right=k // 2)


def synthetic_networks(n: int = 8, seed: int = 0, noise: float = 0.0):
    """Networks whose whole time follows the model exactly (A, B, SAVING, KERNEL_TRUTH),
    with leaf modules that follow the kernel fits and layers measured alone."""
    rng = np.random.default_rng(seed)
    modules = {"eltwise": "ReLU", "pool": "MaxPool2d", "norm": "BatchNorm2d"}
    networks, raw = [], {}
    for i in range(n):
        layers = [NetworkLayer(_conv(int(rng.integers(8, 256)), int(rng.integers(8, 256)),
                                     int(rng.choice([7, 14, 28, 56]))),
                               own_bias=bool(rng.random() < 0.5),
                               us=float(rng.uniform(5, 80)))
                  for _ in range(int(rng.integers(4, 30)))]
        kernels = [(str(rng.choice(list(modules))), int(rng.integers(1_000, 2_000_000)))
                   for _ in range(int(rng.integers(3, 60)))]
        leaf = [{"module": modules[kind], "in_shape": [1, elems], "us": math.exp(
            np.polyval(KERNEL_TRUTH[kind], math.log(elems)))} for kind, elems in kernels]
        name = f"net{i}"
        raw[name] = np.array([la.us for la in layers])  # the layer model is exact
        whole = (A * raw[name].sum() + B * kernels_alone_us(kernels, KERNEL_TRUTH)
                 - SAVING * (len(layers) + len(kernels)))
        whole *= 1 + noise * rng.standard_normal()
        networks.append(MeasuredNetwork(name, float(whole), layers, kernels, leaf))
    return networks, raw


def test_fit_recovers_known_coefficients():
    networks, raw = synthetic_networks()
    model = fit_network_model(networks, raw, correction="none")
    assert model.weights == pytest.approx((A, B, SAVING), rel=1e-6)
    for kind, coef in KERNEL_TRUTH.items():
        assert model.kernel_models[kind] == pytest.approx(coef, rel=1e-6)
    for net in networks:
        assert model.predict_us(net.layers, net.kernels, raw[net.name]) == \
            pytest.approx(net.whole_us, rel=1e-6)


def test_leave_one_out_never_sees_the_held_out_network():
    networks, raw = synthetic_networks(6, noise=0.05)
    folds = leave_one_network_out(networks, raw, correction="model")
    before = {held.name: model.predict_us(held.layers, held.kernels, raw[held.name])
              for held, model in folds}
    assert all(held.name not in model.networks and len(model.networks) == 5
               for held, model in folds)
    # Change everything measured about one network: only the other folds may move.
    victim = networks[2]
    changed = MeasuredNetwork(victim.name, victim.whole_us * 3,
                              [NetworkLayer(la.config, la.own_bias, la.us * 2)
                               for la in victim.layers], victim.kernels,
                              [{**m, "us": m["us"] * 5} for m in victim.leaf_modules])
    others = [changed if n is victim else n for n in networks]
    after = {held.name: model.predict_us(held.layers, held.kernels, raw[held.name])
             for held, model in leave_one_network_out(others, raw, correction="model")}
    assert after[victim.name] == before[victim.name]
    assert any(after[n] != before[n] for n in before if n != victim.name)


@pytest.fixture(scope="module")
def cpu_model(tmp_path_factory):
    return train_synthetic_model(tmp_path_factory.mktemp("netmodel"))


def _save_with(cpu_model, path, network_model=None, metadata_extra=None):
    from explorer.learned.model_files import load_model, save_model

    model, metadata = load_model(cpu_model)
    for key in ("format", "format_version", "model_class", "feature_schema",
                "library_versions"):
        metadata.pop(key, None)
    save_model(model, path, {**metadata, **(metadata_extra or {})}, network_model)
    return path


def test_model_file_round_trip(cpu_model, tmp_path):
    from explorer.learned.model_files import load_model

    networks, raw = synthetic_networks(5, noise=0.05)
    fitted = fit_network_model(networks, raw, correction="model")
    path = _save_with(cpu_model, tmp_path / "with_network.skops", fitted)
    model, metadata = load_model(path)
    loaded = NetworkModel.from_dict(metadata["network_model"],
                                    getattr(model, "network_correction_", None))
    assert loaded.weights == fitted.weights and loaded.correction == "model"
    assert loaded.networks == [n.name for n in networks]
    for net in networks:
        assert loaded.predict_us(net.layers, net.kernels, raw[net.name]) == \
            fitted.predict_us(net.layers, net.kernels, raw[net.name])


def test_unknown_network_model_version_is_refused_in_one_line(cpu_model, tmp_path):
    from explorer.estimators.registry import get_estimator
    from explorer.learned.model_files import load_model

    networks, raw = synthetic_networks(4)
    data = fit_network_model(networks, raw, correction="none").to_dict()
    path = _save_with(cpu_model, tmp_path / "future.skops",
                      metadata_extra={"network_model": {**data, "version": 99}})
    with pytest.raises(BenchmarkError) as info:
        load_model(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path}: network model version 99")
    with pytest.raises(EstimationError, match="future.skops: network model version 99"):
        get_estimator("statistical", model=path)


def test_the_estimator_uses_the_network_model_for_the_total(cpu_model, tmp_path):
    from explorer.estimators.registry import get_estimator
    from explorer.hardware.library import load_accelerator
    from explorer.workload import load_network

    weights = (2.0, 0.0, 1.0)  # 2·Σ conv/linear − 1 µs per kernel
    network_model = NetworkModel(weights, {}, "none", networks=["a", "b"])
    path = _save_with(cpu_model, tmp_path / "stacked.skops", network_model)
    network, acc = load_network("squeezenet"), load_accelerator("gemmini")
    plain = get_estimator("statistical", model=cpu_model).estimate(network, acc)
    stacked = get_estimator("statistical", model=path).estimate(network, acc)
    # Per-layer numbers are the layer model's, unchanged.
    assert [la.latency_s for la in stacked.layers] == [la.latency_s for la in plain.layers]
    details = stacked.to_dict()["details"]["network_model"]
    assert details["used"] and details["trained_on"] == ["a", "b"]
    convs = sum(la.latency_s for la in stacked.layers if la.op in ("Conv", "Gemm"))
    kernels = details["kernels"]
    assert kernels > 26  # 26 convolutions and the other kernels
    expected = 2.0 * convs - kernels * 1e-6
    assert stacked.latency_s == pytest.approx(expected, rel=1e-9)
    assert stacked.to_dict()["total"]["latency_s"] == pytest.approx(expected, rel=1e-9)
    assert plain.latency_s == pytest.approx(details["layer_sum_latency_s"], rel=1e-12)
    assert "network_model" not in plain.to_dict()["details"]


def test_pool_models_fuse_nothing():
    from explorer.learned.fusion import device_fusion_rules

    assert device_fusion_rules("pool:/data/h200") == []
    assert device_fusion_rules("cpu")  # onnxruntime's fusions


def test_train_with_networks_from_measure_output(cpu_model, tmp_path, capsys):
    """`train --networks` with `measure --format json` files (no layers alone, no leaf
    modules): the model file holds a network model and its leave-one-out figures."""
    from explorer.cli import main
    from explorer.learned.model_files import load_model
    from explorer.workload.zoo import zoo_path

    files = []
    for name, latency in (("squeezenet", 0.004), ("alexnet", 0.02), ("shufflenet", 0.005)):
        f = tmp_path / f"{name}.json"
        f.write_text(json.dumps({"network": name, "source": str(zoo_path(name)),
                                 "latency_s": latency}))
        files.append(str(f))
    out = tmp_path / "cpu_net.skops"
    assert main(["train", str(cpu_model.parent / "cpu.h5"), "-o", str(out),
                 "--networks", *files]) == 0
    _, metadata = load_model(out)
    assert metadata["network_model"]["networks"] == ["squeezenet", "alexnet", "shufflenet"]
    assert metadata["network_model"]["correction"] == "none"
    assert set(metadata["network_model_loo"]["networks"]) == {"squeezenet", "alexnet",
                                                               "shufflenet"}
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    capsys.readouterr()
    assert main(["train", str(cpu_model.parent / "cpu.h5"), "-o", str(tmp_path / "x.skops"),
                 "--networks", str(bad)]) != 0
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "bad.json: neither networks.jsonl rows" in err
    assert not (tmp_path / "x.skops").exists()


def test_own_bias_is_read_once_per_file_version(tmp_path):
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    from explorer.learned.network_model import _own_bias, onnx_own_bias

    def write(bias_name: str) -> None:
        graph = helper.make_graph(
            [helper.make_node("Conv", ["x", "w", bias_name], ["y"])], "g",
            [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 1, 4, 4])],
            [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 1, 4, 4])],
            [numpy_helper.from_array(np.ones((1, 1, 1, 1), np.float32), "w"),
             numpy_helper.from_array(np.ones(1, np.float32), bias_name)])
        onnx.save(helper.make_model(graph), path)

    path = tmp_path / "one_conv.onnx"
    write("conv.bias")
    hits = _own_bias.cache_info().hits
    assert onnx_own_bias(path) == [True] and onnx_own_bias(path) == [True]
    assert _own_bias.cache_info().hits == hits + 1
    write("onnx::Conv_17")  # a folded norm's bias, as PyTorch names it: a new file version
    assert onnx_own_bias(path) == [False]
