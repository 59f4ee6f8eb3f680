"""The three attacks through the CLI: exit status 2, one line naming the file, no
payload run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from attacks import billion_laughs_yaml, code_running_model, external_weight_model

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


@pytest.mark.slow  # three CLI start-ups; the same refusals run in-process in the default tier
@pytest.mark.parametrize("attack", ["model", "onnx", "yaml"])
def test_attack_files_exit_2_with_one_line(tmp_path, attack):
    marker = tmp_path / "marker"
    if attack == "model":
        path = code_running_model(tmp_path / "evil.skops", marker)
        args = ["estimate", "squeezenet", "--estimator", "statistical", "--model", str(path)]
    elif attack == "onnx":
        path = external_weight_model(tmp_path / "ext.onnx", "/etc/passwd", 100)
        args = ["estimate", str(path)]
    else:
        path = tmp_path / "laughs.yaml"
        path.write_text(billion_laughs_yaml())
        args = ["estimate", "squeezenet", "--arch", str(path)]
    done = _run(*args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0]
    assert not marker.exists()
