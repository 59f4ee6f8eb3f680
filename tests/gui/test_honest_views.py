"""Issue 15's misleading views: degenerate networks, empty plots, the comparison's
reference, the Sweep tab's defaults, a model file checked when chosen."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper


@pytest.fixture
def one_conv(tmp_path) -> str:
    weight = numpy_helper.from_array(np.ones((16, 3, 3, 3), dtype=np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("Conv", ["image", "w"], ["out"], name="conv", pads=[1, 1, 1, 1])],
        "one_conv",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 16, 32, 32])],
        initializer=[weight])
    path = tmp_path / "one_conv.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    return str(path)


def test_empty_plots_draw_no_fake_axes(window) -> None:
    for plot in (window.bars.plot, window.roofline.plot):
        item = plot.getPlotItem()
        assert not item.getAxis("left").isVisible() and not item.getAxis("bottom").isVisible()
        assert "No estimate" in plot._empty_text.toPlainText()


def test_a_one_layer_network(qtbot, window, one_conv) -> None:
    with qtbot.waitSignal(window.estimateShown, timeout=60_000):
        window.open_network(one_conv)
    assert window.bars.bar_count() == 1
    (x0, x1), _ = window.bars.plot.getPlotItem().getViewBox().viewRange()
    assert 0 < x0 < 1 < x1 < 2  # one bar, not an axis from -400 to 400
    assert window.bars.plot.getPlotItem().getAxis("left").isVisible()
    assert window.roofline.caption.text().startswith("1 layer") and \
        "1 layers" not in window.roofline.caption.text()
    assert "1 layer " in window.summary.text("estimator") + " "


def test_comparison_reference_is_the_most_accurate_estimator(qtbot, window,
                                                              open_and_estimate) -> None:
    open_and_estimate(window, "squeezenet")
    with qtbot.waitSignal(window.comparisonShown, timeout=60_000):
        window.run_comparison(["roofline", "depgraph"])
    assert window.comparison.comparison.reference == "depgraph"
    qtbot.waitUntil(lambda: not window.runner.is_busy(), timeout=10_000)
    message = window.statusBar().currentMessage()
    assert not message.endswith("…") and "done" in message


def test_sweep_defaults_follow_the_accelerator(qtbot, window) -> None:
    row = window.sweep_view.rows[0]
    window.sweep_view.select(0, "compute.pe_rows")
    assert row.values.text() == "4,8,16,32,64"  # around gemmini's 16
    assert window.load_accelerator("eyeriss")
    pe_rows = window.session.accelerator.compute.pe_rows
    assert row.combo.currentData() == "compute.pe_rows"
    assert str(pe_rows) in row.values.text().split(",")
    assert row.values.text() != "4,8,16,32,64" or pe_rows == 16


def test_a_bad_model_file_is_refused_when_chosen(qtbot, window, dialogs, tmp_path) -> None:
    bad = tmp_path / "model.skops"
    bad.write_bytes(b"this is not a model")
    assert not window.set_estimator("statistical", model=str(bad))
    assert dialogs and "model.skops" in dialogs[-1][1] + str(bad)
    assert window.estimator == "depgraph"
    assert window.estimator_combo.currentData() == "depgraph"


def test_log_bars_keep_the_split_honest_and_label_ticks_in_si(qtbot, window,
                                                              open_and_estimate) -> None:
    open_and_estimate(window, "squeezenet")
    bars = window.bars
    bars.log_check.setChecked(True)
    # one colour per bar (its largest part), never a stacked split on a log axis
    drawn = {part: item.opts["height"] for part, item in bars._parts.items()}
    per_bar = [sum(1 for h in drawn.values() if len(h) and h[i] > 0)
               for i in range(bars.bar_count())]
    assert max(per_bar) == 1
    assert "mostly" in bars.legend.text()
    labels = bars.value_axis.tickStrings([-4.0, -3.0], 1.0, 1.0)
    assert labels == ["100 µs", "1 ms"]
    layer = max(window.session.result.layers, key=lambda x: x.latency_s)
    tip = bars.tooltip_text(layer)
    assert "exposed memory" in tip or "compute:" in tip
    assert "bound: compute-bound" in tip or "bound: memory-bound" in tip
    bars.log_check.setChecked(False)
    assert "mostly" not in bars.legend.text()


def test_help_lists_the_shortcuts_from_the_actions(window) -> None:
    from explorer.gui.menus import shortcuts_text

    text = shortcuts_text(window)
    assert "F5" in text and "Ctrl+E" in text and "Ctrl+Z" in text and "Ctrl+Y" in text
    assert "architecture.md" in text
    # every tab has its Ctrl+number, listed under its name
    assert "Ctrl+Shift+E" in text and "Show Latency &amp; roofline" in text
    assert len(window.tab_actions) == min(window.tabs.count(), 9)
    sensitivity = window.tabs.indexOf(window.views["sensitivity"])
    window.tab_actions[sensitivity].trigger()
    assert window.tabs.currentWidget() is window.views["sensitivity"]
    assert f"Ctrl+{sensitivity + 1}" in text


def test_estimator_options_form_from_the_options_model(qtbot, window) -> None:
    assert window.set_estimator("refined-roofline")
    dialog = window.estimator_combo.options_dialog()
    assert dialog is not None
    spin = dialog.form.editor(("alpha",)).widget
    spin.setValue(0.5)
    dialog.accept()
    assert window.session.estimator_options == {"alpha": 0.5}
    assert window.set_estimator("roofline") and window.estimator_combo.options_dialog() is None


def test_drops_are_copies_and_recent_files_include_examples_and_accelerators(
        qtbot, window, tmp_path) -> None:
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    target = tmp_path / "mine.yaml"
    assert window.save_accelerator_to(str(target))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(target))])
    # a file manager offers copy or move and proposes a move
    event = QDropEvent(QPointF(QPoint(100, 100)),
                       Qt.DropAction.CopyAction | Qt.DropAction.MoveAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    event.setDropAction(Qt.DropAction.MoveAction)
    window.dropEvent(event)
    assert event.dropAction() == Qt.DropAction.CopyAction and target.is_file()
    assert str(target.resolve()) in window.settings.recent_files()
    with qtbot.waitSignal(window.networkLoaded, timeout=60_000):
        window.examples_menu.actions()[0].trigger()
    example = window.examples_menu.actions()[0].text()
    qtbot.waitUntil(lambda: window.settings.recent_files()[0] == example, timeout=5_000)


def test_roofline_tooltip_names_the_limiting_roof(qtbot, window, open_and_estimate) -> None:
    open_and_estimate(window, "squeezenet")
    point = window.roofline._points[0]
    tip = window.roofline._tip(0, 0, point.name)
    assert "limited by:" in tip and "of it" in tip and "DRAM traffic" in tip


def test_legend_tooltip_table_and_layer_detail_use_the_same_words(qtbot, window,
                                                                   open_and_estimate) -> None:
    """Defect 8: the bars' legend, their tooltip, the table's Bound column and the layer
    detail name the same things alike (squeezenet on gemmini with depgraph)."""
    from PySide6.QtCore import Qt

    from explorer.session.view_data import PART_LABELS

    open_and_estimate(window, "squeezenet")
    result = window.session.result
    assert result.estimator == "depgraph"
    layer = next(x for x in result.layers if x.memory_cycles and x.stall_cycles)
    window.select_layer(layer.name)
    shown = window.layer_detail.items()
    legend = window.bars.legend.text()
    parts = [item for section, item in shown if section == "Cycles" and "overlap" not in item]
    assert parts == ["compute", PART_LABELS["memory"], "stall"]
    assert all(part in legend for part in parts)
    bound = shown[("Estimate", "bound")]
    assert bound in ("compute-bound", "memory-bound")
    assert f"bound: {bound}" in window.bars.tooltip_text(layer)
    model = window.layer_table.model
    header = [model.headerData(c, Qt.Orientation.Horizontal)
              for c in range(model.columnCount())]
    rows = {model.index(r, header.index("Name")).data(): r for r in range(model.rowCount())}
    assert model.index(rows[layer.name], header.index("Bound")).data() == bound
