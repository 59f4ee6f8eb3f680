"""Performance Representatives on a real GPU, offline: the H200 measurement pool.

Every campaign runs through the product (`Campaign` on `pool:DATA`, stores in a temporary
directory) and selects from the same dense pool, as the PR paper evaluates sampling. The
held-out configurations (`benchmarks/data/h200_holdout.json`, committed before any model
saw the data) and every conv/linear layer of the measured networks are excluded from the
pool, so no campaign can select them.

1. PR vs random selection at each budget (sweeps count in the budget), mean and standard
   deviation over seeds, both trained with the same model and features (GPU tiling
   features, log-latency target, extra-trees): held-out single-layer MAPE.
2. The final PR model (largest budget, seed 0): held-out MAPE, the calibration of its
   90 % interval (trees' spread), the networks' conv/linear layers measured alone
   (`networks.jsonl`) and their per-network sums.
3. Whole networks (ANNETTE-style stacking), leave-one-network-out over the 9 networks:
   the layer model's sum plus a network-level model of the remaining work (kernels the
   ONNX graph implies: batch norms, activations, pooling, additions, each with a
   per-kernel cost) fitted on the other 8 networks.

    .venv/bin/python benchmarks/pr_h200.py [--data DIR] [--budgets 250,500,1000,2000]
                                           [--seeds 5] [--networks-only]

`--networks-only` reruns only what part 3 needs (the final PR campaign, largest budget,
seed 0, and its model: deterministic, so the same model as the full run) and replaces
the network figures of the existing result file, keeping the rest.

Writes docs/validation/pr_h200.json; prints the markdown section of docs/validation/pr.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import write_result  # noqa: E402
from benchmarks.pr_h200_networks import NetworkData, load_networks  # noqa: E402
from explorer.benchmarking.campaign import Campaign, iter_rows  # noqa: E402
from explorer.benchmarking.devices.pool import PoolDevice, load_config_list  # noqa: E402
from explorer.benchmarking.store import BenchmarkStore  # noqa: E402
from explorer.learned.features import config_matrix  # noqa: E402
from explorer.learned.models import PRLatencyModel  # noqa: E402

HOLDOUT = Path(__file__).resolve().parent / "data" / "h200_holdout.json"
DEFAULT_DATA = Path(os.environ.get("ACCEL_EXPLORER_H200", "/work/shared/data/h200"))
TARGETS = {"single_layer_mape": 3.0, "network_layer_mape": 5.0, "network_sum_mape": 3.0,
           "whole_network_loo_mape": 7.0, "whole_network_spearman": 0.95}


def ape(pred: np.ndarray, true: np.ndarray) -> np.ndarray:
    return np.abs(pred - true) / true * 100


def run_campaign(pool: PoolDevice, strategy: str, budget: int, seed: int,
                 tmp: Path) -> tuple[list, np.ndarray, list[dict]]:
    path = tmp / f"{strategy}_{budget}_{seed}.h5"
    with BenchmarkStore(path, device=pool.name, provenance=pool.provenance()) as store:
        campaign = Campaign(pool, store, strategy, budget, seed=seed, sweep_share=0.1)
        result = campaign.run()
        rows = list(iter_rows(store, statuses=None))
    configs = [c for c, _ in rows]
    return configs, np.array([t for _, t in rows]), result.rules


def fit(configs, latencies, rules, sms: int, seed: int) -> PRLatencyModel:
    model = PRLatencyModel(rules=rules or None, sms=sms, target="log", trees=200,
                           random_state=seed)
    return model.fit(config_matrix(configs), latencies)


def replicate_noise(pool: PoolDevice) -> dict:
    """How far two measurements of the same configuration lie apart in the pool: no
    model can be checked against single measurements more finely than this."""
    diffs = []
    for times in pool._times.values():  # noqa: SLF001 - the benchmark inspects the pool
        if len(times) >= 2:
            a, b = times[0][0], times[1][0]
            diffs.append(abs(a - b) / min(a, b) * 100)
    return {"pairs": len(diffs), "mean_relative_difference_pct": float(np.mean(diffs)),
            "median_relative_difference_pct": float(np.median(diffs)),
            "implied_mape_floor_pct": float(np.mean(diffs) / np.sqrt(2))}


def main() -> None:
    parser = argparse.ArgumentParser(description="PR vs random on the H200 pool")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--budgets", default="250,500,1000,2000")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--baseline", action="store_true",
                        help="measure the issue's naive baseline into the last result file")
    parser.add_argument("--networks-only", action="store_true",
                        help="rerun only the network figures (final PR model) into the "
                             "existing result file")
    parser.add_argument("--report", action="store_true",
                        help="print the markdown tables of the last result file and exit")
    args = parser.parse_args()
    if args.baseline:
        return naive_baseline(args.data)
    if args.report:
        from benchmarks._common import VALIDATION_DIR

        print(markdown(json.loads((VALIDATION_DIR / "pr_h200.json").read_text())))
        return
    budgets = [int(b) for b in args.budgets.split(",")]
    if args.networks_only:
        return networks_only(args.data, max(budgets))
    started = time.time()

    holdout = load_config_list(HOLDOUT)
    networks: list[NetworkData] = load_networks(args.data)
    network_configs = [layer.config for net in networks for layer in net.layers]
    pool = PoolDevice(args.data, exclude=holdout + network_configs)
    sms = pool.sm_count() or 132
    truth = np.array([pool.latency(c) for c in holdout])
    test_X = config_matrix(holdout)
    is_conv = np.array([c.kind == "conv" for c in holdout])

    # 1. PR vs random at each budget, over seeds.
    comparison: list[dict] = []
    final = None
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for budget in budgets:
            scores: dict[str, list[float]] = {"pr": [], "random": []}
            for seed in range(args.seeds):
                pr_configs, pr_t, rules = run_campaign(pool, "pr", budget, seed, tmp)
                rnd_configs, rnd_t, _ = run_campaign(pool, "random", budget, seed, tmp)
                for name, configs, lat in (("pr", pr_configs, pr_t),
                                           ("random", rnd_configs, rnd_t)):
                    model = fit(configs, lat, rules, sms, seed)
                    scores[name].append(float(ape(model.predict(test_X), truth).mean()))
                    if name == "pr" and budget == max(budgets) and seed == 0:
                        final = (model, len(configs), rules)
                print(f"budget {budget} seed {seed}: PR {scores['pr'][-1]:.2f} % random "
                      f"{scores['random'][-1]:.2f} %", file=sys.stderr, flush=True)
            pr, rnd = np.array(scores["pr"]), np.array(scores["random"])
            margin = float(rnd.mean() - pr.mean())
            comparison.append({
                "budget": budget, "pr_mape_mean": float(pr.mean()), "pr_mape_std": float(pr.std()),
                "random_mape_mean": float(rnd.mean()), "random_mape_std": float(rnd.std()),
                "pr_runs": scores["pr"], "random_runs": scores["random"],
                "pr_better_by_more_than_one_std": bool(margin > max(pr.std(), rnd.std()))})
    assert final is not None
    model, rows, rules = final

    # 2. The final model on held-out configurations and on the networks' layers.
    pred = model.predict(test_X)
    low, high = model.predict_interval(test_X, 0.9)
    errors = ape(pred, truth)
    single = {
        "budget": max(budgets), "rows": rows, "rules": rules,
        "held_out": len(holdout), "mape": float(errors.mean()),
        "median_ape": float(np.median(errors)), "conv_mape": float(errors[is_conv].mean()),
        "linear_mape": float(errors[~is_conv].mean()),
        "interval90_coverage": float(np.mean((truth >= low) & (truth <= high))),
        "interval90_median_width_pct": float(np.median((high - low) / pred * 100)),
    }
    from benchmarks.pr_h200_networks import network_figures

    network = network_figures(networks, model, sms)

    result = {
        "pool": str(args.data), "pool_sha256": pool.provenance()["pool_sha256"],
        "holdout_file": str(HOLDOUT.relative_to(HOLDOUT.parents[2])),
        "excluded_from_pool": len(pool.excluded), "candidates": len(pool.candidates()),
        "model": "PRLatencyModel(extra-trees, 200 trees, log latency, GPU tiling features, "
                 f"sms={sms})",
        "seeds": args.seeds, "sweep_share": 0.1, "targets": TARGETS,
        "replicate_noise": replicate_noise(pool),
        "pr_vs_random": comparison, "single_layer": single, **network,
        "wall_s": time.time() - started,
        "note": "offline and deterministic (pool lookups); the load average is recorded "
                "only because the machine is shared",
    }
    path = write_result("pr_h200", result)
    print(markdown(result))
    print(f"wrote {path}", file=sys.stderr)


def networks_only(data: Path, budget: int) -> None:
    """Part 3 alone: the final PR model (campaign `pr`, `budget`, seed 0, as in the full
    run) and the network figures, written over those of the existing result file; the
    held-out MAPE of that model is checked against the file's to show it is the same."""
    from benchmarks._common import VALIDATION_DIR, machine_info
    from benchmarks.pr_h200_networks import network_figures

    started = time.time()
    path = VALIDATION_DIR / "pr_h200.json"
    result = json.loads(path.read_text())
    holdout = load_config_list(HOLDOUT)
    networks = load_networks(data)
    pool = PoolDevice(data, exclude=holdout + [la.config for n in networks for la in n.layers])
    sms = pool.sm_count() or 132
    with tempfile.TemporaryDirectory() as tmpdir:
        configs, lat, rules = run_campaign(pool, "pr", budget, 0, Path(tmpdir))
    model = fit(configs, lat, rules, sms, 0)
    truth = np.array([pool.latency(c) for c in holdout])
    held_out = float(ape(model.predict(config_matrix(holdout)), truth).mean())
    recorded = result.get("single_layer", {}).get("mape")
    print(f"final model: held-out MAPE {held_out:.4f} % (result file: {recorded})",
          file=sys.stderr)
    result.update(network_figures(networks, model, sms))
    result["networks_rerun"] = {
        "machine": machine_info(), "wall_s": time.time() - started,
        "final_model_held_out_mape": held_out,
        "same_final_model_as_full_run": recorded is not None and abs(held_out - recorded) < 1e-9,
        "what": "benchmarks/pr_h200.py --networks-only: network figures only"}
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(markdown(result))
    print(f"wrote {path}", file=sys.stderr)


