"""`accel-explorer explore`: multi-objective design-space exploration into one HDF5 file,
and `explore --show FILE.h5` to print a stored front."""

from __future__ import annotations

import argparse
import sys

from explorer.cli.common import add_arch_arg, parse_input_shapes


def add_parser(sub: argparse._SubParsersAction) -> None:
    from explorer.estimators.registry import DEFAULT_ESTIMATOR
    from explorer.explore.strategies import STRATEGIES

    p = sub.add_parser(
        "explore", help="search accelerator parameters for the Pareto front of several "
                        "objectives (HDF5)",
        description="Evaluate designs chosen by a strategy (grid, random, Latin hypercube, "
                    "NSGA-II, TPE), store each as it finishes (rerun to resume), and print "
                    "the non-dominated front. `explore --show FILE.h5` prints a stored front.")
    p.add_argument("networks", nargs="*", metavar="NET", help="ONNX files or zoo names")
    p.add_argument("--network", action="append", default=[], metavar="NET",
                   help="a network of the suite (repeatable, same as a positional NET)")
    p.add_argument("--network-weight", metavar="W1,W2,...",
                   help="weights of the networks (default: equal); each network's metrics "
                        "are normalised by the starting design's before weighting")
    p.add_argument("--input-shape", action="append", default=[], metavar="NAME=DIMS")
    add_arch_arg(p)
    p.add_argument("--param", action="append", default=[],
                   metavar="PATH=V1,V2|LO:HI[:STEP][:log]",
                   help="a parameter to explore (repeatable), e.g. compute.pe_rows=8:128:2:log")
    p.add_argument("--objectives", default="latency,energy,area",
                   help="comma-separated, from latency, throughput, energy, edp, area, memory, "
                        "utilisation, cycles (default: latency,energy,area)")
    p.add_argument("--constraint", action="append", default=[], metavar="METRIC<=VALUE",
                   help="e.g. 'area_mm2<=5' (repeatable); violating designs are stored but "
                        "kept off the front")
    p.add_argument("--strategy", choices=STRATEGIES, default="grid")
    p.add_argument("--budget", type=int, metavar="N", help="designs to evaluate (all of a grid "
                                                           "by default)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--estimator", default=DEFAULT_ESTIMATOR)
    p.add_argument("-o", "--output", metavar="FILE.h5")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=1, metavar="N",
                       help="evaluate in N local processes")
    where.add_argument("--dask", metavar="ADDRESS",
                       help="evaluate on a running Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--recover", action="store_true",
                   help="keep every intact record of a damaged file (it is kept aside)")
    p.add_argument("--show", metavar="FILE.h5", help="print the front stored in FILE.h5")
    p.add_argument("--all", action="store_true", help="with --show: every design, not only "
                                                      "the front")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.errors import ArchitectureError

    if args.show:
        return show(args.show, every=args.all, recover=args.recover)
    if not args.output:
        raise ArchitectureError("explore: give -o FILE.h5 (or --show FILE.h5)")
    if not args.param:
        raise ArchitectureError("explore: give at least one --param PATH=VALUES, e.g. "
                                "compute.pe_rows=8:128:2:log")
    spec = build_spec(args)
    from explorer.cli.common import stderr_progress
    from explorer.explore import explore

    report = stderr_progress("explore")

    def progress(done: int, total: int, design) -> None:
        shown = ", ".join(f"{p.path}={v}" for p, v in zip(spec.params, design.values))
        report(done, total, shown if design.status == "ok" else f"{shown}: {design.status}")

    path = explore(spec, args.output, workers=args.workers, dask=args.dask,
                   progress=progress, recover=args.recover)
    return show(path)


def build_spec(args: argparse.Namespace):
    from explorer.cli.common import load_arch_arg
    from explorer.explore import Constraint, Spec, parse_objectives, parse_param, parse_weights
    from explorer.workload import load_network

    names = list(args.networks) + list(args.network) or ["resnet50"]
    shapes = parse_input_shapes(args.input_shape)
    base = load_arch_arg(args)
    params = [parse_param(text, base) for text in args.param]
    objectives = parse_objectives(args.objectives)
    constraints = [Constraint.parse(text) for text in args.constraint]
    weights = parse_weights(args.network_weight, len(names))
    networks = [load_network(name, input_shapes=shapes) for name in names]
    return Spec(networks, base, params, objectives, constraints, weights,
                estimator=args.estimator, strategy=args.strategy, budget=args.budget,
                seed=args.seed)


def show(path, *, every: bool = False, recover: bool = False, out=None) -> int:
    from explorer.explore import load_exploration
    from explorer.explore.view_data import is_suite, metric_text, param_text, param_units

    out = out or sys.stdout
    exploration = load_exploration(path, recover=recover)
    rows = exploration.rows
    front = exploration.front()
    ok = sum(r["status"] == "ok" for r in rows)
    feasible = sum(r["feasible"] for r in rows)
    print(f"{path}: {len(rows)} design(s), {ok} estimated, {feasible} feasible, "
          f"{len(front)} on the front ({', '.join(exploration.objectives)})", file=out)
    shown = rows if every else front
    suite = is_suite(exploration.definition)
    units = param_units(exploration.definition)
    header = [*exploration.objectives, *exploration.params]
    print("  ".join(f"{h:>14}" for h in header), file=out)
    for row in shown:
        # a suite's network metrics are weighted ratios to the starting design, not s or J
        cells = [metric_text(o, row[o], suite) for o in exploration.objectives]
        cells += [param_text(row[p], units.get(p, "")) for p in exploration.params]
        mark = "" if row["feasible"] else f"   ({row['status'] if row['status'] != 'ok' else row['violation']})"
        print("  ".join(f"{c:>14}" for c in cells) + mark, file=out)
    return 0
