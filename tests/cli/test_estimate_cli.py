"""The CLI contract of `accel-explorer estimate` (other tools rely on it)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from explorer.cli import main


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_documented_fields(capsys) -> None:
    code, out, _ = run_cli(capsys, "estimate", "squeezenet", "--estimator", "roofline",
                           "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data["network"]) >= {"name", "sha256", "layers", "macs"}
    assert data["network"]["name"] == "squeezenet"
    assert len(data["network"]["sha256"]) == 64
    assert data["accelerator"]["name"] == "gemmini"
    assert data["estimator"] == "roofline"
    assert set(data["total"]) >= {"cycles", "latency_s", "energy_j"}
    assert data["runtime_s"] > 0
    layer = data["layers"][0]
    assert set(layer) >= {"name", "op", "onnx_nodes", "macs", "cycles", "latency_s", "bound"}
    assert sum(x["latency_s"] for x in data["layers"]) == pytest.approx(data["total"]["latency_s"])
    assert sum(x["macs"] for x in data["layers"]) == data["network"]["macs"]


def test_csv_and_table(capsys) -> None:
    code, out, _ = run_cli(capsys, "estimate", "alexnet", "--estimator", "refined-roofline",
                           "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {"name", "latency_s", "bound"} <= set(rows[0])
    code, out, _ = run_cli(capsys, "estimate", "alexnet", "--estimator", "roofline")
    assert code == 0 and "total:" in out and "alexnet on gemmini" in out


@pytest.mark.parametrize("args, fragment", [
    (["estimate", "no_such_net"], "no_such_net"),
    (["estimate", "resnet50", "--arch", "no_such_arch"], "no_such_arch"),
    (["estimate", "resnet50", "--estimator", "nope"], "nope"),
    (["estimate", "resnet50", "--input-shape", "x=1xQ"], "--input-shape"),
])
def test_bad_input_exits_2_with_one_line(capsys, args, fragment) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err


def test_corrupt_onnx_file_names_the_file(tmp_path) -> None:
    bad = tmp_path / "broken.onnx"
    bad.write_bytes(b"\x08\x07this is not a protobuf model" * 3)
    proc = subprocess.run([sys.executable, "-m", "explorer", "estimate", str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "broken.onnx" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
