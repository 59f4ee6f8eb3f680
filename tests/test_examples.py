"""The examples run as a user runs them (a fresh interpreter) and write what they promise."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import h5py
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_quickstart_runs_and_writes_its_files(tmp_path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "quickstart.py"),
                           str(tmp_path)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "fastest: 32x32" in done.stdout
    for name in ("sweep_latency.png", "layers.png"):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000
    estimate = json.loads((tmp_path / "resnet50_gemmini.json").read_text(encoding="utf-8"))
    table = pd.read_csv(tmp_path / "resnet50_gemmini.csv")
    assert len(table) == len(estimate["layers"])
    assert table["latency_s"].sum() == pytest.approx(estimate["total"]["latency_s"], rel=1e-12)
    with h5py.File(tmp_path / "sweep.h5", "r") as f:
        assert f["results/latency_s"].shape == (9,)
