"""Data movement (Reshape, Transpose, Gather, ...) and resampling (Resize, GridSample,
RoiAlign)."""

from __future__ import annotations

from typing import Any

from explorer.workload.network import LayerKind
from explorer.workload.ops import NodeInfo, OpCost, register

# ------------------------------------------------------------------------ data movement

_DATA = (
    "Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze", "Concat", "Split", "Slice",
    "Gather", "GatherElements", "GatherND", "Scatter", "ScatterElements", "ScatterND",
    "Pad", "Tile", "Expand", "Identity", "Dropout", "Cast", "CastLike", "Shape", "Size",
    "DepthToSpace", "SpaceToDepth", "Compress", "OneHot", "NonZero", "TopK", "Range",
    "ConstantOfShape", "EyeLike", "Trilu", "ReverseSequence", "SplitToSequence",
    "ConcatFromSequence", "SequenceAt", "SequenceConstruct", "SequenceEmpty",
    "SequenceInsert", "SequenceErase", "SequenceLength", "Optional", "OptionalGetElement",
    "OptionalHasElement", "Col2Im", "Unique", "MaxUnpool", "CenterCropPad", "BitCast",
)


@register(*_DATA)
def parse_data(node: NodeInfo) -> OpCost:
    attrs: dict[str, Any] = {}
    if node.op == "Transpose" and node.attr("perm") is not None:
        attrs["perm"] = list(node.attr("perm"))
    if node.op in ("Concat", "Split", "Gather", "Flatten") and "axis" in node.attrs:
        attrs["axis"] = int(node.attr("axis"))
    # Data movement: no arithmetic, but every input is read and the output written.
    return OpCost(LayerKind.DATA, attrs=attrs, weight_inputs=())


_RESIZE_OPS_PER_ELEMENT = {"nearest": 0, "linear": 4, "cubic": 16}


@register("Resize", "Upsample")
def parse_resize(node: NodeInfo) -> OpCost:
    mode = node.attr("mode", "nearest")
    mode = mode.decode() if isinstance(mode, bytes) else str(mode)
    mode = "linear" if mode in ("bilinear", "trilinear") else mode
    return OpCost(LayerKind.DATA,
                  other_ops=node.out_elems * _RESIZE_OPS_PER_ELEMENT.get(mode, 1),
                  attrs={"mode": mode}, weight_inputs=())


@register("GridSample")
def parse_grid_sample(node: NodeInfo) -> OpCost:
    mode = str(node.attr("mode", "linear"))
    mode = "linear" if mode == "bilinear" else "cubic" if mode == "bicubic" else mode
    return OpCost(LayerKind.DATA,
                  other_ops=node.out_elems * _RESIZE_OPS_PER_ELEMENT.get(mode, 4),
                  attrs={"mode": mode}, weight_inputs=())


@register("RoiAlign")
def parse_roi_align(node: NodeInfo) -> OpCost:
    # each output bin averages sampling_ratio^2 bilinear samples (4 reads, 3 lerps)
    samples = max(int(node.attr("sampling_ratio", 0)), 2) ** 2
    return OpCost(LayerKind.POOL, other_ops=node.out_elems * samples * 4,
                  attrs={"pool": node.op}, weight_inputs=())
