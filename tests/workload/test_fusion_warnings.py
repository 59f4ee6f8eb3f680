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
