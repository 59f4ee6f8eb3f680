"""One writer per store: an exclusive `fcntl.flock` on `FILE.h5.lock`.

Why flock on a separate file: the store's .h5 file is replaced whole at every commit (a
new inode each time), so a lock on it would guard nothing; and a lock *file* that merely
exists would outlive a killed writer as a stale block. A flock belongs to an open file
description: the kernel drops it when the holder exits, however it dies (kill -9 too).
The lock file is never deleted (deleting it would let two writers lock two inodes).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from explorer.store.errors import StoreError


class StoreLock:
    """Held from `acquire()` until `release()` (or the process ends)."""

    def __init__(self, store_path: str | Path) -> None:
        self.store_path = Path(store_path)
        self.path = self.store_path.with_name(self.store_path.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> StoreLock:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"{self.store_path}: cannot create the lock file {self.path.name}"
                             f" ({exc.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise StoreError(f"{self.store_path}: another process (pid {holder}) is writing "
                             "this store; wait for it to finish or choose another file") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)  # for the message above only
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> StoreLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
