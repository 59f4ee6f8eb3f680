import pytest

from explorer.benchmarking.devices import get_device
from explorer.benchmarking.devices.cpu import QUICK_POLICY, CpuDevice, TimingPolicy
from explorer.errors import BenchmarkError
from explorer.learned.configs import LayerConfig

SMALL = LayerConfig(kind="conv", op="Conv", in_channels=16, in_h=14, in_w=14, out_channels=16,
                    kernel_h=3, kernel_w=3, pad_top=1, pad_left=1, pad_bottom=1, pad_right=1)


def test_cpu_measurement_records_noise_load_and_versions():
    device = CpuDevice(policy=TimingPolicy(min_rounds=5, max_rounds=7, target_s=0.01,
                                           max_attempts=2, retry_wait_s=0.0))
    m = device.measure(SMALL)
    assert 0 < m.latency_s < 0.05
    assert m.spread_s >= 0 and m.rounds >= 5 and m.runs_per_round == 5
    assert m.loadavg >= 0 and m.timestamp > 1.6e9
    assert m.device == "cpu" and m.software.startswith("onnxruntime ")
    assert m.status in ("ok", "noisy", "loaded") and 1 <= m.attempts <= 2
    prov = device.provenance()
    assert prov["threads"] == "1" and prov["cpu_model"]


def test_cpu_latency_follows_the_work():
    """64x more MACs must take clearly longer, whatever the machine's load."""
    device = CpuDevice(policy=QUICK_POLICY)
    big = SMALL.with_changes(in_channels=128, out_channels=128)
    assert device.measure(big).latency_s > 4 * device.measure(SMALL).latency_s


def test_sim_device_is_deterministic():
    device = get_device("sim:gemmini")
    a, b = device.measure(SMALL), device.measure(SMALL)
    assert a.latency_s == b.latency_s > 0 and a.spread_s == 0
    assert device.provenance()["arch"] == "gemmini"


@pytest.mark.parametrize("spec", ["gpu", "sim:", "cpu:x"])
def test_unknown_devices(spec):
    with pytest.raises(BenchmarkError, match="device"):
        get_device(spec)
