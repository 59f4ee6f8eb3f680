"""Issue 13 item 8: results are finite, or the estimate fails with a reason."""

from __future__ import annotations

import dataclasses
import math

import pytest

from explorer.errors import EstimationError
from explorer.estimators.roofline import Roofline
from explorer.hardware.library import load_accelerator
from explorer.workload import load_network


class Overflowing(Roofline):
    """The real roofline, with one layer's latency overflowing as a denormal rate did."""

    name = "overflowing"

    def estimate_layer(self, layer, accelerator):  # type: ignore[override]
        estimate = super().estimate_layer(layer, accelerator)
        if layer.op == "Conv":
            return dataclasses.replace(estimate, latency_s=math.inf, cycles=math.inf)
        return estimate


def test_a_non_finite_layer_fails_the_estimate_with_its_name():
    with pytest.raises(EstimationError, match=r"overflowing: layer .* latency inf"):
        Overflowing().estimate(load_network("squeezenet"), load_accelerator("gemmini"))
