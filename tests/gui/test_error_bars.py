"""Issue 12 §3: the statistical model's spread on the latency bars (error bars from its
90 % interval) and in the bar's tooltip; estimators without a spread draw none."""

from __future__ import annotations

import pytest

from explorer.estimators.registry import make_estimator
from explorer.gui.views.latency_bars import LatencyBarsView
from explorer.hardware.library import load_accelerator
from explorer.workload import load_network
from tests.synthetic_model import train_synthetic_model


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    return train_synthetic_model(tmp_path_factory.mktemp("stat"))


@pytest.fixture(scope="module")
def squeezenet_gemmini():
    return load_network("squeezenet"), load_accelerator("gemmini")


def _bars(qtbot, result) -> LatencyBarsView:
    view = LatencyBarsView()
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.set_result(result)
    return view


def test_statistical_bars_carry_their_interval(qtbot, model_file, squeezenet_gemmini):
    result = make_estimator("statistical", {"model": str(model_file)}).estimate(
        *squeezenet_gemmini)
    view = _bars(qtbot, result)
    shown = view.error_bars_s()
    intervals = {i: layer.mapping["latency_interval90_s"] for i, layer in
                 enumerate(result.layers) if "latency_interval90_s" in (layer.mapping or {})}
    assert intervals and len(shown) == len(intervals)
    for position, (low, high) in shown.items():
        assert (low, high) == pytest.approx(tuple(intervals[view._order[position]]))
    assert any(high > low for low, high in shown.values())
    layer = result.layers[next(iter(intervals))]
    assert "90 % interval" in view.tooltip_text(layer)
    view.log_check.setChecked(True)  # drawn on the log axis too
    assert len(view.error_bars_s()) == len(intervals)


def test_no_error_bars_without_a_spread(qtbot, squeezenet_gemmini):
    result = make_estimator("depgraph").estimate(*squeezenet_gemmini)
    view = _bars(qtbot, result)
    assert view.error_bars_s() == {}
    assert "interval" not in view.tooltip_text(result.layers[0])
