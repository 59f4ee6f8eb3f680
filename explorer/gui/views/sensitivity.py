"""The Sensitivity tab (issue 10 §3): which parameters of the design decide the answer. A
bar per numeric parameter shows the elasticity of the network's latency (or energy) to
it: +1 grows in proportion, −1 shrinks in proportion, 0 does not matter here. It runs
`explorer.session.sensitivity` off the UI thread (two estimates per parameter) with
progress and Cancel; the table lists every parameter, including those without effect."""

from __future__ import annotations

from collections.abc import Callable, Generator

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.gui.views.axes import show_empty
from explorer.gui.views.host import Host
from explorer.sensitivity import bar_chart_data
from explorer.session import Operation, Session
from explorer.session.operations import Progress
from explorer.session.sensitivity import (
    SensitivityRun,
    parameter_count,
    sensitivity_operation,
)

TOP_N = 20
_MORE, _LESS = "#D55E00", "#0072B2"  # grows with the parameter / shrinks with it


def _elasticity(value: float | None) -> str:
    return "–" if value is None else f"{value:+.3f}"


class SensitivityView(QWidget):
    progressed = Signal(int, int, str)  # from the worker thread, queued to the UI thread

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._run: SensitivityRun | None = None
        self._session: Session | None = None
        self.metric_box = QComboBox()
        self.metric_box.addItems(["latency", "energy"])
        self.metric_box.currentTextChanged.connect(lambda _text: self._draw())
        self.step_box = QDoubleSpinBox()
        self.step_box.setDecimals(0)
        self.step_box.setRange(1, 50)
        self.step_box.setValue(10)
        self.step_box.setSuffix(" %")
        self.step_box.setToolTip("How far each parameter is moved up and down")
        self.run_button = QPushButton("Analyse")
        self.run_button.setToolTip("Estimate the network twice per parameter, each moved "
                                   "up and down by the step (with the chosen estimator)")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.caption = QLabel("Press Analyse to see which parameters move the latency.")
        self.caption.setObjectName("viewCaption")
        self.caption.setWordWrap(True)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("<b>Sensitivity</b> of"))
        controls.addWidget(self.metric_box)
        controls.addWidget(QLabel("to each parameter, moved by ±"))
        controls.addWidget(self.step_box)
        controls.addWidget(self.run_button)
        controls.addWidget(self.cancel_button)
        controls.addWidget(self.progress, 1)
        controls.addStretch(0)

        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setMenuEnabled(False)
        self.plot.getPlotItem().getViewBox().setMouseEnabled(x=False, y=False)
        self.plot.showGrid(x=True, alpha=0.2)
        self._bars = pg.BarGraphItem(x0=[], y=[], height=0.7, width=[])
        self.plot.addItem(self._bars)
        self._zero = pg.InfiniteLine(0, angle=90, pen=pg.mkPen("#444444", width=1))
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["Parameter", "Value", "Tried", "Latency",
                                              "Energy", "Note"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.plot)
        split.addWidget(self.table)
        split.setSizes([700, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(controls)
        layout.addWidget(self.caption)
        layout.addWidget(split, 1)
        self.progressed.connect(self._on_progress)
        self._draw()

    def attach(self, session: Session, host: Host) -> None:
        self._session = session
        self._host = host
        self.run_button.clicked.connect(lambda: self.analyse())
        self.cancel_button.clicked.connect(host.cancel)
        for event in (session.events.network_changed, session.events.estimator_changed,
                      session.document.events.changed):
            event.connect(lambda *_args: self._note_freshness())

    # -- running ------------------------------------------------------------------------
    def analyse(self, parameters: list[str] | None = None) -> None:
        """Run the analysis on the loaded network and the design as edited (all numeric
        parameters, or the override paths in `parameters`)."""
        session, host = self._session, self._host
        assert session is not None
        step = self.step_box.value() / 100

        def make() -> Operation:
            op = sensitivity_operation(session, step, parameters, commit=self.set_run)
            op.steps = _tapped(op.steps, self.progressed.emit)
            return op

        self._set_running(True, parameter_count(session) if parameters is None
                          else len(parameters))
        host.run(make, "Sensitivity analysis failed", then=lambda _run: host.show_view(self),
                 on_end=lambda: self._set_running(False))

    def _set_running(self, running: bool, total: int = 0) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(0)
            self.progress.setFormat(f"0 of {total} parameters")

    def _on_progress(self, done: int, total: int, what: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"%v of %m parameters done · {what}"[:70])

    # -- showing ------------------------------------------------------------------------
    def set_run(self, run: SensitivityRun | None) -> None:
        self._run = run
        self._fill_table()
        self._draw()
        self._note_freshness()

    def bar_labels(self) -> list[str]:
        """The parameters with bars, top to bottom (tests)."""
        return list(self._labels)

    def _note_freshness(self) -> None:
        run, session = self._run, self._session
        if run is None:
            return
        text = run.describe()
        if session is not None and not run.is_current(session):
            text = ("<b>Outdated:</b> the network, the design or the estimator changed "
                    "since; press Analyse again. This is for " + text)
        self.caption.setText(text)

    def _fill_table(self) -> None:
        from explorer.hardware.params import sweepable_params
        from explorer.units import format_value

        rows = self._run.rows if self._run else []
        units = ({p.path: p.facts.unit for p in sweepable_params(self._run.accelerator)}
                 if self._run else {})
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            unit = units.get(row.parameter, "")  # one formatter, SI units: "1 GHz"
            tried = ", ".join(format_value(x, unit) for x in (row.low, row.high)
                              if x is not None)
            cells = [row.parameter, format_value(row.value, unit), tried or "–",
                     _elasticity(row.latency),
                     _elasticity(row.energy), row.note]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (1, 3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def _draw(self) -> None:
        metric = self.metric_box.currentText()
        self.plot.setLabel("bottom", f"Elasticity of {metric} (% per % of the parameter)")
        labels, values = bar_chart_data(self._run.rows, metric, TOP_N) if self._run else ([], [])
        kept = [(label, value) for label, value in zip(labels, values) if value != 0]
        self._labels = [label for label, _value in kept]
        if not kept:
            self._bars.setOpts(x0=[], y=[], width=[])
            if self._zero.scene() is not None:
                self.plot.removeItem(self._zero)
            show_empty(self.plot, "No analysis yet: press Analyse" if self._run is None
                       else f"No parameter moves the {metric} by more than rounding")
            return
        show_empty(self.plot, None)
        if self._zero.scene() is None:
            self.plot.addItem(self._zero)
        shown = kept[::-1]  # the largest effect at the top
        widths = [value for _label, value in shown]
        self._bars.setOpts(x0=np.minimum(widths, 0), y=np.arange(len(shown), dtype=float),
                           width=np.abs(widths), height=0.7, pen=None,
                           brushes=[_MORE if v > 0 else _LESS for v in widths])
        self.plot.getAxis("left").setTicks([[(i, label) for i, (label, _v) in enumerate(shown)]])
        reach = max(abs(v) for v in widths) * 1.1
        self.plot.setXRange(min(min(widths) * 1.1, -0.05 * reach),
                            max(max(widths) * 1.1, 0.05 * reach), padding=0)
        self.plot.setYRange(-0.6, len(shown) - 0.4, padding=0)


def _tapped(steps: Callable, report: Callable[[int, int, str], None]) -> Callable:
    """`steps` that also hand each progress report to `report` (a queued Qt signal)."""

    def tapped(cancel: Callable[[], bool]) -> Generator[Progress, None, object]:
        inner = steps(cancel)
        try:
            while True:
                step = next(inner)
                report(step.done, step.total, step.what)
                yield step
        except StopIteration as stop:
            return stop.value
        finally:
            inner.close()

    return tapped
