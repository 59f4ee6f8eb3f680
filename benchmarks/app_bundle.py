"""The one-folder desktop app: build time, size, start-up time (issue 14).

Builds the app with packaging/build_app.sh --deb (or measures the folder already in
dist/ with --no-build), then measures:
- size: the unpacked app folder (target <= 300 MB), its largest parts, the .deb;
- start-up, each a fresh process of the bundled executable, offscreen Qt:
  `--version` (the frozen interpreter and the CLI), `estimate squeezenet --format json`
  (imports, ONNX import, estimate), and `gui squeezenet --screenshot` (window, estimate,
  render, PNG written), min and median of --repeats runs; the first run of each is also
  reported apart (a cold file cache after the build counts there); the same commands from
  the source checkout's venv as the reference.

    .venv/bin/python benchmarks/app_bundle.py [--no-build] [--repeats 5]
    # -> docs/validation/packaging.json

The machine is shared (2 cores, several developers): the load average is recorded.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIZE_TARGET_MB = 300


def version() -> str:
    text = (ROOT / "explorer" / "version.py").read_text()
    return text.split('__version__ = "', 1)[1].split('"', 1)[0]


def folder_mb(path: Path) -> float:
    total = sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())
    return total / 2**20


def run_timed(cmd: list[str], cwd: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def startup(exe: Path, repeats: int) -> dict:
    cases = {"version": [str(exe), "--version"],
             "estimate_squeezenet_json": [str(exe), "estimate", "squeezenet", "--format",
                                          "json", "-o", "estimate.json"],
             "gui_screenshot_squeezenet": [str(exe), "gui", "squeezenet", "--screenshot",
                                           "out.png"]}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, cmd in cases.items():
            runs = [run_timed(cmd, Path(tmp)) for _ in range(repeats)]
            results[name] = {"first_s": runs[0], "min_s": min(runs),
                             "median_s": statistics.median(runs), "runs_s": runs}
        png = Path(tmp) / "out.png"
        results["screenshot_bytes"] = png.stat().st_size
    return results


def bundled_versions() -> dict:
    """Versions of the main components inside the app (from the build venv it froze)."""
    python = ROOT / "build" / "app" / "venv" / "bin" / "python"
    if not python.exists():
        return {}
    code = ("import json, platform; from importlib.metadata import version as v; "
            "print(json.dumps({'python': platform.python_version(), **{n: v(n) for n in "
            "('accel-explorer', 'PySide6-Essentials', 'onnx', 'onnxruntime', 'numpy', "
            "'scipy', 'scikit-learn', 'h5py', 'pyinstaller')}}))")
    import json

    return json.loads(subprocess.run([str(python), "-c", code], capture_output=True,
                                     text=True, check=True).stdout)


def source_reference(repeats: int) -> dict:
    """The same commands from the source checkout's venv, at the same load: what freezing
    changes."""
    python = ROOT / ".venv" / "bin" / "python"
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in {"version": ["--version"],
                           "estimate_squeezenet_json": ["estimate", "squeezenet", "--format",
                                                        "json", "-o", "estimate.json"]}.items():
            cmd = [str(python), "-c", "import sys; sys.path.insert(0, sys.argv.pop(1)); "
                   "from explorer.cli import main; sys.exit(main())", str(ROOT), *args]
            runs = [run_timed(cmd, Path(tmp)) for _ in range(repeats)]
            results[name] = {"min_s": min(runs), "median_s": statistics.median(runs),
                             "runs_s": runs}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true",
                        help="measure the app already in dist/ (built by build_app.sh)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    ver = version()
    app = ROOT / "dist" / f"accel-explorer-{ver}-linux-x86_64"
    deb = ROOT / "dist" / f"accel-explorer_{ver}_amd64.deb"
    build_s = None
    if not args.no_build:
        start = time.perf_counter()
        subprocess.run(["bash", str(ROOT / "packaging" / "build_app.sh"), "--deb"], check=True)
        build_s = time.perf_counter() - start
    if not app.is_dir():
        raise SystemExit(f"{app}: no app folder (run packaging/build_app.sh)")

    internal = app / "_internal"
    parts = {p.name: folder_mb(p) if p.is_dir() else p.lstat().st_size / 2**20
             for p in internal.iterdir()}
    largest = dict(sorted(((k, round(v, 1)) for k, v in parts.items()),
                          key=lambda kv: -kv[1])[:12])
    size_mb = folder_mb(app)
    result = {
        "what": "one-folder Linux x86-64 app from packaging/build_app.sh (PyInstaller), "
                "measured by benchmarks/app_bundle.py",
        "version": ver,
        "commit": subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"],
                                 capture_output=True, text=True).stdout.strip(),
        "build_s": build_s,
        "size": {"unpacked_mb": round(size_mb, 1), "target_mb": SIZE_TARGET_MB,
                 "meets_target": size_mb <= SIZE_TARGET_MB,
                 "files": sum(1 for p in app.rglob("*") if p.is_file()),
                 "largest_parts_of__internal_mb": largest,
                 "deb_mb": round(deb.stat().st_size / 2**20, 1) if deb.exists() else None},
        "bundled": bundled_versions(),
        "startup": startup(app / "accel-explorer", args.repeats),
        "startup_from_source_venv": source_reference(args.repeats),
        "note": "wall times on a shared 2-core machine (see load_average); offscreen Qt",
    }
    path = write_result("packaging", result)
    print(f"{path}: {size_mb:.0f} MB unpacked; --version "
          f"{result['startup']['version']['median_s']:.2f} s, screenshot "
          f"{result['startup']['gui_screenshot_squeezenet']['median_s']:.2f} s (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
