#!/usr/bin/env bash
# The packaging check CI runs on every submission: build the wheel, install it into a
# fresh virtual environment OUTSIDE the checkout (a temporary folder; pip's cache makes
# the second run quick), and run the CLI and an offscreen GUI screenshot from that
# install only. Proves that `pip install`/`pipx install accel-explorer` gives a working
# program without a source checkout (package data, entry points, dependencies).
#
#   scripts/check_wheel.sh            # uses .venv/bin/python (scripts/bootstrap.sh made it)
#   KEEP=1 scripts/check_wheel.sh     # keep the temporary folder for a look
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
[ -x "$python" ] || python=python3  # a clone without scripts/bootstrap.sh's .venv
# A fresh venv is ~0.8 GB of small files: in RAM (/dev/shm) when there is room, writing
# and removing it takes seconds instead of a minute on a disk mounted with `discard`.
scratch="${TMPDIR:-/tmp}"
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ] \
   && [ "$(df -Pk /dev/shm | awk 'NR==2 {print $4}')" -gt 3000000 ]; then
  scratch=/dev/shm
fi
tmp="$(mktemp -d "$scratch/accel-explorer-wheel.XXXXXX")"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
start=$SECONDS
step() { echo "check_wheel: [$((SECONDS - start)) s] $*" >&2; }

if "$python" -c "import build" 2>/dev/null; then
  builder=("$python" -m build --wheel --outdir "$tmp/dist" "$root")
else  # pip builds the same PEP 517 wheel in an isolated environment
  builder=("$python" -m pip wheel --no-deps --wheel-dir "$tmp/dist" "$root")
fi
step "building the wheel (${builder[*]:1:3}) into $tmp/dist"
"${builder[@]}" >"$tmp/build.log" 2>&1 \
  || { tail -30 "$tmp/build.log" >&2; echo "check_wheel: wheel build failed" >&2; exit 1; }
wheel=$(ls "$tmp"/dist/accel_explorer-*.whl)

step "installing $(basename "$wheel") into a fresh venv"
"$python" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --disable-pip-version-check --no-compile "$wheel" \
  >"$tmp/install.log" 2>&1 \
  || { tail -30 "$tmp/install.log" >&2; echo "check_wheel: pip install of the wheel failed" >&2; exit 1; }

# From here on: nothing of the checkout. Run in the temporary folder, without PYTHONPATH.
cd "$tmp"
unset PYTHONPATH
export QT_QPA_PLATFORM=offscreen
bin="$tmp/venv/bin"

step "accel-explorer --version / estimate squeezenet --format json"
version=$("$bin/accel-explorer" --version)
"$bin/accel-explorer" estimate squeezenet --format json -o estimate.json
"$bin/accel-explorer-gui" --help >/dev/null  # the launcher's entry point exists and runs

step "accel-explorer gui squeezenet --screenshot out.png (offscreen)"
"$bin/accel-explorer" gui squeezenet --screenshot out.png

step "checking the results"
"$bin/python" - "$version" "$root" <<'PY'
import json, sys
from pathlib import Path

import explorer
from explorer.data import data_dir
from PySide6.QtGui import QImage

version_line, checkout = sys.argv[1], Path(sys.argv[2])
venv = Path(sys.prefix)
assert Path(explorer.__file__).is_relative_to(venv), f"explorer imported from {explorer.__file__}"
assert version_line == f"accel-explorer {explorer.__version__}", version_line

result = json.loads(Path("estimate.json").read_text())
assert result["explorer_version"] == explorer.__version__, result.get("explorer_version")
assert result["network"]["name"] == "squeezenet" and len(result["layers"]) > 10
assert result["total"]["latency_s"] > 0

# the accelerator library ships whole and unchanged (every file keeps its citations)
installed = sorted(p.name for p in data_dir("arch_library").glob("*.yaml"))
source = sorted(p.name for p in (checkout / "arch_library").glob("*.yaml"))
assert installed == source and installed, (installed, source)
for name in installed:
    assert (data_dir("arch_library") / name).read_bytes() == \
        (checkout / "arch_library" / name).read_bytes(), name
assert (data_dir("resources") / "icons" / "app.svg").is_file()
assert list(data_dir("schemas").glob("*.schema.json"))

png = Path("out.png")
image = QImage(str(png))
assert not image.isNull(), "out.png is not a PNG"
# a rendered window, not a blank: large, and many distinct colours (plots, text, bars)
colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
           for y in range(0, image.height(), 7)}
assert image.width() >= 800 and image.height() >= 500, (image.width(), image.height())
assert png.stat().st_size > 20_000 and len(colours) > 50, (png.stat().st_size, len(colours))
print(f"check_wheel: ok: {version_line}; estimate {result['total']['latency_s']:.3g} s; "
      f"screenshot {image.width()}x{image.height()}, {png.stat().st_size // 1024} KiB, "
      f"{len(colours)} colours sampled")
PY
step "done"
