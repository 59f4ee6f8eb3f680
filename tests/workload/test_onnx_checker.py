"""Issue 13 item 9 (the rest): onnx's checker runs on every file (with the options real
files need: declared intermediate shapes are not held against them, nodes need not be
sorted, other domains' ops are not checked), and the attributes each op parser reads are
validated; either way the one-line message names the node."""

from __future__ import annotations

import pytest
from onnx import TensorProto, helper
from workload_models import make_model, save, value, weight

from explorer.errors import WorkloadError
from explorer.workload import load_network


def _one(tmp_path, op, inputs, attrs=None, shapes=None, inits=(), out=None, name="n1"):
    node = helper.make_node(op, list(inputs), ["y"], name=name, **(attrs or {}))
    feeds = [value(n, s) for n, s in (shapes or {"x": [1, 4, 8, 8]}).items()]
    return save(make_model([node], feeds, [value("y", out)], list(inits)), tmp_path)


def _refused(path, *fragments):
    with pytest.raises(WorkloadError) as info:
        load_network(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_wrong_number_of_inputs(tmp_path):
    _refused(_one(tmp_path, "Relu", ["x", "x"]), "n1", "input")


def test_unknown_attribute(tmp_path):
    _refused(_one(tmp_path, "Relu", ["x"], {"flavour": 1}), "n1", "flavour")


def test_missing_required_attribute(tmp_path):
    _refused(_one(tmp_path, "MaxPool", ["x"]), "n1", "kernel_shape")


def test_attribute_of_the_wrong_type(tmp_path):
    _refused(_one(tmp_path, "MaxPool", ["x"], {"kernel_shape": [2.0, 2.0]}), "n1",
             "kernel_shape")


def test_two_nodes_writing_one_tensor(tmp_path):
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="a"),
             helper.make_node("Sigmoid", ["x"], ["y"], name="b")]
    path = save(make_model(nodes, [value("x", [1, 4])], [value("y", [1, 4])]), tmp_path)
    _refused(path, "y")


@pytest.mark.parametrize(("op", "attrs", "word"), [
    ("MaxPool", {"kernel_shape": [0, 2]}, "kernel_shape"),
    ("AveragePool", {"kernel_shape": [2, 2], "strides": [1]}, "strides"),
    ("MaxPool", {"kernel_shape": [2, 2], "pads": [-1, 0, 0, 0]}, "pads"),
    ("LRN", {"size": 0}, "size"),
    ("Softmax", {"axis": 7}, "axis"),
])
def test_bad_values_of_attributes_each_parser_reads(tmp_path, op, attrs, word):
    _refused(_one(tmp_path, op, ["x"], attrs), "n1", word)


@pytest.mark.parametrize("flag", ["transA", "transB"])
def test_gemm_transpose_flags_are_0_or_1(tmp_path, flag):
    path = _one(tmp_path, "Gemm", ["a", "B"], {flag: 2}, {"a": [4, 4]},
                [weight("B", [4, 4])])
    _refused(path, "n1", flag)


def test_what_real_files_do_still_loads(tmp_path):
    """Nodes out of order, stale declared shapes, other domains' ops: onnxruntime runs
    such files, so the checker's options let them through; a stale declared shape loses
    to the inferred one."""
    nodes = [helper.make_node("Relu", ["h"], ["y"], name="second"),
             helper.make_node("Conv", ["x", "W"], ["h"], name="first")]
    stale = [helper.make_tensor_value_info("h", TensorProto.FLOAT, [1, 99, 1, 1])]
    model = make_model(nodes, [value("x", [1, 3, 8, 8])], [value("y", None)],
                       [weight("W", [4, 3, 3, 3])], value_info=stale)
    network = load_network(save(model, tmp_path, "wild"))
    assert network["first"].macs == 4 * 6 * 6 * 3 * 9
    fused = helper.make_node("FusedConv", ["x", "W"], ["y"], name="fc",
                             domain="com.microsoft", activation="Relu")
    model = make_model([fused], [value("x", [1, 3, 8, 8])], [value("y", None)],
                       [weight("W", [4, 3, 3, 3])])
    model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    assert load_network(save(model, tmp_path, "contrib"))["fc"].macs == 4 * 6 * 6 * 3 * 9
