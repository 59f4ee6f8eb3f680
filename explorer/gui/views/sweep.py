"""The Sweep tab: pick up to two accelerator parameters and their values, run a design
sweep (explorer.sweep) in the background, plot latency or energy against the first
parameter with one curve per value of the second; clicking a point asks the window to
apply that design to the accelerator form.

The functions before SweepView use no Qt (which parameters can be swept, default value
ranges, parsing the value lines, grouping sweep rows into curves) so it can be tested and
reused without a widget.
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from explorer.errors import ArchitectureError
from explorer.gui.views.host import Host
from explorer.gui.views.style import SERIES_PALETTE
from explorer.hardware.params import (
    SweepParam,
    default_values,
    parse_values,
    sweepable_params,
)
from explorer.hardware.params import (
    format_value as _format,
)
from explorer.hardware.schema import Accelerator
from explorer.session import Session
from explorer.sweep import Axis
from explorer.units import format_value as format_quantity
from explorer.units import si


# ===================================================================== Qt-free part
# (which parameters can be swept and their values: explorer.hardware.params)
@dataclass
class Curve:
    """The points of one value of the second parameter (or all points if there is none)."""

    label: str
    x: list[float] = field(default_factory=list)
    latency_s: list[float] = field(default_factory=list)
    energy_j: list[float] = field(default_factory=list)
    values: list[tuple[str, ...]] = field(default_factory=list)  # as written, per point


def sweep_curves(rows: list[dict], axes: list[Axis]) -> tuple[list[Curve], list[str]]:
    """Rows of a sweep file grouped into curves (x = first parameter; its position in
    the value list when it is not numeric) and one line per invalid point."""
    first = axes[0]
    second = axes[1] if len(axes) > 1 else None
    curves: dict[str, Curve] = {}
    if second is not None:
        for value in second.values:
            curves[value] = Curve(f"{second.path} = {value}")
    else:
        curves[""] = Curve(first.path)
    invalid: list[str] = []
    for row in rows:
        values = tuple(_format(row[a.path]) for a in axes)
        where = ", ".join(f"{a.path}={v}" for a, v in zip(axes, values))
        if row["status"] != "ok":
            invalid.append(f"{where}: {row['status']}")
            continue
        curve = curves[values[1] if second is not None else ""]
        curve.x.append(float(values[0]) if first.numeric else
                       float(first.values.index(values[0])))
        curve.latency_s.append(row["latency_s"])
        curve.energy_j.append(row["energy_j"])
        curve.values.append(values)
    return [c for c in curves.values() if c.x], invalid


def default_output_path(folder: str | None, network: str) -> str:
    stem = f"sweep-{network}-{time.strftime('%Y%m%d-%H%M%S')}.h5"
    return str(Path(folder or tempfile.gettempdir()) / stem)


# ===================================================================== Qt part
_NONE = "(none)"


class _ParamRow:
    """A parameter combo and its value line."""

    def __init__(self, optional: bool) -> None:
        self.optional = optional
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(28)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.values = QLineEdit()
        self.values.setPlaceholderText("comma-separated values")
        self.params: dict[str, SweepParam] = {}

    def fill(self, params: list[SweepParam], preferred: str) -> None:
        keep = self.combo.currentData()
        old_values = self.values.text()
        self.params = {p.path: p for p in params}
        self.combo.blockSignals(True)
        self.combo.clear()
        if self.optional:
            self.combo.addItem(_NONE, "")
        for p in params:
            self.combo.addItem(p.label, p.path)
            self.combo.setItemData(self.combo.count() - 1, p.facts.allowed(),
                                   Qt.ItemDataRole.ToolTipRole)
        target = keep if keep is not None and (keep in self.params or keep == "") \
            else preferred
        index = self.combo.findData(target)
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.blockSignals(False)
        if keep == self.combo.currentData() and old_values:
            return  # same parameter: keep what the user typed
        self.prefill()

    def prefill(self) -> None:
        param = self.param
        self.values.setText(default_values(param) if param else "")
        self.values.setEnabled(param is not None)

    @property
    def param(self) -> SweepParam | None:
        return self.params.get(self.combo.currentData() or "")


class SweepView(QWidget):
    """Emits `runRequested(list[Axis], str path)` and `pointChosen(dict path -> value)`."""

    runRequested = Signal(object, str)
    pointChosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.last_dir: str | None = None  # the window keeps it in its settings
        self._network_name = ""
        self._has_network = False
        self._estimator_ok = True
        self._estimator_reason = ""
        self._axes: list[Axis] = []
        self.curves: list[Curve] = []
        self.curve_items: list[pg.PlotDataItem] = []
        self.invalid_points: list[str] = []

        self.rows = [_ParamRow(optional=False), _ParamRow(optional=True)]
        for row in self.rows:
            row.combo.activated.connect(lambda _i, r=row: r.prefill())
        self.output_edit = QLineEdit()
        self.output_edit.setPlaceholderText("a new .h5 file (default: a fresh file in the "
                                            "last folder or the temp folder)")
        self.output_edit.setToolTip("The sweep is saved here point by point; rerunning the "
                                    "same sweep into the same file resumes it")
        self.browse_button = QPushButton("Save as…")
        self.browse_button.clicked.connect(self.choose_output)
        self.run_button = QPushButton("Run sweep")
        self.run_button.clicked.connect(self.request_run)
        self.error_label = QLabel()
        self.error_label.setObjectName("sweepError")
        self.error_label.setStyleSheet("color: #C00000")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        self.energy_check = QCheckBox("Show energy instead of latency")
        self.energy_check.toggled.connect(self._redraw)

        grid = QGridLayout()
        for i, (title, row) in enumerate(zip(("Parameter (x axis):",
                                              "Second parameter (curves):"), self.rows)):
            grid.addWidget(QLabel(title), i, 0)
            grid.addWidget(row.combo, i, 1)
            grid.addWidget(QLabel("Values:"), i, 2)
            grid.addWidget(row.values, i, 3, 1, 2)
        grid.addWidget(QLabel("Output file:"), 2, 0)
        grid.addWidget(self.output_edit, 2, 1, 1, 3)
        grid.addWidget(self.browse_button, 2, 4)
        grid.setColumnStretch(3, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.energy_check)
        buttons.addStretch(1)

        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.getAxis("left").setWidth(70)
        self.plot.getViewBox().setDefaultPadding(0.08)  # end markers stay whole
        # top right: latency falls as resources grow, so the top left holds the curves
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextSize="8pt")
        self.summary = QLabel("Choose parameters and values, then Run sweep. Click a point "
                              "to apply that design to the accelerator (Ctrl+Z undoes it).")
        self.summary.setWordWrap(True)
        self.invalid_list = QListWidget()
        self.invalid_list.setToolTip("Points the accelerator schema rejects: not plotted")
        self.invalid_box = invalid_box = QWidget()
        invalid_layout = QVBoxLayout(invalid_box)
        invalid_layout.setContentsMargins(0, 0, 0, 0)
        invalid_layout.addWidget(QLabel("Invalid points (not plotted):"))
        invalid_layout.addWidget(self.invalid_list)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.plot)
        splitter.addWidget(invalid_box)
        splitter.setSizes([420, 90])
        invalid_box.setVisible(False)  # until a sweep has invalid points

        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        self._update_run_button()

    def attach(self, session: Session, host: Host) -> None:
        from explorer.errors import ExplorerError
        from explorer.session.state import sweep_usable

        self.last_dir = host.settings.last_dir() or None

        def run(axes: list[Axis], path: str) -> None:
            self.last_dir = str(Path(path).parent)
            host.settings.set_last_dir(self.last_dir)
            self.set_running(True)
            host.run(lambda: session.sweep(axes, path), "Sweep failed",
                     then=lambda _rows: host.show_view(self),
                     on_end=lambda: self.set_running(False))

        def apply(values: dict[str, str]) -> None:
            try:
                session.apply_sweep_point(values)
            except ExplorerError as exc:
                host.report_error("Cannot apply sweep point", str(exc))

        def show() -> None:
            self.set_results(session.sweep_rows, session.sweep_axes, session.sweep_path)

        session.document.events.changed.connect(
            lambda _path: self.set_accelerator(session.accelerator))
        session.document.events.source_changed.connect(
            lambda _source: self.set_accelerator(session.accelerator, fresh=True))
        session.events.network_changed.connect(
            lambda: self.set_network(session.network.name if session.network else None))
        session.events.estimator_changed.connect(
            lambda: self.set_estimator(session.estimator, *sweep_usable(session.estimator)))
        session.events.sweep_changed.connect(show)
        self.runRequested.connect(run)
        self.pointChosen.connect(apply)
        self.set_estimator(session.estimator, *sweep_usable(session.estimator))
        self.set_accelerator(session.accelerator)

    # -- told by the window -------------------------------------------------------------
    def set_accelerator(self, acc: Accelerator | None, fresh: bool = False) -> None:
        """Offer `acc`'s parameters. Edits of the same design keep the typed values; a
        `fresh` design (another entry or file) gets value ranges around its own values."""
        if acc is None:
            return  # invalid while editing: keep the last choices
        if fresh:
            for row in self.rows:
                row.values.clear()
        params = sweepable_params(acc)
        self.rows[0].fill(params, "compute.pe_rows")
        self.rows[1].fill(params, "")

    def set_network(self, name: str | None) -> None:
        self._has_network = bool(name)
        self._network_name = name or ""
        self._update_run_button()

    def set_estimator(self, name: str, usable: bool, reason: str = "") -> None:
        self._estimator_ok = usable
        self._estimator_reason = reason
        self._update_run_button()

    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running and self._can_run())

    # -- user actions -------------------------------------------------------------------
    def select(self, row: int, path: str, values: str | None = None) -> None:
        """Choose a parameter (and optionally its values) as a user would."""
        target = self.rows[row]
        index = target.combo.findData(path)
        if index < 0:
            raise ArchitectureError(f"sweep: {path!r} is not a sweepable field of this "
                                    "accelerator")
        target.combo.setCurrentIndex(index)
        target.prefill()
        if values is not None:
            target.values.setText(values)

    @Slot()
    def choose_output(self) -> None:
        start = self.output_edit.text() or default_output_path(self.last_dir,
                                                               self._network_name)
        path, _ = QFileDialog.getSaveFileName(self, "Save sweep as HDF5", start,
                                              "HDF5 (*.h5 *.hdf5)")
        if path:
            if not path.lower().endswith((".h5", ".hdf5")):
                path += ".h5"
            self.output_edit.setText(path)
            self.last_dir = str(Path(path).parent)

    def axes(self) -> list[Axis]:
        """The axes of the form; ArchitectureError if a value line is wrong."""
        axes = []
        for row in self.rows:
            param = row.param
            if param is not None:
                axes.append(Axis(param.path, parse_values(param, row.values.text())))
        if len(axes) == 2 and axes[0].path == axes[1].path:
            raise ArchitectureError(f"sweep: {axes[0].path} is chosen twice")
        return axes

    @Slot()
    def request_run(self) -> None:
        try:
            axes = self.axes()
        except ArchitectureError as exc:
            self.show_error(str(exc))
            return
        self.show_error("")
        path = self.output_edit.text().strip()
        if not path:
            path = default_output_path(self.last_dir, self._network_name)
            self.output_edit.setText(path)
        self.runRequested.emit(axes, path)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    # -- results ------------------------------------------------------------------------
    def set_results(self, rows: list[dict], axes: list[Axis], path: str) -> None:
        self._axes = axes
        self.curves, self.invalid_points = sweep_curves(rows, axes)
        self.invalid_list.clear()
        self.invalid_list.addItems(self.invalid_points)
        self.invalid_box.setVisible(bool(self.invalid_points))
        ok = sum(len(c.x) for c in self.curves)
        self.summary.setText(f"{len(rows)} points in {path}: {ok} plotted, "
                             f"{len(self.invalid_points)} invalid. Click a point to apply "
                             "it to the accelerator (Ctrl+Z undoes it).")
        # a fresh file next time: rerunning into this one would only resume it
        self.output_edit.clear()
        self._redraw()

    @Slot()
    def _redraw(self) -> None:
        self.plot.clear()
        self.legend.clear()
        self.curve_items = []
        if not self._axes:
            return
        energy = self.energy_check.isChecked()
        first = self._axes[0]
        bottom = self.plot.getAxis("bottom")
        xs = sorted({x for c in self.curves for x in c.x}) if first.numeric else []
        # powers of two (PE counts, sizes) spread evenly on a log axis
        log_x = bool(xs) and min(xs) > 0 and max(xs) / min(xs) >= 8
        self.plot.setLogMode(x=log_x, y=False)
        param = self.rows[0].params.get(first.path)
        if log_x:  # label the swept values themselves, not 2·10¹-style decades
            unit = param.facts.unit if param else ""
            bottom.setTicks([[(math.log10(x), _tick(x, unit)) for x in xs]])
        elif first.numeric:
            bottom.setTicks(None)
        else:
            bottom.setTicks([list(enumerate(first.values))])
        self.plot.setLabel("bottom", param.label if param else first.path)
        self.plot.setLabel("left", "total energy" if energy else "total latency",
                           units="J" if energy else "s")
        for i, curve in enumerate(self.curves):
            colour = SERIES_PALETTE[i % len(SERIES_PALETTE)]
            ys = curve.energy_j if energy else curve.latency_s
            item = self.plot.plot(curve.x, [y if math.isfinite(y) else math.nan for y in ys],
                                  pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=9,
                                  symbolBrush=colour, name=curve.label,
                                  data=list(range(len(curve.x))))
            item.sigPointsClicked.connect(
                lambda _item, points, _ev, i=i: self._on_points_clicked(i, points))
            # hover readout: the design and its figures, with units (the scatter keeps
            # these options when the curve's data is set again)
            item.scatter.opts.update(
                hoverable=True,
                tip=lambda x, y, data, c=curve: self.point_text(c, int(data)))
            self.curve_items.append(item)
        self.plot.enableAutoRange()

    def point_text(self, curve: Curve, index: int) -> str:
        """What hovering over a point shows: the design and its latency and energy."""
        values = curve.values[index]
        design = ", ".join(f"{a.path} = {v}" for a, v in zip(self._axes, values))
        return (f"{design}\nlatency: {si(curve.latency_s[index], 's')}\n"
                f"energy: {si(curve.energy_j[index], 'J')}\nclick to apply this design")

    def _on_points_clicked(self, curve_index: int, points: list) -> None:
        if len(points):
            self.choose_point(curve_index, int(points[0].index()))

    def choose_point(self, curve_index: int, point_index: int) -> None:
        """Apply one plotted point: what a click on it does."""
        values = self.curves[curve_index].values[point_index]
        chosen = {axis.path: value for axis, value in zip(self._axes, values)}
        self.summary.setText("Applied " + ", ".join(f"{k} = {v}" for k, v in chosen.items())
                             + " to the accelerator (Ctrl+Z undoes it).")
        self.pointChosen.emit(chosen)

    # -- internals ----------------------------------------------------------------------
    def _can_run(self) -> bool:
        return self._has_network and self._estimator_ok

    def _update_run_button(self) -> None:
        self.run_button.setEnabled(self._can_run())
        if not self._estimator_ok:
            tip = self._estimator_reason
        elif not self._has_network:
            tip = "Open a network first (Ctrl+O)"
        else:
            tip = "Estimate every combination of the values, saving each point to the file"
        self.run_button.setToolTip(tip)


def _tick(value: float, unit: str) -> str:
    """A swept value on the log axis: through the one formatter where it takes a prefix
    ('100 MHz', '64 KiB'); plain where it would only repeat the axis' unit ('16')."""
    text = format_quantity(value, unit)
    return _format(value) if text == f"{_format(value)} {unit}" else text
