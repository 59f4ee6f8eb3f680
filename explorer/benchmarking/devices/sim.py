"""`sim:<arch>`: a library accelerator measured by the reference simulator.

A device whose truth is known exactly (deterministic, noise-free), so the PR method can
be validated without measurement noise. Until the `simulate` estimator is registered,
`refined-roofline` stands in and the device says so in its provenance.
"""

from __future__ import annotations

from explorer.benchmarking.devices.base import STATUS_OK, Device, Measurement, load_average, now
from explorer.errors import BenchmarkError, ExplorerError
from explorer.learned.configs import LayerConfig, layer_from_config

REFERENCE_ESTIMATOR = "simulate"
FALLBACK_ESTIMATOR = "refined-roofline"


class SimDevice(Device):
    deterministic = True

    def __init__(self, arch: str, estimator: str | None = None) -> None:
        from explorer.estimators.registry import estimator_names, make_estimator
        from explorer.hardware.library import load_accelerator

        self.accelerator = load_accelerator(arch)
        if estimator is None:
            estimator = (REFERENCE_ESTIMATOR if REFERENCE_ESTIMATOR in estimator_names()
                         else FALLBACK_ESTIMATOR)
        try:
            self.estimator = make_estimator(estimator)
        except ExplorerError:
            raise
        except Exception as exc:  # an estimator module that fails to import
            raise BenchmarkError(f"sim:{arch}: estimator {estimator!r} unavailable: {exc}") from None
        self.estimator_name = estimator
        self.arch = arch
        self.name = f"sim:{self.accelerator.name}"

    def measure(self, config: LayerConfig) -> Measurement:
        layer = layer_from_config(config, name="bench")
        estimate = self.estimator.estimate_layer(layer, self.accelerator)
        return Measurement(latency_s=float(estimate.latency_s), spread_s=0.0, rounds=1,
                           runs_per_round=1, loadavg=load_average(), timestamp=now(),
                           device=self.name, software=self.software(), status=STATUS_OK,
                           extra={"cycles": float(estimate.cycles)})

    def software(self) -> str:
        from importlib.metadata import PackageNotFoundError, version

        try:
            ours = version("accel-explorer")
        except PackageNotFoundError:
            ours = "source"
        return f"accel-explorer {ours} estimator {self.estimator_name}"

    def provenance(self) -> dict[str, str]:
        c = self.accelerator.compute
        return {"device": self.name, "device_kind": "sim", "arch": self.accelerator.name,
                "estimator": self.estimator_name,
                "stand_in": str(self.estimator_name != REFERENCE_ESTIMATOR).lower(),
                "pe_array": f"{c.pe_rows}x{c.pe_cols}", "dataflow": c.dataflow.value,
                "clock_hz": repr(self.accelerator.clock_hz), "software": self.software()}

    def parallelism_hints(self) -> dict[str, list[int]]:
        c = self.accelerator.compute
        dims = sorted({c.pe_rows, c.pe_cols}, reverse=True)
        lanes = [c.vector_lanes]
        return {"out_channels": dims, "in_channels": dims, "n": dims, "k": dims, "m": dims,
                "in_h": dims, "in_w": dims + lanes}
