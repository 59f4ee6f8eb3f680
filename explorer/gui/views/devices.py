"""Devices: pick a device (this CPU, a simulated accelerator, a measurement pool, an
imported store), see its campaigns (benchmark stores) and trained models, benchmark and
train in the background (progress and Cancel in the status bar and here), use a model
for the open network, and compare estimate and measurement in the Comparison tab.

The logic is `explorer.session.devices` (Qt-free); this is its widget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.errors import ExplorerError
from explorer.gui.views.host import Host
from explorer.session import Session
from explorer.session.devices import DeviceEntry, DeviceWorkspace

SETTINGS_FOLDER = "devices/folder"
PATH_ROLE = Qt.ItemDataRole.UserRole
IN_USE = " · in use"


class DevicesView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace: DeviceWorkspace | None = None
        self._session: Session | None = None
        self._host: Host | None = None
        self._busy = False
        self._failure = ""  # what a failure of the running operation is called
        self.quick_measure = False  # a few rounds only: smoke tests and screenshots

        # -- device ----------------------------------------------------------------------
        self.device_combo = QComboBox()
        self.device_combo.setToolTip("The device whose measurements and models are shown")
        self.device_combo.currentIndexChanged.connect(self._on_device_picked)
        self.add_edit = QLineEdit()
        self.add_edit.setPlaceholderText("pool:PATH or store .h5")
        self.add_edit.setToolTip("A measurement pool (pool:PATH, a folder of single_*.jsonl "
                                 "or a .jsonl file) or an imported benchmark store (.h5)")
        self.add_edit.returnPressed.connect(self._on_add)
        self.add_button = QPushButton("Add")
        self.add_button.setToolTip("Add a measurement pool or an imported benchmark store "
                                   "as a device")
        self.add_button.clicked.connect(self._on_add)
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self._on_browse)
        self.device_info = QLabel()
        self.device_info.setWordWrap(True)
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_button = QPushButton("Folder…")
        self.folder_button.setToolTip("The folder of benchmark stores (.h5) and models "
                                      "(.skops) this tab lists and writes")
        self.folder_button.clicked.connect(self._on_folder)

        add_row = QHBoxLayout()
        add_row.addWidget(self.add_edit, 1)
        add_row.addWidget(self.add_button)
        add_row.addWidget(self.browse_button)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(self.folder_button)
        device_box = QGroupBox("Device")
        device_layout = QVBoxLayout(device_box)
        device_layout.addWidget(self.device_combo)
        device_layout.addLayout(add_row)
        device_layout.addWidget(self.device_info)
        device_layout.addLayout(folder_row)
        device_layout.addStretch(1)

        # -- campaigns -------------------------------------------------------------------
        self.campaign_list = QListWidget()
        self.campaign_list.setWordWrap(True)
        self.campaign_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.campaign_list.setSpacing(2)
        self.campaign_list.setToolTip("Benchmark stores of this device in the folder")
        self.campaign_list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.budget_spin = QSpinBox()
        self.budget_spin.setRange(1, 100_000)
        self.budget_spin.setValue(200)
        self.budget_spin.setToolTip("Layer configurations to measure")
        self.strategy_combo = QComboBox()
        self.strategy_combo.addItems(["pr", "random"])
        self.strategy_combo.setToolTip("pr: sweeps, then Performance Representatives; "
                                       "random: a random sample")
        self.benchmark_button = QPushButton("Benchmark")
        self.benchmark_button.setToolTip("Measure layers on the device into a store in the "
                                         "folder (resumable)")
        self.benchmark_button.clicked.connect(self._on_benchmark)
        self.kind_combo = QComboBox()
        self.kind_combo.addItems(["pr", "annette"])
        self.kind_combo.setToolTip("pr: featurizer with the store's step rules; annette: "
                                   "ANNETTE's mixed model")
        self.train_button = QPushButton("Train model")
        self.train_button.setToolTip("Fit a latency model on the selected store")
        self.train_button.clicked.connect(self._on_train)
        bench_form = QFormLayout()
        bench_form.addRow("Budget:", self.budget_spin)
        bench_form.addRow("Strategy:", self.strategy_combo)
        bench_form.addRow("", self.benchmark_button)
        bench_form.addRow("Model:", self.kind_combo)
        bench_form.addRow("", self.train_button)
        campaign_box = QGroupBox("Campaigns (benchmark stores)")
        campaign_layout = QVBoxLayout(campaign_box)
        campaign_layout.addWidget(self.campaign_list, 1)
        campaign_layout.addLayout(bench_form)

        # -- models ----------------------------------------------------------------------
        self.model_list = QListWidget()
        self.model_list.setWordWrap(True)
        self.model_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.model_list.setSpacing(2)
        self.model_list.setToolTip("Models trained for this device, in the folder")
        self.model_list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.use_button = QPushButton("Use model")
        self.use_button.setToolTip("Estimate the open network with the statistical "
                                   "estimator and this model")
        self.use_button.clicked.connect(self._on_use)
        self.measure_button = QPushButton("Measure && compare")
        self.measure_button.setToolTip("Measure the open network on the device and show "
                                       "it against the selected model's estimate in the "
                                       "Comparison tab")
        self.measure_button.clicked.connect(self._on_measure)
        self.measure_note = QLabel()
        self.measure_note.setWordWrap(True)
        model_box = QGroupBox("Trained models")
        model_layout = QVBoxLayout(model_box)
        model_layout.addWidget(self.model_list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.measure_button)
        model_layout.addLayout(buttons)
        model_layout.addWidget(self.measure_note)

        # -- messages and cancel -----------------------------------------------------------
        self.message = QLabel("")
        self.message.setWordWrap(False)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Cancel the running benchmark, training or "
                                      "measurement (Esc)")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self._on_cancel)

        columns = QHBoxLayout()
        columns.addWidget(device_box, 4)
        columns.addWidget(campaign_box, 4)
        columns.addWidget(model_box, 4)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(columns, 1)
        layout.addLayout(bottom)

    # ================================================================== wiring
    def attach(self, session: Session, host: Host) -> None:
        self._session, self._host = session, host
        folder = host.settings.store.value(SETTINGS_FOLDER) if host.settings else None
        self.workspace = DeviceWorkspace(str(folder) if folder else None)
        self.workspace.events.devices_changed.connect(self._fill_devices)
        self.workspace.events.selection_changed.connect(lambda _entry: self.refresh())
        self.workspace.events.catalog_changed.connect(self.refresh)
        session.events.network_changed.connect(self._update_buttons)
        session.events.estimator_changed.connect(self._show_model_in_use)
        for name, slot in (("taskFailed", self._on_task_failed),
                           ("taskCancelled", self._on_task_cancelled)):
            signal = getattr(host, name, None)
            if signal is not None:
                signal.connect(slot)
        self._fill_devices()
        self.refresh()

    # ================================================================== public
    @property
    def selected_entry(self) -> DeviceEntry | None:
        return self.workspace.selected if self.workspace else None

    def set_folder(self, folder: str) -> None:
        assert self.workspace is not None and self._host is not None
        self.workspace.set_folder(folder)
        self._host.settings.store.setValue(SETTINGS_FOLDER, folder)

    def pick_device(self, spec: str) -> bool:
        """Select a listed device or add a pool or store (False with a message if not)."""
        assert self.workspace is not None
        try:
            self.workspace.select(self.workspace.entry(spec))
        except ExplorerError as exc:
            self.show_message(str(exc), error=True)
            return False
        self._sync_combo()
        return True

    def refresh(self) -> None:
        """List the selected device's stores and models again."""
        if self.workspace is None:
            return
        entry = self.workspace.selected
        self._sync_combo()
        self.folder_label.setText(f"Folder: {self.workspace.folder}")
        catalog = self.workspace.catalog(entry)
        self._fill(self.campaign_list, [(c.describe(), c.path) for c in catalog.campaigns],
                   "no benchmark stores for this device yet: Benchmark, or add a store")
        self._fill(self.model_list, [(m.describe(), m.path) for m in catalog.models],
                   "no models for this device yet: select a store and Train model")
        where = "measured here" if entry.can_benchmark else "measured elsewhere"
        self.device_info.setText(f"<b>{entry.device}</b><br>{_kind_text(entry)}; {where}.")
        self.measure_note.setText(("Measurement: " if entry.measurable else "")
                                  + entry.measure_note)
        self.measure_note.setStyleSheet("" if entry.measurable else "color: #a05a00;")
        if catalog.problems:
            self.show_message(f"{len(catalog.problems)} unreadable file(s): "
                              f"{catalog.problems[0]}", error=True)
        self._update_buttons()

    def show_message(self, text: str, error: bool = False) -> None:
        line = text.splitlines()[0] if text else ""
        self.message.setText(line)
        self.message.setToolTip(text)
        self.message.setStyleSheet("color: #b00020;" if error else "")

    def selected_campaign(self) -> Path | None:
        return _path_of(self.campaign_list.currentItem())

    def selected_model(self) -> Path | None:
        return _path_of(self.model_list.currentItem())

    # ================================================================== actions
    def _on_device_picked(self, index: int) -> None:
        if self.workspace is None or index < 0 or index >= len(self.workspace.devices):
            return
        self.workspace.select(self.workspace.devices[index])

    def _on_add(self) -> None:
        text = self.add_edit.text().strip()
        if self.pick_device(text):
            self.add_edit.clear()
            self.show_message(f"added {self.workspace.selected.label}")

    def _on_browse(self) -> None:
        assert self._host is not None
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a benchmark store or measurement pool", self._host.settings.last_dir(),
            "Stores and pools (*.h5 *.hdf5 *.jsonl);;All files (*)")
        if path:
            self.add_edit.setText(path)
            self._on_add()

    def _on_folder(self) -> None:
        assert self.workspace is not None
        folder = QFileDialog.getExistingDirectory(self, "Folder of stores and models",
                                                  str(self.workspace.folder))
        if folder:
            self.set_folder(folder)

    def _on_benchmark(self) -> None:
        assert self.workspace is not None
        entry, budget = self.workspace.selected, self.budget_spin.value()
        strategy = self.strategy_combo.currentText()
        self._run(lambda: self.workspace.benchmark(entry, budget, strategy),
                  "Benchmark failed",
                  lambda info: self.show_message(f"{info.path.name}: {info.rows} rows"))

    def _on_train(self) -> None:
        assert self.workspace is not None
        store, kind = self.selected_campaign(), self.kind_combo.currentText()
        if store is None:
            self.show_message("select a benchmark store to train on", error=True)
            return
        self._run(lambda: self.workspace.train(store, kind=kind), "Training failed",
                  lambda info: self._after_training(info))

    def _after_training(self, info: Any) -> None:
        self.show_message(f"trained {info.path.name} on {info.rows} rows")
        for row in range(self.model_list.count()):
            if _path_of(self.model_list.item(row)) == info.path:
                self.model_list.setCurrentRow(row)

    def _on_use(self) -> None:
        assert self.workspace is not None and self._session is not None
        model = self.selected_model()
        if model is None:
            self.show_message("select a model first", error=True)
            return
        try:
            self.workspace.use_model(self._session, model)
        except ExplorerError as exc:
            self.show_message(str(exc), error=True)
            return
        self.show_message(f"the statistical estimator now uses {model.name}"
                          + ("" if self._session.network else "; open a network (Ctrl+O)"))

    def _on_measure(self) -> None:
        assert self.workspace is not None and self._session is not None
        entry, model, session = self.workspace.selected, self.selected_model(), self._session

        def shown(_result: Any) -> None:
            self.show_message(f"measured {session.network.name if session.network else ''} "
                              f"on {entry.device}; see the Comparison tab")
            comparison = getattr(self._host, "views", {}).get("comparison")
            if comparison is not None and self._host is not None:
                self._host.show_view(comparison)

        self._run(lambda: self.workspace.measure_and_compare(
            session, entry, model, quick=self.quick_measure),
                  "Measurement failed", shown)

    def _on_cancel(self) -> None:
        if self._host is not None:
            self._host.cancel()

    # ================================================================== internals
    def _run(self, make, failure: str, then) -> None:
        """An operation in the window's worker: errors as one line here (and as the
        window reports them), progress in the status bar, Cancel enabled meanwhile."""
        assert self._host is not None

        def checked():
            try:
                return make()
            except ExplorerError as exc:
                self.show_message(f"{failure}: {exc}", error=True)
                raise

        def on_end() -> None:
            self._busy = False
            self._update_buttons()
            # The window reports a failure or a cancel right after on_end: keep the
            # label's words until then.
            QTimer.singleShot(0, self._forget_failure)

        self._busy = True
        self._failure = failure
        self._update_buttons()
        self.show_message("working… (Cancel stops it)")
        self._host.run(checked, failure, then=then, on_end=on_end)

    def _on_task_failed(self, message: str) -> None:
        if self._failure:
            self.show_message(f"{self._failure}: {message}", error=True)

    def _on_task_cancelled(self, message: str) -> None:
        if self._failure:
            self.show_message(f"Cancelled: {message}")

    def _forget_failure(self) -> None:
        self._failure = ""

    def _fill_devices(self) -> None:
        if self.workspace is None:
            return
        self.device_combo.blockSignals(True)
        self.device_combo.clear()
        for entry in self.workspace.devices:
            self.device_combo.addItem(entry.label)
        self.device_combo.blockSignals(False)
        self._sync_combo()

    def _sync_combo(self) -> None:
        if self.workspace is None:
            return
        index = self.workspace.devices.index(self.workspace.selected)
        if self.device_combo.currentIndex() != index:
            self.device_combo.blockSignals(True)
            self.device_combo.setCurrentIndex(index)
            self.device_combo.blockSignals(False)

    def _fill(self, widget: QListWidget, rows: list[tuple[str, Path]], empty: str) -> None:
        current = _path_of(widget.currentItem())
        widget.clear()
        for text, path in rows:
            item = QListWidgetItem(text)
            item.setData(PATH_ROLE, str(path))
            item.setToolTip(str(path))
            widget.addItem(item)
            if path == current:
                widget.setCurrentItem(item)
        if not rows:
            item = QListWidgetItem(empty)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            widget.addItem(item)
        elif widget.currentItem() is None:
            widget.setCurrentRow(0)
        self._show_model_in_use()

    def _show_model_in_use(self) -> None:
        if self._session is None:
            return
        used = (str(self._session.estimator_options.get("model") or "")
                if self._session.estimator == "statistical" else "")
        for row in range(self.model_list.count()):
            item = self.model_list.item(row)
            path = item.data(PATH_ROLE)
            in_use = bool(path) and path == used
            text = item.text().removesuffix(IN_USE)
            item.setText(text + IN_USE if in_use else text)
            font = item.font()
            font.setBold(in_use)
            item.setFont(font)

    def _update_buttons(self) -> None:
        entry = self.selected_entry
        if entry is None:
            return
        idle = not self._busy
        has_network = self._session is not None and self._session.network is not None
        self.benchmark_button.setEnabled(idle and entry.can_benchmark)
        self.benchmark_button.setToolTip(
            "Measure layers on the device into a store in the folder (resumable)"
            if entry.can_benchmark else "measured elsewhere: plan a round with "
            "`accel-explorer bench --plan-only` and import the runner's results")
        self.train_button.setEnabled(idle and self.selected_campaign() is not None)
        self.use_button.setEnabled(idle and self.selected_model() is not None)
        self.measure_button.setEnabled(idle and entry.measurable and has_network)
        self.cancel_button.setEnabled(self._busy)


def _kind_text(entry: DeviceEntry) -> str:
    from explorer.session.devices import KINDS

    return KINDS[entry.kind]


def _path_of(item: QListWidgetItem | None) -> Path | None:
    if item is None:
        return None
    data = item.data(PATH_ROLE)
    return Path(data) if data else None
