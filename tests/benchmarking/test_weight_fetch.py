"""What a layer's weights cost inside a network and not in its benchmark (issue 12: the
CPU's whole-network underestimate): the probe that measures it, and the term the
statistical estimator adds."""

import dataclasses

import pytest

from explorer.benchmarking.devices.memory_probe import (
    WeightFetchCost,
    last_level_cache_bytes,
    weight_fetch_cost,
)
from explorer.estimators.registry import make_estimator
from explorer.estimators.statistical import load_trained_model
from explorer.hardware.library import load_accelerator
from explorer.learned.weight_fetch import weight_fetch_s
from explorer.workload import load_network
from tests.synthetic_model import train_synthetic_model

PROBED = {"weight_fetch_s_per_byte": "4e-11", "llc_bytes": str(300 << 20),
          "weight_cold_gb_per_s": "10.0"}


def test_weight_fetch_term_from_the_devices_provenance():
    assert weight_fetch_s(1e6, PROBED) == pytest.approx(4e-5)
    assert weight_fetch_s(1e6, {}) == 0  # no probe: a model from before it, a simulator
    assert weight_fetch_s(1e6, {"weight_fetch_s_per_byte": "junk"}) == 0
    assert weight_fetch_s(100 << 20, PROBED, alone_s=1.0) == pytest.approx(4e-11 * (100 << 20))
    # Over half the last-level cache: at least the time to stream them cold (10 GB/s),
    # nothing more when the benchmark (or the model) already takes that long.
    big = 200e6
    assert weight_fetch_s(big, PROBED, alone_s=0.005) == pytest.approx(0.02 - 0.005)
    assert weight_fetch_s(big, PROBED, alone_s=0.03) == 0


def test_probe_finds_cold_weights_no_faster_than_warm_ones():
    cost = weight_fetch_cost()
    assert cost.llc_bytes == last_level_cache_bytes() > 0
    assert cost.warm_bytes_per_s > 0 and cost.cold_bytes_per_s > 0
    assert cost.extra_s_per_byte >= 0
    assert float(cost.provenance()["weight_fetch_s_per_byte"]) == pytest.approx(
        cost.extra_s_per_byte, rel=1e-3)


def test_a_failed_probe_is_recorded_and_adds_nothing():
    failed = WeightFetchCost(0.0, 0.0, 0.0, 300 << 20, error="cannot allocate memory")
    provenance = failed.provenance()
    assert provenance["weight_fetch_probe"] == "failed: cannot allocate memory"
    assert weight_fetch_s(1e6, provenance) == 0 and weight_fetch_s(1e9, provenance, 0.0) == 0


def test_statistical_estimator_adds_the_weight_fetch_to_each_layer(tmp_path):
    trained = load_trained_model(train_synthetic_model(tmp_path))
    probed = dataclasses.replace(trained, metadata={
        **trained.metadata, "provenance": {**trained.metadata["provenance"], **PROBED}})
    network, acc = load_network("alexnet"), load_accelerator("gemmini")
    plain = make_estimator("statistical", {"model": trained}).estimate(network, acc)
    paid = make_estimator("statistical", {"model": probed}).estimate(network, acc)
    by_name = {layer.name: layer for layer in plain.layers}
    gemms = [layer for layer in paid.layers if layer.op == "Gemm"]
    assert gemms
    for layer in gemms:
        fetch = layer.mapping["weight_fetch_s"]
        assert fetch > 0
        assert layer.latency_s == pytest.approx(by_name[layer.name].latency_s + fetch)
        low, high = layer.mapping["latency_interval90_s"]
        assert low <= layer.latency_s * 1.0001 and layer.latency_s <= high * 1.0001
    pools = [layer for layer in paid.layers if layer.op == "MaxPool"]
    assert pools and all("weight_fetch_s" not in (layer.mapping or {}) for layer in pools)
    # alexnet's 61 M fp32 weights (the largest layer 151 MB, under half the cache) at
    # 4e-11 s per byte
    assert paid.latency_s - plain.latency_s == pytest.approx(61e6 * 4 * 4e-11, rel=0.05)
