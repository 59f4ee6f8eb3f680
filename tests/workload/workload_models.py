"""Small ONNX models built with onnx.helper for the workload tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FLOAT = TensorProto.FLOAT


def value(name: str, shape: Sequence[int | str] | None, elem_type: int = FLOAT):
    return helper.make_tensor_value_info(name, elem_type, shape)


def weight(name: str, shape: Sequence[int], dtype=np.float32) -> TensorProto:
    rng = np.random.default_rng(0)
    return numpy_helper.from_array(rng.standard_normal(shape).astype(dtype), name)


def make_model(nodes, inputs, outputs, initializers=(), *, opset: int = 17,
               ir_version: int = 8, value_info=()) -> onnx.ModelProto:
    graph = helper.make_graph(list(nodes), "test", list(inputs), list(outputs),
                              list(initializers), value_info=list(value_info))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                             ir_version=ir_version)


def save(model: onnx.ModelProto, directory: Path, name: str = "model") -> Path:
    path = directory / f"{name}.onnx"
    path.write_bytes(model.SerializeToString())
    return path
