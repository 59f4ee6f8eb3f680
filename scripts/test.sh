#!/usr/bin/env bash
# Install everything, then run the project's checks: ruff and the fast test tier
# (offscreen Qt). `--all` runs every tier: also the tests marked slow, the peer-tool
# (scalesim, zigzag), packaging, fuzz and pypi tiers. Other arguments go to pytest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tier=()
if [[ "${1:-}" == "--all" ]]; then
    shift
    tier=(-m "")  # an empty marker expression overrides pyproject's addopts filter
fi
bash "$root/scripts/bootstrap.sh"
cd "$root"
.venv/bin/ruff check .
bash scripts/check_wheel.sh  # the wheel, installed outside the checkout, runs (~1.5 min)
QT_QPA_PLATFORM=offscreen exec .venv/bin/python -m pytest -q "${tier[@]}" "$@"
