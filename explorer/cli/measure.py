"""`accel-explorer measure`: run a network on this CPU with onnxruntime; total latency and
per-layer times from the profiler, optionally beside a statistical model's estimate.

A device measured elsewhere: `measure NET... --device remote:NAME --plan-only -o plan.json`
writes a plan holding the networks' graphs, the device runs `python -m explorer.runner
plan.json -o results.jsonl`, and `measure import results.jsonl --into measured.json`
records the latencies (docs/bring-your-own-device.md); `evaluate --measured` compares a
model with them. `measure NET --into measured.json` records a measurement of this CPU."""

from __future__ import annotations

import argparse
import json
import sys

from explorer.cli.common import add_network_args, add_output_arg, write_output


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("measure", help="measure a network on this CPU (onnxruntime) or plan "
                                       "whole-network measurements for a remote device",
                       description="Measure a network's latency on this machine's CPU with "
                                   "onnxruntime: total (median over rounds of min-of-k, with "
                                   "the load average) and per-layer times from the profiler, "
                                   "mapped back to the ONNX nodes. With --device remote:NAME "
                                   "--plan-only: write a plan of whole networks for "
                                   "explorer.runner; `measure import RESULTS.jsonl --into "
                                   "FILE.json` records the runner's results.",
                       usage="%(prog)s [NET ...] [options]\n       %(prog)s import "
                             "RESULTS.jsonl... --into FILE.json [--plan PLAN.json] "
                             "[--partial]")
    add_network_args(p, more="; more networks with --plan-only; after `import`: the "
                             "runner's results files")
    p.add_argument("more", nargs="*", help=argparse.SUPPRESS)
    p.add_argument("--device", default="cpu",
                   help="cpu, cpu:<threads> or, with --plan-only, remote:<name> (default: cpu)")
    p.add_argument("--plan-only", action="store_true",
                   help="write a plan of whole networks (-o PLAN.json) for explorer.runner "
                        "instead of measuring")
    p.add_argument("--into", metavar="FILE.json",
                   help="record the measured latency in this measured-networks file (one "
                        "per device; created if missing; recorded networks are kept)")
    p.add_argument("--plan", metavar="PLAN.json",
                   help="import: the plan the results answer (checks ids and graphs)")
    p.add_argument("--partial", action="store_true",
                   help="import: accept results that lack some planned networks")
    p.add_argument("--model", metavar="FILE",
                   help="statistical model (`accel-explorer train`): show its estimate beside")
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_output_arg(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.benchmarking.measure import measure_network
    from explorer.cli.common import load_network_arg, parse_input_shapes
    from explorer.errors import BenchmarkError
    from explorer.learned.fusion import cpu_fusion_rules
    from explorer.workload.fusion import apply_fusion

    if args.network == "import":
        return run_import(args)
    if args.plan_only:
        return run_plan_only(args)
    kind, _, threads = args.device.partition(":")
    if kind == "remote":
        raise BenchmarkError(f"--device {args.device}: a remote device is measured by "
                             "explorer.runner: add --plan-only -o PLAN.json")
    if kind != "cpu":
        raise BenchmarkError(f"--device {args.device!r}: measure runs on this machine: cpu or "
                             "cpu:<threads> (or remote:<name> with --plan-only)")
    if args.more:
        raise BenchmarkError("measure measures one network at a time on this CPU (several "
                             "networks: --plan-only for explorer.runner)")
    try:
        n_threads = int(threads or 1)
    except ValueError:
        raise BenchmarkError(f"--device {args.device!r}: expected cpu:<threads>") from None
    network = apply_fusion(load_network_arg(args), cpu_fusion_rules())
    estimates = None
    if args.model:
        from explorer.estimators.registry import make_estimator
        from explorer.hardware.library import load_accelerator

        estimator = make_estimator("statistical", {"model": args.model})
        if estimator.device.partition(":")[0] != "cpu":
            # Its layers are those of its own device's fusion model, not this CPU's.
            raise BenchmarkError(f"--model {args.model}: a model of {estimator.device}, not of "
                                 "this CPU; compare it with its device's measurements: "
                                 "evaluate --measured FILE.json --model ...")
        result = estimator.estimate(network, load_accelerator("gemmini"))
        estimates = {layer.name: layer.latency_s for layer in result.layers}
    m = measure_network(args.network, threads=n_threads,
                        input_shapes=parse_input_shapes(args.input_shape))
    times, unmapped = m.layer_times(network.layers)
    if args.into:
        _record_local(args, m)
    if args.format == "json":
        data = m.to_dict()
        data["layers"] = [{"name": layer.name, "op": layer.op, "onnx_nodes": layer.onnx_nodes,
                           "measured_s": times[layer.name],
                           **({"estimated_s": estimates[layer.name]} if estimates else {})}
                          for layer in network.layers]
        data["unmapped_kernels_s"] = unmapped
        if estimates:
            data["estimated_total_s"] = sum(estimates.values())
        text = json.dumps(data, indent=2) + "\n"
    else:
        text = _table(m, network, times, unmapped, estimates)
    write_output(text, args.output)
    return 0


def _record_local(args: argparse.Namespace, m) -> None:
    """`measure NET --into FILE.json` on this CPU: the same record as an imported one."""
    import hashlib

    from explorer.benchmarking.network_plans import (
        network_graph,
        network_name,
        record_measurements,
    )
    from explorer.cli.common import parse_input_shapes

    overrides = parse_input_shapes(args.input_shape)
    data, shapes = network_graph(args.network, overrides)
    entry = {"latency_s": m.latency_s, "spread_s": m.spread_s, "rounds": m.rounds,
             "runs_per_round": m.runs_per_round, "loadavg": m.loadavg, "status": m.status,
             "timestamp": m.timestamp, "software": m.software,
             "sha256": hashlib.sha256(data).hexdigest(), "input_shapes": shapes,
             "source": args.network, "plan_id": None,
             **({"input_shape_overrides": {k: list(v) for k, v in overrides.items()}}
                if overrides else {})}
    counts = record_measurements(args.into, m.device, {network_name(args.network): entry})
    print(f"{args.into}: {network_name(args.network)} "
          f"{'recorded' if counts['added'] else 'already recorded (kept)'} for {m.device}",
          file=sys.stderr)


def run_plan_only(args: argparse.Namespace) -> int:
    from explorer.benchmarking.network_plans import write_network_plan
    from explorer.cli.common import parse_input_shapes
    from explorer.errors import BenchmarkError

    if not args.output:
        raise BenchmarkError("measure --plan-only needs -o PLAN.json")
    if not args.device.startswith("remote:") or args.device == "remote:":
        raise BenchmarkError(f"--device {args.device!r}: --plan-only plans for a device "
                             "measured elsewhere: remote:<name>")
    if args.model or args.into:
        raise BenchmarkError("measure --plan-only measures nothing: --model and --into "
                             "belong to `measure import` and `evaluate --measured`")
    sources = [args.network, *args.more]
    plan = write_network_plan(args.output, args.device, sources,
                              input_shapes=parse_input_shapes(args.input_shape))
    names = ", ".join(e["network"] for e in plan["networks"])
    print(f"{args.output}: plan {plan['plan_id']}, {len(plan['networks'])} networks "
          f"({names}) for {args.device}\n"
          f"  on the device: python -m explorer.runner {args.output} -o results.jsonl "
          f"[--provider ...]\n  then: accel-explorer measure import results.jsonl --into "
          f"measured.json", file=sys.stderr)
    return 0


def run_import(args: argparse.Namespace) -> int:
    from explorer.benchmarking.network_plans import import_network_results
    from explorer.errors import BenchmarkError

    if not args.more or not args.into:
        raise BenchmarkError("measure import needs RESULTS.jsonl... and --into FILE.json")
    for path in args.more:
        counts = import_network_results(path, args.into, plan_path=args.plan,
                                        partial=args.partial)
        print(f"{path} -> {args.into} ({counts['device']}): {counts['added']} networks "
              f"added, {counts['already_recorded']} already recorded (kept)"
              + (f", {counts['missing']} missing" if counts["missing"] else "")
              + (f", {counts['failed']} failed on the device" if counts["failed"] else ""),
              file=sys.stderr)
    return 0


def _table(m, network, times, unmapped, estimates) -> str:
    from explorer.units import percent, si

    head = ["layer", "op", "measured", "share"] + (["estimated", "error"] if estimates else [])
    rows = []
    total_kernels = m.kernel_total_s or 1.0
    for layer in network.layers:
        t = times[layer.name]
        row = [layer.name[:40], layer.op, si(t, "s"), percent(t / total_kernels)]
        if estimates:
            e = estimates[layer.name]
            row += [si(e, "s"), percent((e - t) / t, signed=True) if t > 0 else "–"]
        rows.append(row)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    lines = [f"{m.network} on {m.device} ({m.software}), {len(network.layers)} layers after "
             "onnxruntime's fusions",
             "  ".join(h.ljust(w) for h, w in zip(head, widths))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    lines.append(f"total: {si(m.latency_s, 's')} (IQR {si(m.spread_s, 's')}, single runs "
                 f"p10 {si(m.p10_s, 's')} p90 {si(m.p90_s, 's')}, {m.rounds} rounds of "
                 f"min-of-{m.runs_per_round}, load average {m.loadavg:.2f}, {m.status}); "
                 f"profiled kernels {si(m.kernel_total_s, 's')}, of which unmapped "
                 f"{si(unmapped, 's')}")
    if estimates:
        est = sum(estimates.values())
        lines.append(f"estimated total: {si(est, 's')} ({percent((est - m.latency_s) / m.latency_s, signed=True)})")
    return "\n".join(lines) + "\n"
