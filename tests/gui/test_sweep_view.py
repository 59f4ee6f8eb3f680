"""The Sweep tab: a real sweep (roofline on squeezenet) through the window's worker, the
file it writes, the plot, applying a point as one undoable edit, bad value lines."""

from __future__ import annotations

import h5py
import pytest

from explorer.errors import ArchitectureError
from explorer.gui.views.sweep import (
    default_values,
    parse_values,
    sweep_curves,
    sweepable_params,
)
from explorer.hardware.library import load_accelerator
from explorer.sweep import Axis


def _param(path: str):
    return {p.path: p for p in sweepable_params(load_accelerator("gemmini"))}[path]


def test_sweepable_params_cover_numbers_enums_and_memories_by_name() -> None:
    params = {p.path: p for p in sweepable_params(load_accelerator("gemmini"))}
    for path in ("compute.pe_rows", "compute.pe_cols", "clock_hz",
                 "offchip.bandwidth_bytes_per_cycle", "memories.scratchpad.size_bytes",
                 "memories.accumulator.size_bytes"):
        assert path in params
    assert params["compute.dataflow"].kind == "enum"
    assert params["compute.dataflow"].choices == ("ws", "os")  # what gemmini supports
    assert not any(".area." in p for p in params)


def test_default_values_scale_around_the_current_value() -> None:
    assert default_values(_param("compute.pe_rows")) == "4,8,16,32,64"
    assert default_values(_param("compute.dataflow")) == "ws,os"
    assert default_values(_param("clock_hz")) == "2.5e+08,5e+08,1e+09,2e+09,4e+09"


def test_parse_values_rejects_what_is_not_of_the_fields_kind() -> None:
    assert parse_values(_param("compute.pe_rows"), " 8, 16 ,32") == ("8", "16", "32")
    for text in ("abc", "8,abc", "8.5", "", "8,8"):
        with pytest.raises(ArchitectureError, match="compute.pe_rows"):
            parse_values(_param("compute.pe_rows"), text)
    with pytest.raises(ArchitectureError, match="one of ws, os"):
        parse_values(_param("compute.dataflow"), "ws,is")


def test_curves_group_by_second_parameter_and_list_invalid_points() -> None:
    axes = [Axis("compute.pe_rows", ("8", "16")), Axis("compute.dataflow", ("ws", "os"))]
    rows = [{"compute.pe_rows": 8.0, "compute.dataflow": "ws", "status": "ok",
             "latency_s": 2.0, "energy_j": 1.0},
            {"compute.pe_rows": 8.0, "compute.dataflow": "os", "status": "ok",
             "latency_s": 3.0, "energy_j": 1.0},
            {"compute.pe_rows": 16.0, "compute.dataflow": "ws", "status": "too big",
             "latency_s": float("nan"), "energy_j": float("nan")},
            {"compute.pe_rows": 16.0, "compute.dataflow": "os", "status": "ok",
             "latency_s": 1.0, "energy_j": 1.0}]
    curves, invalid = sweep_curves(rows, axes)
    assert [c.label for c in curves] == ["compute.dataflow = ws", "compute.dataflow = os"]
    assert curves[1].x == [8.0, 16.0] and curves[1].latency_s == [3.0, 1.0]
    assert curves[1].values == [("8", "os"), ("16", "os")]
    assert invalid == ["compute.pe_rows=16, compute.dataflow=ws: too big"]


@pytest.fixture
def swept(window, qtbot, open_and_estimate, tmp_path):
    """A 3x2 sweep of gemmini on squeezenet with roofline, run as a user would."""
    open_and_estimate(window)
    window.set_estimator("roofline")
    view = window.sweep_view
    window.tabs.setCurrentWidget(view)
    view.select(0, "compute.pe_rows", "8,16,32")
    view.select(1, "compute.dataflow", "ws,os")
    path = tmp_path / "sweep.h5"
    view.output_edit.setText(str(path))
    with qtbot.waitSignal(window.sweepShown, timeout=60_000):
        view.run_button.click()
    return window, view, path


def test_sweep_writes_the_file_and_plots_one_curve_per_second_value(swept) -> None:
    window, view, path = swept
    with h5py.File(path, "r") as f:
        assert f["results/status"].shape == (6,)
        assert [s.decode() for s in f["results/status"][()]] == ["ok"] * 6
        assert sorted(set(f["points/compute.pe_rows"][()])) == [8.0, 16.0, 32.0]
    assert len(view.curve_items) == 2
    for item in view.curve_items:
        xs, ys = item.getData()
        assert list(xs) == [8.0, 16.0, 32.0]
        assert all(y > 0 for y in ys)
    # more PEs are never slower under the roofline model
    ws = view.curves[0]
    assert ws.latency_s[0] >= ws.latency_s[2]
    assert view.invalid_list.count() == 0
    view.energy_check.setChecked(True)
    assert list(view.curve_items[0].getData()[1]) == view.curves[0].energy_j


