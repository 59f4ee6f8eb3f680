"""Sizes an ONNX file claims are checked against what it really holds, before anything
is allocated from them: a 36 KB file must not make the import allocate gigabytes.

- Every dim of an input or a weight is at most `MAX_DIM`, and no tensor has more than
  `MAX_ELEMENTS` elements; an absurd one is refused by name.
- An inline weight holds as many values as its dims claim (a weight "of 2 GiB" with no
  data is a broken file, not 2 GiB of zeros).
- Sparse weights are never made dense here (shapes are all the costing needs); the
  onnxruntime shape probe, the one place that needs real zero weights, first adds up what
  it would allocate and refuses past `MAX_PROBE_BYTES`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from onnx import GraphProto, ModelProto, TensorProto

from explorer.errors import WorkloadError

MAX_DIM = 2**31 - 1
MAX_ELEMENTS = 2**36  # 64 Gi elements: far above any network's tensor (GPT-3's largest is 2^29)
MAX_PROBE_BYTES = 4 * 1024**3

_DATA_FIELDS = ("float_data", "int32_data", "int64_data", "double_data", "uint64_data",
                "string_data")
_COMPLEX = {TensorProto.COMPLEX64, TensorProto.COMPLEX128}
_FOUR_BIT = {getattr(TensorProto, name) for name in ("INT4", "UINT4", "FLOAT4E2M1")
             if hasattr(TensorProto, name)}


def check_dims(path: str, what: str, dims: Iterable[int]) -> None:
    """Refuse negative, absurd or too many elements in the dims of `what`."""
    dims = list(dims)
    for axis, size in enumerate(dims):
        if size < 0 or size > MAX_DIM:
            raise WorkloadError(f"{path}: {what} dim {axis} = {size} is impossible (dims "
                                f"are 0 to {MAX_DIM})")
    if math.prod(dims) > MAX_ELEMENTS:
        raise WorkloadError(f"{path}: {what} has {math.prod(dims):,} elements ({_shape(dims)}), "
                            f"more than the {MAX_ELEMENTS:,} this program accepts")


def _shape(dims: list[int]) -> str:
    return "x".join(str(d) for d in dims) or "scalar"


def _itemsize_bits(data_type: int) -> int | None:
    import numpy as np
    import onnx

    if data_type in _FOUR_BIT:
        return 4
    try:
        return np.dtype(onnx.helper.tensor_dtype_to_np_dtype(data_type)).itemsize * 8
    except (KeyError, ValueError, TypeError):
        return None


def check_inline_data(path: str, tensor: TensorProto, what: str) -> None:
    """An inline tensor holds what its dims claim."""
    if tensor.data_location == TensorProto.EXTERNAL or tensor.data_type == TensorProto.STRING:
        return
    count = math.prod(tensor.dims)
    if count == 0:
        return
    name = f"{what} {_name(tensor)}"
    if tensor.raw_data:
        bits = _itemsize_bits(tensor.data_type)
        if bits is not None and len(tensor.raw_data) != math.ceil(count * bits / 8):
            raise WorkloadError(f"{path}: {name} claims {count:,} elements "
                                f"({_shape(list(tensor.dims))}) but holds "
                                f"{len(tensor.raw_data):,} bytes of data")
        return
    held = sum(len(getattr(tensor, field)) for field in _DATA_FIELDS)
    expected = 2 * count if tensor.data_type in _COMPLEX else (
        math.ceil(count / 2) if tensor.data_type in _FOUR_BIT else count)
    if held < expected:
        detail = "no data" if held == 0 else f"only {held:,} values"
        raise WorkloadError(f"{path}: {name} claims {count:,} elements "
                            f"({_shape(list(tensor.dims))}) but holds {detail}")


def _name(tensor: TensorProto) -> str:
    name = tensor.name if len(tensor.name) <= 80 else tensor.name[:77] + "..."
    return repr(name)


def check_claims(model: ModelProto, path: str) -> None:
    """Check the sizes claimed by weights and inputs of the main graph and its subgraphs
    against the file's real content, before the import allocates anything from them."""
    _check_graph(model.graph, path)
    for value in model.graph.input:
        ttype = value.type.tensor_type if value.type.HasField("tensor_type") else None
        if ttype is not None and ttype.HasField("shape"):
            dims = [d.dim_value for d in ttype.shape.dim if d.HasField("dim_value")]
            check_dims(path, f"input {value.name!r}", dims)


def _check_graph(graph: GraphProto, path: str) -> None:
    for tensor in graph.initializer:
        check_dims(path, f"weight {_name(tensor)}", tensor.dims)
        check_inline_data(path, tensor, "weight")
    for sparse in graph.sparse_initializer:
        what = f"sparse weight {_name(sparse.values)}"
        check_dims(path, what, sparse.dims)
        check_dims(path, what, sparse.values.dims)
        check_inline_data(path, sparse.values, "sparse weight values of")
        nnz = math.prod(sparse.values.dims)
        if nnz > math.prod(sparse.dims):
            raise WorkloadError(f"{path}: {what} has more values ({nnz:,}) than elements")
    for node in graph.node:
        for attr in node.attribute:
            if attr.HasField("t"):
                check_dims(path, f"attribute {attr.name!r} of node {node.name!r}", attr.t.dims)
                check_inline_data(path, attr.t, f"attribute {attr.name!r} tensor")
            if attr.HasField("g"):
                _check_graph(attr.g, path)
            for sub in attr.graphs:
                _check_graph(sub, path)


def probe_bytes(model: ModelProto, feeds: dict[str, tuple[tuple[int, ...], int]]) -> int:
    """Bytes the shape probe would allocate: zero weights for stripped ones plus inputs."""
    total = 0
    for tensor in model.graph.initializer:
        if tensor.data_location == TensorProto.DEFAULT and not tensor.raw_data:
            total += math.prod(tensor.dims) * (_itemsize_bits(tensor.data_type) or 8) // 8
    for shape, elem_type in feeds.values():
        total += math.prod(shape) * (_itemsize_bits(elem_type) or 8) // 8
    return total


__all__ = ["MAX_DIM", "MAX_ELEMENTS", "MAX_PROBE_BYTES", "check_claims", "check_dims",
           "check_inline_data", "probe_bytes"]
