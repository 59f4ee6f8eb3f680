"""One ONNX node -> one `Layer`: gathers the node's tensors (shapes, precisions,
constness), asks the op-parser registry for its cost, and splits its operands into
activations and weights. Subgraph bodies (If/Loop/Scan) are costed here too, with their
shapes inferred body by body.

Layers carry private attrs the importer and fusion rely on: `_tensors_in` /
`_tensors_out` (ONNX tensor names read and written, for the layer graph) and
`_is_output` (writes a network output, so it cannot be fused away).
"""

from __future__ import annotations

from typing import Any

import onnx
from onnx import AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto

from explorer.errors import WorkloadError
from explorer.workload import parsers as ops  # every domain's parsers registered
from explorer.workload.network import Layer, Shape
from explorer.workload.shapes import TensorTable, infer_subgraph

HEAVY_OPS = frozenset({"Conv", "ConvTranspose", "ConvInteger", "QLinearConv", "Gemm", "MatMul",
                       "MatMulInteger", "QLinearMatMul", "LSTM", "GRU", "RNN"})
CONTROL_FLOW = frozenset({"If", "Loop", "Scan"})
# Integer tensors feeding these are indices or shapes, never weights.
INDEX_TYPES = frozenset({TensorProto.INT64, TensorProto.INT32, TensorProto.BOOL})

_BITS: dict[int, int] = {
    TensorProto.FLOAT: 32, TensorProto.DOUBLE: 64, TensorProto.FLOAT16: 16,
    TensorProto.BFLOAT16: 16, TensorProto.INT8: 8, TensorProto.UINT8: 8,
    TensorProto.INT16: 16, TensorProto.UINT16: 16, TensorProto.INT32: 32,
    TensorProto.UINT32: 32, TensorProto.INT64: 64, TensorProto.UINT64: 64,
    TensorProto.BOOL: 8, TensorProto.COMPLEX64: 64, TensorProto.COMPLEX128: 128,
}
for _name, _bits in (("FLOAT8E4M3FN", 8), ("FLOAT8E4M3FNUZ", 8), ("FLOAT8E5M2", 8),
                     ("FLOAT8E5M2FNUZ", 8), ("UINT4", 4), ("INT4", 4), ("FLOAT4E2M1", 4),
                     ("FLOAT8E8M0", 8), ("UINT2", 2), ("INT2", 2)):
    if hasattr(TensorProto, _name):
        _BITS[getattr(TensorProto, _name)] = _bits


def dtype_bits(elem_type: int, default: int = 32) -> int:
    return _BITS.get(elem_type, default)


def outer_scope_names(node: NodeProto) -> set[str]:
    """Tensors a control-flow node's subgraphs read from the enclosing graph."""
    if node.op_type not in CONTROL_FLOW:
        return set()
    names: set[str] = set()
    for attr in node.attribute:
        for sub in attr_graphs(attr):
            names |= free_names(sub)
    return names


def free_names(graph: GraphProto) -> set[str]:
    """Tensors a (sub)graph reads but neither receives as input nor computes."""
    local = {i.name for i in graph.input} | {t.name for t in graph.initializer}
    local |= {out for n in graph.node for out in n.output}
    names: set[str] = set()
    for n in graph.node:
        names |= {i for i in n.input if i and i not in local}
        names |= {i for i in outer_scope_names(n) if i not in local}
    return names


def clean_name(name: str | bytes, limit: int = 200) -> str:
    """A node name fit for a one-line message or a table cell: control characters
    (newlines, terminal escapes) escaped, very long names shortened."""
    if isinstance(name, bytes):  # protobuf hands back bytes for invalid UTF-8
        name = name.decode("utf-8", errors="replace")
    if name.isprintable() and len(name) <= limit:
        return name
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in name)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def node_label(node: NodeProto) -> str:
    name, op = clean_name(node.name), clean_name(node.op_type, 60)
    return f"{name!r} ({op})" if node.name else f"({op})"


def attr_graphs(attr: AttributeProto) -> list[GraphProto]:
    if attr.type == AttributeProto.GRAPH:
        return [attr.g]
    if attr.type == AttributeProto.GRAPHS:
        return list(attr.graphs)
    return []


