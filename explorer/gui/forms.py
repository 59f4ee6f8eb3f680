"""A form generated from a pydantic model: the accelerator schema is the one truth for
widgets, units, bounds, choices, help text and validation.

Mapping: int/float -> spin box (unit suffix from `json_schema_extra["unit"]`, bounds from
ge/gt/le/lt), bool -> check box, str -> line edit, enum -> combo box, list of enums ->
check boxes, list of str -> comma-separated line edit, nested model -> group box, list
of models -> one group per item with Add/Remove, Literal -> read-only label; the field's
`description` is the tooltip. Every fact about a field (kind, unit, bounds, choices,
help) comes from `explorer.hardware.introspect.FieldFacts`, the one schema reader that
`--set`, error messages, the docs, the Sweep tab and `archs --params` also use.

The form never changes its data on its own: it emits `valueEdited(path, old, new)` or
`structureEdited(new_data)`, and whoever owns the undo stack applies the change back
through `set_value` / `set_data`. So every edit can be undone.
"""

from __future__ import annotations

import copy
from enum import Enum
from typing import Any, get_args

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer.gui.form_editors import (
    CommittedEditsUndo,
    Editor,
    FormComboBox,
    NumberSpinBox,
    line_edit,
)
from explorer.hardware.introspect import (
    FieldFacts,
    FieldPath,
    fields_of,
    format_path,
    get_at,
    set_at,
)

__all__ = ["Editor", "FieldPath", "ModelForm", "NumberSpinBox", "format_path", "get_at",
           "set_at"]

_UNBOUNDED = 1e15


# -- schema introspection -----------------------------------------------------------------
def field_kind(facts: FieldFacts) -> tuple[str, Any]:
    """(kind, detail) of a field: what widget edits it (`FieldFacts.kind`) and the enum,
    model or literal values it needs."""
    kind = facts.kind
    detail = {"literal": get_args(facts.base), "enum": facts.base, "enum_list": facts.base,
              "model": facts.submodel, "model_list": facts.submodel}.get(kind)
    return kind, detail


def field_label(name: str) -> str:
    text = name.replace("_", " ")
    for suffix in (" bytes per cycle", " bytes", " hz", " cycles", " pj per byte", " pj",
                   " bits", " mm2"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]  # the unit is shown in the widget's suffix
            break
    words = [_ACRONYMS.get(word, word) for word in text.split()] or [name]
    label = " ".join(words)
    return label[0].upper() + label[1:]


_ACRONYMS = {"pe": "PE", "mac": "MAC", "macs": "MACs", "dram": "DRAM", "dma": "DMA",
             "mm2": "area", "hz": "Hz"}


def skeleton(model: type[BaseModel]) -> dict[str, Any]:
    """A new list item: defaults where the schema has them, empty values otherwise (the
    form then marks what must be filled in)."""
    data: dict[str, Any] = {}
    for facts in fields_of(model):
        name = facts.name
        if not facts.required:
            value = facts.default()
            data[name] = value.model_dump(mode="json") if isinstance(value, BaseModel) \
                else _jsonable(value)
            continue
        kind, detail = field_kind(facts)
        low, _ = facts.limits()
        data[name] = {"int": int(low or 0), "float": float(low or 0.0), "bool": False,
                      "enum": next(iter(detail)).value if kind == "enum" else None,
                      "model": skeleton(detail) if kind == "model" else None,
                      }.get(kind, [] if kind.endswith("_list") else "")
    return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


# -- editors ------------------------------------------------------------------------------
def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def _mark_invalid(widget: QWidget, invalid: bool) -> None:
    if widget.property("invalid") != invalid:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


