"""`--set PATH=VALUE` overrides: applied through the schema, errors name path and allowed."""

from __future__ import annotations

import argparse

import pytest

from explorer.cli.common import add_arch_arg, load_arch_arg
from explorer.errors import ArchitectureError
from explorer.hardware.library import load_accelerator
from explorer.hardware.overrides import apply_overrides, parse_quantity
from explorer.hardware.schema import Dataflow


@pytest.fixture(scope="module")
def systolic():
    return load_accelerator("systolic")


def test_sweep_parameters_are_applied(systolic) -> None:
    acc = apply_overrides(systolic, [
        "compute.pe_rows=64", "compute.pe_cols=16", "compute.dataflow=os",
        "memories.ifmap_sram.size_bytes=256KiB", "memories[1].size_bytes=1MiB",
        "clock_hz=700MHz", "offchip.bandwidth_bytes_per_cycle=12.5",
        "memories.ofmap_sram.double_buffered=false",
        "memories.filter_sram.dram_bandwidth_bytes_per_cycle=null",
    ])
    assert (acc.compute.pe_rows, acc.compute.pe_cols) == (64, 16)
    assert acc.compute.dataflow == Dataflow.OS
    assert acc.memories[0].size_bytes == 256 * 1024
    assert acc.memories[1].size_bytes == 2**20
    assert acc.clock_hz == 700e6
    assert acc.offchip.bandwidth_bytes_per_cycle == 12.5
    assert acc.memories[2].double_buffered is False
    assert acc.memories[1].dram_bandwidth_bytes_per_cycle is None
    assert acc.peak_macs_per_s == pytest.approx(64 * 16 * 700e6)
    # The original is untouched.
    assert systolic.compute.pe_rows == 32 and systolic.memories[0].size_bytes == 65536


def test_later_overrides_see_earlier_ones(systolic) -> None:
    # Narrowing the supported dataflows works once the used one has moved.
    acc = apply_overrides(systolic, ["compute.dataflow=os", "compute.dataflows=os"])
    assert acc.compute.dataflows == [Dataflow.OS]


def test_no_overrides_returns_the_same_object(systolic) -> None:
    assert apply_overrides(systolic, []) is systolic


@pytest.mark.parametrize("assignment, fragments", [
    ("compute.pe_rows=-1", ["--set compute.pe_rows=-1", "compute.pe_rows = -1",
                            "an integer from 1 to 4096 PE"]),
    ("compute.pe_rows=1.5", ["compute.pe_rows = 1.5", "valid integer"]),
    ("compute.dataflow=rs", ["compute.dataflow = 'rs'", "one of 'ws', 'os', 'is'"]),
    ("compute.dataflows=ws", []),  # fine: ws is the dataflow in use
    ("compute.dataflows=os", ["compute: dataflow 'ws' is not in dataflows ['os']"]),
    ("compute.pe_rowz=3", ["unknown field 'pe_rowz' in compute", "did you mean 'pe_rows'?",
                           "allowed: pe_rows, pe_cols"]),
    ("memories.ifmap.size_bytes=3", ["no item named 'ifmap' in memories",
                                     "did you mean 'ifmap_sram'?"]),
    ("memories[9].size_bytes=3", ["memories[9] has 3 items"]),
    ("memories=3", ["memories is a list"]),
    ("compute=3", ["compute is a group of fields; set one of: pe_rows"]),
    ("compute.pe_rows.x=1", ["compute.pe_rows is a single value"]),
    ("clock_hz=1GB", ["unit 'B' does not fit this field (it takes 'Hz')"]),
    ("memories.ifmap_sram.size_bytes=64KB", ["write kB (1000) or KiB (1024)"]),
    ("memories.ifmap_sram.double_buffered=maybe", ["double_buffered is true or false"]),
    ("memories.ifmap_sram.holds=weight", ["no memory holds operand 'input'"]),
    ("pe_rows", ["expected PATH=VALUE"]),
    ("=3", ["expected PATH=VALUE"]),
])
def test_bad_override(systolic, assignment: str, fragments: list[str]) -> None:
    if not fragments:
        apply_overrides(systolic, [assignment])
        return
    with pytest.raises(ArchitectureError) as info:
        apply_overrides(systolic, [assignment])
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize("raw, unit, kind, expected", [
    ("64", "B", int, 64), ("64KiB", "B", int, 65536), ("6 MiB", "B", int, 6 * 2**20),
    ("1.5k", "B", int, 1500), ("700MHz", "Hz", float, 7e8), ("1e9", "Hz", float, 1e9),
    ("2MAC/cycle", "MAC/cycle", int, 2), ("0.5", "pJ", float, 0.5), ("1.5", "B", int, 1.5),
    ("fast", "Hz", float, "fast"),
])
def test_parse_quantity(raw: str, unit: str, kind: type, expected) -> None:
    assert parse_quantity(raw, unit, kind, "--set x") == expected


def test_cli_set_option_is_applied_by_load_arch_arg() -> None:
    parser = argparse.ArgumentParser()
    add_arch_arg(parser)
    args = parser.parse_args(["--arch", "systolic", "--set", "compute.pe_rows=8",
                              "--set", "compute.dataflow=is"])
    acc = load_arch_arg(args)
    assert acc.compute.pe_rows == 8 and acc.compute.dataflow == Dataflow.IS
    args = parser.parse_args([])
    assert load_arch_arg(args).name == "gemmini"
