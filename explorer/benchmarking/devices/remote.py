"""`remote:<name>`: a device this program cannot reach. Campaigns for it are planned here
(`bench --plan-only`), measured there by `explorer.runner` and imported back."""

from __future__ import annotations

from explorer.benchmarking.devices.base import Device, Measurement
from explorer.errors import BenchmarkError
from explorer.learned.configs import LayerConfig


class RemoteDevice(Device):
    def __init__(self, name: str) -> None:
        if not name:
            raise BenchmarkError("device 'remote:' needs a name, e.g. remote:jetson-orin")
        self.name = f"remote:{name}"

    def measure(self, config: LayerConfig) -> Measurement:
        raise BenchmarkError(f"{self.name} is measured on the device itself: write a plan "
                             "with `bench --plan-only`, run `python -m explorer.runner` "
                             "there and `bench import` the results")

    def provenance(self) -> dict[str, str]:
        return {"device": self.name, "device_kind": "remote"}
