"""Single-layer ONNX models: one `LayerConfig` -> a runnable ModelProto and its inputs.

Weights are initializers (constants), so onnxruntime sees exactly what it sees inside a
real network after constant folding and applies the same kernels and fusions (NCHWc
convolution with fused Relu / residual add, FusedGemm).
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from explorer.learned.configs import LayerConfig

OPSET = 17


def _value(name: str, shape: tuple[int, ...]) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def _const(name: str, shape: tuple[int, ...], rng: np.random.Generator) -> onnx.TensorProto:
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.05, name)


def build_model(config: LayerConfig, seed: int = 0) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    """The model and a feed of random inputs for it."""
    rng = np.random.default_rng(seed)
    c = config
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []
    inputs: dict[str, tuple[int, ...]] = {}
    x_shape = (c.batch, c.in_channels, c.in_h, c.in_w)
    out = "y"

    if c.kind == "conv":
        inputs["x"] = x_shape
        inits += [_const("w", (c.out_channels, c.in_channels // c.groups, c.kernel_h,
                               c.kernel_w), rng), _const("b", (c.out_channels,), rng)]
        nodes.append(helper.make_node(
            "Conv", ["x", "w", "b"], ["conv"], name="conv", group=c.groups,
            kernel_shape=[c.kernel_h, c.kernel_w], strides=[c.stride_h, c.stride_w],
            pads=[c.pad_top, c.pad_left, c.pad_bottom, c.pad_right]))
        y_shape = (c.batch, c.out_channels, c.out_h, c.out_w)
        last = "conv"
        if c.residual:
            inputs["skip"] = y_shape
            nodes.append(helper.make_node("Add", [last, "skip"], ["sum"], name="residual"))
            last = "sum"
        last = _activation(c, nodes, last)
        nodes[-1].output[0] = out
    elif c.kind == "matmul":
        a_shape = (c.batch, c.m, c.k) if c.batch > 1 else (c.m, c.k)
        inputs["a"] = a_shape
        inits.append(_const("w", (c.k, c.n), rng))
        if c.op == "Gemm" and c.batch == 1:
            inits.append(_const("b", (c.n,), rng))
            nodes.append(helper.make_node("Gemm", ["a", "w", "b"], ["mm"], name="gemm"))
        else:
            nodes.append(helper.make_node("MatMul", ["a", "w"], ["mm"], name="matmul"))
        _activation(c, nodes, "mm")
        nodes[-1].output[0] = out
        y_shape = (c.batch, c.m, c.n) if c.batch > 1 else (c.m, c.n)
    elif c.kind == "pool":
        inputs["x"] = x_shape
        if c.op.startswith("Global"):
            nodes.append(helper.make_node(c.op, ["x"], [out], name="pool"))
            y_shape = (c.batch, c.in_channels, 1, 1)
        else:
            nodes.append(helper.make_node(
                c.op, ["x"], [out], name="pool", kernel_shape=[c.kernel_h, c.kernel_w],
                strides=[c.stride_h, c.stride_w],
                pads=[c.pad_top, c.pad_left, c.pad_bottom, c.pad_right]))
            y_shape = (c.batch, c.in_channels, c.out_h, c.out_w)
    elif c.kind == "eltwise":
        y_shape = x_shape
        names = [f"x{i}" for i in range(max(1, c.num_inputs))]
        for name in names:
            inputs[name] = x_shape
        if c.op in ("Add", "Mul") and len(names) < 2:
            # One activation input: the other operand is a per-channel constant, as in a
            # bias or a Caffe-style scale layer (densenet121 has 62 of each).
            inits.append(_const("per_channel", (1, c.in_channels, 1, 1), rng))
            names.append("per_channel")
        if c.op in ("Add", "Mul"):
            nodes.append(helper.make_node(c.op, names[:2], [out], name="eltwise"))
        elif c.op == "Sum":
            nodes.append(helper.make_node("Sum", names, [out], name="eltwise"))
        elif c.op == "BatchNormalization":
            for p in ("scale", "bias", "mean"):
                inits.append(_const(p, (c.in_channels,), rng))
            inits.append(numpy_helper.from_array(np.ones(c.in_channels, np.float32), "var"))
            nodes.append(helper.make_node("BatchNormalization",
                                          [names[0], "scale", "bias", "mean", "var"], [out],
                                          name="eltwise"))
        elif c.op == "Clip":
            inits += [numpy_helper.from_array(np.array(0, np.float32), "lo"),
                      numpy_helper.from_array(np.array(6, np.float32), "hi")]
            nodes.append(helper.make_node("Clip", [names[0], "lo", "hi"], [out], name="eltwise"))
        else:
            nodes.append(helper.make_node(c.op, [names[0]], [out], name="eltwise"))
    elif c.kind == "norm":
        inputs["x"] = x_shape
        y_shape = x_shape
        nodes.append(helper.make_node("LRN", ["x"], [out], name="lrn", size=c.kernel_h,
                                      alpha=1e-4, beta=0.75, bias=1.0))
    elif c.kind == "softmax":
        inputs["x"] = (c.batch, c.in_channels * c.in_h * c.in_w)
        y_shape = inputs["x"]
        nodes.append(helper.make_node("Softmax", ["x"], [out], name="softmax", axis=1))
    elif c.op == "Concat":
        names = [f"x{i}" for i in range(max(1, c.num_inputs))]
        for name in names:
            inputs[name] = x_shape
        y_shape = (c.batch, c.in_channels * len(names), c.in_h, c.in_w)
        nodes.append(helper.make_node("Concat", names, [out], name="concat", axis=1))
    else:  # Transpose: the NCHW -> NHWC permutation of channel shuffles and layout changes
        inputs["x"] = x_shape
        y_shape = (c.batch, c.in_h, c.in_w, c.in_channels)
        nodes.append(helper.make_node("Transpose", ["x"], [out], name="transpose",
                                      perm=[0, 2, 3, 1]))

    graph = helper.make_graph(nodes, f"bench_{c.kind}",
                              [_value(n, s) for n, s in inputs.items()],
                              [_value(out, y_shape)], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="accel-explorer-bench")
    model.ir_version = 8
    feed = {n: rng.standard_normal(s).astype(np.float32) for n, s in inputs.items()}
    return model, feed


def _activation(config: LayerConfig, nodes: list[onnx.NodeProto], last: str) -> str:
    if config.activation:
        nodes.append(helper.make_node(config.activation, [last], ["act"], name="activation"))
        return "act"
    return last
