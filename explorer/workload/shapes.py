"""Tensor shapes and types of a model: onnx's static shape inference first, and only
when tensors the costing needs stay unshaped, one onnxruntime run with every such
tensor as an extra graph output (creating a session is slow, so it is the exception).
"""

from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import onnx
from onnx import GraphProto, ModelProto, TensorProto, TypeProto, ValueInfoProto

from explorer.errors import WorkloadError
from explorer.workload.claims import MAX_PROBE_BYTES, probe_bytes
from explorer.workload.external_data import external_tensors, load_external_data
from explorer.workload.network import Shape

# onnxruntime 1.31 refuses newer IR versions; the graphs we run are valid at this one.
_MAX_ORT_IR_VERSION = 10


class TensorTable:
    """name -> (static shape or None, ONNX element type); a child table for a subgraph
    sees its own tensors and, through its parent, the enclosing graph's."""

    def __init__(self, parent: TensorTable | None = None):
        self.parent = parent
        self._shapes: dict[str, Shape | None] = {}
        self._types: dict[str, int] = {}

    @classmethod
    def from_graph(cls, graph: GraphProto, parent: TensorTable | None = None) -> TensorTable:
        table = cls(parent)
        for tensor in graph.initializer:
            table.set(tensor.name, tuple(int(d) for d in tensor.dims), tensor.data_type)
        for value in (*graph.input, *graph.value_info, *graph.output):
            table.add_value_info(value)
        for node in graph.node:  # Constant nodes carry their tensor
            if node.op_type == "Constant" and node.output:
                for attr in node.attribute:
                    if attr.name == "value" and not table.static(node.output[0]):
                        table.set(node.output[0], tuple(int(d) for d in attr.t.dims),
                                  attr.t.data_type)
        return table

    def child(self, graph: GraphProto) -> TensorTable:
        return TensorTable.from_graph(graph, parent=self)

    def add_value_info(self, value: ValueInfoProto) -> None:
        shape, elem_type = _shape_of_type(value.type)
        if shape is None and self._shapes.get(value.name) is not None:
            return  # keep what we know (e.g. an initializer's dims)
        self.set(value.name, shape, elem_type or self._types.get(value.name, 0))

    def set(self, name: str, shape: Shape | None, elem_type: int) -> None:
        self._shapes[name] = shape
        self._types[name] = elem_type

    def shape(self, name: str) -> Shape | None:
        if name in self._shapes:
            shape = self._shapes[name]
            if shape is not None or self.parent is None:
                return shape
        return self.parent.shape(name) if self.parent is not None else None

    def elem_type(self, name: str) -> int:
        if self._types.get(name):
            return self._types[name]
        return self.parent.elem_type(name) if self.parent is not None else 0

    def static(self, name: str) -> bool:
        return self.shape(name) is not None


def _shape_of_type(type_proto: TypeProto) -> tuple[Shape | None, int]:
    if not type_proto.HasField("tensor_type"):
        return None, 0
    ttype = type_proto.tensor_type
    if not ttype.HasField("shape"):
        return None, ttype.elem_type
    dims = []
    for dim in ttype.shape.dim:
        if not dim.HasField("dim_value") or dim.dim_value < 0:
            return None, ttype.elem_type
        dims.append(int(dim.dim_value))
    return tuple(dims), ttype.elem_type


# Initializers larger than this lose their data before shape inference: inference needs
# only their dims, and serialising hundreds of MB of weights into onnx's C++ inference
# took 12 s for a BERT-base-sized model. Small ones (shapes, axes, scales) keep their
# values, which data propagation uses.
_STRIP_ABOVE_ELEMENTS = 1024
_DATA_FIELDS = ("raw_data", "float_data", "int32_data", "int64_data", "double_data",
                "uint64_data", "string_data")


def densify_sparse_initializers(model: ModelProto) -> None:
    """Sparse initializers become dense initializers of their dims and type (values
    zero; costing needs only their shapes), so the rest of the import sees one kind."""
    import numpy as np

    for sparse in model.graph.sparse_initializer:
        dense = TensorProto(name=sparse.values.name, data_type=sparse.values.data_type)
        dense.dims.extend(sparse.dims)
        if math.prod(dense.dims) > _STRIP_ABOVE_ELEMENTS:
            # left without data like a stripped weight: the dims a file claims are not
            # allocated (only the probe zero-fills, within its memory bound)
            model.graph.initializer.append(dense)
            continue
        try:
            itemsize = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(dense.data_type)).itemsize
        except (KeyError, ValueError, TypeError):
            itemsize = 4
        dense.raw_data = bytes(math.prod(dense.dims) * itemsize)
        model.graph.initializer.append(dense)
    del model.graph.sparse_initializer[:]


