"""depgraph (and the roofline models) against the instruction-level reference `simulate`, over the nine zoo
networks × every library accelerator. Writes docs/validation/depgraph_vs_simulate.json.

Targets (issue 3): depgraph per-layer MAPE ≤ 1 %, whole-network error ≤ 0.5 %; on
resnet50/gemmini depgraph ≤ 100 ms and ≥ 1000× faster than simulate.

    .venv/bin/python benchmarks/depgraph_vs_simulate.py [--quick] [--networks a,b] [--archs x,y] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import timed, write_result  # noqa: E402

from explorer.compare import compare  # noqa: E402
from explorer.estimators.base import run_estimate  # noqa: E402
from explorer.estimators.registry import get_estimator
from explorer.hardware.library import library_names, load_accelerator  # noqa: E402
from explorer.workload import load_network  # noqa: E402
from explorer.workload.zoo import ZOO_NAMES  # noqa: E402

ESTIMATORS = ["depgraph", "roofline", "refined-roofline"]
QUICK_NETWORKS = ["squeezenet", "resnet50"]
QUICK_ARCHS = ["gemmini", "systolic"]


def speed_case(network_name: str, arch: str) -> dict:
    """depgraph wall time (fresh estimator each run, so no cross-run cache) vs simulate."""
    network, acc = load_network(network_name), load_accelerator(arch)
    load_before = os.getloadavg()
    depgraph = timed(lambda: run_estimate(get_estimator("depgraph"), network, acc), 5)
    simulate = timed(lambda: run_estimate(get_estimator("simulate"), network, acc), 1)
    simulated = run_estimate(get_estimator("simulate"), network, acc).to_dict()["total"]
    return {"network": network_name, "accelerator": arch, "depgraph": depgraph,
            "simulate": simulate, "speedup": simulate["min_s"] / depgraph["min_s"],
            "simulate_instructions": simulated["instructions"],
            "simulate_instructions_per_s": simulated["instructions"] / simulate["min_s"],
            "load_average_before": load_before, "load_average_after": os.getloadavg(),
            "target_depgraph_s": 0.1, "target_speedup": 1000}


def run_case(net_name: str, arch: str) -> dict:
    """simulate, depgraph and the rooflines on one network × accelerator."""
    network, acc = load_network(net_name), load_accelerator(arch)
    start = time.perf_counter()
    report = compare(network, acc, ESTIMATORS)
    summary = {
        "network": net_name, "accelerator": arch,
        "simulate_s": report["simulate"]["runtime_s"],
        "simulate_cycles": report["simulate"]["total_cycles"],
        "simulate_instructions": report["simulate"]["instructions"],
    }
    for name, entry in report["estimators"].items():
        summary[name] = {k: entry[k] for k in (
            "total_cycles", "total_error", "layer_mape", "layer_max_error",
            "runtime_s", "speedup_vs_simulate", "iterations_evaluated")}
    d = summary["depgraph"]
    print(f"{net_name:>13} {arch:>12}: simulate {summary['simulate_s']:7.2f} s, "
          f"depgraph {d['runtime_s'] * 1e3:7.1f} ms, total err {d['total_error']:+.2e}, "
          f"MAPE {d['layer_mape']:.2e}; roofline total "
          f"{summary['roofline']['total_error']:+.1%}, refined "
          f"{summary['refined-roofline']['total_error']:+.1%} "
          f"({time.perf_counter() - start:.1f} s)", flush=True)
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"only {QUICK_NETWORKS} × {QUICK_ARCHS}")
    parser.add_argument("--networks", help="comma-separated zoo names")
    parser.add_argument("--archs", help="comma-separated library accelerators")
    parser.add_argument("--name", default="depgraph_vs_simulate", help="result file stem")
    parser.add_argument("--workers", type=int, default=1,
                        help="cases run in parallel processes (the speed case runs alone, after)")
    args = parser.parse_args()
    networks = (args.networks.split(",") if args.networks
                else QUICK_NETWORKS if args.quick else list(ZOO_NAMES))
    archs = (args.archs.split(",") if args.archs
             else QUICK_ARCHS if args.quick else library_names())
    pairs = [(net_name, arch) for net_name in networks for arch in archs]
    if args.workers > 1:  # one case per task: simulate dominates and the cases are independent
        with ProcessPoolExecutor(args.workers) as pool:
            cases = list(pool.map(run_case, *zip(*pairs)))
    else:
        cases = [run_case(net_name, arch) for net_name, arch in pairs]

    def worst(estimator: str, key: str) -> float:
        return max(abs(c[estimator][key]) for c in cases if c[estimator][key] is not None)

    def mean(estimator: str, key: str) -> float:
        values = [abs(c[estimator][key]) for c in cases if c[estimator][key] is not None]
        return sum(values) / len(values)

    summary = {name: {"worst_layer_mape": worst(name, "layer_mape"),
                      "mean_layer_mape": mean(name, "layer_mape"),
                      "worst_total_error": worst(name, "total_error"),
                      "mean_total_error": mean(name, "total_error")} for name in ESTIMATORS}
    speed = speed_case("resnet50", "gemmini") if "resnet50" in networks else None
    result = {
        "description": "depgraph, roofline and refined-roofline against simulate "
                       "(instruction-level, transaction-level reference); errors are relative, 0.01 = 1 %",
        "command": "python benchmarks/depgraph_vs_simulate.py" + (" --quick" if args.quick else "")
                   + (f" --workers {args.workers}" if args.workers > 1 else ""),
        "targets": {"depgraph_layer_mape": 0.01, "depgraph_total_error": 0.005,
                    "depgraph_resnet50_gemmini_s": 0.1, "speedup": 1000},
        "summary": summary, "speed": speed, "cases": cases,
    }
    path = write_result(args.name, result)
    print(f"summary: {summary}")
    if speed:
        print(f"resnet50/gemmini: depgraph {speed['depgraph']['min_s'] * 1e3:.1f} ms, "
              f"simulate {speed['simulate']['min_s']:.2f} s, speedup {speed['speedup']:.0f}x")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
