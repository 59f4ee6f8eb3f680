"""The network panel: a sortable, filterable table of the layers an estimator costs."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from explorer.estimators.base import LayerEstimate, NetworkEstimate
from explorer.gui.views.host import Host
from explorer.hardware.schema import Accelerator
from explorer.session import Session
from explorer.session.view_data import bound_label
from explorer.units import binary_bytes, count, percent, si
from explorer.workload.network import Layer, Network

COLUMNS = ("#", "Name", "Op", "Output shape", "MACs", "Bytes", "Fused nodes", "Modelled",
           "Latency", "Cycles", "Energy", "Utilisation", "Bound")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
_OP_ABBREVIATIONS = {"BatchNormalization": "BN", "GlobalAveragePool": "GlobalAvgPool"}
_UNMODELLED_BRUSH = QBrush(QColor(255, 236, 179))
_RIGHT_ALIGNED = ("#", "MACs", "Bytes", "Latency", "Cycles", "Energy", "Utilisation")
_HEADER_TIPS = {
    "Bytes": "Inputs + weights + outputs once, at the accelerator's precision",
    "Modelled": "No: the importer does not know this op; it is costed by element count only",
    "Fused nodes": "ONNX nodes merged into this layer by the accelerator's fusion rules",
}


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(d) for d in shape) if shape else "–"


class LayerTableModel(QStandardItemModel):
    """Rows of texts and sort keys stored in Qt's own item model, filled once per change.

    A Python `data()` would be called for every visible cell and role on every paint;
    each call needs the GIL, which the worker thread holds while it estimates, so a
    Python model makes the table slow to paint exactly when an estimate runs."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        for column, tip in _HEADER_TIPS.items():
            self.horizontalHeaderItem(COLUMNS.index(column)).setToolTip(tip)
        self._layers: list[Layer] = []
        self._estimates: dict[str, LayerEstimate] = {}
        self._bits: tuple[int | None, int | None] = (None, None)

    def set_layers(self, layers: list[Layer], acc: Accelerator | None) -> None:
        bits = ((acc.compute.precision.input_bits, acc.compute.precision.weight_bits)
                if acc else (None, None))
        same_rows = [x.name for x in layers] == [x.name for x in self._layers]
        same_bits = bits == self._bits
        self._layers = list(layers)
        self._bits = bits
        if same_rows:
            # The same network again (a new estimate of it): keep the rows, the view's
            # scroll position, sort order and selection; only bytes depend on the bits.
            if not same_bits:
                self._update_cells()
            return
        self._estimates = {}
        self.setRowCount(0)
        for layer in self._layers:
            items = []
            for column in COLUMNS:
                item = QStandardItem()
                item.setEditable(False)
                if column in _RIGHT_ALIGNED:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if not layer.modelled:
                    item.setBackground(_UNMODELLED_BRUSH)
                if column in ("Name", "Fused nodes"):
                    item.setToolTip("\n".join(layer.onnx_nodes))
                items.append(item)
            self.appendRow(items)
        self._update_cells()

    def set_estimates(self, result: NetworkEstimate | None) -> None:
        self._estimates = {e.name: e for e in result.layers} if result else {}
        self._update_cells(COLUMNS.index("Latency"))

    def _update_cells(self, first_column: int = 0) -> None:
        for row, layer in enumerate(self._layers):
            for column_index in range(first_column, len(COLUMNS)):
                column = COLUMNS[column_index]
                item = self.item(row, column_index)
                text = self._display(row, layer, column)
                if item.text() != text:
                    item.setText(text)
                item.setData(self._sort_key(row, layer, column), SORT_ROLE)

    def layer_name(self, row: int) -> str:
        return self._layers[row].name

    def row_of(self, name: str) -> int | None:
        for row, layer in enumerate(self._layers):
            if layer.name == name or name in layer.onnx_nodes:
                return row
        return None

    def _bytes(self, layer: Layer) -> float:
        return layer.bytes_moved(act_bits=self._bits[0], weight_bits=self._bits[1])

    def _display(self, row: int, layer: Layer, column: str) -> str:
        estimate = self._estimates.get(layer.name)
        match column:
            case "#":
                return str(row + 1)
            case "Name":
                return layer.name
            case "Op":
                return "+".join(_OP_ABBREVIATIONS.get(op, op)
                                for op in [layer.op, *layer.fused_ops])
            case "Output shape":
                return _shape_text(layer.output_shape)
            case "MACs":
                return count(layer.macs) if layer.macs else "0"
            case "Bytes":
                return binary_bytes(self._bytes(layer))
            case "Fused nodes":
                return ", ".join(layer.onnx_nodes) if len(layer.onnx_nodes) > 1 else ""
            case "Modelled":
                return "yes" if layer.modelled else "no ⚠"
            case "Latency":
                return si(estimate.latency_s, "s") if estimate else ""
            case "Cycles":
                return count(estimate.cycles) if estimate else ""
            case "Energy":
                return si(estimate.energy_j, "J") if estimate else ""
            case "Utilisation":
                return percent(estimate.utilisation) if estimate else ""
            case "Bound":
                return bound_label(estimate.bound) if estimate else ""
        return ""

    def _sort_key(self, row: int, layer: Layer, column: str) -> Any:
        estimate = self._estimates.get(layer.name)
        match column:
            case "#":
                return row
            case "MACs":
                return layer.macs
            case "Bytes":
                return self._bytes(layer)
            case "Output shape":
                return float(math.prod(layer.output_shape)) if layer.output_shape else 0.0
            case "Fused nodes":
                return len(layer.onnx_nodes)
            case "Latency" | "Cycles" | "Energy" | "Utilisation":
                attr = {"Latency": "latency_s", "Cycles": "cycles", "Energy": "energy_j",
                        "Utilisation": "utilisation"}[column]
                value = getattr(estimate, attr) if estimate else None
                return -1.0 if value is None else float(value)
        return self._display(row, layer, column)


