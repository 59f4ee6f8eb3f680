"""`accel-explorer train`: fit a latency model on a benchmark store."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a latency model on a benchmark store",
                       description="Fit a statistical latency model (PR model or ANNETTE's "
                                   "mixed model) on the measurements of an HDF5 store and "
                                   "save it as a skops file (loading it runs no code).")
    p.add_argument("store", metavar="FILE.h5", help="benchmark store from `accel-explorer bench`")
    p.add_argument("-o", "--output", required=True, metavar="MODEL",
                   help="model file to write (e.g. cpu.skops)")
    p.add_argument("--model", choices=["pr", "annette"], default="pr",
                   help="pr: featurizer with the store's step rules + regressor; annette: "
                        "ANNETTE's mixed model (default: pr)")
    p.add_argument("--regressor", choices=["extra_trees", "hgb"], default="extra_trees")
    p.add_argument("--include-noisy", action="store_true",
                   help="also train on measurements flagged noisy")
    p.add_argument("--networks", nargs="+", metavar="FILE",
                   help="measured whole networks (the shared networks.jsonl format, or "
                        "`accel-explorer measure --format json` output): fit the network "
                        "model (explorer/learned/network_model.py) on them and store it "
                        "in the model file; the statistical estimator then uses it for "
                        "the network total")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.benchmarking.training import train_from_store
    from explorer.learned.model_files import save_model

    trained = train_from_store(args.store, kind=args.model, regressor=args.regressor,
                               include_noisy=args.include_noisy, seed=args.seed)
    network_model = None
    if args.networks:
        from explorer.benchmarking.training import fit_network_model_for

        network_model, loo = fit_network_model_for(trained, args.networks, seed=args.seed)
        trained.metadata["network_model_files"] = [str(p) for p in args.networks]
        trained.metadata["network_model_loo"] = loo
    save_model(trained.model, args.output, trained.metadata, network_model)
    meta = trained.metadata
    print(f"{args.output}: {args.model} model ({args.regressor}) for device {meta['device']}, "
          f"{meta['training_rows']} rows, {len(meta['rules'])} step rules", file=sys.stderr)
    if network_model is not None:
        a, b, saving = network_model.weights
        line = (f"{args.output}: network model on {len(network_model.networks)} networks "
                f"(a {a:.3f}, b {b:.3f}, {saving:.2f} µs saved per kernel, correction "
                f"{network_model.correction})")
        loo = meta["network_model_loo"]
        if loo:
            line += (f"; leave-one-network-out MAPE {loo['mape']:.2f} %, Spearman "
                     f"{loo['spearman']:.3f}")
        print(line, file=sys.stderr)
    return 0
