"""From layer configurations to model features.

`config_matrix` turns configurations into the numeric matrix scikit-learn expects (one
row per configuration, the LayerConfig columns, strings as vocabulary codes).
`LayerFeaturizer` is a scikit-learn transformer from that matrix to features: raw sizes
(log scale), the PR-mapped sizes (each stepped parameter moved to its plateau's
representative, plus whether the value is in the rule's divisibility class) and derived
work measures (MACs, padded MACs, bytes).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from explorer.learned.configs import (
    ACTIVATIONS,
    BENCHMARK_OPS,
    CONFIG_COLUMNS,
    KINDS,
    STR_COLUMNS,
    LayerConfig,
)
from explorer.learned.pr import RuleSet, family, param_columns

OPS: tuple[str, ...] = tuple(op for ops in BENCHMARK_OPS.values() for op in ops)
_VOCAB = {"kind": KINDS, "op": OPS, "activation": ACTIVATIONS}
KIND_COLUMN = CONFIG_COLUMNS.index("kind")

RAW_COLUMNS = ("batch", "in_channels", "in_h", "in_w", "out_channels", "kernel_h", "kernel_w",
               "stride_h", "stride_w", "groups", "m", "n", "k", "num_inputs")


def config_matrix(configs: Iterable[LayerConfig]) -> np.ndarray:
    rows = []
    for c in configs:
        rows.append([_VOCAB[name].index(getattr(c, name)) if name in STR_COLUMNS
                     else getattr(c, name) for name in CONFIG_COLUMNS])
    return np.array(rows, dtype=np.int64).reshape(-1, len(CONFIG_COLUMNS))


def matrix_configs(X: np.ndarray) -> list[LayerConfig]:
    out = []
    for row in np.asarray(X, dtype=np.int64):
        values = {name: (_VOCAB[name][int(v)] if name in STR_COLUMNS else int(v))
                  for name, v in zip(CONFIG_COLUMNS, row)}
        out.append(LayerConfig(**values))
    return out


def _log(x: float) -> float:
    return math.log2(1.0 + max(0.0, x))


class LayerFeaturizer(TransformerMixin, BaseEstimator):
    """Configuration matrix -> features.

    rules: step rules as plain dicts (`StepRule.as_dict()`), usually from the sweeps of a
    PR campaign; None or [] gives the raw features only (the random-sampling baseline).
    block: device knowledge, (reduction, output) parallelism: a PE array's rows and
    columns, or a CPU's vector width twice. Adds the folds of the reduction and output
    dimensions onto it (ceil(n / p)) and the work padded to whole folds.
    """

    def __init__(self, rules: Sequence[dict] | None = None,
                 block: tuple[int, int] | None = None, sms: int | None = None) -> None:
        self.rules = rules
        self.block = block
        self.sms = sms  # a GPU's streaming multiprocessors: adds `tiling_features`

    def fit(self, X, y=None):
        X = np.asarray(X)
        self.n_features_in_ = X.shape[1]
        self.rule_set_ = RuleSet.from_list(self.rules or [])
        self.mapped_ = sorted({(r.family, r.param, r.divisor) for r in self.rule_set_.rules.values()})
        names = [f"log_{c}" for c in RAW_COLUMNS]
        names += ["pad_h", "pad_w", "depthwise", "residual", "activation"]
        names += [f"op_{op}" for op in OPS]
        names += ["log_macs", "log_padded_macs", "log_in_elems", "log_out_elems",
                  "log_weight_elems", "log_other_ops", "log_out_pixels", "log_reduction"]
        if self.block:
            names += ["log_folds_reduction", "log_folds_output", "log_folded_work",
                      "fill_reduction", "fill_output", "in_channels_aligned",
                      "out_channels_aligned"]
        if getattr(self, "sms", None):
            names += TILING_NAMES
        for fam, param, divisor in self.mapped_:
            names.append(f"pr_{fam}_{param}")
            if divisor > 1:
                names.append(f"aligned_{fam}_{param}")
        self.feature_names_out_ = np.array(names, dtype=object)
        return self

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_

    def transform(self, X) -> np.ndarray:
        check_is_fitted(self, "feature_names_out_")
        configs = matrix_configs(X)
        return np.array([self._row(c) for c in configs], dtype=np.float64).reshape(
            len(configs), len(self.feature_names_out_))

    def _row(self, c: LayerConfig) -> list[float]:
        rules = self.rule_set_
        rep = rules.representative(c)
        row = [_log(getattr(c, name)) for name in RAW_COLUMNS]
        row += [c.pad_top + c.pad_bottom, c.pad_left + c.pad_right,
                float(family(c) == "dwconv"), float(c.residual), float(bool(c.activation))]
        row += [float(c.op == op) for op in OPS]
        reduction = (c.in_channels // max(c.groups, 1) * c.kernel_h * c.kernel_w
                     if c.kind == "conv" else c.k)
        row += [_log(c.macs), _log(rep.macs), _log(c.input_elems), _log(c.output_elems),
                _log(c.weight_elems), _log(c.other_ops), _log(c.out_h * c.out_w),
                _log(reduction)]
        if self.block:
            row += folded_features(c, self.block)
        if getattr(self, "sms", None):
            row += tiling_features(c, int(self.sms))
        fam = family(c)
        for rule_family, param, divisor in self.mapped_:
            column = param_columns(param)[0]
            if rule_family != fam:
                row.append(0.0)
                if divisor > 1:
                    row.append(0.0)
                continue
            row.append(_log(getattr(rep, column)))
            if divisor > 1:
                row.append(float(getattr(c, column) % divisor == 0))
        return row


def reduction_output_pixels(c: LayerConfig) -> tuple[int, int, int, int]:
    """(reduction, output, pixels, groups): the dimensions a PE array or a vector unit
    unrolls. Convs: reduction Cin/g·Kh·Kw, output Cout/g, pixels N·Ho·Wo; matrix products
    k, n, batch·m; others: channels as output over the pixels."""
    if c.kind == "conv":
        g = max(c.groups, 1)
        return (c.in_channels // g * c.kernel_h * c.kernel_w, c.out_channels // g,
                c.batch * c.out_h * c.out_w, g)
    if c.kind == "matmul":
        return c.k, c.n, c.batch * c.m, 1
    return 1, max(c.in_channels, 1), c.batch * c.out_h * c.out_w * max(c.num_inputs, 1), 1


def folded_features(c: LayerConfig, block: tuple[int, int]) -> list[float]:
    """Folds onto the device's blocks, and whether the channel counts are whole blocks:
    a CPU runs blocked (NCHWc) kernels only then, a PE array fills completely."""
    red, out, pixels, groups = reduction_output_pixels(c)
    fr = math.ceil(red / block[0])
    fo = math.ceil(out / block[1])
    cin = c.in_channels if c.kind != "matmul" else c.k
    cout = c.out_channels_effective if c.kind != "matmul" else c.n
    return [_log(fr), _log(fo), _log(groups * fr * fo * pixels),
            red / (fr * block[0]), out / (fo * block[1]),
            _alignment(cin, block[0]), _alignment(cout, block[1])]


def _alignment(value: int, block: int) -> float:
    """1 for multiples of the block, 0.5 for multiples of half of it, else 0."""
    if value > 0 and value % block == 0:
        return 1.0
    return 0.5 if value > 0 and block % 2 == 0 and value % (block // 2) == 0 else 0.0


def folded_work(c: LayerConfig, block: tuple[int, int]) -> float:
    red, out, pixels, groups = reduction_output_pixels(c)
    return float(groups * math.ceil(red / block[0]) * block[0]
                 * math.ceil(out / block[1]) * block[1] * pixels)


# -- GPUs: implicit GEMM tiles and waves over the streaming multiprocessors ----------------
GPU_TILES = ((64, 64), (128, 64), (128, 128), (256, 128), (64, 32))
ALIGNMENTS = (8, 16, 32, 64, 128)
TILING_NAMES = (["log_gemm_m", "log_gemm_n", "log_gemm_k", "align_in", "align_out",
                 "align_reduction"]
                + [f"{what}_{tm}x{tn}" for tm, tn in GPU_TILES
                   for what in ("log_tiles", "waves", "wave_fill", "log_tile_work")]
                + [f"fill_{dim}_{t}" for dim in ("m", "n", "k") for t in (8, 64)])


def largest_alignment(value: int, cap: int = ALIGNMENTS[-1]) -> int:
    """The largest power of two up to `cap` that divides `value` (1 for odd values):
    tensor-core kernels need channel counts in multiples of 8 and prefer larger ones."""
    a = 1
    while value > 0 and value % (2 * a) == 0 and a < cap:
        a *= 2
    return a


def tiling_features(c: LayerConfig, sms: int) -> list[float]:
    """What a GPU's implicit-GEMM kernels see: the GEMM sizes (M = output pixels, N =
    output channels, K = reduction), the channels' alignment, and for a few common tile
    shapes the number of tiles, the waves of tiles over the `sms` multiprocessors, how
    full the last wave is and the work padded to whole waves. At batch 1 latency follows
    waves rather than MACs."""
    red, out, pixels, groups = reduction_output_pixels(c)
    cin = c.in_channels if c.kind != "matmul" else c.k
    cout = c.out_channels_effective if c.kind != "matmul" else c.n
    row = [_log(pixels), _log(out), _log(red), math.log2(largest_alignment(cin)),
           math.log2(largest_alignment(cout)), math.log2(largest_alignment(red))]
    for tm, tn in GPU_TILES:
        tiles = groups * math.ceil(pixels / tm) * math.ceil(out / tn)
        waves = math.ceil(tiles / sms)
        row += [_log(tiles), float(waves), tiles / (waves * sms), _log(waves * tm * tn * red)]
    for size in (pixels, out, red):
        row += [size / (math.ceil(size / t) * t) for t in (8, 64)]
    return row
