"""Roofline view: log-log achieved performance against operational intensity, with the
compute ceilings and one bandwidth roof per memory level of the accelerator description.
It is hierarchical: a layer's intensity is counted per memory level (explorer.session.
levels), the "Level" choice plots it against one level's traffic or every level's at
once, and each layer's bound level (the lowest roof over it) is named.

Data are plotted as log10 values on log-mode axes (pyqtgraph's scatter item has no log
mode of its own), so hover and click positions are in decades."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPolygonF
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from explorer.estimators.base import NetworkEstimate
from explorer.gui.views.axes import log_log_plot, show_empty
from explorer.gui.views.host import Host
from explorer.gui.views.style import SELECTION_COLOUR, legend_html, op_colours
from explorer.hardware.schema import Accelerator
from explorer.session import Session
from explorer.session.levels import (
    COMPULSORY,
    DRAM,
    HierarchicalRoofline,
    LayerLevels,
    hierarchical_roofline,
)
from explorer.session.view_data import Ceiling
from explorer.units import binary_bytes, count, percent, plural, si

ALL_LEVELS = "all levels"
# One colour per memory level in the all-levels plot (and on its roof): inner levels
# warm, DRAM black, so the eye reads the hierarchy outwards.
_LEVEL_PALETTE = ["#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#0072B2"]

# Where a ceiling's label may go when its preferred spots are taken (layers crowd near
# the ridge and the peak): every twentieth of the way along its line.
_SWEEP = [i / 20 for i in range(1, 20)]

_BANDWIDTH_STYLES = [Qt.PenStyle.DashLine, Qt.PenStyle.DashDotLine, Qt.PenStyle.DotLine,
                     Qt.PenStyle.DashDotDotLine]


class RooflineView(QWidget):
    layerClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model: HierarchicalRoofline | None = None
        self._points: list[LayerLevels] = []  # the layers plotted at the chosen level(s)
        self._entries: list[tuple[LayerLevels, str]] = []  # one per scatter point
        self._ceilings: list[Ceiling] = []
        self._selected: str | None = None
        self._wanted = DRAM  # the user's level choice, kept across results
        self.plot = log_log_plot(x_unit=None, y_unit="op/s")
        self.plot.setLabel("left", "Achieved performance")
        # Ceilings are labelled on the plot, op types in a legend line above it: a legend
        # box inside the plot would cover the layers that sit under the roof.
        self.op_legend = QLabel()
        self.op_legend.setWordWrap(True)
        self.bound_note = QLabel()
        self.bound_note.setWordWrap(True)
        self.bound_note.setObjectName("viewCaption")
        self.level_box = QComboBox()
        self.level_box.setToolTip(
            "Memory level whose traffic the intensity counts; 'all levels' plots every "
            "layer once per level (the hierarchical roofline)")
        self.level_box.currentTextChanged.connect(self._on_level_chosen)
        self._items: list[pg.GraphicsObject] = []  # points, per estimate
        self._ceiling_items: list[pg.GraphicsObject] = []  # roofs, per accelerator
        self._items_target = self._items
        self._ceilings_key: tuple | None = None
        # (label, x_lo, end, log10 bandwidth, is DRAM) of each roof, placed by _declutter
        self._roof_labels: list[tuple[pg.TextItem, float, float, float, bool]] = []
        # (label, x_lo, x_hi, log10 peak) of each compute ceiling, placed by _declutter
        self._peak_labels: list[tuple[pg.TextItem, float, float, float]] = []
        self._hidden_roofs: list[str] = []  # legend entries of labels with no room here
        self._legend = ""
        # The layer points are one item, kept and updated with setData: re-creating it
        # (89 points, hover, per-point brushes) on every estimate cost the UI ~15 ms.
        self._scatter = pg.ScatterPlotItem(size=8, pen=pg.mkPen("w", width=0.5),
                                           hoverable=True, tip=self._tip, hoverSize=12)
        self._scatter.sigClicked.connect(self._on_clicked)
        self._highlight = pg.ScatterPlotItem(size=18, symbol="o", brush=None,
                                             pen=pg.mkPen(SELECTION_COLOUR, width=2.5))
        self.caption = QLabel()
        self.caption.setObjectName("viewCaption")
        # wraps rather than widening the view (and squeezing the accelerator form)
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header = QHBoxLayout()
        header.addWidget(QLabel("<b>Roofline</b>"))
        header.addWidget(QLabel("Level:"))
        header.addWidget(self.level_box)
        header.addWidget(self.caption, 1)
        # Room for the roofs' labels along their slopes and the axis titles; the bars
        # beside it take the rest.
        self.setMinimumWidth(380)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(header)
        layout.addWidget(self.op_legend)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.bound_note)
        self._set_x_label()
        # Label room depends on the plot's size in pixels: place them again on resize.
        self.plot.getPlotItem().getViewBox().sigResized.connect(self._declutter)
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
        self._model = hierarchical_roofline(result, acc) if result and acc else None
        self._ceilings = self._model.ceilings if self._model else []
        levels = self._model.levels if self._model else []
        self.level_box.blockSignals(True)
        self.level_box.clear()
        self.level_box.addItems(levels + ([ALL_LEVELS] if len(levels) > 1 else []))
        if self._wanted in levels or (self._wanted == ALL_LEVELS and len(levels) > 1):
            self.level_box.setCurrentText(self._wanted)
        elif DRAM in levels:
            self.level_box.setCurrentText(DRAM)
        self.level_box.blockSignals(False)
        self.level_box.setEnabled(len(levels) > 1)
        compulsory = bool(self._model and self._model.layers
                          and self._model.layers[0].basis == COMPULSORY)
        self.level_box.setToolTip(
            "This estimator reports DRAM traffic only (each tensor moved once); depgraph "
            "and simulate report every memory level" if compulsory else
            "Memory level whose traffic the intensity counts; 'all levels' plots every "
            "layer once per level (the hierarchical roofline)")
        self._show_level()

    def level(self) -> str:
        """The memory level plotted, or ALL_LEVELS."""
        return self.level_box.currentText() or DRAM

    def set_level(self, level: str) -> None:
        self.level_box.setCurrentText(level)

    def point_count(self) -> int:
        return len(self._points)

    def set_selected(self, name: str | None) -> None:
        self._selected = name
        self._draw_highlight()

    def legend_html(self) -> str:
        """The colour legend shown above the plot (for reports)."""
        return self.op_legend.text()

    # -- levels -------------------------------------------------------------------------
    def _on_level_chosen(self, level: str) -> None:
        if level:
            self._wanted = level
            self._show_level()

    def _show_level(self) -> None:
        model, level = self._model, self.level()
        if model is None:
            self._points, self._entries = [], []
        elif level == ALL_LEVELS:
            self._points = list(model.layers)
            self._entries = [(layer, name) for layer in model.layers for name in model.levels
                             if layer.intensity(name) is not None]
        else:
            self._points = [layer for layer in model.layers if layer.intensity(level)]
            self._entries = [(layer, level) for layer in self._points]
        hidden = (len(model.layers) - len(self._points) if model else 0)
        skipped = (model.skipped if model else 0) + hidden
        self.caption.setText(plural(len(self._points), "layer")
                             + (f" ({skipped} without arithmetic or traffic"
                                + (" here" if hidden else "") + " not shown)"
                                if skipped else ""))
        self._set_x_label()
        self._note_bounds()
        self._redraw()

    def _set_x_label(self) -> None:
        level = self.level()
        traffic = "each level's traffic" if level == ALL_LEVELS else f"{level} traffic"
        self.plot.setLabel("bottom", f"Operational intensity (op/B of {traffic})")

    def _note_bounds(self) -> None:
        if self._model is None or not self._model.layers:
            self.bound_note.setText("")
            return
        counts = self._model.bound_counts().most_common()
        basis = ("estimated traffic" if self._model.layers[0].basis != COMPULSORY
                 else "compulsory DRAM traffic only")
        self.bound_note.setText(
            "Bound level (lowest roof) of the layers: "
            + ", ".join(f"{level} {n}" for level, n in counts) + f" · {basis}")
        self.bound_note.setToolTip("How many layers each memory level's roof or compute "
                                   "peak caps lowest; hover a point for its own")

    def _level_colours(self) -> dict[str, str]:
        levels = self._model.levels if self._model else []
        inner = [name for name in levels if name != DRAM]
        colours = {name: _LEVEL_PALETTE[i % len(_LEVEL_PALETTE)] for i, name in enumerate(inner)}
        colours[DRAM] = "#000000"
        return colours

    # -- drawing ------------------------------------------------------------------------
    def _redraw(self) -> None:
        # Ceilings (lines and labels) are rebuilt only when the accelerator's roofs, the
        # level shown or the intensity range change; a new estimate usually only moves
        # the points.
        x_range = self._x_range()
        key = (tuple(self._ceilings), x_range, self.level())
        if key != self._ceilings_key:
            for item in self._ceiling_items:
                self.plot.removeItem(item)
            self._ceiling_items.clear()
            self._roof_labels.clear()
            self._peak_labels.clear()
            self._ceilings_key = key
            if self._ceilings:
                self._items_target = self._ceiling_items
                self._draw_ceilings(*x_range)
        for item in self._items:
            self.plot.removeItem(item)
        self._items.clear()
        if not self._points and not self._ceilings:
            self._legend = ""
            self._show_legend()
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
        y_hi = math.log10(peak) + 0.6
        y_lo = math.floor(math.log10(min(performances, default=peak / 1e4))) - 0.3
        self.plot.setXRange(*x_range, padding=0)
        self.plot.setYRange(y_lo, y_hi, padding=0)
        self._declutter()

    def _x_range(self) -> tuple[float, float]:
        intensities = [layer.intensity(level) for layer, level in self._entries]
        values = [v for v in intensities if v] or [0.1, 1000.0]
        x_lo = math.floor(math.log10(min(values))) - 0.5
        x_hi = math.ceil(math.log10(max(values))) + 0.5
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
            item = self._label(f"{ceiling.label} {si(ceiling.value, 'op/s')}", x_hi, y,
                               anchor=(1.0, 1.0))
            self._peak_labels.append((item, x_lo, x_hi, y))
        # Memories with the same bandwidth share one roof (and one label).
        roofs: dict[float, list[str]] = {}
        for ceiling in (c for c in self._ceilings if c.kind == "bandwidth"):
            roofs.setdefault(ceiling.value, []).append(ceiling.label)
        shown, colours = self.level(), self._level_colours()
        for i, (value, labels) in enumerate(sorted(roofs.items())):
            ridge = math.log10(peak / value)  # intensity where this roof meets the peak
            end = min(max(ridge, x_lo), x_hi)
            is_dram = DRAM in labels
            style = (Qt.PenStyle.SolidLine if is_dram
                     else _BANDWIDTH_STYLES[i % len(_BANDWIDTH_STYLES)])
            if shown == ALL_LEVELS:  # each roof in its level's colour, as its points
                pen = pg.mkPen(colours.get(labels[0], "#666666"), width=1.8, style=style)
            elif shown in labels:  # the level plotted: its roof is the one that bounds
                pen = pg.mkPen("#222222", width=2.2, style=Qt.PenStyle.SolidLine)
            else:
                pen = pg.mkPen("#9a9a9a", width=1.1, style=style)
            self._add(pg.PlotDataItem([x_lo, end], [x_lo + math.log10(value),
                                                    end + math.log10(value)], pen=pen))
            # Along the slope; DRAM's label below its roof (where the memory-bound layers
            # are), the on-chip ones where they clear the others (_declutter).
            item = self._label(f"{', '.join(labels)} {si(value, 'B/s')}", x_lo, x_lo,
                               anchor=(0.0, 0.0), along_slope=True)
            self._roof_labels.append((item, x_lo, end, math.log10(value), is_dram))

    # Where an on-chip roof's label may go: (share of the way along the roof, above it).
    _SPOTS = [(fraction, above) for fraction in (0.3, 0.08, 0.55, 0.8, 0.19, 0.42, 0.67)
              for above in (True, False)] + \
        [(fraction, above) for fraction in _SWEEP for above in (True, False)]
    # DRAM's below its roof first, where the memory-bound layers are
    _DRAM_SPOTS = [(fraction, False) for fraction in (0.65, 0.45, 0.8, 0.3, 0.55)] + \
        [(fraction, True) for fraction in (0.65, 0.45, 0.8)] + \
        [(fraction, above) for above in (False, True) for fraction in _SWEEP]
    # A compute ceiling's: (share of the way along it, gap to the line in px, above it);
    # at the right end first, the left end is usually free of layers. With a gap the
    # label clears layers at the peak, whose points reach above the line.
    _PEAK_SPOTS = [(fraction, gap, above) for above in (True, False)
                   for fraction in (1.0, 0.0, *_SWEEP) for gap in (0, 7)]

    def _declutter(self) -> None:
        """Place the ceilings' labels so that none overlaps another, a layer's point or
        leaves the plot: the compute peaks' first, then DRAM's along its slope, then each
        on-chip roof's, at the first spot that is free at the plot's current size (roofs
        of close bandwidths run close together, layers crowd near the ridge); a label with
        no free spot is hidden and named in the legend line instead."""
        view = self.plot.getPlotItem().getViewBox()
        view.updateMatrix()  # a new range reaches the transform only at the next paint
        inside = view.sceneBoundingRect()
        points = self._point_boxes()
        placed: list[QPolygonF] = []
        hidden: list[str] = []

        def fits(item: pg.TextItem) -> bool:
            outline = self._outline(item)
            if not inside.contains(self._outline(item, 0.0).boundingRect()) or \
                    any(outline.intersects(other) for other in placed) or \
                    self._covers(outline, points):
                return False
            placed.append(outline)
            return True

        pixel = view.viewPixelSize()[1]  # decades per pixel, vertically
        for item, x_lo, x_hi, y in self._peak_labels:
            for fraction, gap, above in self._PEAK_SPOTS:
                item.setVisible(True)
                item.setAnchor((fraction, 1.0 if above else 0.0))
                item.setPos(x_lo + fraction * (x_hi - x_lo),
                            y + (gap if above else -gap) * pixel)
                if fits(item):
                    break
            else:
                item.setVisible(False)
                hidden.append(f"─&nbsp;{item.textItem.toPlainText()}")
        order = sorted(self._roof_labels, key=lambda roof: not roof[4])  # DRAM first
        for item, x_lo, end, offset, is_dram in order:
            spots = self._DRAM_SPOTS if is_dram else self._SPOTS
            for fraction, above in spots:
                x = x_lo + fraction * (end - x_lo)
                y = x + offset
                if not above:  # shift below-right so the text clears the line
                    x, y = x + 0.12, y - 0.12
                item.setVisible(True)
                item.setAnchor((0.0, 1.0 if above else 0.0))
                item.setPos(x, y)
                if fits(item):
                    break
            else:
                item.setVisible(False)
                hidden.append(f"╱&nbsp;{item.textItem.toPlainText()} roof")
        if hidden != self._hidden_roofs:
            self._hidden_roofs = hidden
            self._show_legend()

    def _point_boxes(self) -> np.ndarray:
        """The layer points' squares in the scene, one (left, top, right, bottom) row
        each: symbols are sized in pixels around their data position."""
        data = self._scatter.data
        if not len(data):
            return np.zeros((0, 4))
        t = self._scatter.sceneTransform()
        x = t.m11() * data["x"] + t.m21() * data["y"] + t.dx()
        y = t.m12() * data["x"] + t.m22() * data["y"] + t.dy()
        half = data["size"] / 2 + 1.0  # and the outline pen
        return np.column_stack([x - half, y - half, x + half, y + half])

    @staticmethod
    def _covers(outline: QPolygonF, boxes: np.ndarray) -> bool:
        """Whether the label's outline overlaps any of the points' boxes (their bounding
        boxes first: a label along a roof is diagonal, its bounding box much larger)."""
        bound = outline.boundingRect()
        near = boxes[(boxes[:, 0] < bound.right()) & (boxes[:, 2] > bound.left())
                     & (boxes[:, 1] < bound.bottom()) & (boxes[:, 3] > bound.top())]
        return any(outline.intersects(QPolygonF(QRectF(QPointF(x0, y0), QPointF(x1, y1))))
                   for x0, y0, x1, y1 in near)

    def _show_legend(self) -> None:
        """The op (or level) colours, and the roofs whose labels found no room."""
        extra = "".join(f"&nbsp;&nbsp; {entry}" for entry in self._hidden_roofs)
        text = self._legend + extra if self._legend else ""
        if text != self.op_legend.text():
            self.op_legend.setText(text)

    @staticmethod
    def _outline(item: pg.TextItem, margin: float = 2.0):
        """The label's outline in the scene with `margin` px around the text (touching
        labels read as one line)."""
        item.updateTransform(force=True)
        box = item.textItem.boundingRect().adjusted(-margin, -margin, margin, margin)
        return item.textItem.mapToScene(box)

    def _label(self, text: str, x: float, y: float, anchor: tuple[float, float],
               along_slope: bool = False) -> pg.TextItem:
        # rotateAxis: the text's baseline follows the data direction (1, 1), i.e. the
        # roof's slope on log-log axes, whatever the plot's aspect ratio.
        item = pg.TextItem(text, color="#333333", anchor=anchor,
                           rotateAxis=(1, 1) if along_slope else None)
        item.setPos(x, y)
        self._add(item)
        return item

    def _draw_points(self) -> None:
        model = self._model
        bounds = {layer.name: model.bound(layer).level for layer in self._points} \
            if model else {}
        if self.level() == ALL_LEVELS:  # colour by level; the bound level's point larger
            colours = self._level_colours()
            legend = legend_html([(name, colours[name]) for name in (model.levels
                                                                     if model else [])],
                                 symbol="●") + "&nbsp;&nbsp; ◆&nbsp;the layer's bound level"
            brushes = {name: pg.mkBrush(colour) for name, colour in colours.items()}
            brush = [brushes[level] for _layer, level in self._entries]
        else:
            ops = [op for op, _n in Counter(p.op for p in self._points).most_common()]
            colours = op_colours(ops)
            legend = legend_html([(op, colours[op]) for op in ops], symbol="●")
            brushes = {op: pg.mkBrush(colour) for op, colour in colours.items()}
            brush = [brushes[layer.op] for layer, _level in self._entries]
        self._legend = legend
        self._show_legend()
        bound_here = [bounds.get(layer.name) == level for layer, level in self._entries]
        self._scatter.setData(
            x=[math.log10(layer.intensity(level) or 1.0) for layer, level in self._entries],
            y=[math.log10(layer.performance) for layer, _level in self._entries],
            data=[(layer.name, level) for layer, level in self._entries],
            brush=brush, symbol=["d" if b else "o" for b in bound_here],
            size=[11 if b else 8 for b in bound_here])

    def _add(self, item: pg.GraphicsObject) -> None:
        self.plot.addItem(item)
        self._items_target.append(item)

    def _draw_highlight(self) -> None:
        chosen = [(layer, level) for layer, level in self._entries
                  if layer.name == self._selected]
        self._highlight.setData(
            x=[math.log10(layer.intensity(level) or 1.0) for layer, level in chosen],
            y=[math.log10(layer.performance) for layer, _level in chosen])

    # -- interaction --------------------------------------------------------------------
    def _tip(self, x: float, y: float, data: object) -> str:
        name, level = data if isinstance(data, tuple) else (data, self.level())
        layer = next((p for p in self._points if p.name == name), None)
        if layer is None or self._model is None:
            return str(name)
        intensity = layer.intensity(level) or 0.0
        lines = [f"{layer.name} ({layer.op})",
                 f"intensity: {si(intensity, 'op/B')} per byte of {level} traffic",
                 f"performance: {si(layer.performance, 'op/s')}"]
        others = [f"{name} {si(value, 'op/B')}" for name in self._model.levels
                  if name != level and (value := layer.intensity(name))]
        if others:
            lines.append("at the other levels: " + ", ".join(others))
        bound = self._model.bound(layer)
        kind = "bandwidth" if bound.kind == "bandwidth" else "peak"
        lines.append(f"limited by: {bound.level} {kind} (bound level) — roof here "
                     f"{si(bound.attainable, 'op/s')}, achieved {percent(bound.achieved)} of it")
        moved = layer.traffic[level]
        traffic = (f"{level} traffic: {binary_bytes(moved.read_bytes)} read, "
                   f"{binary_bytes(moved.write_bytes)} written" if layer.basis != COMPULSORY
                   else f"{level} traffic: {binary_bytes(moved.bytes)} (compulsory: each "
                        "tensor moved once)")
        return "\n".join([*lines, f"ops: {count(layer.ops)}", traffic,
                          f"latency: {si(layer.latency_s, 's')}"])

    def _on_clicked(self, _item: object, points: list, _event: object) -> None:
        if len(points):
            data = points[0].data()
            self.layerClicked.emit(str(data[0] if isinstance(data, tuple) else data))

    def click_point(self, name: str) -> None:
        """Act as if the user clicked the point of layer `name` (tests)."""
        if any(p.name == name for p in self._points):
            self.layerClicked.emit(name)
