"""`accel-explorer compare`: every estimator side by side against `simulate`.

Per layer: each estimator's cycles and its error against the instruction-level reference; in
total: whole-network error, per-layer MAPE and each estimator's wall time. The
comparison itself is explorer/compare.py; this module parses and formats.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from explorer.cli.common import (
    add_arch_arg,
    add_network_args,
    add_option_arg,
    add_output_arg,
    parse_option_items,
    session_for,
    stderr_progress,
    write_output,
)
from explorer.compare import REFERENCE
from explorer.units import percent

DEFAULT_ESTIMATORS = "depgraph,roofline,refined-roofline"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="compare estimators against the instruction-level reference (simulate)",
                       description="Run each estimator and `simulate` on a network; print "
                                   "per-layer and total errors and each one's runtime.")
    add_network_args(p)
    add_arch_arg(p)
    p.add_argument("--estimators", default=DEFAULT_ESTIMATORS, metavar="A,B,...",
                   help=f"comma-separated estimator names (default: {DEFAULT_ESTIMATORS})")
    add_option_arg(p)
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_output_arg(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """The session's compare operation (the window's code path) with `simulate` first,
    reported by explorer.compare."""
    from explorer.compare import comparison_report, options_for
    from explorer.estimators.registry import estimator_class

    names = [n.strip() for n in args.estimators.split(",") if n.strip() and n != REFERENCE]
    for name in names:
        estimator_class(name)  # unknown names fail before the slow part
    options = options_for([REFERENCE, *names], parse_option_items(args.option))
    session = session_for(args, estimator=REFERENCE, options=options[REFERENCE])
    results = session.compare([REFERENCE, *names], options).run(
        progress=stderr_progress("compare"))
    report = comparison_report(results, REFERENCE)
    text = format_json(report) if args.format == "json" else format_table(report)
    write_output(text, args.output)
    return 0


def format_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2) + "\n"


def _pct(value: float | None) -> str:
    return percent(value, signed=True)


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
        mape.append("-" if e["layer_mape"] is None else percent(e['layer_mape']))
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
