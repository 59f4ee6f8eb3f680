"""Where the data that ships with accel-explorer lives: the accelerator library, the
icons and style, the JSON Schemas.

In an installed package (wheel, pipx, the one-folder app) they are folders inside
`explorer/`; in a source checkout they stay at the top of the project (setup.py maps one
onto the other when it builds the wheel).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# name inside the installed package -> folder of a source checkout
_CHECKOUT = {"arch_library": "arch_library", "resources": "resources", "schemas": "docs"}


def data_dir(name: str) -> Path:
    """The folder `name` ("arch_library", "resources" or "schemas")."""
    installed = _PACKAGE / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / _CHECKOUT[name]
