"""One work decomposition feeds every estimator (issue 9 §4): the roofline models cost
the work the kernel estimators map, and whether element-wise work in an array layer's
output path is free is the accelerator's `compute.fused_elementwise_free`."""

from __future__ import annotations

import pytest

from explorer.estimators.registry import make_estimator
from explorer.hardware.library import load_accelerator
from explorer.hardware.overrides import apply_overrides
from explorer.mapping.problem import work_of
from explorer.workload import load_network
from explorer.workload.network import Layer, LayerKind


@pytest.fixture(scope="module")
def squeezenet():
    return load_network("squeezenet")


def first_layer(result):
    return result.layers[0]


def test_roofline_does_not_charge_free_output_path_work(squeezenet):
    # The case: squeezenet's first layer on gemmini, roofline above depgraph
    # because it charged the fused Relu (and the bias) on the vector unit.
    acc = load_accelerator("gemmini")
    assert acc.compute.fused_elementwise_free
    roofline = first_layer(make_estimator("roofline").estimate(squeezenet, acc))
    depgraph = first_layer(make_estimator("depgraph").estimate(squeezenet, acc))
    assert roofline.cycles <= depgraph.cycles


def test_charged_output_path_work_reaches_every_estimator(squeezenet):
    free = load_accelerator("gemmini")
    charged = apply_overrides(free, ["compute.fused_elementwise_free=false"])
    layer = next(layer for layer in make_estimator("roofline").prepare(squeezenet, free).layers
                 if layer.other_ops and layer.macs)
    assert work_of(layer, fused_free=True).vector_ops == 0
    assert work_of(layer, fused_free=False).vector_ops == layer.other_ops
    for name in ("roofline", "depgraph"):
        assert (make_estimator(name).estimate(squeezenet, charged).cycles
                > make_estimator(name).estimate(squeezenet, free).cycles), name
    # The vector work in the output path keeps the kernel periodic: depgraph stays exact.
    depgraph, simulate = make_estimator("depgraph"), make_estimator("simulate")
    fused = [layer for layer in make_estimator("depgraph").prepare(squeezenet, charged).layers
             if layer.other_ops and layer.macs][:4]
    for layer in fused:
        assert (depgraph.estimate_layer(layer, charged).cycles
                == simulate.estimate_layer(layer, charged).cycles), layer.name


def test_views_move_no_data_in_any_estimator():
    view = Layer("r", "Reshape", LayerKind.DATA, ["r"], [(1, 4096)], [(64, 64)])
    acc = load_accelerator("gemmini")
    assert not work_of(view).moves_data
    for name in ("roofline", "refined-roofline", "depgraph"):
        assert make_estimator(name).estimate_layer(view, acc).cycles == 0, name
