"""The speed reference that separates model error from a drifting machine's speed."""

import json

import pytest

from explorer.benchmarking.devices.cpu import QUICK_POLICY, CpuDevice
from explorer.benchmarking.speed_reference import NEAR_S, REFERENCE_LAYERS, SpeedReference


def reference(points):
    return SpeedReference(device=None, points=[(t, list(v)) for t, v in points])


def test_index_is_relative_to_the_runs_median_and_interpolated():
    ref = reference([(0, [1.0, 2.0, 3.0]), (60, [1.1, 2.2, 3.3]), (120, [1.2, 2.4, 3.6])])
    assert ref.index_at(60) == pytest.approx(1.0)
    assert ref.index_at(0) == pytest.approx(1 / 1.1)
    assert ref.index_at(90) == pytest.approx((1.0 + 1.2 / 1.1) / 2)
    assert ref.index_at(120 + NEAR_S - 1) == pytest.approx(1.2 / 1.1)  # near the last point
    assert ref.index_at(120 + NEAR_S + 1) is None  # too far from every point
    assert reference([]).index_at(0) is None


def test_geometric_mean_weighs_every_reference_layer_alike():
    ref = reference([(0, [1.0, 1.0, 1.0]), (10, [1.0, 1.0, 1.0]), (20, [4.0, 1.0, 1.0])])
    assert ref.index_at(20) == pytest.approx(4 ** (1 / 3))


def test_points_are_measured_and_kept_for_a_resumed_evaluation(tmp_path):
    path = tmp_path / "cache.speed.json"
    ref = SpeedReference(CpuDevice(policy=QUICK_POLICY), path, interval_s=3600)
    ref.maybe_measure()
    ref.maybe_measure()  # within the interval: no new point
    assert len(ref.points) == 1 and len(ref.points[0][1]) == len(REFERENCE_LAYERS)
    assert all(t > 0 for t in ref.points[0][1])
    again = SpeedReference(None, path)
    assert again.points == ref.points and again.index_at(ref.points[0][0]) == pytest.approx(1)
    path.write_text("{not json")
    assert SpeedReference(None, path).points == []  # unreadable: a new series
    assert json.loads(json.dumps(ref.summary()))["points"] == 1
