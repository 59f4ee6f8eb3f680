#!/usr/bin/env bash
# Render the app icon's PNG sizes from its SVG source (resources/icons/app.svg) with
# rsvg-convert (Debian: librsvg2-bin). The PNGs are committed: rerun this after editing
# the SVG, and commit both.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
svg="$root/resources/icons/app.svg"
command -v rsvg-convert >/dev/null || { echo "render_icons: needs rsvg-convert (apt-get install librsvg2-bin)" >&2; exit 2; }
for size in 16 24 32 48 64 128 256 512; do
  rsvg-convert --width "$size" --height "$size" --keep-aspect-ratio \
    --output "$root/resources/icons/app-$size.png" "$svg"
done
echo "render_icons: resources/icons/app-{16..512}.png from $svg" >&2
