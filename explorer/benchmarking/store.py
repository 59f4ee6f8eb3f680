"""The benchmark store: layer configurations and their measurements, a kind ("benchmark")
of the one record store (explorer.store): the same format version, writer lock, CRC-32
per record, journal, atomic commits and recovery as sweep and exploration files.

Layout (docs/benchmark-store.md has the full description):

    /                 attrs: format, format_version, kind = "benchmark", rows,
                             schema_json, created, device, provenance_json,
                             campaign_json, and every provenance entry as `device.<key>`
    /samples/<column> one 1-D dataset per column, all of the same length: the
                      LayerConfig columns (ints as int64, strings as UTF-8), then the
                      Measurement columns (latency_s, spread_s, rounds, runs_per_round,
                      loadavg, timestamp, excluded_s, status, attempts, software) and `phase`
                      ("sweep", "train", "test", ...).
    /samples          attrs: rows = the number of rows
    /records/crc32    the CRC-32 of each row

Stores written before the one format ("accel-explorer benchmark store", versions 1 and 2)
are read as they are; opening one for writing converts it once (every row checked, the
original kept beside it as FILE.h5.v<N>-<time>).
Readable with plain h5py (`f["samples/latency_s"][:]`) or pandas
(`pd.DataFrame({k: v[:] for k, v in f["samples"].items()})`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from explorer.benchmarking.devices.base import Measurement
from explorer.errors import BenchmarkError
from explorer.learned.configs import (
    CONFIG_COLUMNS,
    STR_COLUMNS,
    LayerConfig,
    config_from_row,
)
from explorer.store import Column, DamagedStoreError, RecordStore, StoreError, StoreLock, checksum
from explorer.store.foreign import refuse_foreign_storage
from explorer.store.seal import seal_problem

KIND = "benchmark"
GROUP = "samples"
LEGACY_FORMAT = "accel-explorer benchmark store"  # versions 1 and 2, before the one format

MEASUREMENT_FLOAT_COLUMNS = ("latency_s", "spread_s", "loadavg", "timestamp", "excluded_s")
MEASUREMENT_INT_COLUMNS = ("rounds", "runs_per_round", "attempts")
MEASUREMENT_STR_COLUMNS = ("status", "software")
EXTRA_STR_COLUMNS = ("phase",)
# Columns a version 1 legacy store may lack, with the value its rows get.
OPTIONAL_COLUMNS: dict[str, float] = {"excluded_s": 0.0}

ALL_COLUMNS: tuple[str, ...] = (CONFIG_COLUMNS + MEASUREMENT_FLOAT_COLUMNS
                                + MEASUREMENT_INT_COLUMNS + MEASUREMENT_STR_COLUMNS
                                + EXTRA_STR_COLUMNS)


def _kind(name: str) -> str:
    if name in STR_COLUMNS or name in MEASUREMENT_STR_COLUMNS or name in EXTRA_STR_COLUMNS:
        return "str"
    return "float" if name in MEASUREMENT_FLOAT_COLUMNS else "int"


COLUMNS = [Column(f"{GROUP}/{name}", _kind(name)) for name in ALL_COLUMNS]
_DTYPES = {"str": object, "float": np.float64, "int": np.int64}


class BenchmarkStore:
    """An open store; use it as a context manager. `append` makes a row durable at once
    (the record store's journal) and the .h5 file catches up in atomic commits."""

    def __init__(self, path: str | Path, *, device: str | None = None,
                 provenance: dict[str, str] | None = None,
                 campaign: dict[str, Any] | None = None, readonly: bool = False,
                 commit_every: int = 64, commit_interval_s: float = 15.0) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._index: dict[tuple, int] | None = None
        self.records: RecordStore | None = None
        if readonly and not self.path.exists():
            raise StoreError(f"{self.path}: no such benchmark store")
        lock = None if readonly else StoreLock(self.path).acquire()
        try:
            legacy = _read_legacy(self.path)
            if legacy is not None and readonly:  # read as it is, nothing written
                self._attrs, self._data = legacy
            else:
                attrs = _new_attrs(self.path, device, provenance or {}, campaign or {}) \
                    if legacy is None else _carried_attrs(legacy[0])
                if legacy is not None:
                    _set_aside(self.path, legacy[0])
                self.records = RecordStore(
                    self.path, kind=KIND, columns=None if readonly else COLUMNS,
                    attrs=attrs, readonly=readonly, commit_every=commit_every,
                    commit_interval_s=commit_interval_s, lock=lock)
                if legacy is not None:
                    self.records.extend([{f"{GROUP}/{n}": legacy[1][n][i] for n in ALL_COLUMNS}
                                         for i in range(len(legacy[1]["kind"]))])
                    self.records.commit()
                if [c.to_json() for c in self.records.columns] != [c.to_json() for c in COLUMNS]:
                    raise StoreError(f"{self.path}: a benchmark store with other columns "
                                     "(written by another version of this program?)")
                self._attrs = self.records.attrs
                self._data = {n: self.records.column(f"{GROUP}/{n}") for n in ALL_COLUMNS}
        except BaseException:
            if self.records is not None:
                self.records.close(commit=False)
            elif lock is not None:
                lock.release()
            raise
        if device is not None and self.device != device:
            self.close()
            raise BenchmarkError(f"{self.path}: holds measurements of device "
                                 f"{self.device!r}, not {device!r}")

    # -- properties -----------------------------------------------------------------------
    @property
    def journal_path(self) -> Path:
        return self.path.with_name(self.path.name + ".journal")

    @property
    def device(self) -> str:
        return str(self._attrs["device"])

    @property
    def provenance(self) -> dict[str, str]:
        return json.loads(self._attrs.get("provenance_json", "{}"))

    @property
    def campaign(self) -> dict[str, Any]:
        return json.loads(self._attrs.get("campaign_json", "{}"))

    def set_campaign(self, campaign: dict[str, Any]) -> None:
        self._attrs["campaign_json"] = json.dumps(campaign, sort_keys=True)
        if self.records is not None:
            self.records.commit()

    def __len__(self) -> int:
        return len(self._data["kind"])

    def commit(self) -> None:
        if self.records is not None:
            self.records.commit()

    # -- writing --------------------------------------------------------------------------
    def append(self, config: LayerConfig, measurement: Measurement, phase: str) -> int:
        if self.readonly or self.records is None:
            raise BenchmarkError(f"{self.path}: opened read-only")
        values: dict[str, Any] = config.as_dict()
        for name in MEASUREMENT_FLOAT_COLUMNS:
            values[name] = float(getattr(measurement, name))
        for name in MEASUREMENT_INT_COLUMNS:
            values[name] = int(getattr(measurement, name))
        for name in MEASUREMENT_STR_COLUMNS:
            values[name] = str(getattr(measurement, name))
        values["phase"] = phase
        row = self.records.append({f"{GROUP}/{n}": values[n] for n in ALL_COLUMNS})
        if self._index is not None:
            self._index.setdefault(config.key(), row)
        return row

    # -- reading --------------------------------------------------------------------------
    def column(self, name: str) -> np.ndarray:
        if name not in ALL_COLUMNS:
            raise BenchmarkError(f"{self.path}: no column {name!r}")
        return np.array(self._data[name], dtype=_DTYPES[_kind(name)])

    def columns(self, names: tuple[str, ...] = ALL_COLUMNS) -> dict[str, np.ndarray]:
        return {name: self.column(name) for name in names}

    def configs(self) -> list[LayerConfig]:
        data = self._data
        return [config_from_row({k: data[k][i] for k in CONFIG_COLUMNS})
                for i in range(len(self))]

    def rows(self) -> Iterator[dict[str, Any]]:
        for i in range(len(self)):
            yield {k: self._data[k][i] for k in ALL_COLUMNS}

    def lookup(self, config: LayerConfig) -> int | None:
        """Row of an earlier measurement of exactly this configuration."""
        if self._index is None:
            self._index = {}
            for i, c in enumerate(self.configs()):
                self._index.setdefault(c.key(), i)
        return self._index.get(config.key())

    def latency(self, row: int) -> float:
        return float(self._data["latency_s"][row])

    def close(self) -> None:
        if self.records is not None:
            self.records.close()

    def __enter__(self) -> BenchmarkStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(path: str | Path) -> BenchmarkStore:
    return BenchmarkStore(path, readonly=True)


def _new_attrs(path: Path, device: str | None, provenance: dict[str, str],
               campaign: dict[str, Any]) -> dict[str, Any]:
    """The attributes of a new store (ignored by the record store for an existing one)."""
    if not device and not path.exists():
        raise BenchmarkError(f"{path}: a new store needs a device name")
    return {"device": device or "",
            "provenance_json": json.dumps(provenance, sort_keys=True),
            "campaign_json": json.dumps(campaign, sort_keys=True),
            **{f"device.{k}": str(v) for k, v in provenance.items()}}


def _carried_attrs(old: dict[str, Any]) -> dict[str, Any]:
    """What a converted legacy store keeps: the device, its provenance and campaign."""
    return {k: v for k, v in old.items()
            if k in ("device", "provenance_json", "campaign_json", "created")
            or k.startswith("device.")}


# -- stores written before the one format ---------------------------------------------------
def _read_legacy(path: Path) -> tuple[dict[str, Any], dict[str, list]] | None:
    """(attrs, columns) of a legacy benchmark store, every row checked against its
    checksum (version 2); None for a file of the one format (or no file), which the
    record store opens or refuses itself."""
    try:
        if seal_problem(path) is not None:
            return None  # a damaged store of the one format: the record store's message
        f = h5py.File(path, "r")
    except OSError:
        return None  # missing or unreadable: the record store's message
    with f:
        if f.attrs.get("format") != LEGACY_FORMAT:
            return None
        refuse_foreign_storage(f, path)
        version = int(f.attrs.get("format_version", 0))
        if version not in (1, 2) or GROUP not in f:
            raise StoreError(f"{path}: benchmark store of format version {version}, which "
                             "this program cannot read; it is left unchanged")
        samples = f[GROUP]
        missing = [c for c in ALL_COLUMNS if c not in samples and c not in OPTIONAL_COLUMNS]
        if missing:
            raise StoreError(f"{path}: /samples lacks columns {missing}; it is left unchanged")
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        rows = int(samples.attrs.get("rows", 0))
        data: dict[str, list] = {}
        for name in ALL_COLUMNS:
            if name not in samples:  # written before the column existed
                data[name] = [OPTIONAL_COLUMNS[name]] * rows
            elif _kind(name) == "str":
                data[name] = [str(v) for v in samples[name].asstr()[:rows]]
            else:
                data[name] = samples[name][:rows].tolist()
        if version == 2:
            stored = samples["crc32"][:rows].tolist()
            bad = [i for i in range(rows) if i >= len(stored) or stored[i] != checksum(
                json.dumps([data[name][i] for name in ALL_COLUMNS]))]
            if bad:
                raise DamagedStoreError(f"{path}: {len(bad)} damaged row(s) (row {bad[0]} "
                                        "fails its checksum); nothing was changed")
    journal = path.with_name(path.name + ".journal")
    if journal.exists():
        raise StoreError(f"{path}: a benchmark store of format version {version} with a "
                         f"journal left by a killed writer; finish it with the version that "
                         "wrote it before opening it here; nothing was changed")
    return attrs, data


def _set_aside(path: Path, attrs: dict[str, Any]) -> None:
    """Keep a legacy store beside the converted one, never overwritten."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.v{int(attrs.get('format_version', 0))}-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{target.name}-{n}")
        n += 1
    os.replace(path, target)
