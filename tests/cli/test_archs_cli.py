"""`accel-explorer archs`: the library as a table or JSON, and the format's JSON Schema."""

from __future__ import annotations

import json

import pytest

from explorer.cli import main
from explorer.hardware.library import library_names


def test_table_lists_every_entry_with_si_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archs"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()[1:] if line.strip()}
    for name in library_names():
        assert name in lines
    assert "16×16" in lines["gemmini"] and "256 GMAC/s" in lines["gemmini"]
    assert "1 GHz" in lines["gemmini"] and "256 KiB" in lines["gemmini"]
    assert "256×256" in lines["tpuv1"] and "700 MHz" in lines["tpuv1"]
    assert "45.9 TMAC/s" in lines["tpuv1"]
    assert "WS/os/is" in lines["systolic"]


def test_json_has_one_object_per_entry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archs", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == library_names()
    gemmini = next(r for r in rows if r["name"] == "gemmini")
    assert gemmini["peak_macs_per_s"] == 256e9
    assert gemmini["onchip_bytes"] == 262144
    assert gemmini["dataflow"] == "ws"


def test_named_entries_and_files_only(capsys: pytest.CaptureFixture[str]) -> None:
    from explorer.hardware.library import library_path

    assert main(["archs", "--format", "json", "systolic", str(library_path("eyeriss"))]) == 0
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == ["systolic", "eyeriss"]


def test_schema_is_json_with_the_top_level_properties(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archs", "--schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"format_version", "name", "clock_hz", "compute", "memories", "offchip", "dma",
            "queues", "fusion", "sources"} <= set(schema["properties"])
    assert set(schema["required"]) >= {"name", "memories"}
    assert schema["$schema"].endswith("2020-12/schema") and "format version 1" in schema["title"]
    memory = schema["$defs"]["Memory"]["properties"]["size_bytes"]
    assert memory["unit"] == "B" and memory["minimum"] == 1


def test_unknown_entry_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archs", "gemini"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean 'gemmini'?" in err


def test_set_changes_the_listed_entry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archs", "systolic", "--format", "json", "--set", "compute.pe_rows=64",
                 "--set", "clock_hz=500MHz"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["pe_rows"], row["clock_hz"]) == (64, 5e8)
    assert row["peak_macs_per_s"] == 64 * 32 * 5e8


def test_yaml_output_is_a_loadable_description(capsys: pytest.CaptureFixture[str],
                                               tmp_path) -> None:
    from explorer.hardware.library import load_accelerator

    assert main(["archs", "systolic", "--format", "yaml", "--set", "compute.dataflow=is"]) == 0
    path = tmp_path / "swept.yaml"
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    acc = load_accelerator(path)
    assert acc.compute.dataflow.value == "is"
    assert acc.memories == load_accelerator("systolic").memories


def test_yaml_output_needs_one_entry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archs", "--format", "yaml"]) == 2
    assert "name exactly one entry" in capsys.readouterr().err


def test_bad_set_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archs", "systolic", "--set", "compute.pe_rows=0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--set compute.pe_rows=0: compute.pe_rows = 0: out of range" in err


def test_params_lists_what_set_and_sweeps_can_vary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archs", "gemmini", "--params"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]
             if line.strip()}
    assert "1 GHz" in lines["clock_hz"]
    assert "128 KiB" in lines["memories.scratchpad.size_bytes"]
    # the schema ties compute.dataflow to compute.dataflows: only what gemmini supports
    assert "one of ws, os" in lines["compute.dataflow"] and "is" not in \
        lines["compute.dataflow"].split("one of")[1]
    assert main(["archs", "systolic", "--params", "--format", "json"]) == 0
    params = {p["path"]: p for p in json.loads(capsys.readouterr().out)}
    assert params["compute.pe_rows"]["kind"] == "int"
    assert params["compute.dataflow"]["choices"] == ["ws", "os", "is"]
    assert main(["archs", "--params"]) == 2  # which entry? one line, exit 2
    assert "name exactly one entry" in capsys.readouterr().err
