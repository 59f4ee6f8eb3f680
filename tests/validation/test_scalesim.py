"""Cross-validation against the real SCALE-Sim (issue 3 §5).

The fast tests check our side of the set-up (SCALE-Sim input files, the effective ifmap,
the closed-form cycles, the cache, the verdicts, the `systolic` overrides) without SCALE-Sim.
The tests marked `scalesim` run SCALE-Sim itself from its own venv (created by
`benchmarks/scalesim_validation.py`); they are skipped when that venv is absent.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.scalesim_runner import (  # noqa: E402
    DEFAULT_VENV,
    SCALESIM_VERSION,
    ReferenceCache,
    ScaleSimArch,
    ScaleSimConv,
    config_text,
    formula_terms,
    installed_version,
    run_layer,
    topology_text,
)
from benchmarks.scalesim_validation import (  # noqa: E402
    KNOWN_SCALESIM_TOTALS,
    compare,
    our_accelerator,
    select_layers,
    to_scalesim,
)
from explorer.hardware.schema import Dataflow, Operand  # noqa: E402
from explorer.workload.network import ConvDims  # noqa: E402

CONV3X3 = ScaleSimConv("c3x3", 58, 58, 3, 3, 64, 64, 1)
CONV1X1 = ScaleSimConv("c1x1", 56, 56, 1, 1, 64, 256, 1)
CONV1 = ScaleSimConv("conv1", 229, 229, 7, 7, 3, 64, 2)


# --- fast: our side of the set-up -----------------------------------------------------

@pytest.mark.parametrize(("layer", "dataflow", "expected"), [
    (CONV3X3, "ws", 116_279), (CONV3X3, "os", 125_047),
    (CONV1X1, "ws", 51_679), (CONV1X1, "os", 98_783),
    (CONV1, "ws", 126_379), (CONV1, "os", 163_855),
])
def test_formula_gives_scalesims_published_compute_cycles(layer, dataflow, expected):
    assert formula_terms(layer, ScaleSimArch(dataflow=dataflow))["compute_cycles"] == expected


def test_effective_ifmap_reproduces_the_network_output_size():
    conv1 = ConvDims(batch=1, in_channels=3, in_h=224, in_w=224, out_channels=64, out_h=112,
                     out_w=112, kernel_h=7, kernel_w=7, stride_h=2, stride_w=2,
                     pad_top=3, pad_left=3, pad_bottom=3, pad_right=3)
    topo = to_scalesim("conv1", conv1)
    assert (topo.ifmap_h, topo.ifmap_w) == (229, 229)  # 230 padded, last row never read
    assert (topo.ofmap_h, topo.ofmap_w) == (112, 112)
    assert topo.macs == 118_013_952


def test_selection_comes_from_the_real_resnet50():
    chosen = select_layers()
    assert len(chosen) >= 8
    labels = [signature.label for signature, _ in chosen]
    for label, _, _ in KNOWN_SCALESIM_TOTALS:
        assert label in labels
    for signature, layer in chosen:
        topo = to_scalesim(signature.label, layer.dims)
        assert topo.macs == layer.macs, signature.label


def test_input_files_have_what_scalesim_3_requires():
    cfg = config_text(ScaleSimArch(dataflow="os", bandwidth_mode="USER",
                                   bandwidth_words_per_cycle=7))
    for section in ("[general]", "[architecture_presets]", "[layout]", "[sparsity]",
                    "[run_presets]"):
        assert section in cfg
    assert "InterfaceBandwidth: USER" in cfg and "UseRamulatorTrace: False" in cfg
    # USER mode takes ifmap/filter DRAM bandwidth from [layout], ofmap's from Bandwidth.
    assert "Bandwidth: 7" in cfg and "IfmapSRAMBankBandwidth: 7" in cfg
    assert "FilterSRAMBankBandwidth: 7" in cfg and "Dataflow: os" in cfg
    header, row = topology_text(CONV1).splitlines()
    assert header.endswith("Strides,") and row == "conv1,229,229,7,7,3,64,2,"


def test_reference_cache_round_trip(tmp_path):
    path = tmp_path / "ref.json"
    cache = ReferenceCache(path)
    calc, user = ScaleSimArch(), ScaleSimArch(bandwidth_mode="USER")
    cache.put(CONV1X1, calc, {"total_cycles": 1})
    cache.save()
    again = ReferenceCache(path)
    assert again.get(CONV1X1, calc) == {"total_cycles": 1}
    assert again.get(CONV1X1, user) is None
    # The name is not part of the key: the same shape under another name is a hit.
    renamed = ScaleSimConv("other", *list(CONV1X1.shape_key().values()))
    assert again.get(renamed, calc) == {"total_cycles": 1}


def test_verdicts():
    scalesim = {"total_cycles": 1000, "total_cycles_incl_prefetch": 1100,
                "compute_cycles": 800, "wall_s": 10.0}
    ours = {"total_cycles": 1090, "compute_cycles": 800, "wall_s": 0.1}
    assert compare("CALC", scalesim, ours)["pass"] is True
    assert compare("CALC", scalesim, {**ours, "compute_cycles": 801})["pass"] is False
    assert compare("USER", scalesim, ours)["pass"] is True
    assert compare("USER", scalesim, {**ours, "total_cycles": 1101})["pass"] is False
    assert compare("USER", scalesim, {"error": "missing"})["pass"] is None


@pytest.mark.parametrize("mode", ["CALC", "USER"])
def test_systolic_is_configured_as_scalesim(mode):
    arch = ScaleSimArch(rows=16, cols=8, dataflow="os", ifmap_sram_kib=32, filter_sram_kib=128,
                        ofmap_sram_kib=16, bandwidth_mode=mode, bandwidth_words_per_cycle=10)
    acc = our_accelerator(arch)
    assert (acc.compute.pe_rows, acc.compute.pe_cols) == (16, 8)
    assert acc.compute.dataflow is Dataflow.OS
    precision = acc.compute.precision
    assert precision.input_bits == precision.weight_bits == precision.output_bits == 8
    sizes = {op: acc.memory_for(op).size_bytes for op in Operand}
    assert sizes == {Operand.INPUT: 32 * 1024, Operand.WEIGHT: 128 * 1024,
                     Operand.OUTPUT: 16 * 1024}
    assert all(acc.memory_for(op).double_buffered for op in Operand)
    per_sram = {acc.memory_for(op).dram_bandwidth_bytes_per_cycle for op in Operand}
    assert per_sram == ({10} if mode == "USER" else {1e6})


# --- slow: SCALE-Sim itself ------------------------------------------------------------

needs_scalesim = pytest.mark.skipif(
    installed_version(DEFAULT_VENV) != SCALESIM_VERSION,
    reason=f"SCALE-Sim {SCALESIM_VERSION} venv absent at {DEFAULT_VENV} "
           "(benchmarks/scalesim_validation.py creates it)")


@pytest.mark.scalesim
@pytest.mark.slow
@needs_scalesim
@pytest.mark.parametrize("dataflow", ["ws", "os", "is"])
def test_scalesim_matches_the_closed_form_on_ragged_folds(dataflow):
    # Dimensions that are not multiples of the array: partial folds in both directions.
    layer = ScaleSimConv("ragged", 13, 11, 3, 3, 5, 37, 1)
    arch = ScaleSimArch(rows=8, cols=8, dataflow=dataflow)
    result = run_layer(layer, arch)
    assert result["stall_cycles"] == 0
    assert result["compute_cycles"] == formula_terms(layer, arch)["compute_cycles"]


@pytest.mark.scalesim
@pytest.mark.slow
@needs_scalesim
def test_scalesim_reproduces_the_user_bandwidth_example():
    result = run_layer(CONV1X1, ScaleSimArch(dataflow="ws", bandwidth_mode="USER",
                                             bandwidth_words_per_cycle=10))
    assert (result["total_cycles"], result["stall_cycles"]) == (160_493, 108_814)


@pytest.mark.scalesim
@pytest.mark.slow
@needs_scalesim
# SCALE-Sim pre-fills the inputs like WS's weights: 2R + C + T - 2 cycles per fold
# (TOOLCHAIN.md gives OS's R + C + T - 2); `simulate` does the same since the IS fix.
@pytest.mark.parametrize("dataflow", ["ws", "os", "is"])
def test_our_simulator_computes_as_many_cycles_as_scalesim(dataflow):
    from explorer.estimators.registry import estimator_names, get_estimator
    from explorer.workload.network import Layer, LayerKind

    if "simulate" not in estimator_names():
        pytest.skip("the simulate estimator is not registered yet")
    dims = ConvDims(batch=1, in_channels=5, in_h=11, in_w=9, out_channels=37, out_h=11,
                    out_w=9, kernel_h=3, kernel_w=3, pad_top=1, pad_left=1, pad_bottom=1,
                    pad_right=1)
    layer = Layer(name="ragged", op="Conv", kind=LayerKind.CONV, onnx_nodes=["ragged"],
                  inputs=[(1, 5, 11, 9)], outputs=[(1, 37, 11, 9)], weights=[(37, 5, 3, 3)],
                  dims=dims, macs=dims.macs)
    arch = ScaleSimArch(rows=8, cols=8, dataflow=dataflow)
    reference = run_layer(to_scalesim("ragged", dims), arch)
    ours = get_estimator("simulate").estimate_layer(layer, our_accelerator(arch))
    assert ours.compute_cycles == reference["compute_cycles"]
