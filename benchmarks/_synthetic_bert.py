"""A BERT-base-sized encoder (12 layers, hidden 768, 12 heads, sequence 128, ~340 MB of
float32 weights) built with onnx.helper, with the patterns exporters write: a dynamic
batch dim, PyTorch's Shape -> Gather chains, reshape/transpose around batched attention
MatMuls, Softmax, LayerNormalization, Gelu. For measuring import speed on a large real-
sized file without downloading one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

HIDDEN, HEADS, SEQ, LAYERS = 768, 12, 128, 12


def build(path: Path) -> Path:
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []

    def weight(name: str, shape: list[int]) -> str:
        inits.append(numpy_helper.from_array(np.zeros(shape, np.float32), name))
        return name

    def int64(name: str, values) -> str:
        inits.append(numpy_helper.from_array(np.array(values, np.int64), name))
        return name

    def node(op: str, inputs: list[str], **attrs) -> str:
        out = f"{op}{len(nodes)}"
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    x = "x"
    for layer in range(LAYERS):
        p = f"l{layer}_"
        node("Gather", [node("Shape", [x]), int64(p + "zero", 0)], axis=0)
        heads = int64(p + "heads", [1, SEQ, HEADS, HIDDEN // HEADS])
        q, k, v = (node("MatMul", [x, weight(p + w, [HIDDEN, HIDDEN])]) for w in "qkv")
        qh = node("Transpose", [node("Reshape", [q, heads])], perm=[0, 2, 1, 3])
        kh = node("Transpose", [node("Reshape", [k, heads])], perm=[0, 2, 3, 1])
        vh = node("Transpose", [node("Reshape", [v, heads])], perm=[0, 2, 1, 3])
        scores = node("Div", [node("MatMul", [qh, kh]), weight(p + "scale", [])])
        context = node("MatMul", [node("Softmax", [scores], axis=-1), vh])
        merged = node("Reshape", [node("Transpose", [context], perm=[0, 2, 1, 3]),
                                  int64(p + "merge", [1, SEQ, HIDDEN])])
        attended = node("Add", [node("MatMul", [merged, weight(p + "o", [HIDDEN, HIDDEN])]),
                                x])
        norm = node("LayerNormalization", [attended, weight(p + "g1", [HIDDEN]),
                                           weight(p + "b1", [HIDDEN])], axis=-1)
        up = node("Gelu", [node("MatMul", [norm, weight(p + "up", [HIDDEN, 4 * HIDDEN])])])
        down = node("MatMul", [up, weight(p + "down", [4 * HIDDEN, HIDDEN])])
        x = node("LayerNormalization", [node("Add", [down, norm]), weight(p + "g2", [HIDDEN]),
                                        weight(p + "b2", [HIDDEN])], axis=-1)
    graph = helper.make_graph(
        nodes, "bert_base_like",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["batch", SEQ, HIDDEN])],
        [helper.make_tensor_value_info(x, onnx.TensorProto.FLOAT, None)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)],
                              ir_version=9)
    path.write_bytes(model.SerializeToString())
    return path


def expected_macs() -> int:
    """Per layer: 4 projections, Q K^T and scores V, the two feed-forward MatMuls."""
    projections = 4 * SEQ * HIDDEN * HIDDEN
    attention = 2 * SEQ * SEQ * HIDDEN
    feed_forward = 2 * SEQ * HIDDEN * 4 * HIDDEN
    return LAYERS * (projections + attention + feed_forward)
