"""The layer configuration space: what CNN-like layers look like, as distributions to draw
random configurations from and as base configurations for one-parameter sweeps.

Ranges follow the layers of common image networks (7-224 pixels, 1-1024 channels,
kernels 1-11, depthwise and grouped convolutions, fully connected layers up to ~100 M
weights, pointwise convolutions on 1-6 pixels as in squeeze-excitation blocks and
classifiers written as convolutions) without being read from any of the networks used
for evaluation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from explorer.learned.configs import LayerConfig

# Share of a sample budget given to each kind: convolutions dominate every CNN's latency.
KIND_SHARES: dict[str, float] = {"conv": 0.62, "matmul": 0.07, "pool": 0.08, "eltwise": 0.12,
                                 "norm": 0.03, "softmax": 0.02, "data": 0.06}
MAX_MACS = 2.5e9  # keeps one measurement under ~0.5 s on this machine
MAX_ELEMS = 2.5e7  # activations/weights per tensor


def _log_int(rng: np.random.Generator, lo: int, hi: int) -> int:
    return int(round(math.exp(rng.uniform(math.log(lo), math.log(hi + 0.999)) - 0.499)))


def _spatial(rng: np.random.Generator, lo: int = 7, hi: int = 224) -> int:
    return max(lo, min(hi, _log_int(rng, lo, hi)))


def _channels(rng: np.random.Generator, lo: int = 1, hi: int = 1024) -> int:
    """Log-uniform; half of the draws rounded to a multiple of 16 (8 below 64), as most
    channel counts of real networks are, and as vector units and PE arrays prefer."""
    value = max(lo, min(hi, _log_int(rng, lo, hi)))
    if value >= 8 and rng.random() < 0.5:
        step = 16 if value >= 64 else 8
        value = max(lo, min(hi, round(value / step) * step))
    return value


def random_conv(rng: np.random.Generator) -> LayerConfig:
    while True:
        kernel = int(rng.choice([1, 3, 5, 7, 11], p=[0.42, 0.42, 0.07, 0.05, 0.04]))
        stride = int(rng.choice([1, 2, 4], p=[0.8, 0.17, 0.03])) if kernel > 1 else \
            int(rng.choice([1, 2], p=[0.9, 0.1]))
        size = _spatial(rng, max(kernel, 7), 224)
        if kernel == 1 and rng.random() < 0.08:  # squeeze-excitation, conv classifiers
            size = _log_int(rng, 1, 6)
        pad = kernel // 2 if rng.random() < 0.85 else 0
        cin = 3 if rng.random() < 0.05 else _channels(rng, 1, 1024)
        cout = _channels(rng, 8, 1024)
        groups = 1
        r = rng.random()
        if r < 0.12 and cin >= 8:
            groups = cin
            cout = cin * int(rng.choice([1, 1, 1, 2]))
        elif r < 0.2:
            groups = int(rng.choice([2, 3, 4, 8]))
            cin = max(groups, cin // groups * groups)
            cout = max(groups, cout // groups * groups)
        activation = "Relu" if rng.random() < 0.7 else ""
        residual = int(kernel == 1 and stride == 1 and rng.random() < 0.12)
        config = LayerConfig(kind="conv", op="Conv", in_channels=cin, in_h=size, in_w=size,
                             out_channels=cout, kernel_h=kernel, kernel_w=kernel,
                             stride_h=stride, stride_w=stride, pad_top=pad, pad_left=pad,
                             pad_bottom=pad, pad_right=pad, groups=groups,
                             activation=activation, residual=residual)
        if config.macs <= MAX_MACS and config.input_elems <= MAX_ELEMS:
            return config


def random_matmul(rng: np.random.Generator) -> LayerConfig:
    while True:
        m = 1 if rng.random() < 0.6 else _log_int(rng, 1, 512)
        k = _log_int(rng, 16, 25088)
        n = _log_int(rng, 10, 4096)
        op = "Gemm" if rng.random() < 0.8 else "MatMul"
        activation = "Relu" if op == "Gemm" and rng.random() < 0.5 else ""
        config = LayerConfig(kind="matmul", op=op, m=m, n=n, k=k, activation=activation)
        if k * n <= 1.1e8 and config.macs <= MAX_MACS:
            return config


def random_pool(rng: np.random.Generator) -> LayerConfig:
    channels = _channels(rng, 8, 1024)
    if rng.random() < 0.2:
        size = _spatial(rng, 1, 14)
        op = "GlobalAveragePool" if rng.random() < 0.85 else "GlobalMaxPool"
        return LayerConfig(kind="pool", op=op, in_channels=channels, in_h=size, in_w=size,
                           kernel_h=size, kernel_w=size)
    kernel = int(rng.choice([2, 3, 5, 7], p=[0.3, 0.6, 0.05, 0.05]))
    stride = int(rng.choice([1, 2], p=[0.3, 0.7]))
    size = _spatial(rng, max(kernel, 7), 224)
    pad = int(rng.choice([0, 1])) if kernel == 3 else 0
    extra = int(rng.choice([0, 1], p=[0.7, 0.3]))  # ceil_mode-like extra row/column
    op = "MaxPool" if rng.random() < 0.75 else "AveragePool"
    return LayerConfig(kind="pool", op=op, in_channels=channels, in_h=size, in_w=size,
                       kernel_h=kernel, kernel_w=kernel, stride_h=stride, stride_w=stride,
                       pad_top=pad, pad_left=pad, pad_bottom=pad + extra, pad_right=pad + extra)


def random_eltwise(rng: np.random.Generator) -> LayerConfig:
    op = str(rng.choice(["Relu", "Add", "Sum", "Mul", "BatchNormalization"],
                        p=[0.3, 0.25, 0.15, 0.15, 0.15]))
    # Add and Mul: of two activations (a residual) or of one and a per-channel constant
    # (a bias, a Caffe-style scale).
    inputs = {"Add": int(rng.choice([1, 2])), "Mul": int(rng.choice([1, 2])),
              "Sum": int(rng.choice([2, 3]))}.get(op, 1)
    return LayerConfig(kind="eltwise", op=op, in_channels=_channels(rng, 8, 1024),
                       in_h=(size := _spatial(rng, 1, 112)), in_w=size, num_inputs=inputs)


def random_norm(rng: np.random.Generator) -> LayerConfig:
    return LayerConfig(kind="norm", op="LRN", in_channels=_channels(rng, 16, 512),
                       in_h=(size := _spatial(rng, 7, 112)), in_w=size, kernel_h=5)


def random_softmax(rng: np.random.Generator) -> LayerConfig:
    return LayerConfig(kind="softmax", op="Softmax", in_channels=_log_int(rng, 2, 4096))


def random_data(rng: np.random.Generator) -> LayerConfig:
    size = _spatial(rng, 1, 112)
    if rng.random() < 0.7:
        return LayerConfig(kind="data", op="Concat", in_channels=_channels(rng, 8, 512),
                           in_h=size, in_w=size, num_inputs=int(rng.choice([2, 3, 4])))
    return LayerConfig(kind="data", op="Transpose", in_channels=_channels(rng, 8, 1024),
                       in_h=size, in_w=size)


RANDOM_BY_KIND = {"conv": random_conv, "matmul": random_matmul, "pool": random_pool,
                  "eltwise": random_eltwise, "norm": random_norm, "softmax": random_softmax,
                  "data": random_data}


def kind_schedule(budget: int, kinds: tuple[str, ...] | None = None) -> list[str]:
    """The kind of each sample in order, by largest deficit against KIND_SHARES: every
    prefix is balanced, so a plan for a small budget is a prefix of a larger one (budget
    curves reuse measurements)."""
    kinds = kinds or tuple(KIND_SHARES)
    total = sum(KIND_SHARES[k] for k in kinds)
    counts = dict.fromkeys(kinds, 0)
    out = []
    for i in range(budget):
        kind = max(kinds, key=lambda k: (KIND_SHARES[k] / total * (i + 1) - counts[k], -kinds.index(k)))
        counts[kind] += 1
        out.append(kind)
    return out


def random_configs(budget: int, seed: int, kinds: tuple[str, ...] | None = None,
                   exclude: set[tuple] | None = None) -> list[LayerConfig]:
    """`budget` distinct random configurations in a kind-balanced order; deterministic in
    seed, and the list for a smaller budget is a prefix of the list for a larger one."""
    kinds = kinds or tuple(KIND_SHARES)
    streams = {k: np.random.default_rng([seed, i]) for i, k in enumerate(KIND_SHARES)}
    seen = set(exclude or ())
    out: list[LayerConfig] = []
    for kind in kind_schedule(budget, kinds):
        for _ in range(200):
            config = RANDOM_BY_KIND[kind](streams[kind])
            if config.key() not in seen:
                seen.add(config.key())
                out.append(config)
                break
    return out


@dataclass(frozen=True)
class SweepSpec:
    """One initial one-parameter sweep: `param` over `values` around `base`."""

    name: str
    base: LayerConfig
    param: str
    values: tuple[int, ...]

    def configs(self) -> list[LayerConfig]:
        return [sweep_point(self.base, self.param, v) for v in self.values]


def sweep_point(base: LayerConfig, param: str, value: int) -> LayerConfig:
    if param == "size":  # square spatial size
        return base.with_changes(in_h=value, in_w=value)
    changes: dict[str, int] = {param: value}
    if base.kind == "conv" and base.groups > 1 and param in ("in_channels", "out_channels"):
        changes = {"in_channels": value, "out_channels": value, "groups": value}
    return base.with_changes(**changes)


def _same(kernel: int) -> dict[str, int]:
    p = kernel // 2
    return {"kernel_h": kernel, "kernel_w": kernel, "pad_top": p, "pad_left": p,
            "pad_bottom": p, "pad_right": p}


def default_sweeps(max_channels: int = 96, max_size: int = 40) -> list[SweepSpec]:
    """Base configurations and the parameters swept around them, step 1 (channels and
    sizes are where CPUs and PE arrays have their steps), most informative first."""
    ch = tuple(range(1, max_channels + 1))
    sizes = tuple(range(4, max_size + 1))
    conv3 = LayerConfig(kind="conv", op="Conv", in_channels=64, in_h=28, in_w=28,
                        out_channels=64, activation="Relu", **_same(3))
    conv1 = LayerConfig(kind="conv", op="Conv", in_channels=128, in_h=28, in_w=28,
                        out_channels=128, activation="Relu", **_same(1))
    dw = LayerConfig(kind="conv", op="Conv", in_channels=64, in_h=28, in_w=28,
                     out_channels=64, groups=64, **_same(3))
    gemm = LayerConfig(kind="matmul", op="Gemm", m=1, n=512, k=512)
    gemm_m = LayerConfig(kind="matmul", op="Gemm", m=64, n=256, k=256)
    pool = LayerConfig(kind="pool", op="MaxPool", in_channels=64, in_h=28, in_w=28,
                       kernel_h=3, kernel_w=3, stride_h=2, stride_w=2)
    relu = LayerConfig(kind="eltwise", op="Relu", in_channels=64, in_h=28, in_w=28)
    return [
        SweepSpec("conv3x3.out_channels", conv3, "out_channels", ch),
        SweepSpec("conv3x3.in_channels", conv3, "in_channels", ch),
        SweepSpec("conv1x1.out_channels", conv1, "out_channels", ch),
        SweepSpec("conv1x1.in_channels", conv1, "in_channels", ch),
        SweepSpec("pool.channels", pool, "in_channels", ch),
        SweepSpec("gemm.k", gemm, "k", ch),
        SweepSpec("gemm.n", gemm, "n", ch),
        SweepSpec("relu.channels", relu, "in_channels", ch),
        SweepSpec("dwconv.channels", dw, "in_channels", ch),
        SweepSpec("conv3x3.size", conv3, "size", sizes),
        SweepSpec("gemm.m", gemm_m, "m", tuple(range(1, 49))),
    ]
