"""The Breakdown tab: where the time goes by op type (chart and table), the slowest
layers (click one to select it), and area per component. The numbers come from
`session.analysis`, which `accel-explorer inspect` prints too."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from explorer.gui.views.axes import show_empty
from explorer.gui.views.host import Host
from explorer.gui.views.style import op_colours
from explorer.session import Session
from explorer.session.analysis import area_breakdown, op_summary, top_layers
from explorer.units import count, percent, si

TOP_N = 15


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c and text[:1].isdigit() or text.startswith("–"):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


class BreakdownView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setMenuEnabled(False)
        self.plot.setLabel("bottom", "Share of the network's latency", units="%")
        self.plot.getPlotItem().getViewBox().setMouseEnabled(x=False, y=False)
        self._bars = pg.BarGraphItem(x0=[], y=[], height=0.7, width=[])
        self.plot.addItem(self._bars)
        self.op_table = _table(["Op", "Layers", "Latency", "Share", "MACs", "Energy"])
        self.top_table = _table(["#", "Layer", "Op", "Latency", "Share"])
        self.top_table.setToolTip("Click a layer to select it in every view")
        self.area_table = _table(["Component", "Area", "Source"])
        self._top_names: list[str] = []
        grid = QGridLayout(self)
        grid.setContentsMargins(2, 2, 2, 2)
        grid.addWidget(QLabel("<b>Time per op type</b>"), 0, 0)
        grid.addWidget(QLabel(f"<b>Slowest {TOP_N} layers</b>"), 0, 1)
        grid.addWidget(self.plot, 1, 0)
        grid.addWidget(self.top_table, 1, 1, 3, 1)
        grid.addWidget(self.op_table, 2, 0)
        grid.addWidget(QLabel("<b>Area per component</b> (from the description)"), 4, 0)
        grid.addWidget(self.area_table, 5, 0, 1, 2)
        grid.setRowStretch(1, 3)
        grid.setRowStretch(2, 2)
        grid.setRowStretch(5, 1)
        show_empty(self.plot, "No estimate yet")

    def attach(self, session: Session, host: Host) -> None:
        def show() -> None:
            made = session.result_for
            self.show_result(session.result, made.accelerator if made else session.accelerator)

        session.events.result_changed.connect(show)
        session.document.events.changed.connect(
            lambda _path: self.show_area(session.accelerator) if session.result is None
            else None)
        self.top_table.cellClicked.connect(
            lambda row, _col: session.select(self._top_names[row]))
        self.show_area(session.accelerator)

    def show_result(self, result, acc) -> None:
        self.show_area(acc)
        if result is None:
            _fill(self.op_table, [])
            _fill(self.top_table, [])
            self._bars.setOpts(x0=[], y=[], width=[])
            show_empty(self.plot, "No estimate yet")
            return
        ops = op_summary(result)
        _fill(self.op_table, [[o.op, str(o.layers), si(o.latency_s, "s"), percent(o.share),
                               count(o.macs), si(o.energy_j, "J")] for o in ops])
        shown = [o for o in ops if o.latency_s > 0][::-1]  # largest at the top
        colours = op_colours([o.op for o in ops])
        y = np.arange(len(shown), dtype=float)
        self._bars.setOpts(x0=np.zeros(len(shown)), y=y,
                           width=[100 * o.share for o in shown], height=0.7,
                           brushes=[colours[o.op] for o in shown], pen=None)
        self.plot.getAxis("left").setTicks([[(i, o.op) for i, o in enumerate(shown)]])
        show_empty(self.plot, None if shown else "No op takes time")
        self.plot.setXRange(0, 100 * max((o.share for o in shown), default=1.0) * 1.05,
                            padding=0)
        self.plot.setYRange(-0.6, len(shown) - 0.4, padding=0)
        top = top_layers(result, TOP_N)
        self._top_names = [layer.name for _n, layer in top]
        total = result.latency_s or 1.0
        _fill(self.top_table, [[str(n), x.name, x.op, si(x.latency_s, "s"),
                                percent(x.latency_s / total)] for n, x in top])

    def show_area(self, acc) -> None:
        if acc is None:
            return
        rows = area_breakdown(acc)
        total = sum(a for _c, a, _s in rows)
        _fill(self.area_table, [[c, f"{a:g} mm² ({percent(a / total) if total else '–'})", s]
                                for c, a, s in rows] + [["total", f"{total:g} mm²", ""]])
