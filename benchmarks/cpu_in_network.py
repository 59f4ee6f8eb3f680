"""What single-layer benchmarks leave out on this CPU: every zoo network's layers timed
alone (the `cpu` device, as a campaign measures them) and inside the network
(onnxruntime's profiler), in the same minutes, per kind of layer; the network's measured
latency against the sum of its layers alone, without and with the weight-fetch term
(explorer/learned/weight_fetch.py, from this machine's memory probe).

    .venv/bin/python benchmarks/cpu_in_network.py [--networks alexnet,resnet50] [--passes 2]

No model is involved: this isolates what the network adds to its layers. Two passes over
the networks by default, averaged. Run it on a quiet machine (~5 minutes); writes
docs/validation/cpu_in_network.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import write_result  # noqa: E402
from explorer.benchmarking.devices.cpu import CpuDevice  # noqa: E402
from explorer.benchmarking.evaluate import ZOO  # noqa: E402
from explorer.benchmarking.measure import measure_network  # noqa: E402
from explorer.learned.configs import config_from_layer  # noqa: E402
from explorer.learned.fusion import cpu_fusion_rules  # noqa: E402
from explorer.learned.weight_fetch import weight_fetch_s  # noqa: E402
from explorer.workload import load_network  # noqa: E402
from explorer.workload.fusion import apply_fusion  # noqa: E402


def one_network(device: CpuDevice, provenance: dict, name: str) -> dict:
    network = apply_fusion(load_network(name), cpu_fusion_rules())
    before = measure_network(name)
    in_network, unmapped = before.layer_times(network.layers)
    kinds: dict[str, dict[str, float]] = {}
    alone_s = fetch_s = 0.0
    for layer in network.layers:
        try:
            config = config_from_layer(layer)
        except Exception:
            config = None
        if config is None:
            continue
        alone = device.measure(config).latency_s
        fetch = weight_fetch_s(4 * config.weight_elems, provenance, alone)
        row = kinds.setdefault(config.kind, {"layers": 0, "alone_ms": 0.0,
                                             "in_network_ms": 0.0, "weight_fetch_ms": 0.0})
        row["layers"] += 1
        row["alone_ms"] += alone * 1e3
        row["in_network_ms"] += in_network[layer.name] * 1e3
        row["weight_fetch_ms"] += fetch * 1e3
        alone_s += alone
        fetch_s += fetch
    after = measure_network(name)
    total = (before.latency_s + after.latency_s) / 2
    return {
        "network": name, "latency_ms": round(total * 1e3, 3),
        "latency_before_after_ms": [round(before.latency_s * 1e3, 3),
                                    round(after.latency_s * 1e3, 3)],
        "profiled_kernels_ms": round(before.kernel_total_s * 1e3, 3),
        "kernels_of_no_layer_ms": round(unmapped * 1e3, 3),
        "layers_alone_ms": round(alone_s * 1e3, 3),
        "layers_alone_error_pct": round((alone_s - total) / total * 100, 2),
        "with_weight_fetch_ms": round((alone_s + fetch_s) * 1e3, 3),
        "with_weight_fetch_error_pct": round((alone_s + fetch_s - total) / total * 100, 2),
        "by_kind": {k: {key: round(v, 3) for key, v in row.items()} for k, row in kinds.items()},
    }


def combined(rows: list[dict]) -> dict:
    """One network over several passes: the mean of each time, errors from the means."""
    def mean(key: str) -> float:
        return sum(r[key] for r in rows) / len(rows)

    latency, alone, fetched = mean("latency_ms"), mean("layers_alone_ms"), mean(
        "with_weight_fetch_ms")
    return {"network": rows[0]["network"], "latency_ms": round(latency, 3),
            "layers_alone_ms": round(alone, 3),
            "layers_alone_error_pct": round((alone - latency) / latency * 100, 2),
            "with_weight_fetch_ms": round(fetched, 3),
            "with_weight_fetch_error_pct": round((fetched - latency) / latency * 100, 2),
            "passes": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", default=",".join(ZOO))
    parser.add_argument("--passes", type=int, default=2,
                        help="passes over all networks, averaged (the machine's speed moves "
                             "by several percent from one minute to the next)")
    args = parser.parse_args()
    device = CpuDevice()
    provenance = device.provenance()
    started = time.time()
    names = args.networks.split(",")
    report = {"provenance": provenance, "loadavg_start": os.getloadavg()[0],
              "passes": args.passes, "networks": []}
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for index in range(args.passes):
        for name in names:
            row = one_network(device, provenance, name)
            runs[name].append(row)
            print(f"pass {index + 1} {name}: {row['latency_ms']} ms; layers alone "
                  f"{row['layers_alone_error_pct']:+} %, with weight fetch "
                  f"{row['with_weight_fetch_error_pct']:+} %", flush=True)
    report["networks"] = [combined(runs[name]) for name in names]
    nets = report["networks"]
    report["layers_alone_mape_pct"] = round(
        sum(abs(n["layers_alone_error_pct"]) for n in nets) / len(nets), 2)
    report["with_weight_fetch_mape_pct"] = round(
        sum(abs(n["with_weight_fetch_error_pct"]) for n in nets) / len(nets), 2)
    report["wall_s"] = round(time.time() - started, 1)
    report["loadavg_end"] = os.getloadavg()[0]
    path = write_result("cpu_in_network", report)
    print(f"MAPE of the layers alone {report['layers_alone_mape_pct']} %, with the weight "
          f"fetch {report['with_weight_fetch_mape_pct']} % -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
