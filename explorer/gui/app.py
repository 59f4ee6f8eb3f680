"""Starting the GUI: the QApplication, style, the main window, and the headless
`--screenshot` mode (open, estimate, render the window to a PNG, exit)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from explorer.data import data_dir
from explorer.errors import ExplorerError
from explorer.gui.main_window import MainWindow

RESOURCES = data_dir("resources")
# The launcher's file name without ".desktop" (packaging/): Wayland compositors and
# desktop shells match the window to its launcher entry and icon by this id.
DESKTOP_FILE_NAME = "io.github.accel_explorer.AccelExplorer"
SCREENSHOT_TIMEOUT_MS = 300_000
EXIT_OK, EXIT_FAILED = 0, 2


def create_app() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName("accel-explorer")
    app.setOrganizationName("accel-explorer")
    QGuiApplication.setDesktopFileName(DESKTOP_FILE_NAME)
    app.setStyle("Fusion")
    style = RESOURCES / "style.qss"
    if style.is_file():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    icon = RESOURCES / "icons" / "app.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    pg.setConfigOptions(antialias=True, foreground="#222222")
    return app  # type: ignore[return-value]


def run(network: str | None = None, arch: str | None = None, estimator: str | None = None,
        model: str | None = None, input_shapes: dict[str, tuple[int, ...]] | None = None,
        arch_overrides: list[str] | None = None, screenshot: str | None = None) -> int:
    app = create_app()
    settings = None
    if screenshot:  # a screenshot must not depend on (or change) the user's settings
        scratch = Path(tempfile.mkdtemp(prefix="accel-explorer-")) / "settings.ini"
        settings = QSettings(str(scratch), QSettings.Format.IniFormat)
    window = MainWindow(settings, headless=screenshot is not None)
    arch = arch or window.settings.last_accelerator() or "gemmini"
    if not window.load_accelerator(arch) and arch != "gemmini":
        window.load_accelerator("gemmini")
    ok = not arch_overrides or _apply_overrides(window, arch_overrides)
    options = {"model": model} if model else {}
    ok = (not estimator or window.set_estimator(estimator, **options)) and ok
    if screenshot and not ok:
        window.runner.shutdown()  # a QThread still running at exit aborts the process
        return EXIT_FAILED
    window.show()
    if screenshot:
        return _screenshot(app, window, network or "resnet50", input_shapes, screenshot)
    if network:
        window.open_network(network, input_shapes or None)
    code = app.exec()
    return int(code)


def _apply_overrides(window: MainWindow, assignments: list[str]) -> bool:
    """`--set PATH=VALUE` edits on top of the loaded accelerator, as one undoable step
    (so the modified marker shows and Reset returns to the file or library entry)."""
    try:
        window.session.document.apply_overrides(assignments, "--set " + " ".join(assignments))
    except ExplorerError as exc:
        window.report_error("Invalid --set", str(exc))
        return False
    return True


def _screenshot(app: QApplication, window: MainWindow, network: str,
                input_shapes: dict[str, tuple[int, ...]] | None, path: str) -> int:
    outcome = {"code": EXIT_FAILED}
    if window.errors:
        return EXIT_FAILED

    def save() -> None:
        app.processEvents()
        image = window.grab()
        if image.save(path):
            print(f"screenshot written to {path} ({image.width()}×{image.height()})")
            outcome["code"] = EXIT_OK
        else:
            print(f"accel-explorer: cannot write {path}", file=sys.stderr)
        window.close()
        app.quit()

    def shown() -> None:
        result = window.session.result
        if window.selected_layer is None and result is not None:
            message = window.statusBar().currentMessage()
            slowest = max(result.layers, key=lambda layer: layer.latency_s)
            window.select_layer(slowest.name)  # show off the synced highlight
            window.statusBar().showMessage(message)  # keep the estimate's summary line
        QTimer.singleShot(300, save)  # let the plots lay out once more

    def failed(*_args: object) -> None:
        window.close()
        app.quit()

    window.estimateShown.connect(shown)
    window.taskFailed.connect(failed)
    def run_unless_running() -> None:  # fast estimators have started by themselves
        if not window.runner.is_busy("estimate"):
            window.run_estimate()

    window.networkLoaded.connect(run_unless_running)
    window.runner.idle.connect(lambda: failed() if window.errors else None)
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, failed)
    window.open_network(network, input_shapes or None)
    app.exec()
    return outcome["code"]
