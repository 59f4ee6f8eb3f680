"""Render the README's screenshots offscreen: the main view, the layer detail, the
hierarchical roofline (every memory level), the sensitivity analysis, an A/B
comparison (squeezenet, gemmini vs eyeriss, depgraph) and the Explore tab with a
512-design exploration of `systolic` (run here first with the CLI, about 20 s) at 1300
and 1920 px wide.

    QT_QPA_PLATFORM=offscreen python scripts/gui_screenshots.py [OUT_DIR]   (default docs/)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer  # noqa: E402

from explorer.gui.app import create_app  # noqa: E402
from explorer.gui.main_window import MainWindow  # noqa: E402

SIZES = ((1300, 850), (1920, 1080))


def wait(signal, timeout_ms: int = 120_000) -> None:
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
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings, headless=True)
    win.load_accelerator("gemmini")
    win.show()
    win.open_network("squeezenet")
    wait(win.estimateShown)
    result = win.session.result
    slowest = max(result.layers, key=lambda layer: layer.latency_s)
    win.select_layer(slowest.name)
    out.mkdir(parents=True, exist_ok=True)
    shots = []

    def grab(name: str) -> None:
        settle(app)
        path = out / f"{name}.png"
        win.grab().save(str(path))
        shots.append(path)

    for width, height in SIZES:
        win.resize(width, height)
        win.tabs.setCurrentWidget(win.views["overview"])
        grab(f"screenshot-main-{width}")
        win.tabs.setCurrentWidget(win.views["breakdown"])
        win.resizeDocks([win.layers_dock, win.detail_dock], [width // 3, 2 * width // 3],
                        Qt.Orientation.Horizontal)
        grab(f"screenshot-detail-{width}")
    roofline = win.views["overview"].roofline
    roofline.set_level("all levels")
    for width, height in SIZES:
        win.resize(width, height)
        win.tabs.setCurrentWidget(win.views["overview"])
        grab(f"screenshot-levels-{width}")
    roofline.set_level("DRAM")
    sensitivity = win.views["sensitivity"]
    win.tabs.setCurrentWidget(sensitivity)
    sensitivity.analyse()  # every numeric parameter, two depgraph estimates each
    wait(win.runner.idle, 600_000)
    for width, height in SIZES:
        win.resize(width, height)
        win.tabs.setCurrentWidget(sensitivity)
        grab(f"screenshot-sensitivity-{width}")
    win.views["ab"].pin_button.click()
    win.load_accelerator("eyeriss")
    wait(win.estimateShown)
    for width, height in SIZES:
        win.resize(width, height)
        win.tabs.setCurrentWidget(win.views["ab"])
        grab(f"screenshot-ab-{width}")
    explore_file = Path(tempfile.mkdtemp()) / "explore.h5"
    subprocess.run([sys.executable, "-m", "explorer", "explore", "squeezenet", "--arch",
                    "systolic", "--param", "compute.pe_rows=8:128:8", "--param",
                    "compute.pe_cols=8:128:8", "--param", "compute.dataflow=ws,os",
                    "--objectives", "latency,energy,area", "-o", str(explore_file)],
                   check=True, stdout=subprocess.DEVNULL)
    win.load_accelerator("systolic")
    wait(win.estimateShown)
    explore = win.views["explore"]
    explore.open_file(str(explore_file))
    for width, height in SIZES:
        win.resize(width, height)
        win.tabs.setCurrentWidget(explore)
        grab(f"screenshot-explore-{width}")
    for path in shots:
        print(f"wrote {path}")
    win.runner.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")))
