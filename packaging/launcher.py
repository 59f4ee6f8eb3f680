"""The frozen app's entry point: the `accel-explorer` command (without arguments: the
window when there is a display). PyInstaller freezes this file; the program is the
installed `explorer` package."""

import sys

from explorer.cli import main

if __name__ == "__main__":
    sys.exit(main())
