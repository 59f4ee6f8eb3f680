"""The runner end to end on this CPU as if it were a remote device (issue 12's done
criterion) -> docs/validation/runner_end_to_end.json.

Everything goes through the command line a user types:

1. `bench --device remote:cpu-as-remote --strategy pr --budget N --plan-only` (rounds:
   the sweeps first, then the representatives), each plan measured by `runner.py`
   copied alone into a working folder and run by a *separate* venv that holds only
   onnxruntime and numpy (created here with `python -m venv` + `pip install onnxruntime
   numpy`, reused from RUNNER_VENV or ~/.cache/accel-explorer/runner-venv), then
   `bench import`;
2. `train` on the imported store;
3. `measure NET... --device remote:cpu-as-remote --plan-only`, the same runner,
   `measure import`;
4. `evaluate --measured measured.json --model remote.skops`.

    PYTHONPATH=. .venv/bin/python benchmarks/runner_end_to_end.py [--budget 200]
        [--networks squeezenet,shufflenet,alexnet] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEVICE = "remote:cpu-as-remote"


def runner_venv() -> Path:
    """A venv with only onnxruntime and numpy (and their dependencies)."""
    venv = Path(os.environ.get("RUNNER_VENV") or
                Path.home() / ".cache" / "accel-explorer" / "runner-venv")
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import onnxruntime, numpy"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "onnxruntime", "numpy"],
                   check=True)
    return venv


def venv_packages(venv: Path) -> dict[str, str]:
    out = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format",
                          "json"], capture_output=True, text=True, check=True).stdout
    return {p["name"]: p["version"] for p in json.loads(out)}


class Steps:
    def __init__(self, work: Path, venv: Path) -> None:
        self.work, self.venv, self.log = work, venv, []

    def _run(self, argv: list[str], env: dict | None, shown: str) -> str:
        start = time.perf_counter()
        r = subprocess.run(argv, cwd=self.work, env=env, capture_output=True, text=True,
                           check=False)
        wall = time.perf_counter() - start
        self.log.append({"command": shown, "wall_s": round(wall, 2), "rc": r.returncode,
                         "loadavg": round(os.getloadavg()[0], 2)})
        print(f"{wall:7.1f} s  {shown}", file=sys.stderr, flush=True)
        if r.returncode != 0:
            sys.exit(f"failed ({r.returncode}): {shown}\n{r.stderr[-3000:]}")
        return r.stderr

    def cli(self, *args: str) -> str:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        return self._run([sys.executable, "-m", "explorer", *args], env,
                         "accel-explorer " + " ".join(args))

    def runner(self, *args: str) -> str:
        # The separate venv's interpreter, the copied file, no PYTHONPATH: it cannot
        # import the project (checked below).
        env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "")}
        return self._run([str(self.venv / "bin" / "python"), "runner.py", *args], env,
                         "<runner venv>/python runner.py " + " ".join(args))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=200)
    parser.add_argument("--networks", default="squeezenet,shufflenet,alexnet")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep its files")
    args = parser.parse_args()
    networks = [n for n in args.networks.split(",") if n]
    started = time.time()
    load_start = os.getloadavg()
    t0 = time.perf_counter()
    venv = runner_venv()
    venv_s = time.perf_counter() - t0
    packages = venv_packages(venv)
    isolated = subprocess.run([str(venv / "bin" / "python"), "-c", "import explorer"],
                              capture_output=True, cwd=tempfile.gettempdir(),
                              env={"PATH": os.environ.get("PATH", "")}).returncode != 0
    assert isolated and "onnx" not in packages and "scikit-learn" not in packages, packages

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "explorer" / "runner" / "runner.py", work / "runner.py")
        steps = Steps(work, venv)
        t_layers = time.perf_counter()
        rounds = []
        for n in range(1, 10):
            plan = f"round{n}.json"
            steps.cli("bench", "--device", DEVICE, "--strategy", "pr", "--budget",
                      str(args.budget), "--plan-only", "-o", plan, "--store", "remote.h5")
            if not (work / plan).exists():
                break  # the campaign is complete
            entries = json.loads((work / plan).read_text())["configs"]
            rounds.append({"plan": plan, "configs": len(entries),
                           "phases": sorted({e["phase"] for e in entries})})
            steps.runner(plan, "-o", f"results{n}.jsonl")
            steps.cli("bench", "import", f"results{n}.jsonl", "--into", "remote.h5")
        layers_s = time.perf_counter() - t_layers
        trained = steps.cli("train", "remote.h5", "-o", "remote.skops", "--include-noisy")
        t_nets = time.perf_counter()
        steps.cli("measure", *networks, "--device", DEVICE, "--plan-only", "-o",
                  "networks.json")
        steps.runner("networks.json", "-o", "networks.jsonl")
        steps.cli("measure", "import", "networks.jsonl", "--into", "measured.json",
                  "--plan", "networks.json")
        steps.cli("evaluate", "--measured", "measured.json", "--model", "remote.skops",
                  "-o", "evaluation.json")
        networks_s = time.perf_counter() - t_nets
        evaluation = json.loads((work / "evaluation.json").read_text())
        measured = json.loads((work / "measured.json").read_text())
        header = json.loads((work / "results1.jsonl").read_text().splitlines()[0])
        noisy = sum(json.loads(line).get("status") == "noisy"
                    for n in range(1, len(rounds) + 1)
                    for line in (work / f"results{n}.jsonl").read_text().splitlines()[1:])

    result = {
        "what": "issue 12's done criterion: the device-side runner used end to end on this "
                "CPU as if it were a remote device (plan -> runner.py alone in a venv with "
                "only onnxruntime + numpy -> import -> train -> whole networks planned, "
                "measured by the same runner, imported -> evaluate --measured)",
        "command": "PYTHONPATH=. .venv/bin/python benchmarks/runner_end_to_end.py "
                   + " ".join(sys.argv[1:]),
        "device": DEVICE, "budget": args.budget, "networks": networks,
        "runner_venv": {"packages": packages, "imports_explorer": not isolated,
                        "ready_s": round(venv_s, 1)},
        "runner_device": header["device"], "runner_timing": header["timing"],
        "layer_rounds": rounds, "layer_results_noisy": noisy,
        "train": trained.strip().splitlines()[-1],
        "measured_networks": {k: {"latency_s": v["latency_s"], "spread_s": v["spread_s"],
                                  "status": v["status"]}
                              for k, v in measured["networks"].items()},
        "per_network": [{k: r[k] for k in ("network", "measured_s", "estimate_s",
                                           "error_pct")} for r in evaluation["networks"]],
        "network_mape_pct": evaluation["network_mape_pct"],
        "network_spearman": evaluation["network_spearman"],
        "layers_wall_s": round(layers_s, 1), "networks_wall_s": round(networks_s, 1),
        "wall_s": round(time.time() - started, 1),
        "loadavg_start": load_start, "loadavg_end": os.getloadavg(),
        "steps": steps.log,
    }
    path = write_result("runner_end_to_end", result)
    errors = ", ".join(f"{r['network']} {r['error_pct']:+.1f}%" for r in result["per_network"])
    print(f"{path}: budget {args.budget}: {errors}; MAPE {result['network_mape_pct']}%, "
          f"Spearman {result['network_spearman']}; {result['wall_s']} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
