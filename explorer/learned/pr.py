"""Performance Representatives: find the staircases in one-parameter sweeps and pick the
representatives of each plateau.

A sweep of parameter p (step 1) gives latencies t(v). If t is flat on the blocks
((j-1)·P, j·P] and rises between blocks, every value of a block costs what its upper end
costs: that end is the block's representative, rep(v) = ceil(v / P) · P. Devices tell us
which periods to expect (vector width, PE array dimensions); the data decide. Membership
can also depend on divisibility: on this CPU, input channels step by 16 only for
multiples of 4 (other counts take a slower plain-NCHW path), so a rule may hold only for
values divisible by some d; the other values then represent themselves.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from explorer.learned.configs import LayerConfig

CANDIDATE_PERIODS = (2, 4, 8, 16, 32, 64)
CANDIDATE_DIVISORS = (1, 2, 4, 8)


@dataclass(frozen=True)
class StepRule:
    """`param` of layers of `family` has plateaus of width `period` for values divisible
    by `divisor` (all values when divisor = 1)."""

    family: str
    param: str
    period: int
    divisor: int = 1
    error: float = 0.0  # mean relative error of standing in for a value by its block end
    rise: float = 1.0  # share of block boundaries with a step up

    def applies(self, value: int) -> bool:
        """Values of the first block are left alone: detection ignores them because small
        counts often take special-case kernels (and on PE arrays small reductions fold
        differently)."""
        return value > self.period and value % self.divisor == 0

    def representative(self, value: int) -> int:
        if not self.applies(value):
            return value
        return int(math.ceil(value / self.period) * self.period)

    def plateau_start(self, value: int) -> int:
        """The first value of `value`'s plateau (in its divisibility class)."""
        if not self.applies(value):
            return value
        return int(math.ceil(value / self.period) - 1) * self.period + self.divisor

    def as_dict(self) -> dict:
        return asdict(self)


def family(config: LayerConfig) -> str:
    """Layers that share step rules: depthwise convolutions use other kernels than dense
    ones on every device we know, and pointwise (1x1) convolutions reduce over channels
    only, while larger kernels reduce over channels x kernel window (which moves the steps
    of input channels on PE arrays that unroll the whole reduction)."""
    if config.kind == "conv":
        if config.groups > 1 and config.groups == config.in_channels:
            return "dwconv"
        if config.kernel_h == 1 and config.kernel_w == 1:
            return "conv1x1"
    return config.kind


# Which config columns a swept parameter stands for.
PARAM_COLUMNS: dict[str, tuple[str, ...]] = {"size": ("in_h", "in_w")}


def param_columns(param: str) -> tuple[str, ...]:
    return PARAM_COLUMNS.get(param, (param,))


def staircase_score(values: Sequence[int], latencies: Sequence[float], period: int,
                    tol: float) -> tuple[float, float, int]:
    """(error, rise, blocks) of the hypothesis "plateaus of width `period`":
    error = mean relative difference between each value's latency and its block end's
    (what a model trained on block ends gets wrong), over all blocks but the first (small
    counts often take special-case kernels); rise = share of boundaries between
    consecutive blocks where latency steps up by more than `tol`."""
    order = np.argsort(values)
    v = np.asarray(values)[order]
    t = np.asarray(latencies, dtype=float)[order]
    block = np.ceil(v / period).astype(int)
    ends: dict[int, float] = {}
    for b, value, lat in zip(block, v, t):
        if value == b * period:
            ends[int(b)] = float(lat)
    first = int(block.min()) if len(block) else 0
    errors = [abs(lat - ends[int(b)]) / ends[int(b)] for b, lat in zip(block, t)
              if int(b) in ends and b != first and ends[int(b)] > 0]
    keys = sorted(ends)
    pairs = [(a, b) for a, b in zip(keys, keys[1:]) if b == a + 1]
    # A boundary is a step only if latency jumps right after the block end, not merely
    # climbs along a tilted plateau: compare the end with the next block's first value
    # too (a period half the true one sees the tilt of each plateau as its "steps").
    first_of = {int(b): float(lat) for b, lat in zip(block[::-1], t[::-1])}
    rises = [ends[b] > ends[a] * (1 + tol) and first_of[b] > ends[a] * (1 + tol)
             for a, b in pairs]
    return (float(np.mean(errors)) if errors else 1.0,
            float(np.mean(rises)) if rises else 0.0, len(keys))


