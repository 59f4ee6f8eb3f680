"""Writing a result to a file, the same for the window, the CLI and scripts: CSV and
JSON (the CLI's formats), an HTML report with the plots as embedded PNGs, or a PDF when
the caller brings a renderer (the GUI lays the HTML out with Qt)."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from pathlib import Path

from explorer.errors import ExplorerError
from explorer.estimators.base import NetworkEstimate
from explorer.hardware.schema import Accelerator
from explorer.report import format_csv, format_json, html_report, png_data_uri

FORMATS = {".pdf": "PDF report", ".html": "HTML report", ".csv": "CSV", ".json": "JSON"}


class ExportError(ExplorerError):
    """A report or image could not be rendered or written."""


def export_format(path: str) -> str:
    """The format a path asks for, by its extension (one of FORMATS)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".htm":
        suffix = ".html"
    if suffix not in FORMATS:
        raise ExportError(f"{path}: unknown report format {suffix or '(no extension)'!r}; "
                          f"allowed: {', '.join(FORMATS)}")
    return suffix


def write_file(path: str, content: str | bytes) -> None:
    try:
        if isinstance(content, bytes):
            Path(path).write_bytes(content)
        else:
            Path(path).write_text(content, encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc.strerror or exc}") from None


def export_result(path: str, result: NetworkEstimate, accelerator: Accelerator | None,
                  images: Mapping[str, bytes], legends: Mapping[str, str],
                  pdf: Callable[[str, Mapping[str, bytes]], bytes] | None = None, *,
                  note: str = "", changes: list[str] | None = None) -> str:
    """Write `result` in the format `path`'s extension names; `images` (caption -> PNG)
    and `legends` (caption -> HTML) go into the reports; `note` (e.g. that the result is
    outdated) heads them; `changes` (the design's changes from its library entry or
    file) and a per-op summary with the slowest layers go before the layer table, so a
    long network stays readable. Returns the suffix."""
    suffix = export_format(path)
    if suffix == ".csv":
        write_file(path, format_csv(result))
    elif suffix == ".json":
        write_file(path, format_json(result))
    elif suffix == ".html":
        sources = {caption: png_data_uri(png) for caption, png in images.items()}
        write_file(path, _with_extras(html_report(result, sources, accelerator=accelerator,
                                                  legends=legends), result, note, changes))
    else:
        if pdf is None:
            raise ExportError(f"{path}: PDF reports are rendered by the GUI; write .html, "
                              ".csv or .json here")
        names = {caption: f"plot-{i}.png" for i, caption in enumerate(images)}
        report = _with_extras(html_report(result, names, accelerator=accelerator,
                                          legends=legends), result, note, changes)
        write_file(path, pdf(report, {names[c]: png for c, png in images.items()}))
    return suffix


TOP_N = 10


def _with_extras(report: str, result: NetworkEstimate, note: str,
                 changes: list[str] | None) -> str:
    from explorer.session.analysis import op_summary, top_layers
    from explorer.units import count, percent, si

    if note:
        report = report.replace("</h1>", f"</h1>\n<p><b>{html.escape(note)}</b></p>", 1)
    parts = []
    if changes is not None:
        items = "".join(f"<li>{html.escape(c)}</li>" for c in changes) or "<li>none</li>"
        parts.append(f"<h2>Design changes from its source</h2><ul>{items}</ul>")
    parts.append("<h2>Time per op type</h2>" + _table(
        ["Op", "Layers", "Latency", "Share", "MACs", "Energy"],
        [[o.op, str(o.layers), si(o.latency_s, "s"), percent(o.share), count(o.macs),
          si(o.energy_j, "J")] for o in op_summary(result)]))
    total = result.latency_s or 1.0
    parts.append(f"<h2>Slowest {TOP_N} layers</h2>" + _table(
        ["#", "Layer", "Op", "Latency", "Share"],
        [[str(n), x.name, x.op, si(x.latency_s, "s"), percent(x.latency_s / total)]
         for n, x in top_layers(result, TOP_N)]))
    marker = "<h2>Per-layer estimate</h2>"
    return report.replace(marker, "\n".join(parts) + "\n" + marker, 1)


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return (f"<table class=\"layers\" border=\"1\" cellspacing=\"0\" cellpadding=\"2\">"
            f"<tr>{head}</tr>{body}</table>")
