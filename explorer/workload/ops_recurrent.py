"""Recurrent layers: LSTM, GRU, RNN."""

from __future__ import annotations

from explorer.workload.network import LayerKind
from explorer.workload.ops import NodeInfo, OpCost, need, register

# ------------------------------------------------------------------------ recurrent nets

# Gates and element-wise operations per hidden unit and time step (bias adds,
# activations, gate products) besides the matrix products.
_RNN_GATES = {"LSTM": (4, 20), "GRU": (3, 15), "RNN": (1, 3)}


@register("LSTM", "GRU", "RNN")
def parse_rnn(node: NodeInfo) -> OpCost:
    gates, per_unit_ops = _RNN_GATES[node.op]
    x = need(node.shape_in(0), "RNN input")
    w = need(node.shape_in(1), "RNN W")
    r = need(node.shape_in(2), "RNN R")
    directions, hidden, input_size = w[0], r[2], w[2]
    seq, batch = (x[1], x[0]) if node.attr("layout", 0) else (x[0], x[1])
    steps = directions * seq * batch
    macs = steps * gates * hidden * (input_size + hidden)
    attrs = {"hidden_size": hidden, "directions": directions, "seq_length": seq,
             "batch": batch, "input_size": input_size, "gates": gates}
    return OpCost(LayerKind.RNN, macs=macs, other_ops=steps * hidden * per_unit_ops,
                  attrs=attrs, activation_inputs=(0,),
                  weight_inputs=tuple(i for i in (1, 2, 3) if node.input(i) is not None))
