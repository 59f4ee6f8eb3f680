"""Recurrent layers: LSTM, GRU, RNN, and onnxruntime's DynamicQuantizeLSTM (an LSTM whose
W and R are int8, as in quantized speech models)."""

from __future__ import annotations

from explorer.workload.attributes import BadNode, check_rnn
from explorer.workload.network import LayerKind
from explorer.workload.ops import NodeInfo, OpCost, need, register

# Gates and element-wise operations per hidden unit and time step (bias adds,
# activations, gate products) besides the matrix products.
_RNN_GATES = {"LSTM": (4, 20), "GRU": (3, 15), "RNN": (1, 3), "DynamicQuantizeLSTM": (4, 20)}


def _rnn_cost(node: NodeInfo, directions: int, input_size: int, hidden: int) -> OpCost:
    gates, per_unit_ops = _RNN_GATES[node.op]
    x = need(node.shape_in(0), "RNN input")
    if len(x) != 3:
        raise BadNode(f"input has shape {x}; an RNN reads [sequence, batch, features]")
    seq, batch = (x[1], x[0]) if node.attr("layout", 0) else (x[0], x[1])
    check_rnn(node.attrs, x[2], input_size, hidden, directions)
    steps = directions * seq * batch
    macs = steps * gates * hidden * (input_size + hidden)
    attrs = {"hidden_size": hidden, "directions": directions, "seq_length": seq,
             "batch": batch, "input_size": input_size, "gates": gates}
    return OpCost(LayerKind.RNN, macs=macs, other_ops=steps * hidden * per_unit_ops,
                  attrs=attrs, activation_inputs=(0,),
                  weight_inputs=tuple(i for i in (1, 2, 3) if node.input(i) is not None))


@register("LSTM", "GRU", "RNN")
def parse_rnn(node: NodeInfo) -> OpCost:
    w = need(node.shape_in(1), "RNN W")  # [directions, gates * hidden, input]
    r = need(node.shape_in(2), "RNN R")  # [directions, gates * hidden, hidden]
    if len(w) != 3 or len(r) != 3:
        raise BadNode(f"W {w} and R {r} must both have rank 3")
    return _rnn_cost(node, w[0], w[2], r[2])


@register("com.microsoft:DynamicQuantizeLSTM")
def parse_dynamic_quantize_lstm(node: NodeInfo) -> OpCost:
    """The LSTM it is: W [directions, input, 4 * hidden] and R [directions, hidden,
    4 * hidden] (transposed against ONNX's LSTM), int8, so weight_bits comes out 8;
    the scales and zero points (inputs 8-11) are parameters, not weights."""
    w = need(node.shape_in(1), "DynamicQuantizeLSTM W")
    r = need(node.shape_in(2), "DynamicQuantizeLSTM R")
    if len(w) != 3 or len(r) != 3:
        raise BadNode(f"W {w} and R {r} must both have rank 3")
    cost = _rnn_cost(node, w[0], w[1], r[1])
    cost.attrs["quantized"] = "dynamic int8 weights"
    return cost
