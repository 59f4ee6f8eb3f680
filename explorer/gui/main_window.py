"""The main window: wiring between the Qt-free session and the widgets.

The session (`explorer.session.Session`) holds the state and does the work; the views
subscribe to it (`attach`), the tabs come from `explorer.gui.registry`, the actions from
`explorer.gui.menus`. What is left here: docks and tabs, running the session's operations
in the worker, file dialogs, the status bar, the debounced auto-run.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.errors import ExplorerError
from explorer.estimators.registry import estimator_names
from explorer.gui import menus
from explorer.gui.accelerator_panel import AcceleratorPanel
from explorer.gui.file_commands import FileCommands
from explorer.gui.registry import TABS
from explorer.gui.settings import Settings
from explorer.gui.views.layer_detail import LayerDetailView
from explorer.gui.views.layer_table import LayerTable
from explorer.gui.views.summary import SummaryStrip
from explorer.gui.workers import Task, TaskRunner
from explorer.session import Operation, Session
from explorer.session.state import needs_model
from explorer.units import count, plural, si

AUTO_RUN_DELAY_MS = 300
DEFAULT_SIZE = (1400, 900)


def _zoo_names() -> list[str]:
    from explorer.workload.zoo import ZOO_NAMES

    return list(ZOO_NAMES)


class MainWindow(FileCommands, QMainWindow):
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
    exportFinished = Signal(str)  # the path of a file export_estimate wrote

    def __init__(self, settings: QSettings | None = None, *, headless: bool = False,
                 session: Session | None = None) -> None:
        super().__init__()
        self.settings = Settings(settings or QSettings("accel-explorer", "accel-explorer"))
        self.headless = headless  # no modal dialogs: errors go to stderr (screenshots)
        self.errors: list[str] = []
        self.session = session or Session()
        self.runner = TaskRunner(self)
        self.runner.started.connect(self._on_task_started)
        self.runner.progress.connect(self._on_task_progress)
        self.runner.idle.connect(self._on_runner_idle)
        self._auto_timer = QTimer(self)
        self._auto_timer.setSingleShot(True)
        self._auto_timer.setInterval(AUTO_RUN_DELAY_MS)
        self._auto_timer.timeout.connect(self.run_estimate)

        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self._build_views()
        menus.build_actions(self)
        menus.build_menus(self, _zoo_names())
        menus.build_toolbar(self)
        self.estimator_combo.attach(self.session, self)
        menus.build_status_bar(self)
        self._subscribe()
        self._restore_layout()
        self._update_title()
        # Qt, pyqtgraph and the window make ~100k long-lived objects; a full garbage
        # collection walks them all (~80 ms) while holding the GIL, stalling the UI and
        # the worker alike. Frozen objects are skipped by every later collection.
        gc.freeze()

    # ===================================================================== construction
    def _build_views(self) -> None:
        self.summary = SummaryStrip()
        self.layer_table = LayerTable()
        self.layer_detail = LayerDetailView()
        self.accelerator_panel = AcceleratorPanel(self.session.document)
        self.accelerator_panel.errorOccurred.connect(self.report_error)
        self.accelerator_panel.confirm_discard = self.confirm_unsaved
        self.tabs = QTabWidget()
        self.views: dict[str, QWidget] = {}
        for key, title, factory in TABS:
            view = factory()
            self.views[key] = view
            self.tabs.addTab(view, title)
        for view in (self.summary, self.layer_table, self.layer_detail, *self.views.values()):
            view.attach(self.session, self)  # type: ignore[attr-defined]
        self.overview_splitter = self.views["overview"]
        self.bars, self.roofline = self.views["overview"].bars, self.views["overview"].roofline
        self.comparison, self.sweep_view = self.views["comparison"], self.views["sweep"]

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.accelerator_dock = self._dock("Accelerator", "acceleratorDock",
                                           self.accelerator_panel,
                                           Qt.DockWidgetArea.LeftDockWidgetArea)
        self.layers_dock = self._dock("Layers", "layersDock", self.layer_table,
                                      Qt.DockWidgetArea.BottomDockWidgetArea)
        self.detail_dock = self._dock("Layer detail", "layerDetailDock", self.layer_detail,
                                      Qt.DockWidgetArea.BottomDockWidgetArea)
        self.splitDockWidget(self.layers_dock, self.detail_dock, Qt.Orientation.Horizontal)
        self.resizeDocks([self.accelerator_dock], [400], Qt.Orientation.Horizontal)
        self.resizeDocks([self.layers_dock], [290], Qt.Orientation.Vertical)
        self.resizeDocks([self.layers_dock, self.detail_dock], [700, 300],
                         Qt.Orientation.Horizontal)

    def _dock(self, title: str, name: str, widget: QWidget,
              area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _subscribe(self) -> None:
        events, doc_events = self.session.events, self.session.document.events
        events.network_changed.connect(self._on_network_changed)
        events.result_changed.connect(self._on_result_changed)
        events.estimator_changed.connect(self._on_estimator_changed)
        events.comparison_changed.connect(self.comparisonShown.emit)
        events.sweep_changed.connect(self.sweepShown.emit)
        doc_events.changed.connect(self._on_accelerator_changed)
        doc_events.modified_changed.connect(self._update_title)
        doc_events.source_changed.connect(self._on_accelerator_source)
        self._on_estimator_changed()

    # ===================================================================== running work
    def run(self, make: Callable[[], Operation], failure: str, *,
            then: Callable[[Any], None] | None = None,
            on_end: Callable[[], None] | None = None) -> None:
        """Run a session operation in the worker and commit it here (see views.host)."""
        try:
            op = make()
        except ExplorerError as exc:
            self.report_error(failure, str(exc))
            if on_end:
                on_end()
            return

        def done(result: Any) -> None:
            self.statusBar().showMessage(f"{op.label}: done", 8000)
            op.commit(result)  # may say more in the status bar
            if on_end:
                on_end()
            if then:
                then(result)

        def failed(message: str) -> None:
            if on_end:
                on_end()
            self.report_error(failure, message)
            self.taskFailed.emit(message)

        def cancelled(message: str) -> None:
            if on_end:
                on_end()
            self.statusBar().showMessage(f"Cancelled: {message}", 8000)
            self.taskCancelled.emit(message)

        self.runner.submit(Task(op.kind, op.label, lambda: op.compute, on_done=done,
                                on_failed=failed, on_cancelled=cancelled))

    def show_view(self, widget: QWidget) -> None:
        self.tabs.setCurrentWidget(widget)

    @Slot()
    def run_estimate(self) -> None:
        """Estimate the loaded network on the edited accelerator (in the background)."""
        self._auto_timer.stop()
        self._run_after_paint = False
        blocker = self.session.estimate_blocker()
        if blocker:
            self.statusBar().showMessage(f"Cannot estimate: {blocker}.", 8000)
            return
        self.run(self.session.estimate, "Estimation failed")

    @Slot()
    def cancel(self) -> None:
        self._auto_timer.stop()
        if self.runner.cancel():
            self.statusBar().showMessage("Cancelling…")

    def run_comparison(self, names: list[str]) -> None:
        self.comparison.compareRequested.emit(names)

    def run_sweep(self, axes: list, path: str) -> None:
        self.sweep_view.runRequested.emit(axes, path)

    def load_measurement(self, path: str) -> bool:
        try:
            self.session.add_measurement(path)
        except ExplorerError as exc:
            self.report_error("Cannot load measurement", str(exc))
            return False
        self.show_view(self.comparison)
        return True

    def select_layer(self, name: str) -> None:
        self.session.select(name)

    @property
    def selected_layer(self) -> str | None:
        return self.session.selected

    def _schedule_auto_run(self, immediately: bool = False) -> None:
        if not self.auto_action.isChecked():
            return
        blocker = self.session.auto_run_blocker()
        if blocker:
            if self.session.network is not None and self.session.accelerator is not None:
                self.statusBar().showMessage(f"{blocker}.", 8000)
            return
        # Edits come in bursts (typing, spinning) and are debounced; a newly loaded
        # network is estimated as soon as control returns to the event loop.
        self._auto_timer.start(0 if immediately else AUTO_RUN_DELAY_MS)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        # UpdateRequest is the top-level repaint: every dirty widget has been painted.
        if self._run_after_paint and event.type() == QEvent.Type.UpdateRequest:
            self._run_after_paint = False
            self._schedule_auto_run(immediately=True)
        return handled

    # ===================================================================== session events
    def _on_network_changed(self) -> None:
        network = self.session.network
        assert network is not None
        macs = count(network.macs)
        warn = f" · {len(network.warnings)} warning(s): {network.warnings[0]}" \
            if network.warnings else ""
        unmodelled = f" · {len(network.unmodelled)} unmodelled" if network.unmodelled else ""
        self.network_label.setText(f"{network.name}: {plural(len(network), 'layer')}, {macs}MAC"
                                   f"{unmodelled}")
        self.statusBar().showMessage(f"Opened {network.name} ({plural(len(network), 'layer')}, "
                                     f"{macs}MAC){warn}", 10_000)
        self._update_title()
        # Debouncing is for bursts of edits: a new network is estimated right after the
        # window has painted it (see event()); the debounce delay is only the fallback
        # for a window that does not paint (hidden, minimised).
        self._run_after_paint = self.isVisible()
        self._schedule_auto_run(immediately=not self._run_after_paint)
        self.networkLoaded.emit()

    def _on_result_changed(self) -> None:
        result = self.session.result
        for act in (self.export_action, self.export_plot_action):
            act.setEnabled(result is not None)
        if result is None:
            return
        self.statusBar().showMessage(
            f"{result.estimator}: {si(result.latency_s, 's')} for "
            f"{plural(len(result.layers), 'layer')} "
            f"(estimated in {si(result.runtime_s, 's')})", 10_000)
        network = self.session.network
        if network is not None:
            self.network_label.setText(f"{network.name}: {len(network)} ONNX layers, "
                                       f"{len(result.layers)} estimated, "
                                       f"{count(network.macs)}MAC")
        self.estimateShown.emit()

    def _on_accelerator_changed(self, _path: object) -> None:
        self._update_title()
        if self.session.accelerator is None:
            self._auto_timer.stop()
            errors = self.session.document.errors
            self.statusBar().showMessage(f"Accelerator invalid ({len(errors)} error(s)); "
                                         "not estimating until fixed.", 10_000)
            return
        self._schedule_auto_run()

    def _on_accelerator_source(self, source: str) -> None:
        self.settings.set_last_accelerator(source)
        self._update_title()

    def _on_estimator_changed(self) -> None:
        self._schedule_auto_run()

    # ===================================================================== estimators
    @property
    def estimator(self) -> str:
        return self.session.estimator

    def set_estimator(self, name: str, **options: Any) -> bool:
        return self.estimator_combo.choose(name, **options)

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
        session, doc = self.session, self.session.document
        parts = ["accel-explorer"]
        if session.network is not None:
            parts.insert(0, session.network.name)
        if doc.source:
            name = doc.accelerator.name if doc.accelerator else Path(doc.source).stem
            parts.insert(1 if session.network else 0, name + (" *" if doc.is_modified else ""))
        self.setWindowTitle(" — ".join(parts))

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

    def show_about(self) -> None:
        from explorer.version import __version__

        QMessageBox.about(self, "About accel-explorer",
                          f"accel-explorer {__version__}: per-layer latency, energy and "
                          "roofline of DNN inference on AI accelerators.\nOpen an ONNX "
                          "network, edit the "
                          "accelerator, compare estimators.")

    # ===================================================================== settings
    def _restore_layout(self) -> None:
        self.resize(*DEFAULT_SIZE)
        self.settings.restore_window(self)
        self.auto_action.setChecked(self.settings.auto_run())
        last = self.settings.last_estimator()
        if last in estimator_names() and not needs_model(last):
            self.session.set_estimator(last)

    def confirm_unsaved(self, what: str) -> bool:
        """Before edits would be lost (switching, opening, quitting): Save, Discard or
        Cancel, the same question everywhere. True: go ahead."""
        if not self.session.document.is_modified or self.headless:
            return True
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self, "Unsaved accelerator", f"The accelerator description has unsaved edits. "
            f"Save them before {what}?", buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save)
        if answer == buttons.Save:
            return self.save_accelerator()
        return answer == buttons.Discard

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_unsaved("quitting"):
            event.ignore()
            return
        self.settings.save_window(self)
        self.settings.set_auto_run(self.auto_action.isChecked())
        self.settings.set_last_estimator(self.session.estimator)
        self.runner.shutdown()
        super().closeEvent(event)
