"""The one store format of accel-explorer: versioned, append-only, checksummed records in
HDF5, one locked writer at a time (see records.py and docs/sweep-format.md)."""

from explorer.store.errors import DamagedStoreError, StoreError
from explorer.store.lock import StoreLock
from explorer.store.records import FORMAT, FORMAT_VERSION, Column, RecordStore, checksum

__all__ = ["FORMAT", "FORMAT_VERSION", "Column", "DamagedStoreError", "RecordStore",
           "StoreError", "StoreLock", "checksum"]
