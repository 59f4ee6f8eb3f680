"""Issue 13 item 9: what the file says is checked, and the message names the node."""

from __future__ import annotations

import pytest
from onnx import helper
from workload_models import make_model, save, value, weight

from explorer.errors import WorkloadError
from explorer.workload import load_network


def _conv(tmp_path, w_shape=(4, 3, 3, 3), x_shape=(1, 3, 8, 8), name="conv1", **attrs):
    node = helper.make_node("Conv", ["x", "W"], ["y"], name=name, **attrs)
    model = make_model([node], [value("x", list(x_shape))], [value("y", None)],
                       [weight("W", list(w_shape))])
    return save(model, tmp_path)


@pytest.mark.parametrize("attrs, word", [({"group": -1}, "group"), ({"group": "abc"}, "group"),
                                         ({"auto_pad": "FOO"}, "auto_pad"),
                                         ({"strides": [0, 1]}, "strides")])
def test_bad_conv_attributes_name_the_node(tmp_path, attrs, word):
    with pytest.raises(WorkloadError, match=rf"conv1.*{word}"):
        load_network(_conv(tmp_path, **attrs))


def test_weight_channels_must_match_the_input(tmp_path):
    with pytest.raises(WorkloadError, match=r"'conv1'.*channels"):
        load_network(_conv(tmp_path, w_shape=(4, 5, 3, 3)))


def test_control_characters_in_names_do_not_break_lines(tmp_path):
    network = load_network(_conv(tmp_path, name="evil\nname\x1b[31m"))
    assert all(ch.isprintable() for ch in network.layers[0].name)
    with pytest.raises(WorkloadError) as info:
        load_network(_conv(tmp_path, name="evil\nname\x1b[31m", group=-1))
    assert "\n" not in str(info.value) and "\x1b" not in str(info.value)


def test_future_opset_and_ir_version_are_refused(tmp_path):
    node = helper.make_node("Relu", ["x"], ["y"], name="relu")
    model = make_model([node], [value("x", [1, 4])], [value("y", [1, 4])], opset=99)
    with pytest.raises(WorkloadError, match="opset 99"):
        load_network(save(model, tmp_path, "opset"))
    model = make_model([node], [value("x", [1, 4])], [value("y", [1, 4])])
    model.ir_version = 2**40
    with pytest.raises(WorkloadError, match="IR version"):
        load_network(save(model, tmp_path, "ir"))


def test_an_output_nothing_produces_is_refused(tmp_path):
    node = helper.make_node("Relu", ["x"], ["y"], name="relu")
    model = make_model([node], [value("x", [1, 4])], [value("y", [1, 4]), value("ghost", [1])])
    with pytest.raises(WorkloadError, match="'ghost'"):
        load_network(save(model, tmp_path))
