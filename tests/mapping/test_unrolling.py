"""Spatial unrolling chosen per layer (issue 10 §1): the mapper scores every unrolling
the description allows with the timing engine, keeps the fastest and shows it."""

from __future__ import annotations

import pytest

from explorer.errors import ArchitectureError
from explorer.estimators.registry import get_estimator
from explorer.hardware.library import load_accelerator
from explorer.hardware.overrides import apply_overrides
from tests.mapping.mapping_layers import conv


def _estimate(layer, acc, estimator: str = "depgraph"):
    est = get_estimator(estimator)
    return est.estimate_layer(layer, acc)


def _restricted(arch: str, unrollings: str):
    return apply_overrides(load_accelerator(arch), [f"compute.spatial_unrollings={unrollings}"])


def test_small_layer_packs_pixels_on_a_large_array_and_is_faster() -> None:
    layer = conv(3, 112, 32, 3, pad=1)  # mobilenet's stem: C·FY·FX = 27, K = 32
    chosen = _estimate(layer, load_accelerator("tpuv1"))
    im2col = _estimate(layer, _restricted("tpuv1", "im2col"))
    spatial = chosen.mapping["spatial"]
    assert chosen.mapping["unrolling"] == "pixels" and spatial["pixels_packed"] == 8
    assert spatial["cols"]["loops"] == ["OX", "K"]
    assert spatial["rows"]["loops"] == ["OX", "C", "FY", "FX"]
    assert "unrollings im2col, channels, pixels" in spatial["choice"]
    # 8 pixels per fold instead of 1: the array stops being the bottleneck (DRAM is).
    assert chosen.cycles < im2col.cycles and im2col.bound == "compute"
    assert chosen.bound == "memory"
    assert im2col.mapping["unrolling"] == "im2col"
    # The repeated weights are read from DRAM once: no more weight traffic than im2col.
    assert chosen.dram_read_bytes <= im2col.dram_read_bytes
    assert _estimate(layer, load_accelerator("tpuv1"), "simulate").cycles == chosen.cycles


def test_channels_only_array_folds_every_window_position() -> None:
    layer = conv(3, 56, 64, 7, stride=2, pad=3)  # resnet's stem on a 32x32 array
    acc = _restricted("systolic", "channels")
    direct = _estimate(layer, acc)
    spatial = direct.mapping["spatial"]
    assert spatial["unrolling"] == "channels"
    assert spatial["rows"]["loops"] == ["C"] and spatial["temporal"] == ["FY", "FX"]
    assert spatial["rows"]["folds"] == 49 and spatial["rows"]["tile"] == 3
    assert spatial["choice"].startswith("fixed")
    default = _estimate(layer, load_accelerator("systolic"))
    assert default.mapping["unrolling"] == "im2col"
    assert default.mapping["folds"]["rows"] == 5  # ceil(147 / 32)
    assert direct.cycles > 5 * default.cycles
    assert _estimate(layer, acc, "simulate").cycles == direct.cycles


def test_chosen_unrolling_is_the_fastest_allowed_one() -> None:
    layers = [conv(3, 32, 16, 3, pad=1), conv(16, 16, 24, 3, pad=1), conv(24, 16, 48, 1),
              conv(96, 8, 160, 3, pad=1), conv(40, 1, 8, 1, w=50, kw=5)]
    for arch in ("tpuv1", "systolic"):
        acc = load_accelerator(arch)
        forced = [_restricted(arch, "im2col"), _restricted(arch, "channels"),
                  _restricted(arch, "channels,pixels")]
        for layer in layers:
            best = min(_estimate(layer, a).cycles for a in forced)
            assert _estimate(layer, acc).cycles == best, (arch, layer.dims)


def test_channels_equal_to_im2col_is_not_a_second_candidate() -> None:
    layer = conv(64, 14, 64, 3, pad=1)  # C a multiple of the rows: the same folds
    est = _estimate(layer, load_accelerator("systolic"))
    assert est.mapping["unrollings_considered"] == ["im2col"]


def test_pixels_alone_is_rejected_with_a_clear_error() -> None:
    with pytest.raises(ArchitectureError, match="needs im2col or channels"):
        _restricted("systolic", "pixels")
