"""The one-folder desktop app and its .deb (packaging/build_app.sh --deb): built from the
wheel, they start and render the window offscreen without Python, a venv or the
checkout. Minutes of work: marked `slow` and `packaging` (run `pytest -m packaging`).
Size and start-up figures: benchmarks/app_bundle.py -> docs/validation/packaging.json."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from explorer.version import __version__

pytestmark = [pytest.mark.slow, pytest.mark.packaging]

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.accel_explorer.AccelExplorer"


@pytest.fixture(scope="module")
def built() -> tuple[Path, Path]:
    done = subprocess.run(["bash", str(ROOT / "packaging" / "build_app.sh"), "--deb"],
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    app = ROOT / "dist" / f"accel-explorer-{__version__}-linux-x86_64"
    deb = ROOT / "dist" / f"accel-explorer_{__version__}_amd64.deb"
    return app, deb


def run_app(exe: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    # nothing of the checkout or a Python environment may leak into the frozen app
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def check_app_runs(exe: Path, tmp: Path) -> None:
    done = run_app(exe, "--version", cwd=tmp)
    assert done.returncode == 0 and done.stdout.strip() == f"accel-explorer {__version__}"
    done = run_app(exe, "estimate", "squeezenet", "--arch", "systolic", "--format", "json",
                   cwd=tmp)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["explorer_version"] == __version__ and result["total"]["latency_s"] > 0
    done = run_app(exe, "archs", "--format", "json", cwd=tmp)
    assert done.returncode == 0 and len(json.loads(done.stdout)) >= 7, done.stderr
    done = run_app(exe, "gui", "squeezenet", "--screenshot", "shot.png", cwd=tmp)
    assert done.returncode == 0, done.stderr

    from PySide6.QtGui import QImage

    image = QImage(str(tmp / "shot.png"))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 500
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 50  # a rendered window with plots, not a blank


def test_one_folder_app_starts_and_renders(built, tmp_path) -> None:
    app, _ = built
    for name in ("README.md", "LICENSE", "NOTICE", "CHANGELOG.md", "install-user.sh",
                 "docs/accelerator-format.md", "licenses/THIRD-PARTY.md",
                 f"share/applications/{APP_ID}.desktop",
                 f"share/metainfo/{APP_ID}.metainfo.xml",
                 f"share/icons/hicolor/256x256/apps/{APP_ID}.png",
                 f"share/icons/hicolor/scalable/apps/{APP_ID}.svg"):
        assert (app / name).is_file(), name
    third_party = (app / "licenses" / "THIRD-PARTY.md").read_text()
    for component in ("PySide6", "numpy", "onnxruntime", "Python"):
        assert component in third_party, component
    check_app_runs(app / "accel-explorer", tmp_path)


def test_deb_installs_the_app_launcher_and_icons(built, tmp_path) -> None:
    _, deb = built
    info = subprocess.run(["dpkg-deb", "--field", str(deb), "Package", "Version",
                           "Architecture"], capture_output=True, text=True, check=True).stdout
    assert "Package: accel-explorer" in info and f"Version: {__version__}" in info
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    assert os.readlink(root / "usr/bin/accel-explorer") == "/opt/accel-explorer/accel-explorer"
    for name in (f"usr/share/applications/{APP_ID}.desktop",
                 f"usr/share/metainfo/{APP_ID}.metainfo.xml",
                 f"usr/share/icons/hicolor/48x48/apps/{APP_ID}.png",
                 "usr/share/doc/accel-explorer/copyright",
                 "opt/accel-explorer/licenses/THIRD-PARTY.md"):
        assert (root / name).is_file(), name
    work = tmp_path / "work"
    work.mkdir()
    check_app_runs(root / "opt/accel-explorer/accel-explorer", work)
