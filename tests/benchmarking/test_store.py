import os
import signal
import subprocess
import sys
from pathlib import Path

import h5py
import pytest

from explorer.benchmarking.devices.base import Measurement
from explorer.benchmarking.store import ALL_COLUMNS, BenchmarkStore, open_store
from explorer.errors import BenchmarkError
from explorer.learned.configs import LayerConfig

ROOT = Path(__file__).resolve().parents[2]


def measurement(latency: float) -> Measurement:
    return Measurement(latency_s=latency, spread_s=0.01 * latency, rounds=7, runs_per_round=5,
                       loadavg=0.3, timestamp=1.0e9, device="cpu", software="test 1.0")


def relu(c: int) -> LayerConfig:
    return LayerConfig(kind="eltwise", op="Relu", in_channels=c, in_h=4, in_w=4)


def test_append_reopen_and_read_with_plain_h5py(tmp_path):
    path = tmp_path / "s.h5"
    with BenchmarkStore(path, device="cpu", provenance={"cpu_model": "X"}) as store:
        for c in range(1, 6):
            store.append(relu(c), measurement(c * 1e-6), "train")
        assert store.lookup(relu(3)) == 2 and store.lookup(relu(9)) is None
    with open_store(path) as store:
        assert len(store) == 5
        assert store.configs()[4] == relu(5)
        assert store.provenance == {"cpu_model": "X"}
        assert list(store.column("status")) == ["ok"] * 5
    with h5py.File(path, "r") as f:  # the documented layout, without our code
        assert f.attrs["device"] == "cpu" and f.attrs["device.cpu_model"] == "X"
        assert f["samples"].attrs["rows"] == 5
        assert list(f["samples/in_channels"][:]) == [1, 2, 3, 4, 5]
        assert f["samples/op"][0].decode() == "Relu"
        assert set(ALL_COLUMNS) <= set(f["samples"])


def test_journal_of_a_killed_writer_is_replayed(tmp_path):
    """Rows are durable in the journal before the .h5 file catches up; a writer that dies
    between commits (here: never closed) loses nothing, and a half-written last journal
    line is ignored."""
    path = tmp_path / "s.h5"
    store = BenchmarkStore(path, device="cpu", commit_every=1000, commit_interval_s=1e9)
    for c in range(1, 4):
        store.append(relu(c), measurement(c * 1e-6), "train")
    store.records._journal.close()  # the process dies here: no commit, no close,
    store.records._lock.release()  # and the kernel drops its lock
    with open(store.journal_path, "a", encoding="utf-8") as f:
        f.write('{"row": 3, "kind": "eltw')
    with h5py.File(path, "r") as f:  # the committed file is intact, only behind
        assert f["samples"].attrs["rows"] == 0
    with open_store(path) as reader:  # readers see journalled rows too
        assert len(reader) == 3
    with BenchmarkStore(path, device="cpu") as resumed:
        assert [c.in_channels for c in resumed.configs()] == [1, 2, 3]
        resumed.append(relu(4), measurement(4e-6), "train")
    assert not store.journal_path.exists()
    with h5py.File(path, "r") as f:
        assert list(f["samples/in_channels"][:]) == [1, 2, 3, 4]


def test_errors_name_the_file(tmp_path):
    path = tmp_path / "s.h5"
    with BenchmarkStore(path, device="cpu"):
        pass
    with pytest.raises(BenchmarkError, match="s.h5: holds measurements of device 'cpu'"):
        BenchmarkStore(path, device="sim:gemmini")
    junk = tmp_path / "junk.h5"
    junk.write_text("not hdf5")
    with pytest.raises(BenchmarkError, match="junk.h5: not a readable HDF5"):
        open_store(junk)
    with pytest.raises(BenchmarkError, match="no such benchmark store"):
        open_store(tmp_path / "missing.h5")


def _bench(path: Path, budget: int) -> list[str]:
    return [sys.executable, "-m", "explorer", "bench", "--device", "cpu", "--strategy",
            "random", "--kinds", "eltwise", "--quick", "--budget", str(budget), "-o", str(path)]


def test_campaign_killed_mid_way_resumes_without_loss_or_repeats(tmp_path):
    """SIGKILL a real `bench` process after some measurements, run it again: every row
    written before the kill is kept as it was, and the rest is measured exactly once."""
    path = tmp_path / "kill.h5"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(_bench(path, 30), cwd=ROOT, env=env, stderr=subprocess.PIPE,
                            text=True)
    seen = 0
    for line in proc.stderr:
        if line.startswith("["):
            seen += 1
        if seen >= 8:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    with open_store(path) as store:
        kept = len(store)
        before = {c.key(): t for c, t in zip(store.configs(), store.column("timestamp"))}
    assert 7 <= kept < 30
    done = subprocess.run(_bench(path, 30), cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"{30 - kept} new, {kept} reused" in done.stderr
    with open_store(path) as store:
        keys = [c.key() for c in store.configs()]
        assert len(store) == 30 and len(set(keys)) == 30
        after = dict(zip(keys, store.column("timestamp")))
    assert all(after[k] == t for k, t in before.items())
