"""The store survives what users and machines do to it: a second writer, flipped bytes,
kill -9 at any instant. Each test was written first as xfail(strict=True)."""

from __future__ import annotations

import random
import signal
import subprocess
import time

import h5py
import pytest

from explorer.benchmarking.devices.base import Measurement
from explorer.benchmarking.store import BenchmarkStore
from explorer.errors import BenchmarkError
from explorer.hardware.library import load_accelerator
from explorer.learned.configs import LayerConfig
from explorer.sweep import Axis, read_sweep, run_sweep
from explorer.workload import load_network
from tests.store.helpers import ENV, ROOT, data_offset, flip_bytes, run, sweep_command


@pytest.fixture(scope="module")
def net():
    return load_network("squeezenet")


def _sweep(net, path, values="8,16,32"):
    run_sweep(net, load_accelerator("systolic"), [Axis.parse(f"compute.pe_rows={values}")],
              "roofline", path)


def test_second_benchmark_writer_is_refused(tmp_path):
    path = tmp_path / "b.h5"
    m = Measurement(latency_s=1e-6, spread_s=1e-8, rounds=7, runs_per_round=5, loadavg=0.3,
                    timestamp=1.0e9, device="cpu", software="test 1.0")
    with BenchmarkStore(path, device="cpu") as first:
        first.append(LayerConfig(kind="eltwise", op="Relu", in_channels=1, in_h=4, in_w=4),
                     m, "train")
        with pytest.raises(BenchmarkError, match="another process"):
            BenchmarkStore(path, device="cpu")


def test_second_sweep_writer_is_refused(tmp_path):
    path = tmp_path / "s.h5"
    long_sweep = sweep_command(path, "8:1024")  # runs far longer than the second start
    first = subprocess.Popen(long_sweep, cwd=ROOT, env=ENV, text=True,
                             stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        for line in first.stderr:  # wait until the first writer has the store open
            if line.startswith("["):
                break
        second = run(long_sweep)
    finally:
        first.kill()
        first.wait()
    assert second.returncode == 2
    assert "another process" in second.stderr and len(second.stderr.splitlines()) == 1


def test_flipped_bytes_in_a_record_are_detected(net, tmp_path):
    path = tmp_path / "s.h5"
    _sweep(net, path)
    offset, _ = data_offset(path, "results/latency_s")
    flip_bytes(path, offset + 8 + 3)  # inside the second record's latency
    with pytest.raises(BenchmarkError, match="damaged"):
        list(read_sweep(path))
    with pytest.raises(BenchmarkError, match="damaged"):
        _sweep(net, path, "8,16,32")


def _kill_and_resume(tmp_path, kills: int, seed: int) -> None:
    """Kill a real sweep at random instants `kills` times (resuming in between), then
    finish it: every point whose progress line was printed (its write had returned) is
    kept with the values a clean run gives, and no point is estimated twice."""
    rng = random.Random(seed)
    path = tmp_path / "killed.h5"
    kept = 0
    for _ in range(kills):
        proc = subprocess.Popen(sweep_command(path), cwd=ROOT, env=ENV, text=True,
                                stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        seen = 0
        wanted = rng.randint(0, 3)
        for line in proc.stderr:
            if line.startswith("["):
                seen += 1
                if seen > wanted:
                    time.sleep(rng.uniform(0, 0.05))
                    break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with h5py.File(path, "r"):  # never unopenable
            pass
        rows = list(read_sweep(path))
        assert len(rows) >= kept + seen  # nothing whose write returned is lost
        kept = len(rows)
    done = run(sweep_command(path))
    assert done.returncode == 0, done.stderr
    clean = tmp_path / "clean.h5"
    assert run(sweep_command(clean)).returncode == 0
    got = [(r["compute.pe_rows"], r["compute.pe_cols"], r["latency_s"]) for r in read_sweep(path)]
    want = [(r["compute.pe_rows"], r["compute.pe_cols"], r["latency_s"])
            for r in read_sweep(clean)]
    assert sorted(got) == sorted(want)


def test_sweep_killed_at_random_points_stays_openable(tmp_path):
    # The old in-place writer passed this too when it was written first (see below).
    _kill_and_resume(tmp_path, kills=6, seed=1)


@pytest.mark.slow
def test_sweep_survives_a_hundred_kills(tmp_path):
    # Written first as xfail(strict=True); the old in-place writer survived these hundred
    # kills here (XPASS, 427 s), so this test guards the new store rather than proving
    # the old failure; the damage it guards against is built in by construction (records
    # reach the .h5 file only by atomic rename) and tested record by record in
    # test_record_store.py.
    _kill_and_resume(tmp_path, kills=100, seed=2)
