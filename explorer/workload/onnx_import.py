"""ONNX file -> `Network`: read and check the file, fix dynamic input dims, infer shapes,
fold constant subgraphs away, and turn every remaining node into a `Layer` through the
op-parser registry (`explorer.workload.ops`).

Constants: a tensor derived only from initializers and Constant-like nodes (including
`ConstantOfShape`, which the zoo networks use for their weights) is constant, as is the
`Shape`/`Size` of a tensor whose shape is static. Nodes computing only constants are
folded away; constant operands of the remaining nodes are their weights.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import onnx
from google.protobuf.message import DecodeError
from onnx import AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto

from explorer.errors import WorkloadError
from explorer.workload import ops
from explorer.workload.network import Layer, LayerKind, Network, Shape
from explorer.workload.shapes import TensorTable, fill_missing_shapes, infer_static
from explorer.workload.zoo import canonical_zoo_name, zoo_path

# Ops whose cost needs shapes: if one stays unshaped the import fails rather than guess.
HEAVY_OPS = frozenset({"Conv", "ConvTranspose", "ConvInteger", "QLinearConv", "Gemm", "MatMul",
                       "MatMulInteger", "QLinearMatMul", "LSTM", "GRU", "RNN"})
_CONTROL_FLOW = frozenset({"If", "Loop", "Scan"})
_SHAPE_OF = frozenset({"Shape", "Size"})
# Integer tensors feeding these are indices or shapes, never weights.
_INDEX_TYPES = frozenset({TensorProto.INT64, TensorProto.INT32, TensorProto.BOOL})

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


# ---------------------------------------------------------------------------- entry point

def load_network(source: str | os.PathLike, input_shapes: dict[str, tuple[int, ...]] | None = None,
                 *, name: str | None = None) -> Network:
    """Load an ONNX file, or a zoo network by short name (`resnet50`, ...), as a Network.

    `input_shapes` fixes dynamic input dims by input name; a dynamic leading (batch) dim
    not given there defaults to 1 with a warning in `Network.warnings`.
    """
    path, default_name, source_label = _resolve_source(source)
    data = _read_bytes(path)
    model = _parse_model(path, data)
    _check_external_data(path, model)
    network = build_network(model, str(path), input_shapes or {})
    network.name = name or default_name
    network.source = source_label
    network.sha256 = hashlib.sha256(data).hexdigest()
    return network


def _resolve_source(source: str | os.PathLike) -> tuple[Path, str, str]:
    path = Path(source)
    if path.exists():
        return path, path.stem, str(path)
    text = os.fspath(source)
    zoo = canonical_zoo_name(text) if isinstance(text, str) else None
    if zoo is not None:
        return zoo_path(zoo), zoo, f"onnx:{zoo}"
    if path.suffix.lower() == ".onnx" or os.sep in text or "/" in text:
        raise WorkloadError(f"{text}: no such file")
    return zoo_path(text), text, text  # raises: names the zoo


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise WorkloadError(f"{path}: is a directory, not an ONNX file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WorkloadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not data:
        raise WorkloadError(f"{path}: empty file, not an ONNX model")
    return data


def _parse_model(path: Path, data: bytes) -> ModelProto:
    model = ModelProto()
    try:
        model.ParseFromString(data)
    except (DecodeError, ValueError, RuntimeError) as exc:
        raise WorkloadError(f"{path}: not an ONNX model or truncated ({exc})") from None
    if not model.HasField("graph") or model.ir_version <= 0:
        raise WorkloadError(f"{path}: not an ONNX model (no graph or IR version)")
    if len(model.graph.node) == 0:
        raise WorkloadError(f"{path}: ONNX graph has no nodes")
    return model


def _check_external_data(path: Path, model: ModelProto) -> None:
    """External weights are not needed for costing, but a model missing them is broken."""
    base = path.parent
    for tensor in model.graph.initializer:
        if tensor.data_location != TensorProto.EXTERNAL:
            continue
        info = {entry.key: entry.value for entry in tensor.external_data}
        location = info.get("location", "")
        file = base / location
        if not location or not file.is_file():
            raise WorkloadError(f"{path}: external weights of {tensor.name!r} missing "
                                f"(expected file {file})")
        end = int(info.get("offset", 0) or 0) + int(info.get("length", 0) or 0)
        if end > file.stat().st_size:
            raise WorkloadError(f"{path}: external weights of {tensor.name!r} truncated "
                                f"({file} has {file.stat().st_size} bytes, needs {end})")


# --------------------------------------------------------------------------- the builder

def build_network(model: ModelProto, path: str, input_shapes: dict[str, tuple[int, ...]]
                  ) -> Network:
    """Turn a parsed model into a Network (`path` names the file in messages)."""
    warnings: list[str] = []
    fixed_inputs = _fix_input_shapes(model.graph, path, input_shapes, warnings)
    model = infer_static(model, warnings)
    graph = model.graph
    nodes = _topological_order(graph, path)
    producers = {out: node for node in nodes for out in node.output if out}
    const = _constant_tensors(graph, nodes)
    table = TensorTable.from_graph(graph)
    _fold_static_shapes(nodes, const, table)  # before: spares onnxruntime a needless run
    _resolve_missing_shapes(model, nodes, const, table, path, warnings)
    _fold_static_shapes(nodes, const, table)  # after: tensors onnxruntime has just shaped
    consumed = {name for node in nodes for name in node.input if name}
    consumed |= {name for node in nodes for name in _outer_scope_names(node)}
    consumed |= {out.name for out in graph.output}

    builder = _LayerBuilder(path, table, const, producers, warnings, graph)
    layers: list[Layer] = []
    names: set[str] = set()
    for index, node in enumerate(nodes):
        if all(out in const for out in node.output if out) and any(node.output):
            continue
        layer = builder.layer(node, index, consumed)
        base, suffix = layer.name, 1
        while layer.name in names:
            suffix += 1
            layer.name = f"{base}_{suffix}"
        names.add(layer.name)
        layers.append(layer)
    if not layers:
        warnings.append("every node computes a constant: nothing to cost")
    return Network(name=Path(path).stem, layers=layers,
                   graph=_layer_graph(layers, nodes, const, producers),
                   source=path, input_shapes=fixed_inputs, warnings=warnings)


def _resolve_missing_shapes(model: ModelProto, nodes: list[NodeProto], const: set[str],
                            table: TensorTable, path: str, warnings: list[str]) -> None:
    needed: list[str] = []
    essential: set[str] = set()
    for node in nodes:
        if node.op_type in _SHAPE_OF or all(o in const for o in node.output if o):
            continue
        tensors = [n for n in node.input if n and n not in const]
        tensors += [o for o in node.output[:1] if o]
        needed += tensors
        if node.op_type in HEAVY_OPS:
            essential.update(n for n in node.input if n)
            essential.update(o for o in node.output[:1] if o)
    fill_missing_shapes(model, table, needed, essential, path, warnings)


def _topological_order(graph: GraphProto, path: str) -> list[NodeProto]:
    """Nodes in data-flow order (ONNX requires it, but files in the wild break the rule)."""
    available = {i.name for i in graph.input} | {t.name for t in graph.initializer}
    available.add("")
    nodes = list(graph.node)
    produced = {out for node in nodes for out in node.output}
    ordered: list[NodeProto] = []
    pending = nodes
    while pending:
        stuck: list[NodeProto] = []
        for node in pending:
            needs = [n for n in node.input if n not in available]
            needs += [n for n in _outer_scope_names(node) if n in produced
                      and n not in available]
            if needs:
                stuck.append(node)
            else:
                ordered.append(node)
                available.update(node.output)
        if len(stuck) == len(pending):
            node = stuck[0]
            missing = next(n for n in node.input if n not in available) if any(
                n not in available for n in node.input) else "?"
            cause = ("produced by no node, input or initializer (truncated or corrupt file?)"
                     if missing not in produced else "part of a cycle")
            raise WorkloadError(f"{path}: input {missing!r} of node {_node_label(node)} is "
                                f"{cause}")
        pending = stuck
    return ordered


def _outer_scope_names(node: NodeProto) -> set[str]:
    """Tensors a control-flow node's subgraphs read from the enclosing graph."""
    if node.op_type not in _CONTROL_FLOW:
        return set()
    names: set[str] = set()
    for attr in node.attribute:
        for sub in _attr_graphs(attr):
            local = {i.name for i in sub.input} | {t.name for t in sub.initializer}
            local |= {out for n in sub.node for out in n.output}
            for n in sub.node:
                names |= {i for i in n.input if i and i not in local}
                names |= {i for i in _outer_scope_names(n) if i not in local}
    return names


