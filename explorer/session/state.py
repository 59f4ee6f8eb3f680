"""The session: everything the window shows and does, without Qt (the napari shape).

It holds the network, the accelerator being edited (with its undo history), the
estimator choice, the latest result and what it was computed for, the selected layer,
comparisons, sweeps and a pinned baseline; it tells listeners what changed through
`events`; and its operations (load, estimate, compare, sweep, export) are generators that
the GUI runs in a worker thread and a script runs with `.run()`:

    session = Session()
    session.document.load("gemmini")
    session.load_network("squeezenet").run()
    result = session.estimate().run()

The window, the views and the CLI call these operations: there is one implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explorer.errors import ArchitectureError, EstimationError, ExplorerError, WorkloadError
from explorer.estimators import registry
from explorer.estimators.base import Estimator, NetworkEstimate
from explorer.estimators.registry import DEFAULT_ESTIMATOR, estimator_class, estimator_names
from explorer.hardware.schema import Accelerator
from explorer.session.analysis import ABComparison, ab_compare
from explorer.session.document import AcceleratorDocument, design_changes
from explorer.session.events import Events
from explorer.session.input_shapes import InputSpec, dynamic_inputs
from explorer.session.operations import CancelFn, Operation, Progress, Steps, callback_steps
from explorer.workload.network import Network


def make_estimator(name: str, options: Mapping[str, Any]) -> Estimator:
    """The one place the session builds an estimator: the estimator contract's
    `make_estimator` (options validated by the estimator's options model; a model file
    is loaded and checked here). Cancel reaches inside long layers through the run."""
    try:
        return registry.make_estimator(name, options)
    except ImportError as exc:
        raise EstimationError(f"estimator {name!r} cannot be created: {exc}") from None


def estimator_description(name: str) -> str:
    try:
        cls = estimator_class(name)
    except Exception:  # a module that fails to import is reported when it is used
        return name
    speed = "fast: refreshes automatically" if cls.fast else "slow: press F5 to run"
    return f"{name}: {cls.description} ({speed})"


def is_fast(name: str) -> bool:
    try:
        return estimator_class(name).fast
    except Exception:
        return False


def needs_model(name: str) -> bool:
    try:
        return estimator_class(name).needs_model
    except Exception:
        return False


# Most accurate first: the default reference of a comparison is the first one present
# (a measurement beats every estimator).
ACCURACY_ORDER = ("simulate", "depgraph", "refined-roofline", "statistical", "roofline")


def default_reference(series: list[str]) -> str | None:
    """The series the others are compared against: a measurement if there is one, else
    the most accurate estimator present."""
    for name in series:
        if name.startswith("measured"):
            return name
    ranked = sorted(series, key=lambda n: ACCURACY_ORDER.index(n) if n in ACCURACY_ORDER
                    else len(ACCURACY_ORDER))
    return ranked[0] if ranked else None


def sweep_usable(name: str) -> tuple[bool, str]:
    """Sweeps run every point in full: only fast estimators that need no model file (a
    simulation per point would take hours; a statistical model is tied to its training
    accelerator)."""
    try:
        cls = estimator_class(name)
    except Exception as exc:
        return False, f"{name} is unavailable: {exc}"
    if not cls.fast:
        return False, (f"{name} is slow (a full run per point): choose a fast estimator "
                       "such as roofline for sweeps")
    if cls.needs_model:
        return False, (f"{name} needs a trained model fitted to one accelerator: choose "
                       "an analytical estimator such as roofline for sweeps")
    return True, ""


@dataclass(frozen=True)
class NeedsInputShapes:
    """What loading a network with dynamic input dims returns: ask for shapes first."""

    source: str
    specs: list[InputSpec]

    def proposals(self) -> dict[str, tuple[int, ...]]:
        return {spec.name: spec.proposal() for spec in self.specs}


@dataclass(frozen=True)
class ResultFor:
    """What a result was computed for: the loaded network, the design, the estimator."""

    network: Network
    accelerator: Accelerator
    estimator: str
    options: tuple[tuple[str, Any], ...]


class Session:
    """Events (all emitted in the thread that commits, the UI thread in the GUI):
    `network_changed()`, `estimator_changed()`, `result_changed()` (a new result or none),
    `freshness_changed()` (the shown result went outdated or current again, see
    `result_note`), `selection_changed(name | None)`,
    `comparison_changed()`, `sweep_changed()`, `baseline_changed()`; the accelerator's
    own events are on `document.events`."""

    def __init__(self) -> None:
        self.events = Events("network_changed", "estimator_changed", "result_changed",
                             "freshness_changed", "selection_changed", "comparison_changed",
                             "sweep_changed", "baseline_changed")
        self.document = AcceleratorDocument()
        self.document.events.changed.connect(self._on_accelerator_changed)
        self.network: Network | None = None
        self.network_source = ""
        self.estimator = DEFAULT_ESTIMATOR
        self.estimator_options: dict[str, Any] = {}
        self.result: NetworkEstimate | None = None
        self.result_for: ResultFor | None = None
        self.selected: str | None = None
        self.comparison_results: dict[str, NetworkEstimate] = {}
        self.measurements: dict[str, NetworkEstimate] = {}
        self.sweep_rows: list[dict] = []
        self.sweep_axes: list = []
        self.sweep_path = ""
        self.baseline: NetworkEstimate | None = None
        self.baseline_for: ResultFor | None = None
        self._was_current = False

    # -- what is current -----------------------------------------------------------------
    @property
    def accelerator(self) -> Accelerator | None:
        return self.document.accelerator

    @property
    def result_is_current(self) -> bool:
        """The result was computed for exactly the loaded network, the design as edited
        now and the chosen estimator."""
        made = self.result_for
        return (self.result is not None and made is not None
                and made.network is self.network and made.estimator == self.estimator
                and made.accelerator == self.document.accelerator)

    def result_note(self) -> str:
        """'' when the result is current; else what it is for, to show beside it."""
        if self.result is None or self.result_is_current:
            return ""
        made = self.result_for
        assert made is not None
        return (f"Outdated: this result is for {made.network.name} on {made.accelerator.name} "
                f"with {made.estimator} before the latest changes; press F5 to re-estimate.")

    def estimate_blocker(self) -> str:
        """Why an estimate cannot run now, or ''."""
        if self.network is None:
            return "open a network first (Ctrl+O)"
        if self.document.accelerator is None:
            return "the accelerator description is invalid: fix the marked fields first"
        return ""

    def auto_run_blocker(self) -> str:
        """Why a fast re-estimate after a change should not start by itself, or ''."""
        blocker = self.estimate_blocker()
        if blocker:
            return blocker
        if not is_fast(self.estimator):
            return f"{self.estimator} is slow: press F5 to estimate"
        return ""

    # -- choices -------------------------------------------------------------------------
    def set_estimator(self, name: str, **options: Any) -> None:
        """Choose the estimator; EstimationError (one line) for an unknown name, an
        unknown option, a bad value or a model file that cannot be loaded: checked now,
        not at the first run."""
        if name not in estimator_names():
            raise EstimationError(f"unknown estimator {name!r}; available: "
                                  f"{', '.join(estimator_names())}")
        make_estimator(name, options)  # validates the options, loads a model file
        self.estimator, self.estimator_options = name, dict(options)
        self.events.estimator_changed.emit()
        self._notify_staleness()

    def select(self, name: str | None) -> None:
        name = name or None
        if name != self.selected:
            self.selected = name
            self.events.selection_changed.emit(name)

    def pin_baseline(self) -> NetworkEstimate:
        """Keep the current result as the baseline of A/B comparisons."""
        if self.result is None:
            raise EstimationError("nothing to pin: run an estimate first")
        self.baseline, self.baseline_for = self.result, self.result_for
        self.events.baseline_changed.emit()
        return self.baseline

    def clear_baseline(self) -> None:
        self.baseline = self.baseline_for = None
        self.events.baseline_changed.emit()

    def ab_comparison(self) -> ABComparison | None:
        """The current result against the pinned baseline (None without both)."""
        if self.baseline is None or self.result is None:
            return None
        return ab_compare(self.baseline, self.result)

    def baseline_changes(self) -> list[tuple[str, Any, Any]]:
        """(path, baseline value, current value) of every parameter that differs between
        the designs of the two results (names, descriptions and sources left out)."""
        if self.baseline_for is None or self.result_for is None:
            return []
        changes = design_changes(self.baseline_for.accelerator, self.result_for.accelerator)
        return [c for c in changes if not _descriptive(c[0])]

    # -- operations ----------------------------------------------------------------------
    def load_network(self, source: str, input_shapes: dict[str, tuple[int, ...]] | None = None,
                     *, ask_shapes: bool = True) -> Operation[Network | NeedsInputShapes]:
        """Load an ONNX file or zoo name. With `ask_shapes` a file whose inputs have
        dynamic dims returns NeedsInputShapes (commit changes nothing) so a caller can
        ask; without, the proposals are taken."""
        label = Path(source).name

        def steps(cancel: CancelFn) -> Steps[Network | NeedsInputShapes]:
            from explorer.workload import load_network

            yield Progress(0, 1, f"reading {label}")
            shapes = input_shapes
            if shapes is None and Path(source).is_file():
                specs = dynamic_inputs(source)
                if specs and ask_shapes:
                    return NeedsInputShapes(source, specs)
                shapes = NeedsInputShapes(source, specs).proposals() if specs else None
            network = load_network(source, input_shapes=shapes)
            yield Progress(1, 1, f"read {label}")
            return network

        def commit(loaded: Network | NeedsInputShapes) -> None:
            if isinstance(loaded, Network):
                self.set_network(loaded, source)

        return Operation("load", f"Loading {label}", steps, commit)

    def set_network(self, network: Network, source: str = "") -> None:
        """Show `network`: the previous result, comparison and selection belong to the
        previous network and are dropped."""
        self.network, self.network_source = network, source or network.source
        self.result = self.result_for = None
        self.comparison_results = {}
        self.measurements = {}
        self.selected = None
        self.events.network_changed.emit()
        self.events.result_changed.emit()
        self.events.comparison_changed.emit()
        self.events.selection_changed.emit(None)

    def fused_network(self) -> Network | None:
        """The layers estimators cost: the network after the accelerator's fusion rules."""
        acc = self.document.accelerator
        if self.network is None or acc is None:
            return self.network
        from explorer.workload.fusion import apply_fusion

        try:
            return apply_fusion(self.network, acc.fusion)
        except ExplorerError:
            return self.network

    def estimate(self) -> Operation[NetworkEstimate]:
        """Estimate the loaded network on the edited design with the chosen estimator.
        ExplorerError (one line) if there is nothing valid to estimate."""
        blocker = self.estimate_blocker()
        if blocker:
            raise EstimationError(f"cannot estimate: {blocker}")
        made = self._inputs()

        def steps(cancel: CancelFn) -> Steps[NetworkEstimate]:
            return (yield from _estimate_steps(made, cancel))

        def commit(result: NetworkEstimate) -> None:
            self.result, self.result_for = result, made
            self._was_current = self.result_is_current
            self.events.result_changed.emit()

        return Operation("estimate", f"Estimating with {made.estimator}", steps, commit)

    def compare(self, names: list[str], options: Mapping[str, Mapping[str, Any]] | None = None
                ) -> Operation[dict[str, NetworkEstimate]]:
        """Estimate with each of `names`; `options` per name (default: the chosen
        estimator keeps its options, the others run with their defaults). Bad options
        fail here, before anything runs."""
        blocker = self.estimate_blocker()
        if blocker:
            raise EstimationError(f"cannot compare: {blocker}")
        if not names:
            raise EstimationError("cannot compare: choose at least one estimator")
        base = self._inputs()
        if options is None:
            options = {name: dict(base.options) if name == base.estimator else {}
                       for name in names}
        options = {name: dict(options.get(name) or {}) for name in names}
        for name in names:
            make_estimator(name, options[name])

        def steps(cancel: CancelFn) -> Steps[dict[str, NetworkEstimate]]:
            from explorer.compare import run_estimators

            def work(progress: Callable, cancel: CancelFn) -> dict[str, NetworkEstimate]:
                return run_estimators(base.network, base.accelerator, names,
                                      options=options, progress=progress, cancel=cancel)

            return (yield from callback_steps(work, cancel))

        def commit(results: dict[str, NetworkEstimate]) -> None:
            self.comparison_results = results
            self.events.comparison_changed.emit()

        return Operation("compare", f"Comparing {', '.join(names)}", steps, commit)

    def add_measurement(self, path: str) -> NetworkEstimate:
        """Measured per-layer latencies (JSON as `estimate --format json` writes) to
        compare against; ExplorerError (one line) if the file is unusable."""
        import json

        from explorer.session.view_data import measurement_from_json

        if self.network is None:
            raise WorkloadError("cannot load a measurement: open the measured network first")
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise WorkloadError(f"{path}: {exc}") from None
        measured = measurement_from_json(data, self.network, path)
        self.measurements[f"measured ({Path(path).name})"] = measured
        self.events.comparison_changed.emit()
        return measured

    def sweep(self, axes: list, path: str, *, workers: int = 1,
              recover: bool = False) -> Operation[list[dict]]:
        """Sweep the loaded network over `axes` (explorer.sweep.Axis) into the HDF5 file
        `path` with the chosen estimator and its options, in `workers` processes
        (`recover`: keep every intact record of a damaged file); the result is the file's
        rows. Each progress step names the point and its latency."""
        blocker = self.estimate_blocker()
        if blocker:
            raise ArchitectureError(f"cannot sweep: {blocker}")
        usable, reason = sweep_usable(self.estimator)
        if not usable:
            raise EstimationError(f"cannot sweep: {reason}")
        network, acc, estimator = self.network, self.document.accelerator, self.estimator
        options = dict(self.estimator_options)
        assert network is not None and acc is not None

        def steps(cancel: CancelFn) -> Steps[list[dict]]:
            from explorer.sweep import describe_point, read_sweep, run_sweep

            def work(progress: Callable, cancel: CancelFn) -> None:
                def step(done: int, total: int, point: Any) -> None:
                    progress(done, total, describe_point(axes, point))
                run_sweep(network, acc, axes, estimator, path, progress=step, cancel=cancel,
                          options=options or None, workers=workers, recover=recover)

            yield from callback_steps(work, cancel)
            return list(read_sweep(path))

        def commit(rows: list[dict]) -> None:
            self.sweep_rows, self.sweep_axes, self.sweep_path = rows, list(axes), path
            self.events.sweep_changed.emit()

        return Operation("sweep", f"Sweeping {len(axes)} parameter(s) with {estimator}",
                         steps, commit)

    def apply_sweep_point(self, values: Mapping[str, str]) -> None:
        """Put a swept design into the edited accelerator as one undoable edit."""
        assignments = [f"{path}={value}" for path, value in values.items()]
        self.document.apply_overrides(assignments, "sweep point " + ", ".join(assignments))

    def export(self, path: str, *, images: Mapping[str, bytes] | None = None,
               legends: Mapping[str, str] | None = None,
               pdf: Callable[[str, Mapping[str, bytes]], bytes] | None = None) -> str:
        """Write the shown result to `path` (.csv, .json, .html; .pdf with a `pdf`
        renderer, which the GUI has). `images` are PNG plots by caption. The report
        describes the design the result was computed for (not later edits) and says so
        when the result is outdated. Returns the format's suffix."""
        from explorer.session.export import export_result

        if self.result is None or self.result_for is None:
            raise EstimationError("nothing to export: run an estimate first (F5)")
        from explorer.session.analysis import describe_change

        changes = None
        if self.document.default_data:
            source = Accelerator.model_validate(self.document.default_data)
            changes = [describe_change(*c) for c in
                       design_changes(source, self.result_for.accelerator)
                       if not _descriptive(c[0])]
        return export_result(path, self.result, self.result_for.accelerator,
                             images or {}, legends or {}, pdf, note=self.result_note(),
                             changes=changes)

    # -- internals ----------------------------------------------------------------------
    def _inputs(self) -> ResultFor:
        assert self.network is not None and self.document.accelerator is not None
        return ResultFor(self.network, self.document.accelerator, self.estimator,
                         tuple(sorted(self.estimator_options.items())))

    def _on_accelerator_changed(self, _path: object) -> None:
        self._notify_staleness()

    def _notify_staleness(self) -> None:
        current = self.result_is_current
        if self.result is not None and current != self._was_current:
            self.events.freshness_changed.emit()
        self._was_current = current


def _descriptive(path: str) -> bool:
    """Text about a design rather than a parameter of it."""
    last = path.rsplit(".", 1)[-1]
    return path.startswith("sources") or last in ("name", "description", "source")


def _estimate_steps(made: ResultFor, cancel: CancelFn) -> Steps[NetworkEstimate]:
    from explorer.estimators.base import run_estimate

    def work(progress: Callable, cancel: CancelFn) -> NetworkEstimate:
        estimator = make_estimator(made.estimator, dict(made.options))
        return run_estimate(estimator, made.network, made.accelerator, progress=progress,
                            cancel=cancel)

    return (yield from callback_steps(work, cancel))
