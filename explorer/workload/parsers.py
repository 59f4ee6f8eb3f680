"""The op-parser registry with every domain's parsers registered: the default ONNX
domain (one module per operator family, `ops_conv` ... `ops_control`) and onnxruntime's
com.microsoft ops (`ops_contrib`, which builds on them). Code that parses nodes imports
this module; the registry (`ops`) imports none of its parsers, so there is no cycle."""

from __future__ import annotations

from explorer.workload import (  # noqa: F401  (each registers its parsers)
    ops_contrib,
    ops_control,
    ops_conv,
    ops_data,
    ops_elementwise,
    ops_matmul,
    ops_recurrent,
)
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
