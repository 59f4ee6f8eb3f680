"""`accel-explorer bench`: measure a PR or random training set on a device into an HDF5
store; resumable (run the same command again after an interruption).

Devices measured elsewhere: `bench --device remote:NAME --plan-only -o plan.json` writes
the next round's plan (and the store it belongs to, `--store`, default plan.h5), the
device runs `python -m explorer.runner plan.json -o results.jsonl`, and
`bench import results.jsonl --into plan.h5` brings the results in; repeat for the next
round. `bench import layers.csv --into store.h5 --device NAME` imports a per-layer CSV
made by another tool (docs/bring-your-own-device.md)."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="benchmark layer configurations on a device (HDF5 store)",
                       description="Measure single layers on a device and append them to an "
                                   "HDF5 benchmark store. Interrupted runs resume: "
                                   "nothing stored is measured again.")
    p.add_argument("--device", default=None,
                   help="cpu, cpu:<threads>, sim:<accelerator> or pool:<PATH> (dense "
                        "measurements made elsewhere: a .jsonl file, a directory of "
                        "single_*.jsonl files or an .h5 store; default: cpu)")
    p.add_argument("--exclude", default=None, metavar="FILE.json",
                   help="pool: held-out configurations no campaign may select (a JSON "
                        "list, e.g. benchmarks/data/h200_holdout.json)")
    p.add_argument("--strategy", choices=["pr", "random"], default="pr",
                   help="pr: initial sweeps + performance representatives; random: "
                        "random configurations (default: pr)")
    p.add_argument("action", nargs="?", choices=["import"],
                   help="import FILE... --into STORE: runner results (.jsonl) or a CSV")
    p.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    p.add_argument("--into", metavar="STORE.h5", help="import: the store to append to")
    p.add_argument("--plan", metavar="PLAN.json",
                   help="import: the plan the results answer (checked; needed for a new store)")
    p.add_argument("--partial", action="store_true",
                   help="import: accept results that lack some planned configurations")
    p.add_argument("--plan-only", action="store_true",
                   help="write the next round's plan (-o PLAN.json) for explorer.runner "
                        "instead of measuring")
    p.add_argument("--store", metavar="STORE.h5",
                   help="--plan-only: the store the plan's results go into (default: the "
                        "plan's name with .h5)")
    p.add_argument("--budget", type=int, default=None, metavar="N",
                   help="number of distinct configurations to measure (sweeps included)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--kinds", default="", metavar="K1,K2",
                   help="restrict to layer kinds (conv,matmul,pool,eltwise,norm,softmax,data)")
    p.add_argument("--phase", default=None,
                   help="label stored with each row (random strategy; default: train)")
    p.add_argument("--quick", action="store_true",
                   help="cpu: 3-5 rounds and no repeats (smoke tests; too noisy for models)")
    p.add_argument("-o", "--output", metavar="FILE.h5",
                   help="the store (or with --plan-only the plan file)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.benchmarking.campaign import Campaign
    from explorer.benchmarking.devices import get_device
    from explorer.benchmarking.store import BenchmarkStore
    from explorer.errors import BenchmarkError
    from explorer.learned.configs import KINDS

    if args.action == "import":
        return run_import(args)
    if args.budget is None or not args.output:
        raise BenchmarkError("bench needs --budget N and -o FILE (or: bench import FILE "
                             "--into STORE)")
    kinds = tuple(k for k in args.kinds.split(",") if k) or None
    if kinds and any(k not in KINDS for k in kinds):
        raise BenchmarkError(f"--kinds {args.kinds!r}: allowed kinds are {', '.join(KINDS)}")
    exclude = []
    if args.exclude:
        from explorer.benchmarking.devices.pool import load_config_list

        exclude = load_config_list(args.exclude)
    device = get_device(args.device or "cpu", quick=args.quick, exclude=exclude)
    if args.plan_only:
        return run_plan_only(args, device, kinds)
    with BenchmarkStore(args.output, device=device.name,
                        provenance=device.provenance()) as store:
        previous = store.campaign
        for key in ("strategy", "seed"):
            if previous.get(key) not in (None, getattr(args, key)):
                raise BenchmarkError(
                    f"{args.output}: was started with --{key} {previous[key]}, not "
                    f"{getattr(args, key)}; use another file or the same settings")
        before = len(store)
        campaign = Campaign(device, store, args.strategy, args.budget, seed=args.seed,
                            kinds=kinds, progress=_progress_printer())
        if args.phase:
            campaign.phase = args.phase
        result = campaign.run()
        print(f"\n{args.output}: {len(store)} rows ({len(store) - before} new, "
              f"{result.reused} reused), device {device.name}", file=sys.stderr)
        for rule in result.rules:
            print(f"  step rule: {rule['family']}.{rule['param']} period {rule['period']}"
                  f"{' for multiples of ' + str(rule['divisor']) if rule['divisor'] > 1 else ''}",
                  file=sys.stderr)
    return 0


def run_plan_only(args: argparse.Namespace, device, kinds) -> int:
    from pathlib import Path

    from explorer.benchmarking.campaign import Campaign
    from explorer.benchmarking.plans import write_plan
    from explorer.benchmarking.store import BenchmarkStore

    store_path = args.store or str(Path(args.output).with_suffix(".h5"))
    with BenchmarkStore(store_path, device=device.name,
                        provenance=device.provenance()) as store:
        campaign = Campaign(device, store, args.strategy, args.budget, seed=args.seed,
                            kinds=kinds)
        if args.phase:
            campaign.phase = args.phase
        planned = campaign.plan_next()
        if not planned:
            print(f"{store_path}: the campaign is complete ({len(store)} rows); no plan "
                  "written", file=sys.stderr)
            return 0
        info = {k: v for k, v in store.campaign.items() if k != "pending_plan"}
        plan = write_plan(args.output, device.name, planned, info, store=store_path)
        store.set_campaign({**store.campaign, "pending_plan": {
            "plan_id": plan["plan_id"], "ids": [e["id"] for e in plan["configs"]]}})
    phases = sorted({phase for _, phase in planned})
    print(f"{args.output}: plan {plan['plan_id']}, {len(planned)} configurations "
          f"({', '.join(phases)}) for {device.name}; store {store_path}\n"
          f"  on the device: python -m explorer.runner {args.output} -o results.jsonl "
          f"[--provider ...]\n  then: accel-explorer bench import results.jsonl --into "
          f"{store_path}", file=sys.stderr)
    return 0


def run_import(args: argparse.Namespace) -> int:
    from explorer.errors import BenchmarkError

    if not args.files or not args.into:
        raise BenchmarkError("bench import needs FILE... and --into STORE.h5")
    for path in args.files:
        if path.endswith(".csv"):
            from explorer.benchmarking.csv_import import import_csv

            counts = import_csv(path, args.into, device=args.device)
        else:
            from explorer.benchmarking.plans import import_results

            counts = import_results(path, args.into, plan_path=args.plan,
                                    partial=args.partial)
        print(f"{path} -> {args.into}: {counts['added']} added, "
              f"{counts['already_stored']} already stored"
              + (f", {counts['missing']} missing" if counts.get("missing") else "")
              + (f", {counts['failed']} failed on the device" if counts.get("failed") else ""),
              file=sys.stderr)
    return 0


def _progress_printer():
    tty = sys.stderr.isatty()

    def show(done: int, total: int, what: str) -> None:
        text = f"[{done}/{total}] {what[:70]}"
        if tty:
            print(f"\r{text:<85}", end="", file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr, flush=True)

    return show
