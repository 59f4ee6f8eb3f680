"""The nine zoo networks shipped by onnx: MAC totals (CONTEXT.md) and layer counts."""

from __future__ import annotations

import pytest

from explorer.errors import WorkloadError
from explorer.workload import ZOO_NAMES, LayerKind, load_network, zoo_path

# Conv + Gemm MACs in G (CONTEXT.md).
GOLDEN_GMACS = {
    "resnet50": 4.089, "vgg19": 19.632, "densenet121": 2.834, "inception_v2": 2.019,
    "inception_v1": 1.432, "zfnet512": 1.482, "alexnet": 0.655, "squeezenet": 0.349,
    "shufflenet": 0.125,
}
# Layers after folding the ConstantOfShape weights (and Caffe BN's Unsqueeze) away:
# ONNX nodes minus the constant-computing ones.
GOLDEN_LAYERS = {
    "resnet50": 176, "vgg19": 46, "densenet121": 668, "inception_v1": 143,
    "inception_v2": 371, "alexnet": 24, "squeezenet": 66, "shufflenet": 203, "zfnet512": 22,
}
GOLDEN_CONVS = {
    "resnet50": 53, "vgg19": 16, "densenet121": 121, "inception_v1": 57, "inception_v2": 69,
    "alexnet": 5, "squeezenet": 26, "shufflenet": 49, "zfnet512": 5,
}


def test_zoo_names_are_the_nine() -> None:
    assert set(ZOO_NAMES) == set(GOLDEN_GMACS)
    assert zoo_path("bvlc_alexnet") == zoo_path("alexnet")


@pytest.mark.parametrize("name", ZOO_NAMES)
def test_zoo_macs_and_layers(name: str) -> None:
    net = load_network(name)
    conv_gemm = sum(layer.macs for layer in net.layers if layer.op in ("Conv", "Gemm"))
    assert conv_gemm / 1e9 == pytest.approx(GOLDEN_GMACS[name], rel=0.005)
    assert len(net) == GOLDEN_LAYERS[name]
    assert sum(layer.kind is LayerKind.CONV for layer in net) == GOLDEN_CONVS[name]
    assert net.name == name
    assert net.source == f"onnx:{name}"
    assert len(net.sha256) == 64
    assert net.warnings == []
    assert all(layer.modelled for layer in net)
    assert [layer.name for layer in net] == list(net.by_name)
    # topological order agrees with the graph
    position = {layer.name: i for i, layer in enumerate(net)}
    assert all(position[u] < position[v] for u, v in net.graph.edges)
    assert set(net.graph.nodes) == set(position)


def test_resnet50_first_conv() -> None:
    net = load_network("resnet50")
    conv = next(layer for layer in net if layer.kind is LayerKind.CONV)
    d = conv.dims
    assert (d.in_channels, d.in_h, d.in_w, d.out_channels, d.out_h, d.out_w) == (
        3, 224, 224, 64, 112, 112)
    assert (d.kernel_h, d.stride_h, d.pad_top, d.pad_bottom) == (7, 2, 3, 3)
    assert conv.macs == 112 * 112 * 64 * 3 * 49
    assert conv.weights == [(64, 3, 7, 7)]
    assert conv.inputs == [(1, 3, 224, 224)]
    assert conv.outputs == [(1, 64, 112, 112)]
    assert conv.act_bits == 32 and conv.weight_bits == 32
    gemm = next(layer for layer in net if layer.op == "Gemm")
    assert (gemm.dims.m, gemm.dims.n, gemm.dims.k) == (1, 1000, 2048)
    assert not gemm.dims.weights_batched


def test_alexnet_grouped_conv_and_lrn() -> None:
    net = load_network("alexnet")
    grouped = [layer for layer in net if layer.kind is LayerKind.CONV and layer.dims.groups == 2]
    assert len(grouped) == 3
    lrn = [layer for layer in net if layer.op == "LRN"]
    assert lrn and all(layer.kind is LayerKind.NORM and layer.other_ops > 0 for layer in lrn)


def test_densenet_caffe_bn_is_eltwise_with_weights() -> None:
    net = load_network("densenet121")
    muls = [layer for layer in net if layer.op == "Mul"]
    assert len(muls) == 121
    assert all(layer.kind is LayerKind.ELTWISE and layer.weights for layer in muls)
    assert not any(layer.op in ("Unsqueeze", "ConstantOfShape") for layer in net)


def test_unknown_zoo_name() -> None:
    with pytest.raises(WorkloadError, match="not an ONNX file and not a zoo network"):
        load_network("resnet51")


def test_input_shape_override_on_a_zoo_network() -> None:
    base = load_network("squeezenet")
    (name,) = base.input_shapes
    batch4 = load_network("squeezenet", {name: (4, 3, 224, 224)})
    assert batch4.input_shapes == {name: (4, 3, 224, 224)}
    assert batch4.macs == 4 * base.macs
    # the declared output shape (batch 1) must not survive the override
    assert batch4.layers[-1].outputs == [(4, 1000, 1, 1)]
    assert batch4.warnings == []
