"""PR method on this machine's CPU (onnxruntime, 1 thread): single-layer MAPE on held-out
random layers and on the zoo networks' layers, whole-network MAPE against `measure` over
the nine zoo networks, Spearman rank fidelity, and PR vs random over budgets.

    .venv/bin/python benchmarks/pr_cpu.py [--budgets 500,1000,2000]

Run it on a quiet machine (the load average is recorded in the JSON). Writes
docs/validation/pr_cpu.json; measurements are cached in
$TMPDIR/accel-explorer-bench/cpu.h5 so an interrupted run resumes. A cache from an
earlier hour mixes machine speeds (a shared VM drifted by 20-30 %): give a new --cache
for figures taken in one sitting. The JSON's `final.speed_normalized` holds the figures
with the machine's drift divided out, `final.drift` how far it moved.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from explorer.cli import main  # noqa: E402


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", default="500,1000,2000")
    parser.add_argument("--test", default="300")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir())
                                               / "accel-explorer-bench" / "cpu.h5"))
    args = parser.parse_args()
    Path(args.cache).parent.mkdir(parents=True, exist_ok=True)
    return main(["evaluate", "--device", "cpu", "--budgets", args.budgets, "--test", args.test,
                 "--cache", args.cache,
                 "-o", str(ROOT / "docs" / "validation" / "pr_cpu.json")])


if __name__ == "__main__":
    sys.exit(run())
