"""The Explore tab's parameter-importance panel: for one objective, how much each swept
parameter explains it over the explored designs (`explorer.explore.view_data.importance`,
a random forest's permutation importance), as horizontal bars."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from explorer.explore.view_data import LABELS, importance
from explorer.gui.views.axes import show_empty


class ImportancePanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        self.params: list[str] = []
        self.key: Any = None
        self.scores: dict[str, float] = {}
        self._cache: dict[tuple, dict[str, float]] = {}
        self.combo = QComboBox()
        self.combo.activated.connect(lambda _i: self.refresh())
        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setMenuEnabled(False)
        self.plot.setLabel("bottom", "share of the explained variation")
        self.bars = pg.BarGraphItem(x0=[], y=[], height=0.6, width=[], brush="#0072B2")
        self.plot.addItem(self.bars)
        self.note = QLabel()
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Objective:"))
        row.addWidget(self.combo)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.note)
        show_empty(self.plot, "No exploration yet")

    def set_designs(self, rows: list[dict[str, Any]], params: list[str],
                    objectives: list[str], key: Any) -> None:
        """The designs to judge; `key` names them (the file) for the cache."""
        self.rows, self.params, self.key = rows, params, key
        keep = self.combo.currentData()
        self.combo.clear()
        for metric in objectives:
            self.combo.addItem(LABELS[metric], metric)
        self.combo.setCurrentIndex(max(0, self.combo.findData(keep)))

    def refresh(self) -> None:
        """Compute (once per designs and objective) and draw."""
        metric = self.combo.currentData()
        if metric is None or not self.rows:
            return
        key = (self.key, metric, len(self.rows))
        if key not in self._cache:
            self._cache[key] = importance(self.rows, self.params, metric)
        self.scores = scores = self._cache[key]
        names = list(scores)
        show_empty(self.plot, None if scores else
                   "Too few estimated designs, or the objective does not vary")
        self.bars.setOpts(x0=[0.0] * len(names), y=list(range(len(names))),
                          width=[scores[p] for p in names], height=0.6)
        self.plot.getAxis("left").setTicks([list(enumerate(names))])
        self.plot.setXRange(0, 1)
        self.note.setText(
            f"How much each parameter explains {LABELS[metric]} over the "
            f"{len(self.rows)} explored designs (permutation importance of a random "
            "forest fitted to its logarithm; the shares sum to 1).")
