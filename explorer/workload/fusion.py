"""Fusion (ANNETTE's mapping model): chains of layers the target's compiler merges."""

from __future__ import annotations

from explorer.hardware.schema import FusionRule
from explorer.workload.network import Network


def apply_fusion(network: Network, rules: list[FusionRule]) -> Network:
    """A new Network with every chain matching a rule merged into one layer.

    First version: only the empty rule list is handled (returns `network` unchanged).
    """
    if not rules:
        return network
    return network  # full chain matching lands in the next commit
