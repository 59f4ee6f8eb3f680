"""The benchmark store is a kind of the one record store: one format, one lock, one
recovery path; stores written before it (its own format, versions 1 and 2) are read as
they are and converted once when opened for writing, the original kept."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import h5py
import numpy as np
import pytest

from explorer.benchmarking.store import ALL_COLUMNS, LEGACY_FORMAT, BenchmarkStore, open_store
from explorer.store import FORMAT, FORMAT_VERSION, DamagedStoreError, RecordStore, StoreError
from explorer.store import checksum as crc
from tests.benchmarking.test_store import measurement, relu


def _legacy(path: Path, rows: int, version: int = 2, corrupt: bool = False) -> None:
    """A store as the writer before the one format left it (layout of its docs)."""
    with BenchmarkStore(path.with_suffix(".src.h5"), device="cpu",
                        provenance={"cpu_model": "X"}) as new:
        for c in range(1, rows + 1):
            new.append(relu(c), measurement(c * 1e-6), "train")
        data = {name: list(new.column(name)) for name in ALL_COLUMNS}
    with h5py.File(path, "w") as f:
        f.attrs.update({"format": LEGACY_FORMAT, "format_version": version,
                        "created": "2026-01-01T00:00:00Z", "device": "cpu",
                        "provenance_json": json.dumps({"cpu_model": "X"}),
                        "campaign_json": json.dumps({"strategy": "random"}),
                        "device.cpu_model": "X"})
        group = f.create_group("samples")
        group.attrs["rows"] = rows
        for name, values in data.items():
            if version == 1 and name == "excluded_s":
                continue  # version 1 predates this column
            if isinstance(values[0], str):
                group.create_dataset(name, data=np.array(values, dtype=object),
                                     dtype=h5py.string_dtype("utf-8"))
            else:
                group.create_dataset(name, data=np.array(values))
        if version == 2:
            plain = [[v.item() if hasattr(v, "item") else v for v in row]
                     for row in zip(*(data[n] for n in ALL_COLUMNS))]
            sums = [crc(json.dumps(row)) for row in plain]
            if corrupt:
                sums[1] ^= 1
            group.create_dataset("crc32", data=np.array(sums, dtype=np.uint32))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("version", [1, 2])
def test_a_legacy_store_is_read_as_it_is(tmp_path, version) -> None:
    path = tmp_path / "old.h5"
    _legacy(path, 3, version)
    before = _digest(path)
    with open_store(path) as store:
        assert len(store) == 3 and store.device == "cpu"
        assert store.configs()[2] == relu(3)
        assert store.provenance == {"cpu_model": "X"}
        assert store.campaign == {"strategy": "random"}
        assert list(store.column("excluded_s")) == [0.0] * 3
    assert _digest(path) == before  # a reader writes nothing


def test_writing_converts_once_and_keeps_the_original(tmp_path) -> None:
    path = tmp_path / "old.h5"
    _legacy(path, 3)
    before = _digest(path)
    with BenchmarkStore(path, device="cpu") as store:
        assert [c.in_channels for c in store.configs()] == [1, 2, 3]
        store.append(relu(4), measurement(4e-6), "train")
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("old.h5.v2-")]
    assert len(kept) == 1 and _digest(kept[0]) == before
    with h5py.File(path, "r") as f:  # now the one format, kind "benchmark"
        assert f.attrs["format"] == FORMAT and f.attrs["format_version"] == FORMAT_VERSION
        assert f.attrs["kind"] == "benchmark" and f.attrs["created"] == "2026-01-01T00:00:00Z"
        assert list(f["samples/in_channels"][:]) == [1, 2, 3, 4]
    with RecordStore(path, kind="benchmark", readonly=True) as records:  # the one reader
        assert len(records) == 4
    with open_store(path) as store:
        assert store.campaign == {"strategy": "random"} and len(store) == 4


def test_a_damaged_or_unknown_legacy_store_is_refused_unchanged(tmp_path) -> None:
    damaged = tmp_path / "damaged.h5"
    _legacy(damaged, 3, corrupt=True)
    before = _digest(damaged)
    with pytest.raises(DamagedStoreError, match="damaged.h5: 1 damaged row"):
        BenchmarkStore(damaged, device="cpu")
    assert _digest(damaged) == before
    future = tmp_path / "future.h5"
    _legacy(future, 2)
    with h5py.File(future, "a") as f:
        f.attrs["format_version"] = 7
    with pytest.raises(StoreError, match="format version 7"):
        open_store(future)


def test_other_kinds_of_the_one_format_are_refused(tmp_path) -> None:
    from explorer.store import Column

    path = tmp_path / "sweep.h5"
    with RecordStore(path, kind="exploration", columns=[Column("a/x", "int")]) as s:
        s.append({"a/x": 1})
    with pytest.raises(StoreError, match="kind 'exploration', not 'benchmark'"):
        open_store(path)
