"""`accel-explorer estimate`: per-layer estimate of a network on an accelerator."""

from __future__ import annotations

import argparse
import csv
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

TABLE_COLUMNS = ["layer", "op", "MACs", "cycles", "latency", "bound", "energy", "util"]
CSV_COLUMNS = ["name", "op", "onnx_nodes", "macs", "cycles", "latency_s", "bound", "energy_j",
               "compute_cycles", "memory_cycles", "stall_cycles", "utilisation", "modelled",
               "iterations_evaluated", "iterations_total"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    from explorer.estimators.base import DEFAULT_ESTIMATOR, estimator_names

    p = sub.add_parser("estimate", help="estimate per-layer latency and energy of a network",
                       description="Estimate a network on an accelerator, layer by layer.")
    add_network_args(p)
    add_arch_arg(p)
    p.add_argument("--estimator", default=DEFAULT_ESTIMATOR,
                   help=f"one of: {', '.join(estimator_names())} (default: {DEFAULT_ESTIMATOR})")
    p.add_argument("--model", metavar="FILE", help="trained model file (statistical estimator)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    add_output_arg(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.estimators.base import estimator_class, run_estimate

    cls = estimator_class(args.estimator)  # unknown names fail before the slow loading
    options = {"model": args.model} if cls.needs_model else {}
    estimator = cls(**options)
    network = load_network_arg(args)
    accelerator = load_arch_arg(args)
    progress = None if cls.fast else stderr_progress(args.estimator)
    result = run_estimate(estimator, network, accelerator, progress=progress)
    text = {"table": format_table, "csv": format_csv, "json": format_json}[args.format](result)
    write_output(text, args.output)
    return 0


def format_json(result) -> str:
    return json.dumps(result.to_json(), indent=2, default=str) + "\n"


def format_csv(result) -> str:
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for layer in result.layers:
        row = layer.to_dict()
        row["onnx_nodes"] = " ".join(layer.onnx_nodes)
        writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
    return out.getvalue()


def format_table(result) -> str:
    from explorer.units import count, si

    rows = []
    for layer in result.layers:
        name = layer.name if layer.modelled else f"{layer.name} (unmodelled)"
        util = f"{layer.utilisation:.0%}" if layer.utilisation is not None else "–"
        rows.append([name, layer.op, count(layer.macs), count(layer.cycles),
                     si(layer.latency_s, "s"), layer.bound or "–", si(layer.energy_j, "J"), util])
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(TABLE_COLUMNS)]
    widths[0] = min(widths[0], 48)

    def line(cells: list[str]) -> str:
        first = cells[0] if len(cells[0]) <= widths[0] else cells[0][: widths[0] - 1] + "…"
        rest = [c.rjust(w) if i not in (0, 1, 4) else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths)) if i > 0]
        return "  ".join([first.ljust(widths[0]), *rest]).rstrip()

    net = result.network
    out = [f"{net.name} on {result.accelerator} ({result.estimator}): {len(net.layers)} layers, "
           f"{count(net.macs)}MAC", line(TABLE_COLUMNS),
           line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    share = result.bound_share()
    out.append(line(["-" * w for w in widths]))
    out.append(f"total: {si(result.latency_s, 's')} ({count(result.cycles)} cycles), "
               f"energy {si(result.energy_j, 'J')}, memory {si(result.memory_bytes, 'B')}, "
               f"compute-bound {share['compute']:.0%} / memory-bound {share['memory']:.0%} "
               f"of time; estimated in {si(result.runtime_s, 's')}")
    if net.unmodelled:
        out.append(f"note: {len(net.unmodelled)} unmodelled layer(s) costed by element count: "
                   + ", ".join(sorted({layer.op for layer in net.unmodelled})))
    for warning in net.warnings:
        out.append(f"warning: {warning}")
    return "\n".join(out) + "\n"
