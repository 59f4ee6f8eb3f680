"""The accelerator being edited: its data, where it came from, whether it is valid, and
the undo history of edits. Qt-free; the GUI's form and Undo/Redo actions are views of it.

The data is the description in JSON mode (enums as strings, as in YAML), so an invalid
intermediate state (a field typed to 0) can be held, shown and undone; `accelerator` is
the validated description, or None while the data is invalid.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explorer.errors import ArchitectureError
from explorer.hardware.introspect import FieldPath, format_path, get_at, set_at, validate
from explorer.hardware.library import (
    accelerator_to_data,
    library_names,
    library_path,
    load_accelerator,
)
from explorer.hardware.schema import Accelerator
from explorer.session.events import Events


@dataclass
class Edit:
    """One undoable step: one field (`path`) or the whole description (`path` None)."""

    text: str
    old: Any
    new: Any
    path: FieldPath | None = None


class AcceleratorDocument:
    """Events: `changed(path | None)` after every change of the data (`path` names the one
    field when only one changed), `modified_changed(bool)`, `source_changed(str)`."""

    def __init__(self) -> None:
        self.events = Events("changed", "modified_changed", "source_changed", "history_changed")
        self._data: dict[str, Any] = {}
        self._default: dict[str, Any] = {}
        self._source = ""
        # The text of the file loaded (or last saved) and what it describes: a save merges
        # the edits into it, keeping its comments and key order (yaml_roundtrip.py).
        self._source_text: str | None = None
        self._source_data: dict[str, Any] = {}
        self._accelerator: Accelerator | None = None
        self._errors: list[tuple[FieldPath, str]] = []
        self._undo: list[Edit] = []
        self._redo: list[Edit] = []
        self._clean: int | None = 0  # len(_undo) at the last load/save; None: unreachable
        self._last_modified = False

    # -- state --------------------------------------------------------------------------
    @property
    def data(self) -> dict[str, Any]:
        return self._data

    @property
    def accelerator(self) -> Accelerator | None:
        """The edited description if valid, else None."""
        return self._accelerator

    @property
    def errors(self) -> list[tuple[FieldPath, str]]:
        return list(self._errors)

    @property
    def source(self) -> str:
        """A library name or the absolute path of a YAML file; '' before the first load."""
        return self._source

    @property
    def is_library_entry(self) -> bool:
        return self._source in library_names()

    @property
    def is_modified(self) -> bool:
        return self._clean != len(self._undo)

    @property
    def default_data(self) -> dict[str, Any]:
        """The description as loaded (library entry or file), what Reset returns to."""
        return self._default

    def changes_from_default(self) -> list[tuple[str, Any, Any]]:
        """(path, loaded value, edited value) for every field that differs."""
        found: list[tuple[str, Any, Any]] = []
        _diff(self._default, self._data, (), found)
        return found

    # -- history ------------------------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_count(self) -> int:
        return len(self._undo)

    @property
    def undo_text(self) -> str:
        return self._undo[-1].text if self._undo else ""

    @property
    def redo_text(self) -> str:
        return self._redo[-1].text if self._redo else ""

    def undo(self) -> bool:
        if not self._undo:
            return False
        edit = self._undo.pop()
        self._redo.append(edit)
        self._apply(edit.path, edit.old)
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        edit = self._redo.pop()
        self._undo.append(edit)
        self._apply(edit.path, edit.new)
        return True

    # -- editing ------------------------------------------------------------------------
    def set_field(self, path: FieldPath, value: Any) -> None:
        """Edit one field (undoable). Consecutive edits of the same field merge into one
        step, as typing or spinning makes many."""
        path = tuple(path)
        old = copy.deepcopy(get_at(self._data, path))
        if old == value:
            return
        top = self._undo[-1] if self._undo else None
        if top is not None and top.path == path and self._clean != len(self._undo):
            top.new, top.text = copy.deepcopy(value), _set_text(path, value)
            self._redo.clear()
            self._apply(path, value)
            return
        self._push(Edit(_set_text(path, value), old, copy.deepcopy(value), path))

    def replace(self, data: dict[str, Any], text: str) -> None:
        """Replace the whole description as one undoable edit (list items added or
        removed, a sweep point applied, `--set` overrides)."""
        if data != self._data:
            self._push(Edit(text, copy.deepcopy(self._data), copy.deepcopy(data)))

    def reset(self) -> None:
        """Back to the loaded description; undoable."""
        self.replace(self._default, "reset to default")

    def apply_overrides(self, assignments: list[str], text: str | None = None) -> None:
        """`PATH=VALUE` edits (as `--set` takes them) as one undoable step;
        ArchitectureError (one line) if one is invalid or the description is."""
        from explorer.hardware.overrides import apply_overrides

        if self._accelerator is None:
            raise ArchitectureError("the accelerator description is invalid: fix the "
                                    "marked fields first")
        changed = apply_overrides(self._accelerator, assignments)
        self.replace(accelerator_to_data(changed), text or "set " + ", ".join(assignments))

    # -- loading and saving -------------------------------------------------------------
    def load(self, name_or_path: str) -> None:
        """A library entry or YAML file; the history starts afresh. ArchitectureError (one
        line) leaves the current description untouched."""
        acc = load_accelerator(name_or_path)
        is_library = name_or_path in library_names()
        self._source = name_or_path if is_library else str(Path(name_or_path).resolve())
        self._default = accelerator_to_data(acc)
        self._source_text = _read_text(library_path(name_or_path) if is_library
                                       else Path(name_or_path))
        self._source_data = copy.deepcopy(self._default)
        self._undo.clear()
        self._redo.clear()
        self._clean = 0
        self._apply(None, self._default)
        self.events.source_changed.emit(self._source)

    def save_as(self, path: str | Path) -> None:
        if self._accelerator is None:
            where, msg = self._errors[0] if self._errors else ((), "invalid")
            raise ArchitectureError(f"cannot save: {format_path(where) or 'description'}: "
                                    f"{msg}; fix the marked fields first")
        from explorer.session.yaml_roundtrip import save_text

        text = save_text(self._source_text, self._source_data, self._accelerator)
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ArchitectureError(f"{path}: cannot write: {exc.strerror or exc}") from None
        self._source_text, self._source_data = text, accelerator_to_data(self._accelerator)
        self._source = str(Path(path).resolve())
        self._default = copy.deepcopy(self._data)
        was_modified = self.is_modified
        self._clean = len(self._undo)
        self._last_modified = False
        if was_modified:
            self.events.modified_changed.emit(False)
        self.events.source_changed.emit(self._source)

    def suggested_save_path(self) -> str:
        if self.is_library_entry or not self._source:
            name = self._accelerator.name if self._accelerator else (self._source or "acc")
            return str(Path.cwd() / f"{name}.yaml")
        return self._source

    # -- internals ----------------------------------------------------------------------
    def _push(self, edit: Edit) -> None:
        if self._clean is not None and self._clean > len(self._undo):
            self._clean = None  # the saved state was undone and is now overwritten
        self._undo.append(edit)
        self._redo.clear()
        self._apply(edit.path, edit.new)

    def _apply(self, path: FieldPath | None, value: Any) -> None:
        was_modified = self._last_modified
        if path is None:
            self._data = copy.deepcopy(value)
        else:
            set_at(self._data, path, copy.deepcopy(value))
        acc, self._errors = validate(Accelerator, self._data)
        self._accelerator = acc  # type: ignore[assignment]
        self.events.changed.emit(path)
        self.events.history_changed.emit()
        self._last_modified = self.is_modified
        if self._last_modified != was_modified:
            self.events.modified_changed.emit(self._last_modified)


def design_changes(old: Accelerator, new: Accelerator) -> list[tuple[str, Any, Any]]:
    """(path, old value, new value) for every field that differs between two designs."""
    found: list[tuple[str, Any, Any]] = []
    _diff(accelerator_to_data(old), accelerator_to_data(new), (), found)
    return found


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # saved as a plain dump then


def _set_text(path: FieldPath, value: Any) -> str:
    return f"set {format_path(path)} = {value}"


def _diff(old: Any, new: Any, path: tuple, found: list[tuple[str, Any, Any]]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in dict.fromkeys([*old, *new]):
            _diff(old.get(key), new.get(key), (*path, key), found)
    elif (isinstance(old, list) and isinstance(new, list) and len(old) == len(new)
          and all(isinstance(x, dict) for x in old + new)):
        for index, (a, b) in enumerate(zip(old, new)):
            _diff(a, b, (*path, index), found)
    elif old != new:
        found.append((format_path(path), old, new))
