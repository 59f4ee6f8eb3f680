"""Convolutions: Conv, ConvTranspose, DeformConv, ConvInteger, QLinearConv (1-D to 3-D,
grouped, depthwise, auto_pad)."""

from __future__ import annotations

import math

from explorer.workload.attributes import check_conv
from explorer.workload.network import ConvDims, LayerKind, Shape, elements
from explorer.workload.ops import DEFAULT_DOMAINS, NodeInfo, OpCost, ShapeUnknown, need, register

# --------------------------------------------------------------------------- convolution

def _same_pads(total: int, upper: bool) -> tuple[int, int]:
    """Split a total padding as auto_pad does: SAME_UPPER puts the odd one at the end."""
    total = max(total, 0)
    small = total // 2
    return (small, total - small) if upper else (total - small, small)


def _auto_pads(node: NodeInfo, x: Shape, y: Shape, kernel: list[int], strides: list[int],
               dilations: list[int], transposed: bool) -> list[int]:
    rank = len(kernel)
    auto_pad = str(node.attr("auto_pad", "NOTSET"))
    if auto_pad == "VALID":
        return [0] * (2 * rank)
    if auto_pad not in ("SAME_UPPER", "SAME_LOWER"):
        return list(node.attr("pads") or [0] * (2 * rank))
    extent = [(kernel[i] - 1) * dilations[i] + 1 for i in range(rank)]
    if transposed:  # output = input * stride; what the kernel overhangs is cut off
        out_pad = list(node.attr("output_padding") or [0] * rank)
        totals = [strides[i] * (x[2 + i] - 1) + out_pad[i] + extent[i] - y[2 + i]
                  for i in range(rank)]
    else:
        totals = [(-(-x[2 + i] // strides[i]) - 1) * strides[i] + extent[i] - x[2 + i]
                  for i in range(rank)]
    pairs = [_same_pads(total, auto_pad == "SAME_UPPER") for total in totals]
    return [p[0] for p in pairs] + [p[1] for p in pairs]


def conv_cost(node: NodeInfo, x_index: int, w_index: int, bias_index: int | None,
               *, transposed: bool = False) -> OpCost:
    x = need(node.shape_in(x_index), "conv input")
    w = need(node.shape_in(w_index), "conv weight")
    y = need(node.out_shape, "conv output")
    rank = len(w) - 2
    if rank < 1 or len(x) != rank + 2 or len(y) != rank + 2:
        raise ShapeUnknown("conv ranks")
    if node.op in ("Conv", "ConvTranspose") and node.domain in DEFAULT_DOMAINS:
        check_conv(node.attrs, x, w, transposed)
    groups = int(node.attr("group", 1))
    kernel = list(node.attr("kernel_shape") or w[2:])
    strides = list(node.attr("strides") or [1] * rank)
    dilations = list(node.attr("dilations") or [1] * rank)
    auto_pad = str(node.attr("auto_pad", "NOTSET"))
    pads = _auto_pads(node, x, y, kernel, strides, dilations, transposed)
    batch, cin = x[0], x[1]
    cout = y[1]
    # ConvDims is 2-D: 1-D convs put everything along W; 3-D convs fold depth into H
    # (products stay exact, so MACs and element counts are right; stride, dilation and
    # padding are those of the H axis, the full lists stay in attrs).
    if rank == 1:
        in_hw, out_hw, k_hw = (1, x[2]), (1, y[2]), (1, kernel[0])
        s_hw, d_hw = (1, strides[0]), (1, dilations[0])
        pad = (0, pads[0], 0, pads[1])
    else:
        h, w_axis = rank - 2, rank - 1
        in_hw = (math.prod(x[2:-1]), x[-1])
        out_hw = (math.prod(y[2:-1]), y[-1])
        k_hw = (math.prod(kernel[:-1]), kernel[-1])
        s_hw, d_hw = (strides[h], strides[w_axis]), (dilations[h], dilations[w_axis])
        pad = (pads[h], pads[w_axis], pads[rank + h], pads[rank + w_axis])
    dims = ConvDims(batch=batch, in_channels=cin, in_h=in_hw[0], in_w=in_hw[1],
                    out_channels=cout, out_h=out_hw[0], out_w=out_hw[1],
                    kernel_h=k_hw[0], kernel_w=k_hw[1], stride_h=s_hw[0], stride_w=s_hw[1],
                    pad_top=pad[0], pad_left=pad[1], pad_bottom=pad[2], pad_right=pad[3],
                    dilation_h=d_hw[0], dilation_w=d_hw[1], groups=groups,
                    transposed=transposed)
    bias = bias_index is not None and node.input(bias_index) is not None
    attrs = {"kernel_shape": kernel, "strides": strides, "pads": pads,
             "dilations": dilations, "group": groups, "auto_pad": auto_pad}
    if rank != 2:
        attrs["spatial_rank"] = rank
    return OpCost(LayerKind.CONV, macs=dims.macs, other_ops=elements(y) if bias else 0,
                  dims=dims, attrs=attrs)


@register("Conv")
def parse_conv(node: NodeInfo) -> OpCost:
    return conv_cost(node, 0, 1, 2)


@register("ConvTranspose")
def parse_conv_transpose(node: NodeInfo) -> OpCost:
    return conv_cost(node, 0, 1, 2, transposed=True)


@register("DeformConv")
def parse_deform_conv(node: NodeInfo) -> OpCost:
    # X, W, offset, B, mask: a conv whose every tap is a bilinear sample (4 reads, 3 lerps)
    cost = conv_cost(node, 0, 1, 3)
    cost.other_ops += 4 * cost.macs
    cost.activation_inputs = (0, 2, 4)
    cost.weight_inputs = tuple(i for i in (1, 3) if node.input(i) is not None)
    return cost


@register("ConvInteger")
def parse_conv_integer(node: NodeInfo) -> OpCost:
    cost = conv_cost(node, 0, 1, None)
    cost.activation_inputs, cost.weight_inputs = (0,), (1,)
    return cost


@register("QLinearConv")
def parse_qlinear_conv(node: NodeInfo) -> OpCost:
    # x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B
    cost = conv_cost(node, 0, 3, 8)
    cost.other_ops += 2 * node.out_elems  # requantisation: scale and round each output
    cost.activation_inputs, cost.weight_inputs = (0,), (3, 8)
    return cost
