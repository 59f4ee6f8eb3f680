"""The Explore tab's scatter: any two objectives of the explored designs against each
other (log axes where the values span a decade, units on the axes), the front of that
pair outlined and joined, a third objective as colour (viridis). Emits the plotted
point's number on hover and click; `explorer.explore.view_data.scatter` holds the data."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from explorer.explore.objectives import METRICS
from explorer.explore.view_data import (
    LABELS,
    Scatter,
    axis_label,
    axis_unit,
    fits_log,
    metric_text,
    scatter,
)
from explorer.gui.views.axes import QuantityAxis, show_empty

FRONT_COLOUR, OTHER_COLOUR = "#CC0066", "#9E9E9E"
_COLOURS = pg.colormap.get("viridis")


class MetricAxis(QuantityAxis):
    """QuantityAxis for any metric: with no unit, plain numbers ("0.5", "20")."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if self.logMode and not self.unit:
            return [f"{10 ** v:g}" for v in values]
        return super().tickStrings(values, scale, spacing)


class FrontPlot(QWidget):
    """Signals: `pointHovered(int)`, `pointClicked(int)`: the point's index in `shown`."""

    pointHovered = Signal(int)
    pointClicked = Signal(int)

    def __init__(self, tip: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        self.suite = False
        self.shown: Scatter | None = None
        self.x_combo, self.y_combo, self.colour_combo = QComboBox(), QComboBox(), QComboBox()
        for combo in (self.x_combo, self.y_combo, self.colour_combo):
            combo.activated.connect(lambda _i: self.redraw())
        self.x_axis, self.y_axis = MetricAxis("bottom", ""), MetricAxis("left", "")
        self.plot = pg.PlotWidget(axisItems={"bottom": self.x_axis, "left": self.y_axis})
        self.plot.setBackground("w")
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.getAxis("left").setWidth(80)
        self.others = pg.ScatterPlotItem(size=7, pen=None, hoverable=True, tip=tip,
                                         hoverPen=pg.mkPen("k", width=2))
        self.front_line = pg.PlotDataItem(pen=pg.mkPen(FRONT_COLOUR, width=1.5))
        self.front = pg.ScatterPlotItem(size=11, pen=pg.mkPen(FRONT_COLOUR, width=2),
                                        hoverable=True, tip=tip,
                                        hoverPen=pg.mkPen("k", width=3))
        for item in (self.others, self.front_line, self.front):
            self.plot.addItem(item)
        for item in (self.others, self.front):
            item.sigClicked.connect(
                lambda _i, points, _ev: self._emit(points, self.pointClicked))
            item.sigHovered.connect(
                lambda _i, points, _ev: self._emit(points, self.pointHovered))
        self.note = QLabel()
        self.note.setWordWrap(True)
        controls = QHBoxLayout()
        for label, combo in (("x:", self.x_combo), ("y:", self.y_combo),
                             ("colour:", self.colour_combo)):
            controls.addWidget(QLabel(label))
            controls.addWidget(combo)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(controls)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.note)
        show_empty(self.plot, "No exploration yet")

    @staticmethod
    def _emit(points: Any, signal: Any) -> None:
        if len(points):
            signal.emit(int(points[0].data()))

    def set_objectives(self, objectives: list[str], suite: bool) -> None:
        """Offer every metric, the objectives first: x, y and colour start on the first
        three objectives (area when there is only one)."""
        self.suite = suite
        metrics = objectives + [m for m in METRICS if m not in objectives]
        picks = [objectives[0], objectives[1] if len(objectives) > 1 else
                 ("area_mm2" if objectives[0] != "area_mm2" else "latency_s"),
                 objectives[2] if len(objectives) > 2 else None]
        for combo, pick in zip((self.x_combo, self.y_combo, self.colour_combo), picks):
            combo.clear()
            if combo is self.colour_combo:
                combo.addItem("(none)", None)
            for m in metrics:
                combo.addItem(LABELS[m], m)
            combo.setCurrentIndex(max(0, combo.findData(pick)))

    def choose(self, x: str, y: str, colour: str | None = None) -> None:
        for combo, metric in ((self.x_combo, x), (self.y_combo, y),
                              (self.colour_combo, colour)):
            combo.setCurrentIndex(max(0, combo.findData(metric)))
        self.redraw()

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.redraw()

    def redraw(self) -> None:
        x, y = self.x_combo.currentData(), self.y_combo.currentData()
        if x is None or y is None:
            return
        colour = self.colour_combo.currentData()
        data = self.shown = scatter(self.rows, x, y, colour)
        show_empty(self.plot, None if len(data.x) else "No feasible design to plot yet")
        for side, axis, metric, log in (("bottom", self.x_axis, x, data.log_x),
                                        ("left", self.y_axis, y, data.log_y)):
            axis.unit = axis_unit(metric, self.suite)
            axis.set_log(log)
            # linear: pyqtgraph puts the SI prefix into the title ("energy (mJ)"); log:
            # every tick carries its own unit; no unit: plain numbers, never "x0.001"
            linear_unit = axis.unit if not log and axis.unit else None
            axis.enableAutoSIPrefix(linear_unit is not None)
            self.plot.setLabel(side, axis_label(metric, self.suite), units=linear_unit)
        # scatter items do not follow the plot's log mode: they get log10 coordinates
        # and the axes label them as quantities
        xs = np.log10(data.x) if data.log_x else data.x
        ys = np.log10(data.y) if data.log_y else data.y
        brushes = self._brushes(data)
        rest = np.flatnonzero(~data.front)
        self.others.setData(x=xs[rest], y=ys[rest], data=rest,
                            brush=[brushes[i] for i in rest])
        order = data.front_order()
        self.front.setData(x=xs[order], y=ys[order], data=order,
                           brush=[brushes[i] for i in order])
        self.front_line.setData(xs[order], ys[order])
        self.plot.enableAutoRange()
        infeasible = (f"; {data.infeasible} infeasible or failed designs not plotted"
                      if data.infeasible else "")
        self.note.setText(self._colour_text(data) + infeasible)

    def _brushes(self, data: Scatter) -> list:
        values = data.colour
        finite = np.isfinite(values)
        if data.colour_metric is None or not finite.any():
            return [pg.mkBrush(FRONT_COLOUR if f else OTHER_COLOUR) for f in data.front]
        scaled = np.log10(values) if fits_log(values[finite].tolist()) else values.copy()
        low, high = np.nanmin(scaled[finite]), np.nanmax(scaled[finite])
        share = (scaled - low) / (high - low) if high > low else np.zeros_like(scaled)
        return [pg.mkBrush(_COLOURS.map(float(s), mode="qcolor")) if math.isfinite(s)
                else pg.mkBrush(OTHER_COLOUR) for s in share]

    def _colour_text(self, data: Scatter) -> str:
        front = "pink outline and line: the front of the shown pair"
        if data.colour_metric is None or not np.isfinite(data.colour).any():
            return front
        c = data.colour[np.isfinite(data.colour)]
        low = metric_text(data.colour_metric, float(c.min()), self.suite)
        high = metric_text(data.colour_metric, float(c.max()), self.suite)
        return f"{front}; colour: {LABELS[data.colour_metric]} from {low} (dark) to " \
               f"{high} (yellow)"
