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
import heapq
import os
from collections import defaultdict
from pathlib import Path

import networkx as nx
from google.protobuf.message import DecodeError
from onnx import GraphProto, ModelProto, NodeProto

from explorer.errors import WorkloadError
from explorer.workload.claims import check_claims, check_dims
from explorer.workload.external_data import check_external_data, load_external_data
from explorer.workload.layer_builder import (
    CONTROL_FLOW,
    HEAVY_OPS,
    LayerBuilder,
    clean_name,
    node_label,
    outer_scope_names,
)
from explorer.workload.network import Layer, Network, Shape
from explorer.workload.shapes import (
    TensorTable,
    densify_sparse_initializers,
    fill_missing_shapes,
    infer_static,
    strip_weight_data,
)
from explorer.workload.zoo import canonical_zoo_name, zoo_path

_SHAPE_OF = frozenset({"Shape", "Size"})


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
    check_external_data(path, model)
    network = build_network(model, str(path), input_shapes or {})
    network.name = name or default_name
    network.source = source_label
    network.sha256 = hashlib.sha256(data).hexdigest()
    return network


def read_model(source: str | os.PathLike) -> ModelProto:
    """The model of an ONNX file (or zoo name) with its external weights read in, through
    the same checks as `load_network` (one-line `WorkloadError`s, no file outside the
    model's folder read): for code that runs the model itself, such as `measure`."""
    path, _, _ = _resolve_source(source)
    model = _parse_model(path, _read_bytes(path))
    check_external_data(path, model)
    load_external_data(model, path)
    return model


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
    _check_versions_and_outputs(path, model)
    return model


def _check_versions_and_outputs(path: Path, model: ModelProto) -> None:
    """What onnx's checker would refuse that this importer would otherwise misread: a
    version from the future and an output nothing computes. (The full checker is not
    run: it refuses many files that onnxruntime and this importer read correctly, such
    as exports with stale value_info.)"""
    import onnx

    if model.ir_version > onnx.IR_VERSION:
        raise WorkloadError(f"{path}: IR version {model.ir_version}; this program reads up "
                            f"to {onnx.IR_VERSION} (onnx {onnx.__version__})")
    newest = onnx.defs.onnx_opset_version()
    for opset in model.opset_import:
        if opset.domain in ("", "ai.onnx") and not 1 <= opset.version <= newest:
            raise WorkloadError(f"{path}: ONNX opset {opset.version}; this program knows "
                                f"opsets 1 to {newest}")
    graph = model.graph
    known = {v.name for v in graph.input} | {t.name for t in graph.initializer}
    known |= {t.values.name for t in graph.sparse_initializer}
    known |= {out for node in graph.node for out in node.output}
    for value in graph.output:
        if value.name not in known:
            raise WorkloadError(f"{path}: graph output {clean_name(value.name)!r} is "
                                "produced by no node, input or weight")


# --------------------------------------------------------------------------- the builder

def build_network(model: ModelProto, path: str, input_shapes: dict[str, tuple[int, ...]]
                  ) -> Network:
    """Turn a parsed model into a Network (`path` names the file in messages).

    Changes `model`: fixes its input dims and drops the data of large weights."""
    warnings: list[str] = []
    check_claims(model, path)  # before anything is allocated from the sizes it claims
    densify_sparse_initializers(model)
    fixed_inputs = _fix_input_shapes(model.graph, path, input_shapes, warnings)
    strip_weight_data(model)
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
    consumed |= {name for node in nodes for name in outer_scope_names(node)}
    consumed |= {out.name for out in graph.output}

    builder = LayerBuilder(path, table, const, producers, warnings, graph, model)
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
                   graph=_layer_graph(layers),
                   source=path, input_shapes=fixed_inputs, warnings=warnings)


def _resolve_missing_shapes(model: ModelProto, nodes: list[NodeProto], const: set[str],
                            table: TensorTable, path: str, warnings: list[str]) -> None:
    needed: list[str] = []
    essential: set[str] = set()
    for node in nodes:
        if node.op_type in _SHAPE_OF or all(o in const for o in node.output if o):
            continue
        # constant operands too: a weight computed from an initializer (Pad, Slice with
        # pads from Shape()) may be unshaped until the model runs
        tensors = [n for n in node.input if n]
        tensors += [o for o in node.output[:1] if o]
        needed += tensors
        if node.op_type in HEAVY_OPS:
            essential.update(n for n in node.input if n)
            essential.update(o for o in node.output[:1] if o)
    fill_missing_shapes(model, table, needed, essential, path, warnings)


