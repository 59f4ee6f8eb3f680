"""Issue 8.2: external tensor data is read only from inside the model's folder, and no
message tells anything about a file outside it."""

from __future__ import annotations

import os

import pytest
from attacks import external_weight_model

from explorer.errors import WorkloadError
from explorer.workload import load_network


def _refusal(path) -> str:
    with pytest.raises(WorkloadError) as info:
        load_network(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


def test_absolute_path_is_refused_without_revealing_the_file(tmp_path):
    size = os.path.getsize("/etc/passwd")
    path = external_weight_model(tmp_path / "m.onnx", "/etc/passwd", length=size + 1)
    message = _refusal(path)
    assert "outside the model's folder" in message
    assert str(size) not in message and "bytes" not in message


def test_absolute_path_to_a_missing_file_reads_the_same(tmp_path):
    """Existence is not revealed either: a missing outside file gives the same message."""
    real = _refusal(external_weight_model(tmp_path / "a.onnx", "/etc/passwd"))
    missing = _refusal(external_weight_model(tmp_path / "b.onnx", "/etc/no-such-file-xyz"))
    assert real.split(": ", 1)[1].replace("passwd", "X") == \
        missing.split(": ", 1)[1].replace("no-such-file-xyz", "X")


@pytest.mark.parametrize("location", ["../secret.bin", "sub/../../secret.bin",
                                      "..\\secret.bin"])
def test_parent_escapes_are_refused(tmp_path, location):
    folder = tmp_path / "model"
    folder.mkdir()
    (tmp_path / "secret.bin").write_bytes(b"\0" * 4096)
    message = _refusal(external_weight_model(folder / "m.onnx", location))
    assert "outside the model's folder" in message and "4096" not in message


def test_symlink_pointing_outside_is_refused(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (tmp_path / "secret.bin").write_bytes(b"\0" * 4096)
    (folder / "weights.bin").symlink_to(tmp_path / "secret.bin")
    message = _refusal(external_weight_model(folder / "m.onnx", "weights.bin"))
    assert "outside the model's folder" in message and "4096" not in message


def test_weights_inside_the_folder_are_still_read(tmp_path):
    (tmp_path / "weights.bin").write_bytes(b"\0" * 64)
    network = load_network(external_weight_model(tmp_path / "m.onnx", "weights.bin"))
    assert [layer.op for layer in network.layers] == ["Conv"]


def test_weights_in_a_subfolder_are_read_and_truncation_is_reported(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "w.bin").write_bytes(b"\0" * 10)
    message = _refusal(external_weight_model(tmp_path / "m.onnx", "data/w.bin"))
    assert "truncated" in message
