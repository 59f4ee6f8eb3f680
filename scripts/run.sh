#!/usr/bin/env bash
# Install everything, then run the main job: the GUI when a display is available,
# otherwise the per-layer estimate table of the default network on the default accelerator.
# Extra arguments go to `accel-explorer` (e.g. `scripts/run.sh estimate vgg19 --arch tpuv1`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/bootstrap.sh"
exec "$root/.venv/bin/accel-explorer" "$@"
