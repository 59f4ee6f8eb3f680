"""Speed targets of the foundation (issue 2), measured in one run:
- load_network("resnet50") ≤ 0.5 s (first load in a fresh process, and warm);
- roofline estimate of resnet50 on gemmini ≤ 20 ms;
- `accel-explorer estimate resnet50 --estimator roofline` end to end ≤ 2 s.
Writes docs/validation/foundation_speed.json.

    .venv/bin/python benchmarks/foundation_speed.py
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import timed, write_result  # noqa: E402

TARGETS = {"import_resnet50_s": 0.5, "roofline_resnet50_s": 0.020, "cli_end_to_end_s": 2.0}
FIRST_LOAD = """
import time; t = time.perf_counter()
from explorer.workload import load_network
load_network("resnet50")
print(time.perf_counter() - t)
"""


def main() -> None:
    import explorer
    from explorer.estimators.registry import get_estimator

    cli = Path(sys.executable).with_name("accel-explorer")
    first = [float(subprocess.run([sys.executable, "-c", FIRST_LOAD], capture_output=True,
                                  text=True, check=True).stdout) for _ in range(3)]
    warm = timed(lambda: explorer.load_network("resnet50"), 5)
    net, acc = explorer.load_network("resnet50"), explorer.load_accelerator("gemmini")
    estimators = {name: timed(lambda n=name: get_estimator(n).estimate(net, acc), 20)
                  for name in ("roofline", "refined-roofline")}
    e2e = timed(lambda: subprocess.run([str(cli), "estimate", "resnet50", "--estimator",
                                        "roofline"], capture_output=True, check=True), 5)
    measured = {"import_resnet50_s": sorted(first)[1],
                "roofline_resnet50_s": estimators["roofline"]["median_s"],
                "cli_end_to_end_s": e2e["median_s"]}
    result = {
        "targets_s": TARGETS, "measured_s": measured,
        "met": {k: measured[k] <= TARGETS[k] for k in TARGETS},
        "details": {"import_first_in_fresh_process_s": first, "import_warm": warm,
                    "estimators_resnet50_gemmini": estimators, "cli_end_to_end": e2e},
    }
    path = write_result("foundation_speed", result)
    for key, value in measured.items():
        print(f"{key:24s} {value * 1e3:9.1f} ms  (target ≤ {TARGETS[key] * 1e3:.0f} ms)"
              f"  {'ok' if result['met'][key] else 'MISSED'}")
    print(f"wrote {path} at {time.strftime('%H:%M:%S')}")


if __name__ == "__main__":
    main()
