"""Values of a network's inputs, for networks whose shapes depend on values and not only on
input shapes (a TTS model's durations decide how many frames it computes): the user
gives them (`--input-value NAME=FILE.npy` or `NAME=3,1,2,2`, `input_values=` in Python),
and the onnxruntime shape probe runs with them instead of zeros. A given value also fixes
the input's shape."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import GraphProto

from explorer.errors import WorkloadError
from explorer.workload.claims import MAX_PROBE_BYTES

# The largest .npy file read for an input value: far above any shape-deciding input (a
# few integers), and bounded like everything else a file claims.
MAX_VALUE_BYTES = 256 * 1024**2


def read_input_values(given: Mapping[str, Any], graph: GraphProto, path: str
                      ) -> dict[str, np.ndarray]:
    """Each given value as an array of the input's element type and a shape that fits its
    declared dims; one-line `WorkloadError`s name the input and the problem."""
    weights = {t.name for t in graph.initializer}
    inputs = {v.name: v for v in graph.input if v.name not in weights}
    unknown = sorted(set(given) - set(inputs))
    if unknown:
        raise WorkloadError(f"{path}: --input-value names {', '.join(map(repr, unknown))} "
                            f"not among the inputs ({', '.join(sorted(inputs)) or 'none'})")
    arrays: dict[str, np.ndarray] = {}
    total = 0
    for name, raw in given.items():
        value = inputs[name]
        if not value.type.HasField("tensor_type"):
            raise WorkloadError(f"{path}: input {name!r} is not a tensor; it takes no value")
        ttype = value.type.tensor_type
        try:
            dtype = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(ttype.elem_type))
        except (KeyError, ValueError, TypeError):
            raise WorkloadError(f"{path}: input {name!r} has an element type values cannot "
                                "be given for") from None
        array = _as_array(raw, dtype, name, path)
        declared = ([d.dim_value if d.HasField("dim_value") else None for d in ttype.shape.dim]
                    if ttype.HasField("shape") else None)
        array = _fit(array, declared, name, path)
        total += array.nbytes
        if total > MAX_PROBE_BYTES:
            raise WorkloadError(f"{path}: input values of {total:,} bytes (limit "
                                f"{MAX_PROBE_BYTES:,})")
        arrays[name] = array
    return arrays


def _as_array(raw: Any, dtype: np.dtype, name: str, path: str) -> np.ndarray:
    where = f"{path}: --input-value {name}"
    if isinstance(raw, np.ndarray):
        array = raw
    elif isinstance(raw, str | Path) and (str(raw).endswith(".npy") or Path(raw).is_file()):
        array = _load_npy(Path(raw), where)
    elif isinstance(raw, str):
        try:
            array = np.array([float(part) for part in raw.split(",") if part.strip()])
        except ValueError:
            raise WorkloadError(f"{where}={raw[:60]!r}: expected numbers separated by "
                                "commas (e.g. 3,1,2,2) or a .npy file") from None
        if not array.size:
            raise WorkloadError(f"{where}: no value given")
    else:
        array = np.asarray(raw)
    if array.dtype.kind not in "biuf":
        raise WorkloadError(f"{where}: values of type {array.dtype} are not numbers")
    if dtype.kind in "biu" and array.dtype.kind == "f" and (
            not np.all(np.isfinite(array)) or np.any(array != np.round(array))):
        raise WorkloadError(f"{where}: the input holds integers ({dtype}), not "
                                "fractions")
    return array.astype(dtype)


def _load_npy(file: Path, where: str) -> np.ndarray:
    try:
        size = file.stat().st_size
        if size > MAX_VALUE_BYTES:
            raise WorkloadError(f"{where}: {file} has {size:,} bytes (limit "
                                f"{MAX_VALUE_BYTES:,})")
        return np.load(file, allow_pickle=False)  # no object arrays: no code runs
    except OSError as exc:
        raise WorkloadError(f"{where}: cannot read {file} ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise WorkloadError(f"{where}: {file} is not a .npy array of numbers "
                            f"({' '.join(str(exc).split())[:120]})") from None


def _fit(array: np.ndarray, declared: list[int | None] | None, name: str, path: str
         ) -> np.ndarray:
    """The array in the input's declared shape: numbers listed on the command line fill
    a static shape in order; otherwise ranks and the static dims must agree."""
    if declared is None:
        return array
    if all(d is not None for d in declared):
        wanted = math.prod(declared)
        if array.size != wanted:
            raise WorkloadError(f"{path}: --input-value {name}: {array.size} values given; "
                                f"input {name!r} takes {wanted} values "
                                f"({'x'.join(map(str, declared)) or 'a scalar'})")
        return array.reshape(declared)
    if array.ndim != len(declared) or any(
            d is not None and d != s for d, s in zip(declared, array.shape)):
        shown = "x".join("?" if d is None else str(d) for d in declared)
        raise WorkloadError(f"{path}: --input-value {name}: shape "
                            f"{'x'.join(map(str, array.shape))} does not fit input "
                            f"{name!r} ({shown})")
    return array
