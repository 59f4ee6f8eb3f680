"""Reading a damaged store file's intact records in a child process (`--recover` only).

A file whose seal fails (seal.py) may hold damage that makes libhdf5 loop forever; a
thread or signal cannot stop a C library that never returns, a process can. The child
reads the file exactly as a store opens it (records.read_committed: every row checked
against its own checksum) and prints the result as JSON; the parent stops it after a
time that grows with the file's size.

    python -m explorer.store.salvage FILE KIND
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Seconds the child may take: start-up and a small file, plus reading at a slow disk's pace.
BASE_TIMEOUT_S = 10.0
BYTES_PER_S = 20e6


def salvage(path: Path, kind: str) -> tuple[object | None, str]:
    """(the file's Committed records, "") or (None, why none could be read)."""
    from explorer.store.records import Column, Committed

    timeout = BASE_TIMEOUT_S + path.stat().st_size / BYTES_PER_S
    try:
        done = subprocess.run([sys.executable, "-m", "explorer.store.salvage", str(path), kind],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"reading it hung the HDF5 library for {timeout:.0f} s"
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return None, lines[-1] if lines else f"the reader exited with {done.returncode}"
    out = json.loads(done.stdout)
    return Committed(out["attrs"], [Column(*c) for c in out["columns"]], out["data"],
                     out["crcs"], out["damaged"]), ""


def _plain(value: object) -> object:
    """An HDF5 attribute as JSON can carry it (numpy scalars to Python)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def main(argv: list[str]) -> int:
    import h5py

    from explorer.store.records import read_committed

    path, kind = Path(argv[0]), argv[1]
    try:
        with h5py.File(path, "r") as f:
            committed = read_committed(f, path, kind)
    except Exception as exc:  # noqa: BLE001 - the parent reports it as one line
        print(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
              file=sys.stderr)
        return 1
    json.dump({"attrs": {k: _plain(v) for k, v in committed.attrs.items()},
               "columns": [c.to_json() for c in committed.columns],
               "data": committed.data, "crcs": committed.crcs,
               "damaged": committed.damaged}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
