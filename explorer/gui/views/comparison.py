"""Comparison: several estimators (or a measurement) on the same network and accelerator;
a parity plot against a reference and a per-layer error table."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.estimators.base import NetworkEstimate
from explorer.gui.views.axes import log_log_plot
from explorer.gui.views.host import Host
from explorer.gui.views.style import SERIES_PALETTE
from explorer.session import Session
from explorer.session.view_data import Comparison, compare, log_range
from explorer.units import percent, si


class ComparisonView(QWidget):
    compareRequested = Signal(object)  # list of estimator names
    measurementRequested = Signal()
    layerClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._results: dict[str, NetworkEstimate] = {}
        self._comparison: Comparison | None = None
        self._selected: str | None = None

        self.estimator_list = QListWidget()
        self.estimator_list.setToolTip("Estimators to run side by side")
        self.estimator_list.setMaximumWidth(220)
        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip("Run every checked estimator on the current network "
                                       "and accelerator")
        self.compare_button.clicked.connect(self._on_compare_clicked)
        self.measure_button = QPushButton("Load measurement…")
        self.measure_button.setToolTip("A JSON file with per-layer measured latencies "
                                       "(the format of `accel-explorer estimate --json`)")
        self.measure_button.clicked.connect(self.measurementRequested)
        self.reference_combo = QComboBox()
        self.reference_combo.setToolTip("Series the others are compared against")
        self.reference_combo.currentIndexChanged.connect(self._redraw)
        self.summary = QLabel("Check two or more estimators and press Compare.")
        self.summary.setWordWrap(True)

        side = QVBoxLayout()
        side.addWidget(QLabel("<b>Estimators</b>"))
        side.addWidget(self.estimator_list, 1)
        side.addWidget(self.compare_button)
        side.addWidget(self.measure_button)
        side.addWidget(QLabel("Reference:"))
        side.addWidget(self.reference_combo)
        side_widget = QWidget()
        side_widget.setLayout(side)
        side_widget.setMaximumWidth(230)

        self.plot = log_log_plot(x_unit="s", y_unit="s")
        self.legend = self.plot.addLegend(offset=(10, 10), labelTextSize="8pt")
        self._items: list[pg.GraphicsObject] = []

        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.itemSelectionChanged.connect(self._on_table_selection)
        self._quiet = False

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.plot)
        splitter.addWidget(self.table)
        splitter.setSizes([420, 580])
        right = QVBoxLayout()
        right.addWidget(self.summary)
        right.addWidget(splitter, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(side_widget)
        layout.addLayout(right, 1)

    def attach(self, session: Session, host: Host) -> None:
        from explorer.errors import ExplorerError
        from explorer.estimators.registry import estimator_names

        names = estimator_names()
        self.set_estimators(names, checked=names[:2])

        def show() -> None:
            from explorer.session.state import default_reference

            self._results = {**session.measurements, **session.comparison_results}
            self._refresh_references(prefer=default_reference(list(self._results)))

        def compare(names: list[str]) -> None:
            host.run(lambda: session.compare(names), "Comparison failed",
                     then=lambda _results: host.show_view(self))

        def load_measurement() -> None:
            from PySide6.QtWidgets import QFileDialog

            path, _ = QFileDialog.getOpenFileName(self, "Open measured latencies",
                                                  host.settings.last_dir(),
                                                  "JSON (*.json);;All files (*)")
            if path:
                try:
                    session.add_measurement(path)
                except ExplorerError as exc:
                    host.report_error("Cannot load measurement", str(exc))
                    return
                host.show_view(self)

        session.events.comparison_changed.connect(show)
        session.events.selection_changed.connect(self.set_selected)
        self.layerClicked.connect(session.select)
        self.compareRequested.connect(compare)
        self.measurementRequested.connect(load_measurement)

    # -- public -------------------------------------------------------------------------
    def set_estimators(self, names: list[str], checked: list[str]) -> None:
        self.estimator_list.clear()
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in checked
                               else Qt.CheckState.Unchecked)
            self.estimator_list.addItem(item)

    def checked_estimators(self) -> list[str]:
        return [self.estimator_list.item(i).text() for i in range(self.estimator_list.count())
                if self.estimator_list.item(i).checkState() == Qt.CheckState.Checked]

    def set_results(self, results: dict[str, NetworkEstimate]) -> None:
        """Replace the estimator series (a loaded measurement is kept)."""
        measured = {k: v for k, v in self._results.items() if k.startswith("measured")}
        self._results = {**measured, **results}
        self._refresh_references()

    def add_measurement(self, name: str, result: NetworkEstimate) -> None:
        self._results = {k: v for k, v in self._results.items() if not k.startswith("measured")}
        self._results = {name: result, **self._results}
        self._refresh_references(prefer=name)

    def clear(self) -> None:
        self._results = {}
        self._refresh_references()

    @property
    def comparison(self) -> Comparison | None:
        return self._comparison

    def set_selected(self, name: str | None) -> None:
        self._selected = name
        self._quiet = True
        try:
            self.table.clearSelection()
            if self._comparison is not None and name is not None:
                for row, layer in enumerate(self._comparison.layers):
                    if layer.name == name:
                        self.table.selectRow(row)
                        self.table.scrollToItem(self.table.item(row, 0))
                        break
        finally:
            self._quiet = False

    # -- internals ----------------------------------------------------------------------
    def _refresh_references(self, prefer: str | None = None) -> None:
        current = prefer or self.reference_combo.currentText()
        self.reference_combo.blockSignals(True)
        self.reference_combo.clear()
        self.reference_combo.addItems(list(self._results))
        index = self.reference_combo.findText(current)
        self.reference_combo.setCurrentIndex(max(index, 0))
        self.reference_combo.blockSignals(False)
        self._redraw()

    @Slot()
    def _on_compare_clicked(self) -> None:
        self.compareRequested.emit(self.checked_estimators())

    @Slot()
    def _redraw(self) -> None:
        for item in self._items:
            self.plot.removeItem(item)
        self._items.clear()
        self.legend.clear()
        reference = self.reference_combo.currentText()
        if len(self._results) < 2 or reference not in self._results:
            self._comparison = None
            self.table.setRowCount(0)
            if self._results:
                self.summary.setText("One series only: check a second estimator or load a "
                                     "measurement.")
            return
        comparison = compare(self._results, reference)
        self._comparison = comparison
        self.plot.setLabel("bottom", f"Layer latency, {reference}")
        self.plot.setLabel("left", "Layer latency, " + ", ".join(comparison.series))
        values = [layer.reference_s for layer in comparison.layers] + \
            [v for layer in comparison.layers for v in layer.other_s.values()]
        lo, hi = log_range(values)
        diagonal = pg.PlotDataItem([lo, hi], [lo, hi], pen=pg.mkPen("#444", width=1,
                                                                    style=Qt.PenStyle.DashLine),
                                   name="parity (y = x)")
        self.plot.addItem(diagonal)
        self._items.append(diagonal)
        for i, series in enumerate(comparison.series):
            pairs = [(layer.reference_s, layer.other_s[series], layer.name)
                     for layer in comparison.layers
                     if series in layer.other_s and layer.reference_s > 0
                     and layer.other_s[series] > 0]
            scatter = pg.ScatterPlotItem(
                x=[math.log10(p[0]) for p in pairs], y=[math.log10(p[1]) for p in pairs],
                data=[p[2] for p in pairs], size=7, name=series,
                brush=pg.mkBrush(SERIES_PALETTE[i % len(SERIES_PALETTE)]),
                pen=pg.mkPen("w", width=0.5), hoverable=True,
                tip=lambda x, y, data, s=series: f"{data}\n{reference}: {si(10 ** x, 's')}\n"
                                                 f"{s}: {si(10 ** y, 's')}")
            scatter.sigClicked.connect(
                lambda _item, points, _ev: self.layerClicked.emit(str(points[0].data()))
                if len(points) else None)
            self.plot.addItem(scatter)
            self._items.append(scatter)
        self.plot.setXRange(lo, hi, padding=0)
        self.plot.setYRange(lo, hi, padding=0)
        self._fill_table(comparison)
        parts = []
        for series in comparison.series:
            mape = comparison.mape(series)
            total = comparison.total_error(series)
            parts.append(f"<b>{series}</b>: per-layer MAPE "
                         f"{percent(mape)}, total "
                         f"{'–' if total is None else f'{100 * total:+.1f} %'}")
        self.summary.setText(f"Against <b>{reference}</b> ({si(comparison.totals_s[reference], 's')}): "
                             + "; ".join(parts))

    def _fill_table(self, comparison: Comparison) -> None:
        headers = ["Layer", "Op", comparison.reference]
        for series in comparison.series:
            headers += [series, "error"]
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(comparison.layers))
        self.table.setSortingEnabled(False)
        for row, layer in enumerate(comparison.layers):
            cells = [layer.name, layer.op, si(layer.reference_s, "s")]
            for series in comparison.series:
                error = layer.error(series)
                cells += [si(layer.other_s.get(series), "s"),
                          percent(error, signed=True)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        if self._selected:
            self.set_selected(self._selected)

    @Slot()
    def _on_table_selection(self) -> None:
        if self._quiet or self._comparison is None:
            return
        rows = {index.row() for index in self.table.selectedIndexes()}
        if rows:
            self.layerClicked.emit(self._comparison.layers[min(rows)].name)