def test_clicking_a_point_applies_it_as_one_undoable_edit(swept) -> None:
    window, view, _path = swept
    panel = window.accelerator_panel
    before = panel.accelerator
    assert (before.compute.pe_rows, before.compute.dataflow.value) == (16, "ws")
    # what a click on the last point of the "os" curve does (pe_rows=32, dataflow=os)
    item = view.curve_items[1]
    spot = item.scatter.points()[2]
    item.scatter.sigClicked.emit(item.scatter, [spot], None)
    after = panel.accelerator
    assert (after.compute.pe_rows, after.compute.dataflow.value) == (32, "os")
    assert panel.form.data["compute"]["pe_rows"] == 32
    panel.undo_action.trigger()  # one Ctrl+Z restores both fields
    restored = panel.accelerator
    assert (restored.compute.pe_rows, restored.compute.dataflow.value) == (16, "ws")
    assert not panel.is_modified


def test_bad_value_line_shows_an_error_and_does_not_run(window, open_and_estimate,
                                                       tmp_path, dialogs) -> None:
    open_and_estimate(window)
    view = window.sweep_view
    view.select(0, "compute.pe_rows", "abc")
    path = tmp_path / "never.h5"
    view.output_edit.setText(str(path))
    view.run_button.click()
    assert view.error_label.isVisibleTo(view)
    assert "'abc' is not a number" in view.error_label.text()
    assert not window.runner.is_busy("sweep")
    assert not path.exists()


def test_run_is_disabled_for_slow_or_model_estimators(window, open_and_estimate) -> None:
    open_and_estimate(window)
    view = window.sweep_view
    assert view.run_button.isEnabled()
    window.set_estimator("simulate")
    assert not view.run_button.isEnabled()
    assert "slow" in view.run_button.toolTip()
    window.set_estimator("roofline")
    assert view.run_button.isEnabled()


def test_a_file_holding_another_sweep_is_an_error_dialog(swept, qtbot, dialogs) -> None:
    window, view, path = swept
    view.select(0, "compute.pe_rows", "4,8")
    view.output_edit.setText(str(path))
    with qtbot.waitSignal(window.taskFailed, timeout=30_000):
        view.run_button.click()
    assert dialogs and dialogs[-1][0] == "Sweep failed"
    assert "different sweep" in dialogs[-1][1]


def test_one_parameter_sweep_lists_schema_rejects_instead_of_plotting(
        window, qtbot, open_and_estimate, tmp_path) -> None:
    open_and_estimate(window)
    window.set_estimator("roofline")
    view = window.sweep_view
    view.select(0, "compute.pe_rows", "8,5000")  # the schema allows at most 4096
    view.rows[1].combo.setCurrentIndex(view.rows[1].combo.findData(""))
    view.output_edit.setText(str(tmp_path / "one.h5"))
    with qtbot.waitSignal(window.sweepShown, timeout=60_000):
        view.run_button.click()
    assert len(view.curve_items) == 1
    assert list(view.curve_items[0].getData()[0]) == [8.0]
    assert view.invalid_list.count() == 1
    assert "compute.pe_rows=5000" in view.invalid_list.item(0).text()
    assert "4096" in view.invalid_list.item(0).text()
    assert view.invalid_box.isVisibleTo(view)


def test_hovering_a_point_reads_out_the_design_and_its_figures(swept) -> None:
    _window, view, _path = swept
    item = view.curve_items[0]
    assert item.scatter.opts["hoverable"]
    text = item.scatter.opts["tip"](0.0, 0.0, 0)
    assert "compute.pe_rows = " in text and "latency:" in text and "s\n" in text


def test_the_x_axis_label_names_the_parameter_and_its_unit(swept, qtbot, tmp_path) -> None:
    """Defect 12: the swept parameter's axis says its unit (from the schema), for every
    parameter chosen."""
    window, view, _path = swept
    bottom = view.plot.getAxis("bottom")
    assert bottom.labelText == "compute.pe_rows [PE]"
    assert _param("compute.pe_rows").facts.unit == "PE"
    view.select(0, "clock_hz", "5e8,1e9")
    view.rows[1].combo.setCurrentIndex(view.rows[1].combo.findData(""))
    view.output_edit.setText(str(tmp_path / "clock.h5"))
    with qtbot.waitSignal(window.sweepShown, timeout=60_000):
        view.run_button.click()
    assert bottom.labelText == f"clock_hz [{_param('clock_hz').facts.unit}]" == "clock_hz [Hz]"
    assert view.plot.getAxis("left").labelUnits == "s"


def test_log_x_ticks_read_in_the_parameters_unit(swept, qtbot, tmp_path) -> None:
    """A clock swept over a decade is drawn on a log axis whose ticks are the swept values
    through the one formatter ('100 MHz', not '100000000'); plain counts stay plain."""
    window, view, _path = swept
    bottom = view.plot.getAxis("bottom")
    view.rows[1].combo.setCurrentIndex(view.rows[1].combo.findData(""))
    for values, ticks in (("8,32,128", ["8", "32", "128"]),
                          ("1e8,4e8,1e9", ["100 MHz", "400 MHz", "1 GHz"])):
        path = "compute.pe_rows" if values.startswith("8") else "clock_hz"
        view.select(0, path, values)
        view.output_edit.setText(str(tmp_path / f"{path}.h5"))
        with qtbot.waitSignal(window.sweepShown, timeout=60_000):
            view.run_button.click()
        assert [text for _, text in bottom._tickLevels[0]] == ticks
