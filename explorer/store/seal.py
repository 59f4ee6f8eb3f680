"""A whole-file CRC-32 of a store's .h5 file, kept in the file's HDF5 user block.

Why: HDF5 keeps no checksum on some of its metadata (the global heap that holds
variable-length strings, such as every store's `format` attribute). A damaged heap can
make libhdf5 loop forever inside one read, which nothing in-process can interrupt (found
by tests/fuzz/test_store_fuzz.py). So h5py reads a store only once the bytes after the
user block match the checksum written with them; a file that fails is damaged as a
whole, and only `--recover` reads it, in a child process it can stop (salvage.py).

The user block is the first USER_BLOCK bytes of the file, which HDF5 skips (any HDF5
tool still opens the file). A store written before seals has the HDF5 signature at byte
0 instead; it is read as before (row checksums only), and a file that is neither is left
to h5py to refuse.
"""

from __future__ import annotations

import zlib
from pathlib import Path

USER_BLOCK = 512  # h5py.File(..., userblock_size=USER_BLOCK)
MAGIC = b"accel-explorer store crc32="
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_CHUNK = 1 << 20


def _crc_from(f, offset: int) -> int:
    f.seek(offset)
    crc = 0
    while chunk := f.read(_CHUNK):
        crc = zlib.crc32(chunk, crc)
    return crc


def seal(path: Path) -> None:
    """Write the checksum of everything after the user block into it (the file was
    written with userblock_size=USER_BLOCK and is closed)."""
    with open(path, "r+b") as f:
        crc = _crc_from(f, USER_BLOCK)
        f.seek(0)
        f.write(MAGIC + f"{crc:08x}\n".encode())


def seal_problem(path: Path) -> str | None:
    """What is wrong with the file's seal, one phrase; None when it is sealed and its
    bytes match, or when it was written before seals."""
    with open(path, "rb") as f:
        head = f.read(USER_BLOCK)
        if not head.startswith(MAGIC):
            f.seek(USER_BLOCK)
            if f.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE:
                return "its seal is damaged"
            # written before seals (HDF5 signature at byte 0), or not a store at all:
            # h5py reads the one and refuses the other
            return None
        try:
            expected = int(head[len(MAGIC):len(MAGIC) + 8], 16)
        except ValueError:
            return "its header is damaged"
        if _crc_from(f, USER_BLOCK) != expected:
            return "its bytes fail their checksum (truncated or damaged)"
    return None
