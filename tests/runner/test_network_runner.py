"""Whole networks on a device measured elsewhere: `measure --plan-only` -> explorer.runner
-> `measure import` -> `evaluate --measured`, on a tiny network, and the refusals of bad
input (one line naming the file; nothing written or overwritten)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from explorer.benchmarking.network_plans import (
    evaluate_measured,
    import_network_results,
    read_measured,
    record_measurements,
)
from explorer.benchmarking.plans import import_results, read_results
from explorer.cli import main as cli_main
from explorer.errors import BenchmarkError
from explorer.runner.runner import main as runner_main

QUICK = ["--rounds", "3", "--runs-per-round", "2", "--warmup-s", "0"]


def tiny_network(path: Path, channels: int = 8) -> Path:
    """Conv + Relu + global pooling + Gemm on a 1x3x32x32 input."""
    rng = np.random.default_rng(0)
    inits = [numpy_helper.from_array(rng.standard_normal((channels, 3, 3, 3)).astype(np.float32), "w"),
             numpy_helper.from_array(rng.standard_normal((10, channels)).astype(np.float32), "fc_w"),
             numpy_helper.from_array(np.zeros(10, np.float32), "fc_b")]
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("GlobalAveragePool", ["r"], ["p"], name="pool"),
             helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
             helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["y"], name="fc", transB=1)]
    graph = helper.make_graph(nodes, "tiny", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, ["batch", 3, 32, 32])], [helper.make_tensor_value_info(
            "y", TensorProto.FLOAT, ["batch", 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, path)
    return path


def cli(*args: str) -> int:
    return cli_main(list(args))


def one_error_line(capsys, *words: str) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    for word in words:
        assert word in err, (word, err)
    return err


@pytest.fixture(scope="module")
def workflow(tmp_path_factory):
    """A model of `remote:tiny` (random layers through the runner) and a measured plan of
    the tiny network."""
    tmp = tmp_path_factory.mktemp("net")
    net = tiny_network(tmp / "tiny.onnx")
    assert cli("bench", "--device", "remote:tiny", "--strategy", "random", "--kinds",
               "conv,matmul", "--budget", "12", "--plan-only", "-o", str(tmp / "lp.json")) == 0
    assert runner_main([str(tmp / "lp.json"), "-o", str(tmp / "lr.jsonl"), *QUICK]) == 0
    assert cli("bench", "import", str(tmp / "lr.jsonl"), "--into", str(tmp / "lp.h5")) == 0
    assert cli("train", str(tmp / "lp.h5"), "-o", str(tmp / "tiny.skops"),
               "--include-noisy") == 0
    assert cli("measure", str(net), "--device", "remote:tiny", "--plan-only",
               "--input-shape", "x=1x3x32x32", "-o", str(tmp / "plan.json")) == 0
    assert runner_main([str(tmp / "plan.json"), "-o", str(tmp / "results.jsonl"), *QUICK]) == 0
    return tmp


def test_plan_runner_import_evaluate(workflow, tmp_path, capsys):
    plan = json.loads((workflow / "plan.json").read_text())
    [entry] = plan["networks"]
    graph = base64.b64decode(entry["model"])
    assert entry["network"] == "tiny" and plan["configs"] == []
    assert hashlib.sha256(graph).hexdigest() == entry["sha256"]
    assert entry["input_shapes"] == {"x": [1, 3, 32, 32]}
    assert onnx.load_from_string(graph).graph.node[0].op_type == "Conv"

    header, [row] = read_results(workflow / "results.jsonl")
    assert header["planned_ids"] == [entry["id"]] and header["device"]["onnxruntime"]
    assert row["network"] == "tiny" and row["sha256"] == entry["sha256"]
    assert row["latency_s"] > 0 and row["spread_s"] >= 0 and row["rounds"] == 3

    measured = tmp_path / "measured.json"
    assert cli("measure", "import", str(workflow / "results.jsonl"), "--into", str(measured),
               "--plan", str(workflow / "plan.json")) == 0
    data = read_measured(measured)
    assert data["device"] == "remote:tiny" and plan["plan_id"] in data["runners"]
    assert data["networks"]["tiny"]["latency_s"] == row["latency_s"]
    assert data["networks"]["tiny"]["source"] == str(workflow / "tiny.onnx")

    report_path = tmp_path / "report.json"
    assert cli("evaluate", "--measured", str(measured), "--model",
               str(workflow / "tiny.skops"), "-o", str(report_path)) == 0
    report = json.loads(report_path.read_text())
    [net] = report["networks"]
    assert net["measured_s"] == row["latency_s"] and net["estimate_s"] > 0
    assert net["error_pct"] == pytest.approx((net["estimate_s"] - net["measured_s"])
                                             / net["measured_s"] * 100, abs=1e-3)
    assert report["network_mape_pct"] == pytest.approx(abs(net["error_pct"]))
    assert report["network_spearman"] is None  # one network: no ranking

    # Imported again: kept as it was, never overwritten.
    before = measured.read_text()
    counts = import_network_results(workflow / "results.jsonl", measured)
    assert counts["added"] == 0 and counts["already_recorded"] == 1
    assert json.loads(measured.read_text())["networks"] == json.loads(before)["networks"]


def test_spearman_over_several_networks(workflow, tmp_path):
    measured = tmp_path / "m.json"
    import_network_results(workflow / "results.jsonl", measured)
    wide = tiny_network(tmp_path / "wide.onnx", channels=64)
    data = json.loads(measured.read_text())
    entry = dict(data["networks"]["tiny"])
    record_measurements(measured, "remote:tiny", {"wide": {
        **entry, "latency_s": entry["latency_s"] * 4, "source": str(wide), "sha256": None}})
    report = evaluate_measured(measured, workflow / "tiny.skops")
    assert [r["network"] for r in report["networks"]] == ["tiny", "wide"]
    assert report["network_spearman"] in (-1.0, 1.0)


def test_runner_refuses_a_graph_whose_sha256_does_not_match(workflow, tmp_path, capsys):
    plan = json.loads((workflow / "plan.json").read_text())
    plan["networks"][0]["sha256"] = "0" * 64
    (tmp_path / "bad.json").write_text(json.dumps(plan))
    assert runner_main([str(tmp_path / "bad.json"), "-o", str(tmp_path / "r.jsonl")]) == 2
    one_error_line(capsys, "bad.json", "n00000", "sha256", "does not match")
    assert not (tmp_path / "r.jsonl").exists()


def test_import_refuses_results_of_another_plan(workflow, tmp_path, capsys):
    other = tiny_network(tmp_path / "other.onnx", channels=4)
    assert cli("measure", str(other), "--device", "remote:tiny", "--plan-only",
               "-o", str(tmp_path / "other.json")) == 0
    capsys.readouterr()
    measured = tmp_path / "m.json"
    assert cli("measure", "import", str(workflow / "results.jsonl"), "--into", str(measured),
               "--plan", str(tmp_path / "other.json")) == 2
    one_error_line(capsys, "results.jsonl", "other.json", "plan")
    assert not measured.exists()
    # The runner refuses to append another plan's results to a results file.
    shutil.copy(workflow / "results.jsonl", tmp_path / "r.jsonl")
    assert runner_main([str(tmp_path / "other.json"), "-o", str(tmp_path / "r.jsonl")]) == 2
    one_error_line(capsys, "r.jsonl", "plan")


def test_import_refuses_a_graph_other_than_the_plans(workflow, tmp_path, capsys):
    lines = (workflow / "results.jsonl").read_text().splitlines()
    row = json.loads(lines[1])
    row["sha256"] = "f" * 64
    (tmp_path / "r.jsonl").write_text("\n".join([lines[0], json.dumps(row)]) + "\n")
    assert cli("measure", "import", str(tmp_path / "r.jsonl"), "--into",
               str(tmp_path / "m.json"), "--plan", str(workflow / "plan.json")) == 2
    one_error_line(capsys, "r.jsonl", "n00000", "plan's")
    assert not (tmp_path / "m.json").exists()


def test_import_refuses_duplicate_and_missing_entries(workflow, tmp_path, capsys):
    lines = (workflow / "results.jsonl").read_text().splitlines()
    (tmp_path / "dup.jsonl").write_text("\n".join(lines + [lines[1]]) + "\n")
    with pytest.raises(BenchmarkError, match="dup.jsonl: .*n00000 appears twice"):
        import_network_results(tmp_path / "dup.jsonl", tmp_path / "m.json")
    (tmp_path / "short.jsonl").write_text(lines[0] + "\n")
    with pytest.raises(BenchmarkError, match="short.jsonl: 1 of 1 planned networks missing"):
        import_network_results(tmp_path / "short.jsonl", tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()
    assert import_network_results(tmp_path / "short.jsonl", tmp_path / "m.json",
                                  partial=True)["missing"] == 1
    assert read_measured(tmp_path / "m.json")["networks"] == {}
    # Network and layer results each go to their own import.
    with pytest.raises(BenchmarkError, match="results.jsonl: whole-network results"):
        import_results(workflow / "results.jsonl", tmp_path / "s.h5")
    with pytest.raises(BenchmarkError, match="lr.jsonl: single-layer results"):
        import_network_results(workflow / "lr.jsonl", tmp_path / "m.json")


def test_measured_file_of_another_device_is_refused(workflow, tmp_path, capsys):
    measured = tmp_path / "m.json"
    record_measurements(measured, "remote:other", {})
    before = measured.read_text()
    assert cli("measure", "import", str(workflow / "results.jsonl"), "--into",
               str(measured)) == 2
    one_error_line(capsys, "m.json", "remote:other", "remote:tiny")
    assert measured.read_text() == before
    record_measurements(measured, "remote:other", {"tiny": {
        "latency_s": 1e-3, "source": str(workflow / "tiny.onnx")}})
    assert cli("evaluate", "--measured", str(measured), "--model",
               str(workflow / "tiny.skops")) == 2
    one_error_line(capsys, "m.json", "remote:other", "tiny.skops", "remote:tiny")


def test_evaluate_refuses_a_network_changed_since_it_was_measured(workflow, tmp_path, capsys):
    net = tiny_network(tmp_path / "tiny.onnx")
    measured = tmp_path / "m.json"
    import_network_results(workflow / "results.jsonl", measured)
    data = json.loads(measured.read_text())
    data["networks"]["tiny"]["source"] = str(net)
    measured.write_text(json.dumps(data))
    assert evaluate_measured(measured, workflow / "tiny.skops")["networks"]  # same graph
    tiny_network(net, channels=16)  # the file now holds another network
    assert cli("evaluate", "--measured", str(measured), "--model",
               str(workflow / "tiny.skops")) == 2
    one_error_line(capsys, "m.json", "tiny", "not the one measured")


def test_cli_refusals(tmp_path, capsys):
    assert cli("measure", "squeezenet", "--device", "remote:x") == 2
    one_error_line(capsys, "remote:x", "--plan-only")
    assert cli("measure", "squeezenet", "alexnet") == 2
    one_error_line(capsys, "one network at a time")
    assert cli("measure", "squeezenet", "--device", "cpu", "--plan-only", "-o",
               str(tmp_path / "p.json")) == 2
    one_error_line(capsys, "remote:<name>")
    assert cli("measure", "squeezenet", "squeezenet", "--device", "remote:x", "--plan-only",
               "-o", str(tmp_path / "p.json")) == 2
    one_error_line(capsys, "squeezenet", "twice")
    assert cli("measure", "import", "--into", str(tmp_path / "m.json")) == 2
    one_error_line(capsys, "RESULTS.jsonl")
    assert cli("evaluate", "--measured", str(tmp_path / "m.json")) == 2
    one_error_line(capsys, "--model")
    assert not list(tmp_path.iterdir())


def test_a_plan_that_cannot_be_written_is_one_line(tmp_path, capsys):
    out = tmp_path / "no-such-folder" / "p.json"
    assert cli("measure", "squeezenet", "--device", "remote:x", "--plan-only",
               "-o", str(out)) == 2
    one_error_line(capsys, str(out), "cannot write")


def test_the_single_file_runner_measures_networks_alone(workflow, tmp_path):
    """runner.py copied alone beside numpy and onnxruntime, no site-packages."""
    import onnxruntime

    shutil.copy(Path(__file__).resolve().parents[2] / "explorer" / "runner" / "runner.py",
                tmp_path / "runner.py")
    site = tmp_path / "site"
    site.mkdir()
    for package in (np, onnxruntime):
        os.symlink(Path(package.__file__).parent, site / Path(package.__file__).parent.name)
    for extra in Path(np.__file__).parents[1].glob("numpy.libs"):
        os.symlink(extra, site / extra.name)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(site),
           "PYTHONNOUSERSITE": "1"}
    r = subprocess.run([sys.executable, "-S", "runner.py", str(workflow / "plan.json"),
                        "-o", "out.jsonl", *QUICK], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    assert "tiny" in r.stderr and " ms " in r.stderr
    header, [row] = read_results(tmp_path / "out.jsonl")
    assert row["network"] == "tiny" and row["latency_s"] > 0


@pytest.mark.pypi  # pip-installs onnxruntime and numpy into a fresh venv (~15 s with a cache)
def test_runner_in_a_venv_with_only_onnxruntime_and_numpy(workflow, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "onnxruntime", "numpy"],
                   check=True, timeout=600)
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format", "json"],
                            capture_output=True, text=True, check=True).stdout
    names = {p["name"].lower() for p in json.loads(listed)}
    assert {"onnxruntime", "numpy"} <= names and not names & {"onnx", "scikit-learn", "h5py"}
    shutil.copy(Path(__file__).resolve().parents[2] / "explorer" / "runner" / "runner.py",
                tmp_path / "runner.py")
    env = {"PATH": os.environ.get("PATH", "")}
    for plan, out in (("plan.json", "nets.jsonl"), ("lp.json", "layers.jsonl")):
        r = subprocess.run([str(python), "runner.py", str(workflow / plan), "-o", out, *QUICK],
                           cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=300, check=False)
        assert r.returncode == 0, r.stderr
    measured = tmp_path / "m.json"
    assert import_network_results(tmp_path / "nets.jsonl", measured,
                                  plan_path=workflow / "plan.json")["added"] == 1
    assert import_results(tmp_path / "layers.jsonl", tmp_path / "layers.h5",
                          plan_path=workflow / "lp.json")["added"] == 12
    assert evaluate_measured(measured, workflow / "tiny.skops")["networks"][0]["estimate_s"] > 0


def test_measure_into_records_this_cpu_in_the_same_format(workflow, tmp_path, capsys):
    measured = tmp_path / "cpu.json"
    assert cli("measure", str(workflow / "tiny.onnx"), "--input-shape", "x=1x3x32x32",
               "--into", str(measured), "--format", "json") == 0
    capsys.readouterr()
    data = read_measured(measured)
    plan = json.loads((workflow / "plan.json").read_text())
    entry = data["networks"]["tiny"]
    assert data["device"] == "cpu" and entry["latency_s"] > 0
    assert entry["sha256"] == plan["networks"][0]["sha256"]  # the graph the runner gets
    assert entry["input_shape_overrides"] == {"x": [1, 3, 32, 32]}
    # A model of remote:tiny is not evaluated against this CPU's measurements.
    assert cli("evaluate", "--measured", str(measured), "--model",
               str(workflow / "tiny.skops")) == 2
    one_error_line(capsys, "cpu.json", "device cpu", "remote:tiny")


def test_measure_refuses_a_model_of_another_device(workflow, capsys):
    # Was a KeyError traceback: the model's fusion gave other layers than this CPU's.
    assert cli("measure", str(workflow / "tiny.onnx"), "--model",
               str(workflow / "tiny.skops")) == 2
    one_error_line(capsys, "tiny.skops", "remote:tiny", "evaluate --measured")


def test_network_plans_resume(workflow, tmp_path, capsys):
    lines = (workflow / "results.jsonl").read_text().splitlines()
    out = tmp_path / "r.jsonl"
    out.write_text(lines[0] + "\n" + lines[1][:25])  # killed while writing the result
    assert runner_main([str(workflow / "plan.json"), "-o", str(out), *QUICK]) == 0
    assert capsys.readouterr().err.count(" ms ") == 1
    header, [row] = read_results(out)
    assert row["network"] == "tiny" and row["latency_s"] > 0
    assert runner_main([str(workflow / "plan.json"), "-o", str(out), *QUICK]) == 0
    assert " ms " not in capsys.readouterr().err  # nothing left to measure
    assert len(out.read_text().splitlines()) == 2
