"""The accelerator panel: a view of the session's accelerator document. Pick a library
entry or a YAML file, edit it in the generated form, see what is invalid; Undo, Redo and
Reset act on the document's history (Qt-free, `explorer.session.document`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
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
from explorer.gui.forms import FieldPath, ModelForm, format_path
from explorer.hardware.introspect import get_at
from explorer.hardware.library import library_names
from explorer.hardware.schema import Accelerator
from explorer.session.document import AcceleratorDocument

_FILE_PREFIX = "file: "


class AcceleratorPanel(QWidget):
    """Emits `errorOccurred(title, message)` when a chosen entry cannot be loaded."""

    errorOccurred = Signal(str, str)

    def __init__(self, document: AcceleratorDocument | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document or AcceleratorDocument()
        # Asked before the edits are thrown away (switching entries); True: go ahead.
        self.confirm_discard: Callable[[str], bool] = lambda _what: True

        self.combo = QComboBox()
        self.combo.setToolTip("Library accelerator (arch_library/) or an opened YAML file")
        for name in library_names():
            self.combo.addItem(name, name)
        self.combo.activated.connect(self._on_combo_activated)

        self.undo_action = QAction("Undo", self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(self.document.undo)
        self.redo_action = QAction("Redo", self)
        # Ctrl+Y as well as the platform's redo key (Ctrl+Shift+Z here)
        # Ctrl+Y as well as the platform's redo keys, each once (a key listed twice is
        # an "ambiguous shortcut" that triggers nothing)
        redo_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
        if QKeySequence("Ctrl+Y") not in redo_keys:
            redo_keys.append(QKeySequence("Ctrl+Y"))
        self.redo_action.setShortcuts(redo_keys)
        self.redo_action.triggered.connect(self.document.redo)
        self.reset_action = QAction("Reset", self)
        self.reset_action.setToolTip("Reset every field to the loaded description "
                                     "(library default or file); undoable")
        self.reset_action.triggered.connect(self.document.reset)

        self.modified_label = QLabel()
        self.modified_label.setObjectName("modifiedMarker")
        self.status_label = QLabel()
        self.status_label.setObjectName("validationSummary")
        self.status_label.setWordWrap(True)

        self.form = ModelForm(Accelerator)
        self.form.valueEdited.connect(self._on_value_edited)
        self.form.structureEdited.connect(self._on_structure_edited)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.form)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

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
        layout.addWidget(self.scroll, 1)

        events = self.document.events
        events.changed.connect(self._on_document_changed)
        events.history_changed.connect(self._on_history_changed)
        events.modified_changed.connect(self._on_modified_changed)
        events.source_changed.connect(self._on_source_changed)
        self._on_history_changed()
        self.status_label.setVisible(False)

    # -- state (the document's) ---------------------------------------------------------
    @property
    def accelerator(self) -> Accelerator | None:
        return self.document.accelerator

    @property
    def errors(self) -> list[tuple[FieldPath, str]]:
        return self.document.errors

    @property
    def source(self) -> str:
        return self.document.source

    @property
    def is_modified(self) -> bool:
        return self.document.is_modified

    def load(self, name_or_path: str) -> None:
        """A library entry or YAML file; raises ArchitectureError (caller shows it)."""
        self.document.load(name_or_path)

    def set_field(self, path: FieldPath, value: Any) -> None:
        """Edit one field as a user would (undoable); for scripts and tests."""
        self.document.set_field(path, value)

    # -- the document changed ------------------------------------------------------------
    def _on_document_changed(self, path: FieldPath | None) -> None:
        if path is not None and tuple(path) in self.form.paths():
            self.form.set_value(path, get_at(self.document.data, path))
        else:
            self.form.set_data(self.document.data)
        errors = self.document.errors
        self.form.show_errors(errors)
        if errors:
            where, msg = errors[0]
            more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
            self.status_label.setText(f"Invalid: {format_path(where) or 'description'}: "
                                      f"{msg}{more}. Estimates paused.")
        else:
            self.status_label.setText("")
        self.status_label.setVisible(bool(errors))

    def _on_history_changed(self) -> None:
        doc = self.document
        self.undo_action.setEnabled(doc.can_undo)
        self.redo_action.setEnabled(doc.can_redo)
        self.undo_action.setText(f"Undo {doc.undo_text}".strip())
        self.redo_action.setText(f"Redo {doc.redo_text}".strip())

    def _on_modified_changed(self, modified: bool) -> None:
        self.modified_label.setText("● modified" if modified else "")
        self.modified_label.setToolTip("Edited since loaded or saved (Ctrl+S saves as YAML)"
                                       if modified else "")

    def _on_source_changed(self, source: str) -> None:
        index = self.combo.findData(source)
        if index < 0:
            self.combo.addItem(f"{_FILE_PREFIX}{Path(source).name}", source)
            index = self.combo.count() - 1
            self.combo.setItemData(index, source, Qt.ItemDataRole.ToolTipRole)
        self.combo.setCurrentIndex(index)
        self._on_modified_changed(self.document.is_modified)

    # -- user input ----------------------------------------------------------------------
    @Slot(int)
    def _on_combo_activated(self, index: int) -> None:
        source = self.combo.itemData(index)
        if not source or source == self.document.source:
            return
        try:
            if self.confirm_discard(f"switching to {self.combo.itemText(index)}"):
                self.document.load(source)
                return
        except ArchitectureError as exc:
            self.errorOccurred.emit("Cannot load accelerator", str(exc))
        self.combo.setCurrentIndex(self.combo.findData(self.document.source))

    @Slot(object, object, object)
    def _on_value_edited(self, path: FieldPath, _old: Any, new: Any) -> None:
        self.document.set_field(path, new)

    @Slot(object)
    def _on_structure_edited(self, data: dict) -> None:
        self.document.replace(data, "edit list")


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
