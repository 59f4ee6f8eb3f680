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


def layer_loops(layer: Layer, packed_groups: int = 1,
                unrolling: str = "im2col") -> dict[str, list[str]]:
    """The layer loops each GEMM dimension (M, N, K) stands for on the array (with C
    alone on the rows, FY and FX are temporal: `temporal_loops`)."""
    dims = layer.dims
    if isinstance(dims, ConvDims):
        group = ["G"] if packed_groups > 1 else []
        pixels = ["OX"] if unrolling == "pixels" else []
        k = ["C", "FY", "FX"] if dims.in_channels // dims.groups > 1 else ["FY", "FX"]
        if unrolling == "channels":
            k = ["C"]
        return {"M": ["B", "OY", "OX"], "N": [*group, *pixels, "K"],
                "K": [*group, *pixels, *k]}
    if isinstance(dims, MatMulDims):
        return {"M": ["B", "D"], "N": ["K"], "K": ["C"]}
    return {"M": ["M"], "N": ["N"], "K": ["K"]}


def spatial_report(layer: Layer, mapping: dict[str, Any]) -> dict[str, Any] | None:
    """`mapping.spatial` of a GEMM layer's result: per array axis the GEMM dimension,
    the layer loops it unrolls, and its tile; None for layers not on the array."""
    if "rows_dim" not in mapping:
        return None
    unrolling = mapping.get("unrolling", "im2col")
    loops = layer_loops(layer, mapping.get("groups_packed", 1), unrolling)
    tiles = mapping.get("tiles", {})
    temporal = (["FY", "FX"] if unrolling == "channels" and isinstance(layer.dims, ConvDims)
                and layer.dims.kernel_h * layer.dims.kernel_w > 1 else [])
    return {
        "rows": {"dim": mapping["rows_dim"], "loops": loops[mapping["rows_dim"]],
                 "tile": tiles.get("rows"), "folds": mapping["folds"]["rows"]},
        "cols": {"dim": mapping["cols_dim"], "loops": loops[mapping["cols_dim"]],
                 "tile": tiles.get("cols"), "folds": mapping["folds"]["cols"]},
        "stream": {"dim": mapping["stream_dim"], "loops": loops[mapping["stream_dim"]],
                   "chunk": tiles.get("stream_chunk")},
        "temporal": temporal,  # kernel-window loops outside the array (direct conv)
        "unrolling": unrolling,
        "pixels_packed": mapping.get("pixels_packed", 1),
        "dataflow": mapping.get("dataflow"),
        "choice": _choice(mapping.get("dataflows_considered", []),
                          mapping.get("unrollings_considered", [])),
    }


def _choice(dataflows: list[str], unrollings: list[str]) -> str:
    parts = []
    if len(dataflows) > 1:
        parts.append(f"the dataflows {', '.join(dataflows)} (compute.dataflow_per_layer)")
    if len(unrollings) > 1:
        parts.append(f"the unrollings {', '.join(unrollings)} (compute.spatial_unrollings)")
    if parts:
        return "fastest of " + " and ".join(parts)
    return "fixed: the only dataflow and unrolling the description allows for this layer"
