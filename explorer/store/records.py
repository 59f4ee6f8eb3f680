"""The one store format of sweeps and explorations: an append-only table of records in
HDF5, each record with a CRC-32, written so that a kill -9 at any instant loses at most
the record being written (layout and reasoning in docs/sweep-format.md).

How it stays crash-safe. HDF5 is not: a process killed while h5py writes in place can
leave a file no library opens again ("bad heap index"). So the .h5 file is only ever
replaced whole (written beside it, fsync'ed, renamed over it: an atomic step), and each
record is first appended to `FILE.h5.journal` as one line `CRC ROW JSON` (flushed and
fsync'ed before `append` returns). The journal is folded into the .h5 file every
`commit_every` records, every `commit_interval_s` seconds and on close; opening the store
replays it. A torn last line (no newline: the record being written at the kill) is
dropped; any other line or .h5 row whose checksum fails is damage: the store refuses to
open until `recover=True` keeps every intact record (the damaged file is kept aside).
"""

from __future__ import annotations

import json
import os
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from explorer.store.errors import DamagedStoreError, StoreError
from explorer.store.foreign import refuse_foreign_storage
from explorer.store.lock import StoreLock
from explorer.store.seal import USER_BLOCK, seal, seal_problem

FORMAT = "accel-explorer store"
FORMAT_VERSION = 2  # version 1 was the in-place sweep file ("accel-explorer-sweep")
CHECKSUM_PATH = "records/crc32"
_READ_SLICE = 1024  # rows read at once; a damaged slice marks only its own rows
STR = h5py.string_dtype("utf-8")


@dataclass(frozen=True)
class Column:
    """One field of every record: its dataset path and kind.

    kind: "int" (int64), "float" (float64), "str" (UTF-8) or "floats" (a float64 vector
    of `size` values per record, stored as a (rows, size) dataset)."""

    path: str
    kind: str
    size: int = 0

    def to_json(self) -> list:
        return [self.path, self.kind, self.size]

    def normalise(self, value: Any) -> Any:
        """The value as plain Python (int, float, str, list of floats): what is hashed."""
        if self.kind == "int":
            return int(value)
        if self.kind == "float":
            return float(value)
        if self.kind == "str":
            return value.decode() if isinstance(value, bytes) else str(value)
        values = [float(v) for v in value]
        if len(values) != self.size:
            raise StoreError(f"{self.path}: {len(values)} values, the store holds {self.size}")
        return values


def _canonical(columns: list[Column], record: dict[str, Any]) -> str:
    values = [c.normalise(record[c.path]) for c in columns]
    return json.dumps(values, separators=(",", ":"), allow_nan=True)


def checksum(text: str) -> int:
    return zlib.crc32(text.encode())


