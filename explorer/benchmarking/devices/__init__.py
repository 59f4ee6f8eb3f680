"""Benchmark devices: `cpu` (this machine via onnxruntime) and `sim:<arch>` (a library
accelerator measured by the reference simulator)."""

from __future__ import annotations

from explorer.benchmarking.devices.base import (
    STATUS_LOADED,
    STATUS_NOISY,
    STATUS_OK,
    Device,
    Measurement,
)
from explorer.errors import BenchmarkError

__all__ = ["Device", "Measurement", "STATUS_OK", "STATUS_NOISY", "STATUS_LOADED",
           "get_device", "device_kind"]


def get_device(spec: str, *, threads: int = 1, quick: bool = False,
               exclude=()) -> Device:
    """`cpu`, `cpu:<threads>`, `sim:<arch name or YAML path>` or `pool:<PATH>` (dense
    measurements made elsewhere, looked up). `quick` trades the CPU's repeatability for
    speed (3-5 rounds, one attempt): for smoke tests, not for models. `exclude`: held-out
    configurations a pool refuses."""
    kind, _, rest = spec.partition(":")
    if kind == "remote":
        from explorer.benchmarking.devices.remote import RemoteDevice

        return RemoteDevice(rest)
    if kind == "pool" and rest:
        from explorer.benchmarking.devices.pool import PoolDevice

        return PoolDevice(rest, exclude=exclude)
    if kind == "cpu":
        from explorer.benchmarking.devices.cpu import CpuDevice

        if rest:
            try:
                threads = int(rest)
            except ValueError:
                raise BenchmarkError(f"device {spec!r}: expected cpu:<threads>") from None
        from explorer.benchmarking.devices.cpu import QUICK_POLICY

        return CpuDevice(threads=threads, policy=QUICK_POLICY if quick else None)
    if kind == "sim" and rest:
        from explorer.benchmarking.devices.sim import SimDevice

        return SimDevice(rest)
    raise BenchmarkError(f"unknown device {spec!r}; allowed: cpu, cpu:<threads>, "
                         "sim:<accelerator name or .yaml>, pool:<measurements .jsonl, directory or .h5>, "
                         "remote:<name> (planned here, measured by explorer.runner)")


def device_kind(spec: str) -> str:
    return spec.partition(":")[0]
