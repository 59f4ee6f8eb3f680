"""What exporting needs Qt for; the export itself is the session's
(`explorer.session.export`, the same for the CLI and scripts). This module adds plot
images (PNG at print resolution; pyqtgraph's SVGExporter fails on Qt >= 6.11) and PDF
(the HTML laid out by QTextDocument and printed through QPdfWriter). Everything is
rendered in memory first and then written with Python's file I/O, so an unwritable path
is one ExplorerError naming the file.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

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
from PySide6.QtWidgets import QGraphicsView, QWidget

from explorer.report import IMAGE_WIDTH_PX
from explorer.session.export import FORMATS, ExportError, export_format, write_file

__all__ = ["FORMATS", "ExportError", "export_format", "pdf_bytes", "pdf_from_png",
           "plot_image", "png_bytes", "widget_pdf", "widget_svg", "write_file"]

PDF_RESOLUTION_DPI = 300
# Report plots are rendered for the PDF writer's resolution: crisp on paper (>= 200 dpi).
REPORT_IMAGE_DPI = PDF_RESOLUTION_DPI


def plot_image(plot: pg.PlotWidget, printed_width_px: float = IMAGE_WIDTH_PX,
               dpi: float = REPORT_IMAGE_DPI) -> QImage:
    """The plot exactly as shown (axes, labels, items, the widget's aspect), drawn for
    `dpi` when printed `printed_width_px` CSS pixels (1/96 in) wide: the report's width.

    Painted from the widget onto an image with a high device pixel ratio, so lines and
    text are drawn at that resolution, not a screen grab (96 dpi at best) enlarged. Not
    pyqtgraph's ImageExporter (0.14.0): it places text items that ignore transformations
    (the roofline's ceiling labels) for the exported geometry but draws them at screen
    size, so labels at the plot's right edge were cut off."""
    if plot.width() <= 0 or plot.height() <= 0:
        raise ExportError("the plot could not be rendered to an image")
    scale = max(1.0, dpi / 96 * printed_width_px / plot.width())
    image = QImage(math.ceil(plot.width() * scale), math.ceil(plot.height() * scale),
                   QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    image.setDevicePixelRatio(scale)  # the widget paints in its own pixels, Qt scales
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        with _painted_for_export(plot):
            # QWidget's render, not QGraphicsView's (that one draws the scene, not the axes)
            QWidget.render(plot, painter, QPoint(0, 0))
    finally:
        painter.end()
    image.setDevicePixelRatio(1.0)
    dots_per_metre = round(dpi / 0.0254)  # so image viewers print it at `dpi` too
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    return image


@contextmanager
def _painted_for_export(widget: QWidget) -> Iterator[None]:
    """pyqtgraph's items in `widget` paint as for its own exporters while inside: scatter
    symbols as shapes (not the screen-resolution pixmaps it caches), no auto-range
    button. (Pen widths stay cosmetic: one device pixel at any resolution.)"""
    views = [widget] if isinstance(widget, QGraphicsView) else \
        widget.findChildren(QGraphicsView)
    items = [item for view in views if view.scene() is not None
             for item in view.scene().items() if hasattr(item, "setExportMode")]
    for item in items:
        item.setExportMode(True, {"antialias": True})
    try:
        yield
    finally:
        for item in items:
            item.setExportMode(False)


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
    with _painted_for_export(widget):
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
