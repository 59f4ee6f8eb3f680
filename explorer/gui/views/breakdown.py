"""The Breakdown tab: where the time goes by op type (chart and table), the slowest
layers (click one to select it), energy and traffic per memory level (chart and table,
where the estimator reports them), and area per component. The numbers come from
`session.analysis` and `session.levels`, which `accel-explorer inspect` prints too."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.gui.views.axes import show_empty
from explorer.gui.views.host import Host
from explorer.gui.views.style import op_colours
from explorer.session import Session
from explorer.session.analysis import area_breakdown, op_summary, top_layers
from explorer.session.levels import level_breakdown
from explorer.units import binary_bytes, count, percent, si

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
        self.level_plot = pg.PlotWidget()
        self.level_plot.setBackground("w")
        self.level_plot.setMenuEnabled(False)
        self.level_plot.setLabel("bottom", "Share of the network's energy", units="%")
        self.level_plot.getPlotItem().getViewBox().setMouseEnabled(x=False, y=False)
        self._level_bars = pg.BarGraphItem(x0=[], y=[], height=0.7, width=[])
        self.level_plot.addItem(self._level_bars)
        self.level_table = _table(["Level", "Read", "Written", "Energy", "Share"])
        # four to six bars and table rows: room for each label at any window height
        self.level_plot.setMinimumHeight(150)
        self.level_table.setMinimumHeight(130)
        self._top_names: list[str] = []
        # Two columns, three rows: the charts side by side, their tables under them,
        # then the slowest layers beside the area. Inside a scroll area, so that a low
        # window scrolls instead of squashing the charts' labels together.
        content = QWidget()
        grid = QGridLayout(content)
        grid.setContentsMargins(2, 2, 2, 2)
        grid.addWidget(QLabel("<b>Time per op type</b>"), 0, 0)
        grid.addWidget(QLabel("<b>Energy per memory level</b> (and compute)"), 0, 1)
        grid.addWidget(self.plot, 1, 0)
        grid.addWidget(self.level_plot, 1, 1)
        grid.addWidget(self.op_table, 2, 0)
        grid.addWidget(self.level_table, 2, 1)
        grid.addWidget(QLabel(f"<b>Slowest {TOP_N} layers</b>"), 3, 0)
        grid.addWidget(QLabel("<b>Area per component</b> (from the description)"), 3, 1)
        grid.addWidget(self.top_table, 4, 0)
        grid.addWidget(self.area_table, 4, 1)
        for row, stretch in ((1, 3), (2, 2), (4, 2)):
            grid.setRowStretch(row, stretch)
        self.plot.setMinimumHeight(150)
        for table in (self.op_table, self.top_table, self.area_table):
            table.setMinimumHeight(130)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        show_empty(self.plot, "No estimate yet")
        show_empty(self.level_plot, "No estimate yet")

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
        self.show_levels(result, acc)
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

    def show_levels(self, result, acc) -> None:
        """Energy per memory level (and compute) as bars, with each level's traffic."""
        rows = level_breakdown(result, acc) if result is not None and acc is not None else []
        total = sum(row.energy_j or 0.0 for row in rows)
        _fill(self.level_table, [
            [row.level, "–" if row.read_bytes is None else binary_bytes(row.read_bytes),
             "–" if row.write_bytes is None else binary_bytes(row.write_bytes),
             si(row.energy_j, "J"), percent((row.energy_j or 0.0) / total) if total else "–"]
            for row in rows])
        shown = [row for row in rows if row.energy_j is not None][::-1]  # DRAM at the top
        if not shown or total <= 0:
            self._level_bars.setOpts(x0=[], y=[], width=[])
            show_empty(self.level_plot, "No estimate yet" if result is None else
                       f"{result.estimator} reports no per-level traffic; depgraph and "
                       "simulate do")
            return
        palette = op_colours([row.level for row in rows])
        self._level_bars.setOpts(x0=np.zeros(len(shown)), y=np.arange(len(shown), dtype=float),
                                 width=[100 * (row.energy_j or 0.0) / total for row in shown],
                                 height=0.7, brushes=[palette[row.level] for row in shown],
                                 pen=None)
        self.level_plot.getAxis("left").setTicks([[(i, row.level.split(" (")[0])
                                                   for i, row in enumerate(shown)]])
        show_empty(self.level_plot, None)
        largest = max(100 * (row.energy_j or 0.0) / total for row in shown)
        self.level_plot.setXRange(0, largest * 1.05, padding=0)
        self.level_plot.setYRange(-0.6, len(shown) - 0.4, padding=0)
