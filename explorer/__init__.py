"""accel-explorer: design-space exploration of DNN inference on AI accelerators.

The public, Qt-free API (every name in `__all__`; documented in docs/api.md)::

    import explorer
    net = explorer.load_network("resnet50")          # or a path to an .onnx file
    acc = explorer.load_accelerator("gemmini")       # or a path to a .yaml file
    result = explorer.estimate(net, acc)             # default estimator: depgraph
    result.to_dataframe()                            # one row per layer, units in names
    big = explorer.with_overrides(acc, {"compute.pe_rows": 32, "compute.pe_cols": 32})
    explorer.sweep(net, acc, {"compute.pe_rows": [16, 32, 64]})   # a DataFrame
    explorer.op_summary(result)                      # also top_layers, layer_detail, ...
    explorer.ab_compare(result, explorer.estimate(net, "eyeriss"))   # A/B deltas

Submodules are imported on first use so that `import explorer` stays cheap.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.errors import (
    ArchitectureError,
    BenchmarkError,
    Cancelled,
    EstimationError,
    ExplorerError,
    WorkloadError,
)
from explorer.version import __version__

if TYPE_CHECKING:
    import pandas as pd

    from explorer.estimators.base import LayerEstimate, NetworkEstimate
    from explorer.hardware.schema import Accelerator
    from explorer.session.analysis import (
        ABComparison,
        DeltaLayer,
        OpSummary,
        ab_compare,
        area_breakdown,
        graph_layout,
        layer_detail,
        op_summary,
        top_layers,
    )
    from explorer.session.levels import LevelTotal, level_breakdown
    from explorer.session.state import Session
    from explorer.workload.network import Layer, Network

__all__ = [
    "ABComparison",
    "Accelerator",
    "ArchitectureError",
    "BenchmarkError",
    "Cancelled",
    "DeltaLayer",
    "EstimationError",
    "ExplorerError",
    "Layer",
    "LayerEstimate",
    "LevelTotal",
    "Network",
    "NetworkEstimate",
    "OpSummary",
    "Session",
    "WorkloadError",
    "__version__",
    "ab_compare",
    "area_breakdown",
    "estimate",
    "estimator_names",
    "graph_layout",
    "layer_detail",
    "level_breakdown",
    "library_names",
    "load_accelerator",
    "load_network",
    "op_summary",
    "save_accelerator",
    "sweep",
    "top_layers",
    "with_overrides",
]

# Classes of the API, imported on first access (PEP 562) to keep `import explorer` cheap.
# The session and its analyses are the objects the CLI and the window use, not copies, so
# a script gets the figures they show.
_ANALYSIS = "explorer.session.analysis"
_LAZY = {
    "Accelerator": "explorer.hardware.schema",
    "Layer": "explorer.workload.network",
    "Network": "explorer.workload.network",
    "LayerEstimate": "explorer.estimators.base",
    "NetworkEstimate": "explorer.estimators.base",
    "Session": "explorer.session.state",
    "LevelTotal": "explorer.session.levels",
    "level_breakdown": "explorer.session.levels",
    **dict.fromkeys(["ABComparison", "DeltaLayer", "OpSummary", "ab_compare",
                     "area_breakdown", "graph_layout", "layer_detail", "op_summary",
                     "top_layers"], _ANALYSIS),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'explorer' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def load_network(source: str | Path,
                 input_shapes: dict[str, tuple[int, ...]] | None = None, *,
                 input_values: dict | None = None,
                 branches: dict[str, str] | None = None) -> Network:
    """An ONNX file or zoo short name (`resnet50`, `vgg19`, ...) as a `Network`.

    `input_shapes` fixes dynamic input dimensions, e.g. `{"input": (1, 3, 224, 224)}`;
    `input_values` gives inputs whose values decide shapes (`{"durations": "3,1,2,2"}`,
    a .npy path or an array); `branches` picks a data-dependent If's branch
    (`{"node": "then"}`; default: the larger one).
    Raises `WorkloadError` (one line naming the file) when the file cannot be used."""
    from explorer.workload import load_network as _load

    return _load(str(source), input_shapes=input_shapes, input_values=input_values,
                 branches=branches)


def load_accelerator(name_or_path: str | Path) -> Accelerator:
    """A library entry (`gemmini`, `systolic`, ...) or a YAML file as an `Accelerator`.

    Raises `ArchitectureError` (one line naming the file and field) when invalid."""
    from explorer.hardware.library import load_accelerator as _load

    return _load(str(name_or_path))


def save_accelerator(accelerator: Accelerator, path: str | Path) -> None:
    """Write `accelerator` as a YAML description that `load_accelerator` reads back."""
    from explorer.hardware.library import save_accelerator as _save

    _save(accelerator, path)


def library_names() -> list[str]:
    """Names of the accelerators in the library (`arch_library/`)."""
    from explorer.hardware.library import library_names as _names

    return _names()


def estimator_names() -> list[str]:
    """Names of the registered estimators (`roofline`, `depgraph`, ...)."""
    from explorer.estimators.registry import estimator_names as _names

    return _names()


def estimate(network: Network | str, accelerator: Accelerator | str = "gemmini",
             estimator: str | None = None, *,
             progress: Callable[[int, int, str], None] | None = None,
             cancel: Callable[[], bool] | None = None,
             **options: Any) -> NetworkEstimate:
    """Estimate `network` on `accelerator` with a registered estimator (default: the most
    accurate fast one). `options` go to the estimator's options model (e.g. `alpha=` for
    refined-roofline, `model=` for statistical); unknown or bad ones raise EstimationError.
    `progress(done, total, what)` is called after every layer and inside long ones (for
    `simulate`, which takes seconds); `cancel()` returning True stops with `Cancelled`."""
    from explorer.estimators.registry import DEFAULT_ESTIMATOR, make_estimator

    if isinstance(network, str):
        network = load_network(network)
    if isinstance(accelerator, str):
        accelerator = load_accelerator(accelerator)
    return make_estimator(estimator or DEFAULT_ESTIMATOR, options).estimate(
        network, accelerator, progress=progress, cancel=cancel)


def with_overrides(accelerator: Accelerator | str,
                   values: Mapping[str, Any] | Iterable[str] | None = None,
                   **groups: Any) -> Accelerator:
    """A validated copy of `accelerator` with some fields changed; the original is kept.

    Three equivalent spellings (they may be combined)::

        explorer.with_overrides(acc, {"compute.pe_rows": 32, "clock_hz": "700MHz"})
        explorer.with_overrides(acc, compute={"pe_rows": 32}, clock_hz=7e8)
        explorer.with_overrides(acc, ["compute.pe_rows=32", "clock_hz=700MHz"])

    Paths are those of the description format (docs/accelerator-format.md); a memory is
    named by its name (`memories.scratchpad.size_bytes`) or index (`memories[0]...`).
    Python values are set as they are; text is read as on the command line, with unit
    prefixes (`"256KiB"`, `"1GHz"`). The whole description is validated after every
    change: a bad path or value raises `ArchitectureError` naming it."""
    from explorer.hardware.overrides import apply_overrides, apply_values

    acc = load_accelerator(accelerator) if isinstance(accelerator, str) else accelerator
    if values is not None and not isinstance(values, Mapping):
        if isinstance(values, str):
            values = [values]
        acc = apply_overrides(acc, list(values), context="")
        values = None
    flat: dict[str, Any] = dict(values or {})
    flat.update(_flatten(groups))
    return apply_values(acc, flat)


def _flatten(groups: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"compute": {"pe_rows": 32}} -> {"compute.pe_rows": 32}."""
    flat: dict[str, Any] = {}
    for key, value in groups.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def sweep(network: Network | str, accelerator: Accelerator | str,
          parameters: Mapping[str, Sequence[Any]], *, estimator: str | None = None,
          options: Mapping[str, Any] | None = None, workers: int = 1,
          output: str | Path | None = None,
          progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Estimate `network` on every combination of parameter values; one row per design.

    `parameters` maps a description path to its values, e.g.
    `{"compute.pe_rows": [16, 32, 64], "compute.dataflow": ["ws", "os"]}` (values as for
    `with_overrides`). `options` go to the estimator, as for `estimate` (e.g.
    `{"alpha": 0.5}`). The run is the CLI's `accel-explorer sweep`: every point is saved
    to the HDF5 file `output` as it finishes (rerun with the same `output` to resume a
    stopped sweep); without `output` a temporary file is used and removed.

    Columns: one per parameter (the values as given), then `latency_s` (s), `cycles`,
    `energy_j` (J), `memory_bytes` (B), `runtime_s` (s of estimation) and `status` ("ok",
    or why the design could not be estimated, e.g. values valid alone but not together;
    its results are then NaN). A bad path, or a value the schema refuses on its own,
    raises `ArchitectureError` before anything runs. `progress(done, total)` is called
    after every point. `workers`: processes estimating designs at once (the rows are
    the same; only this process writes the file)."""
    import itertools
    import tempfile

    import pandas as pd

    from explorer.estimators.registry import DEFAULT_ESTIMATOR
    from explorer.hardware.overrides import apply_values
    from explorer.sweep import RESULT_FIELDS, Axis, read_sweep, run_sweep

    net = load_network(network) if isinstance(network, str) else network
    base = load_accelerator(accelerator) if isinstance(accelerator, str) else accelerator
    if not parameters:
        raise ArchitectureError("sweep: give at least one parameter, e.g. "
                                "{'compute.pe_rows': [16, 32, 64]}")
    for path, values in parameters.items():
        if isinstance(values, str | bytes) or not isinstance(values, Sequence) or not values:
            raise ArchitectureError(f"sweep: {path}: expected a non-empty list of values, "
                                    f"got {values!r}")
        texts = [_as_text(v) for v in values]
        twice = sorted({t for t in texts if texts.count(t) > 1})
        if twice:
            raise ArchitectureError(f"sweep: {path}: {', '.join(twice)} listed more than once")
        for value in values:  # a typo or out-of-range value fails now, not after hours
            apply_values(base, {path: value})
    axes = [Axis(path, tuple(_as_text(v) for v in values))
            for path, values in parameters.items()]

    def report(done: int, total: int, _point: Any) -> None:
        if progress:
            progress(done, total)

    with tempfile.TemporaryDirectory(prefix="explorer-sweep-") as tmp:
        file = Path(output) if output is not None else Path(tmp) / "sweep.h5"
        run_sweep(net, base, axes, estimator or DEFAULT_ESTIMATOR, file, progress=report,
                  workers=workers, options=dict(options or {}))
        rows = list(read_sweep(file))
    frame = pd.DataFrame(rows, columns=[*parameters, *RESULT_FIELDS, "status"])
    # The parameter columns as the caller gave them (ints stay ints, text stays text), in
    # the order in which run_sweep enumerates the points.
    designs = list(itertools.product(*parameters.values()))[:len(frame)]
    for i, name in enumerate(parameters):
        frame[name] = pd.Series([design[i] for design in designs], index=frame.index)
    return frame


def _as_text(value: Any) -> str:
    """A Python value as the `PATH=VALUE` text the sweep store records."""
    from enum import Enum

    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return ",".join(_as_text(v) for v in value)
    return str(value)


class _PublicModule(types.ModuleType):
    """`explorer.sweep` is the public function, yet `explorer/sweep.py` is also a
    submodule, and importing a submodule binds it on its package. Keep the functions of
    `__all__` bound: the submodules stay importable by name (`from explorer.sweep import
    run_sweep`, sys.modules), only the package attribute keeps pointing at the function.
    (So inside the project write `from explorer.sweep import ...`, not `import
    explorer.sweep as module`, which would bind the function.)"""

    def __setattr__(self, name: str, value: Any) -> None:
        current = self.__dict__.get(name)
        if (isinstance(value, types.ModuleType) and callable(current)
                and name in self.__dict__.get("__all__", ())):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _PublicModule
