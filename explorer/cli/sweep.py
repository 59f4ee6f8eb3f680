"""`accel-explorer sweep`: a design sweep over accelerator parameters, saved to HDF5."""

from __future__ import annotations

import argparse
import sys

from explorer.cli.common import add_arch_arg, add_network_args, add_option_arg, session_for


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
    p.add_argument("--estimator", default=DEFAULT_ESTIMATOR,
                   help="a fast estimator that needs no model file (default: "
                        f"{DEFAULT_ESTIMATOR})")
    add_option_arg(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE.h5")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="estimate in N local processes (default: 1)")
    p.add_argument("--recover", action="store_true",
                   help="keep every intact record of a damaged file (the damaged file is "
                        "kept aside as FILE.h5.damaged-TIME) and continue the sweep")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """The session's sweep operation (the window's code path), then the best points."""
    from explorer.sweep import Axis
    from explorer.units import si

    axes = [Axis.parse(text) for text in args.param]
    session = session_for(args)

    def progress(done: int, total: int, what: str) -> None:
        print(f"[{done}/{total}] {what}", file=sys.stderr, flush=True)

    rows = session.sweep(axes, args.output, workers=args.workers,
                         recover=args.recover).run(progress=progress)
    ok = [r for r in rows if r["status"] == "ok"]
    print(f"{len(ok)} valid point(s) in {session.sweep_path}")
    for row in sorted(ok, key=lambda r: r["latency_s"])[:5]:
        shown = ", ".join(f"{a.path}={row[a.path]}" for a in axes)
        print(f"  {si(row['latency_s'], 's'):>10}  {si(row['energy_j'], 'J'):>10}  {shown}")
    return 0