def detect_rule(family_name: str, param: str, values: Sequence[int],
                latencies: Sequence[float], *, hints: Iterable[int] = (),
                tol: float = 0.02, min_rise: float = 0.75) -> StepRule | None:
    """The narrowest period (in the smallest divisor class) whose staircase the data
    confirm: each value costs about what its block end costs, and latency steps up at
    most block boundaries. A narrower candidate than the true period fails the rise test
    and a wider one the error test, so the narrowest passing one is the period. Hints
    (device knowledge) only add candidates; the data decide. None when latency has no
    plateaus in this parameter."""
    values = [int(v) for v in values]
    candidates = sorted(set(CANDIDATE_PERIODS) | {int(h) for h in hints if h > 1})
    for divisor in CANDIDATE_DIVISORS:
        keep = [i for i, v in enumerate(values) if v % divisor == 0]
        sub_v = [values[i] // divisor for i in keep]
        sub_t = [latencies[i] for i in keep]
        for period in candidates:
            if period % divisor or period // divisor < 2:
                continue
            error, rise, blocks = staircase_score(sub_v, sub_t, period // divisor, tol)
            if blocks >= 3 and error <= tol and rise >= min_rise:
                return StepRule(family_name, param, period, divisor, round(float(error), 4),
                                round(float(rise), 3))
    return None


def merge_rules(rules: Iterable[StepRule]) -> dict[str, StepRule]:
    """One rule per (family, parameter): where sweeps around different base
    configurations disagree, the finer period wins (its representatives are a superset)."""
    merged: dict[str, StepRule] = {}  # "family.param" (plain keys: models are saved as data)
    for rule in rules:
        key = f"{rule.family}.{rule.param}"
        old = merged.get(key)
        if old is None or (rule.period, -rule.divisor) < (old.period, -old.divisor):
            merged[key] = rule
    return merged


class RuleSet:
    """The step rules of a device, applied to configurations."""

    def __init__(self, rules: Iterable[StepRule] = ()) -> None:
        self.rules = merge_rules(rules)

    def __len__(self) -> int:
        return len(self.rules)

    def for_config(self, config: LayerConfig) -> list[StepRule]:
        fam = family(config)
        return [r for r in self.rules.values() if r.family == fam]

    def representative(self, config: LayerConfig, start: bool = False) -> LayerConfig:
        """The configuration that stands for `config`: each stepped parameter moved to
        the upper end of its plateau (or to its start)."""
        changes: dict[str, int] = {}
        for rule in self.for_config(config):
            for column in param_columns(rule.param):
                value = getattr(config, column)
                changes[column] = (rule.plateau_start(value) if start
                                   else rule.representative(value))
        if not changes:
            return config
        if family(config) == "dwconv" and "in_channels" in changes:
            c = changes["in_channels"]
            changes.update(out_channels=c * (config.out_channels // config.in_channels),
                           groups=c)
        try:
            return config.with_changes(**changes)
        except Exception:  # a representative that breaks divisibility: keep the original
            return config

    def to_list(self) -> list[dict]:
        return [r.as_dict() for r in self.rules.values()]

    @classmethod
    def from_list(cls, items: Iterable[dict]) -> RuleSet:
        return cls(StepRule(**item) for item in items)


def representative_configs(candidates: Iterable[LayerConfig], rules: RuleSet, budget: int,
                           exclude: set[tuple] | None = None,
                           both_ends: bool = False) -> list[LayerConfig]:
    """Map candidates to their representatives and keep the first `budget` distinct ones:
    a training set in which no two samples stand for the same plateau. With `both_ends`,
    every other candidate goes to its plateaus' first values instead: two representatives
    per plateau, for devices whose plateaus are tilted rather than flat."""
    seen = set(exclude or ())
    out: list[LayerConfig] = []
    for i, config in enumerate(candidates):
        rep = rules.representative(config, start=both_ends and i % 2 == 1)
        if rep.key() in seen:
            continue
        seen.add(rep.key())
        out.append(rep)
        if len(out) >= budget:
            break
    return out
