"""Cross-validation against ZigZag 3.9.1 (issue 10 §3), benchmarks/zigzag_validation.py.

The fast tests check our side of the set-up (the forced unrolling per layer, the
weight-entry floor, the `systolic` overrides). The test marked `zigzag` runs ZigZag itself
from its own venv on a reduced network (three convolutions and a batch-1 FC layer) and
checks the per-layer target; it is skipped when that venv is absent.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.zigzag_validation import (  # noqa: E402
    DEFAULT_VENV,
    MAPE_TARGET,
    ZIGZAG_VERSION,
    compare_network,
    forced_unrolling,
    installed_version,
    our_accelerator,
    weight_entry_floor,
)
from explorer.workload.network import ConvDims, Layer, LayerKind, MatMulDims  # noqa: E402


def _conv(c: int, k: int, kernel: int, groups: int = 1, hw: int = 14) -> Layer:
    dims = ConvDims(batch=1, in_channels=c, in_h=hw, in_w=hw, out_channels=k, out_h=hw,
                    out_w=hw, kernel_h=kernel, kernel_w=kernel, groups=groups)
    return Layer("conv", "Conv", LayerKind.CONV, ["conv"], [], [], dims=dims)


def _gemm(m: int, n: int, k: int) -> Layer:
    return Layer("fc", "Gemm", LayerKind.MATMUL, ["fc"], [], [], dims=MatMulDims(m=m, n=n, k=k))


def test_the_same_unrolling_is_forced_on_both_sides() -> None:
    assert forced_unrolling(_conv(64, 128, 3)).ours == "channels"  # C on the rows
    assert forced_unrolling(_conv(24, 144, 1)).same  # 1x1: im2col is C alone
    stem = forced_unrolling(_conv(3, 64, 7))
    # C = 3 alone on the rows: 49 row folds on both sides (our own choice would be 5).
    assert stem.same and stem.ours == "channels" and "49 row folds" in stem.note
    assert weight_entry_floor(_conv(3, 64, 7), stem) == 49 * 2 * 32
    assert not forced_unrolling(_conv(64, 64, 3, groups=2)).same  # grouped, not depthwise
    depthwise = forced_unrolling(_conv(96, 96, 3, groups=96))
    assert depthwise.same and depthwise.d1 == (("G", 3),)  # 3 groups x 9 taps per fold
    assert depthwise.ours == "im2col"
    assert depthwise.d2 == (("FY", 3), ("FX", 3))
    fc = forced_unrolling(_gemm(1, 1000, 512))
    assert fc.d1 == (("K", 32),) and fc.d2 == (("C", 32),)


def test_weight_entry_floor_is_folds_times_rows() -> None:
    fc = _gemm(1, 1000, 512)
    assert weight_entry_floor(fc, forced_unrolling(fc)) == 16 * 32 * 32  # 512 folds x 32 rows
    dw = _conv(96, 96, 3, groups=96)
    assert weight_entry_floor(dw, forced_unrolling(dw)) == 32 * 32  # ceil(96 / 3) folds


def test_our_side_is_tpu_like() -> None:
    acc = our_accelerator()
    assert (acc.compute.pe_rows, acc.compute.pe_cols) == (32, 32)
    assert acc.compute.stationary_double_buffered and acc.compute.fold_pipelining
    assert acc.offchip.bandwidth_bytes_per_cycle >= 1e6


def _reduced_network(directory: Path) -> Path:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    def weight(name, shape):
        return numpy_helper.from_array(np.zeros(shape, np.float32), name)

    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["y1"], name="conv3x3", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["y1", "w2"], ["y2"], name="conv1x1", kernel_shape=[1, 1]),
        helper.make_node("Conv", ["y2", "w3"], ["y3"], name="dw3x3", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], group=96),
        helper.make_node("GlobalAveragePool", ["y3"], ["p"], name="pool"),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "w4"], ["out"], name="fc", transB=1),
    ]
    inits = [weight("w1", (64, 64, 3, 3)), weight("w2", (96, 64, 1, 1)),
             weight("w3", (96, 1, 3, 3)), weight("w4", (1000, 96))]
    graph = helper.make_graph(
        nodes, "reduced", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64, 14, 14])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 1000])], inits)
    path = directory / "reduced.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    return path


@pytest.mark.zigzag
@pytest.mark.skipif(installed_version(DEFAULT_VENV) != ZIGZAG_VERSION,
                    reason=f"ZigZag {ZIGZAG_VERSION} venv absent "
                           "(benchmarks/zigzag_validation.py creates it)")
def test_reduced_network_per_layer_against_zigzag(tmp_path: Path) -> None:
    from benchmarks.zigzag_validation import venv_python

    result = compare_network("reduced", _reduced_network(tmp_path), venv_python(DEFAULT_VENV),
                             None, log=lambda *_: None)
    rows = {r["layer"]: r for r in result["layers"]}
    assert set(rows) == {"conv3x3", "conv1x1", "dw3x3", "fc"}
    assert rows["fc"]["reference"] == "physical floor"  # ZigZag fills all PEs at once
    for row in rows.values():
        assert abs(row["error"]) <= MAPE_TARGET, row
