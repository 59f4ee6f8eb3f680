from __future__ import annotations

import json

import pytest

import explorer
from explorer.cli import main
from explorer.errors import EstimationError
from explorer.sensitivity import bar_chart_data, numeric_parameters, sensitivity


@pytest.fixture(scope="module")
def squeezenet():
    return explorer.load_network("squeezenet")


def test_clock_is_exactly_inverse_and_energy_free(squeezenet) -> None:
    acc = explorer.load_accelerator("systolic")
    (row,) = sensitivity(squeezenet, acc, parameters=["clock_hz"])
    # latency_s = cycles / clock: a central difference of 1/x over ±10 % gives -1/(1-0.01)
    assert row.latency == pytest.approx(-1 / 0.99, rel=1e-9)
    assert row.energy == 0.0


def test_sorted_by_latency_effect_and_integers_move_by_whole_steps(squeezenet) -> None:
    acc = explorer.load_accelerator("systolic")
    rows = sensitivity(squeezenet, acc, parameters=[
        "compute.pe_cols", "offchip.energy_pj_per_byte", "memories.ifmap_sram.latency_cycles"])
    assert [abs(r.latency) for r in rows] == sorted((abs(r.latency) for r in rows), reverse=True)
    cols = next(r for r in rows if r.parameter == "compute.pe_cols")
    assert (cols.low, cols.high) == (29, 35)  # 32 ± round(3.2)
    assert cols.latency < -0.3  # more columns, fewer column folds
    dram_energy = next(r for r in rows if r.parameter == "offchip.energy_pj_per_byte")
    assert dram_energy.latency == 0.0 and dram_energy.energy > 0.1
    labels, values = bar_chart_data(rows, "energy")
    assert labels[0] == "offchip.energy_pj_per_byte" and values[0] == dram_energy.energy


def test_every_numeric_field_but_area_is_listed() -> None:
    paths = {p for p, _, _ in numeric_parameters(explorer.load_accelerator("gemmini"))}
    assert {"compute.pe_rows", "memories.scratchpad.banks", "dma.setup_cycles",
            "offchip.bandwidth_bytes_per_cycle"} <= paths
    assert not any("area" in p or p == "format_version" for p in paths)


def test_unknown_parameter_is_a_clear_error(squeezenet) -> None:
    with pytest.raises(EstimationError, match="compute.nope"):
        sensitivity(squeezenet, explorer.load_accelerator("systolic"),
                    parameters=["compute.nope"])


def test_cli_json(capsys) -> None:
    assert main(["sensitivity", "squeezenet", "--arch", "systolic", "--format", "json",
                 "--step", "0.2", "--parameters", "clock_hz,compute.pe_rows"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["step"] == 0.2 and "[sensitivity" in err
    params = {p["parameter"]: p for p in data["parameters"]}
    assert set(params) == {"clock_hz", "compute.pe_rows"}
    assert params["clock_hz"]["latency"] == pytest.approx(-1 / 0.96)


def test_cli_bad_step_exits_2(capsys) -> None:
    assert main(["sensitivity", "squeezenet", "--arch", "systolic", "--step", "1.5"]) == 2
    assert "step" in capsys.readouterr().err
