"""The accelerator panel: pick a library entry or a YAML file, edit it in the generated
form with undo/redo, see what is invalid, reset, save."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.errors import ArchitectureError
from explorer.gui.forms import FieldPath, ModelForm, format_path, validation_errors
from explorer.hardware.library import (
    library_names,
    load_accelerator,
    save_accelerator,
)
from explorer.hardware.schema import Accelerator

_FILE_PREFIX = "file: "


def accelerator_data(acc: Accelerator) -> dict[str, Any]:
    return json.loads(acc.model_dump_json())  # enums -> plain strings, like YAML


class SetValueCommand(QUndoCommand):
    """One field edit. Consecutive edits of the same field merge into one undo step."""

    ID = 1

    def __init__(self, panel: AcceleratorPanel, path: FieldPath, old: Any, new: Any) -> None:
        super().__init__(f"set {format_path(path)} = {new}")
        self._panel, self.path, self.old, self.new = panel, tuple(path), old, new

    def redo(self) -> None:
        self._panel.apply_value(self.path, self.new)

    def undo(self) -> None:
        self._panel.apply_value(self.path, self.old)

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetValueCommand) or other.path != self.path:
            return False
        self.new = other.new
        self.setText(f"set {format_path(self.path)} = {self.new}")
        return True


class ReplaceDataCommand(QUndoCommand):
    """A structural change (memory added/removed) or a reset: the whole description."""

    def __init__(self, panel: AcceleratorPanel, old: dict, new: dict, text: str) -> None:
        super().__init__(text)
        self._panel, self.old, self.new = panel, copy.deepcopy(old), copy.deepcopy(new)

    def redo(self) -> None:
        self._panel.apply_data(self.new)

    def undo(self) -> None:
        self._panel.apply_data(self.old)


class AcceleratorPanel(QWidget):
    """Emits `acceleratorChanged(Accelerator | None)` after every change (None while the
    description is invalid) and `modifiedChanged(bool)`."""

    acceleratorChanged = Signal(object)
    modifiedChanged = Signal(bool)
    sourceChanged = Signal(str)  # library name or YAML path now being edited
    errorOccurred = Signal(str, str)  # title, one-line message

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._source = ""
        self._default_data: dict[str, Any] = {}
        self._accelerator: Accelerator | None = None
        self._errors: list[tuple[FieldPath, str]] = []

        self.combo = QComboBox()
        self.combo.setToolTip("Library accelerator (arch_library/) or an opened YAML file")
        for name in library_names():
            self.combo.addItem(name, name)
        self.combo.activated.connect(self._on_combo_activated)

        self.undo_action = self.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.reset_action = QAction("Reset", self)
        self.reset_action.setToolTip("Reset every field to the loaded description "
                                     "(library default or file); undoable")
        self.reset_action.triggered.connect(self.reset_to_default)

        self.modified_label = QLabel()
        self.modified_label.setObjectName("modifiedMarker")
        self.status_label = QLabel()
        self.status_label.setObjectName("validationSummary")
        self.status_label.setWordWrap(True)

        self.form = ModelForm(Accelerator)
        self.form.valueEdited.connect(self._on_value_edited)
        self.form.structureEdited.connect(self._on_structure_edited)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        top = QHBoxLayout()
        top.addWidget(self.combo, 1)
        top.addWidget(self.modified_label)
        buttons = QHBoxLayout()
        for action, text in ((self.undo_action, "Undo"), (self.redo_action, "Redo"),
                             (self.reset_action, "Reset")):
            buttons.addWidget(_ActionButton(action, text))
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)
        layout.addWidget(scroll, 1)

    # -- state --------------------------------------------------------------------------
    @property
    def accelerator(self) -> Accelerator | None:
        """The edited description if valid, else None."""
        return self._accelerator

    @property
    def errors(self) -> list[tuple[FieldPath, str]]:
        return list(self._errors)

    @property
    def source(self) -> str:
        return self._source

    @property
    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def data(self) -> dict[str, Any]:
        return self.form.data

    # -- loading and saving -------------------------------------------------------------
    def load(self, name_or_path: str) -> None:
        """A library entry or YAML file; raises ArchitectureError (caller shows it)."""
        acc = load_accelerator(name_or_path)
        is_library = name_or_path in library_names()
        self._source = name_or_path if is_library else str(Path(name_or_path).resolve())
        self._default_data = accelerator_data(acc)
        self.undo_stack.clear()
        self.apply_data(self._default_data)
        self.undo_stack.setClean()
        self._select_combo_entry()
        self._on_clean_changed(True)
        self.sourceChanged.emit(self._source)

    def save_as(self, path: str | Path) -> None:
        if self._accelerator is None:
            first = self._errors[0] if self._errors else ((), "invalid")
            raise ArchitectureError(f"cannot save: {format_path(first[0]) or 'description'}: "
                                    f"{first[1]}; fix the marked fields first")
        try:
            save_accelerator(self._accelerator, path)
        except OSError as exc:
            raise ArchitectureError(f"{path}: cannot write ({exc.strerror or exc})") from None
        self._source = str(Path(path).resolve())
        self._default_data = copy.deepcopy(self.form.data)
        self.undo_stack.setClean()
        self._select_combo_entry()
        self.sourceChanged.emit(self._source)

    def suggested_save_path(self) -> str:
        if self._source in library_names():
            name = self._accelerator.name if self._accelerator else self._source
            return str(Path.cwd() / f"{name}.yaml")
        return self._source

    @Slot()
    def reset_to_default(self) -> None:
        if self.form.data != self._default_data:
            self.undo_stack.push(ReplaceDataCommand(self, self.form.data, self._default_data,
                                                    "reset to default"))

    def replace_data(self, data: dict[str, Any], text: str) -> None:
        """Replace the whole description as one undoable edit (e.g. `--set` overrides)."""
        if data != self.form.data:
            self.undo_stack.push(ReplaceDataCommand(self, self.form.data, data, text))

    def set_field(self, path: FieldPath, value: Any) -> None:
        """Edit one field as a user would (undoable); for scripts and tests."""
        old = copy.deepcopy(self.form.data)
        for key in path:
            old = old[key]
        if old != value:
            self.undo_stack.push(SetValueCommand(self, tuple(path), old, value))

    # -- applied by undo commands -------------------------------------------------------
    def apply_value(self, path: FieldPath, value: Any) -> None:
        self.form.set_value(path, value)
        self._revalidate()

    def apply_data(self, data: dict[str, Any]) -> None:
        self.form.set_data(data)
        self._revalidate()

    # -- internals ----------------------------------------------------------------------
    def _revalidate(self) -> None:
        acc, errors = validation_errors(Accelerator, self.form.data)
        self._accelerator = acc  # type: ignore[assignment]
        self._errors = errors
        self.form.show_errors(errors)
        if errors:
            where, msg = errors[0]
            more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
            self.status_label.setText(f"Invalid: {format_path(where) or 'description'}: "
                                      f"{msg}{more}. Estimates paused.")
        else:
            self.status_label.setText("")
        self.status_label.setVisible(bool(errors))
        self.acceleratorChanged.emit(acc)

    def _select_combo_entry(self) -> None:
        index = self.combo.findData(self._source)
        if index < 0:
            self.combo.addItem(f"{_FILE_PREFIX}{Path(self._source).name}", self._source)
            index = self.combo.count() - 1
            self.combo.setItemData(index, self._source, Qt.ItemDataRole.ToolTipRole)
        self.combo.setCurrentIndex(index)

    @Slot(int)
    def _on_combo_activated(self, index: int) -> None:
        source = self.combo.itemData(index)
        if source and source != self._source:
            try:
                self.load(source)
            except ArchitectureError as exc:
                self._select_combo_entry()
                self.errorOccurred.emit("Cannot load accelerator", str(exc))

    @Slot(object, object, object)
    def _on_value_edited(self, path: FieldPath, old: Any, new: Any) -> None:
        self.undo_stack.push(SetValueCommand(self, path, old, new))

    @Slot(object)
    def _on_structure_edited(self, data: dict) -> None:
        self.undo_stack.push(ReplaceDataCommand(self, self.form.data, data, "edit list"))

    @Slot(bool)
    def _on_clean_changed(self, clean: bool) -> None:
        self.modified_label.setText("" if clean else "● modified")
        self.modified_label.setToolTip("" if clean else "Edited since loaded or saved "
                                       "(Ctrl+S saves as YAML)")
        self.modifiedChanged.emit(not clean)


class _ActionButton(QToolButton):
    """A short button for an action whose text is long: undo actions are named after the
    edit ("Undo set compute.pe_rows = 32"), which goes into the tooltip instead."""

    def __init__(self, action: QAction, text: str) -> None:
        super().__init__()
        self._action = action
        self.setText(text)
        self.clicked.connect(action.trigger)
        action.changed.connect(self._sync)
        self._sync()

    @Slot()
    def _sync(self) -> None:
        try:
            self.setEnabled(self._action.isEnabled())
            self.setToolTip(self._action.toolTip() or self._action.text())
        except RuntimeError:  # the action is being destroyed with its panel
            pass
