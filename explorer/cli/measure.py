"""`accel-explorer measure`: run a network on this CPU with onnxruntime; total latency and
per-layer times from the profiler, optionally beside a statistical model's estimate."""

from __future__ import annotations

import argparse
import json

from explorer.cli.common import add_network_args, add_output_arg, write_output


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("measure", help="measure a network on this CPU (onnxruntime)",
                       description="Measure a network's latency on this machine's CPU with "
                                   "onnxruntime: total (median over rounds of min-of-k, with "
                                   "the load average) and per-layer times from the profiler, "
                                   "mapped back to the ONNX nodes.")
    add_network_args(p)
    p.add_argument("--device", default="cpu", help="cpu or cpu:<threads> (default: cpu)")
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

    kind, _, threads = args.device.partition(":")
    if kind != "cpu":
        raise BenchmarkError(f"--device {args.device!r}: measure runs on this machine: cpu or "
                             "cpu:<threads>")
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
        result = estimator.estimate(network, load_accelerator("gemmini"))
        estimates = {layer.name: layer.latency_s for layer in result.layers}
    m = measure_network(args.network, threads=n_threads,
                        input_shapes=parse_input_shapes(args.input_shape))
    times, unmapped = m.layer_times(network.layers)
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
