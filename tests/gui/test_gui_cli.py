"""`accel-explorer gui --screenshot`: a real process, offscreen, writes a PNG, exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "explorer", "gui", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=240)


def test_screenshot_renders_the_estimated_window(tmp_path) -> None:
    target = tmp_path / "shot.png"
    proc = _run("squeezenet", "--arch", "gemmini", "--estimator", "roofline",
                "--screenshot", str(target))
    assert proc.returncode == 0, proc.stderr
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1400, 900)
    # Not blank: a rendered window has many distinct colours (bars, text, widgets).
    colours = {image.pixel(x, y) for x in range(0, 1400, 7) for y in range(0, 900, 7)}
    assert len(colours) > 50


def test_screenshot_with_a_bad_network_fails_with_one_line(tmp_path) -> None:
    proc = _run("no_such_net.onnx", "--screenshot", str(tmp_path / "x.png"))
    assert proc.returncode != 0
    assert "no_such_net.onnx" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.png").exists()
