"""The A/B tab: pin the current result as the baseline (A), change the design or pick
another accelerator, and see the new result (B) against it: bars side by side per layer,
a delta column, the total, and what changed in the design. The numbers come from
`session.ab_comparison()`, which `accel-explorer ab` prints too."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.gui.views.axes import LayerAxis, show_empty
from explorer.gui.views.host import Host
from explorer.gui.views.style import legend_html
from explorer.session import Session
from explorer.session.analysis import ABComparison, describe_change
from explorer.units import percent, si

A_COLOUR, B_COLOUR = "#9E9E9E", "#1F77B4"
_HALF = 0.38


class ABView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pin_button = QPushButton("Pin current result as A")
        self.pin_button.setToolTip("Keep the shown result as the baseline; then change the "
                                   "design or the accelerator and estimate again (B)")
        self.clear_button = QPushButton("Clear A")
        self.summary = QLabel("Pin a result as the baseline A, then change the design or "
                              "pick another accelerator: B is the current result.")
        self.summary.setWordWrap(True)
        self.changes = QLabel()
        self.changes.setWordWrap(True)
        self.changes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.axis = LayerAxis()
        self.plot = pg.PlotWidget(axisItems={"bottom": self.axis})
        self.plot.setBackground("w")
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(y=True, alpha=0.25)
        self.plot.setLabel("left", "Latency", units="s")
        self.plot.setLabel("bottom", "Layer # (A's numbering)")
        self.plot.getPlotItem().getViewBox().setMouseEnabled(x=True, y=False)
        self._a = pg.BarGraphItem(x=[], height=[], width=_HALF, brush=A_COLOUR, pen=None)
        self._b = pg.BarGraphItem(x=[], height=[], width=_HALF, brush=B_COLOUR, pen=None)
        self.plot.addItem(self._a)
        self.plot.addItem(self._b)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["#", "Layer", "Op", "A", "B", "Δ"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setSortingEnabled(False)
        self.comparison: ABComparison | None = None

        buttons = QHBoxLayout()
        buttons.addWidget(self.pin_button)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(QLabel(legend_html([("A (baseline)", A_COLOUR),
                                              ("B (current)", B_COLOUR)])))
        buttons.addStretch(1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.plot)
        splitter.addWidget(self.table)
        splitter.setSizes([620, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(self.changes)
        layout.addWidget(splitter, 1)
        show_empty(self.plot, "Pin a result as A first")

    def attach(self, session: Session, host: Host) -> None:
        from explorer.errors import ExplorerError

        def pin() -> None:
            try:
                session.pin_baseline()
            except ExplorerError as exc:
                host.report_error("Cannot pin", str(exc))

        def show() -> None:
            changes = session.baseline_changes()
            self.show_comparison(session.ab_comparison(), changes,
                                 pinned=session.baseline is not None)

        self.pin_button.clicked.connect(pin)
        self.clear_button.clicked.connect(session.clear_baseline)
        self.table.cellClicked.connect(
            lambda row, _col: session.select(self.table.item(row, 1).text()))
        session.events.baseline_changed.connect(show)
        session.events.result_changed.connect(show)

    def show_comparison(self, ab: ABComparison | None, changes: list, pinned: bool) -> None:
        self.comparison = ab
        self.clear_button.setEnabled(pinned)
        if ab is None:
            self._a.setOpts(x=[], height=[])
            self._b.setOpts(x=[], height=[])
            self.table.setRowCount(0)
            self.changes.setText("")
            self.summary.setText("A is pinned: change the design or the accelerator and "
                                 "estimate (B)." if pinned else
                                 "Pin a result as the baseline A, then change the design or "
                                 "pick another accelerator: B is the current result.")
            show_empty(self.plot, "Pin a result as A first" if not pinned else "Waiting for B")
            return
        show_empty(self.plot, None)
        self.summary.setText(ab.summary())
        more = f" (+{len(changes) - 12} more)" if len(changes) > 12 else ""
        self.changes.setText("Design changes A → B: " + ("; ".join(
            describe_change(*change) for change in changes[:12]) + more if changes
            else "none"))
        x = np.array([layer.number for layer in ab.layers], dtype=float)
        self._a.setOpts(x=x - _HALF / 2, height=[layer.baseline_s for layer in ab.layers],
                        width=_HALF)
        self._b.setOpts(x=x + _HALF / 2,
                        height=[layer.current_s or 0.0 for layer in ab.layers], width=_HALF)
        self.axis.set_layers({layer.number: str(layer.number) for layer in ab.layers},
                             {layer.number: layer.name for layer in ab.layers})
        self.plot.setXRange(0.4, len(ab.layers) + 0.6, padding=0)
        top = max([layer.baseline_s for layer in ab.layers]
                  + [layer.current_s or 0.0 for layer in ab.layers], default=1.0)
        self.plot.setYRange(0, top * 1.05 or 1.0, padding=0)
        self.table.setRowCount(len(ab.layers))
        for row, layer in enumerate(ab.layers):
            cells = [str(layer.number), layer.name, layer.op, si(layer.baseline_s, "s"),
                     si(layer.current_s, "s"), percent(layer.relative, signed=True)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (0, 3, 4, 5):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
