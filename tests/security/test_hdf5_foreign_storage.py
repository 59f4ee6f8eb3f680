"""A hostile store must not make the program read another file's bytes (docs/security.md):
external storage, virtual datasets and external links are refused before any data is
read, with a message that says nothing about the outside file."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import explorer
from explorer.benchmarking.devices.base import Measurement
from explorer.benchmarking.store import BenchmarkStore, open_store
from explorer.errors import BenchmarkError
from explorer.explore import load_exploration
from explorer.learned.configs import LayerConfig
from explorer.store.seal import seal

SECRET = b"root:x:0:0:secret-content\n" * 8


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "outside" / "secret.bin"
    path.parent.mkdir()
    path.write_bytes(SECRET)
    return path


def bench_store(path):
    with BenchmarkStore(path, device="cpu") as store:
        store.append(LayerConfig(kind="eltwise", op="Relu", in_channels=4, in_h=4, in_w=4),
                     Measurement(latency_s=1e-6, spread_s=1e-8, rounds=3, runs_per_round=2,
                                 loadavg=0.1, timestamp=1.0e9, device="cpu", software="t"),
                     "train")
    return path


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("sweep") / "sweep.h5"
    explorer.sweep("squeezenet", "systolic", {"compute.pe_rows": [8, 16]},
                   estimator="roofline", output=path)
    return path


def tamper(path, secret, how):
    """Add a reach outside, then seal the file again as an attacker would (seal.py only
    guards against damage: the seal is a checksum, not a signature)."""
    _reach_outside(path, secret, how)
    seal(path)


def _reach_outside(path, secret, how):
    with h5py.File(path, "a") as f:
        if how == "external":
            f.create_dataset("stolen", shape=(len(SECRET),), dtype="u1",
                             external=[(str(secret), 0, len(SECRET))])
        elif how == "link":
            f["stolen"] = h5py.ExternalLink(str(secret), "/data")
        else:
            layout = h5py.VirtualLayout(shape=(4,), dtype="f8")
            layout[:] = h5py.VirtualSource(str(secret), "data", shape=(4,))
            f.create_virtual_dataset("stolen", layout)


@pytest.mark.parametrize("how", ["external", "link", "virtual"])
def test_bench_store_reaching_outside_is_refused(tmp_path, secret, how):
    path = bench_store(tmp_path / "bench.h5")
    tamper(path, secret, how)
    with pytest.raises(BenchmarkError) as info, open_store(path):
        pass
    message = str(info.value)
    assert "refused" in message and "\n" not in message
    assert "secret" not in message.replace(str(path), "")  # nothing about the outside file


@pytest.mark.parametrize("how", ["external", "link", "virtual"])
def test_sweep_file_reaching_outside_is_refused(tmp_path, secret, sweep_file, how):
    path = tmp_path / "sweep.h5"
    path.write_bytes(sweep_file.read_bytes())
    tamper(path, secret, how)
    with pytest.raises(BenchmarkError, match="refused") as info:
        load_exploration(path)
    assert "secret" not in str(info.value).replace(str(path), "")


def test_untampered_stores_still_open(tmp_path, sweep_file):
    with open_store(bench_store(tmp_path / "bench.h5")) as store:
        assert len(store) == 1
    assert len(load_exploration(sweep_file).rows) == 2
    assert np.isfinite([r["latency_s"] for r in load_exploration(sweep_file).rows]).all()