class LayerBuilder:
    def __init__(self, path: str, table: TensorTable, const: set[str],
                 producers: dict[str, NodeProto], warnings: list[str], graph: GraphProto,
                 model: ModelProto):
        self.path = path
        self.model = model  # opsets for inferring subgraph bodies
        self.table = table
        self.const = const
        self.producers = producers
        self.warnings = warnings
        self.initializers = {t.name: t for t in graph.initializer}
        self.graph_outputs = {value.name for value in graph.output}

    def bits(self, name: str, depth: int = 0) -> int:
        """Storage precision: looks through DequantizeLinear to the quantized tensor."""
        node = self.producers.get(name)
        if node is not None and depth < 8 and node.op_type == "DequantizeLinear":
            return self.bits(node.input[0], depth + 1)
        return dtype_bits(self.table.elem_type(name))

    def tensor(self, name: str) -> ops.TensorInfo | None:
        if not name:
            return None
        return ops.TensorInfo(name, self.table.shape(name), self.bits(name), name in self.const)

    def node_info(self, node: NodeProto, label: str) -> ops.NodeInfo:
        attrs: dict[str, Any] = {}
        bodies: dict[str, GraphProto] = {}
        for attr in node.attribute:
            graphs = attr_graphs(attr)
            if graphs:
                bodies[attr.name] = graphs[0]
                continue
            value = onnx.helper.get_attribute_value(attr)
            attrs[attr.name] = value.decode() if isinstance(value, bytes) else value
        entry = self.body_entry(node, attrs) if bodies else []
        subgraphs = {name: self.subgraph_cost(body, label, entry)
                     for name, body in bodies.items()}
        if node.op_type == "Loop":
            trips = self.loop_trips(node)
            if trips is not None:
                attrs["_trip_count"] = trips
        if node.op_type == "Scan":
            attrs["_trip_count"] = self.scan_trips(node, attrs)
        return ops.NodeInfo(name=label, op=node.op_type, attrs=attrs,
                            inputs=[self.tensor(n) for n in node.input],
                            outputs=[self.tensor(n) for n in node.output],
                            subgraphs=subgraphs, domain=node.domain)

    def const_tensor(self, name: str) -> TensorProto | None:
        """The tensor an initializer or a Constant node holds (not computed constants)."""
        tensor = self.initializers.get(name)
        node = self.producers.get(name)
        if tensor is None and node is not None and node.op_type == "Constant":
            for attr in node.attribute:
                if attr.name == "value":
                    tensor = TensorProto()
                    tensor.CopyFrom(attr.t)
                    tensor.name = name
        return tensor

    def const_int(self, name: str) -> int | None:
        """Value of a constant scalar held by an initializer or a Constant node."""
        tensor = self.const_tensor(name)
        if tensor is None:
            return None
        try:
            value = onnx.numpy_helper.to_array(tensor)
            return int(value.reshape(-1)[0]) if value.size == 1 else None
        except (ValueError, TypeError, IndexError):
            return None

    def loop_trips(self, node: NodeProto) -> int | None:
        """A constant trip count M, else the length of a statically shaped scan output."""
        if node.input and node.input[0]:
            trips = self.const_int(node.input[0])
            if trips is not None:
                return trips
        carried = max(len(node.input) - 2, 0)
        for name in node.output[carried:]:
            shape = self.table.shape(name) if name else None
            if shape:
                return shape[0]
        return None

    def scan_trips(self, node: NodeProto, attrs: dict[str, Any]) -> int | None:
        n_state = len(node.input) - int(attrs.get("num_scan_inputs", 0))
        if n_state >= len(node.input):
            return None
        shape = self.table.shape(node.input[n_state])
        axes = attrs.get("scan_input_axes") or [0]
        return shape[axes[0]] if shape and len(shape) > axes[0] else None

    def body_entry(self, node: NodeProto, attrs: dict[str, Any]
                   ) -> list[tuple[Shape | None, int]]:
        """(shape, element type) of each input a Loop or Scan body receives first."""
        def outer(name: str) -> tuple[Shape | None, int]:
            return (self.table.shape(name), self.table.elem_type(name)) if name else (None, 0)

        if node.op_type == "Loop":  # iteration number, condition, loop-carried values
            return [((), TensorProto.INT64), ((), TensorProto.BOOL),
                    *(outer(n) for n in node.input[2:])]
        if node.op_type != "Scan":
            return []
        n_scan = int(attrs.get("num_scan_inputs", 0))
        n_state = len(node.input) - n_scan
        axes = list(attrs.get("scan_input_axes") or [0] * n_scan)
        entry = [outer(n) for n in node.input[:n_state]]
        for name, axis in zip(node.input[n_state:], axes):
            shape, elem_type = outer(name)
            if shape is not None and -len(shape) <= axis < len(shape):
                axis %= len(shape)  # one slice along the scan axis per iteration
                shape = shape[:axis] + shape[axis + 1:]
            else:
                shape = None
            entry.append((shape, elem_type))
        return entry

    def subgraph_cost(self, graph: GraphProto, owner: str,
                      entry: list[tuple[Shape | None, int]]) -> tuple[int, int]:
        """(MACs, other ops) of one execution of a subgraph, shapes from inference."""
        sub_table = infer_subgraph(graph, self.table, entry, free_names(graph), self.model,
                                   self.const_tensor)
        const = set(self.const) | {t.name for t in graph.initializer}
        for node in graph.node:
            if node.op_type not in CONTROL_FLOW and all(
                    n in const for n in node.input if n):
                const.update(o for o in node.output if o)
        inner = LayerBuilder(self.path, sub_table, const,
                              {**self.producers, **{o: n for n in graph.node for o in n.output}},
                              self.warnings, graph, self.model)
        inner.initializers = {**self.initializers, **inner.initializers}
        macs = other = 0
        for index, node in enumerate(graph.node):
            if all(o in const for o in node.output if o) and any(node.output):
                continue
            label = clean_name(node.name or f"{owner}/{node.op_type}_{index}")
            cost = inner.cost(inner.node_info(node, label), node, strict=False)
            if cost.warning:
                self.warnings.append(f"inside {owner!r}: {cost.warning}")
            macs += cost.macs
            other += cost.other_ops
        return macs, other

    def cost(self, info: ops.NodeInfo, node: NodeProto, *, strict: bool) -> ops.OpCost:
        try:
            return ops.parse(info)
        except ops.BadNode as exc:
            raise WorkloadError(f"{self.path}: node {info.name!r} ({node.op_type}): {exc}") \
                from None
        except ops.ShapeUnknown as exc:
            if strict and node.op_type in HEAVY_OPS:
                unshaped = [t.name for t in info.inputs if t is not None and t.shape is None]
                blame = ("give the inputs' shapes with --input-shape"
                         if any(not self.tensor(n).const for n in unshaped) else
                         f"{clean_name(unshaped[0])!r} is computed from constants and "
                         "stays unshaped even after running the model" if unshaped else
                         "its output stays unshaped even after running the model")
                raise WorkloadError(
                    f"{self.path}: unresolvable shapes at node {info.name!r} "
                    f"({node.op_type}: {exc} unknown); {blame}") from None
            reason = f"shape unknown ({exc})"
        except (ValueError, TypeError, KeyError, IndexError, AttributeError,
                ZeroDivisionError) as exc:
            reason = f"unexpected attributes or operands ({type(exc).__name__}: {exc})"
        cost = ops.parse_generic(info)
        cost.warning = (f"node {info.name!r} ({node.op_type}) could not be costed: {reason}; "
                        f"kept as a generic layer")
        return cost

    def layer(self, node: NodeProto, index: int, consumed: set[str]) -> Layer:
        label = clean_name(node.name or f"{node.op_type}_{index}")
        info = self.node_info(node, label)
        cost = self.cost(info, node, strict=True)
        if cost.warning:
            self.warnings.append(cost.warning)
        acts = self._pick(info, cost.activation_inputs, weights=False)
        weights = self._pick(info, cost.weight_inputs, weights=True)
        for name in sorted(outer_scope_names(node)):  # what If/Loop bodies read
            tensor = self.tensor(name)
            if not tensor.const:
                acts.append(tensor)
            elif self.table.elem_type(name) not in INDEX_TYPES:
                weights.append(tensor)
        outputs = [t for i, t in enumerate(info.outputs)
                   if t is not None and (i == 0 or t.name in consumed)]
        values = [t for t in acts if self.table.elem_type(t.name) not in INDEX_TYPES]
        act_bits = (values[0].bits if values else outputs[0].bits if outputs else 32) or 32
        weight_bits = weights[0].bits if weights else act_bits
        attrs = dict(cost.attrs)
        attrs["_tensors_in"] = tuple(t.name for t in info.inputs if t is not None
                                     and not t.const) + tuple(outer_scope_names(node))
        attrs["_tensors_out"] = tuple(t.name for t in info.outputs if t is not None)
        if any(t.name in self.graph_outputs for t in outputs):
            attrs["_is_output"] = True
        return Layer(name=label, op=node.op_type, kind=cost.kind, onnx_nodes=[label],
                     inputs=[t.shape or () for t in acts],
                     outputs=[t.shape or () for t in outputs],
                     weights=[t.shape or () for t in weights], dims=cost.dims,
                     macs=int(cost.macs), other_ops=int(cost.other_ops), act_bits=act_bits,
                     weight_bits=weight_bits, modelled=cost.modelled, attrs=attrs)

    def _pick(self, info: ops.NodeInfo, positions: tuple[int, ...] | None, *, weights: bool
              ) -> list[ops.TensorInfo]:
        present = [(i, t) for i, t in enumerate(info.inputs) if t is not None]
        if positions is not None:
            return [t for i, t in present if i in positions]
        if not weights:
            return [t for _, t in present if not t.const]
        return [t for _, t in present if t.const
                and self.table.elem_type(t.name) not in INDEX_TYPES]
