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
                  note: str = "") -> str:
    """Write `result` in the format `path`'s extension names; `images` (caption -> PNG)
    and `legends` (caption -> HTML) go into the reports; `note` (e.g. that the result is
    outdated) heads them. Returns the suffix."""
    suffix = export_format(path)
    if suffix == ".csv":
        write_file(path, format_csv(result))
    elif suffix == ".json":
        write_file(path, format_json(result))
    elif suffix == ".html":
        sources = {caption: png_data_uri(png) for caption, png in images.items()}
        write_file(path, _with_note(html_report(result, sources, accelerator=accelerator,
                                                legends=legends), note))
    else:
        if pdf is None:
            raise ExportError(f"{path}: PDF reports are rendered by the GUI; write .html, "
                              ".csv or .json here")
        names = {caption: f"plot-{i}.png" for i, caption in enumerate(images)}
        report = _with_note(html_report(result, names, accelerator=accelerator,
                                        legends=legends), note)
        write_file(path, pdf(report, {names[c]: png for c, png in images.items()}))
    return suffix


def _with_note(report: str, note: str) -> str:
    if not note:
        return report
    return report.replace("</h1>", f"</h1>\n<p><b>{html.escape(note)}</b></p>", 1)
