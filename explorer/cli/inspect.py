"""`accel-explorer inspect`: what the GUI's detail views show, as text or JSON: time,
energy and DRAM traffic per op type, the slowest layers, energy and traffic per memory
level, area per component, and one layer's mapping and cycles."""

from __future__ import annotations

import argparse
import json

from explorer.cli import common


def add_parser(sub: argparse._SubParsersAction) -> None:
    from explorer.estimators.registry import DEFAULT_ESTIMATOR

    p = sub.add_parser("inspect", help="per-op summary, top layers, area and one layer's "
                                       "mapping detail of an estimate",
                       description="Estimate a network and break the result down: time, "
                                   "energy and DRAM traffic per op type, the N slowest "
                                   "layers, energy and traffic per memory level, area per "
                                   "component and, with --layer, that layer's mapping (GEMM dims, "
                                   "unrolling, tiles, folds, loop order, traffic).")
    common.add_network_args(p, optional=False)
    common.add_arch_arg(p)
    p.add_argument("--estimator", default=DEFAULT_ESTIMATOR)
    common.add_option_arg(p)
    p.add_argument("--top", type=int, default=10, metavar="N", help="slowest layers listed")
    p.add_argument("--layer", metavar="NAME|#", help="show this layer's detail (name or "
                   "1-based number as in the GUI's table)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    common.add_output_arg(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.errors import EstimationError
    from explorer.session.analysis import (
        area_breakdown,
        layer_detail,
        layer_number,
        op_summary,
        top_layers,
    )

    session = common.estimated_session(args)
    result = session.result
    assert result is not None and session.accelerator is not None
    detail: list[tuple[str, str, str]] = []
    if args.layer:
        name = args.layer
        if name.isdigit() and 1 <= int(name) <= len(result.layers):
            name = result.layers[int(name) - 1].name
        if layer_number(result, name) is None:
            raise EstimationError(f"--layer {args.layer}: no such layer in the estimate "
                                  f"({len(result.layers)} layers, numbered from 1)")
        detail = layer_detail(result, name)
    ops = op_summary(result)
    top = top_layers(result, args.top)
    area = area_breakdown(session.accelerator)
    from explorer.session.levels import level_breakdown

    levels = level_breakdown(result, session.result_for.accelerator)  # [] without figures
    if args.format == "json":
        data = {"network": result.network.name, "accelerator": result.accelerator,
                "estimator": result.estimator, "latency_s": result.latency_s,
                "ops": [vars(o) for o in ops],
                "top": [{"number": n, "name": x.name, "op": x.op, "latency_s": x.latency_s}
                        for n, x in top],
                "area_mm2": [{"component": c, "mm2": a, "source": s} for c, a, s in area],
                "memory_levels": [vars(row) for row in levels],
                "layer": [{"section": s, "item": i, "value": v} for s, i, v in detail]}
        common.write_output(json.dumps(data, indent=2) + "\n", args.output)
        return 0
    common.write_output(format_inspect(result, ops, top, area, detail, levels), args.output)
    return 0


def format_inspect(result, ops, top, area, detail, levels=()) -> str:
    from explorer.units import binary_bytes, count, percent, si

    lines = [f"{result.network.name} on {result.accelerator} ({result.estimator}): "
             f"{si(result.latency_s, 's')}", "", "Time, energy and DRAM traffic per op type"]
    lines += _table(["op", "layers", "latency", "share", "MACs", "energy", "DRAM traffic"],
                    [[o.op, str(o.layers), si(o.latency_s, "s"), percent(o.share),
                      count(o.macs), si(o.energy_j, "J"), binary_bytes(o.dram_bytes)]
                     for o in ops])
    lines += ["", f"Slowest {len(top)} layers"]
    lines += _table(["#", "name", "op", "latency", "share"],
                    [[str(n), x.name, x.op, si(x.latency_s, "s"),
                      percent(x.latency_s / (result.latency_s or 1))] for n, x in top])
    if levels:
        energy = sum(row.energy_j or 0.0 for row in levels) or 1.0
        lines += ["", "Energy and traffic per memory level"]
        lines += _table(["level", "read", "written", "energy", "share"],
                        [[row.level, "–" if row.read_bytes is None else
                          binary_bytes(row.read_bytes), "–" if row.write_bytes is None
                          else binary_bytes(row.write_bytes), si(row.energy_j, "J"),
                          percent((row.energy_j or 0.0) / energy)] for row in levels])
    lines += ["", "Area per component"]
    lines += _table(["component", "area", "source"],
                    [[c, f"{a:g} mm²", s] for c, a, s in area])
    if detail:
        lines += ["", "Layer detail"]
        lines += _table(["section", "item", "value"], [list(row) for row in detail])
    return "\n".join(lines) + "\n"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    return ["  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip()
            for line in [header, *rows]]
