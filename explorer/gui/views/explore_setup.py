"""The Explore tab's form for a new exploration: parameters and ranges from the schema,
objectives, strategy, budget, seed, workers, constraints and the output file. `spec()`
turns it into an `explorer.explore.Spec` (ArchitectureError, one line, if a field is
wrong: the same checks and words as `accel-explorer explore`)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.errors import ArchitectureError
from explorer.explore.objectives import METRICS, Constraint
from explorer.explore.strategies import STRATEGIES
from explorer.explore.view_data import LABELS
from explorer.hardware.params import SweepParam, default_values, sweepable_params
from explorer.hardware.schema import Accelerator

DEFAULT_PARAMS = ("compute.pe_rows", "compute.pe_cols")
DEFAULT_OBJECTIVES = ("latency_s", "energy_j", "area_mm2")


def default_range(param: SweepParam) -> str:
    """A first range for a parameter: ×¼ … ×4 by factors of 2 for positive numbers (the
    way array sizes and memories grow), every choice for an enum."""
    if param.kind in ("int", "float") and param.current and param.current > 0:
        low, high = param.facts.limits()
        lo, hi = param.current / 4, param.current * 4
        if param.kind == "int":
            lo, hi = max(1, int(lo)), int(hi)
        lo = max(lo, low) if low is not None else lo
        hi = min(hi, high) if high is not None else hi
        if lo < hi:
            return f"{lo:g}:{hi:g}:2:log"
    return default_values(param)


def default_output(folder: str | None, network: str) -> str:
    stem = f"explore-{network or 'design'}-{time.strftime('%Y%m%d-%H%M%S')}.h5"
    return str(Path(folder or tempfile.gettempdir()) / stem)


class ExploreSetup(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.params: dict[str, SweepParam] = {}
        self.param_combo = QComboBox()
        self.param_combo.setMinimumContentsLength(24)
        self.param_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(lambda: self.add_param(self.param_combo.currentData()))
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Parameter", "Values or LO:HI[:STEP][:log]"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.
                                                           ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(110)
        self.objectives = QListWidget()
        for metric in METRICS:
            item = QListWidgetItem(LABELS[metric])
            item.setData(Qt.ItemDataRole.UserRole, metric)
            item.setCheckState(Qt.CheckState.Checked if metric in DEFAULT_OBJECTIVES
                               else Qt.CheckState.Unchecked)
            self.objectives.addItem(item)
        self.objectives.setMaximumHeight(110)
        self.strategy = QComboBox()
        self.strategy.addItems(list(STRATEGIES))
        self.strategy.setCurrentText("nsga2")
        self.strategy.setToolTip("grid: every combination; random, lhs: samples; nsga2, "
                                 "tpe: searches that learn from the designs so far")
        self.budget = QSpinBox()
        self.budget.setRange(0, 10_000_000)
        self.budget.setValue(200)
        self.budget.setSpecialValueText("all (grid)")
        self.budget.setToolTip("How many designs to evaluate (0: all of a grid)")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.workers = QSpinBox()
        self.workers.setRange(1, 256)
        self.workers.setToolTip("Processes evaluating designs (1: in the window's worker)")
        self.constraints = QLineEdit()
        self.constraints.setPlaceholderText("e.g. area_mm2<=5; latency<=2ms is written "
                                            "latency_s<=0.002")
        self.output = QLineEdit()
        self.output.setPlaceholderText("a new .h5 file (default: a fresh one in the last "
                                       "folder)")
        self.output.setToolTip("Every design is stored here as it finishes; running the "
                               "same exploration into the same file resumes it")

        add_row = QHBoxLayout()
        add_row.addWidget(self.param_combo, 1)
        add_row.addWidget(self.add_button)
        add_row.addWidget(self.remove_button)
        form = QFormLayout()
        form.addRow("Objectives:", self.objectives)
        form.addRow("Strategy:", self.strategy)
        form.addRow("Budget:", self.budget)
        form.addRow("Seed:", self.seed)
        form.addRow("Workers:", self.workers)
        form.addRow("Constraints:", self.constraints)
        form.addRow("Output file:", self.output)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(add_row)
        layout.addWidget(self.table)
        layout.addLayout(form)

    # -- the accelerator's parameters ------------------------------------------------------
    def set_accelerator(self, acc: Accelerator | None) -> None:
        if acc is None:
            return
        self.params = {p.path: p for p in sweepable_params(acc)}
        keep = self.param_combo.currentData()
        self.param_combo.clear()
        for p in self.params.values():
            self.param_combo.addItem(p.label, p.path)
            self.param_combo.setItemData(self.param_combo.count() - 1, p.allowed(),
                                         Qt.ItemDataRole.ToolTipRole)
        index = self.param_combo.findData(keep)
        self.param_combo.setCurrentIndex(max(index, 0))
        for row in reversed(range(self.table.rowCount())):  # drop what this design lacks
            if self.table.item(row, 0).text() not in self.params:
                self.table.removeRow(row)
        if self.table.rowCount() == 0:
            for path in DEFAULT_PARAMS:
                if path in self.params:
                    self.add_param(path)

    def add_param(self, path: str | None, values: str | None = None) -> None:
        """Add `path` with `values` (default: a range around its current value)."""
        if not path or path not in self.params:
            raise ArchitectureError(f"explore: {path!r} is not a sweepable parameter of "
                                    "this accelerator")
        row = self._row_of(path)
        if row is None:
            row = self.table.rowCount()
            self.table.insertRow(row)
            name = QTableWidgetItem(path)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            name.setToolTip(self.params[path].allowed())
            self.table.setItem(row, 0, name)
        text = values if values is not None else default_range(self.params[path])
        self.table.setItem(row, 1, QTableWidgetItem(text))

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)

    def _row_of(self, path: str) -> int | None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).text() == path:
                return row
        return None

    # -- reading the form ------------------------------------------------------------------
    def param_texts(self) -> list[str]:
        return [f"{self.table.item(r, 0).text()}={self.table.item(r, 1).text().strip()}"
                for r in range(self.table.rowCount())]

    def chosen_objectives(self) -> list[str]:
        return [self.objectives.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.objectives.count())
                if self.objectives.item(i).checkState() == Qt.CheckState.Checked]

    def set_objectives(self, metrics: list[str]) -> None:
        for i in range(self.objectives.count()):
            item = self.objectives.item(i)
            item.setCheckState(Qt.CheckState.Checked
                               if item.data(Qt.ItemDataRole.UserRole) in metrics
                               else Qt.CheckState.Unchecked)

    def spec(self, networks: list, acc: Accelerator, estimator: str,
             options: dict) -> object:
        """The exploration the form describes; ArchitectureError (one line) if not."""
        from explorer.explore import Spec, parse_param

        params = [parse_param(text, acc) for text in self.param_texts()]
        if not params:
            raise ArchitectureError("explore: add at least one parameter")
        objectives = self.chosen_objectives()
        if not objectives:
            raise ArchitectureError("explore: choose at least one objective")
        constraints = [Constraint.parse(t) for t in
                       self.constraints.text().replace(";", ",").split(",") if t.strip()]
        strategy = self.strategy.currentText()
        budget = self.budget.value() or None
        if budget is None and strategy != "grid":
            raise ArchitectureError(f"explore: {strategy} needs a budget (how many designs)")
        return Spec(networks, acc, params, objectives, constraints, None, estimator,
                    dict(options), strategy, budget, self.seed.value())
