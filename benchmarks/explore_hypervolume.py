"""How close does a search get to the exhaustive grid's Pareto front with 10 % of its
evaluations? Writes docs/validation/explore.json.

Space (small enough to enumerate): squeezenet on `systolic`, compute.pe_rows and
compute.pe_cols in 8…128 step 8, dataflow ws/os (16 × 16 × 2 = 512 designs), estimator
depgraph, objectives latency, energy, area (all minimised).

1. The whole grid is evaluated through `explorer.explore` (the real code path; the file is
   resumable, pass --grid FILE to keep it between runs).
2. Each search strategy (random, lhs, nsga2, tpe) runs its own ask/tell loop for 5 seeds
   with a budget of 10 % of the grid. A design it asks for is answered from the grid file:
   the estimator is deterministic, so this is the value an evaluation would return (a
   tabular benchmark, as NAS-Bench does), and it keeps the benchmark affordable on a
   shared 2-core machine.
3. Hypervolume of each front with a fixed reference point: objectives scaled to [0, 1] by
   the grid's min and max, reference point (1.1, 1.1, 1.1). Reported: the ratio to the
   grid's hypervolume, mean (and min, max) over the 5 seeds. Target: mean ≥ 0.95.

    PYTHONPATH=. .venv/bin/python benchmarks/explore_hypervolume.py [--grid FILE.h5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import write_result  # noqa: E402
from explorer.explore import Spec, explore, load_exploration, parse_param  # noqa: E402
from explorer.explore.objectives import minimised  # noqa: E402
from explorer.explore.pareto import hypervolume, non_dominated  # noqa: E402
from explorer.explore.space import design_key  # noqa: E402
from explorer.explore.strategies import make_strategy  # noqa: E402
from explorer.hardware.library import load_accelerator  # noqa: E402
from explorer.workload import load_network  # noqa: E402

NETWORK, ARCH, ESTIMATOR = "squeezenet", "systolic", "depgraph"
PARAMS = ["compute.pe_rows=8:128:8", "compute.pe_cols=8:128:8", "compute.dataflow=ws,os"]
OBJECTIVES = ["latency_s", "energy_j", "area_mm2"]
STRATEGIES = ["random", "lhs", "nsga2", "tpe"]
SEEDS = range(5)
SHARE = 0.10
TARGET = 0.95


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grid", help="the grid's exploration file (kept, resumable)")
    args = parser.parse_args()
    acc = load_accelerator(ARCH)
    params = [parse_param(t, acc) for t in PARAMS]
    spec = Spec([load_network(NETWORK)], acc, params, OBJECTIVES, estimator=ESTIMATOR)
    grid_path = Path(args.grid or Path(tempfile.mkdtemp()) / "grid.h5")
    start = time.perf_counter()
    explore(spec, grid_path, progress=lambda d, t, _: print(f"\rgrid {d}/{t}", end="",
                                                                 file=sys.stderr))
    print(file=sys.stderr)
    grid_s = time.perf_counter() - start
    rows = [r for r in load_exploration(grid_path).rows if r["feasible"]]
    table = {design_key(tuple(r[p.path] for p in params)): minimised(r, OBJECTIVES)
             for r in rows}
    all_points = np.array(list(table.values()))
    low, high = all_points.min(axis=0), all_points.max(axis=0)

    def scaled(points: np.ndarray) -> np.ndarray:
        return (points - low) / np.where(high > low, high - low, 1.0)

    reference = np.full(len(OBJECTIVES), 1.1)
    grid_hv = hypervolume(scaled(all_points), reference)
    grid_front = len(non_dominated(all_points))
    budget = int(SHARE * len(table))
    results = {}
    for name in STRATEGIES:
        ratios = []
        for seed in SEEDS:
            strategy = make_strategy(name, params, budget, seed, len(OBJECTIVES))
            found = []
            while True:
                asked = strategy.ask(1)
                if not asked:
                    break
                for values in asked:
                    vector = table.get(design_key(values))
                    strategy.tell(values, vector, [0.0])
                    if vector is not None:
                        found.append(vector)
            ratios.append(hypervolume(scaled(np.array(found)), reference) / grid_hv)
        results[name] = {"evaluations": budget, "hv_ratio_mean": statistics.mean(ratios),
                         "hv_ratio_min": min(ratios), "hv_ratio_max": max(ratios),
                         "hv_ratio_per_seed": ratios,
                         "meets_target": statistics.mean(ratios) >= TARGET}
        print(f"{name:>7}: hypervolume ratio {statistics.mean(ratios):.3f} "
              f"(min {min(ratios):.3f}, max {max(ratios):.3f}) with {budget} of "
              f"{len(table)} evaluations", file=sys.stderr)
    write_result("explore", {
        "what": "hypervolume of a search's front / the exhaustive grid's, fixed reference",
        "network": NETWORK, "accelerator": ARCH, "estimator": ESTIMATOR, "params": PARAMS,
        "objectives": OBJECTIVES, "grid_designs": len(table), "grid_front_size": grid_front,
        "grid_seconds": grid_s, "share_of_grid": SHARE, "seeds": list(SEEDS),
        "reference_point": "objectives scaled to [0, 1] by the grid's min/max; (1.1, 1.1, 1.1)",
        "method": "search evaluations answered from the grid file (deterministic estimator)",
        "target": f"mean hypervolume ratio >= {TARGET} with <= {SHARE:.0%} of the evaluations",
        "strategies": results})


if __name__ == "__main__":
    main()
