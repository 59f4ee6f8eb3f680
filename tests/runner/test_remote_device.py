"""A device measured elsewhere, end to end on this CPU as if it were remote: plan here,
measure with `explorer.runner` in an interpreter that can import nothing but the runner,
numpy and onnxruntime, import the results, plan the next round, train, predict."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.benchmarking.plans import import_results, read_results
from explorer.benchmarking.store import open_store
from explorer.errors import BenchmarkError

ROOT = Path(__file__).resolve().parents[2]
QUICK = ["--rounds", "3", "--runs-per-round", "2", "--warmup-s", "0"]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "explorer", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def bare_runner_env(tmp: Path) -> Path:
    """A directory holding only the runner's files, numpy and onnxruntime: with
    `python -S` (no site-packages) nothing else can be imported."""
    import numpy
    import onnxruntime

    bare = tmp / "bare"
    (bare / "explorer" / "runner").mkdir(parents=True)
    # `python -m explorer.runner` runs the package's __init__ first: it needs the two
    # standard-library-only modules it imports (the runner itself imports none).
    for name in ("__init__.py", "errors.py", "version.py"):
        shutil.copy(ROOT / "explorer" / name, bare / "explorer")
    for name in ("__init__.py", "__main__.py", "runner.py"):
        shutil.copy(ROOT / "explorer" / "runner" / name, bare / "explorer" / "runner")
    site = Path(numpy.__file__).parents[1]
    for package in (numpy, onnxruntime):
        os.symlink(Path(package.__file__).parent, bare / Path(package.__file__).parent.name)
    for extra in site.glob("numpy.libs"):
        os.symlink(extra, bare / extra.name)
    return bare


def run_runner(bare: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(bare),
           "PYTHONNOUSERSITE": "1"}
    return subprocess.run([sys.executable, "-S", "-m", "explorer.runner", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def test_the_bare_interpreter_cannot_import_the_project(tmp_path):
    bare = bare_runner_env(tmp_path)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(bare)}
    for module in ("explorer.benchmarking", "onnx", "sklearn", "h5py"):
        probe = subprocess.run([sys.executable, "-S", "-c", f"import {module}"], env=env,
                               cwd=tmp_path, capture_output=True, text=True, check=False)
        assert probe.returncode != 0 and "ModuleNotFoundError" in probe.stderr, module
    probe = subprocess.run([sys.executable, "-S", "-c", "import onnxruntime, explorer.runner"],
                           env=env, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert probe.returncode == 0, probe.stderr


@pytest.mark.slow  # ~1-3 min: 200 real measurements
def test_plan_measure_import_rounds_train_and_estimate(tmp_path):
    bare = bare_runner_env(tmp_path)
    plan = ["bench", "--device", "remote:this-cpu", "--strategy", "pr", "--budget", "200",
            "--kinds", "matmul", "--plan-only"]
    # Round 1: the sweeps (PR needs their results before it can choose).
    r = cli(*plan, "-o", "round1.json", "--store", "remote.h5", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    round1 = json.loads((tmp_path / "round1.json").read_text())
    assert {e["phase"] for e in round1["configs"]} == {"sweep"}
    r = run_runner(bare, "round1.json", "-o", "results1.jsonl", *QUICK, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    header, results = read_results(tmp_path / "results1.jsonl")
    assert header["device"]["onnxruntime"] and len(results) == len(round1["configs"])
    assert all(x["latency_s"] > 0 and "spread_s" in x for x in results)
    r = cli("bench", "import", "results1.jsonl", "--into", "remote.h5", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    # Round 2: representatives, chosen with the imported sweeps.
    r = cli(*plan, "-o", "round2.json", "--store", "remote.h5", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    round2 = json.loads((tmp_path / "round2.json").read_text())
    assert {e["phase"] for e in round2["configs"]} == {"train"}
    assert len(round1["configs"]) + len(round2["configs"]) == 200
    r = run_runner(bare, "round2.json", "-o", "results2.jsonl", *QUICK, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert cli("bench", "import", "results2.jsonl", "--into", "remote.h5",
               cwd=tmp_path).returncode == 0
    with open_store(tmp_path / "remote.h5") as store:
        assert len(store) == 200 and store.device == "remote:this-cpu"
        assert "pending_plan" not in store.campaign
    r = cli("train", "remote.h5", "-o", "remote.skops", "--include-noisy", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    from explorer.learned.configs import LayerConfig
    from explorer.learned.model_files import load_model
    from explorer.learned.models import predict_configs

    model, metadata = load_model(tmp_path / "remote.skops")
    assert metadata["device"] == "remote:this-cpu"
    [t] = predict_configs(model, [LayerConfig(kind="matmul", op="Gemm", m=1, n=300, k=700)])
    assert 1e-7 < t < 1e-1


def test_runner_resumes_and_refuses_another_plans_results(tmp_path):
    bare = bare_runner_env(tmp_path)
    base = ["bench", "--device", "remote:x", "--strategy", "random", "--kinds", "matmul",
            "--plan-only"]
    assert cli(*base, "--budget", "3", "-o", "a.json", cwd=tmp_path).returncode == 0
    assert run_runner(bare, "a.json", "-o", "a.jsonl", *QUICK, cwd=tmp_path).returncode == 0
    lines = (tmp_path / "a.jsonl").read_text().splitlines()
    # A kill in the middle of the last line: the runner measures that one again only.
    (tmp_path / "a.jsonl").write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:25])
    r = run_runner(bare, "a.json", "-o", "a.jsonl", *QUICK, cwd=tmp_path)
    assert r.returncode == 0 and r.stderr.count(" us ") == 1
    assert len(read_results(tmp_path / "a.jsonl")[1]) == 3
    # Another plan into the same results file: refused.
    assert cli(*base, "--budget", "2", "--seed", "1", "-o", "b.json", "--store", "b.h5",
               cwd=tmp_path).returncode == 0
    r = run_runner(bare, "b.json", "-o", "a.jsonl", *QUICK, cwd=tmp_path)
    assert r.returncode == 2 and "a.jsonl" in r.stderr and "plan" in r.stderr
    # a.h5 waits for plan a: the results of plan b are refused, the store unchanged.
    assert run_runner(bare, "b.json", "-o", "b.jsonl", *QUICK, cwd=tmp_path).returncode == 0
    r = cli("bench", "import", "b.jsonl", "--into", "a.h5", cwd=tmp_path)
    assert r.returncode == 2 and "b.jsonl" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    with open_store(tmp_path / "a.h5") as store:
        assert len(store) == 0


def test_import_refuses_duplicates_and_missing_configurations_then_trains(tmp_path):
    """The fast end-to-end check: a tiny plan through the bare runner into a store."""
    bare = bare_runner_env(tmp_path)
    assert cli("bench", "--device", "remote:x", "--strategy", "random", "--kinds", "matmul",
               "--budget", "6", "--plan-only", "-o", "p.json", cwd=tmp_path).returncode == 0
    assert run_runner(bare, "p.json", "-o", "r.jsonl", *QUICK, cwd=tmp_path).returncode == 0
    lines = (tmp_path / "r.jsonl").read_text().splitlines()
    (tmp_path / "dup.jsonl").write_text("\n".join(lines + [lines[-1]]) + "\n")
    with pytest.raises(BenchmarkError, match="dup.jsonl.*twice"):
        import_results(tmp_path / "dup.jsonl", tmp_path / "p.h5")
    (tmp_path / "short.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(BenchmarkError, match="short.jsonl: 1 of 6 planned"):
        import_results(tmp_path / "short.jsonl", tmp_path / "p.h5")
    with open_store(tmp_path / "p.h5") as store:
        assert len(store) == 0
    assert import_results(tmp_path / "short.jsonl", tmp_path / "p.h5", partial=True)["added"] == 5
    assert import_results(tmp_path / "r.jsonl", tmp_path / "p.h5")["added"] == 1
    # --include-noisy: 3 quick rounds on a loaded shared machine are often flagged noisy.
    r = cli("train", "p.h5", "-o", "p.skops", "--include-noisy", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
