"""Running an exploration: ask the strategy for designs, evaluate them here, in a process
pool (`workers`) or on a Dask cluster (`dask`), and store each one as it finishes.

Only this process (the client) writes the file; workers return results. A killed client
resumes from the file without evaluating a stored design again; Dask retries the designs
of a worker that dies.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explorer.errors import ArchitectureError, Cancelled
from explorer.explore.evaluate import (
    Context,
    Design,
    evaluate_batch,
    evaluate_in_worker,
    init_worker,
    reference_metrics,
)
from explorer.explore.objectives import METRICS, Constraint, minimised
from explorer.explore.space import Param
from explorer.explore.store import ExplorationStore
from explorer.explore.strategies import make_strategy
from explorer.hardware.library import dump_accelerator
from explorer.hardware.schema import Accelerator
from explorer.workload.network import Network

Progress = Callable[[int, int, Design], None]


@dataclass
class Spec:
    """What to explore (everything but where it runs)."""

    networks: list[Network]
    base: Accelerator
    params: list[Param]
    objectives: list[str] = field(default_factory=lambda: ["latency_s"])
    constraints: list[Constraint] = field(default_factory=list)
    weights: list[float] | None = None
    estimator: str = "depgraph"
    estimator_options: dict[str, Any] = field(default_factory=dict)
    strategy: str = "grid"
    budget: int | None = None
    seed: int = 0

    def definition(self) -> dict[str, Any]:
        """The exploration's identity: a resumed run must match it exactly."""
        layers = ([layer.name for layer in self.networks[0].layers]
                  if len(self.networks) == 1 else [])
        definition = {"networks": [[n.name, n.sha256] for n in self.networks],
                "weights": self.weights or [1.0],
                "accelerator": dump_accelerator(self.base), "estimator": self.estimator,
                "params": [[p.path, p.kind, p.text] for p in self.params],
                "objectives": list(self.objectives),
                "constraints": [c.text for c in self.constraints], "layers": layers}
        if self.estimator_options:  # a file explored with other options is another one
            definition["estimator_options"] = {k: str(v)
                                               for k, v in self.estimator_options.items()}
        return definition


def _check(spec: Spec) -> None:
    if not spec.params:
        raise ArchitectureError("an exploration needs at least one --param")
    if not spec.networks:
        raise ArchitectureError("an exploration needs at least one network")
    names = [n.name for n in spec.networks]
    if len(set(names)) != len(names):
        raise ArchitectureError(f"network {names[0]!r} is named twice")
    if len(spec.networks) > 1 and (spec.weights is None or len(spec.weights) != len(names)):
        raise ArchitectureError("a suite of networks needs one weight per network")
    for c in spec.constraints:
        if c.metric not in METRICS:
            raise ArchitectureError(f"--constraint {c.text}: unknown objective")


def explore(spec: Spec, path: str | Path, *, workers: int = 1, dask: str | None = None,
            progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
            recover: bool = False, commit_every: int = 256,
            commit_interval_s: float = 5.0) -> Path:
    """Evaluate the designs `spec` asks for that `path` does not hold yet."""
    _check(spec)
    if spec.strategy == "grid":
        for p in spec.params:
            p.grid()  # a continuous range cannot be a grid: say so before anything runs
    definition = spec.definition()
    context = Context(spec.networks, spec.weights or [1.0], spec.base, spec.estimator,
                      spec.params, spec.constraints, keep_layers=len(spec.networks) == 1,
                      estimator_options=dict(spec.estimator_options))
    _ = context.estimator_object  # an unknown estimator or option fails before anything runs
    strategy = make_strategy(spec.strategy, spec.params, spec.budget, spec.seed,
                             len(spec.objectives))
    with ExplorationStore(path, definition, recover=recover, commit_every=commit_every,
                          commit_interval_s=commit_interval_s) as store:
        store.attrs.update({"strategy": spec.strategy, "seed": spec.seed,
                            "budget": -1 if spec.budget is None else spec.budget})
        if len(spec.networks) > 1:
            context.reference = reference_metrics(context)
        for row in store.rows():
            values = tuple(row[p.path] for p in spec.params)
            objectives, amounts = _feedback(row, spec)
            strategy.seen(values, objectives, amounts)
        done = len(store)
        total = strategy.total() or done
        with _executor(context, workers, dask) as run:
            _loop(run, strategy, store, spec, done, total, progress, cancel, path)
    return Path(path)


