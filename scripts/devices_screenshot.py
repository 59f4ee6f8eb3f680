"""Render the README's screenshot of the Devices tab offscreen at 1300 px wide: this
CPU with a small benchmark campaign measured here (80 random layers, quick timing,
about 20 s), a model trained on it and in use, the estimate of squeezenet with its
error bars, and the network measured on this CPU for the Comparison tab.

    QT_QPA_PLATFORM=offscreen python scripts/devices_screenshot.py [OUT_DIR]  (default docs/)
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402

from explorer.gui.app import create_app  # noqa: E402
from explorer.gui.main_window import MainWindow  # noqa: E402

SIZE = (1300, 850)


def wait(signal, timeout_ms: int = 300_000) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def settle(app, ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    app.processEvents()


def main(out: Path) -> int:
    app = create_app()
    scratch = Path(tempfile.mkdtemp())
    settings = QSettings(str(scratch / "s.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings, headless=True)
    win.load_accelerator("gemmini")
    win.resize(*SIZE)
    win.show()
    win.open_network("squeezenet")
    wait(win.estimateShown)
    devices = win.views["devices"]
    devices.set_folder(str(scratch / "devices"))
    win.tabs.setCurrentWidget(devices)
    devices.budget_spin.setValue(80)
    devices.strategy_combo.setCurrentText("random")
    campaign = devices.workspace.benchmark(devices.selected_entry, 80, "random", quick=True)
    win.run(lambda: campaign, "Benchmark failed")
    wait(win.runner.idle)
    devices.train_button.click()
    wait(win.runner.idle)
    settle(app)
    devices.use_button.click()
    wait(win.estimateShown)
    devices.quick_measure = True
    devices.measure_button.click()
    wait(win.runner.idle)
    settle(app)
    out.mkdir(parents=True, exist_ok=True)
    win.resize(*SIZE)
    win.tabs.setCurrentWidget(devices)
    settle(app, 500)
    path = out / f"screenshot-devices-{SIZE[0]}.png"
    win.grab().save(str(path))
    print(f"wrote {path}")
    if win.errors:
        print("errors: " + "; ".join(win.errors), file=sys.stderr)
    win.runner.shutdown()
    return 1 if win.errors else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")))
