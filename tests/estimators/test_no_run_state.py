"""Estimator instances keep no per-run state: the per-run figures (wall time per layer,
instructions per second) of a second run on the same instance describe that run alone
(issue 9 §1; `simulate` used to append to `layer_wall_s` on every run)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_simulate import small_network  # noqa: E402

from explorer.estimators.registry import get_estimator  # noqa: E402
from explorer.hardware.library import load_accelerator  # noqa: E402


@pytest.mark.parametrize("name", ["simulate", "depgraph"])
def test_second_run_reports_its_own_figures(name):
    estimator = get_estimator(name)
    network, acc = small_network(), load_accelerator("gemmini")
    estimator.estimate(network, acc)
    second = estimator.estimate(network, acc)
    figures = second.extra[name]
    assert len(figures["layer_wall_s"]) == len(second.layers)
    wall = sum(figures["layer_wall_s"])
    assert figures["instructions_per_s"] == pytest.approx(figures["instructions"] / wall)
    # Nothing about a run is left on the instance.
    assert not any(isinstance(v, list) and v for v in vars(estimator).values())
