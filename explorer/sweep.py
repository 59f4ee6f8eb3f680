"""Design sweeps: estimate one network over the cartesian product of accelerator
parameter values, saving every point to HDF5 as soon as it is done.

A sweep is the grid strategy of an exploration (explorer.explore): the same code path and
the same versioned, checksummed, locked store (layout in docs/sweep-format.md). A killed
sweep loses at most the point being written: rerunning the same command resumes; a file
that holds a different sweep is refused; `recover=True` keeps every intact record of a
damaged file.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explorer.errors import ArchitectureError
from explorer.explore.evaluate import Design
from explorer.explore.run import Spec, explore
from explorer.explore.space import parse_param
from explorer.explore.store import load_exploration
from explorer.hardware.schema import Accelerator
from explorer.workload.network import Network

RESULT_FIELDS = ["latency_s", "cycles", "energy_j", "memory_bytes", "runtime_s", "area_mm2"]


@dataclass(frozen=True)
class Axis:
    """One swept parameter: a schema path (as for `--set`) and its values as written."""

    path: str
    values: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Axis:
        path, sep, values = text.partition("=")
        items = tuple(v.strip() for v in values.split(",") if v.strip())
        if not sep or not path.strip() or not items:
            raise ArchitectureError(f"--param {text!r}: expected PATH=V1,V2,..., "
                                    "e.g. compute.pe_rows=8,16,32")
        return cls(path.strip(), items)

    @property
    def numeric(self) -> bool:
        try:
            [float(v) for v in self.values]
        except ValueError:
            return False
        return True


def points(axes: list[Axis]) -> list[tuple[str, ...]]:
    return list(itertools.product(*(axis.values for axis in axes)))


# A sweep's point is an exploration's design: .index, .values, .status, .results
SweepPoint = Design


def describe_point(axes: list[Axis], point: Design) -> str:
    """'compute.pe_rows=16: 1.23 ms' (the point's status when it failed): what sweep
    progress shows, in the CLI and the window."""
    from explorer.units import si

    shown = ", ".join(f"{a.path}={v}" for a, v in zip(axes, point.values))
    outcome = si(point.metrics["latency_s"], "s") if point.status == "ok" else point.status
    return f"{shown}: {outcome}"


def run_sweep(network: Network, base: Accelerator, axes: list[Axis], estimator: str,
              path: str | Path, *, progress: Callable[[int, int, Design], None] | None = None,
              cancel: Callable[[], bool] | None = None, workers: int = 1,
              recover: bool = False, commit_every: int = 256,
              options: dict[str, Any] | None = None) -> Path:
    """Estimate every point not yet in `path`, appending each one as it finishes: the grid
    strategy of `explorer.explore` (one code path, one file format). `options` go to the
    estimator's options model."""
    if not axes:
        raise ArchitectureError("a sweep needs at least one --param PATH=V1,V2,...")
    params = [parse_param(f"{a.path}={','.join(a.values)}", base) for a in axes]
    spec = Spec([network], base, params, objectives=["latency_s"], estimator=estimator,
                strategy="grid", estimator_options=dict(options or {}))
    return explore(spec, path, workers=workers, progress=progress, cancel=cancel,
                   recover=recover, commit_every=commit_every)


def read_sweep(path: str | Path, *, recover: bool = False) -> Iterator[dict]:
    """The rows of a sweep (or exploration) file as dicts: parameter paths, results
    (latency_s, cycles, energy_j, memory_bytes, runtime_s, area_mm2, ...), status, in the
    order the designs were enumerated (workers may finish them in another order)."""
    yield from sorted(load_exploration(path, recover=recover).rows, key=lambda r: r["index"])
