"""Which inputs of an ONNX file have dynamic dims, and what to propose for them.

Qt-free: the GUI asks this (in the worker thread) before loading, so it can prompt the
user with defaults filled in instead of failing or silently assuming a batch of 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from explorer.errors import WorkloadError

Dim = int | str  # a fixed size, or the symbolic name of a dynamic one ("?" if unnamed)


@dataclass(frozen=True)
class InputSpec:
    name: str
    dims: tuple[Dim, ...]

    @property
    def dynamic(self) -> bool:
        return any(not isinstance(d, int) for d in self.dims)

    def proposal(self) -> tuple[int, ...]:
        """A sensible concrete shape: batch 1; for image-like rank-4 inputs 224×224
        spatial dims (3 channels when unknown); sequence lengths 128; else 1."""
        rank = len(self.dims)
        shape = []
        for axis, dim in enumerate(self.dims):
            if isinstance(dim, int):
                shape.append(dim)
            elif axis == 0:
                shape.append(1)
            elif rank == 4 and axis == 1:
                shape.append(3)
            elif rank == 4:
                shape.append(224)
            elif rank in (2, 3) and axis == 1:
                shape.append(128)
            else:
                shape.append(1)
        return tuple(shape)


def read_inputs(path: str | Path) -> list[InputSpec]:
    """The real (non-weight) inputs of an ONNX file with their declared dims."""
    import onnx

    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # protobuf raises several types for a corrupt file
        raise WorkloadError(f"{path}: not an ONNX model or truncated ({exc})") from None
    weights = {t.name for t in model.graph.initializer}
    specs = []
    for value in model.graph.input:
        if value.name in weights or not value.type.HasField("tensor_type"):
            continue
        ttype = value.type.tensor_type
        if not ttype.HasField("shape"):
            specs.append(InputSpec(value.name, ("?",)))
            continue
        dims: list[Dim] = []
        for dim in ttype.shape.dim:
            if dim.HasField("dim_value") and dim.dim_value > 0:
                dims.append(int(dim.dim_value))
            else:
                dims.append(dim.dim_param or "?")
        specs.append(InputSpec(value.name, tuple(dims)))
    return specs


def dynamic_inputs(path: str | Path) -> list[InputSpec]:
    return [spec for spec in read_inputs(path) if spec.dynamic]


def parse_dims(text: str) -> tuple[int, ...]:
    """'1x3x224x224' (or with ',' / '×' / spaces) -> (1, 3, 224, 224)."""
    for sep in ("×", ",", "*", " "):
        text = text.replace(sep, "x")
    parts = [p for p in text.lower().split("x") if p]
    try:
        dims = tuple(int(p) for p in parts)
    except ValueError:
        raise WorkloadError(f"{text!r}: dims must be positive integers like 1x3x224x224") \
            from None
    if not dims or any(d <= 0 for d in dims):
        raise WorkloadError(f"{text!r}: dims must be positive integers like 1x3x224x224")
    return dims
