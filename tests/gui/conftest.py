"""GUI tests run offscreen with pytest-qt; every window gets its own settings file so
tests neither read nor change the user's."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

import sys  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QMessageBox  # noqa: E402

from explorer.estimators import registry  # noqa: E402
from explorer.estimators.base import LayerEstimate  # noqa: E402
from explorer.estimators.roofline import Roofline  # noqa: E402

_ORIGINAL_CRITICAL = QMessageBox.critical
_ORIGINAL_FILE_DIALOGS = {name: getattr(QFileDialog, name)
                          for name in ("getOpenFileName", "getSaveFileName")}


class SlowRoofline(Roofline):
    """The real roofline model, paced to 50 ms a layer: long enough to cancel midway."""

    name = "slow-roofline"
    description = "roofline paced for cancel tests"
    fast = False

    def estimate_layer(self, layer, accelerator) -> LayerEstimate:  # type: ignore[override]
        time.sleep(0.05)
        return super().estimate_layer(layer, accelerator)


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings, monkeypatch) -> Iterator:
    from PySide6.QtWidgets import QMessageBox

    from explorer.gui.app import create_app
    from explorer.gui.main_window import MainWindow

    # pytest-qt closes the window before fixture teardown: answer "save edits?" with
    # Discard.
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kwargs: QMessageBox.StandardButton.Discard)
    # A modal dialog offscreen waits forever: a test that does not expect one (an error
    # under heavy load, a stray file dialog) must fail, not hang the suite. Tests that
    # expect them patch these again (the `dialogs` fixture, QFileDialog answers).

    if QMessageBox.critical is _ORIGINAL_CRITICAL:
        monkeypatch.setattr(QMessageBox, "critical",
                            lambda *args, **kwargs: QMessageBox.StandardButton.Ok)
    for name in ("getOpenFileName", "getSaveFileName"):
        if getattr(QFileDialog, name) is _ORIGINAL_FILE_DIALOGS[name]:
            monkeypatch.setattr(QFileDialog, name, lambda *args, **kwargs: ("", ""))
    create_app()
    win = MainWindow(settings)
    qtbot.addWidget(win)
    assert win.load_accelerator("gemmini")
    win.show()
    yield win
    win.runner.shutdown()


@pytest.fixture
def slow_estimator(monkeypatch) -> str:
    """Registers SlowRoofline the way real estimators are ("module:Class", imported
    lazily), through a module of its own so the name does not depend on how pytest
    imports conftest files."""
    module = types.ModuleType("explorer_gui_test_estimators")
    module.SlowRoofline = SlowRoofline  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(registry._REGISTRY, SlowRoofline.name, f"{module.__name__}:SlowRoofline")
    return SlowRoofline.name


@pytest.fixture
def open_and_estimate(qtbot) -> Callable:
    def open_(win, network: str = "squeezenet") -> None:
        with qtbot.waitSignal(win.estimateShown, timeout=60_000):
            win.open_network(network)
    return open_


@pytest.fixture
def dialogs(monkeypatch) -> list[tuple[str, str]]:
    """QMessageBox.critical calls, recorded instead of blocking the test."""
    shown: list[tuple[str, str]] = []

    def critical(_parent, title, text, *args, **kwargs):
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", critical)
    return shown
