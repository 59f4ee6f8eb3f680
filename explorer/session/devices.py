"""The Devices panel's logic, without Qt: which devices there are (this CPU, the library's
simulated accelerators, measurement pools, imported stores), their campaigns (benchmark
stores) and trained models in a workspace folder, and the operations on them: benchmark,
train, use a model for the open network, measure the open network and compare it with
the estimate. Operations are the session's (generators yielding progress; the window
runs them in its worker with Cancel, a script calls `.run()`).

    devices = DeviceWorkspace("~/models")
    entry = devices.entry("cpu")
    info = devices.train(devices.catalog(entry).campaigns[0].path).run()
    devices.use_model(session, info.path)          # statistical, for the open network
    devices.measure_and_compare(session, entry, info.path).run()
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.errors import Cancelled, ExplorerError
from explorer.session.events import Events
from explorer.session.operations import CancelFn, Operation, Progress, Steps, callback_steps

if TYPE_CHECKING:
    from explorer.estimators.base import NetworkEstimate
    from explorer.session.state import Session

KINDS = {"cpu": "this CPU", "sim": "simulated accelerator", "pool": "measurement pool",
         "store": "imported store"}
MEASURABLE_NOTE = {
    "cpu": "measured here with onnxruntime (per-layer times from its profiler)",
    "sim": "no measurement: a simulated accelerator has no hardware here; compare the "
           "model with the simulate estimator in the Comparison tab",
    "pool": "no measurement: a pool holds single layers measured elsewhere, not the open "
            "network; measure it on that device (accel-explorer measure / the runner) and "
            "load the JSON in the Comparison tab",
    "store": "no measurement: the store's device is not this machine; measure the network "
             "there and load the JSON in the Comparison tab",
}


class DeviceError(ExplorerError):
    """A device, store or model the panel cannot use (one line)."""


@dataclass(frozen=True)
class DeviceEntry:
    """One device of the panel. `spec` is what `accel-explorer bench --device` takes
    (`cpu`, `sim:NAME`, `pool:PATH`) or `store:PATH` for an imported store, whose
    measurements were made on `device` elsewhere."""

    spec: str
    kind: str
    label: str
    device: str  # the device name stores and models record

    @property
    def measurable(self) -> bool:
        """The open network can be measured on it from here."""
        return self.kind == "cpu"

    @property
    def measure_note(self) -> str:
        return MEASURABLE_NOTE[self.kind]

    @property
    def can_benchmark(self) -> bool:
        return self.kind in ("cpu", "sim", "pool")

    def matches(self, device: str) -> bool:
        """A store or model recorded for `device` belongs to this entry."""
        if self.kind == "cpu":
            return device == "cpu" or device.startswith("cpu:")
        if self.kind == "pool":
            kind, _, path = device.partition(":")
            return kind == "pool" and _same_path(path, self.spec.partition(":")[2])
        return device == self.device


@dataclass(frozen=True)
class CampaignInfo:
    """A benchmark store: where, for which device, how many rows of which phases."""

    path: Path
    device: str
    rows: int
    phases: dict[str, int]
    strategy: str
    budget: int | None

    def describe(self) -> str:
        phases = ", ".join(f"{n} {p}" for p, n in sorted(self.phases.items()))
        plan = f"{self.strategy} {self.budget}" if self.budget else self.strategy
        return f"{self.path.name}\n{self.rows} rows ({phases or 'empty'}) · {plan}"


@dataclass(frozen=True)
class ModelInfo:
    """A model file written by `accel-explorer train` (or the panel)."""

    path: Path
    device: str
    kind: str
    regressor: str
    rows: int
    store: str

    def describe(self) -> str:
        return (f"{self.path.name}\n{self.kind} ({self.regressor}) · {self.rows} rows "
                f"of {Path(self.store).name or '?'}")


@dataclass
class Catalog:
    """What the workspace holds for one device; `problems`: one line per unreadable file."""

    campaigns: list[CampaignInfo] = field(default_factory=list)
    models: list[ModelInfo] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def default_workspace() -> Path:
    """Where the panel keeps stores and models unless told otherwise:
    $ACCEL_EXPLORER_DEVICES, else $XDG_DATA_HOME (~/.local/share)/accel-explorer/devices."""
    if os.environ.get("ACCEL_EXPLORER_DEVICES"):
        return Path(os.environ["ACCEL_EXPLORER_DEVICES"]).expanduser()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "accel-explorer" / "devices"


def library_entries() -> list[DeviceEntry]:
    """This CPU, then every library accelerator as `sim:NAME`."""
    from explorer.hardware.library import library_names

    entries = [DeviceEntry("cpu", "cpu", "cpu — this CPU (onnxruntime)", "cpu")]
    entries += [DeviceEntry(f"sim:{name}", "sim", f"sim:{name} — simulated accelerator",
                            f"sim:{name}") for name in library_names()]
    return entries


def entry_for(text: str) -> DeviceEntry:
    """A device the user typed or picked: `cpu`, `sim:NAME`, `pool:PATH`, `store:PATH`,
    or a path (a .h5 file: an imported store; a .jsonl file or a folder: a pool).
    DeviceError (one line) when it cannot be used."""
    text = text.strip()
    if not text:
        raise DeviceError("no device given: cpu, sim:NAME, pool:PATH or a store .h5 file")
    kind, sep, rest = text.partition(":")
    if not sep or kind not in ("cpu", "sim", "pool", "store", "remote"):
        kind, rest = ("store" if text.endswith((".h5", ".hdf5")) else "pool"), text
        if kind == "pool" and not Path(text).exists():
            raise DeviceError(f"{text}: no such file or folder; a device is cpu, sim:NAME, "
                              "pool:PATH or a store .h5 file")
    if kind == "cpu":
        return library_entries()[0]
    if kind == "sim":
        from explorer.hardware.library import library_names

        if rest not in library_names():
            raise DeviceError(f"sim:{rest}: no such library accelerator; available: "
                              f"{', '.join(library_names())}")
        return DeviceEntry(f"sim:{rest}", "sim", f"sim:{rest} — simulated accelerator",
                           f"sim:{rest}")
    if kind == "remote":
        raise DeviceError(f"{text}: a remote device is measured by the runner; import its "
                          "results into a store (accel-explorer bench import) and add the "
                          "store here")
    path = Path(rest).expanduser()
    if kind == "pool":
        from explorer.benchmarking.devices.pool import PoolDevice

        try:
            pool = PoolDevice(path)
        except (ExplorerError, OSError, ValueError) as exc:
            raise DeviceError(_one_line(exc)) from None
        return DeviceEntry(f"pool:{path}", "pool", f"pool:{path.name} — {len(pool)} "
                           "measurements", pool.name)
    info = read_campaign(path)
    return DeviceEntry(f"store:{path}", "store", f"{info.device} — imported store "
                       f"{path.name}", info.device)


def read_campaign(path: Path) -> CampaignInfo:
    """A benchmark store's summary; DeviceError (one line) if it is not one."""
    from explorer.benchmarking.store import open_store

    if not Path(path).is_file():
        raise DeviceError(f"{path}: no such store")
    try:
        with open_store(path) as store:
            phases: dict[str, int] = {}
            for phase in store.column("phase"):
                phases[str(phase)] = phases.get(str(phase), 0) + 1
            campaign = store.campaign
            return CampaignInfo(Path(path), store.device, len(store), phases,
                                str(campaign.get("strategy") or "imported"),
                                campaign.get("budget"))
    except ExplorerError as exc:
        raise DeviceError(_one_line(exc)) from None
    except (OSError, KeyError, ValueError) as exc:
        raise DeviceError(f"{path}: not a benchmark store ({_one_line(exc)})") from None


