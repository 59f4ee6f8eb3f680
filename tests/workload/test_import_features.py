"""Features of real models in the wild, each on a small model built with onnx.helper."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper
from workload_models import FLOAT, make_model, save, value, weight

from explorer.workload import ConvDims, LayerKind, MatMulDims, load_network


def _load(tmp_path: Path, nodes, inputs, outputs, inits=(), **kwargs):
    opts = {k: kwargs.pop(k) for k in ("opset", "ir_version") if k in kwargs}
    return load_network(save(make_model(nodes, inputs, outputs, inits, **opts), tmp_path),
                        **kwargs)


def _int64(name: str, values) -> TensorProto:
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def _conv_net(tmp_path: Path, x_shape, **kwargs):
    return _load(tmp_path, [helper.make_node("Conv", ["x", "w"], ["y"])],
                 [value("x", x_shape)], [value("y", None)], [weight("w", [4, 3, 3, 3])],
                 **kwargs)


def test_dynamic_batch_defaults_to_one_with_warning(tmp_path: Path) -> None:
    net = _conv_net(tmp_path, ["batch", 3, 8, 8])
    assert net.input_shapes == {"x": (1, 3, 8, 8)}
    assert net.layers[0].macs == 4 * 27 * 36
    assert any("'batch'" in w and "set to 1" in w for w in net.warnings)
    net = _conv_net(tmp_path, ["batch", 3, 8, 8], input_shapes={"x": (4, 3, 8, 8)})
    assert net.layers[0].macs == 4 * 4 * 27 * 36
    assert net.warnings == []


def test_ir3_initializers_as_inputs_and_constant_of_shape_weights(tmp_path: Path) -> None:
    # As in the zoo files: the weight is made by ConstantOfShape from an initializer,
    # and the initializer is listed among the graph inputs too (IR 3).
    nodes = [helper.make_node("ConstantOfShape", ["w_shape"], ["w"],
                              value=numpy_helper.from_array(np.array([0.5], np.float32))),
             helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["y"])]
    net = _load(tmp_path, nodes, [value("x", [1, 3, 8, 8]), value("w_shape", [4],
                                                                  TensorProto.INT64)],
                [value("y", None)], [_int64("w_shape", [16, 3, 3, 3])], ir_version=3, opset=9)
    assert [layer.op for layer in net] == ["Conv", "Relu"]
    conv = net.layers[0]
    assert conv.weights == [(16, 3, 3, 3)] and conv.inputs == [(1, 3, 8, 8)]
    assert conv.macs == 16 * 27 * 64
    assert net.input_shapes == {"x": (1, 3, 8, 8)}
    assert list(net.graph.edges) == [(conv.name, net.layers[1].name)]


def test_sum_dropout_mask_and_residual_edges(tmp_path: Path) -> None:
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="relu"),
             helper.make_node("Sigmoid", ["x"], ["b"], name="sig"),
             helper.make_node("Sum", ["x", "a", "b"], ["s"], name="sum"),
             helper.make_node("Dropout", ["s"], ["y", "mask"], name="drop")]
    net = _load(tmp_path, nodes, [value("x", [2, 5])], [value("y", None)])
    total = net["sum"]
    assert total.kind is LayerKind.ELTWISE and total.other_ops == 2 * 10
    assert len(total.inputs) == 3
    drop = net["drop"]
    assert drop.kind is LayerKind.DATA and drop.macs == 0 and drop.other_ops == 0
    assert drop.outputs == [(2, 5)]  # the unused mask is not written
    assert set(net.graph.edges) == {("relu", "sum"), ("sig", "sum"), ("sum", "drop")}


@pytest.mark.parametrize(("groups", "cin", "cout"), [(1, 8, 16), (4, 8, 16), (8, 8, 8),
                                                      (8, 8, 16)])
def test_grouped_and_depthwise_conv(tmp_path: Path, groups: int, cin: int, cout: int) -> None:
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["y"], group=groups, strides=[2, 2],
                              pads=[1, 1, 1, 1], dilations=[1, 1])]
    net = _load(tmp_path, nodes, [value("x", [1, cin, 10, 10])], [value("y", None)],
                [weight("w", [cout, cin // groups, 3, 3]), weight("b", [cout])])
    conv = net.layers[0]
    assert isinstance(conv.dims, ConvDims)
    assert conv.dims.groups == groups
    assert conv.dims.depthwise == (groups == cin)
    assert (conv.dims.out_h, conv.dims.stride_h, conv.dims.pad_top) == (5, 2, 1)
    assert conv.macs == cout * 25 * (cin // groups) * 9 == conv.dims.macs
    assert conv.other_ops == cout * 25  # bias
    assert conv.weights == [(cout, cin // groups, 3, 3), (cout,)]


@pytest.mark.parametrize(("auto_pad", "pads"), [("SAME_UPPER", (1, 1, 2, 2)),
                                                ("SAME_LOWER", (2, 2, 1, 1)),
                                                ("VALID", (0, 0, 0, 0))])
def test_conv_auto_pad(tmp_path: Path, auto_pad: str, pads) -> None:
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], auto_pad=auto_pad, strides=[2, 2])]
    net = _load(tmp_path, nodes, [value("x", [1, 3, 7, 7])], [value("y", None)],
                [weight("w", [4, 3, 4, 4])])
    d = net.layers[0].dims
    assert (d.pad_top, d.pad_left, d.pad_bottom, d.pad_right) == pads
    assert d.out_h == (4 if auto_pad != "VALID" else 2)


@pytest.mark.parametrize(("auto_pad", "pads"), [("SAME_UPPER", (1, 1, 2, 2)),
                                                ("SAME_LOWER", (2, 2, 1, 1))])
def test_conv_transpose_auto_pad(tmp_path: Path, auto_pad: str, pads) -> None:
    # output = input * stride = 10; the full output is 2 * 4 + 5 = 13: 3 rows are cut off
    nodes = [helper.make_node("ConvTranspose", ["x", "w"], ["y"], auto_pad=auto_pad,
                              strides=[2, 2])]
    net = _load(tmp_path, nodes, [value("x", [1, 3, 5, 5])], [value("y", None)],
                [weight("w", [3, 2, 5, 5])])
    d = net.layers[0].dims
    assert net.layers[0].outputs == [(1, 2, 10, 10)]
    assert (d.pad_top, d.pad_left, d.pad_bottom, d.pad_right) == pads


def test_conv_1d_and_3d(tmp_path: Path) -> None:
    net = _load(tmp_path, [helper.make_node("Conv", ["x", "w"], ["y"])],
                [value("x", [1, 4, 20])], [value("y", None)], [weight("w", [8, 4, 3])])
    d = net.layers[0].dims
    assert (d.in_h, d.in_w, d.kernel_h, d.kernel_w, d.out_w) == (1, 20, 1, 3, 18)
    assert net.layers[0].macs == 8 * 18 * 4 * 3
    net = _load(tmp_path, [helper.make_node("Conv", ["x", "w"], ["y"],
                                            pads=[0, 1, 2, 0, 1, 2], strides=[1, 2, 1])],
                [value("x", [1, 2, 5, 6, 6])], [value("y", None)],
                [weight("w", [3, 2, 3, 3, 3])])
    d = net.layers[0].dims
    assert net.layers[0].outputs == [(1, 3, 3, 3, 8)]
    assert net.layers[0].macs == 3 * (3 * 3 * 8) * 2 * 27 == d.macs
    assert (d.stride_h, d.stride_w, d.pad_top, d.pad_left) == (2, 1, 1, 2)
    assert net.layers[0].attrs["spatial_rank"] == 3


def test_gemm_transposes(tmp_path: Path) -> None:
    nodes = [helper.make_node("Gemm", ["a", "b", "c"], ["y"], transA=1, transB=1)]
    net = _load(tmp_path, nodes, [value("a", [64, 3])], [value("y", None)],
                [weight("b", [10, 64]), weight("c", [10])])
    gemm = net.layers[0]
    assert gemm.dims == MatMulDims(m=3, n=10, k=64)
    assert gemm.macs == 3 * 10 * 64 and gemm.other_ops == 30
    assert gemm.weights == [(10, 64), (10,)]


def test_matmul_weights_and_attention(tmp_path: Path) -> None:
    nodes = [helper.make_node("MatMul", ["x", "wq"], ["q"], name="proj"),
             helper.make_node("Transpose", ["q"], ["kt"], perm=[0, 2, 1], name="t"),
             helper.make_node("MatMul", ["q", "kt"], ["scores"], name="qk"),
             helper.make_node("Softmax", ["scores"], ["p"], axis=-1, name="softmax"),
             helper.make_node("MatMul", ["p", "q"], ["y"], name="pv")]
    net = _load(tmp_path, nodes, [value("x", [2, 16, 32])], [value("y", None)],
                [weight("wq", [32, 8])])
    assert net["proj"].dims == MatMulDims(m=16, n=8, k=32, batch=2)
    assert net["proj"].weights == [(32, 8)]
    assert net["qk"].dims == MatMulDims(m=16, n=16, k=8, batch=2, weights_batched=True)
    assert net["qk"].weights == [] and net["qk"].inputs == [(2, 16, 8), (2, 8, 16)]
    assert net["pv"].macs == 2 * 16 * 8 * 16
    assert net["softmax"].kind is LayerKind.SOFTMAX
    assert net["softmax"].other_ops == 5 * 2 * 16 * 16
    assert net["t"].kind is LayerKind.DATA


def test_conv_transpose(tmp_path: Path) -> None:
    nodes = [helper.make_node("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2])]
    net = _load(tmp_path, nodes, [value("x", [1, 8, 5, 5])], [value("y", None)],
                [weight("w", [8, 4, 3, 3])])
    layer = net.layers[0]
    assert layer.kind is LayerKind.CONV and layer.dims.transposed
    assert layer.outputs == [(1, 4, 11, 11)]
    assert layer.macs == 25 * 8 * 4 * 9 == layer.dims.macs


def test_data_movement_ops_are_free(tmp_path: Path) -> None:
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["r"]),
             helper.make_node("Transpose", ["r"], ["t"], perm=[0, 2, 1]),
             helper.make_node("Split", ["t", "split"], ["s1", "s2"], axis=2),
             helper.make_node("Concat", ["s2", "s1"], ["c"], axis=2),
             helper.make_node("Unsqueeze", ["c", "axes"], ["u"]),
             helper.make_node("Squeeze", ["u", "axes"], ["q"]),
             helper.make_node("Flatten", ["q"], ["y"], axis=1)]
    net = _load(tmp_path, nodes, [value("x", [2, 4, 6])], [value("y", None)],
                [_int64("shape", [2, 6, 4]), _int64("split", [2, 4]), _int64("axes", [0])])
    assert [layer.op for layer in net] == ["Reshape", "Transpose", "Split", "Concat",
                                           "Unsqueeze", "Squeeze", "Flatten"]
    for layer in net:
        assert layer.kind is LayerKind.DATA
        assert layer.macs == layer.other_ops == 0
        assert layer.weights == []  # shape/axes operands are parameters, not weights
    assert net["Split_2"].outputs == [(2, 4, 2), (2, 4, 4)]
    assert net.warnings == []
    assert net.layers[-1].outputs == [(2, 24)]


def test_resize_modes(tmp_path: Path) -> None:
    for mode, per_element in (("nearest", 0), ("linear", 4)):
        nodes = [helper.make_node("Resize", ["x", "", "scales"], ["y"], mode=mode)]
        net = _load(tmp_path, nodes, [value("x", [1, 3, 4, 4])], [value("y", None)],
                    [numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales")])
        layer = net.layers[0]
        assert layer.kind is LayerKind.DATA and layer.outputs == [(1, 3, 8, 8)]
        assert layer.other_ops == per_element * 192 and layer.weights == []


def test_pooling(tmp_path: Path) -> None:
    nodes = [helper.make_node("MaxPool", ["x"], ["m"], kernel_shape=[3, 3], strides=[2, 2],
                              pads=[1, 1, 1, 1]),
             helper.make_node("AveragePool", ["m"], ["a"], kernel_shape=[2, 2]),
             helper.make_node("GlobalAveragePool", ["a"], ["y"])]
    net = _load(tmp_path, nodes, [value("x", [1, 8, 16, 16])], [value("y", None)])
    maxpool, avgpool, gap = net.layers
    assert all(layer.kind is LayerKind.POOL for layer in net)
    assert maxpool.outputs == [(1, 8, 8, 8)] and maxpool.other_ops == 8 * 64 * 9
    assert maxpool.attrs["kernel_shape"] == [3, 3]
    assert avgpool.other_ops == 8 * 49 * 4
    assert gap.other_ops == 8 * 49 and gap.outputs == [(1, 8, 1, 1)]


def test_layer_norm_fused_and_decomposed(tmp_path: Path) -> None:
    nodes = [helper.make_node("LayerNormalization", ["x", "g", "b"], ["y"], axis=-1)]
    net = _load(tmp_path, nodes, [value("x", [2, 10, 16])], [value("y", None)],
                [weight("g", [16]), weight("b", [16])])
    assert net.layers[0].kind is LayerKind.NORM and net.layers[0].other_ops == 7 * 320
    # The decomposition exporters emit: mean, centre, square, mean, add eps, sqrt, divide.
    nodes = [helper.make_node("ReduceMean", ["x"], ["mu"], axes=[-1]),
             helper.make_node("Sub", ["x", "mu"], ["d"]),
             helper.make_node("Pow", ["d", "two"], ["d2"]),
             helper.make_node("ReduceMean", ["d2"], ["var"], axes=[-1]),
             helper.make_node("Add", ["var", "eps"], ["ve"]),
             helper.make_node("Sqrt", ["ve"], ["sd"]),
             helper.make_node("Div", ["d", "sd"], ["y"])]
    net = _load(tmp_path, nodes, [value("x", [2, 10, 16])], [value("y", None)],
                [numpy_helper.from_array(np.array(2.0, np.float32), "two"),
                 numpy_helper.from_array(np.array(1e-5, np.float32), "eps")], opset=13)
    assert [layer.op for layer in net] == ["ReduceMean", "Sub", "Pow", "ReduceMean", "Add",
                                           "Sqrt", "Div"]
    assert all(layer.kind is LayerKind.ELTWISE and layer.modelled for layer in net)
    assert [layer.other_ops for layer in net] == [320, 320, 320, 320, 20, 20, 320]


@pytest.mark.parametrize(("op", "gates"), [("LSTM", 4), ("GRU", 3), ("RNN", 1)])
@pytest.mark.parametrize("directions", [1, 2])
def test_recurrent_macs(tmp_path: Path, op: str, gates: int, directions: int) -> None:
    seq, batch, inp, hidden = 5, 2, 10, 16
    direction = "bidirectional" if directions == 2 else "forward"
    nodes = [helper.make_node(op, ["x", "w", "r"], ["y", "h"], hidden_size=hidden,
                              direction=direction)]
    net = _load(tmp_path, nodes, [value("x", [seq, batch, inp])], [value("y", None)],
                [weight("w", [directions, gates * hidden, inp]),
                 weight("r", [directions, gates * hidden, hidden])])
    layer = net.layers[0]
    assert layer.kind is LayerKind.RNN
    assert layer.macs == gates * (inp + hidden) * hidden * seq * directions * batch
    assert layer.outputs == [(seq, directions, batch, hidden)]
    assert layer.weights == [(directions, gates * hidden, inp),
                             (directions, gates * hidden, hidden)]


def test_qlinear_conv_and_matmul_are_8_bit(tmp_path: Path) -> None:
    u8, i8 = TensorProto.UINT8, TensorProto.INT8
    scalar = lambda name, v, dt=np.float32: numpy_helper.from_array(np.array(v, dt), name)  # noqa: E731
    inits = [scalar("xs", 0.1), scalar("xz", 128, np.uint8), weight("w", [4, 3, 3, 3], np.int8),
             scalar("ws", 0.2), scalar("wz", 0, np.int8), scalar("ys", 0.3),
             scalar("yz", 128, np.uint8), weight("m", [36, 5], np.int8)]
    nodes = [helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"],
                              ["c"]),
             helper.make_node("Reshape", ["c", "shape"], ["r"]),
             helper.make_node("QLinearMatMul", ["r", "ys", "yz", "m", "ws", "wz", "ys", "yz"],
                              ["y"])]
    net = _load(tmp_path, nodes, [value("x", [1, 3, 5, 5], u8)], [value("y", None, u8)],
                [*inits, _int64("shape", [1, 36])])
    assert net.warnings == []
    conv, _, matmul = net.layers
    assert conv.kind is LayerKind.CONV and conv.macs == 4 * 9 * 27
    assert (conv.act_bits, conv.weight_bits) == (8, 8)
    assert conv.weights == [(4, 3, 3, 3)] and conv.inputs == [(1, 3, 5, 5)]
    assert matmul.dims == MatMulDims(m=1, n=5, k=36)
    assert (matmul.act_bits, matmul.weight_bits) == (8, 8)
    assert i8  # int8 weights above


def test_integer_ops(tmp_path: Path) -> None:
    u8 = TensorProto.UINT8
    nodes = [helper.make_node("ConvInteger", ["x", "w"], ["c"]),
             helper.make_node("Cast", ["c"], ["cf"], to=TensorProto.UINT8),
             helper.make_node("Flatten", ["cf"], ["f"]),
             helper.make_node("MatMulInteger", ["f", "m"], ["y"])]
    net = _load(tmp_path, nodes, [value("x", [1, 3, 5, 5], u8)], [value("y", None)],
                [weight("w", [4, 3, 3, 3], np.uint8), weight("m", [36, 5], np.uint8)])
    conv, _, _, matmul = net.layers
    assert conv.macs == 4 * 9 * 27 and (conv.act_bits, conv.weight_bits) == (8, 8)
    assert matmul.macs == 36 * 5 and (matmul.act_bits, matmul.weight_bits) == (8, 8)


def test_qdq_pairs_record_8_bit(tmp_path: Path) -> None:
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["xq"]),
             helper.make_node("DequantizeLinear", ["xq", "s", "z"], ["xd"]),
             helper.make_node("DequantizeLinear", ["wq", "s", "wz"], ["w"]),
             helper.make_node("Conv", ["xd", "w"], ["y"])]
    net = _load(tmp_path, nodes, [value("x", [1, 3, 6, 6])], [value("y", None)],
                [weight("wq", [4, 3, 3, 3], np.int8),
                 numpy_helper.from_array(np.array(0.1, np.float32), "s"),
                 numpy_helper.from_array(np.array(0, np.uint8), "z"),
                 numpy_helper.from_array(np.array(0, np.int8), "wz")])
    # the weight's DequantizeLinear only computes a constant: folded away
    assert [layer.op for layer in net] == ["QuantizeLinear", "DequantizeLinear", "Conv"]
    conv = net.layers[-1]
    assert (conv.act_bits, conv.weight_bits) == (8, 8)
    assert conv.weights == [(4, 3, 3, 3)]


def test_if_costs_larger_branch(tmp_path: Path) -> None:
    def branch(name: str, cout: int):
        node = helper.make_node("Conv", ["x", f"w{cout}"], [f"y_{name}"])
        return helper.make_graph([node], name, [], [value(f"y_{name}", [1, cout, 6, 6])])
    nodes = [helper.make_node("If", ["cond"], ["y"], then_branch=branch("then", 4),
                              else_branch=branch("else", 8))]
    net = _load(tmp_path, nodes, [value("x", [1, 3, 8, 8]), value("cond", [], TensorProto.BOOL)],
                [value("y", None)], [weight("w4", [4, 3, 3, 3]), weight("w8", [8, 3, 3, 3])])
    layer = net.layers[0]
    assert layer.op == "If" and layer.kind is LayerKind.GENERIC and not layer.modelled
    assert layer.macs == 8 * 27 * 36
    assert any("larger branch" in w for w in net.warnings)
    # what the branches read from the enclosing graph is read by the If layer
    assert layer.inputs == [(), (1, 3, 8, 8)]
    assert sorted(layer.weights) == [(4, 3, 3, 3), (8, 3, 3, 3)]


def test_loop_costs_body_times_trip_count(tmp_path: Path) -> None:
    body = helper.make_graph(
        [helper.make_node("MatMul", ["h", "wl"], ["h2"]),
         helper.make_node("Identity", ["c"], ["c_out"])],
        "body", [value("i", [], TensorProto.INT64), value("c", [], TensorProto.BOOL),
                 value("h", [1, 16])],
        [value("c_out", [], TensorProto.BOOL), value("h2", [1, 16])])
    nodes = [helper.make_node("Loop", ["trips", "", "h0"], ["y"], body=body)]
    net = _load(tmp_path, nodes, [value("h0", [1, 16])], [value("y", None)],
                [_int64("trips", 7), weight("wl", [16, 16])])
    layer = net.layers[0]
    assert layer.attrs["trip_count"] == 7
    assert layer.macs == 7 * 16 * 16


def test_unknown_ops_stay_as_generic_layers(tmp_path: Path) -> None:
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="relu"),
             helper.make_node("Det", ["a"], ["d"], name="det"),
             helper.make_node("FancyOp", ["a"], ["f"], domain="com.example", name="fancy")]
    model = make_model(nodes, [value("x", [3, 4, 4])], [value("d", None), value("f", None)])
    model.opset_import.append(helper.make_opsetid("com.example", 1))
    net = load_network(save(model, tmp_path))
    assert [layer.name for layer in net] == ["relu", "det", "fancy"]
    det, fancy = net["det"], net["fancy"]
    assert det.kind is LayerKind.GENERIC and not det.modelled and det.other_ops == 3
    assert not fancy.modelled and fancy.kind is LayerKind.GENERIC
    assert any("'Det'" in w for w in net.warnings)
    assert any("'FancyOp'" in w for w in net.warnings)
    assert net.unmodelled == [det, fancy]


def _resize_by_computed_shape(tmp_path: Path, out_channels: int):
    """Resize to twice the input's size, the size computed from Shape through float
    arithmetic that static inference does not propagate, then a 3x3 Conv."""
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Cast", ["s"], ["sf"], to=FLOAT),
             helper.make_node("Mul", ["sf", "scale"], ["s2"]),
             helper.make_node("Cast", ["s2"], ["si"], to=TensorProto.INT64),
             helper.make_node("Resize", ["x", "", "", "si"], ["r"], mode="nearest"),
             helper.make_node("Conv", ["r", "w"], ["y"])]
    return _load(tmp_path, nodes, [value("x", [1, 3, 8, 8])], [value("y", None)],
                 [weight("w", [out_channels, 3, 3, 3]),
                  numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scale")])


def test_shape_arithmetic_is_folded_and_onnxruntime_fills_shapes(tmp_path: Path) -> None:
    # Resize to twice the input's size, computed from Shape through float arithmetic
    # that static inference does not propagate: one onnxruntime run gives the shapes.
    net = _resize_by_computed_shape(tmp_path, out_channels=4)
    assert [layer.op for layer in net] == ["Resize", "Conv"]
    assert net.layers[1].inputs == [(1, 3, 16, 16)]
    assert net.layers[1].macs == 4 * 27 * 14 * 14
    assert any("onnxruntime" in w for w in net.warnings)


def test_unnamed_duplicate_and_unsorted_nodes(tmp_path: Path) -> None:
    nodes = [helper.make_node("Relu", ["a"], ["y"], name="dup"),
             helper.make_node("Sigmoid", ["x"], ["a"], name="dup"),
             helper.make_node("Neg", ["y"], ["z"])]
    net = _load(tmp_path, nodes, [value("x", [4])], [value("z", None)])
    assert [layer.op for layer in net] == ["Sigmoid", "Relu", "Neg"]
    assert len({layer.name for layer in net}) == 3
    assert net.layers[2].name == "Neg_2"


def test_half_precision(tmp_path: Path) -> None:
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"])]
    net = _load(tmp_path, nodes, [value("x", [1, 3, 8, 8], TensorProto.FLOAT16)],
                [value("y", None)], [weight("w", [4, 3, 3, 3], np.float16)])
    layer = net.layers[0]
    assert (layer.act_bits, layer.weight_bits) == (16, 16)
    assert layer.bytes_moved() == (192 + 108 + 144) * 2


def test_scan_body_shapes_are_inferred_from_the_entry_shapes(tmp_path: Path) -> None:
    # Body inputs without types (as exporters write them): the body's MatMul is only
    # costable once the state and the scanned slice are given their entry shapes, and
    # the Unsqueeze needs the value of an outer constant (its axes).
    from onnx import ValueInfoProto

    body = helper.make_graph(
        [helper.make_node("Unsqueeze", ["x_t", "axes"], ["row"]),
         helper.make_node("MatMul", ["row", "w"], ["proj"]),
         helper.make_node("Add", ["h", "proj"], ["h2"]),
         helper.make_node("Identity", ["h2"], ["y_t"])],
        "step", [ValueInfoProto(name="h"), ValueInfoProto(name="x_t")],
        [ValueInfoProto(name="h2"), ValueInfoProto(name="y_t")])
    nodes = [helper.make_node("Scan", ["h0", "xs"], ["h_final", "ys"], body=body,
                              num_scan_inputs=1)]
    net = _load(tmp_path, nodes, [value("h0", [1, 8]), value("xs", [5, 8])],
                [value("h_final", None), value("ys", None)],
                [weight("w", [8, 8]), _int64("axes", [0])])
    layer = net.layers[0]
    assert layer.attrs["trip_count"] == 5
    assert layer.macs == 5 * 8 * 8
    assert not any("could not be costed" in w for w in net.warnings)


def test_onnxruntime_contrib_ops(tmp_path: Path) -> None:
    """Models saved after onnxruntime's optimisations hold com.microsoft ops; onnx's
    inference does not know them, so onnxruntime gives their shapes."""
    ms = "com.microsoft"
    nodes = [helper.make_node("FusedConv", ["x", "w", "b"], ["c"], domain=ms, name="conv",
                              activation="Relu", pads=[1, 1, 1, 1]),
             helper.make_node("Reshape", ["c", "shape"], ["seq"], name="reshape"),
             helper.make_node("Attention", ["seq", "qkv_w", "qkv_b"], ["att"], domain=ms,
                              num_heads=2, name="attention"),
             helper.make_node("FusedMatMul", ["att", "m"], ["y"], domain=ms, transB=1,
                              name="matmul")]
    model = make_model(nodes, [value("x", [1, 3, 4, 4])], [value("y", None)],
                       [weight("w", [8, 3, 3, 3]), weight("b", [8]), _int64("shape", [1, 16, 8]),
                        weight("qkv_w", [8, 24]), weight("qkv_b", [24]), weight("m", [5, 8])],
                       opset=17)
    model.opset_import.append(helper.make_opsetid(ms, 1))
    net = load_network(save(model, tmp_path))
    conv, _, attention, matmul = net.layers
    assert conv.kind is LayerKind.CONV and conv.macs == 8 * 16 * 27
    assert conv.other_ops == 2 * 8 * 16  # bias and the fused Relu
    # projection 16 x 8 -> 24, then 2 heads of size 4: scores 2 * 16 * 16, each (4 + 4)
    assert attention.macs == 16 * 8 * 24 + 2 * 16 * 16 * 8
    assert attention.dims == MatMulDims(m=16, n=24, k=8)
    assert matmul.dims == MatMulDims(m=16, n=5, k=8)
    assert all(layer.modelled for layer in net)


def test_large_weights_are_stripped_but_onnxruntime_still_runs(tmp_path: Path) -> None:
    # 64 x 3 x 3 x 3 weights are above the stripping threshold: shape inference sees only
    # their dims, and the onnxruntime run (needed for the Resize) gets zeros of that size.
    net = _resize_by_computed_shape(tmp_path, out_channels=64)
    assert net.layers[-1].macs == 64 * 27 * 14 * 14
    assert net.layers[-1].weights == [(64, 3, 3, 3)]
    assert any("onnxruntime" in w for w in net.warnings)


def test_named_dynamic_dims_are_shared_between_inputs(tmp_path: Path) -> None:
    # as in exported transformers: input_ids[batch, sequence], mask[batch, sequence]
    nodes = [helper.make_node("Add", ["ids", "mask"], ["y"])]
    model = make_model(nodes, [value("ids", ["batch", "sequence"]),
                               value("mask", ["batch", "sequence"])], [value("y", None)])
    path = save(model, tmp_path)
    net = load_network(path, {"ids": (2, 128)})
    assert net.input_shapes == {"ids": (2, 128), "mask": (2, 128)}
    assert net.layers[0].other_ops == 256
    assert net.warnings == []


def test_sparse_initializer_weights(tmp_path: Path) -> None:
    values = numpy_helper.from_array(np.array([1.0, 2.0], np.float32), "w")
    indices = numpy_helper.from_array(np.array([0, 5], np.int64), "w_indices")
    sparse = helper.make_sparse_tensor(values, indices, [4, 3, 3, 3])
    model = make_model([helper.make_node("Conv", ["x", "w"], ["y"])],
                       [value("x", [1, 3, 8, 8])], [value("y", None)])
    model.graph.sparse_initializer.append(sparse)
    net = load_network(save(model, tmp_path))
    assert net.layers[0].weights == [(4, 3, 3, 3)]
    assert net.layers[0].macs == 4 * 27 * 36