def naive_baseline(data: Path) -> None:
    """The issue's baseline on the same held-out set: extra-trees on the raw
    configuration columns (log latency), trained on 2,000 random pool configurations
    plus every sweep of the pool (more than the 2,000 samples the campaigns get)."""
    from sklearn.ensemble import ExtraTreesRegressor

    from benchmarks._common import VALIDATION_DIR

    holdout = load_config_list(HOLDOUT)
    networks = load_networks(data)
    pool = PoolDevice(data, exclude=holdout + [la.config for n in networks for la in n.layers])
    candidates = pool.candidates()
    order = np.random.default_rng(0).permutation(len(candidates))[:2000]
    train = [candidates[i] for i in order]
    train += [c for sweep in pool.sweeps().values() for c in sweep]
    X = config_matrix(train)
    y = np.log([pool.latency(c) for c in train])
    model = ExtraTreesRegressor(200, random_state=0, n_jobs=1).fit(X, y)
    truth = np.array([pool.latency(c) for c in holdout])
    mape = float(ape(np.exp(model.predict(config_matrix(holdout))), truth).mean())
    path = VALIDATION_DIR / "pr_h200.json"
    result = json.loads(path.read_text())
    result["naive_baseline"] = {"training_rows": len(train), "mape": mape,
                                "what": "extra-trees (200) on raw configuration columns, log "
                                        "latency, 2,000 random + all pool sweeps"}
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"naive baseline: {len(train)} rows, held-out MAPE {mape:.2f} %")