def _attr_graphs(attr: AttributeProto) -> list[GraphProto]:
    if attr.type == AttributeProto.GRAPH:
        return [attr.g]
    if attr.type == AttributeProto.GRAPHS:
        return list(attr.graphs)
    return []


def _node_label(node: NodeProto) -> str:
    return f"{node.name!r} ({node.op_type})" if node.name else f"({node.op_type})"


def _fix_input_shapes(graph: GraphProto, path: str, overrides: dict[str, tuple[int, ...]],
                      warnings: list[str]) -> dict[str, Shape]:
    """Give every real graph input static dims, writing them into the graph."""
    weights = {t.name for t in graph.initializer}
    real = [i for i in graph.input if i.name not in weights]
    names = {i.name for i in real}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise WorkloadError(f"{path}: --input-shape names {', '.join(map(repr, unknown))} "
                            f"not among the inputs ({', '.join(sorted(names)) or 'none'})")
    fixed: dict[str, Shape] = {}
    for value in real:
        ttype = value.type.tensor_type if value.type.HasField("tensor_type") else None
        if ttype is None:
            continue  # sequences/optionals: nothing to fix
        override = overrides.get(value.name)
        if override is not None:
            if ttype.HasField("shape") and len(ttype.shape.dim) not in (0, len(override)):
                raise WorkloadError(f"{path}: input {value.name!r} has rank "
                                    f"{len(ttype.shape.dim)}, --input-shape gives "
                                    f"{len(override)} dims")
            ttype.shape.ClearField("dim")
            for size in override:
                ttype.shape.dim.add().dim_value = int(size)
            fixed[value.name] = tuple(int(s) for s in override)
            continue
        if not ttype.HasField("shape"):
            raise WorkloadError(f"{path}: input {value.name!r} has no shape; give it with "
                                f"--input-shape {value.name}=DIMS")
        dims = list(ttype.shape.dim)
        dynamic = [i for i, d in enumerate(dims) if not d.HasField("dim_value")]
        if dynamic and dynamic != [0]:
            labels = [dims[i].dim_param or "?" for i in dynamic if i != 0]
            raise WorkloadError(
                f"{path}: input {value.name!r} has dynamic dims {labels} besides the batch; "
                f"give them with --input-shape {value.name}=DIMS")
        if dynamic:
            label = dims[0].dim_param or "?"
            dims[0].ClearField("dim_param")
            dims[0].dim_value = 1
            warnings.append(f"input {value.name!r}: dynamic batch dim {label!r} set to 1 "
                            "(override with --input-shape)")
        fixed[value.name] = tuple(d.dim_value for d in dims)
    return fixed


