"""`accel-explorer compare`: every estimator side by side against `simulate`.

Per layer: each estimator's cycles and its error against the instruction-level reference; in
total: whole-network error, per-layer MAPE and each estimator's wall time.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from explorer.cli.common import (
    add_arch_arg,
    add_network_args,
    add_output_arg,
    load_arch_arg,
    load_network_arg,
    stderr_progress,
    write_output,
)

REFERENCE = "simulate"
DEFAULT_ESTIMATORS = "depgraph,roofline,refined-roofline"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="compare estimators against the instruction-level reference (simulate)",
                       description="Run each estimator and `simulate` on a network; print "
                                   "per-layer and total errors and each one's runtime.")
    add_network_args(p)
    add_arch_arg(p)
    p.add_argument("--estimators", default=DEFAULT_ESTIMATORS, metavar="A,B,...",
                   help=f"comma-separated estimator names (default: {DEFAULT_ESTIMATORS})")
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_output_arg(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.estimators.base import estimator_class

    names = [n.strip() for n in args.estimators.split(",") if n.strip() and n != REFERENCE]
    for name in names:
        estimator_class(name)  # unknown names fail before the slow part
    network = load_network_arg(args)
    accelerator = load_arch_arg(args)
    report = compare(network, accelerator, names, progress=stderr_progress("simulate"))
    text = format_json(report) if args.format == "json" else format_table(report)
    write_output(text, args.output)
    return 0


def relative_error(value: float, reference: float) -> float | None:
    return (value - reference) / reference if reference else None


def compare(network, accelerator, names: list[str], *, progress=None) -> dict[str, Any]:
    """Run `simulate` and each named estimator; errors are relative to `simulate`."""
    from explorer.estimators.base import get_estimator, run_estimate

    start = time.perf_counter()
    reference = run_estimate(get_estimator(REFERENCE), network, accelerator, progress=progress)
    reference_wall = time.perf_counter() - start
    ref_cycles = {layer.name: layer.cycles for layer in reference.layers}
    report: dict[str, Any] = {
        "network": network.name, "accelerator": accelerator.name, "reference": REFERENCE,
        REFERENCE: {"runtime_s": reference_wall, "total_cycles": reference.cycles,
                    "instructions": sum(layer.instructions or 0 for layer in reference.layers),
                    "layers": {n: c for n, c in ref_cycles.items()}},
        "estimators": {},
    }
    for name in names:
        start = time.perf_counter()
        result = run_estimate(get_estimator(name), network, accelerator)
        wall = time.perf_counter() - start
        layers = {}
        errors = []
        for layer in result.layers:
            ref = ref_cycles.get(layer.name)
            err = relative_error(layer.cycles, ref) if ref is not None else None
            layers[layer.name] = {"cycles": layer.cycles, "error": err}
            if err is not None:
                errors.append(abs(err))
        total = result.cycles
        evaluated = [layer.iterations_evaluated for layer in result.layers]
        report["estimators"][name] = {
            "runtime_s": wall,
            "speedup_vs_simulate": reference_wall / wall if wall else None,
            "total_cycles": total,
            "total_error": relative_error(total, reference.cycles),
            "layer_mape": sum(errors) / len(errors) if errors else None,
            "layer_max_error": max(errors) if errors else None,
            "iterations_evaluated": None if None in evaluated else sum(evaluated),
            "layers": layers,
        }
    return report


def format_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2) + "\n"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:+.2f}%"


def format_table(report: dict[str, Any]) -> str:
    names = list(report["estimators"])
    ref_layers = report[REFERENCE]["layers"]
    header = ["layer", "simulate"] + [f"{n} (err)" for n in names]
    rows = []
    for layer, ref in ref_layers.items():
        row = [layer[:40], f"{ref:,.0f}"]
        for name in names:
            entry = report["estimators"][name]["layers"].get(layer)
            row.append("-" if entry is None else f"{entry['cycles']:,.0f} ({_pct(entry['error'])})")
        rows.append(row)
    rows.append(["TOTAL", f"{report[REFERENCE]['total_cycles']:,.0f}"] + [
        f"{report['estimators'][n]['total_cycles']:,.0f} "
        f"({_pct(report['estimators'][n]['total_error'])})" for n in names])
    mape = ["layer MAPE", "-"]
    runtime = ["runtime", f"{report[REFERENCE]['runtime_s']:.3f} s"]
    for n in names:
        e = report["estimators"][n]
        mape.append("-" if e["layer_mape"] is None else f"{100 * e['layer_mape']:.2f}%")
        runtime.append(f"{e['runtime_s']:.3f} s (x{e['speedup_vs_simulate']:.0f})"
                       if e["speedup_vs_simulate"] else f"{e['runtime_s']:.3f} s")
    rows += [mape, runtime]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [f"{report['network']} on {report['accelerator']}: estimators against simulate",
             "  ".join(h.ljust(w) for h, w in zip(header, widths))]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(lines) + "\n"
