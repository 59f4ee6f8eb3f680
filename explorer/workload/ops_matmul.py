"""Matrix products: MatMul (batched, broadcast), MatMulInteger, QLinearMatMul, Gemm,
Einsum with two operands, ONNX Attention."""

from __future__ import annotations

import math

from explorer.workload.network import LayerKind, MatMulDims, elements
from explorer.workload.ops import NodeInfo, OpCost, ShapeUnknown, need, register

# ------------------------------------------------------------------------ matrix products

def matmul_cost(node: NodeInfo, a_index: int, b_index: int) -> OpCost:
    a_info, b_info = node.input(a_index), node.input(b_index)
    a = need(a_info.shape if a_info else None, "matmul A")
    b = need(b_info.shape if b_info else None, "matmul B")
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
    return matmul_cost(node, 0, 1)


@register("MatMulInteger")
def parse_matmul_integer(node: NodeInfo) -> OpCost:
    cost = matmul_cost(node, 0, 1)
    cost.activation_inputs = tuple(i for i in (0, 1) if not node.inputs[i].const)
    cost.weight_inputs = tuple(i for i in (0, 1) if node.inputs[i].const)
    return cost


@register("QLinearMatMul")
def parse_qlinear_matmul(node: NodeInfo) -> OpCost:
    # a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point
    cost = matmul_cost(node, 0, 3)
    cost.other_ops = 2 * node.out_elems
    cost.activation_inputs = tuple(i for i in (0, 3) if not node.inputs[i].const)
    cost.weight_inputs = tuple(i for i in (0, 3) if node.inputs[i].const)
    return cost


@register("Gemm")
def parse_gemm(node: NodeInfo) -> OpCost:
    a = need(node.shape_in(0), "Gemm A")
    b = need(node.shape_in(1), "Gemm B")
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
    a, b = (need(t.shape, "Einsum operand") for t in operands)
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
    q = need(node.shape_in(0), "Attention Q")
    k = need(node.shape_in(1), "Attention K")
    v = need(node.shape_in(2), "Attention V")
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