def strip_weight_data(model: ModelProto) -> None:
    """Drop the values of large inline initializers of `model` (in place), keeping dims
    and types; `_run_onnxruntime` runs such a model with zero weights."""
    for tensor in model.graph.initializer:
        if tensor.data_location == TensorProto.DEFAULT and \
                math.prod(tensor.dims) > _STRIP_ABOVE_ELEMENTS:
            for name in _DATA_FIELDS:
                tensor.ClearField(name)


def _is_stripped(tensor: TensorProto) -> bool:
    return (tensor.data_location == TensorProto.DEFAULT
            and math.prod(tensor.dims) > _STRIP_ABOVE_ELEMENTS
            and not any(len(getattr(tensor, name)) for name in _DATA_FIELDS))


def _zero_fill_stripped(model: ModelProto) -> None:
    import numpy as np

    for tensor in model.graph.initializer:
        if _is_stripped(tensor):
            itemsize = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(tensor.data_type)).itemsize
            tensor.raw_data = bytes(math.prod(tensor.dims) * itemsize)


def infer_static(model: ModelProto, warnings: list[str]) -> ModelProto:
    """onnx shape inference with data propagation (resolves Shape->Reshape chains).

    Shapes a file declares for intermediate tensors only fill what inference cannot
    derive: exports carry stale ones (a conv output declared [1, 99, 1, 1]), and onnx's
    inference keeps a declared shape over the one it infers."""
    declared = list(model.graph.value_info)
    del model.graph.value_info[:]
    try:
        inferred = onnx.shape_inference.infer_shapes(model, check_type=False,
                                                     strict_mode=False, data_prop=True)
    except Exception as exc:  # onnx raises many types (InferenceError, RuntimeError...)
        warnings.append(f"onnx shape inference failed ({_one_line(exc)}); shapes from "
                        "onnxruntime")
        inferred = model
    shaped = {v.name for v in inferred.graph.value_info if _shape_of_type(v.type)[0] is not None}
    kept = [v for v in inferred.graph.value_info if v.name in shaped]
    kept += [v for v in declared if v.name not in shaped]
    del inferred.graph.value_info[:]
    inferred.graph.value_info.extend(kept)
    return inferred


def fill_missing_shapes(model: ModelProto, table: TensorTable, needed: Iterable[str],
                        essential: set[str], path: str, warnings: list[str],
                        values: Mapping[str, Any] | None = None) -> None:
    """Run the model once with onnxruntime to shape the tensors static inference missed,
    feeding the given input `values` and zeros for the other inputs.

    `essential` tensors (operands of MAC-heavy ops) must end up shaped, else the import
    fails; the others are left unknown with a warning. An essential tensor that comes out
    empty when inputs were zeros means its shape depends on their values: an error that
    asks for them (--input-value), not an estimate of nothing.
    """
    missing = sorted({name for name in needed if not table.static(name)})
    if not missing:
        return
    values = values or {}
    zeroed = _zero_fed_inputs(model, values)
    try:
        shapes = _run_onnxruntime(model, missing, path, values)
    except WorkloadError as exc:
        still = [name for name in missing if name in essential]
        if still:
            hint = _values_hint(zeroed, "may depend on")
            raise WorkloadError(f"{path}: unresolvable shapes (e.g. {still[0]!r}): static "
                                f"inference left them unknown and {exc}{hint}") from None
        warnings.append(f"{len(missing)} tensor shapes unknown ({exc})")
        return
    empty = [name for name in missing if name in essential and name in shapes
             and 0 in shapes[name][0]]
    if empty and zeroed:
        raise WorkloadError(f"{path}: tensor {empty[0]!r} comes out empty when the inputs "
                            f"are zeros{_values_hint(zeroed, 'depend on')}")
    for name in missing:
        if name in shapes:
            table.set(name, shapes[name][0], shapes[name][1] or table.elem_type(name))
    still = [name for name in missing if not table.static(name)]
    if [name for name in still if name in essential]:
        raise WorkloadError(f"{path}: unresolvable shapes: {still[0]!r} stays unknown even "
                            "after running the model")
    if still:
        warnings.append(f"{len(still)} tensor shapes unknown even after running the model "
                        f"(e.g. {still[0]!r})")
    warnings.append(f"shapes of {len(missing) - len(still)} tensors taken from one "
                    "onnxruntime run (static inference left them unknown)")


