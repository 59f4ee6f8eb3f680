"""Dynamic input dims: detected before loading, asked for with proposals filled in."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from PySide6.QtWidgets import QDialog

from explorer.errors import WorkloadError
from explorer.gui.dialogs import InputShapeDialog
from explorer.session.input_shapes import dynamic_inputs, parse_dims


@pytest.fixture
def dynamic_conv(tmp_path) -> str:
    """A real one-conv ONNX model whose batch, height and width are symbolic."""
    weight = numpy_helper.from_array(np.zeros((8, 3, 3, 3), dtype=np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("Conv", ["image", "w"], ["out"], name="conv", pads=[1, 1, 1, 1])],
        "dynamic",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, None)],
        initializer=[weight])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    path = tmp_path / "dynamic.onnx"
    onnx.save(model, str(path))
    return str(path)


def test_dynamic_dims_are_found_and_proposed(dynamic_conv) -> None:
    specs = dynamic_inputs(dynamic_conv)
    assert [(s.name, s.dims) for s in specs] == [("image", ("N", 3, "H", "W"))]
    assert specs[0].proposal() == (1, 3, 224, 224)


def test_parse_dims() -> None:
    assert parse_dims("1x3x224x224") == (1, 3, 224, 224)
    assert parse_dims("1, 3, 32, 32") == (1, 3, 32, 32)
    with pytest.raises(WorkloadError, match="positive integers"):
        parse_dims("1x0x3")


def test_dialog_checks_rank_and_fixed_dims(qtbot, dynamic_conv) -> None:
    dialog = InputShapeDialog("dynamic.onnx", dynamic_inputs(dynamic_conv))
    qtbot.addWidget(dialog)
    assert dialog.shapes() == {"image": (1, 3, 224, 224)}
    dialog.set_text("image", "1x4x32x32")
    with pytest.raises(WorkloadError, match="dim 1 is fixed to 3"):
        dialog.shapes()
    dialog.set_text("image", "1x3x32")
    dialog.accept()  # refused: stays open with the message
    assert not dialog.error.isHidden() and "3 dims given" in dialog.error.text()
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_window_asks_and_loads_with_the_given_shape(qtbot, window, dynamic_conv,
                                                    monkeypatch) -> None:
    def exec_(self) -> int:
        self.set_text("image", "2x3x64x48")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(InputShapeDialog, "exec", exec_)
    with qtbot.waitSignal(window.networkLoaded, timeout=30_000):
        window.open_network(dynamic_conv)
    network = window.session.network
    assert network.input_shapes == {"image": (2, 3, 64, 48)}
    assert network.layers[0].output_shape == (2, 8, 64, 48)


def test_declining_the_dialog_loads_nothing(qtbot, window, dynamic_conv, monkeypatch) -> None:
    monkeypatch.setattr(InputShapeDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    window.open_network(dynamic_conv)
    qtbot.waitUntil(lambda: not window.runner.is_busy(), timeout=30_000)
    assert window.session.network is None
