"""PR method on a simulated accelerator (truth known exactly): single-layer and
whole-network MAPE, Spearman, and PR vs random (and ANNETTE's mixed model) over budgets.

    .venv/bin/python benchmarks/pr_sim.py [--arch gemmini] [--budgets 500,...]

Writes docs/validation/pr_sim_<arch>.json. Measurements are cached in
$TMPDIR/accel-explorer-bench/ so a rerun (or an interrupted run) only trains and
evaluates again.
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
    parser.add_argument("--arch", default="gemmini")
    parser.add_argument("--budgets", default="500,1000,2000,5000,10000")
    parser.add_argument("--test", default="600")
    args = parser.parse_args()
    cache = Path(tempfile.gettempdir()) / "accel-explorer-bench" / f"sim_{args.arch}.h5"
    cache.parent.mkdir(parents=True, exist_ok=True)
    return main(["evaluate", "--device", f"sim:{args.arch}", "--budgets", args.budgets,
                 "--test", args.test, "--cache", str(cache),
                 "-o", str(ROOT / "docs" / "validation" / f"pr_sim_{args.arch}.json")])


if __name__ == "__main__":
    sys.exit(run())
