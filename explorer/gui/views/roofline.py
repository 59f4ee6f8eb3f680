"""Roofline view: log-log achieved performance against operational intensity, with the
compute ceilings and one bandwidth roof per memory level of the accelerator description.

Data are plotted as log10 values on log-mode axes (pyqtgraph's scatter item has no log
mode of its own), so hover and click positions are in decades."""

from __future__ import annotations

import math
from collections import Counter

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from explorer.estimators.base import NetworkEstimate
from explorer.gui.views.axes import log_log_plot, show_empty
from explorer.gui.views.host import Host
from explorer.gui.views.style import SELECTION_COLOUR, legend_html, op_colours
from explorer.hardware.schema import Accelerator
from explorer.session import Session
from explorer.session.view_data import (
    Ceiling,
    RooflinePoint,
    limiting_roof,
    roofline_ceilings,
    roofline_points,
)
from explorer.units import binary_bytes, count, percent, plural, si

_BANDWIDTH_STYLES = [Qt.PenStyle.DashLine, Qt.PenStyle.DashDotLine, Qt.PenStyle.DotLine,
                     Qt.PenStyle.DashDotDotLine]


class RooflineView(QWidget):
    layerClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._points: list[RooflinePoint] = []
        self._ceilings: list[Ceiling] = []
        self._selected: str | None = None
        self.plot = log_log_plot(x_unit=None, y_unit="op/s")
        self.plot.setLabel("bottom", "Operational intensity (op/B of DRAM traffic)")
        self.plot.setLabel("left", "Achieved performance")
        # Ceilings are labelled on the plot, op types in a legend line above it: a legend
        # box inside the plot would cover the layers that sit under the roof.
        self.op_legend = QLabel()
        self.op_legend.setWordWrap(True)
        self._items: list[pg.GraphicsObject] = []  # points, per estimate
        self._ceiling_items: list[pg.GraphicsObject] = []  # roofs, per accelerator
        self._items_target = self._items
        self._ceilings_key: tuple | None = None
        # The layer points are one item, kept and updated with setData: re-creating it
        # (89 points, hover, per-point brushes) on every estimate cost the UI ~15 ms.
        self._scatter = pg.ScatterPlotItem(size=8, pen=pg.mkPen("w", width=0.5),
                                           hoverable=True, tip=self._tip, hoverSize=12)
        self._scatter.sigClicked.connect(self._on_clicked)
        self._highlight = pg.ScatterPlotItem(size=18, symbol="o", brush=None,
                                             pen=pg.mkPen(SELECTION_COLOUR, width=2.5))
        self.caption = QLabel()
        self.caption.setObjectName("viewCaption")
        header = QHBoxLayout()
        header.addWidget(QLabel("<b>Roofline</b>"))
        header.addStretch(1)
        header.addWidget(self.caption)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(header)
        layout.addWidget(self.op_legend)
        layout.addWidget(self.plot, 1)
        show_empty(self.plot, "No estimate yet")

    def attach(self, session: Session, host: Host) -> None:
        def show() -> None:  # against the ceilings of the design the result is for
            made = session.result_for
            self.set_result(session.result, made.accelerator if made else None)

        session.events.result_changed.connect(show)
        session.events.selection_changed.connect(self.set_selected)
        self.layerClicked.connect(session.select)

    # -- public -------------------------------------------------------------------------
    def set_result(self, result: NetworkEstimate | None, acc: Accelerator | None) -> None:
        self._points = roofline_points(result, acc) if result and acc else []
        self._ceilings = roofline_ceilings(acc) if acc else []
        skipped = (len(result.layers) - len(self._points)) if result else 0
        self.caption.setText(plural(len(self._points), "layer")
                             + (f" ({skipped} without arithmetic or traffic not shown)"
                                if skipped else ""))
        self._redraw()

    def point_count(self) -> int:
        return len(self._points)

    def set_selected(self, name: str | None) -> None:
        self._selected = name
        self._draw_highlight()

    def legend_html(self) -> str:
        """The colour legend shown above the plot (for reports)."""
        return self.op_legend.text()

    # -- drawing ------------------------------------------------------------------------
    def _redraw(self) -> None:
        # Ceilings (lines and labels) are rebuilt only when the accelerator's roofs or
        # the intensity range change; a new estimate usually only moves the points.
        x_range = self._x_range()
        key = (tuple(self._ceilings), x_range)
        if key != self._ceilings_key:
            for item in self._ceiling_items:
                self.plot.removeItem(item)
            self._ceiling_items.clear()
            self._ceilings_key = key
            if self._ceilings:
                self._items_target = self._ceiling_items
                self._draw_ceilings(*x_range)
        for item in self._items:
            self.plot.removeItem(item)
        self._items.clear()
        if not self._points and not self._ceilings:
            self.op_legend.setText("")
            self._scatter.setData(x=[], y=[])
            self._highlight.setData(x=[], y=[])
            show_empty(self.plot, "No estimate to show")
            return
        show_empty(self.plot, None)
        self._items_target = self._items
        self._draw_points()
        for item in (self._scatter, self._highlight):  # highlight on top of the points
            if item.scene() is None:
                self.plot.addItem(item)
        self._draw_highlight()
        performances = [p.performance for p in self._points]
        peak = max((c.value for c in self._ceilings if c.kind == "compute"),
                   default=max(performances, default=1.0))
        y_hi = math.log10(peak) + 0.4
        y_lo = math.floor(math.log10(min(performances, default=peak / 1e4))) - 0.3
        self.plot.setXRange(*x_range, padding=0)
        self.plot.setYRange(y_lo, y_hi, padding=0)

    def _x_range(self) -> tuple[float, float]:
        intensities = [p.intensity for p in self._points] or [0.1, 1000.0]
        x_lo = math.floor(math.log10(min(intensities))) - 0.5
        x_hi = math.ceil(math.log10(max(intensities))) + 0.5
        compute = [c.value for c in self._ceilings if c.kind == "compute"]
        for ceiling in self._ceilings:  # keep every ridge point in view
            if ceiling.kind == "bandwidth" and compute:
                x_hi = max(x_hi, math.log10(max(compute) / ceiling.value) + 0.5)
        return (x_lo, x_hi)

    def _draw_ceilings(self, x_lo: float, x_hi: float) -> None:
        compute = [c for c in self._ceilings if c.kind == "compute"]
        if not compute:
            return
        peak = max(c.value for c in compute)
        for ceiling in compute:
            is_peak = ceiling.value == peak
            pen = pg.mkPen("#333333", width=2 if is_peak else 1.5,
                           style=Qt.PenStyle.SolidLine if is_peak else Qt.PenStyle.DotLine)
            y = math.log10(ceiling.value)
            self._add(pg.PlotDataItem([x_lo, x_hi], [y, y], pen=pen))
            self._label(f"{ceiling.label} {si(ceiling.value, 'op/s')}", x_hi, y,
                        anchor=(1.0, 1.0))
        # Memories with the same bandwidth share one roof (and one label).
        roofs: dict[float, list[str]] = {}
        for ceiling in (c for c in self._ceilings if c.kind == "bandwidth"):
            roofs.setdefault(ceiling.value, []).append(ceiling.label)
        for i, (value, labels) in enumerate(sorted(roofs.items())):
            ridge = math.log10(peak / value)  # intensity where this roof meets the peak
            end = min(max(ridge, x_lo), x_hi)
            is_dram = "DRAM" in labels
            pen = pg.mkPen("#222222" if is_dram else "#666666", width=2 if is_dram else 1.3,
                           style=Qt.PenStyle.SolidLine if is_dram
                           else _BANDWIDTH_STYLES[i % len(_BANDWIDTH_STYLES)])
            self._add(pg.PlotDataItem([x_lo, end], [x_lo + math.log10(value),
                                                    end + math.log10(value)], pen=pen))
            # Along the slope, a third of the way up from the left edge; DRAM's label
            # below its roof (where the memory-bound layers are), the others above theirs.
            x = x_lo + (0.65 if is_dram else 0.3) * (end - x_lo)
            y = x + math.log10(value)
            if is_dram:  # shift below-right so the text clears the line
                x, y = x + 0.12, y - 0.12
            self._label(f"{', '.join(labels)} {si(value, 'B/s')}", x, y,
                        anchor=(0.0, 0.0 if is_dram else 1.0), along_slope=True)

    def _label(self, text: str, x: float, y: float, anchor: tuple[float, float],
               along_slope: bool = False) -> None:
        # rotateAxis: the text's baseline follows the data direction (1, 1), i.e. the
        # roof's slope on log-log axes, whatever the plot's aspect ratio.
        item = pg.TextItem(text, color="#333333", anchor=anchor,
                           rotateAxis=(1, 1) if along_slope else None)
        item.setPos(x, y)
        self._add(item)

    def _draw_points(self) -> None:
        ops_by_frequency = [op for op, _n in Counter(p.op for p in self._points).most_common()]
        colours = op_colours(ops_by_frequency)
        legend = legend_html([(op, colours[op]) for op in ops_by_frequency], symbol="●")
        if legend != self.op_legend.text():
            self.op_legend.setText(legend)
        brushes = {op: pg.mkBrush(colour) for op, colour in colours.items()}
        self._scatter.setData(
            x=[math.log10(p.intensity) for p in self._points],
            y=[math.log10(p.performance) for p in self._points],
            data=[p.name for p in self._points],
            brush=[brushes[p.op] for p in self._points])

    def _add(self, item: pg.GraphicsObject) -> None:
        self.plot.addItem(item)
        self._items_target.append(item)

    def _draw_highlight(self) -> None:
        point = next((p for p in self._points if p.name == self._selected), None)
        if point is None:
            self._highlight.setData(x=[], y=[])
        else:
            self._highlight.setData(x=[math.log10(point.intensity)],
                                    y=[math.log10(point.performance)])

    # -- interaction --------------------------------------------------------------------
    def _tip(self, x: float, y: float, data: object) -> str:
        point = next((p for p in self._points if p.name == data), None)
        if point is None:
            return str(data)
        lines = [f"{point.name} ({point.op})",
                 f"intensity: {si(point.intensity, 'op/B')} (per byte of DRAM traffic)",
                 f"performance: {si(point.performance, 'op/s')}"]
        if self._ceilings:
            roof, attainable = limiting_roof(point, self._ceilings)
            kind = "bandwidth" if roof.kind == "bandwidth" else "peak"
            lines.append(f"limited by: {roof.label} {kind} — roof here "
                         f"{si(attainable, 'op/s')}, achieved "
                         f"{percent(point.performance / attainable)} of it")
        return "\n".join([*lines,
                          f"ops: {count(point.ops)}, traffic: {binary_bytes(point.bytes)}",
                          f"latency: {si(point.latency_s, 's')}"])

    def _on_clicked(self, _item: object, points: list, _event: object) -> None:
        if len(points):
            self.layerClicked.emit(str(points[0].data()))

    def click_point(self, name: str) -> None:
        """Act as if the user clicked the point of layer `name` (tests)."""
        if any(p.name == name for p in self._points):
            self.layerClicked.emit(name)
