"""Issue 13 item 7: sizes a file claims are not trusted. Memory and time are bounded by
the real content; absurd dimensions are refused by name."""

from __future__ import annotations

import pytest
from onnx import TensorProto, helper
from workload_models import make_model, save, value, weight

from explorer.errors import WorkloadError
from explorer.workload import load_network


def _relu_plus(initializer_name: str, shape, **extra):
    node = helper.make_node("Add", ["x", initializer_name], ["y"], name="add")
    return make_model([node], [value("x", shape)], [value("y", shape)], **extra)


def test_sparse_initializer_claiming_gigabytes_is_not_densified(tmp_path):
    """36 bytes of sparse data claiming a 16 GiB weight: the import allocates little."""
    import tracemalloc

    values = helper.make_tensor("w", TensorProto.FLOAT, [1], [1.0])
    indices = helper.make_tensor("w_idx", TensorProto.INT64, [1], [0])
    sparse = helper.make_sparse_tensor(values, indices, [1 << 16, 1 << 16])
    model = _relu_plus("w", [1 << 16, 1 << 16])
    model.graph.sparse_initializer.append(sparse)
    path = save(model, tmp_path)
    assert path.stat().st_size < 10_000
    tracemalloc.start()
    try:
        network = load_network(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * 1024**2
    assert network.layers[0].weights == [(1 << 16, 1 << 16)]


def test_weight_claiming_2gib_with_no_data_is_refused_by_name(tmp_path):
    empty = TensorProto(name="big", data_type=TensorProto.FLOAT, dims=[1 << 29])
    model = _relu_plus("big", [1 << 29], initializers=[empty])
    with pytest.raises(WorkloadError, match=r"'big'.*(no data|holds)"):
        load_network(save(model, tmp_path))


def test_negative_initializer_dims_are_refused_by_name(tmp_path):
    bad = weight("neg", [2])
    bad.dims[:] = [-4]
    model = _relu_plus("neg", [2], initializers=[bad])
    with pytest.raises(WorkloadError, match="'neg'"):
        load_network(save(model, tmp_path))


def test_input_dim_of_2_pow_62_is_refused_by_name(tmp_path):
    node = helper.make_node("Relu", ["x"], ["y"], name="relu")
    model = make_model([node], [value("x", [1, 1 << 62])], [value("y", [1, 1 << 62])])
    with pytest.raises(WorkloadError, match=r"'x'.*dim"):
        load_network(save(model, tmp_path))


def test_input_shape_override_with_absurd_dims_is_refused(tmp_path):
    node = helper.make_node("Relu", ["x"], ["y"], name="relu")
    model = make_model([node], [value("x", ["n", 4])], [value("y", ["n", 4])])
    with pytest.raises(WorkloadError, match=r"'x'.*dim"):
        load_network(save(model, tmp_path), input_shapes={"x": (1 << 40, 4)})
