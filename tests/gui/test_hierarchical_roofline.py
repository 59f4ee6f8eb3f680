"""The roofline view is hierarchical: the level choice lists every memory level the
estimator reports traffic for, each layer's bound level is named, and the ceiling labels
stay clear of each other with every level shown."""

from __future__ import annotations

import itertools

import pyqtgraph as pg

from explorer.gui.views.roofline import ALL_LEVELS


def _labels(view) -> list[tuple[str, object]]:
    items = [item for item in view.plot.getPlotItem().items
             if isinstance(item, pg.TextItem) and item.isVisible()
             and item is not getattr(view.plot, "_empty_text", None)]
    return [(item.textItem.toPlainText(), item.textItem.mapToScene(item.textItem.boundingRect()))
            for item in items]


def test_level_choice_plots_each_levels_intensity(qtbot, window, open_and_estimate) -> None:
    window.resize(1300, 900)
    open_and_estimate(window, "squeezenet")  # depgraph: every level's traffic
    view = window.roofline
    choices = [view.level_box.itemText(i) for i in range(view.level_box.count())]
    assert choices == ["scratchpad", "accumulator", "DRAM", ALL_LEVELS]
    assert view.level() == "DRAM" and "DRAM traffic" in view.plot.getAxis("bottom").labelText
    dram_x = sorted(view._scatter.data["x"])
    view.set_level("accumulator")
    assert "accumulator traffic" in view.plot.getAxis("bottom").labelText
    assert sorted(view._scatter.data["x"]) != dram_x  # other intensities, not a relabel
    view.set_level(ALL_LEVELS)
    model = view._model
    assert len(view._scatter.data) == sum(len(layer.traffic) for layer in model.layers)
    # the bound level's point is a diamond: exactly one per layer bound by a memory level
    diamonds = sum(1 for symbol in view._scatter.data["symbol"] if symbol == "d")
    memory_bound = sum(1 for layer in model.layers if model.bound(layer).kind == "bandwidth")
    assert diamonds == memory_bound > 0
    assert "Bound level" in view.bound_note.text() and "accumulator" in view.bound_note.text()
    layer = model.layers[0]
    tip = view._tip(0, 0, (layer.name, "scratchpad"))
    assert f"limited by: {model.bound(layer).level}" in tip and "scratchpad traffic" in tip
    qtbot.wait(50)
    inside = view.plot.getPlotItem().getViewBox().sceneBoundingRect().adjusted(-2, -2, 2, 2)
    shapes = _labels(view)
    for (a, pa), (b, pb) in itertools.combinations(shapes, 2):
        assert not pa.intersects(pb), f"{a!r} overlaps {b!r}"
    for text, polygon in shapes:
        assert inside.contains(polygon.boundingRect()), f"{text!r} leaves the plot"


def test_the_level_choice_survives_a_new_result_and_a_roofline_result_has_dram_only(
        qtbot, window, open_and_estimate) -> None:
    open_and_estimate(window, "squeezenet")
    view = window.roofline
    view.set_level(ALL_LEVELS)
    with qtbot.waitSignal(window.estimateShown, timeout=60_000):
        window.run_estimate()
    assert view.level() == ALL_LEVELS
    with qtbot.waitSignal(window.estimateShown, timeout=60_000):
        window.set_estimator("roofline")
    assert [view.level_box.itemText(i) for i in range(view.level_box.count())] == ["DRAM"]
    assert not view.level_box.isEnabled() and "DRAM traffic only" in view.level_box.toolTip()
    assert "compulsory" in view.bound_note.text()