def _zero_fed_inputs(model: ModelProto, values: Mapping[str, Any]) -> list[str]:
    """Real inputs the probe fills with zeros, integer ones (lengths, counts, ids) first."""
    weights = {t.name for t in model.graph.initializer}
    names = [v for v in model.graph.input if v.name not in weights and v.name not in values]
    integer = [v.name for v in names if v.type.tensor_type.elem_type in _INTEGER_TYPES]
    return integer + [v.name for v in names if v.name not in integer]


_INTEGER_TYPES = frozenset({TensorProto.INT64, TensorProto.INT32, TensorProto.INT16,
                            TensorProto.INT8, TensorProto.UINT8, TensorProto.UINT16,
                            TensorProto.UINT32, TensorProto.UINT64, TensorProto.BOOL})


def _values_hint(zeroed: list[str], verb: str) -> str:
    if not zeroed:
        return ""
    shown = ", ".join(repr(n) for n in zeroed[:3]) + (" ..." if len(zeroed) > 3 else "")
    return (f"; the shapes {verb} the values of input {shown}, not only its shape: give "
            f"them with --input-value {zeroed[0]}=FILE.npy or {zeroed[0]}=VALUE,...")


def _run_onnxruntime(model: ModelProto, names: list[str], model_path: str,
                     values: Mapping[str, Any] | None = None
                     ) -> dict[str, tuple[Shape, int]]:
    try:
        import numpy as np
        import onnxruntime as ort
    except ImportError as exc:
        raise WorkloadError(f"onnxruntime is not available ({exc})") from None
    probe = ModelProto()
    probe.CopyFrom(model)
    probe.ir_version = min(probe.ir_version, _MAX_ORT_IR_VERSION)
    weights = {t.name for t in probe.graph.initializer}
    inputs = {v.name: _shape_of_type(v.type) for v in probe.graph.input if v.name not in weights}
    need = probe_bytes(probe, {n: (s, t) for n, (s, t) in inputs.items() if s is not None})
    if need > MAX_PROBE_BYTES:
        raise WorkloadError(f"running it to find shapes would allocate {need:,} bytes of "
                            f"zero weights and inputs (limit {MAX_PROBE_BYTES:,})")
    try:
        _zero_fill_stripped(probe)
    except (KeyError, ValueError, TypeError) as exc:
        raise WorkloadError(f"weights of an unsupported element type ({exc})") from None
    if any(True for _ in external_tensors(probe)):
        # the serialized probe no longer sits beside its weight files; only files inside
        # the model's folder are read
        load_external_data(probe, model_path)
    # Outputs by name only: declared types in the wild are sometimes wrong, and
    # onnxruntime checks them.
    outputs = [out.name for out in probe.graph.output]
    outputs += [name for name in names if name not in outputs]
    del probe.graph.output[:]
    probe.graph.output.extend(ValueInfoProto(name=name) for name in outputs)
    del probe.graph.value_info[:]  # onnxruntime infers its own; declared ones may be stale
    weights = {t.name for t in probe.graph.initializer}
    feeds = {}
    for value in probe.graph.input:
        if value.name in weights:
            continue
        if values and value.name in values:
            feeds[value.name] = values[value.name]
            continue
        shape, elem_type = _shape_of_type(value.type)
        if shape is None:
            raise WorkloadError(f"onnxruntime needs a static shape for input {value.name!r}")
        try:
            dtype = onnx.helper.tensor_dtype_to_np_dtype(elem_type)
        except (KeyError, ValueError, TypeError):
            raise WorkloadError(f"input {value.name!r} has an element type onnxruntime "
                                "cannot be fed here") from None
        feeds[value.name] = np.zeros(shape, dtype=dtype)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.log_severity_level = 4
    # onnxruntime's Python wrapper print()s "EP Error ... retrying" on failures; that
    # must not end up in a CLI's JSON on stdout.
    chatter = io.StringIO()
    try:
        with contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter):
            session = ort.InferenceSession(probe.SerializeToString(), options,
                                           providers=["CPUExecutionProvider"])
            results = session.run(None, feeds)
    except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph/... types
        raise WorkloadError(f"onnxruntime could not run it ({_one_line(exc)})") from None
    shapes: dict[str, tuple[Shape, int]] = {}
    for meta, value in zip(session.get_outputs(), results):
        if hasattr(value, "shape"):
            try:
                elem_type = onnx.helper.np_dtype_to_tensor_dtype(value.dtype)
            except (KeyError, ValueError, TypeError):
                elem_type = 0
            shapes[meta.name] = (tuple(int(d) for d in value.shape), elem_type)
    return shapes


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] + ("..." if len(text) > 300 else "")


