"""Issue 13: a fusion rule that never matches in a network is a warning."""

from __future__ import annotations

from explorer.hardware.schema import FusionRule
from explorer.workload import load_network
from explorer.workload.fusion import apply_fusion


def test_a_rule_that_never_matches_is_a_warning():
    network = load_network("squeezenet")
    fused = apply_fusion(network, [FusionRule(pattern=["Conv", "Relu"]),
                                   FusionRule(pattern=["MaxPool", "Relu"]),
                                   FusionRule(pattern=["Conv", "Sigmoid"])])
    assert len(fused.layers) < len(network.layers)
    unmatched = [w for w in fused.warnings if "fusion rule" in w]
    assert len(unmatched) == 1 and "MaxPool+Relu" in unmatched[0]  # no Sigmoid at all


def test_a_variant_whose_layers_a_longer_rule_fused_is_not_a_warning():
    """Descriptions list variants of one fusion (with and without batch norm, with and
    without pooling); on resnet50 (Conv -> BatchNormalization -> Relu) the longer variants
    fuse every chain the shorter ones describe, so those are not 'matched nothing'. A rule
    no matched rule covers still is."""
    network = load_network("resnet50")
    fused = apply_fusion(network, [
        FusionRule(pattern=["Conv", "BatchNormalization", "Relu"]),
        FusionRule(pattern=["Conv", "Relu"]),  # covered: Conv ... Relu fused above
        FusionRule(pattern=["Conv", "Relu", "MaxPool"]),  # not covered: no rule has MaxPool
        FusionRule(pattern=["Gemm", "Relu"])])  # not covered
    unmatched = sorted(w.split()[2] for w in fused.warnings if "fusion rule" in w)
    assert unmatched == ["Conv+Relu+MaxPool", "Gemm+Relu"]
