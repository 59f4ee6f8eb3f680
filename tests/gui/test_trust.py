"""Issue 15's trust defects, one regression test each, through the real window offscreen.

Defects 2-5 were written first as xfail(strict=True) against the unfixed window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox


def _activate_combo(combo, data: str) -> None:
    """What picking an entry in the combo does."""
    index = combo.findData(data)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


# -- 1. stale results -----------------------------------------------------------------------
def test_views_never_show_a_result_for_another_network(qtbot, window, slow_estimator) -> None:
    """Switch to eyeriss, open another network, Cancel its estimate: no view may still show
    the previous network's result on the previous design."""
    assert window.set_estimator("roofline")
    with qtbot.waitSignal(window.estimateShown, timeout=60_000):
        window.open_network("squeezenet")
    assert window.bars.bar_count() > 0
    assert window.set_estimator(slow_estimator)
    _activate_combo(window.accelerator_panel.combo, "eyeriss")
    with qtbot.waitSignal(window.networkLoaded, timeout=60_000):
        window.open_network("alexnet")
    with qtbot.waitSignal(window.runner.progress, timeout=10_000):
        window.run_estimate()
    with qtbot.waitSignal(window.taskCancelled, timeout=10_000):
        window.cancel_action.trigger()
    title = window.windowTitle()
    assert "alexnet" in title and "eyeriss" in title
    assert window.bars.bar_count() == 0 and window.roofline.point_count() == 0
    assert window.summary.text("latency") == "–"
    assert not window.export_action.isEnabled()


def test_an_outdated_result_says_what_it_is_for(qtbot, window, slow_estimator,
                                                tmp_path) -> None:
    assert window.set_estimator("roofline")
    with qtbot.waitSignal(window.estimateShown, timeout=60_000):
        window.open_network("squeezenet")
    assert window.set_estimator(slow_estimator)  # nothing re-runs by itself now
    _activate_combo(window.accelerator_panel.combo, "eyeriss")
    note = window.summary.note
    assert note.isVisible() and "gemmini" in note.text() and "F5" in note.text()
    # The roofline keeps the ceilings of the design the result is for.
    assert window.roofline._ceilings[0].value == pytest.approx(
        2 * 16 * 16 * 1e9)  # gemmini's PE array, not eyeriss'
    with qtbot.waitSignal(window.exportFinished, timeout=60_000):
        assert window.export_estimate(str(tmp_path / "r.html"))
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Outdated" in report and "gemmini" in report
    assert window.set_estimator("roofline")  # fast again: re-estimates, note goes
    qtbot.waitUntil(lambda: not window.summary.note.isVisible(), timeout=60_000)


# -- 2. the wheel over an unfocused field ----------------------------------------------------
def _wheel(widget, steps: int = 1) -> None:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * steps), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_wheel_over_an_unfocused_field_does_not_change_it(qtbot, window) -> None:
    form = window.accelerator_panel.form
    spin = form.editor(("compute", "vector_lanes")).widget
    combo = form.editor(("compute", "dataflow")).widget
    assert not spin.hasFocus() and not combo.hasFocus()
    for _ in range(10):
        _wheel(spin, -1)
        _wheel(combo, 1)
    assert window.session.document.accelerator.compute.vector_lanes == 16
    assert window.session.document.accelerator.compute.dataflow.value == "ws"
    assert not window.session.document.is_modified
    window.activateWindow()  # a focused field still takes the wheel
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=5_000)
    _wheel(spin, 1)
    assert window.session.document.accelerator.compute.vector_lanes > 16


# -- 3. unsaved edits on switching ----------------------------------------------------------
def test_switching_the_accelerator_asks_save_discard_cancel(qtbot, window, monkeypatch,
                                                             tmp_path) -> None:
    asked: list[str] = []
    answer = {"button": QMessageBox.StandardButton.Cancel}

    def question(_parent, _title, text, buttons=None, *args, **kwargs):
        asked.append(text)
        assert buttons & QMessageBox.StandardButton.Save
        assert buttons & QMessageBox.StandardButton.Discard
        assert buttons & QMessageBox.StandardButton.Cancel
        return answer["button"]

    monkeypatch.setattr(QMessageBox, "question", question)
    doc, combo = window.session.document, window.accelerator_panel.combo
    doc.set_field(("compute", "pe_rows"), 32)
    _activate_combo(combo, "eyeriss")  # Cancel: nothing changes
    assert len(asked) == 1 and doc.source == "gemmini" and doc.is_modified
    assert combo.currentData() == "gemmini" and doc.can_undo
    answer["button"] = QMessageBox.StandardButton.Save  # Save: as a file, then switch
    target = tmp_path / "mine.yaml"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    _activate_combo(combo, "eyeriss")
    assert "pe_rows: 32" in target.read_text(encoding="utf-8") and doc.source == "eyeriss"
    doc.set_field(("compute", "pe_rows"), 8)
    answer["button"] = QMessageBox.StandardButton.Discard
    assert window.load_accelerator("gemmini")  # File ▸ Open and drops ask the same
    assert len(asked) == 3 and doc.source == "gemmini" and not doc.is_modified


# -- 4. the window's undo wins over a field's own -------------------------------------------
def test_ctrl_z_in_a_focused_field_undoes_the_committed_edit(qtbot, window) -> None:
    window.activateWindow()
    spin = window.accelerator_panel.form.editor(("compute", "pe_rows")).widget
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=5_000)
    spin.setValue(32)  # committed: Enter or focus-out does this
    assert window.session.document.accelerator.compute.pe_rows == 32
    qtbot.keyClick(spin, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.document.accelerator.compute.pe_rows == 16
    assert spin.value() == 16
    qtbot.keyClick(spin, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert window.session.document.accelerator.compute.pe_rows == 32
    # While typing (not yet committed) the field keeps Ctrl+Z for its own text.
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "64")
    qtbot.keyClick(spin, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.document.accelerator.compute.pe_rows == 32
    assert window.session.document.undo_count == 1


# -- 5. one layer numbering -----------------------------------------------------------------
def test_bars_and_table_share_one_1_based_numbering(qtbot, window, open_and_estimate) -> None:
    open_and_estimate(window, "squeezenet")
    layers = window.session.result.layers
    window.select_layer(layers[3].name)
    assert window.bars._highlight.opts["x"][0] == 4  # the table's "#" of that row
    table = window.layer_table
    row = table.model.row_of(layers[3].name)
    assert table.model.item(row, 0).text() == "4"
    tip = window.bars.tooltip_text(layers[3])
    assert tip.startswith(f"#4 {layers[3].name}")
    ticks = window.bars.axis_names()
    assert ticks.get(4) == layers[3].name
