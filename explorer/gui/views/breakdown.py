"""The Breakdown tab: where the time, the energy and the DRAM traffic go by op type
(charts and a table), energy and traffic per memory level (charts and a table, where the
estimator reports them), area per component (chart and table), and the slowest layers
(click one to select it). The numbers come from `session.analysis` and
`session.levels`, which `accel-explorer inspect` prints too."""

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
from explorer.units import binary_bytes, binary_unit, count, percent, si

TOP_N = 15
_PALE = "60"  # alpha appended to a bar's colour for its stacked (written) segment


class BarChart:
    """Horizontal bars, one labelled row each, the first row at the top; `stacked`
    continues each bar with a second segment (traffic written after read)."""

    def __init__(self, x_label: str, units: str | None = None) -> None:
        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setMenuEnabled(False)
        # the unit in the title as given: pyqtgraph's SI prefix would turn mm² into mmm²
        self.plot.setLabel("bottom", f"{x_label} ({units})" if units else x_label)
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.plot.getPlotItem().getViewBox().setMouseEnabled(x=False, y=False)
        self.bars = pg.BarGraphItem(x0=[], y=[], height=0.7, width=[])
        self.stacked = pg.BarGraphItem(x0=[], y=[], height=0.7, width=[])
        self.plot.addItem(self.bars)
        self.plot.addItem(self.stacked)
        # four to eight bars: room for each label at any window height (the tab scrolls)
        self.plot.setMinimumHeight(150)
        self.scale = 1.0  # bytes per unit of the axis, for traffic in KiB/MiB/GiB
        show_empty(self.plot, "No estimate yet")

    def show(self, labels: list[str], widths: list[float], colours: list[str],
             stacked: list[float] | None = None) -> None:
        labels, widths, colours = labels[::-1], widths[::-1], colours[::-1]  # y=0: bottom
        y = np.arange(len(labels), dtype=float)
        self.bars.setOpts(x0=np.zeros(len(labels)), y=y, width=widths, height=0.7,
                          brushes=colours, pen=None)
        ends = list(widths)
        if stacked is not None:  # the same colour, pale
            stacked = stacked[::-1]
            self.stacked.setOpts(x0=widths, y=y, width=stacked, height=0.7,
                                 brushes=[c + _PALE for c in colours], pen=None)
            ends = [a + b for a, b in zip(widths, stacked, strict=True)]
        else:
            self.stacked.setOpts(x0=[], y=[], width=[])
        self.plot.getAxis("left").setTicks([list(enumerate(labels))])
        show_empty(self.plot, None)
        self.plot.setXRange(0, max(ends, default=1.0) * 1.05 or 1.0, padding=0)
        self.plot.setYRange(-0.6, len(labels) - 0.4, padding=0)

    def clear(self, message: str) -> None:
        for item in (self.bars, self.stacked):
            item.setOpts(x0=[], y=[], width=[])
        self.plot.getAxis("left").setTicks([[]])
        show_empty(self.plot, message)


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
        self.op_chart = BarChart("Share of the network's latency", units="%")
        self.op_energy_chart = BarChart("Share of the network's energy", units="%")
        self.op_traffic_chart = BarChart("Share of the network's DRAM traffic", units="%")
        self.level_chart = BarChart("Share of the network's energy", units="%")
        self.level_traffic_chart = BarChart("Traffic")
        self.area_chart = BarChart("Area", units="mm²")
        self.op_table = _table(["Op", "Layers", "Latency", "Share", "MACs", "Energy",
                                "DRAM traffic"])
        self.top_table = _table(["#", "Layer", "Op", "Latency", "Share"])
        self.top_table.setToolTip("Click a layer to select it in every view")
        self.area_table = _table(["Component", "Area", "Source"])
        self.level_table = _table(["Level", "Read", "Written", "Energy", "Share"])
        self._top_names: list[str] = []
        traffic_title = QLabel("<b>Traffic per memory level</b> (solid read, pale written)")
        # Two columns: per op type on the left, per memory level and per component on
        # the right, each chart with its title; the tables under them. Inside a scroll
        # area, so that a low window scrolls instead of squashing the charts' labels.
        content = QWidget()
        grid = QGridLayout(content)
        grid.setContentsMargins(2, 2, 2, 2)
        cells = [(QLabel("<b>Time per op type</b>"), self.op_chart.plot,
                  QLabel("<b>Energy per memory level</b> (and compute)"),
                  self.level_chart.plot),
                 (QLabel("<b>Energy per op type</b>"), self.op_energy_chart.plot,
                  traffic_title, self.level_traffic_chart.plot),
                 (QLabel("<b>DRAM traffic per op type</b> (read and written)"),
                  self.op_traffic_chart.plot,
                  QLabel("<b>Area per component</b> (from the description)"),
                  self.area_chart.plot)]
        row = 0
        for left_title, left, right_title, right in cells:
            grid.addWidget(left_title, row, 0)
            grid.addWidget(right_title, row, 1)
            grid.addWidget(left, row + 1, 0)
            grid.addWidget(right, row + 1, 1)
            grid.setRowStretch(row + 1, 3)
            row += 2
        grid.addWidget(QLabel("<b>Per op type</b>"), row, 0)
        grid.addWidget(QLabel("<b>Per memory level</b>"), row, 1)
        grid.addWidget(self.op_table, row + 1, 0)
        grid.addWidget(self.level_table, row + 1, 1)
        grid.addWidget(QLabel(f"<b>Slowest {TOP_N} layers</b>"), row + 2, 0)
        grid.addWidget(QLabel("<b>Area per component</b>"), row + 2, 1)
        grid.addWidget(self.top_table, row + 3, 0)
        grid.addWidget(self.area_table, row + 3, 1)
        for stretch_row in (row + 1, row + 3):
            grid.setRowStretch(stretch_row, 2)
        for table in (self.op_table, self.top_table, self.area_table, self.level_table):
            table.setMinimumHeight(130)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

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
            for chart in (self.op_chart, self.op_energy_chart, self.op_traffic_chart):
                chart.clear("No estimate yet")
            return
        ops = op_summary(result)
        _fill(self.op_table, [[o.op, str(o.layers), si(o.latency_s, "s"), percent(o.share),
                               count(o.macs), si(o.energy_j, "J"), binary_bytes(o.dram_bytes)]
                              for o in ops])
        colours = op_colours([o.op for o in ops])
        for chart, share, missing in (
                (self.op_chart, lambda o: o.share, "No op takes time"),
                (self.op_energy_chart, lambda o: o.energy_share,
                 f"{result.estimator} reports no energy for every layer"),
                (self.op_traffic_chart, lambda o: o.dram_share,
                 f"{result.estimator} reports no DRAM traffic per layer; depgraph and "
                 "simulate do")):
            shown = sorted((o for o in ops if share(o)), key=lambda o: -share(o))
            if shown:
                chart.show([o.op for o in shown], [100 * share(o) for o in shown],
                           [colours[o.op] for o in shown])
            else:
                chart.clear(missing)
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
        if total > 0:
            palette = op_colours([c for c, _a, _s in rows])
            self.area_chart.show([c for c, _a, _s in rows], [a for _c, a, _s in rows],
                                 [palette[c] for c, _a, _s in rows])
        else:
            self.area_chart.clear("The description states no area")

    def show_levels(self, result, acc) -> None:
        """Energy per memory level (and compute) as bars, and each level's traffic, read
        and written, as stacked bars in one binary unit."""
        rows = level_breakdown(result, acc) if result is not None and acc is not None else []
        total = sum(row.energy_j or 0.0 for row in rows)
        _fill(self.level_table, [
            [row.level, "–" if row.read_bytes is None else binary_bytes(row.read_bytes),
             "–" if row.write_bytes is None else binary_bytes(row.write_bytes),
             si(row.energy_j, "J"), percent((row.energy_j or 0.0) / total) if total else "–"]
            for row in rows])
        shown = [row for row in rows if row.energy_j is not None]
        if not shown or total <= 0:
            message = ("No estimate yet" if result is None else
                       f"{result.estimator} reports no per-level traffic; depgraph and "
                       "simulate do")
            self.level_chart.clear(message)
            self.level_traffic_chart.clear(message)
            return
        palette = op_colours([row.level for row in rows])
        self.level_chart.show([row.level.split(" (")[0] for row in shown],
                              [100 * (row.energy_j or 0.0) / total for row in shown],
                              [palette[row.level] for row in shown])
        moved = [row for row in rows if row.bytes is not None]
        chart = self.level_traffic_chart
        chart.scale, unit = binary_unit(max((row.bytes or 0.0 for row in moved), default=0.0))
        chart.plot.setLabel("bottom", f"Traffic ({unit})")
        chart.show([row.level for row in moved],
                   [(row.read_bytes or 0.0) / chart.scale for row in moved],
                   [palette[row.level] for row in moved],
                   stacked=[(row.write_bytes or 0.0) / chart.scale for row in moved])
