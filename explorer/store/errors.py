"""The store's error: a BenchmarkError (the family the CLI already turns into exit 2)."""

from explorer.errors import BenchmarkError


class StoreError(BenchmarkError):
    """A store file is missing, damaged, of another format version, or locked."""


class DamagedStoreError(StoreError):
    """Some records fail their checksum (or cannot be read); `--recover` keeps the rest."""
