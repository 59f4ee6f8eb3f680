"""Shared test set-up. Qt must never need a display in tests: force the offscreen
platform before anything imports Qt."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
