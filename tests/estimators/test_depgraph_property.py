"""depgraph == simulate on many random small designs and layers (seeded random; the
project does not depend on hypothesis). One depgraph instance estimates every case in
turn, as an exploration worker does, so its caches (schedules by timing content, layer
fields, loop outcomes) are exercised across designs: a stale cache entry would show as a
difference here."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "mapping"))
from mapping_layers import conv, matmul, pool  # noqa: E402

from explorer.estimators.registry import get_estimator  # noqa: E402
from explorer.hardware.library import load_accelerator  # noqa: E402
from explorer.hardware.overrides import apply_overrides  # noqa: E402

CASES = 40


def _design(rng: random.Random, base: str):
    sets = [f"compute.pe_rows={rng.choice([2, 3, 4, 5, 8])}",
            f"compute.pe_cols={rng.choice([2, 3, 4, 6, 8])}",
            f"offchip.bandwidth_bytes_per_cycle={rng.choice([2, 4, 16])}",
            f"offchip.latency_cycles={rng.randint(1, 60)}",
            f"clock_hz={rng.choice([5e8, 1e9])}"]
    if base == "gemmini":
        sets += [f"compute.dataflow={rng.choice(['ws', 'os'])}",
                 f"memories.scratchpad.size_bytes={rng.choice([2048, 8192, 65536])}",
                 f"memories.accumulator.size_bytes={rng.choice([1024, 8192, 65536])}"]
    return apply_overrides(load_accelerator(base), sets, context="")


def _layer(rng: random.Random):
    kind = rng.choice(["conv", "conv", "depthwise", "matmul", "pool"])
    if kind == "conv":
        return conv(rng.randint(1, 12), rng.randint(3, 10), rng.randint(1, 12),
                    rng.choice([1, 3]), stride=rng.choice([1, 2]), pad=1)
    if kind == "depthwise":
        c = rng.randint(2, 12)
        return conv(c, rng.randint(3, 9), c, 3, pad=1, groups=c)
    if kind == "matmul":
        return matmul(rng.randint(1, 20), rng.randint(1, 20), rng.randint(1, 20))
    return pool(rng.randint(1, 8), rng.choice([4, 6, 8]))


@pytest.mark.parametrize("seed", [0, 1])
def test_depgraph_equals_simulate_on_random_designs(seed):
    rng = random.Random(seed)
    depgraph = get_estimator("depgraph")  # one instance: caches shared across designs
    layers = [_layer(rng) for _ in range(4)]  # few layers, so designs meet them again
    for case in range(CASES):
        acc = _design(rng, rng.choice(["gemmini", "systolic"]))
        layer = rng.choice(layers)
        reference = get_estimator("simulate").estimate_layer(layer, acc)
        fast = depgraph.estimate_layer(layer, acc)
        where = f"seed {seed} case {case}: {layer.op} {layer.dims} on {acc.name}"
        assert fast.cycles == reference.cycles, where
        assert fast.latency_s == reference.latency_s, where
        assert fast.energy_j == pytest.approx(reference.energy_j, rel=1e-12), where
        assert fast.mapping == reference.mapping, where
