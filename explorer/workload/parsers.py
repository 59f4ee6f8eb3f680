"""The op-parser registry with every domain's parsers registered: the default ONNX
domain (`ops`) and onnxruntime's com.microsoft ops (`ops_contrib`, which builds on
`ops`). Code that parses nodes imports this module; `ops` itself no longer imports
`ops_contrib` at its bottom, so the two modules form no import cycle."""

from __future__ import annotations

from explorer.workload import ops_contrib  # noqa: F401  (registers its parsers)
from explorer.workload.ops import (
    NodeInfo,
    OpCost,
    ShapeUnknown,
    TensorInfo,
    parse,
    parse_generic,
)

__all__ = ["NodeInfo", "OpCost", "ShapeUnknown", "TensorInfo", "parse", "parse_generic"]
