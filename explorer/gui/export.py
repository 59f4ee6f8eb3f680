"""What exporting needs Qt for; the export itself is the session's
(`explorer.session.export`, the same for the CLI and scripts). This module adds plot
images (PNG; pyqtgraph's SVGExporter fails on Qt >= 6.11) and PDF (the HTML laid out by
QTextDocument and printed through QPdfWriter). Everything is rendered in memory first and then written
with Python's file I/O, so an unwritable path is one ExplorerError naming the file.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyqtgraph as pg
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QPoint,
    QRect,
    QSize,
    QSizeF,
    Qt,
    QUrl,
)
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget

from explorer.session.export import FORMATS, ExportError, export_format, write_file

__all__ = ["FORMATS", "ExportError", "export_format", "pdf_bytes", "pdf_from_png",
           "plot_image", "png_bytes", "widget_pdf", "widget_svg", "write_file"]

PDF_RESOLUTION_DPI = 300


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


def pdf_from_png(html: str, images: Mapping[str, bytes]) -> bytes:
    """The session's PDF renderer: `pdf_bytes` over PNG-encoded images."""
    decoded = {}
    for name, png in images.items():
        image = QImage()
        if not image.loadFromData(png, "PNG"):
            raise ExportError(f"plot {name} could not be decoded")
        decoded[name] = image
    return pdf_bytes(html, decoded)


TITLE_HEIGHT_PX = 28


def _paint_titled(painter: QPainter, widget: QWidget, title: str) -> None:
    """The widget as vector drawing (its plots' items, axes and legend labels are painted
    through `painter`, not grabbed as pixels), under a title line."""
    font = painter.font()
    font.setPointSizeF(11)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(8, 0, widget.width() - 16, TITLE_HEIGHT_PX,
                     int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), title)
    widget.render(painter, QPoint(0, TITLE_HEIGHT_PX),
                  renderFlags=QWidget.RenderFlag.DrawChildren)


def widget_svg(widget: QWidget, title: str) -> bytes:
    """The widget (a tab with its plots and legends) as an SVG drawing with a title.
    (pyqtgraph's own SVGExporter fails on Qt >= 6.11; Qt's SVG generator does not.)"""
    return _widget_vector(widget, title, "svg")


def widget_pdf(widget: QWidget, title: str) -> bytes:
    """The widget as a one-page vector PDF, the page sized to the widget, with a title."""
    return _widget_vector(widget, title, "pdf")


def _widget_vector(widget: QWidget, title: str, fmt: str) -> bytes:
    """The one painter of both vector formats: only the paint device differs (an SVG
    generator with the widget's size as its view box, or a PDF writer at 96 dpi, one
    widget pixel = one PDF pixel, its page sized to the widget)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    size = QSize(widget.width(), widget.height() + TITLE_HEIGHT_PX)
    device: QSvgGenerator | QPdfWriter
    if fmt == "svg":
        device = QSvgGenerator()
        device.setOutputDevice(buffer)
        device.setSize(size)
        device.setViewBox(QRect(QPoint(0, 0), size))
        device.setTitle(title)
        device.setDescription("accel-explorer")
    else:
        device = QPdfWriter(buffer)
        device.setResolution(96)
        page = QSizeF(size.width() * 25.4 / 96, size.height() * 25.4 / 96)
        device.setPageLayout(QPageLayout(QPageSize(page, QPageSize.Unit.Millimeter),
                                         QPageLayout.Orientation.Portrait,
                                         QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter))
        device.setTitle(title)
        device.setCreator("accel-explorer")
    painter = QPainter(device)
    try:
        _paint_titled(painter, widget, title)
    finally:
        painter.end()
    del device  # a PDF writer finishes the file into the buffer when deleted
    buffer.close()
    out = bytes(data.data())
    if (b"<svg" not in out) if fmt == "svg" else not out.startswith(b"%PDF"):
        raise ExportError(f"the plot could not be rendered as {fmt.upper()}")
    return out
