"""Op-parser registry: one function per ONNX op type turns a node into its cost.

In the style of ZigZag's `{"Conv": ConvParser, ...}`, but parsers are plain functions
`(NodeInfo) -> OpCost`; the importer fills in what every layer has (name, shapes,
precisions, ONNX nodes), so a parser only says what kind of work the node is, its
dimensions and its arithmetic. Ops without a parser fall to `parse_generic`, which
keeps the node as an unmodelled layer costed by its output element count.

Operand roles: an input is a *weight* when it is constant (derived only from
initializers/Constant nodes); parsers index inputs by their ONNX position, so optional
empty inputs are kept as `None`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from explorer.workload.attributes import check_conv
from explorer.workload.network import ConvDims, LayerKind, MatMulDims, Shape, elements


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: Shape | None  # None when unknown
    bits: int  # storage precision (after looking through DequantizeLinear)
    const: bool


@dataclass
class NodeInfo:
    """What a parser sees of one node."""

    name: str
    op: str
    attrs: dict[str, Any]
    inputs: list[TensorInfo | None]  # ONNX positions; None for an omitted optional input
    outputs: list[TensorInfo | None]
    # Costs of subgraph bodies (If branches, Loop body), filled by the importer.
    subgraphs: dict[str, tuple[int, int]] = field(default_factory=dict)  # attr -> (macs, ops)
    domain: str = ""  # "" for the default ONNX domain

    def input(self, index: int) -> TensorInfo | None:
        return self.inputs[index] if index < len(self.inputs) else None

    def shape_in(self, index: int) -> Shape | None:
        tensor = self.input(index)
        return tensor.shape if tensor is not None else None

    @property
    def out_shape(self) -> Shape | None:
        return self.outputs[0].shape if self.outputs and self.outputs[0] else None

    @property
    def out_elems(self) -> int:
        shape = self.out_shape
        return elements(shape) if shape is not None else 0

    def attr(self, name: str, default: Any = None) -> Any:
        return self.attrs.get(name, default)


@dataclass
class OpCost:
    kind: LayerKind
    macs: int = 0
    other_ops: int = 0
    dims: ConvDims | MatMulDims | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    modelled: bool = True
    warning: str | None = None
    # Which input positions hold the activations / weights of this op, when it is not
    # simply "non-constant = activation, constant float = weight" (e.g. quantized ops,
    # whose scales and zero points are parameters, not weights).
    activation_inputs: tuple[int, ...] | None = None
    weight_inputs: tuple[int, ...] | None = None


class ShapeUnknown(Exception):
    """A parser needs a shape that inference could not provide."""


Parser = Callable[[NodeInfo], OpCost]
# Keys: the op type for the default ONNX domain, "domain:OpType" for the others (an op
# of another domain may share a name with an ONNX op and mean something else, e.g.
# com.microsoft's Attention, which includes the QKV projection).
PARSERS: dict[str, Parser] = {}
_DEFAULT_DOMAINS = ("", "ai.onnx")


def register(*ops: str) -> Callable[[Parser], Parser]:
    def decorate(fn: Parser) -> Parser:
        for op in ops:
            PARSERS[op] = fn
        return fn
    return decorate


def parser_key(op: str, domain: str = "") -> str:
    return op if domain in _DEFAULT_DOMAINS else f"{domain}:{op}"


def parse(node: NodeInfo) -> OpCost:
    return PARSERS.get(parser_key(node.op, node.domain), parse_generic)(node)


def _need(shape: Shape | None, what: str) -> Shape:
    if shape is None:
        raise ShapeUnknown(what)
    return shape


# --------------------------------------------------------------------------- convolution

def _same_pads(total: int, upper: bool) -> tuple[int, int]:
    """Split a total padding as auto_pad does: SAME_UPPER puts the odd one at the end."""
    total = max(total, 0)
    small = total // 2
    return (small, total - small) if upper else (total - small, small)


def _auto_pads(node: NodeInfo, x: Shape, y: Shape, kernel: list[int], strides: list[int],
               dilations: list[int], transposed: bool) -> list[int]:
    rank = len(kernel)
    auto_pad = str(node.attr("auto_pad", "NOTSET"))
    if auto_pad == "VALID":
        return [0] * (2 * rank)
    if auto_pad not in ("SAME_UPPER", "SAME_LOWER"):
        return list(node.attr("pads") or [0] * (2 * rank))
    extent = [(kernel[i] - 1) * dilations[i] + 1 for i in range(rank)]
    if transposed:  # output = input * stride; what the kernel overhangs is cut off
        out_pad = list(node.attr("output_padding") or [0] * rank)
        totals = [strides[i] * (x[2 + i] - 1) + out_pad[i] + extent[i] - y[2 + i]
                  for i in range(rank)]
    else:
        totals = [(-(-x[2 + i] // strides[i]) - 1) * strides[i] + extent[i] - x[2 + i]
                  for i in range(rank)]
    pairs = [_same_pads(total, auto_pad == "SAME_UPPER") for total in totals]
    return [p[0] for p in pairs] + [p[1] for p in pairs]


def _conv_cost(node: NodeInfo, x_index: int, w_index: int, bias_index: int | None,
               *, transposed: bool = False) -> OpCost:
    x = _need(node.shape_in(x_index), "conv input")
    w = _need(node.shape_in(w_index), "conv weight")
    y = _need(node.out_shape, "conv output")
    rank = len(w) - 2
    if rank < 1 or len(x) != rank + 2 or len(y) != rank + 2:
        raise ShapeUnknown("conv ranks")
    if node.op in ("Conv", "ConvTranspose") and node.domain in _DEFAULT_DOMAINS:
        check_conv(node.attrs, x, w, transposed)
    groups = int(node.attr("group", 1))
    kernel = list(node.attr("kernel_shape") or w[2:])
    strides = list(node.attr("strides") or [1] * rank)
    dilations = list(node.attr("dilations") or [1] * rank)
    auto_pad = str(node.attr("auto_pad", "NOTSET"))
    pads = _auto_pads(node, x, y, kernel, strides, dilations, transposed)
    batch, cin = x[0], x[1]
    cout = y[1]
    # ConvDims is 2-D: 1-D convs put everything along W; 3-D convs fold depth into H
    # (products stay exact, so MACs and element counts are right; stride, dilation and
    # padding are those of the H axis, the full lists stay in attrs).
    if rank == 1:
        in_hw, out_hw, k_hw = (1, x[2]), (1, y[2]), (1, kernel[0])
        s_hw, d_hw = (1, strides[0]), (1, dilations[0])
        pad = (0, pads[0], 0, pads[1])
    else:
        h, w_axis = rank - 2, rank - 1
        in_hw = (math.prod(x[2:-1]), x[-1])
        out_hw = (math.prod(y[2:-1]), y[-1])
        k_hw = (math.prod(kernel[:-1]), kernel[-1])
        s_hw, d_hw = (strides[h], strides[w_axis]), (dilations[h], dilations[w_axis])
        pad = (pads[h], pads[w_axis], pads[rank + h], pads[rank + w_axis])
    dims = ConvDims(batch=batch, in_channels=cin, in_h=in_hw[0], in_w=in_hw[1],
                    out_channels=cout, out_h=out_hw[0], out_w=out_hw[1],
                    kernel_h=k_hw[0], kernel_w=k_hw[1], stride_h=s_hw[0], stride_w=s_hw[1],
                    pad_top=pad[0], pad_left=pad[1], pad_bottom=pad[2], pad_right=pad[3],
                    dilation_h=d_hw[0], dilation_w=d_hw[1], groups=groups,
                    transposed=transposed)
    bias = bias_index is not None and node.input(bias_index) is not None
    attrs = {"kernel_shape": kernel, "strides": strides, "pads": pads,
             "dilations": dilations, "group": groups, "auto_pad": auto_pad}
    if rank != 2:
        attrs["spatial_rank"] = rank
    return OpCost(LayerKind.CONV, macs=dims.macs, other_ops=elements(y) if bias else 0,
                  dims=dims, attrs=attrs)


@register("Conv")
def parse_conv(node: NodeInfo) -> OpCost:
    return _conv_cost(node, 0, 1, 2)


@register("ConvTranspose")
def parse_conv_transpose(node: NodeInfo) -> OpCost:
    return _conv_cost(node, 0, 1, 2, transposed=True)


@register("DeformConv")
def parse_deform_conv(node: NodeInfo) -> OpCost:
    # X, W, offset, B, mask: a conv whose every tap is a bilinear sample (4 reads, 3 lerps)
    cost = _conv_cost(node, 0, 1, 3)
    cost.other_ops += 4 * cost.macs
    cost.activation_inputs = (0, 2, 4)
    cost.weight_inputs = tuple(i for i in (1, 3) if node.input(i) is not None)
    return cost


@register("ConvInteger")
def parse_conv_integer(node: NodeInfo) -> OpCost:
    cost = _conv_cost(node, 0, 1, None)
    cost.activation_inputs, cost.weight_inputs = (0,), (1,)
    return cost


@register("QLinearConv")
def parse_qlinear_conv(node: NodeInfo) -> OpCost:
    # x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B
    cost = _conv_cost(node, 0, 3, 8)
    cost.other_ops += 2 * node.out_elems  # requantisation: scale and round each output
    cost.activation_inputs, cost.weight_inputs = (0,), (3, 8)
    return cost


# ------------------------------------------------------------------------ matrix products

def _matmul_cost(node: NodeInfo, a_index: int, b_index: int) -> OpCost:
    a_info, b_info = node.input(a_index), node.input(b_index)
    a = _need(a_info.shape if a_info else None, "matmul A")
    b = _need(b_info.shape if b_info else None, "matmul B")
    if len(a) == 0 or len(b) == 0:
        raise ShapeUnknown("matmul scalar operand")
    a2 = (1, *a) if len(a) == 1 else a
    b2 = (*b, 1) if len(b) == 1 else b
    m, k, n = a2[-2], a2[-1], b2[-1]
    batch_a, batch_b = a2[:-2], b2[:-2]
    width = max(len(batch_a), len(batch_b))
    batch_a = (1,) * (width - len(batch_a)) + tuple(batch_a)
    batch_b = (1,) * (width - len(batch_b)) + tuple(batch_b)
    batch = math.prod(max(p, q) for p, q in zip(batch_a, batch_b))
    a_const, b_const = a_info.const, b_info.const
    if a_const and not b_const:
        # W @ X: the constant operand is the weight; C^T = X^T W^T keeps "B is weights".
        dims = MatMulDims(m=n, n=m, k=k, batch=batch, weights_batched=math.prod(batch_a) > 1)
    else:
        dims = MatMulDims(m=m, n=n, k=k, batch=batch,
                          weights_batched=not b_const or math.prod(batch_b) > 1)
    return OpCost(LayerKind.MATMUL, macs=dims.macs, dims=dims)


@register("MatMul")
def parse_matmul(node: NodeInfo) -> OpCost:
    return _matmul_cost(node, 0, 1)


@register("MatMulInteger")
def parse_matmul_integer(node: NodeInfo) -> OpCost:
    cost = _matmul_cost(node, 0, 1)
    cost.activation_inputs = tuple(i for i in (0, 1) if not node.inputs[i].const)
    cost.weight_inputs = tuple(i for i in (0, 1) if node.inputs[i].const)
    return cost


@register("QLinearMatMul")
def parse_qlinear_matmul(node: NodeInfo) -> OpCost:
    # a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point
    cost = _matmul_cost(node, 0, 3)
    cost.other_ops = 2 * node.out_elems
    cost.activation_inputs = tuple(i for i in (0, 3) if not node.inputs[i].const)
    cost.weight_inputs = tuple(i for i in (0, 3) if node.inputs[i].const)
    return cost


@register("Gemm")
def parse_gemm(node: NodeInfo) -> OpCost:
    a = _need(node.shape_in(0), "Gemm A")
    b = _need(node.shape_in(1), "Gemm B")
    if len(a) != 2 or len(b) != 2:
        raise ShapeUnknown("Gemm operands must be 2-D")
    m, k = (a[1], a[0]) if node.attr("transA", 0) else (a[0], a[1])
    n = b[0] if node.attr("transB", 0) else b[1]
    b_info = node.input(1)
    dims = MatMulDims(m=m, n=n, k=k, weights_batched=not b_info.const)
    bias = node.input(2) is not None
    return OpCost(LayerKind.MATMUL, macs=dims.macs, other_ops=m * n if bias else 0, dims=dims,
                  attrs={"transA": int(node.attr("transA", 0)),
                         "transB": int(node.attr("transB", 0))})


@register("Einsum")
def parse_einsum(node: NodeInfo) -> OpCost:
    """Two-operand contractions as a batched matrix product; others as element-wise."""
    equation = str(node.attr("equation", "")).replace(" ", "")
    operands = [t for t in node.inputs if t is not None]
    lhs, arrow, out = equation.partition("->")
    terms = lhs.split(",")
    if len(operands) != 2 or len(terms) != 2 or "..." in equation:
        x = operands[0].shape if operands else None
        return OpCost(LayerKind.ELTWISE, other_ops=elements(x) if x is not None else 0)
    a, b = (_need(t.shape, "Einsum operand") for t in operands)
    if not arrow:  # implicit output: the letters appearing once, sorted
        out = "".join(sorted(c for c in set(lhs) - {","} if lhs.count(c) == 1))
    size: dict[str, int] = {}
    for term, shape in zip(terms, (a, b)):
        if len(term) != len(shape):
            raise ValueError(f"equation {equation!r} does not fit the operand ranks")
        for letter, extent in zip(term, shape):
            size[letter] = max(size.get(letter, 1), extent)
    ta, tb = set(terms[0]), set(terms[1])
    product = lambda letters: math.prod(size[c] for c in letters)  # noqa: E731
    batch = product(ta & tb & set(out))
    k = product((ta & tb) - set(out))
    m = product(ta - tb)
    n = product(tb - ta)
    dims = MatMulDims(m=m, n=n, k=k, batch=batch, weights_batched=not operands[1].const)
    return OpCost(LayerKind.MATMUL, macs=dims.macs, dims=dims, attrs={"equation": equation})


@register("Attention")
def parse_attention(node: NodeInfo) -> OpCost:
    """ONNX Attention (opset 23): softmax(Q K^T) V over heads; dims describe Q K^T."""
    q = _need(node.shape_in(0), "Attention Q")
    k = _need(node.shape_in(1), "Attention K")
    v = _need(node.shape_in(2), "Attention V")
    if len(q) == 4:  # [batch, heads, seq, head_size]
        batch, heads, seq_q, head = q
        seq_kv, head_v = k[2], v[3]
    else:  # [batch, seq, heads * head_size]
        heads = int(node.attr("q_num_heads", 1))
        kv_heads = int(node.attr("kv_num_heads", heads))
        batch, seq_q, head = q[0], q[1], q[2] // heads
        seq_kv, head_v = k[1], v[2] // kv_heads
    scores = batch * heads * seq_q * seq_kv
    dims = MatMulDims(m=seq_q, n=seq_kv, k=head, batch=batch * heads, weights_batched=True)
    return OpCost(LayerKind.MATMUL, macs=scores * (head + head_v), other_ops=scores * 6,
                  dims=dims, attrs={"heads": heads, "seq_q": seq_q, "seq_kv": seq_kv,
                                    "head_size": head, "v_head_size": head_v,
                                    "note": "macs = Q K^T + scores V; dims = Q K^T"})


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
_ELTWISE_OPS_PER_ELEMENT: dict[str, int] = {
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
    *_ELTWISE_OPS_PER_ELEMENT,
)


@register(*_ELTWISE)
def parse_eltwise(node: NodeInfo) -> OpCost:
    return OpCost(LayerKind.ELTWISE,
                  other_ops=node.out_elems * _ELTWISE_OPS_PER_ELEMENT.get(node.op, 1))


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


# ------------------------------------------------------------------------ recurrent nets

# Gates and element-wise operations per hidden unit and time step (bias adds,
# activations, gate products) besides the matrix products.
_RNN_GATES = {"LSTM": (4, 20), "GRU": (3, 15), "RNN": (1, 3)}


@register("LSTM", "GRU", "RNN")
def parse_rnn(node: NodeInfo) -> OpCost:
    gates, per_unit_ops = _RNN_GATES[node.op]
    x = _need(node.shape_in(0), "RNN input")
    w = _need(node.shape_in(1), "RNN W")
    r = _need(node.shape_in(2), "RNN R")
    directions, hidden, input_size = w[0], r[2], w[2]
    seq, batch = (x[1], x[0]) if node.attr("layout", 0) else (x[0], x[1])
    steps = directions * seq * batch
    macs = steps * gates * hidden * (input_size + hidden)
    attrs = {"hidden_size": hidden, "directions": directions, "seq_length": seq,
             "batch": batch, "input_size": input_size, "gates": gates}
    return OpCost(LayerKind.RNN, macs=macs, other_ops=steps * hidden * per_unit_ops,
                  attrs=attrs, activation_inputs=(0,),
                  weight_inputs=tuple(i for i in (1, 2, 3) if node.input(i) is not None))


# ------------------------------------------------------------------------ data movement

_DATA = (
    "Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze", "Concat", "Split", "Slice",
    "Gather", "GatherElements", "GatherND", "Scatter", "ScatterElements", "ScatterND",
    "Pad", "Tile", "Expand", "Identity", "Dropout", "Cast", "CastLike", "Shape", "Size",
    "DepthToSpace", "SpaceToDepth", "Compress", "OneHot", "NonZero", "TopK", "Range",
    "ConstantOfShape", "EyeLike", "Trilu", "ReverseSequence", "SplitToSequence",
    "ConcatFromSequence", "SequenceAt", "SequenceConstruct", "SequenceEmpty",
    "SequenceInsert", "SequenceErase", "SequenceLength", "Optional", "OptionalGetElement",
    "OptionalHasElement", "Col2Im", "Unique", "MaxUnpool", "CenterCropPad", "BitCast",
)


@register(*_DATA)
def parse_data(node: NodeInfo) -> OpCost:
    attrs: dict[str, Any] = {}
    if node.op == "Transpose" and node.attr("perm") is not None:
        attrs["perm"] = list(node.attr("perm"))
    if node.op in ("Concat", "Split", "Gather", "Flatten") and "axis" in node.attrs:
        attrs["axis"] = int(node.attr("axis"))
    # Data movement: no arithmetic, but every input is read and the output written.
    return OpCost(LayerKind.DATA, attrs=attrs, weight_inputs=())


_RESIZE_OPS_PER_ELEMENT = {"nearest": 0, "linear": 4, "cubic": 16}


@register("Resize", "Upsample")
def parse_resize(node: NodeInfo) -> OpCost:
    mode = node.attr("mode", "nearest")
    mode = mode.decode() if isinstance(mode, bytes) else str(mode)
    mode = "linear" if mode in ("bilinear", "trilinear") else mode
    return OpCost(LayerKind.DATA,
                  other_ops=node.out_elems * _RESIZE_OPS_PER_ELEMENT.get(mode, 1),
                  attrs={"mode": mode}, weight_inputs=())


@register("GridSample")
def parse_grid_sample(node: NodeInfo) -> OpCost:
    mode = str(node.attr("mode", "linear"))
    mode = "linear" if mode == "bilinear" else "cubic" if mode == "bicubic" else mode
    return OpCost(LayerKind.DATA,
                  other_ops=node.out_elems * _RESIZE_OPS_PER_ELEMENT.get(mode, 4),
                  attrs={"mode": mode}, weight_inputs=())


@register("RoiAlign")
def parse_roi_align(node: NodeInfo) -> OpCost:
    # each output bin averages sampling_ratio^2 bilinear samples (4 reads, 3 lerps)
    samples = max(int(node.attr("sampling_ratio", 0)), 2) ** 2
    return OpCost(LayerKind.POOL, other_ops=node.out_elems * samples * 4,
                  attrs={"pool": node.op}, weight_inputs=())


# ---------------------------------------------------------------------- control flow

@register("If")
def parse_if(node: NodeInfo) -> OpCost:
    # Which branch runs is data-dependent: cost the larger one.
    branches = [node.subgraphs.get(b, (0, 0)) for b in ("then_branch", "else_branch")]
    macs, ops = max(branches, key=lambda c: (c[0], c[1]))
    return OpCost(LayerKind.GENERIC, macs=macs, other_ops=ops, modelled=False,
                  warning=f"If node {node.name!r}: costed as its larger branch",
                  attrs={"branches": branches}, weight_inputs=())


@register("Loop", "Scan")
def parse_loop(node: NodeInfo) -> OpCost:
    macs, ops = node.subgraphs.get("body", (0, 0))
    trips = node.attrs.get("_trip_count")
    warning = None
    if trips is None:
        trips = 1
        warning = (f"{node.op} node {node.name!r}: trip count unknown, body costed once")
    return OpCost(LayerKind.GENERIC, macs=macs * trips, other_ops=ops * trips, modelled=False,
                  warning=warning, attrs={"trip_count": trips, "body": (macs, ops)},
                  weight_inputs=())


# -------------------------------------------------------------------------- fallback

def parse_generic(node: NodeInfo) -> OpCost:
    return OpCost(LayerKind.GENERIC, other_ops=node.out_elems, modelled=False,
                  warning=f"op {node.op!r} (node {node.name!r}) not modelled: costed as "
                          f"{node.out_elems} element operations")

