"""`accel-explorer inspect` and `ab`: the GUI's breakdowns and A/B deltas headless,
through the same session operations."""

from __future__ import annotations

import json

import pytest

from explorer.cli import main


def test_inspect_lists_ops_top_layers_area_and_a_layer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "squeezenet", "--arch", "gemmini", "--estimator", "roofline",
                 "--top", "3", "--layer", "1", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ops"][0]["op"] == "Conv" and sum(o["share"] for o in data["ops"]) == \
        pytest.approx(1.0)
    assert len(data["top"]) == 3 and data["top"][0]["latency_s"] >= data["top"][1]["latency_s"]
    assert any(a["component"] == "PE array" and a["mm2"] > 0 for a in data["area_mm2"])
    assert {"section": "Layer", "item": "#", "value": "1"} in data["layer"]
    assert main(["inspect", "squeezenet", "--arch", "gemmini", "--layer", "9999"]) == 2


def test_ab_gives_total_and_per_layer_deltas(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ab", "squeezenet", "--arch", "gemmini", "--set-b", "compute.pe_rows=32",
                 "--estimator", "roofline", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["changes"] == [{"path": "compute.pe_rows", "a": 16, "b": 32}]
    assert data["delta_s"] == pytest.approx(data["b"]["latency_s"] - data["a"]["latency_s"])
    assert data["delta_s"] < 0  # twice the rows is not slower
    assert sum(x["delta_s"] for x in data["layers"]) == pytest.approx(data["delta_s"])
    assert main(["ab", "squeezenet", "--arch", "gemmini"]) == 2  # B would equal A


def test_inspect_gives_energy_and_traffic_per_memory_level(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "squeezenet", "--arch", "gemmini", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)  # depgraph: every level's figures
    levels = [row["level"] for row in data["memory_levels"]]
    assert levels[:3] == ["scratchpad", "accumulator", "DRAM"]
    assert all(row["energy_j"] > 0 for row in data["memory_levels"])
    assert main(["inspect", "squeezenet", "--arch", "gemmini", "--estimator", "roofline",
                 "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["memory_levels"] == []  # none, not made up


def test_inspect_gives_energy_and_dram_traffic_per_op_type(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "squeezenet", "--arch", "gemmini", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    dram = next(row for row in data["memory_levels"] if row["level"] == "DRAM")
    assert sum(o["dram_bytes"] for o in data["ops"]) == \
        pytest.approx(dram["read_bytes"] + dram["write_bytes"])
    assert sum(o["energy_share"] for o in data["ops"]) == pytest.approx(1.0)
    assert main(["inspect", "squeezenet", "--arch", "gemmini"]) == 0
    table = capsys.readouterr().out
    assert "DRAM traffic" in table.split("Slowest")[0]
