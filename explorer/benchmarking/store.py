"""The benchmark store: an HDF5 file of layer configurations and their measurements.

Layout (docs/benchmark-store.md has the full description):

    /                 attrs: format, format_version, created, device, provenance_json,
                             campaign_json, and every provenance entry as `device.<key>`
    /samples/<column> one 1-D dataset per column, all of the same length: the
                      LayerConfig columns (ints as int64, strings as UTF-8), then the
                      Measurement columns (latency_s, spread_s, rounds, runs_per_round,
                      loadavg, timestamp, excluded_s, status, attempts, software) and `phase`
                      ("sweep", "train", "test", ...).
    /samples          attrs: rows = the number of rows

Crash safety. HDF5 itself can be left unreadable by a process killed while it writes
(we saw "bad heap pointer" after SIGKILL in the middle of a row), so the .h5 file is
only ever replaced whole: a new version is written beside it and renamed over it (an
atomic step). Every measurement is first appended to `FILE.h5.journal` (one JSON line,
flushed and fsync'ed) and the journal is folded into the .h5 file every
`commit_every` rows, every `commit_interval_s` seconds and on close. Opening a store
replays a journal left by a killed process, so nothing measured is lost and nothing is
measured again.

Integrity (the one store format's lock and checksums, explorer.store): a writer holds an
exclusive flock on `FILE.h5.lock` (a second writer is refused with a one-line message; a
killed writer's lock goes with it), every journal line carries a CRC-32 and so does every
row of the .h5 file (`samples/crc32`); a row or complete journal line that fails its
checksum makes the store refuse to open (DamagedStoreError) instead of resuming over it.
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
from explorer.store import DamagedStoreError, StoreLock, checksum
from explorer.store.foreign import refuse_foreign_storage

FORMAT = "accel-explorer benchmark store"
FORMAT_VERSION = 2  # 2: samples/crc32 and checksummed journal lines; 1 is read-only
CHECKSUM_COLUMN = "crc32"

MEASUREMENT_FLOAT_COLUMNS = ("latency_s", "spread_s", "loadavg", "timestamp", "excluded_s")
MEASUREMENT_INT_COLUMNS = ("rounds", "runs_per_round", "attempts")
MEASUREMENT_STR_COLUMNS = ("status", "software")
EXTRA_STR_COLUMNS = ("phase",)
# Columns added after format version 1 was first written, with the value old rows get.
OPTIONAL_COLUMNS: dict[str, float] = {"excluded_s": 0.0}

STR_DTYPE = h5py.string_dtype("utf-8")


def _column_dtype(name: str):
    if name in STR_COLUMNS or name in MEASUREMENT_STR_COLUMNS or name in EXTRA_STR_COLUMNS:
        return STR_DTYPE
    if name in MEASUREMENT_FLOAT_COLUMNS:
        return np.float64
    return np.int64


ALL_COLUMNS: tuple[str, ...] = (CONFIG_COLUMNS + MEASUREMENT_FLOAT_COLUMNS
                                + MEASUREMENT_INT_COLUMNS + MEASUREMENT_STR_COLUMNS
                                + EXTRA_STR_COLUMNS)


class BenchmarkStore:
    """An open store; use it as a context manager. `append` makes a row durable at once
    (journal) and the .h5 file catches up in atomic commits."""

    def __init__(self, path: str | Path, *, device: str | None = None,
                 provenance: dict[str, str] | None = None,
                 campaign: dict[str, Any] | None = None, readonly: bool = False,
                 commit_every: int = 64, commit_interval_s: float = 15.0) -> None:
        self.path = Path(path)
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.readonly = readonly
        self.commit_every = commit_every
        self.commit_interval_s = commit_interval_s
        self._data: dict[str, list] = {name: [] for name in ALL_COLUMNS}
        self._attrs: dict[str, Any] = {}
        self._committed = 0
        self._last_commit = time.monotonic()
        self._index: dict[tuple, int] | None = None
        self._journal = None
        self._lock = None if readonly else StoreLock(self.path).acquire()
        try:
            self._open(device, provenance, campaign)
        except BaseException:
            self._release()
            raise

    def _open(self, device: str | None, provenance: dict[str, str] | None,
              campaign: dict[str, Any] | None) -> None:
        if self.path.exists():
            self._read()
        elif self.readonly:
            raise BenchmarkError(f"{self.path}: no such benchmark store")
        else:
            self._new(device, provenance or {}, campaign or {})
        if device is not None and self.device != device:
            raise BenchmarkError(f"{self.path}: holds measurements of device "
                                 f"{self.device!r}, not {device!r}")
        replayed = self._replay_journal()
        if not self.readonly and (replayed or not self.path.exists()):
            self.commit()

    # -- reading and writing the .h5 file ----------------------------------------------------
    def _new(self, device: str | None, provenance: dict[str, str],
             campaign: dict[str, Any]) -> None:
        from explorer.version import __version__

        if not device:
            raise BenchmarkError(f"{self.path}: a new store needs a device name")
        self._attrs = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "device": device, "explorer_version": __version__,
            "provenance_json": json.dumps(provenance, sort_keys=True),
            "campaign_json": json.dumps(campaign, sort_keys=True),
            **{f"device.{k}": str(v) for k, v in provenance.items()},
        }

    def _read(self) -> None:
        try:
            f = h5py.File(self.path, "r")
        except OSError as exc:
            raise BenchmarkError(f"{self.path}: not a readable HDF5 benchmark store "
                                 f"({str(exc).splitlines()[0]})") from None
        with f:
            refuse_foreign_storage(f, self.path)
            if f.attrs.get("format") != FORMAT or "samples" not in f:
                raise BenchmarkError(f"{self.path}: not an accel-explorer benchmark store "
                                     f"(format attribute {f.attrs.get('format')!r})")
            version = int(f.attrs.get("format_version", 0))
            if version != FORMAT_VERSION and not (version == 1 and self.readonly):
                raise BenchmarkError(f"{self.path}: store format version {version}, this "
                                     f"program writes version {FORMAT_VERSION} (version 1 "
                                     "is read-only); the file is left unchanged")
            missing = [c for c in ALL_COLUMNS
                       if c not in f["samples"] and c not in OPTIONAL_COLUMNS]
            if missing:
                raise BenchmarkError(f"{self.path}: /samples lacks columns {missing}")
            self._attrs = {k: (v.decode() if isinstance(v, bytes) else v)
                           for k, v in f.attrs.items()}
            rows = int(f["samples"].attrs.get("rows", 0))
            for name in ALL_COLUMNS:
                if name not in f["samples"]:  # written before the column existed
                    self._data[name] = [OPTIONAL_COLUMNS[name]] * rows
                    continue
                values = f["samples"][name][:rows]
                if _column_dtype(name) is STR_DTYPE:
                    self._data[name] = [v.decode() if isinstance(v, bytes) else str(v)
                                        for v in values]
                else:
                    self._data[name] = values.tolist()
            if version >= 2:
                self._verify(f["samples"][CHECKSUM_COLUMN][:rows].tolist(), rows)
        self._committed = rows

    def _row_checksum(self, i: int) -> int:
        return checksum(json.dumps([self._data[name][i] for name in ALL_COLUMNS]))

    def _verify(self, stored: list[int], rows: int) -> None:
        bad = [i for i in range(rows) if i >= len(stored) or stored[i] != self._row_checksum(i)]
        if bad:
            raise DamagedStoreError(f"{self.path}: {len(bad)} damaged row(s) (row {bad[0]} "
                                    "fails its checksum); nothing was changed")

    def _replay_journal(self) -> int:
        """Rows a killed writer made durable in the journal but not in the .h5 file."""
        if not self.journal_path.exists():
            return 0
        replayed = 0
        with open(self.journal_path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                if not line.endswith("\n"):
                    break  # the line being written at the kill
                crc, _, text = line.rstrip("\n").partition(" ")
                try:
                    if int(crc, 16) != checksum(text):
                        raise ValueError
                    row = json.loads(text)
                except ValueError:
                    raise DamagedStoreError(f"{self.journal_path}: line {number} fails its "
                                            "checksum; nothing was changed") from None
                if not isinstance(row, dict) or row.get("row") != len(self):
                    continue  # already committed (or not ours)
                for name in ALL_COLUMNS:
                    self._data[name].append(row[name])
                replayed += 1
        return replayed

    def commit(self) -> None:
        """Write the whole store to a new file and rename it over the old one."""
        if self.readonly:
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        rows = len(self)
        with h5py.File(tmp, "w") as f:
            for key, value in self._attrs.items():
                f.attrs[key] = value
            group = f.create_group("samples")
            group.attrs["rows"] = rows
            for name in ALL_COLUMNS:
                dtype = _column_dtype(name)
                data = (np.array(self._data[name], dtype=object) if dtype is STR_DTYPE
                        else np.array(self._data[name], dtype=dtype))
                group.create_dataset(name, data=data, dtype=dtype, maxshape=(None,),
                                     chunks=(max(1, min(4096, rows)),) if rows else (256,))
            group.create_dataset(CHECKSUM_COLUMN, maxshape=(None,),
                                 data=np.array([self._row_checksum(i) for i in range(rows)],
                                               dtype=np.uint32))
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        self._committed = rows
        self._last_commit = time.monotonic()
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        self.journal_path.unlink(missing_ok=True)

    # -- properties -----------------------------------------------------------------------
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
        if not self.readonly:
            self.commit()

    def __len__(self) -> int:
        return len(self._data["kind"])

    # -- writing --------------------------------------------------------------------------
    def append(self, config: LayerConfig, measurement: Measurement, phase: str) -> int:
        if self.readonly:
            raise BenchmarkError(f"{self.path}: opened read-only")
        row = len(self)
        values: dict[str, Any] = config.as_dict()
        for name in MEASUREMENT_FLOAT_COLUMNS:
            values[name] = float(getattr(measurement, name))
        for name in MEASUREMENT_INT_COLUMNS:
            values[name] = int(getattr(measurement, name))
        for name in MEASUREMENT_STR_COLUMNS:
            values[name] = str(getattr(measurement, name))
        values["phase"] = phase
        if self._journal is None:
            self._journal = open(self.journal_path, "a", encoding="utf-8")  # noqa: SIM115
        text = json.dumps({"row": row, **values})
        self._journal.write(f"{checksum(text):08x} {text}\n")
        self._journal.flush()
        os.fsync(self._journal.fileno())  # durable before we count it as measured
        for name in ALL_COLUMNS:
            self._data[name].append(values[name])
        if self._index is not None:
            self._index.setdefault(config.key(), row)
        if (len(self) - self._committed >= self.commit_every
                or time.monotonic() - self._last_commit >= self.commit_interval_s):
            self.commit()
        return row

    # -- reading --------------------------------------------------------------------------
    def column(self, name: str) -> np.ndarray:
        if name not in ALL_COLUMNS:
            raise BenchmarkError(f"{self.path}: no column {name!r}")
        dtype = _column_dtype(name)
        if dtype is STR_DTYPE:
            return np.array(self._data[name], dtype=object)
        return np.array(self._data[name], dtype=dtype)

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
        if not self.readonly and len(self) > self._committed:
            self.commit()
        self._release()

    def _release(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> BenchmarkStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(path: str | Path) -> BenchmarkStore:
    return BenchmarkStore(path, readonly=True)