def _constant_tensors(graph: GraphProto, nodes: list[NodeProto]) -> set[str]:
    """Tensors derived only from initializers and input-free nodes (Constant, ...)."""
    const = {t.name for t in graph.initializer}
    for node in nodes:
        if node.op_type in _CONTROL_FLOW:
            continue
        if all(name in const for name in node.input if name):
            const.update(out for out in node.output if out)
    return const


def _fold_static_shapes(nodes: list[NodeProto], const: set[str], table: TensorTable) -> None:
    """`Shape` of a statically shaped tensor is a constant, and so is what is computed
    from it only (PyTorch exports' Shape -> Gather -> Concat -> Reshape chains)."""
    changed = False
    for node in nodes:
        if node.op_type in _CONTROL_FLOW or all(o in const for o in node.output if o):
            continue
        if node.op_type in _SHAPE_OF and node.input and table.static(node.input[0]):
            const.update(o for o in node.output if o)
            changed = True
        elif changed and node.input and all(n in const for n in node.input if n):
            const.update(o for o in node.output if o)


def _layer_graph(layers: list[Layer], nodes: list[NodeProto], const: set[str],
                 producers: dict[str, NodeProto]) -> nx.DiGraph:
    """Edge u -> v when layer v reads a tensor that layer u writes."""
    owner: dict[str, str] = {}  # tensor -> layer name
    for layer in layers:
        for out in layer.attrs.get("_tensors_out", ()):
            owner[out] = layer.name
    graph = nx.DiGraph()
    graph.add_nodes_from(layer.name for layer in layers)
    for layer in layers:
        for tensor in layer.attrs.get("_tensors_in", ()):
            source = owner.get(tensor)
            if source is not None and source != layer.name:
                graph.add_edge(source, layer.name)
    return graph


# ----------------------------------------------------------------------- layer building

