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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

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
    measure("explore", NETWORK, ARCH, PARAMS, args.grid)


def measure(name: str, network: str, arch: str, param_texts: list[str],
            grid: str | None, *, workers: int = 1, note: str = "",
            stored_grid: bool = False) -> dict:
    """Enumerate the grid of `param_texts` (resumable in `grid`), run every strategy for
    every seed on 10 % of it, and write docs/validation/<name>.json. Hypervolume is
    given twice: objectives scaled linearly to [0, 1] by the grid's min/max (the first
    benchmark's method), and scaled the same way after a log10 (ratios, as an architect
    reads latency, energy and area that span decades; near-front differences count)."""
    acc = load_accelerator(arch)
    params = [parse_param(t, acc) for t in param_texts]
    spec = Spec([load_network(network)], acc, params, OBJECTIVES, estimator=ESTIMATOR)
    grid_path = Path(grid or Path(tempfile.mkdtemp()) / "grid.h5")
    start = time.perf_counter()
    if stored_grid:  # a finished grid read as it is (its definition may predate a change)
        grid_definition = load_exploration(grid_path).definition
        if [p for p, _, _ in grid_definition["params"]] != [p.path for p in params]:
            raise SystemExit(f"{grid_path}: another space")
    else:
        explore(spec, grid_path, workers=workers,
                progress=lambda d, t, _: print(f"\rgrid {d}/{t}", end="", file=sys.stderr))
    print(file=sys.stderr)
    grid_s = time.perf_counter() - start
    stored = load_exploration(grid_path).rows
    rows = [r for r in stored if r["feasible"]]
    table = {design_key(tuple(r[p.path] for p in params)): minimised(r, OBJECTIVES)
             for r in rows}
    all_points = np.array(list(table.values()))
    scales = {"linear": lambda x: x, "log": np.log10}
    bounds = {k: (f(all_points).min(axis=0), f(all_points).max(axis=0))
              for k, f in scales.items()}

    def scaled(points: np.ndarray, kind: str) -> np.ndarray:
        low, high = bounds[kind]
        return (scales[kind](points) - low) / np.where(high > low, high - low, 1.0)

    reference = np.full(len(OBJECTIVES), 1.1)
    grid_hv = {k: hypervolume(scaled(all_points, k), reference) for k in scales}
    grid_front = len(non_dominated(all_points))
    budget = int(SHARE * len(stored))
    results = {}
    for strategy_name in STRATEGIES:
        ratios: dict[str, list[float]] = {k: [] for k in scales}
        for seed in SEEDS:
            strategy = make_strategy(strategy_name, params, budget, seed, len(OBJECTIVES))
            found = []
            while True:
                asked = strategy.ask(1)
                if not asked:
                    break
                for values in asked:
                    vector = table.get(design_key(values))
                    strategy.tell(values, vector, [0.0] if vector is not None else [1.0])
                    if vector is not None:
                        found.append(vector)
            for k in scales:
                hv = hypervolume(scaled(np.array(found), k), reference) if found else 0.0
                ratios[k].append(hv / grid_hv[k])
        results[strategy_name] = {"evaluations": budget}
        for k in scales:
            suffix = "" if k == "linear" else "_log"
            values = ratios[k]
            results[strategy_name] |= {
                f"hv_ratio{suffix}_mean": statistics.mean(values),
                f"hv_ratio{suffix}_min": min(values), f"hv_ratio{suffix}_max": max(values),
                f"hv_ratio{suffix}_per_seed": values,
                f"meets_target{suffix}": statistics.mean(values) >= TARGET}
        print(f"{strategy_name:>7}: hypervolume ratio "
              f"{statistics.mean(ratios['linear']):.3f} linear, "
              f"{statistics.mean(ratios['log']):.3f} log (min {min(ratios['log']):.3f}) "
              f"with {budget} of {len(stored)} evaluations", file=sys.stderr)
    data = {
        "what": "hypervolume of a search's front / the exhaustive grid's, fixed reference",
        "network": network, "accelerator": arch, "estimator": ESTIMATOR,
        "params": param_texts, "objectives": OBJECTIVES, "grid_designs": len(stored),
        "grid_feasible": len(table), "grid_front_size": grid_front,
        "grid_seconds": grid_s, "share_of_grid": SHARE, "seeds": list(SEEDS),
        "reference_point": "objectives scaled to [0, 1] by the grid's min/max (hv_ratio_*: "
                           "linearly; hv_ratio_log_*: after log10); (1.1, 1.1, 1.1)",
        "method": "search evaluations answered from the grid file (deterministic estimator)",
        "target": f"mean hypervolume ratio >= {TARGET} with <= {SHARE:.0%} of the evaluations",
        "strategies": results}
    if note:
        data["note"] = note
    write_result(name, data)
    return data


if __name__ == "__main__":
    main()
