"""Help ▸ About names the version (the one in explorer/version.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from explorer.version import __version__


def test_about_dialog_shows_the_version(window, monkeypatch) -> None:
    shown: list[tuple[str, str]] = []
    # the real dialog is modal; record what it would show
    monkeypatch.setattr(QMessageBox, "about",
                        lambda _parent, title, text: shown.append((title, text)))
    window.about_action.trigger()
    assert shown and f"accel-explorer {__version__}" in shown[0][1]


def test_the_app_names_its_desktop_entry(window) -> None:
    """Wayland shells match the window to its launcher (icon, name) by this id: it must
    be the packaged .desktop file's name."""
    from pathlib import Path

    from PySide6.QtGui import QGuiApplication

    name = QGuiApplication.desktopFileName()
    assert name
    assert (Path(__file__).parents[2] / "packaging" / f"{name}.desktop").is_file()
