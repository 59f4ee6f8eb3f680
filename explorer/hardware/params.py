"""The parameters of one accelerator that a sweep (or a sensitivity study) can vary,
read from the schema through `introspect.FieldFacts`: every numeric or enum field with a
value, by its `--set` path, with its unit, bounds and allowed choices. The GUI's Sweep tab
and `accel-explorer archs NAME --params` both list these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from explorer.errors import ArchitectureError
from explorer.hardware.introspect import FieldFacts, fields_of
from explorer.hardware.schema import Accelerator

_SKIPPED_MODELS = {"area"}  # area figures do not change an estimate
_SCALES = (0.25, 0.5, 1.0, 2.0, 4.0)


@dataclass(frozen=True)
class SweepParam:
    """A sweepable field of an accelerator: its `--set` path, kind and current value."""

    path: str
    kind: str  # "int", "float" or "enum"
    current: Any
    facts: FieldFacts
    choices: tuple[str, ...] = ()  # enum values a sweep may try

    @property
    def label(self) -> str:
        unit = f" [{self.facts.unit}]" if self.facts.unit else ""
        return f"{self.path}{unit}"

    def allowed(self) -> str:
        if self.kind == "enum":
            return "one of " + ", ".join(self.choices)
        return self.facts.allowed()

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "value": self.current,
                "unit": self.facts.unit, "allowed": self.allowed(),
                "choices": list(self.choices), "default_values": default_values(self),
                "description": self.facts.description}


def sweepable_params(acc: Accelerator) -> list[SweepParam]:
    """Every numeric or enum field with a value, in schema order; memories by name."""
    found: list[SweepParam] = []

    def walk(model: BaseModel, prefix: str) -> None:
        for facts in fields_of(type(model)):
            value = getattr(model, facts.name)
            path = f"{prefix}{facts.name}"
            if facts.kind == "model":
                if value is not None and facts.name not in _SKIPPED_MODELS:
                    walk(value, f"{path}.")
            elif facts.kind == "model_list":
                for index, item in enumerate(value):  # by name, as `--set` takes them
                    name = getattr(item, "name", "")
                    walk(item, f"{path}.{name}." if name else f"{path}[{index}].")
            elif value is None:
                continue
            elif facts.kind in ("int", "float"):
                found.append(SweepParam(path, facts.kind, value, facts))
            elif facts.kind == "enum":
                found.append(SweepParam(path, "enum", str(getattr(value, "value", value)),
                                        facts, facts.choices(model)))

    walk(acc, "")
    return found


def default_values(param: SweepParam) -> str:
    """A sensible range around the current value (×¼ … ×4), kept within the bounds."""
    if param.kind == "enum":
        return ",".join(param.choices)
    bounds = param.facts.bounds()
    low = bounds.get("ge", bounds.get("gt", -math.inf))
    high = bounds.get("le", bounds.get("lt", math.inf))
    current = param.current
    values: list[str] = []
    for scale in _SCALES if current else (1.0,):
        value = current * scale
        if param.kind == "int":
            value = int(round(value))
        if not (low <= value <= high) or ("gt" in bounds and value == bounds["gt"]):
            continue
        text = str(value) if param.kind == "int" else f"{value:g}"
        if text not in values:
            values.append(text)
    return ",".join(values) or format_value(current)


def parse_values(param: SweepParam, text: str) -> tuple[str, ...]:
    """The values of a value line; ArchitectureError (one line) if one is not of the
    field's kind. Values the schema rejects (e.g. out of range) are allowed through: they
    become listed invalid points, as in the CLI."""
    items = tuple(v.strip() for v in text.split(",") if v.strip())
    if not items:
        raise ArchitectureError(f"{param.path}: no values; write comma-separated values, "
                                f"e.g. {default_values(param)}")
    for item in items:
        if param.kind == "enum":
            if item not in param.choices:
                raise ArchitectureError(f"{param.path}: {item!r} is not allowed; "
                                        f"one of {', '.join(param.choices)}")
            continue
        try:
            number = float(item)
        except ValueError:
            raise ArchitectureError(f"{param.path}: {item!r} is not a number; write "
                                    f"comma-separated numbers, e.g. "
                                    f"{default_values(param)}") from None
        if param.kind == "int" and not number.is_integer():
            raise ArchitectureError(f"{param.path}: {item!r} is not an integer")
    if len(set(items)) != len(items):
        raise ArchitectureError(f"{param.path}: a value is listed twice")
    return items


def format_value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else f"{value:g}"
