"""The first tab: latency bars beside the roofline, both views of the current result."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget

from explorer.gui.views.host import Host
from explorer.gui.views.latency_bars import LatencyBarsView
from explorer.gui.views.roofline import RooflineView
from explorer.session import Session


class OverviewTab(QSplitter):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("overviewSplitter")
        self.bars = LatencyBarsView()
        self.roofline = RooflineView()
        self.addWidget(self.bars)
        self.addWidget(self.roofline)
        self.setSizes([560, 440])

    def attach(self, session: Session, host: Host) -> None:
        self.bars.attach(session, host)
        self.roofline.attach(session, host)

    def plots(self) -> dict[str, tuple[object, str]]:
        """Caption -> (plot widget, legend HTML), for reports."""
        return {"Latency per layer": (self.bars.plot, self.bars.legend_html()),
                "Roofline": (self.roofline.plot, self.roofline.legend_html())}
