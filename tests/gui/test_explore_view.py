"""The Explore tab: open a file, the scatter and its front, hover, click to apply (one
undo step) and re-estimate, pin A / compare B, importance, export, a new exploration run
in the worker with live updates and Cancel, bad files."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog

from explorer.explore import Spec, explore, load_exploration, parse_param
from explorer.explore.view_data import scatter
from explorer.hardware.library import load_accelerator
from explorer.workload import load_network

PARAMS = ["compute.pe_rows=8:64:2:log", "compute.pe_cols=8:64:2:log",
          "compute.dataflow=ws,os"]


@pytest.fixture(scope="module")
def explored(tmp_path_factory):
    """A 32-design grid of gemmini on squeezenet (roofline), written by the core."""
    acc = load_accelerator("gemmini")
    spec = Spec([load_network("squeezenet")], acc, [parse_param(t, acc) for t in PARAMS],
                objectives=["latency_s", "energy_j", "area_mm2"], estimator="roofline")
    path = tmp_path_factory.mktemp("explore") / "grid.h5"
    explore(spec, path)
    return path


@pytest.fixture
def opened(window, explored):
    view = window.views["explore"]
    assert view.open_file(str(explored))
    assert window.tabs.currentWidget() is view
    return window, view


def test_open_file_plots_every_feasible_design_and_the_pairs_front(opened, explored):
    window, view = opened
    rows = load_exploration(explored).rows
    expected = scatter(rows, "latency_s", "energy_j", "area_mm2")
    plot = view.scatter
    assert len(plot.others.data) + len(plot.front.data) == len(rows) == 32
    assert len(plot.front.data) == int(expected.front.sum()) >= 1
    assert "32 designs" in view.info.text()
    plot.choose("latency_s", "area_mm2")
    assert plot.plot.getAxis("left").labelText == "area [mm²]"
    assert plot.x_axis.logMode == scatter(rows, "latency_s", "area_mm2").log_x
    assert "colour: area" in plot.note.text() or plot.colour_combo.currentData() != "area_mm2"


def test_file_menu_opens_explorations(opened, qtbot, monkeypatch, explored):
    window, view = opened
    qtbot.waitUntil(lambda: view.open_action in window.menuBar().actions()[0].menu().actions())
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(explored), ""))
    view.rows = []
    view.open_action.trigger()
    assert len(view.rows) == 32


def test_hover_shows_the_designs_parameters(opened):
    _window, view = opened
    text = view.hover_text(0)
    row = view.rows[view.shown.rows[0]]
    assert f"compute.pe_rows = {row['compute.pe_rows']}" in text
    assert "compute.dataflow = " in text and "latency: " in text and "mm²" in text
    view.scatter.pointHovered.emit(0)
    assert "compute.pe_cols = " in view.info.text()


def test_click_applies_the_design_as_one_undoable_edit_and_estimates(opened, qtbot,
                                                                     open_and_estimate):
    window, view = opened
    open_and_estimate(window)
    panel = window.accelerator_panel
    before = panel.accelerator
    spot = view.scatter.front.points()[0]
    point = int(spot.data())
    row = view.rows[view.shown.rows[point]]
    with qtbot.waitSignal(window.estimateShown, timeout=60_000):
        view.scatter.front.sigClicked.emit(view.scatter.front, [spot], None)
    after = panel.accelerator
    assert (after.compute.pe_rows, after.compute.pe_cols, after.compute.dataflow.value) == \
        (row["compute.pe_rows"], row["compute.pe_cols"], row["compute.dataflow"])
    qtbot.waitUntil(lambda: window.session.result_is_current, timeout=60_000)
    assert window.session.result_for.accelerator.compute.pe_rows == row["compute.pe_rows"]
    panel.undo_action.trigger()  # one Ctrl+Z restores every parameter
    assert panel.accelerator == before


def test_pin_a_and_compare_b_in_the_ab_tab(opened, qtbot, open_and_estimate):
    window, view = opened
    open_and_estimate(window)
    front = np.flatnonzero(view.shown.front)
    a, b = int(front[0]), int(front[-1])
    assert not view.pin_a_button.isEnabled()
    view.choose(a)
    with qtbot.waitSignal(window.session.events.baseline_changed, timeout=60_000):
        view.pin_a_button.click()
    assert window.session.baseline_for.accelerator.compute.pe_rows == \
        view.rows[view.shown.rows[a]]["compute.pe_rows"]
    view.choose(b)
    assert view.compare_button.isEnabled()
    view.compare_button.click()
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.views["ab"],
                    timeout=60_000)
    ab = window.session.ab_comparison()
    assert ab is not None and len(ab.layers) > 0


def test_importance_tab_ranks_the_parameters(opened):
    _window, view = opened
    view.tabs.setCurrentWidget(view.importance)
    scores = view.importance.scores
    assert set(scores) == {"compute.pe_rows", "compute.pe_cols", "compute.dataflow"}
    assert abs(sum(scores.values()) - 1) < 1e-9


def test_export_front_csv_and_html(opened, tmp_path, explored):
    _window, view = opened
    csv_path = tmp_path / "front.csv"
    view.export_front(str(csv_path))
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(load_exploration(explored).front())
    html_path = tmp_path / "front.html"
    view.export_front(str(html_path))
    assert "data:image/png;base64," in html_path.read_text()
    # the plot at >= 200 dpi over the width the report prints it at (1/96 in a pixel)
    import base64
    import re

    from PySide6.QtGui import QImage

    data, width = re.search(r'<img src="data:image/png;base64,([^"]+)" width="(\d+)"',
                            html_path.read_text()).groups()
    image = QImage.fromData(base64.b64decode(data), "PNG")
    assert image.width() >= 200 / 96 * int(width), (image.width(), width)


def test_a_bad_file_is_one_error_and_changes_nothing(opened, tmp_path, dialogs):
    _window, view = opened
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"not hdf5 at all")
    rows = view.rows
    assert not view.open_file(str(bad))
    assert view.rows is rows
    assert len(dialogs) == 1 and str(bad) in dialogs[0][1] and "\n" not in dialogs[0][1]


def test_run_a_new_exploration_live_then_from_the_file(window, qtbot, open_and_estimate,
                                                       tmp_path):
    open_and_estimate(window)
    window.set_estimator("roofline")
    view = window.views["explore"]
    window.tabs.setCurrentWidget(view)
    setup = view.setup
    assert setup.param_texts()[0].startswith("compute.pe_rows=")
    setup.add_param("compute.dataflow", "ws,os")
    setup.strategy.setCurrentText("random")
    setup.budget.setValue(12)
    setup.constraints.setText("area_mm2<=1000")
    path = tmp_path / "run.h5"
    setup.output.setText(str(path))
    with qtbot.waitSignal(view.explorationShown, timeout=120_000):
        view.run_button.click()
        assert view.cancel_button.isEnabled()
    assert len(view.rows) == 12 == len(load_exploration(path).rows)
    assert view.live.snapshot()[2] == 12  # every design went through the live rows
    assert view.run_button.isEnabled() and not view.cancel_button.isEnabled()


def test_bad_form_input_is_shown_and_nothing_runs(window, open_and_estimate, tmp_path):
    open_and_estimate(window)
    view = window.views["explore"]
    view.setup.add_param("compute.pe_rows", "0:64")  # below the schema's bound
    view.setup.output.setText(str(tmp_path / "never.h5"))
    view.request_run()
    assert "outside the bounds" in view.error_label.text()
    assert not (tmp_path / "never.h5").exists()
    view.setup.add_param("compute.pe_rows", "8,16")
    view.setup.constraints.setText("speed<=3")
    view.request_run()
    assert "unknown objective" in view.error_label.text()


def test_cancel_stops_a_run_and_keeps_what_was_done(window, qtbot, open_and_estimate,
                                                    tmp_path):
    open_and_estimate(window)
    view = window.views["explore"]
    window.set_estimator("roofline")
    view.setup.strategy.setCurrentText("grid")
    view.setup.budget.setValue(0)
    path = tmp_path / "cancel.h5"
    view.setup.output.setText(str(path))
    with qtbot.waitSignal(window.taskCancelled, timeout=120_000):
        view.run_button.click()
        view.cancel_button.click()
    assert view.run_button.isEnabled()
    assert len(load_exploration(path).rows) < 25
