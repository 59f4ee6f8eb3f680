"""Control flow: If (its larger branch, or the one the user chose) and Loop/Scan (body
times trip count); the importer costs the bodies."""

from __future__ import annotations

from explorer.workload.network import LayerKind
from explorer.workload.ops import NodeInfo, OpCost, register

# ---------------------------------------------------------------------- control flow

@register("If")
def parse_if(node: NodeInfo) -> OpCost:
    """Which branch runs is data-dependent: the larger one is costed unless the user
    chose one (`--branch NODE=then|else`, attribute `_branch`); the choice is recorded in
    attrs and the network's warnings, so it shows in every result."""
    costs = {name: node.subgraphs.get(attr, (0, 0)) for name, attr in
             (("then", "then_branch"), ("else", "else_branch"))}
    chosen = node.attrs.get("_branch")
    if chosen in costs:
        how = f"{chosen} branch costed, as chosen with --branch"
    else:
        chosen = max(costs, key=lambda b: costs[b])
        other = "else" if chosen == "then" else "then"
        how = (f"costed as its larger branch ({chosen}); cost the other with "
               f"--branch {node.name}={other}")
    macs, ops = costs[chosen]
    return OpCost(LayerKind.GENERIC, macs=macs, other_ops=ops, modelled=False,
                  warning=f"If node {node.name!r}: {how}",
                  attrs={"branches": list(costs.values()), "branch": chosen},
                  weight_inputs=())


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
