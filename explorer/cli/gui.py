"""`accel-explorer gui [NET] [--arch A] [--estimator E] [--screenshot FILE.png]`."""

from __future__ import annotations

import argparse
import os
import sys

from explorer.cli.common import add_arch_arg, add_network_args, parse_input_shapes
from explorer.errors import ExplorerError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gui", help="the desktop explorer window",
        description="Open the desktop explorer. With --screenshot: open NET, estimate, "
                    "render the window to a PNG and exit (works without a display).")
    add_network_args(parser)
    parser.set_defaults(network=None)  # no NET: an empty window (or the last accelerator)
    add_arch_arg(parser)
    parser.set_defaults(arch=None)  # None: the accelerator used last time
    parser.add_argument("--estimator", metavar="NAME",
                        help="estimator to start with (default: the last one used)")
    parser.add_argument("--model", metavar="FILE",
                        help="trained model file for the statistical estimator")
    parser.add_argument("--screenshot", metavar="FILE.png",
                        help="render the window after the estimate to FILE.png and exit")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    shapes = parse_input_shapes(args.input_shape)
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                       or os.environ.get("QT_QPA_PLATFORM") or os.name == "nt"
                       or sys.platform == "darwin")
    if args.screenshot and not has_display:
        # Offscreen rendering is all a screenshot needs.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif not has_display:
        # Qt would abort the interpreter; say what to do instead.
        raise ExplorerError("gui: no display (DISPLAY/WAYLAND_DISPLAY unset); use "
                            "--screenshot FILE.png, or QT_QPA_PLATFORM=offscreen")
    from explorer.gui.app import run as run_gui

    return run_gui(network=args.network, arch=args.arch, estimator=args.estimator,
                   model=args.model, input_shapes=shapes,
                   arch_overrides=getattr(args, "arch_overrides", []),
                   screenshot=args.screenshot)
