"""Per-layer latency bars: stacked compute / exposed memory / stall where the estimator
reports a breakdown, otherwise one bar coloured by what bounds the layer."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal, Slot
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from explorer.estimators.base import LayerEstimate, NetworkEstimate
from explorer.gui.views.axes import LayerAxis, QuantityAxis, show_empty
from explorer.gui.views.host import Host
from explorer.gui.views.style import PART_COLOURS, SELECTION_COLOUR, legend_html
from explorer.session import Session
from explorer.session.view_data import (
    BREAKDOWN_PARTS,
    PART_LABELS,
    bound_label,
    latency_breakdown,
    latency_interval,
    layer_order,
)
from explorer.units import count, percent, si

_BAR_WIDTH = 0.8


class LatencyBarsView(QWidget):
    """Emits `layerClicked(name)`; `set_selected(name)` highlights without emitting."""

    layerClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._result: NetworkEstimate | None = None
        self._order: list[int] = []
        self._selected: str | None = None

        self.order_combo = QComboBox()
        self.order_combo.addItems(["Network order", "By latency"])
        self.order_combo.setToolTip("Order the bars by position in the network or by latency")
        self.order_combo.currentIndexChanged.connect(self._redraw)
        self.log_check = QCheckBox("Log scale")
        self.log_check.setToolTip("Logarithmic latency axis")
        self.log_check.toggled.connect(self._redraw)
        self.legend = QLabel(legend_html([(PART_LABELS[part], PART_COLOURS[part])
                                          for part in BREAKDOWN_PARTS]))
        self.legend.setToolTip("Exposed memory: transfer time not hidden behind compute")

        self.axis = LayerAxis()
        self.value_axis = QuantityAxis("left", "s")
        self.plot = pg.PlotWidget(axisItems={"bottom": self.axis, "left": self.value_axis})
        self.plot.setBackground("w")
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(y=True, alpha=0.25)
        self.plot.setLabel("left", "Latency", units="s")
        self.plot.setLabel("bottom", "Layer (network order)")
        self.plot.getPlotItem().getViewBox().setMouseEnabled(x=True, y=False)
        self._parts = {part: pg.BarGraphItem(x=[], height=[], width=_BAR_WIDTH,
                                             brush=PART_COLOURS[part], pen=None)
                       for part in (*BREAKDOWN_PARTS, "compute-bound", "memory-bound",
                                    "unknown")}
        for item in self._parts.values():
            self.plot.addItem(item)
        self._highlight = pg.BarGraphItem(x=[], height=[], width=_BAR_WIDTH + 0.15,
                                          brush=None, pen=pg.mkPen(SELECTION_COLOUR, width=2.5))
        self.plot.addItem(self._highlight)
        # The statistical model's 90 % interval per bar (issue 12): where it is unsure.
        self._errors = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), beam=_BAR_WIDTH / 3,
                                       pen=pg.mkPen("#222222", width=1.2))
        self.plot.addItem(self._errors)
        self._intervals: dict[int, tuple[float, float]] = {}
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._on_mouse_clicked)

        controls = QHBoxLayout()
        controls.addWidget(QLabel("<b>Latency per layer</b>"))
        controls.addStretch(1)
        controls.addWidget(self.legend)
        controls.addSpacing(12)
        controls.addWidget(self.order_combo)
        controls.addWidget(self.log_check)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(controls)
        layout.addWidget(self.plot, 1)
        show_empty(self.plot, "No estimate yet")

    def attach(self, session: Session, host: Host) -> None:
        session.events.result_changed.connect(lambda: self.set_result(session.result))
        session.events.selection_changed.connect(self.set_selected)
        self.layerClicked.connect(session.select)

    # -- public -------------------------------------------------------------------------
    def set_result(self, result: NetworkEstimate | None) -> None:
        self._result = result
        self._redraw()

    def bar_count(self) -> int:
        """How many layers have a bar (one per estimated layer)."""
        return len(self._order)

    def bar_heights_s(self) -> list[float]:
        """Total bar heights in display order (seconds)."""
        if self._result is None:
            return []
        return [self._result.layers[i].latency_s for i in self._order]

    def set_selected(self, name: str | None) -> None:
        self._selected = name
        self._draw_highlight()

    def axis_names(self) -> dict[int, str]:
        """Bar position on the axis (1-based) -> layer name."""
        return dict(self.axis.names)

    def select_at(self, position: int) -> None:
        """Act as if the user clicked the bar at display position `position`."""
        layer = self._layer_at(position)
        if layer is not None:
            self.layerClicked.emit(layer.name)

    def error_bars_s(self) -> dict[int, tuple[float, float]]:
        """Display position (0-based) -> the (low, high) seconds its error bar spans."""
        return dict(self._intervals)

    def legend_html(self) -> str:
        """The colour legend shown above the plot (for reports)."""
        return self.legend.text()

    # -- drawing ------------------------------------------------------------------------
    @Slot()
    def _redraw(self) -> None:
        result = self._result
        by_latency = self.order_combo.currentIndex() == 1
        log = self.log_check.isChecked()
        layers = result.layers if result else []
        self._order = layer_order(layers, by_latency)
        self.plot.setLabel("bottom", "Layers by decreasing latency (labels: layer #)"
                           if by_latency else "Layer # (as in the table)")
        # Bars stand at 1..n: the same 1-based numbers as the table's "#" column.
        x = np.arange(1, len(self._order) + 1, dtype=float)
        self.axis.set_layers({p + 1: str(i + 1) for p, i in enumerate(self._order)},
                             {p + 1: layers[i].name for p, i in enumerate(self._order)})
        heights = {part: np.zeros(len(x)) for part in self._parts}
        for position, index in enumerate(self._order):
            layer = layers[index]
            parts = latency_breakdown(layer)
            if parts is None:
                key = f"{layer.bound}-bound" if layer.bound in ("compute", "memory") \
                    else "unknown"
                heights[key][position] = layer.latency_s
            else:
                for part, value in parts.items():
                    heights[part][position] = value
        if log:
            # A stacked split on a log axis misstates the parts (a 6 % compute share at
            # the bottom of a log bar looks like most of it): one colour per bar, its
            # largest part; the split is in the tooltip.
            heights = _dominant_only(heights)
        self._update_legend(heights, log)
        floor = self._log_floor(layers) if log else 0.0
        bottom = np.zeros(len(x))
        for part, item in self._parts.items():
            top = bottom + heights[part]
            if log:
                y0 = np.log10(np.maximum(bottom, floor))
                y1 = np.log10(np.maximum(top, floor))
            else:
                y0, y1 = bottom, top
            item.setOpts(x=x, y0=y0, height=y1 - y0, width=_BAR_WIDTH)
            bottom = top
        self._totals = bottom
        self._floor = floor
        self._draw_intervals(layers, log, floor)
        self.value_axis.set_log(log)
        if log:
            self.plot.setLabel("left", "Latency (log scale)")
        else:
            self.plot.setLabel("left", "Latency", units="s")
        self.plot.enableAutoRange()
        if len(x):
            highest = max([bottom.max(), *(high for _, high in self._intervals.values())])
            top = np.log10(max(highest, floor)) if log else highest
            low = math.log10(floor) if log else 0.0
            self.plot.setYRange(low, top + 0.05 * (top - low or 1), padding=0)
            self.plot.setXRange(0.4, len(x) + 0.6, padding=0)
        show_empty(self.plot, None if len(x) else "No estimate to show")
        self._draw_highlight()

    def _draw_intervals(self, layers: list[LayerEstimate], log: bool, floor: float) -> None:
        self._intervals = {}
        for position, index in enumerate(self._order):
            interval = latency_interval(layers[index])
            if interval is not None:
                self._intervals[position] = interval
        positions = list(self._intervals)
        low = np.array([self._intervals[p][0] for p in positions])
        high = np.array([self._intervals[p][1] for p in positions])
        y = self._totals[positions] if positions else np.zeros(0)
        if log:
            low, high, y = (np.log10(np.maximum(v, floor)) for v in (low, high, y))
        self._errors.setData(x=np.array(positions, dtype=float) + 1, y=y,
                             top=np.maximum(high - y, 0), bottom=np.maximum(y - low, 0))
        if positions:
            self.legend.setText(self.legend.text() + " &nbsp; <b>⊥</b> 90 % interval")

    def _update_legend(self, heights: dict[str, np.ndarray], log: bool = False) -> None:
        """Name only what is drawn: the breakdown parts, or bound colours, or plain bars."""
        shown = [part for part in self._parts if heights[part].any()]
        if any(part in BREAKDOWN_PARTS for part in shown):
            shown = list(BREAKDOWN_PARTS) + [p for p in shown if p not in BREAKDOWN_PARTS]
        labels = {part: PART_LABELS.get(part, part) for part in shown}
        if log:
            labels.update({part: f"mostly {PART_LABELS[part]}" for part in BREAKDOWN_PARTS})
        self.legend.setText(legend_html([(labels[part], PART_COLOURS[part])
                                         for part in shown]))

    @staticmethod
    def _log_floor(layers: list[LayerEstimate]) -> float:
        positive = [layer.latency_s for layer in layers if layer.latency_s > 0]
        if not positive:
            return 1e-9
        return 10 ** math.floor(math.log10(min(positive)))

    def _draw_highlight(self) -> None:
        position = self._position_of(self._selected)
        if position is None or self._result is None:
            self._highlight.setOpts(x=[], height=[])
            return
        total = self._totals[position]
        if self.log_check.isChecked():
            y0 = math.log10(self._floor)
            height = math.log10(max(total, self._floor)) - y0
        else:
            y0, height = 0.0, total
        self._highlight.setOpts(x=[float(position + 1)], y0=[y0], height=[height],
                                width=_BAR_WIDTH + 0.15)

    # -- interaction --------------------------------------------------------------------
    def _position_of(self, name: str | None) -> int | None:
        if name is None or self._result is None:
            return None
        for position, index in enumerate(self._order):
            layer = self._result.layers[index]
            if layer.name == name or name in layer.onnx_nodes:
                return position
        return None

    def _layer_at(self, position: int) -> LayerEstimate | None:
        if self._result is None or not 0 <= position < len(self._order):
            return None
        return self._result.layers[self._order[position]]

    def _position_under(self, scene_pos: QPointF) -> int | None:
        view_box = self.plot.getPlotItem().getViewBox()
        if not view_box.sceneBoundingRect().contains(scene_pos):
            return None
        point = view_box.mapSceneToView(scene_pos)
        position = int(round(point.x())) - 1  # bars stand at 1..n
        if abs(point.x() - 1 - position) > _BAR_WIDTH / 2 or self._layer_at(position) is None:
            return None
        return position

    @Slot(object)
    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        position = self._position_under(scene_pos)
        layer = self._layer_at(position) if position is not None else None
        if layer is None:
            QToolTip.hideText()
            return
        QToolTip.showText(QCursor.pos(), self.tooltip_text(layer, self._number_of(layer)),
                          self.plot)

    @Slot(object)
    def _on_mouse_clicked(self, event: object) -> None:
        if event.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        position = self._position_under(event.scenePos())  # type: ignore[attr-defined]
        if position is not None:
            self.select_at(position)

    def _number_of(self, layer: LayerEstimate) -> int | None:
        if self._result is None:
            return None
        for index, candidate in enumerate(self._result.layers):
            if candidate is layer:
                return index + 1
        return None

    def tooltip_text(self, layer: LayerEstimate, number: int | None = None) -> str:
        number = number if number is not None else self._number_of(layer)
        prefix = f"#{number} " if number is not None else ""
        lines = [f"{prefix}{layer.name} ({layer.op})", f"latency: {si(layer.latency_s, 's')}"]
        interval = latency_interval(layer)
        if interval is not None:
            lines.append(f"90 % interval: {si(interval[0], 's')} – {si(interval[1], 's')}")
        lines += [f"cycles: {count(layer.cycles)}", f"MACs: {count(layer.macs)}"]
        parts = latency_breakdown(layer)
        if parts:
            total = sum(parts.values()) or 1.0
            lines += [f"{PART_LABELS[part]}: {si(value, 's')} ({percent(value / total)})"
                      for part, value in parts.items() if value]
        if layer.bound:
            lines.append(f"bound: {bound_label(layer.bound)}")
        if layer.utilisation is not None:
            lines.append(f"utilisation: {percent(layer.utilisation)}")
        if layer.energy_j is not None:
            lines.append(f"energy: {si(layer.energy_j, 'J')}")
        if not layer.modelled:
            lines.append("⚠ op not modelled: costed by element count")
        return "\n".join(lines)


def _dominant_only(heights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each bar's whole height under its largest breakdown part (for log axes)."""
    parts = [p for p in BREAKDOWN_PARTS if p in heights]
    if not parts:
        return heights
    stacked = np.vstack([heights[p] for p in parts])
    total = stacked.sum(axis=0)
    winner = stacked.argmax(axis=0)
    out = {key: (np.zeros_like(value) if key in parts else value)
           for key, value in heights.items()}
    for i, part in enumerate(parts):
        out[part] = np.where((winner == i) & (total > 0), total, 0.0)
    return out
