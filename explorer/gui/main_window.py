"""The main window: wires the panels and views to the Qt-free core.

State lives here (the loaded network, the estimator choice, the latest result); the
accelerator panel owns the edited description; every view is told what to show and
reports clicks back, so the selection stays in sync across the table and every plot.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStyle,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.errors import EstimationError, ExplorerError
from explorer.estimators.base import Estimator, NetworkEstimate, run_estimate
from explorer.estimators.registry import (
    DEFAULT_ESTIMATOR,
    estimator_class,
    estimator_names,
    make_estimator,
)
from explorer.gui.accelerator_panel import AcceleratorPanel
from explorer.gui.dialogs import InputShapeDialog
from explorer.gui.input_shapes import InputSpec, dynamic_inputs
from explorer.gui.settings import Settings
from explorer.gui.view_data import measurement_from_json
from explorer.gui.views.comparison import ComparisonView
from explorer.gui.views.latency_bars import LatencyBarsView
from explorer.gui.views.layer_table import LayerTable
from explorer.gui.views.roofline import RooflineView
from explorer.gui.views.summary import SummaryStrip
from explorer.gui.views.sweep import SweepView
from explorer.gui.workers import CancelFn, ProgressFn, Task, TaskRunner
from explorer.hardware.schema import Accelerator
from explorer.units import count, si
from explorer.workload.network import Network

MODEL_FILE_ENTRY = "statistical model from file…"
AUTO_RUN_DELAY_MS = 300
DEFAULT_SIZE = (1400, 900)


class NeedsInputShapes:
    """Returned by the load task instead of a network: ask the user first."""

    def __init__(self, source: str, specs: list[InputSpec]) -> None:
        self.source, self.specs = source, specs


def _zoo_names() -> list[str]:
    from explorer.workload.zoo import ZOO_NAMES

    return list(ZOO_NAMES)


def create_estimator(name: str, options: dict[str, Any], cancel: CancelFn) -> Estimator:
    """A registered estimator with its options validated (`cancel` reaches inside long
    layers through run_estimate, the one channel)."""
    try:
        return make_estimator(name, options)
    except ImportError as exc:
        raise EstimationError(f"estimator {name!r} cannot be created: {exc}") from None


class MainWindow(QMainWindow):
    # A newly loaded network is estimated once the window has painted it: painting the
    # new table and plots calls into Python (pyqtgraph) many times, and with a worker
    # competing for the GIL that paint took ~3x as long (190 ms UI gaps).
    _run_after_paint = False

    networkLoaded = Signal()
    estimateShown = Signal()  # views show a new result
    comparisonShown = Signal()
    sweepShown = Signal()
    taskFailed = Signal(str)
    taskCancelled = Signal(str)

    def __init__(self, settings: QSettings | None = None, *, headless: bool = False) -> None:
        super().__init__()
        self.settings = Settings(settings or QSettings("accel-explorer", "accel-explorer"))
        self.headless = headless  # no modal dialogs: errors go to stderr (screenshots)
        self.errors: list[str] = []
        self.runner = TaskRunner(self)
        self.runner.started.connect(self._on_task_started)
        self.runner.progress.connect(self._on_task_progress)
        self.runner.idle.connect(self._on_runner_idle)

        self._network: Network | None = None
        self._network_source = ""
        self._result: NetworkEstimate | None = None
        self._selected: str | None = None
        self._estimator = DEFAULT_ESTIMATOR
        self._estimator_options: dict[str, Any] = {}
        self._auto_timer = QTimer(self)
        self._auto_timer.setSingleShot(True)
        self._auto_timer.setInterval(AUTO_RUN_DELAY_MS)
        self._auto_timer.timeout.connect(self._auto_run)

        self.setWindowTitle("accel-explorer")
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self._build_views()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._restore_layout()
        self._update_title()
        # Qt, pyqtgraph and the window make ~100k long-lived objects; a full garbage
        # collection walks them all (~80 ms) while holding the GIL, stalling the UI and
        # the worker alike. Frozen objects are skipped by every later collection.
        gc.freeze()

    # ===================================================================== construction
    def _build_views(self) -> None:
        self.summary = SummaryStrip()
        self.bars = LatencyBarsView()
        self.roofline = RooflineView()
        self.comparison = ComparisonView()
        self.sweep_view = SweepView()
        self.sweep_view.last_dir = self.settings.last_dir() or None
        self.layer_table = LayerTable()
        self.accelerator_panel = AcceleratorPanel()

        self.overview_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.overview_splitter.setObjectName("overviewSplitter")
        self.overview_splitter.addWidget(self.bars)
        self.overview_splitter.addWidget(self.roofline)
        self.overview_splitter.setSizes([560, 440])
        self.tabs = QTabWidget()
        self.tabs.addTab(self.overview_splitter, "Latency && roofline")
        self.tabs.addTab(self.comparison, "Comparison")
        self.tabs.addTab(self.sweep_view, "Sweep")
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.accelerator_dock = QDockWidget("Accelerator", self)
        self.accelerator_dock.setObjectName("acceleratorDock")
        self.accelerator_dock.setWidget(self.accelerator_panel)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.accelerator_dock)
        self.layers_dock = QDockWidget("Layers", self)
        self.layers_dock.setObjectName("layersDock")
        self.layers_dock.setWidget(self.layer_table)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.layers_dock)
        self.resizeDocks([self.accelerator_dock], [400], Qt.Orientation.Horizontal)
        self.resizeDocks([self.layers_dock], [290], Qt.Orientation.Vertical)

        for view in (self.bars, self.roofline, self.comparison):
            view.layerClicked.connect(self.select_layer)
        self.layer_table.layerSelected.connect(self.select_layer)
        self.comparison.compareRequested.connect(self.run_comparison)
        self.comparison.measurementRequested.connect(self.open_measurement_dialog)
        self.sweep_view.runRequested.connect(self.run_sweep)
        self.sweep_view.pointChosen.connect(self.apply_sweep_point)
        self.accelerator_panel.acceleratorChanged.connect(self._on_accelerator_changed)
        self.accelerator_panel.modifiedChanged.connect(self._update_title)
        self.accelerator_panel.sourceChanged.connect(self._on_accelerator_source)
        self.accelerator_panel.errorOccurred.connect(self.report_error)

    def _build_actions(self) -> None:
        style = self.style()

        def action(text: str, slot: Any, shortcut: Any = None, icon: Any = None,
                   tip: str = "") -> QAction:
            act = QAction(text, self)
            if icon is not None:
                act.setIcon(style.standardIcon(icon))
            if shortcut is not None:
                act.setShortcut(shortcut)
            if tip:
                act.setToolTip(tip)
                act.setStatusTip(tip)
            act.triggered.connect(slot)
            return act

        sp = QStyle.StandardPixmap
        self.open_action = action("&Open network…", self.open_network_dialog,
                                  QKeySequence.StandardKey.Open, sp.SP_DialogOpenButton,
                                  "Open an ONNX file (Ctrl+O); you can also drop one on the "
                                  "window")
        self.open_arch_action = action("Open accelerator &YAML…", self.open_accelerator_dialog,
                                       None, sp.SP_DirOpenIcon,
                                       "Load an accelerator description from a YAML file")
        self.save_arch_action = action("&Save accelerator", self.save_accelerator,
                                       QKeySequence.StandardKey.Save, sp.SP_DialogSaveButton,
                                       "Save the edited accelerator as YAML (Ctrl+S)")
        self.save_arch_as_action = action("Save accelerator &as…", self.save_accelerator_as,
                                          QKeySequence("Ctrl+Shift+S"), None,
                                          "Save the edited accelerator to a new YAML file")
        self.export_action = action("&Export estimate…", self.export_estimate_dialog,
                                    QKeySequence("Ctrl+E"), sp.SP_DialogSaveButton,
                                    "Save the estimate as a PDF or HTML report, CSV or JSON "
                                    "(Ctrl+E)")
        self.export_plot_action = action("Export &plot as PNG…", self.export_plot_dialog,
                                         None, None, "Save the plots of the current tab as "
                                         "a PNG image")
        for act in (self.export_action, self.export_plot_action):
            act.setEnabled(False)  # until there is an estimate
        self.quit_action = action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.run_action = action("&Run estimate", self.run_estimate, QKeySequence("F5"),
                                 sp.SP_MediaPlay, "Estimate the network on the accelerator "
                                 "(F5)")
        self.cancel_action = action("&Cancel", self.cancel, QKeySequence("Esc"),
                                    sp.SP_MediaStop, "Stop the running estimate (Esc)")
        self.cancel_action.setEnabled(False)
        self.auto_action = QAction("Re-run fast estimators &automatically", self)
        self.auto_action.setCheckable(True)
        self.auto_action.setChecked(True)
        self.auto_action.setToolTip("Fast estimators refresh by themselves after a change")
        self.about_action = action("&About", self._show_about)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.examples_menu = file_menu.addMenu("&Examples")
        for name in _zoo_names():
            act = self.examples_menu.addAction(name)
            act.setToolTip(f"The {name} model-zoo architecture shipped with onnx")
            act.triggered.connect(lambda _checked=False, n=name: self.open_network(n))
        file_menu.addSeparator()
        file_menu.addAction(self.open_arch_action)
        file_menu.addAction(self.save_arch_action)
        file_menu.addAction(self.save_arch_as_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.export_plot_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.accelerator_panel.undo_action)
        edit_menu.addAction(self.accelerator_panel.redo_action)
        edit_menu.addAction(self.accelerator_panel.reset_action)
        run_menu = bar.addMenu("&Run")
        run_menu.addAction(self.run_action)
        run_menu.addAction(self.cancel_action)
        run_menu.addAction(self.auto_action)
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.accelerator_dock.toggleViewAction())
        view_menu.addAction(self.layers_dock.toggleViewAction())
        view_menu.addAction(self.bars.log_check.text(), self.bars.log_check.toggle)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.open_action)
        examples = QToolButton()
        examples.setText("Examples")
        examples.setToolTip("Open a model-zoo network")
        examples.setMenu(self.examples_menu)
        examples.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        toolbar.addWidget(examples)
        toolbar.addAction(self.save_arch_action)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Estimator: "))
        self.estimator_combo = QComboBox()
        self.estimator_combo.setMinimumContentsLength(16)
        self.estimator_combo.activated.connect(self._on_estimator_activated)
        toolbar.addWidget(self.estimator_combo)
        toolbar.addAction(self.run_action)
        toolbar.addAction(self.cancel_action)
        self._fill_estimators()

    def _build_status_bar(self) -> None:
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(240)
        self.progress.setTextVisible(True)
        # Keep its room when hidden: a status bar that grows when a task starts would
        # resize every plot above it, and repainting them while the worker holds the
        # GIL blocks the UI thread for a long time.
        policy = self.progress.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.progress.setSizePolicy(policy)
        self.progress.setVisible(False)
        self.network_label = QLabel("No network")
        self.statusBar().addPermanentWidget(self.network_label)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().showMessage("Open a network (Ctrl+O) or pick one from Examples.")

    def _fill_estimators(self) -> None:
        self.estimator_combo.clear()
        names = estimator_names()
        for name in names:
            self.estimator_combo.addItem(name, name)
        self.estimator_combo.insertSeparator(self.estimator_combo.count())
        self.estimator_combo.addItem(MODEL_FILE_ENTRY, MODEL_FILE_ENTRY)
        self._sync_estimator_combo()
        self.comparison.set_estimators(names, checked=names[:2])

    def _sync_estimator_combo(self) -> None:
        index = self.estimator_combo.findData(self._estimator)
        if index >= 0:
            self.estimator_combo.setCurrentIndex(index)
            self.estimator_combo.setToolTip(self._estimator_description(self._estimator))
        if hasattr(self, "sweep_view"):
            self.sweep_view.set_estimator(self._estimator, *self._sweep_usable(self._estimator))

    @staticmethod
    def _sweep_usable(name: str) -> tuple[bool, str]:
        """Sweeps run every point in full: only fast estimators that need no model file
        (a simulation per point would take hours; a statistical model is tied to its
        training accelerator)."""
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

    @staticmethod
    def _estimator_description(name: str) -> str:
        try:
            cls = estimator_class(name)
        except Exception:  # a module that fails to import is reported when it is used
            return name
        speed = "fast: refreshes automatically" if cls.fast else "slow: press F5 to run"
        return f"{name}: {cls.description} ({speed})"

    # ===================================================================== settings
    def _restore_layout(self) -> None:
        self.resize(*DEFAULT_SIZE)
        self.settings.restore_window(self)
        self.auto_action.setChecked(self.settings.auto_run())
        last = self.settings.last_estimator()
        if last in estimator_names():
            self._estimator = last
            self._sync_estimator_combo()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        # UpdateRequest is the top-level repaint: every dirty widget has been painted.
        if self._run_after_paint and event.type() == QEvent.Type.UpdateRequest:
            self._run_after_paint = False
            self._schedule_auto_run(immediately=True)
        return handled

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.accelerator_panel.is_modified and not self.headless:
            answer = QMessageBox.question(
                self, "Unsaved accelerator",
                "The accelerator description has unsaved edits. Quit anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.settings.save_window(self)
        self.settings.set_auto_run(self.auto_action.isChecked())
        self.settings.set_last_estimator(self._estimator)
        self.runner.shutdown()
        super().closeEvent(event)

    # ===================================================================== errors, status
    @Slot(str, str)
    def report_error(self, title: str, message: str) -> None:
        """Every user-facing failure goes through here: a dialog (or stderr when
        headless); the app keeps running."""
        self.errors.append(message)
        self.statusBar().showMessage(f"{title}: {message}", 10_000)
        if self.headless:
            print(f"accel-explorer: {title}: {message}", file=sys.stderr)
        else:
            QMessageBox.critical(self, title, message)

    def _update_title(self, *_args: object) -> None:
        parts = ["accel-explorer"]
        if self._network is not None:
            parts.insert(0, self._network.name)
        acc = self.accelerator_panel.accelerator
        source = self.accelerator_panel.source
        if source:
            name = acc.name if acc else Path(source).stem
            parts.insert(1 if self._network else 0,
                         name + (" *" if self.accelerator_panel.is_modified else ""))
        self.setWindowTitle(" — ".join(parts))

    # ===================================================================== networks
    @Slot()
    def open_network_dialog(self) -> None:
        start = self.settings.last_dir()
        path, _ = QFileDialog.getOpenFileName(self, "Open ONNX network", start,
                                              "ONNX models (*.onnx);;All files (*)")
        if path:
            self.settings.set_last_dir(str(Path(path).parent))
            self.open_network(path)

    def open_network(self, source: str,
                     input_shapes: dict[str, tuple[int, ...]] | None = None) -> None:
        """Load a file path or zoo name in the background; views update when it lands."""
        label = Path(source).name

        def make():
            def load(progress: ProgressFn, cancel: CancelFn) -> Network | NeedsInputShapes:
                from explorer.workload import load_network

                progress(0, 1, f"reading {label}")
                if input_shapes is None and Path(source).is_file():
                    specs = dynamic_inputs(source)
                    if specs:
                        return NeedsInputShapes(source, specs)
                return load_network(source, input_shapes=input_shapes)
            return load

        self.runner.submit(Task("load", f"Loading {label}", make,
                                on_done=lambda result: self._on_network_loaded(source, result),
                                on_failed=lambda msg: self.report_error("Cannot open network",
                                                                        msg)))

    def _on_network_loaded(self, source: str, result: Network | NeedsInputShapes) -> None:
        if isinstance(result, NeedsInputShapes):
            shapes = self._ask_input_shapes(result)
            if shapes is not None:
                self.open_network(source, shapes)
            else:
                self.statusBar().showMessage("Opening cancelled.", 5000)
            return
        self._network = result
        self._network_source = source
        self._result = None
        if Path(source).is_file():
            self.settings.add_recent_file(str(Path(source).resolve()))
        self._show_network()
        macs = count(result.macs)
        warn = f" · {len(result.warnings)} warning(s): {result.warnings[0]}" \
            if result.warnings else ""
        unmodelled = f" · {len(result.unmodelled)} unmodelled" if result.unmodelled else ""
        self.network_label.setText(f"{result.name}: {len(result)} layers, {macs}MAC"
                                   f"{unmodelled}")
        self.statusBar().showMessage(f"Opened {result.name} ({len(result)} layers, "
                                     f"{macs}MAC){warn}", 10_000)
        self._update_title()
        self.sweep_view.set_network(result.name)
        # Debouncing is for bursts of edits: a new network is estimated right after the
        # window has painted it (see event()); the debounce delay is only the fallback
        # for a window that does not paint (hidden, minimised).
        self._run_after_paint = self.isVisible()
        self._schedule_auto_run(immediately=not self._run_after_paint)
        self.networkLoaded.emit()

    def _ask_input_shapes(self, needs: NeedsInputShapes) -> dict[str, tuple[int, ...]] | None:
        if self.headless:  # no one to ask: take the proposals
            return {spec.name: spec.proposal() for spec in needs.specs}
        dialog = InputShapeDialog(Path(needs.source).name, needs.specs, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.shapes()

    def _show_network(self) -> None:
        """The table shows the layers the estimator costs: the network after the
        accelerator's fusion rules (the estimate's own network once there is one)."""
        acc = self.accelerator_panel.accelerator
        network = self._result.network if self._result is not None else self._fused_network()
        self.layer_table.set_network(network, acc)
        self.layer_table.set_result(self._result)
        self.layer_table.set_selected(self._selected)

    def _fused_network(self) -> Network | None:
        acc = self.accelerator_panel.accelerator
        if self._network is None or acc is None:
            return self._network
        from explorer.workload.fusion import apply_fusion

        try:
            return apply_fusion(self._network, acc.fusion)
        except ExplorerError:
            return self._network

    @Slot()
    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_files()
        if not recent:
            self.recent_menu.addAction("(none)").setEnabled(False)
        for path in recent:
            act = self.recent_menu.addAction(path)
            act.triggered.connect(lambda _checked=False, p=path: self.open_network(p))
        if recent:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", self.settings.clear_recent_files)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_path(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_path(event)
        if path is None:
            return
        event.acceptProposedAction()
        if path.lower().endswith((".yaml", ".yml")):
            self.load_accelerator(path)
        else:
            self.open_network(path)

    @staticmethod
    def _dropped_path(event: QDragEnterEvent | QDropEvent) -> str | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths = [u.toLocalFile() for u in urls if u.isLocalFile()]
        ok = [p for p in paths if p.lower().endswith((".onnx", ".yaml", ".yml"))]
        return ok[0] if ok else None

    # ===================================================================== accelerator
    def load_accelerator(self, name_or_path: str) -> bool:
        try:
            self.accelerator_panel.load(name_or_path)
        except ExplorerError as exc:
            self.report_error("Cannot load accelerator", str(exc))
            return False
        return True

    @Slot()
    def open_accelerator_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open accelerator description",
                                              self.settings.last_dir(),
                                              "YAML (*.yaml *.yml);;All files (*)")
        if path:
            self.settings.set_last_dir(str(Path(path).parent))
            self.load_accelerator(path)

    @Slot()
    def save_accelerator(self) -> None:
        from explorer.hardware.library import library_names

        source = self.accelerator_panel.source
        if not source or source in library_names():
            self.save_accelerator_as()
            return
        self._save_accelerator_to(source)

    @Slot()
    def save_accelerator_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save accelerator as YAML",
                                              self.accelerator_panel.suggested_save_path(),
                                              "YAML (*.yaml *.yml)")
        if path:
            if not path.lower().endswith((".yaml", ".yml")):
                path += ".yaml"
            self._save_accelerator_to(path)

    def _save_accelerator_to(self, path: str) -> None:
        try:
            self.accelerator_panel.save_as(path)
        except ExplorerError as exc:
            self.report_error("Cannot save accelerator", str(exc))
            return
        self.statusBar().showMessage(f"Saved {path}", 5000)
        self._update_title()

    @Slot(str)
    def _on_accelerator_source(self, source: str) -> None:
        self.settings.set_last_accelerator(source)
        self._update_title()

    @Slot(object)
    def _on_accelerator_changed(self, acc: Accelerator | None) -> None:
        self._update_title()
        self.sweep_view.set_accelerator(acc)
        if acc is None:
            self._auto_timer.stop()
            errors = self.accelerator_panel.errors
            self.statusBar().showMessage(f"Accelerator invalid ({len(errors)} error(s)); "
                                         "not estimating until fixed.", 10_000)
            return
        if self._result is None:
            self._show_network()
        self._schedule_auto_run()

    # ===================================================================== estimators
    @property
    def estimator(self) -> str:
        return self._estimator

    def set_estimator(self, name: str, **options: Any) -> bool:
        if name not in estimator_names():
            self.report_error("Unknown estimator", f"{name!r}; available: "
                              f"{', '.join(estimator_names())}")
            return False
        self._estimator = name
        self._estimator_options = dict(options)
        self._sync_estimator_combo()
        self._schedule_auto_run()
        return True

    @Slot(int)
    def _on_estimator_activated(self, index: int) -> None:
        name = self.estimator_combo.itemData(index)
        if name == MODEL_FILE_ENTRY:
            self._choose_model_file()
            return
        try:
            needs_model = estimator_class(name).needs_model
        except Exception as exc:
            self._sync_estimator_combo()
            self.report_error("Estimator unavailable", f"{name}: {exc}")
            return
        if needs_model:
            self._choose_model_file(name)
        else:
            self.set_estimator(name)

    def _choose_model_file(self, name: str | None = None) -> None:
        candidates = [name] if name else [n for n in estimator_names()
                                          if self._needs_model(n)]
        if not candidates:
            self._sync_estimator_combo()
            self.report_error("No statistical estimator",
                              "no registered estimator takes a model file")
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open statistical model",
                                              self.settings.last_dir(), "All files (*)")
        if not path:
            self._sync_estimator_combo()
            return
        self.set_estimator(candidates[0], model=path)

    @staticmethod
    def _needs_model(name: str) -> bool:
        try:
            return estimator_class(name).needs_model
        except Exception:
            return False

    def _is_fast(self) -> bool:
        try:
            return estimator_class(self._estimator).fast
        except Exception:
            return False

    def _schedule_auto_run(self, immediately: bool = False) -> None:
        if not self.auto_action.isChecked() or self._network is None:
            return
        if not self._is_fast():
            self.statusBar().showMessage(f"{self._estimator} is slow: press F5 to estimate.",
                                         8000)
            return
        # Edits come in bursts (typing, spinning) and are debounced; a newly loaded
        # network is estimated as soon as control returns to the event loop.
        self._auto_timer.start(0 if immediately else AUTO_RUN_DELAY_MS)

    @Slot()
    def _auto_run(self) -> None:
        self.run_estimate()

    @Slot()
    def run_estimate(self) -> None:
        """Estimate the loaded network on the edited accelerator (in the background)."""
        self._auto_timer.stop()
        self._run_after_paint = False
        if self._network is None:
            self.statusBar().showMessage("Open a network first (Ctrl+O).", 5000)
            return
        acc = self.accelerator_panel.accelerator
        if acc is None:
            self.statusBar().showMessage("The accelerator description is invalid: fix the "
                                         "marked fields first.", 8000)
            return
        network, name, options = self._network, self._estimator, dict(self._estimator_options)

        def make():
            def estimate(progress: ProgressFn, cancel: CancelFn) -> NetworkEstimate:
                estimator = create_estimator(name, options, cancel)
                return run_estimate(estimator, network, acc, progress=progress, cancel=cancel)
            return estimate

        self.runner.submit(Task("estimate", f"Estimating with {name}", make,
                                on_done=lambda result: self._on_estimated(acc, result),
                                on_failed=self._on_estimate_failed,
                                on_cancelled=self._on_estimate_cancelled))

    def _on_estimated(self, acc: Accelerator, result: NetworkEstimate) -> None:
        self._result = result
        self.bars.set_result(result)
        self.roofline.set_result(result, acc)
        self.summary.set_result(result, acc)
        self._show_network()
        self.statusBar().showMessage(
            f"{result.estimator}: {si(result.latency_s, 's')} for {len(result.layers)} layers "
            f"(estimated in {si(result.runtime_s, 's')})", 10_000)
        if self._network is not None:
            self.network_label.setText(
                f"{self._network.name}: {len(self._network)} ONNX layers, "
                f"{len(result.layers)} estimated, {count(self._network.macs)}MAC")
        self._apply_selection()
        self.export_action.setEnabled(True)
        self.export_plot_action.setEnabled(True)
        self.estimateShown.emit()

    def _on_estimate_failed(self, message: str) -> None:
        self.report_error("Estimation failed", message)
        self.taskFailed.emit(message)

    def _on_estimate_cancelled(self, message: str) -> None:
        self.statusBar().showMessage(f"Cancelled: {message}", 8000)
        self.taskCancelled.emit(message)

    @Slot()
    def cancel(self) -> None:
        self._auto_timer.stop()
        if self.runner.cancel():
            self.statusBar().showMessage("Cancelling…")

    # ===================================================================== export
    @Slot()
    def export_estimate_dialog(self) -> None:
        from explorer.gui.export import FORMATS

        if self._result is None:
            self.statusBar().showMessage("Nothing to export: run an estimate first (F5).", 5000)
            return
        stem = f"{self._result.network.name}_{self._result.accelerator}_{self._result.estimator}"
        filters = [f"{label} (*{suffix})" for suffix, label in FORMATS.items()]
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export estimate", str(Path(self.settings.last_dir()) / f"{stem}.pdf"),
            ";;".join(filters))
        if not path:
            return
        if not Path(path).suffix and chosen in filters:  # no extension typed: the filter's
            path += list(FORMATS)[filters.index(chosen)]
        self.settings.set_last_dir(str(Path(path).parent))
        self.export_estimate(path)

    def export_estimate(self, path: str) -> bool:
        """Write the shown estimate to `path` (.pdf, .html, .csv or .json)."""
        from explorer.gui.export import export_estimate, plot_image

        if self._result is None:
            self.report_error("Cannot export", "there is no estimate yet: run one first (F5)")
            return False
        try:
            plots, legends = {}, {}
            if Path(path).suffix.lower() in (".pdf", ".html", ".htm"):
                for caption, view in (("Latency per layer", self.bars),
                                      ("Roofline", self.roofline)):
                    plots[caption] = plot_image(view.plot)
                    legends[caption] = view.legend_html()
            export_estimate(path, self._result, self.accelerator_panel.accelerator, plots,
                            legends)
        except ExplorerError as exc:
            self.report_error("Cannot export estimate", str(exc))
            return False
        self.statusBar().showMessage(f"Exported {path}", 8000)
        return True

    @Slot()
    def export_plot_dialog(self) -> None:
        tab = self.tabs.tabText(self.tabs.currentIndex()).replace("&&", "and")
        stem = "_".join(tab.lower().split())
        path, _ = QFileDialog.getSaveFileName(
            self, "Export plot as PNG", str(Path(self.settings.last_dir()) / f"{stem}.png"),
            "PNG image (*.png)")
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        self.settings.set_last_dir(str(Path(path).parent))
        self.export_plot(path)

    def export_plot(self, path: str) -> bool:
        """Save the current tab's plots, as shown, to a PNG file."""
        from explorer.gui.export import png_bytes, write_file

        image = self.tabs.currentWidget().grab().toImage()
        try:
            write_file(path, png_bytes(image))
        except ExplorerError as exc:
            self.report_error("Cannot export plot", str(exc))
            return False
        self.statusBar().showMessage(f"Exported {path}", 8000)
        return True

    # ===================================================================== sweep
    @Slot(object, str)
    def run_sweep(self, axes: list, path: str) -> None:
        """Sweep the loaded network over `axes` (explorer.sweep.Axis) into the HDF5 file
        `path`, in the background; the Sweep tab plots the file when it is done."""
        from explorer.sweep import run_sweep

        acc = self.accelerator_panel.accelerator
        if self._network is None or acc is None:
            self.report_error("Cannot sweep", "open a network and make the accelerator "
                              "valid first")
            return
        usable, reason = self._sweep_usable(self._estimator)
        if not usable:
            self.report_error("Cannot sweep", reason)
            return
        network, estimator = self._network, self._estimator
        self.sweep_view.last_dir = str(Path(path).parent)
        self.settings.set_last_dir(str(Path(path).parent))

        def make():
            def sweep(progress: ProgressFn, cancel: CancelFn) -> list[dict]:
                from explorer.sweep import read_sweep

                def step(done: int, total: int, point: Any) -> None:
                    progress(done, total, f"point {done}/{total}")
                run_sweep(network, acc, axes, estimator, path, progress=step, cancel=cancel)
                return list(read_sweep(path))
            return sweep

        self.sweep_view.set_running(True)
        self.runner.submit(Task("sweep", f"Sweeping {len(axes)} parameter(s) with {estimator}",
                                make, on_done=lambda rows: self._on_swept(rows, axes, path),
                                on_failed=self._on_sweep_failed,
                                on_cancelled=self._on_sweep_cancelled))

    def _on_swept(self, rows: list[dict], axes: list, path: str) -> None:
        self.sweep_view.set_running(False)
        self.sweep_view.set_results(rows, axes, path)
        self.tabs.setCurrentWidget(self.sweep_view)
        self.statusBar().showMessage(f"Sweep of {len(rows)} points saved to {path}", 10_000)
        self.sweepShown.emit()

    def _on_sweep_failed(self, message: str) -> None:
        self.sweep_view.set_running(False)
        self.report_error("Sweep failed", message)
        self.taskFailed.emit(message)

    def _on_sweep_cancelled(self, message: str) -> None:
        self.sweep_view.set_running(False)
        self._on_estimate_cancelled(message)

    @Slot(object)
    def apply_sweep_point(self, values: dict[str, str]) -> None:
        """Put a swept design into the accelerator form as ONE undoable edit."""
        from explorer.gui.accelerator_panel import accelerator_data
        from explorer.hardware.overrides import apply_overrides

        acc = self.accelerator_panel.accelerator
        if acc is None:
            self.report_error("Cannot apply sweep point", "the accelerator description is "
                              "invalid: fix the marked fields first")
            return
        assignments = [f"{path}={value}" for path, value in values.items()]
        try:
            chosen = apply_overrides(acc, assignments)
        except ExplorerError as exc:
            self.report_error("Cannot apply sweep point", str(exc))
            return
        self.accelerator_panel.replace_data(accelerator_data(chosen),
                                            "sweep point " + ", ".join(assignments))

    # ===================================================================== comparison
    @Slot(object)
    def run_comparison(self, names: list[str]) -> None:
        acc = self.accelerator_panel.accelerator
        if self._network is None or acc is None:
            self.report_error("Cannot compare", "open a network and make the accelerator "
                              "valid first")
            return
        if not names:
            self.report_error("Cannot compare", "check at least one estimator")
            return
        network = self._network
        # The estimator in use keeps its options (a statistical model file) here too.
        options = {self._estimator: dict(self._estimator_options)}

        def make():
            def compare_all(progress: ProgressFn, cancel: CancelFn) -> dict[str, NetworkEstimate]:
                results = {}
                for i, name in enumerate(names):
                    def step(done: int, total: int, what: str, i: int = i, n: str = name) -> None:
                        progress(i * total + done, len(names) * total, f"{n}: {what}")
                    estimator = create_estimator(name, options.get(name, {}), cancel)
                    results[name] = run_estimate(estimator, network, acc, progress=step,
                                                 cancel=cancel)
                return results
            return compare_all

        self.runner.submit(Task("compare", f"Comparing {', '.join(names)}", make,
                                on_done=self._on_compared,
                                on_failed=lambda m: self.report_error("Comparison failed", m),
                                on_cancelled=self._on_estimate_cancelled))

    def _on_compared(self, results: dict[str, NetworkEstimate]) -> None:
        self.comparison.set_results(results)
        self.tabs.setCurrentWidget(self.comparison)
        self._apply_selection()
        self.comparisonShown.emit()

    @Slot()
    def open_measurement_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open measured latencies",
                                              self.settings.last_dir(),
                                              "JSON (*.json);;All files (*)")
        if path:
            self.load_measurement(path)

    def load_measurement(self, path: str) -> bool:
        if self._network is None:
            self.report_error("Cannot load measurement", "open the measured network first")
            return False
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            measured = measurement_from_json(data, self._network, path)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.report_error("Cannot load measurement", f"{path}: {exc}")
            return False
        except ExplorerError as exc:
            self.report_error("Cannot load measurement", str(exc))
            return False
        self.comparison.add_measurement(f"measured ({Path(path).name})", measured)
        self.tabs.setCurrentWidget(self.comparison)
        return True

    # ===================================================================== selection
    @Slot(str)
    def select_layer(self, name: str) -> None:
        self._selected = name or None
        self._apply_selection()
        if name:
            self.statusBar().showMessage(f"Selected {name}", 4000)

    @property
    def selected_layer(self) -> str | None:
        return self._selected

    def _apply_selection(self) -> None:
        for view in (self.bars, self.roofline, self.comparison, self.layer_table):
            view.set_selected(self._selected)

    # ===================================================================== task feedback
    @Slot(str)
    def _on_task_started(self, label: str) -> None:
        self.progress.setRange(0, 0)  # busy until the first progress report
        self.progress.setVisible(True)
        self.cancel_action.setEnabled(True)
        self.statusBar().showMessage(f"{label}…")

    @Slot(int, int, str)
    def _on_task_progress(self, done: int, total: int, what: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat(f"%p % · {what}"[:40])

    @Slot()
    def _on_runner_idle(self) -> None:
        self.progress.setVisible(False)
        self.cancel_action.setEnabled(False)

    def _show_about(self) -> None:
        QMessageBox.about(self, "About accel-explorer",
                          "accel-explorer: per-layer latency, energy and roofline of DNN "
                          "inference on AI accelerators.\nOpen an ONNX network, edit the "
                          "accelerator, compare estimators.")
