"""Issue 13 item 8: values the engine cannot use are refused by the schema with one line,
and what is accepted gives finite results."""

from __future__ import annotations

import json
import math

import pytest

from explorer.errors import ArchitectureError
from explorer.hardware.library import accelerator_to_data, load_accelerator, validate_accelerator
from explorer.hardware.overrides import apply_overrides


def _gemmini_with(path: tuple, value) -> dict:
    data = accelerator_to_data(load_accelerator("gemmini"))
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize("path", [("offchip", "bandwidth_bytes_per_cycle"),
                                  ("memories", 0, "read_bandwidth_bytes_per_cycle"),
                                  ("clock_hz",)])
def test_denormal_rates_are_refused(path):
    with pytest.raises(ArchitectureError, match="out of range"):
        validate_accelerator(_gemmini_with(path, 5e-324), "x.yaml")


@pytest.mark.parametrize("path", [("memories", 0, "size_bytes"), ("compute", "pe_rows"),
                                  ("clock_hz",)])
def test_true_is_not_a_number(path):
    with pytest.raises(ArchitectureError, match="true/false is not a number"):
        validate_accelerator(_gemmini_with(path, True), "x.yaml")


@pytest.mark.parametrize("field", ["compute.pe_rows", "compute.dataflow"])
def test_a_5000_digit_set_value_is_one_line(field):
    """(compute.dataflow, a field that is no number: found by benchmarks/fuzz.py)"""
    with pytest.raises(ArchitectureError, match=field.split(".")[1]) as info:
        apply_overrides(load_accelerator("gemmini"), [f"{field}=" + "9" * 5000])
    assert len(str(info.value)) < 400


def test_a_yaml_key_that_is_a_list_is_one_line():
    from explorer.hardware.library import parse_accelerator

    with pytest.raises(ArchitectureError, match="key"):
        parse_accelerator("name: x\n? [a, b]\n: 1\n", "k.yaml")


def test_smallest_accepted_values_give_finite_json():
    """At the lower bounds the estimate stays finite (valid JSON)."""
    from explorer.estimators.registry import get_estimator
    from explorer.workload import load_network

    schema = load_accelerator("gemmini").model_json_schema()
    clock_min = schema["properties"]["clock_hz"].get("minimum",
                                                      schema["properties"]["clock_hz"].get(
                                                          "exclusiveMinimum"))
    acc = validate_accelerator(_gemmini_with(("clock_hz",), max(clock_min, 1e-300)), "x")
    result = get_estimator("roofline").estimate(load_network("squeezenet"), acc)
    assert math.isfinite(result.latency_s)
    json.dumps(result.latency_s, allow_nan=False)
