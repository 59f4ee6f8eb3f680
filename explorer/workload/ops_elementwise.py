"""Work without MACs, costed per element: pooling, element-wise ops, reductions,
normalisations and softmax."""

from __future__ import annotations

import math

from explorer.workload.network import LayerKind, elements
from explorer.workload.ops import NodeInfo, OpCost, register

# ------------------------------------------------------------------------------ pooling

@register("MaxPool", "AveragePool", "LpPool")
def parse_pool(node: NodeInfo) -> OpCost:
    kernel = list(node.attr("kernel_shape") or [])
    attrs = {"kernel_shape": kernel, "strides": list(node.attr("strides") or [1] * len(kernel)),
             "pads": list(node.attr("pads") or [0] * 2 * len(kernel)),
             "pool": node.op}
    return OpCost(LayerKind.POOL, other_ops=node.out_elems * math.prod(kernel), attrs=attrs)


@register("GlobalMaxPool", "GlobalAveragePool", "GlobalLpPool")
def parse_global_pool(node: NodeInfo) -> OpCost:
    x = node.shape_in(0)
    kernel = list(x[2:]) if x is not None else []
    return OpCost(LayerKind.POOL, other_ops=elements(x) if x is not None else 0,
                  attrs={"kernel_shape": kernel, "pool": node.op, "global": True})


# -------------------------------------------------------------------------- element-wise

# Arithmetic operations per output element; anything not listed costs 1.
ELTWISE_OPS_PER_ELEMENT: dict[str, int] = {
    "BatchNormalization": 2,  # folded into one scale and one shift at inference
    "HardSigmoid": 2, "HardSwish": 3, "Gelu": 8, "Mish": 4, "Softplus": 2, "Selu": 2,
    "Elu": 2, "Celu": 2, "ThresholdedRelu": 1, "Clip": 2, "QuantizeLinear": 2,
    "DequantizeLinear": 2, "DynamicQuantizeLinear": 4, "Where": 1, "Swish": 2,
    "RotaryEmbedding": 3,  # x * cos + rotate(x) * sin
}
_ELTWISE = (
    "Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Reciprocal",
    "Neg", "Abs", "Sign", "Floor", "Ceil", "Round", "Erf", "Sin", "Cos", "Tan", "Asin",
    "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Softsign", "Not",
    "Add", "Sub", "Mul", "Div", "Pow", "Mod", "And", "Or", "Xor", "Equal", "Less",
    "LessOrEqual", "Greater", "GreaterOrEqual", "BitShift", "BitwiseAnd", "BitwiseOr",
    "BitwiseXor", "BitwiseNot", "IsNaN", "IsInf", "Shrink",
    *ELTWISE_OPS_PER_ELEMENT,
)


@register(*_ELTWISE)
def parse_eltwise(node: NodeInfo) -> OpCost:
    return OpCost(LayerKind.ELTWISE,
                  other_ops=node.out_elems * ELTWISE_OPS_PER_ELEMENT.get(node.op, 1))


@register("Sum", "Max", "Min", "Mean")
def parse_variadic(node: NodeInfo) -> OpCost:
    operands = sum(1 for t in node.inputs if t is not None)
    per_element = max(operands - 1, 1) + (1 if node.op == "Mean" else 0)
    return OpCost(LayerKind.ELTWISE, other_ops=node.out_elems * per_element)


@register("ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
          "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare", "ArgMax", "ArgMin",
          "CumSum", "CumProd")
def parse_reduce(node: NodeInfo) -> OpCost:
    x = node.shape_in(0)
    return OpCost(LayerKind.ELTWISE, other_ops=elements(x) if x is not None else node.out_elems)


# ------------------------------------------------------------------------- normalisation

@register("LRN")
def parse_lrn(node: NodeInfo) -> OpCost:
    size = int(node.attr("size", 1))
    # square and sum over `size` channels, then scale, bias, pow and divide
    return OpCost(LayerKind.NORM, other_ops=node.out_elems * (2 * size + 4),
                  attrs={"size": size})


@register("LayerNormalization", "InstanceNormalization", "GroupNormalization",
          "MeanVarianceNormalization", "RMSNormalization",
          "LpNormalization")
def parse_norm(node: NodeInfo) -> OpCost:
    # mean, subtract, square, variance, normalise, scale, shift
    return OpCost(LayerKind.NORM, other_ops=node.out_elems * 7)


@register("Softmax", "LogSoftmax", "Hardmax")
def parse_softmax(node: NodeInfo) -> OpCost:
    # max, subtract, exp, sum, divide
    return OpCost(LayerKind.SOFTMAX, other_ops=node.out_elems * 5,
                  attrs={"axis": int(node.attr("axis", -1))})
