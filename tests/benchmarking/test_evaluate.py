import json

import numpy as np
import pytest

from explorer.benchmarking.evaluate import errors, spearman
from explorer.benchmarking.space import random_configs
from explorer.cli import main


def test_errors_skip_zero_truth_and_split_by_kind():
    e = errors(np.array([1.1, 2.0, 5.0]), np.array([1.0, 2.0, 0.0]), ["conv", "pool", "data"])
    assert e["n"] == 2 and e["zero_truth_excluded"] == 1
    assert e["mape_pct"] == pytest.approx(5.0)
    assert e["mape_pct_by_kind"] == {"conv": pytest.approx(10.0), "pool": 0.0}
    assert spearman([1, 2, 3], [10, 30, 20]) == pytest.approx(0.5)


def test_random_plans_are_prefix_stable():
    """A budget curve reuses measurements: a small plan is a prefix of a larger one."""
    small, large = random_configs(40, seed=3), random_configs(160, seed=3)
    assert [c.key() for c in small] == [c.key() for c in large[:40]]


@pytest.mark.slow
def test_evaluate_cli_on_the_simulator(tmp_path):
    out = tmp_path / "ev.json"
    assert main(["evaluate", "--device", "sim:gemmini", "--budgets", "60,120", "--test", "20",
                 "--networks", "squeezenet,alexnet", "--cache", str(tmp_path / "c.h5"),
                 "-o", str(out)]) == 0
    report = json.loads(out.read_text())
    assert [p["budget"] for p in report["curve"]] == [60, 120]
    assert report["final"]["network_mape_pct"] >= 0
    assert len(report["final"]["networks"]) == 2
    # The simulator's layers alone, summed: what a perfect layer model would estimate.
    assert all(n["layers_alone_s"] > 0 for n in report["final"]["networks"])
    assert "drift" not in report["final"]  # a simulator does not drift
    calibration = report["final"]["calibration"]
    assert calibration["nominal"] == 0.9 and 0 <= calibration["share_inside"] <= 1


def test_drift_check_remeasures_cached_layers(tmp_path):
    from explorer.benchmarking.devices.cpu import QUICK_POLICY, CpuDevice
    from explorer.benchmarking.evaluate import CachedDevice, Evaluation
    from explorer.benchmarking.store import BenchmarkStore

    device = CpuDevice(policy=QUICK_POLICY)
    configs = [c for c in random_configs(40, seed=3) if c.kind in ("eltwise", "pool")][:3]
    evaluation = Evaluation(device, tmp_path / "c.h5", budgets=[10])
    with BenchmarkStore(tmp_path / "c.h5", device="cpu") as cache:
        evaluation._cached = CachedDevice(device, cache)
        for c in configs:
            evaluation._cached.measure(c)
        assert len(cache) == len(configs)
        drift = evaluation.drift(configs)
        assert len(cache) == len(configs)  # measured again, not added to the cache
    assert drift["layers"] == len(configs)
    assert 0.2 < drift["median_now_over_cached"] < 5
    assert 0 <= drift["cached_hours_ago"] < 0.1