class LayerTable(QWidget):
    """Filter box + table. Emits `layerSelected(name)` when the user selects a row."""

    layerSelected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LayerTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter layers (name, op, shape, ...)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in zip(range(len(COLUMNS)), (44, 150, 150, 120, 80, 80, 170, 80, 80, 80,
                                                            80, 80)):
            self.view.setColumnWidth(column, width)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self._quiet = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.view)

    def attach(self, session: Session, host: Host) -> None:
        def show() -> None:
            """The layers the estimator costs: the result's own network once there is
            one, before that the network after the accelerator's fusion rules."""
            made = session.result_for
            if session.result is not None and made is not None:
                self.set_network(session.result.network, made.accelerator)
            else:
                self.set_network(session.fused_network(), session.accelerator)
            self.set_result(session.result)
            self.set_selected(session.selected)

        def on_design_changed(_path: object) -> None:
            if session.result is None and session.accelerator is not None:
                show()

        session.events.result_changed.connect(show)
        session.document.events.changed.connect(on_design_changed)
        session.events.selection_changed.connect(self.set_selected)
        self.layerSelected.connect(session.select)

    def set_network(self, network: Network | None, acc: Accelerator | None) -> None:
        self.model.set_layers(network.layers if network else [], acc)

    def set_result(self, result: NetworkEstimate | None) -> None:
        self.model.set_estimates(result)

    def visible_names(self) -> list[str]:
        return [self.model.layer_name(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
                for r in range(self.proxy.rowCount())]

    def set_selected(self, name: str | None) -> None:
        """Select `name`'s row without emitting `layerSelected`."""
        row = self.model.row_of(name) if name else None
        self._quiet = True
        try:
            if row is None:
                self.view.clearSelection()
                return
            proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
            if not proxy_index.isValid():  # filtered out
                self.view.clearSelection()
                return
            self.view.selectionModel().setCurrentIndex(
                proxy_index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.view.scrollTo(proxy_index, QAbstractItemView.ScrollHint.EnsureVisible)
        finally:
            self._quiet = False

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._quiet or not current.isValid():
            return
        row = self.proxy.mapToSource(current).row()
        self.layerSelected.emit(self.model.layer_name(row))
