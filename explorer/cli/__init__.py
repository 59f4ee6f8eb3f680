"""`accel-explorer`: one CLI, one module per subcommand in this package.

Each subcommand module defines `add_parser(subparsers)` that registers its parser with
`set_defaults(run=...)`; `run(args) -> int` does the work. Modules keep heavy imports
(onnx, onnxruntime, Qt, scikit-learn) inside `run` so that start-up stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from explorer.errors import Cancelled, ExplorerError
from explorer.version import __version__

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `yes | head`


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accel-explorer",
        description="Design-space explorer for DNN inference on AI accelerators. "
                    "Without a command: the GUI when a display is available, "
                    "otherwise the per-layer estimate of the default network.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    package = sys.modules[__name__]
    modules = [m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")]
    for name in sorted(modules, key=_command_order):
        module = importlib.import_module(f"{__name__}.{name}")
        if hasattr(module, "add_parser"):
            module.add_parser(sub)
    return parser


def _command_order(name: str) -> tuple[int, str]:
    preferred = ["estimate", "compare", "inspect", "ab", "archs", "gui", "sweep", "explore",
                 "sensitivity", "measure", "bench", "train", "evaluate"]
    return (preferred.index(name) if name in preferred else len(preferred), name)


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--version"]:  # without building the parser (it imports every subcommand)
        print(f"accel-explorer {__version__}")
        return 0
    parser = build_parser()
    if not argv:  # the main job on embedded defaults
        argv = ["gui"] if _has_display() else ["estimate"]
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        code = int(args.run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in Python's exit flush
        return code
    except BrokenPipeError:
        # The reader stopped early (`| head`): stop quietly, as Unix tools do; stdout goes
        # to devnull so that the interpreter's last flush does not report it again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Cancelled as exc:
        print(f"accel-explorer: {exc}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print("accel-explorer: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ExplorerError as exc:
        print(f"accel-explorer: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def gui_main() -> int:
    """`accel-explorer-gui` (the desktop launcher's command): `accel-explorer gui ARGS`."""
    return main(["gui", *sys.argv[1:]])
