"""Arguments and loaders shared by several subcommands."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from explorer.errors import ExplorerError, WorkloadError

DEFAULT_NETWORK = "resnet50"
DEFAULT_ARCH = "gemmini"


def add_network_args(parser: argparse.ArgumentParser, *, optional: bool = True,
                     more: str = "") -> None:
    """`more`: what further positionals mean, when the subcommand takes them."""
    if optional:
        parser.add_argument("network", nargs="?", default=DEFAULT_NETWORK, metavar="NET",
                            help=f"ONNX file or zoo name (default: {DEFAULT_NETWORK}){more}")
    else:
        parser.add_argument("network", metavar="NET", help="ONNX file or zoo name")
    parser.add_argument("--input-shape", action="append", default=[], metavar="NAME=DIMS",
                        help="shape of a dynamic input, e.g. input=1x3x224x224 (repeatable)")
    parser.add_argument("--input-value", action="append", default=[], metavar="NAME=VALUE",
                        help="value of an input that decides shapes (a TTS model's "
                             "durations): NAME=FILE.npy or NAME=3,1,2,2 (repeatable)")
    parser.add_argument("--branch", action="append", default=[], metavar="NODE=then|else",
                        help="branch of a data-dependent If node to cost (default: the "
                             "larger one; repeatable)")


def add_arch_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--arch", default=DEFAULT_ARCH, metavar="NAME|FILE.yaml",
                        help=f"library accelerator or YAML file (default: {DEFAULT_ARCH})")
    parser.add_argument("--set", dest="arch_overrides", action="append", default=[],
                        metavar="PATH=VALUE",
                        help="change one field of the accelerator, e.g. compute.pe_rows=64, "
                             "compute.dataflow=os, memories.ifmap_sram.size_bytes=256KiB "
                             "(repeatable; see docs/accelerator-format.md)")


def parse_input_shapes(items: list[str]) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    for item in items:
        name, sep, dims = item.rpartition("=")
        try:
            if not sep or not name:
                raise ValueError
            shapes[name] = tuple(int(d) for d in dims.lower().split("x"))
            if any(d <= 0 for d in shapes[name]):
                raise ValueError
        except ValueError:
            raise WorkloadError(f"--input-shape {item!r}: expected NAME=DIMS with positive "
                                "integers, e.g. input=1x3x224x224") from None
    return shapes


def load_network_arg(args: argparse.Namespace):
    from explorer.workload import load_network

    return load_network(args.network, input_shapes=parse_input_shapes(args.input_shape),
                        **network_options(args))


def network_options(args: argparse.Namespace) -> dict[str, dict[str, str]]:
    """--input-value and --branch as load_network's keyword arguments."""
    return {"input_values": parse_pairs(getattr(args, "input_value", []), "--input-value",
                                        "durations=3,1,2,2"),
            "branches": parse_pairs(getattr(args, "branch", []), "--branch", "if_node=then")}


def parse_pairs(items: list[str], option: str, example: str) -> dict[str, str]:
    """NAME=TEXT items (the loader reads TEXT and names the input or node in errors)."""
    pairs: dict[str, str] = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name or not text:
            raise WorkloadError(f"{option} {item!r}: expected NAME=VALUE, e.g. {example}")
        pairs[name] = text
    return pairs


def load_arch_arg(args: argparse.Namespace):
    """The `--arch` accelerator with every `--set PATH=VALUE` applied (validated)."""
    from explorer.hardware.library import load_accelerator
    from explorer.hardware.overrides import apply_overrides

    return apply_overrides(load_accelerator(args.arch), getattr(args, "arch_overrides", []))


def session_for(args: argparse.Namespace, *, estimator: str | None = None,
                options: dict[str, Any] | None = None):
    """The state the window would hold for these arguments, so that a command runs the
    session's operations, the code the window runs (headless parity): the estimator
    (`estimator` or --estimator) with `options` (default: every --option, and --model as
    the model option), checked first so a bad choice fails before the slow loading; the
    --arch design with every --set; the network with its --input-shape values."""
    from explorer.session import Session

    session = Session()
    if options is None:
        options = parse_option_items(getattr(args, "option", []))
        if getattr(args, "model", None):
            options["model"] = args.model
    session.set_estimator(estimator or args.estimator, **options)
    session.document.load(args.arch)
    if getattr(args, "arch_overrides", None):
        session.document.apply_overrides(args.arch_overrides)
    session.load_network(args.network, parse_input_shapes(args.input_shape),
                         ask_shapes=False, **network_options(args)).run()
    return session


def estimated_session(args: argparse.Namespace, *, label: str = "estimate"):
    """`session_for(args)` with the session's estimate run (progress on stderr for a
    slow estimator): what `estimate`, `inspect` and `ab` start from."""
    from explorer.session.state import is_fast

    session = session_for(args)
    progress = None if is_fast(session.estimator) else stderr_progress(label)
    session.estimate().run(progress=progress)
    return session


def add_option_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="an estimator option, e.g. alpha=0.5 for refined-roofline "
                             "(repeatable; an unknown KEY is an error that lists the "
                             "estimator's options)")


def parse_option_items(items: list[str]) -> dict[str, str]:
    from explorer.estimators.options import parse_option_items as parse

    return parse(items)


def add_output_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")


def write_output(text: str, path: str | None) -> None:
    """A command's report to FILE (-o) or stdout; an unwritable FILE is a user error."""
    if not path:
        sys.stdout.write(text)
        return
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise ExplorerError(f"{path}: cannot write: {exc.strerror or exc}") from None


def stderr_progress(label: str):
    """A progress callback (done, total, name) for long runs: one updating line on a
    terminal; on a pipe or log, a line per tenth of the work so logs stay short."""
    tty = sys.stderr.isatty()
    shown = {"step": -1}

    def report(done: int, total: int, name: str) -> None:
        if tty:
            end = "\n" if done == total else ""
            print(f"\r[{label} {done}/{total}] {name[:60]:<60}", end=end, file=sys.stderr,
                  flush=True)
            return
        step = done * 10 // max(total, 1)
        if step != shown["step"]:
            shown["step"] = step
            print(f"[{label} {done}/{total}] {name}", file=sys.stderr, flush=True)

    return report
