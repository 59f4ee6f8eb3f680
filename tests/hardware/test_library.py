"""Every library entry loads, cites its sources, round-trips through YAML, and has the
peak throughput and on-chip capacity its papers and configs give."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from explorer.hardware.library import (
    LIBRARY_DIR,
    dump_accelerator,
    library_names,
    load_accelerator,
    parse_accelerator,
    save_accelerator,
)
from explorer.hardware.schema import Dataflow, Operand

REQUIRED_ENTRIES = {"gemmini", "ultratrail", "plasticine", "systolic", "tpuv1", "eyeriss"}

# Peak MAC/s = rows x cols x MACs/PE/cycle x clock; on-chip bytes = sum of memory sizes.
GOLDEN = {
    "gemmini": (16 * 16 * 1e9, 2 * 128 * 1024),
    "systolic": (32 * 32 * 1e9, 3 * 64 * 1024),
    "tpuv1": (256 * 256 * 700e6, 24 * 2**20 + 4 * 2**20 + 4 * 64 * 1024),
    "eyeriss": (12 * 14 * 200e6, 108 * 1024 + 168 * 224 * 2),
    "ultratrail": (8 * 8 * 250e3, 72 * 1024 + 1024 + 3 * 8 * 1024),
    "plasticine": (16 * 6 * 64 * 1e9, 64 * 256 * 1024),
    "nvdla_small": (8 * 8 * 1e9, 32 * 8 * 512 + 8192),
}


def test_library_has_the_required_entries() -> None:
    assert set(library_names()) >= REQUIRED_ENTRIES


@pytest.mark.parametrize("name", library_names())
def test_entry_loads_and_is_named_after_its_file(name: str) -> None:
    acc = load_accelerator(name)
    assert acc.name == name
    assert acc.description


@pytest.mark.parametrize("name", library_names())
def test_entry_cites_sources_and_marks_assumptions(name: str) -> None:
    acc = load_accelerator(name)
    assert len(acc.sources) >= 2
    refs = " ".join(s.ref.lower() for s in acc.sources)
    assert "assumption" in refs or "estimate" in refs
    text = (LIBRARY_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    # The numbers are explained next to where they stand.
    assert text.count("#") >= 20


@pytest.mark.parametrize("name", library_names())
def test_entry_round_trips(name: str, tmp_path: Path) -> None:
    acc = load_accelerator(name)
    path = tmp_path / f"{name}.yaml"
    save_accelerator(acc, path)
    again = load_accelerator(path)
    assert again == acc
    assert parse_accelerator(dump_accelerator(again)) == acc


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_peak_and_onchip_golden(name: str) -> None:
    acc = load_accelerator(name)
    peak, onchip = GOLDEN[name]
    assert acc.peak_macs_per_s == pytest.approx(peak)
    assert acc.onchip_bytes == onchip


@pytest.mark.parametrize("name", library_names())
def test_energy_and_area_given(name: str) -> None:
    acc = load_accelerator(name)
    assert acc.compute.energy_per_mac_pj > 0
    assert acc.offchip.energy_pj_per_byte > 0
    assert acc.compute.area.mm2 > 0 and acc.compute.area.source
    for memory in acc.memories:
        assert memory.energy_read_pj_per_byte > 0
        assert memory.area.mm2 > 0 and memory.area.source


def test_gemmini_is_its_default_config() -> None:
    acc = load_accelerator("gemmini")
    spad, accum = acc.memories
    assert (spad.name, spad.size_bytes, spad.banks, spad.single_ported) == (
        "scratchpad", 128 * 1024, 4, True)
    assert set(spad.holds) == {Operand.INPUT, Operand.WEIGHT}
    assert (accum.name, accum.size_bytes, accum.banks) == ("accumulator", 128 * 1024, 2)
    assert accum.holds == [Operand.OUTPUT]
    assert (acc.dma.bus_width_bits, acc.dma.request_bytes, acc.dma.max_requests_in_flight) == (
        128, 64, 64)
    assert (acc.queues.load, acc.queues.store, acc.queues.execute) == (8, 2, 8)
    assert acc.compute.dataflow == Dataflow.WS and Dataflow.OS in acc.compute.dataflows
    patterns = {tuple(rule.pattern) for rule in acc.fusion}
    assert {("Conv", "BatchNormalization", "Relu"), ("Conv", "Relu"), ("Gemm", "Relu"),
            ("Conv", "MaxPool"), ("Conv", "Mul", "Add", "Relu")} <= patterns


def test_systolic_has_scalesim_memories() -> None:
    acc = load_accelerator("systolic")
    assert [m.name for m in acc.memories] == ["ifmap_sram", "filter_sram", "ofmap_sram"]
    assert acc.memory_for(Operand.INPUT).name == "ifmap_sram"
    assert acc.memory_for(Operand.WEIGHT).name == "filter_sram"
    assert acc.memory_for(Operand.OUTPUT).name == "ofmap_sram"
    assert set(acc.compute.dataflows) == {Dataflow.WS, Dataflow.OS, Dataflow.IS}
    assert all(m.dram_bandwidth_bytes_per_cycle == 10 for m in acc.memories)


def test_library_files_use_no_yaml_tags() -> None:
    for path in LIBRARY_DIR.glob("*.yaml"):
        assert "!!" not in path.read_text(encoding="utf-8"), path
        yaml.safe_load(path.read_text(encoding="utf-8"))