def read_model(path: Path) -> ModelInfo:
    """A model file's summary (loaded with the allow list); DeviceError if unusable."""
    from explorer.learned.model_files import load_model

    try:
        _model, meta = load_model(path)
    except ExplorerError as exc:
        raise DeviceError(_one_line(exc)) from None
    return ModelInfo(Path(path), str(meta.get("device", "")), str(meta.get("model_kind", "?")),
                     str(meta.get("regressor", "?")), int(meta.get("training_rows") or 0),
                     str(meta.get("training_store", "")))


class DeviceWorkspace:
    """The panel's state: the devices, the chosen one, and the folder of stores (.h5)
    and models (.skops) it lists and writes. Events: `devices_changed()`,
    `selection_changed(entry)`, `catalog_changed()` (a store or model was written)."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.events = Events("devices_changed", "selection_changed", "catalog_changed")
        self.folder = Path(folder).expanduser() if folder else default_workspace()
        self.devices: list[DeviceEntry] = library_entries()
        self.selected: DeviceEntry = self.devices[0]
        self._models: dict[Path, tuple[float, ModelInfo | str]] = {}

    # -- devices ------------------------------------------------------------------------
    def entry(self, spec: str) -> DeviceEntry:
        for entry in self.devices:
            if entry.spec == spec:
                return entry
        return self.add(spec)

    def add(self, text: str) -> DeviceEntry:
        """Add a pool or an imported store (or find a device already listed) and select
        it; DeviceError (one line) when it is unusable."""
        new = entry_for(text)
        for entry in self.devices:
            if entry.spec == new.spec:
                self.select(entry)
                return entry
        self.devices.append(new)
        self.events.devices_changed.emit()
        self.select(new)
        return new

    def select(self, entry: DeviceEntry) -> None:
        if entry != self.selected:
            self.selected = entry
            self.events.selection_changed.emit(entry)

    def set_folder(self, folder: str | Path) -> None:
        self.folder = Path(folder).expanduser()
        self.events.catalog_changed.emit()

    # -- what is there ------------------------------------------------------------------
    def catalog(self, entry: DeviceEntry | None = None) -> Catalog:
        """The stores and models of `entry` (default: the selected device) in the folder;
        an imported store always lists itself."""
        entry = entry or self.selected
        out = Catalog()
        stores = sorted(self.folder.glob("*.h5")) if self.folder.is_dir() else []
        if entry.kind == "store":
            own = Path(entry.spec.partition(":")[2])
            stores = [own] + [s for s in stores if not _same_path(str(s), str(own))]
        for path in stores:
            if not _is_benchmark_store(path):
                continue
            try:
                info = read_campaign(path)
            except DeviceError as exc:
                out.problems.append(str(exc))
                continue
            if entry.matches(info.device):
                out.campaigns.append(info)
        for path in sorted(self.folder.glob("*.skops")) if self.folder.is_dir() else []:
            model = self._model_info(path)
            if isinstance(model, str):
                out.problems.append(model)
            elif entry.matches(model.device):
                out.models.append(model)
        return out

    def _model_info(self, path: Path) -> ModelInfo | str:
        mtime = path.stat().st_mtime
        cached = self._models.get(path)
        if cached is None or cached[0] != mtime:
            try:
                cached = (mtime, read_model(path))
            except DeviceError as exc:
                cached = (mtime, str(exc))
            self._models[path] = cached
        return cached[1]

    # -- operations -----------------------------------------------------------------------
    def benchmark(self, entry: DeviceEntry, budget: int, strategy: str = "random", *,
                  seed: int = 0, quick: bool = False) -> Operation[CampaignInfo]:
        """Measure `budget` layer configurations on the device into a store in the
        folder (resumable: the same choice again continues the same store)."""
        if not entry.can_benchmark:
            raise DeviceError(f"{entry.device}: measured elsewhere; plan a round with "
                              "`accel-explorer bench --plan-only`, run it there and import "
                              "the results into this store")
        if budget < 1:
            raise DeviceError(f"budget {budget}: must be at least 1")
        path = self.folder / f"{_slug(entry.device)}-{strategy}-{budget}.h5"

        def steps(cancel: CancelFn) -> Steps[CampaignInfo]:
            def work(progress: Callable, cancel: CancelFn) -> None:
                from explorer.benchmarking.campaign import Campaign
                from explorer.benchmarking.devices import get_device
                from explorer.benchmarking.store import BenchmarkStore

                device = get_device(entry.spec, quick=quick)
                try:
                    self.folder.mkdir(parents=True, exist_ok=True)
                    with BenchmarkStore(path, device=device.name,
                                        provenance=device.provenance()) as store:
                        Campaign(device, store, strategy, budget, seed=seed,
                                 progress=progress, cancel=cancel).run()
                finally:
                    device.close()

            yield from callback_steps(work, cancel)
            return read_campaign(path)

        return Operation("benchmark", f"Benchmarking {budget} layers on {entry.device}",
                         steps, lambda _info: self.events.catalog_changed.emit())

    def train(self, store: str | Path, *, kind: str = "pr", regressor: str = "extra_trees",
              seed: int = 0, output: str | Path | None = None) -> Operation[ModelInfo]:
        """Fit a model on a store and write it beside the others (the name says its
        store and kind); cancel before writing leaves nothing behind."""
        store = Path(store)
        if not store.is_file():
            raise DeviceError(f"{store}: no such store")
        target = Path(output) if output else self.folder / f"{store.stem}-{kind}.skops"

        def steps(cancel: CancelFn) -> Steps[ModelInfo]:
            from explorer.benchmarking.training import train_from_store
            from explorer.learned.model_files import save_model

            yield Progress(0, 3, f"reading {store.name}")
            outcome: dict[str, Any] = {}

            def fit(progress: Callable, cancel: CancelFn) -> None:
                progress(1, 3, f"fitting a {kind} model")
                outcome["trained"] = train_from_store(store, kind=kind, regressor=regressor,
                                                      seed=seed)

            yield from callback_steps(fit, cancel)
            if cancel():
                raise Cancelled(f"training on {store.name} cancelled; no model written")
            yield Progress(2, 3, f"writing {target.name}")
            trained = outcome["trained"]
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                save_model(trained.model, target, trained.metadata)
            except OSError as exc:
                raise DeviceError(f"{target}: cannot write: {exc.strerror or exc}") from None
            yield Progress(3, 3, f"wrote {target.name}")
            return read_model(target)

        return Operation("train", f"Training on {store.name}", steps,
                         lambda _info: self.events.catalog_changed.emit())

    def use_model(self, session: Session, model: str | Path) -> None:
        """The statistical estimator with this model for the open network (checked now:
        a file that cannot be loaded is a one-line error and changes nothing)."""
        session.set_estimator("statistical", model=str(model))

    def measure_and_compare(self, session: Session, entry: DeviceEntry,
                            model: str | Path | None = None, *, quick: bool = False
                            ) -> Operation[tuple[NetworkEstimate, NetworkEstimate | None]]:
        """Measure the open network on the device (this CPU: onnxruntime's profiler) and
        estimate it with `model`; the commit puts both into the session's comparison
        (the Comparison tab shows them, the measurement as reference). `quick`: a few
        rounds only (smoke tests, not figures)."""
        if not entry.measurable:
            raise DeviceError(f"cannot measure on {entry.device}: {entry.measure_note}")
        if session.network is None:
            raise DeviceError("cannot measure: open a network first (Ctrl+O)")
        network, source = session.network, session.network_source
        accelerator = session.document.accelerator
        options = {"model": str(model)} if model else None
        if options:  # a model that cannot be loaded fails now, not after measuring
            from explorer.session.state import make_estimator

            make_estimator("statistical", options)

        def steps(cancel: CancelFn) -> Steps[tuple[NetworkEstimate, NetworkEstimate | None]]:
            estimate = None
            if options:
                yield Progress(0, 3, "estimating with the model")
                from explorer.hardware.library import load_accelerator
                from explorer.session.state import make_estimator

                estimate = make_estimator("statistical", options).estimate(
                    network, accelerator or load_accelerator("gemmini"))
            yield Progress(1, 3, f"measuring {network.name} on this CPU")

            def work(progress: Callable, cancel: CancelFn) -> NetworkEstimate:
                return measure_on_cpu(network, source, quick=quick)

            measured = yield from callback_steps(work, cancel)
            yield Progress(3, 3, "measured")
            return measured, estimate

        def commit(results: tuple[NetworkEstimate, NetworkEstimate | None]) -> None:
            measured, estimate = results
            session.measurements = {f"measured ({entry.device})": measured}
            if estimate is not None:
                name = f"statistical ({Path(str(model)).stem})"
                session.comparison_results = {name: estimate}
            self.events.catalog_changed.emit()
            session.events.comparison_changed.emit()

        return Operation("measure", f"Measuring {network.name} on {entry.device}", steps,
                         commit)


def measure_on_cpu(network, source: str, *, quick: bool = False) -> NetworkEstimate:
    """The open network measured on this CPU as a NetworkEstimate over the layers the
    CPU runs (onnxruntime's fusion), per-layer times from its profiler."""
    from explorer.benchmarking.measure import measure_network
    from explorer.estimators.base import LayerEstimate, NetworkEstimate
    from explorer.learned.fusion import cpu_fusion_rules
    from explorer.workload.fusion import apply_fusion

    if not source:
        raise DeviceError(f"cannot measure {network.name}: it was not loaded from a file "
                          "or the model zoo")
    fused = apply_fusion(network, cpu_fusion_rules())
    start = time.perf_counter()
    try:
        if quick:
            from explorer.benchmarking.devices.cpu import TimingPolicy

            measured = measure_network(source, profiled_runs=2, policy=TimingPolicy(
                runs_per_round=2, min_rounds=3, max_rounds=3, target_s=0.01, warmup_s=0.0,
                max_attempts=1))
        else:
            measured = measure_network(source)
    except ExplorerError as exc:
        raise DeviceError(_one_line(exc)) from None
    times, _unmapped = measured.layer_times(fused.layers)
    layers = [LayerEstimate(name=layer.name, op=layer.op, onnx_nodes=list(layer.onnx_nodes),
                            macs=layer.macs, cycles=0.0, latency_s=times[layer.name])
              for layer in fused.layers]
    return NetworkEstimate(fused, accelerator="cpu", estimator="measured", layers=layers,
                           runtime_s=time.perf_counter() - start)


def _is_benchmark_store(path: Path) -> bool:
    """An .h5 file that says it is a benchmark store (sweeps and explorations share the
    extension and are skipped quietly)."""
    try:
        import h5py

        with h5py.File(path, "r") as f:
            kind, fmt = f.attrs.get("kind"), f.attrs.get("format")
    except (OSError, ValueError):
        return True  # damaged or locked: reading it says why
    text = lambda v: v.decode() if isinstance(v, bytes) else str(v or "")  # noqa: E731
    return text(kind) == "benchmark" or text(fmt).startswith("accel-explorer benchmark")


def _same_path(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return a == b


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "device"


def _one_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
