"""Fusion rules (ANNETTE's mapping model) on the zoo networks and small graphs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from onnx import helper
from workload_models import make_model, save, value, weight

from explorer.hardware.schema import FusionRule
from explorer.workload import LayerKind, Network, load_network
from explorer.workload.fusion import apply_fusion

CONV_BN_RELU = [FusionRule(pattern=["Conv", "BatchNormalization", "Relu"]),
                FusionRule(pattern=["Conv", "BatchNormalization"])]


def _check_invariants(original: Network, fused: Network) -> None:
    assert fused.macs == original.macs
    assert sum(x.other_ops for x in fused) == sum(x.other_ops for x in original)
    nodes = Counter(node for layer in fused for node in layer.onnx_nodes)
    assert nodes == Counter(node for layer in original for node in layer.onnx_nodes)
    assert max(nodes.values()) == 1
    assert set(fused.graph.nodes) == {layer.name for layer in fused}
    assert nx.is_directed_acyclic_graph(fused.graph)
    position = {layer.name: i for i, layer in enumerate(fused)}
    assert all(position[u] < position[v] for u, v in fused.graph.edges)


def test_no_rules_returns_the_network_itself() -> None:
    net = load_network("squeezenet")
    assert apply_fusion(net, []) is net


def test_resnet50_conv_bn_relu() -> None:
    net = load_network("resnet50")
    fused = apply_fusion(net, CONV_BN_RELU)
    _check_invariants(net, fused)
    # 53 convs each take their BN; 49 Relus, of which 16 follow a residual Sum.
    convs = [layer for layer in fused if layer.kind is LayerKind.CONV]
    assert len(convs) == 53
    assert Counter(tuple(c.fused_ops) for c in convs) == {
        ("BatchNormalization", "Relu"): 33, ("BatchNormalization",): 20}
    assert len(fused) == len(net) - 53 - 33
    first = convs[0]
    original = net[first.name]
    assert first.dims == original.dims and first.kind is LayerKind.CONV
    assert first.inputs == original.inputs
    assert first.weights == original.weights + [(64,)] * 4  # + BN parameters
    assert first.outputs == net[first.onnx_nodes[-1]].outputs
    assert len(first.onnx_nodes) == 3
    assert net.layers[0].fused_ops == []  # the input network is left alone


def test_caffe_style_batch_norm_matches_batch_normalization() -> None:
    net = load_network("inception_v2")
    fused = apply_fusion(net, [FusionRule(pattern=["Conv", "BatchNormalization", "Relu"])])
    _check_invariants(net, fused)
    convs = [layer for layer in fused if layer.kind is LayerKind.CONV]
    assert all(c.fused_ops == ["BatchNormalization", "Mul", "Add", "Relu"] for c in convs)
    literal = apply_fusion(net, [FusionRule(pattern=["Conv", "BatchNormalization", "Mul",
                                                     "Add", "Relu"])])
    assert [x.onnx_nodes for x in literal] == [x.onnx_nodes for x in fused]


def _chain_model(tmp_path: Path, *, fork: bool = False, residual: bool = False) -> Network:
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("Sigmoid", ["r"], ["y"], name="sig")]
    outputs = [value("y", None)]
    if fork:  # the conv's result is read by a second layer
        nodes.append(helper.make_node("Neg", ["c"], ["n"], name="neg"))
        outputs.append(value("n", None))
    if residual:  # the Relu also adds the block input
        nodes[1] = helper.make_node("Add", ["c", "x"], ["r"], name="relu")
    model = make_model(nodes, [value("x", [1, 4, 6, 6])], outputs,
                       [weight("w", [4, 4, 3, 3])])
    return load_network(save(model, tmp_path))


def test_fork_blocks_fusion(tmp_path: Path) -> None:
    rules = [FusionRule(pattern=["Conv", "Relu"])]
    fused = apply_fusion(_chain_model(tmp_path), rules)
    assert [x.name for x in fused] == ["conv", "sig"]
    assert list(fused.graph.edges) == [("conv", "sig")]
    assert fused["conv"].onnx_nodes == ["conv", "relu"]
    forked = _chain_model(tmp_path, fork=True)
    assert [x.name for x in apply_fusion(forked, rules)] == ["conv", "relu", "sig", "neg"]


def test_graph_output_is_not_fused_away(tmp_path: Path) -> None:
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
             helper.make_node("Relu", ["c"], ["y"], name="relu")]
    model = make_model(nodes, [value("x", [1, 4, 6, 6])], [value("c", None), value("y", None)],
                       [weight("w", [4, 4, 3, 3])])
    net = load_network(save(model, tmp_path))
    assert len(apply_fusion(net, [FusionRule(pattern=["Conv", "Relu"])])) == 2


def test_residual_operand_becomes_an_input(tmp_path: Path) -> None:
    net = _chain_model(tmp_path, residual=True)
    fused = apply_fusion(net, [FusionRule(pattern=["Conv", "Add", "Sigmoid"])])
    assert len(fused) == 1
    layer = fused.layers[0]
    assert layer.inputs == [(1, 4, 6, 6), (1, 4, 6, 6)]  # x for the conv, x for the add
    assert layer.fused_ops == ["Add", "Sigmoid"]
    assert layer.attrs["_tensors_in"] == ("x", "x") and layer.attrs["_tensors_out"] == ("y",)
    assert layer.other_ops == 2 * 144


@pytest.mark.parametrize("name", ["vgg19", "alexnet", "squeezenet"])
def test_conv_relu_and_gemm_relu(name: str) -> None:
    net = load_network(name)
    rules = [FusionRule(pattern=["Conv", "Relu"]), FusionRule(pattern=["Gemm", "Relu"]),
             FusionRule(pattern=["Conv", "Relu", "MaxPool"])]
    fused = apply_fusion(net, rules)
    _check_invariants(net, fused)
    assert not any(layer.op == "Relu" for layer in fused)