class _LayerBuilder:
    def __init__(self, path: str, table: TensorTable, const: set[str],
                 producers: dict[str, NodeProto], warnings: list[str], graph: GraphProto):
        self.path = path
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
        subgraphs: dict[str, tuple[int, int]] = {}
        for attr in node.attribute:
            graphs = _attr_graphs(attr)
            if graphs:
                subgraphs[attr.name] = self.subgraph_cost(graphs[0], label)
                continue
            value = onnx.helper.get_attribute_value(attr)
            attrs[attr.name] = value.decode() if isinstance(value, bytes) else value
        if node.op_type == "Loop":
            trips = self.loop_trips(node)
            if trips is not None:
                attrs["_trip_count"] = trips
        if node.op_type == "Scan":
            attrs["_trip_count"] = self.scan_trips(node, attrs)
        return ops.NodeInfo(name=label, op=node.op_type, attrs=attrs,
                            inputs=[self.tensor(n) for n in node.input],
                            outputs=[self.tensor(n) for n in node.output],
                            subgraphs=subgraphs)

    def const_int(self, name: str) -> int | None:
        """Value of a constant scalar held by an initializer or a Constant node."""
        tensor = self.initializers.get(name)
        node = self.producers.get(name)
        if tensor is None and node is not None and node.op_type == "Constant":
            for attr in node.attribute:
                if attr.name == "value":
                    tensor = attr.t
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

    def subgraph_cost(self, graph: GraphProto, owner: str) -> tuple[int, int]:
        """(MACs, other ops) of one execution of a subgraph, shapes from inference."""
        sub_table = self.table.child(graph)
        const = set(self.const) | {t.name for t in graph.initializer}
        for node in graph.node:
            if node.op_type not in _CONTROL_FLOW and all(
                    n in const for n in node.input if n):
                const.update(o for o in node.output if o)
        inner = _LayerBuilder(self.path, sub_table, const,
                              {**self.producers, **{o: n for n in graph.node for o in n.output}},
                              self.warnings, graph)
        inner.initializers = {**self.initializers, **inner.initializers}
        macs = other = 0
        for index, node in enumerate(graph.node):
            if all(o in const for o in node.output if o) and any(node.output):
                continue
            label = node.name or f"{owner}/{node.op_type}_{index}"
            cost = inner.cost(inner.node_info(node, label), node, strict=False)
            if cost.warning:
                self.warnings.append(f"inside {owner!r}: {cost.warning}")
            macs += cost.macs
            other += cost.other_ops
        return macs, other

    def cost(self, info: ops.NodeInfo, node: NodeProto, *, strict: bool) -> ops.OpCost:
        try:
            return ops.parse(info)
        except ops.ShapeUnknown as exc:
            if strict and node.op_type in HEAVY_OPS:
                raise WorkloadError(
                    f"{self.path}: unresolvable shapes at node {info.name!r} "
                    f"({node.op_type}: {exc} unknown); give the inputs' shapes with "
                    "--input-shape") from None
            reason = f"shape unknown ({exc})"
        except (ValueError, TypeError, KeyError, IndexError, AttributeError,
                ZeroDivisionError) as exc:
            reason = f"unexpected attributes or operands ({type(exc).__name__}: {exc})"
        cost = ops.parse_generic(info)
        cost.warning = (f"node {info.name!r} ({node.op_type}) could not be costed: {reason}; "
                        f"kept as a generic layer")
        return cost

    def layer(self, node: NodeProto, index: int, consumed: set[str]) -> Layer:
        label = node.name or f"{node.op_type}_{index}"
        info = self.node_info(node, label)
        cost = self.cost(info, node, strict=True)
        if cost.warning:
            self.warnings.append(cost.warning)
        acts = self._pick(info, cost.activation_inputs, weights=False)
        weights = self._pick(info, cost.weight_inputs, weights=True)
        for name in sorted(_outer_scope_names(node)):  # what If/Loop bodies read
            tensor = self.tensor(name)
            if not tensor.const:
                acts.append(tensor)
            elif self.table.elem_type(name) not in _INDEX_TYPES:
                weights.append(tensor)
        outputs = [t for i, t in enumerate(info.outputs)
                   if t is not None and (i == 0 or t.name in consumed)]
        values = [t for t in acts if self.table.elem_type(t.name) not in _INDEX_TYPES]
        act_bits = (values[0].bits if values else outputs[0].bits if outputs else 32) or 32
        weight_bits = weights[0].bits if weights else act_bits
        attrs = dict(cost.attrs)
        attrs["_tensors_in"] = tuple(t.name for t in info.inputs if t is not None
                                     and not t.const) + tuple(_outer_scope_names(node))
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
                and self.table.elem_type(t.name) not in _INDEX_TYPES]


def iter_model_nodes(model: ModelProto) -> Iterable[NodeProto]:
    """Every node of the model, subgraphs included (for tests and diagnostics)."""
    stack = [model.graph]
    while stack:
        graph = stack.pop()
        for node in graph.node:
            yield node
            for attr in node.attribute:
                stack.extend(_attr_graphs(attr))


__all__ = ["HEAVY_OPS", "LayerKind", "build_network", "dtype_bits", "load_network"]
