"""The schema-generated accelerator form and its undo stack."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPushButton

from explorer.gui.accelerator_panel import AcceleratorPanel
from explorer.gui.forms import NumberSpinBox, field_kind
from explorer.hardware.introspect import fields_of
from explorer.hardware.schema import Accelerator, Compute, Memory, OffChip


def _all_fields(model, prefix=()):
    for facts in fields_of(model):
        kind, detail = field_kind(facts)
        yield (*prefix, facts.name), kind, facts.info
        if kind == "model":
            yield from _all_fields(detail, (*prefix, facts.name))
        if kind == "model_list":
            yield from _all_fields(detail, (*prefix, facts.name, 0))


def test_every_schema_field_has_a_widget_kind() -> None:
    unknown = [path for path, kind, _info in _all_fields(Accelerator) if kind == "unknown"]
    assert unknown == []


@pytest.fixture
def panel(qtbot) -> AcceleratorPanel:
    widget = AcceleratorPanel()
    qtbot.addWidget(widget)
    widget.load("gemmini")
    return widget


def test_widgets_follow_the_schema(panel) -> None:
    form = panel.form
    rows = form.editor(("compute", "pe_rows")).widget
    assert isinstance(rows, NumberSpinBox)
    info = Compute.model_fields["pe_rows"]
    assert rows.minimum() == 1 and rows.maximum() == 4096
    assert rows.suffix() == " PE" and info.description in rows.toolTip()
    bandwidth = form.editor(("offchip", "bandwidth_bytes_per_cycle")).widget
    assert bandwidth.suffix() == " B/cycle"
    assert OffChip.model_fields["bandwidth_bytes_per_cycle"].description in bandwidth.toolTip()
    assert "≥ 0.001" in bandwidth.toolTip()  # the schema's lower bound (issue 13 item 8)
    dataflow = form.editor(("compute", "dataflow")).widget
    assert isinstance(dataflow, QComboBox)
    assert [dataflow.itemText(i) for i in range(dataflow.count())] == ["ws", "os", "is"]
    holds = form.editor(("memories", 0, "holds")).widget
    assert [b.text() for b in holds.findChildren(QCheckBox)] == ["input", "weight", "output"]
    assert isinstance(form.editor(("memories", 1, "double_buffered")).widget, QCheckBox)
    assert isinstance(form.editor(("name",)).widget, QLineEdit)
    assert isinstance(form.editor(("format_version",)).widget, QLabel)
    size = form.editor(("memories", 0, "size_bytes")).widget
    assert size.value() == 131072 and size.maximum() == 2**40  # beyond a 32-bit spin box
    assert Memory.model_fields["size_bytes"].description in size.toolTip()


def test_spin_box_accepts_scientific_notation(panel) -> None:
    clock = panel.form.editor(("clock_hz",)).widget
    clock.lineEdit().setText("2.5e9 Hz")
    clock.interpretText()
    assert panel.accelerator.clock_hz == 2.5e9


def test_memory_groups_can_be_added_and_removed_with_undo(panel) -> None:
    add = next(b for b in panel.form.findChildren(QPushButton) if b.text() == "Add memory")
    add.click()
    acc = panel.accelerator
    assert [m.name for m in acc.memories] == ["scratchpad", "accumulator", "accumulator_2"]
    assert ("memories", 2, "size_bytes") in panel.form.paths()
    remove = [b for b in panel.form.findChildren(QPushButton) if b.text() == "Remove"]
    remove[0].click()  # the scratchpad, which alone holds inputs and weights
    assert panel.accelerator is None
    assert any("holds" in msg or "operand" in msg for _loc, msg in panel.errors)
    panel.document.undo()
    panel.document.undo()
    assert [m.name for m in panel.accelerator.memories] == ["scratchpad", "accumulator"]
    assert not panel.is_modified


def test_edits_of_one_field_merge_into_one_undo_step(panel) -> None:
    spin = panel.form.editor(("compute", "vector_lanes")).widget
    for value in (17, 18, 32):
        spin.setValue(value)
    assert panel.document.undo_count == 1
    panel.document.undo()
    assert panel.accelerator.compute.vector_lanes == 16
    panel.document.redo()
    assert panel.accelerator.compute.vector_lanes == 32
    assert spin.value() == 32


def test_modified_marker_follows_the_clean_state(panel) -> None:
    assert panel.modified_label.text() == ""
    panel.set_field(("queues", "load"), 4)
    assert "modified" in panel.modified_label.text()
    panel.document.undo()
    assert panel.modified_label.text() == ""


def test_optional_field_can_be_left_unset(panel) -> None:
    path = ("memories", 0, "dram_bandwidth_bytes_per_cycle")
    editor = panel.form.editor(path)
    assert editor.get() is None and editor.widget.text() == "not set"
    editor.widget.setValue(8.0)
    assert panel.accelerator.memories[0].dram_bandwidth_bytes_per_cycle == 8.0


def test_clock_and_sizes_read_and_take_prefixes(panel) -> None:
    clock = panel.form.editor(("clock_hz",)).widget
    size = panel.form.editor(("memories", 0, "size_bytes")).widget
    assert clock.text() == "1 GHz" and size.text() == "128 KiB"
    size.lineEdit().setText("96 KiB")
    size.interpretText()
    assert panel.accelerator.memories[0].size_bytes == 96 * 1024
    clock.lineEdit().setText("700MHz")
    clock.interpretText()
    assert panel.accelerator.clock_hz == 7e8 and clock.text() == "700 MHz"
