"""What the app remembers between sessions (QSettings): window layout, recent files,
last accelerator, estimator and folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

MAX_RECENT = 10


class Settings:
    def __init__(self, store: QSettings) -> None:
        self.store = store

    # -- window -------------------------------------------------------------------------
    def save_window(self, window: QMainWindow) -> None:
        self.store.setValue("window/geometry", window.saveGeometry())
        self.store.setValue("window/state", window.saveState())
        for splitter in window.findChildren(QSplitter):
            if splitter.objectName():
                self.store.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
        self.store.sync()

    def restore_window(self, window: QMainWindow) -> None:
        geometry = self.store.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            window.restoreGeometry(geometry)
        state = self.store.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            window.restoreState(state)
        for splitter in window.findChildren(QSplitter):
            saved = self.store.value(f"splitters/{splitter.objectName()}")
            if splitter.objectName() and isinstance(saved, QByteArray):
                splitter.restoreState(saved)

    # -- recent files -------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.store.value("recent/files", [])
        files = [value] if isinstance(value, str) else list(value or [])
        from explorer.workload.zoo import ZOO_NAMES  # examples are kept by name

        return [f for f in files if f in ZOO_NAMES or Path(f).is_file()]

    def add_recent_file(self, path: str) -> None:
        files = [path] + [f for f in self.recent_files() if f != path]
        self.store.setValue("recent/files", files[:MAX_RECENT])

    def clear_recent_files(self) -> None:
        self.store.setValue("recent/files", [])

    # -- choices ------------------------------------------------------------------------
    def last_accelerator(self) -> str | None:
        value = self.store.value("last/accelerator")
        return str(value) if value else None

    def set_last_accelerator(self, source: str) -> None:
        self.store.setValue("last/accelerator", source)

    def last_estimator(self) -> str | None:
        value = self.store.value("last/estimator")
        return str(value) if value else None

    def set_last_estimator(self, name: str) -> None:
        self.store.setValue("last/estimator", name)

    def last_dir(self) -> str:
        return str(self.store.value("last/dir", str(Path.cwd())))

    def set_last_dir(self, path: str) -> None:
        self.store.setValue("last/dir", path)

    def auto_run(self) -> bool:
        value = self.store.value("run/auto", True)
        return value in (True, "true", "1", 1)

    def set_auto_run(self, on: bool) -> None:
        self.store.setValue("run/auto", on)
