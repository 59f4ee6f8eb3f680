"""SCALE-Sim's data movement as description parameters (benchmarks/scalesim_equal_traffic.py):
on a layer where SCALE-Sim's reads equal its demand, our simulate moves the same words and
takes the same time; the SCALE-Sim side is its cached run in
docs/validation/scalesim_reference.json."""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.scalesim_equal_traffic import accelerator  # noqa: E402
from benchmarks.scalesim_runner import ReferenceCache, ScaleSimArch  # noqa: E402
from benchmarks.scalesim_validation import (  # noqa: E402
    DEFAULT_REFERENCE,
    run_ours,
    select_layers,
    systolic_overrides,
    to_scalesim,
)


def test_same_words_and_time_as_scalesim_user_ws_on_the_1x1_conv() -> None:
    arch = ScaleSimArch(dataflow="ws", bandwidth_mode="USER", bandwidth_words_per_cycle=10)
    (signature, layer), = [s for s in select_layers(2) if s[0].label.startswith("conv2_1x1")]
    theirs = ReferenceCache(DEFAULT_REFERENCE).get(to_scalesim(signature.label, layer.dims), arch)
    assert theirs is not None
    ours = run_ours(layer, accelerator(arch))
    # Partial sums per row fold (SCALE-Sim counts 13 words more at the layer's end).
    assert abs(ours["dram_write_bytes"] / theirs["ofmap_dram_writes"] - 1) < 1e-3
    reads = theirs["ifmap_dram_reads"] + theirs["filter_dram_reads"]
    assert abs(ours["dram_read_bytes"] / reads - 1) < 1e-3
    assert abs(ours["total_cycles"] / theirs["total_cycles"] - 1) <= 0.05
    # Our own tiling (the defaults) moves far less on the same layer.
    from explorer.hardware.library import load_accelerator
    from explorer.hardware.overrides import apply_overrides

    tiled = run_ours(layer, apply_overrides(load_accelerator("systolic"), systolic_overrides(arch)))
    assert tiled["dram_write_bytes"] < ours["dram_write_bytes"]
