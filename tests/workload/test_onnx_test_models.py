"""Real models shipped with the installed packages: onnx's own node test models (built in
memory by onnx.backend.test.case.node, the content of onnx/backend/test/data/node/) and
every .onnx file inside onnx and onnxruntime."""

from __future__ import annotations

from pathlib import Path

import onnx
import onnxruntime
import pytest
from workload_models import save

from explorer.errors import WorkloadError
from explorer.workload import LayerKind, load_network


def _shipped_files() -> list[Path]:
    roots = [Path(onnx.__file__).parent, Path(onnxruntime.__file__).parent]
    return sorted(p for root in roots for p in root.rglob("*.onnx"))


def test_every_shipped_onnx_file_loads_or_fails_cleanly() -> None:
    files = _shipped_files()
    assert len(files) > 100
    loaded = 0
    for path in files:
        try:
            net = load_network(path)
        except WorkloadError as exc:
            assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)
        else:
            loaded += 1
            assert len(net) > 0
    assert loaded >= 0.95 * len(files)


@pytest.mark.slow  # ~1,500 models; the named node models below stay in the fast tier
def test_every_onnx_node_test_model_loads_or_fails_cleanly(onnx_node_cases, tmp_path) -> None:
    assert len(onnx_node_cases) > 1500
    failures: list[str] = []
    for name, model in onnx_node_cases.items():
        path = save(model, tmp_path, name)
        try:
            net = load_network(path)
        except WorkloadError as exc:
            message = str(exc)
            assert message.startswith(f"{path}: ") and "\n" not in message
            failures.append(name)
        else:
            assert all(layer.name in net.graph for layer in net)
    # Only models whose shapes hang on input values (AffineGrid sizes) or whose inputs
    # have dynamic non-batch dims may fail.
    assert len(failures) < 40, failures


def test_lstm_and_gru_node_models(node_case_path) -> None:
    for name, gates in (("test_lstm_defaults", 4), ("test_lstm_bidirectional", 4),
                        ("test_gru_defaults", 3), ("test_simple_rnn_defaults", 1)):
        net = load_network(node_case_path(name))
        (layer,) = net.layers
        x, w, r = (net.input_shapes[k] for k in ("X", "W", "R"))
        seq, batch, inp = x
        directions, hidden = w[0], r[2]
        assert layer.kind is LayerKind.RNN
        assert layer.macs == gates * (inp + hidden) * hidden * seq * directions * batch


def test_quantized_node_models(node_case_path) -> None:
    conv = load_network(node_case_path("test_qlinearconv")).layers[0]
    assert conv.kind is LayerKind.CONV and (conv.act_bits, conv.weight_bits) == (8, 8)
    assert conv.macs == 49
    for name in ("test_convinteger_with_padding", "test_matmulinteger",
                 "test_qlinearmatmul_3D_int8_float32"):
        layer = load_network(node_case_path(name)).layers[0]
        assert layer.macs > 0 and layer.act_bits == 8
    dq = load_network(node_case_path("test_dequantizelinear")).layers[0]
    assert dq.kind is LayerKind.ELTWISE and dq.act_bits == 8


def test_conv_transpose_node_models(node_case_path) -> None:
    for name in ("test_convtranspose", "test_convtranspose_autopad_same",
                 "test_convtranspose_group_2", "test_convtranspose_3d",
                 "test_convtranspose_1d"):
        layer = load_network(node_case_path(name)).layers[0]
        assert layer.kind is LayerKind.CONV and layer.dims.transposed
        assert layer.macs == layer.dims.macs > 0


def test_control_flow_node_models(node_case_path) -> None:
    loop = load_network(node_case_path("test_loop11")).layers[0]
    assert loop.attrs["trip_count"] == 5  # from the scan output's length
    for name in ("test_if", "test_if_seq", "test_if_opt", "test_loop13_seq",
                 "test_scan9_sum"):
        net = load_network(node_case_path(name))
        assert net.layers[0].kind is LayerKind.GENERIC


def test_attention_and_layer_norm_node_models(node_case_path) -> None:
    attention = load_network(node_case_path("test_attention_4d")).layers[0]
    assert attention.kind is LayerKind.MATMUL
    assert attention.macs == 2 * 3 * 4 * 6 * (8 + 8)
    norm = load_network(node_case_path("test_layer_normalization_4d_axis1")).layers[0]
    assert norm.kind is LayerKind.NORM and norm.other_ops > 0
    expanded = load_network(node_case_path("test_layer_normalization_4d_axis1_expanded"))
    assert all(layer.modelled for layer in expanded)


@pytest.mark.parametrize("name", ["test_resize_upsample_scales_linear",
                                  "test_resize_downsample_sizes_nearest",
                                  "test_dropout_default_mask", "test_lrn",
                                  "test_einsum_batch_matmul", "test_gemm_all_attributes"])
def test_more_node_models_are_modelled(node_case_path, name: str) -> None:
    net = load_network(node_case_path(name))
    assert all(layer.modelled for layer in net)
    assert net.warnings == [] or all("onnxruntime" in w for w in net.warnings)
