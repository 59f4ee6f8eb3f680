"""`accel-explorer evaluate`: the PR method's accuracy on a device, as JSON; or, with
`--measured FILE.json --model M`, a trained model's whole-network estimates against
whole-network latencies measured on its device (`measure import` / `measure --into`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="evaluate PR models on a device (JSON report)",
                       description="Benchmark held-out random layers, PR and random campaigns "
                                   "at each budget (through a resumable cache store), and the "
                                   "zoo networks; report single-layer and whole-network MAPE, "
                                   "Spearman rank fidelity and the PR-vs-random curve. "
                                   "With --measured FILE.json --model M: compare model M's "
                                   "whole-network estimates with the latencies measured on "
                                   "its device (per-network error, MAPE, Spearman).")
    p.add_argument("--device", default="sim:gemmini",
                   help="cpu, cpu:<threads> or sim:<accelerator> (default: sim:gemmini)")
    p.add_argument("--budgets", default="300,1000,3000", metavar="B1,B2,...",
                   help="campaign budgets of the curve; the largest gives the final model")
    p.add_argument("--test", type=int, default=500, metavar="N",
                   help="held-out random configurations (default: 500)")
    p.add_argument("--networks", default="", metavar="N1,N2",
                   help="zoo networks for whole-network checks (default: all nine; with "
                        "--measured: every network in the file)")
    p.add_argument("--measured", metavar="FILE.json",
                   help="whole-network latencies measured on the model's device (`measure "
                        "import` or `measure --into`): evaluate --model against them")
    p.add_argument("--model", metavar="FILE",
                   help="--measured: the statistical model (`accel-explorer train`)")
    p.add_argument("--arch", default="gemmini", metavar="NAME",
                   help="--measured: the accelerator whose fusion rules a remote device's "
                        "model applies (default: gemmini, as `estimate`)")
    p.add_argument("--cache", metavar="FILE.h5",
                   help="measurement cache (default: eval_cache_<device>.h5 beside -o)")
    p.add_argument("--regressor", choices=["extra_trees", "hgb"], default="extra_trees")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", metavar="FILE.json",
                   help="the JSON report (required; with --measured: default stdout)")
    p.set_defaults(run=run)


def run_measured(args: argparse.Namespace) -> int:
    from explorer.benchmarking.network_plans import evaluate_measured
    from explorer.errors import BenchmarkError

    if not args.model:
        raise BenchmarkError("evaluate --measured needs --model FILE (a trained model of the "
                             "measured device)")
    report = evaluate_measured(args.measured, args.model,
                               networks=[n for n in args.networks.split(",") if n] or None,
                               arch=args.arch)
    report["command"] = "accel-explorer " + " ".join(sys.argv[1:])
    text = json.dumps(report, indent=2) + "\n"
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    errors = ", ".join(f"{r['network']} {r['error_pct']:+.1f}%" for r in report["networks"])
    print(f"{args.measured} vs {args.model} ({report['device']}): {errors}; MAPE "
          f"{report['network_mape_pct']}%, Spearman {report['network_spearman']}",
          file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    from explorer.benchmarking.devices import get_device
    from explorer.benchmarking.evaluate import (
        ZOO,
        Evaluation,
        network_estimate_fn,
        network_truth_fn,
    )
    from explorer.errors import BenchmarkError

    if args.measured:
        return run_measured(args)
    if args.model:
        raise BenchmarkError("evaluate --model goes with --measured FILE.json")
    if not args.output:
        raise BenchmarkError("evaluate needs -o FILE.json")
    try:
        budgets = [int(b) for b in args.budgets.split(",") if b]
    except ValueError:
        raise BenchmarkError(f"--budgets {args.budgets!r}: expected integers like 300,1000") from None
    if not budgets or min(budgets) < 10:
        raise BenchmarkError(f"--budgets {args.budgets!r}: need budgets >= 10")
    device = get_device(args.device)
    output = Path(args.output)
    cache = Path(args.cache) if args.cache else output.with_name(
        f"eval_cache_{device.name.replace(':', '_')}.h5")

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    evaluation = Evaluation(device, cache, budgets, test_size=args.test,
                            networks=[n for n in args.networks.split(",") if n] or ZOO,
                            seed=args.seed, regressor=args.regressor, log=log)
    report = evaluation.run(network_truth_fn(device, log), network_estimate_fn(device))
    report["command"] = "accel-explorer " + " ".join(sys.argv[1:])
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    final = report["final"]
    log(f"{output}: test-layer MAPE {final['test_layers']['mape_pct']}%, zoo-layer MAPE "
        f"{final['zoo_layers']['mape_pct']}%, network MAPE {final['network_mape_pct']}%, "
        f"Spearman {final['network_spearman']}, PR better than random at every budget: "
        f"{report['pr_better_than_random_at_every_budget']}")
    return 0
