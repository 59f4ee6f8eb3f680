"""`accel-explorer ab`: A/B comparison of two designs on one network, as the GUI's A/B
tab shows it: total and per-layer latency deltas, the layers that changed most, and what
differs between the designs."""

from __future__ import annotations

import argparse
import json

from explorer.cli import common


def add_parser(sub: argparse._SubParsersAction) -> None:
    from explorer.estimators.registry import DEFAULT_ESTIMATOR

    p = sub.add_parser("ab", help="compare two accelerator designs on one network "
                                  "(per-layer and total latency deltas)",
                       description="Estimate NETWORK on --arch (A, the baseline) and on "
                                   "--arch-b with --set-b changes (B), and show B against "
                                   "A: total and per-layer deltas and the design changes.")
    common.add_network_args(p, optional=False)
    common.add_arch_arg(p)
    p.add_argument("--arch-b", metavar="NAME|FILE.yaml",
                   help="design B (default: the same as --arch, changed by --set-b)")
    p.add_argument("--set-b", dest="b_overrides", action="append", default=[],
                   metavar="PATH=VALUE", help="a change for design B (repeatable)")
    p.add_argument("--estimator", default=DEFAULT_ESTIMATOR)
    common.add_option_arg(p)
    p.add_argument("--top", type=int, default=10, metavar="N",
                   help="layers with the largest change listed")
    p.add_argument("--format", choices=["table", "json"], default="table")
    common.add_output_arg(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.errors import ArchitectureError

    if not args.arch_b and not args.b_overrides:
        raise ArchitectureError("design B is design A unchanged: give --arch-b NAME or "
                                "--set-b PATH=VALUE")
    session = common.estimated_session(args, label="estimate A")  # the baseline
    session.pin_baseline()
    if args.arch_b:
        session.document.load(args.arch_b)
    if args.b_overrides:
        session.document.apply_overrides(args.b_overrides)
    session.estimate().run(progress=common.stderr_progress("estimate B"))
    ab = session.ab_comparison()
    assert ab is not None
    changes = session.baseline_changes()
    ranked = sorted((x for x in ab.layers if x.delta_s is not None),
                    key=lambda x: -abs(x.delta_s or 0.0))[:args.top]
    if args.format == "json":
        data = {"a": {"accelerator": ab.baseline.accelerator, "latency_s": ab.baseline.latency_s},
                "b": {"accelerator": ab.current.accelerator, "latency_s": ab.current.latency_s},
                "delta_s": ab.total_delta_s, "relative": ab.total_relative,
                "changes": [{"path": p, "a": a, "b": b} for p, a, b in changes],
                "layers": [{"number": x.number, "name": x.name, "op": x.op,
                            "a_s": x.baseline_s, "b_s": x.current_s, "delta_s": x.delta_s}
                           for x in ab.layers],
                "only_in_b": [{"name": x.name, "op": x.op, "b_s": x.latency_s}
                              for x in ab.only_current]}
        common.write_output(json.dumps(data, indent=2) + "\n", args.output)
        return 0
    from explorer.cli.inspect import _table
    from explorer.session.analysis import describe_change
    from explorer.units import percent, si

    lines = [ab.summary(), "", "Design changes (A → B)"]
    lines += [f"  {describe_change(*change)}" for change in changes] or ["  (none)"]
    lines += ["", f"Largest per-layer changes (top {len(ranked)})"]
    lines += _table(["#", "name", "op", "A", "B", "delta"],
                    [[str(x.number), x.name, x.op, si(x.baseline_s, "s"), si(x.current_s, "s"),
                      percent(x.relative, signed=True)] for x in ranked])
    common.write_output("\n".join(lines) + "\n", args.output)
    return 0
