"""A benchmark campaign: choose configurations (PR or random), measure them on a device,
append every measurement to the store at once.

Resumable: the plan is a deterministic function of (strategy, budget, seed) and of the
measurements already in the store, and a configuration already in the store is never
measured again, so running the same command after a kill continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from explorer.benchmarking.devices.base import Device
from explorer.benchmarking.space import SweepSpec, default_sweeps, random_configs
from explorer.benchmarking.store import BenchmarkStore
from explorer.errors import BenchmarkError, Cancelled
from explorer.learned.configs import LayerConfig
from explorer.learned.features import config_matrix
from explorer.learned.pr import RuleSet, StepRule, detect_rule, family, representative_configs

STRATEGIES = ("pr", "random")
ProgressFn = Callable[[int, int, str], None]  # (done, total, what)
CancelFn = Callable[[], bool]

# Random draws per representative slot: many draws collapse onto one plateau.
CANDIDATE_FACTOR = 6


@dataclass
class CampaignResult:
    measured: int = 0  # new measurements taken now
    reused: int = 0  # found in the store from an earlier (interrupted) run
    rules: list[dict[str, Any]] = field(default_factory=list)
    sweeps: int = 0


@dataclass
class Campaign:
    device: Device
    store: BenchmarkStore
    strategy: str
    budget: int
    seed: int = 0
    sweep_share: float = 0.25  # of the budget, at most, for initial sweeps (PR only)
    kinds: tuple[str, ...] | None = None
    progress: ProgressFn | None = None
    cancel: CancelFn | None = None
    phase: str = "train"  # label of the random strategy's rows ("test" for held-out sets)
    result: CampaignResult = field(default_factory=CampaignResult)

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise BenchmarkError(f"strategy {self.strategy!r}; allowed: {', '.join(STRATEGIES)}")
        if self.budget < 1:
            raise BenchmarkError(f"budget {self.budget}: must be >= 1")
        self._done = 0

    # -- measuring with reuse -------------------------------------------------------------
    def _measure(self, config: LayerConfig, phase: str, total: int) -> float:
        if self.cancel and self.cancel():
            raise Cancelled(f"benchmark cancelled after {self._done} of {total} samples; "
                            f"{self.store.path} keeps them, run the same command to resume")
        row = self.store.lookup(config)
        if row is None:
            measurement = self.device.measure(config)
            row = self.store.append(config, measurement, phase)
            self.result.measured += 1
        else:
            self.result.reused += 1
        self._done += 1
        if self.progress:
            self.progress(self._done, total, config.describe())
        return self.store.latency(row)

    # -- plans ----------------------------------------------------------------------------
    def sweep_plan(self) -> list[SweepSpec]:
        """Sweeps that fit in `sweep_share` of the budget, most informative first. A sweep
        needs at least 48 points (three plateaus of 16) to show a staircase, so a small
        budget runs fewer sweeps rather than shorter ones."""
        allowed = int(self.budget * self.sweep_share)
        kinds_ok = set(self.device.supported_kinds())
        sweeps = [s for s in default_sweeps() if (self.kinds is None or s.base.kind in self.kinds)
                  and s.base.kind in kinds_ok]
        best: list[SweepSpec] = []
        best_score: tuple[int, int] = (0, 0)
        for max_points in (96, 64, 48):
            chosen, used, rank = [], 0, 0
            for i, s in enumerate(sweeps):
                values = s.values[:max_points]
                if used + len(values) <= allowed:
                    chosen.append(SweepSpec(s.name, s.base, s.param, values))
                    used += len(values)
                    rank -= i
            score = (len(chosen), rank)  # most sweeps, then the most informative ones
            if score > best_score:
                best, best_score = chosen, score
        return best

    def run(self) -> CampaignResult:
        self.store.set_campaign({"strategy": self.strategy, "budget": self.budget,
                                 "seed": self.seed, "sweep_share": self.sweep_share,
                                 "kinds": list(self.kinds) if self.kinds else None})
        if hasattr(self.device, "candidates"):
            return self._run_pool()
        if self.strategy == "random":
            plan = random_configs(self.budget, self.seed, self.kinds)
            for config in plan:
                self._measure(config, self.phase, len(plan))
            return self.result

        sweeps = self.sweep_plan()
        plan = self._representatives(sweeps, lambda c: self._measure(c, "sweep", self.budget))
        for config in plan:
            self._measure(config, "train", self.budget)
        return self.result

    def _representatives(self, sweeps: list[SweepSpec], latency_of) -> list[LayerConfig]:
        """Step rules from the sweeps (`latency_of` measures or looks up a sweep point),
        then the kind-balanced representatives that fill the rest of the budget."""
        found: list[StepRule] = []
        seen: set[tuple] = set()
        hints = self.device.parallelism_hints()
        tol = 0.01 if self.device.deterministic else 0.03
        for spec in sweeps:
            configs = spec.configs()
            latencies = [latency_of(c) for c in configs]
            seen.update(c.key() for c in configs)
            rule = detect_rule(family(spec.base), spec.param, spec.values, latencies,
                               hints=hints.get(spec.param, hints.get("in_w", [])), tol=tol)
            if rule:
                found.append(rule)
        rules = RuleSet(found)
        self.result.rules = rules.to_list()
        self.result.sweeps = sum(len(s.values) for s in sweeps)
        self.store.set_campaign({**self.store.campaign, "rules": rules.to_list()})
        remaining = max(0, self.budget - len(seen))
        candidates = random_configs(remaining * CANDIDATE_FACTOR, self.seed + 1, self.kinds)
        # A deterministic device shows plateaus that tilt (the simulator's traffic grows
        # inside a plateau): take both ends of them. Measured devices: the upper end.
        both_ends = self.device.deterministic
        return _balanced(representative_configs(candidates, rules, len(candidates), seen,
                                                both_ends=both_ends), remaining)

    # -- plans for a device measured elsewhere (rounds: plan, measure, import) ------------
    def plan_next(self) -> list[tuple[LayerConfig, str]]:
        """The (configuration, phase) pairs the campaign needs next and the store lacks:
        for PR first the sweeps, once they are imported the representatives."""
        self.store.set_campaign({**self.store.campaign, "strategy": self.strategy,
                                 "budget": self.budget, "seed": self.seed,
                                 "sweep_share": self.sweep_share,
                                 "kinds": list(self.kinds) if self.kinds else None})
        missing = lambda pairs: [(c, p) for c, p in pairs if self.store.lookup(c) is None]  # noqa: E731
        if self.strategy == "random":
            return missing([(c, self.phase) for c in
                            random_configs(self.budget, self.seed, self.kinds)])
        sweeps = self.sweep_plan()
        todo = missing([(c, "sweep") for s in sweeps for c in s.configs()])
        if todo:
            return todo
        plan = self._representatives(sweeps, lambda c: self.store.latency(self.store.lookup(c)))
        return missing([(c, "train") for c in plan])

    # -- a pool: select from the configurations it holds -----------------------------------
    def pool_sweep_plan(self) -> list[tuple[str, list[LayerConfig]]]:
        """The pool's own sweeps, cut to their first points so that they fit in
        `sweep_share` of the budget (48 points at least: three plateaus of 16)."""
        allowed = int(self.budget * self.sweep_share)
        sweeps = [(name, sorted(configs, key=_sweep_order(configs)))
                  for name, configs in sorted(self.device.sweeps().items())
                  if self.kinds is None or configs[0].kind in self.kinds]
        for points in (96, 64, 48):
            if points * len(sweeps) <= allowed:
                return [(name, configs[:points]) for name, configs in sweeps]
        count = allowed // 48
        return [(name, configs[:48]) for name, configs in sweeps[:count]]

    def _run_pool(self) -> CampaignResult:
        candidates = self.device.candidates(self.kinds)
        if self.strategy == "random":
            order = np.random.default_rng(self.seed).permutation(len(candidates))
            plan = [candidates[i] for i in order[:self.budget]]
            for config in plan:
                self._measure(config, self.phase, len(plan))
            return self.result
        found: list[StepRule] = []
        seen: set[tuple] = set()
        hints = self.device.parallelism_hints()
        sweep_rows: list[tuple[LayerConfig, float]] = []
        for _name, configs in self.pool_sweep_plan():
            param = _swept_param(configs)
            if param is None:
                continue
            latencies = [self._measure(c, "sweep", self.budget) for c in configs]
            sweep_rows += list(zip(configs, latencies))
            seen.update(c.key() for c in configs)
            values = [_param_value(c, param) for c in configs]
            rule = detect_rule(family(configs[0]), param, values, latencies,
                               hints=hints.get(param, ()), tol=0.03)
            if rule:
                found.append(rule)
        rules = RuleSet(found)
        self.result.rules = rules.to_list()
        self.result.sweeps = len(seen)
        self.store.set_campaign({**self.store.campaign, "rules": rules.to_list()})
        # Two rounds: half of the rest covers the feature space evenly; a model fitted on
        # what is measured then says where it is unsure, and the other half covers the
        # space weighted by that uncertainty.
        from explorer.learned.models import PRLatencyModel
        from explorer.learned.selection import coverage_representatives, uncertainty_weights

        sms = getattr(self.device, "sm_count", lambda: None)()
        remaining = [c for c in candidates if c.key() not in seen]
        count = max(0, self.budget - len(seen))
        first = coverage_representatives(remaining, count // 2, rules=rules.to_list(),
                                          sms=sms, seed=self.seed)
        measured = [(c, self._measure(c, "train", self.budget)) for c in first]
        taken = seen | {c.key() for c in first}
        rest = [c for c in remaining if c.key() not in taken]
        if count - len(first) > 0 and rest:
            rows = sweep_rows + measured
            model = PRLatencyModel(rules=rules.to_list() or None, sms=sms,
                                   target="log" if sms else "per_work", trees=100,
                                   random_state=self.seed).fit(
                config_matrix([c for c, _ in rows]), np.array([t for _, t in rows]))
            second = coverage_representatives(
                rest, count - len(first), rules=rules.to_list(), sms=sms,
                seed=self.seed + 1, weights=uncertainty_weights(model, rest))
            for config in second:
                self._measure(config, "train", self.budget)
        return self.result


_SWEEP_PARAMS = ("out_channels", "in_channels", "in_h", "n", "m", "k")


def _swept_param(configs: list[LayerConfig]) -> str | None:
    """The one parameter that varies along a sweep (`size` for square spatial sizes,
    `in_channels` for depthwise sweeps that move channels and groups together)."""
    for param in _SWEEP_PARAMS:
        if len({getattr(c, param) for c in configs}) > 1:
            return "size" if param == "in_h" else param
    return None


def _param_value(config: LayerConfig, param: str) -> int:
    return config.in_h if param == "size" else int(getattr(config, param))


def _sweep_order(configs: list[LayerConfig]):
    param = _swept_param(configs) or "in_channels"
    return lambda c: _param_value(c, param)


def _balanced(configs: list[LayerConfig], budget: int) -> list[LayerConfig]:
    """Take `budget` configurations in the kind-balanced order of `kind_schedule`,
    falling back to any kind when one has run out of distinct representatives."""
    from explorer.benchmarking.space import kind_schedule

    pools: dict[str, list[LayerConfig]] = {}
    for c in configs:
        pools.setdefault(c.kind, []).append(c)
    kinds = tuple(k for k in ("conv", "matmul", "pool", "eltwise", "norm", "softmax", "data")
                  if k in pools)
    taken = dict.fromkeys(kinds, 0)
    out: list[LayerConfig] = []
    for kind in kind_schedule(budget, kinds) if kinds else []:
        pool_kind = kind if taken[kind] < len(pools[kind]) else next(
            (k for k in kinds if taken[k] < len(pools[k])), None)
        if pool_kind is None:
            break
        out.append(pools[pool_kind][taken[pool_kind]])
        taken[pool_kind] += 1
    return out


def iter_rows(store: BenchmarkStore, phases: tuple[str, ...] | None = None,
              statuses: tuple[str, ...] | None = ("ok",)) -> Iterator[tuple[LayerConfig, float]]:
    cols = store.columns(("phase", "status", "latency_s"))
    for i, config in enumerate(store.configs()):
        if phases and cols["phase"][i] not in phases:
            continue
        if statuses and cols["status"][i] not in statuses:
            continue
        yield config, float(cols["latency_s"][i])
