from __future__ import annotations

import json

from explorer.cli import main


def test_json_compares_each_estimator_with_simulate(capsys) -> None:
    code = main(["compare", "squeezenet", "--arch", "systolic", "--format", "json",
                 "--estimators", "depgraph,roofline"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "simulate: " in err  # progress on stderr, naming the estimator running
    data = json.loads(out)
    assert data["reference"] == "simulate" and data["accelerator"] == "systolic"
    assert set(data["estimators"]) == {"depgraph", "roofline"}
    reference = data["simulate"]
    assert reference["total_cycles"] == sum(reference["layers"].values()) > 0
    depgraph = data["estimators"]["depgraph"]
    assert abs(depgraph["total_error"]) <= 0.005
    assert depgraph["layer_mape"] <= 0.01
    assert depgraph["runtime_s"] > 0 and depgraph["speedup_vs_simulate"] > 0
    roofline = data["estimators"]["roofline"]
    assert set(roofline["layers"]) == set(reference["layers"])
    assert roofline["total_error"] != 0


def test_table_has_totals_and_runtimes(capsys) -> None:
    assert main(["compare", "squeezenet", "--arch", "systolic",
                 "--estimators", "refined-roofline"]) == 0
    out = capsys.readouterr().out
    assert "TOTAL" in out and "layer MAPE" in out and "runtime" in out
    assert "refined-roofline (err)" in out


def test_unknown_estimator_is_one_line_and_exit_2(capsys) -> None:
    assert main(["compare", "squeezenet", "--estimators", "depgraph,nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown estimator 'nope'" in err and len(err.strip().splitlines()) == 1
