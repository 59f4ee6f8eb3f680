"""The spatial unrolling of a mapped layer in the layer's own loop names, for reports:
which loops sit on the array's rows and columns and which one streams through it.

GEMM dimensions (plans.py) name the im2col matrix; an architect thinks in the layer's
loops. Names follow ZigZag's convention: B batch, G groups, K output channels, C input
channels (the reduction), OY/OX output rows/columns, FY/FX kernel rows/columns, D the
rows of a matrix product.
"""

from __future__ import annotations

from typing import Any

from explorer.workload.network import ConvDims, Layer, MatMulDims


def layer_loops(layer: Layer, packed_groups: int = 1) -> dict[str, list[str]]:
    """The layer loops each GEMM dimension (M, N, K) stands for."""
    dims = layer.dims
    if isinstance(dims, ConvDims):
        group = ["G"] if packed_groups > 1 else []
        k = ["C", "FY", "FX"] if dims.in_channels // dims.groups > 1 else ["FY", "FX"]
        return {"M": ["B", "OY", "OX"], "N": [*group, "K"], "K": [*group, *k]}
    if isinstance(dims, MatMulDims):
        return {"M": ["B", "D"], "N": ["K"], "K": ["C"]}
    return {"M": ["M"], "N": ["N"], "K": ["K"]}


def spatial_report(layer: Layer, mapping: dict[str, Any]) -> dict[str, Any] | None:
    """`mapping.spatial` of a GEMM layer's result: per array axis the GEMM dimension,
    the layer loops it unrolls, and its tile; None for layers not on the array."""
    if "rows_dim" not in mapping:
        return None
    loops = layer_loops(layer, mapping.get("groups_packed", 1))
    tiles = mapping.get("tiles", {})
    return {
        "rows": {"dim": mapping["rows_dim"], "loops": loops[mapping["rows_dim"]],
                 "tile": tiles.get("rows"), "folds": mapping["folds"]["rows"]},
        "cols": {"dim": mapping["cols_dim"], "loops": loops[mapping["cols_dim"]],
                 "tile": tiles.get("cols"), "folds": mapping["folds"]["cols"]},
        "stream": {"dim": mapping["stream_dim"], "loops": loops[mapping["stream_dim"]],
                   "chunk": tiles.get("stream_chunk")},
        "dataflow": mapping.get("dataflow"),
        "choice": _choice(mapping.get("dataflows_considered", [])),
    }


def _choice(considered: list[str]) -> str:
    if len(considered) > 1:
        return f"fastest of the dataflows {', '.join(considered)} (compute.dataflow_per_layer)"
    return "fixed by compute.dataflow"
