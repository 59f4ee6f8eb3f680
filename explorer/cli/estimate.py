"""`accel-explorer estimate`: per-layer estimate of a network on an accelerator."""

from __future__ import annotations

import argparse

from explorer.cli.common import (
    add_arch_arg,
    add_network_args,
    add_option_arg,
    add_output_arg,
    estimated_session,
    write_output,
)

FORMATS = ["table", "csv", "json", "html"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    from explorer.estimators.registry import DEFAULT_ESTIMATOR, estimator_names

    p = sub.add_parser("estimate", help="estimate per-layer latency and energy of a network",
                       description="Estimate a network on an accelerator, layer by layer.")
    add_network_args(p)
    add_arch_arg(p)
    p.add_argument("--estimator", default=DEFAULT_ESTIMATOR,
                   help=f"one of: {', '.join(estimator_names())} (default: {DEFAULT_ESTIMATOR})")
    p.add_argument("--model", metavar="FILE",
                   help="trained model file (statistical estimator; = --option model=FILE)")
    add_option_arg(p)
    p.add_argument("--format", choices=FORMATS, default="table",
                   help="html: a one-file report (summary, accelerator, design changes, "
                        "time per op type, slowest layers, memory levels, layer detail, "
                        "per-layer table; the GUI's export adds the plots)")
    add_output_arg(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """The session's estimate (the window's code path), formatted."""
    from explorer.report import format_csv, format_json, format_table

    session = estimated_session(args, label=args.estimator)
    result = session.result
    assert result is not None
    if args.format == "html":
        from explorer.session.export import report_html

        text = report_html(session)
    else:
        text = {"table": format_table, "csv": format_csv, "json": format_json}[args.format](
            result)
    write_output(text, args.output)
    return 0
