from collections import Counter

import pytest

from explorer.benchmarking.campaign import Campaign
from explorer.benchmarking.devices import get_device
from explorer.benchmarking.store import BenchmarkStore


@pytest.fixture(scope="module")
def sim():
    return get_device("sim:gemmini")


def test_pr_campaign_on_the_simulator_finds_the_pe_array(tmp_path, sim):
    with BenchmarkStore(tmp_path / "pr.h5", device=sim.name) as store:
        result = Campaign(sim, store, "pr", budget=120, seed=1, kinds=("conv",),
                          sweep_share=0.5).run()
        phases = Counter(store.column("phase"))
        keys = [c.key() for c in store.configs()]
    assert len(keys) == len(set(keys)) == 120
    assert phases["sweep"] == result.sweeps and phases["train"] == 120 - result.sweeps
    periods = {(r["family"], r["param"]): r["period"] for r in result.rules}
    # A 16x16 array: output channels fill the columns in steps of 16.
    assert periods[("conv", "out_channels")] == 16


def test_random_campaign_is_deterministic_and_resumes(tmp_path, sim):
    with BenchmarkStore(tmp_path / "r.h5", device=sim.name) as store:
        Campaign(sim, store, "random", budget=30, seed=5).run()
        first = [c.key() for c in store.configs()]
        again = Campaign(sim, store, "random", budget=30, seed=5).run()
        assert again.measured == 0 and again.reused == 30
        assert [c.key() for c in store.configs()] == first
