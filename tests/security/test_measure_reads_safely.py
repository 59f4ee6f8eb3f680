"""Issue 13 (with 8.2): `measure` reads a network through the workload's safe reader, not
`onnx.load`, so a model whose external weights point outside its folder is refused before
any outside byte is read, with the same one-line message as `load_network`."""

from __future__ import annotations

import os

import pytest
from attacks import external_weight_model

from explorer.errors import WorkloadError


def test_measure_refuses_weights_outside_the_folder(tmp_path):
    from explorer.benchmarking.measure import measure_network

    size = os.path.getsize("/etc/passwd")
    path = external_weight_model(tmp_path / "m.onnx", "/etc/passwd", length=size)
    with pytest.raises(WorkloadError) as info:
        measure_network(str(path), profiled_runs=1)
    message = str(info.value)
    assert "outside the model's folder" in message and "\n" not in message
    assert str(size) not in message
