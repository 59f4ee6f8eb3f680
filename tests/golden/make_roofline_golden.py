"""Regenerate tests/golden/roofline_totals.json after a deliberate change to the roofline
models, the importer or a library entry:  .venv/bin/python tests/golden/make_roofline_golden.py
(review the diff: every changed number must be explained by that change)."""

import json
from pathlib import Path

from explorer.estimators.registry import get_estimator
from explorer.hardware.library import library_names, load_accelerator
from explorer.workload import load_network
from explorer.workload.zoo import ZOO_NAMES

GOLDEN = Path(__file__).with_name("roofline_totals.json")


def compute() -> dict:
    table: dict = {}
    for net_name in ZOO_NAMES:
        net = load_network(net_name)
        for arch in library_names():
            acc = load_accelerator(arch)
            for est in ("roofline", "refined-roofline"):
                result = get_estimator(est).estimate(net, acc)
                table[f"{net_name}/{arch}/{est}"] = {
                    "layers": len(result.layers), "macs": net.macs, "cycles": result.cycles}
    return table


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(compute(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")
