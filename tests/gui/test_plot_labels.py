"""Plot labels stay readable at any window width: the roofline's ceiling labels neither
overlap each other nor leave the plot, and the bar axis labels whole bars only."""

from __future__ import annotations

import itertools

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPolygonF


@pytest.mark.parametrize("width", [1000, 1300, 1920])
def test_roofline_ceiling_labels_do_not_overlap(qtbot, window, open_and_estimate,
                                                width) -> None:
    window.resize(width, 900)
    open_and_estimate(window, "squeezenet")
    qtbot.wait(50)
    view_box = window.roofline.plot.getPlotItem().getViewBox()
    inside = view_box.sceneBoundingRect().adjusted(-2, -2, 2, 2)
    labels = [item for item in window.roofline.plot.getPlotItem().items
              if isinstance(item, pg.TextItem) and item.isVisible()
              and item is not getattr(window.roofline.plot, "_empty_text", None)]
    assert len(labels) >= 3  # PE array, vector unit, bandwidth roofs
    # the text's own outline in the scene (rotated labels along the bandwidth roofs are
    # diagonal: their axis-aligned bounding boxes overlap where the texts do not)
    shapes = [(item.textItem.toPlainText(),
               item.textItem.mapToScene(item.textItem.boundingRect())) for item in labels]
    for (a, pa), (b, pb) in itertools.combinations(shapes, 2):
        assert not pa.intersects(pb), f"{a!r} overlaps {b!r} at {width} px"
    for text, polygon in shapes:
        assert inside.contains(polygon.boundingRect()), f"{text!r} leaves the plot at {width} px"


@pytest.mark.parametrize("network", ["squeezenet", "resnet50"])
@pytest.mark.parametrize("width", [1000, 1300, 1920])
@pytest.mark.parametrize("level", ["DRAM", "all levels"])
def test_roofline_ceiling_labels_clear_the_points(qtbot, window, open_and_estimate,
                                                  network, width, level) -> None:
    window.resize(width, 900)
    open_and_estimate(window, network)
    window.roofline.set_level(level)
    qtbot.wait(50)
    roofline = window.roofline
    labels = [item for item in roofline.plot.getPlotItem().items
              if isinstance(item, pg.TextItem) and item.isVisible()
              and item is not getattr(roofline.plot, "_empty_text", None)]
    assert len(labels) >= 2 and roofline.point_count() > 10
    # each point's square in the scene: pixel-sized symbols around their data position
    scatter = roofline._scatter
    points = []
    for spot in scatter.points():
        centre = scatter.mapToScene(spot.pos())
        size = spot.size()
        points.append((spot.data(), QPolygonF(QRectF(centre.x() - size / 2,
                                                     centre.y() - size / 2, size, size))))
    assert len(points) >= roofline.point_count()
    covered = [(item.textItem.toPlainText(), data) for item in labels
               for data, square in points
               if item.textItem.mapToScene(item.textItem.boundingRect()).intersects(square)]
    assert not covered, f"labels cover points at {width} px ({network}, {level}): {covered}"


def test_bar_axis_labels_whole_bars_with_table_numbers(qtbot, window, open_and_estimate) -> None:
    open_and_estimate(window, "squeezenet")
    axis = window.bars.axis
    (x0, x1), _ = window.bars.plot.getPlotItem().getViewBox().viewRange()
    levels = axis.tickValues(x0, x1, axis.width() or 600)
    values = [v for _spacing, vs in levels for v in vs]
    assert values and all(float(v).is_integer() and 1 <= v <= window.bars.bar_count()
                          for v in values)
    assert axis.tickStrings([1.0], 1.0, 5.0) == ["1"]


def test_log_axis_labels_thin_out_when_the_plot_is_narrow(qtbot) -> None:
    from explorer.gui.views.axes import DecadeLogAxis

    axis = DecadeLogAxis("bottom", "s")
    wide = axis.logTickValues(-9.0, -1.0, 900, [])[0][1]
    narrow = axis.logTickValues(-9.0, -1.0, 200, [])[0][1]
    assert len(wide) == 9 and 2 <= len(narrow) <= 3
    labels = axis.tickStrings([float(v) for v in narrow], 1.0, 1.0)
    assert sum(len(t) for t in labels) * 7 < 200  # ~7 px a character: they fit
