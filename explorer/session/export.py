"""Writing a result to a file, the same for the window, the CLI and scripts: CSV and
JSON (the CLI's formats), an HTML report with the plots as embedded PNGs, or a PDF when
the caller brings a renderer (the GUI lays the HTML out with Qt). `export_operation`
runs it as a session operation: the window runs reports in the background with progress
per step and Cancel before the file is written."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.errors import Cancelled, EstimationError, ExplorerError
from explorer.estimators.base import NetworkEstimate
from explorer.hardware.schema import Accelerator
from explorer.report import format_csv, format_json, html_report, png_data_uri
from explorer.session.operations import CancelFn, Operation, Progress, ProgressFn, Steps

if TYPE_CHECKING:
    from explorer.session.state import Session

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
                  note: str = "", changes: list[str] | None = None,
                  selected: str | None = None, progress: ProgressFn | None = None) -> str:
    """Write `result` in the format `path`'s extension names; `images` (caption -> PNG)
    and `legends` (caption -> HTML) go into the reports; `note` (e.g. that the result is
    outdated) heads them; `changes` (the design's changes from its library entry or
    file), a per-op summary with the slowest layers and the layer detail of the
    `selected` layer (else of the slowest three) go before the layer table, so a long
    network stays readable. `progress(done, total, what)` before each step (the last
    before writing: raising there writes nothing). Returns the suffix."""
    steps = _export_steps(path, result, accelerator, images, legends, pdf, note, changes,
                          selected)
    try:
        while True:
            step = next(steps)
            if progress is not None:
                progress(step.done, step.total, step.what)
    except StopIteration as stop:
        return stop.value


def _export_steps(path: str, result: NetworkEstimate, accelerator: Accelerator | None,
                  images: Mapping[str, bytes], legends: Mapping[str, str],
                  pdf: Callable[[str, Mapping[str, bytes]], bytes] | None, note: str,
                  changes: list[str] | None, selected: str | None = None) -> Steps[str]:
    """`export_result` as steps: a Progress before each (the last before writing)."""
    suffix = export_format(path)
    total = {".csv": 1, ".json": 1, ".html": 2}.get(suffix, 3)
    name = Path(path).name
    if suffix in (".csv", ".json"):
        yield Progress(0, total, f"writing {name}")
        content: str | bytes = format_csv(result) if suffix == ".csv" else format_json(result)
    elif suffix == ".html":
        yield Progress(0, total, f"building the report of {len(result.layers)} layers")
        sources = {caption: png_data_uri(png) for caption, png in images.items()}
        content = _with_extras(html_report(result, sources, accelerator=accelerator,
                                           legends=legends), result, note, changes,
                               accelerator, selected)
        yield Progress(1, total, f"writing {name}")
    else:
        if pdf is None:
            raise ExportError(f"{path}: PDF reports are rendered by the GUI; write .html, "
                              ".csv or .json here")
        yield Progress(0, total, f"building the report of {len(result.layers)} layers")
        names = {caption: f"plot-{i}.png" for i, caption in enumerate(images)}
        report = _with_extras(html_report(result, names, accelerator=accelerator,
                                          legends=legends), result, note, changes,
                              accelerator, selected)
        yield Progress(1, total, "laying out the PDF pages")
        content = pdf(report, {names[c]: png for c, png in images.items()})
        yield Progress(2, total, f"writing {name}")
    write_file(path, content)
    yield Progress(total, total, f"wrote {name}")
    return suffix


def export_operation(session: Session, path: str, images: Mapping[str, bytes],
                     legends: Mapping[str, str],
                     pdf: Callable[[str, Mapping[str, bytes]], bytes] | None = None
                     ) -> Operation[str]:
    """Export the shown result (`export_result`) as an operation: progress per step,
    cancel between steps and never after the file is begun. The report describes the
    design the result was computed for, says when the result is outdated, and details
    the selected layer (else the slowest three). ExplorerError (one line) at once for
    nothing to export or an unknown format."""
    if session.result is None or session.result_for is None:
        raise EstimationError("nothing to export: run an estimate first (F5)")
    export_format(path)
    result, accelerator = session.result, session.result_for.accelerator
    note, changes = session.result_note(), _design_changes(session)
    selected = session.selected
    name = Path(path).name

    def steps(cancel: CancelFn) -> Steps[str]:
        # Inline in the thread that drives the operation (the window's worker QThread):
        # Qt's text layout and PDF writer want a thread with an event dispatcher.
        inner = _export_steps(path, result, accelerator, images, legends, pdf, note, changes,
                              selected)
        try:
            while True:
                step = next(inner)
                if step.done < step.total and cancel():
                    raise Cancelled(f"export of {name} cancelled before {step.what}; "
                                    "nothing was written")
                yield step
        except StopIteration as stop:
            return stop.value

    return Operation("export", f"Exporting {name}", steps, lambda _suffix: None)


def report_html(session: Session) -> str:
    """The shown result's report without plots, as the window's export writes it (the
    design's changes, per-op summary, slowest layers, levels, layer detail): the CLI's
    `estimate --format html`."""
    if session.result is None or session.result_for is None:
        raise EstimationError("nothing to report: run an estimate first")
    accelerator = session.result_for.accelerator
    return _with_extras(html_report(session.result, accelerator=accelerator),
                        session.result, session.result_note(), _design_changes(session),
                        accelerator, session.selected)


def _design_changes(session: Session) -> list[str] | None:
    """The result's design's changes from the library entry or file it was loaded from,
    with units (names, descriptions and sources left out)."""
    from explorer.session.analysis import describe_change
    from explorer.session.document import design_changes
    from explorer.session.state import _descriptive

    if not session.document.default_data or session.result_for is None:
        return None
    source = Accelerator.model_validate(session.document.default_data)
    return [describe_change(*c) for c in design_changes(source, session.result_for.accelerator)
            if not _descriptive(c[0])]


TOP_N = 10
DETAIL_N = 3  # layers detailed when none is selected: the slowest


def _with_extras(report: str, result: NetworkEstimate, note: str,
                 changes: list[str] | None, accelerator: Accelerator | None = None,
                 selected: str | None = None) -> str:
    from explorer.session.analysis import layer_detail, layer_number, op_summary, top_layers
    from explorer.session.levels import level_breakdown
    from explorer.units import binary_bytes, count, percent, si

    if note:
        report = report.replace("</h1>", f"</h1>\n<p><b>{html.escape(note)}</b></p>", 1)
    parts = []
    if changes is not None:
        items = "".join(f"<li>{html.escape(c)}</li>" for c in changes) or "<li>none</li>"
        parts.append(f"<h2>Design changes from its source</h2><ul>{items}</ul>")
    parts.append("<h2>Time per op type</h2>" + _table(
        ["Op", "Layers", "Latency", "Share", "MACs", "Energy", "DRAM traffic"],
        [[o.op, str(o.layers), si(o.latency_s, "s"), percent(o.share), count(o.macs),
          si(o.energy_j, "J"), "–" if o.dram_bytes is None else binary_bytes(o.dram_bytes)]
         for o in op_summary(result)]))
    total = result.latency_s or 1.0
    parts.append(f"<h2>Slowest {TOP_N} layers</h2>" + _table(
        ["#", "Layer", "Op", "Latency", "Share"],
        [[str(n), x.name, x.op, si(x.latency_s, "s"), percent(x.latency_s / total)]
         for n, x in top_layers(result, TOP_N)]))
    levels = level_breakdown(result, accelerator) if accelerator is not None else []
    if levels:
        energy = sum(row.energy_j or 0.0 for row in levels) or 1.0
        parts.append("<h2>Energy and traffic per memory level</h2>" + _table(
            ["Level", "Read", "Written", "Energy", "Share"],
            [[row.level, "–" if row.read_bytes is None else binary_bytes(row.read_bytes),
              "–" if row.write_bytes is None else binary_bytes(row.write_bytes),
              si(row.energy_j, "J"), percent((row.energy_j or 0.0) / energy)]
             for row in levels]))
    # The window's layer detail panel and the report read the same rows (layer_detail).
    if selected is not None and layer_number(result, selected) is not None:
        heading, names = "Layer detail (selected layer)", [selected]
    else:
        heading = f"Layer detail (slowest {DETAIL_N} layers)"
        names = [layer.name for _n, layer in top_layers(result, DETAIL_N)]
    details = [_detail_table(layer_detail(result, name)) for name in names]
    if details:
        parts.append(f"<h2>{heading}</h2>" + "".join(details))
    marker = "<h2>Per-layer estimate</h2>"
    return report.replace(marker, "\n".join(parts) + "\n" + marker, 1)


def _detail_table(rows: list[tuple[str, str, str]]) -> str:
    """One layer's detail under a heading naming it; each section's name on its first row."""
    values = {(section, item): value for section, item, value in rows}
    title = (f"#{values[('Layer', '#')]} {values[('Layer', 'name')]} ({values[('Layer', 'op')]})"
             f" · {values[('Estimate', 'latency')]}")
    body, last = [], None
    for section, item, value in rows:
        shown = section if section != last else ""
        last = section
        body.append(f"<tr><th align=\"left\">{html.escape(shown)}</th>"
                    f"<td>{html.escape(item)}</td><td>{html.escape(value)}</td></tr>")
    return (f"<h3>{html.escape(title)}</h3><table class=\"layers\" border=\"1\" "
            f"cellspacing=\"0\" cellpadding=\"2\">{''.join(body)}</table>")


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return (f"<table class=\"layers\" border=\"1\" cellspacing=\"0\" cellpadding=\"2\">"
            f"<tr>{head}</tr>{body}</table>")
