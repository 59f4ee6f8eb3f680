"""Exploration: strategies, resume, constraints, suites, the front, bad input."""

from __future__ import annotations

import io

import h5py
import numpy as np
import pytest

from explorer.cli import main
from explorer.cli.explore import show
from explorer.errors import ArchitectureError
from explorer.explore import Constraint, Spec, explore, load_exploration, parse_param
from explorer.explore.pareto import hypervolume, non_dominated
from explorer.hardware.library import load_accelerator
from explorer.workload import load_network

PARAMS = ["compute.pe_rows=8:64:2:log", "compute.pe_cols=8:64:2:log",
          "memories.ifmap_sram.size_bytes=16KiB,64KiB,256KiB"]


@pytest.fixture(scope="module")
def net():
    return load_network("squeezenet")


@pytest.fixture(scope="module")
def acc():
    return load_accelerator("systolic")


def spec(net, acc, **kw) -> Spec:
    base = dict(objectives=["latency_s", "energy_j", "area_mm2"], estimator="roofline")
    return Spec([net], acc, [parse_param(t, acc) for t in PARAMS], **(base | kw))


def test_grid_stores_every_design_and_the_front(net, acc, tmp_path):
    path = tmp_path / "g.h5"
    explore(spec(net, acc), path)
    exp = load_exploration(path)
    assert len(exp.rows) == 4 * 4 * 3
    assert all(isinstance(r["compute.pe_rows"], int) for r in exp.rows)
    vectors = np.array([[r["latency_s"], r["energy_j"], r["area_mm2"]] for r in exp.rows])
    expected = sorted(non_dominated(vectors).tolist())
    with h5py.File(path, "r") as f:
        assert sorted(f["front/rows"][()].tolist()) == expected
    assert sorted(r["row"] for r in exp.front()) == expected
    assert exp.table().shape[0] == 48


@pytest.mark.parametrize("strategy", ["random", "lhs", "nsga2", "tpe"])
def test_search_strategies_evaluate_their_budget_once_each(net, acc, tmp_path, strategy):
    path = tmp_path / f"{strategy}.h5"
    explore(spec(net, acc, strategy=strategy, budget=12, seed=3), path)
    rows = load_exploration(path).rows
    keys = {(r["compute.pe_rows"], r["compute.pe_cols"], r["memories.ifmap_sram.size_bytes"])
            for r in rows}
    assert len(rows) == 12 and len(keys) == 12


def test_seeded_plans_repeat(net, acc, tmp_path):
    got = []
    for i in range(2):
        path = tmp_path / f"lhs{i}.h5"
        explore(spec(net, acc, strategy="lhs", budget=8, seed=11), path)
        got.append([r["compute.pe_rows"] for r in load_exploration(path).rows])
    assert got[0] == got[1]


def test_resume_evaluates_only_what_is_missing(net, acc, tmp_path):
    path = tmp_path / "r.h5"
    explore(spec(net, acc, strategy="nsga2", budget=10, seed=1), path)
    evaluated = []
    explore(spec(net, acc, strategy="nsga2", budget=16, seed=1), path,
            progress=lambda done, total, d: evaluated.append(d.values))
    rows = load_exploration(path).rows
    assert len(evaluated) == 6 and len(rows) == 16
    assert len({(r["compute.pe_rows"], r["compute.pe_cols"],
                 r["memories.ifmap_sram.size_bytes"]) for r in rows}) == 16


def test_constraints_keep_designs_off_the_front(net, acc, tmp_path):
    path = tmp_path / "c.h5"
    explore(spec(net, acc, constraints=[Constraint.parse("area<=1.2")]), path)
    exp = load_exploration(path)
    violating = [r for r in exp.rows if r["violation"]]
    assert violating and all("area_mm2" in r["violation"] for r in violating)
    assert all(r["area_mm2"] <= 1.2 for r in exp.front())


