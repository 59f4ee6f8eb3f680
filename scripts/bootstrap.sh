#!/usr/bin/env bash
# Install everything accel-explorer needs on a fresh Debian 12 with Python 3.11:
# the system libraries Qt needs, a virtual environment in .venv, the package (editable)
# with its test tools. Idempotent and fast when nothing changed (a stamp of pyproject.toml).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Offscreen Qt (tests, screenshots) needs these; a real X window would need more (see
# ../shared/TOOLCHAIN.md). python3-venv: Debian's python3 ships without ensurepip.
apt_packages=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libfreetype6 libglib2.0-0
              libdbus-1-3 fonts-dejavu-core)
# With a display, the GUI opens a real X11 window: Qt's xcb platform needs these too.
if [ -n "${DISPLAY:-}" ]; then
  apt_packages+=(libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
                 libxcb-image0 libxcb-render-util0 libxcb-randr0 libxcb-shape0
                 libxcb-xfixes0 libxcb-xkb1 libx11-xcb1 libxcb-glx0)
fi
python=${PYTHON:-python3}
if command -v dpkg-query >/dev/null 2>&1; then
  "$python" -c "import ensurepip" 2>/dev/null || apt_packages+=(python3-venv)
  missing=()
  for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: installing system packages: ${missing[*]}" >&2
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv" >&2
  "$python" -m venv .venv
fi
stamp=".venv/.install-stamp"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "bootstrap: installing accel-explorer into .venv" >&2
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  echo "$want" > "$stamp"
fi
