"""`accel-explorer sweep`: a design sweep over accelerator parameters, saved to HDF5."""

from __future__ import annotations

import argparse
import sys

from explorer.cli.common import add_arch_arg, add_network_args, load_arch_arg, load_network_arg


def add_parser(sub: argparse._SubParsersAction) -> None:
    from explorer.estimators.registry import DEFAULT_ESTIMATOR

    p = sub.add_parser(
        "sweep", help="estimate a network over a grid of accelerator parameters (HDF5)",
        description="Estimate a network on every combination of parameter values and save "
                    "each point to an HDF5 file as it finishes; rerun to resume a killed sweep.")
    add_network_args(p)
    add_arch_arg(p)
    p.add_argument("--param", action="append", default=[], required=True,
                   metavar="PATH=V1,V2,...",
                   help="a swept parameter, as for --set (repeatable), "
                        "e.g. compute.pe_rows=8,16,32")
    p.add_argument("--estimator", default=DEFAULT_ESTIMATOR)
    p.add_argument("-o", "--output", required=True, metavar="FILE.h5")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="estimate in N local processes (default: 1)")
    p.add_argument("--recover", action="store_true",
                   help="keep every intact record of a damaged file (the damaged file is "
                        "kept aside as FILE.h5.damaged-TIME) and continue the sweep")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.sweep import Axis, read_sweep, run_sweep
    from explorer.units import si

    axes = [Axis.parse(text) for text in args.param]
    network, base = load_network_arg(args), load_arch_arg(args)

    def progress(done: int, total: int, point) -> None:
        shown = ", ".join(f"{a.path}={v}" for a, v in zip(axes, point.values))
        result = si(point.metrics["latency_s"], "s") if point.status == "ok" else point.status
        print(f"[{done}/{total}] {shown}: {result}", file=sys.stderr, flush=True)

    path = run_sweep(network, base, axes, args.estimator, args.output, progress=progress,
                     workers=args.workers, recover=args.recover)
    rows = [r for r in read_sweep(path) if r["status"] == "ok"]
    print(f"{len(rows)} valid point(s) in {path}")
    for row in sorted(rows, key=lambda r: r["latency_s"])[:5]:
        shown = ", ".join(f"{a.path}={row[a.path]}" for a in axes)
        print(f"  {si(row['latency_s'], 's'):>10}  {si(row['energy_j'], 'J'):>10}  {shown}")
    return 0