class RecordStore:
    """An open store. Writers hold the lock from open to close; readers take no lock."""

    def __init__(self, path: str | Path, *, kind: str, columns: list[Column] | None = None,
                 attrs: dict[str, Any] | None = None, readonly: bool = False,
                 recover: bool = False, commit_every: int = 256,
                 commit_interval_s: float = 5.0, lock: StoreLock | None = None) -> None:
        self.path = Path(path)
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.kind, self.readonly, self.recover = kind, readonly, recover
        self.commit_every, self.commit_interval_s = commit_every, commit_interval_s
        self.columns: list[Column] = list(columns or [])
        self.attrs: dict[str, Any] = dict(attrs or {})
        self.extras: dict[str, Any] = {}  # derived datasets rewritten at each commit
        self._data: dict[str, list] = {}
        self._crc: list[int] = []
        self._committed = 0
        self._last_commit = time.monotonic()
        self._journal: Any = None
        self.damaged: list[str] = []  # what recovery dropped, one line each
        # a writer's lock: `lock` when the caller already holds it (a kind that converts
        # an old file first), else taken here
        self._lock = None if readonly else (lock or StoreLock(self.path).acquire())
        try:
            self._open(columns, attrs)
        except BaseException:
            self.close(commit=False)
            raise

    # -- opening -----------------------------------------------------------------------------
    def _open(self, columns: list[Column] | None, attrs: dict[str, Any] | None) -> None:
        exists = self.path.exists()
        readable = False
        if exists:
            readable = self._read()
        elif self.readonly:
            raise StoreError(f"{self.path}: no such store")
        if not readable:
            if columns is None:
                raise StoreError(f"{self.path}: a new store needs its columns")
            from explorer.version import __version__

            self.attrs = {"format": FORMAT, "format_version": FORMAT_VERSION,
                          "kind": self.kind, "explorer_version": __version__,
                          "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                          **(attrs or {})}
            self._data = {c.path: [] for c in self.columns}
        elif columns is not None and [c.to_json() for c in columns] != \
                [c.to_json() for c in self.columns]:
            what = "sweep or exploration (other parameters or networks)" \
                if self.kind == "exploration" else f"{self.kind} store (other columns)"
            raise StoreError(f"{self.path}: holds a different {what}; choose another file")
        replayed = self._replay_journal()
        if self.damaged and not self.recover:
            raise DamagedStoreError(
                f"{self.path}: {len(self.damaged)} damaged record(s) (first: "
                f"{self.damaged[0]}); nothing was changed; rerun with --recover to keep "
                "every intact record")
        if self.readonly:
            return
        if self.damaged or (exists and not readable):
            self._set_aside()
            self.commit()
        elif replayed or not exists:
            self.commit()

    def _read(self) -> bool:
        """Load the committed records; False when the file is unreadable and we recover."""
        try:
            problem = seal_problem(self.path)
        except OSError as exc:  # a folder, no permission
            return self._unreadable(exc.strerror or type(exc).__name__)
        if problem is not None:
            return self._salvage(problem)
        try:
            f = h5py.File(self.path, "r")
            with f:
                committed = read_committed(f, self.path, self.kind)
        # h5py reports damaged metadata inside a file as KeyError/RuntimeError/ValueError
        # (found by tests/fuzz/test_store_fuzz.py), a damaged file header as OSError
        except (OSError, KeyError, RuntimeError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return self._unreadable(reason.strip("'\""))
        self._take(committed)
        return True

    def _unreadable(self, reason: str) -> bool:
        if self.recover and not self.readonly and self.columns:
            self.damaged.append(f"the whole .h5 file ({reason})")
            return False
        raise DamagedStoreError(f"{self.path}: not a readable HDF5 store (truncated or "
                                f"damaged: {reason}); nothing was changed")

    def _salvage(self, problem: str) -> bool:
        """A file whose seal fails: refused, or with `recover`, its intact records read
        in a child process that is stopped if libhdf5 hangs on the damage."""
        if not (self.recover and not self.readonly and self.columns):
            raise DamagedStoreError(f"{self.path}: damaged store ({problem}); nothing was "
                                    "changed; rerun with --recover to keep every intact "
                                    "record")
        from explorer.store.salvage import salvage

        committed, reason = salvage(self.path, self.kind)
        if committed is None:
            return self._unreadable(f"{problem}; {reason}")
        self.damaged.append(f"the .h5 file ({problem})")
        self._take(committed)
        return True

    def _take(self, committed: Committed) -> None:
        self.attrs, self.columns = committed.attrs, committed.columns
        self._data, self._crc = committed.data, committed.crcs
        self.damaged += committed.damaged
        self._committed = len(self._crc) if not self.damaged else -1

    def _replay_journal(self) -> int:
        if not self.journal_path.exists():
            return 0
        try:
            with open(self.journal_path, "rb") as f:
                raw = f.read()
        except OSError as exc:
            raise StoreError(f"{self.journal_path}: cannot read ({exc.strerror})") from None
        lines = raw.split(b"\n")
        lines.pop()  # after the last newline: empty, or the record being written (dropped)
        replayed = 0
        committed_rows = int(self.attrs.get("rows", 0))
        for number, line in enumerate(lines, 1):
            try:
                crc_text, row_text, values_text = line.decode().split(" ", 2)
                if int(crc_text, 16) != checksum(f"{row_text} {values_text}"):
                    raise ValueError("checksum")
                row, values = int(row_text), json.loads(values_text)
                record = {c.path: c.normalise(v) for c, v in zip(self.columns, values,
                                                                 strict=True)}
            except (ValueError, UnicodeDecodeError, TypeError, StoreError):
                self.damaged.append(f"journal line {number} fails its checksum")
                continue
            if row < committed_rows:
                continue  # committed before a kill between rename and journal removal
            for path, value in record.items():
                self._data[path].append(value)
            self._crc.append(checksum(_canonical(self.columns, record)))
            replayed += 1
        return replayed

    def _set_aside(self) -> None:
        """Keep the damaged file (and journal) beside the recovered one, never overwrite."""
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for source in (self.path, self.journal_path):
            if source.exists():
                target = source.with_name(f"{source.name}.damaged-{stamp}")
                n = 1
                while target.exists():
                    target = source.with_name(f"{source.name}.damaged-{stamp}-{n}")
                    n += 1
                os.replace(source, target)
                self.damaged.append(f"original kept as {target.name}")
        self._journal = None

    # -- writing -------------------------------------------------------------------------------
    def append(self, record: dict[str, Any]) -> int:
        """Make `record` durable (journal, fsync) and return its row number."""
        return self.extend([record])

    def extend(self, records: list[dict[str, Any]]) -> int:
        """Make every record durable with one fsync; the row number of the last one."""
        if self.readonly:
            raise StoreError(f"{self.path}: opened read-only")
        texts = [_canonical(self.columns, record) for record in records]
        if self._journal is None:
            self._journal = open(self.journal_path, "a", encoding="utf-8")  # noqa: SIM115
        for row, text in enumerate(texts, len(self)):
            line = f"{row} {text}"
            self._journal.write(f"{checksum(line):08x} {line}\n")
        self._journal.flush()
        os.fsync(self._journal.fileno())
        for text in texts:
            for column, value in zip(self.columns, json.loads(text)):
                self._data[column.path].append(value)
            self._crc.append(checksum(text))
        if (len(self) - self._committed >= self.commit_every
                or time.monotonic() - self._last_commit >= self.commit_interval_s):
            self.commit()
        return len(self) - 1

    def commit(self) -> None:
        """Write every record to a new file and rename it over the old one (atomic)."""
        if self.readonly:
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        rows = len(self)
        attrs = {**self.attrs, "rows": rows,
                 "schema_json": json.dumps([c.to_json() for c in self.columns])}
        try:
            with h5py.File(tmp, "w", userblock_size=USER_BLOCK) as f:
                for key, value in attrs.items():
                    f.attrs[key] = value
                for column in self.columns:
                    _write_column(f, column, self._data[column.path])
                f.create_dataset(CHECKSUM_PATH, data=np.array(self._crc, dtype=np.uint32),
                                 maxshape=(None,))
                for key, value in self.extras.items():
                    f.create_dataset(key, data=value)
                for group in {c.path.split("/")[0] for c in self.columns if "/" in c.path}:
                    f[group].attrs["rows"] = rows
            seal(tmp)  # h5py reads it only while its bytes match (seal.py)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
            _fsync_dir(self.path.parent)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"{self.path}: cannot write ({exc}); the records so far are "
                             f"kept in {self.journal_path.name}") from None
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        self.journal_path.unlink(missing_ok=True)
        self.attrs["rows"] = rows
        self._committed = rows
        self._last_commit = time.monotonic()

    def close(self, commit: bool = True) -> None:
        try:
            if commit and not self.readonly and self._lock is not None \
                    and len(self) != self._committed:
                self.commit()
        finally:
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._crc)

    def column(self, path: str) -> list:
        return self._data[path]

    def records(self) -> Iterator[dict[str, Any]]:
        for i in range(len(self)):
            yield {path: values[i] for path, values in self._data.items()}


