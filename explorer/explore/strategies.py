"""Which designs to evaluate next: grid, random, Latin hypercube (scipy.stats.qmc), and
optuna's NSGA-II and TPE samplers, all behind one ask/tell interface.

Resuming: a strategy is first told every design already in the store (`seen`), so a
grid, random or LHS plan skips them and optuna's samplers learn from them; no stored
design is evaluated again.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from explorer.errors import ArchitectureError
from explorer.explore.space import Param, design_key

STRATEGIES = ("grid", "random", "lhs", "nsga2", "tpe")


class Strategy:
    """Base: a fixed plan of designs (grid, random, lhs)."""

    def __init__(self, params: list[Param], budget: int | None, seed: int) -> None:
        self.params, self.budget, self.seed = params, budget, seed
        self.done_keys: set[str] = set()
        self._plan: Iterator[tuple] | None = None

    def plan(self) -> Iterator[tuple]:
        raise NotImplementedError

    def seen(self, values: tuple, objectives: list[float] | None,
             constraint: list[float] | None = None) -> None:
        self.done_keys.add(design_key(values))

    def ask(self, n: int) -> list[tuple]:
        if self._plan is None:
            self._plan = self.plan()
        out: list[tuple] = []
        while len(out) < n and self.remaining() > len(out):
            values = next(self._plan, None)
            if values is None:
                break
            key = design_key(values)
            if key not in self.done_keys:
                self.done_keys.add(key)
                out.append(values)
        return out

    def tell(self, values: tuple, objectives: list[float] | None,
             constraint: list[float] | None = None) -> None:
        pass

    def remaining(self) -> int:
        if self.budget is None:
            return 1 << 62
        return max(0, self.budget - len(self.done_keys))

    def total(self) -> int | None:
        return self.budget


class Grid(Strategy):
    def __init__(self, params: list[Param], budget: int | None, seed: int) -> None:
        super().__init__(params, budget, seed)
        self.grids = [p.grid() for p in params]
        size = math.prod(len(g) for g in self.grids)
        self.budget = size if budget is None else min(budget, size)

    def plan(self) -> Iterator[tuple]:
        return iter(itertools.product(*self.grids))


class RandomSampling(Strategy):
    """Uniform samples in the unit cube, mapped through each parameter's range."""

    def _unit(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.random((n, len(self.params)))

    def plan(self) -> Iterator[tuple]:
        rng = np.random.default_rng(self.seed)
        misses = 0
        planned: set[str] = set()
        while misses < 20:  # a discrete space smaller than the budget runs out
            fresh = 0
            for row in self._unit(rng, max(16, self.budget or 16)):
                values = tuple(p.from_unit(u) for p, u in zip(self.params, row))
                key = design_key(values)
                if key not in planned:
                    planned.add(key)
                    fresh += 1
                    yield values
            misses = misses + 1 if fresh == 0 else 0


class LatinHypercube(RandomSampling):
    def _unit(self, rng: np.random.Generator, n: int) -> np.ndarray:
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=len(self.params), rng=rng).random(n)


class OptunaStrategy(Strategy):
    """optuna's ask/tell with NSGA-II or TPE; invalid designs are failed trials and
    constraint violations go to the sampler's constraints function."""

    def __init__(self, params: list[Param], budget: int | None, seed: int, sampler: str,
                 directions: int) -> None:
        super().__init__(params, budget, seed)
        if budget is None:
            raise ArchitectureError(f"--strategy {sampler} needs --budget N")
        try:
            import optuna
        except ImportError:
            raise ArchitectureError(f"--strategy {sampler} needs optuna: pip install "
                                    "'optuna>=5.0'") from None
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.optuna = optuna
        self.dist = {p.path: self._distribution(p) for p in params}

        # constraints reach the samplers as trial constraints (optuna >= 5): a trial is
        # feasible when every value is <= 0
        if sampler == "nsga2":
            population = max(8, min(50, budget // 10))
            chosen = optuna.samplers.NSGAIISampler(seed=seed, population_size=population)
        else:
            chosen = optuna.samplers.TPESampler(seed=seed, multivariate=True,
                                                constant_liar=True)
        self.study = optuna.create_study(sampler=chosen, directions=["minimize"] * directions)
        self._trials: dict[str, Any] = {}

    def _distribution(self, p: Param):
        d = self.optuna.distributions
        if p.discrete and p.kind != "str":
            return d.IntDistribution(0, len(p.choices) - 1)
        if p.discrete:
            return d.CategoricalDistribution(list(p.choices))
        if p.kind == "int":
            return d.IntDistribution(int(p.low), int(p.high), log=p.log)
        return d.FloatDistribution(p.low, p.high, log=p.log)

    def _encode(self, p: Param, value: Any) -> Any:
        if p.discrete and p.kind != "str":
            return p.choices.index(value)
        return value

    def _decode(self, p: Param, raw: Any) -> Any:
        if p.discrete and p.kind != "str":
            return p.choices[int(raw)]
        return p.typed(raw)

    def seen(self, values: tuple, objectives: list[float] | None,
             constraint: list[float] | None = None) -> None:
        super().seen(values, objectives, constraint)
        try:
            params = {p.path: self._encode(p, v) for p, v in zip(self.params, values)}
        except ValueError:
            return  # not representable in this space (cannot happen for one definition)
        state = self.optuna.trial.TrialState
        ok = objectives is not None and all(math.isfinite(v) for v in objectives)
        trial = self.optuna.trial.create_trial(
            params=params, distributions=self.dist,
            values=objectives if ok else None,
            state=state.COMPLETE if ok else state.FAIL,
            constraints=_constraints(constraint) if ok else None)
        self.study.add_trial(trial)

    def ask(self, n: int) -> list[tuple]:
        out: list[tuple] = []
        attempts = 0
        while len(out) < n and self.remaining() > len(out) and attempts < 50 * n:
            attempts += 1
            trial = self.study.ask(self.dist)
            values = tuple(self._decode(p, trial.params[p.path]) for p in self.params)
            key = design_key(values)
            if key in self.done_keys or key in self._trials:
                # already evaluated: answer from the stored result without estimating
                self.study.tell(trial, state=self.optuna.trial.TrialState.PRUNED)
                continue
            self._trials[key] = trial
            out.append(values)
        for values in out:
            self.done_keys.add(design_key(values))
        return out

    def tell(self, values: tuple, objectives: list[float] | None,
             constraint: list[float] | None = None) -> None:
        trial = self._trials.pop(design_key(values), None)
        if trial is None:
            return
        if objectives is not None and all(math.isfinite(v) for v in objectives):
            for key, value in _constraints(constraint).items():
                trial.set_constraint(key, value)
        if objectives is None or not all(math.isfinite(v) for v in objectives):
            self.study.tell(trial, state=self.optuna.trial.TrialState.FAIL)
        else:
            self.study.tell(trial, objectives)


def _constraints(amounts: list[float] | None) -> dict[str, float]:
    return {f"c{i}": float(v) for i, v in enumerate(amounts or [0.0])}


def make_strategy(name: str, params: list[Param], budget: int | None, seed: int,
                  objectives: int) -> Strategy:
    if name == "grid":
        return Grid(params, budget, seed)
    if budget is None:
        raise ArchitectureError(f"--strategy {name} needs --budget N")
    if name == "random":
        return RandomSampling(params, budget, seed)
    if name == "lhs":
        return LatinHypercube(params, budget, seed)
    if name in ("nsga2", "tpe"):
        return OptunaStrategy(params, budget, seed, name, objectives)
    raise ArchitectureError(f"--strategy {name!r}: choose one of {', '.join(STRATEGIES)}")
