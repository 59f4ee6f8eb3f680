"""The Graph tab: the layer DAG left to right (layout from networkx generations), each
layer coloured by its latency on a log scale; click a layer to select it everywhere."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from explorer.gui.views.axes import show_empty
from explorer.gui.views.host import Host
from explorer.gui.views.style import SELECTION_COLOUR
from explorer.session import Session
from explorer.session.analysis import graph_layout, layer_number
from explorer.units import si

_COLOURS = pg.colormap.get("viridis")


class GraphView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel("Layers left to right by dependency depth; colour: latency "
                              "(log scale, yellow = slowest). Click a layer to select it.")
        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setMenuEnabled(False)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self._edges = pg.PlotDataItem(pen=pg.mkPen("#BBBBBB", width=1), connect="pairs")
        self._nodes = pg.ScatterPlotItem(size=11, hoverable=True, tip=self._tip)
        self._highlight = pg.ScatterPlotItem(size=19, brush=None,
                                             pen=pg.mkPen(SELECTION_COLOUR, width=2.5))
        for item in (self._edges, self._nodes, self._highlight):
            self.plot.addItem(item)
        self._positions: dict[str, tuple[float, float]] = {}
        self._result = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.caption)
        layout.addWidget(self.plot, 1)
        show_empty(self.plot, "No estimate yet")

    def attach(self, session: Session, host: Host) -> None:
        session.events.result_changed.connect(lambda: self.set_result(session.result))
        session.events.selection_changed.connect(self.set_selected)
        self._nodes.sigClicked.connect(
            lambda _item, points, _ev: session.select(points[0].data()) if len(points)
            else None)

    def node_count(self) -> int:
        return len(self._positions)

    def set_result(self, result) -> None:
        self._result = result
        if result is None:
            self._positions = {}
            self._nodes.setData([])
            self._edges.setData([], [])
            self._highlight.setData([])
            show_empty(self.plot, "No estimate yet")
            return
        show_empty(self.plot, None)
        for side in ("left", "bottom"):  # positions, not quantities: no axes
            self.plot.hideAxis(side)
        network = result.network
        self._positions = positions = graph_layout(network)
        latency = {layer.name: layer.latency_s for layer in result.layers}
        positive = [v for v in latency.values() if v > 0]
        low = math.log10(min(positive)) if positive else 0.0
        high = math.log10(max(positive)) if positive else 1.0
        names = [layer.name for layer in network.layers]
        brushes = []
        for name in names:
            value = latency.get(name, 0.0)
            share = (math.log10(value) - low) / (high - low or 1.0) if value > 0 else 0.0
            brushes.append(pg.mkBrush(_COLOURS.map(share, mode="qcolor")) if value > 0
                           else pg.mkBrush("#DDDDDD"))
        self._nodes.setData(x=[positions[n][0] for n in names],
                            y=[positions[n][1] for n in names], data=names, brush=brushes,
                            pen=pg.mkPen("#555555", width=0.5))
        xs, ys = [], []
        for u, v in network.graph.edges():
            if u in positions and v in positions:
                xs += [positions[u][0], positions[v][0]]
                ys += [positions[u][1], positions[v][1]]
        self._edges.setData(np.array(xs, dtype=float), np.array(ys, dtype=float))
        self.plot.autoRange()

    def set_selected(self, name: str | None) -> None:
        point = self._positions.get(name or "")
        self._highlight.setData([] if point is None else [{"pos": point}])

    def _tip(self, x: float, y: float, data: object) -> str:
        result = self._result
        if result is None:
            return str(data)
        number = layer_number(result, str(data))
        layer = result.layers[number - 1] if number else None
        if layer is None:
            return str(data)
        return f"#{number} {layer.name} ({layer.op})\nlatency: {si(layer.latency_s, 's')}"