def markdown(r: dict) -> str:
    """The tables of docs/validation/pr.md's H200 section."""
    lines = ["| budget | PR | random | PR better by > 1 std |", "|---:|---:|---:|:---:|"]
    for p in r["pr_vs_random"]:
        lines.append(f"| {p['budget']} | {p['pr_mape_mean']:.2f} ± {p['pr_mape_std']:.2f} | "
                     f"{p['random_mape_mean']:.2f} ± {p['random_mape_std']:.2f} | "
                     f"{'yes' if p['pr_better_by_more_than_one_std'] else 'no'} |")
    s, nl = r["single_layer"], r["network_layers"]
    lines += ["", f"Final PR model (budget {s['budget']}): held-out MAPE {s['mape']:.2f} % "
              f"(median {s['median_ape']:.2f} %; conv {s['conv_mape']:.2f} %, linear "
              f"{s['linear_mape']:.2f} %); 90 % interval holds {s['interval90_coverage']:.1%} "
              f"of the measurements (median width {s['interval90_median_width_pct']:.0f} %).",
              f"Network layers alone ({nl['layers']}): MAPE {nl['mape']:.2f} % (median "
              f"{nl['median_ape']:.2f} %; {nl['mape_without_correction']:.2f} % without the "
              f"learnt correction, {nl['mape_with_constant_bias_delta']:.2f} % with a constant "
              "bias δ).", "",
              "| network | conv/linear sum measured | estimated | error | whole measured | "
              "whole estimated (LOO) | error |", "|---|---:|---:|---:|---:|---:|---:|"]
    wholes = {w["network"]: w for w in r["whole_network_loo"]["networks"]}
    for n in r["network_sums"]["networks"]:
        w = wholes[n["network"]]
        lines.append(f"| {n['network']} | {n['measured_us']:.1f} µs | {n['estimated_us']:.1f} µs"
                     f" | {n['error_pct']:+.1f} % | {w['measured_us']:.1f} µs | "
                     f"{w['estimated_us']:.1f} µs | {w['error_pct']:+.1f} % |")
    lines += ["", f"Per-network sum MAPE {r['network_sums']['mape']:.2f} %; whole-network "
              f"MAPE (leave-one-network-out) {r['whole_network_loo']['mape']:.2f} %, Spearman "
              f"{r['whole_network_loo']['spearman']:.3f}."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