def _feedback(metrics: dict[str, Any], spec: Spec) -> tuple[list[float] | None, list[float]]:
    if metrics.get("status") != "ok":
        return None, [1.0]
    objectives = minimised(metrics, spec.objectives)
    amounts = []
    for c in spec.constraints:
        value = metrics.get(c.metric, math.nan)
        amount = value - c.bound if c.op in ("<=", "<") else c.bound - value
        amounts.append(amount if math.isfinite(amount) else 1.0)
    return objectives, amounts or [0.0]


def _loop(run, strategy, store, spec, done, total, progress, cancel, path) -> None:
    index = done
    batch = max(1, run.batch_size)
    pending: set = set()
    while True:
        if cancel and cancel():
            run.cancel(pending)
            raise Cancelled(f"exploration stopped after {done} of {total} designs; rerun the "
                            f"same command to resume from {path}")
        while len(pending) < run.slots:
            designs = strategy.ask(batch)
            if not designs:
                break
            pending.add(run.submit([(index + i, v) for i, v in enumerate(designs)]))
            index += len(designs)
        if not pending:
            return
        finished, pending = run.wait(pending)
        for future in finished:
            for design in future.result():
                store.add(design)
                row = {**design.metrics, "status": design.status}
                objectives, amounts = _feedback(row, spec)
                strategy.tell(design.values, objectives, amounts)
                done += 1
                if progress:
                    progress(done, max(total, done), design)


class _Serial:
    slots, batch_size = 1, 1

    def __init__(self, context: Context) -> None:
        self.context = context

    def submit(self, batch: list) -> Future:
        future: Future = Future()
        future.set_result(evaluate_batch(self.context, batch))
        return future

    def wait(self, pending: set) -> tuple[set, set]:
        return set(pending), set()

    def cancel(self, pending: set) -> None:
        pass

    def __enter__(self) -> _Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class _Pool(_Serial):
    """A process pool; each worker gets the context once (initializer)."""

    def __init__(self, context: Context, workers: int) -> None:
        self.slots, self.batch_size = 2 * workers, 4
        # forkserver: workers do not inherit this process's lock or journal descriptors,
        # so a killed client leaves no worker holding the store's lock
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(
            "forkserver"), initializer=init_worker, initargs=(context,))

    def submit(self, batch: list) -> Future:
        return self.pool.submit(evaluate_in_worker, batch)

    def wait(self, pending: set) -> tuple[set, set]:
        done, rest = wait(pending, return_when=FIRST_COMPLETED)
        return done, rest

    def cancel(self, pending: set) -> None:
        for future in pending:
            future.cancel()

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Dask(_Serial):
    """A Dask cluster at `address`: the context is scattered once to every worker."""

    def __init__(self, context: Context, address: str) -> None:
        try:
            from dask.distributed import Client
        except ImportError:
            raise ArchitectureError("--dask needs dask.distributed: pip install "
                                    "'distributed>=2024.1'") from None
        try:
            self.client = Client(address, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise ArchitectureError(f"--dask {address}: cannot reach the scheduler "
                                    f"({exc})") from None
        workers = max(1, sum(self.client.nthreads().values()))
        self.slots, self.batch_size = 2 * workers, 4
        self.context = self.client.scatter(context, broadcast=True)

    def submit(self, batch: list) -> Any:
        return self.client.submit(evaluate_batch, self.context, batch, pure=False)

    def wait(self, pending: set) -> tuple[set, set]:
        from dask.distributed import wait as dask_wait

        done, rest = dask_wait(list(pending), return_when="FIRST_COMPLETED")
        return set(done), set(rest)

    def cancel(self, pending: set) -> None:
        self.client.cancel(list(pending))

    def __exit__(self, *exc: object) -> None:
        self.client.close()


def _executor(context: Context, workers: int, dask: str | None) -> _Serial:
    if dask:
        return _Dask(context, dask)
    if workers > 1:
        return _Pool(context, workers)
    if workers < 1:
        raise ArchitectureError(f"--workers {workers}: give 1 or more")
    return _Serial(context)
