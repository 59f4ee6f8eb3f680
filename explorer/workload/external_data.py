"""Weights an ONNX file keeps in other files ("external data"), read safely.

ONNX names such a file by a path relative to the model's folder. A file someone sent
may name any path instead (`/etc/passwd`, `../../home/you/.ssh/id_rsa`, a symlink that
leads out), so: only regular files inside the model's folder are read, and a reference
to anything outside it is refused with the same message whether that file exists or
not, without its size or any other fact about it (docs/security.md).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path, PureWindowsPath

from onnx import AttributeProto, GraphProto, ModelProto, TensorProto

from explorer.errors import WorkloadError


def external_tensors(model: ModelProto) -> Iterator[TensorProto]:
    """Every tensor of the model (subgraphs and node attributes included) whose data is
    external."""
    for tensor in _all_tensors(model.graph):
        if tensor.data_location == TensorProto.EXTERNAL:
            yield tensor


def _all_tensors(graph: GraphProto) -> Iterator[TensorProto]:
    yield from graph.initializer
    for sparse in graph.sparse_initializer:
        yield sparse.values
        yield sparse.indices
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == AttributeProto.TENSOR:
                yield attr.t
            elif attr.type == AttributeProto.TENSORS:
                yield from attr.tensors
            elif attr.type == AttributeProto.SPARSE_TENSOR:
                yield attr.sparse_tensor.values
                yield attr.sparse_tensor.indices
            elif attr.type == AttributeProto.GRAPH:
                yield from _all_tensors(attr.g)
            elif attr.type == AttributeProto.GRAPHS:
                for sub in attr.graphs:
                    yield from _all_tensors(sub)


def _info(tensor: TensorProto) -> dict[str, str]:
    return {entry.key: entry.value for entry in tensor.external_data}


def _outside(model_path: Path | str, tensor: TensorProto, location: str) -> WorkloadError:
    shown = repr(location if len(location) <= 80 else location[:77] + "...")
    return WorkloadError(f"{model_path}: external weights of {_name(tensor)} name a file "
                         f"outside the model's folder ({shown}); only files inside the "
                         "model's folder are read")


def _name(tensor: TensorProto) -> str:
    name = tensor.name if len(tensor.name) <= 80 else tensor.name[:77] + "..."
    return repr(name)


def _escapes(location: str) -> bool:
    """Absolute (POSIX or Windows, drive or UNC) or climbing out with `..`."""
    if os.path.isabs(location) or PureWindowsPath(location).is_absolute():
        return True
    if location.startswith(("/", "\\")) or PureWindowsPath(location).drive:
        return True
    return ".." in re.split(r"[\\/]+", location)


def external_file(model_path: Path | str, tensor: TensorProto) -> tuple[Path, int, int | None]:
    """The file inside the model's folder holding `tensor`'s data, with the data's offset
    and length (None: to the end of the file). Refuses every reference that leaves the
    folder before touching the file system outside it."""
    info = _info(tensor)
    location = info.get("location", "")
    if not location or "\0" in location:
        raise WorkloadError(f"{model_path}: external weights of {_name(tensor)} give no "
                            "usable file name")
    if _escapes(location):
        raise _outside(model_path, tensor, location)
    try:
        folder = Path(model_path).parent.resolve()
        target = (folder / location).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        raise _outside(model_path, tensor, location) from None
    if not target.is_relative_to(folder):  # a symlink that leads out
        raise _outside(model_path, tensor, location)
    try:
        offset = int(info.get("offset", "0") or 0)
        length = int(info["length"]) if info.get("length") else None
    except ValueError:
        raise WorkloadError(f"{model_path}: external weights of {_name(tensor)}: offset "
                            "and length must be whole numbers") from None
    if offset < 0 or (length is not None and length < 0):
        raise WorkloadError(f"{model_path}: external weights of {_name(tensor)}: negative "
                            "offset or length")
    if not target.is_file():
        raise WorkloadError(f"{model_path}: external weights of {_name(tensor)} missing "
                            f"(expected the file {location!r} beside the model)")
    size = target.stat().st_size
    end = offset + (length or 0)
    if end > size:
        raise WorkloadError(f"{model_path}: external weights of {_name(tensor)} truncated "
                            f"({location!r} has {size} bytes, needs {end})")
    return target, offset, length


def check_external_data(model_path: Path | str, model: ModelProto) -> None:
    """External weights are not needed for costing, but a model missing them is broken;
    and a reference outside the model's folder is refused."""
    for tensor in external_tensors(model):
        external_file(model_path, tensor)


def load_external_data(model: ModelProto, model_path: Path | str) -> None:
    """Read every external tensor into the model (in place), from inside the model's
    folder only (onnx's own loader is not used: its checks and messages differ between
    versions)."""
    for tensor in external_tensors(model):
        target, offset, length = external_file(model_path, tensor)
        try:
            with open(target, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    raise OSError("not a regular file")
                handle.seek(offset)
                data = handle.read(-1 if length is None else length)
        except OSError as exc:
            raise WorkloadError(f"{model_path}: external weights of {_name(tensor)} "
                                f"unreadable ({exc.strerror or exc})") from None
        if length is not None and len(data) != length:
            raise WorkloadError(f"{model_path}: external weights of {_name(tensor)} "
                                "truncated")
        tensor.raw_data = data
        tensor.data_location = TensorProto.DEFAULT
        del tensor.external_data[:]


__all__ = ["check_external_data", "external_file", "external_tensors", "load_external_data"]
