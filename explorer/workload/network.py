"""The workload model: a network of layers with shapes, dimensions, MACs and bytes.

A `Layer` is what an estimator costs: one ONNX node, or several fused together (its
`onnx_nodes` lists them all). Element counts are stored; bytes are derived at a given
precision because the same network runs at float32 on a CPU and at int8 on Gemmini.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property

import networkx as nx

Shape = tuple[int, ...]


class LayerKind(StrEnum):
    """What kind of work a layer is; estimators and mappers dispatch on it."""

    CONV = "conv"  # Conv, ConvTranspose, QLinearConv, ConvInteger (incl. grouped, 1-D)
    MATMUL = "matmul"  # Gemm, MatMul (batched), QLinearMatMul, MatMulInteger
    POOL = "pool"  # MaxPool, AveragePool, GlobalAveragePool, ...
    ELTWISE = "eltwise"  # Add, Sum, Mul, Relu, Sigmoid, Clip, BatchNormalization, ...
    NORM = "norm"  # LRN, LayerNormalization, InstanceNormalization
    SOFTMAX = "softmax"
    RNN = "rnn"  # LSTM, GRU, RNN
    DATA = "data"  # Reshape, Transpose, Concat, Split, Resize, ...: data movement only
    GENERIC = "generic"  # not modelled: costed by element count and flagged


@dataclass(frozen=True)
class ConvDims:
    """Dimensions of a convolution (2-D; 1-D convs have in_h = out_h = kernel_h = 1)."""

    batch: int
    in_channels: int
    in_h: int
    in_w: int
    out_channels: int
    out_h: int
    out_w: int
    kernel_h: int
    kernel_w: int
    stride_h: int = 1
    stride_w: int = 1
    pad_top: int = 0
    pad_left: int = 0
    pad_bottom: int = 0
    pad_right: int = 0
    dilation_h: int = 1
    dilation_w: int = 1
    groups: int = 1
    transposed: bool = False

    @property
    def in_channels_per_group(self) -> int:
        return self.in_channels // self.groups

    @property
    def out_channels_per_group(self) -> int:
        return self.out_channels // self.groups

    @property
    def depthwise(self) -> bool:
        return self.groups > 1 and self.groups == self.in_channels

    @property
    def macs(self) -> int:
        if self.transposed:  # every input pixel scatters a kernel into the output
            return (self.batch * self.in_h * self.in_w * self.in_channels
                    * self.out_channels_per_group * self.kernel_h * self.kernel_w)
        return (self.batch * self.out_h * self.out_w * self.out_channels
                * self.in_channels_per_group * self.kernel_h * self.kernel_w)


@dataclass(frozen=True)
class MatMulDims:
    """C[batch, m, n] = A[batch, m, k] @ B[k, n] (B batched too when `weights_batched`)."""

    m: int
    n: int
    k: int
    batch: int = 1
    weights_batched: bool = False  # attention: both operands are activations

    @property
    def macs(self) -> int:
        return self.batch * self.m * self.n * self.k


Dims = ConvDims | MatMulDims


def elements(shape: Shape) -> int:
    return math.prod(shape) if shape else 1


@dataclass
class Layer:
    """One costed unit of work. `inputs` are activation shapes, `weights` constant ones."""

    name: str
    op: str  # ONNX op type of the main node ("Conv", "Gemm", ...)
    kind: LayerKind
    onnx_nodes: list[str]
    inputs: list[Shape]
    outputs: list[Shape]
    weights: list[Shape] = field(default_factory=list)
    dims: Dims | None = None
    macs: int = 0
    other_ops: int = 0  # element-wise, pooling, softmax, normalisation arithmetic
    act_bits: int = 32  # precision in the ONNX file; estimators may use the target's
    weight_bits: int = 32
    modelled: bool = True
    attrs: dict = field(default_factory=dict)  # op attributes worth keeping (pool kernel...)
    fused_ops: list[str] = field(default_factory=list)  # op types merged in by fusion

    @property
    def input_elems(self) -> int:
        return sum(elements(s) for s in self.inputs)

    @property
    def weight_elems(self) -> int:
        return sum(elements(s) for s in self.weights)

    @property
    def output_elems(self) -> int:
        return sum(elements(s) for s in self.outputs)

    def input_bytes(self, bits: int | None = None) -> float:
        return self.input_elems * (bits or self.act_bits) / 8

    def weight_bytes(self, bits: int | None = None) -> float:
        return self.weight_elems * (bits or self.weight_bits) / 8

    def output_bytes(self, bits: int | None = None) -> float:
        return self.output_elems * (bits or self.act_bits) / 8

    def bytes_moved(self, act_bits: int | None = None, weight_bits: int | None = None) -> float:
        """Inputs + weights + outputs, each once (the roofline's traffic)."""
        return (self.input_bytes(act_bits) + self.weight_bytes(weight_bits)
                + self.output_bytes(act_bits))

    @property
    def ops(self) -> int:
        """Arithmetic operations: 2 per MAC plus the others."""
        return 2 * self.macs + self.other_ops

    @property
    def output_shape(self) -> Shape:
        return self.outputs[0] if self.outputs else ()

    def with_changes(self, **changes) -> Layer:
        return replace(self, **changes)


@dataclass
class Network:
    """Layers in topological order plus the graph of their data dependencies."""

    name: str
    layers: list[Layer]
    graph: nx.DiGraph  # nodes: layer names; edge u -> v when v reads what u writes
    source: str = ""  # file path, or "onnx:<zoo name>"
    sha256: str = ""
    input_shapes: dict[str, Shape] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @cached_property
    def by_name(self) -> dict[str, Layer]:
        return {layer.name: layer for layer in self.layers}

    def __getitem__(self, name: str) -> Layer:
        return self.by_name[name]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    @property
    def unmodelled(self) -> list[Layer]:
        return [layer for layer in self.layers if not layer.modelled]

    def weight_bytes(self, bits: int | None = None) -> float:
        return sum(layer.weight_bytes(bits) for layer in self.layers)
