"""`accel-explorer archs`: the accelerator library as a table or JSON, one entry's
sweepable parameters (`--params`), or the JSON Schema of the description format
(`--schema`) for editors that complete and check YAML files."""

from __future__ import annotations

import argparse
import json
import sys

TABLE_COLUMNS = ["name", "array", "dataflow", "clock", "peak", "on-chip", "DRAM BW"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("archs", help="list the accelerator library, or print the format's schema",
                       description="List the accelerators of arch_library/ (name, PE array, "
                                   "dataflow, clock, peak MAC/s, on-chip memory), or print "
                                   "the JSON Schema of the description format.")
    p.add_argument("--format", choices=["table", "json", "yaml"], default="table",
                   help="yaml: the complete description of one entry (with --set applied), "
                        "ready to save and edit")
    p.add_argument("--params", action="store_true",
                   help="list the parameters of one entry that --set and sweeps can vary "
                        "(path, value, unit, allowed values, a default sweep range)")
    p.add_argument("--schema", action="store_true",
                   help="print the JSON Schema of the accelerator description format")
    p.add_argument("--set", dest="arch_overrides", action="append", default=[],
                   metavar="PATH=VALUE",
                   help="change a field of every listed entry first, e.g. compute.pe_rows=64 "
                        "(repeatable)")
    p.add_argument("names", nargs="*", metavar="NAME|FILE.yaml",
                   help="only these entries or files (default: the whole library)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.errors import ArchitectureError
    from explorer.hardware.library import (
        dump_accelerator,
        json_schema,
        library_names,
        load_accelerator,
    )
    from explorer.hardware.overrides import apply_overrides

    if args.schema:
        print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
        return 0
    accelerators = [apply_overrides(load_accelerator(n), args.arch_overrides)
                    for n in (args.names or library_names())]
    if args.params:
        return print_params(accelerators, args.format)
    if args.format == "yaml":
        if len(accelerators) != 1:
            raise ArchitectureError("--format yaml prints one description: name exactly one "
                                    "entry or file, e.g. accel-explorer archs systolic "
                                    "--format yaml")
        sys.stdout.write(dump_accelerator(accelerators[0]))
        return 0
    rows = [summary(acc) for acc in accelerators]
    if args.format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        print_table(rows, sys.stdout)
    return 0


def print_params(accelerators: list, fmt: str) -> int:
    from explorer.errors import ArchitectureError
    from explorer.hardware.params import sweepable_params
    from explorer.units import format_value

    if len(accelerators) != 1 or fmt == "yaml":
        raise ArchitectureError("--params lists one entry's parameters as a table or JSON: "
                                "name exactly one entry or file, e.g. accel-explorer archs "
                                "gemmini --params")
    params = sweepable_params(accelerators[0])
    if fmt == "json":
        print(json.dumps([p.to_dict() for p in params], indent=2, ensure_ascii=False))
        return 0
    header = ["path", "value", "allowed", "sweep default"]
    rows = [[p.path, format_value(p.current, p.facts.unit), p.allowed(),
             p.to_dict()["default_values"]] for p in params]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for line in [header, *rows]:
        sys.stdout.write("  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip()
                         + "\n")
    sys.stdout.write("change one with --set PATH=VALUE; sweep it with accel-explorer sweep "
                     "--param PATH=V1,V2,...\n")
    return 0


def summary(acc) -> dict:
    """One library entry as plain numbers (JSON) in SI base units."""
    c = acc.compute
    return {
        "name": acc.name,
        "pe_rows": c.pe_rows,
        "pe_cols": c.pe_cols,
        "dataflow": c.dataflow.value,
        "dataflows": [d.value for d in c.dataflows],
        "clock_hz": acc.clock_hz,
        "peak_macs_per_s": acc.peak_macs_per_s,
        "onchip_bytes": acc.onchip_bytes,
        "dram_bandwidth_bytes_per_s": acc.offchip.bandwidth_bytes_per_cycle * acc.clock_hz,
        "precision_bits": {"input": c.precision.input_bits, "weight": c.precision.weight_bits,
                           "output": c.precision.output_bits,
                           "accumulator": c.precision.accumulator_bits},
        "memories": [m.name for m in acc.memories],
        "description": acc.description,
    }


def print_table(rows: list[dict], out) -> None:
    from explorer.units import binary_bytes, si

    cells = [[r["name"],
              f"{r['pe_rows']}×{r['pe_cols']}",
              "/".join(d.upper() if d == r["dataflow"] else d for d in r["dataflows"]),
              si(r["clock_hz"], "Hz"),
              si(r["peak_macs_per_s"], "MAC/s"),
              binary_bytes(r["onchip_bytes"]),
              si(r["dram_bandwidth_bytes_per_s"], "B/s")] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(TABLE_COLUMNS, *cells)]
    numeric = {3, 4, 5, 6}
    for line in [TABLE_COLUMNS, *cells]:
        out.write("  ".join(str(x).rjust(w) if i in numeric else str(x).ljust(w)
                            for i, (x, w) in enumerate(zip(line, widths))).rstrip() + "\n")
    out.write("dataflow: the one used for estimates in capitals; change it with "
              "--set compute.dataflow=...\n")
