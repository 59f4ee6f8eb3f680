"""Parsers of onnxruntime's com.microsoft ops, which models saved after onnxruntime's
graph optimisations contain (FusedConv, FusedGemm, SkipLayerNormalization, Attention,
quantized element-wise ops...). Registered as "com.microsoft:<OpType>".
"""

from __future__ import annotations

from dataclasses import replace

from explorer.workload.network import LayerKind, MatMulDims
from explorer.workload.ops import NodeInfo, OpCost, need, register
from explorer.workload.ops_conv import conv_cost
from explorer.workload.ops_elementwise import (
    ELTWISE_OPS_PER_ELEMENT,
    parse_eltwise,
    parse_global_pool,
    parse_norm,
    parse_pool,
)
from explorer.workload.ops_matmul import matmul_cost, parse_gemm

MS = "com.microsoft:"


def _activation_ops(node: NodeInfo) -> int:
    """Fused activations (attribute `activation`) cost one op per output element."""
    return node.out_elems if node.attr("activation") else 0


@register(MS + "FusedConv", MS + "NhwcFusedConv", MS + "Conv")
def parse_fused_conv(node: NodeInfo) -> OpCost:
    cost = conv_cost(node, 0, 1, 2)
    cost.other_ops += _activation_ops(node) + (node.out_elems if node.input(3) else 0)
    cost.activation_inputs = tuple(i for i in (0, 3) if node.input(i) is not None)
    return cost


@register(MS + "FusedGemm")
def parse_fused_gemm(node: NodeInfo) -> OpCost:
    cost = parse_gemm(node)
    cost.other_ops += _activation_ops(node)
    return cost


@register(MS + "FusedMatMul", MS + "TransposeMatMul")
def parse_fused_matmul(node: NodeInfo) -> OpCost:
    """MatMul with transposed operands (transA/transB swap the last two dims)."""
    a, b = node.input(0), node.input(1)
    for flag, tensor, index in (("transA", a, 0), ("transB", b, 1)):
        if node.attr(flag, 0) and tensor is not None and tensor.shape and len(tensor.shape) >= 2:
            shape = tensor.shape[:-2] + (tensor.shape[-1], tensor.shape[-2])
            node.inputs[index] = replace(tensor, shape=shape)
    return matmul_cost(node, 0, 1)


@register(MS + "SkipLayerNormalization", MS + "SkipSimplifiedLayerNormalization",
          MS + "SimplifiedLayerNormalization", MS + "LayerNormalization",
          "SimplifiedLayerNormalization")
def parse_skip_norm(node: NodeInfo) -> OpCost:
    cost = parse_norm(node)
    if "Skip" in node.op:
        cost.other_ops += 2 * node.out_elems  # residual add and bias
    return cost


ELTWISE_OPS_PER_ELEMENT.update({"BiasGelu": 9, "FastGelu": 8, "QuickGelu": 3,
                                 "BiasAdd": 2, "QLinearAdd": 5, "QLinearMul": 5,
                                 "QLinearSigmoid": 5, "QLinearLeakyRelu": 5})


@register(*(MS + op for op in ("Gelu", "BiasGelu", "FastGelu", "QuickGelu", "BiasAdd",
                               "QLinearAdd", "QLinearMul", "QLinearSigmoid",
                               "QLinearLeakyRelu")))
def parse_ms_eltwise(node: NodeInfo) -> OpCost:
    return parse_eltwise(node)


@register(MS + "QLinearAveragePool", MS + "NhwcMaxPool", MS + "MaxpoolWithMask")
def parse_ms_pool(node: NodeInfo) -> OpCost:
    return parse_pool(node)


@register(MS + "QLinearGlobalAveragePool")
def parse_ms_global_pool(node: NodeInfo) -> OpCost:
    return parse_global_pool(node)


@register(MS + "Attention")
def parse_ms_attention(node: NodeInfo) -> OpCost:
    """input [B, S, D_in] @ weights [D_in, D_q + D_k + D_v], then per-head attention.
    dims describe the QKV projection (the weight-bearing part)."""
    x = need(node.shape_in(0), "Attention input")
    w = need(node.shape_in(1), "Attention weights")
    batch, seq, d_in = x
    heads = int(node.attr("num_heads", 1))
    sizes = list(node.attr("qkv_hidden_sizes") or [w[1] // 3] * 3)
    scores = batch * heads * seq * seq
    attention_macs = scores * (sizes[0] + sizes[2]) // heads
    dims = MatMulDims(m=batch * seq, n=w[1], k=d_in)
    return OpCost(LayerKind.MATMUL, macs=dims.macs + attention_macs,
                  other_ops=scores * 6 + batch * seq * w[1], dims=dims,
                  attrs={"heads": heads, "qkv_hidden_sizes": sizes,
                         "note": "macs = QKV projection + Q K^T + scores V; dims = projection"},
                  activation_inputs=(0,), weight_inputs=(1, 2))
