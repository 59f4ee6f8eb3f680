"""onnx's checker, run on every network with the options real files need.

The checker catches what no op parser looks at: a node with too many inputs, an
attribute the op does not have or of the wrong type, a required attribute missing, two
nodes writing one tensor, an op that does not exist. Run as is, it also refuses files
that onnxruntime (and this importer) read correctly, so it checks a *skeleton* of the
model instead:

- nodes in data-flow order (files in the wild are not always sorted; the importer sorts);
- no declared intermediate shapes (exports carry stale ones; inference replaces them);
- weights as typed graph inputs without their bytes (claims.py checks the bytes; the
  checker would need a copy of every weight);
- inputs and outputs without a declared shape given an empty one (onnxruntime does not
  require it; the checker does);
- other domains' ops (com.microsoft...) unchecked, as the checker does by default.
"""

from __future__ import annotations

from onnx import AttributeProto, GraphProto, ModelProto, NodeProto, ValueInfoProto, helper

from explorer.errors import WorkloadError
from explorer.workload.layer_builder import clean_name


def run_checker(model: ModelProto, ordered: list[NodeProto], path: str) -> None:
    """Refuse, in one line naming the node, what onnx's checker finds wrong."""
    import onnx

    try:
        skeleton = ModelProto()
        skeleton.ir_version = model.ir_version
        skeleton.opset_import.extend(model.opset_import)
        skeleton.graph.CopyFrom(_skeleton_graph(model.graph, ordered))
        data = skeleton.SerializeToString()
        if len(data) > 2**31 - 1:
            return  # a graph (without weights) past protobuf's limit: unreadable to it
        onnx.checker.check_model(data)
    except onnx.checker.ValidationError as exc:
        text = " ".join(str(exc).split()).replace(" ==> Context: Bad node spec for node.", ";")
        text = clean_name(text, 400)
        raise WorkloadError(f"{path}: the ONNX checker refuses it: {text}") from None
    except UnicodeError:  # its message quotes a name that is not UTF-8 text
        raise WorkloadError(f"{path}: the ONNX checker refuses it: a name or attribute is "
                            "not UTF-8 text") from None


def _skeleton_graph(graph: GraphProto, nodes: list[NodeProto], body: bool = False
                    ) -> GraphProto:
    """(A body keeps its initializers: turning them into inputs would change the
    signature its op checks; they are small.)"""
    skeleton = GraphProto(name=graph.name)
    if body:
        skeleton.initializer.extend(graph.initializer)
        skeleton.sparse_initializer.extend(graph.sparse_initializer)
    for node in nodes:
        copy = skeleton.node.add()
        copy.CopyFrom(node)
        for attr in copy.attribute:  # bodies are checked with the same options
            if attr.type == AttributeProto.GRAPH:
                attr.g.CopyFrom(_skeleton_graph(attr.g, list(attr.g.node), body=True))
            elif attr.type == AttributeProto.GRAPHS:
                for sub in attr.graphs:
                    sub.CopyFrom(_skeleton_graph(sub, list(sub.node), body=True))
    declared = {value.name for value in graph.input}
    for value in graph.input:
        skeleton.input.append(_with_shape(value))
    weights = [] if body else [*graph.initializer,
                               *(s.values for s in graph.sparse_initializer)]
    for tensor in weights:
        if tensor.name not in declared:
            declared.add(tensor.name)
            skeleton.input.append(helper.make_tensor_value_info(
                tensor.name, tensor.data_type, list(tensor.dims)))
    for value in graph.output:
        skeleton.output.append(_with_shape(value))
    return skeleton


def _with_shape(value: ValueInfoProto) -> ValueInfoProto:
    copy = ValueInfoProto()
    copy.CopyFrom(value)
    if copy.type.HasField("tensor_type") and not copy.type.tensor_type.HasField("shape"):
        copy.type.tensor_type.shape.SetInParent()  # present, of unknown rank to no one
    return copy
