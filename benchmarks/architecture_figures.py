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
TEST_TIMEOUT_S = 1800  # a hung GUI test must not hang the measurement
BEFORE = "50328dd"  # main when issue 9's architecture work started


def module_lines(commit: str | None = None) -> dict[str, int]:
    """Lines per module of explorer/, in the working tree or at `commit`."""
    if commit is None:
        return {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
                for p in sorted((ROOT / "explorer").rglob("*.py"))}
    names = subprocess.run(["git", "ls-tree", "-r", "--name-only", commit, "explorer"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return {name: len(subprocess.run(["git", "show", f"{commit}:{name}"], cwd=ROOT,
                                     capture_output=True, text=True, check=True
                                     ).stdout.splitlines())
            for name in names if name.endswith(".py")}


def sizes(lines: dict[str, int]) -> dict:
    largest = sorted(lines.items(), key=lambda kv: -kv[1])[:10]
    return {"largest_modules": dict(largest),
            f"modules_over_{LIMIT}_lines": {k: v for k, v in lines.items() if v > LIMIT},
            "modules": len(lines), "lines": sum(lines.values())}


def fast_tier() -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    before = os.getloadavg()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=TEST_TIMEOUT_S)
    wall = time.perf_counter() - start
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    failed = [line for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return {"command": "python -m pytest -q (the default, fast tier)", "wall_s": wall,
            "exit_status": done.returncode, "summary": tail, "failed": failed,
            "load_average_before": before, "load_average_after": os.getloadavg()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", action="store_true", help="also time the fast test tier")
    parser.add_argument("--before", default=BEFORE, metavar="COMMIT",
                        help=f"the commit to compare with (default: {BEFORE}, issue 9's start)")
    args = parser.parse_args()
    lines = module_lines()
    largest = sorted(lines.items(), key=lambda kv: -kv[1])[:10]
    result = {"command": "python benchmarks/architecture_figures.py"
                         + (" --tests" if args.tests else ""),
              "before": {"commit": args.before, **sizes(module_lines(args.before))},
              "after": sizes(lines)}
    if args.tests:
        result["fast_tier"] = fast_tier()
    else:  # sizes only: the last timed run stays, marked with when it was measured
        import json

        earlier = ROOT / "docs" / "validation" / "architecture.json"
        if earlier.exists():
            old = json.loads(earlier.read_text(encoding="utf-8"))
            if "fast_tier" in old:
                result["fast_tier"] = {**old["fast_tier"], "measured": old.get(
                    "fast_tier", {}).get("measured") or old["machine"]["timestamp"]}
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