def test_suite_is_normalised_by_the_starting_design(acc, tmp_path):
    nets = [load_network("squeezenet"), load_network("shufflenet")]
    params = [parse_param("compute.pe_rows=16,32", acc)]  # 32: the starting design
    path = tmp_path / "suite.h5"
    explore(Spec(nets, acc, params, ["latency_s", "energy_j"], weights=[0.7, 0.3],
                 estimator="roofline"), path)
    rows = {r["compute.pe_rows"]: r for r in load_exploration(path).rows}
    assert rows[32]["latency_s"] == pytest.approx(1.0)
    assert rows[16]["latency_s"] > 1.0
    assert rows[16]["squeezenet.latency_s"] > rows[32]["squeezenet.latency_s"]
    shown = io.StringIO()
    show(path, out=shown)  # ratios are printed as ratios, not seconds or joules
    assert "1× start" in shown.getvalue() and " s " not in shown.getvalue()


def test_bad_input_is_one_line_before_anything_runs(net, acc, tmp_path, capsys):
    with pytest.raises(ArchitectureError, match="sweepable: clock_hz, compute.pe_rows"):
        parse_param("compute.pe_rowz=8,16", acc)
    with pytest.raises(ArchitectureError, match="outside the bounds"):
        parse_param("compute.pe_rows=8:8192", acc)
    with pytest.raises(ArchitectureError, match="unknown objective 'speed'"):
        Constraint.parse("speed<=3")
    with pytest.raises(ArchitectureError, match="a grid needs"):
        explore(Spec([net], acc, [parse_param("clock_hz=100MHz:1GHz", acc)],
                     estimator="roofline"), tmp_path / "x.h5")
    assert not (tmp_path / "x.h5").exists()
    code = main(["explore", "squeezenet", "--arch", "systolic", "--param",
                 "compute.pe_rows=8,16", "--constraint", "areaa<=5", "-o",
                 str(tmp_path / "y.h5")])
    err = capsys.readouterr().err
    assert code == 2 and "areaa" in err and len(err.strip().splitlines()) == 1


def test_cli_explore_and_show(tmp_path, capsys):
    out = tmp_path / "cli.h5"
    code = main(["explore", "squeezenet", "--arch", "systolic", "--estimator", "roofline",
                 "--param", "compute.pe_rows=8:32:2:log", "--param", "compute.dataflow=ws,os",
                 "--objectives", "latency,area", "--strategy", "random", "--budget", "4",
                 "-o", str(out)])
    assert code == 0
    capsys.readouterr()
    assert main(["explore", "--show", str(out)]) == 0
    text = capsys.readouterr().out
    assert "4 design(s)" in text and "on the front (latency_s, area_mm2)" in text


def test_pareto_and_hypervolume():
    points = np.array([[1, 5], [2, 2], [5, 1], [3, 3], [2, 2]])
    assert non_dominated(points).tolist() == [0, 1, 2, 4]
    assert hypervolume(points, np.array([6, 6])) == pytest.approx(5 + 12 + 4 - 2 - 1 + 0)
    cube = np.array([[0.0, 0.0, 0.0]])
    assert hypervolume(cube, np.array([1, 2, 3])) == pytest.approx(6)
    two = np.array([[0, 0, 1], [0, 1, 0]])
    assert hypervolume(two, np.array([1, 2, 2])) == pytest.approx(2 + 2 - 1)


def test_show_prints_sizes_and_frequencies_with_their_unit(tmp_path, capsys):
    """`--show` printed memories.*.size_bytes as 1048576 and clock_hz as 700000000."""
    out = tmp_path / "units.h5"
    assert main(["explore", "squeezenet", "--arch", "systolic", "--estimator", "roofline",
                 "--param", "memories.ifmap_sram.size_bytes=64KiB,1MiB",
                 "--param", "clock_hz=700MHz,1GHz", "--objectives", "latency,area",
                 "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["explore", "--show", str(out), "--all"]) == 0
    text = capsys.readouterr().out
    assert "1 MiB" in text and "64 KiB" in text and "700 MHz" in text
    assert "1048576" not in text and "700000000" not in text
