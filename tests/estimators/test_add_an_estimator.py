"""Adding an estimator with one option takes its module, one registry line and its test
(docs/architecture.md): this module is the estimator's module and its test at once; the
registry line is the monkeypatched entry. Every caller then reaches the option."""

from __future__ import annotations

import json

import pytest
from pydantic import Field

import explorer
from explorer.cli import main
from explorer.compare import compare
from explorer.estimators import registry
from explorer.estimators.options import EstimatorOptions
from explorer.estimators.roofline import Roofline
from explorer.hardware.library import load_accelerator
from explorer.workload import load_network


class ScaledOptions(EstimatorOptions):
    factor: float = Field(1.0, gt=0, description="multiplies the roofline's cycles")


class ScaledRoofline(Roofline):
    name = "scaled-roofline"
    description = "the roofline, scaled (a test estimator)"
    Options = ScaledOptions

    def estimate_layer(self, layer, accelerator):
        estimate = super().estimate_layer(layer, accelerator)
        estimate.cycles *= self.options.factor
        estimate.latency_s *= self.options.factor
        return estimate


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    monkeypatch.setitem(registry._REGISTRY, ScaledRoofline.name,
                        f"{__name__}:ScaledRoofline")


def test_api_cli_and_compare_reach_the_option(capsys):
    base = explorer.estimate("squeezenet", "gemmini", "roofline").cycles
    assert explorer.estimate("squeezenet", "gemmini", "scaled-roofline",
                             factor=2).cycles == pytest.approx(2 * base)
    assert main(["estimate", "squeezenet", "--estimator", "scaled-roofline", "--option",
                 "factor=3", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"]["cycles"] == pytest.approx(3 * base)
    report = compare(load_network("squeezenet"), load_accelerator("gemmini"),
                     ["roofline", "scaled-roofline"], reference="roofline",
                     options={"scaled-roofline": {"factor": 2}})
    assert report["estimators"]["scaled-roofline"]["total_error"] == pytest.approx(1.0)


def test_a_bad_value_is_one_line(capsys):
    assert main(["estimate", "squeezenet", "--estimator", "scaled-roofline", "--option",
                 "factor=-1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "option factor='-1'" in err and len(err.splitlines()) == 1
