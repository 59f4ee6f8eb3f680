"""Evaluating one design: apply its parameter values, estimate every network, compute the
metrics, check the constraints. A plain function of picklable data, so that a process
pool or a Dask worker runs exactly what the serial loop runs."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from explorer.errors import ExplorerError
from explorer.explore.objectives import (
    METRICS,
    Constraint,
    network_metrics,
    suite_metrics,
)
from explorer.explore.space import Param, assignment
from explorer.hardware.area import design_area
from explorer.hardware.overrides import apply_overrides
from explorer.hardware.schema import Accelerator
from explorer.workload.network import Network


@dataclass
class Context:
    """Everything a worker needs besides the design's values (sent once per worker)."""

    networks: list[Network]
    weights: list[float]
    base: Accelerator
    estimator: str
    params: list[Param]
    constraints: list[Constraint] = field(default_factory=list)
    reference: list[dict[str, float]] | None = None  # per-network metrics of `base`
    keep_layers: bool = True
    estimator_options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._estimator: Any = None

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_estimator"] = None  # rebuilt where it runs
        return state

    @property
    def estimator_object(self) -> Any:
        if self._estimator is None:
            from explorer.estimators.registry import make_estimator

            self._estimator = make_estimator(self.estimator, self.estimator_options or None)
        return self._estimator


@dataclass
class Design:
    """The outcome of one design, as stored."""

    index: int
    values: tuple
    status: str  # "ok", or the one-line reason it could not be estimated
    metrics: dict[str, float]
    per_network: list[dict[str, float]]
    violation: str = ""  # "" when every constraint is met
    layer_latency_s: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def results(self) -> dict[str, float]:
        """The metrics under the name sweeps used."""
        return self.metrics

    @property
    def feasible(self) -> bool:
        return self.status == "ok" and not self.violation


def evaluate(context: Context, index: int, values: tuple) -> Design:
    start = time.perf_counter()
    nan = {m: math.nan for m in METRICS}
    try:
        acc = apply_overrides(context.base, assignment(context.params, values))
        area = design_area(acc, reference=context.base).total_mm2
        results = [context.estimator_object.estimate(net, acc) for net in context.networks]
    except ExplorerError as exc:
        return Design(index, values, _one_line(exc), nan,
                      [dict(nan) for _ in context.networks],
                      seconds=time.perf_counter() - start)
    per_network = [network_metrics(r, area) for r in results]
    metrics = suite_metrics(per_network, context.weights, context.reference)
    violation = "; ".join(v for v in (c.violation(metrics) for c in context.constraints) if v)
    layers = ({layer.name: layer.latency_s for layer in results[0].layers}
              if context.keep_layers else {})
    return Design(index, values, "ok", metrics, per_network, violation, layers,
                  time.perf_counter() - start)


def evaluate_batch(context: Context, batch: list[tuple[int, tuple]]) -> list[Design]:
    return [evaluate(context, index, values) for index, values in batch]


def reference_metrics(context: Context) -> list[dict[str, float]]:
    """Metrics of the starting design on each network: the suite's normalisation."""
    area = design_area(context.base, reference=context.base).total_mm2
    out = []
    for net in context.networks:
        result = context.estimator_object.estimate(net, context.base)
        out.append(network_metrics(result, area))
    return out


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


# A worker process keeps its context here (set once by the pool's initializer).
_WORKER_CONTEXT: Context | None = None


def init_worker(context: Context) -> None:
    global _WORKER_CONTEXT
    _WORKER_CONTEXT = context


def evaluate_in_worker(batch: list[tuple[int, tuple]]) -> list[Design]:
    assert _WORKER_CONTEXT is not None, "init_worker was not called"
    return evaluate_batch(_WORKER_CONTEXT, batch)
