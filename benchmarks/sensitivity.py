"""Sensitivity of ResNet-50 on Gemmini (issue 10 §3): the elasticity of network latency and
energy to a ±10 % change of every numeric parameter of `arch_library/gemmini.yaml`,
estimated by depgraph. Writes docs/validation/sensitivity.json.

    .venv/bin/python benchmarks/sensitivity.py [--network resnet50] [--arch gemmini]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks._common import write_result  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--network", default="resnet50")
    parser.add_argument("--arch", default="gemmini")
    parser.add_argument("--step", type=float, default=0.10)
    args = parser.parse_args(argv)

    import explorer
    from explorer.sensitivity import sensitivity

    network = explorer.load_network(args.network)
    acc = explorer.load_accelerator(args.arch)
    start = time.perf_counter()
    rows = sensitivity(network, acc, "depgraph", step=args.step)
    wall = time.perf_counter() - start
    base = explorer.estimate(network, acc, "depgraph")
    path = write_result("sensitivity", {
        "what": f"elasticity of {args.network} latency and energy on {args.arch} to a "
                f"±{args.step:.0%} change of each numeric parameter (depgraph)",
        "script": "benchmarks/sensitivity.py",
        "network": args.network, "accelerator": args.arch, "step": args.step,
        "base": {"latency_s": base.latency_s, "energy_j": base.energy_j},
        "wall_s": wall,
        "parameters": [r.to_dict() for r in rows],
    })
    for r in rows[:10]:
        print(f"{r.parameter:<55} latency {r.latency!s:>22} energy {r.energy!s:>22}")
    print(f"wrote {path} ({wall:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
