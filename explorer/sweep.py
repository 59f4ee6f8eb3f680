"""Design sweeps: estimate one network over the cartesian product of accelerator
parameter values, saving every point to HDF5 as soon as it is done.

A sweep file is self-describing and readable with plain h5py or pandas (layout in
docs/sweep-format.md). A killed sweep loses nothing: rerunning the same command resumes
after the last saved point; a file that holds a different sweep is refused.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explorer.errors import ArchitectureError, BenchmarkError, Cancelled, ExplorerError
from explorer.estimators.registry import make_estimator
from explorer.hardware.library import dump_accelerator
from explorer.hardware.overrides import apply_overrides
from explorer.hardware.schema import Accelerator
from explorer.workload.network import Network

FORMAT = "accel-explorer-sweep"
FORMAT_VERSION = 1
RESULT_FIELDS = ["latency_s", "cycles", "energy_j", "memory_bytes", "runtime_s"]


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


@dataclass
class SweepPoint:
    index: int
    values: tuple[str, ...]
    status: str  # "ok" or the one-line reason the point could not be estimated
    results: dict[str, float]
    layer_latency_s: dict[str, float]


def run_sweep(network: Network, base: Accelerator, axes: list[Axis], estimator: str,
              path: str | Path, *, progress: Callable[[int, int, SweepPoint], None] | None = None,
              cancel: Callable[[], bool] | None = None,
              options: dict[str, Any] | None = None) -> Path:
    """Estimate every point not yet in `path`, appending each one as it finishes;
    `options` go to the estimator's options model."""
    if not axes:
        raise ArchitectureError("a sweep needs at least one --param PATH=V1,V2,...")
    definition = {"network": network.name, "network_sha256": network.sha256,
                  "accelerator": dump_accelerator(base), "estimator": estimator,
                  "axes": [[a.path, list(a.values)] for a in axes]}
    if options:  # a file swept with other options is another sweep
        definition["estimator_options"] = {k: str(v) for k, v in options.items()}
    todo = points(axes)
    est = make_estimator(estimator, options)
    # validate every override first: a typo in a path fails at once, not after hours
    for axis in axes:
        apply_overrides(base, [f"{axis.path}={axis.values[0]}"])
    with SweepStore(path, axes, definition, network) as store:
        for index in range(store.rows, len(todo)):
            if cancel and cancel():
                raise Cancelled(f"sweep stopped after {index} of {len(todo)} points; "
                                f"rerun to resume from {path}")
            point = _estimate_point(network, base, axes, todo[index], est, index)
            store.append(point)
            if progress:
                progress(index + 1, len(todo), point)
    return Path(path)


def _estimate_point(network, base, axes, values, est, index) -> SweepPoint:
    nan = {f: math.nan for f in RESULT_FIELDS}
    try:
        acc = apply_overrides(base, [f"{a.path}={v}" for a, v in zip(axes, values)])
        result = est.estimate(network, acc)
    except ExplorerError as exc:
        return SweepPoint(index, values, str(exc), nan, {})
    results = {"latency_s": result.latency_s, "cycles": result.cycles,
               "energy_j": math.nan if result.energy_j is None else result.energy_j,
               "memory_bytes": math.nan if result.memory_bytes is None else result.memory_bytes,
               "runtime_s": result.runtime_s}
    return SweepPoint(index, values, "ok", results,
                      {layer.name: layer.latency_s for layer in result.layers})


class SweepStore:
    """The HDF5 file of one sweep: one row per point, every dataset extendible."""

    def __init__(self, path: str | Path, axes: list[Axis], definition: dict,
                 network: Network) -> None:
        import h5py

        self.path = Path(path)
        self.axes = axes
        try:
            self.file = h5py.File(self.path, "a")
        except OSError as exc:
            raise BenchmarkError(f"{self.path}: cannot open as HDF5: {exc}") from None
        text = json.dumps(definition, sort_keys=True)
        if "format" not in self.file.attrs:
            self._create(text, definition, network)
        elif self.file.attrs.get("format") != FORMAT:
            self.close()
            raise BenchmarkError(f"{self.path}: not an accel-explorer sweep file")
        elif self.file.attrs["definition"] != text:
            self.close()
            raise BenchmarkError(f"{self.path}: holds a different sweep (other network, "
                                 "accelerator, estimator or parameters); choose another -o")
        self.layer_names = [n.decode() if isinstance(n, bytes) else n
                            for n in self.file["layers/names"][()]]

    def _create(self, text: str, definition: dict, network: Network) -> None:
        import h5py

        from explorer.version import __version__

        f = self.file
        f.attrs.update({"format": FORMAT, "format_version": FORMAT_VERSION,
                        "definition": text, "network": network.name,
                        "estimator": definition["estimator"],
                        "explorer_version": __version__,
                        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        string = h5py.string_dtype()
        points = f.create_group("points")
        for axis in self.axes:
            points.create_dataset(axis.path, shape=(0,), maxshape=(None,),
                                  dtype="f8" if axis.numeric else string)
        results = f.create_group("results")
        for name in RESULT_FIELDS:
            results.create_dataset(name, shape=(0,), maxshape=(None,), dtype="f8")
        results.create_dataset("status", shape=(0,), maxshape=(None,), dtype=string)
        layers = f.create_group("layers")
        # per-layer latency of the network as imported (fusion may merge some: NaN there)
        layers.create_dataset("names", data=[layer.name for layer in network.layers],
                              dtype=string)
        layers.create_dataset("latency_s", shape=(0, len(network.layers)),
                              maxshape=(None, len(network.layers)), dtype="f8")

    @property
    def rows(self) -> int:
        return int(self.file["results/status"].shape[0])

    def append(self, point: SweepPoint) -> None:
        row = self.rows
        for axis, value in zip(self.axes, point.values):
            dataset = self.file["points"][axis.path]
            dataset.resize((row + 1,))
            dataset[row] = float(value) if axis.numeric else value
        for name in RESULT_FIELDS:
            dataset = self.file["results"][name]
            dataset.resize((row + 1,))
            dataset[row] = point.results[name]
        per_layer = self.file["layers/latency_s"]
        per_layer.resize((row + 1, per_layer.shape[1]))
        per_layer[row] = [point.layer_latency_s.get(n, math.nan) for n in self.layer_names]
        status = self.file["results/status"]  # written last: a row counts once it is here
        status.resize((row + 1,))
        status[row] = point.status
        self.file.flush()

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> SweepStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_sweep(path: str | Path) -> Iterator[dict]:
    """The rows of a sweep file as dicts (parameters, results, status)."""
    import h5py

    with h5py.File(path, "r") as f:
        rows = f["results/status"].shape[0]
        columns = {name: f["points"][name][()] for name in f["points"]}
        columns |= {name: f["results"][name][()] for name in f["results"]}
        for i in range(rows):
            yield {k: (v[i].decode() if isinstance(v[i], bytes) else v[i].item())
                   for k, v in columns.items()}
