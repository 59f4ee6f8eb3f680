"""The files a release is built from: launcher, AppStream data, icons, license, package
data. Fast checks; the builds themselves are tests/packaging/test_app_bundle.py (slow)
and scripts/check_wheel.sh (run by scripts/test.sh)."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from explorer.data import data_dir
from explorer.version import __version__

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
APP_ID = "io.github.accel_explorer.AccelExplorer"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def test_desktop_entry_is_valid_and_launches_the_gui() -> None:
    desktop = PACKAGING / f"{APP_ID}.desktop"
    entries = dict(line.split("=", 1) for line in desktop.read_text().splitlines()
                   if "=" in line)
    assert entries["Exec"].startswith("accel-explorer gui")
    assert entries["Icon"] == APP_ID and entries["Type"] == "Application"
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate not installed (apt-get install desktop-file-utils)")
    done = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True,
                          text=True)
    assert done.returncode == 0 and "error" not in done.stdout.lower(), done.stdout


def test_metainfo_is_valid_and_names_this_version() -> None:
    metainfo = PACKAGING / f"{APP_ID}.metainfo.xml"
    root = ET.parse(metainfo).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("project_license") == "Apache-2.0"
    assert root.find("launchable").text == f"{APP_ID}.desktop"
    assert root.find("releases/release").get("version") == __version__  # newest first
    if shutil.which("appstreamcli") is None:
        pytest.skip("appstreamcli not installed (apt-get install appstream)")
    done = subprocess.run(["appstreamcli", "validate", "--no-net", str(metainfo)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def test_icon_set_has_every_size_rendered_from_the_svg_source() -> None:
    icons = ROOT / "resources" / "icons"
    svg = icons / "app.svg"
    assert ET.parse(svg).getroot().tag.endswith("svg")
    for size in ICON_SIZES:
        path = icons / f"app-{size}.png"
        assert png_size(path) == (size, size)
        # rendered after the source was last changed (packaging/render_icons.sh)
        assert path.stat().st_size > 200


def test_license_is_apache_2_and_stated_once() -> None:
    assert "Apache License" in (ROOT / "LICENSE").read_text()
    assert "Version 2.0" in (ROOT / "LICENSE").read_text()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"
    assert not any(c.startswith("License ::") for c in project.get("classifiers", []))


def test_every_library_accelerator_keeps_its_citations() -> None:
    files = sorted(data_dir("arch_library").glob("*.yaml"))
    assert len(files) >= 7
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        sources = data.get("sources") or []
        assert sources, f"{path.name}: no sources"
        assert all(isinstance(s, str | dict) and s for s in sources), path.name


def test_entry_points_and_extras() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["accel-explorer"] == "explorer.cli:main"
    assert project["gui-scripts"]["accel-explorer-gui"] == "explorer.cli:gui_main"
    extras = project["optional-dependencies"]
    assert {"runner", "dask", "test", "docs", "dev"} <= set(extras)
    assert [re.split(r"[<>=!\[]", r)[0] for r in extras["runner"]] == ["onnxruntime"]
    deps = project["dependencies"]
    assert "PySide6-Essentials==6.11.3" in deps and "pyqtgraph==0.14.0" in deps
    pinned = [d for d in deps if "==" in d]
    assert sorted(pinned) == ["PySide6-Essentials==6.11.3", "pyqtgraph==0.14.0"]


def test_gui_main_runs_the_gui_command(monkeypatch) -> None:
    import explorer.cli as cli

    calls: list[list[str]] = []
    monkeypatch.setattr(cli, "main", lambda argv=None: calls.append(argv) or 0)
    monkeypatch.setattr("sys.argv", ["accel-explorer-gui", "vgg19", "--arch", "tpuv1"])
    assert cli.gui_main() == 0
    assert calls == [["gui", "vgg19", "--arch", "tpuv1"]]


def test_shell_scripts_parse() -> None:
    scripts = [*PACKAGING.glob("*.sh"), ROOT / "scripts" / "check_wheel.sh"]
    for script in scripts:
        done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert done.returncode == 0, f"{script.name}: {done.stderr}"