class ModelForm(QWidget):
    """Form for one pydantic model class over a nested dict of its JSON-mode data."""

    valueEdited = Signal(object, object, object)  # path, old value, new value
    structureEdited = Signal(object)  # the whole new data (list items added/removed)

    def __init__(self, model: type[BaseModel], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._data: dict[str, Any] = {}
        self._editors: dict[FieldPath, Editor] = {}
        self._groups: dict[FieldPath, tuple[QWidget, QLabel]] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._body: QWidget | None = None
        self._undo_filter = CommittedEditsUndo(self)

    # -- public -------------------------------------------------------------------------
    @property
    def data(self) -> dict[str, Any]:
        return self._data

    def editor(self, path: FieldPath) -> Editor:
        return self._editors[tuple(path)]

    def paths(self) -> list[FieldPath]:
        return list(self._editors)

    def set_data(self, data: dict[str, Any]) -> None:
        """Show `data` (a copy is kept); rebuilds the widgets."""
        self._data = copy.deepcopy(data)
        self._rebuild()

    def set_value(self, path: FieldPath, value: Any) -> None:
        """Change one value without emitting an edit (undo/redo use this)."""
        set_at(self._data, path, copy.deepcopy(value))
        editor = self._editors.get(tuple(path))
        if editor is not None:
            editor.set(value)

    def show_errors(self, errors: list[tuple[FieldPath, str]]) -> None:
        """Mark fields (or the nearest enclosing group) with their messages; [] clears."""
        messages: dict[FieldPath, list[str]] = {}
        for loc, msg in errors:
            target = self._nearest_target(tuple(loc))
            messages.setdefault(target, []).append(msg)
        for path, editor in self._editors.items():
            self._show(editor.widget, editor.error, messages.get(path))
        for path, (box, label) in self._groups.items():
            self._show(box, label, messages.get(path))

    def visible_errors(self) -> dict[FieldPath, str]:
        """Error texts currently shown, by path (for tests and the status bar)."""
        shown = {}
        for path, editor in self._editors.items():
            if not editor.error.isHidden():
                shown[path] = editor.error.text()
        for path, (_box, label) in self._groups.items():
            if not label.isHidden():
                shown[path] = label.text()
        return shown

    # -- building -----------------------------------------------------------------------
    def _rebuild(self) -> None:
        if self._body is not None:
            self._layout.removeWidget(self._body)
            self._body.deleteLater()
        self._editors.clear()
        self._groups.clear()
        self._body = QWidget(self)
        body_layout = QVBoxLayout(self._body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        general = QGroupBox("General")
        general_form = self._new_form(general, ())
        for facts in fields_of(self._model):
            kind, detail = field_kind(facts)
            path: FieldPath = (facts.name,)
            title = field_label(facts.name)
            if kind == "model":
                body_layout.addWidget(self._model_group(detail, path, title, facts.info))
            elif kind == "model_list":
                body_layout.addWidget(self._list_group(detail, path, title, facts.info))
            else:
                self._add_field(general_form, facts, path)
        body_layout.insertWidget(0, general)
        body_layout.addStretch(1)
        self._layout.addWidget(self._body)

    def _new_form(self, box: QGroupBox, path: FieldPath) -> QFormLayout:
        outer = QVBoxLayout(box)
        error = _error_label()
        outer.addWidget(error)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(form)
        self._groups[path] = (box, error)
        return form

    def _model_group(self, model: type[BaseModel], path: FieldPath, title: str,
                     info: FieldInfo | None) -> QGroupBox:
        box = QGroupBox(title)
        if info is not None and info.description:
            box.setToolTip(info.description)
        elif model.__doc__:
            box.setToolTip(model.__doc__.strip().splitlines()[0])
        form = self._new_form(box, path)
        nested_boxes = []
        for facts in fields_of(model):
            kind, detail = field_kind(facts)
            sub_path = (*path, facts.name)
            title = field_label(facts.name)
            if kind == "model":
                nested_boxes.append(self._model_group(detail, sub_path, title, facts.info))
            elif kind == "model_list":
                nested_boxes.append(self._list_group(detail, sub_path, title, facts.info))
            else:
                self._add_field(form, facts, sub_path)
        for nested in nested_boxes:
            form.addRow(nested)
        return box

    def _list_group(self, model: type[BaseModel], path: FieldPath, title: str,
                    info: FieldInfo) -> QGroupBox:
        items = get_at(self._data, path)
        box = QGroupBox(f"{title} ({len(items)})")
        box.setToolTip(info.description or "")
        outer_form = self._new_form(box, path)
        for index, item in enumerate(items):
            label = str(item.get("name") or "") if isinstance(item, dict) else ""
            item_title = f"{model.__name__} {index + 1}" + (f": {label}" if label else "")
            item_box = self._model_group(model, (*path, index), item_title, None)
            remove = QPushButton("Remove")
            remove.setToolTip(f"Remove {item_title} from {title.lower()}")
            remove.clicked.connect(lambda _checked=False, p=path, i=index: self._remove(p, i))
            item_box.layout().addWidget(remove, alignment=Qt.AlignmentFlag.AlignRight)
            outer_form.addRow(item_box)
        add = QPushButton(f"Add {model.__name__.lower()}")
        add.setToolTip("Add an item (a copy of the last one, or empty fields to fill in)")
        add.clicked.connect(lambda _checked=False, p=path, m=model: self._add(p, m))
        outer_form.addRow(add)
        return box

    def _add_field(self, form: QFormLayout, facts: FieldFacts, path: FieldPath) -> None:
        kind, detail = field_kind(facts)
        value = get_at(self._data, path)
        error = _error_label()
        widget, getter, setter, signal = self._make_widget(kind, detail, facts, value)
        editor = Editor(path, kind, widget, error, getter, setter)
        editor.set(value)
        self._editors[path] = editor
        tip = facts.info.description or ""
        unit = facts.unit
        low, high = facts.limits()
        if kind in ("int", "float") and (low is not None or high is not None):
            tip += f"\nAllowed: {_fmt_bound(low, '≥' if not facts.strict_low else '>')}" \
                   f"{', ' if low is not None and high is not None else ''}" \
                   f"{_fmt_bound(high, '≤')}" + (f" {unit}" if unit else "")
        widget.setToolTip(tip.strip())
        widget.setObjectName(f"field:{format_path(path)}")
        widget.installEventFilter(self._undo_filter)
        if signal is not None:
            signal.connect(lambda *_args, p=path: self._commit(p))
        cell = QWidget()
        cell_layout = QVBoxLayout(cell)
        cell_layout.setContentsMargins(0, 0, 0, 0)
        cell_layout.setSpacing(1)
        cell_layout.addWidget(widget)
        cell_layout.addWidget(error)
        label = QLabel(field_label(facts.name))
        label.setToolTip(widget.toolTip())
        form.addRow(label, cell)

    def _make_widget(self, kind: str, detail: Any, facts: FieldFacts, value: Any):
        if kind in ("int", "float"):
            return self._number(kind == "int", facts)
        if kind == "bool":
            box = QCheckBox()
            return box, box.isChecked, (lambda v, b=box: b.setChecked(bool(v))), box.toggled
        if kind == "enum":
            combo = FormComboBox()
            for member in detail:
                combo.addItem(str(member.value), member.value)
            return (combo, combo.currentData,
                    lambda v, c=combo: c.setCurrentIndex(max(c.findData(v), 0)),
                    combo.currentIndexChanged)
        if kind == "enum_list":
            return self._enum_checks(detail)
        if kind == "str_list":
            line = QLineEdit()
            line.setPlaceholderText("comma-separated")
            return (line, lambda e=line: [s.strip() for s in e.text().split(",") if s.strip()],
                    lambda v, e=line: e.setText(", ".join(str(x) for x in v)),
                    line.editingFinished)
        if kind == "literal":
            label = QLabel(str(value))
            return label, (lambda v=value: v), (lambda v, lab=label: lab.setText(str(v))), None
        line = QLineEdit()

        def set_text(value: object) -> None:
            line.setText("" if value is None else str(value))
            line.setCursorPosition(0)  # show the start of a long text, not its end

        return line, line.text, set_text, line.editingFinished

    def _number(self, integer: bool, facts: FieldFacts):
        spin = NumberSpinBox(integer=integer, unit=facts.unit)
        low, high = facts.limits()
        low = -_UNBOUNDED if low is None else low
        optional = facts.optional
        if optional and not facts.strict_low:
            low -= 1  # one step below the allowed range stands for "not set"
        spin.setRange(low, _UNBOUNDED if high is None else high)
        if optional:
            spin.setSpecialValueText("not set")

        def get() -> float | int | None:
            if optional and spin.value() == spin.minimum():
                return None
            return int(round(spin.value())) if integer else float(spin.value())

        def set_(value: float | None) -> None:
            spin.setValue(spin.minimum() if value is None else float(value))

        return spin, get, set_, spin.valueChanged

    def _enum_checks(self, enum: type[Enum]):
        container = QWidget()
        row = QHBoxLayout(container)
        row.setContentsMargins(0, 0, 0, 0)
        boxes = []
        for member in enum:
            box = QCheckBox(str(member.value))
            boxes.append((member.value, box))
            row.addWidget(box)
        row.addStretch(1)

        def get() -> list[str]:
            return [value for value, box in boxes if box.isChecked()]

        def set_(values: list[str]) -> None:
            for value, box in boxes:
                box.setChecked(value in values)

        # Any box toggling commits the whole list.
        return container, get, set_, _MultiSignal([box.toggled for _v, box in boxes])

    # -- edits --------------------------------------------------------------------------
    def _commit(self, path: FieldPath) -> None:
        editor = self._editors[path]
        line = line_edit(editor.widget)
        if line is not None:
            line.setModified(False)  # committed: Ctrl+Z now belongs to the window
        new = editor.get()
        old = get_at(self._data, path)
        if new == old:
            return
        self.valueEdited.emit(path, copy.deepcopy(old), copy.deepcopy(new))

    def _remove(self, path: FieldPath, index: int) -> None:
        data = copy.deepcopy(self._data)
        del get_at(data, path)[index]
        self.structureEdited.emit(data)

    def _add(self, path: FieldPath, model: type[BaseModel]) -> None:
        data = copy.deepcopy(self._data)
        items = get_at(data, path)
        item = copy.deepcopy(items[-1]) if items else skeleton(model)
        if items and isinstance(item, dict) and "name" in item:
            names = {str(i.get("name")) for i in items}
            base, n = str(item["name"]), 2
            while f"{base}_{n}" in names:
                n += 1
            item["name"] = f"{base}_{n}"
        items.append(item)
        self.structureEdited.emit(data)

    # -- errors -------------------------------------------------------------------------
    def _nearest_target(self, loc: FieldPath) -> FieldPath:
        for end in range(len(loc), -1, -1):
            prefix = loc[:end]
            if prefix in self._editors or prefix in self._groups:
                return prefix
        return ()

    @staticmethod
    def _show(widget: QWidget, label: QLabel, messages: list[str] | None) -> None:
        _mark_invalid(widget, bool(messages))
        label.setText("; ".join(messages) if messages else "")
        label.setVisible(bool(messages))


class _MultiSignal:
    """Connects one slot to several signals (the check boxes of an enum list)."""

    def __init__(self, signals: list[Any]) -> None:
        self._signals = signals

    def connect(self, slot: Any) -> None:
        for signal in self._signals:
            signal.connect(slot)


def _fmt_bound(value: float | None, sign: str) -> str:
    if value is None:
        return ""
    return f"{sign} {value:g}"
