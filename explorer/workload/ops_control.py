"""Control flow: If (its larger branch, or the one the user chose) and Loop/Scan (body
times trip count); the importer costs the bodies."""

from __future__ import annotations

from explorer.workload.network import LayerKind
from explorer.workload.ops import NodeInfo, OpCost, register

# ---------------------------------------------------------------------- control flow

@register("If")
def parse_if(node: NodeInfo) -> OpCost:
    # Which branch runs is data-dependent: cost the larger one.
    branches = [node.subgraphs.get(b, (0, 0)) for b in ("then_branch", "else_branch")]
    macs, ops = max(branches, key=lambda c: (c[0], c[1]))
    return OpCost(LayerKind.GENERIC, macs=macs, other_ops=ops, modelled=False,
                  warning=f"If node {node.name!r}: costed as its larger branch",
                  attrs={"branches": branches}, weight_inputs=())


@register("Loop", "Scan")
def parse_loop(node: NodeInfo) -> OpCost:
    macs, ops = node.subgraphs.get("body", (0, 0))
    trips = node.attrs.get("_trip_count")
    warning = None
    if trips is None:
        trips = 1
        warning = (f"{node.op} node {node.name!r}: trip count unknown, body costed once")
    return OpCost(LayerKind.GENERIC, macs=macs * trips, other_ops=ops * trips, modelled=False,
                  warning=warning, attrs={"trip_count": trips, "body": (macs, ops)},
                  weight_inputs=())
