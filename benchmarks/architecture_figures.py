"""Figures of issue 9 (architecture): the largest modules of `explorer/`, the modules over
the ~450-line guide, and (with --tests) the wall time of the default test tier.

    .venv/bin/python benchmarks/architecture_figures.py [--tests]
writes docs/validation/architecture.json. The test time depends on the machine's load:
the load average before and after is recorded beside it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 450


def module_lines() -> dict[str, int]:
    return {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
            for p in sorted((ROOT / "explorer").rglob("*.py"))}


def fast_tier() -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    before = os.getloadavg()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    return {"command": "python -m pytest -q (the default, fast tier)", "wall_s": wall,
            "exit_status": done.returncode, "summary": tail,
            "load_average_before": before, "load_average_after": os.getloadavg()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", action="store_true", help="also time the fast test tier")
    args = parser.parse_args()
    lines = module_lines()
    largest = sorted(lines.items(), key=lambda kv: -kv[1])[:10]
    result = {"command": "python benchmarks/architecture_figures.py"
                         + (" --tests" if args.tests else ""),
              "largest_modules": dict(largest),
              f"modules_over_{LIMIT}_lines": {k: v for k, v in largest if v > LIMIT},
              "modules": len(lines), "lines": sum(lines.values())}
    if args.tests:
        result["fast_tier"] = fast_tier()
    path = write_result("architecture", result)
    for name, n in largest[:5]:
        print(f"{n:5d} {name}")
    if args.tests:
        print(f"fast tier: {result['fast_tier']['wall_s']:.0f} s "
              f"({result['fast_tier']['summary']})")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