def infer_subgraph(graph: GraphProto, parent: TensorTable,
                   entry: list[tuple[Shape | None, int]], outer_names: Iterable[str],
                   model: ModelProto, constant: Callable[[str], TensorProto | None],
                   path: str = "", values: Mapping[str, Any] | None = None
                   ) -> TensorTable:
    """Shapes inside an If/Loop/Scan body: onnx's inference leaves a body's tensors
    unshaped when its inputs are, so infer the body alone as a model whose inputs carry
    the (shape, element type) they have on entry, and the outer tensors it reads as
    extra inputs, or as initializers when they are small constants (axes, shapes) whose
    values inference needs. What static inference still misses, onnxruntime shapes by
    running that model once (each If branch on its own, whichever the data would pick),
    with the given input `values` and zeros elsewhere."""
    body = GraphProto()
    body.CopyFrom(graph)
    for value, (shape, elem_type) in zip(body.input, entry):
        if value.type.WhichOneof("value") not in (None, "tensor_type"):
            continue  # sequences, optionals: leave as declared
        ttype = value.type.tensor_type
        if not ttype.elem_type and elem_type:
            ttype.elem_type = elem_type
        if shape is not None and ttype.elem_type:
            _set_shape(value, shape)
    local = {v.name for v in body.input} | {t.name for t in body.initializer}
    for name in sorted(set(outer_names) - local):
        shape, elem_type = parent.shape(name), parent.elem_type(name)
        value = constant(name) if shape is not None and len(shape) <= 1 else None
        if value is not None:
            body.initializer.append(value)
        elif shape is not None and elem_type:
            body.input.append(onnx.helper.make_tensor_value_info(name, elem_type, shape))
    wrapper = onnx.helper.make_model(body, opset_imports=list(model.opset_import),
                                     ir_version=model.ir_version)
    try:
        inferred = onnx.shape_inference.infer_shapes(wrapper, check_type=False,
                                                     strict_mode=False, data_prop=True)
    except Exception:  # as for the whole model: keep what the body declares
        inferred = wrapper
    table = parent.child(inferred.graph)
    _probe_body(inferred, table, path, values or {})
    return table


def _probe_body(body_model: ModelProto, table: TensorTable, path: str,
                values: Mapping[str, Any]) -> None:
    """Shape the body tensors static inference left unknown by running the body model
    (whose every input must then have a static shape); failures leave them unknown (the
    body's layers then carry a warning, as before)."""
    graph = body_model.graph
    needed = {name for node in graph.node if node.op_type != "Constant"
              for name in (*node.input, *node.output[:1]) if name}
    missing = sorted(name for name in needed if not table.static(name))
    weights = {t.name for t in graph.initializer}
    if not missing or any(_shape_of_type(v.type)[0] is None for v in graph.input
                          if v.name not in weights and v.name not in values):
        return
    try:
        shapes = _run_onnxruntime(body_model, missing, path,
                                  {k: v for k, v in values.items()
                                   if k in {i.name for i in graph.input}})
    except WorkloadError:
        return
    for name, (shape, elem_type) in shapes.items():
        if name in missing:
            table.set(name, shape, elem_type or table.elem_type(name))


def _set_shape(value: ValueInfoProto, shape: Shape) -> None:
    dims = value.type.tensor_type.shape
    dims.ClearField("dim")
    for size in shape:
        dims.dim.add().dim_value = int(size)
