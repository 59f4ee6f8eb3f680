import onnx
import pytest

from explorer.benchmarking.layer_models import build_model
from explorer.benchmarking.space import random_configs
from explorer.errors import BenchmarkError
from explorer.learned.configs import (
    LayerConfig,
    config_from_layer,
    config_from_row,
    layer_from_config,
)

CONV = LayerConfig(kind="conv", op="Conv", in_channels=64, in_h=56, in_w=56, out_channels=128,
                   kernel_h=3, kernel_w=3, stride_h=2, stride_w=2, pad_top=1, pad_left=1,
                   pad_bottom=1, pad_right=1, activation="Relu")


def test_conv_sizes_and_macs():
    assert (CONV.out_h, CONV.out_w) == (28, 28)
    assert CONV.macs == 28 * 28 * 128 * 64 * 9
    dw = CONV.with_changes(out_channels=64, groups=64)
    assert dw.macs == 28 * 28 * 64 * 9


@pytest.mark.parametrize("changes, match", [
    ({"groups": 3}, "groups 3 must divide"),
    ({"kernel_h": 99}, "does not fit"),
    ({"op": "Gemm"}, "not a conv op"),
    ({"activation": "Tanh"}, "activation"),
    ({"in_channels": -1}, "must be >= 0"),
])
def test_invalid_configs_are_one_line_errors(changes, match):
    with pytest.raises(BenchmarkError, match=match):
        CONV.with_changes(**changes)


def test_row_round_trip():
    assert config_from_row(CONV.as_dict()) == CONV


@pytest.mark.parametrize("config", random_configs(40, seed=3), ids=lambda c: c.describe())
def test_layer_round_trip_and_models(config):
    """config -> workload Layer -> config is the identity, and the single-layer model is
    valid ONNX whose output has the layer's shape."""
    layer = layer_from_config(config)
    assert layer.macs == config.macs
    assert config_from_layer(layer) == config
    model, feed = build_model(config)
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model)
    out_dims = [d.dim_value for d in inferred.graph.output[0].type.tensor_type.shape.dim]
    if config.kind in ("conv", "pool", "eltwise", "norm") or config.op == "Concat":
        assert out_dims == list(layer.outputs[0])
    assert set(feed) == {i.name for i in model.graph.input}
