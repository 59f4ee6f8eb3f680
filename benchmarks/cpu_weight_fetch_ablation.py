"""How much of the CPU whole-network figure the weight-fetch term carries: the final model
of a `pr_cpu.py` run, rebuilt from its cache (the same campaign and fit, deterministic),
estimates the nine networks with this machine's memory probe measured now and without
any probe, against the latencies that run measured.

    .venv/bin/python benchmarks/pr_cpu.py --cache C.h5        # first, in one sitting
    .venv/bin/python benchmarks/cpu_weight_fetch_ablation.py --cache C.h5

Writes docs/validation/cpu_weight_fetch_ablation.json. The probe is measured again here,
so the "with" figure also shows how far a probe taken later moves the result.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import write_result  # noqa: E402
from explorer.benchmarking.devices.cpu import CpuDevice  # noqa: E402
from explorer.benchmarking.evaluate import (  # noqa: E402
    CachedDevice,
    Evaluation,
    network_estimate_fn,
)
from explorer.benchmarking.store import BenchmarkStore  # noqa: E402
from explorer.errors import ExplorerError  # noqa: E402


class WithoutProbe:
    """The CPU device as a model file records it, minus the memory probe's entries."""

    def __init__(self, device: CpuDevice) -> None:
        self.name = device.name
        self._provenance = {k: v for k, v in device.provenance().items()
                            if not k.startswith(("weight_", "llc_"))}

    def provenance(self) -> dict[str, str]:
        return self._provenance


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", required=True, help="the cache store pr_cpu.py used")
    parser.add_argument("--report", default=str(ROOT / "docs" / "validation" / "pr_cpu.json"))
    args = parser.parse_args()
    report = json.loads(Path(args.report).read_text(encoding="utf-8"))
    budget, seed = report["final"]["budget"], report["seed"]
    device = CpuDevice()
    evaluation = Evaluation(device, Path(args.cache), budgets=[budget], seed=seed)
    try:
        # Read-only: a cache that lacks one of the campaign's layers is not that run's.
        with BenchmarkStore(args.cache, readonly=True) as cache:
            evaluation._cached = CachedDevice(device, cache)
            configs, latencies, campaign = evaluation.campaign_rows("pr", budget, seed)
    except ExplorerError as exc:
        raise SystemExit(f"{args.cache}: not the cache of {args.report} "
                         f"({str(exc).splitlines()[0]})") from None
    rules = campaign.get("rules")
    model = evaluation.fit("pr", configs, latencies, rules)
    out = {"report": str(Path(args.report).relative_to(ROOT)),
           "report_started_utc": report["started_utc"], "budget": budget,
           "probe_now": {k: v for k, v in device.provenance().items()
                         if k.startswith(("weight_", "llc_"))},
           "probe_in_report": {k: v for k, v in report["provenance"].items()
                               if k.startswith(("weight_", "llc_"))}}
    for label, described in (("with_probe_now", device), ("without_probe", WithoutProbe(device))):
        estimate = network_estimate_fn(described)
        rows = []
        for n in report["final"]["networks"]:
            pred = estimate(n["network"], model, rules, budget)
            rows.append({"network": n["network"], "truth_s": n["truth_s"], "estimate_s": pred,
                         "error_pct": round((pred - n["truth_s"]) / n["truth_s"] * 100, 2)})
        out[label] = {"network_mape_pct": round(float(np.mean(
            [abs(r["error_pct"]) for r in rows])), 2), "networks": rows}
        print(f"{label}: MAPE {out[label]['network_mape_pct']} % ("
              + ", ".join(f"{r['network']} {r['error_pct']:+}" for r in rows) + ")")
    out["in_report_mape_pct"] = report["final"]["network_mape_pct"]
    print(f"-> {write_result('cpu_weight_fetch_ablation', out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
