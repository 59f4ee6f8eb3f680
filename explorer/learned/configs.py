"""Layer configurations: the flat, hashable description of one benchmarkable layer.

A `LayerConfig` is what a device measures, what the benchmark store keeps as one row and
what a model is trained on. Every kind of layer uses the same integer columns (unused ones
are 0) so that the HDF5 store is a set of plain column datasets and a configuration can be
turned into a feature vector without per-kind code paths.

Matrix products use `m`, `n`, `k`; convolutions, pooling and element-wise layers use the
NCHW columns. Output sizes are derived, never stored inconsistently.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, fields
from typing import Any

from explorer.errors import BenchmarkError
from explorer.workload.network import ConvDims, Layer, LayerKind, MatMulDims

# The kinds a device can benchmark, and the ONNX ops it can build for each.
BENCHMARK_OPS: dict[str, tuple[str, ...]] = {
    "conv": ("Conv",),
    "matmul": ("Gemm", "MatMul"),
    "pool": ("MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool"),
    "eltwise": ("Relu", "Add", "Sum", "Mul", "Sigmoid", "Clip", "BatchNormalization",
                "LeakyRelu", "Tanh"),
    "norm": ("LRN",),
    "softmax": ("Softmax",),
    "data": ("Concat", "Transpose"),
}
KINDS: tuple[str, ...] = tuple(BENCHMARK_OPS)
ACTIVATIONS: tuple[str, ...] = ("", "Relu")


@dataclass(frozen=True)
class LayerConfig:
    """One single-layer benchmark. `activation` and `residual` describe what a device's
    compiler fused into the layer (onnxruntime: Conv+Relu, Conv+Add+Relu)."""

    kind: str
    op: str
    batch: int = 1
    in_channels: int = 0
    in_h: int = 1
    in_w: int = 1
    out_channels: int = 0
    kernel_h: int = 1
    kernel_w: int = 1
    stride_h: int = 1
    stride_w: int = 1
    pad_top: int = 0
    pad_left: int = 0
    pad_bottom: int = 0
    pad_right: int = 0
    groups: int = 1
    m: int = 0
    n: int = 0
    k: int = 0
    num_inputs: int = 1
    activation: str = ""
    residual: int = 0

    def __post_init__(self) -> None:
        if self.kind not in BENCHMARK_OPS:
            raise BenchmarkError(f"layer config: kind {self.kind!r} not benchmarkable; "
                                 f"allowed: {', '.join(KINDS)}")
        if self.op not in BENCHMARK_OPS[self.kind]:
            raise BenchmarkError(f"layer config: op {self.op!r} is not a {self.kind} op; "
                                 f"allowed: {', '.join(BENCHMARK_OPS[self.kind])}")
        if self.activation not in ACTIVATIONS:
            raise BenchmarkError(f"layer config: activation {self.activation!r}; allowed: "
                                 "'' or 'Relu'")
        for f in INT_COLUMNS:
            if getattr(self, f) < 0:
                raise BenchmarkError(f"layer config: {f} = {getattr(self, f)} must be >= 0")
        if self.kind == "conv" and (self.groups < 1 or self.in_channels % self.groups
                                    or self.out_channels % self.groups):
            raise BenchmarkError(
                    f"layer config: groups {self.groups} must divide in_channels "
                    f"{self.in_channels} and out_channels {self.out_channels}")
        if self.kind in ("conv", "pool") and (self.out_h < 1 or self.out_w < 1):
            raise BenchmarkError(f"layer config: kernel {self.kernel_h}x{self.kernel_w} does "
                                 f"not fit input {self.in_h}x{self.in_w} with its padding")
        if self.kind == "matmul" and min(self.m, self.n, self.k) < 1:
            raise BenchmarkError("layer config: matmul needs m, n, k >= 1")

    # -- derived sizes ---------------------------------------------------------------
    @property
    def out_h(self) -> int:
        if self.kind not in ("conv", "pool"):
            return self.in_h
        return (self.in_h + self.pad_top + self.pad_bottom - self.kernel_h) // self.stride_h + 1

    @property
    def out_w(self) -> int:
        if self.kind not in ("conv", "pool"):
            return self.in_w
        return (self.in_w + self.pad_left + self.pad_right - self.kernel_w) // self.stride_w + 1

    @property
    def macs(self) -> int:
        if self.kind == "conv":
            return (self.batch * self.out_h * self.out_w * self.out_channels
                    * (self.in_channels // self.groups) * self.kernel_h * self.kernel_w)
        if self.kind == "matmul":
            return self.batch * self.m * self.n * self.k
        return 0

    @property
    def input_elems(self) -> int:
        if self.kind == "matmul":
            return self.batch * self.m * self.k
        return self.batch * self.in_channels * self.in_h * self.in_w * max(self.num_inputs, 1)

    @property
    def output_elems(self) -> int:
        if self.kind == "matmul":
            return self.batch * self.m * self.n
        if self.kind == "data" and self.op == "Concat":
            return self.batch * self.in_channels * self.in_h * self.in_w * self.num_inputs
        return self.batch * self.out_channels_effective * self.out_h * self.out_w

    @property
    def out_channels_effective(self) -> int:
        return self.out_channels if self.kind == "conv" else self.in_channels

    @property
    def weight_elems(self) -> int:
        if self.kind == "conv":
            return (self.out_channels * (self.in_channels // self.groups)
                    * self.kernel_h * self.kernel_w + self.out_channels)
        if self.kind == "matmul":
            return self.k * self.n + (self.n if self.op == "Gemm" else 0)
        return 0

    @property
    def other_ops(self) -> int:
        """Non-MAC arithmetic (pool windows, element-wise ops), for roofline-like features."""
        if self.kind == "pool":
            return self.batch * self.in_channels * self.out_h * self.out_w * self.kernel_h * self.kernel_w
        if self.kind in ("eltwise", "norm", "softmax"):
            per = self.kernel_h if self.kind == "norm" else 1
            return self.input_elems * per
        return 0

    def with_changes(self, **changes: Any) -> LayerConfig:
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def key(self) -> tuple:
        """Identity of the configuration (used to skip already measured rows)."""
        return tuple(getattr(self, f.name) for f in fields(self))

    def describe(self) -> str:
        if self.kind == "conv":
            g = f" g{self.groups}" if self.groups > 1 else ""
            return (f"{self.op} {self.in_channels}x{self.in_h}x{self.in_w}->{self.out_channels} "
                    f"k{self.kernel_h}x{self.kernel_w} s{self.stride_h}{g}"
                    f"{' +' + self.activation if self.activation else ''}"
                    f"{' +res' if self.residual else ''}")
        if self.kind == "matmul":
            return f"{self.op} {self.m}x{self.k}@{self.k}x{self.n}"
        return f"{self.op} {self.in_channels}x{self.in_h}x{self.in_w}"


STR_COLUMNS: tuple[str, ...] = ("kind", "op", "activation")
INT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(LayerConfig) if f.name not in STR_COLUMNS)
CONFIG_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(LayerConfig))


def config_from_row(row: dict[str, Any]) -> LayerConfig:
    values = {}
    for name in CONFIG_COLUMNS:
        value = row[name]
        if isinstance(value, bytes):
            value = value.decode()
        values[name] = str(value) if name in STR_COLUMNS else int(value)
    return LayerConfig(**values)


# -- network layers -> configurations ----------------------------------------------------
def _nchw(shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """Batch, channels, height, width of an activation shape of any rank."""
    dims = [int(d) for d in shape] or [1]
    if len(dims) == 1:
        return 1, dims[0], 1, 1
    if len(dims) == 2:
        return dims[0], dims[1], 1, 1
    if len(dims) == 3:
        return dims[0], dims[1], dims[2], 1
    return dims[0], dims[1], dims[2], math.prod(dims[3:])


def _pair(value: Any, default: int) -> tuple[int, int]:
    if value is None:
        return default, default
    if isinstance(value, int):
        return value, value
    values = [int(v) for v in value]
    if not values:
        return default, default
    return (values[0], values[1]) if len(values) > 1 else (values[0], 1)


def _pads(value: Any) -> tuple[int, int, int, int]:
    values = [int(v) for v in (value or [])]
    if len(values) == 4:
        return values[0], values[1], values[2], values[3]
    if len(values) == 2:
        return values[0], 0, values[1], 0
    return 0, 0, 0, 0


ACTIVATION_OPS = {"Relu"}
RESIDUAL_OPS = {"Add", "Sum"}
NORMALISATION_OPS = {"BatchNormalization", "Mul", "Add", "Unsqueeze"}


def config_from_layer(layer: Layer) -> LayerConfig | None:
    """The benchmark configuration that costs like `layer`, or None when no single-layer
    benchmark stands for it (reshapes, unmodelled ops)."""
    fused = list(layer.fused_ops)
    activation = "Relu" if any(op in ACTIVATION_OPS for op in fused) else ""
    dims = layer.dims
    if layer.kind == LayerKind.CONV and isinstance(dims, ConvDims) and not dims.transposed:
        # A residual add fused into a conv brings a second full-size input.
        residual = int(any(op in RESIDUAL_OPS for op in fused)
                       and len(layer.inputs) > 1)
        return LayerConfig(
            kind="conv", op="Conv", batch=dims.batch, in_channels=dims.in_channels,
            in_h=dims.in_h, in_w=dims.in_w, out_channels=dims.out_channels,
            kernel_h=dims.kernel_h, kernel_w=dims.kernel_w, stride_h=dims.stride_h,
            stride_w=dims.stride_w, pad_top=dims.pad_top, pad_left=dims.pad_left,
            pad_bottom=dims.pad_bottom, pad_right=dims.pad_right, groups=dims.groups,
            activation=activation, residual=residual)
    if layer.kind == LayerKind.MATMUL and isinstance(dims, MatMulDims):
        op = "Gemm" if layer.op == "Gemm" else "MatMul"
        return LayerConfig(kind="matmul", op=op, batch=dims.batch, m=dims.m, n=dims.n,
                           k=dims.k, activation=activation)
    if not layer.inputs:
        return None
    batch, channels, h, w = _nchw(layer.inputs[0])
    if layer.kind == LayerKind.POOL and layer.op in BENCHMARK_OPS["pool"]:
        if layer.op.startswith("Global"):
            return LayerConfig(kind="pool", op=layer.op, batch=batch, in_channels=channels,
                               in_h=h, in_w=w, kernel_h=h, kernel_w=w)
        kh, kw = _pair(layer.attrs.get("kernel_shape"), 1)
        sh, sw = _pair(layer.attrs.get("strides"), 1)
        top, left, bottom, right = _pads(layer.attrs.get("pads"))
        if layer.outputs:  # ceil_mode or SAME padding: pad so that the output size matches
            _, _, oh, ow = _nchw(layer.outputs[0])
            bottom += max(0, (oh - 1) * sh + kh - (h + top + bottom))
            right += max(0, (ow - 1) * sw + kw - (w + left + right))
        return LayerConfig(kind="pool", op=layer.op, batch=batch, in_channels=channels,
                           in_h=h, in_w=w, kernel_h=kh, kernel_w=kw, stride_h=sh,
                           stride_w=sw, pad_top=top, pad_left=left, pad_bottom=bottom,
                           pad_right=right, activation=activation)
    if layer.kind == LayerKind.ELTWISE:
        op = layer.op if layer.op in BENCHMARK_OPS["eltwise"] else "Relu"
        n_inputs = max(1, len([s for s in layer.inputs if _elements(s) == _elements(layer.inputs[0])]))
        if op in ("Relu", "Sigmoid", "Clip", "LeakyRelu", "Tanh", "BatchNormalization"):
            n_inputs = 1
        return LayerConfig(kind="eltwise", op=op, batch=batch, in_channels=channels, in_h=h,
                           in_w=w, num_inputs=n_inputs)
    if layer.kind == LayerKind.NORM and layer.op == "LRN":
        size = int(layer.attrs.get("size", 5) or 5)
        return LayerConfig(kind="norm", op="LRN", batch=batch, in_channels=channels, in_h=h,
                           in_w=w, kernel_h=size)
    if layer.kind == LayerKind.SOFTMAX:
        return LayerConfig(kind="softmax", op="Softmax", batch=batch, in_channels=channels,
                           in_h=h, in_w=w)
    if layer.kind == LayerKind.DATA and layer.op == "Concat" and layer.outputs:
        _, out_c, _, _ = _nchw(layer.outputs[0])
        parts = max(1, len(layer.inputs))
        return LayerConfig(kind="data", op="Concat", batch=batch,
                           in_channels=max(1, round(out_c / parts)), in_h=h, in_w=w,
                           num_inputs=parts)
    if layer.kind == LayerKind.DATA and layer.op == "Transpose":
        return LayerConfig(kind="data", op="Transpose", batch=batch, in_channels=channels,
                           in_h=h, in_w=w)
    return None


def _elements(shape: tuple[int, ...]) -> int:
    return math.prod(shape) if shape else 1


def layer_from_config(config: LayerConfig, name: str = "layer") -> Layer:
    """A workload `Layer` with the shapes of `config` (what the simulator device costs)."""
    c = config
    weights: list[tuple[int, ...]] = []
    if c.kind == "conv":
        dims: ConvDims | MatMulDims | None = ConvDims(
            batch=c.batch, in_channels=c.in_channels, in_h=c.in_h, in_w=c.in_w,
            out_channels=c.out_channels, out_h=c.out_h, out_w=c.out_w, kernel_h=c.kernel_h,
            kernel_w=c.kernel_w, stride_h=c.stride_h, stride_w=c.stride_w,
            pad_top=c.pad_top, pad_left=c.pad_left, pad_bottom=c.pad_bottom,
            pad_right=c.pad_right, groups=c.groups)
        inputs = [(c.batch, c.in_channels, c.in_h, c.in_w)]
        if c.residual:
            inputs.append((c.batch, c.out_channels, c.out_h, c.out_w))
        outputs = [(c.batch, c.out_channels, c.out_h, c.out_w)]
        weights = [(c.out_channels, c.in_channels // c.groups, c.kernel_h, c.kernel_w),
                   (c.out_channels,)]
        kind = LayerKind.CONV
    elif c.kind == "matmul":
        dims = MatMulDims(m=c.m, n=c.n, k=c.k, batch=c.batch)
        inputs = [(c.batch, c.m, c.k) if c.batch > 1 else (c.m, c.k)]
        outputs = [(c.batch, c.m, c.n) if c.batch > 1 else (c.m, c.n)]
        weights = [(c.k, c.n)] + ([(c.n,)] if c.op == "Gemm" else [])
        kind = LayerKind.MATMUL
    else:
        dims = None
        shape = (c.batch, c.in_channels, c.in_h, c.in_w)
        inputs = [shape] * max(1, c.num_inputs)
        kind = LayerKind(c.kind)
        if c.kind == "pool":
            outputs = [(c.batch, c.in_channels, c.out_h, c.out_w)]
        elif c.op == "Concat":
            outputs = [(c.batch, c.in_channels * c.num_inputs, c.in_h, c.in_w)]
        else:
            outputs = [shape]
    fused = ([c.activation] if c.activation else []) + (["Add"] if c.residual else [])
    attrs: dict[str, Any] = {}
    if c.kind == "pool":
        attrs = {"kernel_shape": [c.kernel_h, c.kernel_w], "strides": [c.stride_h, c.stride_w],
                 "pads": [c.pad_top, c.pad_left, c.pad_bottom, c.pad_right]}
    elif c.kind == "norm":
        attrs = {"size": c.kernel_h}
    return Layer(name=name, op=c.op, kind=kind, onnx_nodes=[name], inputs=inputs,
                 outputs=outputs, weights=weights, dims=dims, macs=c.macs,
                 other_ops=c.other_ops, attrs=attrs, fused_ops=fused)
