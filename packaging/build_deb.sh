#!/usr/bin/env bash
# A .deb from the one-folder app (packaging/build_app.sh --deb calls this):
#   /opt/accel-explorer/            the app folder
#   /usr/bin/accel-explorer         -> /opt/accel-explorer/accel-explorer
#   /usr/share/applications, metainfo, icons/hicolor: the launcher, AppStream data, icons
# The Qt system libraries that the app does not bundle are Depends (the same list
# scripts/bootstrap.sh installs for a source checkout).
#
#   packaging/build_deb.sh dist/accel-explorer-VERSION-linux-x86_64 VERSION
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
app="$(cd "$1" && pwd)"
version="$2"
app_id=io.github.accel_explorer.AccelExplorer
command -v dpkg-deb >/dev/null || { echo "build_deb: needs dpkg-deb" >&2; exit 2; }
stage="$root/build/deb/accel-explorer_${version}_amd64"
rm -rf "$stage"
mkdir -p "$stage/opt" "$stage/usr/bin" "$stage/usr/share/doc/accel-explorer" "$stage/DEBIAN"
cp -a "$app" "$stage/opt/accel-explorer"
mv "$stage/opt/accel-explorer/share"/* "$stage/usr/share/"
rmdir "$stage/opt/accel-explorer/share"
rm -f "$stage/opt/accel-explorer/install-user.sh"  # the package installs system-wide
ln -s /opt/accel-explorer/accel-explorer "$stage/usr/bin/accel-explorer"
{ echo "accel-explorer $version, Apache-2.0 (/opt/accel-explorer/LICENSE, NOTICE)."
  echo "Bundled third-party components and their licenses: /opt/accel-explorer/licenses/"
} > "$stage/usr/share/doc/accel-explorer/copyright"
gzip -9n -c "$root/CHANGELOG.md" > "$stage/usr/share/doc/accel-explorer/changelog.gz"
installed_kb=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: accel-explorer
Version: $version
Architecture: amd64
Maintainer: accel-explorer developers <noreply@accel-explorer.invalid>
Installed-Size: $installed_kb
Section: science
Priority: optional
Depends: libc6 (>= 2.28), libegl1, libgl1, libxkbcommon0, libfontconfig1, libfreetype6,
 libglib2.0-0 | libglib2.0-0t64, libdbus-1-3, libxkbcommon-x11-0, libxcb-cursor0,
 libxcb-icccm4, libxcb-keysyms1, libxcb-image0, libxcb-render-util0, libxcb-randr0,
 libxcb-shape0, libxcb-xfixes0, libxcb-xkb1, libx11-xcb1, libxcb-glx0
Recommends: fonts-dejavu-core
Description: design-space explorer for DNN inference on AI accelerators
 Open an ONNX network, pick or edit an accelerator description, and see per-layer
 latency, energy and memory, a roofline view, and how estimators compare, in a Qt
 window or from the accel-explorer command. Bundles Python, Qt and the library of
 published accelerators (Gemmini, TPUv1, Eyeriss, NVDLA, ...).
CONTROL
deb="$root/dist/accel-explorer_${version}_amd64.deb"
# gzip: every dpkg reads it (zstd and xz would be smaller but slower to build)
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$deb" >/dev/null
rm -rf "$stage"
echo "build_deb: $deb ($(du -sm "$deb" | cut -f1) MB)" >&2
