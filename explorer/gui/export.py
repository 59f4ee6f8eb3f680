"""Export an estimate (CSV, JSON, HTML or PDF report) and plots (PNG).

The report's content comes from the Qt-free `explorer.report` (the CLI writes the same
CSV/JSON/HTML); this module adds what needs Qt: plot images (PNG; pyqtgraph's
SVGExporter fails on Qt >= 6.11) and PDF (the HTML laid out by QTextDocument and
printed through QPdfWriter). Everything is rendered in memory first and then written
with Python's file I/O, so an unwritable path is one ExplorerError naming the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from explorer.errors import ExplorerError
from explorer.estimators.base import NetworkEstimate
from explorer.hardware.schema import Accelerator
from explorer.report import format_csv, format_json, html_report, png_data_uri

FORMATS = {".pdf": "PDF report", ".html": "HTML report", ".csv": "CSV", ".json": "JSON"}
PDF_RESOLUTION_DPI = 300


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


def plot_image(plot: pg.PlotWidget) -> QImage:
    """The plot exactly as shown (axes, labels, items).

    Rendered from the widget: pyqtgraph's ImageExporter (0.14.0) places text items that
    ignore transformations (the roofline's ceiling labels) for the exported geometry but
    draws them at screen size, so labels at the plot's right edge were cut off."""
    image = plot.grab().toImage()
    if image.isNull():
        raise ExportError("the plot could not be rendered to an image")
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ExportError("the image could not be encoded as PNG")
    buffer.close()
    return bytes(data.data())


def pdf_bytes(html: str, images: Mapping[str, QImage]) -> bytes:
    """The HTML laid out on A4 pages; `images` resolves `<img src=NAME>` resources."""
    document = QTextDocument()
    for name, image in images.items():
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    document.setHtml(html)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_RESOLUTION_DPI)
    # No margins of its own: QTextDocument.print_ lays the text out within 2 cm margins
    # (170 mm = 640 px of content on A4, room for the report's 600 px images).
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait,
                                     QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter))
    writer.setTitle(document.metaInformation(QTextDocument.MetaInformation.DocumentTitle))
    writer.setCreator("accel-explorer")
    document.print_(writer)
    del writer  # finishes the PDF into the buffer
    buffer.close()
    pdf = bytes(data.data())
    if not pdf.startswith(b"%PDF"):
        raise ExportError("the PDF could not be rendered")
    return pdf


def write_file(path: str, content: str | bytes) -> None:
    try:
        if isinstance(content, bytes):
            Path(path).write_bytes(content)
        else:
            Path(path).write_text(content, encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc.strerror or exc}") from None


def export_estimate(path: str, result: NetworkEstimate, accelerator: Accelerator | None,
                    plots: Mapping[str, QImage],
                    legends: Mapping[str, str] | None = None) -> str:
    """Write `result` to `path` in the format its extension names; `plots` (caption ->
    image) and their `legends` (caption -> HTML) go into the HTML and PDF reports.
    Returns the format's suffix."""
    suffix = export_format(path)
    if suffix == ".csv":
        write_file(path, format_csv(result))
    elif suffix == ".json":
        write_file(path, format_json(result))
    elif suffix == ".html":
        sources = {caption: png_data_uri(png_bytes(image)) for caption, image in plots.items()}
        write_file(path, html_report(result, sources, accelerator=accelerator, legends=legends))
    else:
        names = {caption: f"plot-{i}.png" for i, caption in enumerate(plots)}
        html = html_report(result, names, accelerator=accelerator, legends=legends)
        write_file(path, pdf_bytes(html, {names[c]: image for c, image in plots.items()}))
    return suffix
