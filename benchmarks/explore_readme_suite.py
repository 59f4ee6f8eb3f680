"""The done-criterion of issue 11: a new user runs the README's two-network exploration
(1,024 systolic designs, squeezenet + alexnet, `--workers 2`) and it should finish in
under a minute. Runs that command as the README gives it (a fresh process, a fresh file),
checks the file holds every design and a front, and writes
docs/validation/explore_readme.json. `--estimator roofline` times the same command with
the roofline estimator as well.

    PYTHONPATH=. .venv/bin/python benchmarks/explore_readme_suite.py [--estimator NAME ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import write_result  # noqa: E402
from explorer.explore import load_exploration  # noqa: E402

COMMAND = ["explore", "--network", "squeezenet", "--network", "alexnet", "--arch", "systolic",
           "--param", "compute.pe_rows=8:128:8", "--param", "compute.pe_cols=8:128:8",
           "--param", "compute.dataflow=ws,os",
           "--param", "memories.ifmap_sram.size_bytes=64KiB,1MiB",
           "--objectives", "latency,energy,area", "--workers", "2"]
TARGET_S = 60.0


def run(estimator: str | None) -> dict:
    out = Path(tempfile.mkdtemp()) / "suite.h5"
    args = [sys.executable, "-m", "explorer", *COMMAND, "-o", str(out)]
    if estimator:
        args += ["--estimator", estimator]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    load = os.getloadavg()
    start = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"the README command failed ({proc.returncode}): {proc.stderr}")
    exploration = load_exploration(out)
    designs, front = len(exploration.rows), len(exploration.front())
    print(f"{estimator or 'depgraph (default)'}: {designs} designs in {seconds:.1f} s "
          f"({designs / seconds:.1f} designs/s), {front} on the front; load {load[0]:.1f}",
          file=sys.stderr)
    return {"estimator": estimator or "depgraph", "seconds": seconds, "designs": designs,
            "designs_per_s": designs / seconds, "front_size": front,
            "load_average_before": load, "under_a_minute": seconds < TARGET_S}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--estimator", action="append", default=[],
                        help="also time the command with this estimator (repeatable)")
    args = parser.parse_args()
    runs = [run(None)] + [run(name) for name in args.estimator]
    write_result("explore_readme", {
        "what": "the README's two-network exploration, end to end from a cold process",
        "command": "accel-explorer " + " ".join(COMMAND) + " -o suite.h5",
        "target": f"at least 1,000 designs in under {TARGET_S:.0f} s on this machine",
        "runs": runs,
        "note": "2-core machine shared by several sessions: the load average is recorded"})


if __name__ == "__main__":
    main()
