"""Which point estimate to read from a latency model when the figure is MAPE on noisy,
bimodal measurements (H200 pool, offline).

Small H200 layers measured twice land on ~3.3 µs or ~5.3 µs for the same configuration,
and cuDNN's kernel choice scatters large ones: the error is multiplicative and skewed.
Under such noise the prediction that minimises mean relative error lies *below* the
median, so the trees' mean (what `PRLatencyModel` returns) is not the best point for the
MAPE target. This compares, on the committed held-out set (`benchmarks/data/
h200_holdout.json`, network layers also excluded from the pool), models trained on 2,000
random pool configurations per seed with the GPU tiling features and log-latency target:

- extra-trees, mean of the trees (the product's model today);
- extra-trees, a fixed percentile of the trees (30/40/50; chosen by looking at this
  held-out set, so reported as exploration only);
- extra-trees, percentile chosen from (30, 40, 50) on a 20 % validation split of the
  *training* sample only (the honest version: nothing fitted to the held-out set);
- histogram gradient boosting with a quantile loss (q = 0.4) on log latency;
- the average (in log space) of the validation-chosen percentile and the boosting model.

    .venv/bin/python benchmarks/pr_h200_point.py [--seeds 3] [--trees 100]

Writes docs/validation/pr_h200_point.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import write_result  # noqa: E402
from benchmarks.pr_h200 import DEFAULT_DATA, HOLDOUT  # noqa: E402
from benchmarks.pr_h200_networks import load_networks  # noqa: E402
from explorer.benchmarking.devices.pool import PoolDevice, load_config_list  # noqa: E402
from explorer.learned.features import LayerFeaturizer, config_matrix  # noqa: E402

PERCENTILES = (30, 40, 50)


def mape(log_pred: np.ndarray, true: np.ndarray) -> float:
    return float(np.mean(np.abs(np.exp(log_pred) - true) / true) * 100)


def tree_stack(model, X: np.ndarray) -> np.ndarray:
    return np.stack([t.predict(X) for t in model.estimators_])


def main() -> None:
    from sklearn.ensemble import ExtraTreesRegressor, HistGradientBoostingRegressor

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--budget", type=int, default=2000)
    args = parser.parse_args()
    started = time.time()
    holdout = load_config_list(HOLDOUT)
    networks = load_networks(args.data)
    pool = PoolDevice(args.data, exclude=holdout + [la.config for n in networks
                                                    for la in n.layers])
    candidates = pool.candidates()
    features = LayerFeaturizer(sms=pool.sm_count() or 132).fit(config_matrix(candidates[:1]))
    X = features.transform(config_matrix(candidates))
    y = np.log([pool.latency(c) for c in candidates])
    kinds = np.array([c.kind for c in candidates])
    Xt = features.transform(config_matrix(holdout))
    truth = np.array([pool.latency(c) for c in holdout])
    test_kinds = np.array([c.kind for c in holdout])

    runs: dict[str, list[float]] = {}
    chosen: list[dict] = []
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        sample = rng.permutation(len(y))[:args.budget]
        preds: dict[str, np.ndarray] = {}
        for kind in np.unique(test_kinds):
            train = sample[kinds[sample] == kind]
            test = test_kinds == kind

            def trees(rows, seed=seed):
                return ExtraTreesRegressor(args.trees, random_state=seed, n_jobs=1).fit(
                    X[rows], y[rows])

            # The percentile, chosen on a validation split of the training sample only.
            val = rng.random(len(train)) < 0.2
            inner = tree_stack(trees(train[~val]), X[train[val]])
            truth_val = np.exp(y[train[val]])
            scores = {q: mape(np.percentile(inner, q, axis=0), truth_val) for q in PERCENTILES}
            q_best = min(scores, key=scores.get)
            chosen.append({"seed": seed, "kind": str(kind), "percentile": q_best,
                           "validation_mape": scores})
            stack = tree_stack(trees(train), Xt[test])
            hgb = HistGradientBoostingRegressor(
                loss="quantile", quantile=0.4, max_iter=500, learning_rate=0.05,
                max_leaf_nodes=15, min_samples_leaf=5, random_state=seed).fit(X[train], y[train])
            parts = {"extra_trees_mean": stack.mean(axis=0),
                     **{f"extra_trees_p{q}": np.percentile(stack, q, axis=0)
                        for q in PERCENTILES},
                     "extra_trees_validation_percentile": np.percentile(stack, q_best, axis=0),
                     "hgb_quantile40": hgb.predict(Xt[test])}
            parts["blend_validation_percentile_and_hgb"] = (
                parts["extra_trees_validation_percentile"] + parts["hgb_quantile40"]) / 2
            for name, value in parts.items():
                preds.setdefault(name, np.empty(len(truth)))[test] = value
        for name, value in preds.items():
            runs.setdefault(name, []).append(mape(value, truth))
        print(f"seed {seed}: " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in runs.items()),
              file=sys.stderr, flush=True)
        # Written after every seed: a run cut short on a loaded machine keeps its seeds.
        write_result("pr_h200_point", summary(args, holdout, runs, chosen, started))

    result = summary(args, holdout, runs, chosen, started)
    path = write_result("pr_h200_point", result)
    for name, value in result["held_out_mape"].items():
        print(f"| {name} | {value['mean']:.2f} ± {value['std']:.2f} |")
    print(f"wrote {path}", file=sys.stderr)


def summary(args, holdout, runs: dict, chosen: list, started: float) -> dict:
    return {
        "pool": str(args.data), "holdout_file": "benchmarks/data/h200_holdout.json",
        "budget": args.budget, "seeds": len(next(iter(runs.values()))),
        "seeds_asked": args.seeds, "trees": args.trees,
        "held_out": len(holdout), "sampling": "uniform random from the pool",
        "features": "LayerFeaturizer(sms) GPU tiling features; per-kind models; log latency",
        "held_out_mape": {name: {"mean": float(np.mean(v)), "std": float(np.std(v)),
                                 "runs": v} for name, v in runs.items()},
        "validation_choices": chosen,
        "caveat": "the fixed percentiles 30/40/50 and the boosting quantile 0.4 were first "
                  "tried against this held-out set in an exploration; only the "
                  "validation-chosen percentile is free of that",
        "wall_s": time.time() - started,
    }


if __name__ == "__main__":
    main()
