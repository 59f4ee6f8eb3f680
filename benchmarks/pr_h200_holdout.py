"""Choose the held-out configurations of the H200 pool (run once, before any model).

A seeded draw from the pool's `random` sets: 1,000 convolutions and 300 linear layers that
no campaign may select (`PoolDevice(exclude=...)` refuses them) and on which single-layer
MAPE is measured. Configurations measured more than once in the pool and the layers of
the measured networks (`networks.jsonl`) are never drawn: the networks' layers are kept
out of the pool altogether. The list is committed on its own, before any model saw the
data, so that nothing is fitted to it.

    .venv/bin/python benchmarks/pr_h200_holdout.py [--data /work/shared/data/h200]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
from pathlib import Path

import numpy as np

SEED = 20261204
N_CONV, N_GEMM = 1000, 300
OUT = Path(__file__).resolve().parent / "data" / "h200_holdout.json"
DEFAULT_DATA = os.environ.get("ACCEL_EXPLORER_H200", "/work/shared/data/h200")

CONV_KEY = ("cin", "cout", "h", "w", "k", "stride", "groups")
GEMM_KEY = ("m", "k", "n")


def network_keys(data: Path) -> set[tuple]:
    """Pool keys of every conv/linear layer of the measured networks."""
    keys: set[tuple] = set()
    with open(data / "networks.jsonl", encoding="utf-8") as f:
        for line in f:
            for layer in json.loads(line)["layers"]:
                shape = layer["in_shape"]
                if layer["op"] == "Conv":
                    keys.add(("conv", shape[1], layer["cout"], shape[2], shape[3],
                              layer["k"][0], layer["stride"][0], layer["groups"]))
                else:
                    m = int(np.prod(shape[:-1]))
                    keys.add(("gemm", m, shape[-1], layer["n"]))
    return keys


def draw(rows: list[dict], kind: str, columns: tuple[str, ...], n: int,
         rng: np.random.Generator, excluded: set[tuple]) -> list[dict]:
    keys = [(kind, *(int(r[c]) for c in columns)) for r in rows]
    counts = collections.Counter(keys)
    eligible = sorted({k for r, k in zip(rows, keys)
                       if r["set"] == "random" and counts[k] == 1 and k not in excluded})
    chosen = rng.choice(len(eligible), size=n, replace=False)
    return [dict(zip(("kind", *columns), eligible[i])) for i in sorted(chosen)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(DEFAULT_DATA))
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)
    excluded = network_keys(args.data)

    def read(name: str) -> list[dict]:
        with open(args.data / name, encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    conv = draw(read("single_conv.jsonl"), "conv", CONV_KEY, N_CONV, rng, excluded)
    gemm = draw(read("single_gemm.jsonl"), "gemm", GEMM_KEY, N_GEMM, rng, excluded)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    head = {"about": "held-out H200 pool configurations: no campaign may select them",
            "script": "benchmarks/pr_h200_holdout.py", "seed": SEED}
    lines = ",\n".join(json.dumps(c) for c in conv + gemm)  # one configuration a line
    OUT.write_text(json.dumps(head)[:-1] + ',\n"configs": [\n' + lines + "\n]}\n",
                   encoding="utf-8")
    print(f"{OUT}: {len(conv)} conv + {len(gemm)} gemm held out")


if __name__ == "__main__":
    main()
