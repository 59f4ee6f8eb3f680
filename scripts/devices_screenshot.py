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

from gui_screenshots import settle, wait  # noqa: E402  (this folder is on sys.path)
from PySide6.QtCore import QSettings  # noqa: E402

from explorer.gui.app import create_app  # noqa: E402
from explorer.gui.main_window import MainWindow  # noqa: E402

SIZE = (1300, 850)
LONG_MS = 300_000  # the benchmark and training it waits for take longer than an estimate


def main(out: Path) -> int:
    app = create_app()
    scratch = Path(tempfile.mkdtemp())
    settings = QSettings(str(scratch / "s.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings, headless=True)
    win.load_accelerator("gemmini")
    win.resize(*SIZE)
    win.show()
    win.open_network("squeezenet")
    wait(win.estimateShown, LONG_MS)
    devices = win.views["devices"]
    devices.set_folder(str(scratch / "devices"))
    win.tabs.setCurrentWidget(devices)
    devices.budget_spin.setValue(80)
    devices.strategy_combo.setCurrentText("random")
    campaign = devices.workspace.benchmark(devices.selected_entry, 80, "random", quick=True)
    win.run(lambda: campaign, "Benchmark failed")
    wait(win.runner.idle, LONG_MS)
    devices.train_button.click()
    wait(win.runner.idle, LONG_MS)
    settle(app)
    devices.use_button.click()
    wait(win.estimateShown, LONG_MS)
    devices.quick_measure = True
    devices.measure_button.click()
    wait(win.runner.idle, LONG_MS)
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
