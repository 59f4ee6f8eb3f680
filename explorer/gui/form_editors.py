"""The form's field editors: a number spin box over wide ranges with SI / binary
prefixes, a combo box, the wheel and undo-key policies every field follows, and the
`Editor` record the form keeps per field."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QValidator, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from explorer.errors import ArchitectureError
from explorer.hardware.introspect import FieldPath
from explorer.hardware.overrides import parse_quantity
from explorer.units import PREFIXED_UNITS, exact_quantity


class _WheelNeedsFocus:
    """The wheel changes a value only in the focused field; over any other field it
    scrolls the form, as in well-behaved Qt apps (ten wheel clicks over a form once took
    Vector lanes from 14 to 1). Mixed into the spin boxes and combos of the form."""

    def _init_wheel_policy(self) -> None:
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # type: ignore[attr-defined]

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():  # type: ignore[attr-defined]
            super().wheelEvent(event)  # type: ignore[misc]
        else:
            event.ignore()  # the scroll area above scrolls instead


class FormComboBox(_WheelNeedsFocus, QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._init_wheel_policy()


class NumberSpinBox(_WheelNeedsFocus, QDoubleSpinBox):
    """One spin box for ints and floats over wide ranges (1 B .. 1 TiB, 1 Hz .. 100 GHz):
    %g text, scientific notation accepted, adaptive steps."""

    def __init__(self, integer: bool, parent: QWidget | None = None, unit: str = "") -> None:
        super().__init__(parent)
        self._integer = integer
        # Clock and sizes read and take SI / binary prefixes ("700 MHz", "128 KiB"); other
        # units are a plain suffix.
        self._prefixed = unit if unit in PREFIXED_UNITS else ""
        if unit and not self._prefixed:
            self.setSuffix(f" {unit}")
        self.setDecimals(0 if integer else 9)
        self.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.setKeyboardTracking(False)  # valueChanged on Enter/focus-out, not per key
        self.setAccelerated(True)
        self.setMinimumWidth(140)
        self._init_wheel_policy()

    def textFromValue(self, value: float) -> str:
        if self._prefixed:
            return exact_quantity(round(value) if self._integer else value, self._prefixed)
        if self._integer:
            return str(int(round(value)))
        return f"{value:.6g}"

    def _number(self, text: str) -> float | None:
        stripped = self._strip(text)
        if not self._prefixed:
            try:
                return float(stripped)
            except ValueError:
                return None
        try:
            value = parse_quantity(stripped, self._prefixed, float, "value")
        except ArchitectureError:
            return None
        return value if isinstance(value, float) else None

    def _strip(self, text: str) -> str:
        text = text.strip()
        suffix = self.suffix().strip()
        if suffix and text.endswith(suffix):
            text = text[: -len(suffix)]
        return text.strip().replace(",", "")

    def valueFromText(self, text: str) -> float:
        value = self._number(text)
        if value is None:
            return self.value()
        return float(round(value)) if self._integer else value

    def validate(self, text: str, pos: int) -> object:
        stripped = self._strip(text)
        value = self._number(text)
        if value is None:
            partial = (stripped in ("", "-", "+", ".") or stripped.lower().endswith(
                ("e", "e-", "e+")) or (bool(self._prefixed) and stripped[:1].isdigit()))
            state = QValidator.State.Intermediate if partial else QValidator.State.Invalid
            return state, text, pos
        if not math.isfinite(value) or not self.minimum() <= value <= self.maximum():
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos


def line_edit(widget: QObject) -> QLineEdit | None:
    if isinstance(widget, QLineEdit):
        return widget
    if isinstance(widget, QAbstractSpinBox):
        return widget.lineEdit()
    return None


UNDO_KEYS = (QKeySequence.StandardKey.Undo,)
REDO_KEYS = (QKeySequence.StandardKey.Redo,)


class CommittedEditsUndo(QObject):
    """Lets Ctrl+Z / Ctrl+Y reach the window's undo history while a form field has
    focus. A text field claims those keys for its own undo; for an edit already committed
    (the text is what the document holds) the window's history is the one that knows
    it, so the field gives the keys up. While the user is typing (uncommitted text) the
    field keeps them."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride:
            return False
        key_event = event if isinstance(event, QKeyEvent) else None
        if key_event is None or not _is_undo_redo(key_event):
            return False
        line = line_edit(watched)
        if line is not None and line.isModified():
            return False  # typing in progress: the field's own undo
        event.ignore()
        return True  # not overridden: the shortcut (the window's action) fires


def _is_undo_redo(event: QKeyEvent) -> bool:
    if any(event.matches(key) for key in UNDO_KEYS + REDO_KEYS):
        return True
    combo = event.keyCombination()
    return (combo.keyboardModifiers() == Qt.KeyboardModifier.ControlModifier
            and combo.key() == Qt.Key.Key_Y)


class Editor:
    """One field: its widget, how to read and write it, where its error shows."""

    def __init__(self, path: FieldPath, kind: str, widget: QWidget, error: QLabel,
                 getter: Any, setter: Any) -> None:
        self.path, self.kind, self.widget, self.error = path, kind, widget, error
        self.get, self._set = getter, setter

    def set(self, value: Any) -> None:
        self.widget.blockSignals(True)
        for child in self.widget.findChildren(QWidget):
            child.blockSignals(True)
        try:
            self._set(value)
            line = line_edit(self.widget)
            if line is not None:
                line.setModified(False)  # what is shown is what the document holds
        finally:
            for child in self.widget.findChildren(QWidget):
                child.blockSignals(False)
            self.widget.blockSignals(False)
