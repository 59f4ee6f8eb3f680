#!/usr/bin/env bash
# Put this one-folder app on your PATH and in your desktop's application menu, for you
# only (no root): ~/.local/bin/accel-explorer, the launcher and the icons under
# ~/.local/share. Run it from the unpacked folder; `--uninstall` removes them again.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
bin="$HOME/.local/bin"
app_id=io.github.accel_explorer.AccelExplorer
files=("applications/$app_id.desktop" "metainfo/$app_id.metainfo.xml"
       "icons/hicolor/scalable/apps/$app_id.svg")
for dir in "$here"/share/icons/hicolor/*x*/; do
  files+=("icons/hicolor/$(basename "$dir")/apps/$app_id.png")
done
if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$bin/accel-explorer"
  for f in "${files[@]}"; do rm -f "$data/$f"; done
  echo "accel-explorer: removed from $bin and $data"
  exit 0
fi
mkdir -p "$bin"
ln -sfn "$here/accel-explorer" "$bin/accel-explorer"
for f in "${files[@]}"; do
  mkdir -p "$(dirname "$data/$f")"
  cp "$here/share/$f" "$data/$f"
done
# The launcher runs `accel-explorer` from PATH; name the absolute path in case
# ~/.local/bin is not on the desktop session's PATH.
sed -i "s|^Exec=accel-explorer |Exec=$bin/accel-explorer |; s|^TryExec=.*|TryExec=$bin/accel-explorer|" \
  "$data/applications/$app_id.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "accel-explorer: installed as $bin/accel-explorer and in the application menu"
