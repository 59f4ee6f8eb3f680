"""The op-parser registry with every domain's parsers registered: the default ONNX
domain (`ops`) and onnxruntime's com.microsoft ops (`ops_contrib`, which builds on
`ops`). Code that parses nodes imports this module; `ops` itself no longer imports
`ops_contrib` at its bottom, so the two modules form no import cycle."""

from __future__ import annotations

from explorer.workload import ops_contrib  # noqa: F401  (registers its parsers)
from explorer.workload.attributes import BadNode
from explorer.workload.ops import (
    NodeInfo,
    OpCost,
    ShapeUnknown,
    TensorInfo,
    parse,
    parse_generic,
)


def contrib_op_types() -> set[str]:
    """Op types of other domains (com.microsoft's FusedConv, ...) that have a parser."""
    from explorer.workload.ops import PARSERS

    return {key.split(":", 1)[1] for key in PARSERS if ":" in key}


__all__ = ["BadNode", "contrib_op_types", "NodeInfo", "OpCost", "ShapeUnknown", "TensorInfo", "parse", "parse_generic"]