@dataclass
class Committed:
    """The committed part of a store file, every row checked against its checksum."""

    attrs: dict[str, Any]
    columns: list[Column]
    data: dict[str, list]
    crcs: list[int]
    damaged: list[str]  # rows dropped, one line each


def read_committed(f: h5py.File, path: Path, kind: str) -> Committed:
    """The committed records of an open store file of `kind` (StoreError if it is not
    one; rows that fail their checksum are left out and listed in `damaged`)."""
    refuse_foreign_storage(f, path)
    fmt = f.attrs.get("format")
    version = f.attrs.get("format_version")
    if fmt != FORMAT:
        old = " (a sweep file of format version 1)" if fmt == "accel-explorer-sweep" else ""
        raise StoreError(f"{path}: not an accel-explorer store of format version "
                         f"{FORMAT_VERSION}{old}; it is left unchanged, write to a new file")
    if version != FORMAT_VERSION:
        raise StoreError(f"{path}: store format version {version}, this program reads "
                         f"version {FORMAT_VERSION}; it is left unchanged")
    if f.attrs.get("kind") != kind:
        raise StoreError(f"{path}: a store of kind {f.attrs.get('kind')!r}, not {kind!r}; "
                         "it is left unchanged")
    attrs = dict(f.attrs.items())
    try:
        columns = [Column(*c) for c in json.loads(attrs["schema_json"])]
        rows = int(attrs["rows"])
    except (KeyError, ValueError, TypeError) as exc:
        raise DamagedStoreError(f"{path}: damaged store header ({exc}); nothing was "
                                "changed") from None
    committed = Committed(attrs, columns, {c.path: [] for c in columns}, [], [])
    for start in range(0, rows, _READ_SLICE):
        stop = min(rows, start + _READ_SLICE)
        try:
            chunk = {c.path: _read_slice(f, c, start, stop) for c in columns}
            stored = f[CHECKSUM_PATH][start:stop].tolist()
            if len(stored) != stop - start or any(len(v) != stop - start
                                                  for v in chunk.values()):
                raise ValueError("short dataset")
        except (OSError, KeyError, ValueError, TypeError) as exc:
            committed.damaged.append(f"rows {start}-{stop - 1} unreadable "
                                     f"({str(exc).splitlines()[0] if str(exc) else exc!r})")
            continue
        for i in range(stop - start):
            record = {path: values[i] for path, values in chunk.items()}
            try:
                crc = checksum(_canonical(columns, record))
            except (ValueError, TypeError, StoreError):
                crc = -1
            if crc != stored[i]:
                committed.damaged.append(f"row {start + i} fails its checksum")
                continue
            for path, value in record.items():
                committed.data[path].append(value)
            committed.crcs.append(crc)
    return committed


def _read_slice(f: h5py.File, column: Column, start: int, stop: int) -> list:
    dataset = f[column.path]
    if column.kind == "str":
        return [str(v) for v in dataset.asstr()[start:stop]]
    if column.kind == "floats":
        return [[float(x) for x in row] for row in dataset[start:stop]]
    return dataset[start:stop].tolist()


def _write_column(f: h5py.File, column: Column, values: list) -> None:
    if column.kind == "str":
        data = np.array(values, dtype=object) if values else np.zeros(0, dtype=object)
        f.create_dataset(column.path, data=data, dtype=STR, maxshape=(None,))
    elif column.kind == "floats":
        data = np.array(values, dtype=np.float64).reshape(len(values), column.size)
        f.create_dataset(column.path, data=data, maxshape=(None, column.size))
    else:
        dtype = np.int64 if column.kind == "int" else np.float64
        f.create_dataset(column.path, data=np.array(values, dtype=dtype), maxshape=(None,))


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
