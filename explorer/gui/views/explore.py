"""The Explore tab: open an exploration or sweep file, or run a new exploration of the
edited accelerator on the loaded network (in the window's worker, with progress, Cancel
and the scatter growing as designs arrive); see any two objectives against each other
with the front of that pair highlighted and a third as colour; hover for a design's
parameters, click to apply it to the accelerator (one undoable edit) and re-estimate,
pin two designs as A and B for the A/B tab, see which parameters matter, export the
front as CSV or HTML. The data behind it is Qt-free: `explorer.explore.view_data`."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.errors import ExplorerError
from explorer.explore.store import Exploration, front_rows, load_exploration
from explorer.explore.view_data import (
    LABELS,
    LiveRows,
    Scatter,
    design_text,
    design_values,
    exploration_operation,
    front_csv,
    front_html,
    is_suite,
    param_units,
)
from explorer.gui.views.axes import show_empty
from explorer.gui.views.explore_importance import ImportancePanel
from explorer.gui.views.explore_plot import FrontPlot
from explorer.gui.views.explore_setup import ExploreSetup, default_output
from explorer.gui.views.host import Host
from explorer.session import Session

_LIVE_REFRESH_MS = 500


class ExploreView(QWidget):
    """Signals: `designChosen(dict)` when a design is applied, `explorationShown()`."""

    designChosen = Signal(object)
    explorationShown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: Session | None = None
        self.host: Host | None = None
        self.last_dir: str | None = None
        self.definition: dict = {}
        self._units_of: dict | None = None
        self._units_cache: dict[str, str] = {}
        self.rows: list[dict[str, Any]] = []
        self.path = ""
        self.pinned_a: dict[str, Any] | None = None
        self.live: LiveRows | None = None
        self._live_version = -1
        self._stop = threading.Event()

        # -- left: a new exploration ----------------------------------------------------
        self.setup = ExploreSetup()
        self.open_button = QPushButton("Open file…")
        self.open_button.setToolTip("Open an exploration or sweep file (.h5)")
        self.open_button.clicked.connect(self.choose_file)
        self.run_button = QPushButton("Run exploration")
        self.run_button.clicked.connect(self.request_run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.error_label = QLabel()
        self.error_label.setObjectName("exploreError")
        self.error_label.setStyleSheet("color: #C00000")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.cancel_button)
        box = QGroupBox("New exploration of the edited accelerator")
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.setup)
        box_layout.addLayout(run_row)
        box_layout.addWidget(self.progress)
        box_layout.addWidget(self.error_label)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.open_button)
        left_layout.addWidget(box)
        left_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(left)
        scroll.setMinimumWidth(380)

        # -- right: the designs ---------------------------------------------------------
        self.scatter = FrontPlot(tip=self._tip)
        self.scatter.pointHovered.connect(self._on_hovered)
        self.scatter.pointClicked.connect(self.choose)
        self.plot = self.scatter.plot
        self.info = QLabel("Open an exploration file or run one. Hover over a design for "
                           "its parameters; click it to apply it to the accelerator (Ctrl+Z "
                           "undoes it).")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pin_a_button = QPushButton("Pin as A")
        self.pin_a_button.setToolTip("Apply the last clicked design, estimate it and pin it "
                                     "as the A/B tab's baseline A")
        self.pin_a_button.clicked.connect(self.pin_a)
        self.compare_button = QPushButton("Compare with A")
        self.compare_button.setToolTip("Apply the last clicked design as B and compare it "
                                       "with A layer by layer in the A/B tab")
        self.compare_button.clicked.connect(self.compare_b)
        self.export_button = QPushButton("Export front…")
        self.export_button.setToolTip("The front's designs as CSV, or an HTML report with "
                                      "the plot")
        self.export_button.clicked.connect(self.choose_export)
        self.chosen: dict[str, Any] | None = None
        self._applied: dict[str, Any] | None = None
        actions = QHBoxLayout()
        for button in (self.pin_a_button, self.compare_button, self.export_button):
            actions.addWidget(button)
        actions.addStretch(1)
        self.importance = ImportancePanel()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.scatter, "Pareto front")
        self.tabs.addTab(self.importance, "Parameter importance")
        self.tabs.currentChanged.connect(lambda _i: self.show_importance())
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.tabs, 1)
        right_layout.addWidget(self.info)
        right_layout.addLayout(actions)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setSizes([420, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(splitter)
        self.timer = QTimer(self)
        self.timer.setInterval(_LIVE_REFRESH_MS)
        self.timer.timeout.connect(self._poll_live)
        self.open_action = QAction("Open e&xploration…", self)
        self.open_action.setToolTip("Open an exploration or sweep file (.h5) in the "
                                    "Explore tab")
        self.open_action.triggered.connect(self.choose_file)
        self._update_buttons()
        show_empty(self.plot, "No exploration yet")

    # ===================================================================== wiring
    def attach(self, session: Session, host: Host) -> None:
        self.session, self.host = session, host
        self.last_dir = host.settings.last_dir() or None
        session.document.events.changed.connect(
            lambda _path: self.setup.set_accelerator(session.accelerator))
        session.document.events.source_changed.connect(
            lambda _source: self.setup.set_accelerator(session.accelerator))
        session.events.network_changed.connect(self._update_buttons)
        self.setup.set_accelerator(session.accelerator)
        # The File menu is built after the views: add "Open exploration…" to it then.
        QTimer.singleShot(0, lambda: self._add_to_file_menu(host))

    def _add_to_file_menu(self, host: Any) -> None:
        bar = getattr(host, "menuBar", None)
        if bar is None:
            return
        for action in bar().actions():
            menu = action.menu()
            if menu is not None and action.text().replace("&", "") == "File":
                anchor = next((a for a in menu.actions() if a.isSeparator()), None)
                menu.insertAction(anchor, self.open_action) if anchor else \
                    menu.addAction(self.open_action)
                return

    # ===================================================================== files
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open exploration or sweep",
                                              self.last_dir or "", "HDF5 (*.h5 *.hdf5)")
        if path:
            self.open_file(path)

    def open_file(self, path: str) -> bool:
        """Show the designs of an exploration or sweep file; an unreadable file is
        reported in one line and nothing shown changes."""
        try:
            exploration = load_exploration(path)
        except (ExplorerError, OSError) as exc:
            self._report("Cannot open exploration", str(exc))
            return False
        self.last_dir = str(Path(path).parent)
        self.show_exploration(exploration)
        if self.host is not None:
            self.host.show_view(self)
        return True

    def show_exploration(self, exploration: Exploration) -> None:
        self.definition, self.rows, self.path = (exploration.definition, exploration.rows,
                                                 str(exploration.path))
        self._fill_metric_combos()
        self.redraw()
        front = exploration.front()
        feasible = sum(1 for r in self.rows if r["feasible"])
        self.info.setText(f"{len(self.rows)} designs in {Path(self.path).name}: {feasible} "
                          f"feasible, {len(front)} on the front of "
                          f"{', '.join(LABELS[m] for m in exploration.objectives)}. Hover "
                          "for a design's parameters; click to apply it (Ctrl+Z undoes it).")
        self.explorationShown.emit()

    def _fill_metric_combos(self) -> None:
        objectives = list(self.definition.get("objectives", ["latency_s"]))
        self.scatter.set_objectives(objectives, is_suite(self.definition))

    # ===================================================================== the scatter
    def redraw(self) -> None:
        self.scatter.set_rows(self.rows)

    @property
    def shown(self) -> Scatter | None:
        return self.scatter.shown

    def _tip(self, x: float, y: float, data: Any) -> str:
        return self.hover_text(int(data)) + "\nclick to apply this design"

    def hover_text(self, point: int) -> str:
        """What hovering over the `point`-th plotted design shows."""
        assert self.shown is not None
        row = self._row(point)
        metrics = list(dict.fromkeys([self.shown.x_metric, self.shown.y_metric,
                                      *self.definition.get("objectives", [])]))
        return design_text(row, self._params(), metrics, is_suite(self.definition),
                           self._units())

    def _units(self) -> dict[str, str]:
        """The parameters' units, read once per exploration shown (parsing its starting
        design takes milliseconds, too long to repeat on every hover)."""
        if self._units_of is not self.definition:
            self._units_of, self._units_cache = self.definition, param_units(self.definition)
        return self._units_cache

    def _on_hovered(self, point: int) -> None:
        self.info.setText(self.hover_text(point).replace("\n", "; "))

    def _row(self, point: int) -> dict[str, Any]:
        assert self.shown is not None
        return self.rows[self.shown.rows[point]]  # a row's number is its place

    def _params(self) -> list[str]:
        return [p for p, _, _ in self.definition.get("params", [])]

    # ===================================================================== applying
    def choose(self, point: int) -> None:
        """Apply the `point`-th plotted design (a click on it): one undoable edit of the
        accelerator, then an estimate of it."""
        row = self._row(point)
        self.chosen = row
        self._update_buttons()
        values = design_values(row, self._params())
        self._applied = row
        self.info.setText("Applied " + ", ".join(f"{k} = {v}" for k, v in values.items())
                          + " (Ctrl+Z undoes it).")
        self._apply_and_estimate(values)
        self.designChosen.emit(values)

    def _apply_and_estimate(self, values: dict[str, str], then: Any = None) -> bool:
        session, host = self.session, self.host
        if session is None or host is None:
            return False
        try:
            session.apply_sweep_point(values)
        except ExplorerError as exc:
            self._report("Cannot apply design", str(exc))
            return False
        if session.estimate_blocker():
            self.info.setText(self.info.text() + f" Not estimated: "
                              f"{session.estimate_blocker()}.")
            return False

        def make() -> Any:
            op = session.estimate()
            op.kind = "explore-design"  # not superseded by the window's own re-estimate
            return op

        host.run(make, "Estimation failed", then=then)
        return True

    def _is_applied(self, row: dict[str, Any]) -> bool:
        """The design is in the form as estimated now (no need to apply it again)."""
        return (self._applied is row and self.session is not None
                and self.session.result_is_current)

    def pin_a(self) -> None:
        """Pin the last clicked design as A (applied and estimated first if needed)."""
        if self.chosen is None or self.session is None:
            return
        session, row = self.session, self.chosen
        self.pinned_a = row
        values = design_values(row, self._params())
        if self._is_applied(row):
            session.pin_baseline()
        else:
            self._apply_and_estimate(values, then=lambda _r: session.pin_baseline())
        self.info.setText("A: " + ", ".join(f"{k} = {v}" for k, v in values.items()) +
                          ". Click another design, then Compare with A.")
        self._update_buttons()

    def compare_b(self) -> None:
        """Show the last clicked design as B against A in the A/B tab."""
        if self.chosen is None or self.session is None or self.host is None:
            return
        host = self.host
        ab = getattr(host, "views", {}).get("ab")

        def show(_result: Any = None) -> None:
            if ab is not None:
                host.show_view(ab)

        if self._is_applied(self.chosen):
            show()
        else:
            self._apply_and_estimate(design_values(self.chosen, self._params()), then=show)

    # ===================================================================== importance
    def show_importance(self) -> None:
        if self.tabs.currentWidget() is self.importance:
            self.importance.set_designs(self.rows, self._params(), self.definition.get(
                "objectives", ["latency_s"]), (self.path, self._live_version))
            self.importance.refresh()

    # ===================================================================== export
    def choose_export(self) -> None:
        if not self.rows:
            return
        start = str(Path(self.last_dir or "") / (Path(self.path).stem + "-front.csv"))
        path, _ = QFileDialog.getSaveFileName(self, "Export front", start,
                                              "CSV (*.csv);;HTML report (*.html)")
        if path:
            self.export_front(path)

    def export_front(self, path: str) -> None:
        front = [int(r) for r in front_rows(self.rows, self.definition["objectives"])]
        try:
            if path.lower().endswith((".html", ".htm")):
                front_html(self.rows, front, self.definition, path, self.plot_png())
            else:
                front_csv(self.rows, front, self._params(), path)
        except OSError as exc:
            self._report("Cannot export the front", f"{path}: {exc.strerror or exc}")
        except ExplorerError as exc:  # the plot could not be rendered
            self._report("Cannot export the front", f"{path}: {exc}")

    def plot_png(self) -> bytes:
        """The plot for the front report, at print resolution for its width there."""
        from explorer.explore.view_data import FRONT_IMAGE_WIDTH_PX
        from explorer.gui.export import plot_image, png_bytes

        return png_bytes(plot_image(self.plot, FRONT_IMAGE_WIDTH_PX))

    # ===================================================================== running
    def request_run(self) -> None:
        session, host = self.session, self.host
        if session is None or host is None:
            return
        from explorer.session.state import sweep_usable

        self.show_error("")
        if session.network is None or session.accelerator is None:
            self.show_error("Open a network and a valid accelerator first.")
            return
        usable, reason = sweep_usable(session.estimator)
        if not usable:
            self.show_error(reason)
            return
        try:
            spec: Any = self.setup.spec([session.network], session.accelerator,
                                        session.estimator, session.estimator_options)
        except ExplorerError as exc:
            self.show_error(str(exc))
            return
        path = self.setup.output.text().strip() or default_output(
            self.last_dir, session.network.name)
        self.setup.output.setText(path)
        self.last_dir = str(Path(path).parent)
        host.settings.set_last_dir(self.last_dir)
        self.live = LiveRows([p.path for p in spec.params])
        self.definition = spec.definition()
        self.rows, self.path, self._live_version = [], path, -1
        self._fill_metric_combos()
        self._stop.clear()
        self.set_running(True)
        workers = self.setup.workers.value()
        host.run(lambda: exploration_operation(spec, path, self.live, workers=workers,
                                               stop=self._stop),
                 "Exploration failed", then=self.show_exploration,
                 on_end=lambda: self.set_running(False))

    def cancel(self) -> None:
        self._stop.set()

    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, 0)
            self.timer.start()
        else:
            self.timer.stop()
            self._poll_live()  # the last designs of a cancelled run stay shown

    def _poll_live(self) -> None:
        if self.live is None:
            return
        version, rows, done, total = self.live.snapshot()
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat(f"{done} / {total} designs")
        if version != self._live_version and rows:
            self._live_version = version
            self.rows = rows
            self.redraw()
            self.info.setText(f"{done} of {total} designs so far…")

    # ===================================================================== helpers
    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _report(self, title: str, message: str) -> None:
        if self.host is not None:
            self.host.report_error(title, message)
        else:
            self.show_error(f"{title}: {message}")

    def _update_buttons(self) -> None:
        has_network = self.session is not None and self.session.network is not None
        self.run_button.setToolTip("Evaluate designs of the edited accelerator on the "
                                   "loaded network" if has_network else
                                   "Open a network first (Ctrl+O)")
        self.pin_a_button.setEnabled(self.chosen is not None)
        self.compare_button.setEnabled(self.chosen is not None and self.pinned_a is not None)
