"""Fusion (ANNETTE's mapping model): chains of layers the target's compiler merges.

A rule is a list of ONNX op types in data-flow order, e.g. [Conv, BatchNormalization,
Relu]. A chain matches when each layer's op is the next op of the pattern and every
intermediate result is read by the next layer of the chain only (not by a third layer
and not a network output): only then can the compiler keep it on chip.

The fused layer keeps the first (main) layer's name, kind, dims and attributes; its MACs
and other ops are the chain's sums (the tail is normally element-wise, so the MACs are
the main layer's); its inputs are the main layer's plus operands the tail reads from
outside the chain (a residual Add's second input), its weights all the chain's weights,
its outputs the last layer's; `onnx_nodes` lists every node and `fused_ops` the op types
merged into the main one.

Caffe-style batch norm: Caffe splits it into BatchNorm (normalise) and Scale (a
per-channel Mul then Add with constant operands), which the zoo's DenseNet and
Inception v2 export as BatchNormalization -> Mul -> Add. A rule may list the ops
literally, [Conv, BatchNormalization, Mul, Add, Relu] or [Conv, Mul, Add, Relu]; and a
rule's `BatchNormalization` matches any spelling of the same inference-time computation
(one per-channel affine map): BatchNormalization, BatchNormalization -> Mul -> Add, or
Mul -> Add alone. So [Conv, BatchNormalization, Relu] fuses all of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from explorer.hardware.schema import FusionRule
from explorer.workload.network import Layer, Network, Shape

BATCH_NORM = "BatchNormalization"


def apply_fusion(network: Network, rules: Sequence[FusionRule]) -> Network:
    """A new Network in which every chain matching a rule is one layer.

    Chains are matched greedily in topological order, the longest pattern first; a layer
    joins at most one chain. An empty rule list returns `network` itself.
    """
    if not rules:
        return network
    patterns = sorted((list(rule.pattern) for rule in rules), key=len, reverse=True)
    by_name = network.by_name
    graph = network.graph
    claimed: set[str] = set()
    matched: set[tuple[str, ...]] = set()
    head_of: dict[str, str] = {}
    layers: list[Layer] = []
    for layer in network.layers:
        if layer.name in claimed:
            continue
        chain = None
        for pattern in patterns:
            chain = _match(layer, pattern, graph, by_name, claimed)
            if chain:
                break
        if not chain:
            layers.append(layer)
            head_of[layer.name] = layer.name
            continue
        matched.add(tuple(pattern))
        for member in chain:
            claimed.add(member.name)
            head_of[member.name] = layer.name
        layers.append(_fuse(chain))
    fused_graph = nx.DiGraph()
    fused_graph.add_nodes_from(layer.name for layer in layers)
    fused_graph.add_edges_from(
        (head_of[u], head_of[v]) for u, v in graph.edges if head_of[u] != head_of[v])
    # A rule that matched nothing although all its op types are in the network is worth a
    # warning (a rule for ops the network lacks is not: libraries list rules for many),
    # unless a longer variant that matched covers it (Conv+Relu where Conv+BN+Relu fused
    # the network's chains): descriptions list such variants for different exports.
    present = {layer.op for layer in network.layers}
    warnings = list(network.warnings) + [
        f"fusion rule {'+'.join(pattern)} matched nothing in {network.name!r} (no "
        f"{pattern[0]} layer is followed by {'+'.join(pattern[1:])})"
        for pattern in patterns if tuple(pattern) not in matched and set(pattern) <= present
        and not any(_covers(longer, pattern) for longer in matched)]
    return Network(name=network.name, layers=layers, graph=fused_graph, source=network.source,
                   sha256=network.sha256, input_shapes=dict(network.input_shapes),
                   warnings=warnings)


def _covers(longer: Sequence[str], pattern: Sequence[str]) -> bool:
    """`pattern` is `longer` with some of its later ops left out (same first op, the rest
    in order): the chains it describes were fused by `longer`."""
    if not longer or not pattern or longer[0] != pattern[0]:
        return False
    rest = iter(longer[1:])
    return all(op in rest for op in pattern[1:])


def _match(first: Layer, pattern: list[str], graph: nx.DiGraph, by_name: dict[str, Layer],
           claimed: set[str]) -> list[Layer] | None:
    if first.op != pattern[0]:
        return None
    chain = [first]
    for index, op in enumerate(pattern[1:], start=1):
        following = _next(chain[-1], graph, by_name, claimed)
        if following is None:
            return None
        if op == BATCH_NORM:
            norm = [following] if following.op == BATCH_NORM else []
            literal_scale = pattern[index + 1:index + 3] == ["Mul", "Add"]
            scale = [] if norm and literal_scale else _scale_pair(
                norm[-1] if norm else chain[-1], graph, by_name, claimed)
            if not norm and not scale:
                return None
            chain += norm + scale
            continue
        if following.op != op:
            return None
        chain.append(following)
    return chain


def _scale_pair(layer: Layer, graph: nx.DiGraph, by_name: dict[str, Layer], claimed: set[str]
                ) -> list[Layer]:
    """The Caffe-style Mul -> Add (constant per-channel scale and shift) reading `layer`."""
    mul = _next(layer, graph, by_name, claimed)
    if mul is None or mul.op != "Mul" or not _is_affine(mul):
        return []
    add = _next(mul, graph, by_name, claimed)
    if add is None or add.op != "Add" or not _is_affine(add):
        return []
    return [mul, add]


def _next(layer: Layer, graph: nx.DiGraph, by_name: dict[str, Layer], claimed: set[str]
          ) -> Layer | None:
    """The only reader of `layer`'s result, if it has exactly one and it is free."""
    if layer.attrs.get("_is_output") or graph.out_degree(layer.name) != 1:
        return None
    (successor,) = graph.successors(layer.name)
    return None if successor in claimed else by_name[successor]


def _is_affine(layer: Layer) -> bool:
    """One activation operand and a constant one: a per-channel scale or shift."""
    return len(layer.inputs) == 1 and len(layer.weights) >= 1


def _fuse(chain: list[Layer]) -> Layer:
    main, tail = chain[0], chain[1:]
    inputs = list(main.inputs)
    weights = list(main.weights)
    previous = main
    for layer in tail:
        extra = list(layer.inputs)
        _remove_one(extra, previous.output_shape)
        inputs += extra
        weights += layer.weights
        previous = layer
    last = chain[-1]
    attrs = dict(main.attrs)
    internal = {t for layer in chain for t in layer.attrs.get("_tensors_out", ())}
    attrs["_tensors_in"] = tuple(t for layer in chain for t in layer.attrs.get("_tensors_in", ())
                                 if t not in internal)
    attrs["_tensors_out"] = last.attrs.get("_tensors_out", ())
    if last.attrs.get("_is_output"):
        attrs["_is_output"] = True
    return main.with_changes(
        onnx_nodes=[node for layer in chain for node in layer.onnx_nodes],
        inputs=inputs, weights=weights, outputs=list(last.outputs),
        macs=sum(layer.macs for layer in chain),
        other_ops=sum(layer.other_ops for layer in chain),
        modelled=all(layer.modelled for layer in chain), attrs=attrs,
        fused_ops=list(main.fused_ops) + [op for layer in tail
                                          for op in (layer.op, *layer.fused_ops)])


def _remove_one(shapes: list[Shape], shape: Shape) -> None:
    if shape in shapes:
        shapes.remove(shape)
    elif shapes:
        shapes.pop(0)  # broadcast operand of another shape: still the chained one
