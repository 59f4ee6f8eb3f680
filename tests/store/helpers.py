"""Helpers of the store tests: damage a file where a record lives, run a real sweep."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import h5py

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def data_offset(path: Path, dataset: str) -> tuple[int, int]:
    """Byte offset and size of a dataset's raw data in the file (its first chunk)."""
    with h5py.File(path, "r") as f:
        d = f[dataset]
        if d.chunks is None:
            return d.id.get_offset(), d.id.get_storage_size()
        info = d.id.get_chunk_info(0)
        return info.byte_offset, info.size


def flip_bytes(path: Path, offset: int, count: int = 2) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        data = bytearray(f.read(count))
        f.seek(offset)
        f.write(bytes(b ^ 0x5A for b in data))


def sweep_command(path: Path, values: str = "8,12,16,20,24,28,32,40,48,56,64,96") -> list[str]:
    return [sys.executable, "-m", "explorer", "sweep", "squeezenet", "--arch", "systolic",
            "--estimator", "roofline", "--param", f"compute.pe_rows={values}",
            "--param", "compute.pe_cols=8,16,32", "-o", str(path)]


def run(cmd: list[str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True,
                          timeout=timeout)
