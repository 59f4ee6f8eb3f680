"""Op-parser registry: one function per ONNX op type turns a node into its cost.

In the style of ZigZag's `{"Conv": ConvParser, ...}`, but parsers are plain functions
`(NodeInfo) -> OpCost`; the importer fills in what every layer has (name, shapes,
precisions, ONNX nodes), so a parser only says what kind of work the node is, its
dimensions and its arithmetic. Ops without a parser fall to `parse_generic`, which
keeps the node as an unmodelled layer costed by its output element count.

Operand roles: an input is a *weight* when it is constant (derived only from
initializers/Constant nodes); parsers index inputs by their ONNX position, so optional
empty inputs are kept as `None`.

This module holds the registry and what every parser shares; the parsers live in one
module per operator family (`ops_conv`, `ops_matmul`, `ops_elementwise`, `ops_recurrent`,
`ops_data`, `ops_control`, and onnxruntime's `ops_contrib`), all registered by importing
`explorer.workload.parsers`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from explorer.workload.network import ConvDims, LayerKind, MatMulDims, Shape, elements


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: Shape | None  # None when unknown
    bits: int  # storage precision (after looking through DequantizeLinear)
    const: bool


@dataclass
class NodeInfo:
    """What a parser sees of one node."""

    name: str
    op: str
    attrs: dict[str, Any]
    inputs: list[TensorInfo | None]  # ONNX positions; None for an omitted optional input
    outputs: list[TensorInfo | None]
    # Costs of subgraph bodies (If branches, Loop body), filled by the importer.
    subgraphs: dict[str, tuple[int, int]] = field(default_factory=dict)  # attr -> (macs, ops)
    domain: str = ""  # "" for the default ONNX domain

    def input(self, index: int) -> TensorInfo | None:
        return self.inputs[index] if index < len(self.inputs) else None

    def shape_in(self, index: int) -> Shape | None:
        tensor = self.input(index)
        return tensor.shape if tensor is not None else None

    @property
    def out_shape(self) -> Shape | None:
        return self.outputs[0].shape if self.outputs and self.outputs[0] else None

    @property
    def out_elems(self) -> int:
        shape = self.out_shape
        return elements(shape) if shape is not None else 0

    def attr(self, name: str, default: Any = None) -> Any:
        return self.attrs.get(name, default)


@dataclass
class OpCost:
    kind: LayerKind
    macs: int = 0
    other_ops: int = 0
    dims: ConvDims | MatMulDims | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    modelled: bool = True
    warning: str | None = None
    # Which input positions hold the activations / weights of this op, when it is not
    # simply "non-constant = activation, constant float = weight" (e.g. quantized ops,
    # whose scales and zero points are parameters, not weights).
    activation_inputs: tuple[int, ...] | None = None
    weight_inputs: tuple[int, ...] | None = None


class ShapeUnknown(Exception):
    """A parser needs a shape that inference could not provide."""


Parser = Callable[[NodeInfo], OpCost]
# Keys: the op type for the default ONNX domain, "domain:OpType" for the others (an op
# of another domain may share a name with an ONNX op and mean something else, e.g.
# com.microsoft's Attention, which includes the QKV projection).
PARSERS: dict[str, Parser] = {}
DEFAULT_DOMAINS = ("", "ai.onnx")


def register(*ops: str) -> Callable[[Parser], Parser]:
    def decorate(fn: Parser) -> Parser:
        for op in ops:
            PARSERS[op] = fn
        return fn
    return decorate


def parser_key(op: str, domain: str = "") -> str:
    return op if domain in DEFAULT_DOMAINS else f"{domain}:{op}"


def parse(node: NodeInfo) -> OpCost:
    return PARSERS.get(parser_key(node.op, node.domain), parse_generic)(node)


def need(shape: Shape | None, what: str) -> Shape:
    if shape is None:
        raise ShapeUnknown(what)
    return shape


# -------------------------------------------------------------------------- fallback

def parse_generic(node: NodeInfo) -> OpCost:
    return OpCost(LayerKind.GENERIC, other_ops=node.out_elems, modelled=False,
                  warning=f"op {node.op!r} (node {node.name!r}) not modelled: costed as "
                          f"{node.out_elems} element operations")
