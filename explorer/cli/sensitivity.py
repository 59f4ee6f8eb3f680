"""`accel-explorer sensitivity NET --arch A`: which parameters decide the answer.

For every numeric parameter of the description: the elasticity of network latency and
energy to a ±10 % change (explorer/sensitivity.py), largest effect first.
"""

from __future__ import annotations

import argparse
import json

from explorer.cli.common import (
    add_arch_arg,
    add_network_args,
    add_output_arg,
    load_arch_arg,
    load_network_arg,
    stderr_progress,
    write_output,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sensitivity", help="elasticity of latency and energy to each numeric parameter",
        description="Vary each numeric parameter of the accelerator by ±STEP and print the "
                    "elasticity of network latency and energy (relative change of the result "
                    "per relative change of the parameter), sorted by effect on latency. "
                    "1.0: proportional; -1.0: inversely proportional; 0: no effect.")
    add_network_args(p)
    add_arch_arg(p)
    p.add_argument("--estimator", default="depgraph",
                   help="estimator to run for every perturbed description (default: depgraph)")
    p.add_argument("--step", type=float, default=0.10,
                   help="relative change of each parameter, 0 < STEP < 1 (default: 0.10)")
    p.add_argument("--parameters", metavar="PATH,...",
                   help="only these parameters (override paths as listed, e.g. "
                        "compute.pe_rows,offchip.bandwidth_bytes_per_cycle)")
    p.add_argument("--all", action="store_true",
                   help="also list parameters with no effect on latency or energy")
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_output_arg(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.estimators.registry import estimator_class
    from explorer.sensitivity import sensitivity

    estimator_class(args.estimator)  # an unknown name fails before the slow part
    network = load_network_arg(args)
    accelerator = load_arch_arg(args)
    only = [x.strip() for x in args.parameters.split(",") if x.strip()] if args.parameters else None
    rows = sensitivity(network, accelerator, args.estimator, step=args.step, parameters=only,
                       progress=stderr_progress("sensitivity"))
    if args.format == "json":
        text = json.dumps({"network": network.name, "accelerator": accelerator.name,
                           "estimator": args.estimator, "step": args.step,
                           "parameters": [r.to_dict() for r in rows]}, indent=2) + "\n"
    else:
        text = format_table(rows, network.name, accelerator.name, args.step, args.all)
    write_output(text, args.output)
    return 0


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:+.3f}"


def format_table(rows, network: str, accelerator: str, step: float, show_all: bool) -> str:
    shown = [r for r in rows if show_all or (r.latency or r.energy)]
    width = max([len("parameter")] + [len(r.parameter) for r in shown])
    lines = [f"{network} on {accelerator}: elasticity to a ±{step:.0%} change "
             "(d ln result / d ln parameter)",
             f"{'parameter':<{width}}  {'value':>12}  {'latency':>8}  {'energy':>8}  note"]
    for r in shown:
        lines.append(f"{r.parameter:<{width}}  {r.value:>12g}  {_fmt(r.latency):>8}  "
                     f"{_fmt(r.energy):>8}  {r.note}")
    hidden = len(rows) - len(shown)
    if hidden:
        lines.append(f"({hidden} parameters with no effect not shown; --all lists them)")
    return "\n".join(lines) + "\n"
