"""The Devices tab (issue 12 §3): pick a device, see its stores and models, train in the
worker (progress, Cancel, the window stays live), use a model for the open network,
measure on this CPU and compare in the Comparison tab; bad input is a one-line message
in the tab, never a crash."""

from __future__ import annotations

import pytest

from explorer.gui.views.devices import DevicesView
from explorer.session.view_data import latency_interval
from tests.test_session_devices import make_store


@pytest.fixture
def devices(window, tmp_path) -> DevicesView:
    view = window.views["devices"]
    view.set_folder(str(tmp_path))
    return view


def test_the_tab_is_registered_with_its_shortcut(window):
    index = window.tabs.indexOf(window.views["devices"])
    assert window.tabs.tabText(index) == "Devices"
    assert window.tab_actions[index].shortcut().toString() == f"Ctrl+{index + 1}"
    window.tab_actions[index].trigger()
    assert window.tabs.currentWidget() is window.views["devices"]


def test_bad_devices_are_one_line_messages(window, devices, tmp_path, dialogs):
    (tmp_path / "junk.h5").write_bytes(b"not a store")
    for text in ("sim:nosuch", "/no/such/pool", str(tmp_path / "junk.h5"), "remote:x"):
        devices.add_edit.setText(text)
        devices.add_button.click()
        message = devices.message.text()
        assert message and "\n" not in message and "b00020" in devices.message.styleSheet()
        assert devices.selected_entry.spec == "cpu"
    assert devices.device_combo.count() == len(devices.workspace.devices)
    assert dialogs == []


def test_devices_without_measurement_say_so(window, devices):
    assert devices.pick_device("sim:gemmini")
    assert devices.device_combo.currentText().startswith("sim:gemmini")
    assert not devices.measure_button.isEnabled()
    assert "no measurement" in devices.measure_note.text()
    assert devices.benchmark_button.isEnabled()


def test_an_imported_store_is_listed_as_a_device(window, devices, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    store = make_store(other / "h200.h5", device="remote:h200")
    devices.add_edit.setText(str(store))
    devices.add_button.click()
    assert devices.selected_entry.device == "remote:h200"
    assert devices.device_combo.currentText().startswith("remote:h200")
    assert devices.campaign_list.count() == 1 and "h200.h5" in devices.campaign_list.item(0).text()
    assert not devices.benchmark_button.isEnabled() and devices.train_button.isEnabled()


def test_train_use_measure_and_compare(qtbot, window, devices, tmp_path, open_and_estimate):
    make_store(tmp_path / "cpu-random-60.h5")
    devices.refresh()
    assert devices.selected_campaign() == tmp_path / "cpu-random-60.h5"
    assert "no models" in devices.model_list.item(0).text()
    progress = []
    window.runner.progress.connect(lambda d, t, w: progress.append(w))
    with qtbot.waitSignal(window.runner.idle, timeout=60_000):
        devices.train_button.click()
        assert devices.cancel_button.isEnabled() and not devices.train_button.isEnabled()
    qtbot.waitUntil(lambda: devices.selected_model() is not None, timeout=10_000)
    assert devices.selected_model() == tmp_path / "cpu-random-60-pr.skops"
    assert "trained" in devices.message.text() and devices.train_button.isEnabled()
    assert progress

    open_and_estimate(window)
    with qtbot.waitSignal(window.estimateShown, timeout=60_000):
        devices.use_button.click()
    assert window.session.estimator == "statistical"
    assert any(latency_interval(layer) for layer in window.session.result.layers)
    assert devices.model_list.item(0).font().bold()  # the model in use
    assert devices.model_list.item(0).text().endswith("in use")

    devices.quick_measure = True
    assert devices.measure_button.isEnabled()
    with qtbot.waitSignal(window.comparisonShown, timeout=120_000):
        devices.measure_button.click()
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.comparison, timeout=5_000)
    shown = window.comparison.comparison
    assert shown is not None and shown.reference == "measured (cpu)"
    assert "statistical (cpu-random-60-pr)" in shown.series


def test_training_failure_is_one_line_and_the_tab_recovers(qtbot, window, devices, tmp_path):
    make_store(tmp_path / "tiny.h5", rows=3)
    devices.refresh()
    with qtbot.waitSignal(window.taskFailed, timeout=30_000):
        devices.train_button.click()
    qtbot.waitUntil(lambda: "only 3 usable rows" in devices.message.text(), timeout=5_000)
    assert "\n" not in devices.message.text() and devices.train_button.isEnabled()
    assert not devices.cancel_button.isEnabled()


def test_cancel_a_benchmark_keeps_what_was_measured(qtbot, window, devices, tmp_path):
    assert devices.pick_device("sim:gemmini")
    devices.budget_spin.setValue(5000)
    devices.strategy_combo.setCurrentText("random")
    started = []
    window.runner.progress.connect(lambda d, t, w: started.append(d))
    devices.benchmark_button.click()
    qtbot.waitUntil(lambda: len(started) >= 2, timeout=60_000)
    assert devices.cancel_button.isEnabled()
    with qtbot.waitSignal(window.taskCancelled, timeout=60_000):
        devices.cancel_button.click()
    qtbot.waitUntil(lambda: "Cancelled" in devices.message.text(), timeout=5_000)
    assert devices.benchmark_button.isEnabled()
    devices.refresh()
    assert devices.campaign_list.count() == 1
    assert "sim_gemmini-random-5000.h5" in devices.campaign_list.item(0).text()
