"""Bad input gives one WorkloadError line "<path>: <cause>", never another exception."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from workload_models import make_model, save, value, weight

from explorer.errors import WorkloadError
from explorer.workload import load_network, zoo_path


def _error(source, **kwargs) -> str:
    with pytest.raises(WorkloadError) as info:
        load_network(source, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


def _conv_model() -> onnx.ModelProto:
    return make_model([helper.make_node("Conv", ["x", "w"], ["y"])],
                      [value("x", [1, 3, 8, 8])], [value("y", None)], [weight("w", [4, 3, 3, 3])])


def test_not_onnx(tmp_path: Path) -> None:
    path = tmp_path / "notes.onnx"
    path.write_text("this is a text file, not a protobuf\n" * 20)
    message = _error(path)
    assert message.startswith(f"{path}: ")
    assert "not an ONNX model" in message


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.onnx"
    path.write_bytes(bytes(range(256)) * 4)
    assert _error(path).startswith(f"{path}: ")


def test_truncated(tmp_path: Path) -> None:
    data = zoo_path("squeezenet").read_bytes()
    for fraction in (0.3, 0.5, 0.9):
        path = tmp_path / f"cut{fraction}.onnx"
        path.write_bytes(data[: int(len(data) * fraction)])
        message = _error(path)
        assert message.startswith(f"{path}: ")
        assert "truncated" in message or "not an ONNX model" in message


def test_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.onnx"
    path.write_bytes(b"")
    assert _error(path) == f"{path}: empty file, not an ONNX model"


def test_graph_without_nodes(tmp_path: Path) -> None:
    model = make_model([], [value("x", [1])], [value("x", [1])])
    path = save(model, tmp_path)
    assert "no nodes" in _error(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.onnx"
    assert _error(missing) == f"{missing}: no such file"
    assert "is a directory" in _error(tmp_path)


def test_unknown_zoo_name() -> None:
    message = _error("resnet5O")
    assert message.startswith("resnet5O: ")
    assert "resnet50" in message  # lists what is allowed


def test_missing_external_weights(tmp_path: Path) -> None:
    path = tmp_path / "external.onnx"
    onnx.save_model(_conv_model(), path, save_as_external_data=True,
                    all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)
    assert load_network(path).layers[0].macs == 4 * 27 * 36  # complete: loads
    data = (tmp_path / "weights.bin").read_bytes()
    (tmp_path / "weights.bin").write_bytes(data[:10])
    message = _error(path)
    assert message.startswith(f"{path}: external weights of 'w' truncated")
    (tmp_path / "weights.bin").unlink()
    message = _error(path)
    assert message.startswith(f"{path}: external weights of 'w' missing")
    assert "weights.bin" in message


def test_unresolvable_shapes(tmp_path: Path) -> None:
    # The conv's input shape depends on the *value* of an input tensor: static inference
    # cannot know it and running the model with zeros fails.
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["r"], allowzero=1),
             helper.make_node("Conv", ["r", "w"], ["y"])]
    model = make_model(nodes, [value("x", [1, 3, 8, 8]),
                               value("shape", [4], TensorProto.INT64)],
                       [value("y", None)], [weight("w", [4, 3, 3, 3])])
    path = save(model, tmp_path)
    message = _error(path)
    assert message.startswith(f"{path}: unresolvable shapes")


def test_dangling_input(tmp_path: Path) -> None:
    model = make_model([helper.make_node("Relu", ["ghost"], ["y"])],
                       [value("x", [1])], [value("y", None)])
    message = _error(save(model, tmp_path))
    assert "'ghost'" in message and "truncated or corrupt" in message


def test_dynamic_dims_besides_batch(tmp_path: Path) -> None:
    model = make_model([helper.make_node("Relu", ["x"], ["y"])],
                       [value("x", ["N", 3, "H", "W"])], [value("y", None)])
    path = save(model, tmp_path)
    message = _error(path)
    assert "dynamic dims ['H', 'W']" in message and "--input-shape x=" in message
    net = load_network(path, {"x": (2, 3, 5, 5)})
    assert net.layers[0].outputs == [(2, 3, 5, 5)]


def test_bad_input_shape_override(tmp_path: Path) -> None:
    path = save(_conv_model(), tmp_path)
    assert "'nope'" in _error(path, input_shapes={"nope": (1, 3, 8, 8)})
    assert "rank 4" in _error(path, input_shapes={"x": (1, 3, 8)})


def test_corrupted_bytes_never_escape_as_other_errors(tmp_path: Path, capfd) -> None:
    """Byte flips anywhere in a real model: a Network or a WorkloadError, and nothing
    printed (onnxruntime's wrapper prints on failures when it runs for shapes)."""
    data = zoo_path("squeezenet").read_bytes()
    rng = random.Random(7)
    path = tmp_path / "flipped.onnx"
    for _ in range(80):
        corrupted = bytearray(data)
        for _ in range(rng.choice((1, 3))):
            corrupted[rng.randrange(len(corrupted))] = rng.randrange(256)
        path.write_bytes(bytes(corrupted))
        try:
            load_network(path)
        except WorkloadError as exc:
            assert str(exc).startswith(f"{path}: ")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_external_weights_with_onnxruntime_shape_fallback(tmp_path: Path) -> None:
    # static inference cannot size the Resize (sizes computed through float arithmetic),
    # so onnxruntime runs the model: it must find the external weights.
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Cast", ["s"], ["sf"], to=TensorProto.FLOAT),
             helper.make_node("Mul", ["sf", "scale"], ["s2"]),
             helper.make_node("Cast", ["s2"], ["si"], to=TensorProto.INT64),
             helper.make_node("Resize", ["x", "", "", "si"], ["r"], mode="nearest"),
             helper.make_node("Conv", ["r", "w"], ["y"])]
    scale = onnx.numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scale")
    model = make_model(nodes, [value("x", [1, 3, 8, 8])], [value("y", None)],
                       [weight("w", [4, 3, 3, 3]), scale])
    path = tmp_path / "ext.onnx"
    onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location="ext.bin", size_threshold=0)
    net = load_network(path)
    assert net.layers[-1].macs == 4 * 27 * 14 * 14
    assert any("onnxruntime" in w for w in net.warnings)


def test_cycle(tmp_path: Path) -> None:
    nodes = [helper.make_node("Add", ["x", "b"], ["a"], name="first"),
             helper.make_node("Relu", ["a"], ["b"], name="second")]
    model = make_model(nodes, [value("x", [2])], [value("b", None)])
    message = _error(save(model, tmp_path))
    assert "part of a cycle" in message
