#!/usr/bin/env bash
# Install everything, then run the project's checks: ruff and the whole test suite
# (offscreen Qt). Extra arguments go to pytest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/bootstrap.sh"
cd "$root"
.venv/bin/ruff check .
QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q "$@"
bash scripts/check_wheel.sh  # the wheel, installed outside the checkout, runs (~1.5 min)
