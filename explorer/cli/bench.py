"""`accel-explorer bench`: measure a PR or random training set on a device into an HDF5
store; resumable (run the same command again after an interruption)."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="benchmark layer configurations on a device (HDF5 store)",
                       description="Measure single layers on a device and append them to an "
                                   "HDF5 benchmark store. Interrupted runs resume: "
                                   "nothing stored is measured again.")
    p.add_argument("--device", default="cpu",
                   help="cpu, cpu:<threads>, sim:<accelerator> or pool:<PATH> (dense "
                        "measurements made elsewhere: a .jsonl file, a directory of "
                        "single_*.jsonl files or an .h5 store; default: cpu)")
    p.add_argument("--exclude", default=None, metavar="FILE.json",
                   help="pool: held-out configurations no campaign may select (a JSON "
                        "list, e.g. benchmarks/data/h200_holdout.json)")
    p.add_argument("--strategy", choices=["pr", "random"], default="pr",
                   help="pr: initial sweeps + performance representatives; random: "
                        "random configurations (default: pr)")
    p.add_argument("--budget", type=int, required=True, metavar="N",
                   help="number of distinct configurations to measure (sweeps included)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--kinds", default="", metavar="K1,K2",
                   help="restrict to layer kinds (conv,matmul,pool,eltwise,norm,softmax,data)")
    p.add_argument("--phase", default=None,
                   help="label stored with each row (random strategy; default: train)")
    p.add_argument("--quick", action="store_true",
                   help="cpu: 3-5 rounds and no repeats (smoke tests; too noisy for models)")
    p.add_argument("-o", "--output", required=True, metavar="FILE.h5")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.benchmarking.campaign import Campaign
    from explorer.benchmarking.configs import KINDS
    from explorer.benchmarking.devices import get_device
    from explorer.benchmarking.store import BenchmarkStore
    from explorer.errors import BenchmarkError

    kinds = tuple(k for k in args.kinds.split(",") if k) or None
    if kinds and any(k not in KINDS for k in kinds):
        raise BenchmarkError(f"--kinds {args.kinds!r}: allowed kinds are {', '.join(KINDS)}")
    exclude = []
    if args.exclude:
        from explorer.benchmarking.devices.pool import load_config_list

        exclude = load_config_list(args.exclude)
    device = get_device(args.device, quick=args.quick, exclude=exclude)
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


def _progress_printer():
    tty = sys.stderr.isatty()

    def show(done: int, total: int, what: str) -> None:
        text = f"[{done}/{total}] {what[:70]}"
        if tty:
            print(f"\r{text:<85}", end="", file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr, flush=True)

    return show
