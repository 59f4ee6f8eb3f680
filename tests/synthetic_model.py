"""A statistical model trained on synthetic CPU measurements: fast, and its truth known
(tests of the statistical estimator and of the views that show its spread)."""

from __future__ import annotations

from pathlib import Path

from explorer.benchmarking.devices.base import Measurement
from explorer.benchmarking.space import random_configs
from explorer.benchmarking.store import BenchmarkStore
from explorer.benchmarking.training import train_from_store
from explorer.learned.model_files import save_model


def synthetic_latency(c) -> float:
    return 2e-6 + 1e-10 * c.macs + 1e-9 * (c.input_elems + c.output_elems)


def train_synthetic_model(folder: Path) -> Path:
    """A cpu model file trained on 250 synthetic measurements in `folder`."""
    store_path = folder / "cpu.h5"
    with BenchmarkStore(store_path, device="cpu",
                        provenance={"device_kind": "cpu", "vector_width_fp32": "16"}) as s:
        for c in random_configs(250, seed=4):
            t = synthetic_latency(c)
            s.append(c, Measurement(t, 0.0, 7, 5, 0.1, 1e9, "cpu", "synthetic"), "train")
    trained = train_from_store(store_path)
    path = folder / "cpu.skops"
    save_model(trained.model, path, trained.metadata)
    return path