def _topological_order(graph: GraphProto, path: str) -> list[NodeProto]:
    """Nodes in data-flow order (ONNX requires it, but files in the wild break the rule);
    Kahn's algorithm, keeping the file's order among ready nodes."""
    available = {i.name for i in graph.input} | {t.name for t in graph.initializer} | {""}
    nodes = list(graph.node)
    producer: dict[str, int] = {}
    for index, node in enumerate(nodes):
        for out in node.output:
            producer.setdefault(out, index)
    consumers: dict[str, list[int]] = defaultdict(list)
    waiting = [0] * len(nodes)
    for index, node in enumerate(nodes):
        needs = {n for n in node.input if n not in available}
        # a body may read a tensor computed in this graph; others come from further out
        needs |= {n for n in outer_scope_names(node) if n in producer and n not in available}
        for name in needs:
            if name not in producer:
                raise WorkloadError(
                    f"{path}: input {name!r} of node {node_label(node)} is produced by no "
                    "node, input or initializer (truncated or corrupt file?)")
            consumers[name].append(index)
        waiting[index] = len(needs)
    ready = [index for index, count in enumerate(waiting) if count == 0]
    heapq.heapify(ready)
    ordered: list[NodeProto] = []
    while ready:
        index = heapq.heappop(ready)
        ordered.append(nodes[index])
        for out in set(nodes[index].output):
            for consumer in consumers.pop(out, ()):
                waiting[consumer] -= 1
                if waiting[consumer] == 0:
                    heapq.heappush(ready, consumer)
    if len(ordered) < len(nodes):
        stuck = next(node for index, node in enumerate(nodes) if waiting[index])
        raise WorkloadError(f"{path}: node {node_label(stuck)} is part of a cycle")
    return ordered


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
    # A symbolic dim named in one overridden input ("sequence") has that size everywhere,
    # so giving input_ids=1x128 also fixes attention_mask[batch, sequence].
    known: dict[str, int] = {}
    for value in real:
        override = overrides.get(value.name)
        if override is not None and value.type.HasField("tensor_type"):
            for dim, size in zip(value.type.tensor_type.shape.dim, override):
                if dim.dim_param:
                    known.setdefault(dim.dim_param, int(size))
    fixed: dict[str, Shape] = {}
    for value in real:
        ttype = value.type.tensor_type if value.type.HasField("tensor_type") else None
        if ttype is None:
            continue  # sequences/optionals: nothing to fix
        override = overrides.get(value.name)
        if override is not None:
            check_dims(path, f"input {value.name!r} (--input-shape)", override)
            if ttype.HasField("shape") and len(ttype.shape.dim) not in (0, len(override)):
                raise WorkloadError(f"{path}: input {value.name!r} has rank "
                                    f"{len(ttype.shape.dim)}, --input-shape gives "
                                    f"{len(override)} dims")
            declared = [d.dim_value if d.HasField("dim_value") else None
                        for d in ttype.shape.dim]
            if declared != list(override):
                _forget_declared_shapes(graph)
            ttype.shape.ClearField("dim")
            for size in override:
                ttype.shape.dim.add().dim_value = int(size)
            fixed[value.name] = tuple(int(s) for s in override)
            continue
        if not ttype.HasField("shape"):
            raise WorkloadError(f"{path}: input {value.name!r} has no shape; give it with "
                                f"--input-shape {value.name}=DIMS")
        dims = list(ttype.shape.dim)
        for dim in dims:
            if not dim.HasField("dim_value") and dim.dim_param in known:
                dim.dim_value = known[dim.dim_param]  # also clears dim_param (a oneof)
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


def _forget_declared_shapes(graph: GraphProto) -> None:
    """Intermediate and output shapes a file declares follow from its own input shapes;
    once an input is given other dims they are stale and would contradict inference."""
    del graph.value_info[:]
    for value in graph.output:
        if value.type.HasField("tensor_type"):
            value.type.tensor_type.ClearField("shape")


def _constant_tensors(graph: GraphProto, nodes: list[NodeProto]) -> set[str]:
    """Tensors derived only from initializers and input-free nodes (Constant, ...)."""
    const = {t.name for t in graph.initializer}
    for node in nodes:
        if node.op_type in CONTROL_FLOW:
            continue
        if all(name in const for name in node.input if name):
            const.update(out for out in node.output if out)
    return const


def _fold_static_shapes(nodes: list[NodeProto], const: set[str], table: TensorTable) -> None:
    """`Shape` of a statically shaped tensor is a constant, and so is what is computed
    from it only (PyTorch exports' Shape -> Gather -> Concat -> Reshape chains)."""
    changed = False
    for node in nodes:
        if node.op_type in CONTROL_FLOW or all(o in const for o in node.output if o):
            continue
        if node.op_type in _SHAPE_OF and node.input and table.static(node.input[0]):
            const.update(o for o in node.output if o)
            changed = True
        elif changed and node.input and all(n in const for n in node.input if n):
            const.update(o for o in node.output if o)


def _layer_graph(layers: list[Layer]) -> nx.DiGraph:
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


__all__ = ["build_network", "load_network", "read_model"]
