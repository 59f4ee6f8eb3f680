"""The record store itself: types read back, the lock, checksums, recovery, versions."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap

import h5py
import pytest

from explorer.benchmarking.store import BenchmarkStore, open_store
from explorer.store import Column, DamagedStoreError, RecordStore, StoreError
from explorer.store.seal import seal
from tests.store.helpers import ENV, ROOT, data_offset, flip_bytes

COLUMNS = [Column("points/n", "int"), Column("points/df", "str"),
           Column("results/x", "float"), Column("layers/v", "floats", 2)]


def _store(path, **kw) -> RecordStore:
    return RecordStore(path, kind="test", columns=COLUMNS, attrs={"note": "t"}, **kw)


def _fill(path, rows: int = 5, **kw) -> None:
    with _store(path, **kw) as s:
        for i in range(rows):
            s.append({"points/n": 8 * (i + 1), "points/df": "ws" if i % 2 else "os",
                      "results/x": i / 3, "layers/v": [i, i + 0.5]})


def test_types_read_back_as_written(tmp_path):
    path = tmp_path / "r.h5"
    _fill(path)
    with RecordStore(path, kind="test", readonly=True) as s:
        first = next(s.records())
    assert first == {"points/n": 8, "points/df": "os", "results/x": 0.0, "layers/v": [0.0, 0.5]}
    assert type(first["points/n"]) is int and type(first["points/df"]) is str
    with h5py.File(path, "r") as f:
        assert f["points/n"].dtype.kind == "i"
        assert list(f["points/df"].asstr()[()]) == ["os", "ws", "os", "ws", "os"]
        assert f.attrs["note"] == "t" and f.attrs["rows"] == 5


def test_journal_rows_count_before_a_commit_and_a_torn_line_is_dropped(tmp_path):
    path = tmp_path / "r.h5"
    s = _store(path, commit_every=10_000, commit_interval_s=1e9)
    for i in range(3):
        s.append({"points/n": i, "points/df": "ws", "results/x": 1.0, "layers/v": [0, 0]})
    s._journal.close()
    s._lock.release()  # the process dies: no commit, the kernel drops the lock
    with open(s.journal_path, "a") as f:
        f.write("0123abcd 3 [4,")  # the record being written at the kill
    with RecordStore(path, kind="test", readonly=True) as reader:
        assert len(reader) == 3
    with _store(path) as resumed:
        assert [r["points/n"] for r in resumed.records()] == [0, 1, 2]
    assert not s.journal_path.exists()


def test_flipped_journal_line_is_damage_and_recover_keeps_the_rest(tmp_path):
    path = tmp_path / "r.h5"
    s = _store(path, commit_every=10_000, commit_interval_s=1e9)
    for i in range(4):
        s.append({"points/n": i, "points/df": "ws", "results/x": 1.0, "layers/v": [0, 0]})
    s._journal.close()
    s._lock.release()
    data = bytearray(s.journal_path.read_bytes())
    second = data.index(b"\n") + 1
    data[second + 12] ^= 0x01  # inside the second record
    s.journal_path.write_bytes(bytes(data))
    with pytest.raises(DamagedStoreError, match=r"1 damaged record.*--recover"):
        _store(path)
    assert s.journal_path.exists()  # nothing changed
    with _store(path, recover=True) as recovered:
        assert [r["points/n"] for r in recovered.records()] == [0, 2, 3]
    kept = list(tmp_path.glob("r.h5.journal.damaged-*"))
    assert len(kept) == 1


def test_flipped_bytes_in_the_h5_file_recover(tmp_path):
    path = tmp_path / "r.h5"
    _fill(path)
    offset, _ = data_offset(path, "results/x")
    flip_bytes(path, offset + 2 * 8 + 2)  # the third record
    with pytest.raises(DamagedStoreError, match="fail their checksum.*--recover"):
        RecordStore(path, kind="test", readonly=True)  # the seal (seal.py) sees it first
    resealed = tmp_path / "resealed.h5"  # damage older than the seal: the row's own CRC
    shutil.copy(path, resealed)
    seal(resealed)
    with pytest.raises(DamagedStoreError, match="row 2 fails its checksum"):
        RecordStore(resealed, kind="test", readonly=True)
    with _store(path, recover=True) as s:  # read in a child process (salvage.py)
        assert [r["points/n"] for r in s.records()] == [8, 16, 32, 40]
        assert any("original kept as" in d for d in s.damaged)
    with _store(path) as s:  # the recovered file is clean
        assert len(s) == 4


def test_other_version_and_truncated_files_are_refused_and_kept(tmp_path):
    old = tmp_path / "old.h5"
    with h5py.File(old, "w") as f:
        f.attrs["format"] = "accel-explorer-sweep"
        f.attrs["format_version"] = 1
    before = old.read_bytes()
    with pytest.raises(StoreError, match="format version 1.*left unchanged"):
        _store(old)
    assert old.read_bytes() == before
    truncated = tmp_path / "cut.h5"
    _fill(truncated)
    truncated.write_bytes(truncated.read_bytes()[:600])
    before = truncated.read_bytes()
    with pytest.raises(DamagedStoreError) as info:
        _store(truncated)
    assert "truncated or damaged" in str(info.value) and "\n" not in str(info.value)
    assert truncated.read_bytes() == before


def test_second_writer_in_process_is_refused(tmp_path):
    path = tmp_path / "r.h5"
    with _store(path):
        with pytest.raises(StoreError, match="another process") as info:
            _store(path)
        assert "\n" not in str(info.value)
        with RecordStore(path, kind="test", readonly=True):  # readers are welcome
            pass
    with _store(path):  # released on close
        pass


HOLD = textwrap.dedent("""
    import sys, time
    from explorer.{module} import {cls}
    store = {open}
    print("locked", flush=True)
    time.sleep(60)
""")


@pytest.mark.parametrize("kind", ["records", "benchmark"])
def test_lock_of_a_killed_writer_does_not_outlive_it(tmp_path, kind):
    """flock belongs to the process: after kill -9 the next writer gets the store."""
    path = tmp_path / "k.h5"
    if kind == "records":
        code = HOLD.format(module="store", cls="RecordStore, Column",
                           open=f"RecordStore({str(path)!r}, kind='test', "
                                "columns=[Column('a/x', 'int')])")
    else:
        code = HOLD.format(module="benchmarking.store", cls="BenchmarkStore",
                           open=f"BenchmarkStore({str(path)!r}, device='cpu')")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=ENV,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError, match=f"another process \\(pid {proc.pid}\\)"):
            if kind == "records":
                RecordStore(path, kind="test", columns=[Column("a/x", "int")])
            else:
                BenchmarkStore(path, device="cpu")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    if kind == "records":
        with RecordStore(path, kind="test", columns=[Column("a/x", "int")]) as s:
            s.append({"a/x": 1})
    else:
        with BenchmarkStore(path, device="cpu"):
            pass


def test_flipped_bytes_in_a_benchmark_store_are_detected(tmp_path):
    from tests.benchmarking.test_store import measurement, relu

    path = tmp_path / "b.h5"
    with BenchmarkStore(path, device="cpu") as store:
        for c in range(1, 4):
            store.append(relu(c), measurement(c * 1e-6), "train")
    offset, _ = data_offset(path, "samples/latency_s")
    flip_bytes(path, offset + 8 + 1)
    with pytest.raises(DamagedStoreError, match="fail their checksum"):
        open_store(path)
    seal(path)  # damage older than the seal: the row's own checksum finds it
    with pytest.raises(DamagedStoreError, match="row 1 fails its checksum"):
        open_store(path)
